//! One run of the mixed storm in Rust and in the pure-Python dict engine
//! (`benches/peers/correlator_baseline.py`); prints the rates and the ratio.
//! Both sides time their engine over events built before the clock starts: the Python engine
//! loops over pre-built event tuples (strings included), the Rust engine ingests batches of
//! `ENGINE_BATCH` reusable events filled before each batch's clock starts (decisions dropped
//! inside the timed region). The one-by-one and batch-of-32 Rust rates (events filled inside
//! the timed loop) are printed too. Rates are the best of 3 runs.
//! Run: `cargo bench -p faultdesk --bench fault_correlator_ratio` (`FLT_SKIP_PYTHON=1`: Rust only).

mod correlator_workload;

use correlator_workload::*;
use std::process::Command;
use std::time::Instant;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = 1_000_000usize;
    let s = storm(n);
    let mut c = storm_correlator();
    let counts = run_storm(&mut c, &s, true);
    let mut c = storm_correlator();
    let batched_counts = run_storm_batched(&mut c, &s, true);
    assert_eq!(
        counts, batched_counts,
        "batch and single paths decide the same"
    );
    let mut c = storm_correlator();
    let (engine_counts, _) = run_storm_engine(&mut c, &s, true);
    assert_eq!(
        counts, engine_counts,
        "engine-timed and one-by-one paths decide the same"
    );
    println!("rust decisions: {counts:?}");
    let mut best_single = f64::MAX;
    let mut best_batch = f64::MAX;
    let mut best_engine = f64::MAX;
    for _ in 0..3 {
        let mut c = storm_correlator();
        best_engine = best_engine.min(run_storm_engine(&mut c, &s, false).1.as_secs_f64());
        let mut c = storm_correlator();
        let start = Instant::now();
        run_storm(&mut c, &s, false);
        best_single = best_single.min(start.elapsed().as_secs_f64());
        let mut c = storm_correlator();
        let start = Instant::now();
        run_storm_batched(&mut c, &s, false);
        best_batch = best_batch.min(start.elapsed().as_secs_f64());
    }
    let single_rate = n as f64 / best_single;
    let batch_rate = n as f64 / best_batch;
    let engine_rate = n as f64 / best_engine;
    println!(
        "rust correlator, ingest_into one by one (events filled in the loop): {n} events in {best_single:.3} s = {single_rate:.0} events/s"
    );
    println!(
        "rust correlator, ingest_batch_into x32 (events filled in the loop): {n} events in {best_batch:.3} s = {batch_rate:.0} events/s"
    );
    println!(
        "rust correlator, ingest_batch_into x{ENGINE_BATCH} (engine only): {n} events in {best_engine:.3} s = {engine_rate:.0} events/s"
    );
    if std::env::var_os("FLT_SKIP_PYTHON").is_some() {
        return;
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/peers/correlator_baseline.py"
    );
    match Command::new("python3")
        .arg(script)
        .arg(n.to_string())
        .output()
    {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            print!("{text}");
            let rate = text
                .lines()
                .find(|l| l.starts_with("python baseline"))
                .and_then(|l| l.rsplit("= ").next())
                .and_then(|r| r.trim_end_matches(" events/s").parse::<f64>().ok());
            match rate {
                Some(py) => println!(
                    "ratio rust/python (engine only, same work): {:.1}x; one by one with event filling: {:.1}x",
                    engine_rate / py,
                    single_rate / py
                ),
                None => println!("could not parse the python rate"),
            }
        }
        Ok(o) => println!(
            "python baseline failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => println!("python3 not available: {e}"),
    }
}
