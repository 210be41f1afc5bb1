//! Alarm, rule, topology and maintenance use-cases (`src/desk/alarms.rs`).

use super::{Args, to_json};
use faultdesk::fault::AlarmEvent;
use faultdesk::{Actor, Desk, Error, IngestOutcome, Result};
use serde_json::Value;

/// The names answered here.
pub const METHODS: &[&str] = &[
    "ingest",
    "ingest_batch",
    "get_alarm",
    "list_alarms",
    "acknowledge_alarm",
    "clear_alarm",
    "resolve_alarm",
    "assign_alarm",
    "add_alarm_note",
    "list_alarm_notes",
    "alarm_children",
    "correlation_group",
    "alarm_stats",
    "check_unacknowledged",
    "archive_cleared",
    "create_rule",
    "list_rules",
    "update_rule",
    "delete_rule",
    "add_topology_edges",
    "remove_topology_edges",
    "create_maintenance_window",
    "list_maintenance_windows",
    "cancel_maintenance_window",
];

/// Reads one alarm event; `path` names it in errors.
fn event(v: Value, path: &str) -> Result<AlarmEvent> {
    serde_json::from_value(v)
        .map_err(|e| Error::validation(format!("{path}: invalid alarm event: {e}")))
}

/// Reads the `events` list of `ingest_batch`.
fn events(args: &Args) -> Result<Vec<AlarmEvent>> {
    match args.0.get("events") {
        Some(Value::Array(xs)) => xs
            .iter()
            .enumerate()
            .map(|(i, v)| event(v.clone(), &format!("events[{i}]")))
            .collect(),
        _ => Err(Error::validation("events must be a list of alarm events")),
    }
}

/// Calls `ingest` or `ingest_batch` (`Ok(None)` for any other method).
pub async fn ingest(
    desk: &Desk,
    a: &Actor,
    method: &str,
    args: &Args,
) -> Result<Option<IngestOutcome>> {
    Ok(Some(match method {
        "ingest" => {
            let e = event(args.0.get("event").cloned().unwrap_or(Value::Null), "event")?;
            desk.ingest(a, e).await?
        }
        "ingest_batch" => desk.ingest_batch(a, events(args)?).await?,
        _ => return Ok(None),
    }))
}

/// Calls `method` if it is an alarm use-case other than the ingests (`Ok(None)` otherwise).
pub async fn call(desk: &Desk, a: &Actor, method: &str, args: &Args) -> Result<Option<Value>> {
    Ok(Some(match method {
        "get_alarm" => to_json(desk.get_alarm(a, args.id("alarm_id")?).await?)?,
        "list_alarms" => to_json(desk.list_alarms(a, args.get("query")?).await?)?,
        "acknowledge_alarm" => to_json(desk.acknowledge_alarm(a, args.id("alarm_id")?).await?)?,
        "clear_alarm" => to_json(desk.clear_alarm(a, args.id("alarm_id")?).await?)?,
        "resolve_alarm" => to_json(desk.resolve_alarm(a, args.id("alarm_id")?).await?)?,
        "assign_alarm" => to_json(
            desk.assign_alarm(a, args.id("alarm_id")?, &args.text("user_id")?)
                .await?,
        )?,
        "add_alarm_note" => to_json(
            desk.add_alarm_note(
                a,
                args.id("alarm_id")?,
                &args.text("note_type")?,
                &args.text("content")?,
            )
            .await?,
        )?,
        "list_alarm_notes" => to_json(desk.list_alarm_notes(a, args.id("alarm_id")?).await?)?,
        "alarm_children" => to_json(desk.alarm_children(a, args.id("alarm_id")?).await?)?,
        "correlation_group" => to_json(
            desk.correlation_group(a, args.id("correlation_id")?)
                .await?,
        )?,
        "alarm_stats" => to_json(desk.alarm_stats(a, args.get("query")?).await?)?,
        "check_unacknowledged" => to_json(desk.check_unacknowledged(Some(a)).await?)?,
        "archive_cleared" => Value::from(
            desk.archive_cleared(a, args.duration("older_than")?)
                .await?,
        ),
        "create_rule" => to_json(desk.create_rule(a, &args.json_text("rule")?).await?)?,
        "list_rules" => to_json(desk.list_rules(a).await?)?,
        "update_rule" => to_json(
            desk.update_rule(a, args.id("rule_id")?, &args.json_text("rule")?)
                .await?,
        )?,
        "delete_rule" => {
            desk.delete_rule(a, args.id("rule_id")?).await?;
            Value::Null
        }
        "add_topology_edges" => Value::from(desk.add_topology_edges(a, args.get("edges")?).await?),
        "remove_topology_edges" => {
            Value::from(desk.remove_topology_edges(a, args.get("edges")?).await?)
        }
        "create_maintenance_window" => to_json(
            desk.create_maintenance_window(a, args.get("input")?)
                .await?,
        )?,
        "list_maintenance_windows" => to_json(desk.list_maintenance_windows(a).await?)?,
        "cancel_maintenance_window" => to_json(
            desk.cancel_maintenance_window(a, args.id("window_id")?)
                .await?,
        )?,
        _ => return Ok(None),
    }))
}
