//! [`Store`] (a connection pool) and [`Tx`] (one transaction carrying the repository methods).

use crate::codec::{Q, Record};
use crate::error::{Error, Result};
use crate::migration::Migrator;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    QueryResult, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (file or in-memory), embedded.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Options of [`Store::connect_with`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Maximum pooled connections (PostgreSQL and SQLite files; an in-memory SQLite database
    /// always uses exactly one). Default 10.
    pub max_connections: u32,
    /// How long SQLite waits for another process's write lock before [`Error::Busy`].
    /// Default 5 s.
    pub busy_timeout: Duration,
    /// How long to wait for a free pooled connection. Default 30 s.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 10,
            busy_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

/// A handle on the database: a connection pool plus what it needs to begin transactions.
/// Cheap to clone.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use faultdesk_storage::Store;
/// let store = Store::connect("sqlite::memory:").await?;
/// store.migrate().await?;
/// let tx = store.begin().await?;
/// let n = tx.allocate_ticket_number("tenant-a", 2026).await?;
/// assert_eq!(n, 1);
/// tx.commit().await?;
/// # Ok::<(), faultdesk_storage::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
    /// Serialises this process's SQLite write transactions so they queue in-process instead of
    /// spinning on SQLite's busy handler; other processes are handled by `busy_timeout`.
    write_lock: Option<Arc<Mutex<()>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

fn is_sqlite_memory(url: &str) -> bool {
    url.starts_with("sqlite::memory:")
        || url.starts_with("sqlite://:memory:")
        || url.contains("mode=memory")
}

impl Store {
    /// Connects with default [`StoreOptions`].
    ///
    /// Accepts `sqlite://path` (created if missing; WAL, foreign keys on, busy timeout,
    /// `synchronous=NORMAL`), `sqlite::memory:` (one shared connection, so it is one database)
    /// and `postgres://...`.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, StoreOptions::default()).await
    }

    /// Connects with explicit options.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut opts = ConnectOptions::new(url.to_string());
            opts.max_connections(options.max_connections)
                .min_connections(1)
                .acquire_timeout(options.acquire_timeout)
                .sqlx_logging(false);
            let db = Database::connect(opts).await?;
            return Ok(Store {
                db,
                backend: Backend::Postgres,
                write_lock: None,
            });
        }
        if !url.starts_with("sqlite:") {
            return Err(Error::InvalidData(format!(
                "unsupported database URL {url:?}: expected sqlite://path, sqlite::memory: or postgres://..."
            )));
        }
        let memory = is_sqlite_memory(url);
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false)
            .acquire_timeout(options.acquire_timeout);
        let busy = options.busy_timeout;
        if memory {
            opts.max_connections(1).min_connections(1);
            opts.map_sqlx_sqlite_pool_opts(|p| p.idle_timeout(None).max_lifetime(None));
            opts.map_sqlx_sqlite_opts(move |o: SqliteConnectOptions| {
                o.foreign_keys(true).busy_timeout(busy)
            });
        } else {
            opts.max_connections(options.max_connections.max(1))
                .min_connections(1);
            opts.map_sqlx_sqlite_opts(move |o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(busy)
                    .pragma("temp_store", "memory")
                    .pragma("cache_size", "-32768")
            });
        }
        let db = Database::connect(opts).await?;
        Ok(Store {
            db,
            backend: Backend::Sqlite,
            write_lock: Some(Arc::new(Mutex::new(()))),
        })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying SeaORM connection (for diagnostics and tests).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    fn pg(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Applies every pending migration. Idempotent; safe to call from several processes at
    /// once (serialised by a transaction-scoped advisory lock on PostgreSQL and by the write
    /// lock on SQLite).
    pub async fn migrate(&self) -> Result<()> {
        self.migrate_steps(None).await
    }

    /// Applies pending migrations until `version` migrations are applied (no-op when the
    /// database is already there or newer).
    pub async fn migrate_to(&self, version: u32) -> Result<()> {
        let applied = self.schema_version().await?;
        if applied >= version {
            return Ok(());
        }
        self.migrate_steps(Some(version - applied)).await
    }

    async fn migrate_steps(&self, steps: Option<u32>) -> Result<()> {
        let _guard = match &self.write_lock {
            Some(l) => Some(l.clone().lock_owned().await),
            None => None,
        };
        let txn = self
            .db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        if self.pg() {
            txn.execute_unprepared("SELECT pg_advisory_xact_lock(7072450366)")
                .await?;
        }
        Migrator::up(&txn, steps).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Number of applied migrations (0 for an empty database).
    pub async fn schema_version(&self) -> Result<u32> {
        let applied = Migrator::get_applied_migrations(&self.db).await;
        match applied {
            Ok(list) => Ok(list.len() as u32),
            Err(e) => {
                // No migrations table yet.
                let msg = e.to_string();
                if msg.contains("no such table") || msg.contains("does not exist") {
                    Ok(0)
                } else {
                    Err(e.into())
                }
            }
        }
    }

    /// Begins a write transaction: `BEGIN IMMEDIATE` on SQLite (taking the write lock up
    /// front, so read-then-write decisions cannot be invalidated), `BEGIN` (read committed)
    /// on PostgreSQL, where the `*_for_update` methods take row locks.
    pub async fn begin(&self) -> Result<Tx> {
        let guard = match &self.write_lock {
            Some(l) => Some(l.clone().lock_owned().await),
            None => None,
        };
        let txn = self
            .db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(Tx {
            txn,
            pg: self.pg(),
            outbox_locked: AtomicBool::new(false),
            _write_guard: guard,
        })
    }

    /// Begins a read-only transaction (deferred on SQLite: it does not wait for writers in
    /// WAL mode). Writing through it fails on PostgreSQL.
    pub async fn begin_read(&self) -> Result<Tx> {
        let txn = if self.pg() {
            self.db
                .begin_with_config(None, Some(sea_orm::AccessMode::ReadOnly))
                .await?
        } else {
            self.db
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Deferred),
                    ..Default::default()
                })
                .await?
        };
        Ok(Tx {
            txn,
            pg: self.pg(),
            outbox_locked: AtomicBool::new(false),
            _write_guard: None,
        })
    }

    /// Refreshes planner statistics (`ANALYZE`; `PRAGMA optimize` on SQLite). Run after bulk
    /// loads.
    pub async fn analyze(&self) -> Result<()> {
        if self.pg() {
            self.db.execute_unprepared("ANALYZE").await?;
        } else {
            self.db
                .execute_unprepared("ANALYZE; PRAGMA optimize;")
                .await?;
        }
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<()> {
        self.db.close().await?;
        Ok(())
    }
}

