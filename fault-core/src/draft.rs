//! Alarm -> ticket draft (seed 000, exact): subject, markdown body, metadata, type and priority.

use crate::alarm::Alarm;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use ticket_core::{Priority, TicketType};
use uuid::Uuid;

/// The operator's request (seed 000's request body).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketFromAlarmRequest {
    /// Explicit priority; otherwise mapped from the alarm's severity.
    pub priority: Option<Priority>,
    /// Extra context (the "Additional Notes" section).
    pub additional_notes: Option<String>,
    /// Assignee user id.
    pub assign_to_user_id: Option<String>,
}

/// What the ticket layer needs to create the ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDraft {
    /// The alarm.
    pub alarm_id: Uuid,
    /// `[ALARM] {title}`.
    pub subject: String,
    /// Markdown body.
    pub body: String,
    /// Outage / maintenance / fault.
    pub ticket_type: TicketType,
    /// Priority.
    pub priority: Priority,
    /// Seed 000's metadata (+ `correlation_id`, `affected_subscribers` when present).
    pub metadata: Value,
    /// Customer id of the alarm.
    pub customer_id: Option<String>,
    /// Assignee.
    pub assignee: Option<String>,
}

/// Seed 000's type mapping by alarm-type substring.
pub fn ticket_type_for(alarm_type: &str) -> TicketType {
    let t = alarm_type.to_ascii_lowercase();
    if t.contains("outage") {
        TicketType::Outage
    } else if t.contains("maintenance") {
        TicketType::Maintenance
    } else {
        TicketType::Fault
    }
}

