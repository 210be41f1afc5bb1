//! Workflow transition checks — target ≤ 100 ns per check.
//!
//! Measures the string API (case-insensitive names, as a request carries them) and the
//! index API, on an allowed transition with a guard and a permission lookup in a realistic
//! permission set (seed 003's DEVOPS_ENGINEER), and on a rejected transition.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use faultdesk::ticket::rbac::Rbac;
use faultdesk::ticket::workflow::{TransitionContext, Workflow};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let wf = Workflow::itsm();
    let perms = Rbac::itsm().permissions(&["DEVOPS_ENGINEER".to_string()], &[]);
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let ctx = TransitionContext::new(&perms, now)
        .with_assignee(true)
        .with_resolution_note(true);
    assert!(wf.check_transition("in_progress", "resolved", &ctx).is_ok());

    let mut g = c.benchmark_group("workflow");
    g.bench_function("check_transition/by_name/allowed", |b| {
        b.iter(|| {
            wf.check_transition(
                black_box("in_progress"),
                black_box("resolved"),
                black_box(&ctx),
            )
            .is_ok()
        })
    });
    let from = wf.state_id("IN_PROGRESS").unwrap();
    let to = wf.state_id("RESOLVED").unwrap();
    g.bench_function("check_transition/by_id/allowed", |b| {
        b.iter(|| {
            wf.check_transition_ids(black_box(from), black_box(to), black_box(&ctx))
                .is_ok()
        })
    });
    let reopen_ctx = ctx.with_resolution_times(Some(now - chrono::Duration::hours(3)), None);
    g.bench_function("check_transition/by_name/reopen_window_guard", |b| {
        b.iter(|| {
            wf.check_transition(
                black_box("RESOLVED"),
                black_box("REOPENED"),
                black_box(&reopen_ctx),
            )
            .is_ok()
        })
    });
    // The rejected path builds an error with the allowed next states (allocates).
    g.bench_function("check_transition/by_name/rejected", |b| {
        b.iter(|| {
            wf.check_transition(black_box("NEW"), black_box("CLOSED"), black_box(&ctx))
                .is_err()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
