//! Pure aggregation over tickets: counts by status, state category, priority, type and label
//! (seed 001's "by provider" is `label_keys = ["provider_id"]`), mean/median time to first
//! response and to resolution, and the SLA compliance rate.
//!
//! Soft-deleted tickets are not counted (they appear only in [`TicketStats::deleted`]).
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use ticket_core::stats::{StatsOptions, TicketStats};
//! use ticket_core::ticket::{NewTicket, Ticket};
//! use ticket_core::workflow::Workflow;
//!
//! let wf = Workflow::vms();
//! let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
//! let mut tickets = Vec::new();
//! for (i, provider) in ["p1", "p1", "p2"].iter().enumerate() {
//!     let mut t = NewTicket::new("t", format!("alert {i}"), "svc")
//!         .label("provider_id", *provider)
//!         .build(&wf, Ticket::new_id(t0), format!("TKT-2026-{:06}", i + 1), t0)
//!         .unwrap();
//!     t.first_responded_at = Some(t0 + Duration::minutes(10 * (i as i64 + 1)));
//!     tickets.push(t);
//! }
//! let workflows = [&wf];
//! let opts = StatsOptions::new().workflows(&workflows).label_keys(&["provider_id"]);
//! let s = TicketStats::compute(&tickets, &opts);
//! assert_eq!(s.total, 3);
//! assert_eq!(s.by_label["provider_id"]["p1"], 2);
//! assert_eq!(s.first_response.as_ref().unwrap().median_seconds, 1200.0);
//! ```

use crate::category::StateCategory;
use crate::priority::Priority;
use crate::ticket::Ticket;
use crate::ticket_type::TicketType;
use crate::workflow::Workflow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What to aggregate beyond the fixed dimensions.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsOptions<'a> {
    /// Workflows used to map each ticket's status to a category (matched by the ticket's
    /// `workflow` name, case-insensitively). Tickets whose workflow or status is not found are
    /// counted in [`TicketStats::uncategorized`].
    pub workflows: &'a [&'a Workflow],
    /// Label keys to break down by (e.g. `provider_id`, `contractor_id`).
    pub label_keys: &'a [&'a str],
    /// Per-ticket SLA outcome, parallel to the ticket slice: `Some(true)` met, `Some(false)`
    /// breached, `None` unknown / still running. Ignored when its length differs.
    pub sla_met: Option<&'a [Option<bool>]>,
}

impl<'a> StatsOptions<'a> {
    /// No workflows, no labels, no SLA flags.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`StatsOptions::workflows`].
    pub fn workflows(mut self, w: &'a [&'a Workflow]) -> Self {
        self.workflows = w;
        self
    }

    /// Sets [`StatsOptions::label_keys`].
    pub fn label_keys(mut self, k: &'a [&'a str]) -> Self {
        self.label_keys = k;
        self
    }

    /// Sets [`StatsOptions::sla_met`].
    pub fn sla_met(mut self, flags: &'a [Option<bool>]) -> Self {
        self.sla_met = Some(flags);
        self
    }
}

/// Mean and median of a set of durations, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DurationStats {
    /// Number of tickets measured.
    pub count: u64,
    /// Arithmetic mean, seconds.
    pub mean_seconds: f64,
    /// Median, seconds (mean of the two middle values for an even count).
    pub median_seconds: f64,
}

impl DurationStats {
    /// Mean and median of `secs`; `None` when empty.
    pub fn from_seconds(mut secs: Vec<i64>) -> Option<Self> {
        if secs.is_empty() {
            return None;
        }
        secs.sort_unstable();
        let n = secs.len();
        let sum: i128 = secs.iter().map(|&s| s as i128).sum();
        let median = if n % 2 == 1 {
            secs[n / 2] as f64
        } else {
            (secs[n / 2 - 1] as f64 + secs[n / 2] as f64) / 2.0
        };
        Some(DurationStats {
            count: n as u64,
            mean_seconds: sum as f64 / n as f64,
            median_seconds: median,
        })
    }
}

