//! SLA instances: one definition applied to a scope for one period, fed incrementally.

use super::definition::{SlaDefinition, SlaPeriod};
use super::error::{Result, SlaError};
use super::interval::IntervalSet;
use super::status::{Breach, BreachKind, Compliance, MeasureUnit, PerformanceMetric, SlaStatus};
use super::time::{dur, from_ns, minutes, to_ns, to_ns_saturating as to_ns_sat, working_set};
use crate::Severity;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// What an instance covers: a customer, a service and/or a set of resources.
///
/// An alarm is in scope when it names the scope's customer, **or** the scope's service, **or**
/// one of the scope's resources (network alarms usually name a resource and no customer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaScope {
    /// The customer the SLA is sold to.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The service the SLA covers.
    #[serde(default)]
    pub service_id: Option<String>,
    /// Resources (devices, ports, circuits) whose alarms affect the service.
    #[serde(default)]
    pub resource_ids: BTreeSet<String>,
}

impl SlaScope {
    /// A scope for one customer.
    pub fn customer(customer_id: impl Into<String>) -> Self {
        SlaScope {
            customer_id: Some(customer_id.into()),
            ..SlaScope::default()
        }
    }

    /// A scope for one service.
    pub fn service(service_id: impl Into<String>) -> Self {
        SlaScope {
            service_id: Some(service_id.into()),
            ..SlaScope::default()
        }
    }

    /// Adds resources to the scope.
    pub fn with_resources<I, S>(mut self, resource_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resource_ids
            .extend(resource_ids.into_iter().map(Into::into));
        self
    }

    /// Whether an alarm with these attributes is in scope.
    ///
    /// ```
    /// use fault_core::sla::SlaScope;
    /// let scope = SlaScope::customer("c-1").with_resources(["olt-1"]);
    /// assert!(scope.matches(None, None, Some("olt-1")));
    /// assert!(scope.matches(Some("c-1"), None, None));
    /// assert!(!scope.matches(Some("c-2"), None, Some("olt-2")));
    /// ```
    pub fn matches(
        &self,
        customer_id: Option<&str>,
        service_id: Option<&str>,
        resource_id: Option<&str>,
    ) -> bool {
        let eq =
            |a: &Option<String>, b: Option<&str>| matches!((a, b), (Some(x), Some(y)) if x == y);
        eq(&self.customer_id, customer_id)
            || eq(&self.service_id, service_id)
            || resource_id.is_some_and(|r| self.resource_ids.contains(r))
    }

    fn is_empty(&self) -> bool {
        self.customer_id.is_none() && self.service_id.is_none() && self.resource_ids.is_empty()
    }
}

/// The facts about one alarm that an SLA needs (the Desk maps its alarm rows into this).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaAlarm {
    /// The alarm's id; also the key of the outage it causes.
    pub alarm_id: String,
    /// The severity it was raised with (selects the response/resolution targets).
    pub severity: Severity,
    /// Whether the alarm takes the service down (only those count as outages).
    #[serde(default = "yes")]
    pub service_affecting: bool,
    /// Customer named by the alarm.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Service named by the alarm.
    #[serde(default)]
    pub service_id: Option<String>,
    /// Resource the alarm is about.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// First occurrence.
    pub raised_at: DateTime<Utc>,
    /// Acknowledgement, if any.
    #[serde(default)]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Clear, if any.
    #[serde(default)]
    pub cleared_at: Option<DateTime<Utc>>,
}

fn yes() -> bool {
    true
}

impl SlaAlarm {
    /// A service-affecting alarm raised at `raised_at`, not yet acknowledged or cleared.
    pub fn new(alarm_id: impl Into<String>, severity: Severity, raised_at: DateTime<Utc>) -> Self {
        SlaAlarm {
            alarm_id: alarm_id.into(),
            severity,
            service_affecting: true,
            customer_id: None,
            service_id: None,
            resource_id: None,
            raised_at,
            acknowledged_at: None,
            cleared_at: None,
        }
    }

    /// Sets the resource.
    pub fn on_resource(mut self, resource_id: impl Into<String>) -> Self {
        self.resource_id = Some(resource_id.into());
        self
    }

    /// Sets the customer.
    pub fn for_customer(mut self, customer_id: impl Into<String>) -> Self {
        self.customer_id = Some(customer_id.into());
        self
    }

    /// Sets the service.
    pub fn for_service(mut self, service_id: impl Into<String>) -> Self {
        self.service_id = Some(service_id.into());
        self
    }

    /// Sets whether the alarm is service-affecting.
    pub fn service_affecting(mut self, yes: bool) -> Self {
        self.service_affecting = yes;
        self
    }

    /// Sets the acknowledgement instant.
    pub fn acknowledged(mut self, at: DateTime<Utc>) -> Self {
        self.acknowledged_at = Some(at);
        self
    }

    /// Sets the clear instant.
    pub fn cleared(mut self, at: DateTime<Utc>) -> Self {
        self.cleared_at = Some(at);
        self
    }
}

/// One performance sample; absent values are not measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// Latency in milliseconds.
    #[serde(default)]
    pub latency_ms: Option<Decimal>,
    /// Packet loss in percent.
    #[serde(default)]
    pub packet_loss_percent: Option<Decimal>,
    /// Bandwidth in Mbps.
    #[serde(default)]
    pub bandwidth_mbps: Option<Decimal>,
}

