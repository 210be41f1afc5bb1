//! # faultdesk
//!
//! Embeddable fault-management and ticketing engine: alarms in, correlated incidents and
//! SLA-tracked tickets out. This crate re-exports the pure engines so that a Rust user depends on
//! one crate.

/// The pure fault domain (re-export of `fault-core`).
pub use fault_core as fault;
/// The storage layer (re-export of `faultdesk-storage`).
pub use faultdesk_storage as storage;
/// The pure ticket domain (re-export of `ticket-core`).
pub use ticket_core as ticket;
