//! Repository methods of [`crate::Tx`], one module per area.

pub mod alarms;
pub mod collab;
pub mod correlation;
pub mod sla;
pub mod tickets;
