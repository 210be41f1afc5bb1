//! Committed-change events: the outbox as seen by subscribers.
//!
//! Every write use-case inserts outbox rows (monotonic `seq`) in its transaction; after commit
//! the Desk publishes them to in-process subscribers. A consumer that restarts resumes with
//! [`Desk::events_since`](crate::Desk::events_since) from the last sequence it saw.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One committed change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Monotonic sequence number (commit order).
    pub seq: i64,
    /// The tenant the change belongs to.
    pub tenant_id: String,
    /// Event kind, e.g. `ticket.created`, `ticket.commented`, `alarm.raised`, `alarm.cleared`.
    pub kind: String,
    /// Id of the changed object.
    pub entity_id: Option<String>,
    /// True when the event reveals internal content (internal comments): only actors with
    /// `tickets.comments.internal` receive it.
    pub internal: bool,
    /// Kind-specific payload.
    pub payload: serde_json::Value,
    /// Commit time (Desk clock).
    pub at: DateTime<Utc>,
}

impl From<faultdesk_storage::OutboxRow> for Event {
    fn from(r: faultdesk_storage::OutboxRow) -> Self {
        Event {
            seq: r.seq,
            tenant_id: r.tenant_id,
            kind: r.kind,
            entity_id: r.entity_id,
            internal: r.internal,
            payload: r.payload,
            at: r.created_at,
        }
    }
}

/// Which events a subscriber wants.
///
/// `kinds` are patterns: an exact kind (`ticket.created`), a prefix wildcard (`ticket.*`) or
/// `*`. An empty list means every kind.
///
/// ```
/// use faultdesk::EventFilter;
/// let f = EventFilter::kinds(["ticket.*"]);
/// assert!(f.matches_kind("ticket.created"));
/// assert!(!f.matches_kind("alarm.raised"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Kind patterns; empty = all.
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl EventFilter {
    /// A filter on kind patterns.
    pub fn kinds<I, S>(kinds: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        EventFilter {
            kinds: kinds.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether `kind` matches one of the patterns.
    pub fn matches_kind(&self, kind: &str) -> bool {
        self.kinds.is_empty()
            || self.kinds.iter().any(|p| {
                p == "*"
                    || p == kind
                    || p.strip_suffix('*')
                        .is_some_and(|prefix| kind.starts_with(prefix))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_patterns() {
        let f = EventFilter::kinds(["ticket.*", "alarm.cleared"]);
        assert!(f.matches_kind("ticket.commented"));
        assert!(f.matches_kind("alarm.cleared"));
        assert!(!f.matches_kind("alarm.raised"));
        assert!(EventFilter::default().matches_kind("anything"));
        assert!(EventFilter::kinds(["*"]).matches_kind("x"));
    }
}
