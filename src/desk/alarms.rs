//! Alarm use-cases: ingest (map → correlate → persist decisions), queries, operator actions,
//! rules, topology and maintenance windows, the unacknowledged-alarm check and archiving.
//!
//! # Persisting decisions
//!
//! The correlator's decisions for a batch are folded per alarm: every alarm touched by the
//! batch is loaded once (`get_alarms_for_update`, one query per 500 ids), the decisions are
//! applied to it in order, then new alarms are written with multi-row `INSERT`s and changed ones
//! with one `UPDATE` each — all in the batch's one transaction. Each event gets one
//! `alarm_events` row (multi-row insert) naming its decisions. The outbox gets **one row per
//! changed alarm, not per repeat**: `alarm.raised` (created), `alarm.cleared`, `alarm.correlated`
//! (correlated/re-parented), `alarm.suppressed`, or `alarm.updated` for any other change except a
//! pure repeat (a de-duplicated event that changed nothing but the count and last occurrence
//! emits nothing — the `alarm_events` row records it). This keeps an alarm storm from flooding
//! subscribers and the outbox.

use crate::actor::Actor;
use crate::desk::alarm_rows::{alarm_from_row, alarm_to_row, alarm_to_row_keeping};
use crate::desk::correlation::{
    correlating_tx, maintenance_status_str, rule_from_row, rule_to_columns, window_from_row,
};
use crate::desk::page::{Page, check_page};
use crate::desk::{Desk, Work};
use crate::error::{Error, ErrorKind, Result};
use chrono::{DateTime, Duration, Utc};
use fault_core::decision::{Decision, SuppressionReason};
use fault_core::maintenance::{MaintenanceScope, MaintenanceStatus, MaintenanceWindow};
use fault_core::rule::Rule;
use fault_core::topology::TopologyEdge;
use fault_core::unack::UnacknowledgedFinding;
use fault_core::{Alarm, AlarmEvent, AlarmStatus, Severity};
use faultdesk_storage::{
    AlarmEventRow, AlarmFilter, AlarmNoteRow, AlarmRow, JsonText, MaintenanceWindowRow, RuleRow,
    TopologyEdgeRow,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use ticket_core::rbac::perms;
use uuid::Uuid;

/// Default age after which cleared/resolved alarms are archived.
pub const DEFAULT_ARCHIVE_AFTER_DAYS: i64 = 90;

/// What [`Desk::ingest`] / [`Desk::ingest_batch`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestOutcome {
    /// Events accepted (all of the batch: a batch is all-or-nothing).
    pub events: usize,
    /// Per event, the alarm it was applied to.
    pub alarm_ids: Vec<Uuid>,
    /// Alarms created.
    pub created: usize,
    /// Existing alarms changed (repeats included).
    pub updated: usize,
    /// Tickets created by auto-ticket triggers (only when triggers are enabled).
    pub tickets: Vec<Uuid>,
    /// Every decision of the correlator, in order.
    pub decisions: Vec<Decision>,
}

/// Filters and page of [`Desk::list_alarms`] (seed 002's filters). Empty lists and `None`
/// mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlarmQuery {
    /// Severities (any of; `critical`, `major`, ...).
    pub severity: Vec<String>,
    /// Statuses (any of; `active`, `acknowledged`, `suppressed`, `cleared`, `resolved`).
    pub status: Vec<String>,
    /// Sources (any of; `network_device`, `monitoring`, `cpe`, `service`, `system`).
    pub source: Vec<String>,
    /// Alarm type.
    pub alarm_type: Option<String>,
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Correlation group.
    pub correlation_id: Option<Uuid>,
    /// Only root-cause alarms.
    pub root_cause_only: bool,
    /// First occurrence at or after.
    pub from: Option<DateTime<Utc>>,
    /// First occurrence before.
    pub to: Option<DateTime<Utc>>,
    /// Page number (from 1; default 1).
    pub page: Option<u32>,
    /// Page size (1..=100; default 50).
    pub page_size: Option<u32>,
}

impl AlarmQuery {
    fn filter(&self) -> Result<AlarmFilter> {
        for (field, at) in [("from", self.from), ("to", self.to)] {
            if let Some(at) = at {
                crate::desk::check_instant(field, at)?;
            }
        }
        let norm = |xs: &[String], check: &dyn Fn(&str) -> Result<String>| {
            xs.iter().map(|x| check(x)).collect::<Result<Vec<_>>>()
        };
        Ok(AlarmFilter {
            severity: norm(&self.severity, &|s| {
                s.parse::<Severity>()
                    .map(|v| v.as_str().to_string())
                    .map_err(|e| Error::validation(e.to_string()))
            })?,
            status: norm(&self.status, &|s| {
                Ok(s.parse::<AlarmStatus>()?.as_str().to_string())
            })?,
            source: norm(&self.source, &|s| {
                Ok(s.parse::<fault_core::AlarmSource>()?.as_str().to_string())
            })?,
            alarm_type: self.alarm_type.clone(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
            customer_id: self.customer_id.clone(),
            correlation_id: self.correlation_id,
            is_root_cause: self.root_cause_only.then_some(true),
            has_ticket: None,
            from: self.from,
            to: self.to,
        })
    }
}

/// A note on an alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmNote {
    /// Note id.
    pub id: Uuid,
    /// The alarm.
    pub alarm_id: Uuid,
    /// Author user id.
    pub author_id: String,
    /// `investigation`, `resolution`, `comment`, ...
    pub note_type: String,
    /// Text.
    pub content: String,
    /// When written.
    pub created_at: DateTime<Utc>,
}

impl From<AlarmNoteRow> for AlarmNote {
    fn from(r: AlarmNoteRow) -> Self {
        AlarmNote {
            id: r.id,
            alarm_id: r.alarm_id,
            author_id: r.author_id,
            note_type: r.note_type,
            content: r.content,
            created_at: r.created_at,
        }
    }
}

/// A stored correlation/suppression/escalation rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRule {
    /// Rule id.
    pub id: Uuid,
    /// The rule (seed 002's format; `id` is the stored id).
    pub rule: Rule,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`Desk::create_maintenance_window`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMaintenanceWindow {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
    /// What the window covers.
    pub scope: MaintenanceScope,
}

/// Limits on text the Desk stores for alarms.
const MAX_NOTE_CHARS: usize = 10_000;

/// Most characters in an event's identifying fields: `event_type`, `alarm_type`,
/// `resource_type`, `resource_id`, `resource_name`, `customer_id`, `customer_name`,
/// `external_alarm_id`.
pub const MAX_EVENT_FIELD_CHARS: usize = 255;
/// Most characters in an event's `title`.
pub const MAX_EVENT_TITLE_CHARS: usize = 1_000;
/// Most bytes in each of an event's `description`, `probable_cause` and
/// `recommended_action` (64 KiB).
pub const MAX_EVENT_TEXT_BYTES: usize = 64 * 1024;
/// Most bytes of an event's `raw` payload, serialised as JSON (64 KiB).
pub const MAX_EVENT_PAYLOAD_BYTES: usize = 64 * 1024;