/// The aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketStats {
    /// Tickets counted (not deleted).
    pub total: u64,
    /// Soft-deleted tickets skipped.
    pub deleted: u64,
    /// By status name (as stored on the tickets).
    pub by_status: BTreeMap<String, u64>,
    /// By state category.
    pub by_category: BTreeMap<StateCategory, u64>,
    /// Tickets whose status could not be categorised.
    pub uncategorized: u64,
    /// Tickets in an open category (new, open, pending).
    pub open: u64,
    /// By priority name.
    pub by_priority: BTreeMap<Priority, u64>,
    /// By ticket type.
    pub by_type: BTreeMap<String, u64>,
    /// Per requested label key: value → count (tickets without the label are not counted).
    pub by_label: BTreeMap<String, BTreeMap<String, u64>>,
    /// Time from creation to first response, over tickets that have one.
    pub first_response: Option<DurationStats>,
    /// Time from creation to resolution, over tickets that have one.
    pub resolution: Option<DurationStats>,
    /// Tickets whose SLA was met.
    pub sla_met: u64,
    /// Tickets whose SLA was breached.
    pub sla_breached: u64,
    /// `sla_met / (sla_met + sla_breached)`, `None` when no ticket has an outcome.
    pub sla_compliance_rate: Option<f64>,
}

