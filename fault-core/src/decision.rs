//! What the correlator decided for an event: one [`Decision`] per row the Desk writes.
//!
//! Every decision carries absolute values (counts, statuses, ids), never deltas, so applying one
//! twice is harmless. Decisions are small: a [`Decision::Created`] carries what the correlator
//! decided about the new alarm ([`NewAlarm`]: id, reduction key and its state after the event),
//! not a copy of the event's strings; [`NewAlarm::to_alarm`] / [`NewAlarm::into_alarm`] build
//! the full row from the event that created it. Decisions about the same alarm that follow it
//! for the same event (Correlated, Suppressed, ...) are already reflected in that state and
//! exist so the Desk can write one `alarm_events` row each.

use crate::alarm::{Alarm, AlarmSource, AlarmStatus};
use crate::event::AlarmEvent;
use crate::severity::Severity;
use crate::trigger::TicketTrigger;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// A new alarm as the correlator decided it: its id, reduction key and state after the event
/// that created it. The row's other columns come from that event: see [`NewAlarm::to_alarm`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAlarm {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Reduction key.
    pub reduction_key: String,
    /// Severity.
    pub severity: Severity,
    /// Severity while raised.
    pub raised_severity: Severity,
    /// Status (active, or suppressed).
    pub status: AlarmStatus,
    /// The status it returns to when un-suppressed (set while suppressed).
    pub status_before_suppression: Option<AlarmStatus>,
    /// Source.
    pub source: AlarmSource,
    /// Parent (root cause) alarm.
    pub parent_alarm_id: Option<Uuid>,
    /// Children correlated to it (when it adopted children that arrived first).
    pub child_count: u32,
    /// Root cause flag.
    pub is_root_cause: bool,
    /// Correlation id.
    pub correlation_id: Option<Uuid>,
    /// First occurrence (the creating event's `occurred_at`).
    pub first_occurrence: DateTime<Utc>,
    /// Occurrences (1).
    pub occurrence_count: u32,
    /// Flapping flag.
    pub is_flapping: bool,
    /// Raise/clear cycles of its key inside the flapping window.
    pub flap_count: u32,
}

impl NewAlarm {
    /// The full alarm row, from `event` (the event that created the alarm) and this state.
    /// The alarm type is the event's (or its event type); the title defaults to
    /// `"{alarm_type} on {resource name or id}"`.
    ///
    /// ```
    /// use fault_core::correlator::{Correlator, CorrelatorConfig};
    /// use fault_core::decision::Decision;
    /// use fault_core::event::AlarmEvent;
    /// use chrono::{TimeZone, Utc};
    ///
    /// let mut c = Correlator::new(CorrelatorConfig::default()).unwrap();
    /// let t = Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap();
    /// let e = AlarmEvent::new("t1", "device.down", "olt", "olt-1", t);
    /// let d = c.ingest(&e, t).unwrap();
    /// let Decision::Created { alarm } = &d[0] else { panic!("a new alarm") };
    /// let row = alarm.to_alarm(&e);
    /// assert_eq!(row.id, alarm.id);
    /// assert_eq!(row.title, "device.down on olt-1");
    /// assert_eq!(row.reduction_key, "t1|network_device|device.down|olt|olt-1");
    /// ```
    pub fn to_alarm(&self, event: &AlarmEvent) -> Alarm {
        self.clone().into_alarm(event.clone())
    }

    /// [`NewAlarm::to_alarm`], taking the event's strings instead of copying them.
    pub fn into_alarm(self, e: AlarmEvent) -> Alarm {
        let alarm_type = e.alarm_type.unwrap_or_else(|| e.event_type.clone());
        let title = e.title.unwrap_or_else(|| {
            match e.resource_name.as_deref().or(e.resource_id.as_deref()) {
                Some(r) => format!("{alarm_type} on {r}"),
                None => alarm_type.clone(),
            }
        });
        Alarm {
            id: self.id,
            tenant_id: e.tenant_id,
            reduction_key: self.reduction_key,
            external_alarm_id: e.external_alarm_id,
            severity: self.severity,
            raised_severity: self.raised_severity,
            status: self.status,
            status_before_suppression: self.status_before_suppression,
            source: self.source,
            alarm_type,
            event_type: e.event_type,
            title,
            description: e.description,
            probable_cause: e.probable_cause,
            recommended_action: e.recommended_action,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            resource_name: e.resource_name,
            customer_id: e.customer_id,
            customer_name: e.customer_name,
            subscriber_count: e.subscriber_count,
            parent_alarm_id: self.parent_alarm_id,
            child_count: self.child_count,
            is_root_cause: self.is_root_cause,
            correlation_id: self.correlation_id,
            first_occurrence: self.first_occurrence,
            last_occurrence: self.first_occurrence,
            occurrence_count: self.occurrence_count,
            is_flapping: self.is_flapping,
            flap_count: self.flap_count,
            acknowledged_at: None,
            acknowledged_by: None,
            cleared_at: None,
            cleared_by: None,
            resolved_at: None,
            resolved_by: None,
            assigned_to: None,
            ticket_id: None,
            labels: e.labels,
            raw_payload: e.raw,
        }
    }
}

