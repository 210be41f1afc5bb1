//! Audit events (seed 003's types) and the diff that derives them from an old and a new ticket.
//!
//! Every change appends an immutable event with its type, the field, the old and the new value,
//! the actor, the client IP and the time. [`diff`] compares two versions of a ticket:
//!
//! | change | events |
//! |---|---|
//! | status | `STATUS_CHANGE`, plus `ESCALATED` (new status `ESCALATED`), `RESOLVED` (`resolved_at` became set), `CLOSED` (`closed_at` became set), `REOPENED` (`resolved_at`/`closed_at` were set and both are now cleared) |
//! | priority | `PRIORITY_CHANGE` |
//! | assignee | `ASSIGNMENT_CHANGE` |
//! | due date | `DUE_DATE_CHANGE` |
//! | subject, description, type, customer, labels, metadata, deleted_at | one `UPDATE` per field |
//!
//! Timestamps maintained by faultdesk (`updated_at`, `first_responded_at`, ...) produce no
//! events of their own. `CREATED`, `COMMENT_ADDED`, `ATTACHMENT_ADDED` and `SLA_BREACH` have
//! their own constructors.
//!
//! ```
//! use chrono::Utc;
//! use ticket_core::audit::{AuditActor, AuditEventType, diff};
//! use ticket_core::ticket::{NewTicket, Ticket};
//! use ticket_core::workflow::Workflow;
//! use ticket_core::Priority;
//!
//! let now = Utc::now();
//! let old = NewTicket::new("t", "Link flapping", "u1")
//!     .build(&Workflow::itsm(), Ticket::new_id(now), "TKT-2026-000007".into(), now)
//!     .unwrap();
//! let mut new = old.clone();
//! new.priority = Priority::Critical;
//! new.assignee_id = Some("u2".into());
//! let actor = AuditActor::new("u1").with_ip("10.0.0.5");
//! let events = diff(&old, &new, &actor, now);
//! let kinds: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
//! assert_eq!(kinds, ["PRIORITY_CHANGE", "ASSIGNMENT_CHANGE"]);
//! assert_eq!(events[0].old_value, Some(serde_json::json!("normal")));
//! assert_eq!(events[0].new_value, Some(serde_json::json!("critical")));
//! ```

use crate::error::{Error, Result};
use crate::ticket::Ticket;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The audit event types of seed 003. Serialises as SCREAMING_SNAKE_CASE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum AuditEventType {
    /// The ticket was created.
    Created,
    /// The workflow state changed.
    StatusChange,
    /// The priority changed.
    PriorityChange,
    /// The assignee changed.
    AssignmentChange,
    /// Another field changed.
    Update,
    /// A comment was added.
    CommentAdded,
    /// An attachment was added.
    AttachmentAdded,
    /// The ticket entered the `ESCALATED` state.
    Escalated,
    /// The ticket was reopened.
    Reopened,
    /// The ticket was resolved.
    Resolved,
    /// The ticket was closed.
    Closed,
    /// An SLA target was breached.
    SlaBreach,
    /// The due date changed.
    DueDateChange,
}

impl AuditEventType {
    /// All types, in seed 003's order.
    pub const ALL: [AuditEventType; 13] = [
        AuditEventType::Created,
        AuditEventType::StatusChange,
        AuditEventType::PriorityChange,
        AuditEventType::AssignmentChange,
        AuditEventType::Update,
        AuditEventType::CommentAdded,
        AuditEventType::AttachmentAdded,
        AuditEventType::Escalated,
        AuditEventType::Reopened,
        AuditEventType::Resolved,
        AuditEventType::Closed,
        AuditEventType::SlaBreach,
        AuditEventType::DueDateChange,
    ];

    /// The SCREAMING_SNAKE name (`STATUS_CHANGE`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEventType::Created => "CREATED",
            AuditEventType::StatusChange => "STATUS_CHANGE",
            AuditEventType::PriorityChange => "PRIORITY_CHANGE",
            AuditEventType::AssignmentChange => "ASSIGNMENT_CHANGE",
            AuditEventType::Update => "UPDATE",
            AuditEventType::CommentAdded => "COMMENT_ADDED",
            AuditEventType::AttachmentAdded => "ATTACHMENT_ADDED",
            AuditEventType::Escalated => "ESCALATED",
            AuditEventType::Reopened => "REOPENED",
            AuditEventType::Resolved => "RESOLVED",
            AuditEventType::Closed => "CLOSED",
            AuditEventType::SlaBreach => "SLA_BREACH",
            AuditEventType::DueDateChange => "DUE_DATE_CHANGE",
        }
    }
}

