//! SLA definitions: targets, measurement period, credit schedule — as validated JSON data.

use super::error::{Result, SlaError};
use crate::Severity;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ticket_core::calendar::BusinessCalendar;

/// An availability SLA: what is promised, how it is measured and what a miss costs.
///
/// Build one in code with [`SlaDefinition::new`] and the `with_*` methods, or parse JSON with
/// [`SlaDefinition::from_json`]; both paths end in [`SlaDefinition::validate`].
///
/// ```
/// use fault_core::sla::SlaDefinition;
/// let def = SlaDefinition::from_json(r#"{
///     "name": "Enterprise Fiber 99.9%",
///     "availability_target": "0.999",
///     "measurement_period": { "kind": "calendar_month", "time_zone": "Europe/Berlin" },
///     "performance": { "max_latency_ms": "10", "max_packet_loss_percent": "0.1",
///                      "min_bandwidth_mbps": "1000" },
///     "response_minutes": { "critical": 15, "major": 60 },
///     "resolution_minutes": { "critical": 240 },
///     "calendar": { "timezone": "Europe/Berlin",
///                   "week": { "mon": [["08:00", "18:00"]], "tue": [["08:00", "18:00"]] } },
///     "exclude_maintenance": true,
///     "credit_schedule": {
///         "tiers": [ { "below_percent": "99.9", "credit_percent": "10" },
///                    { "below_percent": "99", "credit_percent": "25" } ],
///         "cap_percent": "50"
///     },
///     "monthly_fee": "1000.00",
///     "at_risk_fraction": "0.25"
/// }"#).unwrap();
/// assert_eq!(def.credit_schedule.tiers.len(), 2);
/// assert!(!def.calendar.is_always());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaDefinition {
    /// Display name, e.g. `Enterprise Fiber 99.9%`.
    pub name: String,
    /// Optional service type label (seed 002's `service_type`, e.g. `fiber`).
    #[serde(default)]
    pub service_type: Option<String>,
    /// Availability target as a fraction in `(0, 1]`, e.g. `0.999` for 99.9 %.
    pub availability_target: Decimal,
    /// How periods are cut: calendar months in a time zone, or N days from an anchor.
    pub measurement_period: MeasurementPeriod,
    /// Performance targets; a measurement beyond one is a performance breach.
    #[serde(default)]
    pub performance: PerformanceTargets,
    /// Minutes (business time when a calendar applies) to acknowledge an alarm, per severity.
    #[serde(default)]
    pub response_minutes: BTreeMap<Severity, u32>,
    /// Minutes (business time when a calendar applies) to clear an alarm, per severity.
    #[serde(default)]
    pub resolution_minutes: BTreeMap<Severity, u32>,
    /// When the clocks run (default 24x7): under a business calendar only its working time is
    /// measured, counts as downtime, and runs response/resolution clocks.
    #[serde(default = "BusinessCalendar::always")]
    pub calendar: BusinessCalendar,
    /// Whether maintenance-window time is excluded from the measured time (default `true`).
    #[serde(default = "default_true")]
    pub exclude_maintenance: bool,
    /// Service credits owed for missed availability and other breaches.
    #[serde(default)]
    pub credit_schedule: CreditSchedule,
    /// The fee for one measurement period (for calendar-month periods, the monthly fee).
    #[serde(default)]
    pub monthly_fee: Decimal,
    /// At risk when the remaining downtime allowance is below this fraction of the allowance
    /// (default `0.2`).
    #[serde(default = "default_at_risk")]
    pub at_risk_fraction: Decimal,
}

fn default_true() -> bool {
    true
}

fn default_at_risk() -> Decimal {
    Decimal::new(2, 1)
}

impl SlaDefinition {
    /// A definition with the given name, target and period, 24x7, maintenance excluded,
    /// no performance or time targets, no credits, and an at-risk fraction of 0.2.
    ///
    /// ```
    /// use fault_core::sla::{MeasurementPeriod, SlaDefinition};
    /// use rust_decimal::Decimal;
    /// let def = SlaDefinition::new("Gold", Decimal::new(999, 3), MeasurementPeriod::utc_month())
    ///     .with_monthly_fee(Decimal::new(50000, 2));
    /// assert!(def.validate().is_ok());
    /// ```
    pub fn new(
        name: impl Into<String>,
        availability_target: Decimal,
        measurement_period: MeasurementPeriod,
    ) -> Self {
        SlaDefinition {
            name: name.into(),
            service_type: None,
            availability_target,
            measurement_period,
            performance: PerformanceTargets::default(),
            response_minutes: BTreeMap::new(),
            resolution_minutes: BTreeMap::new(),
            calendar: BusinessCalendar::always(),
            exclude_maintenance: true,
            credit_schedule: CreditSchedule::default(),
            monthly_fee: Decimal::ZERO,
            at_risk_fraction: default_at_risk(),
        }
    }

