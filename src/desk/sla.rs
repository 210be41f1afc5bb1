//! The SLA service (seed 002's "SLA Monitoring"): availability SLA definitions and instances,
//! outage accounting from alarms, breaches recorded once, credits and compliance reports —
//! the pure rules of [`fault_core::sla`] over the tables `sla_definitions`, `sla_instances`,
//! `sla_outages` and `sla_breaches` (see `storage/SCHEMA.md`).
//!
//! # Outages from alarms
//!
//! An alarm affects an instance when it names the instance's customer, its service (the
//! alarm's `service_id` label) or one of its resources ([`SlaScope::matches`]). Every raise,
//! clear, resolution and acknowledgement of such an alarm — through `ingest`, `ingest_batch`,
//! `acknowledge_alarm`, `clear_alarm` or `resolve_alarm` — is recorded on the instance
//! (`sla_outages`: one row per alarm interval; a flapping alarm has one per re-raise) **in the
//! same transaction** as the alarm change, and the instance's figures, breaches and next
//! check instant are written with it.
//!
//! Alarms of severity critical or major are service-affecting (they are downtime); others only
//! run the response/resolution clocks. An alarm label `service_affecting` = `true`/`false`
//! overrides the severity rule. Maintenance windows covering the instance (its customer, one
//! of its resources, or — with `include_descendants` — a topology ancestor of one) are planned
//! time: outage time inside them is planned downtime, excluded from availability when the
//! definition says so.
//!
//! The Desk keeps, per tenant, an in-memory index of live instances by customer, service and
//! resource, so an alarm change that affects no instance costs a hash lookup and no query. The
//! index is tagged with the tenant's SLA version (`correlation_state.sla_version`, bumped under
//! the tenant's correlation lock by every transaction that creates or deletes instances, in
//! any process); correlating transactions read that version with the lock they already take,
//! so an index another process made stale is rebuilt inside the transaction — at no extra
//! query when it is current.
//!
//! # Performance
//!
//! [`Desk::record_sla_measurements`] stores latency, packet-loss and bandwidth samples
//! (`sla_measurements`); a sample beyond a target of the definition's `performance` opens a
//! performance breach until a sample within target ends it.
//!
//! # Breaches
//!
//! Each breach [`fault_core::sla`] reports has a stable key (`availability`,
//! `response:<alarm>`, ...); `sla_breaches` has `UNIQUE (tenant_id, sla_instance_id,
//! breach_key)` and breaches are inserted with `ON CONFLICT DO NOTHING`, so a breach is
//! recorded, announced (`sla.instance_breach` outbox event and notification intents) and ticketed once,
//! however many writers detect it. With the auto-ticket triggers on (and `sla_breach` among
//! them), a new breach requests a ticket through the same path as the other auto-tickets
//! (`TicketRequested { trigger: sla_breach }` → ticket from the alarm that caused the breach;
//! when that alarm already has a ticket, the breach is linked to it).
//!
//! A breach can happen while nothing changes (an outage simply lasting): every instance
//! stores the instant its state next changes (`next_check_at`, from
//! [`SlaInstance::next_change`]), and [`Desk::run_due`] evaluates the instances whose instant
//! has come.
//!
//! Event kinds: `sla.instance_breach` (a breach recorded) and `sla.instance_at_risk` (an
//! instance's remaining allowance fell below the definition's at-risk fraction); a ticket's own
//! SLA targets announce `sla.warning` and `sla.breached` (see `scheduler`).

use crate::actor::Actor;
use crate::desk::alarm_rows::alarm_from_row;
use crate::desk::notifications::Related;
use crate::desk::page::{Page, check_page};
use crate::desk::{Desk, Work};
use crate::error::{Error, ErrorKind, Result};
use chrono::{DateTime, Duration, Utc};
use fault_core::decision::Decision;
use fault_core::maintenance::MaintenanceScope;
use fault_core::sla::{
    BreachKind, ComplianceReport, CreditSchedule, Measurement, MeasurementPeriod,
    PerformanceTargets, SlaAlarm, SlaDefinition, SlaInstance, SlaPeriod, SlaScope, SlaStatus,
    TicketRequest, compliance_report,
};
use fault_core::trigger::TicketTrigger;
use fault_core::{Alarm, Severity};
use faultdesk_storage::{
    MaintenanceFilter, SlaBreachRow, SlaDefinitionRow, SlaInstanceFilter, SlaInstanceRow,
    SlaMeasurementRow, SlaOutageRow, Tx,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use ticket_core::calendar::BusinessCalendar;
use ticket_core::rbac::perms;
use uuid::Uuid;

/// How far back alarm changes still reach SLA instances: an alarm raised or cleared with an
/// `occurred_at` up to this long before the Desk clock's now is recorded on instances whose
/// period it falls in; older changes do not reopen past periods.
pub const LATE_ALARM_HORIZON: Duration = Duration::days(92);

/// Most instances one [`Desk::create_sla_instances`] call accepts.
pub const MAX_INSTANCES_PER_CALL: usize = 10_000;

/// Most samples one [`Desk::record_sla_measurements`] call accepts.
pub const MAX_MEASUREMENTS_PER_CALL: usize = 10_000;

const MAX_ID_CHARS: usize = 200;

// ------------------------------------------------------------------------------------ types

/// A stored SLA definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSlaDefinition {
    /// Definition id.
    pub id: Uuid,
    /// The definition (fault-core's format; [`SlaDefinition::from_json`] reads it).
    pub definition: SlaDefinition,
    /// Whether new instances may use it.
    pub enabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`Desk::create_sla_instance`]: a definition applied to a customer (and optionally
/// a service and resources) for one measurement period.
///
/// ```
/// use faultdesk::NewSlaInstance;
/// let input = NewSlaInstance::new(uuid::Uuid::nil(), "cust-7")
///     .with_resources(["ont-000007"])
///     .with_monthly_fee(rust_decimal::Decimal::new(49900, 2), "EUR");
/// assert_eq!(input.resource_ids, vec!["ont-000007".to_string()]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSlaInstance {
    /// The definition.
    pub definition_id: Uuid,
    /// The customer the SLA is sold to.
    pub customer_id: String,
    /// The service it covers (alarms name it with their `service_id` label).
    #[serde(default)]
    pub service_id: Option<String>,
    /// Resources whose alarms affect the service (devices, ports, circuits).
    #[serde(default)]
    pub resource_ids: Vec<String>,
    /// The instant whose measurement period the instance covers (default: now). Give this or
    /// `period`, not both.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// An explicit period `[start, end)` instead of the definition's.
    #[serde(default)]
    pub period: Option<SlaPeriod>,
    /// The fee for the period (default: the definition's `monthly_fee`); credits are
    /// percentages of it.
    #[serde(default)]
    pub monthly_fee: Option<Decimal>,
    /// Currency of the fee and credits (three letters, e.g. `EUR`).
    #[serde(default)]
    pub currency: Option<String>,
    /// Free-form metadata (a JSON object).
    #[serde(default)]
    pub metadata: Option<Value>,
}

impl NewSlaInstance {
    /// An instance of `definition_id` for `customer_id` in the period containing now.
    pub fn new(definition_id: Uuid, customer_id: impl Into<String>) -> Self {
        NewSlaInstance {
            definition_id,
            customer_id: customer_id.into(),
            service_id: None,
            resource_ids: Vec::new(),
            at: None,
            period: None,
            monthly_fee: None,
            currency: None,
            metadata: None,
        }
    }

    /// Adds resources to the scope.
    pub fn with_resources<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resource_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Sets the service.
    pub fn with_service(mut self, service_id: impl Into<String>) -> Self {
        self.service_id = Some(service_id.into());
        self
    }

    /// Covers the measurement period that contains `at`.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    /// Covers an explicit period.
    pub fn with_period(mut self, period: SlaPeriod) -> Self {
        self.period = Some(period);
        self
    }

    /// Sets the fee and its currency.
    pub fn with_monthly_fee(mut self, fee: Decimal, currency: impl Into<String>) -> Self {
        self.monthly_fee = Some(fee);
        self.currency = Some(currency.into());
        self
    }
}

/// A stored SLA instance with the figures last written (by the change or scheduler run that
/// last touched it; [`Desk::sla_status`] computes them fresh).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSlaInstance {
    /// Instance id.
    pub id: Uuid,
    /// The definition it was created from.
    pub definition_id: Uuid,
    /// The definition as it was when the instance was created (with the instance's fee).
    pub definition: SlaDefinition,
    /// What it covers.
    pub scope: SlaScope,
    /// The measurement period.
    pub period: SlaPeriod,
    /// `active`, `at_risk`, `breached` or `expired` (period over without a breach).
    pub status: String,
    /// Availability as a fraction.
    pub availability: Option<Decimal>,
    /// Planned downtime, whole seconds.
    pub planned_downtime_seconds: i64,
    /// Unplanned downtime, whole seconds.
    pub unplanned_downtime_seconds: i64,
    /// Breaches.
    pub breach_count: i32,
    /// Credits owed, rounded to cents.
    pub credit_amount: Decimal,
    /// The period's fee.
    pub monthly_fee: Decimal,
    /// Currency.
    pub currency: Option<String>,
    /// Metadata.
    pub metadata: Value,
    /// When `run_due` next evaluates it.
    pub next_check_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Changes of [`Desk::update_sla_instance`] (PATCH: only given fields change).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaInstancePatch {
    /// New fee for the period (credits are recomputed).
    #[serde(default)]
    pub monthly_fee: Option<Decimal>,
    /// New currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// New metadata (a JSON object; replaces the old one).
    #[serde(default)]
    pub metadata: Option<Value>,
}

/// What [`Desk::sla_status`] returns: the stored instance and its status computed now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaInstanceStatus {
    /// The instance.
    pub instance: StoredSlaInstance,
    /// Availability, planned/unplanned downtime, compliance, breaches and credits at the Desk
    /// clock's now.
    pub status: SlaStatus,
}

