//! Desk ticket benchmarks (criterion), on a SQLite file (WAL) and, when
//! `FAULTDESK_BENCH_PG_URL` or `FAULTDESK_TEST_PG_URL` is set, on PostgreSQL:
//!
//! - `create_ticket_from_alarm/<backend>`: one call per transaction (alarm rows are inserted
//!   outside the timed section). Target p50 ≤ 0.3 ms on SQLite, ≤ 1 ms on PostgreSQL.
//! - `list_open_by_contractor/<backend>`: 50 open tickets of one contractor sorted by
//!   priority desc, created desc, out of 1,000,000 tickets. Target p99 ≤ 10 ms.
//!
//! Besides criterion's estimates, each bench prints the p50/p99 of every call it timed.
//! The 1M-ticket SQLite database is cached in `target/bench-data/` between runs.
//!
//! `cargo bench -p faultdesk --bench desk_tickets -- --measurement-time 5`

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use faultdesk::storage::{AlarmRow, Store, StoreOptions, TicketLabelRow, TicketRow};
use faultdesk::{Actor, CreateTicketFromAlarm, Desk, DeskConfig, TicketQuery};
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const TENANT: &str = "bench";
const TICKETS: usize = 1_000_000;
const CONTRACTORS: usize = 1_000;

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

/// Creates database `name` on the PostgreSQL server (if missing) and returns its URL.
async fn pg_database(admin: &str, name: &str, fresh: bool) -> String {
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
    if fresh {
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
    let exists = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .unwrap()
        .is_some();
    if !exists {
        conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
    }
    store.close().await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
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

fn alarm(i: u64) -> AlarmRow {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    AlarmRow {
        id: Uuid::now_v7(),
        tenant_id: TENANT.into(),
        external_alarm_id: Some(format!("ALM-{i}")),
        reduction_key: format!("bench|{i}"),
        alarm_type: "port_down".into(),
        severity: "major".into(),
        status: "active".into(),
        source: "network_device".into(),
        title: format!("Port down on router-{i}"),
        description: Some("Interface stopped passing traffic".into()),
        resource_type: Some("device".into()),
        resource_id: Some(format!("router-{i}")),
        resource_name: Some("Core Router".into()),
        customer_id: Some("cust-1".into()),
        customer_name: Some("ACME".into()),
        subscriber_count: 40,
        correlation_id: None,
        parent_alarm_id: None,
        is_root_cause: false,
        is_flapping: false,
        suppression_reason: None,
        probable_cause: Some("Fibre cut".into()),
        recommended_action: Some("Dispatch technician".into()),
        first_occurrence: at,
        last_occurrence: at,
        occurrence_count: 1,
        acknowledged_at: None,
        acknowledged_by: None,
        cleared_at: None,
        resolved_at: None,
        resolved_by: None,
        assigned_to: None,
        ticket_id: None,
        metadata: json!({}),
        created_at: at,
        updated_at: at,
    }
}

fn bench_ticket_from_alarm(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    backend: &str,
    url: &str,
) {
    let desk = rt
        .block_on(Desk::open(url, DeskConfig::default()))
        .expect("open desk");
    let actor = Actor::new(TENANT, "op-1").with_roles(["NOC_OPERATOR"]);
    let samples = Arc::new(Mutex::new(Vec::new()));
    let mut next = 0u64;
    let mut group = c.benchmark_group("create_ticket_from_alarm");
    group.bench_function(backend, |b| {
        b.iter_custom(|iters| {
            // Untimed: the alarms this batch of iterations turns into tickets.
            let rows: Vec<AlarmRow> = (0..iters)
                .map(|_| {
                    next += 1;
                    alarm(next)
                })
                .collect();
            rt.block_on(async {
                let tx = desk.store().begin().await.unwrap();
                tx.insert_alarms(&rows).await.unwrap();
                tx.commit().await.unwrap();
            });
            let mut total = Duration::ZERO;
            let mut local = Vec::with_capacity(rows.len());
            rt.block_on(async {
                for r in &rows {
                    let start = Instant::now();
                    let out = desk
                        .create_ticket_from_alarm(&actor, r.id, CreateTicketFromAlarm::default())
                        .await
                        .unwrap();
                    let d = start.elapsed();
                    std::hint::black_box(out);
                    total += d;
                    local.push(d);
                }
            });
            samples.lock().unwrap().extend(local);
            total
        })
    });
    group.finish();
    percentiles(
        &format!("create_ticket_from_alarm/{backend}"),
        std::mem::take(&mut *samples.lock().unwrap()),
    );
    rt.block_on(desk.close()).unwrap();
}

fn ticket_rows(from: usize, to: usize) -> (Vec<TicketRow>, Vec<TicketLabelRow>) {
    let base = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut tickets = Vec::with_capacity(to - from);
    let mut labels = Vec::with_capacity(to - from);
    for i in from..to {
        let id = Uuid::now_v7();
        let created = base + ChronoDuration::seconds(i as i64 * 30);
        // ~30 % open; priorities spread over 1..=4 (hashed, so every contractor gets a mix).
        let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let open = h % 10 < 3;
        let (status, category) = if open {
            ("new", "new")
        } else {
            ("closed", "closed")
        };
        tickets.push(TicketRow {
            id,
            tenant_id: TENANT.into(),
            number: format!("TKT-2025-{:07}", i + 1),
            number_year: 2025,
            number_seq: i as i64 + 1,
            subject: format!("Ticket {i}"),
            description: String::new(),
            ticket_type: "fault".into(),
            status: status.into(),
            category: category.into(),
            is_open: open,
            workflow: "itsm".into(),
            priority: 1 + ((h / 10) % 4) as i16,
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
        });
        labels.push(TicketLabelRow {
            tenant_id: TENANT.into(),
            ticket_id: id,
            key: "contractor_id".into(),
            value: format!("c-{}", i % CONTRACTORS),
        });
    }
    (tickets, labels)
}

/// Loads 1M tickets into `desk`'s database unless they are already there.
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
    eprintln!("loading {TICKETS} tickets (one-time setup)...");
    let start = Instant::now();
    let step = 20_000;
    for from in (have as usize..TICKETS).step_by(step) {
        let to = (from + step).min(TICKETS);
        let (tickets, labels) = ticket_rows(from, to);
        let tx = desk.store().begin().await.unwrap();
        tx.insert_tickets(&tickets).await.unwrap();
        // SQLite caps a compound SELECT at 500 terms: label rows go in parts of 500.
        for part in labels.chunks(500) {
            tx.insert_ticket_labels(part).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    if desk.store().backend() == faultdesk::storage::Backend::Postgres {
        // What autovacuum would do after a bulk load: statistics and the visibility map
        // (index-only scans).
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

fn bench_list(c: &mut Criterion, rt: &tokio::runtime::Runtime, backend: &str, url: &str) {
    let desk = rt
        .block_on(Desk::open(url, DeskConfig::default()))
        .expect("open desk");
    rt.block_on(ensure_million(&desk));
    let actor = Actor::new(TENANT, "lead").with_roles(["TEAM_LEAD"]);
    let samples = Arc::new(Mutex::new(Vec::new()));
    let mut k = 0usize;
    let mut group = c.benchmark_group("list_open_by_contractor");
    group.bench_function(backend, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut local = Vec::with_capacity(iters as usize);
            rt.block_on(async {
                for _ in 0..iters {
                    k = (k + 7) % CONTRACTORS;
                    let q = TicketQuery::default()
                        .open_only()
                        .label("contractor_id", format!("c-{k}"))
                        .sort(["-priority", "-created_at"])
                        .page_size(50);
                    let start = Instant::now();
                    let page = desk.list_tickets(&actor, q).await.unwrap();
                    let d = start.elapsed();
                    assert_eq!(page.items.len(), 50);
                    std::hint::black_box(page);
                    total += d;
                    local.push(d);
                }
            });
            samples.lock().unwrap().extend(local);
            total
        })
    });
    group.finish();
    percentiles(
        &format!("list_open_by_contractor/{backend}"),
        std::mem::take(&mut *samples.lock().unwrap()),
    );
    rt.block_on(desk.close()).unwrap();
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    // DESK_TICKETS_BENCH=cfa|list limits the run to one part (setup included).
    let only = std::env::var("DESK_TICKETS_BENCH").unwrap_or_default();
    let cfa = only.is_empty() || only == "cfa";
    let list = only.is_empty() || only == "list";
    // SQLite file (WAL).
    let dir = tempfile::tempdir().unwrap();
    if cfa {
        let url = format!("sqlite://{}/cfa.db", dir.path().display());
        bench_ticket_from_alarm(c, &rt, "sqlite-file", &url);
    }
    if list {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&data).unwrap();
        let url = format!("sqlite://{}/desk_tickets_1m.db", data.display());
        bench_list(c, &rt, "sqlite-file", &url);
    }
    if let Some(admin) = pg_admin_url() {
        if cfa {
            let url = rt.block_on(pg_database(&admin, "fd_bench_cfa", true));
            bench_ticket_from_alarm(c, &rt, "postgres", &url);
        }
        if list {
            let url = rt.block_on(pg_database(&admin, "fd_bench_list_1m", false));
            bench_list(c, &rt, "postgres", &url);
        }
    }
}

criterion_group! {
    name = desk_tickets;
    config = Criterion::default().sample_size(50).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(desk_tickets);
