//! One run of the mixed storm in Rust and in the pure-Python dict engine
//! (`benches/peers/correlator_baseline.py`); prints both rates and the ratio.
//! The Python engine times its ingest loop over pre-generated event tuples (building resource
//! id strings inside the loop); the Rust rates are: borrowed events filled inside the timed loop
//! (one by one, batches of 32), owned events built before the clock starts (batches of
//! `OWNED_BATCH`) and reusable borrowed events filled before the clock starts (batches of
//! `ENGINE_BATCH`). The ratio uses the fastest Rust path.
//! Run: `cargo bench -p faultdesk --bench fault_correlator_ratio`.

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
    println!("rust decisions: {counts:?}");
    let mut c = storm_correlator();
    let (owned_counts, _) = run_storm_owned(&mut c, &s, true);
    assert_eq!(
        counts, owned_counts,
        "owned and borrowed paths decide the same"
    );
    let mut best_single = f64::MAX;
    let mut best_batch = f64::MAX;
    let mut best_owned = f64::MAX;
    let mut best_engine = f64::MAX;
    let mut c = storm_correlator();
    let (engine_counts, _) = run_storm_engine(&mut c, &s, true);
    assert_eq!(
        counts, engine_counts,
        "engine-timed and one-by-one paths decide the same"
    );
    for _ in 0..3 {
        let mut c = storm_correlator();
        best_engine = best_engine.min(run_storm_engine(&mut c, &s, false).1.as_secs_f64());
        let mut c = storm_correlator();
        best_owned = best_owned.min(run_storm_owned(&mut c, &s, false).1.as_secs_f64());
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
    let owned_rate = n as f64 / best_owned;
    let engine_rate = n as f64 / best_engine;
    println!(
        "rust correlator, ingest_into one by one: {n} events in {best_single:.3} s = {single_rate:.0} events/s (best of 3)"
    );
    println!(
        "rust correlator, ingest_batch_into x32: {n} events in {best_batch:.3} s = {batch_rate:.0} events/s (best of 3)"
    );
    println!(
        "rust correlator, ingest_batch_owned_into x{OWNED_BATCH} (engine only, events built before the clock starts): {n} events in {best_owned:.3} s = {owned_rate:.0} events/s (best of 3)"
    );
    println!(
        "rust correlator, ingest_batch_into x{ENGINE_BATCH} (engine only, reusable events filled before the clock starts): {n} events in {best_engine:.3} s = {engine_rate:.0} events/s (best of 3)"
    );
    // the ratio uses the fastest ingestion path
    let rust_rate = single_rate.max(batch_rate).max(owned_rate).max(engine_rate);
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
                Some(py) => println!("ratio rust/python: {:.1}x", rust_rate / py),
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
