//! [`AlarmEvent`]: the input of the correlator (a raw trap / check / CPE event already parsed).

use crate::alarm::AlarmSource;
use crate::severity::Severity;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One raw event about a resource. The mapping table turns its `event_type` into a raise or a clear.
///
/// Per the contract decisions: the alarm type is `alarm_type` when given, otherwise the event type;
/// an explicit `severity` always overrides the mapping's; an event type outside the mapping table is
/// accepted as a raise when it carries a `severity`.
///
/// ```
/// use fault_core::event::AlarmEvent;
/// let e: AlarmEvent = serde_json::from_str(r#"{
///     "tenant_id": "t1", "event_type": "device.down", "resource_type": "olt",
///     "resource_id": "olt-1", "occurred_at": "2026-01-14T10:00:00Z"
/// }"#).unwrap();
/// assert_eq!(e.alarm_type(), "device.down");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AlarmEvent {
    /// Tenant owning the alarm.
    pub tenant_id: String,
    /// Event type (`device.down`, `cpe.online`, ...), looked up in the mapping table.
    pub event_type: String,
    /// Explicit alarm type; defaults to the event type.
    pub alarm_type: Option<String>,
    /// Explicit severity; overrides the mapping's.
    pub severity: Option<Severity>,
    /// Explicit source; defaults to the mapping's source, else `system`.
    pub source: Option<AlarmSource>,
    /// Affected resource type (`olt`, `ont`, `device`, ...).
    pub resource_type: Option<String>,
    /// Affected resource id (the node id in the topology).
    pub resource_id: Option<String>,
    /// Human name of the resource.
    pub resource_name: Option<String>,
    /// Affected customer id.
    pub customer_id: Option<String>,
    /// Affected customer name.
    pub customer_name: Option<String>,
    /// Number of affected subscribers.
    pub subscriber_count: u32,
    /// Alarm title; defaults to `"{alarm_type} on {resource name or id}"`.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Probable cause.
    pub probable_cause: Option<String>,
    /// Recommended action.
    pub recommended_action: Option<String>,
    /// Id of the alarm in the emitting system.
    pub external_alarm_id: Option<String>,
    /// Free-form labels (conditions can match `labels.<name>`).
    pub labels: BTreeMap<String, String>,
    /// The raw payload, kept verbatim on the alarm.
    pub raw: serde_json::Value,
    /// When the event happened at the source. All windows are measured on this.
    pub occurred_at: DateTime<Utc>,
}

impl AlarmEvent {
    /// A minimal event (tenant, type, resource, time); fill the rest with the builder methods.
    pub fn new(
        tenant_id: impl Into<String>,
        event_type: impl Into<String>,
        resource_type: impl Into<String>,
        resource_id: impl Into<String>,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        AlarmEvent {
            tenant_id: tenant_id.into(),
            event_type: event_type.into(),
            resource_type: Some(resource_type.into()),
            resource_id: Some(resource_id.into()),
            occurred_at,
            ..Default::default()
        }
    }

    /// The alarm type: explicit `alarm_type` or the event type.
    pub fn alarm_type(&self) -> &str {
        self.alarm_type.as_deref().unwrap_or(&self.event_type)
    }

    /// Builder: set the alarm type.
    pub fn with_alarm_type(mut self, t: impl Into<String>) -> Self {
        self.alarm_type = Some(t.into());
        self
    }

    /// Builder: set the severity.
    pub fn with_severity(mut self, s: Severity) -> Self {
        self.severity = Some(s);
        self
    }

    /// Builder: set the source.
    pub fn with_source(mut self, s: AlarmSource) -> Self {
        self.source = Some(s);
        self
    }

    /// Builder: set the customer.
    pub fn with_customer(mut self, id: impl Into<String>, name: Option<String>) -> Self {
        self.customer_id = Some(id.into());
        self.customer_name = name;
        self
    }

    /// Builder: set the subscriber count.
    pub fn with_subscribers(mut self, n: u32) -> Self {
        self.subscriber_count = n;
        self
    }

    /// Builder: set the title.
    pub fn with_title(mut self, t: impl Into<String>) -> Self {
        self.title = Some(t.into());
        self
    }

    /// Builder: add a label.
    pub fn with_label(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.labels.insert(k.into(), v.into());
        self
    }

    /// Builder: set the external alarm id.
    pub fn with_external_id(mut self, id: impl Into<String>) -> Self {
        self.external_alarm_id = Some(id.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_with_defaults_and_rejects_naive_time() {
        let e: AlarmEvent = serde_json::from_str(
            r#"{"tenant_id":"t","event_type":"cpe.signal_loss","alarm_type":"signal.loss",
                "severity":"Major","labels":{"pon":"1/1"},"occurred_at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(e.alarm_type(), "signal.loss");
        assert_eq!(e.severity, Some(Severity::Major));
        assert_eq!(e.labels["pon"], "1/1");
        assert_eq!(e.subscriber_count, 0);
        assert!(
            serde_json::from_str::<AlarmEvent>(
                r#"{"tenant_id":"t","event_type":"x","occurred_at":"2026-01-01T00:00:00"}"#
            )
            .is_err()
        );
    }
}
