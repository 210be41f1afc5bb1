//! Events, SLA state, scheduler and notification objects as JavaScript sees them.

use crate::alarms::serde_name;
use crate::convert::secs;
use chrono::{DateTime, Utc};
use napi_derive::napi;

/// One committed change, as delivered to subscribers and by `eventsSince`.
#[napi(object, use_nullable = true)]
pub struct Event {
    /// Monotonic sequence number (commit order); resume with `eventsSince(actor, seq)`.
    pub seq: i64,
    /// Tenant.
    pub tenant_id: String,
    /// Kind, e.g. `ticket.created`, `ticket.commented`, `ticket.status_changed`, `alarm.raised`.
    pub kind: String,
    /// Id of the changed object.
    pub entity_id: Option<String>,
    /// Whether it reveals internal content (only delivered to actors who may see it).
    pub internal: bool,
    /// Kind-specific payload (snake_case keys, as stored in the outbox).
    #[napi(ts_type = "Record<string, unknown>")]
    pub payload: serde_json::Value,
    /// Commit time.
    pub at: DateTime<Utc>,
}

impl From<faultdesk::Event> for Event {
    fn from(e: faultdesk::Event) -> Self {
        Event {
            seq: e.seq,
            tenant_id: e.tenant_id,
            kind: e.kind,
            entity_id: e.entity_id,
            internal: e.internal,
            payload: e.payload,
            at: e.at,
        }
    }
}

/// One SLA target (first response or resolution) of a ticket.
#[napi(object, use_nullable = true)]
pub struct SlaTargetStatus {
    /// `first_response` or `resolution`.
    pub target: String,
    /// Budget in seconds (business time).
    pub budget_seconds: f64,
    /// Due instant (while paused: the instant it would have if the clock resumed now).
    pub due: DateTime<Utc>,
    /// Business time used, seconds.
    pub elapsed_seconds: f64,
    /// Business time left, seconds (negative once breached).
    pub remaining_seconds: f64,
    /// Whether the clock is paused.
    pub paused: bool,
    /// When the target was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Completed in time.
    pub met: bool,
    /// Breached.
    pub breached: bool,
    /// First instant of the breach.
    pub breached_at: Option<DateTime<Utc>>,
    /// Budget used, percent.
    pub percent_used: f64,
    /// Warning thresholds crossed (percent).
    pub warnings_crossed: Vec<u32>,
}

/// The SLA state of a ticket (`ticketSla`).
#[napi(object, use_nullable = true)]
pub struct SlaStatus {
    /// Priority the targets are for.
    pub priority: String,
    /// State category now.
    pub category: String,
    /// First-response target.
    pub first_response: SlaTargetStatus,
    /// Resolution target.
    pub resolution: SlaTargetStatus,
    /// Next instant the state changes by itself (warning, breach), if any.
    pub next_change: Option<DateTime<Utc>>,
}

fn target(t: faultdesk::ticket::sla::TargetStatus) -> SlaTargetStatus {
    SlaTargetStatus {
        target: serde_name(&t.target),
        budget_seconds: secs(t.budget),
        due: t.due,
        elapsed_seconds: secs(t.elapsed),
        remaining_seconds: secs(t.remaining),
        paused: t.paused,
        completed_at: t.completed_at,
        met: t.met,
        breached: t.breached,
        breached_at: t.breached_at,
        percent_used: t.percent_used,
        warnings_crossed: t.warnings_crossed.into_iter().map(u32::from).collect(),
    }
}

impl From<faultdesk::ticket::sla::SlaStatus> for SlaStatus {
    fn from(s: faultdesk::ticket::sla::SlaStatus) -> Self {
        SlaStatus {
            priority: s.priority.as_str().to_string(),
            category: s.category.as_str().to_string(),
            first_response: target(s.first_response),
            resolution: target(s.resolution),
            next_change: s.next_change,
        }
    }
}

/// What `runDue` did.
#[napi(object)]
pub struct RunDueReport {
    /// Tickets looked at.
    pub tickets: u32,
    /// Warnings recorded.
    pub warnings: u32,
    /// Breaches recorded.
    pub breaches: u32,
    /// Escalations applied.
    pub escalations: u32,
    /// Availability SLA instances evaluated because their check instant had come.
    pub sla_instances: u32,
    /// Availability SLA breaches recorded by those evaluations (`sla.instance_breach`).
    pub sla_breaches: u32,
    /// Tickets opened for those breaches (auto-tickets on).
    pub sla_tickets: Vec<String>,
}

fn n(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

impl From<faultdesk::RunDueReport> for RunDueReport {
    fn from(r: faultdesk::RunDueReport) -> Self {
        RunDueReport {
            tickets: n(r.tickets),
            warnings: n(r.warnings),
            breaches: n(r.breaches),
            escalations: n(r.escalations),
            sla_instances: n(r.sla_instances),
            sla_breaches: n(r.sla_breaches),
            sla_tickets: r.sla_tickets.iter().map(ToString::to_string).collect(),
        }
    }
}

/// What `deliverNotifications` did.
#[napi(object)]
pub struct DeliveryReport {
    /// Notifications claimed.
    pub claimed: u32,
    /// Delivered.
    pub sent: u32,
    /// Failed, will be retried.
    pub retrying: u32,
    /// Given up.
    pub dead: u32,
}

impl From<faultdesk::DeliveryReport> for DeliveryReport {
    fn from(r: faultdesk::DeliveryReport) -> Self {
        DeliveryReport {
            claimed: n(r.claimed),
            sent: n(r.sent),
            retrying: n(r.retrying),
            dead: n(r.dead),
        }
    }
}

/// A recorded notification intent (`listNotifications`).
#[napi(object, use_nullable = true)]
pub struct Notification {
    /// Id.
    pub id: String,
    /// Channel (`webhook`, `email`, ...).
    pub channel: String,
    /// Recipient.
    pub recipient: String,
    /// Template name.
    pub template: String,
    /// Subject.
    pub subject: Option<String>,
    /// Payload.
    #[napi(ts_type = "Record<string, unknown>")]
    pub payload: serde_json::Value,
    /// `pending`, `sent`, `retrying`, `dead`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// Delivered.
    pub sent_at: Option<DateTime<Utc>>,
    /// Related ticket.
    pub ticket_id: Option<String>,
    /// Related alarm.
    pub alarm_id: Option<String>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<faultdesk::storage::NotificationRow> for Notification {
    fn from(r: faultdesk::storage::NotificationRow) -> Self {
        Notification {
            id: r.id.to_string(),
            channel: r.channel,
            recipient: r.recipient,
            template: r.template,
            subject: r.subject,
            payload: r.payload,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            sent_at: r.sent_at,
            ticket_id: r.ticket_id.map(|u| u.to_string()),
            alarm_id: r.alarm_id.map(|u| u.to_string()),
            created_at: r.created_at,
        }
    }
}