/// Why an alarm is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuppressionReason {
    /// Raised inside a maintenance window.
    Maintenance {
        /// The window.
        window_id: Uuid,
    },
    /// A suppression rule matched.
    Rule {
        /// Rule id (or name).
        rule: Arc<str>,
    },
}

/// Why an alarm was un-suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnsuppressionReason {
    /// Its maintenance window ended or was cancelled.
    MaintenanceEnded {
        /// The window.
        window_id: Uuid,
    },
    /// Its parent cleared or was resolved and no other parent matched.
    ParentCleared {
        /// The former parent (still recorded as `parent_alarm_id`).
        parent_id: Uuid,
    },
}

/// One decision of the correlator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// A new alarm (insert its row: [`NewAlarm::to_alarm`] of the event).
    Created {
        /// The alarm's id, key and state after this event.
        alarm: NewAlarm,
    },
    /// A repeat reduced onto an existing alarm.
    Deduplicated {
        /// The alarm.
        alarm_id: Uuid,
        /// New occurrence count.
        occurrence_count: u32,
        /// New last occurrence.
        last_occurrence: DateTime<Utc>,
        /// Current severity.
        severity: Severity,
        /// True when this event changed the severity.
        severity_changed: bool,
    },
    /// The alarm cleared (by a clear event or an operator) and left the working set.
    Cleared {
        /// The alarm.
        alarm_id: Uuid,
        /// Clear time.
        cleared_at: DateTime<Utc>,
        /// Clearing user (`None`: cleared by an event).
        cleared_by: Option<String>,
        /// Severity it had while raised.
        raised_severity: Severity,
        /// Raise/clear cycles of its key inside the flapping window (1, 2, ...).
        flap_count: u32,
    },
    /// The alarm is flapping: this raise or clear updated it instead of opening/closing alarms.
    Flapping {
        /// The alarm.
        alarm_id: Uuid,
        /// Cycles inside the flapping window.
        flap_count: u32,
        /// Status after this event (`active`/`cleared`/...).
        status: AlarmStatus,
        /// Severity after this event (`cleared` while cleared).
        severity: Severity,
        /// Occurrence count after this event.
        occurrence_count: u32,
        /// Event time.
        at: DateTime<Utc>,
    },
    /// The alarm was quiet for the quiet period and stopped flapping. When `status` is cleared
    /// the alarm left the working set (it is finally cleared).
    FlappingEnded {
        /// The alarm.
        alarm_id: Uuid,
        /// Its status.
        status: AlarmStatus,
    },
    /// The alarm is recorded but suppressed.
    Suppressed {
        /// The alarm.
        alarm_id: Uuid,
        /// Why.
        reason: SuppressionReason,
    },
    /// The alarm returned to the status it had before suppression.
    Unsuppressed {
        /// The alarm.
        alarm_id: Uuid,
        /// The restored status.
        status: AlarmStatus,
        /// Why.
        reason: UnsuppressionReason,
    },
    /// The alarm became the child of a root-cause alarm.
    Correlated {
        /// The child.
        alarm_id: Uuid,
        /// The parent (`parent_alarm_id`).
        parent_id: Uuid,
        /// The shared correlation id (when the rule creates one).
        correlation_id: Option<Uuid>,
        /// The rule.
        rule: Arc<str>,
        /// The child's status after correlation (suppressed when the rule suppresses children).
        status: AlarmStatus,
        /// The parent's `child_count` after this.
        parent_child_count: u32,
    },
    /// The child moved to a better parent (earlier raised), or to another parent after its
    /// parent cleared.
    Reparented {
        /// The child.
        alarm_id: Uuid,
        /// The former parent.
        from_parent_id: Uuid,
        /// The new parent.
        parent_id: Uuid,
        /// The shared correlation id.
        correlation_id: Option<Uuid>,
        /// The rule.
        rule: Arc<str>,
        /// The child's status.
        status: AlarmStatus,
        /// The new parent's `child_count` after this.
        parent_child_count: u32,
    },
    /// The alarm is a root cause (set `is_root_cause`, `correlation_id`).
    RootCause {
        /// The alarm.
        alarm_id: Uuid,
        /// Its correlation id.
        correlation_id: Option<Uuid>,
    },
    /// The alarm joined a time-window group.
    Grouped {
        /// The alarm.
        alarm_id: Uuid,
        /// The group's correlation id.
        correlation_id: Uuid,
        /// The grouping rule.
        rule: Arc<str>,
    },
    /// An escalation rule raised the severity.
    Escalated {
        /// The alarm.
        alarm_id: Uuid,
        /// The rule.
        rule: Arc<str>,
        /// Severity before.
        from: Severity,
        /// Severity after.
        to: Severity,
    },
    /// A ticket should be created for the alarm (at most once per alarm).
    TicketRequested {
        /// The alarm.
        alarm_id: Uuid,
        /// Why.
        trigger: TicketTrigger,
    },
    /// An operator acknowledged the alarm.
    Acknowledged {
        /// The alarm.
        alarm_id: Uuid,
        /// Status after (acknowledged, or still suppressed).
        status: AlarmStatus,
        /// User.
        by: String,
        /// Time.
        at: DateTime<Utc>,
    },
    /// An operator resolved the alarm; it left the working set.
    Resolved {
        /// The alarm.
        alarm_id: Uuid,
        /// User.
        by: String,
        /// Time.
        at: DateTime<Utc>,
    },
}

