//! Shared integration-test harness of the `faultdesk` package.
//!
//! Every Desk test runs on every available backend: a SQLite file in a temp dir, in-memory
//! SQLite and, when `FAULTDESK_TEST_PG_URL` is set (see `scripts/with-postgres.sh`), a fresh
//! PostgreSQL database of its own (created with a random name through the admin URL and dropped
//! when the [`TestDesk`] is dropped). Each Desk runs on a [`ManualClock`] standing at [`t0`].
//!
//! ```ignore
//! mod common;
//! use common::*;
//!
//! #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
//! async fn something() {
//!     each(|td| async move {
//!         let admin = admin("acme");
//!         // td.desk.create_ticket(&admin, ...).await.unwrap();
//!         assert_eq!(td.count("tickets").await, 0, "{}", td.name);
//!     })
//!     .await;
//! }
//! ```
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use faultdesk::storage::{AlarmRow, Store, StoreOptions};
use faultdesk::{Actor, Desk, DeskConfig, ManualClock};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::collections::BTreeMap;
use std::future::Future;
use uuid::Uuid;

/// The tables whose row counts [`TestDesk::counts`] snapshots (to assert "nothing written").
pub const TABLES: &[&str] = &[
    "alarms",
    "alarm_events",
    "alarm_notes",
    "tickets",
    "ticket_labels",
    "ticket_events",
    "ticket_counters",
    "outbox",
];

/// A fixed instant every test Desk's clock starts at: Monday 2026-03-02 09:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// A PostgreSQL test database, dropped (WITH FORCE) when this value is dropped.
struct PgDb {
    admin_url: String,
    name: String,
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let name = self.name.clone();
        // Drop may run inside a runtime: do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async move {
                if let Ok(store) = Store::connect_with(&admin, one_connection()).await {
                    let _ = store
                        .connection()
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = store.close().await;
                }
            });
        })
        .join();
    }
}

fn one_connection() -> StoreOptions {
    StoreOptions {
        max_connections: 1,
        ..Default::default()
    }
}

/// One backend under test: a migrated Desk on a manual clock.
pub struct TestDesk {
    /// `sqlite-file`, `sqlite-memory` or `postgres`.
    pub name: &'static str,
    /// The Desk.
    pub desk: Desk,
    /// The Desk's clock (shared: moving it moves the Desk's time).
    pub clock: ManualClock,
    /// The database URL.
    pub url: String,
    // Field order matters: the Desk (pool) drops before the database/dir behind it.
    _pg: Option<PgDb>,
    _dir: Option<tempfile::TempDir>,
}

/// An (empty) `Drop` makes a `TestDesk` indivisible: an `async move` block that uses only
/// some fields (`td.desk`, `td.name`) must then capture the whole value. Without it the block
/// captures just those fields and the rest — the SQLite file's temporary directory — is
/// dropped before the block runs, deleting the database file under the open pool.
impl Drop for TestDesk {
    fn drop(&mut self) {}
}

impl std::ops::Deref for TestDesk {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        &self.desk
    }
}

impl TestDesk {
    /// True for the two SQLite backends.
    pub fn is_sqlite(&self) -> bool {
        self.name.starts_with("sqlite")
    }

    /// Number of rows in `table` (all tenants, deleted rows included).
    pub async fn count(&self, table: &str) -> i64 {
        self.count_where(table, "1 = 1").await
    }

    /// Number of rows in `table` matching the SQL condition `cond`.
    pub async fn count_where(&self, table: &str, cond: &str) -> i64 {
        let conn = self.desk.store().connection();
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {cond}");
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{}: count {table}: {e}", self.name))
            .expect("a count row");
        row.try_get::<i64>("", "n").expect("count as i64")
    }

    /// Row counts of every table in [`TABLES`].
    pub async fn counts(&self) -> BTreeMap<&'static str, i64> {
        let mut out = BTreeMap::new();
        for t in TABLES {
            out.insert(*t, self.count(t).await);
        }
        out
    }

    /// Inserts an alarm row directly (bypassing `ingest`) and commits.
    pub async fn insert_alarm(&self, row: &AlarmRow) {
        let tx = self.desk.store().begin().await.unwrap();
        tx.insert_alarm(row).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// Moves the Desk's clock forward.
    pub fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }
}

/// Creates a fresh PostgreSQL database and returns (admin URL, db name, db URL), or `None`
/// when `FAULTDESK_TEST_PG_URL` is not set.
async fn pg_fresh() -> Option<PgDb> {
    let admin = std::env::var("FAULTDESK_TEST_PG_URL").ok()?;
    let name = format!("fd_desk_{}", Uuid::now_v7().simple());
    let store = Store::connect_with(&admin, one_connection())
        .await
        .expect("connect to FAULTDESK_TEST_PG_URL");
    store
        .connection()
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    store.close().await.unwrap();
    Some(PgDb {
        admin_url: admin,
        name,
    })
}

fn pg_url(db: &PgDb) -> String {
    let base = db
        .admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&db.admin_url);
    format!("{base}/{}", db.name)
}

/// Fresh Desks with the default configuration on every available backend.
pub async fn backends() -> Vec<TestDesk> {
    backends_with(|c| c).await
}

