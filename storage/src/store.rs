//! [`Store`] (a connection pool) and [`Tx`] (one transaction carrying the repository methods).

use crate::codec::{Q, Record};
use crate::error::{Error, Result};
use crate::migration::Migrator;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// `wal_autocheckpoint` of SQLite files, in pages (4 KiB): how large the write-ahead log
/// grows before a commit copies it into the database file. SQLite's default is 1,000; a
/// larger log means fewer, cheaper checkpoints (a page changed by many commits is copied once
/// per checkpoint) and fewer `fsync`s, for up to ~40 MiB of `-wal` file.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Prepared statements each connection keeps (sqlx's default is 100). Multi-row statements
/// come in a few fixed shapes (see [`shaped_chunks`]), so a connection reuses them instead of
/// parsing (SQLite) or planning (PostgreSQL) a new statement text for every batch size.
const STATEMENT_CACHE_CAPACITY: usize = 400;

/// Largest number of rows one multi-row statement carries.
pub(crate) const MAX_ROWS_PER_STATEMENT: usize = 256;

/// Splits `items` into chunks whose lengths are powers of two, largest first, none above
/// `max_rows` (rounded down to a power of two) — so a multi-row statement of any length is
/// built from at most `log2(max_rows) + 1` distinct statement texts, each of which the
/// connection prepares once and then reuses from its statement cache.
pub(crate) fn shaped_chunks<T>(items: &[T], max_rows: usize) -> impl Iterator<Item = &[T]> {
    let cap = max_rows.clamp(1, MAX_ROWS_PER_STATEMENT);
    let cap = 1usize << (usize::BITS - 1 - cap.leading_zeros());
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = rest.len().min(cap);
        let n = 1usize << (usize::BITS - 1 - n.leading_zeros());
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Some(head)
    })
}

/// Bind parameters one statement may carry on the backend.
pub(crate) fn max_params(pg: bool) -> usize {
    if pg { 60_000 } else { 30_000 }
}

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
    /// Read connections (and every connection of PostgreSQL and in-memory SQLite).
    db: DatabaseConnection,
    /// The connection write transactions use. For a SQLite file this is one dedicated
    /// connection: SQLite writers are serialised anyway, and a connection that is the only
    /// writer keeps its page cache across transactions (another connection's commit would
    /// invalidate it). Elsewhere it is `db`.
    writer: DatabaseConnection,
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

