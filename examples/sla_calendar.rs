//! Business calendars and SLA clocks: a Berlin office calendar with a lunch break and a
//! holiday, the pure calculation, then the same policy on a Desk where a ticket's clock pauses
//! while it waits for the customer.
//!
//! ```text
//! cargo run --example sla_calendar
//! ```
//!
//! Runs on in-memory SQLite with a manual clock (simulated time, no waiting).

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use faultdesk::ticket::Priority;
use faultdesk::ticket::calendar::BusinessCalendar;
use faultdesk::ticket::sla::{SlaPolicy, SlaStatus, TargetStatus};
use faultdesk::{Actor, Desk, DeskConfig, ManualClock, NewTicketInput, TransitionOptions};

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn show(label: &str, s: &SlaStatus) {
    let line = |name: &str, t: &TargetStatus| {
        println!(
            "  {name:<15} due {}  used {:>5.1} %  {}",
            t.due
                .with_timezone(&chrono_tz::Europe::Berlin)
                .format("%a %d %b %H:%M"),
            t.percent_used,
            if t.completed_at.is_some() && t.met {
                "met"
            } else if t.breached {
                "BREACHED"
            } else if t.paused {
                "paused"
            } else {
                "running"
            }
        )
    };
    println!("{label} ({}, {}):", s.priority, s.category);
    line("first response", &s.first_response);
    line("resolution", &s.resolution);
}

#[tokio::main]
async fn main() -> faultdesk::Result<()> {
    // Mon-Fri 09:00-12:00 and 13:00-17:00 Berlin time; Friday 6 March 2026 is a company holiday.
    let mut b = BusinessCalendar::builder(chrono_tz::Europe::Berlin);
    for d in [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ] {
        b = b
            .interval(d, hm(9, 0), hm(12, 0))
            .interval(d, hm(13, 0), hm(17, 0));
    }
    let calendar = b
        .holiday(NaiveDate::from_ymd_opt(2026, 3, 6).unwrap())
        .build()?;

    // The pure calculation: Thursday 5 March 16:00 Berlin (15:00 UTC) + 4 business hours skips
    // the evening, the Friday holiday and the weekend: Monday 12:00.
    let thursday = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap();
    let due = calendar.add_business_time(thursday, Duration::hours(4));
    println!(
        "Thu 16:00 + 4 business hours = {}",
        due.with_timezone(&chrono_tz::Europe::Berlin)
            .format("%a %d %b %H:%M")
    );
    assert_eq!(
        calendar.business_time_between(thursday, due),
        Duration::hours(4)
    );
    println!("calendar as JSON: {}", calendar.to_json());

    // Seed 003's targets (high: 4 h first response, 12 h resolution) on that calendar.
    let clock = ManualClock::new(thursday);
    let config = DeskConfig::default()
        .with_clock(clock.clone())
        .with_sla_policy(SlaPolicy::itsm().with_calendar(calendar))?;
    let desk = Desk::open("sqlite::memory:", config).await?;
    let agent = Actor::new("acme", "agent-1").with_roles(["ADMIN"]);

    let t = desk
        .create_ticket(
            &agent,
            NewTicketInput::new("VPN drops every hour")
                .priority(Priority::High)
                .assignee("agent-1"),
        )
        .await?;
    let sla = desk
        .ticket_sla(&agent, t.id)
        .await?
        .expect("the Desk has a policy");
    show(&format!("{} at creation", t.number), &sla);

    // Monday 09:30: the agent answers (NEW -> OPEN sets the first response) and asks the
    // customer for logs (PENDING_INFO pauses the resolution clock).
    clock.set(Utc.with_ymd_and_hms(2026, 3, 9, 8, 30, 0).unwrap());
    desk.transition_ticket(&agent, t.id, "OPEN", TransitionOptions::default())
        .await?;
    desk.transition_ticket(
        &agent,
        t.id,
        "PENDING_INFO",
        TransitionOptions::comment("Please send the client logs."),
    )
    .await?;
    // Two business days later the logs arrive: the waiting time was added to the deadline.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 11, 8, 30, 0).unwrap());
    let paused = desk.ticket_sla(&agent, t.id).await?.expect("policy");
    show("Wednesday 09:30, still waiting", &paused);
    assert!(paused.resolution.paused);
    desk.transition_ticket(&agent, t.id, "IN_PROGRESS", TransitionOptions::default())
        .await?;

    // Resolved at 14:00 the same day: within the (moved) resolution target.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 11, 13, 0, 0).unwrap());
    desk.transition_ticket(
        &agent,
        t.id,
        "RESOLVED",
        TransitionOptions::resolution_note("MTU lowered on the tunnel."),
    )
    .await?;
    let done = desk.ticket_sla(&agent, t.id).await?.expect("policy");
    show("Wednesday 14:00, resolved", &done);
    assert!(done.first_response.met && done.resolution.met);

    desk.close().await
}
