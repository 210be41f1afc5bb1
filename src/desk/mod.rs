//! The [`Desk`]: faultdesk's application service.
//!
//! Each use-case loads what it needs in a transaction, asks the pure core (`ticket-core`,
//! `fault-core`) for the decision, writes the result (rows + audit + outbox event) in the same
//! transaction, commits, and then publishes the events to in-process subscribers.
//!
//! The use-cases live in submodules by subject (`alarms`, `tickets`, ...); this module holds
//! the Desk itself, its transaction helper and event publication.

use crate::actor::Actor;
use crate::config::DeskConfig;
use crate::error::{Error, Result};
use crate::events::{Event, EventFilter};
use chrono::{DateTime, Utc};
use faultdesk_storage::{Store, Tx};
use std::sync::Arc;
use std::time::Duration;
use ticket_core::rbac::{PermissionSet, Principal};
use tokio::sync::broadcast;

mod attachments;
mod comments;
mod feed;
mod notifications;
mod page;
mod scheduler;
mod ticket_rows;
mod tickets;

pub use attachments::{
    Attachment, AttachmentDownload, NewAttachment, OrphanReport, ScanRequest, ScanVerdict, Scanner,
};
pub use notifications::{
    CHANNELS, DeliveryReport, Notification, NotificationConfig, NotificationRoute, Notifier,
    SIGNATURE_HEADER, WebhookNotifier,
};
pub use scheduler::{RunDueReport, SchedulerConfig};

pub use page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page};
pub use tickets::{
    CreateTicketFromAlarm, NewTicketInput, TicketFromAlarm, TicketQuery, TicketSearchHit,
    TicketStatistics, TransitionOptions,
};

/// Runs a block in one write transaction with the Desk's retry policy:
/// `write_tx!(desk, |w| { ...; Ok(value) })`. Inside, `w` is a `&mut Work` (`w.tx`, `w.now`,
/// `w.emit(..)`); `?` leaves the block, rolling back. Commits on `Ok`, publishes the emitted
/// events after commit, and re-runs the whole block on transient storage errors, so the block
/// must not have side effects outside the transaction (or must tolerate re-running).
macro_rules! write_tx {
    ($desk:expr, |$w:ident| $body:expr) => {{
        let desk = &$desk;
        async {
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                let mut work = desk.begin_work().await?;
                let outcome = {
                    #[allow(unused_mut)]
                    let $w = &mut work;
                    async { $body }.await
                };
                if let Some(v) = desk.finish_work(work, outcome, attempt).await? {
                    break Ok::<_, $crate::Error>(v);
                }
            }
        }
        .await
    }};
}

/// The retry loop of [`read_tx!`] and [`read_statement!`]: `$open` gives a fresh `Tx` for
/// each attempt.
macro_rules! read_session {
    ($desk:ident, $open:expr, |$tx:ident| $body:expr) => {{
        async {
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                let tx = $open;
                let outcome = {
                    let $tx = &tx;
                    async { $body }.await
                };
                if let Some(v) = $desk.finish_read(tx, outcome, attempt).await? {
                    break Ok::<_, $crate::Error>(v);
                }
            }
        }
        .await
    }};
}

/// Runs a block in one read transaction: `read_tx!(desk, |tx| { ...; Ok(value) })` with
/// `tx: &Tx`; retried on transient storage errors.
macro_rules! read_tx {
    ($desk:expr, |$tx:ident| $body:expr) => {{
        let desk = &$desk;
        $crate::desk::read_session!(desk, desk.begin_read().await?, |$tx| $body)
    }};
}

/// Runs a block of one-statement reads without a transaction: `read_statement!(desk, |tx|
/// { ...; Ok(value) })` with `tx: &Tx` from [`Store::statement_reader`] (no `BEGIN`/`END`
/// round trips, no snapshot across statements); retried on transient storage errors like
/// [`read_tx!`].
macro_rules! read_statement {
    ($desk:expr, |$tx:ident| $body:expr) => {{
        let desk = &$desk;
        $crate::desk::read_session!(desk, desk.inner.store.statement_reader(), |$tx| $body)
    }};
}
pub(crate) use {read_session, read_statement, read_tx, write_tx};

