//! The fault-core error type: one `thiserror` enum with human messages (seed texts where given).

use uuid::Uuid;

/// Result alias for fault-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the pure fault domain. Bad input changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input that is malformed or incomplete (unknown event type without severity, bad rule JSON, ...).
    #[error("{0}")]
    Validation(String),
    /// A lifecycle transition that the alarm's current status does not allow.
    #[error("Cannot {action} alarm {alarm_id}: alarm is {status}")]
    InvalidTransition {
        /// The alarm.
        alarm_id: Uuid,
        /// The attempted action (`acknowledge`, `clear`, ...).
        action: &'static str,
        /// The alarm's current status.
        status: &'static str,
    },
    /// An alarm that does not exist (seed 000's text).
    #[error("Alarm {0} not found")]
    AlarmNotFound(Uuid),
    /// Some other object that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A state conflict (e.g. the alarm already has a ticket; seed 000's text).
    #[error("{0}")]
    Conflict(String),
    /// The topology graph would contain a cycle.
    #[error("Topology edge {parent} -> {child} would create a cycle ({path})")]
    TopologyCycle {
        /// Parent resource id.
        parent: String,
        /// Child resource id.
        child: String,
        /// The existing path that closes the cycle, e.g. `ont-1 -> splitter-1 -> olt-1`.
        path: String,
    },
}

impl Error {
    /// Shorthand for [`Error::Validation`].
    pub fn validation(msg: impl Into<String>) -> Self {
        Error::Validation(msg.into())
    }

    /// Seed 000's "already has ticket" conflict.
    pub fn already_has_ticket(alarm_id: Uuid, ticket_id: Uuid) -> Self {
        Error::Conflict(format!(
            "Alarm {alarm_id} already has ticket {ticket_id}. Please update the existing ticket instead."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_seed_000() {
        let a = Uuid::parse_str("3fa85f64-5717-4562-b3fc-2c963f66afa6").unwrap();
        let t = Uuid::parse_str("7b3c1d89-4f23-4a91-8e6f-9c8d7e6f5a4b").unwrap();
        assert_eq!(
            Error::AlarmNotFound(a).to_string(),
            "Alarm 3fa85f64-5717-4562-b3fc-2c963f66afa6 not found"
        );
        assert_eq!(
            Error::already_has_ticket(a, t).to_string(),
            "Alarm 3fa85f64-5717-4562-b3fc-2c963f66afa6 already has ticket 7b3c1d89-4f23-4a91-8e6f-9c8d7e6f5a4b. Please update the existing ticket instead."
        );
    }
}
