//! Restoring a correlator from storage faithfully.
//!
//! [`Correlator::rebuild`] restores the raised alarms; [`Correlator::rebuild_with_topology`]
//! does so with the topology in place first, so that restored alarms are indexed under their
//! ancestors exactly as when they were raised (a child restored without its topology would be
//! filed as a tenant-wide orphan and adopted by any parent of the rule). The flap history of a key lives on after
//! its alarm cleared and left the working set (the next raise/clear cycles of the key count
//! against it), so a correlator rebuilt from storage — after a restart, or because another
//! process changed the tenant — must also be told the recent clears, or it would miss
//! flapping that the correlator which saw the clears detects.

use super::{Correlator, CorrelatorConfig, TimerKind, key_fingerprint};
use crate::alarm::Alarm;
use crate::error::Result;
use crate::topology::TopologyEdge;
use chrono::{DateTime, Utc};

impl Correlator {
    /// [`Correlator::rebuild`] with `tenant`'s topology edges added before the alarms are
    /// restored. Use it whenever a topology exists: adding the edges after a rebuild leaves the
    /// restored alarms indexed as if there were no topology.
    pub fn rebuild_with_topology(
        config: CorrelatorConfig,
        tenant: &str,
        edges: &[TopologyEdge],
        alarms: impl IntoIterator<Item = Alarm>,
    ) -> Result<Self> {
        let mut c = Correlator::new(config)?;
        c.add_topology_edges(tenant, edges)?;
        c.restore_alarms(alarms)
    }

    /// Records past clears of reduction keys in the flap history, as if this correlator had
    /// seen them: `(reduction key, clear instant)`, in any order. Call it right after
    /// [`Correlator::rebuild`] with the clears of the flap window before the newest event the
    /// store holds (older ones are ignored when they fall out of the window). Does nothing when
    /// flapping detection is off.
    ///
    /// ```
    /// use fault_core::correlator::{Correlator, CorrelatorConfig};
    /// use fault_core::decision::Decision;
    /// use fault_core::event::AlarmEvent;
    /// use fault_core::Severity;
    /// use chrono::{Duration, TimeZone, Utc};
    ///
    /// let t = Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap();
    /// let raise = |at| AlarmEvent::new("t1", "port.down", "olt", "olt-1", at).with_severity(Severity::Major);
    /// let clear = |at| AlarmEvent::new("t1", "port.down", "olt", "olt-1", at).with_severity(Severity::Cleared);
    /// // Another correlator saw two raise/clear cycles of the key...
    /// let mut a = Correlator::new(CorrelatorConfig::default()).unwrap();
    /// let key = match &a.ingest(&raise(t), t).unwrap()[0] {
    ///     Decision::Created { alarm } => alarm.reduction_key.clone(),
    ///     d => panic!("{d:?}"),
    /// };
    /// a.ingest(&clear(t + Duration::seconds(10)), t).unwrap();
    /// a.ingest(&raise(t + Duration::seconds(20)), t).unwrap();
    /// a.ingest(&clear(t + Duration::seconds(30)), t).unwrap();
    /// // ...this one is rebuilt from storage (no open alarm) and told the clears.
    /// let mut b = Correlator::rebuild(CorrelatorConfig::default(), Vec::new()).unwrap();
    /// b.restore_clears([(key.as_str(), t + Duration::seconds(10)), (key.as_str(), t + Duration::seconds(30))]);
    /// b.ingest(&raise(t + Duration::seconds(40)), t).unwrap();
    /// let d = b.ingest(&clear(t + Duration::seconds(50)), t).unwrap();
    /// assert!(matches!(d[0], Decision::Flapping { flap_count: 3, .. }), "{d:?}");
    /// ```
    pub fn restore_clears<'a>(
        &mut self,
        clears: impl IntoIterator<Item = (&'a str, DateTime<Utc>)>,
    ) {
        if !self.flapping.enabled {
            return;
        }
        let w = self.flap_window_us;
        let mut list: Vec<((u64, u64), i64)> = clears
            .into_iter()
            .map(|(key, at)| (key_fingerprint(key), at.timestamp_micros()))
            .collect();
        list.sort_unstable_by_key(|&(_, t)| t);
        for (key, t) in list {
            self.flap_hist.entry(key).or_default().record_clear(t, w);
            self.push_timer(t + w, TimerKind::FlapHistory, key.0, key.1);
            if t > self.watermark {
                self.watermark = t;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlator::SEED_002_RULE_JSON;
    use crate::decision::Decision;
    use crate::event::AlarmEvent;
    use chrono::TimeZone;

    /// The ONT alarm a correlator with topology created before its OLT went down.
    fn orphan_child() -> (CorrelatorConfig, Vec<TopologyEdge>, Alarm) {
        let cfg = CorrelatorConfig::default()
            .with_rules_json(SEED_002_RULE_JSON)
            .unwrap();
        let edges = vec![
            TopologyEdge::new("olt-1", "ont-1"),
            TopologyEdge::new("olt-2", "ont-2"),
        ];
        let mut c = Correlator::new(cfg.clone()).unwrap();
        c.add_topology_edges("t1", &edges).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap();
        let ont = AlarmEvent::new("t1", "cpe.signal_loss", "ont", "ont-1", t)
            .with_alarm_type("signal.loss");
        let Decision::Created { alarm } = c.ingest(&ont, t).unwrap().remove(0) else {
            panic!("created")
        };
        (cfg, edges, alarm.into_alarm(ont))
    }

    fn adopted_by_other_olt(c: &mut Correlator) -> bool {
        let t = Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 30).unwrap();
        let olt2 = AlarmEvent::new("t1", "device.down", "olt", "olt-2", t);
        c.ingest(&olt2, t)
            .unwrap()
            .iter()
            .any(|d| matches!(d, Decision::Correlated { .. }))
    }

    #[test]
    fn restored_children_keep_their_place_in_the_topology() {
        let (cfg, edges, child) = orphan_child();
        let mut c = Correlator::rebuild_with_topology(cfg, "t1", &edges, [child]).unwrap();
        assert!(
            !adopted_by_other_olt(&mut c),
            "olt-2 does not feed ont-1: it must not adopt it"
        );
    }
}