/// How many times a transaction that failed with a transient storage error (SQLite busy,
/// PostgreSQL serialization failure/deadlock) is retried before the error reaches the caller.
const MAX_TX_ATTEMPTS: u32 = 8;

/// Capacity of the in-process event channel; a subscriber that falls further behind catches up
/// from the outbox table, so nothing is lost.
const EVENT_CHANNEL_CAPACITY: usize = 4096;

/// The fault-management and ticketing engine, bound to one database.
///
/// Cheap to clone (clones share everything) and safe to use from many tasks at once.
///
/// ```no_run
/// # async fn demo() -> faultdesk::Result<()> {
/// use faultdesk::{Actor, Desk, DeskConfig};
/// let desk = Desk::open("sqlite://faultdesk.db", DeskConfig::default()).await?;
/// let actor = Actor::new("acme", "u-1").with_roles(["ADMIN"]);
/// # let _ = actor;
/// desk.close().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Desk {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) config: DeskConfig,
    pub(crate) events: broadcast::Sender<Arc<Event>>,
    /// Cross-process event delivery (see `feed`).
    pub(crate) feed: Arc<feed::Feed>,
    /// Per-tenant index of live SLA instances (see `sla`).
    pub(crate) sla: sla::SlaCache,
    /// This Desk's correlators, by tenant (see `correlation`).
    pub(crate) correlators: correlation::Correlators,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.feed.close();
    }
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("backend", &self.inner.store.backend())
            .field("workflow", &self.inner.config.workflow.name())
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// Opens (and migrates) the database at `url` — `sqlite://path` (created if missing),
    /// `sqlite::memory:` or `postgres://...` — with `config`.
    pub async fn open(url: &str, config: DeskConfig) -> Result<Desk> {
        let store = Store::connect_with(url, config.store.clone()).await?;
        store.migrate().await?;
        let (events, _) = broadcast::channel(EVENT_CHANNEL_CAPACITY);
        let tx = store.begin_read().await?;
        let top = tx.outbox_max_seq().await;
        let _ = tx.rollback().await;
        let inner = Arc::new(Inner {
            store,
            config,
            events,
            feed: Arc::new(feed::Feed::starting_at(top?)),
            sla: sla::SlaCache::default(),
            correlators: Default::default(),
        });
        // Other processes can write a PostgreSQL database or a SQLite file, not an
        // in-memory SQLite database.
        let shared = !(url.starts_with("sqlite::memory:")
            || url.starts_with("sqlite://:memory:")
            || url.contains("mode=memory"));
        feed::start_tailer(&inner, shared);
        Ok(Desk { inner })
    }

    /// Applies pending migrations (also done by [`Desk::open`]).
    pub async fn migrate(&self) -> Result<()> {
        Ok(self.inner.store.migrate().await?)
    }

    /// Closes the connection pool. Other clones of this Desk stop working.
    pub async fn close(&self) -> Result<()> {
        self.inner.feed.close();
        Ok(self.inner.store.clone().close().await?)
    }

    /// The configuration the Desk was opened with.
    pub fn config(&self) -> &DeskConfig {
        &self.inner.config
    }

    /// The underlying store (for tools and tests that read tables directly).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The Desk clock's current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.config.clock.now()
    }

    /// The permissions `actor` holds under this Desk's RBAC configuration.
    pub(crate) fn permissions(&self, actor: &Actor) -> PermissionSet {
        self.inner
            .config
            .rbac
            .permissions(&actor.roles, &actor.permissions)
    }

    /// The actor as a principal for row rules (own tickets, internal comments).
    pub(crate) fn principal(&self, actor: &Actor) -> Principal {
        self.inner
            .config
            .rbac
            .principal(&actor.user_id, &actor.roles, &actor.permissions)
    }

    /// Fails with seed 000's message unless `actor` holds `permission`. Also rejects an empty
    /// tenant id.
    pub(crate) fn require(&self, actor: &Actor, permission: &str) -> Result<()> {
        validate_actor(actor)?;
        if self.permissions(actor).has(permission) {
            Ok(())
        } else {
            Err(Error::permission_denied(permission))
        }
    }

    /// Begins one attempt of a write transaction. Use through [`write_tx!`], which also
    /// commits, retries and publishes.
    pub(crate) async fn begin_work(&self) -> Result<Work> {
        Ok(Work {
            tx: self.inner.store.begin().await?,
            now: self.now(),
            events: Vec::new(),
            notify: Vec::new(),
            sla_version: None,
        })
    }

    /// Ends one attempt of a write transaction: commits when `outcome` is `Ok` (then publishes
    /// the work's events), rolls back otherwise. Returns `Ok(None)` when the attempt failed
    /// with a transient storage error and should be retried.
    pub(crate) async fn finish_work<T>(
        &self,
        work: Work,
        outcome: Result<T>,
        attempt: u32,
    ) -> Result<Option<T>> {
        let Work {
            tx,
            mut events,
            notify,
            ..
        } = work;
        let err = match outcome {
            // The outbox rows of the transaction's events, then its notification intents (they
            // name the events' sequences), are written last: one insert each.
            Ok(value) => match async {
                write_outbox(&tx, &mut events).await?;
                self.record_intents(&tx, &events, &notify).await
            }
            .await
            {
                Err(e) => {
                    let _ = tx.rollback().await;
                    e
                }
                Ok(()) => match tx.commit().await {
                    Ok(()) => {
                        self.publish(events).await;
                        return Ok(Some(value));
                    }
                    Err(e) => Error::from(e),
                },
            },
            Err(e) => {
                // A failed rollback of a broken connection is not the error to report.
                let _ = tx.rollback().await;
                e
            }
        };
        if err.is_retryable() && attempt < MAX_TX_ATTEMPTS {
            tracing::debug!(attempt, error = %err, "retrying transaction");
            tokio::time::sleep(backoff(attempt)).await;
            return Ok(None);
        }
        Err(err)
    }

    /// Begins one attempt of a read transaction (see [`read_tx!`]).
    pub(crate) async fn begin_read(&self) -> Result<Tx> {
        Ok(self.inner.store.begin_read().await?)
    }

    /// Ends one attempt of a read transaction; `Ok(None)` means retry.
    pub(crate) async fn finish_read<T>(
        &self,
        tx: Tx,
        outcome: Result<T>,
        attempt: u32,
    ) -> Result<Option<T>> {
        let _ = tx.rollback().await;
        match outcome {
            Err(e) if e.is_retryable() && attempt < MAX_TX_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
                Ok(None)
            }
            Err(e) => Err(e),
            Ok(v) => Ok(Some(v)),
        }
    }

    /// Committed events with `seq > after_seq`, oldest first, at most `limit` (1..=1000),
    /// limited to the actor's tenant and visibility (internal events only for actors with
    /// `tickets.comments.internal`).
    pub async fn events_since(
        &self,
        actor: &Actor,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Event>> {
        validate_actor(actor)?;
        if limit == 0 || limit > 1000 {
            return Err(Error::validation(format!(
                "limit must be between 1 and 1000, got {limit}"
            )));
        }
        let internal_ok = self.principal(actor).can_view_internal_comments();
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| Ok(tx
            .outbox_since(after_seq, Some(&tenant), limit)
            .await?))?;
        Ok(rows
            .into_iter()
            .map(Event::from)
            .filter(|e| internal_ok || !e.internal)
            .collect())
    }

    /// Subscribes to events committed after this call — by this process or by any other
    /// process on the same database — seen as `actor` (its tenant only; internal events only
    /// with `tickets.comments.internal`) and matching `filter`, in sequence order. Other
    /// processes' events arrive through `LISTEN/NOTIFY` on PostgreSQL and by polling the
    /// outbox every 50 ms on a SQLite file.
    pub fn subscribe(&self, actor: &Actor, filter: EventFilter) -> Result<Subscription> {
        validate_actor(actor)?;
        let rx = self.inner.events.subscribe();
        // A polling tailer (SQLite file) switches to its short interval now.
        self.inner.feed.wake.notify_one();
        Ok(Subscription {
            desk: self.clone(),
            rx,
            tenant_id: actor.tenant_id.clone(),
            internal_ok: self.principal(actor).can_view_internal_comments(),
            filter,
            last_seq: None,
            backlog: std::collections::VecDeque::new(),
        })
    }
}

