//! Alarm, rule, topology and maintenance objects as JavaScript sees them.

use crate::convert::{opt_uuid, parse};
use chrono::{DateTime, Utc};
use faultdesk::fault::{AlarmSource, Severity};
use napi_derive::napi;
use std::collections::HashMap;

/// The name of a serde-serialised unit enum (`"in_progress"`).
pub fn serde_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn severity(s: &str) -> faultdesk::Result<Severity> {
    s.parse::<Severity>()
        .map_err(|e| faultdesk::Error::validation(e.to_string()))
}

/// A raw alarm event for `ingest` / `ingestBatch` (seed 002's event fields). The tenant is the
/// actor's.
#[napi(object)]
pub struct AlarmEvent {
    /// Event type, e.g. `device.down`, `signal.loss`, `device.up` (mapped by seed 002's table).
    pub event_type: String,
    /// Explicit alarm type (default: the event type).
    pub alarm_type: Option<String>,
    /// `critical`, `major`, `minor`, `warning`, `info`, `cleared`; overrides the mapping's.
    pub severity: Option<String>,
    /// `network_device`, `monitoring`, `cpe`, `service`, `system`.
    pub source: Option<String>,
    /// Resource type, e.g. `olt`, `ont`.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Resource display name.
    pub resource_name: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Affected subscribers.
    pub subscriber_count: Option<u32>,
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Probable cause.
    pub probable_cause: Option<String>,
    /// Recommended action.
    pub recommended_action: Option<String>,
    /// The source system's alarm id.
    pub external_alarm_id: Option<String>,
    /// Labels.
    pub labels: Option<HashMap<String, String>>,
    /// The raw payload, kept with the alarm.
    #[napi(ts_type = "Record<string, unknown>")]
    pub raw: Option<serde_json::Value>,
    /// When it happened (correlation windows are measured on this).
    pub occurred_at: DateTime<Utc>,
}

impl AlarmEvent {
    /// The core event (tenant filled in by the Desk from the actor).
    pub fn into_event(self) -> faultdesk::Result<faultdesk::fault::AlarmEvent> {
        let mut e = faultdesk::fault::AlarmEvent::new(
            "",
            self.event_type,
            self.resource_type.clone().unwrap_or_default(),
            self.resource_id.clone().unwrap_or_default(),
            self.occurred_at,
        );
        e.resource_type = self.resource_type;
        e.resource_id = self.resource_id;
        e.alarm_type = self.alarm_type;
        e.severity = self.severity.as_deref().map(severity).transpose()?;
        e.source = self
            .source
            .as_deref()
            .map(parse::<AlarmSource>)
            .transpose()?;
        e.resource_name = self.resource_name;
        e.customer_id = self.customer_id;
        e.customer_name = self.customer_name;
        e.subscriber_count = self.subscriber_count.unwrap_or(0);
        e.title = self.title;
        e.description = self.description;
        e.probable_cause = self.probable_cause;
        e.recommended_action = self.recommended_action;
        e.external_alarm_id = self.external_alarm_id;
        e.labels = self.labels.unwrap_or_default().into_iter().collect();
        e.raw = self.raw.unwrap_or(serde_json::Value::Null);
        Ok(e)
    }
}

/// An alarm.
#[napi(object, use_nullable = true)]
pub struct Alarm {
    /// UUID v7.
    pub id: String,
    /// Tenant.
    pub tenant_id: String,
    /// De-duplication key.
    pub reduction_key: String,
    /// The source system's alarm id.
    pub external_alarm_id: Option<String>,
    /// Current severity (`cleared` once cleared).
    pub severity: String,
    /// The severity it last had while raised.
    pub raised_severity: String,
    /// `active`, `acknowledged`, `suppressed`, `cleared`, `resolved`.
    pub status: String,
    /// Source.
    pub source: String,
    /// Alarm type.
    pub alarm_type: String,
    /// Event type of the first event.
    pub event_type: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Probable cause.
    pub probable_cause: Option<String>,
    /// Recommended action.
    pub recommended_action: Option<String>,
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Resource name.
    pub resource_name: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Affected subscribers.
    pub subscriber_count: u32,
    /// Parent (root-cause) alarm.
    pub parent_alarm_id: Option<String>,
    /// Number of children.
    pub child_count: u32,
    /// Whether it is a root cause.
    pub is_root_cause: bool,
    /// Correlation group.
    pub correlation_id: Option<String>,
    /// First occurrence.
    pub first_occurrence: DateTime<Utc>,
    /// Last occurrence.
    pub last_occurrence: DateTime<Utc>,
    /// Occurrences (de-duplicated repeats included).
    pub occurrence_count: u32,
    /// Whether it is flapping.
    pub is_flapping: bool,
    /// Flap count.
    pub flap_count: u32,
    /// Acknowledged.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// By whom.
    pub acknowledged_by: Option<String>,
    /// Cleared.
    pub cleared_at: Option<DateTime<Utc>>,
    /// By whom.
    pub cleared_by: Option<String>,
    /// Resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// By whom.
    pub resolved_by: Option<String>,
    /// Assignee.
    pub assigned_to: Option<String>,
    /// The ticket created from it.
    pub ticket_id: Option<String>,
    /// Labels.
    pub labels: HashMap<String, String>,
}

