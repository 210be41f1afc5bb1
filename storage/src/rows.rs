//! Plain row structs, one field per column (see `SCHEMA.md` for the meaning of every column).
//!
//! Enumerations (severity, status, channel, ...) are the lower-case strings the core crates
//! define; storage does not interpret them, except where noted (alarm statuses that count as
//! "open" for the one-open-alarm-per-key index, ticket categories that count as "open").

use crate::codec::{JsonText, table_row};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use uuid::Uuid;

/// Alarm statuses that count as open: at most one alarm per `(tenant_id, reduction_key)` may be
/// in one of these states (enforced by the partial unique index `ux_alarms_open_key`).
pub const OPEN_ALARM_STATUSES: [&str; 3] = ["active", "acknowledged", "suppressed"];

/// Alarm statuses whose alarms may be archived by `archive_cleared`.
pub const CLOSED_ALARM_STATUSES: [&str; 2] = ["cleared", "resolved"];

/// Ticket state categories that count as open (`tickets.is_open = true`).
pub const OPEN_TICKET_CATEGORIES: [&str; 3] = ["new", "open", "pending"];

table_row! {
    /// The columns of an alarm that seed 000's unacknowledged-alarm check reads (table
    /// `alarms`): a lean row, so a check that runs every few minutes over hundreds of open
    /// alarms decodes no payloads, labels or texts.
    pub struct UnackedAlarmRow in "alarms" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The id the source system gave the alarm.
        pub external_alarm_id: Option<String>,
        /// `critical` or `major` (the check's severities).
        pub severity: String,
        /// First occurrence (event time).
        pub first_occurrence: DateTime<Utc>,
    }
}

table_row! {
    /// One alarm (table `alarms`).
    pub struct AlarmRow in "alarms" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The id the source system gave the alarm (seed 000's `external_alarm_id`).
        pub external_alarm_id: Option<String>,
        /// De-duplication key; one open alarm per key and tenant.
        pub reduction_key: String,
        /// Alarm type, e.g. `device.down`.
        pub alarm_type: String,
        /// `critical`, `major`, `minor`, `warning`, `info`, `cleared`.
        pub severity: String,
        /// `active`, `acknowledged`, `suppressed`, `cleared`, `resolved`.
        pub status: String,
        /// `network_device`, `monitoring`, `cpe`, `service`, `system`.
        pub source: String,
        /// Title shown to operators.
        pub title: String,
        /// Longer description.
        pub description: Option<String>,
        /// Affected resource type (`olt`, `ont`, `device`, ...).
        pub resource_type: Option<String>,
        /// Affected resource id.
        pub resource_id: Option<String>,
        /// Affected resource name.
        pub resource_name: Option<String>,
        /// Affected customer id.
        pub customer_id: Option<String>,
        /// Affected customer name.
        pub customer_name: Option<String>,
        /// Number of affected subscribers.
        pub subscriber_count: i64,
        /// Correlation group.
        pub correlation_id: Option<Uuid>,
        /// Root-cause alarm this alarm was correlated under.
        pub parent_alarm_id: Option<Uuid>,
        /// Whether this alarm is the root cause of its group.
        pub is_root_cause: bool,
        /// Whether the alarm is flapping.
        pub is_flapping: bool,
        /// Why it is suppressed (`maintenance`, `correlated`, `flapping`), if it is.
        pub suppression_reason: Option<String>,
        /// Probable cause.
        pub probable_cause: Option<String>,
        /// Recommended action.
        pub recommended_action: Option<String>,
        /// First occurrence (event time).
        pub first_occurrence: DateTime<Utc>,
        /// Last occurrence (event time).
        pub last_occurrence: DateTime<Utc>,
        /// Number of occurrences (de-duplicated events included).
        pub occurrence_count: i64,
        /// When acknowledged.
        pub acknowledged_at: Option<DateTime<Utc>>,
        /// Who acknowledged.
        pub acknowledged_by: Option<String>,
        /// When cleared.
        pub cleared_at: Option<DateTime<Utc>>,
        /// When resolved.
        pub resolved_at: Option<DateTime<Utc>>,
        /// Who resolved.
        pub resolved_by: Option<String>,
        /// Assigned user.
        pub assigned_to: Option<String>,
        /// The ticket created from this alarm (one ticket per alarm, unique).
        pub ticket_id: Option<Uuid>,
        /// Free-form metadata.
        pub metadata: Json,
        /// Row creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
    }
}