/// A live stream of committed events for one actor. Obtained from [`Desk::subscribe`].
///
/// If the subscriber falls behind the in-process channel, it reads the missed events from the
/// outbox table, so it still sees every event exactly once, in sequence order.
pub struct Subscription {
    desk: Desk,
    rx: broadcast::Receiver<Arc<Event>>,
    tenant_id: String,
    internal_ok: bool,
    filter: EventFilter,
    last_seq: Option<i64>,
    backlog: std::collections::VecDeque<Event>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("tenant_id", &self.tenant_id)
            .field("filter", &self.filter)
            .field("last_seq", &self.last_seq)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    fn wants(&self, e: &Event) -> bool {
        e.tenant_id == self.tenant_id
            && (self.internal_ok || !e.internal)
            && self.filter.matches_kind(&e.kind)
    }

    /// Waits for the next event. Returns `None` when the Desk has been dropped.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                self.last_seq = Some(e.seq);
                if self.wants(&e) {
                    return Some(e);
                }
                continue;
            }
            match self.rx.recv().await {
                Ok(e) => {
                    if self.last_seq.is_some_and(|s| e.seq <= s) {
                        continue;
                    }
                    self.last_seq = Some(e.seq);
                    if self.wants(&e) {
                        return Some((*e).clone());
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Catch up from the outbox: everything after the last seen sequence.
                    let after = self.last_seq.unwrap_or(0);
                    let tenant = self.tenant_id.clone();
                    let desk = self.desk.clone();
                    let rows = read_tx!(desk, |tx| Ok(tx
                        .outbox_since(after, Some(&tenant), 1000)
                        .await?));
                    if let Ok(rows) = rows {
                        self.backlog.extend(rows.into_iter().map(Event::from));
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// The next event if one is already waiting, without blocking.
    pub fn try_next(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                self.last_seq = Some(e.seq);
                if self.wants(&e) {
                    return Some(e);
                }
                continue;
            }
            match self.rx.try_recv() {
                Ok(e) => {
                    if self.last_seq.is_some_and(|s| e.seq <= s) {
                        continue;
                    }
                    self.last_seq = Some(e.seq);
                    if self.wants(&e) {
                        return Some((*e).clone());
                    }
                }
                Err(_) => return None,
            }
        }
    }
}

/// One write transaction in progress, with the events it will publish after commit.
pub(crate) struct Work {
    /// The transaction.
    pub(crate) tx: Tx,
    /// The Desk clock's instant at the start of the transaction: use it for every timestamp
    /// the use-case writes.
    pub(crate) now: DateTime<Utc>,
    events: Vec<Event>,
    /// Events (by index in `events`) that notify through the configured routes, with the
    /// objects they concern (see `notifications::Desk::record_intents`).
    notify: Vec<(usize, notifications::Related)>,
    /// The tenant's SLA version read under its correlation lock, in correlating transactions
    /// (see `correlating_tx!`); tells the SLA service whether its index is current.
    pub(crate) sla_version: Option<i64>,
}

impl Work {
    /// Queues an event: its outbox row is written at commit, together with every other event
    /// of the transaction (one multi-row insert, see [`Work::write_outbox`]), and it is
    /// published after the commit.
    pub(crate) fn emit(
        &mut self,
        tenant_id: &str,
        kind: &str,
        entity_id: Option<String>,
        internal: bool,
        payload: serde_json::Value,
    ) {
        self.events.push(Event {
            // Assigned by the outbox insert at commit.
            seq: 0,
            tenant_id: tenant_id.to_string(),
            kind: kind.to_string(),
            entity_id,
            internal,
            payload,
            at: self.now,
        });
    }

    /// Marks the event emitted last as one that notifies (intents are written at commit).
    pub(crate) fn notify_last(&mut self, related: notifications::Related) {
        if let Some(i) = self.events.len().checked_sub(1) {
            self.notify.push((i, related));
        }
    }
}

/// Writes the outbox rows of a transaction's queued events (see [`Work::emit`]) with one
/// multi-row insert per chunk and gives each event its sequence.
async fn write_outbox(tx: &Tx, events: &mut [Event]) -> Result<()> {
    let Some(at) = events.first().map(|e| e.at) else {
        return Ok(());
    };
    let rows: Vec<faultdesk_storage::OutboxInsert<'_>> = events
        .iter()
        .map(|e| {
            (
                e.tenant_id.as_str(),
                e.kind.as_str(),
                e.entity_id.as_deref(),
                e.internal,
                &e.payload,
            )
        })
        .collect();
    let seqs = tx.insert_outbox_refs(&rows, at).await?;
    for (e, seq) in events.iter_mut().zip(seqs) {
        e.seq = seq;
    }
    Ok(())
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((2u64 << attempt.min(8)).min(250))
}

/// Rejects actors without a tenant or user id.
pub(crate) fn validate_actor(actor: &Actor) -> Result<()> {
    if actor.tenant_id.trim().is_empty() {
        return Err(Error::validation("actor.tenant_id must not be empty"));
    }
    if actor.user_id.trim().is_empty() {
        return Err(Error::validation("actor.user_id must not be empty"));
    }
    Ok(())
}

/// The earliest instant the Desk stores (1970-01-01T00:00:00Z).
pub const MIN_INSTANT: DateTime<Utc> = DateTime::UNIX_EPOCH;

/// The first instant the Desk no longer stores (year 10000): stored timestamps are
/// fixed-width `YYYY-MM-DDTHH:MM:SS.ffffffZ` text on SQLite and `timestamptz` on PostgreSQL.
pub fn max_instant() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_800, 0).expect("year 10000 is a valid instant")
}

