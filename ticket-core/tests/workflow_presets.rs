//! Every preset workflow, transition by transition: each allowed transition with its permission
//! and guards, and every other (from, to) pair rejected with an `InvalidTransition` error naming
//! the allowed next states. The expected tables are written out here independently of the
//! definitions in `workflow.rs`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ticket_core::Error;
use ticket_core::category::StateCategory;
use ticket_core::rbac::PermissionSet;
use ticket_core::workflow::{TransitionContext, Workflow};

const TR: &str = "tickets.transition";
const CL: &str = "tickets.close";
const RO: &str = "tickets.reopen";

/// (from, to, permission, guards: note, assignee, window)
type Row = (&'static str, &'static str, &'static str, bool, bool, bool);

const ITSM: &[Row] = &[
    ("NEW", "OPEN", TR, false, false, false),
    ("NEW", "IN_PROGRESS", TR, false, true, false),
    ("OPEN", "IN_PROGRESS", TR, false, true, false),
    ("OPEN", "PENDING_INFO", TR, false, false, false),
    ("OPEN", "ESCALATED", TR, false, false, false),
    ("OPEN", "RESOLVED", CL, true, false, false),
    ("IN_PROGRESS", "PENDING_INFO", TR, false, false, false),
    ("IN_PROGRESS", "ESCALATED", TR, false, false, false),
    ("IN_PROGRESS", "RESOLVED", CL, true, false, false),
    ("PENDING_INFO", "OPEN", TR, false, false, false),
    ("PENDING_INFO", "IN_PROGRESS", TR, false, true, false),
    ("PENDING_INFO", "RESOLVED", CL, true, false, false),
    ("ESCALATED", "IN_PROGRESS", TR, false, true, false),
    ("ESCALATED", "PENDING_INFO", TR, false, false, false),
    ("ESCALATED", "RESOLVED", CL, true, false, false),
    ("RESOLVED", "CLOSED", CL, false, false, false),
    ("RESOLVED", "REOPENED", RO, false, false, true),
    ("CLOSED", "REOPENED", RO, false, false, true),
    ("REOPENED", "IN_PROGRESS", TR, false, true, false),
    ("REOPENED", "PENDING_INFO", TR, false, false, false),
    ("REOPENED", "ESCALATED", TR, false, false, false),
    ("REOPENED", "RESOLVED", CL, true, false, false),
];

const VMS: &[Row] = &[
    ("open", "assigned", TR, false, true, false),
    ("open", "in_progress", TR, false, true, false),
    ("open", "false_positive", CL, false, false, false),
    ("assigned", "in_progress", TR, false, false, false),
    ("assigned", "open", TR, false, false, false),
    ("assigned", "false_positive", CL, false, false, false),
    ("in_progress", "resolved", CL, false, false, false),
    ("in_progress", "assigned", TR, false, false, false),
    ("in_progress", "false_positive", CL, false, false, false),
    ("resolved", "closed", CL, false, false, false),
    ("resolved", "in_progress", RO, false, false, true),
    ("false_positive", "open", RO, false, false, true),
];

const FIBREFLOW: &[Row] = &[
    ("pending", "in_progress", TR, false, false, false),
    ("pending", "closed", CL, false, false, false),
    ("in_progress", "pending", TR, false, false, false),
    ("in_progress", "closed", CL, false, false, false),
];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

/// A context in which every guard passes.
fn happy(p: &PermissionSet) -> TransitionContext<'_> {
    TransitionContext::new(p, now())
        .with_assignee(true)
        .with_resolution_note(true)
        .with_resolution_times(Some(now() - Duration::hours(1)), None)
}

