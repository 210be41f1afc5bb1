//! Availability SLAs (seed 002, "SLA Monitoring"): definitions, instances, breaches, credits
//! and compliance reports.
//!
//! - [`SlaDefinition`]: targets (availability, performance, response/resolution per
//!   [`Severity`](crate::Severity)), measurement period, calendar, maintenance exclusion and
//!   credit schedule — validated data, read from JSON with [`SlaDefinition::from_json`].
//! - [`SlaInstance`]: a definition applied to a [`SlaScope`] for one [`SlaPeriod`]. Feed it
//!   outages ([`SlaInstance::record_outage`], [`SlaInstance::record_clear`]), alarms
//!   ([`SlaInstance::record_alarm`]), maintenance windows and measurements; ask
//!   [`SlaInstance::status`] at any `now`. Business hours come from the definition's
//!   [`BusinessCalendar`](ticket_core::calendar::BusinessCalendar), or are given explicitly
//!   with [`SlaInstance::with_working_time`].
//! - [`SlaStatus`] / [`Breach`]: availability, planned and unplanned downtime, compliance
//!   (compliant / at risk / breached), breaches with their instant, target vs actual and
//!   financial impact, and credits owed.
//! - [`compliance_report`]: many instances over a date range, with totals.
//! - [`TicketRequest`]: what a breach asks of the auto-ticket flow (trigger `sla_breach`).
//!
//! ## How availability is measured (DESIGN "Availability")
//!
//! Outages are unioned (overlaps count once) and clipped to the period; open outages run to
//! `now` (or the period end). With a business calendar only working time counts. With
//! maintenance excluded, measured time = period working time − maintenance time, and outage
//! time inside maintenance is planned downtime; availability = (measured − unplanned downtime)
//! / measured. Without exclusion, measured time is the whole working time and planned downtime
//! counts against availability too. An availability breach is the instant the counted downtime
//! reached the allowance `(1 − target) × measured`; the instance is breached from the next
//! instant on. Credit tiers apply when availability is strictly below their threshold, the
//! highest applicable credit wins, per-breach credits are added, the total is capped, and
//! money is rounded to cents (half-even) once.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use fault_core::sla::*;
//! use fault_core::Severity;
//! use rust_decimal::Decimal;
//! use std::sync::Arc;
//!
//! let t = |d, h, m| Utc.with_ymd_and_hms(2026, 4, d, h, m, 0).unwrap();
//! let def = SlaDefinition::new("Gold", Decimal::new(999, 3), MeasurementPeriod::utc_month())
//!     .with_response_minutes(Severity::Critical, 15)
//!     .with_monthly_fee(Decimal::new(100000, 2))
//!     .with_credit_schedule(CreditSchedule::tiers(
//!         vec![CreditTier { below_percent: Decimal::new(999, 1), credit_percent: Decimal::new(10, 0) }],
//!         Decimal::new(50, 0),
//!     ));
//! let mut sla = SlaInstance::for_instant(uuid::Uuid::now_v7(), Arc::new(def),
//!     SlaScope::customer("c-1").with_resources(["olt-7"]), t(1, 0, 0)).unwrap();
//! let alarm = SlaAlarm::new("alarm-1", Severity::Critical, t(2, 8, 0)).on_resource("olt-7");
//! assert!(sla.record_alarm(&alarm).unwrap());
//! sla.record_maintenance(t(2, 9, 0), t(2, 10, 0)).unwrap();
//! sla.record_alarm(&alarm.clone().acknowledged(t(2, 8, 20)).cleared(t(2, 10, 0))).unwrap();
//! let s = sla.status(t(30, 0, 0));
//! assert_eq!(s.planned_downtime.num_minutes(), 60);
//! assert_eq!(s.unplanned_downtime.num_minutes(), 60);
//! assert_eq!(s.breach_count, 2); // availability (60 > 43.14 min) and a late acknowledgement
//! assert_eq!(s.credits_owed, Decimal::new(10000, 2));
//! ```

mod definition;
mod error;
mod instance;
mod interval;
mod report;
mod status;
mod ticket;
mod time;

pub use definition::{
    CreditSchedule, CreditTier, MeasurementPeriod, PerformanceTargets, SlaDefinition, SlaPeriod,
};
pub use error::{Result, SlaError};
pub use instance::{Measurement, SlaAlarm, SlaInstance, SlaScope};
pub use report::{ComplianceReport, ComplianceTotals, InstanceCompliance, compliance_report};
pub use status::{Breach, BreachKind, Compliance, MeasureUnit, PerformanceMetric, SlaStatus};
pub use ticket::{SlaBreachTrigger, TicketRequest};
