//! Ticket, comment, history and attachment objects as JavaScript sees them, and their
//! conversions from/to the Desk's types. Input objects have optional keys (`key?: T`); output
//! objects always carry every key, `null` when absent.

use crate::convert::{Nullable, opt_uuid, parse, parse_all};
use chrono::{DateTime, Utc};
use faultdesk::ticket::{Priority, TicketType};
use napi_derive::napi;
use std::collections::{BTreeMap, HashMap};

/// The caller of every Desk method: tenant, user, roles, directly granted permissions and
/// client IP. Tenant and user ids are the host platform's own strings.
#[napi(object)]
#[derive(Clone)]
pub struct Actor {
    /// The tenant the call acts in; other tenants' objects do not exist for this actor.
    pub tenant_id: String,
    /// The acting user (recorded in audit events).
    pub user_id: String,
    /// Role names, e.g. `ADMIN`, `TEAM_LEAD`, `AGENT`, `END_USER`.
    pub roles: Option<Vec<String>>,
    /// Permission strings granted directly (e.g. `faults.alarms.write`).
    pub permissions: Option<Vec<String>>,
    /// Client IP address, recorded in audit events.
    pub ip: Option<String>,
}

impl From<Actor> for faultdesk::Actor {
    fn from(a: Actor) -> Self {
        let mut out = faultdesk::Actor::new(a.tenant_id, a.user_id)
            .with_roles(a.roles.unwrap_or_default())
            .with_permissions(a.permissions.unwrap_or_default());
        out.ip = a.ip;
        out
    }
}

fn labels_in(l: Option<HashMap<String, String>>) -> BTreeMap<String, String> {
    l.unwrap_or_default().into_iter().collect()
}

fn labels_out(l: BTreeMap<String, String>) -> HashMap<String, String> {
    l.into_iter().collect()
}

/// Input of `createTicket`.
#[napi(object)]
pub struct NewTicket {
    /// Subject (trimmed, 1..=255 characters).
    pub subject: String,
    /// Markdown description (at most 64 KiB).
    pub description: Option<String>,
    /// `incident` (default), `fault`, `outage`, `maintenance`, `service_request`, `change_request`.
    pub ticket_type: Option<String>,
    /// `low`, `normal` (default), `high`, `critical` (P1–P4 accepted).
    pub priority: Option<String>,
    /// Initial assignee.
    pub assignee_id: Option<String>,
    /// Customer.
    pub customer_id: Option<String>,
    /// Due date.
    pub due_at: Option<DateTime<Utc>>,
    /// Labels such as `contractor_id`, `project_id` (filterable in `listTickets`).
    pub labels: Option<HashMap<String, String>>,
    /// Free-form metadata object.
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<serde_json::Value>,
}

impl NewTicket {
    /// The Desk input.
    pub fn into_input(self) -> faultdesk::Result<faultdesk::NewTicketInput> {
        Ok(faultdesk::NewTicketInput {
            subject: self.subject,
            description: self.description.unwrap_or_default(),
            ticket_type: self.ticket_type.as_deref().map(parse).transpose()?,
            priority: self.priority.as_deref().map(parse).transpose()?,
            assignee_id: self.assignee_id,
            customer_id: self.customer_id,
            due_at: self.due_at,
            labels: labels_in(self.labels),
            metadata: self.metadata,
        })
    }
}

