//! Property tests for workflows: no sequence of transitions — whatever the permissions, guards
//! and timing — reaches a state the definition cannot reach, and every step taken is an edge of
//! the definition. Reachability is computed here independently from the serde definition.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeSet;
use ticket_core::Error;
use ticket_core::category::StateCategory;
use ticket_core::rbac::PermissionSet;
use ticket_core::workflow::{StateDef, TransitionContext, TransitionDef, Workflow, WorkflowDef};

/// Names reachable from the initial state by following `def.transitions` (lower-cased).
fn reachable(def: &WorkflowDef) -> BTreeSet<String> {
    let initial = def
        .states
        .iter()
        .find(|s| s.initial)
        .expect("initial")
        .name
        .to_ascii_lowercase();
    let mut seen = BTreeSet::from([initial.clone()]);
    let mut frontier = vec![initial];
    while let Some(s) = frontier.pop() {
        for t in &def.transitions {
            if t.from.to_ascii_lowercase() == s && seen.insert(t.to.to_ascii_lowercase()) {
                frontier.push(t.to.to_ascii_lowercase());
            }
        }
    }
    seen
}

fn edge_in_def(def: &WorkflowDef, from: &str, to: &str) -> bool {
    def.transitions
        .iter()
        .any(|t| t.from.eq_ignore_ascii_case(from) && t.to.eq_ignore_ascii_case(to))
}

#[derive(Debug, Clone)]
struct Step {
    target: usize,
    note: bool,
    assignee: bool,
    minutes: i64,
    perms: u8,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0usize..16,
        any::<bool>(),
        any::<bool>(),
        0i64..20_000,
        any::<u8>(),
    )
        .prop_map(|(target, note, assignee, minutes, perms)| Step {
            target,
            note,
            assignee,
            minutes,
            perms,
        })
}

fn perms_of(bits: u8) -> PermissionSet {
    let all = [
        "tickets.transition",
        "tickets.close",
        "tickets.reopen",
        "admin",
    ];
    PermissionSet::from_iter(
        all.iter()
            .enumerate()
            // admin only rarely, so permission denials happen often.
            .filter(|(i, _)| bits & (1 << i) != 0 && (*i < 3 || bits & 0x70 == 0x70))
            .map(|(_, p)| *p),
    )
}

/// Walks `steps` and checks the invariants; returns the states visited.
fn walk(wf: &Workflow, steps: &[Step]) -> Result<BTreeSet<String>, TestCaseError> {
    let def = wf.definition();
    let reach = reachable(def);
    let names: Vec<String> = wf.states().iter().map(|s| s.name.clone()).collect();
    let mut now: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut ticket = ticket_core::ticket::NewTicket::new("t", "s", "u")
        .build(
            wf,
            ticket_core::ticket::Ticket::new_id(now),
            "TKT-2026-000001".into(),
            now,
        )
        .unwrap();
    let mut visited = BTreeSet::from([ticket.status.to_ascii_lowercase()]);
    for s in steps {
        now += Duration::minutes(s.minutes);
        let target = names
            .get(s.target)
            .cloned()
            .unwrap_or_else(|| format!("bogus_{}", s.target));
        let perms = perms_of(s.perms);
        let ctx = TransitionContext::new(&perms, now)
            .with_assignee(s.assignee)
            .with_resolution_note(s.note)
            .with_resolution_times(ticket.resolved_at, ticket.closed_at);
        let before = ticket.status.clone();
        match wf.check_transition(&before, &target, &ctx) {
            Ok(fx) => {
                prop_assert!(
                    edge_in_def(def, &before, &target),
                    "{before} -> {target} not in definition"
                );
                fx.apply(&mut ticket, now);
                prop_assert!(reach.contains(&ticket.status.to_ascii_lowercase()));
                visited.insert(ticket.status.to_ascii_lowercase());
                // Timestamp invariants maintained by the hooks.
                let cat = wf.category_of(&ticket.status).unwrap();
                if cat == StateCategory::Closed {
                    prop_assert!(ticket.closed_at.is_some());
                }
                // Leaving the `new` category always records the first response.
                let starts_new = wf.state(wf.initial_id()).category == StateCategory::New;
                if starts_new && cat != StateCategory::New {
                    prop_assert!(ticket.first_responded_at.is_some());
                }
            }
            Err(Error::InvalidTransition { from, to, allowed }) => {
                prop_assert!(!edge_in_def(def, &before, &target));
                prop_assert_eq!(from, before.clone());
                prop_assert_eq!(to.to_ascii_lowercase(), target.to_ascii_lowercase());
                let expected: Vec<String> = def
                    .transitions
                    .iter()
                    .filter(|t| t.from.eq_ignore_ascii_case(&before))
                    .map(|t| wf.canonical(&t.to).unwrap().to_string())
                    .collect();
                prop_assert_eq!(allowed, expected);
            }
            Err(Error::PermissionDenied { permission }) => {
                prop_assert!(edge_in_def(def, &before, &target));
                prop_assert!(!perms.has(&permission));
            }
            Err(e) => {
                prop_assert!(
                    matches!(e, Error::Validation(ref m) if m.starts_with("Guard ")),
                    "{e}"
                );
            }
        }
        prop_assert!(reach.contains(&ticket.status.to_ascii_lowercase()));
    }
    Ok(visited)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn presets_never_leave_their_reachable_set(
        preset in 0usize..3,
        steps in prop::collection::vec(step(), 0..60),
    ) {
        let wf = Workflow::preset(Workflow::PRESETS[preset]).unwrap();
        walk(&wf, &steps)?;
    }

    /// Random definitions: loading succeeds exactly when every state is reachable (independent
    /// BFS), and random walks on the loaded ones stay inside the reachable set.
    #[test]
    fn random_definitions(
        n in 1usize..8,
        initial in 0usize..8,
        cats in prop::collection::vec(0usize..5, 8),
        edges in prop::collection::vec((0usize..8, 0usize..8), 0..20),
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let initial = initial % n;
        let states: Vec<StateDef> = (0..n)
            .map(|i| StateDef {
                name: format!("S{i}"),
                category: StateCategory::ALL[cats[i]],
                initial: i == initial,
            })
            .collect();
        let mut seen = BTreeSet::new();
        let transitions: Vec<TransitionDef> = edges
            .iter()
            .map(|(a, b)| (a % n, b % n))
            .filter(|(a, b)| a != b && seen.insert((*a, *b)))
            .map(|(a, b)| TransitionDef {
                from: format!("s{a}"),
                to: format!("S{b}"),
                permission: "tickets.transition".into(),
                guards: vec![],
                hooks: None,
            })
            .collect();
        let def = WorkflowDef {
            name: "random".into(),
            reopen_window_seconds: 3600,
            states,
            transitions,
        };
        let reach = reachable(&def);
        match Workflow::from_def(def.clone()) {
            Ok(wf) => {
                prop_assert_eq!(reach.len(), n);
                let visited = walk(&wf, &steps)?;
                prop_assert!(visited.is_subset(&reach));
            }
            Err(e) => {
                prop_assert!(reach.len() < n);
                let msg = e.to_string();
                prop_assert!(msg.contains("cannot be reached"), "{}", msg);
                for s in &def.states {
                    if !reach.contains(&s.name.to_ascii_lowercase()) {
                        prop_assert!(msg.contains(&s.name), "{} should be named in {}", s.name, msg);
                    }
                }
            }
        }
    }
}