    /// Sets the performance targets.
    pub fn with_performance(mut self, performance: PerformanceTargets) -> Self {
        self.performance = performance;
        self
    }

    /// Sets the response target (minutes to acknowledge) for one severity.
    pub fn with_response_minutes(mut self, severity: Severity, minutes: u32) -> Self {
        self.response_minutes.insert(severity, minutes);
        self
    }

    /// Sets the resolution target (minutes to clear) for one severity.
    pub fn with_resolution_minutes(mut self, severity: Severity, minutes: u32) -> Self {
        self.resolution_minutes.insert(severity, minutes);
        self
    }

    /// Sets the business calendar (only its working time counts).
    pub fn with_calendar(mut self, calendar: BusinessCalendar) -> Self {
        self.calendar = calendar;
        self
    }

    /// Sets whether maintenance-window time is excluded from the measured time.
    pub fn with_exclude_maintenance(mut self, exclude: bool) -> Self {
        self.exclude_maintenance = exclude;
        self
    }

    /// Sets the credit schedule.
    pub fn with_credit_schedule(mut self, schedule: CreditSchedule) -> Self {
        self.credit_schedule = schedule;
        self
    }

    /// Sets the fee for one measurement period.
    pub fn with_monthly_fee(mut self, fee: Decimal) -> Self {
        self.monthly_fee = fee;
        self
    }

    /// Sets the at-risk fraction of the downtime allowance.
    pub fn with_at_risk_fraction(mut self, fraction: Decimal) -> Self {
        self.at_risk_fraction = fraction;
        self
    }

    /// Parses and validates a JSON definition.
    pub fn from_json(json: &str) -> Result<Self> {
        let def: SlaDefinition =
            serde_json::from_str(json).map_err(|e| SlaError::Json(e.to_string()))?;
        def.validate()?;
        Ok(def)
    }

