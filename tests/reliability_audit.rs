//! Issue 11.6 — audit immutability, on every backend.
//!
//! 1. No Desk use-case updates or deletes an audit event: after each step of a ticket's life
//!    (create, PATCH, assign, transitions, comments, attachments, reopen, soft delete) every
//!    `ticket_events` row written before is still there, byte-identical.
//! 2. The database itself refuses `UPDATE` and `DELETE` on `ticket_events` (triggers on
//!    PostgreSQL and SQLite), whatever the statement's shape.

mod common;
mod reliability;

use common::*;
use faultdesk::ticket::TicketPatch;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{BlobStore, DeskConfig, NewAttachment, NewTicketInput, TransitionOptions};
use reliability::Dumper;
use sea_orm::ConnectionTrait;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_use_case_changes_a_written_audit_event_and_the_database_refuses_to() {
    let configure = |c: DeskConfig| c.with_blob_store(BlobStore::in_memory());
    each_with(configure, |td| async move {
        let a = admin("aud");
        let d = &td.desk;
        let dumper = Dumper::new(d).await;
        let audit = || async { dumper.dump().await.remove("ticket_events").unwrap() };
        let mut seen: Vec<String> = Vec::new();
        let mut step = |rows: Vec<String>, what: &str| {
            for old in &seen {
                assert!(
                    rows.contains(old),
                    "{} / {what}: audit row changed or gone: {old}",
                    td.name
                );
            }
            assert!(rows.len() >= seen.len(), "{} / {what}", td.name);
            seen = rows;
        };
        let t = d
            .create_ticket(&a, NewTicketInput::new("audited").label("k", "v"))
            .await
            .unwrap();
        step(audit().await, "create");
        let p = TicketPatch {
            subject: Some("audited, edited".into()),
            ..Default::default()
        };
        d.update_ticket(&a, t.id, p).await.unwrap();
        step(audit().await, "update");
        d.assign_ticket(&a, t.id, Some("eng-1".into()))
            .await
            .unwrap();
        step(audit().await, "assign");
        d.transition_ticket(&a, t.id, "IN_PROGRESS", TransitionOptions::default())
            .await
            .unwrap();
        step(audit().await, "transition");
        let c = d
            .add_comment(&a, t.id, "looking", Visibility::Public)
            .await
            .unwrap();
        d.edit_comment(&a, c.id, "looking hard").await.unwrap();
        d.delete_comment(&a, c.id).await.unwrap();
        step(audit().await, "comments");
        let att = d
            .add_attachment_bytes(&a, t.id, NewAttachment::new("log.txt"), "x")
            .await
            .unwrap();
        d.delete_attachment(&a, att.id).await.unwrap();
        step(audit().await, "attachments");
        d.transition_ticket(
            &a,
            t.id,
            "RESOLVED",
            TransitionOptions::resolution_note("fixed"),
        )
        .await
        .unwrap();
        d.reopen_ticket(&a, t.id, "came back").await.unwrap();
        step(audit().await, "resolve + reopen");
        d.delete_ticket(&a, t.id).await.unwrap();
        step(audit().await, "soft delete");
        assert!(seen.len() >= 8, "{}: {} audit rows", td.name, seen.len());

        // The database refuses changes to the audit log.
        let conn = d.store().connection();
        let id = t.id;
        let one = if td.is_sqlite() {
            format!("'{id}'")
        } else {
            format!("'{id}'::uuid")
        };
        for sql in [
            "UPDATE ticket_events SET actor_id = 'forger'".to_string(),
            format!("UPDATE ticket_events SET new_value = 'x' WHERE ticket_id = {one}"),
            "DELETE FROM ticket_events".to_string(),
            format!("DELETE FROM ticket_events WHERE ticket_id = {one}"),
        ] {
            let err = conn.execute_unprepared(&sql).await.unwrap_err();
            assert!(
                err.to_string().contains("append-only"),
                "{}: {sql}: {err}",
                td.name
            );
        }
        // Neither can a hard delete of the ticket take its audit log with it.
        let del = format!("DELETE FROM tickets WHERE id = {one}");
        assert!(conn.execute_unprepared(&del).await.is_err(), "{}", td.name);
        assert_eq!(audit().await, seen, "{}", td.name);
    })
    .await;
}