/// Rejects an input instant outside the stored range `1970-01-01 ≤ at < 10000-01-01` with a
/// Validation error naming `field` (instead of a storage error, or a wrong comparison, later).
pub(crate) fn check_instant(field: &str, at: DateTime<Utc>) -> Result<()> {
    if at < MIN_INSTANT || at >= max_instant() {
        return Err(Error::validation(format!(
            "{field} {at} is outside the supported range 1970-01-01T00:00:00Z to \
             9999-12-31T23:59:59Z"
        )));
    }
    Ok(())
}

/// `now - age` for a caller-given age ("older than `age`"), at the earliest [`MIN_INSTANT`]:
/// an age that reaches before 1970 (up to `Duration::MAX`) means "nothing is that old", as no
/// stored instant precedes 1970. A negative age is a Validation error naming `field`.
pub(crate) fn before_now(
    field: &str,
    now: DateTime<Utc>,
    age: chrono::Duration,
) -> Result<DateTime<Utc>> {
    if age < chrono::Duration::zero() {
        return Err(Error::validation(format!("{field} must not be negative")));
    }
    Ok(now
        .checked_sub_signed(age)
        .filter(|t| *t >= MIN_INSTANT)
        .unwrap_or(MIN_INSTANT))
}

// Alarm use-cases, correlation and the SLA service.
mod alarm_rows;
mod alarms;
mod correlation;
mod sla;
pub use alarms::{
    AlarmNote, AlarmQuery, DEFAULT_ARCHIVE_AFTER_DAYS, IngestOutcome, MAX_EVENT_FIELD_CHARS,
    MAX_EVENT_PAYLOAD_BYTES, MAX_EVENT_TEXT_BYTES, MAX_EVENT_TITLE_CHARS, NewMaintenanceWindow,
    StoredRule,
};
pub use sla::{
    LATE_ALARM_HORIZON as SLA_LATE_ALARM_HORIZON,
    MAX_INSTANCES_PER_CALL as MAX_SLA_INSTANCES_PER_CALL,
    MAX_MEASUREMENTS_PER_CALL as MAX_SLA_MEASUREMENTS_PER_CALL, NewSlaInstance, SlaBreachQuery,
    SlaBreachRecord, SlaInstancePatch, SlaInstanceQuery, SlaInstanceStatus, SlaReportQuery,
    StoredSlaDefinition, StoredSlaInstance,
};