table_row! {
    /// One raw event as received and what the correlator decided (table `alarm_events`).
    pub struct AlarmEventRow in "alarm_events" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The alarm the event was applied to, if any.
        pub alarm_id: Option<Uuid>,
        /// Event type (`device.down`, ...).
        pub event_type: String,
        /// Severity the event carried or was mapped to.
        pub severity: Option<String>,
        /// Decision (`created`, `deduplicated`, `cleared`, `suppressed`, ...).
        pub decision: String,
        /// Reduction key of the event.
        pub reduction_key: Option<String>,
        /// When the event happened at the source.
        pub occurred_at: DateTime<Utc>,
        /// When faultdesk received it.
        pub received_at: DateTime<Utc>,
        /// The event as received (JSON text, written without re-serialisation).
        pub payload: JsonText,
    }
}

table_row! {
    /// An investigation/resolution note on an alarm (table `alarm_notes`).
    pub struct AlarmNoteRow in "alarm_notes" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The alarm.
        pub alarm_id: Uuid,
        /// Author user id.
        pub author_id: String,
        /// `investigation`, `resolution`, `comment`, ...
        pub note_type: String,
        /// Note text.
        pub content: String,
        /// When written.
        pub created_at: DateTime<Utc>,
    }
}

table_row! {
    /// A correlation/suppression/escalation rule (table `alarm_rules`).
    pub struct RuleRow in "alarm_rules" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// Rule name.
        pub name: String,
        /// `correlation`, `suppression`, `escalation`.
        pub rule_type: String,
        /// Description.
        pub description: Option<String>,
        /// Whether the rule is applied.
        pub enabled: bool,
        /// Evaluation order (higher first).
        pub priority: i32,
        /// Conditions JSON (seed 002's rule format).
        pub conditions: Json,
        /// Actions JSON.
        pub actions: Json,
        /// Time window in seconds.
        pub time_window_seconds: Option<i64>,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
    }
}

table_row! {
    /// A topology edge: `parent_id` feeds `child_id` (table `topology_edges`).
    pub struct TopologyEdgeRow in "topology_edges" {
        /// Owning tenant.
        pub tenant_id: String,
        /// Upstream resource id (e.g. an OLT).
        pub parent_id: String,
        /// Downstream resource id (e.g. an ONT).
        pub child_id: String,
        /// When added.
        pub created_at: DateTime<Utc>,
    }
}

table_row! {
    /// A planned maintenance window (table `maintenance_windows`).
    pub struct MaintenanceWindowRow in "maintenance_windows" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// Title.
        pub title: String,
        /// Description.
        pub description: Option<String>,
        /// Start (inclusive).
        pub start_time: DateTime<Utc>,
        /// End (exclusive).
        pub end_time: DateTime<Utc>,
        /// `scheduled`, `in_progress`, `completed`, `cancelled`.
        pub status: String,
        /// Affected scope JSON (resource ids/types, customers).
        pub scope: Json,
        /// Whether alarms in scope are suppressed.
        pub suppress_alarms: bool,
        /// Whether customers are notified.
        pub notify_customers: bool,
        /// Creator.
        pub created_by: Option<String>,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
    }
}

table_row! {
    /// An SLA definition (table `sla_definitions`).
    pub struct SlaDefinitionRow in "sla_definitions" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// Name.
        pub name: String,
        /// Description.
        pub description: Option<String>,
        /// Service type (`fiber`, ...).
        pub service_type: Option<String>,
        /// Availability target as a fraction (`0.999`).
        pub availability_target: Decimal,
        /// Measurement period in days.
        pub measurement_period_days: i32,
        /// Measured in business hours only.
        pub business_hours_only: bool,
        /// Business calendar name.
        pub calendar: Option<String>,
        /// Maintenance windows excluded from measured time.
        pub exclude_maintenance: bool,
        /// Performance targets JSON (latency, packet loss, bandwidth).
        pub performance_targets: Json,
        /// Response times in minutes by severity JSON.
        pub response_times: Json,
        /// Resolution times in minutes by severity JSON.
        pub resolution_times: Json,
        /// Credit tiers and cap JSON.
        pub credit_policy: Json,
        /// Whether active.
        pub enabled: bool,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
        /// The whole definition as JSON (fault-core's `SlaDefinition`); the other columns are
        /// its plain projection. `NULL` for rows written before migration m0005.
        pub definition: Option<Json>,
    }
}

