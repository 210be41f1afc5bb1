//! Loading custom workflows from JSON: valid definitions load; each kind of invalid definition is
//! rejected with a Validation error that names the offender.

use chrono::{TimeZone, Utc};
use ticket_core::Error;
use ticket_core::category::StateCategory;
use ticket_core::rbac::PermissionSet;
use ticket_core::workflow::{Guard, Hook, TransitionContext, Workflow};

fn err(json: &str) -> String {
    match Workflow::from_json(json) {
        Ok(_) => panic!("must be rejected: {json}"),
        Err(Error::Validation(m)) => m,
        Err(other) => panic!("expected Validation, got {other:?}"),
    }
}

const GOOD: &str = r#"{
  "name": "field-ops",
  "reopen_window_seconds": 86400,
  "states": [
    {"name": "received", "category": "new", "initial": true},
    {"name": "dispatched", "category": "open"},
    {"name": "on_hold", "category": "pending"},
    {"name": "fixed", "category": "resolved"},
    {"name": "done", "category": "closed"}
  ],
  "transitions": [
    {"from": "received", "to": "dispatched", "guards": ["requires_assignee"]},
    {"from": "dispatched", "to": "on_hold"},
    {"from": "on_hold", "to": "dispatched"},
    {"from": "dispatched", "to": "fixed", "permission": "tickets.close", "guards": ["requires_resolution_note"]},
    {"from": "fixed", "to": "done", "permission": "tickets.close", "hooks": ["set_closed_at"]},
    {"from": "fixed", "to": "dispatched", "permission": "tickets.reopen", "guards": ["within_reopen_window"]}
  ]
}"#;

#[test]
fn good_definition_loads_with_defaults() {
    let wf = Workflow::from_json(GOOD).unwrap();
    assert_eq!(wf.name(), "field-ops");
    assert_eq!(wf.initial_state(), "received");
    assert_eq!(wf.reopen_window(), chrono::Duration::days(1));
    assert_eq!(wf.category_of("ON_HOLD"), Some(StateCategory::Pending));
    assert_eq!(
        wf.states_in(&[
            StateCategory::New,
            StateCategory::Open,
            StateCategory::Pending
        ]),
        vec!["received", "dispatched", "on_hold"]
    );
    let id = |n| wf.state_id(n).unwrap();
    assert_eq!(
        wf.required_permission(id("dispatched"), id("on_hold")),
        Some("tickets.transition"),
        "permission defaults to tickets.transition"
    );
    assert_eq!(
        wf.guards(id("received"), id("dispatched")),
        Some(vec![Guard::RequiresAssignee])
    );
    assert_eq!(
        wf.hooks(id("fixed"), id("done")),
        Some(vec![Hook::SetClosedAt])
    );
    assert_eq!(
        wf.hooks(id("fixed"), id("dispatched")),
        Some(vec![Hook::ClearResolution])
    );
    let p = PermissionSet::from_iter(["tickets.transition"]);
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let e = wf
        .check_transition("received", "dispatched", &TransitionContext::new(&p, now))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Guard requires_assignee failed: the ticket must be assigned before moving from received to dispatched"
    );
    // Workflow itself (de)serialises via its definition.
    let via_serde: Workflow = serde_json::from_str(GOOD).unwrap();
    assert_eq!(via_serde, wf);
    assert!(
        serde_json::from_str::<Workflow>(r#"{"name":"x","states":[],"transitions":[]}"#).is_err()
    );
}

#[test]
fn unknown_state_in_transition() {
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new","initial":true},{"name":"b","category":"closed"}],
        "transitions":[{"from":"a","to":"b"},{"from":"b","to":"c"}]}"#,
    );
    assert_eq!(
        m,
        "Transition b -> c in workflow 'w' refers to unknown state 'c'. Known states: a, b"
    );
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new","initial":true}],
        "transitions":[{"from":"x","to":"a"}]}"#,
    );
    assert!(m.contains("unknown state 'x'"), "{m}");
}

#[test]
fn unreachable_states_are_named() {
    let m = err(r#"{"name":"w","states":[
        {"name":"a","category":"new","initial":true},{"name":"b","category":"open"},
        {"name":"island","category":"open"},{"name":"lost","category":"closed"}],
        "transitions":[{"from":"a","to":"b"},{"from":"island","to":"lost"}]}"#);
    assert_eq!(
        m,
        "Workflow 'w': state(s) island, lost cannot be reached from the initial state a"
    );
}

#[test]
fn initial_state_rules() {
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new"},{"name":"b","category":"open"}],
        "transitions":[{"from":"a","to":"b"}]}"#,
    );
    assert_eq!(
        m,
        "Workflow 'w' has no initial state; mark exactly one state with \"initial\": true"
    );
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new","initial":true},{"name":"b","category":"open","initial":true}],
        "transitions":[{"from":"a","to":"b"}]}"#,
    );
    assert_eq!(
        m,
        "Workflow 'w' has several initial states: a, b; exactly one is allowed"
    );
}

#[test]
fn duplicates_self_loops_and_names() {
    let m = err(
        r#"{"name":"w","states":[{"name":"Open","category":"new","initial":true},{"name":"OPEN","category":"open"}],
        "transitions":[]}"#,
    );
    assert_eq!(
        m,
        "Duplicate state 'OPEN' in workflow 'w' (already defined as 'Open')"
    );
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new","initial":true},{"name":"b","category":"open"}],
        "transitions":[{"from":"a","to":"b"},{"from":"A","to":"B"}]}"#,
    );
    assert_eq!(m, "Duplicate transition a -> b in workflow 'w'");
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new","initial":true}],
        "transitions":[{"from":"a","to":"a"}]}"#,
    );
    assert!(m.contains("self-loop"), "{m}");
    let m = err(
        r#"{"name":"w","states":[{"name":"has space","category":"new","initial":true}],"transitions":[]}"#,
    );
    assert!(m.starts_with("Invalid state name 'has space'"), "{m}");
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new","initial":true},{"name":"b","category":"open"}],
        "transitions":[{"from":"a","to":"b","permission":"  "}]}"#,
    );
    assert!(m.contains("empty permission"), "{m}");
    let m = err(
        r#"{"name":"  ","states":[{"name":"a","category":"new","initial":true}],"transitions":[]}"#,
    );
    assert_eq!(m, "Workflow name must not be empty");
    let m = err(r#"{"name":"w","states":[],"transitions":[]}"#);
    assert_eq!(m, "Workflow 'w' has no states");
}

#[test]
fn malformed_json_and_unknown_enums() {
    assert!(err("{").starts_with("Invalid workflow definition JSON"));
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"limbo","initial":true}],"transitions":[]}"#,
    );
    assert!(m.contains("limbo"), "{m}");
    let m = err(
        r#"{"name":"w","states":[{"name":"a","category":"new","initial":true},{"name":"b","category":"open"}],
        "transitions":[{"from":"a","to":"b","guards":["requires_prayer"]}]}"#,
    );
    assert!(m.contains("requires_prayer"), "{m}");
}

#[test]
fn single_state_workflow_is_valid() {
    let wf = Workflow::from_json(
        r#"{"name":"w","states":[{"name":"only","category":"open","initial":true}],"transitions":[]}"#,
    )
    .unwrap();
    assert_eq!(wf.allowed_next("ONLY").unwrap(), Vec::<&str>::new());
    let p = PermissionSet::superuser();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(
        wf.check_transition("only", "elsewhere", &TransitionContext::new(&p, now))
            .unwrap_err()
            .to_string(),
        "Invalid transition from only to elsewhere. Allowed next states: none"
    );
}
