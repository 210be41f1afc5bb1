//! # faultdesk-storage
//!
//! The storage layer of faultdesk: it knows tables, not rules. A [`Store`] (SQLite file,
//! in-memory SQLite or PostgreSQL, through SeaORM 2 / sqlx) begins a [`Tx`]; every repository
//! method lives on `Tx` and reads or writes plain row structs ([`AlarmRow`], [`TicketRow`],
//! ...). Nothing is visible to others until [`Tx::commit`].
//!
//! - Schema: versioned migrations ([`migration::Migrator`], applied by [`Store::migrate`]),
//!   documented column by column in `storage/SCHEMA.md` so other programs can query it with
//!   plain SQL.
//! - Concurrency: SQLite write transactions are `BEGIN IMMEDIATE` (plus an in-process queue);
//!   PostgreSQL uses `SELECT ... FOR UPDATE` (`*_for_update` methods), conditional updates
//!   ([`Tx::link_alarm_ticket`]), atomic upserts ([`Tx::allocate_ticket_number`]), unique
//!   indexes (one open alarm per reduction key) and `FOR UPDATE SKIP LOCKED` claims.
//! - Errors: [`Error`], with [`Error::is_retryable`] for busy/serialization failures.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use faultdesk_storage::{Store, TicketFilter, TicketSort, TicketPaging, Page};
//! let store = Store::connect("sqlite::memory:").await?;
//! store.migrate().await?;
//! let tx = store.begin_read().await?;
//! let page = tx
//!     .list_tickets("tenant-a", &TicketFilter::default(), &TicketSort::default(),
//!                   &TicketPaging::Page(Page::new(1, 50)))
//!     .await?;
//! assert_eq!(page.total, 0);
//! tx.commit().await?;
//! # Ok::<(), faultdesk_storage::Error>(())
//! # }).unwrap();
//! ```

#![warn(missing_docs)]

mod codec;
mod error;
mod listen;
pub mod migration;
mod query;
mod repo;
mod rows;
mod store;

pub use codec::{JsonText, truncate_micros};
pub use error::{Error, Result};
pub use listen::{OUTBOX_CHANNEL, OutboxListener, OutboxWake};
pub use query::{
    AlarmCounts, AlarmFilter, MaintenanceFilter, Page, Paged, SortDir, TicketCounts, TicketFilter,
    TicketPaging, TicketSort, TicketSortField,
};
pub use repo::alarms::AlarmClaim;
pub use repo::collab::OutboxInsert;
pub use repo::correlation::CorrelationStamp;
pub use repo::sla::SlaInstanceFilter;
pub use repo::tickets::SearchHit;
pub use rows::{
    AlarmEventRow, AlarmNoteRow, AlarmRow, AttachmentRow, BlobRow, CLOSED_ALARM_STATUSES,
    CommentRevisionRow, CommentRow, MaintenanceWindowRow, NotificationRow, OPEN_ALARM_STATUSES,
    OPEN_TICKET_CATEGORIES, OutboxRow, RuleRow, SlaBreachRow, SlaDefinitionRow, SlaInstanceRow,
    SlaMeasurementRow, SlaOutageRow, TicketEventRow, TicketLabelRow, TicketRow, TopologyEdgeRow,
    UnackedAlarmRow, is_open_category,
};
pub use store::{Backend, Store, StoreOptions, Tx};
