//! A ticket's life through the pure core, as `Desk` drives it: create (number, validation),
//! RBAC checks, workflow transitions with their timestamp effects, audit events derived from
//! each change, comments, attachments, and statistics over the result.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ticket_core::attachment::AttachmentPolicy;
use ticket_core::audit::{AuditActor, AuditEvent, AuditEventType, diff};
use ticket_core::comment::{Comment, Visibility};
use ticket_core::numbering::NumberFormat;
use ticket_core::rbac::{Rbac, perms};
use ticket_core::stats::{StatsOptions, TicketStats};
use ticket_core::ticket::{NewTicket, Ticket, TicketPatch};
use ticket_core::workflow::{TransitionContext, Workflow};
use ticket_core::{Error, Priority, TicketType};
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 9, 8, 30, 0).unwrap()
}

#[test]
fn itsm_ticket_from_creation_to_reopen() {
    let rbac = Rbac::itsm();
    let wf = Workflow::itsm();
    let numbers = NumberFormat::default();
    let user = rbac.principal("alice", &["END_USER".into()], &[]);
    let eng = rbac.principal("eve", &["DEVOPS_ENGINEER".into()], &[]);
    let actor = |who: &str| AuditActor::new(who).with_ip("203.0.113.9");
    let mut log: Vec<AuditEvent> = Vec::new();

    // Create.
    user.require(perms::TICKETS_CREATE).unwrap();
    let number = numbers.format(2026, 42);
    let mut t = NewTicket::new("acme", "Email not syncing on phone", "alice")
        .description("Since **this morning** my phone shows no new mail.")
        .priority("P3".parse().unwrap())
        .ticket_type(TicketType::ServiceRequest)
        .build(&wf, Ticket::new_id(t0()), number.clone(), t0())
        .unwrap();
    assert_eq!(t.number, "TKT-2026-000042");
    assert_eq!(numbers.parse(&t.number).unwrap(), (2026, 42));
    log.push(AuditEvent::created(&t, &actor("alice"), t0()));

    // The end user cannot move the ticket; the engineer can.
    let up = rbac.permissions(&["END_USER".into()], &[]);
    let at = t0() + Duration::minutes(20);
    let e = wf
        .check_transition(&t.status, "OPEN", &TransitionContext::new(&up, at))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Permission denied. Required permission: tickets.transition"
    );
    let before = t.clone();
    wf.check_transition(
        &t.status,
        "open",
        &TransitionContext::new(&eng.permissions, at),
    )
    .unwrap()
    .apply(&mut t, at);
    log.extend(diff(&before, &t, &actor("eve"), at));
    assert_eq!(t.first_responded_at, Some(at));

    // Starting work needs an assignee: the engineer takes the ticket.
    let at = at + Duration::minutes(5);
    let e = wf
        .check_transition(
            &t.status,
            "IN_PROGRESS",
            &TransitionContext::new(&eng.permissions, at),
        )
        .unwrap_err();
    assert!(e.to_string().contains("requires_assignee"));
    eng.require_assign(&t, Some("eve"), false).unwrap();
    let before = t.clone();
    TicketPatch {
        assignee_id: Some(Some("eve".into())),
        priority: Some(Priority::High),
        ..Default::default()
    }
    .apply(&mut t, at)
    .unwrap();
    let ctx = TransitionContext::new(&eng.permissions, at).with_assignee(t.assignee_id.is_some());
    wf.check_transition(&t.status, "IN_PROGRESS", &ctx)
        .unwrap()
        .apply(&mut t, at);
    log.extend(diff(&before, &t, &actor("eve"), at));

    // Internal note from the engineer: the end user cannot see it.
    let note = Comment::new(
        Uuid::nil(),
        t.id,
        &eng,
        "Mailbox over quota",
        Visibility::Internal,
        at,
    )
    .unwrap();
    log.push(AuditEvent::comment_added(
        note.id,
        note.visibility,
        &actor("eve"),
        at,
    ));
    assert!(!user.can_view_comment(&note));
    assert!(log.last().unwrap().is_internal());

    // The user attaches a screenshot (sanitised name).
    let att = AttachmentPolicy::default()
        .validate(
            "../../Screenshot 2026-02-09.PNG",
            200_000,
            Some("image/png"),
        )
        .unwrap();
    assert_eq!(att.file_name, "Screenshot 2026-02-09.PNG");
    log.push(AuditEvent::attachment_added(
        Uuid::nil(),
        &att.file_name,
        &actor("alice"),
        at,
    ));

    // Resolve: needs a note.
    let at = at + Duration::hours(2);
    let ctx = TransitionContext::new(&eng.permissions, at).with_assignee(true);
    let e = wf
        .check_transition(&t.status, "RESOLVED", &ctx)
        .unwrap_err();
    assert!(matches!(e, Error::Validation(ref m) if m.contains("requires_resolution_note")));
    assert!(eng.can_close_ticket(&t));
    let before = t.clone();
    wf.check_transition(&t.status, "RESOLVED", &ctx.with_resolution_note(true))
        .unwrap()
        .apply(&mut t, at);
    log.extend(diff(&before, &t, &actor("eve"), at));
    let resolved_at = at;

    // The user reopens within the window (END_USER has tickets.reopen).
    let at = at + Duration::days(2);
    let before = t.clone();
    let ctx = TransitionContext::new(&up, at).with_resolution_times(t.resolved_at, t.closed_at);
    wf.check_transition(&t.status, "REOPENED", &ctx)
        .unwrap()
        .apply(&mut t, at);
    log.extend(diff(&before, &t, &actor("alice"), at));
    assert_eq!(t.resolved_at, None);

    let kinds: Vec<AuditEventType> = log.iter().map(|e| e.event_type).collect();
    use AuditEventType::*;
    assert_eq!(
        kinds,
        [
            Created,
            StatusChange,
            StatusChange,
            PriorityChange,
            AssignmentChange,
            CommentAdded,
            AttachmentAdded,
            StatusChange,
            Resolved,
            StatusChange,
            Reopened
        ]
    );
    assert!(log.iter().all(|e| e.ip.as_deref() == Some("203.0.113.9")));

    // Statistics over this ticket.
    let workflows = [&wf];
    let s = TicketStats::compute(
        std::slice::from_ref(&t),
        &StatsOptions::new()
            .workflows(&workflows)
            .sla_met(&[Some(true)]),
    );
    assert_eq!(s.by_status["REOPENED"], 1);
    assert_eq!(s.open, 1);
    assert_eq!(s.first_response.unwrap().mean_seconds, 20.0 * 60.0);
    assert_eq!(s.resolution, None, "reopened: no current resolution");
    assert_eq!(s.sla_compliance_rate, Some(1.0));
    assert!(resolved_at > t0());
}