impl fmt::Display for AuditEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditEventType {
    type Err = Error;

    /// Parses the SCREAMING_SNAKE name, case-insensitively.
    fn from_str(s: &str) -> Result<Self> {
        AuditEventType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::validation(format!(
                    "Invalid audit event type '{s}'. Accepted values: {}",
                    AuditEventType::ALL.map(|t| t.as_str()).join(", ")
                ))
            })
    }
}

/// Who made a change, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditActor {
    /// User id (`system` for faultdesk's own actions).
    pub user_id: String,
    /// Client IP, if known.
    pub ip: Option<String>,
}

impl AuditActor {
    /// An actor without IP.
    pub fn new(user_id: impl Into<String>) -> Self {
        AuditActor {
            user_id: user_id.into(),
            ip: None,
        }
    }

    /// faultdesk itself (scheduler, SLA engine).
    pub fn system() -> Self {
        AuditActor::new("system")
    }

    /// Sets the IP.
    pub fn with_ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }
}

/// One immutable audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The event type.
    pub event_type: AuditEventType,
    /// The field concerned (`status`, `priority`, `assignee_id`, `labels`, ...), if any.
    pub field: Option<String>,
    /// The value before (`null` for "was unset"); `None` when not applicable.
    pub old_value: Option<Value>,
    /// The value after; `None` when not applicable.
    pub new_value: Option<Value>,
    /// Acting user id.
    pub actor_id: String,
    /// Client IP.
    pub ip: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Extra structured context (e.g. the comment id of `COMMENT_ADDED`).
    #[serde(default)]
    pub metadata: Value,
}

impl AuditEvent {
    fn base(event_type: AuditEventType, actor: &AuditActor, at: DateTime<Utc>) -> Self {
        AuditEvent {
            event_type,
            field: None,
            old_value: None,
            new_value: None,
            actor_id: actor.user_id.clone(),
            ip: actor.ip.clone(),
            at,
            metadata: Value::Object(Default::default()),
        }
    }

    fn change(
        event_type: AuditEventType,
        field: &str,
        old: Value,
        new: Value,
        actor: &AuditActor,
        at: DateTime<Utc>,
    ) -> Self {
        AuditEvent {
            field: Some(field.to_string()),
            old_value: Some(old),
            new_value: Some(new),
            ..AuditEvent::base(event_type, actor, at)
        }
    }

    /// `CREATED`: the new value is the ticket's number, status, priority and type.
    pub fn created(ticket: &Ticket, actor: &AuditActor, at: DateTime<Utc>) -> Self {
        AuditEvent {
            new_value: Some(json!({
                "number": ticket.number,
                "status": ticket.status,
                "priority": ticket.priority,
                "ticket_type": ticket.ticket_type,
                "assignee_id": ticket.assignee_id,
            })),
            ..AuditEvent::base(AuditEventType::Created, actor, at)
        }
    }

    /// `COMMENT_ADDED`, with the comment id and visibility in the metadata.
    pub fn comment_added(
        comment_id: Uuid,
        visibility: crate::comment::Visibility,
        actor: &AuditActor,
        at: DateTime<Utc>,
    ) -> Self {
        AuditEvent {
            metadata: json!({"comment_id": comment_id, "visibility": visibility}),
            ..AuditEvent::base(AuditEventType::CommentAdded, actor, at)
        }
    }

    /// `ATTACHMENT_ADDED`, with the attachment id and file name.
    pub fn attachment_added(
        attachment_id: Uuid,
        file_name: &str,
        actor: &AuditActor,
        at: DateTime<Utc>,
    ) -> Self {
        AuditEvent {
            new_value: Some(Value::String(file_name.to_string())),
            metadata: json!({"attachment_id": attachment_id, "file_name": file_name}),
            ..AuditEvent::base(AuditEventType::AttachmentAdded, actor, at)
        }
    }

    /// `SLA_BREACH` of a target (`first_response`, `resolution`, ...) due at `due_at`.
    pub fn sla_breach(
        target: &str,
        due_at: DateTime<Utc>,
        actor: &AuditActor,
        at: DateTime<Utc>,
    ) -> Self {
        AuditEvent {
            field: Some(target.to_string()),
            metadata: json!({"target": target, "due_at": due_at}),
            ..AuditEvent::base(AuditEventType::SlaBreach, actor, at)
        }
    }

    /// Whether this event is about an internal comment (hidden from actors without
    /// `tickets.comments.internal`).
    pub fn is_internal(&self) -> bool {
        self.event_type == AuditEventType::CommentAdded
            && self.metadata.get("visibility").and_then(Value::as_str) == Some("internal")
    }
}

