//! Comments: public, internal and system comments; edits with history; soft delete.
//!
//! The rules are ticket-core's ([`ticket_core::comment`]): public comments need
//! `tickets.comments.write`, internal ones `tickets.comments.internal`; the author (or a
//! moderator) edits and deletes; system comments are written by the Desk and immutable.
//! Internal comments are invisible to actors without `tickets.comments.internal` in every
//! read path: [`Desk::list_comments`], search (storage indexes them apart), the audit log and
//! events (their outbox rows are marked `internal`).
//!
//! A public comment by an agent — an actor with `tickets.read.all` who is not the ticket's
//! reporter — is the ticket's first response when it has none yet: `first_responded_at` is
//! set and an `UPDATE first_responded_at` audit event (metadata `sla_input:
//! "first_response"`) feeds the SLA clock.

use crate::actor::Actor;
use crate::desk::notifications::Related;
use crate::desk::ticket_rows::write_ticket_to_row;
use crate::desk::tickets::insert_audit;
use crate::desk::{Desk, Work, read_tx, write_tx};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use faultdesk_storage::{CommentRevisionRow, CommentRow, Tx};
use serde_json::json;
use ticket_core::audit::{AuditActor, AuditEvent, AuditEventType};
use ticket_core::comment::{Comment, CommentRevision, Visibility};
use ticket_core::rbac::{Principal, perms};
use uuid::Uuid;

fn comment_not_found(id: Uuid) -> Error {
    Error::not_found(format!("Comment {id} not found"))
}

fn audit_of(actor: &Actor) -> AuditActor {
    let a = AuditActor::new(&actor.user_id);
    match &actor.ip {
        Some(ip) => a.with_ip(ip),
        None => a,
    }
}

fn comment_from_row(r: &CommentRow, history: Vec<CommentRevision>) -> Result<Comment> {
    Ok(Comment {
        id: r.id,
        ticket_id: r.ticket_id,
        author_id: r.author_id.clone(),
        body: r.body.clone(),
        visibility: r.visibility.parse()?,
        created_at: r.created_at,
        edited_at: r.edited_at,
        deleted_at: r.deleted_at,
        history,
    })
}

fn row_from_comment(tenant_id: &str, c: &Comment, now: DateTime<Utc>) -> CommentRow {
    CommentRow {
        id: c.id,
        tenant_id: tenant_id.to_string(),
        ticket_id: c.ticket_id,
        author_id: c.author_id.clone(),
        visibility: c.visibility.as_str().to_string(),
        body: c.body.clone(),
        created_at: c.created_at,
        updated_at: now,
        edited_at: c.edited_at,
        deleted_at: c.deleted_at,
        deleted_by: None,
    }
}

async fn history_of(tx: &Tx, tenant: &str, r: &CommentRow) -> Result<Vec<CommentRevision>> {
    if r.edited_at.is_none() {
        return Ok(Vec::new());
    }
    Ok(tx
        .list_comment_revisions(tenant, r.id)
        .await?
        .into_iter()
        .map(|h| CommentRevision {
            body: h.body,
            edited_at: h.edited_at,
            edited_by: h.edited_by,
        })
        .collect())
}

impl Desk {
    /// Writes a system comment (author `system`, visible like a public comment, immutable) on
    /// a ticket inside the caller's transaction. For use-cases that record transitions,
    /// assignments and alarm links in the conversation. No audit or outbox event of its own:
    /// the change that caused it has them.
    pub(crate) async fn add_system_comment(
        &self,
        w: &mut Work,
        tenant_id: &str,
        ticket_id: Uuid,
        body: &str,
    ) -> Result<Comment> {
        let now = faultdesk_storage::truncate_micros(w.now);
        let c = Comment::system(crate::ids::new_id(), ticket_id, body, now)?;
        w.tx.insert_comment(&row_from_comment(tenant_id, &c, now))
            .await?;
        Ok(c)
    }

