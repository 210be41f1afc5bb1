//! Seed 003's permission matrix, role by role, plus the row rules (own / assigned / team / all),
//! internal comments, and DotMac's `faults.*` roles.
//!
//! | Role | Create | View | Update | Assign | Close | Delete |
//! |---|---|---|---|---|---|---|
//! | END_USER | Own | Own | Own | no | no | no |
//! | DEVOPS_ENGINEER | yes | All | Assigned | Self | Assigned | no |
//! | SENIOR_ENGINEER | yes | All | All | Team | All | no |
//! | TEAM_LEAD | yes | All | All | yes | yes | no |
//! | MANAGER | yes | All | All | yes | yes | no |
//! | ADMIN | yes | All | All | yes | yes | yes |

use chrono::{TimeZone, Utc};
use ticket_core::Error;
use ticket_core::rbac::{Principal, Rbac, perms};
use ticket_core::ticket::{NewTicket, Ticket};
use ticket_core::workflow::Workflow;

const ME: &str = "me";

fn principal(role: &str) -> Principal {
    Rbac::itsm().principal(ME, &[role.to_string()], &[])
}

fn ticket(reporter: &str, assignee: Option<&str>) -> Ticket {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut n = NewTicket::new("t", "s", reporter);
    if let Some(a) = assignee {
        n = n.assignee(a);
    }
    n.build(
        &Workflow::itsm(),
        Ticket::new_id(now),
        "TKT-2026-000001".into(),
        now,
    )
    .unwrap()
}

#[derive(Debug, PartialEq)]
struct Row {
    create: bool,
    view_own: bool,
    view_other: bool,
    update_own_reported: bool,
    update_assigned: bool,
    update_other: bool,
    assign_self: bool,
    assign_team: bool,
    assign_anyone: bool,
    close_assigned: bool,
    close_other: bool,
    delete: bool,
    internal: bool,
}

fn observe(role: &str) -> Row {
    let p = principal(role);
    let mine = ticket(ME, None);
    let assigned = ticket("someone", Some(ME));
    let other = ticket("someone", Some("else"));
    let unassigned = ticket("someone", None);
    Row {
        create: p.has(perms::TICKETS_CREATE),
        view_own: p.can_view_ticket(&mine),
        view_other: p.can_view_ticket(&other),
        update_own_reported: p.can_edit_ticket(&mine),
        update_assigned: p.can_edit_ticket(&assigned),
        update_other: p.can_edit_ticket(&other),
        assign_self: p.can_assign(&unassigned, Some(ME), false),
        assign_team: p.can_assign(&unassigned, Some("teammate"), true),
        assign_anyone: p.can_assign(&unassigned, Some("stranger"), false),
        close_assigned: p.can_close_ticket(&assigned),
        close_other: p.can_close_ticket(&other),
        delete: p.can_delete_ticket(),
        internal: p.can_view_internal_comments(),
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    create: bool,
    (view_own, view_other): (bool, bool),
    (update_own_reported, update_assigned, update_other): (bool, bool, bool),
    (assign_self, assign_team, assign_anyone): (bool, bool, bool),
    (close_assigned, close_other): (bool, bool),
    delete: bool,
    internal: bool,
) -> Row {
    Row {
        create,
        view_own,
        view_other,
        update_own_reported,
        update_assigned,
        update_other,
        assign_self,
        assign_team,
        assign_anyone,
        close_assigned,
        close_other,
        delete,
        internal,
    }
}

#[test]
fn seed_003_matrix() {
    let (y, n) = (true, false);
    let expected = [
        (
            "END_USER",
            // `tickets.write` covers tickets the actor reported *or* is assigned to, so an end
            // user who happens to be the assignee may update it too.
            row(y, (y, n), (y, y, n), (n, n, n), (n, n), n, n),
        ),
        (
            "DEVOPS_ENGINEER",
            row(y, (y, y), (y, y, n), (y, n, n), (y, n), n, y),
        ),
        (
            "SENIOR_ENGINEER",
            row(y, (y, y), (y, y, y), (y, y, n), (y, y), n, y),
        ),
        (
            "TEAM_LEAD",
            row(y, (y, y), (y, y, y), (y, y, y), (y, y), n, y),
        ),
        (
            "MANAGER",
            row(y, (y, y), (y, y, y), (y, y, y), (y, y), n, y),
        ),
        ("ADMIN", row(y, (y, y), (y, y, y), (y, y, y), (y, y), y, y)),
    ];
    for (role, want) in expected {
        assert_eq!(observe(role), want, "{role}");
    }
}

#[test]
fn end_user_sees_only_reported_tickets_and_no_internal_comments() {
    let p = principal("END_USER");
    assert!(p.sees_only_own_tickets());
    assert!(p.can_view_ticket(&ticket(ME, Some("eng"))));
    assert!(!p.can_view_ticket(&ticket("other", Some("eng"))));
    assert!(!p.can_view_internal_comments());
    assert!(!principal("DEVOPS_ENGINEER").sees_only_own_tickets());
}

#[test]
fn deleted_tickets_only_for_deleters() {
    let mut t = ticket(ME, None);
    t.deleted_at = Some(t.created_at);
    assert!(!principal("END_USER").can_view_ticket(&t));
    assert!(!principal("MANAGER").can_view_ticket(&t));
    assert!(principal("ADMIN").can_view_ticket(&t));
}

#[test]
fn devops_cannot_steal_an_assigned_ticket_but_can_unassign_self() {
    let p = principal("DEVOPS_ENGINEER");
    assert!(!p.can_assign(&ticket("r", Some("other")), Some(ME), false));
    assert!(p.can_assign(&ticket("r", Some(ME)), None, false));
    assert!(!p.can_assign(&ticket("r", Some("other")), None, false));
    let err = p
        .require_assign(&ticket("r", None), Some("teammate"), true)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Permission denied. Required permission: tickets.assign.team"
    );
    let err = principal("SENIOR_ENGINEER")
        .require_assign(&ticket("r", None), Some("stranger"), false)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Permission denied. Required permission: tickets.assign.all"
    );
    let err = principal("END_USER")
        .require_assign(&ticket(ME, None), Some(ME), false)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Permission denied. Required permission: tickets.assign"
    );
}

