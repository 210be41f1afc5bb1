//! Correlator benchmarks (criterion). Targets (one core): mixed storm >= 6 M events/s; repeats on
//! the dedup path >= 10 M events/s; new alarms with 1,000 rules >= 1 M events/s; per-event cost at
//! 100,000 vs 1,000 active alarms <= 1.5x.
//!
//! What is timed: benchmarks without a suffix fill a reused event buffer inside the timed loop
//! (event construction included). `_engine` benchmarks time only the correlator: each batch's
//! reusable event buffers are filled (as a parser filling reusable structs would) before the
//! clock starts, then ingested; the decisions are dropped inside the timed region.
//!
//! `cargo bench -p faultdesk --bench fault_correlator`; the workloads are in
//! `benches/correlator_workload/mod.rs` (shared with `fault-core/examples/storm_profile.rs`,
//! which runs them under callgrind).

mod correlator_workload;

use chrono::Duration;
use correlator_workload::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faultdesk::fault::Decision;
use faultdesk::fault::event::AlarmEvent;
use std::hint::black_box;
use std::time::Instant;

fn mixed_storm(c: &mut Criterion) {
    let s = storm(1_000_000);
    let mut g = c.benchmark_group("correlator");
    g.sample_size(10);
    g.throughput(Throughput::Elements(s.seq.len() as u64));
    g.bench_function("mixed_storm_1M_events_100k_topology_batch256_engine", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = storm_correlator();
                total += run_storm_engine(&mut corr, &s, false).1;
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

fn new_alarms_1000_rules(c: &mut Criterion) {
    let n = 200_000u64;
    let mut g = c.benchmark_group("correlator");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function("new_alarms_1000_rules", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = thousand_rules_correlator();
                let now = t0() + Duration::days(365);
                let mut out: Vec<Decision> = Vec::with_capacity(16);
                let mut e = new_alarm_buffer();
                let start = Instant::now();
                for i in 0..n {
                    new_alarm(&mut e, i);
                    corr.ingest_into(&e, now, &mut out).unwrap();
                    out.clear();
                }
                total += start.elapsed();
                black_box(corr.active_count());
            }
            total
        })
    });
    g.bench_function("new_alarms_1000_rules_batch256_engine", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut corr = thousand_rules_correlator();
                let now = t0() + Duration::days(365);
                let mut out: Vec<Decision> = Vec::with_capacity(1024);
                let mut errs = Vec::new();
                let mut ring: Vec<AlarmEvent> = (0..256).map(|_| new_alarm_buffer()).collect();
                for start_i in (0..n).step_by(256) {
                    let len = (n - start_i).min(256) as usize;
                    for (k, e) in ring[..len].iter_mut().enumerate() {
                        new_alarm(e, start_i + k as u64);
                    }
                    let start = Instant::now();
                    corr.ingest_batch_into(&ring[..len], now, &mut out, &mut errs);
                    out.clear();
                    total += start.elapsed();
                }
                assert!(errs.is_empty());
                black_box(corr.active_count());
            }
            total
        })
    });
    g.finish();
}

/// Steady-state mix at N active alarms ([`FlatMix`]: 70 % repeats, 15 % new alarms, 15 %
/// clears), one by one and in batches of 32 (filled inside the timed loop, or before the
/// clock starts for `_engine`).
fn flat_cost(c: &mut Criterion) {
    let mut g = c.benchmark_group("correlator_flat_cost");
    for n in [1_000usize, 100_000] {
        for (batched, engine_only) in [(false, false), (true, false), (true, true)] {
            let (mut corr, mut mix) = FlatMix::new(n);
            let mut bufs = Bufs::default();
            let mut ring = Ring::new(32);
            let now = t0() + Duration::days(365);
            let base = t0();
            let mut out: Vec<Decision> = Vec::new();
            let mut errs = Vec::new();
            let mut tick = 0i64;
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
                                for i in 0..32 {
                                    tick += 1_000;
                                    let o = mix.next_op();
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
                            for i in 0..32 {
                                tick += 1_000;
                                let o = mix.next_op();
                                ring.fill(i, o, base + Duration::microseconds(tick));
                            }
                            corr.ingest_batch_into(&ring.events, now, &mut out, &mut errs);
                            out.clear();
                        }
                    } else {
                        for _ in 0..100_000 {
                            tick += 1_000;
                            let o = mix.next_op();
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