/// One database transaction. Every repository method lives here; nothing is visible to
/// others until [`Tx::commit`]. Dropping a `Tx` without committing rolls it back.
pub struct Tx {
    pub(crate) txn: DatabaseTransaction,
    pub(crate) pg: bool,
    pub(crate) outbox_locked: AtomicBool,
    _write_guard: Option<OwnedMutexGuard<()>>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").field("pg", &self.pg).finish()
    }
}

impl Tx {
    /// Commits.
    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await?;
        Ok(())
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<()> {
        self.txn.rollback().await?;
        Ok(())
    }

    /// The backend of this transaction.
    pub fn backend(&self) -> Backend {
        if self.pg {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub(crate) fn q(&self) -> Q {
        Q::new(self.pg)
    }

    pub(crate) async fn exec(&self, q: Q) -> Result<u64> {
        let r = self.txn.execute_raw(q.build()).await?;
        Ok(r.rows_affected())
    }

    pub(crate) async fn all_raw(&self, q: Q) -> Result<Vec<QueryResult>> {
        Ok(self.txn.query_all_raw(q.build()).await?)
    }

    pub(crate) async fn one_raw(&self, q: Q) -> Result<Option<QueryResult>> {
        Ok(self.txn.query_one_raw(q.build()).await?)
    }

    pub(crate) async fn all<R: Record>(&self, q: Q) -> Result<Vec<R>> {
        let rows = self.all_raw(q).await?;
        rows.iter().map(|r| R::from_row(r, self.pg)).collect()
    }

    pub(crate) async fn opt<R: Record>(&self, q: Q) -> Result<Option<R>> {
        match self.one_raw(q).await? {
            Some(r) => Ok(Some(R::from_row(&r, self.pg)?)),
            None => Ok(None),
        }
    }

    /// `SELECT <all columns of R> FROM <table> ` prefix.
    pub(crate) fn select<R: Record>(&self) -> Q {
        let mut q = self.q();
        q.sql("SELECT ")
            .sql(&R::COLUMNS.join(", "))
            .sql(" FROM ")
            .sql(R::TABLE)
            .sql(" ");
        q
    }

    /// Multi-row `INSERT` of records, chunked to stay under the bind-parameter limits.
    pub(crate) async fn insert_many<R: Record>(&self, rows: &[R]) -> Result<u64> {
        self.insert_many_suffix(rows, "").await
    }

    pub(crate) async fn insert_many_suffix<R: Record>(
        &self,
        rows: &[R],
        suffix: &str,
    ) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let per_row = R::COLUMNS.len();
        let max_params = if self.pg { 60_000 } else { 30_000 };
        let chunk = (max_params / per_row).max(1);
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            R::TABLE,
            R::COLUMNS.join(", ")
        );
        let mut total = 0;
        for part in rows.chunks(chunk) {
            let mut q = self.q();
            q.sql(&head);
            for (i, row) in part.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.sql("(");
                for (j, val) in row.values(self.pg).into_iter().enumerate() {
                    if j > 0 {
                        q.sql(", ");
                    }
                    q.bind(val);
                }
                q.sql(")");
            }
            q.sql(suffix);
            total += self.exec(q).await?;
        }
        Ok(total)
    }

    /// `UPDATE <table> SET <every column but the keys> = ... WHERE tenant_id = ? AND id = ?`.
    pub(crate) async fn update_by_id<R: Record>(
        &self,
        row: &R,
        tenant_id: &str,
        id: &uuid::Uuid,
        extra_where: &str,
    ) -> Result<u64> {
        let mut q = self.q();
        q.sql("UPDATE ").sql(R::TABLE).sql(" SET ");
        let mut first = true;
        for (col, val) in R::COLUMNS.iter().zip(row.values(self.pg)) {
            if *col == "id" || *col == "tenant_id" {
                continue;
            }
            if !first {
                q.sql(", ");
            }
            first = false;
            q.sql(col).sql(" = ").bind(val);
        }
        q.sql(" WHERE tenant_id = ")
            .b(&tenant_id.to_string())
            .sql(" AND id = ")
            .b(id)
            .sql(extra_where);
        self.exec(q).await
    }

    pub(crate) fn lock_suffix(&self) -> &'static str {
        if self.pg { " FOR UPDATE" } else { "" }
    }

    pub(crate) fn mark_outbox_locked(&self) -> bool {
        self.outbox_locked.swap(true, Ordering::SeqCst)
    }
}