fn check_preset(wf: &Workflow, table: &[Row], states: &[(&str, StateCategory)]) {
    // The states, in order, with their categories.
    assert_eq!(
        wf.states()
            .iter()
            .map(|s| (s.name.as_str(), s.category))
            .collect::<Vec<_>>(),
        states.to_vec()
    );
    assert_eq!(wf.initial_state(), states[0].0);
    let su = PermissionSet::superuser();
    for &(from, _) in states {
        let allowed: Vec<&str> = table.iter().filter(|r| r.0 == from).map(|r| r.1).collect();
        assert_eq!(
            wf.allowed_next(from).unwrap(),
            allowed,
            "allowed from {from}"
        );
        for &(to, _) in states
            .iter()
            .chain([("NO_SUCH_STATE", StateCategory::New)].iter())
        {
            let row = table.iter().find(|r| r.0 == from && r.1 == to);
            // Also exercise case-insensitive lookup.
            let res = wf.check_transition(
                &from.to_ascii_lowercase(),
                &to.to_ascii_uppercase(),
                &happy(&su),
            );
            match row {
                Some(_) => {
                    let fx = res.unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
                    assert_eq!((fx.from, fx.to), (from, to));
                }
                None => {
                    let err = res.expect_err(&format!("{from} -> {to} must be rejected"));
                    assert_eq!(
                        err,
                        Error::InvalidTransition {
                            from: from.to_string(),
                            to: to.to_string(),
                            allowed: allowed.iter().map(|s| s.to_string()).collect(),
                        },
                        "{from} -> {to}"
                    );
                    let msg = err.to_string();
                    assert!(msg.contains(from) && msg.contains(to), "{msg}");
                }
            }
        }
    }
    for &(from, to, perm, note, assignee, window) in table {
        // Exactly the named permission is enough ...
        let only = PermissionSet::from_iter([perm]);
        assert!(
            wf.check_transition(from, to, &happy(&only)).is_ok(),
            "{from} -> {to} with {perm}"
        );
        // ... and without it the error names it.
        let others = PermissionSet::from_iter([TR, CL, RO].into_iter().filter(|p| *p != perm));
        assert_eq!(
            wf.check_transition(from, to, &happy(&others)).unwrap_err(),
            Error::PermissionDenied {
                permission: perm.to_string()
            },
            "{from} -> {to} without {perm}"
        );
        // Each guard: fails exactly when listed.
        let no_note = happy(&su).with_resolution_note(false);
        let no_assignee = happy(&su).with_assignee(false);
        let late = happy(&su).with_resolution_times(Some(now() - Duration::days(30)), None);
        for (listed, ctx, name) in [
            (note, no_note, "requires_resolution_note"),
            (assignee, no_assignee, "requires_assignee"),
            (window, late, "within_reopen_window"),
        ] {
            let res = wf.check_transition(from, to, &ctx);
            if listed {
                let err = res.unwrap_err();
                assert!(matches!(err, Error::Validation(_)), "{from} -> {to}: {err}");
                assert!(err.to_string().contains(name), "{from} -> {to}: {err}");
            } else {
                assert!(res.is_ok(), "{from} -> {to} must not check {name}");
            }
        }
    }
}

#[test]
fn itsm_transition_by_transition() {
    use StateCategory::*;
    check_preset(
        &Workflow::itsm(),
        ITSM,
        &[
            ("NEW", New),
            ("OPEN", Open),
            ("IN_PROGRESS", Open),
            ("PENDING_INFO", Pending),
            ("ESCALATED", Open),
            ("RESOLVED", Resolved),
            ("CLOSED", Closed),
            ("REOPENED", Open),
        ],
    );
}

#[test]
fn vms_transition_by_transition() {
    use StateCategory::*;
    check_preset(
        &Workflow::vms(),
        VMS,
        &[
            ("open", New),
            ("assigned", Open),
            ("in_progress", Open),
            ("resolved", Resolved),
            ("closed", Closed),
            ("false_positive", Closed),
        ],
    );
}

#[test]
fn fibreflow_transition_by_transition() {
    use StateCategory::*;
    check_preset(
        &Workflow::fibreflow(),
        FIBREFLOW,
        &[("pending", New), ("in_progress", Open), ("closed", Closed)],
    );
}