table_row! {
    /// An SLA bound to a customer/service for a period (table `sla_instances`).
    pub struct SlaInstanceRow in "sla_instances" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The definition.
        pub sla_definition_id: Uuid,
        /// Customer.
        pub customer_id: String,
        /// Service id.
        pub service_id: Option<String>,
        /// Covered resource type.
        pub resource_type: Option<String>,
        /// Covered resource id.
        pub resource_id: Option<String>,
        /// `active`, `at_risk`, `breached`, `expired`.
        pub status: String,
        /// Period start.
        pub period_start: DateTime<Utc>,
        /// Period end.
        pub period_end: DateTime<Utc>,
        /// Last computed availability fraction.
        pub current_availability: Option<Decimal>,
        /// Planned downtime (seconds).
        pub planned_downtime_seconds: i64,
        /// Unplanned downtime (seconds).
        pub unplanned_downtime_seconds: i64,
        /// Number of breaches recorded.
        pub breach_count: i32,
        /// Credit amount accrued.
        pub credit_amount: Decimal,
        /// Fee for the period (base for credits).
        pub monthly_fee: Option<Decimal>,
        /// Currency code.
        pub currency: Option<String>,
        /// Free-form metadata.
        pub metadata: Json,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
        /// The definition as it was when the instance was created (JSON of fault-core's
        /// `SlaDefinition`, with the instance's fee): later edits of the definition do not
        /// change past periods.
        pub definition: Option<Json>,
        /// The scope as JSON: `{customer_id, service_id, resource_ids}`.
        pub scope: Option<Json>,
        /// The next instant the instance's state changes with no new input (a breach or
        /// at-risk instant while an outage is open, a response/resolution due instant, the
        /// period end); `run_due` claims rows whose instant has come.
        pub next_check_at: Option<DateTime<Utc>>,
    }
}

table_row! {
    /// An SLA breach, recorded once per `(tenant_id, sla_instance_id, breach_key)`
    /// (table `sla_breaches`).
    pub struct SlaBreachRow in "sla_breaches" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The SLA instance.
        pub sla_instance_id: Uuid,
        /// Idempotency key chosen by the caller (e.g. `availability:2026-01`).
        pub breach_key: String,
        /// `availability`, `response_time`, `resolution_time`, `performance`.
        pub breach_type: String,
        /// Related alarm.
        pub alarm_id: Option<Uuid>,
        /// Related ticket.
        pub ticket_id: Option<Uuid>,
        /// Breach start.
        pub breach_start: DateTime<Utc>,
        /// Breach end.
        pub breach_end: Option<DateTime<Utc>>,
        /// Duration in seconds.
        pub duration_seconds: Option<i64>,
        /// Target value.
        pub target_value: Option<Decimal>,
        /// Measured value.
        pub actual_value: Option<Decimal>,
        /// Credit amount.
        pub credit_amount: Option<Decimal>,
        /// Whether resolved.
        pub resolved: bool,
        /// When resolved.
        pub resolved_at: Option<DateTime<Utc>>,
        /// Details JSON.
        pub details: Json,
        /// Creation time.
        pub created_at: DateTime<Utc>,
    }
}

table_row! {
    /// One outage (alarm interval) recorded on an SLA instance (table `sla_outages`).
    pub struct SlaOutageRow in "sla_outages" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The SLA instance.
        pub sla_instance_id: Uuid,
        /// The alarm.
        pub alarm_id: Uuid,
        /// The alarm's severity when raised.
        pub severity: String,
        /// Whether the alarm takes the service down (only those are downtime).
        pub service_affecting: bool,
        /// Start of the interval (the alarm's raise, or its re-raise while flapping).
        pub started_at: DateTime<Utc>,
        /// The alarm's acknowledgement.
        pub acknowledged_at: Option<DateTime<Utc>>,
        /// End of the interval (clear or resolution); `NULL` while open.
        pub ended_at: Option<DateTime<Utc>>,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
    }
}

