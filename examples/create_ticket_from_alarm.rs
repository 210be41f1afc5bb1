//! Seed 000's use-case: an alarm comes in, an operator opens a ticket from it.
//!
//! ```text
//! cargo run --example create_ticket_from_alarm
//! ```
//!
//! Runs on in-memory SQLite. Shows the mapped and de-duplicated alarm, the ticket with seed
//! 000's subject, priority and message, the alarm linked to its ticket, and the two refusals:
//! a second ticket for the same alarm, and an alarm that does not exist.

use chrono::{TimeZone, Utc};
use faultdesk::fault::AlarmEvent;
use faultdesk::{Actor, CreateTicketFromAlarm, Desk, DeskConfig, ErrorKind, ManualClock};

#[tokio::main]
async fn main() -> faultdesk::Result<()> {
    // A fixed clock makes the output (ticket number year, times) repeatable.
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 8, 15, 0).unwrap();
    let desk = Desk::open(
        "sqlite::memory:",
        DeskConfig::default().with_clock(ManualClock::new(now)),
    )
    .await?;
    let noc = Actor::new("acme", "op-1")
        .with_roles(["ADMIN"])
        .with_ip("10.0.0.1");

    // An OLT goes down; the monitoring system repeats the event. Seed 002's mapping makes
    // `device.down` a critical network-device alarm, and the repeat is de-duplicated onto it.
    let down = AlarmEvent::new("acme", "device.down", "olt", "olt-7", now)
        .with_title("OLT 7 down")
        .with_customer("cust-42", Some("Riverside Apartments".into()))
        .with_subscribers(312);
    let first = desk.ingest(&noc, down.clone()).await?;
    let again = desk.ingest(&noc, down).await?;
    let alarm_id = first.alarm_ids[0];
    assert_eq!(again.alarm_ids[0], alarm_id, "the repeat is the same alarm");
    let alarm = desk.get_alarm(&noc, alarm_id).await?;
    println!(
        "alarm {}: {} ({}, {}, seen {} times)",
        alarm.id,
        alarm.title,
        alarm.severity.as_str(),
        alarm.status.as_str(),
        alarm.occurrence_count
    );

    // The ticket: priority from the request (or mapped from the alarm's severity when absent),
    // notes appended to seed 000's body, and an assignee.
    let res = desk
        .create_ticket_from_alarm(
            &noc,
            alarm_id,
            CreateTicketFromAlarm {
                priority: Some("high".into()),
                additional_notes: Some("Field team on the way.".into()),
                assign_to_user_id: Some("tech-9".into()),
            },
        )
        .await?;
    println!("{}", res.message);
    let ticket = desk.get_ticket(&noc, res.ticket_id).await?;
    println!(
        "ticket {}: \"{}\" priority {} status {} assignee {}",
        ticket.number,
        ticket.subject,
        ticket.priority,
        ticket.status,
        ticket.assignee_id.as_deref().unwrap_or("-")
    );
    println!("metadata: {}", ticket.metadata);
    let linked = desk.get_alarm(&noc, alarm_id).await?;
    assert_eq!(linked.ticket_id, Some(res.ticket_id));
    println!("alarm.ticket_id = {}", res.ticket_id);

    // One ticket per alarm (the database guarantees it, even under concurrent requests).
    let err = desk
        .create_ticket_from_alarm(&noc, alarm_id, CreateTicketFromAlarm::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    println!("second ticket refused ({}): {err}", err.kind());

    // An unknown alarm is "not found", and nothing is written.
    let missing = uuid::Uuid::now_v7();
    let err = desk
        .create_ticket_from_alarm(&noc, missing, CreateTicketFromAlarm::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    println!("unknown alarm refused ({}): {err}", err.kind());

    desk.close().await
}
