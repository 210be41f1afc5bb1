//! What an instance reports: compliance status, downtime figures and breaches.

use super::definition::SlaPeriod;
use super::time::duration_ms;
use crate::Severity;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Compliance of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compliance {
    /// No breach, and the remaining downtime allowance is at or above the at-risk fraction.
    Compliant,
    /// No breach yet, but the remaining downtime allowance is below the at-risk fraction.
    AtRisk,
    /// At least one breach (availability, response, resolution or performance).
    Breached,
}

impl Compliance {
    /// `compliant`, `at_risk` or `breached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::Compliant => "compliant",
            Compliance::AtRisk => "at_risk",
            Compliance::Breached => "breached",
        }
    }
}

/// The kind of an SLA breach (seed 002's breach types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BreachKind {
    /// Counted downtime exceeded the period's allowance.
    Availability,
    /// An alarm was acknowledged after its response target.
    ResponseTime,
    /// An alarm was cleared after its resolution target.
    ResolutionTime,
    /// A performance measurement was beyond its target.
    Performance,
}

impl BreachKind {
    /// `availability`, `response_time`, `resolution_time` or `performance`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreachKind::Availability => "availability",
            BreachKind::ResponseTime => "response_time",
            BreachKind::ResolutionTime => "resolution_time",
            BreachKind::Performance => "performance",
        }
    }
}

/// The measured quantity of a performance breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerformanceMetric {
    /// Latency in milliseconds (breach when above the maximum).
    Latency,
    /// Packet loss in percent (breach when above the maximum).
    PacketLoss,
    /// Bandwidth in Mbps (breach when below the minimum).
    Bandwidth,
}

impl PerformanceMetric {
    /// `latency`, `packet_loss` or `bandwidth`.
    pub fn as_str(self) -> &'static str {
        match self {
            PerformanceMetric::Latency => "latency",
            PerformanceMetric::PacketLoss => "packet_loss",
            PerformanceMetric::Bandwidth => "bandwidth",
        }
    }
}

/// The unit of a breach's `target` and `actual`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureUnit {
    /// A fraction, e.g. availability `0.999`.
    Ratio,
    /// Minutes (business minutes when a calendar applies).
    Minutes,
    /// Milliseconds.
    Milliseconds,
    /// Percent.
    Percent,
    /// Megabits per second.
    Mbps,
}

/// One SLA breach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    /// Stable identity within the instance, e.g. `availability`, `response:<alarm id>`,
    /// `performance:latency:<start>`: the same breach keeps its key as it evolves, so a caller
    /// can tell new breaches from known ones.
    pub key: String,
    /// The breach type.
    pub kind: BreachKind,
    /// For performance breaches, the metric.
    pub metric: Option<PerformanceMetric>,
    /// For response and resolution breaches, the alarm.
    pub alarm_id: Option<String>,
    /// For response and resolution breaches, the alarm's severity.
    pub severity: Option<Severity>,
    /// The instant the breach began: the due instant for response/resolution (breached from
    /// the first instant strictly after it), the instant the downtime allowance ran out for
    /// availability, the first violating measurement for performance.
    pub start: DateTime<Utc>,
    /// When it ended (`None` while ongoing): acknowledgement, clear, the first compliant
    /// measurement, or the period end for availability.
    pub end: Option<DateTime<Utc>>,
    /// `end - start`, or `as_of - start` while ongoing.
    #[serde(rename = "duration_ms", with = "duration_ms")]
    pub duration: Duration,
    /// The target, in `unit`.
    pub target: Decimal,
    /// The actual value, in `unit` (for availability the period's availability, for ongoing
    /// response/resolution breaches the time elapsed so far, for performance the worst value).
    pub actual: Decimal,
    /// The unit of `target` and `actual`.
    pub unit: MeasureUnit,
    /// Credit this breach earns under the credit schedule, before the cap, in the fee's
    /// currency, rounded to cents (half-even).
    pub financial_impact: Decimal,
}

impl Breach {
    /// Whether the breach is still going on.
    pub fn is_ongoing(&self) -> bool {
        self.end.is_none()
    }
}

/// The state of an instance at an instant.
///
/// Availability is over the whole period: `(measured − counted downtime) / measured`, where the
/// downtime is what is known at `as_of` (open outages run to `as_of`). Before the period ends it
/// is therefore the best availability still achievable; after, it is final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaStatus {
    /// The instance.
    pub instance_id: Uuid,
    /// The instance's period.
    pub period: SlaPeriod,
    /// The instant this status describes (the `now` passed in).
    pub as_of: DateTime<Utc>,
    /// Compliant, at risk or breached.
    pub compliance: Compliance,
    /// Availability as a fraction (1 when nothing is measured).
    pub availability: Decimal,
    /// The definition's target.
    pub availability_target: Decimal,
    /// Measured time: the period (business time under a calendar) minus excluded maintenance.
    #[serde(rename = "measured_ms", with = "duration_ms")]
    pub measured: Duration,
    /// Downtime allowed in the period: `(1 − target) × measured`, truncated to the nanosecond.
    #[serde(rename = "allowed_downtime_ms", with = "duration_ms")]
    pub allowed_downtime: Duration,
    /// Allowance left (zero once exceeded).
    #[serde(rename = "remaining_allowance_ms", with = "duration_ms")]
    pub remaining_allowance: Duration,
    /// Outage time inside maintenance windows (in measured business time under a calendar).
    #[serde(rename = "planned_downtime_ms", with = "duration_ms")]
    pub planned_downtime: Duration,
    /// Outage time outside maintenance windows.
    #[serde(rename = "unplanned_downtime_ms", with = "duration_ms")]
    pub unplanned_downtime: Duration,
    /// Downtime charged against availability: unplanned, plus planned when maintenance is not
    /// excluded.
    #[serde(rename = "counted_downtime_ms", with = "duration_ms")]
    pub counted_downtime: Duration,
    /// Outages still open.
    pub open_outages: usize,
    /// All breaches, ordered by start.
    pub breaches: Vec<Breach>,
    /// `breaches.len()`.
    pub breach_count: usize,
    /// The credit percentage applied (tier plus per-breach credits, capped).
    pub credit_percent: Decimal,
    /// Credits owed for the period, rounded to cents (half-even) once.
    pub credits_owed: Decimal,
}