/// Checks one event's sizes (limits above; labels as for tickets: at most 50, keys at most 64
/// characters, values at most 255) and that no text carries a NUL character, which
/// PostgreSQL cannot store. `i` is the event's index in its batch.
fn validate_event(i: usize, e: &AlarmEvent) -> Result<()> {
    let bad = |msg: String| Err(Error::validation(format!("Event {i}: {msg}")));
    let fields: [(&str, Option<&str>); 8] = [
        ("event_type", Some(&e.event_type)),
        ("alarm_type", e.alarm_type.as_deref()),
        ("resource_type", e.resource_type.as_deref()),
        ("resource_id", e.resource_id.as_deref()),
        ("resource_name", e.resource_name.as_deref()),
        ("customer_id", e.customer_id.as_deref()),
        ("customer_name", e.customer_name.as_deref()),
        ("external_alarm_id", e.external_alarm_id.as_deref()),
    ];
    for (name, v) in fields {
        if let Some(v) = v
            && v.chars().count() > MAX_EVENT_FIELD_CHARS
        {
            return bad(format!(
                "{name} must be at most {MAX_EVENT_FIELD_CHARS} characters"
            ));
        }
    }
    if e.title
        .as_deref()
        .is_some_and(|t| t.chars().count() > MAX_EVENT_TITLE_CHARS)
    {
        return bad(format!(
            "title must be at most {MAX_EVENT_TITLE_CHARS} characters"
        ));
    }
    let texts = [
        ("description", e.description.as_deref()),
        ("probable_cause", e.probable_cause.as_deref()),
        ("recommended_action", e.recommended_action.as_deref()),
    ];
    for (name, v) in texts {
        if v.is_some_and(|v| v.len() > MAX_EVENT_TEXT_BYTES) {
            return bad(format!(
                "{name} must be at most {MAX_EVENT_TEXT_BYTES} bytes (64 KiB)"
            ));
        }
    }
    if e.labels.len() > ticket_core::ticket::MAX_LABELS {
        return bad(format!(
            "at most {} labels are allowed, got {}",
            ticket_core::ticket::MAX_LABELS,
            e.labels.len()
        ));
    }
    for (k, v) in &e.labels {
        if let Err(err) = ticket_core::ticket::validate_label(k, v) {
            return bad(err.to_string());
        }
    }
    let all_text = fields
        .iter()
        .filter_map(|(n, v)| v.map(|v| (*n, v)))
        .chain(texts.iter().filter_map(|(n, v)| v.map(|v| (*n, v))))
        .chain(e.title.as_deref().map(|t| ("title", t)))
        .chain(
            e.labels
                .iter()
                .flat_map(|(k, v)| [("labels", k.as_str()), ("labels", v.as_str())]),
        );
    for (name, v) in all_text {
        if v.contains('\0') {
            return bad(format!("{name} must not contain NUL characters"));
        }
    }
    if !e.raw.is_null() {
        let raw = serde_json::to_string(&e.raw).map_err(|err| {
            Error::validation(format!("Event {i}: raw payload is not valid JSON: {err}"))
        })?;
        if raw.len() > MAX_EVENT_PAYLOAD_BYTES {
            return bad(format!(
                "raw payload is {} bytes; at most {MAX_EVENT_PAYLOAD_BYTES} bytes (64 KiB) are allowed",
                raw.len()
            ));
        }
        if raw.contains("\\u0000") {
            return bad("raw payload must not contain NUL characters".to_string());
        }
    }
    Ok(())
}

fn alarm_not_found(id: Uuid) -> Error {
    Error::not_found(format!("Alarm {id} not found"))
}

fn rule_not_found(id: Uuid) -> Error {
    Error::not_found(format!("Rule {id} not found"))
}

fn window_not_found(id: Uuid) -> Error {
    Error::not_found(format!("Maintenance window {id} not found"))
}

/// The alarms changed by one batch, folded.
struct Fold {
    /// Alarms by id, in their state after the batch.
    alarms: HashMap<Uuid, Entry>,
    /// Order of first touch (for deterministic writes).
    order: Vec<Uuid>,
}

struct Entry {
    alarm: Alarm,
    /// The stored row (None: created by this batch).
    stored: Option<AlarmRow>,
    suppression: Option<&'static str>,
    kinds: Vec<&'static str>,
    changed: bool,
}

fn set_suppressed(a: &mut Alarm) {
    if a.status != AlarmStatus::Suppressed {
        if a.status.is_raised() {
            a.status_before_suppression = Some(a.status);
        }
        a.status = AlarmStatus::Suppressed;
    }
}