impl Measurement {
    /// A sample at `at` with no values yet.
    pub fn at(at: DateTime<Utc>) -> Self {
        Measurement {
            at,
            latency_ms: None,
            packet_loss_percent: None,
            bandwidth_mbps: None,
        }
    }

    /// Sets the latency.
    pub fn latency_ms(mut self, v: Decimal) -> Self {
        self.latency_ms = Some(v);
        self
    }

    /// Sets the packet loss.
    pub fn packet_loss_percent(mut self, v: Decimal) -> Self {
        self.packet_loss_percent = Some(v);
        self
    }

    /// Sets the bandwidth.
    pub fn bandwidth_mbps(mut self, v: Decimal) -> Self {
        self.bandwidth_mbps = Some(v);
        self
    }
}

#[derive(Debug, Clone)]
struct AlarmTrack {
    raised: DateTime<Utc>,
    acknowledged: bool,
    cleared: bool,
    service_affecting: bool,
}

#[derive(Debug, Clone)]
struct Pending {
    severity: Severity,
    raised: DateTime<Utc>,
    due: DateTime<Utc>,
    target_minutes: u32,
}

#[derive(Debug, Clone, Default)]
struct PerfTrack {
    last: Option<DateTime<Utc>>,
    open: Option<(DateTime<Utc>, Decimal)>,
}

const METRICS: [PerformanceMetric; 3] = [
    PerformanceMetric::Latency,
    PerformanceMetric::PacketLoss,
    PerformanceMetric::Bandwidth,
];

/// One SLA definition applied to a scope for one period.
///
/// Feed it outages, clears, maintenance windows, alarms and measurements in any order; each
/// call updates running totals locally (sorted disjoint interval sets, merged where they
/// touch), so [`SlaInstance::status`] never recomputes the period from scratch.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use fault_core::sla::{Compliance, MeasurementPeriod, SlaDefinition, SlaInstance, SlaScope};
/// use rust_decimal::Decimal;
/// use std::sync::Arc;
///
/// let t = |d, h, m| Utc.with_ymd_and_hms(2026, 4, d, h, m, 0).unwrap();
/// let def = Arc::new(SlaDefinition::new("Gold", Decimal::new(999, 3), MeasurementPeriod::utc_month()));
/// let mut sla = SlaInstance::for_instant(uuid::Uuid::nil(), def, SlaScope::customer("c-1"), t(1, 0, 0)).unwrap();
/// // 30 days = 43,200 min, 0.1 % allowance = 43.2 min.
/// sla.record_outage("a1", t(3, 10, 0), Some(t(3, 10, 30))).unwrap();
/// sla.record_outage("a2", t(3, 10, 20), None).unwrap(); // overlaps a1, still open
/// let s = sla.status(t(3, 10, 40));
/// assert_eq!(s.counted_downtime.num_minutes(), 40); // union, not 30 + 20
/// assert_eq!(s.compliance, Compliance::AtRisk);
/// sla.record_clear("a2", t(3, 11, 0)).unwrap();
/// let s = sla.status(t(30, 0, 0));
/// assert_eq!(s.compliance, Compliance::Breached);
/// assert_eq!(s.breaches[0].start, Utc.with_ymd_and_hms(2026, 4, 3, 10, 43, 12).unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct SlaInstance {
    id: Uuid,
    definition: Arc<SlaDefinition>,
    scope: SlaScope,
    period: SlaPeriod,
    ps: i64,
    pe: i64,
    /// Working time in the period (the whole period for 24x7).
    working: IntervalSet,
    /// Whether `working` was supplied by the caller ([`SlaInstance::with_working_time`]).
    custom_working: bool,
    /// Maintenance windows, clipped to the period.
    maintenance: IntervalSet,
    /// Working time inside maintenance windows.
    planned_area: IntervalSet,
    /// Measured time: working time minus maintenance when excluded.
    effective: IntervalSet,
    /// Closed outages, clipped to the period.
    closed: IntervalSet,
    /// `|closed ∩ working|`.
    closed_down: i64,
    /// `|closed ∩ planned_area|`.
    closed_planned: i64,
    /// Open outages: key -> start (unclipped).
    open: BTreeMap<String, i64>,
    alarms: HashMap<String, AlarmTrack>,
    pending_response: BTreeMap<String, Pending>,
    pending_resolution: BTreeMap<String, Pending>,
    /// Response, resolution and performance breaches that have ended.
    finished: Vec<Breach>,
    perf: [PerfTrack; 3],
}

impl SlaInstance {
    /// An instance of `definition` for `scope` over `period`.
    ///
    /// Errors: the definition is invalid, the scope is empty, or the period is out of range.
    pub fn new(
        id: Uuid,
        definition: Arc<SlaDefinition>,
        scope: SlaScope,
        period: SlaPeriod,
    ) -> Result<Self> {
        let (ps, pe) = Self::check(&definition, &scope, period)?;
        let working = working_set(&definition, ps, pe);
        Ok(Self::build(id, definition, scope, period, working, false))
    }

