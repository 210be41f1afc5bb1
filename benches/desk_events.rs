//! Event delivery benchmark (criterion): from a committed change to a live subscriber.
//!
//! A subscriber task waits on [`faultdesk::Subscription::next`]; the writer adds a comment
//! (one transaction with its outbox row). Measured per event:
//!
//! - `commit_to_subscriber` (criterion's time): from the instant the write call started to the
//!   instant the subscriber held the event — includes the whole transaction.
//! - printed `after_commit`: from the instant the write call returned (the Desk publishes
//!   right after commit, before returning) to the instant the subscriber held the event
//!   (0 when the subscriber had it first): commit → subscriber. Target p99 ≤ 5 ms.
//! - `resume`: `events_since(last_seq, 100)` for a subscriber catching up after a restart.
//!
//! Runs on a SQLite file (WAL) and, when `FAULTDESK_BENCH_PG_URL` or `FAULTDESK_TEST_PG_URL`
//! is set, on PostgreSQL. Besides criterion's estimates it prints p50/p99 of every call.
//!
//! `cargo bench -p faultdesk --bench desk_events -- --measurement-time 5`

use criterion::{Criterion, criterion_group, criterion_main};
use faultdesk::storage::{Store, StoreOptions};
use faultdesk::ticket::comment::Visibility;
use faultdesk::{Actor, Desk, DeskConfig, EventFilter, NewTicketInput};
use sea_orm::ConnectionTrait;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    if samples.is_empty() {
        return;
    }
    samples.sort();
    let at =
        |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "{name}: {} events, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.90).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}

async fn pg_url() -> Option<String> {
    let admin = std::env::var("FAULTDESK_BENCH_PG_URL")
        .or_else(|_| std::env::var("FAULTDESK_TEST_PG_URL"))
        .ok()?;
    let store = Store::connect_with(
        &admin,
        StoreOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .await
    .ok()?;
    let name = "faultdesk_bench_events";
    let conn = store.connection();
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok()?;
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .ok()?;
    store.close().await.ok()?;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

fn bench_backend(c: &mut Criterion, rt: &tokio::runtime::Runtime, backend: &str, url: &str) {
    let desk = rt
        .block_on(Desk::open(url, DeskConfig::default()))
        .expect("open desk");
    let agent = Actor::new("bench", "eng-1").with_roles(["DEVOPS_ENGINEER"]);
    let ticket = rt
        .block_on(desk.create_ticket(&agent, NewTicketInput::new("events bench")))
        .unwrap();
    let samples = Arc::new(Mutex::new(Vec::new()));
    let after_commit = Arc::new(Mutex::new(Vec::new()));
    let mut group = c.benchmark_group("desk_events");
    group.bench_function(format!("commit_to_subscriber/{backend}"), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut sub = desk.subscribe(&agent, EventFilter::default()).unwrap();
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
                let reader = tokio::spawn(async move {
                    for _ in 0..iters {
                        let e = sub.next().await.expect("event");
                        std::hint::black_box(&e);
                        tx.send(Instant::now()).unwrap();
                    }
                });
                let mut total = Duration::ZERO;
                let mut local = Vec::with_capacity(iters as usize);
                let mut local_after = Vec::with_capacity(iters as usize);
                for i in 0..iters {
                    let start = Instant::now();
                    desk.add_comment(&agent, ticket.id, &format!("c{i}"), Visibility::Public)
                        .await
                        .unwrap();
                    let returned = Instant::now();
                    let got = rx.recv().await.unwrap();
                    let d = got.duration_since(start);
                    total += d;
                    local.push(d);
                    local_after.push(got.saturating_duration_since(returned));
                }
                reader.await.unwrap();
                samples.lock().unwrap().extend(local);
                after_commit.lock().unwrap().extend(local_after);
                total
            })
        })
    });
    percentiles(
        &format!("write_and_deliver/{backend}"),
        std::mem::take(&mut *samples.lock().unwrap()),
    );
    percentiles(
        &format!("after_commit_to_subscriber/{backend}"),
        std::mem::take(&mut *after_commit.lock().unwrap()),
    );
    let last = rt
        .block_on(desk.events_since(&agent, 0, 1000))
        .unwrap()
        .first()
        .map(|e| e.seq)
        .unwrap_or(0);
    group.bench_function(format!("resume_100/{backend}"), |b| {
        b.iter(|| {
            let evs = rt.block_on(desk.events_since(&agent, last, 100)).unwrap();
            std::hint::black_box(evs);
        })
    });
    group.finish();
    rt.block_on(desk.close()).unwrap();
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/events.db", dir.path().display());
    bench_backend(c, &rt, "sqlite", &url);
    if let Some(pg) = rt.block_on(pg_url()) {
        bench_backend(c, &rt, "postgres", &pg);
    }
}

criterion_group!(desk_events, benches);
criterion_main!(desk_events);
