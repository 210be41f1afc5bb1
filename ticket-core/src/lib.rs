//! # ticket-core
//!
//! The pure ticket domain of faultdesk: everything about a ticket that needs no database,
//! no clock and no I/O. Every function that needs the current time takes `now: DateTime<Utc>`.
//!
//! - [`priority`]: ticket priorities and the aliases users type (`P1`, `urgent`, `medium`, ...).
//! - [`ticket_type`]: the kinds of ticket (fault, outage, maintenance, ...).
//! - [`ticket`]: the ticket model.
//! - [`workflow`]: data-driven workflow state machines and the `itsm`, `vms`, `fibreflow` presets.
//! - [`calendar`]: business calendars (time zones, working intervals, holidays).
//! - [`sla`]: SLA policies and the SLA clock (first response / resolution targets).
//! - [`rbac`]: roles, permission strings and row rules.
//! - [`audit`]: audit events derived from ticket changes.
//! - [`comment`] and [`attachment`]: collaboration policies.
//! - [`numbering`]: human ticket numbers such as `TKT-2026-000123`.
//! - [`stats`]: pure aggregation over tickets.

pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod category;
pub mod comment;
pub mod error;
pub mod numbering;
pub mod priority;
pub mod rbac;
pub mod sla;
pub mod stats;
pub mod ticket;
pub mod ticket_type;
pub mod workflow;

pub use audit::{AuditEvent, AuditEventType};
pub use category::StateCategory;
pub use comment::{Comment, Visibility};
pub use error::{Error, Result};
pub use numbering::NumberFormat;
pub use priority::Priority;
pub use rbac::{PermissionSet, Principal, Rbac};
pub use ticket::{NewTicket, Ticket, TicketPatch};
pub use ticket_type::TicketType;
pub use workflow::{TransitionContext, TransitionEffects, Workflow};