/// Fresh Desks on every available backend; `configure` adjusts the default configuration
/// (the manual clock is installed after it, so do not set a clock in it).
pub async fn backends_with(configure: impl Fn(DeskConfig) -> DeskConfig) -> Vec<TestDesk> {
    let mut out = Vec::new();
    let make = |clock: &ManualClock| configure(DeskConfig::default()).with_clock(clock.clone());

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/desk.db", dir.path().display());
    let clock = ManualClock::new(t0());
    let desk = Desk::open(&url, make(&clock))
        .await
        .expect("open sqlite file");
    out.push(TestDesk {
        name: "sqlite-file",
        desk,
        clock,
        url,
        _pg: None,
        _dir: Some(dir),
    });

    let clock = ManualClock::new(t0());
    let url = "sqlite::memory:".to_string();
    let desk = Desk::open(&url, make(&clock))
        .await
        .expect("open sqlite memory");
    out.push(TestDesk {
        name: "sqlite-memory",
        desk,
        clock,
        url,
        _pg: None,
        _dir: None,
    });

    if let Some(pg) = pg_fresh().await {
        let url = pg_url(&pg);
        let clock = ManualClock::new(t0());
        let desk = Desk::open(&url, make(&clock)).await.expect("open postgres");
        out.push(TestDesk {
            name: "postgres",
            desk,
            clock,
            url,
            _pg: Some(pg),
            _dir: None,
        });
    }
    out
}

/// Backends that have real concurrent connections (SQLite file and PostgreSQL; in-memory
/// SQLite is one connection).
pub async fn concurrent_backends() -> Vec<TestDesk> {
    backends()
        .await
        .into_iter()
        .filter(|b| b.name != "sqlite-memory")
        .collect()
}

/// Runs `f` on every backend with the default configuration, naming the backend on stderr.
pub async fn each<F, Fut>(f: F)
where
    F: Fn(TestDesk) -> Fut,
    Fut: Future<Output = ()>,
{
    each_with(|c| c, f).await
}

/// Runs `f` on every backend with an adjusted configuration.
pub async fn each_with<C, F, Fut>(configure: C, f: F)
where
    C: Fn(DeskConfig) -> DeskConfig,
    F: Fn(TestDesk) -> Fut,
    Fut: Future<Output = ()>,
{
    for td in backends_with(configure).await {
        eprintln!("--- backend {}", td.name);
        f(td).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Actors (roles of the default `Rbac::preset()`: seed 003's matrix + DotMac's NOC roles).

/// An `ADMIN` of `tenant` (every permission).
pub fn admin(tenant: &str) -> Actor {
    Actor::new(tenant, "admin-1")
        .with_roles(["ADMIN"])
        .with_ip("10.0.0.1")
}

/// A DotMac `NOC_OPERATOR` (has `faults.alarms.write`, ticket write/assign/transition).
pub fn operator(tenant: &str) -> Actor {
    Actor::new(tenant, "op-1")
        .with_roles(["NOC_OPERATOR"])
        .with_ip("10.0.0.2")
}

/// A DotMac `NOC_VIEWER` (read only: lacks `faults.alarms.write`).
pub fn viewer(tenant: &str) -> Actor {
    Actor::new(tenant, "viewer-1").with_roles(["NOC_VIEWER"])
}

/// A seed 003 `DEVOPS_ENGINEER` named `user`.
pub fn engineer(tenant: &str, user: &str) -> Actor {
    Actor::new(tenant, user).with_roles(["DEVOPS_ENGINEER"])
}

/// A seed 003 `TEAM_LEAD`.
pub fn lead(tenant: &str) -> Actor {
    Actor::new(tenant, "lead-1").with_roles(["TEAM_LEAD"])
}

/// A seed 003 `END_USER` named `user`.
pub fn end_user(tenant: &str, user: &str) -> Actor {
    Actor::new(tenant, user).with_roles(["END_USER"])
}

/// An actor with no roles and no permissions.
pub fn nobody(tenant: &str) -> Actor {
    Actor::new(tenant, "nobody-1")
}

// ---------------------------------------------------------------------------------------------
// Rows.

/// An active alarm row of `tenant` raised at `at`, seed 000-shaped (critical `port_down` on a
/// device, with customer, probable cause and recommended action).
pub fn alarm_row(tenant: &str, key: &str, at: DateTime<Utc>) -> AlarmRow {
    AlarmRow {
        id: Uuid::now_v7(),
        tenant_id: tenant.into(),
        external_alarm_id: Some(format!("ALM-{key}")),
        reduction_key: key.into(),
        alarm_type: "port_down".into(),
        severity: "critical".into(),
        status: "active".into(),
        source: "network_device".into(),
        title: format!("Port down on {key}"),
        description: Some("Interface ge-0/0/1 stopped passing traffic".into()),
        resource_type: Some("device".into()),
        resource_id: Some("router-001".into()),
        resource_name: Some("Core Router 1".into()),
        customer_id: Some("cust-1".into()),
        customer_name: Some("ACME Corp".into()),
        subscriber_count: 150,
        correlation_id: None,
        parent_alarm_id: None,
        is_root_cause: false,
        is_flapping: false,
        suppression_reason: None,
        probable_cause: Some("Fibre cut".into()),
        recommended_action: Some("Dispatch field technician".into()),
        first_occurrence: at,
        last_occurrence: at + Duration::minutes(5),
        occurrence_count: 3,
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