table_row! {
    /// One performance sample recorded on an SLA instance (table `sla_measurements`); absent
    /// values were not measured.
    pub struct SlaMeasurementRow in "sla_measurements" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The SLA instance.
        pub sla_instance_id: Uuid,
        /// When the sample was taken.
        pub measured_at: DateTime<Utc>,
        /// Latency in milliseconds.
        pub latency_ms: Option<Decimal>,
        /// Packet loss in percent.
        pub packet_loss_percent: Option<Decimal>,
        /// Bandwidth in Mbps.
        pub bandwidth_mbps: Option<Decimal>,
        /// Creation time.
        pub created_at: DateTime<Utc>,
    }
}

table_row! {
    /// A ticket (table `tickets`).
    pub struct TicketRow in "tickets" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// Human number, unique per tenant (`TKT-2026-000123`).
        pub number: String,
        /// Year of the number's counter.
        pub number_year: i32,
        /// Sequence value within the year.
        pub number_seq: i64,
        /// Subject.
        pub subject: String,
        /// Description (markdown).
        pub description: String,
        /// `fault`, `outage`, `maintenance`, `incident`, `service_request`, ...
        pub ticket_type: String,
        /// Workflow state name (lower case).
        pub status: String,
        /// State category: `new`, `open`, `pending`, `resolved`, `closed`.
        pub category: String,
        /// `category` in new/open/pending. Storage recomputes it on every write.
        pub is_open: bool,
        /// Workflow the ticket was created under.
        pub workflow: String,
        /// Priority rank: critical = 4, high = 3, normal = 2, low = 1 (`ORDER BY priority DESC`
        /// lists critical first).
        pub priority: i16,
        /// Reporter user id.
        pub reporter_id: String,
        /// Assignee user id.
        pub assignee_id: Option<String>,
        /// Assigned team.
        pub assigned_team: Option<String>,
        /// Customer id.
        pub customer_id: Option<String>,
        /// Alarm the ticket was created from.
        pub alarm_id: Option<Uuid>,
        /// Free-form metadata (seed 000's alarm metadata lives here).
        pub metadata: Json,
        /// Due date.
        pub due_at: Option<DateTime<Utc>>,
        /// First response time.
        pub first_response_at: Option<DateTime<Utc>>,
        /// First-response SLA due instant.
        pub first_response_due_at: Option<DateTime<Utc>>,
        /// Resolution SLA due instant.
        pub resolution_due_at: Option<DateTime<Utc>>,
        /// When resolved.
        pub resolved_at: Option<DateTime<Utc>>,
        /// When closed.
        pub closed_at: Option<DateTime<Utc>>,
        /// Next instant the SLA state changes (warning/breach); indexed for the scheduler.
        pub sla_next_check_at: Option<DateTime<Utc>>,
        /// Soft-delete time.
        pub deleted_at: Option<DateTime<Utc>>,
        /// Who deleted.
        pub deleted_by: Option<String>,
        /// Optimistic version, incremented by `update_ticket`.
        pub version: i64,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
    }
}

table_row! {
    /// A key/value label of a ticket (table `ticket_labels`), e.g. `contractor_id = c-17`.
    pub struct TicketLabelRow in "ticket_labels" {
        /// Owning tenant.
        pub tenant_id: String,
        /// The ticket.
        pub ticket_id: Uuid,
        /// Label key.
        pub key: String,
        /// Label value.
        pub value: String,
    }
}

table_row! {
    /// One immutable audit event of a ticket (table `ticket_events`).
    pub struct TicketEventRow in "ticket_events" {
        /// UUID v7 (time ordered).
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The ticket.
        pub ticket_id: Uuid,
        /// `CREATED`, `STATUS_CHANGE`, `PRIORITY_CHANGE`, ...
        pub event_type: String,
        /// Changed field.
        pub field: Option<String>,
        /// Old value (text).
        pub old_value: Option<String>,
        /// New value (text).
        pub new_value: Option<String>,
        /// Actor user id.
        pub actor_id: String,
        /// Actor IP address.
        pub actor_ip: Option<String>,
        /// When it happened.
        pub at: DateTime<Utc>,
        /// Extra data JSON.
        pub data: Json,
    }
}

