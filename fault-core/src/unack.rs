//! Seed 000's unacknowledged-alarm check: critical or major alarms, Active, older than 15 minutes,
//! without a ticket, produce a finding for the event `alarm.unacknowledged.manual_action_required`.

use crate::alarm::{Alarm, AlarmStatus};
use crate::severity::Severity;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The structured-log event name (seed 000).
pub const UNACKNOWLEDGED_EVENT: &str = "alarm.unacknowledged.manual_action_required";

/// Seed 000's age threshold: 15 minutes.
pub const DEFAULT_UNACK_THRESHOLD_MINUTES: i64 = 15;

/// One alarm that needs a human (seed 000's log record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnacknowledgedFinding {
    /// Always [`UNACKNOWLEDGED_EVENT`].
    pub event: String,
    /// Internal alarm id.
    pub alarm_id: Uuid,
    /// External alarm id, if any.
    pub external_alarm_id: Option<String>,
    /// Severity (`critical` / `major`).
    pub severity: Severity,
    /// Age in minutes, one decimal (e.g. 23.5).
    pub age_minutes: f64,
    /// `Alarm {external_alarm_id or id} requires manual ticket creation`.
    pub message: String,
}

/// Findings for the alarms that are critical or major, Active, strictly older than `threshold`
/// (measured from first occurrence to `now`) and have no ticket, in input order.
///
/// ```
/// use fault_core::unack::*;
/// let mut a = fault_core::alarm::tests_support::sample();
/// let now = a.first_occurrence + chrono::Duration::seconds(23 * 60 + 30);
/// let f = check_unacknowledged([&a], now, chrono::Duration::minutes(15));
/// assert_eq!(f[0].age_minutes, 23.5);
/// assert_eq!(f[0].message, "Alarm ALM-2024-001234 requires manual ticket creation");
/// ```
pub fn check_unacknowledged<'a>(
    alarms: impl IntoIterator<Item = &'a Alarm>,
    now: DateTime<Utc>,
    threshold: Duration,
) -> Vec<UnacknowledgedFinding> {
    alarms
        .into_iter()
        .filter(|a| {
            matches!(a.severity, Severity::Critical | Severity::Major)
                && a.status == AlarmStatus::Active
                && a.ticket_id.is_none()
                && now - a.first_occurrence > threshold
        })
        .map(|a| {
            finding(
                a.id,
                a.external_alarm_id.clone(),
                a.severity,
                a.first_occurrence,
                now,
            )
        })
        .collect()
}

/// The finding for one alarm that the check selected: its age at `now` in minutes rounded to
/// one decimal, and seed 000's message naming the external alarm id (or the alarm id when
/// there is none). For callers that select the alarms themselves (the Desk reads only these
/// columns from storage) and so apply [`check_unacknowledged`]'s filter on their side.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use fault_core::Severity;
/// use fault_core::unack::finding;
/// let raised = Utc.with_ymd_and_hms(2026, 5, 1, 10, 0, 0).unwrap();
/// let f = finding(uuid::Uuid::nil(), Some("ALM-7".into()), Severity::Major, raised,
///                 raised + Duration::seconds(20 * 60 + 6));
/// assert_eq!(f.age_minutes, 20.1);
/// assert_eq!(f.message, "Alarm ALM-7 requires manual ticket creation");
/// ```
pub fn finding(
    alarm_id: Uuid,
    external_alarm_id: Option<String>,
    severity: Severity,
    first_occurrence: DateTime<Utc>,
    now: DateTime<Utc>,
) -> UnacknowledgedFinding {
    let secs = (now - first_occurrence).num_milliseconds() as f64 / 1000.0;
    let age = (secs / 60.0 * 10.0).round() / 10.0;
    let message = match &external_alarm_id {
        Some(ext) => format!("Alarm {ext} requires manual ticket creation"),
        None => format!("Alarm {alarm_id} requires manual ticket creation"),
    };
    UnacknowledgedFinding {
        event: UNACKNOWLEDGED_EVENT.to_string(),
        alarm_id,
        external_alarm_id,
        severity,
        age_minutes: age,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::tests_support::sample;

    #[test]
    fn filters_exactly_as_seed_000() {
        let base = sample();
        let t0 = base.first_occurrence;
        let th = Duration::minutes(DEFAULT_UNACK_THRESHOLD_MINUTES);
        let mut major_no_ext = sample();
        major_no_ext.id = Uuid::from_u128(2);
        major_no_ext.severity = Severity::Major;
        major_no_ext.external_alarm_id = None;
        let mut minor = sample();
        minor.severity = Severity::Minor;
        let mut acked = sample();
        acked.status = AlarmStatus::Acknowledged;
        let mut ticketed = sample();
        ticketed.ticket_id = Some(Uuid::from_u128(9));
        let all = [base.clone(), major_no_ext.clone(), minor, acked, ticketed];
        // exactly 15 minutes is not "older than 15 minutes"
        assert!(check_unacknowledged(&all, t0 + th, th).is_empty());
        let f = check_unacknowledged(&all, t0 + th + Duration::seconds(6), th);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].event, "alarm.unacknowledged.manual_action_required");
        assert_eq!(f[0].external_alarm_id.as_deref(), Some("ALM-2024-001234"));
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].age_minutes, 15.1);
        assert_eq!(
            f[1].message,
            format!("Alarm {} requires manual ticket creation", major_no_ext.id)
        );
        let j = serde_json::to_value(&f[0]).unwrap();
        assert_eq!(j["severity"], "critical");
        assert_eq!(j["age_minutes"], 15.1);
    }
}
