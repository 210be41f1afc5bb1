//! Profiling driver for the correlator (not a benchmark; the criterion benches are the root
//! package's `benches/fault_correlator*.rs`, whose workloads this shares): runs a workload
//! `reps` times per mode and prints the best rate. Deterministic instruction counts on a noisy
//! machine:
//!
//! ```text
//! cargo build --release -p fault-core --example storm_profile
//! valgrind --tool=callgrind --toggle-collect='*run_*' \
//!     target/release/examples/storm_profile 300000 1 single
//! ```
//!
//! Arguments: events (default 1,000,000), repetitions (5), modes (default
//! `single,batch,engine`):
//!
//! - mixed storm: `single` (one by one), `batch` (batches of 32), `engine` (batches of 256,
//!   engine time);
//! - `rules`: new alarms with 1,000 rules loaded (one by one);
//! - `repeats10k`, `repeats100k`: repeats on the dedup path at 10,000 / 100,000 active alarms
//!   (one by one);
//! - `flat1k`, `flat100k`: the flat-cost mix at 1,000 / 100,000 active alarms (one by one);
//! - `digest`: prints a hash of every decision (serialized) and of the final working set of the
//!   storm (single path): a refactoring of the correlator that must not change its decisions
//!   keeps this digest.
#[path = "../../benches/correlator_workload/mod.rs"]
mod common;

use chrono::Duration;
use common::*;
use fault_core::Correlator;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let reps: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let modes: Vec<&str> = args
        .get(3)
        .map(|m| m.split(',').collect())
        .unwrap_or(vec!["single", "batch", "engine"]);
    let s = storm(n);
    for m in modes {
        if m == "digest" {
            digest(&s);
            continue;
        }
        let mut best = f64::MAX;
        for _ in 0..reps {
            let secs = match m {
                "batch" => {
                    let mut c = storm_correlator();
                    let t = Instant::now();
                    run_storm_batched(&mut c, &s, false);
                    t.elapsed().as_secs_f64()
                }
                // engine time only: the events are filled before each batch's clock starts
                "engine" => run_storm_engine(&mut storm_correlator(), &s, false)
                    .1
                    .as_secs_f64(),
                "rules" => run_new_alarms(&mut thousand_rules_correlator(), n),
                "repeats10k" => run_repeats(10_000, n),
                "repeats100k" => run_repeats(100_000, n),
                "flat1k" => run_flat(1_000, n),
                "flat100k" => run_flat(100_000, n),
                "single" => {
                    let mut c = storm_correlator();
                    let t = Instant::now();
                    run_storm(&mut c, &s, false);
                    t.elapsed().as_secs_f64()
                }
                other => panic!("unknown mode {other}"),
            };
            best = best.min(secs);
        }
        println!("{m}: best of {reps}: {:.0} events/s", n as f64 / best);
    }
}

/// `n` new alarms on the 1,000-rules correlator, one by one; returns the seconds.
#[inline(never)]
fn run_new_alarms(c: &mut Correlator, n: usize) -> f64 {
    let now = t0() + Duration::days(365);
    let mut out = Vec::with_capacity(16);
    let mut e = new_alarm_buffer();
    let t = Instant::now();
    for i in 0..n as u64 {
        new_alarm(&mut e, i);
        c.ingest_into(&e, now, &mut out).unwrap();
        out.clear();
    }
    t.elapsed().as_secs_f64()
}

/// `n` repeats in random order at `active` alarms, one by one; returns the seconds.
fn run_repeats(active: usize, n: usize) -> f64 {
    let (mut c, _) = FlatMix::new(active);
    let mut rng = Rng::new(7);
    let order: Vec<Op> = (0..n)
        .map(|_| FlatMix::raise_op(rng.next() % active as u64))
        .collect();
    run_ops(&mut c, &order)
}

/// `n` events of the flat-cost mix at `active` alarms, one by one; returns the seconds.
fn run_flat(active: usize, n: usize) -> f64 {
    let (mut c, mut mix) = FlatMix::new(active);
    let order: Vec<Op> = (0..n).map(|_| mix.next_op()).collect();
    run_ops(&mut c, &order)
}

#[inline(never)]
fn run_ops(c: &mut Correlator, ops: &[Op]) -> f64 {
    let now = t0() + Duration::days(365);
    let mut out = Vec::with_capacity(16);
    let mut bufs = Bufs::default();
    let t = Instant::now();
    for (i, &o) in ops.iter().enumerate() {
        let e = bufs.fill(o, t0() + Duration::milliseconds(i as i64 + 1));
        c.ingest_into(e, now, &mut out).unwrap();
        out.clear();
    }
    t.elapsed().as_secs_f64()
}

/// Hashes every decision of the storm (single path) and the final working set.
fn digest(s: &Storm) {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut c = storm_correlator();
    let now = t0() + Duration::days(365);
    let mut out = Vec::new();
    let mut bufs = Bufs::default();
    let mut h = DefaultHasher::new();
    let mut n = 0u64;
    for &(op, ms) in &s.seq {
        let e = bufs.fill(op, t0() + Duration::milliseconds(ms));
        c.ingest_into(e, now, &mut out).unwrap();
        for d in &out {
            // a created alarm is hashed as its full row (as `Created` carried it before it
            // became compact), so digests stay comparable across that change
            let text = match d {
                fault_core::Decision::Created { alarm } => format!(
                    "{{\"decision\":\"created\",\"alarm\":{}}}",
                    serde_json::to_string(&alarm.to_alarm(e)).unwrap()
                ),
                d => serde_json::to_string(d).unwrap(),
            };
            text.hash(&mut h);
            n += 1;
        }
        out.clear();
    }
    for st in c.alarm_states() {
        serde_json::to_string(&st).unwrap().hash(&mut h);
    }
    println!(
        "digest: {:016x} over {n} decisions, {} active",
        h.finish(),
        c.active_count()
    );
}