#[test]
fn reopen_after_window_is_refused_with_guard_name() {
    let wf = Workflow::itsm();
    let p = Rbac::itsm().permissions(&["END_USER".into()], &[]);
    let closed = t0();
    let ctx = TransitionContext::new(&p, closed + Duration::days(8))
        .with_resolution_times(Some(closed - Duration::hours(1)), Some(closed));
    let e = wf.check_transition("CLOSED", "REOPENED", &ctx).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Guard within_reopen_window failed"),
        "{e}"
    );
}

#[test]
fn vms_and_fibreflow_stats_by_label() {
    let vms = Workflow::vms();
    let ff = Workflow::fibreflow();
    let mut tickets = Vec::new();
    for (i, (wf, provider)) in [(&vms, "p-a"), (&vms, "p-b"), (&vms, "p-a"), (&ff, "")]
        .into_iter()
        .enumerate()
    {
        let mut n = NewTicket::new("t", format!("ticket {i}"), "svc");
        if !provider.is_empty() {
            n = n.label("provider_id", provider);
        } else {
            n = n.label("contractor_id", "c-7").label("project_id", "p-1");
        }
        tickets.push(
            n.build(
                wf,
                Ticket::new_id(t0()),
                format!("TKT-2026-{:06}", i + 1),
                t0(),
            )
            .unwrap(),
        );
    }
    let p = rbac_super();
    let at = t0() + Duration::hours(1);
    let ctx = TransitionContext::new(&p, at).with_assignee(true);
    let fx = vms
        .check_transition("open", "false_positive", &ctx)
        .unwrap();
    fx.apply(&mut tickets[1], at);
    let workflows = [&vms, &ff];
    let s = TicketStats::compute(
        &tickets,
        &StatsOptions::new()
            .workflows(&workflows)
            .label_keys(&["provider_id", "contractor_id"]),
    );
    assert_eq!(s.by_label["provider_id"]["p-a"], 2);
    assert_eq!(s.by_label["provider_id"]["p-b"], 1);
    assert_eq!(s.by_label["contractor_id"]["c-7"], 1);
    assert_eq!(s.by_status["open"], 2);
    assert_eq!(s.by_status["false_positive"], 1);
    assert_eq!(s.by_status["pending"], 1);
    assert_eq!(s.open, 3);
    assert_eq!(s.resolution.unwrap().mean_seconds, 3600.0);
}

fn rbac_super() -> ticket_core::rbac::PermissionSet {
    Rbac::itsm().permissions(&["ADMIN".into()], &[])
}
