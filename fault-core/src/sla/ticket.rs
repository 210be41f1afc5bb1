//! Auto-ticket requests for SLA breaches (seed 002: "SLA Breaches — create ticket").

use super::status::{Breach, BreachKind, SlaStatus};
use serde::{Deserialize, Serialize};
use ticket_core::Priority;
use uuid::Uuid;

/// The trigger of an SLA ticket request; serialises as `"sla_breach"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaBreachTrigger {
    /// An SLA breach.
    SlaBreach,
}

impl SlaBreachTrigger {
    /// `sla_breach`.
    pub fn as_str(self) -> &'static str {
        "sla_breach"
    }
}

/// A request to open a ticket for one SLA breach. The Desk maps it into the correlator's
/// `TicketRequested` decision when SLA-breach auto-tickets are enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRequest {
    /// The breached instance.
    pub instance_id: Uuid,
    /// Always [`SlaBreachTrigger::SlaBreach`].
    pub trigger: SlaBreachTrigger,
    /// Suggested priority: critical for availability, the alarm severity's priority for
    /// response/resolution, normal for performance.
    pub priority: Priority,
    /// Suggested subject.
    pub title: String,
    /// The breach.
    pub breach: Breach,
}

impl TicketRequest {
    /// The request for one breach of an instance.
    pub fn for_breach(instance_id: Uuid, breach: &Breach) -> Self {
        let priority = match breach.kind {
            BreachKind::Availability => Priority::Critical,
            BreachKind::ResponseTime | BreachKind::ResolutionTime => {
                breach.severity.map_or(Priority::High, |s| s.to_priority())
            }
            _ => Priority::Normal,
        };
        let title = match breach.kind {
            BreachKind::Availability => format!(
                "SLA breach: availability {} below target {}",
                breach.actual.round_dp(6).normalize(),
                breach.target.normalize()
            ),
            BreachKind::ResponseTime => format!(
                "SLA breach: alarm {} not acknowledged within {} min",
                breach.alarm_id.as_deref().unwrap_or("?"),
                breach.target
            ),
            BreachKind::ResolutionTime => format!(
                "SLA breach: alarm {} not cleared within {} min",
                breach.alarm_id.as_deref().unwrap_or("?"),
                breach.target
            ),
            _ => format!(
                "SLA breach: {} {} beyond target {}",
                breach.metric.map_or("performance", |m| m.as_str()),
                breach.actual.normalize(),
                breach.target.normalize()
            ),
        };
        TicketRequest {
            instance_id,
            trigger: SlaBreachTrigger::SlaBreach,
            priority,
            title,
            breach: breach.clone(),
        }
    }
}

impl SlaStatus {
    /// Ticket requests for the breaches whose key `already_ticketed` does not know — call it
    /// after each status and remember the keys of the requests you act on.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use fault_core::sla::{MeasurementPeriod, SlaDefinition, SlaInstance, SlaScope};
    /// # use rust_decimal::Decimal;
    /// # use std::{collections::HashSet, sync::Arc};
    /// let t = |d, h| Utc.with_ymd_and_hms(2026, 6, d, h, 0, 0).unwrap();
    /// let def = Arc::new(SlaDefinition::new("Gold", Decimal::new(999, 3), MeasurementPeriod::utc_month()));
    /// let mut sla = SlaInstance::for_instant(uuid::Uuid::nil(), def, SlaScope::customer("c"), t(1, 0)).unwrap();
    /// sla.record_outage("a", t(2, 0), Some(t(2, 2))).unwrap();
    /// let mut seen = HashSet::new();
    /// let reqs = sla.status(t(3, 0)).ticket_requests(|k| seen.contains(k));
    /// assert_eq!(reqs.len(), 1);
    /// assert_eq!(reqs[0].trigger.as_str(), "sla_breach");
    /// seen.insert(reqs[0].breach.key.clone());
    /// assert!(sla.status(t(4, 0)).ticket_requests(|k| seen.contains(k)).is_empty());
    /// ```
    pub fn ticket_requests(&self, already_ticketed: impl Fn(&str) -> bool) -> Vec<TicketRequest> {
        self.breaches
            .iter()
            .filter(|b| !already_ticketed(&b.key))
            .map(|b| TicketRequest::for_breach(self.instance_id, b))
            .collect()
    }
}
