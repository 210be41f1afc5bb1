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
            let secs = (now - a.first_occurrence).num_milliseconds() as f64 / 1000.0;
            let age = (secs / 60.0 * 10.0).round() / 10.0;
            let shown = a
                .external_alarm_id
                .clone()
                .unwrap_or_else(|| a.id.to_string());
            UnacknowledgedFinding {
                event: UNACKNOWLEDGED_EVENT.to_string(),
                alarm_id: a.id,
                external_alarm_id: a.external_alarm_id.clone(),
                severity: a.severity,
                age_minutes: age,
                message: format!("Alarm {shown} requires manual ticket creation"),
            }
        })
        .collect()
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
