//! Events, background work and notifications (`src/desk/mod.rs`, `scheduler.rs`,
//! `notifications.rs`).

use super::{Args, to_json};
use faultdesk::{Actor, Desk, Result};
use serde_json::{Value, json};

/// The names answered here.
pub const METHODS: &[&str] = &[
    "events_since",
    "run_due",
    "deliver_notifications",
    "list_notifications",
    "migrate",
];

/// Calls `method` if it is one of these use-cases (`Ok(None)` otherwise).
pub async fn call(desk: &Desk, a: &Actor, method: &str, args: &Args) -> Result<Option<Value>> {
    Ok(Some(match method {
        "events_since" => to_json(
            desk.events_since(a, args.get("after_seq")?, args.get("limit")?)
                .await?,
        )?,
        "run_due" => {
            let now: Option<chrono::DateTime<chrono::Utc>> = args.get("now")?;
            to_json(desk.run_due(now.unwrap_or_else(|| desk.now())).await?)?
        }
        "deliver_notifications" => to_json(desk.deliver_notifications().await?)?,
        "list_notifications" => Value::Array(
            desk.list_notifications(a, args.opt_id("ticket_id")?, args.get("limit")?)
                .await?
                .into_iter()
                // The storage row, field by field (it has no serde form of its own).
                .map(|n| {
                    json!({
                        "id": n.id, "tenant_id": n.tenant_id, "channel": n.channel,
                        "recipient": n.recipient, "template": n.template, "subject": n.subject,
                        "payload": n.payload, "status": n.status, "attempts": n.attempts,
                        "last_error": n.last_error, "next_attempt_at": n.next_attempt_at,
                        "sent_at": n.sent_at, "ticket_id": n.ticket_id, "alarm_id": n.alarm_id,
                        "created_at": n.created_at, "updated_at": n.updated_at,
                    })
                })
                .collect(),
        ),
        "migrate" => {
            desk.migrate().await?;
            Value::Null
        }
        _ => return Ok(None),
    }))
}