impl Fold {
    /// Applies decision `d`; `e` is the event it was decided for (`None` for decisions of
    /// operator actions and timers, which never create alarms).
    fn apply(&mut self, d: &Decision, e: Option<&AlarmEvent>) {
        let id = d.alarm_id();
        if let Decision::Created { alarm } = d {
            let e = e.expect("a Created decision comes from ingesting its event");
            self.order.push(id);
            self.alarms.insert(
                id,
                Entry {
                    alarm: alarm.to_alarm(e),
                    stored: None,
                    suppression: None,
                    kinds: vec!["created"],
                    changed: true,
                },
            );
            if alarm.status == AlarmStatus::Suppressed
                && let Some(e) = self.alarms.get_mut(&id)
            {
                e.suppression = Some(if alarm.parent_alarm_id.is_some() {
                    "correlated"
                } else {
                    "maintenance"
                });
            }
            return;
        }
        let Some(e) = self.alarms.get_mut(&id) else {
            return;
        };
        e.kinds.push(d.kind());
        let a = &mut e.alarm;
        match d {
            Decision::Created { .. } => {}
            Decision::Deduplicated {
                last_occurrence,
                severity,
                severity_changed,
                ..
            } => {
                // One more occurrence on top of the row as stored (locked by this
                // transaction), not the correlator's count: another process's correlator may
                // have counted occurrences this one never saw.
                a.occurrence_count = a.occurrence_count.saturating_add(1);
                a.last_occurrence = a.last_occurrence.max(*last_occurrence);
                if *severity != Severity::Cleared {
                    a.severity = *severity;
                    a.raised_severity = *severity;
                }
                if *severity_changed {
                    e.changed = true;
                }
            }
            Decision::Cleared {
                cleared_at,
                cleared_by,
                raised_severity,
                flap_count,
                ..
            } => {
                a.status = AlarmStatus::Cleared;
                a.severity = Severity::Cleared;
                a.raised_severity = *raised_severity;
                a.cleared_at = Some(*cleared_at);
                a.cleared_by = cleared_by.clone();
                a.flap_count = *flap_count;
                a.status_before_suppression = None;
                a.last_occurrence = a.last_occurrence.max(*cleared_at);
                e.changed = true;
            }
            Decision::Flapping {
                flap_count,
                status,
                severity,
                at,
                ..
            } => {
                a.is_flapping = true;
                a.flap_count = *flap_count;
                a.status = *status;
                if *severity != Severity::Cleared {
                    a.raised_severity = *severity;
                    a.cleared_at = None;
                } else {
                    a.cleared_at = Some(*at);
                }
                a.severity = *severity;
                if *severity != Severity::Cleared {
                    // A re-raise is one more occurrence (counted on the stored row, as above).
                    a.occurrence_count = a.occurrence_count.saturating_add(1);
                }
                a.last_occurrence = a.last_occurrence.max(*at);
                e.changed = true;
            }
            Decision::FlappingEnded { status, .. } => {
                a.is_flapping = false;
                a.status = *status;
                e.changed = true;
            }
            Decision::Suppressed { reason, .. } => {
                set_suppressed(a);
                e.suppression = Some(match reason {
                    SuppressionReason::Maintenance { .. } => "maintenance",
                    SuppressionReason::Rule { .. } => "rule",
                });
                e.changed = true;
            }
            Decision::Unsuppressed { status, .. } => {
                a.status = *status;
                a.status_before_suppression = None;
                e.suppression = None;
                e.changed = true;
            }
            Decision::Correlated {
                parent_id,
                correlation_id,
                status,
                parent_child_count,
                ..
            }
            | Decision::Reparented {
                parent_id,
                correlation_id,
                status,
                parent_child_count,
                ..
            } => {
                a.parent_alarm_id = Some(*parent_id);
                if correlation_id.is_some() {
                    a.correlation_id = *correlation_id;
                }
                if *status == AlarmStatus::Suppressed {
                    set_suppressed(a);
                    e.suppression = Some("correlated");
                } else {
                    a.status = *status;
                }
                e.changed = true;
                let (pid, count) = (*parent_id, *parent_child_count);
                if let Some(p) = self.alarms.get_mut(&pid) {
                    p.alarm.child_count = count;
                    p.changed = true;
                }
            }
            Decision::RootCause { correlation_id, .. } => {
                a.is_root_cause = true;
                if correlation_id.is_some() {
                    a.correlation_id = *correlation_id;
                }
                e.changed = true;
            }
            Decision::Grouped { correlation_id, .. } => {
                a.correlation_id = Some(*correlation_id);
                e.changed = true;
            }
            Decision::Escalated { to, .. } => {
                a.severity = *to;
                a.raised_severity = *to;
                e.changed = true;
            }
            Decision::TicketRequested { .. } => {}
            Decision::Acknowledged { status, by, at, .. } => {
                if *status == AlarmStatus::Suppressed {
                    a.status_before_suppression = Some(AlarmStatus::Acknowledged);
                } else {
                    a.status = *status;
                }
                a.acknowledged_at = Some(*at);
                a.acknowledged_by = Some(by.clone());
                e.changed = true;
            }
            Decision::Resolved { by, at, .. } => {
                if a.severity != Severity::Cleared {
                    a.raised_severity = a.severity;
                }
                a.status = AlarmStatus::Resolved;
                a.status_before_suppression = None;
                a.resolved_at = Some(*at);
                a.resolved_by = Some(by.clone());
                e.changed = true;
            }
            _ => {
                e.changed = true;
            }
        }
    }

    fn outbox_kind(e: &Entry) -> Option<&'static str> {
        if e.stored.is_none() {
            return Some("alarm.raised");
        }
        let has = |k: &str| e.kinds.contains(&k);
        if e.alarm.status == AlarmStatus::Cleared && (has("cleared") || has("flapping")) {
            Some("alarm.cleared")
        } else if has("correlated") || has("reparented") {
            Some("alarm.correlated")
        } else if has("suppressed") {
            Some("alarm.suppressed")
        } else if e.changed {
            Some("alarm.updated")
        } else {
            None
        }
    }
}

/// An alarm whose every decision in a batch is a plain repeat.
struct PlainRepeat {
    alarm_id: Uuid,
    /// How many repeats the batch holds.
    occurrences: u32,
    /// The latest of their occurrences.
    last_occurrence: DateTime<Utc>,
}

/// The plain repeats of a batch whose alarms the correlator holds, and their reduction keys
/// (from the working set). Their rows are neither loaded nor rewritten: one statement adds to
/// `occurrence_count` and moves `last_occurrence` forward on the stored rows.
#[derive(Default)]
struct PlainRepeats {
    list: Vec<PlainRepeat>,
    keys: HashMap<Uuid, String>,
}

/// The alarms whose every decision in a batch is a plain repeat (`Deduplicated` without a
/// severity change) and that are not the parent of a correlation in the batch, in order of
/// first touch, with how many repeats each had and the latest occurrence.
fn pure_repeats(decisions: &[Decision]) -> Vec<PlainRepeat> {
    let mut state: HashMap<Uuid, Option<usize>> = HashMap::new();
    let mut out: Vec<PlainRepeat> = Vec::new();
    let spoil = |state: &mut HashMap<Uuid, Option<usize>>, id: Uuid| {
        state.insert(id, None);
    };
    for d in decisions {
        match d {
            Decision::Deduplicated {
                alarm_id,
                last_occurrence,
                severity_changed: false,
                ..
            } => match state.get(alarm_id) {
                None => {
                    state.insert(*alarm_id, Some(out.len()));
                    out.push(PlainRepeat {
                        alarm_id: *alarm_id,
                        occurrences: 1,
                        last_occurrence: *last_occurrence,
                    });
                }
                Some(Some(i)) => {
                    let r = &mut out[*i];
                    r.occurrences = r.occurrences.saturating_add(1);
                    r.last_occurrence = r.last_occurrence.max(*last_occurrence);
                }
                Some(None) => {}
            },
            Decision::Correlated { parent_id, .. } | Decision::Reparented { parent_id, .. } => {
                spoil(&mut state, *parent_id);
                spoil(&mut state, d.alarm_id());
            }
            other => spoil(&mut state, other.alarm_id()),
        }
    }
    out.retain(|r| matches!(state.get(&r.alarm_id), Some(Some(_))));
    out
}

