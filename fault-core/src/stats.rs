//! Alarm statistics: counts by severity, status, source and resource type; mean time to
//! acknowledge and to clear; top flapping resources.

use crate::alarm::Alarm;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A resource that flaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlappingResource {
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Sum of flap counts of its alarms.
    pub flap_count: u64,
    /// Number of its alarms that flapped.
    pub alarms: u64,
}

/// Aggregates over a set of alarms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AlarmStats {
    /// Number of alarms.
    pub total: u64,
    /// By severity name.
    pub by_severity: BTreeMap<String, u64>,
    /// By status name.
    pub by_status: BTreeMap<String, u64>,
    /// By source name.
    pub by_source: BTreeMap<String, u64>,
    /// By resource type (`"unknown"` when absent).
    pub by_resource_type: BTreeMap<String, u64>,
    /// Mean first occurrence -> acknowledgement, seconds (acknowledged alarms only).
    pub mean_time_to_acknowledge_secs: Option<f64>,
    /// Mean first occurrence -> clear, seconds (cleared alarms only).
    pub mean_time_to_clear_secs: Option<f64>,
    /// Resources with the most flaps, most first (ties by resource id).
    pub top_flapping: Vec<FlappingResource>,
}

/// Compute statistics; `top_n` bounds `top_flapping`.
///
/// ```
/// let a = fault_core::alarm::tests_support::sample();
/// let s = fault_core::stats::alarm_stats([&a], 5);
/// assert_eq!(s.by_severity["critical"], 1);
/// ```
pub fn alarm_stats<'a>(alarms: impl IntoIterator<Item = &'a Alarm>, top_n: usize) -> AlarmStats {
    let mut s = AlarmStats::default();
    let (mut ack_sum, mut ack_n, mut clr_sum, mut clr_n) = (0f64, 0u64, 0f64, 0u64);
    let mut flaps: BTreeMap<(Option<String>, Option<String>), (u64, u64)> = BTreeMap::new();
    for a in alarms {
        s.total += 1;
        *s.by_severity.entry(a.severity.as_str().into()).or_default() += 1;
        *s.by_status.entry(a.status.as_str().into()).or_default() += 1;
        *s.by_source.entry(a.source.as_str().into()).or_default() += 1;
        *s.by_resource_type
            .entry(a.resource_type.clone().unwrap_or_else(|| "unknown".into()))
            .or_default() += 1;
        if let Some(t) = a.acknowledged_at {
            ack_sum += (t - a.first_occurrence).num_milliseconds() as f64 / 1000.0;
            ack_n += 1;
        }
        if let Some(t) = a.cleared_at {
            clr_sum += (t - a.first_occurrence).num_milliseconds() as f64 / 1000.0;
            clr_n += 1;
        }
        if a.flap_count > 0 || a.is_flapping {
            let e = flaps
                .entry((a.resource_type.clone(), a.resource_id.clone()))
                .or_default();
            e.0 += a.flap_count as u64;
            e.1 += 1;
        }
    }
    s.mean_time_to_acknowledge_secs = (ack_n > 0).then(|| ack_sum / ack_n as f64);
    s.mean_time_to_clear_secs = (clr_n > 0).then(|| clr_sum / clr_n as f64);
    let mut top: Vec<FlappingResource> = flaps
        .into_iter()
        .map(|((t, i), (f, n))| FlappingResource {
            resource_type: t,
            resource_id: i,
            flap_count: f,
            alarms: n,
        })
        .collect();
    top.sort_by(|a, b| {
        b.flap_count
            .cmp(&a.flap_count)
            .then_with(|| a.resource_id.cmp(&b.resource_id))
    });
    top.truncate(top_n);
    s.top_flapping = top;
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::{AlarmSource, tests_support::sample};
    use chrono::Duration;

    #[test]
    fn counts_means_and_flappers() {
        let mut a = sample();
        let t = a.first_occurrence;
        a.acknowledge("u", t + Duration::seconds(60)).unwrap();
        a.clear(None, t + Duration::seconds(300)).unwrap();
        a.flap_count = 4;
        let mut b = sample();
        b.source = AlarmSource::Cpe;
        b.resource_type = None;
        b.resource_id = Some("ont-1".into());
        b.acknowledge("u", t + Duration::seconds(120)).unwrap();
        b.flap_count = 1;
        let c = sample();
        let s = alarm_stats([&a, &b, &c], 1);
        assert_eq!(s.total, 3);
        assert_eq!(s.by_status["acknowledged"], 1);
        assert_eq!(s.by_status["cleared"], 1);
        assert_eq!(s.by_status["active"], 1);
        assert_eq!(s.by_severity["cleared"], 1);
        assert_eq!(s.by_source["cpe"], 1);
        assert_eq!(s.by_resource_type["unknown"], 1);
        assert_eq!(s.mean_time_to_acknowledge_secs, Some(90.0));
        assert_eq!(s.mean_time_to_clear_secs, Some(300.0));
        assert_eq!(s.top_flapping.len(), 1);
        assert_eq!(s.top_flapping[0].resource_id.as_deref(), Some("olt-001"));
        assert_eq!(s.top_flapping[0].flap_count, 4);
        let empty = alarm_stats([], 3);
        assert_eq!(empty.mean_time_to_clear_secs, None);
    }
}
