//! Memory of the working set: 1,000,000 active alarms (seed 002's rule loaded), measured with a
//! counting global allocator (live heap bytes) and the process's resident set size.
//! Run: `cargo bench -p faultdesk --bench fault_correlator_memory`. Target: <= 512 MiB.

mod correlator_workload;

use correlator_workload::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            LIVE.fetch_add(l.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            LIVE.fetch_add(new, Ordering::Relaxed);
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    const N: usize = 1_000_000;
    let rss0 = rss_kib().unwrap_or(0);
    let before = LIVE.load(Ordering::Relaxed);
    let mut c = faultdesk::fault::correlator::Correlator::new(
        faultdesk::fault::correlator::CorrelatorConfig::default()
            .with_rules_json(faultdesk::fault::correlator::SEED_002_RULE_JSON)
            .unwrap(),
    )
    .unwrap();
    // ingest in chunks so the event list itself does not inflate the measurement
    for chunk in 0..(N / 100_000) {
        let events: Vec<_> = flat_alarms(100_000, &format!("ont-{chunk}"));
        ingest_all(&mut c, &events);
    }
    assert_eq!(c.active_count(), N);
    let heap = LIVE.load(Ordering::Relaxed) - before;
    let rss = rss_kib().unwrap_or(0);
    println!(
        "working set: {} active alarms, live heap {:.1} MiB ({} bytes/alarm), process RSS {:.1} MiB (RSS at start {:.1} MiB); target <= 512 MiB",
        c.active_count(),
        heap as f64 / 1048576.0,
        heap / N,
        rss as f64 / 1024.0,
        rss0 as f64 / 1024.0
    );
}