/// Build the ticket draft for an alarm. An alarm that already has a ticket is a conflict with
/// seed 000's exact text; a cleared alarm can get a ticket and keeps the severity it last had
/// while raised.
///
/// ```
/// use fault_core::draft::*;
/// let a = fault_core::alarm::tests_support::sample();
/// let d = draft_ticket(&a, &TicketFromAlarmRequest::default()).unwrap();
/// assert_eq!(d.subject, "[ALARM] OLT-01 Unreachable");
/// assert_eq!(d.priority, ticket_core::Priority::Critical);
/// assert_eq!(d.metadata["created_from_alarm"], true);
/// ```
pub fn draft_ticket(alarm: &Alarm, req: &TicketFromAlarmRequest) -> Result<TicketDraft> {
    if let Some(t) = alarm.ticket_id {
        return Err(Error::already_has_ticket(alarm.id, t));
    }
    let severity = alarm.effective_severity();
    let mut sections: Vec<String> = Vec::new();
    let mut details = format!("## Alarm Details\n\n- **ID:** {}\n", alarm.id);
    if let Some(x) = &alarm.external_alarm_id {
        details.push_str(&format!("- **External ID:** {x}\n"));
    }
    details.push_str(&format!(
        "- **Severity:** {}\n- **Source:** {}\n- **Type:** {}\n- **Status:** {}",
        severity, alarm.source, alarm.alarm_type, alarm.status
    ));
    sections.push(details);
    if let Some(d) = alarm
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        sections.push(format!("## Description\n\n{d}"));
    }
    let mut res = Vec::new();
    if let Some(x) = &alarm.resource_type {
        res.push(format!("- **Type:** {x}"));
    }
    if let Some(x) = &alarm.resource_id {
        res.push(format!("- **ID:** {x}"));
    }
    if let Some(x) = &alarm.resource_name {
        res.push(format!("- **Name:** {x}"));
    }
    if !res.is_empty() {
        sections.push(format!("## Affected Resource\n\n{}", res.join("\n")));
    }
    let mut imp = Vec::new();
    match (&alarm.customer_name, &alarm.customer_id) {
        (Some(n), Some(i)) => imp.push(format!("- **Customer:** {n} ({i})")),
        (Some(n), None) => imp.push(format!("- **Customer:** {n}")),
        (None, Some(i)) => imp.push(format!("- **Customer:** {i}")),
        (None, None) => {}
    }
    if alarm.subscriber_count > 0 {
        imp.push(format!(
            "- **Affected Subscribers:** {}",
            alarm.subscriber_count
        ));
    }
    if !imp.is_empty() {
        sections.push(format!("## Customer Impact\n\n{}", imp.join("\n")));
    }
    for (title, v) in [
        ("Probable Cause", &alarm.probable_cause),
        ("Recommended Action", &alarm.recommended_action),
        ("Additional Notes", &req.additional_notes),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            sections.push(format!("## {title}\n\n{v}"));
        }
    }
    sections.push(format!(
        "## Timing\n\n- **First Occurrence:** {}\n- **Last Occurrence:** {}\n- **Occurrence Count:** {}",
        alarm.first_occurrence.to_rfc3339(),
        alarm.last_occurrence.to_rfc3339(),
        alarm.occurrence_count
    ));
    let mut meta = Map::new();
    meta.insert("alarm_id".into(), json!(alarm.id.to_string()));
    meta.insert("external_alarm_id".into(), json!(alarm.external_alarm_id));
    meta.insert("alarm_severity".into(), json!(severity.as_str()));
    meta.insert("alarm_source".into(), json!(alarm.source.as_str()));
    meta.insert("alarm_type".into(), json!(alarm.alarm_type));
    meta.insert("resource_type".into(), json!(alarm.resource_type));
    meta.insert("resource_id".into(), json!(alarm.resource_id));
    meta.insert("created_from_alarm".into(), json!(true));
    if let Some(c) = alarm.correlation_id {
        meta.insert("correlation_id".into(), json!(c.to_string()));
    }
    if alarm.subscriber_count > 0 {
        meta.insert("affected_subscribers".into(), json!(alarm.subscriber_count));
    }
    Ok(TicketDraft {
        alarm_id: alarm.id,
        subject: format!("[ALARM] {}", alarm.title),
        body: sections.join("\n\n") + "\n",
        ticket_type: ticket_type_for(&alarm.alarm_type),
        priority: req.priority.unwrap_or_else(|| severity.to_priority()),
        metadata: Value::Object(meta),
        customer_id: alarm.customer_id.clone(),
        assignee: req.assign_to_user_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::tests_support::sample;
    use crate::severity::Severity;

    #[test]
    fn exact_body_and_metadata() {
        let a = sample();
        let d = draft_ticket(
            &a,
            &TicketFromAlarmRequest {
                additional_notes: Some("VIP customer affected.".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let expected = format!(
            "## Alarm Details\n\n- **ID:** {}\n- **External ID:** ALM-2024-001234\n- **Severity:** critical\n- **Source:** network_device\n- **Type:** device.down\n- **Status:** active\n\n\
## Description\n\nDevice failed to respond to SNMP polls\n\n\
## Affected Resource\n\n- **Type:** olt\n- **ID:** olt-001\n- **Name:** OLT-01 Main Street\n\n\
## Customer Impact\n\n- **Affected Subscribers:** 150\n\n\
## Probable Cause\n\nNetwork connectivity issue or device failure\n\n\
## Recommended Action\n\nCheck physical connections and device power\n\n\
## Additional Notes\n\nVIP customer affected.\n\n\
## Timing\n\n- **First Occurrence:** 2026-01-14T10:00:00+00:00\n- **Last Occurrence:** 2026-01-14T10:00:00+00:00\n- **Occurrence Count:** 1\n",
            a.id
        );
        assert_eq!(d.body, expected);
        let keys: Vec<&str> = d
            .metadata
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut want = vec![
            "alarm_id",
            "external_alarm_id",
            "alarm_severity",
            "alarm_source",
            "alarm_type",
            "resource_type",
            "resource_id",
            "created_from_alarm",
            "affected_subscribers",
        ];
        want.sort();
        let mut got = keys.clone();
        got.sort();
        assert_eq!(got, want);
        assert_eq!(d.metadata["alarm_source"], "network_device");
        assert_eq!(d.ticket_type, TicketType::Fault);
    }

    #[test]
    fn sparse_alarm_omits_sections_and_has_null_external_id() {
        let mut a = sample();
        a.external_alarm_id = None;
        a.description = None;
        a.probable_cause = None;
        a.recommended_action = None;
        a.resource_type = None;
        a.resource_id = None;
        a.resource_name = None;
        a.subscriber_count = 0;
        a.correlation_id = Some(Uuid::from_u128(5));
        let d = draft_ticket(&a, &TicketFromAlarmRequest::default()).unwrap();
        for s in [
            "## Description",
            "## Affected Resource",
            "## Customer Impact",
            "## Probable Cause",
            "## Recommended Action",
            "## Additional Notes",
            "External ID",
        ] {
            assert!(!d.body.contains(s), "{s} should be omitted");
        }
        assert!(d.body.contains("## Timing"));
        let m = d.metadata.as_object().unwrap();
        assert_eq!(m["external_alarm_id"], Value::Null);
        assert_eq!(m["resource_id"], Value::Null);
        assert!(m.contains_key("correlation_id"));
        assert!(!m.contains_key("affected_subscribers"));
        assert_eq!(m.len(), 9);
    }

    #[test]
    fn type_priority_cleared_and_conflict() {
        assert_eq!(ticket_type_for("service.OUTAGE"), TicketType::Outage);
        assert_eq!(
            ticket_type_for("planned_maintenance"),
            TicketType::Maintenance
        );
        assert_eq!(ticket_type_for("port_down"), TicketType::Fault);
        let mut a = sample();
        a.severity = Severity::Major;
        a.clear(None, a.first_occurrence).unwrap();
        let d = draft_ticket(&a, &TicketFromAlarmRequest::default()).unwrap();
        assert_eq!(
            d.priority,
            Priority::High,
            "cleared alarm keeps its raised severity"
        );
        assert_eq!(d.metadata["alarm_severity"], "major");
        let d = draft_ticket(
            &a,
            &TicketFromAlarmRequest {
                priority: Some(Priority::Low),
                assign_to_user_id: Some("u-1".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(d.priority, Priority::Low);
        assert_eq!(d.assignee.as_deref(), Some("u-1"));
        a.ticket_id = Some(Uuid::from_u128(0x7b3c));
        let e = draft_ticket(&a, &TicketFromAlarmRequest::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "Alarm {} already has ticket {}. Please update the existing ticket instead.",
                a.id,
                Uuid::from_u128(0x7b3c)
            )
        );
        for (s, p) in [
            (Severity::Minor, Priority::Normal),
            (Severity::Warning, Priority::Low),
            (Severity::Info, Priority::Low),
        ] {
            let mut b = sample();
            b.severity = s;
            assert_eq!(draft_ticket(&b, &Default::default()).unwrap().priority, p);
        }
    }
}
