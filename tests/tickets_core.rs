//! Ticket use-cases on every backend: create/get/number, PATCH audit, assign, workflow
//! transitions and reopen window, delete, row rules, tenant isolation, validation writes
//! nothing, concurrent number allocation.

mod common;

use chrono::Duration;
use common::*;
use faultdesk::ticket::audit::AuditEventType;
use faultdesk::ticket::{Priority, TicketPatch, TicketType};
use faultdesk::{Desk, DeskConfig, ErrorKind, NewTicketInput, TicketQuery, TransitionOptions};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

fn kinds(events: &[faultdesk::ticket::AuditEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_allocates_numbers_records_workflow_audits_and_emits() {
    each(|td| async move {
        let a = admin("acme");
        let t1 = td
            .create_ticket(
                &a,
                NewTicketInput::new("  Fibre cut on Main St  ")
                    .description("Splice closure damaged")
                    .priority(Priority::High)
                    .ticket_type(TicketType::Fault)
                    .customer("cust-9")
                    .label("contractor_id", "c-17")
                    .metadata(json!({"site": "MS-1"})),
            )
            .await
            .unwrap();
        assert_eq!(t1.number, "TKT-2026-000001", "{}", td.name);
        assert_eq!(t1.subject, "Fibre cut on Main St");
        assert_eq!(t1.status, "NEW");
        assert_eq!(t1.workflow, "itsm");
        assert_eq!(t1.reporter_id, "admin-1");
        assert_eq!(t1.priority, Priority::High);
        assert_eq!(t1.ticket_type, TicketType::Fault);
        assert_eq!(t1.created_at, t0());
        assert_eq!(t1.labels["contractor_id"], "c-17");
        assert_eq!(t1.metadata, json!({"site": "MS-1"}));
        let t2 = td
            .create_ticket(&a, NewTicketInput::new("Second"))
            .await
            .unwrap();
        assert_eq!(t2.number, "TKT-2026-000002");
        assert_eq!(t2.priority, Priority::Normal);
        assert_eq!(t2.ticket_type, TicketType::Incident);

        // Read back exactly what was returned.
        assert_eq!(td.get_ticket(&a, t1.id).await.unwrap(), t1, "{}", td.name);
        assert_eq!(td.get_ticket_by_number(&a, "tkt-2026-1").await.unwrap(), t1);

        let h = td.ticket_history(&a, t1.id).await.unwrap();
        assert_eq!(kinds(&h), ["CREATED"]);
        assert_eq!(h[0].actor_id, "admin-1");
        assert_eq!(h[0].ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(
            h[0].new_value.as_ref().unwrap()["number"],
            "TKT-2026-000001"
        );

        let ev = td.events_since(&a, 0, 100).await.unwrap();
        let created: Vec<_> = ev.iter().filter(|e| e.kind == "ticket.created").collect();
        assert_eq!(created.len(), 2);
        assert_eq!(
            created[0].entity_id.as_deref(),
            Some(t1.id.to_string().as_str())
        );
        assert_eq!(created[0].payload["number"], "TKT-2026-000001");
        assert_eq!(td.count("ticket_labels").await, 1);
        assert_eq!(td.count("ticket_events").await, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_is_a_validation_error_and_writes_nothing() {
    each(|td| async move {
        let a = admin("acme");
        let t = td
            .create_ticket(&a, NewTicketInput::new("ok"))
            .await
            .unwrap();
        let before = td.counts().await;
        let bad_inputs = [
            NewTicketInput::new("   "),
            NewTicketInput::new("x".repeat(256)),
            NewTicketInput::new("two\nlines"),
            NewTicketInput::new("ok").description("d".repeat(64 * 1024 + 1)),
            NewTicketInput::new("ok").label("Bad Key!", "v"),
            NewTicketInput::new("ok").metadata(json!([1, 2])),
        ];
        for input in bad_inputs {
            let e = td.create_ticket(&a, input.clone()).await.unwrap_err();
            assert_eq!(
                e.kind(),
                ErrorKind::Validation,
                "{}: {input:?}: {e}",
                td.name
            );
        }
        let e = td
            .create_ticket(&a, NewTicketInput::new(" "))
            .await
            .unwrap_err();
        assert_eq!(e.message(), "Subject must not be empty");
        // PATCH that would empty the subject.
        let e = td
            .update_ticket(
                &a,
                t.id,
                TicketPatch {
                    subject: Some("".into()),
                    priority: Some(Priority::Critical),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        // Malformed number, oversized page, unknown sort, unknown status, empty reason.
        let e = td.get_ticket_by_number(&a, "TKT-26-1").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let e = td
            .list_tickets(&a, TicketQuery::default().page_size(101))
            .await
            .unwrap_err();
        assert_eq!(e.message(), "page_size must be between 1 and 100, got 101");
        let e = td
            .list_tickets(&a, TicketQuery::default().sort(["-password"]))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let e = td
            .list_tickets(&a, TicketQuery::default().status("teleported"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.message().contains("Known states"), "{e}");
        let e = td.reopen_ticket(&a, t.id, "  ").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let e = td
            .assign_ticket(&a, t.id, Some("".into()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(td.counts().await, before, "{}", td.name);
        assert_eq!(td.get_ticket(&a, t.id).await.unwrap(), t);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_are_checked_first_with_seed_text() {
    each(|td| async move {
        let t = td
            .create_ticket(&admin("acme"), NewTicketInput::new("x"))
            .await
            .unwrap();
        let before = td.counts().await;
        let e = td
            .create_ticket(&viewer("acme"), NewTicketInput::new("x"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            e.message(),
            "Permission denied. Required permission: tickets.create"
        );
        let e = td.get_ticket(&nobody("acme"), t.id).await.unwrap_err();
        assert_eq!(
            e.message(),
            "Permission denied. Required permission: tickets.read"
        );
        let e = td.delete_ticket(&lead("acme"), t.id).await.unwrap_err();
        assert_eq!(
            e.message(),
            "Permission denied. Required permission: tickets.delete"
        );
        // An engineer may not assign someone else.
        let e = td
            .assign_ticket(&engineer("acme", "eng-1"), t.id, Some("eng-2".into()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        // End users may not resolve: the transition's permission is tickets.close.
        let alice = end_user("acme", "alice");
        let own = td
            .create_ticket(&alice, NewTicketInput::new("mine"))
            .await
            .unwrap();
        let before_own = td.counts().await;
        let e = td
            .transition_ticket(&alice, own.id, "OPEN", TransitionOptions::default())
            .await
            .unwrap_err();
        assert_eq!(
            e.message(),
            "Permission denied. Required permission: tickets.transition"
        );
        assert_eq!(td.counts().await, before_own);
        assert_eq!(before_own["tickets"], before["tickets"] + 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_users_see_only_their_own_tickets() {
    each(|td| async move {
        let alice = end_user("acme", "alice");
        let bob = end_user("acme", "bob");
        let ta = td
            .create_ticket(&alice, NewTicketInput::new("alice's"))
            .await
            .unwrap();
        let tb = td
            .create_ticket(&bob, NewTicketInput::new("bob's"))
            .await
            .unwrap();
        assert_eq!(td.get_ticket(&alice, ta.id).await.unwrap().id, ta.id);
        let e = td.get_ticket(&alice, tb.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.message(), format!("Ticket {} not found", tb.id));
        let e = td
            .get_ticket_by_number(&alice, &tb.number)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let e = td.ticket_history(&alice, tb.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let page = td
            .list_tickets(&alice, TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(page.total, 1, "{}", td.name);
        assert_eq!(page.items[0].id, ta.id);
        assert_eq!(
            td.ticket_stats(&alice, TicketQuery::default())
                .await
                .unwrap()
                .total,
            1
        );
        // Staff see both.
        let eng = engineer("acme", "eng-1");
        assert_eq!(
            td.list_tickets(&eng, TicketQuery::default())
                .await
                .unwrap()
                .total,
            2
        );
        // End users edit their own ticket, not others'.
        td.update_ticket(
            &alice,
            ta.id,
            TicketPatch {
                description: Some("more detail".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let e = td
            .update_ticket(
                &alice,
                tb.id,
                TicketPatch {
                    description: Some("hijack".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(td.get_ticket(&bob, tb.id).await.unwrap().description, "");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_changes_only_given_fields_and_audits_each_change() {
    each(|td| async move {
        let a = admin("acme");
        let t = td
            .create_ticket(
                &a,
                NewTicketInput::new("Old subject")
                    .description("keep me")
                    .label("contractor_id", "c-1")
                    .label("project", "p-1"),
            )
            .await
            .unwrap();
        td.advance(Duration::minutes(10));
        let due = t0() + Duration::days(2);
        let patch: TicketPatch = serde_json::from_value(json!({
            "subject": "New subject",
            "priority": "critical",
            "due_at": due,
            "labels": {"contractor_id": "c-2", "project": null},
        }))
        .unwrap();
        let n = td.update_ticket(&a, t.id, patch).await.unwrap();
        assert_eq!(n.subject, "New subject");
        assert_eq!(n.priority, Priority::Critical);
        assert_eq!(n.description, "keep me");
        assert_eq!(n.due_at, Some(due));
        assert_eq!(
            n.labels,
            BTreeMap::from([("contractor_id".to_string(), "c-2".to_string())])
        );
        assert_eq!(n.updated_at, t0() + Duration::minutes(10));
        assert_eq!(td.get_ticket(&a, t.id).await.unwrap(), n, "{}", td.name);
        let h = td.ticket_history(&a, t.id).await.unwrap();
        assert_eq!(
            kinds(&h),
            [
                "CREATED",
                "PRIORITY_CHANGE",
                "DUE_DATE_CHANGE",
                "UPDATE",
                "UPDATE"
            ]
        );
        assert_eq!(h[1].old_value, Some(json!("normal")));
        assert_eq!(h[1].new_value, Some(json!("critical")));
        assert_eq!(h[2].old_value, Some(json!(null)));
        assert_eq!(h[3].field.as_deref(), Some("subject"));
        assert_eq!(h[3].old_value, Some(json!("Old subject")));
        assert_eq!(h[4].field.as_deref(), Some("labels"));
        // The label filter follows the change.
        let by_c2 = td
            .list_tickets(&a, TicketQuery::default().label("contractor_id", "c-2"))
            .await
            .unwrap();
        assert_eq!(by_c2.total, 1);
        // A patch that changes nothing writes nothing.
        let before = td.counts().await;
        let same = td
            .update_ticket(
                &a,
                t.id,
                TicketPatch {
                    subject: Some("New subject".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(same, n);
        assert_eq!(td.counts().await, before);
        // Unassign via null.
        td.assign_ticket(&a, t.id, Some("eng-1".into()))
            .await
            .unwrap();
        let p: TicketPatch = serde_json::from_value(json!({"assignee_id": null})).unwrap();
        let u = td.update_ticket(&a, t.id, p).await.unwrap();
        assert_eq!(u.assignee_id, None);
        let h = td.ticket_history(&a, t.id).await.unwrap();
        let last = h.last().unwrap();
        assert_eq!(last.event_type, AuditEventType::AssignmentChange);
        assert_eq!(last.old_value, Some(json!("eng-1")));
        assert_eq!(last.new_value, Some(json!(null)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignment_rules_and_audit() {
    each(|td| async move {
        let a = admin("acme");
        let t = td
            .create_ticket(&a, NewTicketInput::new("x"))
            .await
            .unwrap();
        let eng = engineer("acme", "eng-1");
        let mine = td
            .assign_ticket(&eng, t.id, Some("eng-1".into()))
            .await
            .unwrap();
        assert_eq!(mine.assignee_id.as_deref(), Some("eng-1"));
        // Re-assigning the same assignee writes nothing.
        let before = td.counts().await;
        td.assign_ticket(&eng, t.id, Some("eng-1".into()))
            .await
            .unwrap();
        assert_eq!(td.counts().await, before);
        let l = lead("acme");
        let other = td
            .assign_ticket(&l, t.id, Some("eng-2".into()))
            .await
            .unwrap();
        assert_eq!(other.assignee_id.as_deref(), Some("eng-2"));
        let h = td.ticket_history(&a, t.id).await.unwrap();
        assert_eq!(
            kinds(&h),
            ["CREATED", "ASSIGNMENT_CHANGE", "ASSIGNMENT_CHANGE"]
        );
        assert_eq!(h[2].actor_id, "lead-1");
        assert_eq!(h[2].old_value, Some(json!("eng-1")));
        let ev = td.events_since(&a, 0, 100).await.unwrap();
        assert_eq!(ev.iter().filter(|e| e.kind == "ticket.assigned").count(), 2);
        // Creating with an assignee needs the assign rule too.
        let e = td
            .create_ticket(&eng, NewTicketInput::new("y").assignee("eng-9"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        let y = td
            .create_ticket(&eng, NewTicketInput::new("y").assignee("eng-1"))
            .await
            .unwrap();
        assert_eq!(y.assignee_id.as_deref(), Some("eng-1"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn itsm_transitions_guards_timestamps_and_audit() {
    each(|td| async move {
        let a = admin("acme");
        let t = td.create_ticket(&a, NewTicketInput::new("x")).await.unwrap();
        let o = td
            .transition_ticket(&a, t.id, "open", TransitionOptions::default())
            .await
            .unwrap();
        assert_eq!(o.status, "OPEN");
        assert_eq!(o.first_responded_at, Some(t0()), "{}", td.name);
        // Invalid: names current, requested and allowed states; nothing written.
        let before = td.counts().await;
        let e = td
            .transition_ticket(&a, t.id, "CLOSED", TransitionOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidTransition);
        assert_eq!(
            e.message(),
            "Invalid transition from OPEN to CLOSED. Allowed next states: IN_PROGRESS, PENDING_INFO, ESCALATED, RESOLVED"
        );
        let e = td
            .transition_ticket(&a, t.id, "NOWHERE", TransitionOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidTransition);
        // Guard: IN_PROGRESS requires an assignee.
        let e = td
            .transition_ticket(&a, t.id, "IN_PROGRESS", TransitionOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.message().contains("requires_assignee"), "{e}");
        assert_eq!(td.counts().await, before);
        td.assign_ticket(&a, t.id, Some("eng-1".into())).await.unwrap();
        td.advance(Duration::minutes(5));
        td.transition_ticket(&a, t.id, "IN_PROGRESS", TransitionOptions::default())
            .await
            .unwrap();
        let esc = td
            .transition_ticket(&a, t.id, "ESCALATED", TransitionOptions::comment("needs L3"))
            .await
            .unwrap();
        assert_eq!(esc.status, "ESCALATED");
        // Guard: RESOLVED requires a resolution note.
        let e = td
            .transition_ticket(&a, t.id, "RESOLVED", TransitionOptions::default())
            .await
            .unwrap_err();
        assert!(e.message().contains("requires_resolution_note"), "{e}");
        td.advance(Duration::hours(1));
        let r = td
            .transition_ticket(
                &a,
                t.id,
                "RESOLVED",
                TransitionOptions::resolution_note("Replaced the SFP"),
            )
            .await
            .unwrap();
        let resolved_at = t0() + Duration::minutes(5) + Duration::hours(1);
        assert_eq!(r.resolved_at, Some(resolved_at));
        let c = td
            .transition_ticket(&a, t.id, "CLOSED", TransitionOptions::default())
            .await
            .unwrap();
        assert_eq!(c.closed_at, Some(resolved_at));
        assert_eq!(td.get_ticket(&a, t.id).await.unwrap(), c);
        let h = td.ticket_history(&a, t.id).await.unwrap();
        assert_eq!(
            kinds(&h),
            [
                "CREATED",
                "STATUS_CHANGE",
                "ASSIGNMENT_CHANGE",
                "STATUS_CHANGE",
                "STATUS_CHANGE",
                "ESCALATED",
                "STATUS_CHANGE",
                "RESOLVED",
                "STATUS_CHANGE",
                "CLOSED",
            ],
            "{}",
            td.name
        );
        assert_eq!(h[4].metadata["comment"], "needs L3");
        assert_eq!(h[6].metadata["resolution_note"], "Replaced the SFP");
        assert_eq!(h[6].old_value, Some(json!("ESCALATED")));
        assert_eq!(h[6].new_value, Some(json!("RESOLVED")));
        let ev = td.events_since(&a, 0, 100).await.unwrap();
        assert_eq!(
            ev.iter().filter(|e| e.kind == "ticket.status_changed").count(),
            5
        );
        // Stored status is lower case for plain SQL readers.
        assert_eq!(
            td.count_where("tickets", "status = 'closed' AND category = 'closed'").await,
            1
        );
    })
    .await;
}

async fn resolved_ticket(td: &TestDesk) -> faultdesk::ticket::Ticket {
    let a = admin("acme");
    let t = td
        .create_ticket(&a, NewTicketInput::new("x"))
        .await
        .unwrap();
    td.transition_ticket(&a, t.id, "OPEN", TransitionOptions::default())
        .await
        .unwrap();
    td.transition_ticket(
        &a,
        t.id,
        "RESOLVED",
        TransitionOptions::resolution_note("done"),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopen_within_window_only() {
    each(|td| async move {
        let a = admin("acme");
        let t = td
            .create_ticket(&a, NewTicketInput::new("fresh"))
            .await
            .unwrap();
        let e = td
            .reopen_ticket(&a, t.id, "still broken")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidTransition);
        assert!(e.message().contains("only resolved or closed"), "{e}");

        let r = resolved_ticket(&td).await;
        td.advance(Duration::days(6));
        let re = td.reopen_ticket(&a, r.id, "still broken").await.unwrap();
        assert_eq!(re.status, "REOPENED");
        assert_eq!(re.resolved_at, None);
        let h = td.ticket_history(&a, r.id).await.unwrap();
        let tail: Vec<_> = kinds(&h).into_iter().rev().take(2).collect();
        assert_eq!(tail, ["REOPENED", "STATUS_CHANGE"]);
        assert_eq!(h.last().unwrap().metadata["reason"], "still broken");

        // Past the 7-day window: refused, nothing written.
        let r2 = resolved_ticket(&td).await;
        td.advance(Duration::days(7) + Duration::seconds(1));
        let before = td.counts().await;
        let e = td.reopen_ticket(&a, r2.id, "late").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.message().contains("within_reopen_window"), "{e}");
        assert_eq!(td.counts().await, before);
        assert_eq!(td.get_ticket(&a, r2.id).await.unwrap().status, "RESOLVED");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_delete_hides_the_ticket() {
    each(|td| async move {
        let a = admin("acme");
        let l = lead("acme");
        let t = td
            .create_ticket(&l, NewTicketInput::new("gone soon"))
            .await
            .unwrap();
        let keep = td
            .create_ticket(&l, NewTicketInput::new("stays"))
            .await
            .unwrap();
        td.delete_ticket(&a, t.id).await.unwrap();
        let e = td.get_ticket(&l, t.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let e = td.get_ticket_by_number(&l, &t.number).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let page = td.list_tickets(&l, TicketQuery::default()).await.unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].id, keep.id);
        // Hidden from the admin too (no undelete).
        let e = td.get_ticket(&a, t.id).await.unwrap_err();
        assert_eq!(e.message(), format!("Ticket {} not found", t.id));
        let e = td.ticket_history(&a, t.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        // Deleting twice: not found.
        let e = td.delete_ticket(&a, t.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        // The row and the audit log stay.
        assert_eq!(td.count("tickets").await, 2);
        assert_eq!(
            td.count_where(
                "ticket_events",
                "event_type = 'UPDATE' AND field = 'deleted_at'"
            )
            .await,
            1,
            "{}",
            td.name
        );
        assert_eq!(td.count_where("tickets", "deleted_by = 'admin-1'").await, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_ticket_is_not_found_for_every_use_case() {
    each(|td| async move {
        let a = admin("acme");
        let t = td
            .create_ticket(
                &a,
                NewTicketInput::new("acme only").label("contractor_id", "c-1"),
            )
            .await
            .unwrap();
        let before = td.counts().await;
        let b = admin("globex");
        let nf = |e: faultdesk::Error| {
            assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
            assert_eq!(e.message(), format!("Ticket {} not found", t.id));
        };
        nf(td.get_ticket(&b, t.id).await.unwrap_err());
        let e = td.get_ticket_by_number(&b, &t.number).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.message(), format!("Ticket {} not found", t.number));
        nf(td
            .update_ticket(
                &b,
                t.id,
                TicketPatch {
                    subject: Some("pwned".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err());
        nf(td
            .assign_ticket(&b, t.id, Some("x".into()))
            .await
            .unwrap_err());
        nf(td
            .transition_ticket(&b, t.id, "OPEN", TransitionOptions::default())
            .await
            .unwrap_err());
        nf(td.reopen_ticket(&b, t.id, "why").await.unwrap_err());
        nf(td.delete_ticket(&b, t.id).await.unwrap_err());
        nf(td.ticket_history(&b, t.id).await.unwrap_err());
        let q = TicketQuery::default().label("contractor_id", "c-1");
        assert_eq!(td.list_tickets(&b, q.clone()).await.unwrap().total, 0);
        assert_eq!(td.ticket_stats(&b, q).await.unwrap().total, 0);
        assert!(td.events_since(&b, 0, 100).await.unwrap().is_empty());
        // Tenant B's own numbering starts at 1.
        let tb = td
            .create_ticket(&b, NewTicketInput::new("globex"))
            .await
            .unwrap();
        assert_eq!(tb.number, t.number);
        assert_ne!(tb.id, t.id);
        // Nothing of A changed.
        assert_eq!(td.get_ticket(&a, t.id).await.unwrap(), t);
        let mut after = td.counts().await;
        for (table, n) in [
            ("tickets", 1),
            ("ticket_events", 1),
            ("ticket_counters", 1),
            ("outbox", 1),
        ] {
            *after.get_mut(table).unwrap() -= n;
        }
        assert_eq!(after, before, "{}", td.name);
        // A random id is not found either.
        let e = td.get_ticket(&a, Uuid::now_v7()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_get_unique_consecutive_numbers() {
    for td in concurrent_backends().await {
        let desk: Desk = td.desk.clone();
        let mut tasks = Vec::new();
        for i in 0..12 {
            let desk = desk.clone();
            tasks.push(tokio::spawn(async move {
                let a = admin("acme");
                let mut out = Vec::new();
                for j in 0..3 {
                    let t = desk
                        .create_ticket(&a, NewTicketInput::new(format!("t{i}-{j}")))
                        .await
                        .unwrap();
                    out.push(t.number);
                }
                out
            }));
        }
        let mut numbers = BTreeSet::new();
        for t in tasks {
            for n in t.await.unwrap() {
                assert!(numbers.insert(n.clone()), "{}: duplicate {n}", td.name);
            }
        }
        let expected: BTreeSet<String> = (1..=36).map(|i| format!("TKT-2026-{i:06}")).collect();
        assert_eq!(numbers, expected, "{}", td.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_keep_the_workflow_they_were_created_under() {
    // Needs two Desks on one database: the SQLite file and PostgreSQL backends.
    for td in concurrent_backends().await {
        let a = admin("acme");
        let t = td
            .create_ticket(&a, NewTicketInput::new("itsm one"))
            .await
            .unwrap();
        let ff = Desk::open(
            &td.url,
            DeskConfig::default()
                .with_workflow_preset("fibreflow")
                .unwrap()
                .with_clock(td.clock.clone()),
        )
        .await
        .unwrap();
        let f = ff
            .create_ticket(&a, NewTicketInput::new("ff one"))
            .await
            .unwrap();
        assert_eq!(f.workflow, "fibreflow");
        assert_eq!(f.status, "pending");
        // The old ticket still follows ITSM under the new configuration.
        let old = ff.get_ticket(&a, t.id).await.unwrap();
        assert_eq!(old.workflow, "itsm");
        assert_eq!(old.status, "NEW");
        let o = ff
            .transition_ticket(&a, t.id, "OPEN", TransitionOptions::default())
            .await
            .unwrap();
        assert_eq!(o.status, "OPEN", "{}", td.name);
        let c = ff
            .transition_ticket(&a, f.id, "closed", TransitionOptions::default())
            .await
            .unwrap();
        assert_eq!(c.status, "closed");
        assert!(c.closed_at.is_some());
        ff.close().await.unwrap();
    }
}
