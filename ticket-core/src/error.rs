//! The error type of ticket-core.

/// Errors returned by ticket-core.
///
/// Messages are written for people: they say what was wrong and what would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input was malformed or outside the accepted values.
    #[error("{0}")]
    Validation(String),
    /// A workflow transition that the workflow does not allow from the current state.
    #[error(
        "Invalid transition from {from} to {to}. Allowed next states: {}",
        if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") }
    )]
    InvalidTransition {
        /// The state the ticket is in.
        from: String,
        /// The state that was requested.
        to: String,
        /// The states reachable from `from` (in definition order).
        allowed: Vec<String>,
    },
    /// The actor lacks a permission. The message is seed 000's text.
    #[error("Permission denied. Required permission: {permission}")]
    PermissionDenied {
        /// The permission string that was required, e.g. `tickets.assign`.
        permission: String,
    },
}

impl Error {
    /// Shorthand for a [`Error::Validation`] error.
    pub fn validation(msg: impl Into<String>) -> Self {
        Error::Validation(msg.into())
    }
}

/// Result alias for ticket-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_denied_message_is_seed_text() {
        let e = Error::PermissionDenied {
            permission: "faults.alarms.write".into(),
        };
        assert_eq!(
            e.to_string(),
            "Permission denied. Required permission: faults.alarms.write"
        );
    }

    #[test]
    fn invalid_transition_names_states() {
        let e = Error::InvalidTransition {
            from: "NEW".into(),
            to: "CLOSED".into(),
            allowed: vec!["OPEN".into(), "IN_PROGRESS".into()],
        };
        assert_eq!(
            e.to_string(),
            "Invalid transition from NEW to CLOSED. Allowed next states: OPEN, IN_PROGRESS"
        );
    }
}
