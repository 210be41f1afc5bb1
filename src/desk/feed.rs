//! The event feed: delivers every committed outbox event — of this process or any other — to
//! this Desk's subscribers, once, in sequence order.
//!
//! The outbox is the truth; notifications are only wake-ups:
//!
//! - **Local commits** are published right after commit ([`Desk::publish`]). When the first
//!   event of a commit directly follows the last one published, nothing is read. Otherwise
//!   other transactions (other processes, or this process's concurrent commits, or a
//!   rolled-back sequence gap) may come before it, and the gap is read from the outbox first:
//!   outbox sequence order is commit order (see `storage/SCHEMA.md`), so when a transaction has
//!   committed, every smaller sequence is decided.
//! - **Other processes' commits** wake a background task, the *tailer*: on PostgreSQL it holds a
//!   `LISTEN faultdesk_outbox` connection (each outbox insert notifies with its sequence,
//!   delivered at commit) and also re-reads every [`PG_SAFETY_POLL`] while anyone subscribes,
//!   in case a notification was lost with a connection; on a SQLite file (several processes on
//!   one host) it polls every [`SQLITE_POLL`] while anyone subscribes. In-memory SQLite is one
//!   process by definition and has no tailer.
//!
//! While a Desk has no subscribers nothing is read: the feed only remembers how far the outbox
//! has grown (from notification payloads, local commits, or one `MAX(seq)` per idle poll), so a
//! new subscriber starts at the present instead of receiving old events. Consumers that were
//! away resume with [`Desk::events_since`].

use crate::desk::{Desk, Inner, read_statement};
use crate::error::Result;
use crate::events::Event;
use faultdesk_storage::{Backend, OutboxWake};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{Mutex, Notify};

/// How often the PostgreSQL tailer re-reads the outbox while anyone subscribes, even without
/// a notification (a notification lost with a dropped connection is found this late).
pub const PG_SAFETY_POLL: Duration = Duration::from_secs(1);

/// How often the tailer of a SQLite file polls the outbox while anyone subscribes.
pub const SQLITE_POLL: Duration = Duration::from_millis(50);

/// How often an idle tailer of a SQLite file notes the outbox's highest sequence.
const SQLITE_IDLE_POLL: Duration = Duration::from_secs(1);

/// Rows read per outbox page while catching up.
const PAGE: u32 = 1000;

/// Shared state of the feed: the publication cursor and the tailer's wake-up.
#[derive(Default)]
pub(crate) struct Feed {
    /// The highest sequence published to this Desk's subscribers (or passed while nobody
    /// subscribed). Held while publishing, so events leave in sequence order.
    last: Mutex<i64>,
    /// Wakes the tailer (on close, and when a subscription starts).
    pub(crate) wake: Notify,
    closed: AtomicBool,
}

impl Feed {
    /// A feed whose cursor stands at `last` (the outbox's highest sequence at open).
    pub(crate) fn starting_at(last: i64) -> Feed {
        Feed {
            last: Mutex::new(last),
            ..Default::default()
        }
    }

    /// Stops the tailer.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

impl Desk {
    fn has_subscribers(&self) -> bool {
        self.inner.events.receiver_count() > 0
    }

    /// Publishes the events of a transaction that just committed, after any committed
    /// events that precede them and were not published yet.
    pub(crate) async fn publish(&self, events: Vec<Event>) {
        let Some(first) = events.first().map(|e| e.seq) else {
            return;
        };
        let newest = events.iter().map(|e| e.seq).max().unwrap_or(first);
        let mut last = self.inner.feed.last.lock().await;
        if !self.has_subscribers() {
            *last = (*last).max(newest);
            return;
        }
        if first > *last + 1
            && let Err(e) = self.catch_up(&mut last).await
        {
            // The events of this commit still go out; the gap is read on the next wake-up.
            tracing::warn!(error = %e, "event feed: reading the outbox gap failed");
        }
        for e in events {
            if e.seq > *last {
                *last = e.seq;
                // No receivers is fine: events stay in the outbox for events_since.
                let _ = self.inner.events.send(Arc::new(e));
            }
        }
    }

