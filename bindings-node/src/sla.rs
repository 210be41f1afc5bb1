//! Availability SLA objects (the Desk's SLA service, `src/desk/sla.rs`) as JavaScript sees
//! them. Money, ratios and measured values cross as decimal strings (`"0.999"`, `"12.50"`;
//! inputs also accept numbers), durations as milliseconds, definitions as fault-core's JSON
//! (snake_case keys, as `createSlaDefinition` takes them).

use crate::alarms::serde_name;
use crate::convert::{opt_uuid, uuid};
use chrono::{DateTime, Utc};
use faultdesk::fault::sla;
use napi::Either;
use napi_derive::napi;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A decimal given as a string or a number.
pub type DecimalInput = Either<String, f64>;

/// Reads a decimal input for `what` (Validation error naming it).
fn decimal(what: &str, v: DecimalInput) -> faultdesk::Result<Decimal> {
    let text = match v {
        Either::A(s) => s,
        Either::B(f) if f.is_finite() => f.to_string(),
        Either::B(f) => {
            return Err(faultdesk::Error::validation(format!(
                "{what} must be a finite number, got {f}"
            )));
        }
    };
    Decimal::from_str(text.trim()).map_err(|_| {
        faultdesk::Error::validation(format!("{what} must be a decimal number, got '{text}'"))
    })
}

fn opt_decimal(what: &str, v: Option<DecimalInput>) -> faultdesk::Result<Option<Decimal>> {
    v.map(|v| decimal(what, v)).transpose()
}

fn ms(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64
}

fn count(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

/// An SLA definition argument: fault-core's JSON as an object or a string, read with
/// fault-core's own reader so that its errors name the offending field.
pub fn definition(v: serde_json::Value) -> faultdesk::Result<sla::SlaDefinition> {
    let text = match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    sla::SlaDefinition::from_json(&text).map_err(|e| faultdesk::Error::validation(e.to_string()))
}

fn definition_json(d: &sla::SlaDefinition) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or(serde_json::Value::Null)
}

/// A measurement period `[start, end)`.
#[napi(object)]
pub struct SlaPeriod {
    /// First instant of the period.
    pub start: DateTime<Utc>,
    /// First instant after the period.
    pub end: DateTime<Utc>,
}

impl From<sla::SlaPeriod> for SlaPeriod {
    fn from(p: sla::SlaPeriod) -> Self {
        SlaPeriod {
            start: p.start,
            end: p.end,
        }
    }
}

/// What an SLA instance covers: alarms naming the customer, the service (`service_id` label)
/// or one of the resources count as its outages.
#[napi(object, use_nullable = true)]
pub struct SlaScope {
    /// Customer.
    pub customer_id: Option<String>,
    /// Service.
    pub service_id: Option<String>,
    /// Resources (devices, ports, circuits), sorted.
    pub resource_ids: Vec<String>,
}

impl From<sla::SlaScope> for SlaScope {
    fn from(s: sla::SlaScope) -> Self {
        SlaScope {
            customer_id: s.customer_id,
            service_id: s.service_id,
            resource_ids: s.resource_ids.into_iter().collect(),
        }
    }
}

