//! # faultdesk
//!
//! Embeddable fault-management and ticketing engine: alarms in, correlated incidents and
//! SLA-tracked tickets out.
//!
//! The [`Desk`] is the application service: every use-case takes an [`Actor`] (tenant, user,
//! roles), checks its permission, runs in one transaction and publishes [`Event`]s after commit.
//! The pure engines are re-exported as [`ticket`] and [`fault`], the storage layer as
//! [`storage`], so a Rust user depends on this one crate.

mod actor;
mod clock;
mod config;
mod desk;
mod error;
mod events;

pub use actor::Actor;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::DeskConfig;
pub use desk::{Desk, Subscription};
pub use desk::{
    CreateTicketFromAlarm, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, NewTicketInput, Page, TicketFromAlarm,
    TicketQuery, TicketSearchHit, TicketStatistics, TransitionOptions,
};
pub use desk::{
    AlarmNote, AlarmQuery, DEFAULT_ARCHIVE_AFTER_DAYS, IngestOutcome, NewMaintenanceWindow,
    StoredRule,
};
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, EventFilter};

/// The pure fault domain (re-export of `fault-core`).
pub use fault_core as fault;
/// The storage layer (re-export of `faultdesk-storage`).
pub use faultdesk_storage as storage;
/// The pure ticket domain (re-export of `ticket-core`).
pub use ticket_core as ticket;

#[cfg(test)]
mod send_checks {
    /// Desk futures must be `Send` so bindings can run them on a multi-threaded runtime.
    #[allow(dead_code)]
    fn assert_send<T: Send>(_: &T) {}

    #[allow(dead_code)]
    async fn desk_futures_are_send(desk: crate::Desk, actor: crate::Actor) {
        let f = desk.events_since(&actor, 0, 10);
        assert_send(&f);
        let w = async {
            crate::desk::write_tx!(desk, |w| {
                w.emit("t", "k", None, false, serde_json::Value::Null)
                    .await?;
                Ok(())
            })
        };
        assert_send(&w);
    }
}