/// Queues the events of a batch (their outbox rows are written at commit, see [`Work::emit`]).
fn emit_many(w: &mut Work, tenant: &str, outbox: Vec<(&'static str, Uuid, Value)>) {
    for (kind, id, payload) in outbox {
        w.emit(tenant, kind, Some(id.to_string()), false, payload);
    }
}

fn alarm_payload(a: &Alarm, kinds: &[&str]) -> Value {
    json!({
        "alarm_id": a.id,
        "reduction_key": a.reduction_key,
        "alarm_type": a.alarm_type,
        "status": a.status.as_str(),
        "severity": a.severity.as_str(),
        "raised_severity": a.raised_severity.as_str(),
        "resource_type": a.resource_type,
        "resource_id": a.resource_id,
        "parent_alarm_id": a.parent_alarm_id,
        "correlation_id": a.correlation_id,
        "occurrence_count": a.occurrence_count,
        "decisions": kinds,
    })
}

/// An event as stored in `alarm_events.payload`: serialised once, straight to JSON text.
fn event_payload(e: &AlarmEvent) -> JsonText {
    JsonText::serialize(e).unwrap_or_else(|_| JsonText::from(&Value::Null))
}

impl Desk {
    /// Ingests one event: maps it, correlates it and persists the decisions in one
    /// transaction. Requires `faults.alarms.write`. The event's `tenant_id` must be empty (it
    /// is then the actor's) or the actor's tenant.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, Desk, DeskConfig};
    /// use faultdesk::fault::AlarmEvent;
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// let noc = Actor::new("acme", "noc-1").with_roles(["ADMIN"]);
    /// let e = AlarmEvent::new("acme", "device.down", "olt", "olt-1", desk.now());
    /// let first = desk.ingest(&noc, e.clone()).await?;
    /// assert_eq!(first.created, 1);
    /// let again = desk.ingest(&noc, e).await?;
    /// assert_eq!(again.alarm_ids, first.alarm_ids, "a repeat de-duplicates");
    /// assert_eq!(desk.get_alarm(&noc, first.alarm_ids[0]).await?.occurrence_count, 2);
    /// # Ok::<(), faultdesk::Error>(()) }).unwrap();
    /// ```
    pub async fn ingest(&self, actor: &Actor, event: AlarmEvent) -> Result<IngestOutcome> {
        self.ingest_batch(actor, vec![event]).await
    }

    /// Ingests a batch in ONE transaction, all-or-nothing: if any event is invalid the whole
    /// batch fails with a Validation error naming the event's index, and nothing is written
    /// (the tenant's correlator is discarded and rebuilt, so it never remembers the failed
    /// batch). Requires `faults.alarms.write`.
    pub async fn ingest_batch(
        &self,
        actor: &Actor,
        mut events: Vec<AlarmEvent>,
    ) -> Result<IngestOutcome> {
        self.require(actor, perms::FAULTS_ALARMS_WRITE)?;
        let tenant = actor.tenant_id.clone();
        for (i, e) in events.iter_mut().enumerate() {
            if e.tenant_id.is_empty() {
                e.tenant_id = tenant.clone();
            } else if e.tenant_id != tenant {
                return Err(Error::validation(format!(
                    "Event {i}: tenant_id '{}' is not the actor's tenant",
                    e.tenant_id
                )));
            }
            crate::desk::check_instant(&format!("Event {i}: occurred_at"), e.occurred_at)?;
            validate_event(i, e)?;
        }
        if events.is_empty() {
            return Ok(IngestOutcome::default());
        }
        let (outcome, mut tc) = correlating_tx!(self, &tenant, false, true, |w, tc| {
            let now = w.now;
            let correlator = tc.get();
            let mut decisions = Vec::with_capacity(events.len() * 2);
            let mut spans = Vec::with_capacity(events.len());
            for (i, e) in events.iter().enumerate() {
                let start = decisions.len();
                correlator
                    .ingest_into(e, now, &mut decisions)
                    .map_err(|err| Error::validation(format!("Event {i}: {err}")))?;
                spans.push(start..decisions.len());
            }
            // Plain repeats of alarms the correlator holds: their reduction keys come from
            // the working set, so their rows are not loaded.
            let mut plain = PlainRepeats {
                list: pure_repeats(&decisions),
                keys: HashMap::new(),
            };
            plain
                .list
                .retain(|r| match correlator.alarm_state(r.alarm_id) {
                    Some(state) => {
                        plain.keys.insert(r.alarm_id, state.reduction_key);
                        true
                    }
                    None => false,
                });
            let mut outcome = self
                .persist_decisions(w, actor, &events, &decisions, &spans, &plain)
                .await?;
            // The SLA service's ticket requests (breaches) follow the correlator's.
            decisions.append(&mut outcome.decisions);
            outcome.decisions = decisions;
            Ok(outcome)
        })?;
        if self.inner.config.correlator.triggers.enabled {
            // Each requested alarm now has a ticket (created here or earlier).
            for d in &outcome.decisions {
                if let Decision::TicketRequested { alarm_id, .. } = d {
                    let _ = tc.get().link_ticket(*alarm_id);
                }
            }
        }
        Ok(outcome)
    }

    /// Writes a batch's decisions. `plain` holds the batch's plain repeats (see
    /// [`PlainRepeats`]): those alarms are not loaded, only their counters are written.
    async fn persist_decisions(
        &self,
        w: &mut Work,
        actor: &Actor,
        events: &[AlarmEvent],
        decisions: &[Decision],
        spans: &[std::ops::Range<usize>],
        plain: &PlainRepeats,
    ) -> Result<IngestOutcome> {
        let tenant = actor.tenant_id.as_str();
        // Load the stored alarms the batch touches (and parents whose child count changes),
        // except plain repeats.
        let mut created = std::collections::HashSet::new();
        let mut want = Vec::new();
        let mut seen: std::collections::HashSet<Uuid> = plain.keys.keys().copied().collect();
        for d in decisions {
            match d {
                Decision::Created { alarm } => {
                    created.insert(alarm.id);
                }
                Decision::Correlated { parent_id, .. } | Decision::Reparented { parent_id, .. }
                    if !created.contains(parent_id) && seen.insert(*parent_id) =>
                {
                    want.push(*parent_id);
                }
                _ => {}
            }
            let id = d.alarm_id();
            if !created.contains(&id) && seen.insert(id) {
                want.push(id);
            }
        }
        let mut fold = Fold {
            alarms: HashMap::with_capacity(want.len() + created.len()),
            order: Vec::new(),
        };
        if !want.is_empty() {
            for row in w.tx.get_alarms_for_update(tenant, &want).await? {
                let alarm = alarm_from_row(&row)?;
                fold.order.push(alarm.id);
                let suppression = match row.suppression_reason.as_deref() {
                    Some("maintenance") => Some("maintenance"),
                    Some("correlated") => Some("correlated"),
                    Some("flapping") => Some("flapping"),
                    Some(_) => Some("rule"),
                    None => None,
                };
                fold.alarms.insert(
                    alarm.id,
                    Entry {
                        alarm,
                        stored: Some(row),
                        suppression,
                        kinds: Vec::new(),
                        changed: false,
                    },
                );
            }
        }
        // `spans[i]` are the decisions of `events[i]`; any others have no event
        let mut next = 0;
        for (e, span) in events.iter().zip(spans) {
            for d in &decisions[next..span.start] {
                fold.apply(d, None);
            }
            for d in &decisions[span.clone()] {
                fold.apply(d, Some(e));
            }
            next = span.end;
        }
        for d in &decisions[next..] {
            fold.apply(d, None);
        }
        let now = w.now;
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        let mut repeats: Vec<(Uuid, i64, DateTime<Utc>)> = plain
            .list
            .iter()
            .map(|r| (r.alarm_id, i64::from(r.occurrences), r.last_occurrence))
            .collect();
        let mut outbox = Vec::new();
        for id in &fold.order {
            let Some(e) = fold.alarms.get(id) else {
                continue;
            };
            match &e.stored {
                None => inserts.push(alarm_to_row(&e.alarm, e.suppression, now, now)),
                Some(prev) => {
                    if e.kinds.is_empty() && !e.changed {
                        continue;
                    }
                    if !e.changed && e.kinds.iter().all(|k| *k == "deduplicated") {
                        // A pure repeat: only the count and last occurrence change.
                        repeats.push((
                            e.alarm.id,
                            (i64::from(e.alarm.occurrence_count) - prev.occurrence_count).max(0),
                            e.alarm.last_occurrence,
                        ));
                        continue;
                    }
                    updates.push(alarm_to_row_keeping(
                        &e.alarm,
                        e.suppression,
                        prev.created_at,
                        now,
                        Some(&prev.metadata),
                    ))
                }
            }
            if let Some(kind) = Fold::outbox_kind(e) {
                outbox.push((kind, e.alarm.id, alarm_payload(&e.alarm, &e.kinds)));
            }
        }
        // Updates first: a clear followed by a new raise of the same key inside one batch must
        // close the old alarm before the new one takes the open-key index.
        if !updates.is_empty() {
            w.tx.update_alarms_bulk(&updates).await?;
        }
        let mut repeated = 0;
        if !repeats.is_empty() {
            repeated = w.tx.record_alarm_repeats(tenant, &repeats, now).await? as usize;
        }
        if !inserts.is_empty() {
            w.tx.insert_alarms(&inserts).await?;
        }
        let mut rows = Vec::with_capacity(events.len());
        let mut alarm_ids = Vec::with_capacity(events.len());
        for (e, span) in events.iter().zip(spans) {
            let ds = &decisions[span.clone()];
            let alarm_id = ds.first().map(Decision::alarm_id);
            if let Some(a) = alarm_id {
                alarm_ids.push(a);
            }
            let kinds: Vec<&str> = ds.iter().map(Decision::kind).collect();
            rows.push(AlarmEventRow {
                id: crate::ids::new_id(),
                tenant_id: tenant.to_string(),
                alarm_id,
                event_type: e.event_type.clone(),
                severity: e.severity.map(|s| s.as_str().to_string()),
                decision: if kinds.is_empty() {
                    "ignored".to_string()
                } else {
                    kinds.join(",")
                },
                reduction_key: alarm_id.and_then(|a| match fold.alarms.get(&a) {
                    Some(x) => Some(x.alarm.reduction_key.clone()),
                    None => plain.keys.get(&a).cloned(),
                }),
                occurred_at: e.occurred_at,
                received_at: now,
                payload: event_payload(e),
            });
        }
        if !rows.is_empty() {
            w.tx.insert_alarm_events(&rows).await?;
        }
        emit_many(w, tenant, outbox);
        // Auto-tickets (only when the config enables triggers; the alarm row's ticket_id is the
        // at-most-once guard).
        let mut tickets = Vec::new();
        if self.inner.config.correlator.triggers.enabled {
            for d in decisions {
                if let Decision::TicketRequested { alarm_id, trigger } = d {
                    let name = serde_json::to_value(trigger)
                        .ok()
                        .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_string))
                        .unwrap_or_else(|| "trigger".to_string());
                    let req = fault_core::draft::TicketFromAlarmRequest::default();
                    let user = self.inner.config.system_user.clone();
                    match self
                        .ticket_from_alarm_in_tx(
                            w,
                            tenant,
                            &user,
                            None,
                            *alarm_id,
                            &req,
                            Some(&name),
                        )
                        .await
                    {
                        Ok(t) => tickets.push(t.ticket_id),
                        Err(e) if e.kind() == ErrorKind::Conflict => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        // Outages on the SLA instances the changed alarms affect (no query when none does).
        let sla = self
            .sla_track_alarms(w, tenant, decisions, &|id: Uuid| {
                fold.alarms.get(&id).map(|e| &e.alarm)
            })
            .await?;
        tickets.extend(sla.tickets);
        Ok(IngestOutcome {
            events: events.len(),
            alarm_ids,
            created: inserts.len(),
            updated: updates.len() + repeated,
            tickets,
            decisions: sla.decisions,
        })
    }

    /// An alarm of the actor's tenant (`Alarm {id} not found` otherwise). Requires
    /// `faults.alarms.read`.
    pub async fn get_alarm(&self, actor: &Actor, id: Uuid) -> Result<Alarm> {
        self.require(actor, perms::FAULTS_ALARMS_READ)?;
        let tenant = actor.tenant_id.clone();
        let row = read_statement!(self, |tx| Ok(tx.get_alarm(&tenant, id).await?))?;
        alarm_from_row(&row.ok_or_else(|| alarm_not_found(id))?)
    }

    /// Alarms matching seed 002's filters, most recently seen first, one page (page_size ≤
    /// 100). Requires `faults.alarms.read`.
    pub async fn list_alarms(&self, actor: &Actor, query: AlarmQuery) -> Result<Page<Alarm>> {
        self.require(actor, perms::FAULTS_ALARMS_READ)?;
        let (page, page_size) = check_page(query.page, query.page_size)?;
        let filter = query.filter()?;
        let tenant = actor.tenant_id.clone();
        let paged = read_tx!(self, |tx| Ok(tx
            .list_alarms(
                &tenant,
                &filter,
                faultdesk_storage::Page::new(page, page_size)
            )
            .await?))?;
        let items = paged
            .items
            .iter()
            .map(alarm_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total: paged.total,
            page,
            page_size,
            next_cursor: None,
        })
    }

    /// Applies an operator action through the tenant's correlator (so its working set stays
    /// true) and persists the decisions.
    async fn operator_action(
        &self,
        actor: &Actor,
        id: Uuid,
        action: &'static str,
    ) -> Result<Alarm> {
        self.require(actor, perms::FAULTS_ALARMS_WRITE)?;
        let tenant = actor.tenant_id.clone();
        let user = actor.user_id.as_str();
        correlating_tx!(self, &tenant, false, false, |w, tc| {
            let now = w.now;
            // The stored alarm decides existence and the lifecycle check (on a copy, before
            // the correlator is asked, so a refused action leaves the cache untouched).
            let row =
                w.tx.get_alarm_for_update(&tenant, id)
                    .await?
                    .ok_or_else(|| alarm_not_found(id))?;
            let mut alarm = alarm_from_row(&row)?;
            match action {
                "acknowledge" => alarm.acknowledge(user, now),
                "clear" => alarm.clear(Some(user), now),
                _ => alarm.resolve(user, now),
            }?;
            if tc.get().alarm_state(id).is_some() {
                let decisions = match action {
                    "acknowledge" => tc.get().acknowledge(id, user, now),
                    "clear" => tc.get().clear(id, user, now),
                    _ => tc.get().resolve(id, user, now),
                }?;
                self.persist_decisions(w, actor, &[], &decisions, &[], &PlainRepeats::default())
                    .await?;
            } else {
                // Not in the working set (cleared/resolved): the pure lifecycle check decided.
                let new = alarm_to_row_keeping(
                    &alarm,
                    row.suppression_reason.as_deref(),
                    row.created_at,
                    w.now,
                    Some(&row.metadata),
                );
                w.tx.update_alarm(&new).await?;
                let kind = match action {
                    "clear" => "alarm.cleared",
                    "acknowledge" => "alarm.acknowledged",
                    _ => "alarm.resolved",
                };
                w.emit(
                    &tenant,
                    kind,
                    Some(id.to_string()),
                    false,
                    alarm_payload(&alarm, &[action]),
                );
                let change = crate::desk::sla::operator_decision(&alarm, action, w.now);
                self.sla_track_alarms(w, &tenant, &change, &|_: Uuid| Some(&alarm))
                    .await?;
            }
            Ok(())
        })?;
        self.get_alarm_unchecked(&tenant, id).await
    }

    async fn get_alarm_unchecked(&self, tenant: &str, id: Uuid) -> Result<Alarm> {
        let t = tenant.to_string();
        let row = read_statement!(self, |tx| Ok(tx.get_alarm(&t, id).await?))?;
        alarm_from_row(&row.ok_or_else(|| alarm_not_found(id))?)
    }

    /// Acknowledges an alarm (active → acknowledged; a suppressed alarm stays suppressed and
    /// returns acknowledged). Requires `faults.alarms.write`.
    pub async fn acknowledge_alarm(&self, actor: &Actor, id: Uuid) -> Result<Alarm> {
        self.operator_action(actor, id, "acknowledge").await
    }

    /// Clears an alarm by hand (children it suppressed are released). Requires
    /// `faults.alarms.write`.
    pub async fn clear_alarm(&self, actor: &Actor, id: Uuid) -> Result<Alarm> {
        self.operator_action(actor, id, "clear").await
    }

    /// Resolves an alarm. Requires `faults.alarms.write`.
    pub async fn resolve_alarm(&self, actor: &Actor, id: Uuid) -> Result<Alarm> {
        self.operator_action(actor, id, "resolve").await
    }

    /// Assigns an alarm to a user. Requires `faults.alarms.write`.
    pub async fn assign_alarm(&self, actor: &Actor, id: Uuid, user_id: &str) -> Result<Alarm> {
        self.require(actor, perms::FAULTS_ALARMS_WRITE)?;
        let tenant = actor.tenant_id.clone();
        let user = user_id.to_string();
        write_tx!(self, |w| {
            let row =
                w.tx.get_alarm_for_update(&tenant, id)
                    .await?
                    .ok_or_else(|| alarm_not_found(id))?;
            let mut alarm = alarm_from_row(&row)?;
            alarm.assign(&user)?;
            let new = alarm_to_row_keeping(
                &alarm,
                row.suppression_reason.as_deref(),
                row.created_at,
                w.now,
                Some(&row.metadata),
            );
            w.tx.update_alarm(&new).await?;
            w.emit(
                &tenant,
                "alarm.assigned",
                Some(id.to_string()),
                false,
                json!({"alarm_id": id, "assigned_to": user}),
            );
            Ok(alarm)
        })
    }

    /// Adds a note (`note_type`: `investigation`, `resolution`, `comment`, ...). Requires
    /// `faults.alarms.write`.
    pub async fn add_alarm_note(
        &self,
        actor: &Actor,
        id: Uuid,
        note_type: &str,
        content: &str,
    ) -> Result<AlarmNote> {
        self.require(actor, perms::FAULTS_ALARMS_WRITE)?;
        if content.trim().is_empty() {
            return Err(Error::validation("Note text must not be empty"));
        }
        if content.chars().count() > MAX_NOTE_CHARS {
            return Err(Error::validation(format!(
                "Note text must be at most {MAX_NOTE_CHARS} characters"
            )));
        }
        let note_type = note_type.trim().to_lowercase();
        if note_type.is_empty() || note_type.len() > 50 {
            return Err(Error::validation("note_type must be 1 to 50 characters"));
        }
        let tenant = actor.tenant_id.clone();
        let author = actor.user_id.clone();
        let content = content.to_string();
        write_tx!(self, |w| {
            w.tx.get_alarm_for_update(&tenant, id)
                .await?
                .ok_or_else(|| alarm_not_found(id))?;
            let row = AlarmNoteRow {
                id: crate::ids::new_id(),
                tenant_id: tenant.clone(),
                alarm_id: id,
                author_id: author.clone(),
                note_type: note_type.clone(),
                content: content.clone(),
                created_at: w.now,
            };
            w.tx.insert_alarm_note(&row).await?;
            w.emit(
                &tenant,
                "alarm.note_added",
                Some(id.to_string()),
                false,
                json!({"alarm_id": id, "note_id": row.id, "note_type": note_type}),
            );
            Ok(AlarmNote::from(row))
        })
    }

    /// Notes of an alarm, oldest first. Requires `faults.alarms.read`.
    pub async fn list_alarm_notes(&self, actor: &Actor, id: Uuid) -> Result<Vec<AlarmNote>> {
        self.require(actor, perms::FAULTS_ALARMS_READ)?;
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| {
            tx.get_alarm(&tenant, id)
                .await?
                .ok_or_else(|| alarm_not_found(id))?;
            Ok(tx.list_alarm_notes(&tenant, id).await?)
        })?;
        Ok(rows.into_iter().map(AlarmNote::from).collect())
    }

    /// Alarms correlated under `parent_id` (children keep the link as history after the parent
    /// clears). Requires `faults.alarms.read`.
    pub async fn alarm_children(&self, actor: &Actor, parent_id: Uuid) -> Result<Vec<Alarm>> {
        self.require(actor, perms::FAULTS_ALARMS_READ)?;
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| {
            tx.get_alarm(&tenant, parent_id)
                .await?
                .ok_or_else(|| alarm_not_found(parent_id))?;
            Ok(tx.alarm_children(&tenant, parent_id).await?)
        })?;
        rows.iter().map(alarm_from_row).collect()
    }

    /// Alarms of one correlation group, oldest first (empty for an unknown group). Requires
    /// `faults.alarms.read`.
    pub async fn correlation_group(
        &self,
        actor: &Actor,
        correlation_id: Uuid,
    ) -> Result<Vec<Alarm>> {
        self.require(actor, perms::FAULTS_ALARMS_READ)?;
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| Ok(tx
            .alarms_by_correlation(&tenant, correlation_id)
            .await?))?;
        rows.iter().map(alarm_from_row).collect()
    }

    /// Statistics over the alarms matching `query` (its page is ignored): counts by severity,
    /// status, source and resource type, mean times to acknowledge and clear, top flapping
    /// resources. Requires `faults.alarms.read`.
    pub async fn alarm_stats(
        &self,
        actor: &Actor,
        query: AlarmQuery,
    ) -> Result<fault_core::stats::AlarmStats> {
        self.require(actor, perms::FAULTS_ALARMS_READ)?;
        let filter = query.filter()?;
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| {
            let mut all = Vec::new();
            let mut page = 1;
            loop {
                let p = tx
                    .list_alarms(&tenant, &filter, faultdesk_storage::Page::new(page, 1000))
                    .await?;
                let n = p.items.len();
                all.extend(p.items);
                if n < 1000 {
                    break;
                }
                page += 1;
            }
            Ok(all)
        })?;
        let alarms = rows
            .iter()
            .map(alarm_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(fault_core::stats::alarm_stats(&alarms, 10))
    }

    /// Seed 000's check: active critical/major alarms without a ticket older than 15 minutes.
    /// Logs each finding with `tracing::warn!` as the event
    /// `alarm.unacknowledged.manual_action_required` (fields `alarm_id`, `external_alarm_id`,
    /// `severity`, `age_minutes`, `message`) and returns them. With an actor: its tenant
    /// (requires `faults.alarms.read`); without: every tenant (for schedulers).
    pub async fn check_unacknowledged(
        &self,
        actor: Option<&Actor>,
    ) -> Result<Vec<UnacknowledgedFinding>> {
        let tenant = match actor {
            Some(a) => {
                self.require(a, perms::FAULTS_ALARMS_READ)?;
                Some(a.tenant_id.clone())
            }
            None => None,
        };
        let now = self.now();
        let threshold = Duration::minutes(fault_core::unack::DEFAULT_UNACK_THRESHOLD_MINUTES);
        let sev = vec!["critical".to_string(), "major".to_string()];
        // One statement: no transaction needed.
        let rows = read_statement!(self, |tx| Ok(tx
            .unacknowledged_alarms(tenant.as_deref(), &sev, now - threshold)
            .await?))?;
        // Storage selected active critical/major alarms without a ticket first seen at or
        // before `now - threshold`; seed 000 wants them *older* than the threshold.
        let mut findings = Vec::with_capacity(rows.len());
        for r in rows {
            if now - r.first_occurrence <= threshold {
                continue;
            }
            let severity: Severity = r.severity.parse().map_err(|_| {
                Error::storage(format!(
                    "alarm {} has an invalid stored severity '{}'",
                    r.id, r.severity
                ))
            })?;
            findings.push(fault_core::unack::finding(
                r.id,
                r.external_alarm_id,
                severity,
                r.first_occurrence,
                now,
            ));
        }
        for f in &findings {
            tracing::warn!(
                event = fault_core::unack::UNACKNOWLEDGED_EVENT,
                alarm_id = %f.alarm_id,
                external_alarm_id = f.external_alarm_id.as_deref(),
                severity = f.severity.as_str(),
                age_minutes = f.age_minutes,
                message = %f.message,
                "{}",
                fault_core::unack::UNACKNOWLEDGED_EVENT
            );
        }
        Ok(findings)
    }

    /// Moves the tenant's cleared and resolved alarms last changed more than `older_than`
    /// (default 90 days) ago to `alarms_archive`. Returns how many moved. Requires
    /// `faults.alarms.write`.
    pub async fn archive_cleared(
        &self,
        actor: &Actor,
        older_than: Option<Duration>,
    ) -> Result<u64> {
        self.require(actor, perms::FAULTS_ALARMS_WRITE)?;
        let age = older_than.unwrap_or_else(|| Duration::days(DEFAULT_ARCHIVE_AFTER_DAYS));
        crate::desk::before_now("older_than", self.now(), age)?;
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            let cutoff = crate::desk::before_now("older_than", w.now, age)?;
            let n = w.tx.archive_cleared(&tenant, cutoff, w.now).await?;
            if n > 0 {
                w.emit(
                    &tenant,
                    "alarm.archived",
                    None,
                    false,
                    json!({"count": n, "older_than_secs": age.num_seconds()}),
                );
            }
            Ok(n)
        })
    }

    // ------------------------------------------------------------------ rules

    /// Creates a rule from seed 002's JSON (one rule object). Malformed JSON or conditions are
    /// a Validation error and nothing is written. Requires `faults.rules.write`. Applies to
    /// alarms raised afterwards.
    pub async fn create_rule(&self, actor: &Actor, json: &str) -> Result<StoredRule> {
        self.require(actor, perms::FAULTS_RULES_WRITE)?;
        let rule = parse_one_rule(json)?;
        let tenant = actor.tenant_id.clone();
        let (stored, mut tc) = correlating_tx!(self, &tenant, true, false, |w, _tc| {
            let id = crate::ids::new_id();
            let row = rule_row(&tenant, id, &rule, w.now, w.now);
            w.tx.insert_rule(&row).await?;
            w.emit(
                &tenant,
                "rule.created",
                Some(id.to_string()),
                false,
                json!({"rule_id": id, "name": rule.name}),
            );
            stored_rule(&row)
        })?;
        // Rules apply to alarms raised afterwards: rebuild with the new rule set.
        tc.discard();
        Ok(stored)
    }

    /// The tenant's rules. Requires `faults.rules.read`.
    pub async fn list_rules(&self, actor: &Actor) -> Result<Vec<StoredRule>> {
        self.require(actor, perms::FAULTS_RULES_READ)?;
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| Ok(tx.list_rules(&tenant, false).await?))?;
        rows.iter().map(stored_rule).collect()
    }

    /// Replaces a rule with `json` (seed 002's format). Requires `faults.rules.write`.
    pub async fn update_rule(&self, actor: &Actor, id: Uuid, json: &str) -> Result<StoredRule> {
        self.require(actor, perms::FAULTS_RULES_WRITE)?;
        let rule = parse_one_rule(json)?;
        let tenant = actor.tenant_id.clone();
        let (stored, mut tc) = correlating_tx!(self, &tenant, true, false, |w, _tc| {
            let old =
                w.tx.get_rule(&tenant, id)
                    .await?
                    .ok_or_else(|| rule_not_found(id))?;
            let row = rule_row(&tenant, id, &rule, old.created_at, w.now);
            w.tx.update_rule(&row).await?;
            w.emit(
                &tenant,
                "rule.updated",
                Some(id.to_string()),
                false,
                json!({"rule_id": id, "name": rule.name}),
            );
            stored_rule(&row)
        })?;
        // Rules apply to alarms raised afterwards: rebuild with the new rule set.
        tc.discard();
        Ok(stored)
    }

    /// Deletes a rule. Requires `faults.rules.write`.
    pub async fn delete_rule(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.require(actor, perms::FAULTS_RULES_WRITE)?;
        let tenant = actor.tenant_id.clone();
        let ((), mut tc) = correlating_tx!(self, &tenant, true, false, |w, _tc| {
            if !w.tx.delete_rule(&tenant, id).await? {
                return Err(rule_not_found(id));
            }
            w.emit(
                &tenant,
                "rule.deleted",
                Some(id.to_string()),
                false,
                json!({"rule_id": id}),
            );
            Ok(())
        })?;
        tc.discard();
        Ok(())
    }

    // ------------------------------------------------------------------ topology

    /// Adds topology edges (`parent` feeds `child`), all or nothing: a cycle, self-loop or a
    /// second parent is a Validation error and nothing is written. Returns how many were new.
    /// Requires `faults.topology.write`.
    pub async fn add_topology_edges(&self, actor: &Actor, edges: Vec<TopologyEdge>) -> Result<u64> {
        self.require(actor, perms::FAULTS_TOPOLOGY_WRITE)?;
        for (i, e) in edges.iter().enumerate() {
            if e.parent.trim().is_empty() || e.child.trim().is_empty() {
                return Err(Error::validation(format!(
                    "Edge {i}: parent and child must not be empty"
                )));
            }
        }
        let tenant = actor.tenant_id.clone();
        let (n, mut tc) = correlating_tx!(self, &tenant, true, false, |w, tc| {
            // Check against the stored graph, read under the tenant's correlation lock.
            let mut probe = fault_core::Correlator::new(fault_core::CorrelatorConfig::default())?;
            let current: Vec<TopologyEdge> =
                w.tx.list_topology_edges(&tenant)
                    .await?
                    .into_iter()
                    .map(|e| TopologyEdge::new(e.parent_id, e.child_id))
                    .collect();
            probe.add_topology_edges(&tenant, &current)?;
            probe.add_topology_edges(&tenant, &edges)?;
            let rows: Vec<TopologyEdgeRow> = edges
                .iter()
                .map(|e| TopologyEdgeRow {
                    tenant_id: tenant.clone(),
                    parent_id: e.parent.clone(),
                    child_id: e.child.clone(),
                    created_at: w.now,
                })
                .collect();
            let n = w.tx.add_topology_edges(&rows).await?;
            // Nothing new (every edge existed): no change to announce.
            if n == 0 {
                tc.unchanged();
            } else {
                w.emit(
                    &tenant,
                    "topology.changed",
                    None,
                    false,
                    json!({"added": n}),
                );
            }
            Ok(n)
        })?;
        if tc.get().add_topology_edges(&tenant, &edges).is_err() {
            tc.discard();
        }
        Ok(n)
    }

    /// Removes topology edges; returns how many existed. Requires `faults.topology.write`.
    pub async fn remove_topology_edges(
        &self,
        actor: &Actor,
        edges: Vec<TopologyEdge>,
    ) -> Result<u64> {
        self.require(actor, perms::FAULTS_TOPOLOGY_WRITE)?;
        let tenant = actor.tenant_id.clone();
        let pairs: Vec<(String, String)> = edges
            .iter()
            .map(|e| (e.parent.clone(), e.child.clone()))
            .collect();
        let (n, mut tc) = correlating_tx!(self, &tenant, true, false, |w, tc| {
            let n = w.tx.remove_topology_edges(&tenant, &pairs).await?;
            // No such edge (e.g. another tenant's): nothing changed, nothing to announce.
            if n == 0 {
                tc.unchanged();
            } else {
                w.emit(
                    &tenant,
                    "topology.changed",
                    None,
                    false,
                    json!({"removed": n}),
                );
            }
            Ok(n)
        })?;
        tc.get().remove_topology_edges(&tenant, &edges);
        Ok(n)
    }

    // ------------------------------------------------------------------ maintenance

    /// Creates a maintenance window; alarms raised in its scope while it runs are suppressed.
    /// End must be after start and the scope non-empty (Validation otherwise). Requires
    /// `faults.maintenance.write`.
    pub async fn create_maintenance_window(
        &self,
        actor: &Actor,
        input: NewMaintenanceWindow,
    ) -> Result<MaintenanceWindow> {
        self.require(actor, perms::FAULTS_MAINTENANCE_WRITE)?;
        if input.title.trim().is_empty() {
            return Err(Error::validation(
                "Maintenance window title must not be empty",
            ));
        }
        crate::desk::check_instant("start", input.start)?;
        crate::desk::check_instant("end", input.end)?;
        let tenant = actor.tenant_id.clone();
        let window = MaintenanceWindow {
            id: crate::ids::new_id(),
            tenant_id: tenant.clone(),
            title: input.title.clone(),
            start: input.start,
            end: input.end,
            status: MaintenanceStatus::Scheduled,
            scope: input.scope.clone(),
        };
        window.validate()?;
        let by = actor.user_id.clone();
        let ((), mut tc) = correlating_tx!(self, &tenant, true, false, |w, _tc| {
            let row = MaintenanceWindowRow {
                id: window.id,
                tenant_id: tenant.clone(),
                title: window.title.clone(),
                description: input.description.clone(),
                start_time: window.start,
                end_time: window.end,
                status: maintenance_status_str(window.status).to_string(),
                scope: serde_json::to_value(&window.scope)
                    .map_err(|e| Error::validation(e.to_string()))?,
                suppress_alarms: true,
                notify_customers: false,
                created_by: Some(by.clone()),
                created_at: w.now,
                updated_at: w.now,
            };
            w.tx.insert_maintenance_window(&row).await?;
            w.emit(
                &tenant,
                "maintenance.created",
                Some(window.id.to_string()),
                false,
                json!({"window_id": window.id, "title": window.title}),
            );
            Ok(())
        })?;
        if tc.get().add_maintenance_window(window.clone()).is_err() {
            tc.discard();
        }
        Ok(window)
    }

    /// The tenant's maintenance windows by start time. Requires `faults.maintenance.read`.
    pub async fn list_maintenance_windows(&self, actor: &Actor) -> Result<Vec<MaintenanceWindow>> {
        self.require(actor, perms::FAULTS_MAINTENANCE_READ)?;
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| Ok(tx
            .list_maintenance_windows(Some(&tenant), &Default::default())
            .await?))?;
        rows.iter().map(window_from_row).collect()
    }

    /// Cancels a maintenance window: alarms it suppressed return to their previous status.
    /// Requires `faults.maintenance.write`.
    pub async fn cancel_maintenance_window(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<MaintenanceWindow> {
        self.require(actor, perms::FAULTS_MAINTENANCE_WRITE)?;
        let tenant = actor.tenant_id.clone();
        let (window, _) = correlating_tx!(self, &tenant, true, false, |w, tc| {
            let mut row =
                w.tx.get_maintenance_window(&tenant, id)
                    .await?
                    .ok_or_else(|| window_not_found(id))?;
            if row.status == "cancelled" {
                return Err(Error::conflict(format!(
                    "Maintenance window {id} is already cancelled"
                )));
            }
            // A window the correlator does not hold (already over) releases nothing.
            let decisions = tc.get().cancel_maintenance_window(id).unwrap_or_default();
            row.status = "cancelled".into();
            row.updated_at = w.now;
            w.tx.update_maintenance_window(&row).await?;
            if !decisions.is_empty() {
                self.persist_decisions(w, actor, &[], &decisions, &[], &PlainRepeats::default())
                    .await?;
            }
            w.emit(
                &tenant,
                "maintenance.cancelled",
                Some(id.to_string()),
                false,
                json!({"window_id": id}),
            );
            window_from_row(&row)
        })?;
        Ok(window)
    }
}

