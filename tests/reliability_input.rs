//! Issue 11.1 — bad input never corrupts state.
//!
//! Generated operations (proptest feeds bytes; `arbitrary` turns them into structured,
//! adversarial input through `reliability::inputs`; the operations and the check live in
//! `reliability::ops`): rule JSON (create/update), workflow, event mapping and rule JSON in a
//! Desk configuration, alarm event batches, ticket inputs and PATCHes, ticket queries and
//! search strings, comments, attachment names, ticket numbers.
//! For every case:
//!
//! - no panic (proptest reports a panic as a failure and shrinks it);
//! - the result is `Ok` or a typed user error (Validation, NotFound, Conflict,
//!   InvalidTransition, PermissionDenied) — never `Storage`, which would mean bad input
//!   reached the database;
//! - an error message carries no SQL or driver text;
//! - after an error, and after any read, **every table is byte-identical** to before (full
//!   dump).
//!
//! Case counts: 300 per backend in the normal run; `FAULTDESK_LONG=1` runs 100,000 on
//! in-memory SQLite and 3,000 on the file SQLite and PostgreSQL backends
//! (`FAULTDESK_CASES=N` sets all). The counts tried are printed.

mod common;
mod reliability;

use arbitrary::Unstructured;
use common::*;
use faultdesk::{BlobStore, Desk, DeskConfig};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reliability::ops::{Op, Tally, check, fixture};
use std::cell::RefCell;

/// Where a fuzzed backend's Desk comes from.
enum Source {
    /// One Desk for every case.
    Fixed(Desk),
    /// A fresh in-memory SQLite Desk every `reset_every` cases, so dumps stay small.
    FreshMemory(faultdesk::ManualClock),
}

impl Source {
    async fn desk(&self) -> Desk {
        match self {
            Source::Fixed(d) => d.clone(),
            Source::FreshMemory(clock) => {
                Desk::open("sqlite::memory:", config().with_clock(clock.clone()))
                    .await
                    .unwrap()
            }
        }
    }
}

fn config() -> DeskConfig {
    DeskConfig::default().with_blob_store(BlobStore::in_memory())
}

/// Runs `cases` generated operations against `source`'s Desk.
fn fuzz_backend(
    rt: &tokio::runtime::Runtime,
    name: &str,
    cases: u32,
    reset_every: u64,
    source: Source,
) {
    let fx = RefCell::new(rt.block_on(async { fixture(source.desk().await).await }));
    let tally = RefCell::new(Tally::default());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 512,
        max_global_rejects: cases.max(1024),
        ..Config::default()
    });
    let result = runner.run(&vec(any::<u8>(), 0..768), |bytes| {
        let mut u = Unstructured::new(&bytes);
        let Ok(op) = Op::generate(&mut u) else {
            // Not counted as a case: the count asked for is the count of operations tried.
            return Err(TestCaseError::reject("bytes that decode to no operation"));
        };
        let mut t = tally.borrow_mut();
        if t.cases > 0 && t.cases.is_multiple_of(reset_every) {
            *fx.borrow_mut() = rt.block_on(async { fixture(source.desk().await).await });
        }
        let mut f = fx.borrow_mut();
        rt.block_on(check(&mut f, &op, &mut t))
            .map_err(TestCaseError::fail)
    });
    let t = tally.into_inner();
    eprintln!(
        "reliability_input {name}: {} cases tried, {} ok, errors {:?}\n  samples {:#?}",
        t.cases, t.ok, t.errors, t.samples
    );
    if let Err(e) = result {
        let text = e.to_string();
        let cut = text.find("minimal failing input").unwrap_or(text.len());
        panic!("{name}: {}", &text[..cut]);
    }
}

#[test]
fn generated_input_succeeds_or_fails_typed_and_never_corrupts_state() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let backends = rt.block_on(backends_with(|_| config()));
    for td in &backends {
        if td.name == "sqlite-memory" {
            let n = reliability::cases(300, 100_000);
            fuzz_backend(&rt, td.name, n, 400, Source::FreshMemory(td.clock.clone()));
        } else {
            let n = reliability::cases(300, 3_000);
            fuzz_backend(&rt, td.name, n, u64::MAX, Source::Fixed(td.desk.clone()));
        }
    }
}