/// A stored SLA definition.
#[napi(object)]
pub struct StoredSlaDefinition {
    /// Definition id.
    pub id: String,
    /// The definition in fault-core's JSON (`name`, `availability_target`,
    /// `measurement_period`, `credit_schedule`, `monthly_fee`, ...).
    #[napi(ts_type = "Record<string, unknown>")]
    pub definition: serde_json::Value,
    /// Whether new instances may use it.
    pub enabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<faultdesk::StoredSlaDefinition> for StoredSlaDefinition {
    fn from(d: faultdesk::StoredSlaDefinition) -> Self {
        StoredSlaDefinition {
            id: d.id.to_string(),
            definition: definition_json(&d.definition),
            enabled: d.enabled,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// Input of `createSlaInstance` / `createSlaInstances`: a definition applied to a customer
/// (and optionally a service and resources) for one measurement period.
#[napi(object)]
pub struct NewSlaInstance {
    /// The definition.
    pub definition_id: String,
    /// The customer the SLA is sold to.
    pub customer_id: String,
    /// The service it covers (alarms name it with their `service_id` label).
    pub service_id: Option<String>,
    /// Resources whose alarms affect the service.
    pub resource_ids: Option<Vec<String>>,
    /// The instant whose measurement period the instance covers (default now); give this or
    /// `period`, not both.
    pub at: Option<DateTime<Utc>>,
    /// An explicit period instead of the definition's.
    pub period: Option<SlaPeriod>,
    /// The period's fee (default: the definition's `monthly_fee`), e.g. `"499.00"`.
    #[napi(ts_type = "string | number")]
    pub monthly_fee: Option<DecimalInput>,
    /// Currency of the fee and credits (three letters, e.g. `EUR`).
    pub currency: Option<String>,
    /// Free-form metadata (an object).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<serde_json::Value>,
}

impl NewSlaInstance {
    /// The Desk's input.
    pub fn into_input(self) -> faultdesk::Result<faultdesk::NewSlaInstance> {
        Ok(faultdesk::NewSlaInstance {
            definition_id: uuid("definitionId", &self.definition_id)?,
            customer_id: self.customer_id,
            service_id: self.service_id,
            resource_ids: self.resource_ids.unwrap_or_default(),
            at: self.at,
            period: self.period.map(|p| sla::SlaPeriod {
                start: p.start,
                end: p.end,
            }),
            monthly_fee: opt_decimal("monthlyFee", self.monthly_fee)?,
            currency: self.currency,
            metadata: self.metadata,
        })
    }
}

/// Reads the inputs of `createSlaInstances` (an error names the input's index).
pub fn new_instances(
    inputs: Vec<NewSlaInstance>,
) -> faultdesk::Result<Vec<faultdesk::NewSlaInstance>> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            x.into_input().map_err(|e| {
                faultdesk::Error::validation(format!("SLA instance {i}: {}", e.message()))
            })
        })
        .collect()
}

/// A stored SLA instance with the figures last written (`slaStatus` computes them fresh).
#[napi(object, use_nullable = true)]
pub struct StoredSlaInstance {
    /// Instance id.
    pub id: String,
    /// The definition it was created from.
    pub definition_id: String,
    /// The definition as it was when the instance was created (fault-core's JSON).
    #[napi(ts_type = "Record<string, unknown>")]
    pub definition: serde_json::Value,
    /// What it covers.
    pub scope: SlaScope,
    /// The measurement period.
    pub period: SlaPeriod,
    /// `active`, `at_risk`, `breached` or `expired`.
    pub status: String,
    /// Availability as a decimal fraction (`"0.9995"`).
    pub availability: Option<String>,
    /// Planned downtime, whole seconds.
    pub planned_downtime_seconds: i64,
    /// Unplanned downtime, whole seconds.
    pub unplanned_downtime_seconds: i64,
    /// Breaches.
    pub breach_count: i32,
    /// Credits owed, rounded to cents.
    pub credit_amount: String,
    /// The period's fee.
    pub monthly_fee: String,
    /// Currency.
    pub currency: Option<String>,
    /// Metadata.
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: serde_json::Value,
    /// When `runDue` next evaluates it.
    pub next_check_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<faultdesk::StoredSlaInstance> for StoredSlaInstance {
    fn from(s: faultdesk::StoredSlaInstance) -> Self {
        StoredSlaInstance {
            id: s.id.to_string(),
            definition_id: s.definition_id.to_string(),
            definition: definition_json(&s.definition),
            scope: s.scope.into(),
            period: s.period.into(),
            status: s.status,
            availability: s.availability.map(|d| d.to_string()),
            planned_downtime_seconds: s.planned_downtime_seconds,
            unplanned_downtime_seconds: s.unplanned_downtime_seconds,
            breach_count: s.breach_count,
            credit_amount: s.credit_amount.to_string(),
            monthly_fee: s.monthly_fee.to_string(),
            currency: s.currency,
            metadata: s.metadata,
            next_check_at: s.next_check_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// One page of SLA instances.
#[napi(object, use_nullable = true)]
pub struct SlaInstancePage {
    /// Instances of this page.
    pub items: Vec<StoredSlaInstance>,
    /// Matching instances in total.
    pub total: i64,
    /// Page number.
    pub page: u32,
    /// Page size.
    pub page_size: u32,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

impl From<faultdesk::Page<faultdesk::StoredSlaInstance>> for SlaInstancePage {
    fn from(p: faultdesk::Page<faultdesk::StoredSlaInstance>) -> Self {
        SlaInstancePage {
            items: p.items.into_iter().map(Into::into).collect(),
            total: p.total,
            page: p.page,
            page_size: p.page_size,
            next_cursor: p.next_cursor,
        }
    }
}

/// Changes of `updateSlaInstance` (only given fields change; credits are recomputed).
#[napi(object)]
pub struct SlaInstancePatch {
    /// New fee for the period.
    #[napi(ts_type = "string | number")]
    pub monthly_fee: Option<DecimalInput>,
    /// New currency.
    pub currency: Option<String>,
    /// New metadata (an object; replaces the old one).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<serde_json::Value>,
}

impl SlaInstancePatch {
    /// The Desk's patch.
    pub fn into_patch(self) -> faultdesk::Result<faultdesk::SlaInstancePatch> {
        Ok(faultdesk::SlaInstancePatch {
            monthly_fee: opt_decimal("monthlyFee", self.monthly_fee)?,
            currency: self.currency,
            metadata: self.metadata,
        })
    }
}

/// Filters and page of `listSlaInstances` (all optional).
#[napi(object)]
pub struct SlaInstanceQuery {
    /// Customer.
    pub customer_id: Option<String>,
    /// Service.
    pub service_id: Option<String>,
    /// Definition.
    pub definition_id: Option<String>,
    /// Stored statuses (any of `active`, `at_risk`, `breached`, `expired`).
    pub status: Option<Vec<String>>,
    /// Periods overlapping `[from, to)` (give both or neither).
    pub from: Option<DateTime<Utc>>,
    /// See `from`.
    pub to: Option<DateTime<Utc>>,
    /// Page number (from 1).
    pub page: Option<u32>,
    /// Page size (1..=100, default 50).
    pub page_size: Option<u32>,
}

impl SlaInstanceQuery {
    /// The Desk's query.
    pub fn into_query(self) -> faultdesk::Result<faultdesk::SlaInstanceQuery> {
        Ok(faultdesk::SlaInstanceQuery {
            customer_id: self.customer_id,
            service_id: self.service_id,
            definition_id: opt_uuid("definitionId", self.definition_id.as_deref())?,
            status: self.status.unwrap_or_default(),
            from: self.from,
            to: self.to,
            page: self.page,
            page_size: self.page_size,
        })
    }
}

/// What `slaComplianceReport` covers: instances whose period overlaps `[from, to)`.
#[napi(object)]
pub struct SlaReportQuery {
    /// Start of the range.
    pub from: DateTime<Utc>,
    /// End of the range (exclusive).
    pub to: DateTime<Utc>,
    /// Only this customer's instances.
    pub customer_id: Option<String>,
    /// Only instances of this service.
    pub service_id: Option<String>,
    /// Only instances of this definition.
    pub definition_id: Option<String>,
}

impl SlaReportQuery {
    /// The Desk's query.
    pub fn into_query(self) -> faultdesk::Result<faultdesk::SlaReportQuery> {
        Ok(faultdesk::SlaReportQuery {
            from: self.from,
            to: self.to,
            customer_id: self.customer_id,
            service_id: self.service_id,
            definition_id: opt_uuid("definitionId", self.definition_id.as_deref())?,
        })
    }
}

/// Filters of `listSlaBreaches` (all optional).
#[napi(object)]
pub struct SlaBreachQuery {
    /// Only this instance's breaches.
    pub instance_id: Option<String>,
    /// Breaches starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Breaches starting before.
    pub to: Option<DateTime<Utc>>,
}

impl SlaBreachQuery {
    /// The Desk's query.
    pub fn into_query(self) -> faultdesk::Result<faultdesk::SlaBreachQuery> {
        Ok(faultdesk::SlaBreachQuery {
            instance_id: opt_uuid("instanceId", self.instance_id.as_deref())?,
            from: self.from,
            to: self.to,
        })
    }
}

/// One performance sample for `recordSlaMeasurements`; absent values are not measured.
#[napi(object)]
pub struct SlaMeasurement {
    /// When it was taken (inside the instance's period).
    pub at: DateTime<Utc>,
    /// Latency in milliseconds.
    #[napi(ts_type = "string | number")]
    pub latency_ms: Option<DecimalInput>,
    /// Packet loss in percent (0..=100).
    #[napi(ts_type = "string | number")]
    pub packet_loss_percent: Option<DecimalInput>,
    /// Bandwidth in Mbps.
    #[napi(ts_type = "string | number")]
    pub bandwidth_mbps: Option<DecimalInput>,
}

/// Reads the samples of `recordSlaMeasurements` (an error names the sample's index).
pub fn measurements(samples: Vec<SlaMeasurement>) -> faultdesk::Result<Vec<sla::Measurement>> {
    samples
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(sla::Measurement {
                at: m.at,
                latency_ms: opt_decimal(&format!("Measurement {i}: latencyMs"), m.latency_ms)?,
                packet_loss_percent: opt_decimal(
                    &format!("Measurement {i}: packetLossPercent"),
                    m.packet_loss_percent,
                )?,
                bandwidth_mbps: opt_decimal(
                    &format!("Measurement {i}: bandwidthMbps"),
                    m.bandwidth_mbps,
                )?,
            })
        })
        .collect()
}

/// One breach as fault-core computes it.
#[napi(object, use_nullable = true)]
pub struct SlaBreach {
    /// Stable key within the instance (`availability`, `response:<alarm id>`, ...).
    pub key: String,
    /// `availability`, `response_time`, `resolution_time` or `performance`.
    pub kind: String,
    /// For performance breaches: `latency`, `packet_loss` or `bandwidth`.
    pub metric: Option<String>,
    /// The alarm that caused it.
    pub alarm_id: Option<String>,
    /// The alarm's severity.
    pub severity: Option<String>,
    /// When it began.
    pub start: DateTime<Utc>,
    /// When it ended (`null` while ongoing).
    pub end: Option<DateTime<Utc>>,
    /// Duration so far, milliseconds.
    pub duration_ms: f64,
    /// Target (decimal string).
    pub target: String,
    /// Actual value (decimal string).
    pub actual: String,
    /// `ratio`, `minutes`, `milliseconds`, `percent` or `mbps`.
    pub unit: String,
    /// Credit it earns (decimal string).
    pub financial_impact: String,
}

impl From<sla::Breach> for SlaBreach {
    fn from(b: sla::Breach) -> Self {
        SlaBreach {
            key: b.key,
            kind: serde_name(&b.kind),
            metric: b.metric.map(|m| m.as_str().to_string()),
            alarm_id: b.alarm_id,
            severity: b.severity.map(|s| s.as_str().to_string()),
            start: b.start,
            end: b.end,
            duration_ms: ms(b.duration),
            target: b.target.to_string(),
            actual: b.actual.to_string(),
            unit: serde_name(&b.unit),
            financial_impact: b.financial_impact.to_string(),
        }
    }
}

/// An instance's availability status at an instant.
#[napi(object, use_nullable = true)]
pub struct SlaAvailabilityStatus {
    /// The instance.
    pub instance_id: String,
    /// Its period.
    pub period: SlaPeriod,
    /// The instant it was computed for.
    pub as_of: DateTime<Utc>,
    /// `compliant`, `at_risk` or `breached`.
    pub compliance: String,
    /// Availability as a decimal fraction.
    pub availability: String,
    /// The target fraction.
    pub availability_target: String,
    /// Measured time so far, milliseconds.
    pub measured_ms: f64,
    /// Downtime the target allows over the period, milliseconds.
    pub allowed_downtime_ms: f64,
    /// Allowance left, milliseconds.
    pub remaining_allowance_ms: f64,
    /// Planned (maintenance) downtime, milliseconds.
    pub planned_downtime_ms: f64,
    /// Unplanned downtime, milliseconds.
    pub unplanned_downtime_ms: f64,
    /// Downtime counted against the target, milliseconds.
    pub counted_downtime_ms: f64,
    /// Outages still open.
    pub open_outages: u32,
    /// Breaches.
    pub breaches: Vec<SlaBreach>,
    /// Number of breaches.
    pub breach_count: u32,
    /// Credit as a percentage of the fee.
    pub credit_percent: String,
    /// Credits owed.
    pub credits_owed: String,
}

impl From<sla::SlaStatus> for SlaAvailabilityStatus {
    fn from(s: sla::SlaStatus) -> Self {
        SlaAvailabilityStatus {
            instance_id: s.instance_id.to_string(),
            period: s.period.into(),
            as_of: s.as_of,
            compliance: serde_name(&s.compliance),
            availability: s.availability.to_string(),
            availability_target: s.availability_target.to_string(),
            measured_ms: ms(s.measured),
            allowed_downtime_ms: ms(s.allowed_downtime),
            remaining_allowance_ms: ms(s.remaining_allowance),
            planned_downtime_ms: ms(s.planned_downtime),
            unplanned_downtime_ms: ms(s.unplanned_downtime),
            counted_downtime_ms: ms(s.counted_downtime),
            open_outages: count(s.open_outages),
            breaches: s.breaches.into_iter().map(Into::into).collect(),
            breach_count: count(s.breach_count),
            credit_percent: s.credit_percent.to_string(),
            credits_owed: s.credits_owed.to_string(),
        }
    }
}

/// What `slaStatus` returns: the stored instance and its status computed now.
#[napi(object)]
pub struct SlaInstanceStatus {
    /// The instance.
    pub instance: StoredSlaInstance,
    /// Its status at the Desk clock's now.
    pub status: SlaAvailabilityStatus,
}

impl From<faultdesk::SlaInstanceStatus> for SlaInstanceStatus {
    fn from(s: faultdesk::SlaInstanceStatus) -> Self {
        SlaInstanceStatus {
            instance: s.instance.into(),
            status: s.status.into(),
        }
    }
}

/// A recorded SLA breach.
#[napi(object, use_nullable = true)]
pub struct SlaBreachRecord {
    /// Breach id.
    pub id: String,
    /// The instance.
    pub instance_id: String,
    /// Stable key within the instance.
    pub breach_key: String,
    /// `availability`, `response_time`, `resolution_time` or `performance`.
    pub breach_type: String,
    /// The alarm that caused it.
    pub alarm_id: Option<String>,
    /// The ticket opened (or linked) for it.
    pub ticket_id: Option<String>,
    /// When it began.
    pub breach_start: DateTime<Utc>,
    /// When it ended (`null` while ongoing).
    pub breach_end: Option<DateTime<Utc>>,
    /// Duration so far, whole seconds.
    pub duration_seconds: Option<i64>,
    /// Target (ratio for availability, minutes for response/resolution).
    pub target_value: Option<String>,
    /// Actual value.
    pub actual_value: Option<String>,
    /// Credit it earns.
    pub credit_amount: Option<String>,
    /// Whether it has ended.
    pub resolved: bool,
    /// When it ended.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The breach as fault-core reported it last (snake_case keys).
    #[napi(ts_type = "Record<string, unknown>")]
    pub details: serde_json::Value,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl From<faultdesk::SlaBreachRecord> for SlaBreachRecord {
    fn from(r: faultdesk::SlaBreachRecord) -> Self {
        let s = |d: Option<Decimal>| d.map(|d| d.to_string());
        SlaBreachRecord {
            id: r.id.to_string(),
            instance_id: r.instance_id.to_string(),
            breach_key: r.breach_key,
            breach_type: r.breach_type,
            alarm_id: r.alarm_id.map(|u| u.to_string()),
            ticket_id: r.ticket_id.map(|u| u.to_string()),
            breach_start: r.breach_start,
            breach_end: r.breach_end,
            duration_seconds: r.duration_seconds,
            target_value: s(r.target_value),
            actual_value: s(r.actual_value),
            credit_amount: s(r.credit_amount),
            resolved: r.resolved,
            resolved_at: r.resolved_at,
            details: r.details,
            created_at: r.created_at,
        }
    }
}

/// One instance's line of a compliance report.
#[napi(object)]
pub struct InstanceCompliance {
    /// The definition's name.
    pub definition_name: String,
    /// What the instance covers.
    pub scope: SlaScope,
    /// Its status.
    pub status: SlaAvailabilityStatus,
}

/// Totals of a compliance report.
#[napi(object, use_nullable = true)]
pub struct ComplianceTotals {
    /// Instances in the report.
    pub instance_count: u32,
    /// Average availability (`null` without instances).
    pub average_availability: Option<String>,
    /// Breaches in total.
    pub total_breaches: u32,
    /// Credits in total.
    pub total_credits: String,
    /// Planned downtime in total, milliseconds.
    pub planned_downtime_ms: f64,
    /// Unplanned downtime in total, milliseconds.
    pub unplanned_downtime_ms: f64,
    /// Instances compliant.
    pub compliant: u32,
    /// Instances at risk.
    pub at_risk: u32,
    /// Instances breached.
    pub breached: u32,
}

/// Seed 002's compliance report (`slaComplianceReport`).
#[napi(object)]
pub struct ComplianceReport {
    /// The report's range.
    pub range: SlaPeriod,
    /// The instant it was computed for.
    pub as_of: DateTime<Utc>,
    /// One line per instance.
    pub instances: Vec<InstanceCompliance>,
    /// Totals.
    pub totals: ComplianceTotals,
}

impl From<sla::ComplianceReport> for ComplianceReport {
    fn from(r: sla::ComplianceReport) -> Self {
        let t = r.totals;
        ComplianceReport {
            range: r.range.into(),
            as_of: r.as_of,
            instances: r
                .instances
                .into_iter()
                .map(|i| InstanceCompliance {
                    definition_name: i.definition_name,
                    scope: i.scope.into(),
                    status: i.status.into(),
                })
                .collect(),
            totals: ComplianceTotals {
                instance_count: count(t.instance_count),
                average_availability: t.average_availability.map(|d| d.to_string()),
                total_breaches: count(t.total_breaches),
                total_credits: t.total_credits.to_string(),
                planned_downtime_ms: ms(t.planned_downtime),
                unplanned_downtime_ms: ms(t.unplanned_downtime),
                compliant: count(t.compliant),
                at_risk: count(t.at_risk),
                breached: count(t.breached),
            },
        }
    }
}
