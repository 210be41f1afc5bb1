//! Conversion between the pure [`fault_core::Alarm`] and the storage [`AlarmRow`].
//!
//! The `alarms` table keeps every field other programs query as a plain column. The fields only
//! faultdesk needs to rebuild the alarm exactly (the severity it had while raised, the status it
//! returns to after suppression, child and flap counts, who cleared it, labels, the event type
//! and the raw payload) live in the row's `metadata` JSON under these keys:
//! `event_type`, `raised_severity`, `status_before_suppression`, `child_count`, `flap_count`,
//! `cleared_by`, `labels`, `raw_payload`. Other keys a host put in `metadata` are preserved by
//! [`alarm_to_row_keeping`].

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use fault_core::{Alarm, AlarmStatus, Severity};
use faultdesk_storage::AlarmRow;
use serde_json::{Map, Value};

/// Metadata keys owned by this conversion.
const OWN_KEYS: [&str; 8] = [
    "event_type",
    "raised_severity",
    "status_before_suppression",
    "child_count",
    "flap_count",
    "cleared_by",
    "labels",
    "raw_payload",
];

/// Rebuilds the alarm stored in `row`. A value that cannot be parsed (a hand-edited severity,
/// status or source) is a Storage error naming the alarm and the column.
pub(crate) fn alarm_from_row(row: &AlarmRow) -> Result<Alarm> {
    let corrupt = |what: &str, v: &str| {
        Error::storage(format!(
            "alarm {} has an invalid stored {what} '{v}'",
            row.id
        ))
    };
    let severity: Severity = row
        .severity
        .parse()
        .map_err(|_| corrupt("severity", &row.severity))?;
    let status: AlarmStatus = row
        .status
        .parse()
        .map_err(|_| corrupt("status", &row.status))?;
    let source = row
        .source
        .parse()
        .map_err(|_| corrupt("source", &row.source))?;
    let meta = &row.metadata;
    let meta_str = |k: &str| meta.get(k).and_then(Value::as_str);
    let meta_u32 = |k: &str| {
        meta.get(k)
            .and_then(Value::as_u64)
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
            .unwrap_or(0)
    };
    let raised_severity = if severity == Severity::Cleared {
        meta_str("raised_severity")
            .and_then(|s| s.parse::<Severity>().ok())
            .filter(|s| *s != Severity::Cleared)
            .unwrap_or(Severity::Info)
    } else {
        severity
    };
    let status_before_suppression = if status == AlarmStatus::Suppressed {
        meta_str("status_before_suppression").and_then(|s| s.parse::<AlarmStatus>().ok())
    } else {
        None
    };
    let labels = meta
        .get("labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Ok(Alarm {
        id: row.id,
        tenant_id: row.tenant_id.clone(),
        reduction_key: row.reduction_key.clone(),
        external_alarm_id: row.external_alarm_id.clone(),
        severity,
        raised_severity,
        status,
        status_before_suppression,
        source,
        alarm_type: row.alarm_type.clone(),
        event_type: meta_str("event_type")
            .unwrap_or(&row.alarm_type)
            .to_string(),
        title: row.title.clone(),
        description: row.description.clone(),
        probable_cause: row.probable_cause.clone(),
        recommended_action: row.recommended_action.clone(),
        resource_type: row.resource_type.clone(),
        resource_id: row.resource_id.clone(),
        resource_name: row.resource_name.clone(),
        customer_id: row.customer_id.clone(),
        customer_name: row.customer_name.clone(),
        subscriber_count: u32::try_from(row.subscriber_count.max(0)).unwrap_or(u32::MAX),
        parent_alarm_id: row.parent_alarm_id,
        child_count: meta_u32("child_count"),
        is_root_cause: row.is_root_cause,
        correlation_id: row.correlation_id,
        first_occurrence: row.first_occurrence,
        last_occurrence: row.last_occurrence,
        occurrence_count: u32::try_from(row.occurrence_count.max(0)).unwrap_or(u32::MAX),
        is_flapping: row.is_flapping,
        flap_count: meta_u32("flap_count"),
        acknowledged_at: row.acknowledged_at,
        acknowledged_by: row.acknowledged_by.clone(),
        cleared_at: row.cleared_at,
        cleared_by: meta_str("cleared_by").map(str::to_string),
        resolved_at: row.resolved_at,
        resolved_by: row.resolved_by.clone(),
        assigned_to: row.assigned_to.clone(),
        ticket_id: row.ticket_id,
        labels,
        raw_payload: meta.get("raw_payload").cloned().unwrap_or(Value::Null),
    })
}