    /// Publishes every committed outbox event after `*last`, in order.
    async fn catch_up(&self, last: &mut i64) -> Result<()> {
        loop {
            let after = *last;
            let rows = read_statement!(self, |tx| Ok(tx.outbox_since(after, None, PAGE).await?))?;
            let n = rows.len();
            for row in rows {
                if row.seq > *last {
                    *last = row.seq;
                    let _ = self.inner.events.send(Arc::new(Event::from(row)));
                }
            }
            if n < PAGE as usize {
                return Ok(());
            }
        }
    }

    /// The outbox has grown to at least `seq` (or an unknown amount): publish it if anyone
    /// listens, otherwise move the cursor.
    async fn on_wake(&self, seq: Option<i64>) -> Result<()> {
        let mut last = self.inner.feed.last.lock().await;
        if self.has_subscribers() {
            if seq.is_none_or(|s| s > *last) {
                self.catch_up(&mut last).await?;
            }
        } else {
            let top = match seq {
                Some(s) => s,
                None => read_statement!(self, |tx| Ok(tx.outbox_max_seq().await?))?,
            };
            // A subscription that started during the read may already be waiting for a
            // commit that `top` includes: then the cursor stays, and the next publication
            // or poll delivers from it (a few events from just before the subscription at
            // worst, never a lost one).
            if !self.has_subscribers() {
                *last = (*last).max(top);
            }
        }
        Ok(())
    }
}

/// Starts the tailer of a Desk on a database other processes can write (PostgreSQL, SQLite
/// file). It holds only a weak reference: it ends when the Desk is dropped or closed.
pub(crate) fn start_tailer(inner: &Arc<Inner>, shared: bool) {
    if !shared {
        return;
    }
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        tracing::warn!(
            "event feed: no tokio runtime; events of other processes are not delivered live (use events_since)"
        );
        return;
    };
    let weak = Arc::downgrade(inner);
    let feed = inner.feed.clone();
    match inner.store.backend() {
        Backend::Postgres => {
            rt.spawn(tail_postgres(weak, feed));
        }
        Backend::Sqlite => {
            rt.spawn(tail_sqlite(weak, feed));
        }
    }
}

fn desk_of(weak: &Weak<Inner>) -> Option<Desk> {
    weak.upgrade().map(|inner| Desk { inner })
}

async fn tail_postgres(weak: Weak<Inner>, feed: Arc<Feed>) {
    let mut backoff = Duration::from_millis(100);
    'connect: loop {
        let listener = match desk_of(&weak) {
            Some(desk) => desk.inner.store.listen_outbox().await,
            None => return,
        };
        let mut listener = match listener {
            Ok(Some(l)) => l,
            Ok(None) => return,
            Err(e) => {
                if feed.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "event feed: LISTEN failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = feed.wake.notified() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue 'connect;
            }
        };
        backoff = Duration::from_millis(100);
        // Anything committed while no listener was connected.
        if let Some(desk) = desk_of(&weak) {
            let _ = desk.on_wake(None).await;
        }
        loop {
            let wake = tokio::select! {
                r = listener.recv() => Some(r),
                _ = feed.wake.notified() => None,
                _ = tokio::time::sleep(PG_SAFETY_POLL) => Some(Ok(OutboxWake::Reconnected)),
            };
            if feed.is_closed() {
                return;
            }
            let Some(desk) = desk_of(&weak) else {
                return;
            };
            let result = match wake {
                None => continue,
                Some(Ok(OutboxWake::Committed(seq))) => desk.on_wake(Some(seq)).await,
                Some(Ok(OutboxWake::Reconnected)) => {
                    if desk.has_subscribers() {
                        desk.on_wake(None).await
                    } else {
                        Ok(())
                    }
                }
                Some(Err(e)) => {
                    if feed.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %e, "event feed: LISTEN connection failed; reconnecting");
                    drop(desk);
                    continue 'connect;
                }
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "event feed: reading the outbox failed");
            }
        }
    }
}

async fn tail_sqlite(weak: Weak<Inner>, feed: Arc<Feed>) {
    loop {
        let idle = match desk_of(&weak) {
            Some(desk) => {
                let idle = !desk.has_subscribers();
                if let Err(e) = desk.on_wake(None).await {
                    tracing::debug!(error = %e, "event feed: polling the outbox failed");
                }
                idle
            }
            None => return,
        };
        let pause = if idle { SQLITE_IDLE_POLL } else { SQLITE_POLL };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = feed.wake.notified() => {}
        }
        if feed.is_closed() {
            return;
        }
    }
}