    /// The definition as JSON (the format [`SlaDefinition::from_json`] reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an SLA definition always serialises")
    }

    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(SlaError::validation("name", "must not be empty"));
        }
        let t = self.availability_target;
        if t <= Decimal::ZERO || t > Decimal::ONE {
            return Err(SlaError::validation(
                "availability_target",
                format!(
                    "{t} is not a fraction in (0, 1]; write 99.9 % as 0.999{}",
                    if t > Decimal::ONE && t <= Decimal::ONE_HUNDRED {
                        " (percent values are not accepted)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        self.measurement_period.validate()?;
        self.performance.validate()?;
        for (field, map) in [
            ("response_minutes", &self.response_minutes),
            ("resolution_minutes", &self.resolution_minutes),
        ] {
            for (sev, minutes) in map {
                if *sev == Severity::Cleared {
                    return Err(SlaError::validation(
                        field,
                        "has no target for severity 'cleared'; use critical, major, minor, warning or info",
                    ));
                }
                if *minutes == 0 {
                    return Err(SlaError::validation(
                        format!("{field}.{sev}"),
                        "must be at least 1 minute",
                    ));
                }
            }
        }
        self.credit_schedule.validate()?;
        if self.monthly_fee < Decimal::ZERO {
            return Err(SlaError::validation(
                "monthly_fee",
                format!("{} must not be negative", self.monthly_fee),
            ));
        }
        let f = self.at_risk_fraction;
        if f < Decimal::ZERO || f > Decimal::ONE {
            return Err(SlaError::validation(
                "at_risk_fraction",
                format!("{f} is not a fraction in [0, 1]"),
            ));
        }
        Ok(())
    }
}

/// How measurement periods are cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum MeasurementPeriod {
    /// Calendar months, from local midnight on the 1st to local midnight on the next 1st, in
    /// `time_zone` (so a month with a DST change is an hour shorter or longer).
    CalendarMonth {
        /// IANA zone name, default `UTC`.
        #[serde(default = "utc_tz")]
        time_zone: Tz,
    },
    /// Consecutive windows of exactly `days` × 24 h starting at `anchor` (seed 002's
    /// `measurement_period_days`).
    Days {
        /// Length of each period in days (1–3660).
        days: u32,
        /// Start of one period; the others follow and precede it back to back (default the
        /// Unix epoch).
        #[serde(default = "epoch")]
        anchor: DateTime<Utc>,
    },
}

fn utc_tz() -> Tz {
    Tz::UTC
}

fn epoch() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// One measurement period: the half-open interval `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlaPeriod {
    /// First instant of the period.
    pub start: DateTime<Utc>,
    /// First instant after the period.
    pub end: DateTime<Utc>,
}

impl SlaPeriod {
    /// A period `[start, end)`; `end` must be after `start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self> {
        if end <= start {
            return Err(SlaError::InvalidInterval {
                start: start.to_rfc3339(),
                end: end.to_rfc3339(),
            });
        }
        Ok(SlaPeriod { start, end })
    }

    /// Wall-clock length of the period.
    pub fn length(&self) -> Duration {
        self.end - self.start
    }

    /// Whether `at` lies in `[start, end)`.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

impl MeasurementPeriod {
    /// Calendar months in UTC.
    pub fn utc_month() -> Self {
        MeasurementPeriod::CalendarMonth { time_zone: Tz::UTC }
    }

    /// Calendar months in a time zone.
    pub fn calendar_month(time_zone: Tz) -> Self {
        MeasurementPeriod::CalendarMonth { time_zone }
    }

    /// Windows of `days` days starting at `anchor`.
    pub fn days(days: u32, anchor: DateTime<Utc>) -> Self {
        MeasurementPeriod::Days { days, anchor }
    }

    fn validate(&self) -> Result<()> {
        if let MeasurementPeriod::Days { days, .. } = self
            && !(1..=3660).contains(days)
        {
            return Err(SlaError::validation(
                "measurement_period.days",
                format!("{days} is not between 1 and 3660"),
            ));
        }
        Ok(())
    }

    /// The period that contains `at`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fault_core::sla::MeasurementPeriod;
    /// let p = MeasurementPeriod::calendar_month(chrono_tz::Europe::Berlin)
    ///     .period_containing(Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap())
    ///     .unwrap();
    /// assert_eq!(p.start, Utc.with_ymd_and_hms(2026, 2, 28, 23, 0, 0).unwrap());
    /// assert_eq!(p.end, Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0).unwrap());
    /// assert_eq!(p.length().num_hours(), 31 * 24 - 1); // spring forward
    /// ```
    pub fn period_containing(&self, at: DateTime<Utc>) -> Result<SlaPeriod> {
        self.validate()?;
        match self {
            MeasurementPeriod::CalendarMonth { time_zone } => {
                let local = at.with_timezone(time_zone);
                self.month(local.year(), local.month())
            }
            MeasurementPeriod::Days { days, anchor } => {
                let len = Duration::days(i64::from(*days));
                let len_ns = len.num_nanoseconds().expect("at most 3660 days");
                let off = (at - *anchor).num_nanoseconds().ok_or_else(|| {
                    SlaError::validation("at", "is too far from the period anchor")
                })?;
                let k = off.div_euclid(len_ns);
                let start = *anchor + Duration::nanoseconds(k * len_ns);
                SlaPeriod::new(start, start + len)
            }
        }
    }

    /// The calendar month `year`-`month` (only for [`MeasurementPeriod::CalendarMonth`]).
    pub fn month(&self, year: i32, month: u32) -> Result<SlaPeriod> {
        let MeasurementPeriod::CalendarMonth { time_zone } = self else {
            return Err(SlaError::validation(
                "measurement_period",
                "month() needs a calendar_month period; use period_containing() for day periods",
            ));
        };
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| {
            SlaError::validation("month", format!("{year}-{month} is not a valid month"))
        })?;
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .ok_or_else(|| SlaError::validation("month", "is out of range"))?;
        SlaPeriod::new(
            local_day_start(time_zone, first),
            local_day_start(time_zone, next),
        )
    }
}

/// The first instant of local day `date` in `tz`: local midnight, the earlier of two when
/// midnight repeats, or the first valid local minute when midnight falls into a DST gap.
pub(crate) fn local_day_start(tz: &Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    for minute in 0..(24 * 60) {
        let local = midnight + Duration::minutes(minute);
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    // No zone skips a whole day's minutes except by jumping dates (e.g. Samoa 2011), where the
    // day does not exist: its start is the start of the following day.
    local_day_start(tz, date.succ_opt().expect("date in range"))
}

/// Performance targets (seed 002: latency, packet loss, bandwidth). Absent means no target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerformanceTargets {
    /// A latency above this many milliseconds is a breach.
    #[serde(default)]
    pub max_latency_ms: Option<Decimal>,
    /// A packet loss above this percentage is a breach.
    #[serde(default)]
    pub max_packet_loss_percent: Option<Decimal>,
    /// A bandwidth below this many Mbps is a breach.
    #[serde(default)]
    pub min_bandwidth_mbps: Option<Decimal>,
}