fn parse_one_rule(json: &str) -> Result<Rule> {
    let mut rules = Rule::list_from_json(json)?;
    if rules.len() != 1 {
        return Err(Error::validation(format!(
            "Invalid rule JSON: expected one rule object, got {}",
            rules.len()
        )));
    }
    let rule = rules.remove(0);
    if rule.name.trim().is_empty() {
        return Err(Error::validation(
            "Invalid rule JSON: name must not be empty",
        ));
    }
    // Compiling checks the conditions, fields and templates.
    fault_core::rule::CompiledRule::compile(rule.clone())?;
    Ok(rule)
}

fn rule_row(
    tenant: &str,
    id: Uuid,
    rule: &Rule,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> RuleRow {
    let (conditions, actions) = rule_to_columns(rule);
    RuleRow {
        id,
        tenant_id: tenant.to_string(),
        name: rule.name.clone(),
        rule_type: match rule.kind {
            fault_core::rule::RuleKind::Correlation => "correlation",
            fault_core::rule::RuleKind::Suppression => "suppression",
            fault_core::rule::RuleKind::Escalation => "escalation",
        }
        .to_string(),
        description: rule.description.clone(),
        enabled: rule.enabled,
        priority: rule.priority,
        conditions,
        actions,
        time_window_seconds: rule.time_window.map(|s| s as i64),
        created_at,
        updated_at,
    }
}

fn stored_rule(row: &RuleRow) -> Result<StoredRule> {
    Ok(StoredRule {
        id: row.id,
        rule: rule_from_row(row)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
