//! Workloads shared by the correlator benchmarks (the same storm as
//! `benches/peers/correlator_baseline.py`, generated with the same xorshift64* sequence).
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use fault_core::correlator::{Correlator, CorrelatorConfig, SEED_002_RULE_JSON};
use fault_core::event::AlarmEvent;
use fault_core::topology::TopologyEdge;
use fault_core::{Decision, Severity};

pub const N_OLT: u64 = 100;
pub const N_SP: u64 = 2000;
pub const N_ONT: u64 = 97_900;
pub const TYPES: [&str; 3] = ["signal.loss", "signal.degraded", "ont.dying_gasp"];

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    #[inline]
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 14, 0, 0, 0).unwrap()
}

/// The storm: distinct event templates plus the sequence (template index, ms offset).
pub struct Storm {
    pub templates: Vec<AlarmEvent>,
    pub seq: Vec<(u32, i64)>,
}

pub fn storm(n: usize) -> Storm {
    let mut rng = Rng::new(0x5EED_2026);
    let mut templates = Vec::new();
    for o in 0..N_OLT {
        templates.push(AlarmEvent::new("t1", "device.down", "olt", format!("olt-{o}"), t0()));
        templates.push(AlarmEvent::new("t1", "device.up", "olt", format!("olt-{o}"), t0()));
    }
    let mut olt_down = vec![false; N_OLT as usize];
    let mut created: Vec<u32> = Vec::new();
    let mut new_count = 0u64;
    let mut seq = Vec::with_capacity(n);
    for i in 0..n as i64 {
        let r = rng.next() % 100;
        if r < 5 {
            let o = (rng.next() % N_OLT) as usize;
            seq.push(((o * 2 + olt_down[o] as usize) as u32, i));
            olt_down[o] = !olt_down[o];
        } else if r < 30 || created.is_empty() {
            let k = new_count;
            new_count += 1;
            let ont = (k / 3) % N_ONT;
            templates.push(
                AlarmEvent::new("t1", "cpe.signal_loss", "ont", format!("ont-{ont}"), t0())
                    .with_alarm_type(TYPES[(k % 3) as usize])
                    .with_title(format!("ONT {ont} {}", TYPES[(k % 3) as usize])),
            );
            let idx = (templates.len() - 1) as u32;
            created.push(idx);
            seq.push((idx, i));
        } else {
            let c = created[(rng.next() % created.len() as u64) as usize];
            seq.push((c, i));
        }
    }
    Storm { templates, seq }
}

pub fn olt_ont_topology() -> Vec<TopologyEdge> {
    let mut e = Vec::with_capacity((N_SP + N_ONT) as usize);
    for s in 0..N_SP {
        e.push(TopologyEdge::new(format!("olt-{}", s % N_OLT), format!("sp-{s}")));
    }
    for o in 0..N_ONT {
        e.push(TopologyEdge::new(format!("sp-{}", o % N_SP), format!("ont-{o}")));
    }
    e
}

pub fn storm_correlator() -> Correlator {
    let mut c = Correlator::new(
        CorrelatorConfig::default()
            .with_rules_json(SEED_002_RULE_JSON)
            .unwrap(),
    )
    .unwrap();
    c.add_topology_edges("t1", &olt_ont_topology()).unwrap();
    c
}

/// Runs the storm through `c`; returns decision counts by kind.
pub fn run_storm(c: &mut Correlator, s: &mut Storm, count: bool) -> std::collections::BTreeMap<&'static str, u64> {
    let now = t0() + Duration::days(365);
    let mut out = Vec::with_capacity(1024);
    let mut counts = std::collections::BTreeMap::new();
    let base = t0();
    for &(idx, ms) in &s.seq {
        let e = &mut s.templates[idx as usize];
        e.occurred_at = base + Duration::milliseconds(ms);
        c.ingest_into(e, now, &mut out).unwrap();
        if count {
            for d in &out {
                *counts.entry(d.kind()).or_insert(0) += 1;
            }
        }
        out.clear();
    }
    counts
}

/// `n` active ONT-like alarms on distinct resources (no topology), as repeat-able events.
pub fn flat_alarms(n: usize, prefix: &str) -> Vec<AlarmEvent> {
    (0..n)
        .map(|i| {
            AlarmEvent::new("t1", "cpe.signal_loss", "ont", format!("{prefix}-{i}"), t0())
                .with_alarm_type("signal.loss")
                .with_severity(Severity::Major)
        })
        .collect()
}

pub fn ingest_all(c: &mut Correlator, events: &[AlarmEvent]) {
    let now = t0() + Duration::days(365);
    let mut out: Vec<Decision> = Vec::new();
    for e in events {
        c.ingest_into(e, now, &mut out).unwrap();
        out.clear();
    }
}