impl Decision {
    /// The decision as JSON, as it serializes, except that a [`Decision::Created`] decided for
    /// `event` carries the full alarm row ([`NewAlarm::to_alarm`]) instead of the compact
    /// state: what a reader without the event at hand (a binding's caller) needs. `event` is
    /// the event the decision was decided for (`None` for timers and operator actions).
    ///
    /// ```
    /// use fault_core::correlator::{Correlator, CorrelatorConfig};
    /// use fault_core::event::AlarmEvent;
    /// use chrono::{TimeZone, Utc};
    ///
    /// let mut c = Correlator::new(CorrelatorConfig::default()).unwrap();
    /// let t = Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap();
    /// let e = AlarmEvent::new("t1", "device.down", "olt", "olt-1", t);
    /// let d = c.ingest(&e, t).unwrap();
    /// let v = d[0].to_json_with_event(Some(&e)).unwrap();
    /// assert_eq!(v["decision"], "created");
    /// assert_eq!(v["alarm"]["title"], "device.down on olt-1");
    /// assert_eq!(v["alarm"]["resource_id"], "olt-1");
    /// ```
    pub fn to_json_with_event(
        &self,
        event: Option<&AlarmEvent>,
    ) -> serde_json::Result<serde_json::Value> {
        #[derive(Serialize)]
        struct CreatedRow {
            decision: &'static str,
            alarm: Alarm,
        }
        match (self, event) {
            (Decision::Created { alarm }, Some(e)) => serde_json::to_value(CreatedRow {
                decision: "created",
                alarm: alarm.to_alarm(e),
            }),
            _ => serde_json::to_value(self),
        }
    }

    /// The alarm the decision is about.
    pub fn alarm_id(&self) -> Uuid {
        match self {
            Decision::Created { alarm } => alarm.id,
            Decision::Deduplicated { alarm_id, .. }
            | Decision::Cleared { alarm_id, .. }
            | Decision::Flapping { alarm_id, .. }
            | Decision::FlappingEnded { alarm_id, .. }
            | Decision::Suppressed { alarm_id, .. }
            | Decision::Unsuppressed { alarm_id, .. }
            | Decision::Correlated { alarm_id, .. }
            | Decision::Reparented { alarm_id, .. }
            | Decision::RootCause { alarm_id, .. }
            | Decision::Grouped { alarm_id, .. }
            | Decision::Escalated { alarm_id, .. }
            | Decision::TicketRequested { alarm_id, .. }
            | Decision::Acknowledged { alarm_id, .. }
            | Decision::Resolved { alarm_id, .. } => *alarm_id,
        }
    }

    /// A short name (`created`, `deduplicated`, ...), as used for `alarm_events.event_type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::Created { .. } => "created",
            Decision::Deduplicated { .. } => "deduplicated",
            Decision::Cleared { .. } => "cleared",
            Decision::Flapping { .. } => "flapping",
            Decision::FlappingEnded { .. } => "flapping_ended",
            Decision::Suppressed { .. } => "suppressed",
            Decision::Unsuppressed { .. } => "unsuppressed",
            Decision::Correlated { .. } => "correlated",
            Decision::Reparented { .. } => "reparented",
            Decision::RootCause { .. } => "root_cause",
            Decision::Grouped { .. } => "grouped",
            Decision::Escalated { .. } => "escalated",
            Decision::TicketRequested { .. } => "ticket_requested",
            Decision::Acknowledged { .. } => "acknowledged",
            Decision::Resolved { .. } => "resolved",
        }
    }
}
