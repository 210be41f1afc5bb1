//! Compliance reports over many instances (seed 002's `get_compliance_report`).

use super::definition::SlaPeriod;
use super::error::{Result, SlaError};
use super::instance::{SlaInstance, SlaScope};
use super::status::{Compliance, SlaStatus};
use super::time::duration_ms;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One instance's line in a [`ComplianceReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceCompliance {
    /// The definition's name.
    pub definition_name: String,
    /// The instance's scope.
    pub scope: SlaScope,
    /// The instance's status at the report's `as_of` (availability, planned and unplanned
    /// downtime, breaches, credits).
    pub status: SlaStatus,
}

/// Totals over the instances of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceTotals {
    /// Number of instances in the report.
    pub instance_count: usize,
    /// Mean of the instances' availabilities (`None` for an empty report).
    pub average_availability: Option<Decimal>,
    /// Sum of the instances' breach counts.
    pub total_breaches: usize,
    /// Sum of the instances' credits (each already rounded to cents).
    pub total_credits: Decimal,
    /// Sum of planned downtime.
    #[serde(rename = "planned_downtime_ms", with = "duration_ms")]
    pub planned_downtime: Duration,
    /// Sum of unplanned downtime.
    #[serde(rename = "unplanned_downtime_ms", with = "duration_ms")]
    pub unplanned_downtime: Duration,
    /// Instances that are compliant.
    pub compliant: usize,
    /// Instances that are at risk.
    pub at_risk: usize,
    /// Instances that are breached.
    pub breached: usize,
}

/// A compliance report: one line per instance whose period overlaps the date range, and totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceReport {
    /// The date range `[start, end)`.
    pub range: SlaPeriod,
    /// The instant the statuses describe.
    pub as_of: DateTime<Utc>,
    /// Per-instance lines, in input order.
    pub instances: Vec<InstanceCompliance>,
    /// Totals.
    pub totals: ComplianceTotals,
}

/// Builds a compliance report for the instances whose period overlaps `[from, to)`, each
/// evaluated at `now` (filter the instances by customer or service before calling).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use fault_core::sla::{compliance_report, MeasurementPeriod, SlaDefinition, SlaInstance, SlaScope};
/// use rust_decimal::Decimal;
/// use std::sync::Arc;
///
/// let jan = |d, h| Utc.with_ymd_and_hms(2025, 1, d, h, 0, 0).unwrap();
/// let def = Arc::new(SlaDefinition::new("Std", Decimal::new(99, 2), MeasurementPeriod::utc_month()));
/// let mut a = SlaInstance::for_instant(uuid::Uuid::nil(), def.clone(), SlaScope::customer("c1"), jan(1, 0)).unwrap();
/// let b = SlaInstance::for_instant(uuid::Uuid::max(), def, SlaScope::customer("c2"), jan(1, 0)).unwrap();
/// a.record_outage("x", jan(5, 0), Some(jan(5, 12))).unwrap();
/// let r = compliance_report([&a, &b], jan(1, 0), Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap(), jan(31, 0)).unwrap();
/// assert_eq!(r.totals.instance_count, 2);
/// assert_eq!(r.totals.unplanned_downtime.num_hours(), 12);
/// ```
pub fn compliance_report<'a, I>(
    instances: I,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ComplianceReport>
where
    I: IntoIterator<Item = &'a SlaInstance>,
{
    let range = SlaPeriod::new(from, to).map_err(|_| {
        SlaError::validation(
            "report range",
            format!(
                "end {} must be after start {}",
                to.to_rfc3339(),
                from.to_rfc3339()
            ),
        )
    })?;
    let mut lines = Vec::new();
    let mut sum_avail = Decimal::ZERO;
    let mut totals = ComplianceTotals {
        instance_count: 0,
        average_availability: None,
        total_breaches: 0,
        total_credits: Decimal::ZERO,
        planned_downtime: Duration::zero(),
        unplanned_downtime: Duration::zero(),
        compliant: 0,
        at_risk: 0,
        breached: 0,
    };
    for inst in instances {
        let p = inst.period();
        if p.end <= from || p.start >= to {
            continue;
        }
        let status = inst.status(now);
        sum_avail += status.availability;
        totals.instance_count += 1;
        totals.total_breaches += status.breach_count;
        totals.total_credits += status.credits_owed;
        totals.planned_downtime += status.planned_downtime;
        totals.unplanned_downtime += status.unplanned_downtime;
        match status.compliance {
            Compliance::Compliant => totals.compliant += 1,
            Compliance::AtRisk => totals.at_risk += 1,
            Compliance::Breached => totals.breached += 1,
        }
        lines.push(InstanceCompliance {
            definition_name: inst.definition().name.clone(),
            scope: inst.scope().clone(),
            status,
        });
    }
    if totals.instance_count > 0 {
        totals.average_availability = Some(sum_avail / Decimal::from(totals.instance_count));
    }
    Ok(ComplianceReport {
        range,
        as_of: now,
        instances: lines,
        totals,
    })
}