    /// An instance whose working time is given explicitly (for hosts that compute business
    /// hours themselves): only time inside `working` (clipped to the period; overlaps merged)
    /// is measured, counts as downtime, or runs response/resolution clocks. Clocks that run
    /// past the period end continue in wall time.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fault_core::sla::{MeasurementPeriod, SlaDefinition, SlaInstance, SlaScope};
    /// use rust_decimal::Decimal;
    /// use std::sync::Arc;
    /// let d = |day, h| Utc.with_ymd_and_hms(2026, 4, day, h, 0, 0).unwrap();
    /// let def = Arc::new(SlaDefinition::new("9-17", Decimal::new(99, 2), MeasurementPeriod::utc_month()));
    /// let period = def.measurement_period.period_containing(d(1, 0)).unwrap();
    /// let hours = (1..=30).map(|day| (d(day, 9), d(day, 17)));
    /// let mut sla = SlaInstance::with_working_time(uuid::Uuid::nil(), def, SlaScope::service("s"), period, hours).unwrap();
    /// sla.record_outage("night", d(2, 16), Some(d(3, 10))).unwrap();
    /// let s = sla.status(d(5, 0));
    /// assert_eq!(s.measured.num_hours(), 30 * 8);
    /// assert_eq!(s.counted_downtime.num_hours(), 2); // 16-17 and 09-10
    /// ```
    ///
    /// Errors: as [`SlaInstance::new`], and an interval whose end is before its start.
    pub fn with_working_time<I>(
        id: Uuid,
        definition: Arc<SlaDefinition>,
        scope: SlaScope,
        period: SlaPeriod,
        working: I,
    ) -> Result<Self>
    where
        I: IntoIterator<Item = (DateTime<Utc>, DateTime<Utc>)>,
    {
        let (ps, pe) = Self::check(&definition, &scope, period)?;
        let mut set = IntervalSet::new();
        for (start, end) in working {
            check_order(start, end)?;
            let s = start.timestamp_nanos_opt().unwrap_or(i64::MIN).max(ps);
            let e = end.timestamp_nanos_opt().unwrap_or(i64::MAX).min(pe);
            set.insert(s, e, |_, _| {});
        }
        Ok(Self::build(id, definition, scope, period, set, true))
    }

    fn check(
        definition: &SlaDefinition,
        scope: &SlaScope,
        period: SlaPeriod,
    ) -> Result<(i64, i64)> {
        definition.validate()?;
        if scope.is_empty() {
            return Err(SlaError::validation(
                "scope",
                "needs at least one of customer_id, service_id or resource_ids",
            ));
        }
        SlaPeriod::new(period.start, period.end)?;
        Ok((
            to_ns(period.start, "period.start")?,
            to_ns(period.end, "period.end")?,
        ))
    }

    fn build(
        id: Uuid,
        definition: Arc<SlaDefinition>,
        scope: SlaScope,
        period: SlaPeriod,
        working: IntervalSet,
        custom_working: bool,
    ) -> Self {
        SlaInstance {
            id,
            effective: working.clone(),
            working,
            custom_working,
            definition,
            ps: period.start.timestamp_nanos_opt().expect("checked"),
            pe: period.end.timestamp_nanos_opt().expect("checked"),
            scope,
            period,
            maintenance: IntervalSet::new(),
            planned_area: IntervalSet::new(),
            closed: IntervalSet::new(),
            closed_down: 0,
            closed_planned: 0,
            open: BTreeMap::new(),
            alarms: HashMap::new(),
            pending_response: BTreeMap::new(),
            pending_resolution: BTreeMap::new(),
            finished: Vec::new(),
            perf: Default::default(),
        }
    }

