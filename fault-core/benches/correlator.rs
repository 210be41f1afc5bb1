//! Correlator benchmarks (criterion). Targets (one core): mixed storm >= 6 M events/s; repeats on
//! the dedup path >= 10 M events/s; new alarms with 1,000 rules >= 1 M events/s; per-event cost at
//! 100,000 vs 1,000 active alarms <= 1.5x.

mod common;

use chrono::Duration;
use common::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fault_core::correlator::{Correlator, CorrelatorConfig, SEED_002_RULE_JSON};
use fault_core::event::AlarmEvent;
use fault_core::{Decision, Severity};
use std::hint::black_box;
use std::time::Instant;

fn mixed_storm(c: &mut Criterion) {
    let mut s = storm(1_000_000);
    let mut g = c.benchmark_group("correlator");
    g.sample_size(10);
    g.throughput(Throughput::Elements(s.seq.len() as u64));
    g.bench_function("mixed_storm_1M_events_100k_topology", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = storm_correlator();
                let start = Instant::now();
                run_storm(&mut corr, &mut s, false);
                total += start.elapsed();
                black_box(corr.active_count());
            }
            total
        })
    });
    g.finish();
}

fn repeats(c: &mut Criterion) {
    let mut g = c.benchmark_group("correlator");
    for n in [10_000usize, 100_000] {
        let events = flat_alarms(n, "ont");
        let mut corr = Correlator::new(CorrelatorConfig::default().with_rules_json(SEED_002_RULE_JSON).unwrap()).unwrap();
        ingest_all(&mut corr, &events);
        // a random repeat order
        let mut rng = Rng::new(7);
        let order: Vec<u32> = (0..1_000_000).map(|_| (rng.next() % n as u64) as u32).collect();
        let mut evs = events.clone();
        let now = t0() + Duration::days(365);
        let mut out: Vec<Decision> = Vec::with_capacity(16);
        let mut tick = 0i64;
        g.throughput(Throughput::Elements(order.len() as u64));
        g.bench_function(format!("repeat_dedup_path_{n}_active"), |b| {
            b.iter(|| {
                for &i in &order {
                    tick += 1;
                    let e = &mut evs[i as usize];
                    e.occurred_at = t0() + Duration::microseconds(tick);
                    corr.ingest_into(e, now, &mut out).unwrap();
                    out.clear();
                }
            })
        });
    }
    g.finish();
}

fn thousand_rules() -> Correlator {
    let mut rules = Vec::new();
    for i in 0..1000 {
        rules.push(format!(
            r#"{{"name":"rule-{i}","type":"correlation","scope":"tenant","conditions":{{"parent":{{"alarm_type":"p.{i}"}},"child":{{"alarm_type":"c.{i}","severity":{{"gte":"minor"}}}}}},"time_window":300}}"#
        ));
    }
    let json = format!("[{}]", rules.join(","));
    let mut c = Correlator::new(CorrelatorConfig::default().with_rules_json(&json).unwrap()).unwrap();
    // one parent per rule so children correlate
    let now = t0() + Duration::days(365);
    for i in 0..1000 {
        c.ingest(
            &AlarmEvent::new("t1", "core.down", "router", format!("r-{i}"), t0()).with_alarm_type(format!("p.{i}")).with_severity(Severity::Critical),
            now,
        )
        .unwrap();
    }
    c
}

fn new_alarms_1000_rules(c: &mut Criterion) {
    let n = 200_000usize;
    let mut events: Vec<AlarmEvent> = (0..n)
        .map(|i| {
            AlarmEvent::new("t1", "cpe.signal_loss", "ont", format!("ont-{i}"), t0())
                .with_alarm_type(format!("c.{}", i % 1000))
                .with_severity(Severity::Major)
                .with_title(format!("ONT {i} LOS"))
        })
        .collect();
    for (i, e) in events.iter_mut().enumerate() {
        e.occurred_at = t0() + Duration::microseconds(i as i64 * 500);
    }
    let mut g = c.benchmark_group("correlator");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("new_alarms_1000_rules", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = thousand_rules();
                let now = t0() + Duration::days(365);
                let mut out: Vec<Decision> = Vec::with_capacity(16);
                let start = Instant::now();
                for e in &events {
                    corr.ingest_into(e, now, &mut out).unwrap();
                    out.clear();
                }
                total += start.elapsed();
                black_box(corr.active_count());
            }
            total
        })
    });
    g.finish();
}

/// Steady-state mix at N active alarms: 70 % repeats, 15 % new alarms, 15 % clears (N stays ~constant).
fn flat_cost(c: &mut Criterion) {
    let mut g = c.benchmark_group("correlator_flat_cost");
    for n in [1_000usize, 100_000] {
        let mut corr = storm_correlator();
        let pool = 2 * n;
        // alarms on ONTs (topology) ; half of the pool raised
        let mut raise: Vec<AlarmEvent> = (0..pool)
            .map(|i| {
                AlarmEvent::new("t1", "cpe.signal_loss", "ont", format!("ont-{}", i as u64 % N_ONT), t0())
                    .with_alarm_type(TYPES[(i as u64 / N_ONT) as usize % 3])
            })
            .collect();
        let mut clear: Vec<AlarmEvent> = raise
            .iter()
            .map(|e| {
                let mut c = e.clone();
                c.event_type = "cpe.online".into();
                c
            })
            .collect();
        let mut up = vec![false; pool];
        let now = t0() + Duration::days(365);
        let mut out: Vec<Decision> = Vec::new();
        for i in 0..n {
            corr.ingest_into(&raise[i], now, &mut out).unwrap();
            up[i] = true;
        }
        out.clear();
        let mut rng = Rng::new(11);
        let mut tick = 0i64;
        let mut raised: Vec<u32> = (0..n as u32).collect();
        let mut down: Vec<u32> = (n as u32..pool as u32).collect();
        g.throughput(Throughput::Elements(100_000));
        g.bench_function(format!("mixed_{n}_active"), |b| {
            b.iter(|| {
                for _ in 0..100_000 {
                    tick += 1_000;
                    let r = rng.next() % 100;
                    if r < 70 {
                        let i = raised[(rng.next() % raised.len() as u64) as usize] as usize;
                        let e = &mut raise[i];
                        e.occurred_at = t0() + Duration::microseconds(tick);
                        corr.ingest_into(e, now, &mut out).unwrap();
                    } else if r < 85 {
                        let j = (rng.next() % down.len() as u64) as usize;
                        let i = down.swap_remove(j);
                        let e = &mut raise[i as usize];
                        e.occurred_at = t0() + Duration::microseconds(tick);
                        corr.ingest_into(e, now, &mut out).unwrap();
                        raised.push(i);
                    } else {
                        let j = (rng.next() % raised.len() as u64) as usize;
                        let i = raised.swap_remove(j);
                        let e = &mut clear[i as usize];
                        e.occurred_at = t0() + Duration::microseconds(tick);
                        corr.ingest_into(e, now, &mut out).unwrap();
                        down.push(i);
                    }
                    out.clear();
                }
            })
        });
        black_box(&up);
    }
    g.finish();
}

criterion_group!(benches, mixed_storm, repeats, new_alarms_1000_rules, flat_cost);
criterion_main!(benches);
