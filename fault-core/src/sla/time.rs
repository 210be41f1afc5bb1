//! Conversions between `chrono` instants and the nanosecond timeline, the calendar adapter,
//! and serde helpers for durations.

use super::definition::SlaDefinition;
use super::error::{Result, SlaError};
use super::interval::IntervalSet;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

/// Nanoseconds in one minute.
pub(crate) const NS_PER_MINUTE: i64 = 60_000_000_000;

/// `at` as nanoseconds since the Unix epoch, or a validation error outside 1677–2262.
pub(crate) fn to_ns(at: DateTime<Utc>, field: &str) -> Result<i64> {
    at.timestamp_nanos_opt().ok_or_else(|| {
        SlaError::validation(
            field,
            format!(
                "instant {} is outside the supported range 1678-2261",
                at.to_rfc3339()
            ),
        )
    })
}

/// The instant `ns` nanoseconds after the Unix epoch.
pub(crate) fn from_ns(ns: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(ns)
}

/// A nanosecond count as a `Duration`.
pub(crate) fn dur(ns: i64) -> Duration {
    Duration::nanoseconds(ns)
}

/// A nanosecond count in minutes, rounded to 6 decimal places.
pub(crate) fn minutes(ns: i64) -> Decimal {
    (Decimal::from(ns) / Decimal::from(NS_PER_MINUTE)).round_dp(6)
}

/// The working intervals of the definition's calendar inside `[start, end)`.
pub(crate) fn working_set(def: &SlaDefinition, start: i64, end: i64) -> IntervalSet {
    if def.calendar.is_always() {
        return IntervalSet::single(start, end);
    }
    let mut set = IntervalSet::new();
    for (a, b) in def.calendar.working_intervals(from_ns(start), from_ns(end)) {
        let (a, b) = (to_ns_saturating(a).max(start), to_ns_saturating(b).min(end));
        set.insert(a, b, |_, _| {});
    }
    set
}

/// Business time between two instants under the definition's calendar (24x7: wall time).
pub(crate) fn business_between(
    def: &SlaDefinition,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Duration {
    if def.calendar.is_always() {
        return (to - from).max(Duration::zero());
    }
    def.calendar.business_time_between(from, to)
}

/// The instant `d` of business time after `start` under the definition's calendar.
pub(crate) fn add_business(
    def: &SlaDefinition,
    start: DateTime<Utc>,
    d: Duration,
) -> DateTime<Utc> {
    if def.calendar.is_always() {
        return start + d;
    }
    def.calendar.add_business_time(start, d)
}

/// `at` in nanoseconds, saturating outside the representable range.
pub(crate) fn to_ns_saturating(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// Serde for `chrono::Duration` as integer milliseconds.
pub(crate) mod duration_ms {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_milliseconds())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let ms = i64::deserialize(d)?;
        Duration::try_milliseconds(ms)
            .ok_or_else(|| serde::de::Error::custom(format!("duration {ms} ms is out of range")))
    }
}
