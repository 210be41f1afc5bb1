//! Auto-ticket triggers (seed 002): critical alarms, major alarms with more subscribers than a
//! threshold, alarms unacknowledged past a timeout, SLA breaches, escalation rules. Opt-in: the
//! default configuration requests no tickets (DESIGN: "Auto-tickets are opt-in").

use crate::severity::Severity;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// Which triggers are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TriggerConfig {
    /// Master switch (default off).
    pub enabled: bool,
    /// Request a ticket for every critical alarm.
    pub critical: bool,
    /// Request a ticket for major alarms with `subscriber_count` strictly above this.
    pub major_subscriber_threshold: Option<u32>,
    /// Request a ticket for critical/major alarms still Active (not acknowledged) this long after
    /// being raised, in seconds.
    pub unacknowledged_timeout_secs: Option<u64>,
    /// Request a ticket when told of an SLA breach.
    pub sla_breach: bool,
}

impl Default for TriggerConfig {
    fn default() -> Self {
        TriggerConfig {
            enabled: false,
            critical: true,
            major_subscriber_threshold: Some(10),
            unacknowledged_timeout_secs: Some(15 * 60),
            sla_breach: true,
        }
    }
}

impl TriggerConfig {
    /// Seed 002's triggers, switched on.
    pub fn seed_002() -> Self {
        TriggerConfig {
            enabled: true,
            ..Default::default()
        }
    }

    /// The trigger a raised (unsuppressed) alarm fires by severity and impact, if any.
    ///
    /// ```
    /// use fault_core::trigger::{TriggerConfig, TicketTrigger};
    /// use fault_core::Severity;
    /// let t = TriggerConfig::seed_002();
    /// assert_eq!(t.on_raise(Severity::Critical, 0), Some(TicketTrigger::Critical));
    /// assert_eq!(t.on_raise(Severity::Major, 10), None);
    /// assert!(t.on_raise(Severity::Major, 11).is_some());
    /// assert_eq!(TriggerConfig::default().on_raise(Severity::Critical, 0), None);
    /// ```
    pub fn on_raise(&self, severity: Severity, subscribers: u32) -> Option<TicketTrigger> {
        if !self.enabled {
            return None;
        }
        if self.critical && severity == Severity::Critical {
            return Some(TicketTrigger::Critical);
        }
        match self.major_subscriber_threshold {
            Some(th) if severity == Severity::Major && subscribers > th => {
                Some(TicketTrigger::MajorWithSubscribers {
                    subscribers,
                    threshold: th,
                })
            }
            _ => None,
        }
    }
}

/// Why a ticket was requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketTrigger {
    /// A critical alarm.
    Critical,
    /// A major alarm with many affected subscribers.
    MajorWithSubscribers {
        /// Affected subscribers.
        subscribers: u32,
        /// The configured threshold.
        threshold: u32,
    },
    /// Not acknowledged within the timeout.
    Unacknowledged {
        /// The timeout in seconds.
        timeout_secs: u64,
    },
    /// An SLA breach.
    SlaBreach {
        /// The breach record, when known.
        breach_id: Option<Uuid>,
    },
    /// An escalation rule with `create_ticket`.
    Escalation {
        /// The rule id (or name).
        rule: Arc<str>,
    },
}