impl TicketStats {
    /// Aggregates `tickets`.
    pub fn compute(tickets: &[Ticket], opts: &StatsOptions<'_>) -> Self {
        let flags = opts.sla_met.filter(|f| f.len() == tickets.len());
        let mut s = TicketStats {
            total: 0,
            deleted: 0,
            by_status: BTreeMap::new(),
            by_category: BTreeMap::new(),
            uncategorized: 0,
            open: 0,
            by_priority: BTreeMap::new(),
            by_type: BTreeMap::new(),
            by_label: opts
                .label_keys
                .iter()
                .map(|k| (k.to_string(), BTreeMap::new()))
                .collect(),
            first_response: None,
            resolution: None,
            sla_met: 0,
            sla_breached: 0,
            sla_compliance_rate: None,
        };
        let mut first = Vec::new();
        let mut resolve = Vec::new();
        for (i, t) in tickets.iter().enumerate() {
            if t.deleted_at.is_some() {
                s.deleted += 1;
                continue;
            }
            s.total += 1;
            *s.by_status.entry(t.status.clone()).or_default() += 1;
            let category = opts
                .workflows
                .iter()
                .find(|w| w.name().eq_ignore_ascii_case(&t.workflow))
                .and_then(|w| w.category_of(&t.status));
            match category {
                Some(c) => {
                    *s.by_category.entry(c).or_default() += 1;
                    if c.is_open() {
                        s.open += 1;
                    }
                }
                None => s.uncategorized += 1,
            }
            *s.by_priority.entry(t.priority).or_default() += 1;
            *s.by_type
                .entry(TicketType::as_str(t.ticket_type).to_string())
                .or_default() += 1;
            for key in opts.label_keys {
                if let Some(v) = t.labels.get(*key) {
                    *s.by_label
                        .get_mut(*key)
                        .expect("label key initialised")
                        .entry(v.clone())
                        .or_default() += 1;
                }
            }
            if let Some(at) = t.first_responded_at {
                first.push((at - t.created_at).num_seconds().max(0));
            }
            if let Some(at) = t.resolved_at {
                resolve.push((at - t.created_at).num_seconds().max(0));
            }
            match flags.and_then(|f| f[i]) {
                Some(true) => s.sla_met += 1,
                Some(false) => s.sla_breached += 1,
                None => {}
            }
        }
        s.first_response = DurationStats::from_seconds(first);
        s.resolution = DurationStats::from_seconds(resolve);
        let judged = s.sla_met + s.sla_breached;
        if judged > 0 {
            s.sla_compliance_rate = Some(s.sla_met as f64 / judged as f64);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::NewTicket;
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
    }

    fn mk(wf: &Workflow, status: &str, p: Priority, labels: &[(&str, &str)]) -> Ticket {
        let mut n = NewTicket::new("t", "s", "u").priority(p);
        for (k, v) in labels {
            n = n.label(*k, *v);
        }
        let mut t = n
            .build(wf, Ticket::new_id(t0()), "TKT-2026-000001".into(), t0())
            .unwrap();
        t.status = status.to_string();
        t
    }

    #[test]
    fn counts_and_categories() {
        let itsm = Workflow::itsm();
        let ff = Workflow::fibreflow();
        let mut ts = vec![
            mk(&itsm, "NEW", Priority::Critical, &[("provider_id", "a")]),
            mk(
                &itsm,
                "PENDING_INFO",
                Priority::Low,
                &[("provider_id", "a")],
            ),
            mk(&itsm, "CLOSED", Priority::Low, &[("provider_id", "b")]),
            mk(
                &ff,
                "in_progress",
                Priority::Normal,
                &[("contractor_id", "c1")],
            ),
            mk(&ff, "mystery", Priority::Normal, &[]),
        ];
        let mut gone = mk(&itsm, "OPEN", Priority::High, &[]);
        gone.deleted_at = Some(t0());
        ts.push(gone);
        let workflows = [&itsm, &ff];
        let s = TicketStats::compute(
            &ts,
            &StatsOptions::new().workflows(&workflows).label_keys(&[
                "provider_id",
                "contractor_id",
                "camera_id",
            ]),
        );
        assert_eq!(s.total, 5);
        assert_eq!(s.deleted, 1);
        assert_eq!(s.by_status["NEW"], 1);
        assert!(!s.by_status.contains_key("OPEN"));
        assert_eq!(s.by_category[&StateCategory::New], 1);
        assert_eq!(s.by_category[&StateCategory::Pending], 1);
        assert_eq!(s.by_category[&StateCategory::Closed], 1);
        assert_eq!(s.by_category[&StateCategory::Open], 1);
        assert_eq!(s.uncategorized, 1);
        assert_eq!(s.open, 3);
        assert_eq!(s.by_priority[&Priority::Low], 2);
        assert_eq!(s.by_type["incident"], 5);
        assert_eq!(s.by_label["provider_id"]["a"], 2);
        assert_eq!(s.by_label["provider_id"]["b"], 1);
        assert_eq!(s.by_label["contractor_id"]["c1"], 1);
        assert!(s.by_label["camera_id"].is_empty());
        assert_eq!(s.first_response, None);
        assert_eq!(s.sla_compliance_rate, None);
    }

    #[test]
    fn durations_and_sla() {
        let wf = Workflow::itsm();
        let mut ts: Vec<Ticket> = (0..4)
            .map(|_| mk(&wf, "RESOLVED", Priority::High, &[]))
            .collect();
        for (i, mins) in [10i64, 20, 30, 100].iter().enumerate() {
            ts[i].first_responded_at = Some(t0() + Duration::minutes(*mins));
        }
        ts[0].resolved_at = Some(t0() + Duration::hours(1));
        ts[1].resolved_at = Some(t0() + Duration::hours(3));
        ts[2].resolved_at = Some(t0() + Duration::hours(8));
        let s = TicketStats::compute(
            &ts,
            &StatsOptions::new().sla_met(&[Some(true), Some(false), Some(true), None]),
        );
        let fr = s.first_response.unwrap();
        assert_eq!(fr.count, 4);
        assert_eq!(fr.mean_seconds, 40.0 * 60.0);
        assert_eq!(fr.median_seconds, 25.0 * 60.0);
        let rs = s.resolution.unwrap();
        assert_eq!(rs.count, 3);
        assert_eq!(rs.median_seconds, 3.0 * 3600.0);
        assert_eq!(rs.mean_seconds, 4.0 * 3600.0);
        assert_eq!((s.sla_met, s.sla_breached), (2, 1));
        assert!((s.sla_compliance_rate.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.uncategorized, 4);
        // Mismatched flag slices are ignored rather than misattributed.
        let s2 = TicketStats::compute(&ts, &StatsOptions::new().sla_met(&[Some(true)]));
        assert_eq!(s2.sla_compliance_rate, None);
    }

    #[test]
    fn empty_input() {
        let s = TicketStats::compute(&[], &StatsOptions::new());
        assert_eq!(s.total, 0);
        assert!(s.by_status.is_empty());
        assert_eq!(DurationStats::from_seconds(vec![]), None);
    }
}
