//! Comments on every backend: visibility, edit history, soft delete, permissions, first
//! response, system comments, and "an end user never sees an internal comment through any
//! API" (get, list, search, history, events, subscriptions).

mod common;

use common::*;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{ErrorKind, EventFilter, NewTicketInput, TicketQuery};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_and_internal_comments_with_visibility() {
    each(|td| async move {
        let user = end_user("acme", "cust-1");
        let agent = engineer("acme", "eng-1");
        let t = td
            .create_ticket(&user, NewTicketInput::new("Fibre cut on Main St"))
            .await
            .unwrap();
        let public = td
            .add_comment(&agent, t.id, "A crew is on the way", Visibility::Public)
            .await
            .unwrap();
        let internal = td
            .add_comment(
                &agent,
                t.id,
                "Suspect backhoe, bill the contractor",
                Visibility::Internal,
            )
            .await
            .unwrap();
        assert_eq!(public.author_id, "eng-1");
        let for_agent = td.list_comments(&agent, t.id).await.unwrap();
        assert_eq!(for_agent.len(), 2, "{}", td.name);
        let for_user = td.list_comments(&user, t.id).await.unwrap();
        assert_eq!(for_user.len(), 1, "{}", td.name);
        assert_eq!(for_user[0].id, public.id);
        let err = td.get_comment(&user, internal.id).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{}", td.name);
        assert_eq!(
            err.to_string(),
            format!("Comment {} not found", internal.id)
        );
        // End users cannot write internal notes; nothing is written.
        let before = td.count("comments").await;
        let err = td
            .add_comment(&user, t.id, "let me in", Visibility::Internal)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            err.to_string(),
            "Permission denied. Required permission: tickets.comments.internal"
        );
        let err = td
            .add_comment(&agent, t.id, "  ", Visibility::Public)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        let err = td
            .add_comment(&agent, t.id, "x", Visibility::System)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(td.count("comments").await, before, "{}", td.name);
        // Another tenant's ticket does not exist.
        let err = td
            .add_comment(&engineer("other", "e"), t.id, "hi", Visibility::Public)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        // Audit log: COMMENT_ADDED twice for the agent, once (public) for the user.
        let h_agent = td.ticket_history(&agent, t.id).await.unwrap();
        let h_user = td.ticket_history(&user, t.id).await.unwrap();
        let count = |h: &[faultdesk::ticket::audit::AuditEvent]| {
            h.iter()
                .filter(|e| e.event_type.as_str() == "COMMENT_ADDED")
                .count()
        };
        assert_eq!(count(&h_agent), 2, "{}", td.name);
        assert_eq!(count(&h_user), 1, "{}", td.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_keeps_history_and_only_author_or_moderator_may() {
    each(|td| async move {
        let user = end_user("acme", "cust-1");
        let other = engineer("acme", "eng-2");
        let t = td
            .create_ticket(&user, NewTicketInput::new("Slow line"))
            .await
            .unwrap();
        let c = td
            .add_comment(&user, t.id, "speed is 2 Mbit", Visibility::Public)
            .await
            .unwrap();
        td.advance(chrono::Duration::minutes(5));
        let edited = td
            .edit_comment(&user, c.id, "speed is 2 Mbit/s down, 1 up")
            .await
            .unwrap();
        assert_eq!(edited.body, "speed is 2 Mbit/s down, 1 up");
        assert_eq!(edited.edited_at, Some(t0() + chrono::Duration::minutes(5)));
        assert_eq!(edited.history.len(), 1);
        assert_eq!(edited.history[0].body, "speed is 2 Mbit");
        let listed = td.list_comments(&user, t.id).await.unwrap();
        assert_eq!(listed[0].history.len(), 1, "{}", td.name);
        assert_eq!(td.count("comment_revisions").await, 1);
        // Same body: no-op.
        td.edit_comment(&user, c.id, "speed is 2 Mbit/s down, 1 up")
            .await
            .unwrap();
        assert_eq!(td.count("comment_revisions").await, 1);
        // Another engineer (not a moderator) may not edit or delete it.
        let err = td.edit_comment(&other, c.id, "hijack").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{}", td.name);
        let err = td.delete_comment(&other, c.id).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        // A team lead moderates.
        td.edit_comment(&lead("acme"), c.id, "[redacted]")
            .await
            .unwrap();
        // Soft delete by the author: gone for the user, still visible to moderators.
        td.delete_comment(&user, c.id).await.unwrap();
        assert!(td.list_comments(&user, t.id).await.unwrap().is_empty());
        let for_lead = td.list_comments(&lead("acme"), t.id).await.unwrap();
        assert_eq!(for_lead.len(), 1);
        assert!(for_lead[0].deleted_at.is_some());
        assert_eq!(td.count("comments").await, 1, "soft delete keeps the row");
        let err = td
            .edit_comment(&lead("acme"), c.id, "again")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(err.to_string(), "Comment has been deleted");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_agent_comment_is_the_first_response() {
    each(|td| async move {
        let user = end_user("acme", "cust-1");
        let agent = engineer("acme", "eng-1");
        let t = td
            .create_ticket(&user, NewTicketInput::new("No dial tone"))
            .await
            .unwrap();
        // The reporter's own comment and an internal note do not count.
        td.add_comment(&user, t.id, "still down", Visibility::Public)
            .await
            .unwrap();
        td.add_comment(&agent, t.id, "checking", Visibility::Internal)
            .await
            .unwrap();
        assert!(
            td.get_ticket(&agent, t.id)
                .await
                .unwrap()
                .first_responded_at
                .is_none()
        );
        td.advance(chrono::Duration::minutes(7));
        td.add_comment(&agent, t.id, "Line reset, please retry", Visibility::Public)
            .await
            .unwrap();
        let after = td.get_ticket(&agent, t.id).await.unwrap();
        assert_eq!(
            after.first_responded_at,
            Some(t0() + chrono::Duration::minutes(7)),
            "{}",
            td.name
        );
        td.advance(chrono::Duration::minutes(7));
        td.add_comment(&agent, t.id, "Second answer", Visibility::Public)
            .await
            .unwrap();
        let again = td.get_ticket(&agent, t.id).await.unwrap();
        assert_eq!(again.first_responded_at, after.first_responded_at);
        let h = td.ticket_history(&agent, t.id).await.unwrap();
        let fr: Vec<_> = h
            .iter()
            .filter(|e| e.field.as_deref() == Some("first_responded_at"))
            .collect();
        assert_eq!(fr.len(), 1, "{}", td.name);
        assert_eq!(fr[0].metadata["sla_input"], "first_response");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_user_never_sees_an_internal_comment_through_any_api() {
    each(|td| async move {
        let user = end_user("acme", "cust-1");
        let agent = engineer("acme", "eng-1");
        let mut sub_user = td.subscribe(&user, EventFilter::default()).unwrap();
        let mut sub_agent = td.subscribe(&agent, EventFilter::default()).unwrap();
        let t = td
            .create_ticket(&user, NewTicketInput::new("Router reboots"))
            .await
            .unwrap();
        let secret = td
            .add_comment(&agent, t.id, "zanzibar firmware bug", Visibility::Internal)
            .await
            .unwrap();
        td.edit_comment(&agent, secret.id, "zanzibar firmware bug confirmed")
            .await
            .unwrap();
        td.add_comment(&agent, t.id, "We are looking into it", Visibility::Public)
            .await
            .unwrap();
        // list / get
        let listed = td.list_comments(&user, t.id).await.unwrap();
        assert!(listed.iter().all(|c| c.visibility != Visibility::Internal));
        assert!(td.get_comment(&user, secret.id).await.is_err());
        // search: the internal word finds the ticket for the agent only
        let hits = td
            .search_tickets(&agent, "zanzibar", TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 1, "{}", td.name);
        let hits = td
            .search_tickets(&user, "zanzibar", TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 0, "{}", td.name);
        // history
        let h = td.ticket_history(&user, t.id).await.unwrap();
        assert!(h.iter().all(|e| !e.is_internal()));
        // events_since and subscriptions
        let evs = td.events_since(&user, 0, 1000).await.unwrap();
        assert!(!evs.is_empty());
        assert!(
            evs.iter()
                .all(|e| !e.internal && !e.payload.to_string().contains("zanzibar")),
            "{}",
            td.name
        );
        let all = td.events_since(&agent, 0, 1000).await.unwrap();
        assert!(all.iter().any(|e| e.internal));
        let mut seen_user = Vec::new();
        while let Some(e) = sub_user.try_next() {
            seen_user.push(e);
        }
        let mut seen_agent = Vec::new();
        while let Some(e) = sub_agent.try_next() {
            seen_agent.push(e);
        }
        assert_eq!(seen_user.len(), evs.len());
        assert!(seen_user.iter().all(|e| !e.internal));
        assert_eq!(seen_agent.len(), all.len());
        assert!(seen_agent.iter().filter(|e| e.internal).count() >= 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_events_are_published_with_visibility() {
    each(|td| async move {
        let agent = engineer("acme", "eng-1");
        let t = td
            .create_ticket(&agent, NewTicketInput::new("Outage"))
            .await
            .unwrap();
        let c = td
            .add_comment(&agent, t.id, "note", Visibility::Internal)
            .await
            .unwrap();
        td.delete_comment(&agent, c.id).await.unwrap();
        let evs = td.events_since(&agent, 0, 100).await.unwrap();
        let kinds: Vec<_> = evs.iter().map(|e| (e.kind.as_str(), e.internal)).collect();
        assert_eq!(
            kinds,
            vec![
                ("ticket.created", false),
                ("ticket.commented", true),
                ("ticket.comment_deleted", true)
            ],
            "{}",
            td.name
        );
    })
    .await;
}