/// A ticket.
#[napi(object, use_nullable = true)]
pub struct Ticket {
    /// UUID v7.
    pub id: String,
    /// The owning tenant.
    pub tenant_id: String,
    /// Human number, e.g. `TKT-2026-000123`.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Markdown description.
    pub description: String,
    /// Ticket type.
    pub ticket_type: String,
    /// Priority.
    #[napi(ts_type = "'low' | 'normal' | 'high' | 'critical'")]
    pub priority: String,
    /// Current workflow state (canonical name, e.g. `OPEN`, `in_progress`).
    pub status: String,
    /// Workflow the ticket was created under.
    pub workflow: String,
    /// Assignee.
    pub assignee_id: Option<String>,
    /// Reporter.
    pub reporter_id: String,
    /// Customer.
    pub customer_id: Option<String>,
    /// Due date.
    pub due_at: Option<DateTime<Utc>>,
    /// Labels.
    pub labels: HashMap<String, String>,
    /// Metadata object.
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// First response.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// Resolved (cleared on reopen).
    pub resolved_at: Option<DateTime<Utc>>,
    /// Closed (cleared on reopen).
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<faultdesk::ticket::Ticket> for Ticket {
    fn from(t: faultdesk::ticket::Ticket) -> Self {
        Ticket {
            id: t.id.to_string(),
            tenant_id: t.tenant_id,
            number: t.number,
            subject: t.subject,
            description: t.description,
            ticket_type: t.ticket_type.as_str().to_string(),
            priority: t.priority.as_str().to_string(),
            status: t.status,
            workflow: t.workflow,
            assignee_id: t.assignee_id,
            reporter_id: t.reporter_id,
            customer_id: t.customer_id,
            due_at: t.due_at,
            labels: labels_out(t.labels),
            metadata: t.metadata,
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_responded_at: t.first_responded_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
        }
    }
}

/// Input of `updateTicket` (PATCH): an absent key keeps the value, `null` clears it.
#[napi(object)]
pub struct TicketPatch {
    /// New subject.
    pub subject: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New type.
    pub ticket_type: Option<String>,
    /// New priority.
    pub priority: Option<String>,
    /// New assignee; `null` unassigns.
    #[napi(ts_type = "string | null")]
    pub assignee_id: Option<Nullable<String>>,
    /// New customer; `null` clears.
    #[napi(ts_type = "string | null")]
    pub customer_id: Option<Nullable<String>>,
    /// New due date; `null` clears.
    #[napi(ts_type = "Date | null")]
    pub due_at: Option<Nullable<DateTime<Utc>>>,
    /// Label changes: a value sets the label, `null` removes it; other labels stay.
    #[napi(ts_type = "Record<string, string | null>")]
    pub labels: Option<HashMap<String, Option<String>>>,
    /// Replacement metadata object (`null` becomes `{}`).
    #[napi(ts_type = "Record<string, unknown> | null")]
    pub metadata: Option<Nullable<serde_json::Value>>,
}

impl TicketPatch {
    /// The core patch.
    pub fn into_patch(self) -> faultdesk::Result<faultdesk::ticket::TicketPatch> {
        let mut p = faultdesk::ticket::TicketPatch {
            subject: self.subject,
            description: self.description,
            ticket_type: self.ticket_type.as_deref().map(parse).transpose()?,
            priority: self.priority.as_deref().map(parse).transpose()?,
            ..Default::default()
        };
        p.assignee_id = self.assignee_id.map(Nullable::into_option);
        p.customer_id = self.customer_id.map(Nullable::into_option);
        p.due_at = self.due_at.map(Nullable::into_option);
        p.labels = self.labels.map(|l| l.into_iter().collect());
        p.metadata = self.metadata.map(Nullable::into_option);
        Ok(p)
    }
}

/// Options of `transitionTicket`.
#[napi(object)]
pub struct TransitionOptions {
    /// Resolution note (required by guards such as ITSM's → RESOLVED).
    pub resolution_note: Option<String>,
    /// Free-text reason, stored in the audit events' metadata.
    pub comment: Option<String>,
}

/// Filters, sort and page of `listTickets`, `searchTickets` and `ticketStats`.
#[napi(object)]
pub struct TicketQuery {
    /// Workflow state names, case-insensitive (any of).
    pub status: Option<Vec<String>>,
    /// State categories `new`, `open`, `pending`, `resolved`, `closed` (any of).
    pub category: Option<Vec<String>>,
    /// Only open tickets (category new, open or pending).
    pub open_only: Option<bool>,
    /// Priorities (any of).
    pub priority: Option<Vec<String>>,
    /// Ticket types (any of).
    pub ticket_type: Option<Vec<String>>,
    /// Assignee.
    pub assignee: Option<String>,
    /// Only unassigned tickets.
    pub unassigned: Option<bool>,
    /// Reporter.
    pub reporter: Option<String>,
    /// Customer.
    pub customer_id: Option<String>,
    /// Labels that must all match, e.g. `{ contractor_id: 'c-9' }`.
    pub labels: Option<HashMap<String, String>>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before.
    pub created_to: Option<DateTime<Utc>>,
    /// Case-insensitive substring of subject or description.
    pub text: Option<String>,
    /// Sort keys from `priority`, `createdAt`, `updatedAt`, `dueAt`, `number`, `status`
    /// (snake_case accepted too); a leading `-` sorts descending. Default
    /// `['-priority', '-createdAt']`, at most three.
    pub sort: Option<Vec<String>>,
    /// Page number from 1.
    pub page: Option<u32>,
    /// Page size 1..=100 (default 50).
    pub page_size: Option<u32>,
    /// `nextCursor` of a previous page (same filters and sort).
    pub cursor: Option<String>,
}

/// `createdAt` → `created_at` for sort keys (a leading `-`/`+` is kept).
fn snake_sort_key(k: &str) -> String {
    let mut out = String::with_capacity(k.len() + 2);
    for c in k.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl TicketQuery {
    /// The Desk query.
    pub fn into_query(self) -> faultdesk::Result<faultdesk::TicketQuery> {
        Ok(faultdesk::TicketQuery {
            status: self.status.unwrap_or_default(),
            category: self.category.unwrap_or_default(),
            open_only: self.open_only.unwrap_or(false),
            priority: parse_all::<Priority>(self.priority)?,
            ticket_type: parse_all::<TicketType>(self.ticket_type)?,
            assignee: self.assignee,
            unassigned: self.unassigned.unwrap_or(false),
            reporter: self.reporter,
            customer_id: self.customer_id,
            labels: labels_in(self.labels),
            created_from: self.created_from,
            created_to: self.created_to,
            text: self.text,
            sort: self
                .sort
                .unwrap_or_default()
                .iter()
                .map(|k| snake_sort_key(k))
                .collect(),
            page: self.page,
            page_size: self.page_size,
            cursor: self.cursor,
        })
    }
}

/// Optional query: `undefined`/`null` is the default query.
pub fn query(q: Option<TicketQuery>) -> faultdesk::Result<faultdesk::TicketQuery> {
    q.map(TicketQuery::into_query)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// One page of tickets.
#[napi(object, use_nullable = true)]
pub struct TicketPage {
    /// The tickets of this page.
    pub items: Vec<Ticket>,
    /// Matching tickets in total.
    pub total: i64,
    /// Page number (from 1).
    pub page: u32,
    /// Page size.
    pub page_size: u32,
    /// Cursor of the next page, `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<faultdesk::Page<faultdesk::ticket::Ticket>> for TicketPage {
    fn from(p: faultdesk::Page<faultdesk::ticket::Ticket>) -> Self {
        TicketPage {
            items: p.items.into_iter().map(Ticket::from).collect(),
            total: p.total,
            page: p.page,
            page_size: p.page_size,
            next_cursor: p.next_cursor,
        }
    }
}

/// One hit of `searchTickets`.
#[napi(object)]
pub struct TicketSearchHit {
    /// The ticket.
    pub ticket: Ticket,
    /// Relevance, higher is better.
    pub rank: f64,
}

/// One page of search hits.
#[napi(object, use_nullable = true)]
pub struct TicketSearchPage {
    /// Hits of this page, best first.
    pub items: Vec<TicketSearchHit>,
    /// Matching tickets in total.
    pub total: i64,
    /// Page number.
    pub page: u32,
    /// Page size.
    pub page_size: u32,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

impl From<faultdesk::Page<faultdesk::TicketSearchHit>> for TicketSearchPage {
    fn from(p: faultdesk::Page<faultdesk::TicketSearchHit>) -> Self {
        TicketSearchPage {
            items: p
                .items
                .into_iter()
                .map(|h| TicketSearchHit {
                    ticket: h.ticket.into(),
                    rank: h.rank,
                })
                .collect(),
            total: p.total,
            page: p.page,
            page_size: p.page_size,
            next_cursor: p.next_cursor,
        }
    }
}

/// Ticket counts of `ticketStats`.
#[napi(object)]
pub struct TicketStatistics {
    /// Matching tickets.
    pub total: i64,
    /// Open tickets.
    pub open: i64,
    /// By workflow state.
    pub by_status: HashMap<String, i64>,
    /// By state category.
    pub by_category: HashMap<String, i64>,
    /// By priority.
    pub by_priority: HashMap<String, i64>,
    /// By type.
    pub by_type: HashMap<String, i64>,
}

impl From<faultdesk::TicketStatistics> for TicketStatistics {
    fn from(s: faultdesk::TicketStatistics) -> Self {
        TicketStatistics {
            total: s.total,
            open: s.open,
            by_status: s.by_status.into_iter().collect(),
            by_category: s.by_category.into_iter().collect(),
            by_priority: s.by_priority.into_iter().collect(),
            by_type: s.by_type.into_iter().collect(),
        }
    }
}

/// One audit event of a ticket's history (immutable).
#[napi(object, use_nullable = true)]
pub struct HistoryEntry {
    /// Seed 003's event type: `CREATED`, `STATUS_CHANGE`, `PRIORITY_CHANGE`, `ASSIGNMENT_CHANGE`,
    /// `UPDATE`, `COMMENT_ADDED`, `RESOLVED`, `CLOSED`, `REOPENED`, ...
    pub event_type: String,
    /// Changed field.
    pub field: Option<String>,
    /// Old value.
    pub old_value: Option<serde_json::Value>,
    /// New value.
    pub new_value: Option<serde_json::Value>,
    /// Acting user.
    pub actor_id: String,
    /// Client IP.
    pub ip: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Extra context (resolution note, reason, comment).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: serde_json::Value,
}

impl From<faultdesk::ticket::audit::AuditEvent> for HistoryEntry {
    fn from(e: faultdesk::ticket::audit::AuditEvent) -> Self {
        HistoryEntry {
            event_type: e.event_type.as_str().to_string(),
            field: e.field,
            old_value: e.old_value,
            new_value: e.new_value,
            actor_id: e.actor_id,
            ip: e.ip,
            at: e.at,
            metadata: e.metadata,
        }
    }
}

/// Input of `createTicketFromAlarm` (seed 000's request body).
#[napi(object)]
pub struct TicketFromAlarmOptions {
    /// `low`, `normal`, `high`, `critical`; mapped from the alarm severity when absent.
    pub priority: Option<String>,
    /// Extra context for the ticket body.
    pub additional_notes: Option<String>,
    /// Assignee.
    pub assign_to_user_id: Option<String>,
}

/// Result of `createTicketFromAlarm` (seed 000's response).
#[napi(object)]
pub struct TicketFromAlarm {
    /// The alarm.
    pub alarm_id: String,
    /// The new ticket.
    pub ticket_id: String,
    /// Its number.
    pub ticket_number: String,
    /// `Ticket {number} created successfully from alarm`.
    pub message: String,
}

impl From<faultdesk::TicketFromAlarm> for TicketFromAlarm {
    fn from(r: faultdesk::TicketFromAlarm) -> Self {
        TicketFromAlarm {
            alarm_id: r.alarm_id.to_string(),
            ticket_id: r.ticket_id.to_string(),
            ticket_number: r.ticket_number,
            message: r.message,
        }
    }
}

/// An earlier body of an edited comment.
#[napi(object)]
pub struct CommentRevision {
    /// The body before the edit.
    pub body: String,
    /// When it was replaced.
    pub edited_at: DateTime<Utc>,
    /// Who edited.
    pub edited_by: String,
}

/// A comment on a ticket.
#[napi(object, use_nullable = true)]
pub struct Comment {
    /// Comment id.
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// Author.
    pub author_id: String,
    /// Markdown body.
    pub body: String,
    /// `public`, `internal` or `system`.
    #[napi(ts_type = "'public' | 'internal' | 'system'")]
    pub visibility: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    pub edited_at: Option<DateTime<Utc>>,
    /// Deletion (deleted comments are listed only for moderators).
    pub deleted_at: Option<DateTime<Utc>>,
    /// Earlier bodies, oldest first.
    pub history: Vec<CommentRevision>,
}

impl From<faultdesk::ticket::comment::Comment> for Comment {
    fn from(c: faultdesk::ticket::comment::Comment) -> Self {
        Comment {
            id: c.id.to_string(),
            ticket_id: c.ticket_id.to_string(),
            author_id: c.author_id,
            body: c.body,
            visibility: c.visibility.as_str().to_string(),
            created_at: c.created_at,
            edited_at: c.edited_at,
            deleted_at: c.deleted_at,
            history: c
                .history
                .into_iter()
                .map(|r| CommentRevision {
                    body: r.body,
                    edited_at: r.edited_at,
                    edited_by: r.edited_by,
                })
                .collect(),
        }
    }
}

/// Input of `addAttachment` besides the content.
#[napi(object)]
pub struct NewAttachment {
    /// File name (checked against the allowlist; no paths).
    pub file_name: String,
    /// MIME type (guessed from the extension when absent).
    pub content_type: Option<String>,
    /// The comment the file belongs to.
    pub comment_id: Option<String>,
}

impl NewAttachment {
    /// The Desk input.
    pub fn into_input(self) -> faultdesk::Result<faultdesk::NewAttachment> {
        let mut a = faultdesk::NewAttachment::new(self.file_name);
        a.content_type = self.content_type;
        a.comment_id = opt_uuid("commentId", self.comment_id.as_deref())?;
        Ok(a)
    }
}

/// Metadata of a stored attachment.
#[napi(object, use_nullable = true)]
pub struct Attachment {
    /// Attachment id.
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// The comment, if any.
    pub comment_id: Option<String>,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content (hex).
    pub sha256: String,
    /// Uploader.
    pub uploaded_by: String,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

impl From<faultdesk::Attachment> for Attachment {
    fn from(a: faultdesk::Attachment) -> Self {
        Attachment {
            id: a.id.to_string(),
            ticket_id: a.ticket_id.to_string(),
            comment_id: a.comment_id.map(|c| c.to_string()),
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: i64::try_from(a.size_bytes).unwrap_or(i64::MAX),
            sha256: a.sha256,
            uploaded_by: a.uploaded_by,
            created_at: a.created_at,
        }
    }
}
