//! # fault-core
//!
//! The pure fault domain of faultdesk: alarms, event mapping, de-duplication, correlation,
//! maintenance windows, auto-ticket triggers, alarm-to-ticket drafts and availability SLAs.
//! No I/O, no clock: every call that needs time takes `now`.

pub mod severity;
pub mod sla;

pub use severity::Severity;