#[test]
fn itsm_reopen_window_is_configurable() {
    let su = PermissionSet::superuser();
    let closed = now() - Duration::days(10);
    let ctx = TransitionContext::new(&su, now()).with_resolution_times(Some(closed), Some(closed));
    let err = Workflow::itsm()
        .check_transition("CLOSED", "REOPENED", &ctx)
        .unwrap_err();
    assert!(err.to_string().contains("reopen window of 7 days"), "{err}");
    let wide = Workflow::itsm().with_reopen_window(Duration::days(14));
    let fx = wide.check_transition("CLOSED", "REOPENED", &ctx).unwrap();
    assert!(fx.is_reopen());
    assert!(fx.clear_resolution);
    // The window survives a JSON round trip.
    let back = Workflow::from_json(&wide.to_json()).unwrap();
    assert_eq!(back.reopen_window(), Duration::days(14));
}

#[test]
fn itsm_full_lifecycle_sets_and_clears_timestamps() {
    use ticket_core::ticket::{NewTicket, Ticket};
    let wf = Workflow::itsm();
    let su = PermissionSet::superuser();
    let t0 = now();
    let mut t = NewTicket::new("t", "Database down", "reporter")
        .assignee("eng")
        .build(&wf, Ticket::new_id(t0), "TKT-2026-000042".into(), t0)
        .unwrap();
    let mut at = t0;
    let mut go = |t: &mut Ticket, to: &str, note: bool| {
        at += Duration::minutes(15);
        let ctx = TransitionContext::new(&su, at)
            .with_assignee(t.assignee_id.is_some())
            .with_resolution_note(note)
            .with_resolution_times(t.resolved_at, t.closed_at);
        wf.check_transition(&t.status, to, &ctx)
            .unwrap()
            .apply(t, at);
        at
    };
    let a1 = go(&mut t, "OPEN", false);
    assert_eq!(t.first_responded_at, Some(a1));
    go(&mut t, "IN_PROGRESS", false);
    go(&mut t, "PENDING_INFO", false);
    go(&mut t, "IN_PROGRESS", false);
    go(&mut t, "ESCALATED", false);
    let r = go(&mut t, "RESOLVED", true);
    assert_eq!(t.resolved_at, Some(r));
    let c = go(&mut t, "CLOSED", false);
    assert_eq!((t.resolved_at, t.closed_at), (Some(r), Some(c)));
    go(&mut t, "REOPENED", false);
    assert_eq!((t.resolved_at, t.closed_at), (None, None));
    assert_eq!(
        t.first_responded_at,
        Some(a1),
        "first response is kept on reopen"
    );
    let r2 = go(&mut t, "RESOLVED", true);
    assert_eq!(t.resolved_at, Some(r2));
    assert_eq!(t.status, "RESOLVED");
    assert_eq!(t.updated_at, r2);
}

#[test]
fn fibreflow_close_directly_sets_resolution_and_closure() {
    let wf = Workflow::fibreflow();
    let su = PermissionSet::superuser();
    let fx = wf
        .check_transition("pending", "closed", &TransitionContext::new(&su, now()))
        .unwrap();
    assert!(fx.set_first_responded_at && fx.set_resolved_at && fx.set_closed_at);
    assert!(!fx.clear_resolution && !fx.is_reopen());
    assert_eq!(fx.to_category, StateCategory::Closed);
}

#[test]
fn index_api_matches_string_api() {
    let wf = Workflow::vms();
    let su = PermissionSet::superuser();
    let ctx = happy(&su);
    for a in wf.states() {
        for b in wf.states() {
            let ia = wf.state_id(&a.name).unwrap();
            let ib = wf.state_id(&b.name).unwrap();
            let by_name = wf.check_transition(&a.name, &b.name, &ctx);
            let by_id = wf.check_transition_ids(ia, ib, &ctx);
            assert_eq!(by_name, by_id);
            assert_eq!(wf.has_transition(ia, ib), by_id.is_ok());
        }
    }
}