    /// Business time between two instants: working time inside the period, wall time
    /// outside it (24x7: wall time).
    fn business_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if !self.custom_working {
            return super::time::business_between(&self.definition, from, to);
        }
        if to <= from {
            return Duration::zero();
        }
        let (a, b) = (to_ns_sat(from), to_ns_sat(to));
        let inside = self.working.measure_in(a.max(self.ps), b.min(self.pe));
        let before = (b.min(self.ps) - a).max(0);
        let after = (b - a.max(self.pe)).max(0);
        dur(inside.saturating_add(before).saturating_add(after))
    }

    /// The instant `d` of business time after `start` (see [`Self::business_between`]).
    fn add_business(&self, start: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        if !self.custom_working {
            return super::time::add_business(&self.definition, start, d);
        }
        let s = to_ns_sat(start);
        let mut rem = d.num_nanoseconds().unwrap_or(i64::MAX);
        if s < self.ps {
            let wall = self.ps - s;
            if wall >= rem {
                return from_ns(s + rem);
            }
            rem -= wall;
        }
        for (a, b) in self.working.pieces_in(s.max(self.ps), self.pe) {
            if b - a >= rem {
                return from_ns(a + rem);
            }
            rem -= b - a;
        }
        from_ns(s.max(self.pe).saturating_add(rem))
    }

    /// An instance for the definition's period that contains `at`.
    pub fn for_instant(
        id: Uuid,
        definition: Arc<SlaDefinition>,
        scope: SlaScope,
        at: DateTime<Utc>,
    ) -> Result<Self> {
        let period = definition.measurement_period.period_containing(at)?;
        Self::new(id, definition, scope, period)
    }

    /// The instance id.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The definition.
    pub fn definition(&self) -> &Arc<SlaDefinition> {
        &self.definition
    }

    /// The scope.
    pub fn scope(&self) -> &SlaScope {
        &self.scope
    }

    /// The period.
    pub fn period(&self) -> SlaPeriod {
        self.period
    }

    /// Number of outages still open.
    pub fn open_outage_count(&self) -> usize {
        self.open.len()
    }

    /// Records an outage from `start` to `end` (`None`: still open, runs to `now` in
    /// [`SlaInstance::status`] until [`SlaInstance::record_clear`]). Overlapping outages count
    /// once; parts outside the period are ignored.
    ///
    /// Errors: `end` before `start`; `key` already has an open outage.
    pub fn record_outage(
        &mut self,
        key: &str,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let s = to_ns(start, "outage.start")?;
        if self.open.contains_key(key) {
            return Err(SlaError::OutageAlreadyOpen { key: key.into() });
        }
        match end {
            Some(end) => {
                check_order(start, end)?;
                let e = to_ns(end, "outage.end")?;
                self.insert_closed(s, e);
            }
            None => {
                self.open.insert(key.to_string(), s);
            }
        }
        Ok(())
    }

    /// Closes the open outage `key` at `at`.
    ///
    /// Errors: no open outage with that key; `at` before the outage's start.
    pub fn record_clear(&mut self, key: &str, at: DateTime<Utc>) -> Result<()> {
        let e = to_ns(at, "clear.at")?;
        let Some(&s) = self.open.get(key) else {
            return Err(SlaError::OutageNotOpen { key: key.into() });
        };
        check_order(from_ns(s), at)?;
        self.open.remove(key);
        self.insert_closed(s, e);
        Ok(())
    }

    /// Records a maintenance window. Outage time inside it becomes planned downtime and, when
    /// the definition excludes maintenance, the window leaves the measured time.
    pub fn record_maintenance(&mut self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<()> {
        check_order(start, end)?;
        let s = to_ns(start, "maintenance.start")?.max(self.ps);
        let e = to_ns(end, "maintenance.end")?.min(self.pe);
        let mut fresh: Vec<(i64, i64)> = Vec::new();
        self.maintenance.insert(s, e, |a, b| fresh.push((a, b)));
        let exclude = self.definition.exclude_maintenance;
        for (a, b) in fresh {
            let pieces: Vec<(i64, i64)> = self.working.pieces_in(a, b).collect();
            for (c, d) in pieces {
                self.planned_area.insert(c, d, |_, _| {});
                self.closed_planned += self.closed.measure_in(c, d);
                if exclude {
                    self.effective.remove(c, d, |_, _| {});
                }
            }
        }
        Ok(())
    }

    /// Records what is known about an alarm: its outage (service-affecting alarms, from first
    /// occurrence to clear) and its response/resolution clocks. Call it again as the alarm is
    /// acknowledged or cleared; the first acknowledgement and clear win, later changes to the
    /// severity or raise time are ignored. Returns `false` (and records nothing) when the
    /// alarm is not in scope.
    ///
    /// Errors: acknowledgement or clear before the raise time; a new alarm whose id already
    /// has an open outage recorded through [`SlaInstance::record_outage`].
    pub fn record_alarm(&mut self, alarm: &SlaAlarm) -> Result<bool> {
        let raised_ns = to_ns(alarm.raised_at, "alarm.raised_at")?;
        if let Some(a) = alarm.acknowledged_at {
            to_ns(a, "alarm.acknowledged_at")?;
        }
        if let Some(c) = alarm.cleared_at {
            to_ns(c, "alarm.cleared_at")?;
        }
        if !self.scope.matches(
            alarm.customer_id.as_deref(),
            alarm.service_id.as_deref(),
            alarm.resource_id.as_deref(),
        ) {
            return Ok(false);
        }
        let raised = self
            .alarms
            .get(&alarm.alarm_id)
            .map_or(alarm.raised_at, |t| t.raised);
        for at in [alarm.acknowledged_at, alarm.cleared_at]
            .into_iter()
            .flatten()
        {
            check_order(raised, at)?;
        }
        let id = alarm.alarm_id.as_str();
        if let Some(track) = self.alarms.get(id).cloned() {
            if !track.acknowledged
                && let Some(ack) = alarm.acknowledged_at
            {
                self.finish_pending(BreachKind::ResponseTime, id, ack);
                self.alarms.get_mut(id).expect("tracked").acknowledged = true;
            }
            if !track.cleared
                && let Some(clear) = alarm.cleared_at
            {
                if track.service_affecting && self.open.contains_key(id) {
                    self.record_clear(id, clear)?;
                }
                self.finish_pending(BreachKind::ResolutionTime, id, clear);
                self.alarms.get_mut(id).expect("tracked").cleared = true;
            }
            return Ok(true);
        }
        if alarm.service_affecting {
            self.record_outage(id, alarm.raised_at, alarm.cleared_at)?;
        }
        self.alarms.insert(
            id.to_string(),
            AlarmTrack {
                raised: alarm.raised_at,
                acknowledged: alarm.acknowledged_at.is_some(),
                cleared: alarm.cleared_at.is_some(),
                service_affecting: alarm.service_affecting,
            },
        );
        if !(self.ps <= raised_ns && raised_ns < self.pe) {
            return Ok(true);
        }
        for (kind, targets, end) in [
            (
                BreachKind::ResponseTime,
                &self.definition.response_minutes,
                alarm.acknowledged_at,
            ),
            (
                BreachKind::ResolutionTime,
                &self.definition.resolution_minutes,
                alarm.cleared_at,
            ),
        ] {
            let Some(&target_minutes) = targets.get(&alarm.severity) else {
                continue;
            };
            let due = self.add_business(
                alarm.raised_at,
                Duration::minutes(i64::from(target_minutes)),
            );
            let pending = Pending {
                severity: alarm.severity,
                raised: alarm.raised_at,
                due,
                target_minutes,
            };
            match end {
                Some(end) => {
                    if let Some(b) = self.time_breach(kind, id, &pending, end, Some(end)) {
                        self.finished.push(b);
                    }
                }
                None => {
                    let map = match kind {
                        BreachKind::ResponseTime => &mut self.pending_response,
                        _ => &mut self.pending_resolution,
                    };
                    map.insert(id.to_string(), pending);
                }
            }
        }
        Ok(true)
    }

    /// Records a performance sample. A value beyond its target opens a performance breach for
    /// that metric (or worsens the open one); the next value within target closes it. Samples
    /// outside the period, outside working time, or inside an excluded maintenance window are
    /// ignored (judged against the windows known when the sample is recorded).
    ///
    /// Errors: a sample older than the last accepted one for the same metric.
    pub fn record_measurement(&mut self, m: &Measurement) -> Result<()> {
        let ns = to_ns(m.at, "measurement.at")?;
        let values = [m.latency_ms, m.packet_loss_percent, m.bandwidth_mbps];
        for (i, v) in values.iter().enumerate() {
            if v.is_some()
                && let Some(last) = self.perf[i].last
                && m.at < last
            {
                return Err(SlaError::MeasurementOutOfOrder {
                    metric: METRICS[i].as_str().into(),
                    at: m.at.to_rfc3339(),
                    last: last.to_rfc3339(),
                });
            }
        }
        if !(self.ps <= ns && ns < self.pe && self.effective.contains(ns)) {
            return Ok(());
        }
        let targets = &self.definition.performance;
        let limits = [
            targets.max_latency_ms,
            targets.max_packet_loss_percent,
            targets.min_bandwidth_mbps,
        ];
        for i in 0..3 {
            let (Some(v), Some(limit)) = (values[i], limits[i]) else {
                continue;
            };
            let metric = METRICS[i];
            let lower_is_worse = metric == PerformanceMetric::Bandwidth;
            let violating = if lower_is_worse { v < limit } else { v > limit };
            let track = &mut self.perf[i];
            track.last = Some(m.at);
            match (&mut track.open, violating) {
                (None, true) => track.open = Some((m.at, v)),
                (Some((_, worst)), true) => {
                    if (lower_is_worse && v < *worst) || (!lower_is_worse && v > *worst) {
                        *worst = v;
                    }
                }
                (Some((start, worst)), false) => {
                    let b = perf_breach(metric, *start, Some(m.at), m.at, limit, *worst);
                    track.open = None;
                    self.finished.push(b);
                }
                (None, false) => {}
            }
        }
        Ok(())
    }

    /// The instance's state at `now`: downtime (open outages run to `now`, or the period end),
    /// availability, compliance, breaches and credits.
    pub fn status(&self, now: DateTime<Utc>) -> SlaStatus {
        let def = &*self.definition;
        let now_ns = to_ns_sat(now);
        let nc = now_ns.clamp(self.ps, self.pe);
        let open_from = self.open.values().min().map(|s| (*s).max(self.ps));
        let (mut down, mut planned) = (self.closed_down, self.closed_planned);
        if let Some(s0) = open_from
            && s0 < nc
        {
            for (a, b) in self.closed.gaps_in(s0, nc) {
                down += self.working.measure_in(a, b);
                planned += self.planned_area.measure_in(a, b);
            }
        }
        let unplanned = down - planned;
        let counted = if def.exclude_maintenance {
            unplanned
        } else {
            down
        };
        let measured = self.effective.total();
        let allowance = ((Decimal::ONE - def.availability_target) * Decimal::from(measured))
            .floor()
            .to_i64()
            .unwrap_or(measured);
        let dm = Decimal::from(measured);
        let availability = if measured == 0 {
            Decimal::ONE
        } else {
            Decimal::from(measured - counted) / dm
        };
        let pct = |p: Decimal| -> Decimal {
            let mut money = (def.monthly_fee * p / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
            money.rescale(2); // always show cents
            money
        };
        let tier_percent = def
            .credit_schedule
            .tiers
            .iter()
            .filter(|t| {
                Decimal::from(measured - counted) * Decimal::ONE_HUNDRED < t.below_percent * dm
            })
            .map(|t| t.credit_percent)
            .max()
            .unwrap_or(Decimal::ZERO);

        let mut breaches: Vec<Breach> = Vec::new();
        if counted > allowance {
            let union: Cow<'_, IntervalSet> = match open_from {
                Some(s0) if s0 < nc => {
                    let mut u = self.closed.clone();
                    u.insert(s0, nc, |_, _| {});
                    Cow::Owned(u)
                }
                _ => Cow::Borrowed(&self.closed),
            };
            let start = from_ns(self.exhaustion_instant(&union, allowance));
            let end = (nc >= self.pe).then_some(self.period.end);
            breaches.push(Breach {
                key: "availability".into(),
                kind: BreachKind::Availability,
                metric: None,
                alarm_id: None,
                severity: None,
                start,
                end,
                duration: (end.unwrap_or(from_ns(nc)) - start).max(Duration::zero()),
                target: def.availability_target,
                actual: availability,
                unit: MeasureUnit::Ratio,
                financial_impact: pct(tier_percent),
            });
        }
        breaches.extend(self.finished.iter().cloned());
        for (kind, map) in [
            (BreachKind::ResponseTime, &self.pending_response),
            (BreachKind::ResolutionTime, &self.pending_resolution),
        ] {
            for (id, p) in map {
                if let Some(b) = self.time_breach(kind, id, p, now, None) {
                    breaches.push(b);
                }
            }
        }
        let targets = &def.performance;
        let limits = [
            targets.max_latency_ms,
            targets.max_packet_loss_percent,
            targets.min_bandwidth_mbps,
        ];
        for i in 0..3 {
            if let (Some((start, worst)), Some(limit)) = (self.perf[i].open, limits[i]) {
                breaches.push(perf_breach(METRICS[i], start, None, now, limit, worst));
            }
        }
        let cs = &def.credit_schedule;
        let mut extra = Decimal::ZERO;
        for b in breaches.iter_mut() {
            let p = match b.kind {
                BreachKind::Availability => continue,
                BreachKind::ResponseTime => cs.response_breach_percent,
                BreachKind::ResolutionTime => cs.resolution_breach_percent,
                BreachKind::Performance => cs.performance_breach_percent,
            };
            extra += p;
            b.financial_impact = pct(p);
        }
        breaches.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.key.cmp(&b.key)));
        let credit_percent = (tier_percent + extra).min(cs.cap_percent);
        let compliance = if !breaches.is_empty() {
            Compliance::Breached
        } else if Decimal::from(allowance - counted)
            < def.at_risk_fraction * Decimal::from(allowance)
        {
            Compliance::AtRisk
        } else {
            Compliance::Compliant
        };
        SlaStatus {
            instance_id: self.id,
            period: self.period,
            as_of: now,
            compliance,
            availability,
            availability_target: def.availability_target,
            measured: dur(measured),
            allowed_downtime: dur(allowance),
            remaining_allowance: dur((allowance - counted).max(0)),
            planned_downtime: dur(planned),
            unplanned_downtime: dur(unplanned),
            counted_downtime: dur(counted),
            open_outages: self.open.len(),
            breach_count: breaches.len(),
            breaches,
            credit_percent,
            credits_owed: pct(credit_percent),
        }
    }

    /// The earliest instant after `now` at which [`SlaInstance::status`] may change with no
    /// new input: a pending response/resolution target breaching (the first instant after its
    /// due instant), the downtime allowance running out (or falling below the at-risk
    /// fraction) while an outage is open, or the period ending. `None` when nothing is left to
    /// watch.
    ///
    /// The allowance instants are computed in wall time from the downtime counted at `now`,
    /// so they are never late: business hours and maintenance windows only make the real
    /// change later, and a scheduler that re-evaluates at this instant simply asks again.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fault_core::sla::{Compliance, MeasurementPeriod, SlaDefinition, SlaInstance, SlaScope};
    /// use rust_decimal::Decimal;
    /// use std::sync::Arc;
    /// let t = |d, h| Utc.with_ymd_and_hms(2026, 4, d, h, 0, 0).unwrap();
    /// let def = Arc::new(SlaDefinition::new("Gold", Decimal::new(999, 3), MeasurementPeriod::utc_month())
    ///     .with_at_risk_fraction(Decimal::ZERO));
    /// let mut sla = SlaInstance::for_instant(uuid::Uuid::nil(), def, SlaScope::customer("c"), t(1, 0)).unwrap();
    /// sla.record_outage("a", t(2, 0), None).unwrap();
    /// // 30 days: the 43.2 min allowance runs out 43.2 min after the outage began.
    /// let next = sla.next_change(t(2, 0)).unwrap();
    /// assert_eq!(next, t(2, 0) + Duration::seconds(2592) + Duration::nanoseconds(1));
    /// assert_eq!(sla.status(next - Duration::nanoseconds(1)).compliance, Compliance::Compliant);
    /// assert_eq!(sla.status(next).compliance, Compliance::Breached);
    /// ```
    pub fn next_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut next: Option<DateTime<Utc>> = None;
        let mut consider = |t: DateTime<Utc>| {
            if t > now && next.is_none_or(|n| t < n) {
                next = Some(t);
            }
        };
        let one = Duration::nanoseconds(1);
        for p in self
            .pending_response
            .values()
            .chain(self.pending_resolution.values())
        {
            consider(p.due + one);
        }
        if now < self.period.end {
            consider(self.period.end);
            if !self.open.is_empty() {
                let s = self.status(now);
                if s.counted_downtime <= s.allowed_downtime {
                    let remaining = s.allowed_downtime - s.counted_downtime;
                    consider(now + remaining + one);
                    let threshold = (self.definition.at_risk_fraction
                        * Decimal::from(s.allowed_downtime.num_nanoseconds().unwrap_or(0)))
                    .ceil()
                    .to_i64()
                    .unwrap_or(0);
                    let until_risk = remaining.num_nanoseconds().unwrap_or(0) - threshold;
                    if until_risk >= 0 {
                        consider(now + Duration::nanoseconds(until_risk) + one);
                    }
                }
            }
        }
        next
    }

    /// The instant counted downtime reached `allowance`: from the next instant on, it exceeds it.
    fn exhaustion_instant(&self, union: &IntervalSet, allowance: i64) -> i64 {
        let mut acc = 0i64;
        for &(a, b) in union.intervals() {
            for (c, d) in self.effective.pieces_in(a, b) {
                if acc + (d - c) > allowance {
                    return c + (allowance - acc);
                }
                acc += d - c;
            }
        }
        // Unreachable when counted > allowance; the period end is the safe answer.
        self.pe
    }

    fn insert_closed(&mut self, s: i64, e: i64) {
        let (s, e) = (s.max(self.ps), e.min(self.pe));
        let (working, planned_area) = (&self.working, &self.planned_area);
        let (mut dw, mut dp) = (0, 0);
        self.closed.insert(s, e, |a, b| {
            dw += working.measure_in(a, b);
            dp += planned_area.measure_in(a, b);
        });
        self.closed_down += dw;
        self.closed_planned += dp;
    }

    fn finish_pending(&mut self, kind: BreachKind, id: &str, end: DateTime<Utc>) {
        let map = match kind {
            BreachKind::ResponseTime => &mut self.pending_response,
            _ => &mut self.pending_resolution,
        };
        if let Some(p) = map.remove(id)
            && let Some(b) = self.time_breach(kind, id, &p, end, Some(end))
        {
            self.finished.push(b);
        }
    }

    /// A response/resolution breach if `at` is strictly after the due instant.
    fn time_breach(
        &self,
        kind: BreachKind,
        id: &str,
        p: &Pending,
        at: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Option<Breach> {
        if at <= p.due {
            return None;
        }
        let actual = self.business_between(p.raised, at);
        let prefix = if kind == BreachKind::ResponseTime {
            "response"
        } else {
            "resolution"
        };
        Some(Breach {
            key: format!("{prefix}:{id}"),
            kind,
            metric: None,
            alarm_id: Some(id.to_string()),
            severity: Some(p.severity),
            start: p.due,
            end,
            duration: at - p.due,
            target: Decimal::from(p.target_minutes),
            actual: minutes(actual.num_nanoseconds().unwrap_or(i64::MAX)),
            unit: MeasureUnit::Minutes,
            financial_impact: Decimal::ZERO,
        })
    }
}

