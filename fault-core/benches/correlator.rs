//! Correlator benchmarks (criterion). Targets (one core): mixed storm >= 6 M events/s; repeats on
//! the dedup path >= 10 M events/s; new alarms with 1,000 rules >= 1 M events/s; per-event cost at
//! 100,000 vs 1,000 active alarms <= 1.5x.
//!
//! What is timed: benchmarks without a suffix fill a reused event buffer inside the timed loop
//! (event construction included). `_engine` / `_owned` benchmarks time only the correlator:
//! each batch of events is built (as a parser would hand them over) before the clock starts,
//! then ingested; the decisions are dropped inside the timed region, and for `_owned` so are
//! the events' strings the engine does not keep.

mod common;

use chrono::Duration;
use common::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fault_core::correlator::{Correlator, CorrelatorConfig};
use fault_core::event::AlarmEvent;
use fault_core::{Decision, Severity};
use std::hint::black_box;
use std::time::Instant;

fn mixed_storm(c: &mut Criterion) {
    let s = storm(1_000_000);
    let mut g = c.benchmark_group("correlator");
    g.sample_size(10);
    g.throughput(Throughput::Elements(s.seq.len() as u64));
    g.bench_function("mixed_storm_1M_events_100k_topology_owned_batch256", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = storm_correlator();
                total += run_storm_owned(&mut corr, &s, false).1;
                black_box(corr.active_count());
            }
            total
        })
    });
    for batched in [false, true] {
        let name = if batched {
            "mixed_storm_1M_events_100k_topology_batch32"
        } else {
            "mixed_storm_1M_events_100k_topology"
        };
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iters {
                    let mut corr = storm_correlator();
                    let start = Instant::now();
                    if batched {
                        run_storm_batched(&mut corr, &s, false);
                    } else {
                        run_storm(&mut corr, &s, false);
                    }
                    total += start.elapsed();
                    black_box(corr.active_count());
                }
                total
            })
        });
    }
    g.finish();
}

fn repeats(c: &mut Criterion) {
    let mut g = c.benchmark_group("correlator");
    for n in [10_000usize, 100_000] {
        let mut corr = storm_correlator();
        let mut bufs = Bufs::default();
        let now = t0() + Duration::days(365);
        let base = t0();
        let mut out: Vec<Decision> = Vec::with_capacity(16);
        let op = |i: u64| Op::Ont {
            ont: (i % N_ONT) as u32,
            ty: (i / N_ONT) as u8,
        };
        for i in 0..n as u64 {
            corr.ingest_into(bufs.fill(op(i), base), now, &mut out)
                .unwrap();
            out.clear();
        }
        assert_eq!(corr.active_count(), n);
        // a random repeat order
        let mut rng = Rng::new(7);
        let order: Vec<Op> = (0..1_000_000).map(|_| op(rng.next() % n as u64)).collect();
        let mut tick = 0i64;
        g.throughput(Throughput::Elements(order.len() as u64));
        g.bench_function(format!("repeat_dedup_path_{n}_active"), |b| {
            b.iter(|| {
                for &o in &order {
                    tick += 1;
                    let e = bufs.fill(o, base + Duration::microseconds(tick));
                    corr.ingest_into(e, now, &mut out).unwrap();
                    out.clear();
                }
            })
        });
        let mut ring = Ring::new(256);
        let mut errs = Vec::new();
        g.bench_function(
            format!("repeat_dedup_path_{n}_active_batch256_engine"),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = std::time::Duration::ZERO;
                    for _ in 0..iters {
                        for chunk in order.chunks(256) {
                            for (i, &o) in chunk.iter().enumerate() {
                                tick += 1;
                                ring.fill(i, o, base + Duration::microseconds(tick));
                            }
                            let start = Instant::now();
                            corr.ingest_batch_into(
                                &ring.events[..chunk.len()],
                                now,
                                &mut out,
                                &mut errs,
                            );
                            out.clear();
                            total += start.elapsed();
                        }
                    }
                    total
                })
            },
        );
        g.bench_function(format!("repeat_dedup_path_{n}_active_batch256"), |b| {
            b.iter(|| {
                for chunk in order.chunks(256) {
                    for (i, &o) in chunk.iter().enumerate() {
                        tick += 1;
                        ring.fill(i, o, base + Duration::microseconds(tick));
                    }
                    corr.ingest_batch_into(&ring.events[..chunk.len()], now, &mut out, &mut errs);
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

fn new_alarms_1000_rules(c: &mut Criterion) {
    let n = 200_000u64;
    let mut g = c.benchmark_group("correlator");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function("new_alarms_1000_rules", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = thousand_rules();
                let now = t0() + Duration::days(365);
                let base = t0();
                let mut out: Vec<Decision> = Vec::with_capacity(16);
                let mut e = AlarmEvent::new(
                    "t1",
                    "cpe.signal_loss",
                    "ont",
                    String::with_capacity(32),
                    base,
                )
                .with_alarm_type(String::with_capacity(16))
                .with_severity(Severity::Major)
                .with_title(String::with_capacity(32));
                let start = Instant::now();
                for i in 0..n {
                    use std::fmt::Write;
                    let r = e.resource_id.as_mut().unwrap();
                    r.clear();
                    let _ = write!(r, "ont-{i}");
                    let a = e.alarm_type.as_mut().unwrap();
                    a.clear();
                    let _ = write!(a, "c.{}", i % 1000);
                    let t = e.title.as_mut().unwrap();
                    t.clear();
                    let _ = write!(t, "ONT {i} LOS");
                    e.occurred_at = base + Duration::microseconds(i as i64 * 500);
                    corr.ingest_into(&e, now, &mut out).unwrap();
                    out.clear();
                }
                total += start.elapsed();
                black_box(corr.active_count());
            }
            total
        })
    });
    g.bench_function("new_alarms_1000_rules_owned_batch256", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = thousand_rules();
                let now = t0() + Duration::days(365);
                let base = t0();
                let mut out: Vec<Decision> = Vec::with_capacity(1024);
                let mut errs = Vec::new();
                let mut batch = Vec::with_capacity(256);
                for start_i in (0..n).step_by(256) {
                    for i in start_i..(start_i + 256).min(n) {
                        batch.push(
                            AlarmEvent::new(
                                "t1",
                                "cpe.signal_loss",
                                "ont",
                                format!("ont-{i}"),
                                base + Duration::microseconds(i as i64 * 500),
                            )
                            .with_alarm_type(format!("c.{}", i % 1000))
                            .with_severity(Severity::Major)
                            .with_title(format!("ONT {i} LOS")),
                        );
                    }
                    let start = Instant::now();
                    corr.ingest_batch_owned_into(&mut batch, now, &mut out, &mut errs);
                    out.clear();
                    total += start.elapsed();
                }
                black_box(corr.active_count());
            }
            total
        })
    });
    g.finish();
}

