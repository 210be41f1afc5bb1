//! Cross-process wake-ups for outbox readers: PostgreSQL `LISTEN faultdesk_outbox`.
//!
//! Every outbox insert sends `NOTIFY faultdesk_outbox, '<seq>'` (delivered when its
//! transaction commits, see [`crate::Tx::insert_outbox`]). A notification only says "the
//! outbox has grown to at least `seq`"; the outbox table stays the truth, so a reader that
//! missed notifications (lost connection) re-reads from its last sequence.

use crate::error::{Error, Result};
use crate::store::Store;
use sea_orm::sqlx::postgres::PgListener;

/// The channel faultdesk notifies on.
pub const OUTBOX_CHANNEL: &str = "faultdesk_outbox";

/// A dedicated PostgreSQL connection listening on [`OUTBOX_CHANNEL`]. It takes one connection
/// of the store's pool for as long as it lives; closing the pool ends it.
pub struct OutboxListener {
    listener: PgListener,
}

impl std::fmt::Debug for OutboxListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxListener").finish_non_exhaustive()
    }
}

/// What [`OutboxListener::recv`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxWake {
    /// A transaction committed outbox rows up to this sequence.
    Committed(i64),
    /// The connection was lost and re-established: notifications may have been missed, so
    /// re-read the outbox from the last sequence seen.
    Reconnected,
}

fn listen_error(e: sea_orm::sqlx::Error) -> Error {
    Error::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        std::sync::Arc::new(e),
    )))
}

impl OutboxListener {
    /// Waits for the next notification. Fails when the pool was closed or the server cannot
    /// be reached.
    pub async fn recv(&mut self) -> Result<OutboxWake> {
        match self.listener.try_recv().await.map_err(listen_error)? {
            Some(n) => Ok(match n.payload().trim().parse::<i64>() {
                Ok(seq) => OutboxWake::Committed(seq),
                // A notification from another writer on the channel: treat it as a wake-up.
                Err(_) => OutboxWake::Reconnected,
            }),
            None => Ok(OutboxWake::Reconnected),
        }
    }
}

impl Store {
    /// Opens a listener on [`OUTBOX_CHANNEL`] (PostgreSQL); `Ok(None)` on SQLite, which has
    /// no notifications (poll the outbox instead).
    pub async fn listen_outbox(&self) -> Result<Option<OutboxListener>> {
        if self.backend() != crate::store::Backend::Postgres {
            return Ok(None);
        }
        let pool = self.connection().get_postgres_connection_pool();
        let mut listener = PgListener::connect_with(pool).await.map_err(listen_error)?;
        listener
            .listen(OUTBOX_CHANNEL)
            .await
            .map_err(listen_error)?;
        Ok(Some(OutboxListener { listener }))
    }
}