#[test]
fn require_messages_are_seed_text() {
    let rbac = Rbac::preset();
    let roles = vec!["NOC_VIEWER".to_string()];
    assert!(rbac.require(&roles, &[], "faults.alarms.read").is_ok());
    let e = rbac
        .require(&roles, &[], "faults.alarms.write")
        .unwrap_err();
    assert_eq!(
        e,
        Error::PermissionDenied {
            permission: "faults.alarms.write".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "Permission denied. Required permission: faults.alarms.write"
    );
    let p = principal("DEVOPS_ENGINEER");
    assert_eq!(
        p.require_edit_ticket(&ticket("x", Some("y")))
            .unwrap_err()
            .to_string(),
        "Permission denied. Required permission: tickets.write.all"
    );
    assert_eq!(
        principal("END_USER")
            .require_close_ticket(&ticket(ME, Some(ME)))
            .unwrap_err()
            .to_string(),
        "Permission denied. Required permission: tickets.close"
    );
    assert!(p.require_close_ticket(&ticket("x", Some(ME))).is_ok());
}

#[test]
fn dotmac_roles() {
    let rbac = Rbac::dotmac();
    let r = |role: &str| vec![role.to_string()];
    for perm in [
        "faults.alarms.write",
        "tickets.create",
        "tickets.comments.internal",
    ] {
        assert!(
            rbac.require(&r("NOC_OPERATOR"), &[], perm).is_ok(),
            "{perm}"
        );
    }
    assert!(
        rbac.require(&r("NOC_OPERATOR"), &[], "faults.rules.write")
            .is_err()
    );
    for perm in [
        "faults.rules.write",
        "faults.topology.write",
        "faults.maintenance.write",
    ] {
        assert!(
            rbac.require(&r("noc_engineer"), &[], perm).is_ok(),
            "{perm}"
        );
    }
    assert!(
        rbac.require(&r("SLA_MANAGER"), &[], "faults.sla.write")
            .is_ok()
    );
    assert!(
        rbac.require(&r("NOC_VIEWER"), &[], "faults.sla.write")
            .is_err()
    );
    // Direct grants and wildcards.
    assert!(
        rbac.require(&[], &["faults.*".to_string()], "faults.sla.write")
            .is_ok()
    );
    // The combined preset keeps both families.
    let all = Rbac::preset();
    assert!(all.role("END_USER").is_some() && all.role("NOC_ENGINEER").is_some());
    // Configurable: a custom role map replaces the matrix.
    let custom = Rbac::itsm().with_role("END_USER", &["tickets.read", "tickets.read.all"]);
    assert!(
        custom
            .principal(ME, &r("END_USER"), &[])
            .can_view_ticket(&ticket("x", None))
    );
    assert!(
        !custom
            .principal(ME, &r("END_USER"), &[])
            .has("tickets.create")
    );
}
