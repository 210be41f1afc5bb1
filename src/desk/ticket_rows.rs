//! Conversions between the pure ticket model (`ticket_core`) and storage rows.
//!
//! - `tickets.status` is stored lower case; the model uses the workflow's canonical name.
//! - `tickets.priority` is the rank (critical = 4 ... low = 1).
//! - Audit values (`ticket_events.old_value`/`new_value`) are stored as plain text when they
//!   are JSON strings (so plain SQL reads `OPEN`, `critical`, a user id), and as JSON text
//!   otherwise; the names of the JSON-encoded columns are kept in `data._json` so they read
//!   back exactly. `data` otherwise holds the event's metadata object.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use faultdesk_storage::{TicketEventRow, TicketRow};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use ticket_core::audit::{AuditEvent, AuditEventType};
use ticket_core::sla::{SlaEvent, SlaEventKind, SlaStatus};
use ticket_core::workflow::Workflow;
use ticket_core::{Priority, Ticket, TicketType};
use uuid::Uuid;

/// The workflow named `name`: the configured one when the names match, else a preset.
pub(crate) fn workflow_named<'a>(configured: &'a Workflow, name: &str) -> Result<&'a Workflow> {
    if configured.name().eq_ignore_ascii_case(name) {
        return Ok(configured);
    }
    static PRESETS: OnceLock<Vec<Workflow>> = OnceLock::new();
    let presets = PRESETS.get_or_init(|| {
        ["itsm", "vms", "fibreflow"]
            .into_iter()
            .filter_map(|n| Workflow::preset(n).ok())
            .collect()
    });
    presets
        .iter()
        .find(|w| w.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            Error::storage(format!(
                "ticket workflow '{name}' is neither this Desk's workflow ('{}') nor a preset",
                configured.name()
            ))
        })
}

/// The storage row of a newly built ticket.
pub(crate) fn row_from_ticket(
    t: &Ticket,
    wf: &Workflow,
    number_year: i32,
    number_seq: i64,
    alarm_id: Option<Uuid>,
) -> TicketRow {
    let mut row = TicketRow {
        id: t.id,
        tenant_id: t.tenant_id.clone(),
        number: t.number.clone(),
        number_year,
        number_seq,
        subject: String::new(),
        description: String::new(),
        ticket_type: String::new(),
        status: String::new(),
        category: String::new(),
        is_open: true,
        workflow: t.workflow.clone(),
        priority: 0,
        reporter_id: t.reporter_id.clone(),
        assignee_id: None,
        assigned_team: None,
        customer_id: None,
        alarm_id,
        metadata: Value::Null,
        due_at: None,
        first_response_at: None,
        first_response_due_at: None,
        resolution_due_at: None,
        resolved_at: None,
        closed_at: None,
        sla_next_check_at: None,
        deleted_at: None,
        deleted_by: None,
        version: 0,
        created_at: t.created_at,
        updated_at: t.updated_at,
    };
    write_ticket_to_row(t, wf, &mut row);
    row
}

/// Copies the model's mutable fields onto `row` (the row keeps its storage-only columns:
/// number parts, alarm link, SLA due instants, version, `deleted_by`).
pub(crate) fn write_ticket_to_row(t: &Ticket, wf: &Workflow, row: &mut TicketRow) {
    let category = wf
        .category_of(&t.status)
        .map(|c| c.as_str())
        .unwrap_or("open");
    row.subject = t.subject.clone();
    row.description = t.description.clone();
    row.ticket_type = t.ticket_type.as_str().to_string();
    row.status = t.status.to_ascii_lowercase();
    row.category = category.to_string();
    row.is_open = faultdesk_storage::is_open_category(category);
    row.priority = t.priority.rank();
    row.assignee_id = t.assignee_id.clone();
    row.customer_id = t.customer_id.clone();
    row.metadata = t.metadata.clone();
    row.due_at = t.due_at;
    row.first_response_at = t.first_responded_at;
    row.resolved_at = t.resolved_at;
    row.closed_at = t.closed_at;
    row.deleted_at = t.deleted_at;
    row.updated_at = t.updated_at;
}

