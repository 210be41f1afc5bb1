//! What the correlator decided for an event: one [`Decision`] per row the Desk writes.
//!
//! Every decision carries absolute values (counts, statuses, ids), never deltas, so applying one
//! twice is harmless. A [`Decision::Created`] carries the full alarm row in its final state for
//! this event; decisions about the same alarm that follow it in the same batch (Correlated,
//! Suppressed, ...) are already reflected in that row and exist so the Desk can write one
//! `alarm_events` row each.

use crate::alarm::{Alarm, AlarmStatus};
use crate::severity::Severity;
use crate::trigger::TicketTrigger;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

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
    /// A new alarm (insert this row).
    Created {
        /// The alarm, in its final state after this event.
        alarm: Box<Alarm>,
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
