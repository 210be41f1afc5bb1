//! Maintenance windows (seed 002): a time span and a scope (resources, resource types, customers,
//! labels). Alarms raised in scope during a window are recorded but Suppressed; when the window
//! ends (or is cancelled) those still active return to their previous status. Clears and resolves
//! are never suppressed.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Stored status of a window; [`MaintenanceWindow::status_at`] derives the effective one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceStatus {
    /// Not started yet.
    #[default]
    Scheduled,
    /// Running.
    InProgress,
    /// Over.
    Completed,
    /// Cancelled (never suppresses).
    Cancelled,
}

/// What a window covers. An alarm is in scope when any listed dimension matches it
/// (resource, resource type, customer), or when every listed label matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MaintenanceScope {
    /// Resource ids; with `include_descendants`, resources below them in the topology too.
    pub resources: Vec<String>,
    /// Resource types.
    pub resource_types: Vec<String>,
    /// Customer ids.
    pub customers: Vec<String>,
    /// Labels that must all match.
    pub labels: BTreeMap<String, String>,
    /// Whether topology descendants of `resources` are covered (default true).
    pub include_descendants: bool,
}

/// A planned maintenance window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaintenanceWindow {
    /// Id.
    pub id: Uuid,
    /// Tenant.
    pub tenant_id: String,
    /// Title.
    pub title: String,
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
    /// Stored status (only `Cancelled` changes behaviour).
    #[serde(default)]
    pub status: MaintenanceStatus,
    /// Scope.
    pub scope: MaintenanceScope,
}

impl MaintenanceWindow {
    /// Check the window: end after start, non-empty scope.
    pub fn validate(&self) -> Result<()> {
        if self.end <= self.start {
            return Err(Error::validation(format!(
                "Maintenance window '{}': end ({}) must be after start ({})",
                self.title, self.end, self.start
            )));
        }
        let s = &self.scope;
        if s.resources.is_empty()
            && s.resource_types.is_empty()
            && s.customers.is_empty()
            && s.labels.is_empty()
        {
            return Err(Error::validation(format!(
                "Maintenance window '{}': scope is empty (give resources, resource_types, customers or labels)",
                self.title
            )));
        }
        Ok(())
    }

    /// Effective status at `now`.
    pub fn status_at(&self, now: DateTime<Utc>) -> MaintenanceStatus {
        if self.status == MaintenanceStatus::Cancelled {
            MaintenanceStatus::Cancelled
        } else if now < self.start {
            MaintenanceStatus::Scheduled
        } else if now < self.end {
            MaintenanceStatus::InProgress
        } else {
            MaintenanceStatus::Completed
        }
    }

    /// True when the window suppresses at `t`.
    pub fn is_active_at(&self, t: DateTime<Utc>) -> bool {
        self.status_at(t) == MaintenanceStatus::InProgress
    }

    /// Whether an alarm's attributes fall in scope. `ancestors` are the resource's topology
    /// ancestors (used with `include_descendants`).
    pub fn covers<'a>(
        &self,
        resource_id: Option<&str>,
        resource_type: Option<&str>,
        customer_id: Option<&str>,
        labels: &BTreeMap<String, String>,
        ancestors: impl IntoIterator<Item = &'a str>,
    ) -> bool {
        let s = &self.scope;
        if let Some(r) = resource_id
            && s.resources.iter().any(|x| x == r)
        {
            return true;
        }
        if let Some(t) = resource_type
            && s.resource_types.iter().any(|x| x == t)
        {
            return true;
        }
        if let Some(c) = customer_id
            && s.customers.iter().any(|x| x == c)
        {
            return true;
        }
        if !s.labels.is_empty() && s.labels.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return true;
        }
        s.include_descendants
            && !s.resources.is_empty()
            && ancestors
                .into_iter()
                .any(|a| s.resources.iter().any(|x| x == a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn w() -> MaintenanceWindow {
        MaintenanceWindow {
            id: Uuid::from_u128(1),
            tenant_id: "t".into(),
            title: "OLT firmware".into(),
            start: Utc.with_ymd_and_hms(2026, 1, 1, 2, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 1, 1, 4, 0, 0).unwrap(),
            status: MaintenanceStatus::Scheduled,
            scope: MaintenanceScope {
                resources: vec!["olt-1".into()],
                include_descendants: true,
                labels: BTreeMap::from([("site".into(), "north".into())]),
                ..Default::default()
            },
        }
    }

    #[test]
    fn status_and_scope() {
        let w = w();
        w.validate().unwrap();
        assert_eq!(
            w.status_at(w.start - chrono::Duration::seconds(1)),
            MaintenanceStatus::Scheduled
        );
        assert!(w.is_active_at(w.start));
        assert!(!w.is_active_at(w.end));
        let none = BTreeMap::new();
        assert!(w.covers(Some("olt-1"), None, None, &none, []));
        assert!(w.covers(Some("ont-9"), None, None, &none, ["splitter-1", "olt-1"]));
        assert!(!w.covers(Some("ont-9"), None, None, &none, ["olt-2"]));
        let north = BTreeMap::from([("site".to_string(), "north".to_string())]);
        assert!(w.covers(None, None, None, &north, []));
        let mut c = w.clone();
        c.status = MaintenanceStatus::Cancelled;
        assert!(!c.is_active_at(c.start));
    }

    #[test]
    fn invalid_windows() {
        let mut bad = w();
        bad.end = bad.start;
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("must be after start")
        );
        let mut empty = w();
        empty.scope = MaintenanceScope::default();
        assert!(
            empty
                .validate()
                .unwrap_err()
                .to_string()
                .contains("scope is empty")
        );
    }
}
