//! Committed-change events: a live subscription, another process's writes, and resuming from
//! the last sequence seen with `events_since`.
//!
//! ```text
//! cargo run --example subscribe
//! ```
//!
//! Runs on a SQLite file in a temporary directory. Two Desks open the same file, as two
//! processes of a platform would (an API worker and a console): the console subscribes to
//! `ticket.*` and `alarm.*` and sees what the worker commits (the outbox is polled every 50 ms
//! on a SQLite file; PostgreSQL uses LISTEN/NOTIFY).

use chrono::Utc;
use faultdesk::fault::AlarmEvent;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{Actor, CreateTicketFromAlarm, Desk, DeskConfig, EventFilter, NewTicketInput};
use std::time::Duration;

#[tokio::main]
async fn main() -> faultdesk::Result<()> {
    let dir = tempfile::tempdir().map_err(|e| faultdesk::Error::storage(e.to_string()))?;
    let url = format!("sqlite://{}", dir.path().join("desk.db").display());
    let worker = Desk::open(&url, DeskConfig::default()).await?;
    let console = Desk::open(&url, DeskConfig::default()).await?;
    let admin = Actor::new("acme", "u-1").with_roles(["ADMIN"]);

    // Subscribe first: a subscription sees what is committed after this call, in order.
    let mut live = console.subscribe(&admin, EventFilter::kinds(["ticket.*", "alarm.*"]))?;

    // The worker writes: an alarm, a ticket from it, a comment, and an unrelated ticket.
    let out = worker
        .ingest(
            &admin,
            AlarmEvent::new("acme", "device.down", "olt", "olt-3", Utc::now()),
        )
        .await?;
    let res = worker
        .create_ticket_from_alarm(&admin, out.alarm_ids[0], CreateTicketFromAlarm::default())
        .await?;
    worker
        .add_comment(
            &admin,
            res.ticket_id,
            "Crew dispatched.",
            Visibility::Public,
        )
        .await?;
    let other = worker
        .create_ticket(&admin, NewTicketInput::new("Customer portal slow"))
        .await?;

    // The console receives them in commit order, up to the last ticket's creation (with a
    // timeout, so a broken feed fails instead of hanging).
    let last_id = other.id.to_string();
    let mut last_seq = 0;
    let mut seen = Vec::new();
    loop {
        let e = tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .map_err(|_| faultdesk::Error::storage("no event within 10 s"))?
            .expect("the console Desk is open");
        println!(
            "live   #{:<3} {:<22} {}",
            e.seq,
            e.kind,
            e.entity_id.as_deref().unwrap_or("-")
        );
        assert!(e.seq > last_seq, "sequence order");
        last_seq = e.seq;
        let done = e.entity_id.as_deref() == Some(last_id.as_str());
        seen.push(e.kind);
        if done {
            break;
        }
    }
    assert!(seen.iter().any(|k| k == "ticket.commented"));

    // A consumer that was offline resumes from the last sequence it stored: here the console
    // "restarts" after the comment, the worker closes the ticket, and the console catches up.
    worker
        .transition_ticket(&admin, res.ticket_id, "OPEN", Default::default())
        .await?;
    let missed = console.events_since(&admin, last_seq, 100).await?;
    for e in &missed {
        println!("resume #{:<3} {:<22} {}", e.seq, e.kind, e.payload);
    }
    assert!(missed.iter().all(|e| e.seq > last_seq));
    assert!(missed.iter().any(|e| e.kind == "ticket.status_changed"));

    // Bad input is a clear validation error.
    let err = console.events_since(&admin, 0, 0).await.unwrap_err();
    println!("refused ({}): {err}", err.kind());

    worker.close().await?;
    console.close().await
}
