//! Ticket use-cases (`src/desk/tickets.rs`).

use super::{Args, to_json};
use faultdesk::{Actor, Desk, Result};
use serde_json::Value;

/// The names answered here.
pub const METHODS: &[&str] = &[
    "create_ticket_from_alarm",
    "create_ticket",
    "get_ticket",
    "get_ticket_by_number",
    "update_ticket",
    "delete_ticket",
    "assign_ticket",
    "transition_ticket",
    "reopen_ticket",
    "ticket_history",
    "list_tickets",
    "search_tickets",
    "ticket_sla",
    "ticket_stats",
];

/// Calls `method` if it is a ticket use-case (`Ok(None)` otherwise).
pub async fn call(desk: &Desk, a: &Actor, method: &str, args: &Args) -> Result<Option<Value>> {
    Ok(Some(match method {
        "create_ticket_from_alarm" => to_json(
            desk.create_ticket_from_alarm(a, args.id("alarm_id")?, args.get("request")?)
                .await?,
        )?,
        "create_ticket" => to_json(desk.create_ticket(a, args.get("input")?).await?)?,
        "get_ticket" => to_json(desk.get_ticket(a, args.id("ticket_id")?).await?)?,
        "get_ticket_by_number" => {
            to_json(desk.get_ticket_by_number(a, &args.text("number")?).await?)?
        }
        "update_ticket" => to_json(
            desk.update_ticket(a, args.id("ticket_id")?, args.get("patch")?)
                .await?,
        )?,
        "delete_ticket" => {
            desk.delete_ticket(a, args.id("ticket_id")?).await?;
            Value::Null
        }
        "assign_ticket" => to_json(
            desk.assign_ticket(a, args.id("ticket_id")?, args.get("assignee_id")?)
                .await?,
        )?,
        "transition_ticket" => to_json(
            desk.transition_ticket(
                a,
                args.id("ticket_id")?,
                &args.text("to_state")?,
                args.get("options")?,
            )
            .await?,
        )?,
        "reopen_ticket" => to_json(
            desk.reopen_ticket(a, args.id("ticket_id")?, &args.text("reason")?)
                .await?,
        )?,
        "ticket_history" => to_json(desk.ticket_history(a, args.id("ticket_id")?).await?)?,
        "list_tickets" => to_json(desk.list_tickets(a, args.get("query")?).await?)?,
        "search_tickets" => to_json(
            desk.search_tickets(a, &args.text("text")?, args.get("query")?)
                .await?,
        )?,
        "ticket_sla" => to_json(desk.ticket_sla(a, args.id("ticket_id")?).await?)?,
        "ticket_stats" => to_json(desk.ticket_stats(a, args.get("query")?).await?)?,
        _ => return Ok(None),
    }))
}