impl From<faultdesk::fault::Alarm> for Alarm {
    fn from(a: faultdesk::fault::Alarm) -> Self {
        Alarm {
            id: a.id.to_string(),
            tenant_id: a.tenant_id,
            reduction_key: a.reduction_key,
            external_alarm_id: a.external_alarm_id,
            severity: a.severity.as_str().to_string(),
            raised_severity: a.raised_severity.as_str().to_string(),
            status: a.status.as_str().to_string(),
            source: a.source.as_str().to_string(),
            alarm_type: a.alarm_type,
            event_type: a.event_type,
            title: a.title,
            description: a.description,
            probable_cause: a.probable_cause,
            recommended_action: a.recommended_action,
            resource_type: a.resource_type,
            resource_id: a.resource_id,
            resource_name: a.resource_name,
            customer_id: a.customer_id,
            customer_name: a.customer_name,
            subscriber_count: a.subscriber_count,
            parent_alarm_id: a.parent_alarm_id.map(|u| u.to_string()),
            child_count: a.child_count,
            is_root_cause: a.is_root_cause,
            correlation_id: a.correlation_id.map(|u| u.to_string()),
            first_occurrence: a.first_occurrence,
            last_occurrence: a.last_occurrence,
            occurrence_count: a.occurrence_count,
            is_flapping: a.is_flapping,
            flap_count: a.flap_count,
            acknowledged_at: a.acknowledged_at,
            acknowledged_by: a.acknowledged_by,
            cleared_at: a.cleared_at,
            cleared_by: a.cleared_by,
            resolved_at: a.resolved_at,
            resolved_by: a.resolved_by,
            assigned_to: a.assigned_to,
            ticket_id: a.ticket_id.map(|u| u.to_string()),
            labels: a.labels.into_iter().collect(),
        }
    }
}

