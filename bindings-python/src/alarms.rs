//! The alarm, rule, topology and maintenance use-cases of the Desk, by name (the rest of the
//! table is in `desk::dispatch`).

use faultdesk::fault::AlarmEvent;
use faultdesk::{Actor, Desk, Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

fn arg<T: DeserializeOwned>(args: &Value, name: &str) -> Result<T> {
    let v = args.get(name).cloned().unwrap_or(Value::Null);
    serde_json::from_value(v).map_err(|e| Error::validation(format!("invalid {name}: {e}")))
}

fn id(args: &Value, name: &str) -> Result<Uuid> {
    match args.get(name) {
        Some(Value::String(s)) => Uuid::parse_str(s.trim())
            .map_err(|_| Error::validation(format!("{name} is not a valid UUID: {s:?}"))),
        _ => Err(Error::validation(format!(
            "{name} is required (uuid.UUID or str)"
        ))),
    }
}

fn text(args: &Value, name: &str) -> Result<String> {
    match args.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(v.to_string()),
        _ => Err(Error::validation(format!("{name} is required (str)"))),
    }
}

fn to_json<T: serde::Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::storage(format!("cannot serialise result: {e}")))
}

/// Reads one alarm event; `path` names it in errors.
fn event(v: Value, path: &str) -> Result<AlarmEvent> {
    serde_json::from_value(v)
        .map_err(|e| Error::validation(format!("{path}: invalid alarm event: {e}")))
}

/// Dispatches the alarm use-cases; anything else is an unknown method.
pub async fn dispatch(desk: &Desk, a: &Actor, method: &str, args: &Value) -> Result<Value> {
    Ok(match method {
        "ingest" => {
            let e = event(args.get("event").cloned().unwrap_or(Value::Null), "event")?;
            to_json(desk.ingest(a, e).await?)?
        }
        "ingest_batch" => {
            let evs = match args.get("events") {
                Some(Value::Array(xs)) => xs
                    .iter()
                    .enumerate()
                    .map(|(i, v)| event(v.clone(), &format!("events[{i}]")))
                    .collect::<Result<Vec<_>>>()?,
                _ => return Err(Error::validation("events must be a list of alarm events")),
            };
            to_json(desk.ingest_batch(a, evs).await?)?
        }
        "get_alarm" => to_json(desk.get_alarm(a, id(args, "alarm_id")?).await?)?,
        "list_alarms" => to_json(desk.list_alarms(a, arg(args, "query")?).await?)?,
        "acknowledge_alarm" => to_json(desk.acknowledge_alarm(a, id(args, "alarm_id")?).await?)?,
        "clear_alarm" => to_json(desk.clear_alarm(a, id(args, "alarm_id")?).await?)?,
        "resolve_alarm" => to_json(desk.resolve_alarm(a, id(args, "alarm_id")?).await?)?,
        "assign_alarm" => to_json(
            desk.assign_alarm(a, id(args, "alarm_id")?, &text(args, "user_id")?)
                .await?,
        )?,
        "add_alarm_note" => to_json(
            desk.add_alarm_note(
                a,
                id(args, "alarm_id")?,
                &text(args, "note_type")?,
                &text(args, "content")?,
            )
            .await?,
        )?,
        "list_alarm_notes" => to_json(desk.list_alarm_notes(a, id(args, "alarm_id")?).await?)?,
        "alarm_children" => to_json(desk.alarm_children(a, id(args, "alarm_id")?).await?)?,
        "correlation_group" => to_json(
            desk.correlation_group(a, id(args, "correlation_id")?)
                .await?,
        )?,
        "alarm_stats" => to_json(desk.alarm_stats(a, arg(args, "query")?).await?)?,
        "check_unacknowledged" => to_json(desk.check_unacknowledged(Some(a)).await?)?,
        "archive_cleared" => {
            let days: Option<f64> = arg(args, "older_than_days")?;
            let older = days.map(|d| chrono::Duration::milliseconds((d * 86_400_000.0) as i64));
            Value::from(desk.archive_cleared(a, older).await?)
        }
        "create_rule" => to_json(desk.create_rule(a, &text(args, "rule")?).await?)?,
        "list_rules" => to_json(desk.list_rules(a).await?)?,
        "update_rule" => to_json(
            desk.update_rule(a, id(args, "rule_id")?, &text(args, "rule")?)
                .await?,
        )?,
        "delete_rule" => {
            desk.delete_rule(a, id(args, "rule_id")?).await?;
            Value::Null
        }
        "add_topology_edges" => Value::from(desk.add_topology_edges(a, arg(args, "edges")?).await?),
        "remove_topology_edges" => {
            Value::from(desk.remove_topology_edges(a, arg(args, "edges")?).await?)
        }
        "create_maintenance_window" => to_json(
            desk.create_maintenance_window(a, arg(args, "input")?)
                .await?,
        )?,
        "list_maintenance_windows" => to_json(desk.list_maintenance_windows(a).await?)?,
        "cancel_maintenance_window" => to_json(
            desk.cancel_maintenance_window(a, id(args, "window_id")?)
                .await?,
        )?,
        other => return Err(Error::validation(format!("unknown Desk method: {other}"))),
    })
}
