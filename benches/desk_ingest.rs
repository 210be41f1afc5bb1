//! Desk ingest benchmark (criterion): `ingest_batch` of 1,000 events per transaction into a
//! SQLite file (WAL) and, when `FAULTDESK_BENCH_PG_URL` or `FAULTDESK_TEST_PG_URL` is set, into
//! PostgreSQL. Targets: ≥ 20,000 events/s on SQLite, ≥ 10,000 events/s on PostgreSQL.
//!
//! The event mix is a NOC's: ~60 % repeats of open alarms (de-duplicated), ~25 % new alarms on
//! fresh resources, ~15 % clears (which later repeats reopen). Each iteration is one batch of
//! 1,000 events and one transaction; the table keeps growing across iterations as it would.
//!
//! `cargo bench -p faultdesk --bench desk_ingest -- --measurement-time 10`

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faultdesk::fault::AlarmEvent;
use faultdesk::storage::{Store, StoreOptions};
use faultdesk::{Actor, Desk, DeskConfig};
use sea_orm::ConnectionTrait;
use std::time::{Duration, Instant};

const TENANT: &str = "bench";
const BATCH: usize = 1_000;
const HOT: u64 = 2_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn pg_admin_url() -> Option<String> {
    std::env::var("FAULTDESK_BENCH_PG_URL")
        .or_else(|_| std::env::var("FAULTDESK_TEST_PG_URL"))
        .ok()
}

/// A fresh PostgreSQL database for the bench; returns its URL.
async fn pg_fresh(admin: &str) -> String {
    let name = "faultdesk_bench_ingest";
    let store = Store::connect_with(
        admin,
        StoreOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .await
    .expect("connect to PostgreSQL");
    let conn = store.connection();
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    store.close().await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}

/// Deterministic event mix.
struct Mix {
    state: u64,
    fresh: u64,
}

impl Mix {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn batch(&mut self) -> Vec<AlarmEvent> {
        let now = Utc::now();
        (0..BATCH)
            .map(|_| {
                let r = self.next();
                let pick = r % 100;
                let hot = (r >> 8) % HOT;
                if pick < 60 {
                    AlarmEvent::new(TENANT, "device.down", "olt", format!("olt-{hot}"), now)
                        .with_subscribers((hot % 40) as u32)
                } else if pick < 85 {
                    self.fresh += 1;
                    AlarmEvent::new(
                        TENANT,
                        "cpe.offline",
                        "ont",
                        format!("ont-{}", self.fresh),
                        now,
                    )
                } else {
                    AlarmEvent::new(TENANT, "device.up", "olt", format!("olt-{hot}"), now)
                }
            })
            .collect()
    }
}

async fn setup(url: &str) -> (Desk, Actor, Mix) {
    let desk = Desk::open(url, DeskConfig::default()).await.unwrap();
    let actor = Actor::new(TENANT, "bench").with_roles(["ADMIN"]);
    let mut mix = Mix {
        state: 0x9E37_79B9_7F4A_7C15,
        fresh: 0,
    };
    // Raise the hot set once so repeats have alarms to reduce onto.
    let now = Utc::now();
    let warm: Vec<AlarmEvent> = (0..HOT)
        .map(|i| AlarmEvent::new(TENANT, "device.down", "olt", format!("olt-{i}"), now))
        .collect();
    desk.ingest_batch(&actor, warm).await.unwrap();
    for _ in 0..3 {
        desk.ingest_batch(&actor, mix.batch()).await.unwrap();
    }
    (desk, actor, mix)
}

fn bench_backend(c: &mut Criterion, name: &str, url: String) {
    let rt = runtime();
    let (desk, actor, mut mix) = rt.block_on(setup(&url));
    let mut group = c.benchmark_group("ingest_batch_1000");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    let mut total_events = 0u64;
    let mut total_time = Duration::ZERO;
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let events = mix.batch();
                let start = Instant::now();
                rt.block_on(desk.ingest_batch(&actor, events)).unwrap();
                elapsed += start.elapsed();
            }
            total_events += iters * BATCH as u64;
            total_time += elapsed;
            elapsed
        })
    });
    group.finish();
    println!(
        "desk_ingest {name}: {:.0} events/s over {} events",
        total_events as f64 / total_time.as_secs_f64(),
        total_events
    );
    rt.block_on(desk.close()).unwrap();
}

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/ingest.db", dir.path().display());
    bench_backend(c, "sqlite-file", url);
    if let Some(admin) = pg_admin_url() {
        let url = runtime().block_on(pg_fresh(&admin));
        bench_backend(c, "postgres", url);
    }
}

criterion_group!(benches, ingest);
criterion_main!(benches);