impl PerformanceTargets {
    fn validate(&self) -> Result<()> {
        if let Some(v) = self.max_latency_ms
            && v < Decimal::ZERO
        {
            return Err(SlaError::validation(
                "performance.max_latency_ms",
                format!("{v} must not be negative"),
            ));
        }
        if let Some(v) = self.max_packet_loss_percent
            && (v < Decimal::ZERO || v > Decimal::ONE_HUNDRED)
        {
            return Err(SlaError::validation(
                "performance.max_packet_loss_percent",
                format!("{v} is not a percentage between 0 and 100"),
            ));
        }
        if let Some(v) = self.min_bandwidth_mbps
            && v <= Decimal::ZERO
        {
            return Err(SlaError::validation(
                "performance.min_bandwidth_mbps",
                format!("{v} must be greater than 0"),
            ));
        }
        Ok(())
    }
}

/// One credit tier: availability strictly below `below_percent` earns `credit_percent` of the
/// period's fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditTier {
    /// Availability threshold in percent, in `(0, 100]`.
    pub below_percent: Decimal,
    /// Credit in percent of the period's fee, in `[0, 100]`.
    pub credit_percent: Decimal,
}

/// What breaches cost: availability tiers (the highest applicable credit wins), optional
/// per-breach credits for the other breach types, and a cap — all percentages of the period's
/// fee. Amounts are rounded to cents (half-even) once, at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditSchedule {
    /// Availability tiers.
    #[serde(default)]
    pub tiers: Vec<CreditTier>,
    /// The most that can be credited in one period, in percent of the fee (default 100).
    #[serde(default = "hundred")]
    pub cap_percent: Decimal,
    /// Credit per response-time breach, in percent of the fee (default 0).
    #[serde(default)]
    pub response_breach_percent: Decimal,
    /// Credit per resolution-time breach, in percent of the fee (default 0).
    #[serde(default)]
    pub resolution_breach_percent: Decimal,
    /// Credit per performance breach, in percent of the fee (default 0).
    #[serde(default)]
    pub performance_breach_percent: Decimal,
}

fn hundred() -> Decimal {
    Decimal::ONE_HUNDRED
}

impl Default for CreditSchedule {
    fn default() -> Self {
        CreditSchedule {
            tiers: Vec::new(),
            cap_percent: Decimal::ONE_HUNDRED,
            response_breach_percent: Decimal::ZERO,
            resolution_breach_percent: Decimal::ZERO,
            performance_breach_percent: Decimal::ZERO,
        }
    }
}

impl CreditSchedule {
    /// A schedule with the given tiers and cap, and no per-breach credits.
    pub fn tiers(tiers: Vec<CreditTier>, cap_percent: Decimal) -> Self {
        CreditSchedule {
            tiers,
            cap_percent,
            ..CreditSchedule::default()
        }
    }

    fn validate(&self) -> Result<()> {
        let pct = |field: String, v: Decimal, open_low: bool| -> Result<()> {
            let low_bad = if open_low {
                v <= Decimal::ZERO
            } else {
                v < Decimal::ZERO
            };
            if low_bad || v > Decimal::ONE_HUNDRED {
                return Err(SlaError::validation(
                    field,
                    format!(
                        "{v} is not a percentage in {}0, 100]",
                        if open_low { "(" } else { "[" }
                    ),
                ));
            }
            Ok(())
        };
        for (i, tier) in self.tiers.iter().enumerate() {
            pct(
                format!("credit_schedule.tiers[{i}].below_percent"),
                tier.below_percent,
                true,
            )?;
            pct(
                format!("credit_schedule.tiers[{i}].credit_percent"),
                tier.credit_percent,
                false,
            )?;
            if self.tiers[..i]
                .iter()
                .any(|t| t.below_percent == tier.below_percent)
            {
                return Err(SlaError::validation(
                    format!("credit_schedule.tiers[{i}]"),
                    format!(
                        "threshold {} % appears twice; each tier needs its own threshold",
                        tier.below_percent
                    ),
                ));
            }
        }
        pct(
            "credit_schedule.cap_percent".into(),
            self.cap_percent,
            false,
        )?;
        pct(
            "credit_schedule.response_breach_percent".into(),
            self.response_breach_percent,
            false,
        )?;
        pct(
            "credit_schedule.resolution_breach_percent".into(),
            self.resolution_breach_percent,
            false,
        )?;
        pct(
            "credit_schedule.performance_breach_percent".into(),
            self.performance_breach_percent,
            false,
        )?;
        Ok(())
    }
}