/// Filters and page of [`Desk::list_sla_instances`]; `None`/empty mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaInstanceQuery {
    /// Customer.
    pub customer_id: Option<String>,
    /// Service.
    pub service_id: Option<String>,
    /// Definition.
    pub definition_id: Option<Uuid>,
    /// Stored statuses (any of `active`, `at_risk`, `breached`, `expired`).
    pub status: Vec<String>,
    /// Periods overlapping `[from, to)` (give both or neither).
    pub from: Option<DateTime<Utc>>,
    /// See `from`.
    pub to: Option<DateTime<Utc>>,
    /// Page number (from 1; default 1).
    pub page: Option<u32>,
    /// Page size (1..=100; default 50).
    pub page_size: Option<u32>,
}

/// What [`Desk::sla_compliance_report`] covers: instances whose period overlaps
/// `[from, to)`, optionally of one customer, service or definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaReportQuery {
    /// Start of the date range.
    pub from: DateTime<Utc>,
    /// End of the date range (exclusive).
    pub to: DateTime<Utc>,
    /// Only this customer's instances.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Only instances of this service.
    #[serde(default)]
    pub service_id: Option<String>,
    /// Only instances of this definition (e.g. one customer tier).
    #[serde(default)]
    pub definition_id: Option<Uuid>,
}

impl SlaReportQuery {
    /// Every instance overlapping `[from, to)`.
    pub fn range(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        SlaReportQuery {
            from,
            to,
            customer_id: None,
            service_id: None,
            definition_id: None,
        }
    }
}

/// A recorded SLA breach (a row of `sla_breaches`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaBreachRecord {
    /// Breach id.
    pub id: Uuid,
    /// The instance.
    pub instance_id: Uuid,
    /// Stable key within the instance (`availability`, `response:<alarm id>`, ...).
    pub breach_key: String,
    /// `availability`, `response_time`, `resolution_time` or `performance`.
    pub breach_type: String,
    /// The alarm that caused it.
    pub alarm_id: Option<Uuid>,
    /// The ticket opened (or linked) for it.
    pub ticket_id: Option<Uuid>,
    /// When the breach began.
    pub breach_start: DateTime<Utc>,
    /// When it ended (`None` while ongoing).
    pub breach_end: Option<DateTime<Utc>>,
    /// Duration so far, whole seconds.
    pub duration_seconds: Option<i64>,
    /// Target (ratio for availability, minutes for response/resolution).
    pub target_value: Option<Decimal>,
    /// Actual value.
    pub actual_value: Option<Decimal>,
    /// Credit this breach earns, rounded to cents.
    pub credit_amount: Option<Decimal>,
    /// Whether it has ended.
    pub resolved: bool,
    /// When it ended.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The breach as fault-core reported it last (unit, severity, metric, ...).
    pub details: Value,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl From<SlaBreachRow> for SlaBreachRecord {
    fn from(r: SlaBreachRow) -> Self {
        SlaBreachRecord {
            id: r.id,
            instance_id: r.sla_instance_id,
            breach_key: r.breach_key,
            breach_type: r.breach_type,
            alarm_id: r.alarm_id,
            ticket_id: r.ticket_id,
            breach_start: r.breach_start,
            breach_end: r.breach_end,
            duration_seconds: r.duration_seconds,
            target_value: r.target_value,
            actual_value: r.actual_value,
            credit_amount: r.credit_amount,
            resolved: r.resolved,
            resolved_at: r.resolved_at,
            details: r.details,
            created_at: r.created_at,
        }
    }
}

/// Filters of [`Desk::list_sla_breaches`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaBreachQuery {
    /// Only this instance's breaches.
    pub instance_id: Option<Uuid>,
    /// Breaches starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Breaches starting before.
    pub to: Option<DateTime<Utc>>,
}

/// What the SLA service did after alarm changes or a scheduler run (internal).
#[derive(Debug, Default)]
pub(crate) struct SlaTracked {
    /// `TicketRequested { trigger: sla_breach }` decisions acted on.
    pub(crate) decisions: Vec<Decision>,
    /// Tickets created for breaches.
    pub(crate) tickets: Vec<Uuid>,
    /// Instances evaluated.
    pub(crate) instances: usize,
    /// Breaches recorded.
    pub(crate) breaches: usize,
}

// ------------------------------------------------------------------------------------ errors

fn definition_not_found(id: Uuid) -> Error {
    Error::not_found(format!("SLA definition {id} not found"))
}

fn instance_not_found(id: Uuid) -> Error {
    Error::not_found(format!("SLA instance {id} not found"))
}

fn sla_err(e: fault_core::sla::SlaError) -> Error {
    Error::validation(e.to_string())
}

fn corrupt(what: &str, id: Uuid, e: impl std::fmt::Display) -> Error {
    Error::storage(format!("{what} {id} is corrupt: {e}"))
}

// ------------------------------------------------------------------------------------ rows

/// The row of a definition (its plain columns are a projection of the JSON in `definition`).
fn definition_row(
    tenant: &str,
    id: Uuid,
    def: &SlaDefinition,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> SlaDefinitionRow {
    SlaDefinitionRow {
        id,
        tenant_id: tenant.to_string(),
        name: def.name.clone(),
        description: None,
        service_type: def.service_type.clone(),
        availability_target: def.availability_target,
        measurement_period_days: match &def.measurement_period {
            MeasurementPeriod::Days { days, .. } => *days as i32,
            _ => 0,
        },
        business_hours_only: !def.calendar.is_always(),
        calendar: (!def.calendar.is_always()).then(|| def.calendar.to_json()),
        exclude_maintenance: def.exclude_maintenance,
        performance_targets: to(&def.performance),
        response_times: to(&def.response_minutes),
        resolution_times: to(&def.resolution_minutes),
        credit_policy: to(&def.credit_schedule),
        enabled: true,
        created_at,
        updated_at,
        definition: Some(to(def)),
    }
}

/// A part of a definition as JSON (definitions always serialise).
fn to(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A far-future bound for open-ended range queries (text-comparable on SQLite).
fn far_future() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).expect("9999-12-31T23:59:59Z")
}

/// A far-past bound for open-ended range queries.
fn far_past() -> DateTime<Utc> {
    DateTime::from_timestamp(-62_135_596_800, 0).expect("0001-01-01T00:00:00Z")
}

/// The definition stored in a row: its `definition` JSON, or — for rows written by other
/// programs with only the plain columns — a definition rebuilt from them.
fn definition_from_row(row: &SlaDefinitionRow) -> Result<SlaDefinition> {
    if let Some(v) = &row.definition {
        let def: SlaDefinition =
            serde_json::from_value(v.clone()).map_err(|e| corrupt("SLA definition", row.id, e))?;
        return Ok(def);
    }
    let json = |v: &Value, what: &str| -> Result<Value> {
        Ok(match v {
            Value::Null => json!({}),
            other => {
                if !other.is_object() {
                    return Err(corrupt(
                        "SLA definition",
                        row.id,
                        format!("{what} is not an object"),
                    ));
                }
                other.clone()
            }
        })
    };
    let performance: PerformanceTargets =
        serde_json::from_value(json(&row.performance_targets, "performance_targets")?)
            .map_err(|e| corrupt("SLA definition", row.id, e))?;
    let minutes = |v: &Value, what: &str| -> Result<BTreeMap<Severity, u32>> {
        serde_json::from_value(json(v, what)?).map_err(|e| corrupt("SLA definition", row.id, e))
    };
    let credit: CreditSchedule = serde_json::from_value(json(&row.credit_policy, "credit_policy")?)
        .map_err(|e| corrupt("SLA definition", row.id, e))?;
    let calendar = match &row.calendar {
        Some(c) if row.business_hours_only => {
            BusinessCalendar::from_json(c).map_err(|e| corrupt("SLA definition", row.id, e))?
        }
        _ => BusinessCalendar::always(),
    };
    let period = if row.measurement_period_days > 0 {
        MeasurementPeriod::days(row.measurement_period_days as u32, DateTime::UNIX_EPOCH)
    } else {
        MeasurementPeriod::utc_month()
    };
    let mut def = SlaDefinition::new(&row.name, row.availability_target, period)
        .with_performance(performance)
        .with_calendar(calendar)
        .with_exclude_maintenance(row.exclude_maintenance)
        .with_credit_schedule(credit);
    def.service_type = row.service_type.clone();
    def.response_minutes = minutes(&row.response_times, "response_times")?;
    def.resolution_minutes = minutes(&row.resolution_times, "resolution_times")?;
    Ok(def)
}

