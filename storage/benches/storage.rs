//! Storage-level benchmarks on a SQLite file and, when `FAULTDESK_TEST_PG_URL` is set,
//! PostgreSQL: a 1,000-alarm + 1,000-event batch in one transaction, one ticket creation per
//! transaction (number + ticket + labels + audit + outbox), and the "open tickets of one
//! contractor by priority then age" page over 1,000,000 tickets.

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use faultdesk_storage::*;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

fn alarm(key: &str) -> AlarmRow {
    AlarmRow {
        id: Uuid::now_v7(),
        tenant_id: "bench".into(),
        external_alarm_id: None,
        reduction_key: key.into(),
        alarm_type: "signal.loss".into(),
        severity: "major".into(),
        status: "active".into(),
        source: "cpe".into(),
        title: "Signal loss".into(),
        description: None,
        resource_type: Some("ont".into()),
        resource_id: Some(key.into()),
        resource_name: None,
        customer_id: None,
        customer_name: None,
        subscriber_count: 1,
        correlation_id: None,
        parent_alarm_id: None,
        is_root_cause: false,
        is_flapping: false,
        suppression_reason: None,
        probable_cause: None,
        recommended_action: None,
        first_occurrence: t0(),
        last_occurrence: t0(),
        occurrence_count: 1,
        acknowledged_at: None,
        acknowledged_by: None,
        cleared_at: None,
        resolved_at: None,
        resolved_by: None,
        assigned_to: None,
        ticket_id: None,
        metadata: json!({}),
        created_at: t0(),
        updated_at: t0(),
    }
}

