//! One run of the mixed storm in Rust and in the pure-Python dict engine
//! (`benches/peers/correlator_baseline.py`); prints both rates and the ratio.
//! Run: `cargo bench -p fault-core --bench correlator_ratio`.

mod common;

use common::*;
use std::process::Command;
use std::time::Instant;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = 1_000_000usize;
    let s = storm(n);
    let mut best = f64::MAX;
    let mut counts = Default::default();
    for run in 0..3 {
        let mut c = storm_correlator();
        let start = Instant::now();
        let k = run_storm(&mut c, &s, false);
        let secs = start.elapsed().as_secs_f64();
        best = best.min(secs);
        if run == 0 {
            let mut c = storm_correlator();
            counts = run_storm(&mut c, &s, true);
            let _ = k;
        }
    }
    let rust_rate = n as f64 / best;
    println!("rust decisions: {counts:?}");
    println!("rust correlator: {n} events in {best:.3} s = {rust_rate:.0} events/s (best of 3)");
    if std::env::var_os("FLT_SKIP_PYTHON").is_some() {
        return;
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../benches/peers/correlator_baseline.py"
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