    /// Adds a comment to a ticket.
    ///
    /// `visibility` is `Public` (needs `tickets.comments.write`) or `Internal` (needs
    /// `tickets.comments.internal`); `System` is refused (Validation). The body must not be
    /// blank and at most 64 KiB. The ticket must be visible to the actor (else `Ticket {id}
    /// not found`). Audit `COMMENT_ADDED`; outbox `ticket.commented` (marked internal for
    /// internal comments). A public comment by an agent sets the first response.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, Desk, DeskConfig, NewTicketInput};
    /// use faultdesk::ticket::comment::Visibility;
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// let user = Actor::new("acme", "u-1").with_roles(["END_USER"]);
    /// let agent = Actor::new("acme", "a-1").with_roles(["DEVOPS_ENGINEER"]);
    /// let t = desk.create_ticket(&user, NewTicketInput::new("No internet")).await?;
    /// desk.add_comment(&agent, t.id, "Checking the OLT", Visibility::Internal).await?;
    /// desk.add_comment(&agent, t.id, "We are on it", Visibility::Public).await?;
    /// assert_eq!(desk.list_comments(&user, t.id).await?.len(), 1);
    /// assert_eq!(desk.list_comments(&agent, t.id).await?.len(), 2);
    /// assert!(desk.get_ticket(&agent, t.id).await?.first_responded_at.is_some());
    /// # Ok::<(), faultdesk::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn add_comment(
        &self,
        actor: &Actor,
        ticket_id: Uuid,
        body: &str,
        visibility: Visibility,
    ) -> Result<Comment> {
        let perm = match visibility {
            Visibility::Internal => perms::TICKETS_COMMENTS_INTERNAL,
            _ => perms::TICKETS_COMMENTS_WRITE,
        };
        self.require(actor, perm)?;
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        // Permission, body and visibility checks before anything is written.
        let probe = Comment::new(
            Uuid::nil(),
            ticket_id,
            &principal,
            body,
            visibility,
            self.now(),
        )?;
        let audit = audit_of(actor);
        let tenant = actor.tenant_id.as_str();
        let agent = principal.has(perms::TICKETS_READ_ALL);
        write_tx!(self, |w| {
            let (mut row, old) = self
                .load_ticket(&w.tx, tenant, &principal, ticket_id, true)
                .await?;
            let now = faultdesk_storage::truncate_micros(w.now);
            let mut c = probe.clone();
            c.id = crate::ids::new_id();
            c.created_at = now;
            w.tx.insert_comment(&row_from_comment(tenant, &c, now))
                .await?;
            let mut events = vec![AuditEvent::comment_added(c.id, visibility, &audit, now)];
            let first_response =
                visibility == Visibility::Public && agent && old.reporter_id != actor.user_id;
            let mut new = old.clone();
            if first_response && new.record_first_response(now) {
                let wf = self.ticket_workflow(&row)?;
                write_ticket_to_row(&new, wf, &mut row);
                if row.sla_next_check_at.is_some() {
                    // The first-response target is met: the scheduler need not wake for it.
                    row.sla_next_check_at = crate::desk::scheduler::sla_next_check(
                        &row,
                        now,
                        self.inner.config.scheduler.warning_before,
                    );
                }
                w.tx.update_ticket(&row).await?;
                events.push(AuditEvent {
                    event_type: AuditEventType::Update,
                    field: Some("first_responded_at".into()),
                    old_value: Some(serde_json::Value::Null),
                    new_value: Some(json!(now)),
                    actor_id: audit.user_id.clone(),
                    ip: audit.ip.clone(),
                    at: now,
                    metadata: json!({"sla_input": "first_response", "comment_id": c.id}),
                });
            }
            insert_audit(&w.tx, tenant, ticket_id, &events).await?;
            let internal = visibility == Visibility::Internal;
            self.emit_notify(
                w,
                tenant,
                "ticket.commented",
                Some(ticket_id.to_string()),
                internal,
                json!({
                    "id": ticket_id,
                    "number": new.number,
                    "comment_id": c.id,
                    "author_id": c.author_id,
                    "visibility": visibility,
                    "body": c.body,
                }),
                Related {
                    ticket_id: Some(ticket_id),
                    alarm_id: None,
                },
            );
            if new.first_responded_at != old.first_responded_at {
                self.emit_notify(
                    w,
                    tenant,
                    "ticket.first_response",
                    Some(ticket_id.to_string()),
                    false,
                    json!({"id": ticket_id, "number": new.number, "first_responded_at": now}),
                    Related {
                        ticket_id: Some(ticket_id),
                        alarm_id: None,
                    },
                );
            }
            Ok(c)
        })
    }

    /// Loads a comment the actor may see, with its ticket row locked when `for_update`.
    async fn visible_comment(
        &self,
        tx: &Tx,
        actor: &Actor,
        principal: &Principal,
        id: Uuid,
        for_update: bool,
    ) -> Result<(CommentRow, Comment)> {
        let tenant = actor.tenant_id.as_str();
        let row = tx
            .get_comment(tenant, id)
            .await?
            .ok_or_else(|| comment_not_found(id))?;
        self.load_ticket(tx, tenant, principal, row.ticket_id, for_update)
            .await
            .map_err(|e| {
                if e.kind() == crate::ErrorKind::NotFound {
                    comment_not_found(id)
                } else {
                    e
                }
            })?;
        let history = history_of(tx, tenant, &row).await?;
        let c = comment_from_row(&row, history)?;
        if !principal.can_view_comment(&c) {
            return Err(comment_not_found(id));
        }
        Ok((row, c))
    }

    /// Replaces a comment's body, keeping the previous one in its history and setting
    /// `edited_at`. Only the author (with the permission the comment needs) or a moderator
    /// (`tickets.comments.moderate`) may; system and deleted comments cannot be edited. An
    /// identical body changes nothing. Outbox `ticket.comment_edited` (internal for internal
    /// comments).
    pub async fn edit_comment(
        &self,
        actor: &Actor,
        comment_id: Uuid,
        body: &str,
    ) -> Result<Comment> {
        self.require(actor, perms::TICKETS_READ)?;
        ticket_core::comment::validate_body(body)?;
        let principal = self.principal(actor);
        let tenant = actor.tenant_id.as_str();
        write_tx!(self, |w| {
            let (mut row, mut c) = self
                .visible_comment(&w.tx, actor, &principal, comment_id, true)
                .await?;
            let now = faultdesk_storage::truncate_micros(w.now);
            let previous = c.body.clone();
            if !c.edit(&principal, body, now)? {
                return Ok(c);
            }
            w.tx.insert_comment_revision(&CommentRevisionRow {
                id: crate::ids::new_id(),
                tenant_id: tenant.to_string(),
                comment_id,
                body: previous,
                edited_by: actor.user_id.clone(),
                edited_at: now,
            })
            .await?;
            row.body = c.body.clone();
            row.edited_at = c.edited_at;
            row.updated_at = now;
            w.tx.update_comment(&row).await?;
            self.emit_notify(
                w,
                tenant,
                "ticket.comment_edited",
                Some(row.ticket_id.to_string()),
                c.visibility == Visibility::Internal,
                json!({
                    "id": row.ticket_id,
                    "comment_id": comment_id,
                    "visibility": c.visibility,
                    "body": c.body,
                    "edited_at": now,
                }),
                Related {
                    ticket_id: Some(row.ticket_id),
                    alarm_id: None,
                },
            );
            Ok(c)
        })
    }

    /// Soft-deletes a comment (same rule as editing). It disappears from lists for everyone
    /// but moderators; its row and history stay. Outbox `ticket.comment_deleted`.
    pub async fn delete_comment(&self, actor: &Actor, comment_id: Uuid) -> Result<()> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        let tenant = actor.tenant_id.as_str();
        write_tx!(self, |w| {
            let (mut row, mut c) = self
                .visible_comment(&w.tx, actor, &principal, comment_id, true)
                .await?;
            let now = faultdesk_storage::truncate_micros(w.now);
            c.delete(&principal, now)?;
            row.deleted_at = c.deleted_at;
            row.deleted_by = Some(actor.user_id.clone());
            row.updated_at = now;
            w.tx.update_comment(&row).await?;
            self.emit_notify(
                w,
                tenant,
                "ticket.comment_deleted",
                Some(row.ticket_id.to_string()),
                c.visibility == Visibility::Internal,
                json!({"id": row.ticket_id, "comment_id": comment_id}),
                Related {
                    ticket_id: Some(row.ticket_id),
                    alarm_id: None,
                },
            );
            Ok(())
        })
    }

    /// The comments of a ticket the actor may see, oldest first, with their edit history:
    /// internal ones only with `tickets.comments.internal`, deleted ones only for moderators.
    pub async fn list_comments(&self, actor: &Actor, ticket_id: Uuid) -> Result<Vec<Comment>> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        let internal_ok = principal.can_view_internal_comments();
        let deleted_ok = principal.has(perms::TICKETS_COMMENTS_MODERATE);
        let tenant = actor.tenant_id.as_str();
        read_tx!(self, |tx| {
            self.load_ticket(tx, tenant, &principal, ticket_id, false)
                .await?;
            let rows = tx
                .list_comments(tenant, ticket_id, internal_ok, deleted_ok)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let c = comment_from_row(r, history_of(tx, tenant, r).await?)?;
                if principal.can_view_comment(&c) {
                    out.push(c);
                }
            }
            Ok(out)
        })
    }

    /// One comment the actor may see (else `Comment {id} not found`), with its history.
    pub async fn get_comment(&self, actor: &Actor, comment_id: Uuid) -> Result<Comment> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        read_tx!(self, |tx| Ok(self
            .visible_comment(tx, actor, &principal, comment_id, false)
            .await?
            .1))
    }
}
