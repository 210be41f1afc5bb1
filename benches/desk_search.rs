//! Full-text search benchmark (criterion): `Desk::search_tickets` over 1,000,000 tickets of
//! one tenant (subjects and descriptions from a network-operations vocabulary), ranked, first
//! page of 20, with the total count. Target p99 ≤ 50 ms.
//!
//! Queries mix selectivities: a device name (tens of hits), a device + symptom pair, and a
//! symptom word combined with the `open_only` filter. Runs on a SQLite file (FTS5) and, when
//! `FAULTDESK_BENCH_PG_URL` or `FAULTDESK_TEST_PG_URL` is set, on PostgreSQL (tsvector + GIN).
//! Besides criterion's estimates it prints p50/p99 per query kind. The SQLite database is
//! cached in `target/bench-data/` between runs.
//!
//! `cargo bench -p faultdesk --bench desk_search -- --measurement-time 5`

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use faultdesk::storage::{Store, StoreOptions, TicketRow};
use faultdesk::{Actor, Desk, DeskConfig, TicketQuery};
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const TENANT: &str = "bench";
const TICKETS: usize = 1_000_000;
/// Distinct device names: each appears in ~TICKETS / DEVICES tickets.
const DEVICES: u64 = 20_000;

const SYMPTOMS: [&str; 16] = [
    "outage",
    "flapping",
    "latency",
    "packet loss",
    "fibre cut",
    "power failure",
    "overheating",
    "link down",
    "crc errors",
    "high cpu",
    "memory leak",
    "dns timeout",
    "bgp reset",
    "optical degradation",
    "battery alarm",
    "los signal",
];
const SITES: [&str; 12] = [
    "Main St",
    "Harbour",
    "Airport",
    "North Ridge",
    "Old Town",
    "Riverside",
    "Industrial Park",
    "Campus",
    "Hillcrest",
    "Station Road",
    "Market Square",
    "West Gate",
];

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
        "{name}: {} calls, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.90).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}

fn hash(i: u64) -> u64 {
    let mut x = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn ticket_rows(from: usize, to: usize) -> Vec<TicketRow> {
    let base = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    (from..to)
        .map(|i| {
            let h = hash(i as u64);
            let created = base + ChronoDuration::seconds(i as i64 * 30);
            let open = h % 10 < 3;
            let (status, category) = if open {
                ("new", "new")
            } else {
                ("closed", "closed")
            };
            let device = format!("olt{}", h % DEVICES);
            let symptom = SYMPTOMS[((h >> 20) % SYMPTOMS.len() as u64) as usize];
            let site = SITES[((h >> 28) % SITES.len() as u64) as usize];
            TicketRow {
                id: Uuid::now_v7(),
                tenant_id: TENANT.into(),
                number: format!("TKT-2025-{:07}", i + 1),
                number_year: 2025,
                number_seq: i as i64 + 1,
                subject: format!("{symptom} on {device} at {site}"),
                description: format!(
                    "Customers near {site} report {symptom}. Device {device} raised alarms; \
                     technician to check the splitter and the patch panel."
                ),
                ticket_type: "incident".into(),
                status: status.into(),
                category: category.into(),
                is_open: open,
                workflow: "itsm".into(),
                priority: 1 + ((h >> 40) % 4) as i16,
                reporter_id: "u-1".into(),
                assignee_id: None,
                assigned_team: None,
                customer_id: None,
                alarm_id: None,
                metadata: json!({}),
                due_at: None,
                first_response_at: None,
                first_response_due_at: None,
                resolution_due_at: None,
                resolved_at: None,
                closed_at: (!open).then_some(created),
                sla_next_check_at: None,
                deleted_at: None,
                deleted_by: None,
                version: 0,
                created_at: created,
                updated_at: created,
            }
        })
        .collect()
}

async fn ensure_million(desk: &Desk) {
    let tx = desk.store().begin_read().await.unwrap();
    let have = tx
        .list_tickets(
            TENANT,
            &Default::default(),
            &faultdesk::storage::TicketSort::newest(),
            &faultdesk::storage::TicketPaging::Page(faultdesk::storage::Page::new(1, 1)),
        )
        .await
        .unwrap()
        .total;
    tx.rollback().await.unwrap();
    if have as usize >= TICKETS {
        return;
    }
    eprintln!("loading {TICKETS} tickets with full-text documents (one-time setup)...");
    let start = Instant::now();
    let step = 10_000;
    for from in (have as usize..TICKETS).step_by(step) {
        let to = (from + step).min(TICKETS);
        let rows = ticket_rows(from, to);
        let tx = desk.store().begin().await.unwrap();
        tx.insert_tickets(&rows).await.unwrap();
        tx.commit().await.unwrap();
    }
    if desk.store().backend() == faultdesk::storage::Backend::Postgres {
        desk.store()
            .connection()
            .execute_unprepared("VACUUM ANALYZE")
            .await
            .unwrap();
    } else {
        desk.store().analyze().await.unwrap();
    }
    eprintln!("loaded in {:.1}s", start.elapsed().as_secs_f64());
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
    let name = "faultdesk_bench_search";
    let conn = store.connection();
    let exists = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .ok()?
        .is_some();
    if !exists {
        conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .ok()?;
    }
    store.close().await.ok()?;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

type QueryFn = fn(u64) -> (String, TicketQuery);

fn bench_backend(c: &mut Criterion, rt: &tokio::runtime::Runtime, backend: &str, url: &str) {
    let desk = rt
        .block_on(Desk::open(url, DeskConfig::default()))
        .expect("open desk");
    rt.block_on(ensure_million(&desk));
    let actor = Actor::new(TENANT, "lead").with_roles(["TEAM_LEAD"]);
    let kinds: [(&str, QueryFn); 3] = [
        ("device", |k| {
            (format!("olt{}", hash(k) % DEVICES), TicketQuery::default())
        }),
        ("device_symptom", |k| {
            let s = SYMPTOMS[(k % SYMPTOMS.len() as u64) as usize];
            (
                format!("olt{} {s}", hash(k) % DEVICES),
                TicketQuery::default(),
            )
        }),
        ("device_open_only", |k| {
            (
                format!("olt{}", hash(k) % DEVICES),
                TicketQuery::default().open_only(),
            )
        }),
    ];
    let mut group = c.benchmark_group("search_tickets_1m");
    for (kind, make) in kinds {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let mut k = 0u64;
        group.bench_function(format!("{kind}/{backend}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut local = Vec::with_capacity(iters as usize);
                rt.block_on(async {
                    for _ in 0..iters {
                        k += 1;
                        let (text, q) = make(k);
                        let start = Instant::now();
                        let page = desk
                            .search_tickets(&actor, &text, q.page_size(20))
                            .await
                            .unwrap();
                        let d = start.elapsed();
                        std::hint::black_box(page);
                        total += d;
                        local.push(d);
                    }
                });
                samples.lock().unwrap().extend(local);
                total
            })
        });
        percentiles(
            &format!("search_tickets_1m/{kind}/{backend}"),
            std::mem::take(&mut *samples.lock().unwrap()),
        );
    }
    group.finish();
    rt.block_on(desk.close()).unwrap();
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/search-1m.db", dir.display());
    bench_backend(c, &rt, "sqlite", &url);
    if let Some(pg) = rt.block_on(pg_url()) {
        bench_backend(c, &rt, "postgres", &pg);
    }
}

criterion_group!(desk_search, benches);
criterion_main!(desk_search);
