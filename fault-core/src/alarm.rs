//! The alarm model (seed 002) and its checked lifecycle transitions.

use crate::error::{Error, Result};
use crate::severity::Severity;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Lifecycle status of an alarm (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmStatus {
    /// Raised and not yet acknowledged.
    Active,
    /// Raised and acknowledged by an operator.
    Acknowledged,
    /// The condition cleared.
    Cleared,
    /// Closed by an operator.
    Resolved,
    /// Recorded but hidden (maintenance window, suppression rule, or correlated child).
    Suppressed,
}

impl AlarmStatus {
    /// All statuses.
    pub const ALL: [AlarmStatus; 5] = [
        AlarmStatus::Active,
        AlarmStatus::Acknowledged,
        AlarmStatus::Cleared,
        AlarmStatus::Resolved,
        AlarmStatus::Suppressed,
    ];

    /// Snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmStatus::Active => "active",
            AlarmStatus::Acknowledged => "acknowledged",
            AlarmStatus::Cleared => "cleared",
            AlarmStatus::Resolved => "resolved",
            AlarmStatus::Suppressed => "suppressed",
        }
    }

    /// True for statuses in which the condition is still raised (active, acknowledged, suppressed).
    pub fn is_raised(self) -> bool {
        matches!(
            self,
            AlarmStatus::Active | AlarmStatus::Acknowledged | AlarmStatus::Suppressed
        )
    }
}

impl fmt::Display for AlarmStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlarmStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        AlarmStatus::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::validation(format!(
                    "Invalid alarm status '{s}'. Accepted values: active, acknowledged, cleared, resolved, suppressed"
                ))
            })
    }
}

/// Where an alarm comes from (seed 002).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum AlarmSource {
    /// A network element (OLT, router, switch).
    NetworkDevice,
    /// A monitoring system.
    Monitoring,
    /// Customer premises equipment (ONT, router at the customer).
    Cpe,
    /// A service (internet, voice, IPTV).
    Service,
    /// faultdesk itself or an unknown origin.
    #[default]
    System,
}

impl AlarmSource {
    /// All sources.
    pub const ALL: [AlarmSource; 5] = [
        AlarmSource::NetworkDevice,
        AlarmSource::Monitoring,
        AlarmSource::Cpe,
        AlarmSource::Service,
        AlarmSource::System,
    ];

    /// Snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmSource::NetworkDevice => "network_device",
            AlarmSource::Monitoring => "monitoring",
            AlarmSource::Cpe => "cpe",
            AlarmSource::Service => "service",
            AlarmSource::System => "system",
        }
    }
}

impl fmt::Display for AlarmSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlarmSource {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        AlarmSource::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::validation(format!(
                    "Invalid alarm source '{s}'. Accepted values: network_device, monitoring, cpe, service, system"
                ))
            })
    }
}

/// An alarm (seed 002's model). This is the persisted row; the correlator keeps a compact copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// UUID v7.
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: String,
    /// De-duplication key (see [`crate::correlator`]: `tenant|source|alarm_type|resource_type|resource_id` or a rule template).
    pub reduction_key: String,
    /// Id in the emitting system.
    pub external_alarm_id: Option<String>,
    /// Current severity (`Cleared` once cleared).
    pub severity: Severity,
    /// The severity the alarm last had while raised (decides a ticket's default priority).
    pub raised_severity: Severity,
    /// Lifecycle status.
    pub status: AlarmStatus,
    /// The status to return to when un-suppressed (only meaningful while `Suppressed`).
    pub status_before_suppression: Option<AlarmStatus>,
    /// Origin.
    pub source: AlarmSource,
    /// Alarm type (`device.down`, `signal.loss`).
    pub alarm_type: String,
    /// The event type that raised it.
    pub event_type: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Probable cause.
    pub probable_cause: Option<String>,
    /// Recommended action.
    pub recommended_action: Option<String>,
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Resource name.
    pub resource_name: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Affected subscribers.
    pub subscriber_count: u32,
    /// The root-cause alarm this one was correlated to (kept as history after the parent clears).
    pub parent_alarm_id: Option<Uuid>,
    /// How many alarms were ever correlated to this one as children.
    pub child_count: u32,
    /// True once this alarm explained at least one child.
    pub is_root_cause: bool,
    /// Shared by alarms of one correlation group.
    pub correlation_id: Option<Uuid>,
    /// First occurrence.
    pub first_occurrence: DateTime<Utc>,
    /// Last occurrence.
    pub last_occurrence: DateTime<Utc>,
    /// Number of raise events reduced onto this alarm.
    pub occurrence_count: u32,
    /// Flapping flag.
    pub is_flapping: bool,
    /// Raise/clear cycles of this alarm's key inside the flapping window.
    pub flap_count: u32,
    /// Acknowledgement time.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Acknowledging user.
    pub acknowledged_by: Option<String>,
    /// Clear time.
    pub cleared_at: Option<DateTime<Utc>>,
    /// Clearing user (`None` when cleared by an event).
    pub cleared_by: Option<String>,
    /// Resolution time.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Resolving user.
    pub resolved_by: Option<String>,
    /// Assignee.
    pub assigned_to: Option<String>,
    /// Linked ticket.
    pub ticket_id: Option<Uuid>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Raw payload of the raising event.
    pub raw_payload: serde_json::Value,
}

