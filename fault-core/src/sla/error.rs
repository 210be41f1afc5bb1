//! The error type of the availability SLA module.

/// Errors returned by [`crate::sla`].
///
/// Every message says what was wrong and what would have been accepted. Bad input changes
/// nothing: an instance that returns an error is left exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlaError {
    /// A definition, period, instance or input value is malformed or out of range.
    #[error("Invalid SLA {field}: {message}")]
    Validation {
        /// The offending field, e.g. `availability_target` or `credit_schedule.tiers[1]`.
        field: String,
        /// What was wrong and what is accepted.
        message: String,
    },
    /// An interval whose end is before its start.
    #[error("Invalid interval: end {end} is before start {start}")]
    InvalidInterval {
        /// Start of the interval (RFC 3339).
        start: String,
        /// End of the interval (RFC 3339).
        end: String,
    },
    /// `record_outage` with a key whose outage is still open.
    #[error("Outage {key} is already open")]
    OutageAlreadyOpen {
        /// The outage key (usually the alarm id).
        key: String,
    },
    /// `record_clear` for a key that has no open outage.
    #[error("Outage {key} is not open")]
    OutageNotOpen {
        /// The outage key (usually the alarm id).
        key: String,
    },
    /// A performance measurement older than the last one recorded for the same metric.
    #[error("Measurement at {at} is older than the last {metric} measurement at {last}")]
    MeasurementOutOfOrder {
        /// The metric (`latency`, `packet_loss` or `bandwidth`).
        metric: String,
        /// The rejected measurement's instant (RFC 3339).
        at: String,
        /// The last accepted measurement's instant (RFC 3339).
        last: String,
    },
    /// The definition's JSON could not be parsed.
    #[error("Invalid SLA definition JSON: {0}")]
    Json(String),
}

impl SlaError {
    /// Shorthand for a [`SlaError::Validation`] error.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        SlaError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result alias for [`crate::sla`].
pub type Result<T, E = SlaError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_human() {
        assert_eq!(
            SlaError::validation("availability_target", "must be between 0 and 1").to_string(),
            "Invalid SLA availability_target: must be between 0 and 1"
        );
        assert_eq!(
            SlaError::OutageNotOpen { key: "a1".into() }.to_string(),
            "Outage a1 is not open"
        );
    }
}