/// The model of a stored ticket.
pub(crate) fn ticket_from_row(
    row: &TicketRow,
    labels: BTreeMap<String, String>,
    wf: &Workflow,
) -> Result<Ticket> {
    let corrupt =
        |what: &str| Error::storage(format!("ticket {} has an invalid stored {what}", row.id));
    let status = wf
        .canonical(&row.status)
        .map_err(|_| corrupt("status"))?
        .to_string();
    let ticket_type: TicketType = row
        .ticket_type
        .parse()
        .map_err(|_| corrupt("ticket_type"))?;
    let priority = Priority::from_rank(row.priority).map_err(|_| corrupt("priority"))?;
    Ok(Ticket {
        id: row.id,
        tenant_id: row.tenant_id.clone(),
        number: row.number.clone(),
        subject: row.subject.clone(),
        description: row.description.clone(),
        ticket_type,
        priority,
        status,
        workflow: wf.name().to_string(),
        assignee_id: row.assignee_id.clone(),
        reporter_id: row.reporter_id.clone(),
        customer_id: row.customer_id.clone(),
        due_at: row.due_at,
        labels,
        metadata: if row.metadata.is_null() {
            Value::Object(Default::default())
        } else {
            row.metadata.clone()
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
        first_responded_at: row.first_response_at,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
        deleted_at: row.deleted_at,
    })
}

fn encode_value(v: &Option<Value>, name: &str, json_cols: &mut Vec<Value>) -> Option<String> {
    match v {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            json_cols.push(Value::String(name.to_string()));
            Some(other.to_string())
        }
    }
}

fn decode_value(v: &Option<String>, is_json: bool) -> Option<Value> {
    v.as_ref().map(|s| {
        if is_json {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        } else {
            Value::String(s.clone())
        }
    })
}

/// The storage row of one audit event of a ticket.
pub(crate) fn event_row(tenant_id: &str, ticket_id: Uuid, ev: &AuditEvent) -> TicketEventRow {
    let mut json_cols = Vec::new();
    let old_value = encode_value(&ev.old_value, "old", &mut json_cols);
    let new_value = encode_value(&ev.new_value, "new", &mut json_cols);
    let mut data = match &ev.metadata {
        Value::Object(m) => m.clone(),
        Value::Null => serde_json::Map::new(),
        other => {
            let mut m = serde_json::Map::new();
            m.insert("value".into(), other.clone());
            m
        }
    };
    if !json_cols.is_empty() {
        data.insert("_json".into(), Value::Array(json_cols));
    }
    TicketEventRow {
        id: crate::ids::new_id(),
        tenant_id: tenant_id.to_string(),
        ticket_id,
        event_type: ev.event_type.as_str().to_string(),
        field: ev.field.clone(),
        old_value,
        new_value,
        actor_id: ev.actor_id.clone(),
        actor_ip: ev.ip.clone(),
        at: ev.at,
        data: Value::Object(data),
    }
}

/// The audit event of a stored row.
pub(crate) fn audit_from_row(row: &TicketEventRow) -> Result<AuditEvent> {
    let event_type: AuditEventType = row.event_type.parse().map_err(|_| {
        Error::storage(format!(
            "ticket event {} has an unknown type '{}'",
            row.id, row.event_type
        ))
    })?;
    let mut data = match &row.data {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let json_cols = data.remove("_json");
    let is_json = |name: &str| {
        json_cols
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(name)))
    };
    Ok(AuditEvent {
        event_type,
        field: row.field.clone(),
        old_value: decode_value(&row.old_value, is_json("old")),
        new_value: decode_value(&row.new_value, is_json("new")),
        actor_id: row.actor_id.clone(),
        ip: row.actor_ip.clone(),
        at: row.at,
        metadata: Value::Object(data),
    })
}