fn perf_breach(
    metric: PerformanceMetric,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    target: Decimal,
    worst: Decimal,
) -> Breach {
    Breach {
        key: format!(
            "performance:{}:{}",
            metric.as_str(),
            start.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        ),
        kind: BreachKind::Performance,
        metric: Some(metric),
        alarm_id: None,
        severity: None,
        start,
        end,
        duration: (end.unwrap_or(now) - start).max(Duration::zero()),
        target,
        actual: worst,
        unit: match metric {
            PerformanceMetric::Latency => MeasureUnit::Milliseconds,
            PerformanceMetric::PacketLoss => MeasureUnit::Percent,
            PerformanceMetric::Bandwidth => MeasureUnit::Mbps,
        },
        financial_impact: Decimal::ZERO,
    }
}

fn check_order(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<()> {
    if end < start {
        return Err(SlaError::InvalidInterval {
            start: start.to_rfc3339(),
            end: end.to_rfc3339(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::MeasurementPeriod;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn base() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
    }

    fn instance(exclude: bool) -> SlaInstance {
        let def = SlaDefinition::new("t", Decimal::new(99, 2), MeasurementPeriod::utc_month())
            .with_exclude_maintenance(exclude);
        SlaInstance::for_instant(Uuid::nil(), Arc::new(def), SlaScope::service("s"), base())
            .unwrap()
    }

    /// Recomputes every running total from the interval sets.
    fn assert_caches(sla: &SlaInstance) {
        let down: i64 = sla
            .closed
            .intervals()
            .iter()
            .map(|&(a, b)| sla.working.measure_in(a, b))
            .sum();
        let planned: i64 = sla
            .closed
            .intervals()
            .iter()
            .map(|&(a, b)| sla.planned_area.measure_in(a, b))
            .sum();
        assert_eq!(sla.closed_down, down);
        assert_eq!(sla.closed_planned, planned);
        let maint_in_working: i64 = sla
            .maintenance
            .intervals()
            .iter()
            .map(|&(a, b)| sla.working.measure_in(a, b))
            .sum();
        assert_eq!(sla.planned_area.total(), maint_in_working);
        let expect_effective = if sla.definition.exclude_maintenance {
            sla.working.total() - maint_in_working
        } else {
            sla.working.total()
        };
        assert_eq!(sla.effective.total(), expect_effective);
    }

    proptest! {
        #[test]
        fn running_totals_equal_a_recomputation(
            exclude in any::<bool>(),
            ops in proptest::collection::vec((0u8..3, -2000i64..50_000, 0i64..3000), 0..40),
        ) {
            let mut sla = instance(exclude);
            let at = |m: i64| base() + Duration::minutes(m);
            for (i, (op, start, len)) in ops.into_iter().enumerate() {
                match op {
                    0 => sla.record_outage(&i.to_string(), at(start), Some(at(start + len))).unwrap(),
                    1 => sla.record_maintenance(at(start), at(start + len)).unwrap(),
                    _ => {
                        sla.record_outage("open", at(start), None).unwrap();
                        sla.record_clear("open", at(start + len)).unwrap();
                    }
                }
                assert_caches(&sla);
            }
        }
    }

    proptest! {
        /// Nothing changes between `now` and `next_change(now)`: compliance, breach keys and
        /// open outages are the same at every instant before it.
        #[test]
        fn next_change_is_never_late(
            exclude in any::<bool>(),
            closed in proptest::collection::vec((0i64..43_000, 0i64..600), 0..6),
            maint in proptest::collection::vec((0i64..43_000, 0i64..600), 0..3),
            open_at in proptest::option::of(0i64..43_000),
            now_min in 0i64..44_000,
            response in proptest::option::of(1u32..500),
        ) {
            let mut def = SlaDefinition::new("t", Decimal::new(995, 3), MeasurementPeriod::utc_month())
                .with_exclude_maintenance(exclude);
            if let Some(r) = response {
                def = def.with_response_minutes(Severity::Major, r);
            }
            let mut sla = SlaInstance::for_instant(Uuid::nil(), Arc::new(def), SlaScope::service("s"), base()).unwrap();
            let at = |m: i64| base() + Duration::minutes(m);
            for (i, (s, len)) in closed.iter().enumerate() {
                sla.record_outage(&format!("c{i}"), at(*s), Some(at(s + len))).unwrap();
            }
            for (s, len) in &maint {
                sla.record_maintenance(at(*s), at(s + len)).unwrap();
            }
            if let Some(s) = open_at {
                let s = s.min(now_min);
                sla.record_alarm(&SlaAlarm::new("open", Severity::Major, at(s)).for_service("s")).unwrap();
            }
            let now = at(now_min) + Duration::seconds(17);
            let key = |t: DateTime<Utc>| {
                let s = sla.status(t);
                (s.compliance, s.breaches.iter().map(|b| b.key.clone()).collect::<Vec<_>>())
            };
            let here = key(now);
            if let Some(next) = sla.next_change(now) {
                prop_assert!(next > now);
                let span = (next - now).num_nanoseconds().unwrap();
                for k in [1i64, 2, 3] {
                    let t = now + Duration::nanoseconds(span * k / 4);
                    prop_assert_eq!(&key(t), &here, "changed at {} before {}", t, next);
                }
                prop_assert_eq!(&key(next - Duration::nanoseconds(1)), &here);
            } else {
                prop_assert_eq!(&key(now + Duration::days(400)), &here);
            }
        }
    }

    #[test]
    fn maintenance_after_outage_moves_downtime_to_planned() {
        let mut sla = instance(true);
        let at = |m: i64| base() + Duration::minutes(m);
        sla.record_outage("o", at(100), Some(at(200))).unwrap();
        assert_eq!(
            (sla.closed_down, sla.closed_planned),
            (100 * 60_000_000_000, 0)
        );
        sla.record_maintenance(at(150), at(250)).unwrap();
        assert_eq!(sla.closed_planned, 50 * 60_000_000_000);
        // Re-recording the same window changes nothing.
        sla.record_maintenance(at(150), at(250)).unwrap();
        assert_eq!(sla.closed_planned, 50 * 60_000_000_000);
        assert_caches(&sla);
    }

    #[test]
    fn business_clock_outside_the_period_runs_in_wall_time() {
        let def = Arc::new(SlaDefinition::new(
            "t",
            Decimal::new(99, 2),
            MeasurementPeriod::utc_month(),
        ));
        let period = def.measurement_period.period_containing(base()).unwrap();
        let h = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 4, d, h, 0, 0).unwrap();
        let sla = SlaInstance::with_working_time(
            Uuid::nil(),
            def,
            SlaScope::service("s"),
            period,
            [(h(30, 9), h(30, 17))],
        )
        .unwrap();
        let may = |d: u32, hour: u32| Utc.with_ymd_and_hms(2026, 5, d, hour, 0, 0).unwrap();
        // 8 working hours on 30 April, then wall time from 1 May 00:00.
        assert_eq!(sla.add_business(h(30, 16), Duration::hours(3)), may(1, 2));
        assert_eq!(
            sla.business_between(h(30, 16), may(1, 2)),
            Duration::hours(3)
        );
        // Before the period: wall time up to its start, then working time.
        let march = Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0).unwrap();
        assert_eq!(sla.add_business(march, Duration::hours(2)), h(30, 10));
        assert_eq!(sla.business_between(march, h(30, 10)), Duration::hours(2));
        assert_eq!(sla.business_between(h(30, 10), march), Duration::zero());
        // Zero business time from outside working hours lands on the next working instant.
        assert_eq!(sla.add_business(h(29, 12), Duration::zero()), h(30, 9));
    }
}