/// Steady-state mix at N active alarms: 70 % repeats, 15 % new alarms, 15 % clears (N stays
/// within +-10 %), one by one and in batches of 32.
fn flat_cost(c: &mut Criterion) {
    let mut g = c.benchmark_group("correlator_flat_cost");
    for n in [1_000usize, 100_000] {
        for (batched, engine_only) in [(false, false), (true, false), (true, true)] {
            let mut corr = storm_correlator();
            let pool = 2 * n as u64;
            let op = |i: u64| Op::Ont {
                ont: (i % N_ONT) as u32,
                ty: (i / N_ONT) as u8,
            };
            let clear = |i: u64| Op::OntClear {
                ont: (i % N_ONT) as u32,
                ty: (i / N_ONT) as u8,
            };
            let mut bufs = Bufs::default();
            let mut ring = Ring::new(32);
            let now = t0() + Duration::days(365);
            let base = t0();
            let mut out: Vec<Decision> = Vec::new();
            let mut errs = Vec::new();
            for i in 0..n as u64 {
                corr.ingest_into(bufs.fill(op(i), base), now, &mut out)
                    .unwrap();
                out.clear();
            }
            assert_eq!(corr.active_count(), n);
            let mut rng = Rng::new(11);
            let mut tick = 0i64;
            let mut raised: Vec<u64> = (0..n as u64).collect();
            let mut down: Vec<u64> = (n as u64..pool).collect();
            let mut ops: Vec<Op> = Vec::with_capacity(32);
            let mut next_op = |raised: &mut Vec<u64>, down: &mut Vec<u64>| {
                let mut r = rng.next() % 100;
                // keep the active set near N: the random walk of new/clear is bounded
                if (70..85).contains(&r) && (down.is_empty() || raised.len() > n + n / 10) {
                    r = 99;
                } else if r >= 85 && (raised.len() < 2 || raised.len() + n / 10 < n) {
                    r = 80;
                }
                if r < 70 {
                    op(raised[(rng.next() % raised.len() as u64) as usize])
                } else if r < 85 {
                    let j = (rng.next() % down.len() as u64) as usize;
                    let i = down.swap_remove(j);
                    raised.push(i);
                    op(i)
                } else {
                    let j = (rng.next() % raised.len() as u64) as usize;
                    let i = raised.swap_remove(j);
                    down.push(i);
                    clear(i)
                }
            };
            g.throughput(Throughput::Elements(100_000));
            let name = match (batched, engine_only) {
                (true, true) => format!("mixed_{n}_active_batch32_engine"),
                (true, false) => format!("mixed_{n}_active_batch32"),
                _ => format!("mixed_{n}_active"),
            };
            if engine_only {
                g.bench_function(name, |b| {
                    b.iter_custom(|iters| {
                        let mut total = std::time::Duration::ZERO;
                        for _ in 0..iters {
                            for _ in 0..100_000 / 32 {
                                ops.clear();
                                for _ in 0..32 {
                                    ops.push(next_op(&mut raised, &mut down));
                                }
                                for (i, &o) in ops.iter().enumerate() {
                                    tick += 1_000;
                                    ring.fill(i, o, base + Duration::microseconds(tick));
                                }
                                let start = Instant::now();
                                corr.ingest_batch_into(&ring.events, now, &mut out, &mut errs);
                                out.clear();
                                total += start.elapsed();
                            }
                        }
                        total
                    })
                });
                continue;
            }
            g.bench_function(name, |b| {
                b.iter(|| {
                    if batched {
                        for _ in 0..100_000 / 32 {
                            ops.clear();
                            for _ in 0..32 {
                                ops.push(next_op(&mut raised, &mut down));
                            }
                            for (i, &o) in ops.iter().enumerate() {
                                tick += 1_000;
                                ring.fill(i, o, base + Duration::microseconds(tick));
                            }
                            corr.ingest_batch_into(&ring.events, now, &mut out, &mut errs);
                            out.clear();
                        }
                    } else {
                        for _ in 0..100_000 {
                            tick += 1_000;
                            let o = next_op(&mut raised, &mut down);
                            corr.ingest_into(
                                bufs.fill(o, base + Duration::microseconds(tick)),
                                now,
                                &mut out,
                            )
                            .unwrap();
                            out.clear();
                        }
                    }
                })
            });
        }
    }
    g.finish();
}

criterion_group!(
    benches,
    mixed_storm,
    repeats,
    new_alarms_1000_rules,
    flat_cost
);
criterion_main!(benches);