/// An investigation note on an alarm (seed 002's AlarmNote).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmNote {
    /// Note id (chosen by the caller).
    pub id: Uuid,
    /// The alarm.
    pub alarm_id: Uuid,
    /// Author user id.
    pub author: String,
    /// Text (non-empty).
    pub text: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl Alarm {
    fn invalid(&self, action: &'static str) -> Error {
        Error::InvalidTransition {
            alarm_id: self.id,
            action,
            status: self.status.as_str(),
        }
    }

    /// Acknowledge: Active -> Acknowledged (a suppressed alarm stays suppressed and will return as
    /// acknowledged). Cleared, resolved or already acknowledged alarms are rejected.
    ///
    /// ```
    /// # use fault_core::alarm::*;
    /// # let mut a = fault_core::alarm::tests_support::sample();
    /// let now = a.first_occurrence;
    /// a.resolve("ops", now).unwrap();
    /// let e = a.acknowledge("ops", now).unwrap_err();
    /// assert!(e.to_string().contains("Cannot acknowledge alarm"));
    /// ```
    pub fn acknowledge(&mut self, user: &str, now: DateTime<Utc>) -> Result<()> {
        match self.status {
            AlarmStatus::Active => self.status = AlarmStatus::Acknowledged,
            AlarmStatus::Suppressed
                if self.status_before_suppression != Some(AlarmStatus::Acknowledged) =>
            {
                self.status_before_suppression = Some(AlarmStatus::Acknowledged)
            }
            _ => return Err(self.invalid("acknowledge")),
        }
        self.acknowledged_at = Some(now);
        self.acknowledged_by = Some(user.to_string());
        Ok(())
    }

    /// Clear: any raised status -> Cleared; severity becomes `Cleared`, `raised_severity` is kept.
    pub fn clear(&mut self, user: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        if !self.status.is_raised() {
            return Err(self.invalid("clear"));
        }
        if self.severity != Severity::Cleared {
            self.raised_severity = self.severity;
        }
        self.severity = Severity::Cleared;
        self.status = AlarmStatus::Cleared;
        self.status_before_suppression = None;
        self.cleared_at = Some(now);
        self.cleared_by = user.map(str::to_string);
        Ok(())
    }

    /// Resolve: any status except Resolved -> Resolved.
    pub fn resolve(&mut self, user: &str, now: DateTime<Utc>) -> Result<()> {
        if self.status == AlarmStatus::Resolved {
            return Err(self.invalid("resolve"));
        }
        if self.severity != Severity::Cleared {
            self.raised_severity = self.severity;
        }
        self.status = AlarmStatus::Resolved;
        self.status_before_suppression = None;
        self.resolved_at = Some(now);
        self.resolved_by = Some(user.to_string());
        Ok(())
    }

    /// Suppress: Active or Acknowledged -> Suppressed, remembering the status to return to.
    pub fn suppress(&mut self) -> Result<()> {
        match self.status {
            AlarmStatus::Active | AlarmStatus::Acknowledged => {
                self.status_before_suppression = Some(self.status);
                self.status = AlarmStatus::Suppressed;
                Ok(())
            }
            _ => Err(self.invalid("suppress")),
        }
    }

    /// Un-suppress: Suppressed -> the status it had before.
    pub fn unsuppress(&mut self) -> Result<()> {
        if self.status != AlarmStatus::Suppressed {
            return Err(self.invalid("unsuppress"));
        }
        self.status = self
            .status_before_suppression
            .take()
            .unwrap_or(AlarmStatus::Active);
        Ok(())
    }

    /// Assign to a user; a resolved alarm cannot be assigned.
    pub fn assign(&mut self, user: &str) -> Result<()> {
        if self.status == AlarmStatus::Resolved {
            return Err(self.invalid("assign"));
        }
        if user.trim().is_empty() {
            return Err(Error::validation("Assignee must not be empty"));
        }
        self.assigned_to = Some(user.to_string());
        Ok(())
    }

    /// Create a note (any status; notes document post-incident work too). Empty text is rejected.
    pub fn add_note(
        &self,
        id: Uuid,
        author: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<AlarmNote> {
        if text.trim().is_empty() {
            return Err(Error::validation("Note text must not be empty"));
        }
        Ok(AlarmNote {
            id,
            alarm_id: self.id,
            author: author.to_string(),
            text: text.to_string(),
            created_at: now,
        })
    }

    /// Link a ticket; an alarm with a ticket cannot get another (seed 000's text).
    pub fn link_ticket(&mut self, ticket_id: Uuid) -> Result<()> {
        if let Some(t) = self.ticket_id {
            return Err(Error::already_has_ticket(self.id, t));
        }
        self.ticket_id = Some(ticket_id);
        Ok(())
    }

    /// The severity the alarm last had while raised.
    pub fn effective_severity(&self) -> Severity {
        if self.severity == Severity::Cleared {
            self.raised_severity
        } else {
            self.severity
        }
    }
}

/// Helpers for doc examples and tests (a ready-made alarm).
#[doc(hidden)]
pub mod tests_support {
    use super::*;
    use chrono::TimeZone;

    /// A critical OLT alarm raised at 2026-01-14T10:00:00Z.
    pub fn sample() -> Alarm {
        let t = Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap();
        Alarm {
            id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
            tenant_id: "tenant-123".into(),
            reduction_key: "tenant-123|network_device|device.down|olt|olt-001".into(),
            external_alarm_id: Some("ALM-2024-001234".into()),
            severity: Severity::Critical,
            raised_severity: Severity::Critical,
            status: AlarmStatus::Active,
            status_before_suppression: None,
            source: AlarmSource::NetworkDevice,
            alarm_type: "device.down".into(),
            event_type: "device.down".into(),
            title: "OLT-01 Unreachable".into(),
            description: Some("Device failed to respond to SNMP polls".into()),
            probable_cause: Some("Network connectivity issue or device failure".into()),
            recommended_action: Some("Check physical connections and device power".into()),
            resource_type: Some("olt".into()),
            resource_id: Some("olt-001".into()),
            resource_name: Some("OLT-01 Main Street".into()),
            customer_id: None,
            customer_name: None,
            subscriber_count: 150,
            parent_alarm_id: None,
            child_count: 0,
            is_root_cause: false,
            correlation_id: None,
            first_occurrence: t,
            last_occurrence: t,
            occurrence_count: 1,
            is_flapping: false,
            flap_count: 0,
            acknowledged_at: None,
            acknowledged_by: None,
            cleared_at: None,
            cleared_by: None,
            resolved_at: None,
            resolved_by: None,
            assigned_to: None,
            ticket_id: None,
            labels: BTreeMap::new(),
            raw_payload: serde_json::Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::sample;
    use super::*;

    #[test]
    fn ack_then_clear_then_resolve() {
        let mut a = sample();
        let t = a.first_occurrence;
        a.acknowledge("u1", t).unwrap();
        assert_eq!(a.status, AlarmStatus::Acknowledged);
        assert_eq!(a.acknowledged_by.as_deref(), Some("u1"));
        let e = a.acknowledge("u1", t).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Cannot acknowledge alarm {}: alarm is acknowledged", a.id)
        );
        a.clear(None, t).unwrap();
        assert_eq!(a.severity, Severity::Cleared);
        assert_eq!(a.effective_severity(), Severity::Critical);
        assert!(a.clear(None, t).is_err());
        a.resolve("u2", t).unwrap();
        assert!(a.resolve("u2", t).is_err());
    }

    #[test]
    fn resolved_alarm_cannot_be_acknowledged_or_assigned() {
        let mut a = sample();
        let t = a.first_occurrence;
        a.resolve("u", t).unwrap();
        let e = a.acknowledge("u", t).unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidTransition {
                action: "acknowledge",
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            format!("Cannot acknowledge alarm {}: alarm is resolved", a.id)
        );
        assert!(a.assign("bob").is_err());
        // notes are still allowed on a resolved alarm
        assert!(a.add_note(Uuid::nil(), "u", "post-mortem", t).is_ok());
    }

    #[test]
    fn suppress_restores_previous_status_including_ack_made_while_suppressed() {
        let mut a = sample();
        let t = a.first_occurrence;
        a.suppress().unwrap();
        assert!(a.suppress().is_err());
        a.acknowledge("u", t).unwrap();
        assert_eq!(a.status, AlarmStatus::Suppressed);
        a.unsuppress().unwrap();
        assert_eq!(a.status, AlarmStatus::Acknowledged);
        assert!(a.unsuppress().is_err());
    }

    #[test]
    fn notes_and_tickets_validate() {
        let mut a = sample();
        let t = a.first_occurrence;
        assert_eq!(
            a.add_note(Uuid::nil(), "u", "  ", t)
                .unwrap_err()
                .to_string(),
            "Note text must not be empty"
        );
        assert!(a.assign(" ").is_err());
        let tid = Uuid::from_u128(7);
        a.link_ticket(tid).unwrap();
        assert!(
            a.link_ticket(Uuid::from_u128(8))
                .unwrap_err()
                .to_string()
                .ends_with("Please update the existing ticket instead.")
        );
    }

    #[test]
    fn enums_parse_and_serialize() {
        assert_eq!("Cpe".parse::<AlarmSource>().unwrap(), AlarmSource::Cpe);
        assert!("x".parse::<AlarmSource>().is_err());
        assert_eq!(
            serde_json::to_string(&AlarmSource::NetworkDevice).unwrap(),
            "\"network_device\""
        );
        assert_eq!(
            "SUPPRESSED".parse::<AlarmStatus>().unwrap(),
            AlarmStatus::Suppressed
        );
        assert!(
            "open"
                .parse::<AlarmStatus>()
                .unwrap_err()
                .to_string()
                .contains("Accepted")
        );
    }
}
