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

/// One storm event, compact: the event itself is materialized into a reused buffer at ingest
/// time (as a parser filling a reusable struct would), so the input is cache-hot like a freshly
/// parsed event.
#[derive(Clone, Copy)]
pub enum Op {
    /// OLT raise (`device.down`) or clear (`device.up`).
    Olt { olt: u32, up: bool },
    /// ONT alarm (`cpe.signal_loss` with alarm type `TYPES[ty]`).
    Ont { ont: u32, ty: u8 },
    /// ONT clear (`cpe.online` with alarm type `TYPES[ty]`).
    OntClear { ont: u32, ty: u8 },
}

pub struct Storm {
    pub seq: Vec<(Op, i64)>,
}

pub fn storm(n: usize) -> Storm {
    let mut rng = Rng::new(0x5EED_2026);
    let mut olt_down = vec![false; N_OLT as usize];
    let mut created: Vec<Op> = Vec::new();
    let mut new_count = 0u64;
    let mut seq = Vec::with_capacity(n);
    for i in 0..n as i64 {
        let r = rng.next() % 100;
        if r < 5 {
            let o = (rng.next() % N_OLT) as usize;
            seq.push((
                Op::Olt {
                    olt: o as u32,
                    up: olt_down[o],
                },
                i,
            ));
            olt_down[o] = !olt_down[o];
        } else if r < 30 || created.is_empty() {
            let k = new_count;
            new_count += 1;
            let op = Op::Ont {
                ont: ((k / 3) % N_ONT) as u32,
                ty: (k % 3) as u8,
            };
            created.push(op);
            seq.push((op, i));
        } else {
            let c = created[(rng.next() % created.len() as u64) as usize];
            seq.push((c, i));
        }
    }
    Storm { seq }
}

/// Reusable event buffers.
pub struct Bufs {
    pub ont: AlarmEvent,
    pub olt_down: AlarmEvent,
    pub olt_up: AlarmEvent,
    pub ont_clear: AlarmEvent,
}

impl Default for Bufs {
    fn default() -> Self {
        Bufs {
            ont: AlarmEvent::new(
                "t1",
                "cpe.signal_loss",
                "ont",
                String::with_capacity(32),
                t0(),
            )
            .with_alarm_type(String::with_capacity(32))
            .with_title(String::with_capacity(64)),
            olt_down: AlarmEvent::new("t1", "device.down", "olt", String::with_capacity(32), t0()),
            olt_up: AlarmEvent::new("t1", "device.up", "olt", String::with_capacity(32), t0()),
            ont_clear: AlarmEvent::new("t1", "cpe.online", "ont", String::with_capacity(32), t0())
                .with_alarm_type(String::with_capacity(32)),
        }
    }
}

/// Appends `n` in decimal (what a parser copying digits costs, without `fmt` machinery).
#[inline]
pub fn push_u32(s: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        s.push(d as char);
    }
}

impl Bufs {
    /// Fill the buffer for `op` at `at` (like a parser would).
    #[inline]
    pub fn fill(&mut self, op: Op, at: DateTime<Utc>) -> &AlarmEvent {
        match op {
            Op::Olt { olt, up } => {
                let e = if up {
                    &mut self.olt_up
                } else {
                    &mut self.olt_down
                };
                let r = e.resource_id.as_mut().unwrap();
                r.clear();
                r.push_str("olt-");
                push_u32(r, olt);
                e.occurred_at = at;
                e
            }
            Op::OntClear { ont, ty } => {
                let e = &mut self.ont_clear;
                let r = e.resource_id.as_mut().unwrap();
                r.clear();
                r.push_str("ont-");
                push_u32(r, ont);
                let a = e.alarm_type.as_mut().unwrap();
                a.clear();
                a.push_str(TYPES[ty as usize]);
                e.occurred_at = at;
                e
            }
            Op::Ont { ont, ty } => {
                let e = &mut self.ont;
                let ty = TYPES[ty as usize];
                let r = e.resource_id.as_mut().unwrap();
                r.clear();
                r.push_str("ont-");
                push_u32(r, ont);
                let a = e.alarm_type.as_mut().unwrap();
                a.clear();
                a.push_str(ty);
                let t = e.title.as_mut().unwrap();
                t.clear();
                t.push_str("ONT ");
                push_u32(t, ont);
                t.push(' ');
                t.push_str(ty);
                e.occurred_at = at;
                e
            }
        }
    }
}

