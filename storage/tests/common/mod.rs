//! Test harness: every test runs against a SQLite file (in a temp dir), in-memory SQLite and,
//! when `FAULTDESK_TEST_PG_URL` is set, a fresh PostgreSQL database of its own.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use faultdesk_storage::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::future::Future;
use uuid::Uuid;

/// One backend under test.
pub struct Db {
    pub name: &'static str,
    pub store: Store,
    pub url: String,
    /// Kept alive by `each` (closures capture fields precisely, so a moved `Db` would not keep it).
    pub dir: Option<tempfile::TempDir>,
}

pub async fn pg_fresh_url() -> Option<String> {
    let admin = std::env::var("FAULTDESK_TEST_PG_URL").ok()?;
    let name = format!("fd_test_{}", Uuid::now_v7().simple());
    let store = Store::connect_with(
        &admin,
        StoreOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .await
    .expect("connect to FAULTDESK_TEST_PG_URL");
    use sea_orm::ConnectionTrait;
    store
        .connection()
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    store.close().await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

/// Fresh, migrated databases: SQLite file, SQLite memory, PostgreSQL (if configured).
pub async fn backends() -> Vec<Db> {
    backends_at(None).await
}

/// Fresh databases migrated to `version` (all when `None`).
pub async fn backends_at(version: Option<u32>) -> Vec<Db> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    out.push(Db {
        name: "sqlite-file",
        store,
        url,
        dir: Some(dir),
    });
    let store = Store::connect("sqlite::memory:").await.unwrap();
    out.push(Db {
        name: "sqlite-memory",
        store,
        url: "sqlite::memory:".into(),
        dir: None,
    });
    if let Some(url) = pg_fresh_url().await {
        let store = Store::connect(&url).await.unwrap();
        out.push(Db {
            name: "postgres",
            store,
            url,
            dir: None,
        });
    }
    for db in &out {
        match version {
            None => db.store.migrate().await.unwrap(),
            Some(v) => db.store.migrate_to(v).await.unwrap(),
        }
    }
    out
}

/// Runs `f` on every backend, naming the backend when it fails.
pub async fn each<F, Fut>(f: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    for mut db in backends().await {
        let name = db.name;
        eprintln!("--- backend {name}");
        let dir = db.dir.take();
        f(db).await;
        drop(dir);
    }
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

pub fn alarm(tenant: &str, key: &str, at: DateTime<Utc>) -> AlarmRow {
    AlarmRow {
        id: Uuid::now_v7(),
        tenant_id: tenant.into(),
        external_alarm_id: Some(format!("ext-{key}")),
        reduction_key: key.into(),
        alarm_type: "device.down".into(),
        severity: "critical".into(),
        status: "active".into(),
        source: "network_device".into(),
        title: format!("Device down {key}"),
        description: Some("Device failed to respond to SNMP polls".into()),
        resource_type: Some("olt".into()),
        resource_id: Some(format!("res-{key}")),
        resource_name: Some("OLT-01 Main Street".into()),
        customer_id: Some("cust-1".into()),
        customer_name: Some("ACME".into()),
        subscriber_count: 150,
        correlation_id: None,
        parent_alarm_id: None,
        is_root_cause: false,
        is_flapping: false,
        suppression_reason: None,
        probable_cause: Some("power".into()),
        recommended_action: None,
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
        metadata: json!({"check_type": "snmp"}),
        created_at: at,
        updated_at: at,
    }
}

pub fn event(tenant: &str, alarm_id: Option<Uuid>, i: i64) -> AlarmEventRow {
    AlarmEventRow {
        id: Uuid::now_v7(),
        tenant_id: tenant.into(),
        alarm_id,
        event_type: "device.down".into(),
        severity: Some("critical".into()),
        decision: "deduplicated".into(),
        reduction_key: Some("k".into()),
        occurred_at: t0() + Duration::seconds(i),
        received_at: t0() + Duration::seconds(i),
        payload: json!({"i": i}).into(),
    }
}

pub fn ticket(tenant: &str, seq: i64, at: DateTime<Utc>) -> TicketRow {
    TicketRow {
        id: Uuid::now_v7(),
        tenant_id: tenant.into(),
        number: format!("TKT-2026-{seq:06}"),
        number_year: 2026,
        number_seq: seq,
        subject: format!("Fiber cut on street {seq}"),
        description: "Customer reports no signal".into(),
        ticket_type: "fault".into(),
        status: "new".into(),
        category: "new".into(),
        is_open: true,
        workflow: "default".into(),
        priority: 2,
        reporter_id: "user-r".into(),
        assignee_id: None,
        assigned_team: None,
        customer_id: Some("cust-1".into()),
        alarm_id: None,
        metadata: json!({}),
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
        created_at: at,
        updated_at: at,
    }
}

pub fn ticket_event(t: &TicketRow, kind: &str, at: DateTime<Utc>) -> TicketEventRow {
    TicketEventRow {
        id: Uuid::now_v7(),
        tenant_id: t.tenant_id.clone(),
        ticket_id: t.id,
        event_type: kind.into(),
        field: Some("status".into()),
        old_value: None,
        new_value: Some("new".into()),
        actor_id: "user-r".into(),
        actor_ip: Some("10.0.0.1".into()),
        at,
        data: json!({}),
    }
}

pub fn comment(t: &TicketRow, body: &str, visibility: &str, at: DateTime<Utc>) -> CommentRow {
    CommentRow {
        id: Uuid::now_v7(),
        tenant_id: t.tenant_id.clone(),
        ticket_id: t.id,
        author_id: "user-a".into(),
        visibility: visibility.into(),
        body: body.into(),
        created_at: at,
        updated_at: at,
        edited_at: None,
        deleted_at: None,
        deleted_by: None,
    }
}

pub fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