fn ticket(seq: i64) -> TicketRow {
    TicketRow {
        id: Uuid::now_v7(),
        tenant_id: "bench".into(),
        number: format!("TKT-2026-{seq:06}"),
        number_year: 2026,
        number_seq: seq,
        subject: "Fiber cut".into(),
        description: "No signal".into(),
        ticket_type: "fault".into(),
        status: "new".into(),
        category: "new".into(),
        is_open: true,
        workflow: "default".into(),
        priority: 3,
        reporter_id: "rep".into(),
        assignee_id: None,
        assigned_team: None,
        customer_id: None,
        alarm_id: None,
        metadata: json!({"created_from_alarm": true}),
        due_at: None,
        first_response_at: None,
        first_response_due_at: None,
        resolution_due_at: None,
        resolved_at: None,
        closed_at: None,
        sla_next_check_at: None,
        deleted_at: None,
        deleted_by: None,
        version: 1,
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn stores(dir: &std::path::Path) -> Vec<(&'static str, Store)> {
    let mut out = Vec::new();
    let url = format!("sqlite://{}/bench.db", dir.display());
    let s = Store::connect(&url).await.unwrap();
    s.migrate().await.unwrap();
    out.push(("sqlite-file", s));
    if let Ok(admin) = std::env::var("FAULTDESK_TEST_PG_URL") {
        let a = Store::connect(&admin).await.unwrap();
        let name = format!("fd_bench_{}", Uuid::now_v7().simple());
        a.connection()
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let base = admin.rsplit_once('/').unwrap().0;
        let s = Store::connect(&format!("{base}/{name}")).await.unwrap();
        s.migrate().await.unwrap();
        out.push(("postgres", s));
    }
    out
}

const BUILD_SQLITE: &str = r#"
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000000)
INSERT INTO tickets (id, tenant_id, number, number_year, number_seq, subject, description,
    ticket_type, status, category, is_open, workflow, priority, reporter_id, metadata, version,
    created_at, updated_at)
SELECT printf('00000000-0000-7000-8000-%012d', n), 'big', 'TKT-2026-' || n, 2026, n,
    'Ticket ' || n, 'desc', 'fault',
    CASE WHEN n % 3 = 0 THEN 'closed' ELSE 'new' END,
    CASE WHEN n % 3 = 0 THEN 'closed' ELSE 'new' END,
    n % 3 <> 0, 'default', n % 4 + 1, 'rep', '{}', 1,
    strftime('%Y-%m-%dT%H:%M:%S.000000Z', 1772352000 + n, 'unixepoch'),
    strftime('%Y-%m-%dT%H:%M:%S.000000Z', 1772352000 + n, 'unixepoch')
FROM s;
INSERT INTO ticket_labels (tenant_id, ticket_id, key, value, t_open, t_deleted, t_priority, t_created_at)
SELECT tenant_id, id, 'contractor_id', 'c' || (number_seq % 100), is_open, 0, priority, created_at
FROM tickets WHERE tenant_id = 'big';
"#;

const BUILD_PG: &str = r#"
INSERT INTO tickets (id, tenant_id, number, number_year, number_seq, subject, description,
    ticket_type, status, category, is_open, workflow, priority, reporter_id, metadata, version,
    created_at, updated_at)
SELECT ('00000000-0000-7000-8000-' || lpad(n::text, 12, '0'))::uuid, 'big', 'TKT-2026-' || n, 2026, n,
    'Ticket ' || n, 'desc', 'fault',
    CASE WHEN n % 3 = 0 THEN 'closed' ELSE 'new' END,
    CASE WHEN n % 3 = 0 THEN 'closed' ELSE 'new' END,
    n % 3 <> 0, 'default', n % 4 + 1, 'rep', '{}', 1,
    to_timestamp(1772352000 + n), to_timestamp(1772352000 + n)
FROM generate_series(1, 1000000) n;
INSERT INTO ticket_labels (tenant_id, ticket_id, key, value, t_open, t_deleted, t_priority, t_created_at)
SELECT tenant_id, id, 'contractor_id', 'c' || (number_seq % 100), is_open, false, priority, created_at
FROM tickets WHERE tenant_id = 'big';
"#;

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stores = rt.block_on(stores(dir.path()));
    let big = std::env::var("FAULTDESK_BENCH_SKIP_1M").is_err();

    for (name, store) in &stores {
        let mut g = c.benchmark_group(format!("storage/{name}"));
        g.sample_size(10);
        g.throughput(criterion::Throughput::Elements(1000));
        g.bench_function("batch_1000_alarms_plus_1000_events", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let prefix = Uuid::now_v7().simple().to_string();
                    let alarms: Vec<AlarmRow> =
                        (0..1000).map(|i| alarm(&format!("{prefix}-{i}"))).collect();
                    let events: Vec<AlarmEventRow> = alarms
                        .iter()
                        .map(|a| AlarmEventRow {
                            id: Uuid::now_v7(),
                            tenant_id: "bench".into(),
                            alarm_id: Some(a.id),
                            event_type: "cpe.signal_loss".into(),
                            severity: Some("major".into()),
                            decision: "created".into(),
                            reduction_key: Some(a.reduction_key.clone()),
                            occurred_at: t0(),
                            received_at: t0(),
                            payload: json!({"olt": "olt-1"}).into(),
                        })
                        .collect();
                    let tx = store.begin().await.unwrap();
                    tx.insert_alarms(&alarms).await.unwrap();
                    tx.insert_alarm_events(&events).await.unwrap();
                    tx.commit().await.unwrap();
                })
            })
        });
        g.throughput(criterion::Throughput::Elements(1));
        let labels: BTreeMap<String, String> =
            [("contractor_id".to_string(), "c1".to_string())].into();
        g.bench_function("create_ticket_tx", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let tx = store.begin().await.unwrap();
                    let n = tx.allocate_ticket_number("bench", 2026).await.unwrap();
                    let t = ticket(n);
                    tx.insert_ticket(&t).await.unwrap();
                    tx.set_ticket_labels("bench", t.id, &labels).await.unwrap();
                    tx.insert_ticket_event(&TicketEventRow {
                        id: Uuid::now_v7(),
                        tenant_id: "bench".into(),
                        ticket_id: t.id,
                        event_type: "CREATED".into(),
                        field: None,
                        old_value: None,
                        new_value: None,
                        actor_id: "rep".into(),
                        actor_ip: None,
                        at: t0(),
                        data: json!({}),
                    })
                    .await
                    .unwrap();
                    tx.insert_outbox("bench", "ticket.created", None, false, &json!({}), t0())
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                })
            })
        });
        if big {
            let started = std::time::Instant::now();
            rt.block_on(async {
                let sql = if store.backend() == Backend::Postgres {
                    BUILD_PG
                } else {
                    BUILD_SQLITE
                };
                store.connection().execute_unprepared(sql).await.unwrap();
                store.analyze().await.unwrap();
            });
            eprintln!("{name}: built 1,000,000 tickets in {:?}", started.elapsed());
            let filter = TicketFilter {
                open_only: true,
                labels: [("contractor_id".to_string(), "c42".to_string())].into(),
                ..Default::default()
            };
            g.bench_function("list_50_open_of_contractor_1m", |b| {
                b.iter(|| {
                    rt.block_on(async {
                        let tx = store.begin_read().await.unwrap();
                        let page = tx
                            .list_tickets(
                                "big",
                                &filter,
                                &TicketSort::default(),
                                &TicketPaging::Page(Page::new(1, 50)),
                            )
                            .await
                            .unwrap();
                        assert_eq!(page.items.len(), 50);
                        tx.commit().await.unwrap();
                    })
                })
            });
        }
        g.finish();
        let _ = Duration::seconds(0);
    }
}

criterion_group!(storage, benches);
criterion_main!(storage);