/// The SLA clock's view of a ticket's history: `CREATED` (initial priority and state
/// category), every `STATUS_CHANGE` (category of the new state; a change out of a resolved or
/// closed state is the reopen), every `PRIORITY_CHANGE`, and the first response at the
/// ticket's `first_responded_at`. Ordered by time (stable).
pub(crate) fn sla_events(t: &Ticket, events: &[AuditEvent], wf: &Workflow) -> Vec<SlaEvent> {
    use ticket_core::category::StateCategory;
    let category_of = |v: &Option<Value>| {
        v.as_ref()
            .and_then(Value::as_str)
            .and_then(|s| wf.category_of(s))
    };
    let priority_of = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| s.parse::<Priority>().ok())
    };
    let mut out = Vec::with_capacity(events.len() + 2);
    let mut created = false;
    for e in events {
        let kind = match e.event_type {
            AuditEventType::Created if !created => {
                created = true;
                let nv = e.new_value.as_ref();
                let priority =
                    priority_of(nv.and_then(|v| v.get("priority"))).unwrap_or(t.priority);
                let category = nv
                    .and_then(|v| v.get("status"))
                    .and_then(Value::as_str)
                    .and_then(|s| wf.category_of(s))
                    .unwrap_or(StateCategory::New);
                SlaEventKind::Created { priority, category }
            }
            AuditEventType::StatusChange => match category_of(&e.new_value) {
                Some(c) => SlaEventKind::StatusChanged { to_category: c },
                None => continue,
            },
            AuditEventType::PriorityChange => match priority_of(e.new_value.as_ref()) {
                Some(p) => SlaEventKind::PriorityChanged { priority: p },
                None => continue,
            },
            _ => continue,
        };
        out.push(SlaEvent::new(e.at, kind));
    }
    if !created {
        let category = wf
            .category_of(wf.initial_state())
            .unwrap_or(StateCategory::New);
        out.insert(
            0,
            SlaEvent::new(
                t.created_at,
                SlaEventKind::Created {
                    priority: t.priority,
                    category,
                },
            ),
        );
    }
    if let Some(at) = t.first_responded_at {
        out.push(SlaEvent::new(at, SlaEventKind::FirstResponse));
    }
    out.sort_by_key(|e| e.at);
    out
}

/// Stores the SLA due instants of `status` on `row` and the next instant the scheduler must
/// look at it.
pub(crate) fn write_sla_to_row(
    row: &mut TicketRow,
    status: &SlaStatus,
    now: DateTime<Utc>,
    warning_before: chrono::Duration,
) {
    row.first_response_due_at = Some(status.first_response.due);
    row.resolution_due_at = Some(status.resolution.due);
    row.sla_next_check_at = super::scheduler::sla_next_check(row, now, warning_before);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use serde_json::json;
    use ticket_core::audit::AuditActor;
    use ticket_core::ticket::NewTicket;

    fn ticket() -> Ticket {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        NewTicket::new("acme", "Router down", "u1")
            .priority(Priority::High)
            .label("contractor_id", "c-1")
            .metadata(json!({"k": 1}))
            .build(
                &Workflow::itsm(),
                Ticket::new_id(now),
                "TKT-2026-000001".into(),
                now,
            )
            .unwrap()
    }

    #[test]
    fn ticket_round_trips_through_its_row() {
        let t = ticket();
        let wf = Workflow::itsm();
        let row = row_from_ticket(&t, &wf, 2026, 1, None);
        assert_eq!(row.status, "new");
        assert_eq!(row.category, "new");
        assert!(row.is_open);
        assert_eq!(row.priority, 3);
        assert_eq!(row.ticket_type, "incident");
        let back = ticket_from_row(&row, t.labels.clone(), &wf).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn corrupt_rows_are_storage_errors() {
        let t = ticket();
        let wf = Workflow::itsm();
        let mut row = row_from_ticket(&t, &wf, 2026, 1, None);
        row.priority = 9;
        let e = ticket_from_row(&row, BTreeMap::new(), &wf).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Storage);
        assert!(e.message().contains("priority"), "{e}");
    }

    #[test]
    fn audit_events_round_trip_with_plain_text_strings() {
        let t = ticket();
        let mut n = t.clone();
        n.status = "OPEN".into();
        n.due_at = Some(t.created_at);
        n.labels.insert("x".into(), "y".into());
        let actor = AuditActor::new("u1").with_ip("10.0.0.9");
        let events = ticket_core::audit::diff(&t, &n, &actor, t.created_at);
        assert!(events.len() >= 3);
        for ev in &events {
            let row = event_row("acme", t.id, ev);
            if ev.field.as_deref() == Some("status") {
                assert_eq!(row.old_value.as_deref(), Some("NEW"));
                assert_eq!(row.new_value.as_deref(), Some("OPEN"));
            }
            assert_eq!(&audit_from_row(&row).unwrap(), ev);
        }
        let created = AuditEvent::created(&t, &actor, t.created_at);
        let row = event_row("acme", t.id, &created);
        assert_eq!(audit_from_row(&row).unwrap(), created);
    }

    #[test]
    fn unknown_workflow_names_are_reported() {
        let wf = Workflow::itsm();
        assert_eq!(workflow_named(&wf, "ITSM").unwrap().name(), "itsm");
        assert_eq!(workflow_named(&wf, "vms").unwrap().name(), "vms");
        let e = workflow_named(&wf, "mystery").unwrap_err();
        assert!(e.message().contains("mystery"));
    }
}
