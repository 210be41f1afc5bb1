//! A custom ticket workflow from JSON: states with categories, transitions with permissions and
//! guards, and a role that owns a permission the presets do not have.
//!
//! ```text
//! cargo run --example custom_workflow
//! ```
//!
//! Runs on in-memory SQLite. A field-repair flow: `reported → dispatched → on_site →
//! (waiting_parts) → repaired → verified`. Dispatching needs an assignee, repairing needs a
//! resolution note, and only a supervisor (`repairs.verify`) may verify.

use faultdesk::ticket::rbac::Rbac;
use faultdesk::ticket::workflow::Workflow;
use faultdesk::{Actor, Desk, DeskConfig, ErrorKind, NewTicketInput, TransitionOptions};

/// The workflow, as a platform would keep it in its configuration.
const FIELD_REPAIR: &str = r#"{
  "name": "field_repair",
  "reopen_window_seconds": 172800,
  "states": [
    {"name": "reported",      "category": "new", "initial": true},
    {"name": "dispatched",    "category": "open"},
    {"name": "on_site",       "category": "open"},
    {"name": "waiting_parts", "category": "pending"},
    {"name": "repaired",      "category": "resolved"},
    {"name": "verified",      "category": "closed"}
  ],
  "transitions": [
    {"from": "reported",      "to": "dispatched", "guards": ["requires_assignee"]},
    {"from": "dispatched",    "to": "on_site"},
    {"from": "on_site",       "to": "waiting_parts"},
    {"from": "waiting_parts", "to": "on_site"},
    {"from": "on_site",       "to": "repaired", "permission": "tickets.close",
     "guards": ["requires_resolution_note"]},
    {"from": "repaired",      "to": "verified", "permission": "repairs.verify"},
    {"from": "repaired",      "to": "on_site",  "guards": ["within_reopen_window"]}
  ]
}"#;

#[tokio::main]
async fn main() -> faultdesk::Result<()> {
    // Definitions are checked on load: an unknown state is a validation error naming it.
    let bad = FIELD_REPAIR.replace(r#""to": "on_site"}"#, r#""to": "onsite"}"#);
    let err = Workflow::from_json(&bad).unwrap_err();
    println!("rejected definition: {err}");

    let workflow = Workflow::from_json(FIELD_REPAIR)?;
    println!(
        "workflow {}: initial state {}, from on_site: {:?}",
        workflow.name(),
        workflow.initial_state(),
        workflow.allowed_next("on_site")?
    );

    // Two roles: technicians work their tickets; supervisors also verify repairs and may close
    // anyone's ticket.
    let technician = [
        "tickets.create",
        "tickets.read",
        "tickets.read.all",
        "tickets.write",
        "tickets.assign",
        "tickets.transition",
        "tickets.close",
    ];
    let supervisor = [
        &technician[..],
        &["repairs.verify", "tickets.close.all"][..],
    ]
    .concat();
    let rbac = Rbac::empty()
        .with_role("TECHNICIAN", &technician)
        .with_role("SUPERVISOR", &supervisor);
    let config = DeskConfig::default()
        .with_workflow(workflow)
        .with_rbac(rbac);
    let desk = Desk::open("sqlite::memory:", config).await?;
    let tech = Actor::new("acme", "tech-3").with_roles(["TECHNICIAN"]);
    let boss = Actor::new("acme", "sup-1").with_roles(["SUPERVISOR"]);

    let t = desk
        .create_ticket(&tech, NewTicketInput::new("Splitter cabinet 12 flooded"))
        .await?;
    println!(
        "{} created in state {} ({})",
        t.number, t.status, t.workflow
    );

    // Guards: no assignee yet, so dispatching is refused with a message that says why.
    let err = desk
        .transition_ticket(&tech, t.id, "dispatched", TransitionOptions::default())
        .await
        .unwrap_err();
    // (a guard that fails is a validation error: the request lacked something)
    assert_eq!(err.kind(), ErrorKind::Validation);
    println!("refused ({}): {err}", err.kind());
    // A transition the definition does not have names the allowed next states.
    let err = desk
        .transition_ticket(&tech, t.id, "verified", TransitionOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
    println!("refused ({}): {err}", err.kind());
    desk.assign_ticket(&tech, t.id, Some("tech-3".into()))
        .await?;

    for (to, options) in [
        ("dispatched", TransitionOptions::default()),
        ("on_site", TransitionOptions::comment("Arrived 10:40")),
        (
            "waiting_parts",
            TransitionOptions::comment("Need a 1:32 splitter"),
        ),
        ("on_site", TransitionOptions::default()),
        (
            "repaired",
            TransitionOptions::resolution_note("Cabinet dried, splitter replaced"),
        ),
    ] {
        let now = desk.transition_ticket(&tech, t.id, to, options).await?;
        println!("  -> {}", now.status);
    }

    // Permissions: the technician may not verify; the supervisor may.
    let err = desk
        .transition_ticket(&tech, t.id, "verified", TransitionOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    println!("refused ({}): {err}", err.kind());
    let done = desk
        .transition_ticket(&boss, t.id, "verified", TransitionOptions::default())
        .await?;
    println!(
        "{} is {} (resolved at {}, closed at {})",
        done.number,
        done.status,
        done.resolved_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        done.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default()
    );

    // The audit log records every change with who made it.
    for e in desk.ticket_history(&boss, t.id).await? {
        println!(
            "  audit {:<17} {:<6} {} -> {}",
            e.event_type,
            e.actor_id,
            e.old_value.map(|v| v.to_string()).unwrap_or_default(),
            e.new_value.map(|v| v.to_string()).unwrap_or_default()
        );
    }
    desk.close().await
}