/// A PostgreSQL connection idle at least this long is pinged before a transaction uses it.
const PG_PING_IF_IDLE_FOR: std::time::Duration = std::time::Duration::from_secs(10);

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
                // A pooled connection is pinged only after it sat idle (when a server
                // restart, proxy or firewall may have dropped it), not on every checkout: the
                // ping is one more network round trip per transaction.
                .test_before_acquire_if_idle_for(PG_PING_IF_IDLE_FOR)
                .sqlx_logging(false);
            opts.map_sqlx_postgres_opts(|o| o.statement_cache_capacity(STATEMENT_CACHE_CAPACITY));
            let db = Database::connect(opts).await?;
            return Ok(Store {
                writer: db.clone(),
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
        let busy = options.busy_timeout;
        let sqlite_opts = move |o: SqliteConnectOptions| {
            let o = o.statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
            if memory {
                o.foreign_keys(true).busy_timeout(busy)
            } else {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(busy)
                    .pragma("temp_store", "memory")
                    .pragma("cache_size", "-32768")
                    .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
                    // Pages are read from a shared mapping of the file, not copied in by
                    // read(): each connection's page cache is dropped whenever another one
                    // has written (WAL), so the pooled connections re-read pages often.
                    .pragma("mmap_size", "268435456")
            }
        };
        let pool = |max: u32| {
            let mut opts = ConnectOptions::new(url.to_string());
            opts.sqlx_logging(false)
                .acquire_timeout(options.acquire_timeout)
                // An in-process SQLite connection cannot be dropped under us; a ping would be
                // one more hand-off to its worker thread per transaction.
                .test_before_acquire(false)
                .max_connections(max)
                .min_connections(1);
            opts.map_sqlx_sqlite_opts(sqlite_opts);
            opts
        };
        let (db, writer) = if memory {
            // One connection, so it is one database.
            let mut opts = pool(1);
            opts.map_sqlx_sqlite_pool_opts(|p| p.idle_timeout(None).max_lifetime(None));
            let db = Database::connect(opts).await?;
            (db.clone(), db)
        } else {
            // The writer first: it creates the file and switches it to WAL.
            let mut wopts = pool(1);
            wopts.map_sqlx_sqlite_pool_opts(|p| p.idle_timeout(None).max_lifetime(None));
            let writer = Database::connect(wopts).await?;
            let db = Database::connect(pool(options.max_connections.max(1))).await?;
            (db, writer)
        };
        Ok(Store {
            db,
            writer,
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
            .writer
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
            .writer
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(Tx {
            txn: Session::Transaction(txn),
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
            txn: Session::Transaction(txn),
            pg: self.pg(),
            outbox_locked: AtomicBool::new(false),
            _write_guard: None,
        })
    }

    /// A read session without a transaction: each statement runs on its own (autocommit) on
    /// a pooled connection, so a one-statement read costs one round trip instead of three or
    /// four (`BEGIN`, on PostgreSQL `SET TRANSACTION READ ONLY`, the statement, `COMMIT`).
    /// Use it for reads that are one statement: there is no snapshot across statements.
    /// [`Tx::commit`] and [`Tx::rollback`] do nothing. Do not write through it.
    pub fn statement_reader(&self) -> Tx {
        Tx {
            txn: Session::Autocommit(self.db.clone()),
            pg: self.pg(),
            outbox_locked: AtomicBool::new(false),
            _write_guard: None,
        }
    }

    /// Refreshes planner statistics after bulk loads: `VACUUM (ANALYZE)` on PostgreSQL (the
    /// vacuum also marks the loaded pages all-visible, so counts over covering indexes are
    /// index-only scans without waiting for autovacuum), `ANALYZE; PRAGMA optimize` on SQLite.
    pub async fn analyze(&self) -> Result<()> {
        if self.pg() {
            self.db.execute_unprepared("VACUUM (ANALYZE)").await?;
        } else {
            self.writer
                .execute_unprepared("ANALYZE; PRAGMA optimize;")
                .await?;
        }
        Ok(())
    }

    /// Closes the connections.
    pub async fn close(self) -> Result<()> {
        // For PostgreSQL and in-memory SQLite `writer` shares `db`'s pool; closing a pool
        // twice is harmless.
        self.writer.close().await?;
        self.db.close().await?;
        Ok(())
    }
}

/// One database transaction. Every repository method lives here; nothing is visible to
/// others until [`Tx::commit`]. Dropping a `Tx` without committing rolls it back.
pub struct Tx {
    txn: Session,
    pub(crate) pg: bool,
    pub(crate) outbox_locked: AtomicBool,
    _write_guard: Option<OwnedMutexGuard<()>>,
}

/// What a [`Tx`] runs its statements on.
enum Session {
    /// A database transaction ([`Store::begin`], [`Store::begin_read`]).
    Transaction(DatabaseTransaction),
    /// Statements on their own ([`Store::statement_reader`]).
    Autocommit(DatabaseConnection),
}

impl Session {
    async fn execute_raw(&self, st: Statement) -> std::result::Result<ExecResult, DbErr> {
        match self {
            Session::Transaction(t) => t.execute_raw(st).await,
            Session::Autocommit(c) => c.execute_raw(st).await,
        }
    }

    async fn query_all_raw(&self, st: Statement) -> std::result::Result<Vec<QueryResult>, DbErr> {
        match self {
            Session::Transaction(t) => t.query_all_raw(st).await,
            Session::Autocommit(c) => c.query_all_raw(st).await,
        }
    }

    async fn query_one_raw(
        &self,
        st: Statement,
    ) -> std::result::Result<Option<QueryResult>, DbErr> {
        match self {
            Session::Transaction(t) => t.query_one_raw(st).await,
            Session::Autocommit(c) => c.query_one_raw(st).await,
        }
    }
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").field("pg", &self.pg).finish()
    }
}

impl Tx {
    /// Commits.
    pub async fn commit(self) -> Result<()> {
        if let Session::Transaction(t) = self.txn {
            t.commit().await?;
        }
        Ok(())
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<()> {
        if let Session::Transaction(t) = self.txn {
            t.rollback().await?;
        }
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
        let chunk = (max_params(self.pg) / per_row).max(1);
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            R::TABLE,
            R::COLUMNS.join(", ")
        );
        let mut total = 0;
        for part in shaped_chunks(rows, chunk) {
            let mut q = self.q();
            q.sql(&head);
            for (i, row) in part.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.record(row);
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
        self.push_update_by_id(&mut q, row, tenant_id, id, extra_where);
        self.exec(q).await
    }

    /// Appends the `UPDATE` of [`Tx::update_by_id`] (every column but the key, by tenant and
    /// id, then `extra_where`) to `q`, for statements that wrap it (a CTE).
    pub(crate) fn push_update_by_id<R: Record>(
        &self,
        q: &mut Q,
        row: &R,
        tenant_id: &str,
        id: &uuid::Uuid,
        extra_where: &str,
    ) {
        q.sql("UPDATE ").sql(R::TABLE).sql(" SET ");
        let mut first = true;
        for ((col, val), cast) in R::COLUMNS.iter().zip(row.values(self.pg)).zip(R::PG_CASTS) {
            if *col == "id" || *col == "tenant_id" {
                continue;
            }
            if !first {
                q.sql(", ");
            }
            first = false;
            q.sql(col).sql(" = ").bind(val);
            if self.pg {
                q.sql(cast);
            }
        }
        q.sql(" WHERE tenant_id = ")
            .b(&tenant_id.to_string())
            .sql(" AND id = ")
            .b(id)
            .sql(extra_where);
    }

    pub(crate) fn lock_suffix(&self) -> &'static str {
        if self.pg { " FOR UPDATE" } else { "" }
    }

    pub(crate) fn mark_outbox_locked(&self) -> bool {
        self.outbox_locked.swap(true, Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaped_chunks_are_powers_of_two_and_cover_everything() {
        for n in [0usize, 1, 2, 3, 7, 255, 256, 257, 1000, 1537] {
            let items: Vec<usize> = (0..n).collect();
            let parts: Vec<&[usize]> = shaped_chunks(&items, 300).collect();
            assert_eq!(parts.concat(), items, "n = {n}");
            for p in &parts {
                assert!(
                    p.len().is_power_of_two() && p.len() <= 256,
                    "n = {n}: {}",
                    p.len()
                );
            }
            assert!(parts.windows(2).all(|w| w[0].len() >= w[1].len()));
        }
        let items = [0u8; 10];
        assert!(shaped_chunks(&items, 3).all(|p| p.len() <= 2));
        assert_eq!(shaped_chunks(&items, 0).count(), 10);
    }
}
