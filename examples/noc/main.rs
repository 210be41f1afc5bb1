//! The main job: an FTTH network's month of alarms, end to end (grows with the engine).
//!
//! Run with `cargo run --release --example noc`.

mod scenario;

use scenario::{Events, Scenario, ScenarioConfig, Story};
use std::collections::BTreeMap;

fn main() {
    let started = std::time::Instant::now();
    let scenario = Scenario::generate(ScenarioConfig::default());
    let n = &scenario.network;
    println!(
        "faultdesk noc — simulated FTTH network: {} routers, {} OLTs, {} PON ports, {} ONTs, {} topology edges",
        n.routers.len(),
        n.olts.len(),
        n.ports.len(),
        n.onts.len(),
        n.edges.len()
    );
    let mut by_story: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut count = 0u64;
    let mut last = None;
    for (e, story) in Events::of(&scenario) {
        if let Some(prev) = last {
            assert!(e.occurred_at >= prev, "events must come in time order");
        }
        last = Some(e.occurred_at);
        count += 1;
        *by_story.entry(format!("{story:?}")).or_default() += 1;
        *by_type.entry(e.event_type.clone()).or_default() += 1;
    }
    assert_eq!(count, scenario.total_events);
    let _ = Story::OntSignalLoss;
    println!("events generated: {count} in {:.2?}", started.elapsed());
    for (k, v) in by_story {
        println!("  story {k:<16} {v:>9}");
    }
    for (k, v) in by_type {
        println!("  type  {k:<30} {v:>9}");
    }
}