pub fn olt_ont_topology() -> Vec<TopologyEdge> {
    let mut e = Vec::with_capacity((N_SP + N_ONT) as usize);
    for s in 0..N_SP {
        e.push(TopologyEdge::new(
            format!("olt-{}", s % N_OLT),
            format!("sp-{s}"),
        ));
    }
    for o in 0..N_ONT {
        e.push(TopologyEdge::new(
            format!("sp-{}", o % N_SP),
            format!("ont-{o}"),
        ));
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

/// A ring of reusable event buffers for batch ingestion.
pub struct Ring {
    pub events: Vec<AlarmEvent>,
}

impl Ring {
    pub fn new(n: usize) -> Self {
        Ring {
            events: (0..n)
                .map(|_| {
                    AlarmEvent::new(
                        "t1",
                        String::with_capacity(24),
                        String::with_capacity(8),
                        String::with_capacity(32),
                        t0(),
                    )
                    .with_alarm_type(String::with_capacity(32))
                    .with_title(String::with_capacity(64))
                })
                .collect(),
        }
    }

    /// Fill buffer `i` for `op` (OLT events carry their alarm type explicitly: `device.down`).
    #[inline]
    pub fn fill(&mut self, i: usize, op: Op, at: DateTime<Utc>) {
        let e = &mut self.events[i];
        let (et, rt, prefix, n, at_name) = match op {
            Op::Olt { olt, up } => (
                if up { "device.up" } else { "device.down" },
                "olt",
                "olt-",
                olt,
                "device.down",
            ),
            Op::Ont { ont, ty } => ("cpe.signal_loss", "ont", "ont-", ont, TYPES[ty as usize]),
            Op::OntClear { ont, ty } => ("cpe.online", "ont", "ont-", ont, TYPES[ty as usize]),
        };
        e.event_type.clear();
        e.event_type.push_str(et);
        let r = e.resource_type.as_mut().unwrap();
        r.clear();
        r.push_str(rt);
        let r = e.resource_id.as_mut().unwrap();
        r.clear();
        r.push_str(prefix);
        push_u32(r, n);
        let a = e.alarm_type.as_mut().unwrap();
        a.clear();
        a.push_str(at_name);
        let t = e.title.as_mut().unwrap();
        t.clear();
        t.push_str(prefix);
        push_u32(t, n);
        t.push(' ');
        t.push_str(at_name);
        e.occurred_at = at;
    }
}

/// Runs the storm through `c` in batches of 32 (the prefetching batch path); returns decision
/// counts by kind when `count`.
pub fn run_storm_batched(
    c: &mut Correlator,
    s: &Storm,
    count: bool,
) -> std::collections::BTreeMap<&'static str, u64> {
    const B: usize = 32;
    let now = t0() + Duration::days(365);
    let mut out = Vec::with_capacity(4096);
    let mut errs = Vec::new();
    let mut counts = std::collections::BTreeMap::new();
    let base = t0();
    let mut ring = Ring::new(B);
    for chunk in s.seq.chunks(B) {
        for (i, &(op, ms)) in chunk.iter().enumerate() {
            ring.fill(i, op, base + Duration::milliseconds(ms));
        }
        c.ingest_batch_into(&ring.events[..chunk.len()], now, &mut out, &mut errs);
        assert!(errs.is_empty());
        if count {
            for d in &out {
                *counts.entry(d.kind()).or_insert(0) += 1;
            }
        }
        out.clear();
    }
    counts
}

/// Runs the storm through `c` in batches of `ENGINE_BATCH` borrowed events; each batch's
/// reusable buffers are filled before the clock starts (the parser's cost, not the engine's),
/// then ingested, and the decisions dropped, inside the timed region. Returns decision counts
/// by kind (when `count`) and the time spent inside the engine.
pub fn run_storm_engine(
    c: &mut Correlator,
    s: &Storm,
    count: bool,
) -> (
    std::collections::BTreeMap<&'static str, u64>,
    std::time::Duration,
) {
    let now = t0() + Duration::days(365);
    let mut out = Vec::with_capacity(4096);
    let mut errs = Vec::new();
    let mut counts = std::collections::BTreeMap::new();
    let base = t0();
    let mut ring = Ring::new(ENGINE_BATCH);
    let mut engine = std::time::Duration::ZERO;
    for chunk in s.seq.chunks(ENGINE_BATCH) {
        for (i, &(op, ms)) in chunk.iter().enumerate() {
            ring.fill(i, op, base + Duration::milliseconds(ms));
        }
        let start = std::time::Instant::now();
        c.ingest_batch_into(&ring.events[..chunk.len()], now, &mut out, &mut errs);
        if count {
            for d in &out {
                *counts.entry(d.kind()).or_insert(0) += 1;
            }
        }
        out.clear();
        engine += start.elapsed();
        assert!(errs.is_empty());
    }
    (counts, engine)
}

/// Events per batch of [`run_storm_engine`].
pub const ENGINE_BATCH: usize = 256;

/// Runs the storm through `c`; returns decision counts by kind when `count`.
pub fn run_storm(
    c: &mut Correlator,
    s: &Storm,
    count: bool,
) -> std::collections::BTreeMap<&'static str, u64> {
    let now = t0() + Duration::days(365);
    let mut out = Vec::with_capacity(1024);
    let mut counts = std::collections::BTreeMap::new();
    let base = t0();
    let mut bufs = Bufs::default();
    for &(op, ms) in &s.seq {
        let e = bufs.fill(op, base + Duration::milliseconds(ms));
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
            AlarmEvent::new(
                "t1",
                "cpe.signal_loss",
                "ont",
                format!("{prefix}-{i}"),
                t0(),
            )
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

/// A correlator with 1,000 tenant-scoped correlation rules (`p.{i}` parents, `c.{i}` children
/// of severity minor or above) and one active parent per rule.
pub fn thousand_rules_correlator() -> Correlator {
    let mut rules = Vec::new();
    for i in 0..1000 {
        rules.push(format!(
            r#"{{"name":"rule-{i}","type":"correlation","scope":"tenant","conditions":{{"parent":{{"alarm_type":"p.{i}"}},"child":{{"alarm_type":"c.{i}","severity":{{"gte":"minor"}}}}}},"time_window":300}}"#
        ));
    }
    let json = format!("[{}]", rules.join(","));
    let mut c =
        Correlator::new(CorrelatorConfig::default().with_rules_json(&json).unwrap()).unwrap();
    // one parent per rule so children correlate
    let now = t0() + Duration::days(365);
    for i in 0..1000 {
        c.ingest(
            &AlarmEvent::new("t1", "core.down", "router", format!("r-{i}"), t0())
                .with_alarm_type(format!("p.{i}"))
                .with_severity(Severity::Critical),
            now,
        )
        .unwrap();
    }
    c
}

/// A reusable event buffer for [`new_alarm`].
pub fn new_alarm_buffer() -> AlarmEvent {
    AlarmEvent::new(
        "t1",
        "cpe.signal_loss",
        "ont",
        String::with_capacity(32),
        t0(),
    )
    .with_alarm_type(String::with_capacity(16))
    .with_severity(Severity::Major)
    .with_title(String::with_capacity(32))
}

/// Fills `e` with new alarm `i` of the 1,000-rules workload: resource `ont-{i}`, alarm type
/// `c.{i % 1000}`, 0.5 ms after the previous one.
#[inline]
pub fn new_alarm(e: &mut AlarmEvent, i: u64) {
    let r = e.resource_id.as_mut().unwrap();
    r.clear();
    r.push_str("ont-");
    push_u32(r, i as u32);
    let a = e.alarm_type.as_mut().unwrap();
    a.clear();
    a.push_str("c.");
    push_u32(a, (i % 1000) as u32);
    let t = e.title.as_mut().unwrap();
    t.clear();
    t.push_str("ONT ");
    push_u32(t, i as u32);
    t.push_str(" LOS");
    e.occurred_at = t0() + Duration::microseconds(i as i64 * 500);
}

/// The steady-state mix at `n` active alarms of the flat-cost benchmark: 70 % repeats, 15 %
/// new alarms, 15 % clears, drawn from a pool of `2 n` keys so the active set stays within
/// +-10 % of `n`.
pub struct FlatMix {
    n: usize,
    rng: Rng,
    raised: Vec<u64>,
    down: Vec<u64>,
}

impl FlatMix {
    /// The op raising key `i` (ONT `i % N_ONT`, alarm type `i / N_ONT`).
    pub fn raise_op(i: u64) -> Op {
        Op::Ont {
            ont: (i % N_ONT) as u32,
            ty: (i / N_ONT) as u8,
        }
    }

    /// A storm correlator with `n` alarms raised (keys `0..n`) and the mix that continues it.
    pub fn new(n: usize) -> (Correlator, FlatMix) {
        let mut corr = storm_correlator();
        let mut bufs = Bufs::default();
        let now = t0() + Duration::days(365);
        let mut out: Vec<Decision> = Vec::new();
        for i in 0..n as u64 {
            corr.ingest_into(bufs.fill(Self::raise_op(i), t0()), now, &mut out)
                .unwrap();
            out.clear();
        }
        assert_eq!(corr.active_count(), n);
        let mix = FlatMix {
            n,
            rng: Rng::new(11),
            raised: (0..n as u64).collect(),
            down: (n as u64..2 * n as u64).collect(),
        };
        (corr, mix)
    }

    /// The next op.
    pub fn next_op(&mut self) -> Op {
        let n = self.n;
        let mut r = self.rng.next() % 100;
        // keep the active set near N: the random walk of new/clear is bounded
        if (70..85).contains(&r) && (self.down.is_empty() || self.raised.len() > n + n / 10) {
            r = 99;
        } else if r >= 85 && (self.raised.len() < 2 || self.raised.len() + n / 10 < n) {
            r = 80;
        }
        if r < 70 {
            Self::raise_op(self.raised[(self.rng.next() % self.raised.len() as u64) as usize])
        } else if r < 85 {
            let j = (self.rng.next() % self.down.len() as u64) as usize;
            let i = self.down.swap_remove(j);
            self.raised.push(i);
            Self::raise_op(i)
        } else {
            let j = (self.rng.next() % self.raised.len() as u64) as usize;
            let i = self.raised.swap_remove(j);
            self.down.push(i);
            Op::OntClear {
                ont: (i % N_ONT) as u32,
                ty: (i / N_ONT) as u8,
            }
        }
    }
}
