//! Profiling driver for the correlator (not a benchmark; the criterion benches are in
//! `benches/`): runs the mixed storm `reps` times per ingestion mode and prints the best rate.
//! Deterministic instruction counts on a noisy machine:
//!
//! ```text
//! cargo build --release -p fault-core --example storm_profile
//! valgrind --tool=callgrind --toggle-collect='*run_storm*' \
//!     target/release/examples/storm_profile 300000 1 single
//! ```
//!
//! Arguments: events (default 1,000,000), repetitions (5), modes (`single,batch,owned`).
#[path = "../benches/common/mod.rs"]
mod common;

use common::*;

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
        .unwrap_or(vec!["single", "batch", "owned"]);
    let s = storm(n);
    for m in modes {
        let mut best = f64::MAX;
        for _ in 0..reps {
            let mut c = storm_correlator();
            let t = std::time::Instant::now();
            let secs = match m {
                "batch" => {
                    run_storm_batched(&mut c, &s, false);
                    t.elapsed().as_secs_f64()
                }
                // engine time only: the owned events are built before each batch's clock starts
                "owned" => run_storm_owned(&mut c, &s, false).1.as_secs_f64(),
                _ => {
                    run_storm(&mut c, &s, false);
                    t.elapsed().as_secs_f64()
                }
            };
            best = best.min(secs);
        }
        println!("{m}: best of {reps}: {:.0} events/s", n as f64 / best);
    }
}