fn stored_definition(row: &SlaDefinitionRow) -> Result<StoredSlaDefinition> {
    Ok(StoredSlaDefinition {
        id: row.id,
        definition: definition_from_row(row)?,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The scope stored in an instance row (`scope` JSON, or the plain columns).
fn scope_of(row: &SlaInstanceRow) -> Result<SlaScope> {
    if let Some(v) = &row.scope {
        return serde_json::from_value(v.clone()).map_err(|e| corrupt("SLA instance", row.id, e));
    }
    Ok(SlaScope {
        customer_id: Some(row.customer_id.clone()),
        service_id: row.service_id.clone(),
        resource_ids: row.resource_id.iter().cloned().collect(),
    })
}

/// The definition snapshot of an instance row, with the instance's fee applied.
fn instance_definition(
    row: &SlaInstanceRow,
    fallback: Option<&SlaDefinitionRow>,
) -> Result<SlaDefinition> {
    let mut def = match (&row.definition, fallback) {
        (Some(v), _) => serde_json::from_value::<SlaDefinition>(v.clone())
            .map_err(|e| corrupt("SLA instance", row.id, e))?,
        (None, Some(d)) => definition_from_row(d)?,
        (None, None) => return Err(definition_not_found(row.sla_definition_id)),
    };
    if let Some(fee) = row.monthly_fee {
        def.monthly_fee = fee;
    }
    Ok(def)
}

fn stored_instance(row: &SlaInstanceRow, def: SlaDefinition) -> Result<StoredSlaInstance> {
    Ok(StoredSlaInstance {
        id: row.id,
        definition_id: row.sla_definition_id,
        monthly_fee: row.monthly_fee.unwrap_or(def.monthly_fee),
        definition: def,
        scope: scope_of(row)?,
        period: SlaPeriod {
            start: row.period_start,
            end: row.period_end,
        },
        status: row.status.clone(),
        availability: row.current_availability,
        planned_downtime_seconds: row.planned_downtime_seconds,
        unplanned_downtime_seconds: row.unplanned_downtime_seconds,
        breach_count: row.breach_count,
        credit_amount: row.credit_amount,
        currency: row.currency.clone(),
        metadata: row.metadata.clone(),
        next_check_at: row.next_check_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn check_text(field: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(Error::validation(format!("{field} must not be empty")));
    }
    if v.chars().count() > MAX_ID_CHARS {
        return Err(Error::validation(format!(
            "{field} must be at most {MAX_ID_CHARS} characters"
        )));
    }
    Ok(())
}

fn check_currency(c: &Option<String>) -> Result<()> {
    if let Some(c) = c
        && !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()))
    {
        return Err(Error::validation(format!(
            "currency '{c}' is not a three-letter code such as EUR or USD"
        )));
    }
    Ok(())
}

fn check_fee(fee: Option<Decimal>) -> Result<()> {
    if let Some(f) = fee
        && f < Decimal::ZERO
    {
        return Err(Error::validation(format!(
            "monthly_fee {f} must not be negative"
        )));
    }
    Ok(())
}

fn check_metadata(m: &Option<Value>) -> Result<()> {
    if let Some(v) = m
        && !v.is_object()
    {
        return Err(Error::validation("metadata must be a JSON object"));
    }
    Ok(())
}

/// Money is always shown with cents.
fn cents(mut d: Decimal) -> Decimal {
    d.rescale(2);
    d
}

/// `status` column of an instance with `s` at `now`.
fn status_column(s: &SlaStatus, now: DateTime<Utc>) -> &'static str {
    match s.compliance {
        fault_core::sla::Compliance::Breached => "breached",
        _ if now >= s.period.end => "expired",
        fault_core::sla::Compliance::AtRisk => "at_risk",
        fault_core::sla::Compliance::Compliant => "active",
    }
}

/// The next microsecond at or after `t` (storage keeps microseconds; rounding up keeps a
/// check instant from landing before the change it waits for).
fn ceil_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let tr = faultdesk_storage::truncate_micros(t);
    if tr < t {
        tr + Duration::microseconds(1)
    } else {
        tr
    }
}

// ------------------------------------------------------------------------------------ index

/// Live instances of one tenant, by what their scopes name.
#[derive(Debug, Default)]
pub(crate) struct SlaIndex {
    periods: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>,
    by_customer: HashMap<String, Vec<u32>>,
    by_service: HashMap<String, Vec<u32>>,
    by_resource: HashMap<String, Vec<u32>>,
}

impl SlaIndex {
    fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    fn add(&mut self, id: Uuid, scope: &SlaScope, period: SlaPeriod) {
        let i = self.periods.len() as u32;
        self.periods.push((id, period.start, period.end));
        if let Some(c) = &scope.customer_id {
            self.by_customer.entry(c.clone()).or_default().push(i);
        }
        if let Some(s) = &scope.service_id {
            self.by_service.entry(s.clone()).or_default().push(i);
        }
        for r in &scope.resource_ids {
            self.by_resource.entry(r.clone()).or_default().push(i);
        }
    }

    /// Instances whose scope names the alarm and whose period ends after `after`.
    fn matching(&self, alarm: &Alarm, after: DateTime<Utc>, out: &mut Vec<Uuid>) {
        let lists = [
            alarm
                .customer_id
                .as_deref()
                .and_then(|c| self.by_customer.get(c)),
            alarm
                .labels
                .get("service_id")
                .and_then(|s| self.by_service.get(s.as_str())),
            alarm
                .resource_id
                .as_deref()
                .and_then(|r| self.by_resource.get(r)),
        ];
        for list in lists.into_iter().flatten() {
            for &i in list {
                let (id, _, end) = self.periods[i as usize];
                if end > after && !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
}

/// The SLA indexes of one Desk, by tenant, each with the tenant's SLA version it was built at.
#[derive(Default)]
pub(crate) struct SlaCache {
    tenants: Mutex<HashMap<String, (i64, Arc<SlaIndex>)>>,
}

impl SlaCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, Arc<SlaIndex>)>> {
        self.tenants.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The tenant's index if it was built at `version`.
    fn current(&self, tenant: &str, version: i64) -> Option<Arc<SlaIndex>> {
        self.lock()
            .get(tenant)
            .filter(|(v, _)| *v == version)
            .map(|(_, i)| i.clone())
    }

    fn store(&self, tenant: &str, version: i64, index: Arc<SlaIndex>) {
        self.lock().insert(tenant.to_string(), (version, index));
    }
}

// ------------------------------------------------------------------------------------ outages

/// What happened to an alarm, as the SLA service sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Raised(DateTime<Utc>),
    Ended(DateTime<Utc>),
    Acknowledged(DateTime<Utc>),
}

/// The SLA-relevant changes in a list of correlator decisions, in order.
fn changes_of(decisions: &[Decision]) -> Vec<(Uuid, Change)> {
    let mut out = Vec::new();
    for d in decisions {
        let c = match d {
            Decision::Created { alarm } => Change::Raised(alarm.first_occurrence),
            Decision::Cleared { cleared_at, .. } => Change::Ended(*cleared_at),
            Decision::Resolved { at, .. } => Change::Ended(*at),
            Decision::Acknowledged { at, .. } => Change::Acknowledged(*at),
            Decision::Flapping { severity, at, .. } => {
                if *severity == Severity::Cleared {
                    Change::Ended(*at)
                } else {
                    Change::Raised(*at)
                }
            }
            _ => continue,
        };
        out.push((d.alarm_id(), c));
    }
    out
}

/// The decision an operator action on an alarm outside the correlator's working set amounts
/// to (`acknowledge`, `clear` or `resolve`), for [`Desk::sla_track_alarms`].
pub(crate) fn operator_decision(alarm: &Alarm, action: &str, now: DateTime<Utc>) -> Vec<Decision> {
    let by = alarm
        .acknowledged_by
        .clone()
        .or_else(|| alarm.resolved_by.clone())
        .unwrap_or_default();
    vec![match action {
        "acknowledge" => Decision::Acknowledged {
            alarm_id: alarm.id,
            status: alarm.status,
            by,
            at: alarm.acknowledged_at.unwrap_or(now),
        },
        "clear" => Decision::Cleared {
            alarm_id: alarm.id,
            cleared_at: alarm.cleared_at.unwrap_or(now),
            cleared_by: alarm.cleared_by.clone(),
            raised_severity: alarm.raised_severity,
            flap_count: alarm.flap_count,
        },
        _ => Decision::Resolved {
            alarm_id: alarm.id,
            by,
            at: alarm.resolved_at.unwrap_or(now),
        },
    }]
}

/// Whether an alarm is downtime: label `service_affecting` when given, else critical or major.
fn is_service_affecting(alarm: &Alarm) -> bool {
    match alarm.labels.get("service_affecting").map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        _ => {
            matches!(alarm.raised_severity, Severity::Critical | Severity::Major)
                || matches!(alarm.severity, Severity::Critical | Severity::Major)
        }
    }
}

fn raised_severity(alarm: &Alarm) -> Severity {
    if alarm.raised_severity == Severity::Cleared {
        alarm.severity
    } else {
        alarm.raised_severity
    }
}

/// The outages of one instance while they are being changed.
struct Outages {
    rows: Vec<SlaOutageRow>,
    fresh: HashSet<Uuid>,
    dirty: HashSet<Uuid>,
}

impl Outages {
    fn new(rows: Vec<SlaOutageRow>) -> Self {
        Outages {
            rows,
            fresh: HashSet::new(),
            dirty: HashSet::new(),
        }
    }

    fn changed(&self) -> bool {
        !self.fresh.is_empty() || !self.dirty.is_empty()
    }

    fn raise(
        &mut self,
        tenant: &str,
        instance: Uuid,
        alarm: &Alarm,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) {
        let at = faultdesk_storage::truncate_micros(at);
        if self
            .rows
            .iter()
            .any(|r| r.alarm_id == alarm.id && (r.ended_at.is_none() || r.started_at == at))
        {
            return;
        }
        let row = SlaOutageRow {
            id: crate::ids::new_id(),
            tenant_id: tenant.to_string(),
            sla_instance_id: instance,
            alarm_id: alarm.id,
            severity: raised_severity(alarm).as_str().to_string(),
            service_affecting: is_service_affecting(alarm),
            started_at: at,
            acknowledged_at: alarm.acknowledged_at.map(|a| a.max(at)),
            ended_at: None,
            created_at: now,
            updated_at: now,
        };
        self.fresh.insert(row.id);
        self.rows.push(row);
    }

    fn end(&mut self, alarm: Uuid, at: DateTime<Utc>, now: DateTime<Utc>) {
        let at = faultdesk_storage::truncate_micros(at);
        for r in self.rows.iter_mut() {
            if r.alarm_id == alarm && r.ended_at.is_none() {
                r.ended_at = Some(at.max(r.started_at));
                r.updated_at = now;
                if !self.fresh.contains(&r.id) {
                    self.dirty.insert(r.id);
                }
            }
        }
    }

    fn acknowledge(&mut self, alarm: Uuid, at: DateTime<Utc>, now: DateTime<Utc>) {
        let at = faultdesk_storage::truncate_micros(at);
        for r in self.rows.iter_mut() {
            if r.alarm_id == alarm && r.acknowledged_at.is_none() {
                r.acknowledged_at = Some(at.max(r.started_at));
                r.updated_at = now;
                if !self.fresh.contains(&r.id) {
                    self.dirty.insert(r.id);
                }
            }
        }
    }

    async fn write(&self, tx: &Tx) -> Result<()> {
        let fresh: Vec<SlaOutageRow> = self
            .rows
            .iter()
            .filter(|r| self.fresh.contains(&r.id))
            .cloned()
            .collect();
        if !fresh.is_empty() {
            tx.insert_sla_outages(&fresh).await?;
        }
        for r in self.rows.iter().filter(|r| self.dirty.contains(&r.id)) {
            tx.update_sla_outage(r).await?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------ evaluation

/// Maintenance windows (start, end, scope) that may cover instances.
type Windows = Vec<(DateTime<Utc>, DateTime<Utc>, MaintenanceScope)>;

/// Everything an evaluation of some instances of one tenant needs, loaded in few queries.
struct Loaded {
    outages: HashMap<Uuid, Vec<SlaOutageRow>>,
    /// Performance samples by instance, oldest first.
    measurements: HashMap<Uuid, Vec<SlaMeasurementRow>>,
    breaches: HashMap<Uuid, Vec<SlaBreachRow>>,
    windows: Windows,
    /// Topology ancestors of the instances' resources (only when a window needs them).
    ancestors: HashMap<String, Vec<String>>,
    /// Definitions for instance rows without a snapshot.
    definitions: HashMap<Uuid, SlaDefinitionRow>,
}

async fn load(
    tx: &Tx,
    tenant: &str,
    rows: &[SlaInstanceRow],
    with_breaches: bool,
) -> Result<Loaded> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut outages: HashMap<Uuid, Vec<SlaOutageRow>> = HashMap::new();
    let mut measurements: HashMap<Uuid, Vec<SlaMeasurementRow>> = HashMap::new();
    let mut breaches: HashMap<Uuid, Vec<SlaBreachRow>> = HashMap::new();
    let mut windows = Windows::new();
    let mut ancestors = HashMap::new();
    let mut definitions = HashMap::new();
    if rows.is_empty() {
        return Ok(Loaded {
            outages,
            measurements,
            breaches,
            windows,
            ancestors,
            definitions,
        });
    }
    for o in tx.list_sla_outages(tenant, &ids).await? {
        outages.entry(o.sla_instance_id).or_default().push(o);
    }
    for m in tx.list_sla_measurements(tenant, &ids).await? {
        measurements.entry(m.sla_instance_id).or_default().push(m);
    }
    if with_breaches {
        for b in tx.sla_breaches_of(tenant, &ids).await? {
            breaches.entry(b.sla_instance_id).or_default().push(b);
        }
    }
    let from = rows
        .iter()
        .map(|r| r.period_start)
        .min()
        .expect("non-empty");
    let to = rows.iter().map(|r| r.period_end).max().expect("non-empty");
    let filter = MaintenanceFilter {
        overlapping: Some((from, to)),
        status: Vec::new(),
    };
    for w in tx.list_maintenance_windows(Some(tenant), &filter).await? {
        if w.status == "cancelled" {
            continue;
        }
        let scope: MaintenanceScope = serde_json::from_value(w.scope.clone())
            .map_err(|e| corrupt("maintenance window", w.id, e))?;
        windows.push((w.start_time, w.end_time, scope));
    }
    if windows
        .iter()
        .any(|(_, _, s)| s.include_descendants && !s.resources.is_empty())
    {
        let mut resources = BTreeSet::new();
        for r in rows {
            resources.extend(scope_of(r)?.resource_ids);
        }
        ancestors = ancestors_of(tx, tenant, resources.into_iter().collect()).await?;
    }
    for r in rows.iter().filter(|r| r.definition.is_none()) {
        if let std::collections::hash_map::Entry::Vacant(e) = definitions.entry(r.sla_definition_id)
            && let Some(d) = tx.get_sla_definition(tenant, r.sla_definition_id).await?
        {
            e.insert(d);
        }
    }
    Ok(Loaded {
        outages,
        measurements,
        breaches,
        windows,
        ancestors,
        definitions,
    })
}

/// Topology ancestors of each resource, nearest first (one query per level and 500 nodes).
async fn ancestors_of(
    tx: &Tx,
    tenant: &str,
    resources: Vec<String>,
) -> Result<HashMap<String, Vec<String>>> {
    let mut parent: HashMap<String, String> = HashMap::new();
    let mut frontier = resources.clone();
    let mut seen: HashSet<String> = resources.iter().cloned().collect();
    while !frontier.is_empty() {
        let edges = tx.topology_parents(tenant, &frontier).await?;
        frontier = Vec::new();
        for (child, p) in edges {
            if seen.insert(p.clone()) {
                frontier.push(p.clone());
            }
            parent.entry(child).or_insert(p);
        }
    }
    let mut out = HashMap::new();
    for r in resources {
        let mut chain = Vec::new();
        let mut cur = r.clone();
        while let Some(p) = parent.get(&cur) {
            if chain.contains(p) || chain.len() > 64 {
                break;
            }
            chain.push(p.clone());
            cur = p.clone();
        }
        out.insert(r, chain);
    }
    Ok(out)
}

/// Whether a maintenance window covers an instance: its customer, one of its resources, or a
/// topology ancestor of one when the window includes descendants.
fn window_covers(
    scope: &MaintenanceScope,
    sla: &SlaScope,
    ancestors: &HashMap<String, Vec<String>>,
) -> bool {
    if let Some(c) = &sla.customer_id
        && scope.customers.iter().any(|x| x == c)
    {
        return true;
    }
    sla.resource_ids.iter().any(|r| {
        scope.resources.iter().any(|x| x == r)
            || (scope.include_descendants
                && ancestors
                    .get(r)
                    .is_some_and(|a| a.iter().any(|p| scope.resources.contains(p))))
    })
}

/// Rebuilds the pure instance from its row, outages and the covering maintenance windows.
fn build(row: &SlaInstanceRow, outages: &[SlaOutageRow], loaded: &Loaded) -> Result<SlaInstance> {
    let def = instance_definition(row, loaded.definitions.get(&row.sla_definition_id))?;
    let scope = scope_of(row)?;
    let period = SlaPeriod::new(row.period_start, row.period_end).map_err(sla_err)?;
    let mut sla =
        SlaInstance::new(row.id, Arc::new(def), scope.clone(), period).map_err(sla_err)?;
    for (start, end, ws) in &loaded.windows {
        if window_covers(ws, &scope, &loaded.ancestors)
            && let Err(e) = sla.record_maintenance(*start, *end)
        {
            tracing::warn!(instance = %row.id, error = %e, "sla.maintenance_skipped");
        }
    }
    // The first interval of each alarm runs its response/resolution clocks; later ones (a
    // flapping alarm re-raised) are outages only.
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    for o in outages {
        let n = seen.entry(o.alarm_id).or_insert(0);
        *n += 1;
        let result = if *n == 1 {
            let severity = o.severity.parse().unwrap_or(Severity::Major);
            let mut a = SlaAlarm::new(o.alarm_id.to_string(), severity, o.started_at)
                .service_affecting(o.service_affecting);
            // In scope by construction: the row was written for this instance.
            a.customer_id = scope.customer_id.clone();
            a.service_id = scope.service_id.clone();
            a.resource_id = scope.resource_ids.iter().next().cloned();
            a.acknowledged_at = o.acknowledged_at;
            a.cleared_at = o.ended_at;
            sla.record_alarm(&a).map(|_| ())
        } else if o.service_affecting {
            sla.record_outage(&format!("{}@{n}", o.alarm_id), o.started_at, o.ended_at)
        } else {
            Ok(())
        };
        if let Err(e) = result {
            tracing::warn!(instance = %row.id, outage = %o.id, error = %e, "sla.outage_skipped");
        }
    }
    // Performance samples, oldest first (stored in order; `record_sla_measurements` refuses
    // a sample older than the last one of its metric).
    for m in loaded.measurements.get(&row.id).into_iter().flatten() {
        if let Err(e) = sla.record_measurement(&measurement_of(m)) {
            tracing::warn!(instance = %row.id, measurement = %m.id, error = %e, "sla.measurement_skipped");
        }
    }
    Ok(sla)
}

/// The pure sample of a stored one.
fn measurement_of(m: &SlaMeasurementRow) -> Measurement {
    Measurement {
        at: m.measured_at,
        latency_ms: m.latency_ms,
        packet_loss_percent: m.packet_loss_percent,
        bandwidth_mbps: m.bandwidth_mbps,
    }
}

/// Checks one sample of [`Desk::record_sla_measurements`] (`i` is its index in the call).
fn check_measurement(i: usize, m: &Measurement, period: SlaPeriod) -> Result<()> {
    let at = |msg: String| Error::validation(format!("Measurement {i}: {msg}"));
    let values = [
        ("latency_ms", m.latency_ms),
        ("packet_loss_percent", m.packet_loss_percent),
        ("bandwidth_mbps", m.bandwidth_mbps),
    ];
    if values.iter().all(|(_, v)| v.is_none()) {
        return Err(at(
            "give at least one of latency_ms, packet_loss_percent, bandwidth_mbps".into(),
        ));
    }
    for (name, v) in values {
        if let Some(v) = v
            && v < Decimal::ZERO
        {
            return Err(at(format!("{name} {v} must not be negative")));
        }
    }
    if let Some(p) = m.packet_loss_percent
        && p > Decimal::ONE_HUNDRED
    {
        return Err(at(format!("packet_loss_percent {p} must be at most 100")));
    }
    if !period.contains(m.at) {
        return Err(at(format!(
            "at {} is outside the instance's period {} to {}",
            m.at.to_rfc3339(),
            period.start.to_rfc3339(),
            period.end.to_rfc3339()
        )));
    }
    Ok(())
}

/// The alarm whose outage was open when an availability breach began (the latest started).
fn breach_alarm(outages: &[SlaOutageRow], at: DateTime<Utc>) -> Option<Uuid> {
    let at_floor = faultdesk_storage::truncate_micros(at);
    outages
        .iter()
        .filter(|o| {
            o.service_affecting && o.started_at <= at && o.ended_at.is_none_or(|e| e >= at_floor)
        })
        .max_by_key(|o| o.started_at)
        .map(|o| o.alarm_id)
}

fn breach_row_values(row: &mut SlaBreachRow, b: &fault_core::sla::Breach) {
    row.breach_end = b.end.map(faultdesk_storage::truncate_micros);
    row.duration_seconds = Some(b.duration.num_seconds());
    row.target_value = Some(b.target);
    row.actual_value = Some(b.actual);
    row.credit_amount = Some(cents(b.financial_impact));
    row.resolved = b.end.is_some();
    row.resolved_at = row.breach_end;
    row.details = serde_json::to_value(b).unwrap_or(Value::Null);
}

impl Desk {
    /// The tenant's instance index, rebuilt from storage inside `w`'s transaction when it was
    /// built under another SLA version than the one the transaction read under the tenant's
    /// correlation lock (or reads now, outside a correlating transaction).
    async fn sla_index(&self, w: &Work, tenant: &str) -> Result<Arc<SlaIndex>> {
        let version = match w.sla_version {
            Some(v) => v,
            None => {
                w.tx.correlation_stamp(tenant)
                    .await?
                    .map_or(0, |s| s.sla_version)
            }
        };
        if let Some(i) = self.inner.sla.current(tenant, version) {
            return Ok(i);
        }
        // Instances whose period ended at most LATE_ALARM_HORIZON before the transaction's
        // now: alarm changes reach the periods ending after them, and a replay of history
        // (events with past `occurred_at`) still reaches recent periods.
        let filter = SlaInstanceFilter {
            overlapping: Some((w.now - LATE_ALARM_HORIZON, far_future())),
            ..Default::default()
        };
        let mut index = SlaIndex::default();
        for row in w.tx.sla_instances_matching(tenant, &filter).await? {
            let period = SlaPeriod {
                start: row.period_start,
                end: row.period_end,
            };
            index.add(row.id, &scope_of(&row)?, period);
        }
        let index = Arc::new(index);
        self.inner.sla.store(tenant, version, index.clone());
        Ok(index)
    }

    /// Records alarm changes on the SLA instances they affect (see the module documentation),
    /// in the caller's transaction. `alarm` looks up an alarm's state after the changes.
    /// Costs nothing beyond a hash lookup per change when no instance is affected.
    pub(crate) async fn sla_track_alarms<'a>(
        &self,
        w: &mut Work,
        tenant: &str,
        decisions: &[Decision],
        alarm: &(dyn Fn(Uuid) -> Option<&'a Alarm> + Sync),
    ) -> Result<SlaTracked> {
        let index = self.sla_index(w, tenant).await?;
        if index.is_empty() {
            return Ok(SlaTracked::default());
        }
        let mut touched: Vec<(Uuid, Change, Vec<Uuid>)> = Vec::new();
        let mut all: Vec<Uuid> = Vec::new();
        for (id, change) in changes_of(decisions) {
            let Some(a) = alarm(id) else { continue };
            let mut ids = Vec::new();
            // An outage counts in every period it overlaps: periods ending after its start.
            let since = match change {
                Change::Raised(at) => at,
                _ => a.first_occurrence,
            };
            index.matching(a, since.min(a.first_occurrence), &mut ids);
            if ids.is_empty() {
                continue;
            }
            for i in &ids {
                if !all.contains(i) {
                    all.push(*i);
                }
            }
            touched.push((id, change, ids));
        }
        if touched.is_empty() {
            return Ok(SlaTracked::default());
        }
        all.sort();
        let rows = w.tx.get_sla_instances_for_update(tenant, &all).await?;
        let mut loaded = load(&w.tx, tenant, &rows, true).await?;
        let now = w.now;
        let mut per: HashMap<Uuid, Outages> = rows
            .iter()
            .map(|r| {
                (
                    r.id,
                    Outages::new(loaded.outages.remove(&r.id).unwrap_or_default()),
                )
            })
            .collect();
        for (alarm_id, change, ids) in &touched {
            let Some(a) = alarm(*alarm_id) else { continue };
            for i in ids {
                let Some(o) = per.get_mut(i) else { continue };
                match *change {
                    Change::Raised(at) => {
                        let end = rows.iter().find(|r| r.id == *i).map(|r| r.period_end);
                        if end.is_some_and(|e| e > at) {
                            o.raise(tenant, *i, a, at, now);
                        }
                    }
                    Change::Ended(at) => o.end(*alarm_id, at, now),
                    Change::Acknowledged(at) => o.acknowledge(*alarm_id, at, now),
                }
            }
        }
        let mut tracked = SlaTracked::default();
        for row in rows {
            let Some(o) = per.remove(&row.id) else {
                continue;
            };
            if !o.changed() {
                continue;
            }
            o.write(&w.tx).await?;
            loaded.outages.insert(row.id, o.rows);
            self.sla_evaluate(w, row, &loaded, now, &mut tracked)
                .await?;
        }
        Ok(tracked)
    }

    /// Evaluates one instance at `now` and writes what changed: its figures and next check
    /// instant, new breaches (once: `ON CONFLICT DO NOTHING`, with their `sla.instance_breach` event,
    /// notification intents and auto-ticket) and the end/actual/credit of known ones.
    async fn sla_evaluate(
        &self,
        w: &mut Work,
        mut row: SlaInstanceRow,
        loaded: &Loaded,
        now: DateTime<Utc>,
        tracked: &mut SlaTracked,
    ) -> Result<SlaInstanceRow> {
        let tenant = row.tenant_id.clone();
        let empty = Vec::new();
        let outages = loaded.outages.get(&row.id).unwrap_or(&empty);
        let sla = build(&row, outages, loaded)?;
        let status = sla.status(now);
        tracked.instances += 1;
        let known: HashMap<&str, &SlaBreachRow> = loaded
            .breaches
            .get(&row.id)
            .map(|v| v.iter().map(|b| (b.breach_key.as_str(), b)).collect())
            .unwrap_or_default();
        let scope = scope_of(&row)?;
        let triggers = &self.inner.config.correlator.triggers;
        for b in &status.breaches {
            if let Some(existing) = known.get(b.key.as_str()) {
                let mut updated = (*existing).clone();
                breach_row_values(&mut updated, b);
                if &updated != *existing {
                    w.tx.update_sla_breach(&updated).await?;
                }
                continue;
            }
            let alarm_id = match b.kind {
                BreachKind::Availability => breach_alarm(outages, b.start),
                _ => b.alarm_id.as_deref().and_then(|a| a.parse().ok()),
            };
            let mut br = SlaBreachRow {
                id: crate::ids::new_id(),
                tenant_id: tenant.clone(),
                sla_instance_id: row.id,
                breach_key: b.key.clone(),
                breach_type: b.kind.as_str().to_string(),
                alarm_id,
                ticket_id: None,
                breach_start: faultdesk_storage::truncate_micros(b.start),
                breach_end: None,
                duration_seconds: None,
                target_value: None,
                actual_value: None,
                credit_amount: None,
                resolved: false,
                resolved_at: None,
                details: Value::Null,
                created_at: now,
            };
            breach_row_values(&mut br, b);
            if !w.tx.insert_sla_breach(&br).await? {
                // Another writer recorded it first: it announced and ticketed it.
                continue;
            }
            tracked.breaches += 1;
            if let Some(a) = alarm_id
                && triggers.enabled
                && triggers.sla_breach
            {
                let req = TicketRequest::for_breach(row.id, b);
                let draft = fault_core::draft::TicketFromAlarmRequest {
                    priority: Some(req.priority),
                    additional_notes: Some(format!(
                        "{}. SLA '{}' of customer {} ({} to {}); breach {}.",
                        req.title,
                        sla.definition().name,
                        scope.customer_id.as_deref().unwrap_or("-"),
                        row.period_start.to_rfc3339(),
                        row.period_end.to_rfc3339(),
                        br.id
                    )),
                    assign_to_user_id: None,
                };
                let user = self.inner.config.system_user.clone();
                match self
                    .ticket_from_alarm_in_tx(w, &tenant, &user, None, a, &draft, Some("sla_breach"))
                    .await
                {
                    Ok(t) => {
                        br.ticket_id = Some(t.ticket_id);
                        tracked.tickets.push(t.ticket_id);
                        tracked.decisions.push(Decision::TicketRequested {
                            alarm_id: a,
                            trigger: TicketTrigger::SlaBreach {
                                breach_id: Some(br.id),
                            },
                        });
                    }
                    Err(e) if e.kind() == ErrorKind::Conflict => {
                        // The alarm already has a ticket: link the breach to it.
                        br.ticket_id = w.tx.get_alarm(&tenant, a).await?.and_then(|r| r.ticket_id);
                    }
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
                if br.ticket_id.is_some() {
                    w.tx.update_sla_breach(&br).await?;
                }
            }
            tracing::warn!(
                tenant_id = %tenant,
                instance = %row.id,
                breach = %b.key,
                customer_id = scope.customer_id.as_deref().unwrap_or(""),
                "sla.instance_breach"
            );
            self.emit_notify(
                w,
                &tenant,
                "sla.instance_breach",
                Some(row.id.to_string()),
                false,
                json!({
                    "instance_id": row.id,
                    "breach_id": br.id,
                    "breach_key": br.breach_key,
                    "breach_type": br.breach_type,
                    "definition": sla.definition().name,
                    "customer_id": scope.customer_id,
                    "service_id": scope.service_id,
                    "breach_start": br.breach_start,
                    "target": b.target,
                    "actual": b.actual,
                    "credit_amount": br.credit_amount,
                    "alarm_id": br.alarm_id,
                    "ticket_id": br.ticket_id,
                }),
                Related {
                    ticket_id: br.ticket_id,
                    alarm_id: br.alarm_id,
                },
            );
        }
        let new_status = status_column(&status, now);
        if new_status == "at_risk" && row.status == "active" {
            self.emit_notify(
                w,
                &tenant,
                "sla.instance_at_risk",
                Some(row.id.to_string()),
                false,
                json!({
                    "instance_id": row.id,
                    "definition": sla.definition().name,
                    "customer_id": scope.customer_id,
                    "availability": status.availability,
                    "remaining_allowance_seconds": status.remaining_allowance.num_seconds(),
                }),
                Related::default(),
            );
        }
        row.status = new_status.to_string();
        row.current_availability = Some(status.availability);
        row.planned_downtime_seconds = status.planned_downtime.num_seconds();
        row.unplanned_downtime_seconds = status.unplanned_downtime.num_seconds();
        row.breach_count = status.breach_count as i32;
        row.credit_amount = cents(status.credits_owed);
        row.next_check_at = sla.next_change(now).map(ceil_micros);
        row.updated_at = now;
        w.tx.update_sla_instance(&row).await?;
        Ok(row)
    }

    /// The availability-SLA part of one [`Desk::run_due`] round, in its transaction: claims
    /// up to `batch` instances (of every tenant) whose `next_check_at` is at or before `now`
    /// and evaluates them. Returns how many were claimed and what the evaluations did.
    pub(crate) async fn sla_run_due_batch(
        &self,
        w: &mut Work,
        now: DateTime<Utc>,
        batch: u32,
    ) -> Result<(usize, SlaTracked)> {
        let rows = w.tx.claim_due_sla_instances(now, batch).await?;
        let claimed = rows.len();
        let mut by_tenant: BTreeMap<String, Vec<SlaInstanceRow>> = BTreeMap::new();
        for r in rows {
            by_tenant.entry(r.tenant_id.clone()).or_default().push(r);
        }
        let mut t = SlaTracked::default();
        for (tenant, rows) in by_tenant {
            let loaded = load(&w.tx, &tenant, &rows, true).await?;
            for row in rows {
                self.sla_evaluate(w, row, &loaded, now, &mut t).await?;
            }
        }
        Ok((claimed, t))
    }

    // -------------------------------------------------------------------------------- definitions

    /// Stores an availability SLA definition (seed 002's `create_definition`). An invalid
    /// definition is a Validation error naming the field; nothing is written. Requires
    /// `faults.sla.write`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, Desk, DeskConfig};
    /// use faultdesk::fault::sla::SlaDefinition;
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// let manager = Actor::new("acme", "m-1").with_roles(["SLA_MANAGER"]);
    /// let def = SlaDefinition::from_json(r#"{"name": "Enterprise Fiber 99.9%",
    ///     "availability_target": "0.999",
    ///     "measurement_period": {"kind": "calendar_month"},
    ///     "monthly_fee": "1000.00"}"#).unwrap();
    /// let stored = desk.create_sla_definition(&manager, def).await?;
    /// assert_eq!(desk.list_sla_definitions(&manager).await?[0].id, stored.id);
    /// # Ok::<(), faultdesk::Error>(()) }).unwrap();
    /// ```
    pub async fn create_sla_definition(
        &self,
        actor: &Actor,
        definition: SlaDefinition,
    ) -> Result<StoredSlaDefinition> {
        self.require(actor, perms::FAULTS_SLA_WRITE)?;
        definition.validate().map_err(sla_err)?;
        check_text("name", &definition.name)?;
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            let id = crate::ids::new_id();
            let row = definition_row(&tenant, id, &definition, w.now, w.now);
            w.tx.insert_sla_definition(&row).await?;
            w.emit(
                &tenant,
                "sla.definition_created",
                Some(id.to_string()),
                false,
                json!({"definition_id": id, "name": definition.name}),
            );
            stored_definition(&row)
        })
    }

    /// An SLA definition of the actor's tenant (`SLA definition {id} not found` otherwise).
    /// Requires `faults.sla.read`.
    pub async fn get_sla_definition(&self, actor: &Actor, id: Uuid) -> Result<StoredSlaDefinition> {
        self.require(actor, perms::FAULTS_SLA_READ)?;
        let tenant = actor.tenant_id.clone();
        let row = read_tx!(self, |tx| Ok(tx.get_sla_definition(&tenant, id).await?))?;
        stored_definition(&row.ok_or_else(|| definition_not_found(id))?)
    }

    /// The tenant's SLA definitions by name. Requires `faults.sla.read`.
    pub async fn list_sla_definitions(&self, actor: &Actor) -> Result<Vec<StoredSlaDefinition>> {
        self.require(actor, perms::FAULTS_SLA_READ)?;
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| Ok(tx.list_sla_definitions(&tenant).await?))?;
        rows.iter().map(stored_definition).collect()
    }

    /// Replaces a definition. Instances created before keep the definition they were created
    /// with (a past period is not re-judged by new terms); new instances use this one.
    /// Requires `faults.sla.write`.
    pub async fn update_sla_definition(
        &self,
        actor: &Actor,
        id: Uuid,
        definition: SlaDefinition,
    ) -> Result<StoredSlaDefinition> {
        self.require(actor, perms::FAULTS_SLA_WRITE)?;
        definition.validate().map_err(sla_err)?;
        check_text("name", &definition.name)?;
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            let old =
                w.tx.get_sla_definition(&tenant, id)
                    .await?
                    .ok_or_else(|| definition_not_found(id))?;
            let mut row = definition_row(&tenant, id, &definition, old.created_at, w.now);
            row.description = old.description.clone();
            row.enabled = old.enabled;
            w.tx.update_sla_definition(&row).await?;
            w.emit(
                &tenant,
                "sla.definition_updated",
                Some(id.to_string()),
                false,
                json!({"definition_id": id, "name": definition.name}),
            );
            stored_definition(&row)
        })
    }

    /// Deletes a definition that has no instances (Conflict otherwise: delete or keep its
    /// instances first). Requires `faults.sla.write`.
    pub async fn delete_sla_definition(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.require(actor, perms::FAULTS_SLA_WRITE)?;
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            w.tx.get_sla_definition(&tenant, id)
                .await?
                .ok_or_else(|| definition_not_found(id))?;
            let n = w.tx.count_sla_instances_of_definition(&tenant, id).await?;
            if n > 0 {
                return Err(Error::conflict(format!(
                    "SLA definition {id} has {n} instance(s); delete them before the definition"
                )));
            }
            w.tx.delete_sla_definition(&tenant, id).await?;
            w.emit(
                &tenant,
                "sla.definition_deleted",
                Some(id.to_string()),
                false,
                json!({"definition_id": id}),
            );
            Ok(())
        })
    }

    // -------------------------------------------------------------------------------- instances

    /// Applies a definition to a customer (and optionally a service and resources) for one
    /// measurement period. Alarms of the period already stored that the scope names are
    /// recorded as its outages (an alarm's whole span, first occurrence to clear). Requires
    /// `faults.sla.write`.
    ///
    /// Errors: unknown definition (NotFound); empty customer, bad fee, currency, period or
    /// metadata (Validation; nothing written).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, Desk, DeskConfig, NewSlaInstance};
    /// use faultdesk::fault::sla::{MeasurementPeriod, SlaDefinition};
    /// use rust_decimal::Decimal;
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// let admin = Actor::new("acme", "a-1").with_roles(["ADMIN"]);
    /// let def = desk.create_sla_definition(&admin,
    ///     SlaDefinition::new("Gold", Decimal::new(999, 3), MeasurementPeriod::utc_month())).await?;
    /// let inst = desk.create_sla_instance(&admin,
    ///     NewSlaInstance::new(def.id, "cust-1").with_resources(["olt-7"])).await?;
    /// let status = desk.sla_status(&admin, inst.id).await?;
    /// assert_eq!(status.status.availability, Decimal::ONE);
    /// # Ok::<(), faultdesk::Error>(()) }).unwrap();
    /// ```
    pub async fn create_sla_instance(
        &self,
        actor: &Actor,
        input: NewSlaInstance,
    ) -> Result<StoredSlaInstance> {
        let mut out = self.create_sla_instances(actor, vec![input]).await?;
        Ok(out.remove(0))
    }

    /// Creates many instances in ONE transaction, all or nothing (an invalid input is a
    /// Validation error naming its index). At most [`MAX_INSTANCES_PER_CALL`]. Requires
    /// `faults.sla.write`.
    pub async fn create_sla_instances(
        &self,
        actor: &Actor,
        inputs: Vec<NewSlaInstance>,
    ) -> Result<Vec<StoredSlaInstance>> {
        self.require(actor, perms::FAULTS_SLA_WRITE)?;
        if inputs.is_empty() {
            return Err(Error::validation("no SLA instances given"));
        }
        if inputs.len() > MAX_INSTANCES_PER_CALL {
            return Err(Error::validation(format!(
                "at most {MAX_INSTANCES_PER_CALL} SLA instances per call, got {}",
                inputs.len()
            )));
        }
        let many = inputs.len() > 1;
        let at_index = |i: usize, e: Error| {
            if many {
                Error::new(e.kind(), format!("Instance {i}: {}", e.message()))
            } else {
                e
            }
        };
        for (i, input) in inputs.iter().enumerate() {
            (|| -> Result<()> {
                check_text("customer_id", &input.customer_id)?;
                if let Some(s) = &input.service_id {
                    check_text("service_id", s)?;
                }
                for r in &input.resource_ids {
                    check_text("resource_ids", r)?;
                }
                if input.at.is_some() && input.period.is_some() {
                    return Err(Error::validation("give either at or period, not both"));
                }
                if let Some(p) = &input.period {
                    SlaPeriod::new(p.start, p.end).map_err(sla_err)?;
                }
                check_fee(input.monthly_fee)?;
                check_currency(&input.currency)?;
                check_metadata(&input.metadata)
            })()
            .map_err(|e| at_index(i, e))?;
        }
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            // Under the tenant's correlation lock: alarm changes wait for these instances and
            // then track them (every process rebuilds its index at the new version).
            w.tx.bump_sla_version(&tenant, w.now).await?;
            let mut defs: HashMap<Uuid, SlaDefinitionRow> = HashMap::new();
            let mut rows = Vec::with_capacity(inputs.len());
            let mut out = Vec::with_capacity(inputs.len());
            for (i, input) in inputs.iter().enumerate() {
                let drow = match defs.entry(input.definition_id) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => e.insert(
                        w.tx.get_sla_definition(&tenant, input.definition_id)
                            .await?
                            .ok_or_else(|| {
                                at_index(i, definition_not_found(input.definition_id))
                            })?,
                    ),
                };
                if !drow.enabled {
                    return Err(at_index(
                        i,
                        Error::validation(format!(
                            "SLA definition {} is disabled",
                            input.definition_id
                        )),
                    ));
                }
                let mut def = definition_from_row(drow)?;
                if let Some(fee) = input.monthly_fee {
                    def.monthly_fee = fee;
                }
                let scope = SlaScope {
                    customer_id: Some(input.customer_id.clone()),
                    service_id: input.service_id.clone(),
                    resource_ids: input.resource_ids.iter().cloned().collect(),
                };
                let period = match input.period {
                    Some(p) => p,
                    None => def
                        .measurement_period
                        .period_containing(input.at.unwrap_or(w.now))
                        .map_err(|e| at_index(i, sla_err(e)))?,
                };
                let id = crate::ids::new_id();
                // Validates scope and period against the definition, as the evaluation will.
                SlaInstance::new(id, Arc::new(def.clone()), scope.clone(), period)
                    .map_err(|e| at_index(i, sla_err(e)))?;
                let row = SlaInstanceRow {
                    id,
                    tenant_id: tenant.clone(),
                    sla_definition_id: input.definition_id,
                    customer_id: input.customer_id.clone(),
                    service_id: input.service_id.clone(),
                    resource_type: None,
                    resource_id: scope.resource_ids.iter().next().cloned(),
                    status: "active".into(),
                    period_start: faultdesk_storage::truncate_micros(period.start),
                    period_end: faultdesk_storage::truncate_micros(period.end),
                    current_availability: Some(Decimal::ONE),
                    planned_downtime_seconds: 0,
                    unplanned_downtime_seconds: 0,
                    breach_count: 0,
                    credit_amount: cents(Decimal::ZERO),
                    monthly_fee: Some(def.monthly_fee),
                    currency: input.currency.clone(),
                    metadata: input.metadata.clone().unwrap_or_else(|| json!({})),
                    created_at: w.now,
                    updated_at: w.now,
                    definition: Some(serde_json::to_value(&def).unwrap_or(Value::Null)),
                    scope: Some(serde_json::to_value(&scope).unwrap_or(Value::Null)),
                    next_check_at: None,
                };
                rows.push(row);
            }
            w.tx.insert_sla_instances(&rows).await?;
            // Alarms of the periods the scopes name become outages.
            let customers: Vec<String> = rows.iter().map(|r| r.customer_id.clone()).collect();
            let resources: Vec<String> = rows
                .iter()
                .flat_map(|r| scope_of(r).map(|s| s.resource_ids).unwrap_or_default())
                .collect();
            let from = rows
                .iter()
                .map(|r| r.period_start)
                .min()
                .expect("non-empty");
            let to = rows.iter().map(|r| r.period_end).max().expect("non-empty");
            let alarms =
                w.tx.alarms_touching(&tenant, &customers, &resources, from, to)
                    .await?
                    .iter()
                    .map(alarm_from_row)
                    .collect::<Result<Vec<Alarm>>>()?;
            let loaded_rows = rows.clone();
            let mut loaded = load(&w.tx, &tenant, &loaded_rows, false).await?;
            let now = w.now;
            for r in &rows {
                let scope = scope_of(r)?;
                let mut o = Outages::new(Vec::new());
                for a in &alarms {
                    let service = a.labels.get("service_id").map(String::as_str);
                    if !scope.matches(a.customer_id.as_deref(), service, a.resource_id.as_deref())
                        || a.first_occurrence >= r.period_end
                    {
                        continue;
                    }
                    o.raise(&tenant, r.id, a, a.first_occurrence, now);
                    if let Some(end) = a
                        .cleared_at
                        .or(a.resolved_at)
                        .filter(|_| !a.status.is_raised())
                    {
                        o.end(a.id, end, now);
                    }
                }
                o.write(&w.tx).await?;
                loaded.outages.insert(r.id, o.rows);
            }
            let mut tracked = SlaTracked::default();
            for r in rows {
                let def = instance_definition(&r, None)?;
                let stored = self.sla_evaluate(w, r, &loaded, now, &mut tracked).await?;
                out.push(stored_instance(&stored, def)?);
            }
            w.emit(
                &tenant,
                "sla.instances_created",
                None,
                false,
                json!({"count": out.len(), "instance_ids": out.iter().map(|i| i.id).take(100).collect::<Vec<_>>()}),
            );
            Ok(out)
        })
    }

    /// An SLA instance with the figures last stored. Requires `faults.sla.read`.
    pub async fn get_sla_instance(&self, actor: &Actor, id: Uuid) -> Result<StoredSlaInstance> {
        self.require(actor, perms::FAULTS_SLA_READ)?;
        let tenant = actor.tenant_id.clone();
        read_tx!(self, |tx| {
            let row = tx
                .get_sla_instance(&tenant, id)
                .await?
                .ok_or_else(|| instance_not_found(id))?;
            let fallback = match row.definition {
                Some(_) => None,
                None => {
                    tx.get_sla_definition(&tenant, row.sla_definition_id)
                        .await?
                }
            };
            let def = instance_definition(&row, fallback.as_ref())?;
            stored_instance(&row, def)
        })
    }

    /// The tenant's SLA instances matching `query`, by period start, one page (page_size ≤
    /// 100). Requires `faults.sla.read`.
    pub async fn list_sla_instances(
        &self,
        actor: &Actor,
        query: SlaInstanceQuery,
    ) -> Result<Page<StoredSlaInstance>> {
        self.require(actor, perms::FAULTS_SLA_READ)?;
        let (page, page_size) = check_page(query.page, query.page_size)?;
        let overlapping = match (query.from, query.to) {
            (Some(f), Some(t)) if t > f => Some((f, t)),
            (None, None) => None,
            (Some(_), Some(_)) => return Err(Error::validation("to must be after from")),
            _ => return Err(Error::validation("give both from and to, or neither")),
        };
        for s in &query.status {
            if !["active", "at_risk", "breached", "expired"].contains(&s.as_str()) {
                return Err(Error::validation(format!(
                    "Invalid SLA instance status '{s}'. Accepted values: active, at_risk, breached, expired"
                )));
            }
        }
        let filter = SlaInstanceFilter {
            customer_id: query.customer_id.clone(),
            service_id: query.service_id.clone(),
            definition_id: query.definition_id,
            status: query.status.clone(),
            overlapping,
        };
        let tenant = actor.tenant_id.clone();
        let (paged, defs) = read_tx!(self, |tx| {
            let paged = tx
                .list_sla_instances_page(
                    &tenant,
                    &filter,
                    faultdesk_storage::Page::new(page, page_size),
                )
                .await?;
            let mut defs = HashMap::new();
            for r in paged.items.iter().filter(|r| r.definition.is_none()) {
                if let Some(d) = tx.get_sla_definition(&tenant, r.sla_definition_id).await? {
                    defs.insert(d.id, d);
                }
            }
            Ok((paged, defs))
        })?;
        let items = paged
            .items
            .iter()
            .map(|r| stored_instance(r, instance_definition(r, defs.get(&r.sla_definition_id))?))
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total: paged.total,
            page,
            page_size,
            next_cursor: None,
        })
    }

    /// Changes an instance's fee, currency or metadata (credits are recomputed). Requires
    /// `faults.sla.write`.
    pub async fn update_sla_instance(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: SlaInstancePatch,
    ) -> Result<StoredSlaInstance> {
        self.require(actor, perms::FAULTS_SLA_WRITE)?;
        check_fee(patch.monthly_fee)?;
        check_currency(&patch.currency)?;
        check_metadata(&patch.metadata)?;
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            let mut row =
                w.tx.get_sla_instance_for_update(&tenant, id)
                    .await?
                    .ok_or_else(|| instance_not_found(id))?;
            let loaded0 = load(&w.tx, &tenant, std::slice::from_ref(&row), false).await?;
            let mut def =
                instance_definition(&row, loaded0.definitions.get(&row.sla_definition_id))?;
            if let Some(fee) = patch.monthly_fee {
                def.monthly_fee = fee;
                row.monthly_fee = Some(fee);
            }
            row.definition = Some(serde_json::to_value(&def).unwrap_or(Value::Null));
            if let Some(c) = &patch.currency {
                row.currency = Some(c.clone());
            }
            if let Some(m) = &patch.metadata {
                row.metadata = m.clone();
            }
            row.updated_at = w.now;
            w.tx.update_sla_instance(&row).await?;
            let loaded = load(&w.tx, &tenant, std::slice::from_ref(&row), true).await?;
            let mut tracked = SlaTracked::default();
            let now = w.now;
            let stored = self
                .sla_evaluate(w, row, &loaded, now, &mut tracked)
                .await?;
            w.emit(
                &tenant,
                "sla.instance_updated",
                Some(id.to_string()),
                false,
                json!({"instance_id": id}),
            );
            stored_instance(&stored, def)
        })
    }

    /// Deletes an instance with its outages and breach records. Requires `faults.sla.write`.
    pub async fn delete_sla_instance(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.require(actor, perms::FAULTS_SLA_WRITE)?;
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            if !w.tx.delete_sla_instance(&tenant, id).await? {
                return Err(instance_not_found(id));
            }
            w.tx.bump_sla_version(&tenant, w.now).await?;
            w.emit(
                &tenant,
                "sla.instance_deleted",
                Some(id.to_string()),
                false,
                json!({"instance_id": id}),
            );
            Ok(())
        })
    }

    /// Records performance samples (latency, packet loss, bandwidth) on an instance and
    /// evaluates it against its definition's performance targets (seed 002's "Performance
    /// Monitoring"): a value beyond its target opens a `performance` breach for that metric —
    /// recorded once, with its `sla.instance_breach` event and notification intents, and the
    /// credit the definition gives for it — and the next value within target ends it. Samples
    /// are taken in time order (a call's samples are sorted first); samples inside an excluded
    /// maintenance window or outside business hours are not judged. At most
    /// [`MAX_MEASUREMENTS_PER_CALL`] samples, all or nothing. Requires `faults.sla.write`.
    ///
    /// Errors: unknown instance (NotFound); no samples, a sample with no value, a negative
    /// value, packet loss above 100 %, a sample outside the instance's period, or one older
    /// than the last recorded sample of its metric (Validation; nothing written).
    pub async fn record_sla_measurements(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        mut samples: Vec<Measurement>,
    ) -> Result<StoredSlaInstance> {
        self.require(actor, perms::FAULTS_SLA_WRITE)?;
        if samples.is_empty() {
            return Err(Error::validation("no measurements given"));
        }
        if samples.len() > MAX_MEASUREMENTS_PER_CALL {
            return Err(Error::validation(format!(
                "at most {MAX_MEASUREMENTS_PER_CALL} measurements per call, got {}",
                samples.len()
            )));
        }
        for m in samples.iter_mut() {
            m.at = faultdesk_storage::truncate_micros(m.at);
        }
        let tenant = actor.tenant_id.clone();
        write_tx!(self, |w| {
            let row =
                w.tx.get_sla_instance_for_update(&tenant, instance_id)
                    .await?
                    .ok_or_else(|| instance_not_found(instance_id))?;
            let period = SlaPeriod {
                start: row.period_start,
                end: row.period_end,
            };
            for (i, m) in samples.iter().enumerate() {
                check_measurement(i, m, period)?;
            }
            let mut order: Vec<usize> = (0..samples.len()).collect();
            order.sort_by_key(|&i| samples[i].at);
            let mut loaded = load(&w.tx, &tenant, std::slice::from_ref(&row), true).await?;
            // The samples must follow the stored ones: judged on the instance as it stands.
            let mut sla = build(
                &row,
                loaded.outages.get(&row.id).map_or(&[][..], |v| v),
                &loaded,
            )?;
            for &i in &order {
                sla.record_measurement(&samples[i])
                    .map_err(|e| Error::validation(format!("Measurement {i}: {e}")))?;
            }
            let now = w.now;
            let rows: Vec<SlaMeasurementRow> = order
                .iter()
                .map(|&i| SlaMeasurementRow {
                    id: crate::ids::new_id(),
                    tenant_id: tenant.clone(),
                    sla_instance_id: instance_id,
                    measured_at: samples[i].at,
                    latency_ms: samples[i].latency_ms,
                    packet_loss_percent: samples[i].packet_loss_percent,
                    bandwidth_mbps: samples[i].bandwidth_mbps,
                    created_at: now,
                })
                .collect();
            w.tx.insert_sla_measurements(&rows).await?;
            loaded
                .measurements
                .entry(instance_id)
                .or_default()
                .extend(rows);
            let def = instance_definition(&row, loaded.definitions.get(&row.sla_definition_id))?;
            let mut tracked = SlaTracked::default();
            let stored = self
                .sla_evaluate(w, row, &loaded, now, &mut tracked)
                .await?;
            stored_instance(&stored, def)
        })
    }

    /// The instance's status now (Desk clock): availability, planned and unplanned downtime,
    /// compliance, breaches and credits, computed from its outages and the maintenance windows
    /// that cover it. A read: breaches it shows are recorded by the next alarm change or
    /// [`Desk::run_due`]. Requires `faults.sla.read`.
    pub async fn sla_status(&self, actor: &Actor, id: Uuid) -> Result<SlaInstanceStatus> {
        self.require(actor, perms::FAULTS_SLA_READ)?;
        let tenant = actor.tenant_id.clone();
        let now = self.now();
        read_tx!(self, |tx| {
            let row = tx
                .get_sla_instance(&tenant, id)
                .await?
                .ok_or_else(|| instance_not_found(id))?;
            let loaded = load(tx, &tenant, std::slice::from_ref(&row), false).await?;
            let empty = Vec::new();
            let sla = build(&row, loaded.outages.get(&row.id).unwrap_or(&empty), &loaded)?;
            let def = instance_definition(&row, loaded.definitions.get(&row.sla_definition_id))?;
            Ok(SlaInstanceStatus {
                instance: stored_instance(&row, def)?,
                status: sla.status(now),
            })
        })
    }

    /// Seed 002's compliance report: every instance of the tenant whose period overlaps
    /// `[from, to)` (optionally one customer's, service's or definition's), each evaluated now,
    /// with availability, planned/unplanned downtime, breaches and credits, and totals
    /// (average availability, total breaches, total credits). Requires `faults.sla.read`.
    pub async fn sla_compliance_report(
        &self,
        actor: &Actor,
        query: SlaReportQuery,
    ) -> Result<ComplianceReport> {
        self.require(actor, perms::FAULTS_SLA_READ)?;
        if query.to <= query.from {
            return Err(Error::validation(format!(
                "Invalid report range: to {} must be after from {}",
                query.to.to_rfc3339(),
                query.from.to_rfc3339()
            )));
        }
        let tenant = actor.tenant_id.clone();
        let now = self.now();
        let filter = SlaInstanceFilter {
            customer_id: query.customer_id.clone(),
            service_id: query.service_id.clone(),
            definition_id: query.definition_id,
            status: Vec::new(),
            overlapping: Some((query.from, query.to)),
        };
        let instances = read_tx!(self, |tx| {
            let rows = tx.sla_instances_matching(&tenant, &filter).await?;
            let loaded = load(tx, &tenant, &rows, false).await?;
            let empty = Vec::new();
            rows.iter()
                .map(|r| build(r, loaded.outages.get(&r.id).unwrap_or(&empty), &loaded))
                .collect::<Result<Vec<SlaInstance>>>()
        })?;
        compliance_report(instances.iter(), query.from, query.to, now).map_err(sla_err)
    }

    /// Recorded breaches of the tenant (optionally of one instance, starting in a range),
    /// oldest first. Requires `faults.sla.read`.
    pub async fn list_sla_breaches(
        &self,
        actor: &Actor,
        query: SlaBreachQuery,
    ) -> Result<Vec<SlaBreachRecord>> {
        self.require(actor, perms::FAULTS_SLA_READ)?;
        let range = match (query.from, query.to) {
            (Some(f), Some(t)) if t > f => Some((f, t)),
            (None, None) => None,
            (Some(f), None) => Some((f, far_future())),
            (None, Some(t)) => Some((far_past(), t)),
            _ => return Err(Error::validation("to must be after from")),
        };
        let tenant = actor.tenant_id.clone();
        let rows = read_tx!(self, |tx| {
            if let Some(i) = query.instance_id {
                tx.get_sla_instance(&tenant, i)
                    .await?
                    .ok_or_else(|| instance_not_found(i))?;
            }
            Ok(tx
                .list_sla_breaches(&tenant, query.instance_id, range)
                .await?)
        })?;
        Ok(rows.into_iter().map(SlaBreachRecord::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn definitions_round_trip_through_their_row() {
        let def = SlaDefinition::from_json(
            r#"{"name": "Gold", "availability_target": "0.999",
                "measurement_period": {"kind": "days", "days": 30},
                "response_minutes": {"critical": 15},
                "credit_schedule": {"tiers": [{"below_percent": "99.9", "credit_percent": "10"}]},
                "monthly_fee": "1000.00"}"#,
        )
        .unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut row = definition_row("t", Uuid::nil(), &def, t, t);
        assert_eq!(row.measurement_period_days, 30);
        assert_eq!(row.response_times, json!({"critical": 15}));
        assert_eq!(definition_from_row(&row).unwrap(), def);
        // A row written by another program, plain columns only.
        row.definition = None;
        let rebuilt = definition_from_row(&row).unwrap();
        assert_eq!(rebuilt.availability_target, def.availability_target);
        assert_eq!(rebuilt.response_minutes, def.response_minutes);
        assert_eq!(rebuilt.credit_schedule, def.credit_schedule);
    }

    #[test]
    fn flapping_decisions_open_and_close_intervals() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let id = crate::ids::new_id();
        let ds = vec![
            Decision::Flapping {
                alarm_id: id,
                flap_count: 2,
                status: fault_core::AlarmStatus::Cleared,
                severity: Severity::Cleared,
                occurrence_count: 2,
                at: t,
            },
            Decision::Flapping {
                alarm_id: id,
                flap_count: 3,
                status: fault_core::AlarmStatus::Active,
                severity: Severity::Major,
                occurrence_count: 3,
                at: t + Duration::minutes(1),
            },
        ];
        assert_eq!(
            changes_of(&ds),
            vec![
                (id, Change::Ended(t)),
                (id, Change::Raised(t + Duration::minutes(1)))
            ]
        );
    }

    #[test]
    fn check_instants_round_up_to_microseconds() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(ceil_micros(t), t);
        assert_eq!(
            ceil_micros(t + Duration::nanoseconds(1)),
            t + Duration::microseconds(1)
        );
    }

    #[test]
    fn windows_cover_customers_resources_and_descendants() {
        let scope = SlaScope::customer("c1").with_resources(["ont-1"]);
        let anc = HashMap::from([(
            "ont-1".to_string(),
            vec!["spl".to_string(), "olt-1".to_string()],
        )]);
        let by_olt = MaintenanceScope {
            resources: vec!["olt-1".into()],
            include_descendants: true,
            ..Default::default()
        };
        assert!(window_covers(&by_olt, &scope, &anc));
        let no_desc = MaintenanceScope {
            include_descendants: false,
            ..by_olt.clone()
        };
        assert!(!window_covers(&no_desc, &scope, &anc));
        let by_customer = MaintenanceScope {
            customers: vec!["c1".into()],
            ..Default::default()
        };
        assert!(window_covers(&by_customer, &scope, &HashMap::new()));
        let other = MaintenanceScope {
            resources: vec!["olt-2".into()],
            include_descendants: true,
            ..Default::default()
        };
        assert!(!window_covers(&other, &scope, &anc));
    }
}