fn opt_str(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

fn opt_time(v: &Option<DateTime<Utc>>) -> Value {
    v.map_or(Value::Null, |t| json!(t))
}

/// The events that turn `old` into `new` (see the module table), in a stable order.
pub fn diff(old: &Ticket, new: &Ticket, actor: &AuditActor, at: DateTime<Utc>) -> Vec<AuditEvent> {
    use AuditEventType as T;
    let mut out = Vec::new();
    if old.status != new.status {
        out.push(AuditEvent::change(
            T::StatusChange,
            "status",
            json!(old.status),
            json!(new.status),
            actor,
            at,
        ));
        if new.status.eq_ignore_ascii_case("ESCALATED")
            && !old.status.eq_ignore_ascii_case("ESCALATED")
        {
            out.push(AuditEvent::change(
                T::Escalated,
                "status",
                json!(old.status),
                json!(new.status),
                actor,
                at,
            ));
        }
        let was_done = old.resolved_at.is_some() || old.closed_at.is_some();
        let is_done = new.resolved_at.is_some() || new.closed_at.is_some();
        if was_done && !is_done {
            out.push(AuditEvent::change(
                T::Reopened,
                "status",
                json!(old.status),
                json!(new.status),
                actor,
                at,
            ));
        }
    }
    if old.resolved_at.is_none() && new.resolved_at.is_some() {
        out.push(AuditEvent::change(
            T::Resolved,
            "resolved_at",
            Value::Null,
            opt_time(&new.resolved_at),
            actor,
            at,
        ));
    }
    if old.closed_at.is_none() && new.closed_at.is_some() {
        out.push(AuditEvent::change(
            T::Closed,
            "closed_at",
            Value::Null,
            opt_time(&new.closed_at),
            actor,
            at,
        ));
    }
    if old.priority != new.priority {
        out.push(AuditEvent::change(
            T::PriorityChange,
            "priority",
            json!(old.priority),
            json!(new.priority),
            actor,
            at,
        ));
    }
    if old.assignee_id != new.assignee_id {
        out.push(AuditEvent::change(
            T::AssignmentChange,
            "assignee_id",
            opt_str(&old.assignee_id),
            opt_str(&new.assignee_id),
            actor,
            at,
        ));
    }
    if old.due_at != new.due_at {
        out.push(AuditEvent::change(
            T::DueDateChange,
            "due_at",
            opt_time(&old.due_at),
            opt_time(&new.due_at),
            actor,
            at,
        ));
    }
    let mut update = |field: &str, o: Value, n: Value| {
        out.push(AuditEvent::change(T::Update, field, o, n, actor, at));
    };
    if old.subject != new.subject {
        update("subject", json!(old.subject), json!(new.subject));
    }
    if old.description != new.description {
        update(
            "description",
            json!(old.description),
            json!(new.description),
        );
    }
    if old.ticket_type != new.ticket_type {
        update(
            "ticket_type",
            json!(old.ticket_type),
            json!(new.ticket_type),
        );
    }
    if old.customer_id != new.customer_id {
        update(
            "customer_id",
            opt_str(&old.customer_id),
            opt_str(&new.customer_id),
        );
    }
    if old.labels != new.labels {
        update("labels", json!(old.labels), json!(new.labels));
    }
    if old.metadata != new.metadata {
        update("metadata", old.metadata.clone(), new.metadata.clone());
    }
    if old.deleted_at != new.deleted_at {
        update(
            "deleted_at",
            opt_time(&old.deleted_at),
            opt_time(&new.deleted_at),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::PermissionSet;
    use crate::ticket::NewTicket;
    use crate::workflow::{TransitionContext, Workflow};
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap()
    }

    fn ticket() -> Ticket {
        NewTicket::new("t", "s", "u")
            .assignee("eng")
            .build(
                &Workflow::itsm(),
                Ticket::new_id(now()),
                "TKT-2026-000001".into(),
                now(),
            )
            .unwrap()
    }

    fn kinds(ev: &[AuditEvent]) -> Vec<&'static str> {
        ev.iter().map(|e| e.event_type.as_str()).collect()
    }

    fn step(wf: &Workflow, t: &Ticket, to: &str, at: DateTime<Utc>) -> Ticket {
        let p = PermissionSet::superuser();
        let ctx = TransitionContext::new(&p, at)
            .with_assignee(true)
            .with_resolution_note(true)
            .with_resolution_times(t.resolved_at, t.closed_at);
        let mut n = t.clone();
        wf.check_transition(&t.status, to, &ctx)
            .unwrap()
            .apply(&mut n, at);
        n
    }

    #[test]
    fn names_roundtrip() {
        for t in AuditEventType::ALL {
            assert_eq!(t.as_str().parse::<AuditEventType>().unwrap(), t);
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        }
        assert!("DELETED".parse::<AuditEventType>().is_err());
        assert_eq!(
            "sla_breach".parse::<AuditEventType>().unwrap(),
            AuditEventType::SlaBreach
        );
    }

    #[test]
    fn lifecycle_events() {
        let wf = Workflow::itsm();
        let a = AuditActor::new("eng").with_ip("192.0.2.1");
        let t0 = ticket();
        let t1 = step(&wf, &t0, "OPEN", now());
        assert_eq!(kinds(&diff(&t0, &t1, &a, now())), ["STATUS_CHANGE"]);
        let t2 = step(&wf, &t1, "ESCALATED", now());
        let ev = diff(&t1, &t2, &a, now());
        assert_eq!(kinds(&ev), ["STATUS_CHANGE", "ESCALATED"]);
        assert_eq!(ev[0].old_value, Some(json!("OPEN")));
        assert_eq!(ev[0].new_value, Some(json!("ESCALATED")));
        assert_eq!(ev[0].ip.as_deref(), Some("192.0.2.1"));
        let t3 = step(&wf, &t2, "RESOLVED", now());
        assert_eq!(
            kinds(&diff(&t2, &t3, &a, now())),
            ["STATUS_CHANGE", "RESOLVED"]
        );
        let t4 = step(&wf, &t3, "CLOSED", now());
        assert_eq!(
            kinds(&diff(&t3, &t4, &a, now())),
            ["STATUS_CHANGE", "CLOSED"]
        );
        let t5 = step(&wf, &t4, "REOPENED", now() + Duration::hours(1));
        assert_eq!(
            kinds(&diff(&t4, &t5, &a, now())),
            ["STATUS_CHANGE", "REOPENED"]
        );
    }

    #[test]
    fn field_events() {
        let a = AuditActor::system();
        let old = ticket();
        let mut new = old.clone();
        new.assignee_id = None;
        new.due_at = Some(now() + Duration::days(1));
        new.subject = "changed".into();
        new.labels.insert("camera_id".into(), "7".into());
        new.metadata = json!({"x": 1});
        new.deleted_at = Some(now());
        new.customer_id = Some("c".into());
        new.ticket_type = crate::TicketType::Outage;
        new.description = "d".into();
        new.updated_at = now() + Duration::hours(1);
        let ev = diff(&old, &new, &a, now());
        assert_eq!(
            kinds(&ev),
            [
                "ASSIGNMENT_CHANGE",
                "DUE_DATE_CHANGE",
                "UPDATE",
                "UPDATE",
                "UPDATE",
                "UPDATE",
                "UPDATE",
                "UPDATE",
                "UPDATE"
            ]
        );
        assert_eq!(ev[0].old_value, Some(json!("eng")));
        assert_eq!(ev[0].new_value, Some(Value::Null));
        assert_eq!(ev[1].old_value, Some(Value::Null));
        let fields: Vec<_> = ev[2..].iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(
            fields,
            [
                "subject",
                "description",
                "ticket_type",
                "customer_id",
                "labels",
                "metadata",
                "deleted_at"
            ]
        );
        assert!(diff(&old, &old, &a, now()).is_empty());
    }

    #[test]
    fn constructors() {
        let a = AuditActor::new("u");
        let t = ticket();
        let c = AuditEvent::created(&t, &a, now());
        assert_eq!(c.event_type, AuditEventType::Created);
        assert_eq!(c.new_value.as_ref().unwrap()["status"], "NEW");
        let ce =
            AuditEvent::comment_added(Uuid::nil(), crate::comment::Visibility::Internal, &a, now());
        assert!(ce.is_internal());
        let pe =
            AuditEvent::comment_added(Uuid::nil(), crate::comment::Visibility::Public, &a, now());
        assert!(!pe.is_internal());
        let at = AuditEvent::attachment_added(Uuid::nil(), "log.txt", &a, now());
        assert_eq!(at.new_value, Some(json!("log.txt")));
        let sb = AuditEvent::sla_breach("resolution", now(), &AuditActor::system(), now());
        assert_eq!(sb.field.as_deref(), Some("resolution"));
        assert_eq!(sb.actor_id, "system");
        let back: AuditEvent = serde_json::from_value(serde_json::to_value(&sb).unwrap()).unwrap();
        assert_eq!(back, sb);
    }
}