/// One page of alarms.
#[napi(object, use_nullable = true)]
pub struct AlarmPage {
    /// Alarms of this page.
    pub items: Vec<Alarm>,
    /// Matching alarms in total.
    pub total: i64,
    /// Page number.
    pub page: u32,
    /// Page size.
    pub page_size: u32,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

impl From<faultdesk::Page<faultdesk::fault::Alarm>> for AlarmPage {
    fn from(p: faultdesk::Page<faultdesk::fault::Alarm>) -> Self {
        AlarmPage {
            items: p.items.into_iter().map(Alarm::from).collect(),
            total: p.total,
            page: p.page,
            page_size: p.page_size,
            next_cursor: p.next_cursor,
        }
    }
}

/// Filters and page of `listAlarms` and `alarmStats` (seed 002's filters).
#[napi(object)]
pub struct AlarmQuery {
    /// Severities (any of).
    pub severity: Option<Vec<String>>,
    /// Statuses (any of).
    pub status: Option<Vec<String>>,
    /// Sources (any of).
    pub source: Option<Vec<String>>,
    /// Alarm type.
    pub alarm_type: Option<String>,
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Correlation group id.
    pub correlation_id: Option<String>,
    /// Only root causes.
    pub root_cause_only: Option<bool>,
    /// First occurrence at or after.
    pub from: Option<DateTime<Utc>>,
    /// First occurrence before.
    pub to: Option<DateTime<Utc>>,
    /// Page number from 1.
    pub page: Option<u32>,
    /// Page size 1..=100.
    pub page_size: Option<u32>,
}

/// Optional alarm query.
pub fn alarm_query(q: Option<AlarmQuery>) -> faultdesk::Result<faultdesk::AlarmQuery> {
    let Some(q) = q else {
        return Ok(Default::default());
    };
    Ok(faultdesk::AlarmQuery {
        severity: q.severity.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        source: q.source.unwrap_or_default(),
        alarm_type: q.alarm_type,
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        customer_id: q.customer_id,
        correlation_id: opt_uuid("correlationId", q.correlation_id.as_deref())?,
        root_cause_only: q.root_cause_only.unwrap_or(false),
        from: q.from,
        to: q.to,
        page: q.page,
        page_size: q.page_size,
    })
}

/// One decision of the correlator.
#[napi(object)]
pub struct Decision {
    /// `created`, `deduplicated`, `cleared`, `flapping`, `suppressed`, `correlated`,
    /// `root_cause`, `ticket_requested`, ...
    pub kind: String,
    /// The alarm it applies to.
    pub alarm_id: String,
    /// The full decision (its fields depend on the kind).
    #[napi(ts_type = "Record<string, unknown>")]
    pub detail: serde_json::Value,
}

/// Decisions as JS objects.
pub fn decisions(ds: &[faultdesk::fault::Decision]) -> Vec<Decision> {
    decisions_of_event(ds, None)
}

/// Decisions as JS objects; those of `event` (the event they were decided for) carry a
/// created alarm's full row in `detail`.
pub fn decisions_of_event(
    ds: &[faultdesk::fault::Decision],
    event: Option<&faultdesk::fault::AlarmEvent>,
) -> Vec<Decision> {
    ds.iter()
        .map(|d| Decision {
            kind: d.kind().to_string(),
            alarm_id: d.alarm_id().to_string(),
            detail: d
                .to_json_with_event(event)
                .unwrap_or(serde_json::Value::Null),
        })
        .collect()
}

/// What `ingest` / `ingestBatch` did.
#[napi(object)]
pub struct IngestOutcome {
    /// Events accepted.
    pub events: u32,
    /// Per event, the alarm it was applied to.
    pub alarm_ids: Vec<String>,
    /// Alarms created.
    pub created: u32,
    /// Existing alarms changed.
    pub updated: u32,
    /// Tickets created by auto-ticket triggers.
    pub tickets: Vec<String>,
    /// Every decision, in order.
    pub decisions: Vec<Decision>,
}

impl From<faultdesk::IngestOutcome> for IngestOutcome {
    fn from(o: faultdesk::IngestOutcome) -> Self {
        IngestOutcome {
            events: u32::try_from(o.events).unwrap_or(u32::MAX),
            alarm_ids: o.alarm_ids.iter().map(|u| u.to_string()).collect(),
            created: u32::try_from(o.created).unwrap_or(u32::MAX),
            updated: u32::try_from(o.updated).unwrap_or(u32::MAX),
            tickets: o.tickets.iter().map(|u| u.to_string()).collect(),
            decisions: decisions(&o.decisions),
        }
    }
}

/// A note on an alarm.
#[napi(object)]
pub struct AlarmNote {
    /// Note id.
    pub id: String,
    /// The alarm.
    pub alarm_id: String,
    /// Author.
    pub author_id: String,
    /// `investigation`, `resolution`, `comment`, ...
    pub note_type: String,
    /// Text.
    pub content: String,
    /// Written.
    pub created_at: DateTime<Utc>,
}

impl From<faultdesk::AlarmNote> for AlarmNote {
    fn from(n: faultdesk::AlarmNote) -> Self {
        AlarmNote {
            id: n.id.to_string(),
            alarm_id: n.alarm_id.to_string(),
            author_id: n.author_id,
            note_type: n.note_type,
            content: n.content,
            created_at: n.created_at,
        }
    }
}

/// A stored correlation/suppression/escalation rule.
#[napi(object)]
pub struct StoredRule {
    /// Rule id.
    pub id: String,
    /// The rule in seed 002's JSON format.
    #[napi(ts_type = "Record<string, unknown>")]
    pub rule: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<faultdesk::StoredRule> for StoredRule {
    fn from(r: faultdesk::StoredRule) -> Self {
        StoredRule {
            id: r.id.to_string(),
            rule: serde_json::to_value(&r.rule).unwrap_or(serde_json::Value::Null),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A topology edge: `parent` feeds `child` (e.g. OLT → ONT).
#[napi(object)]
pub struct TopologyEdge {
    /// Upstream resource id.
    pub parent: String,
    /// Downstream resource id.
    pub child: String,
}

/// What a maintenance window covers.
#[napi(object)]
pub struct MaintenanceScope {
    /// Resource ids.
    pub resources: Option<Vec<String>>,
    /// Resource types.
    pub resource_types: Option<Vec<String>>,
    /// Customer ids.
    pub customers: Option<Vec<String>>,
    /// Labels that must all match.
    pub labels: Option<HashMap<String, String>>,
    /// Also the resources below the listed ones in the topology.
    pub include_descendants: Option<bool>,
}

/// Input of `createMaintenanceWindow`.
#[napi(object)]
pub struct NewMaintenanceWindow {
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
    /// Scope.
    pub scope: MaintenanceScope,
}

impl NewMaintenanceWindow {
    /// The Desk input.
    pub fn into_input(self) -> faultdesk::NewMaintenanceWindow {
        let s = self.scope;
        faultdesk::NewMaintenanceWindow {
            title: self.title,
            description: self.description,
            start: self.start,
            end: self.end,
            scope: faultdesk::fault::maintenance::MaintenanceScope {
                resources: s.resources.unwrap_or_default(),
                resource_types: s.resource_types.unwrap_or_default(),
                customers: s.customers.unwrap_or_default(),
                labels: s.labels.unwrap_or_default().into_iter().collect(),
                include_descendants: s.include_descendants.unwrap_or(false),
            },
        }
    }
}

/// A maintenance window.
#[napi(object)]
pub struct MaintenanceWindow {
    /// Window id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// `scheduled`, `in_progress`, `completed`, `cancelled`.
    pub status: String,
    /// Scope.
    pub scope: MaintenanceScope,
}

impl From<faultdesk::fault::maintenance::MaintenanceWindow> for MaintenanceWindow {
    fn from(w: faultdesk::fault::maintenance::MaintenanceWindow) -> Self {
        MaintenanceWindow {
            id: w.id.to_string(),
            title: w.title,
            start: w.start,
            end: w.end,
            status: serde_name(&w.status),
            scope: MaintenanceScope {
                resources: Some(w.scope.resources),
                resource_types: Some(w.scope.resource_types),
                customers: Some(w.scope.customers),
                labels: Some(w.scope.labels.into_iter().collect()),
                include_descendants: Some(w.scope.include_descendants),
            },
        }
    }
}

/// A resource that flapped.
#[napi(object, use_nullable = true)]
pub struct FlappingResource {
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Flaps.
    pub flap_count: i64,
    /// Alarms.
    pub alarms: i64,
}

/// Statistics of `alarmStats`.
#[napi(object, use_nullable = true)]
pub struct AlarmStats {
    /// Matching alarms.
    pub total: i64,
    /// By severity.
    pub by_severity: HashMap<String, i64>,
    /// By status.
    pub by_status: HashMap<String, i64>,
    /// By source.
    pub by_source: HashMap<String, i64>,
    /// By resource type.
    pub by_resource_type: HashMap<String, i64>,
    /// Mean time to acknowledge, seconds.
    pub mean_time_to_acknowledge_secs: Option<f64>,
    /// Mean time to clear, seconds.
    pub mean_time_to_clear_secs: Option<f64>,
    /// Most flapping resources.
    pub top_flapping: Vec<FlappingResource>,
}

fn counts(m: std::collections::BTreeMap<String, u64>) -> HashMap<String, i64> {
    m.into_iter()
        .map(|(k, v)| (k, i64::try_from(v).unwrap_or(i64::MAX)))
        .collect()
}

impl From<faultdesk::fault::stats::AlarmStats> for AlarmStats {
    fn from(s: faultdesk::fault::stats::AlarmStats) -> Self {
        AlarmStats {
            total: i64::try_from(s.total).unwrap_or(i64::MAX),
            by_severity: counts(s.by_severity),
            by_status: counts(s.by_status),
            by_source: counts(s.by_source),
            by_resource_type: counts(s.by_resource_type),
            mean_time_to_acknowledge_secs: s.mean_time_to_acknowledge_secs,
            mean_time_to_clear_secs: s.mean_time_to_clear_secs,
            top_flapping: s
                .top_flapping
                .into_iter()
                .map(|f| FlappingResource {
                    resource_type: f.resource_type,
                    resource_id: f.resource_id,
                    flap_count: i64::try_from(f.flap_count).unwrap_or(i64::MAX),
                    alarms: i64::try_from(f.alarms).unwrap_or(i64::MAX),
                })
                .collect(),
        }
    }
}

/// Seed 000's unacknowledged-alarm finding.
#[napi(object, use_nullable = true)]
pub struct UnacknowledgedFinding {
    /// `alarm.unacknowledged.manual_action_required`.
    pub event: String,
    /// The alarm.
    pub alarm_id: String,
    /// External id.
    pub external_alarm_id: Option<String>,
    /// Severity.
    pub severity: String,
    /// Age in minutes.
    pub age_minutes: f64,
    /// `Alarm {id} requires manual ticket creation`.
    pub message: String,
}

impl From<faultdesk::fault::unack::UnacknowledgedFinding> for UnacknowledgedFinding {
    fn from(f: faultdesk::fault::unack::UnacknowledgedFinding) -> Self {
        UnacknowledgedFinding {
            event: f.event,
            alarm_id: f.alarm_id.to_string(),
            external_alarm_id: f.external_alarm_id,
            severity: f.severity.as_str().to_string(),
            age_minutes: f.age_minutes,
            message: f.message,
        }
    }
}