table_row! {
    /// A comment on a ticket (table `comments`).
    pub struct CommentRow in "comments" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The ticket.
        pub ticket_id: Uuid,
        /// Author user id.
        pub author_id: String,
        /// `public`, `internal`, `system`.
        pub visibility: String,
        /// Text.
        pub body: String,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
        /// Last edit time.
        pub edited_at: Option<DateTime<Utc>>,
        /// Soft-delete time.
        pub deleted_at: Option<DateTime<Utc>>,
        /// Who deleted.
        pub deleted_by: Option<String>,
    }
}

table_row! {
    /// A previous version of an edited comment (table `comment_revisions`).
    pub struct CommentRevisionRow in "comment_revisions" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The comment.
        pub comment_id: Uuid,
        /// The body before the edit.
        pub body: String,
        /// Who edited.
        pub edited_by: String,
        /// When edited.
        pub edited_at: DateTime<Utc>,
    }
}

table_row! {
    /// Attachment metadata (table `attachments`); content lives in a blob.
    pub struct AttachmentRow in "attachments" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// The ticket.
        pub ticket_id: Uuid,
        /// Comment it belongs to.
        pub comment_id: Option<Uuid>,
        /// Sanitized file name.
        pub file_name: String,
        /// MIME type.
        pub content_type: String,
        /// Size in bytes.
        pub size_bytes: i64,
        /// SHA-256 of the content (hex), key of the blob.
        pub sha256: String,
        /// `pending`, `available`, `rejected`.
        pub status: String,
        /// Uploader user id.
        pub uploaded_by: String,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Soft-delete time.
        pub deleted_at: Option<DateTime<Utc>>,
    }
}

table_row! {
    /// Stored content, de-duplicated per tenant by SHA-256, counted by reference
    /// (table `blobs`).
    pub struct BlobRow in "blobs" {
        /// Owning tenant.
        pub tenant_id: String,
        /// SHA-256 hex.
        pub sha256: String,
        /// Size in bytes.
        pub size_bytes: i64,
        /// Object-store key.
        pub storage_key: String,
        /// Number of attachments referencing it.
        pub refcount: i64,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
    }
}

table_row! {
    /// A notification intent and its delivery state (table `notification_log`).
    pub struct NotificationRow in "notification_log" {
        /// UUID v7.
        pub id: Uuid,
        /// Owning tenant.
        pub tenant_id: String,
        /// `email`, `sms`, `webhook`, `slack`, `websocket`.
        pub channel: String,
        /// Recipient (address, number, URL, user id).
        pub recipient: String,
        /// Template name.
        pub template: String,
        /// Subject line.
        pub subject: Option<String>,
        /// Template data JSON.
        pub payload: Json,
        /// `pending`, `sending`, `sent`, `failed` (will retry), `dead` (gave up).
        pub status: String,
        /// Delivery attempts so far.
        pub attempts: i32,
        /// Last error message.
        pub last_error: Option<String>,
        /// Earliest next attempt.
        pub next_attempt_at: DateTime<Utc>,
        /// Claimed by a worker until this instant.
        pub locked_until: Option<DateTime<Utc>>,
        /// When delivered.
        pub sent_at: Option<DateTime<Utc>>,
        /// Related ticket.
        pub ticket_id: Option<Uuid>,
        /// Related alarm.
        pub alarm_id: Option<Uuid>,
        /// Creation time.
        pub created_at: DateTime<Utc>,
        /// Last change time.
        pub updated_at: DateTime<Utc>,
    }
}

table_row! {
    /// One committed change for subscribers (table `outbox`). `seq` is monotonic and equals
    /// commit order.
    pub struct OutboxRow in "outbox" {
        /// Sequence number.
        pub seq: i64,
        /// Owning tenant.
        pub tenant_id: String,
        /// Event kind (`ticket.created`, `alarm.raised`, ...).
        pub kind: String,
        /// Id of the changed object.
        pub entity_id: Option<String>,
        /// Only visible to actors allowed to see internal content.
        pub internal: bool,
        /// Event payload JSON.
        pub payload: Json,
        /// Creation time.
        pub created_at: DateTime<Utc>,
    }
}

/// Whether a ticket state category counts as open.
///
/// ```
/// assert!(faultdesk_storage::is_open_category("pending"));
/// assert!(!faultdesk_storage::is_open_category("resolved"));
/// ```
pub fn is_open_category(category: &str) -> bool {
    OPEN_TICKET_CATEGORIES.contains(&category)
}