/// The row for `alarm`. `suppression_reason` is the plain column explaining a suppressed
/// status (`maintenance`, `correlated`, `flapping`, `rule`); it is dropped when the alarm is not
/// suppressed. `created_at`/`updated_at` are the row timestamps.
pub(crate) fn alarm_to_row(
    alarm: &Alarm,
    suppression_reason: Option<&str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> AlarmRow {
    alarm_to_row_keeping(alarm, suppression_reason, created_at, updated_at, None)
}

/// Like [`alarm_to_row`], keeping the metadata keys of `previous` that this conversion does not
/// own (keys a host platform added).
pub(crate) fn alarm_to_row_keeping(
    alarm: &Alarm,
    suppression_reason: Option<&str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    previous: Option<&Value>,
) -> AlarmRow {
    let mut meta = Map::new();
    if let Some(Value::Object(prev)) = previous {
        for (k, v) in prev {
            if !OWN_KEYS.contains(&k.as_str()) {
                meta.insert(k.clone(), v.clone());
            }
        }
    }
    meta.insert("event_type".into(), Value::from(alarm.event_type.as_str()));
    meta.insert(
        "raised_severity".into(),
        Value::from(alarm.raised_severity.as_str()),
    );
    if let Some(s) = alarm.status_before_suppression {
        meta.insert("status_before_suppression".into(), Value::from(s.as_str()));
    }
    if alarm.child_count > 0 {
        meta.insert("child_count".into(), Value::from(alarm.child_count));
    }
    if alarm.flap_count > 0 {
        meta.insert("flap_count".into(), Value::from(alarm.flap_count));
    }
    if let Some(by) = &alarm.cleared_by {
        meta.insert("cleared_by".into(), Value::from(by.as_str()));
    }
    if !alarm.labels.is_empty() {
        meta.insert(
            "labels".into(),
            Value::Object(
                alarm
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect(),
            ),
        );
    }
    if !alarm.raw_payload.is_null() {
        meta.insert("raw_payload".into(), alarm.raw_payload.clone());
    }
    AlarmRow {
        id: alarm.id,
        tenant_id: alarm.tenant_id.clone(),
        external_alarm_id: alarm.external_alarm_id.clone(),
        reduction_key: alarm.reduction_key.clone(),
        alarm_type: alarm.alarm_type.clone(),
        severity: alarm.severity.as_str().to_string(),
        status: alarm.status.as_str().to_string(),
        source: alarm.source.as_str().to_string(),
        title: alarm.title.clone(),
        description: alarm.description.clone(),
        resource_type: alarm.resource_type.clone(),
        resource_id: alarm.resource_id.clone(),
        resource_name: alarm.resource_name.clone(),
        customer_id: alarm.customer_id.clone(),
        customer_name: alarm.customer_name.clone(),
        subscriber_count: i64::from(alarm.subscriber_count),
        correlation_id: alarm.correlation_id,
        parent_alarm_id: alarm.parent_alarm_id,
        is_root_cause: alarm.is_root_cause,
        is_flapping: alarm.is_flapping,
        suppression_reason: if alarm.status == AlarmStatus::Suppressed {
            suppression_reason.map(str::to_string)
        } else {
            None
        },
        probable_cause: alarm.probable_cause.clone(),
        recommended_action: alarm.recommended_action.clone(),
        first_occurrence: alarm.first_occurrence,
        last_occurrence: alarm.last_occurrence,
        occurrence_count: i64::from(alarm.occurrence_count),
        acknowledged_at: alarm.acknowledged_at,
        acknowledged_by: alarm.acknowledged_by.clone(),
        cleared_at: alarm.cleared_at,
        resolved_at: alarm.resolved_at,
        resolved_by: alarm.resolved_by.clone(),
        assigned_to: alarm.assigned_to.clone(),
        ticket_id: alarm.ticket_id,
        metadata: Value::Object(meta),
        created_at,
        updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fault_core::alarm::tests_support::sample;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_every_field() {
        let mut a = sample();
        a.labels.insert("olt".into(), "OLT-01".into());
        a.raw_payload = json!({"trap": "linkDown"});
        a.child_count = 3;
        a.flap_count = 2;
        a.suppress().unwrap();
        let t = a.first_occurrence;
        let row = alarm_to_row(&a, Some("maintenance"), t, t);
        assert_eq!(row.suppression_reason.as_deref(), Some("maintenance"));
        assert_eq!(row.status, "suppressed");
        assert_eq!(alarm_from_row(&row).unwrap(), a);

        a.clear(Some("op-1"), t).unwrap();
        let row = alarm_to_row(&a, Some("maintenance"), t, t);
        assert_eq!(
            row.suppression_reason, None,
            "only suppressed alarms keep a reason"
        );
        assert_eq!(row.severity, "cleared");
        let back = alarm_from_row(&row).unwrap();
        assert_eq!(back.raised_severity, Severity::Critical);
        assert_eq!(back.cleared_by.as_deref(), Some("op-1"));
        assert_eq!(back, a);
    }

    #[test]
    fn host_metadata_is_kept_and_own_keys_replaced() {
        let a = sample();
        let t = a.first_occurrence;
        let prev = json!({"site": "north", "flap_count": 9});
        let row = alarm_to_row_keeping(&a, None, t, t, Some(&prev));
        assert_eq!(row.metadata["site"], "north");
        assert!(row.metadata.get("flap_count").is_none());
    }

    #[test]
    fn corrupt_columns_are_storage_errors() {
        let a = sample();
        let t = a.first_occurrence;
        let mut row = alarm_to_row(&a, None, t, t);
        row.severity = "loud".into();
        let e = alarm_from_row(&row).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Storage);
        assert!(
            e.message().contains("invalid stored severity 'loud'"),
            "{}",
            e.message()
        );
        let mut row = alarm_to_row(&a, None, t, t);
        row.status = "sleeping".into();
        assert!(
            alarm_from_row(&row)
                .unwrap_err()
                .message()
                .contains("status")
        );
    }
}
