//! Event mapping (seed 002's table): which event types raise alarms (with what severity and source)
//! and which clear them. The table is data (JSON); [`MappingTable::default`] is the seed's table and
//! users can add their own event types. Each raising event type names its clearing event type, like
//! OpenNMS clear-keys.

use crate::alarm::AlarmSource;
use crate::error::{Error, Result};
use crate::fxhash::FxHashMap;
use crate::severity::Severity;
use serde::{Deserialize, Serialize};

/// What an event type does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingAction {
    /// Raise (or repeat) an alarm.
    Raise,
    /// Clear the alarms raised by the event types whose `clear_event` is this one.
    Clear,
}

/// One row of the mapping table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMapping {
    /// The event type.
    pub event_type: String,
    /// Raise or clear.
    pub action: MappingAction,
    /// Severity of a raise (required for raises).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Source of the alarm.
    #[serde(default)]
    pub source: AlarmSource,
    /// For raises: the event type that clears it.
    #[serde(default)]
    pub clear_event: Option<String>,
    /// Free text (what the seed says the event does besides raising, e.g. "SLA breach check").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Seed 002's table as JSON (the default).
pub const SEED_002_MAPPING_JSON: &str = r#"[
  {"event_type": "device.down", "action": "raise", "severity": "critical", "source": "network_device", "clear_event": "device.up"},
  {"event_type": "device.degraded", "action": "raise", "severity": "major", "source": "network_device", "clear_event": "device.up"},
  {"event_type": "device.up", "action": "clear", "source": "network_device"},
  {"event_type": "service.outage", "action": "raise", "severity": "critical", "source": "service", "clear_event": "service.restored", "note": "SLA breach check"},
  {"event_type": "service.degraded", "action": "raise", "severity": "major", "source": "service", "clear_event": "service.restored", "note": "performance check"},
  {"event_type": "service.restored", "action": "clear", "source": "service", "note": "update SLA"},
  {"event_type": "cpe.offline", "action": "raise", "severity": "minor", "source": "cpe", "clear_event": "cpe.online"},
  {"event_type": "cpe.signal_loss", "action": "raise", "severity": "major", "source": "cpe", "clear_event": "cpe.online", "note": "trigger correlation"},
  {"event_type": "cpe.online", "action": "clear", "source": "cpe"},
  {"event_type": "monitoring.threshold_exceeded", "action": "raise", "severity": "warning", "source": "monitoring", "clear_event": "monitoring.check_recovered"},
  {"event_type": "monitoring.check_failed", "action": "raise", "severity": "major", "source": "monitoring", "clear_event": "monitoring.check_recovered"},
  {"event_type": "monitoring.check_recovered", "action": "clear", "source": "monitoring"}
]"#;

/// The mapping table: event type -> mapping, plus clear event -> the raise types it clears.
#[derive(Debug, Clone)]
pub struct MappingTable {
    rows: Vec<EventMapping>,
    by_type: FxHashMap<Box<str>, u32>,
    clears: FxHashMap<Box<str>, Vec<u32>>,
}

impl Default for MappingTable {
    fn default() -> Self {
        MappingTable::from_json(SEED_002_MAPPING_JSON).expect("seed 002 mapping table is valid")
    }
}

impl MappingTable {
    /// An empty table.
    pub fn empty() -> Self {
        MappingTable {
            rows: Vec::new(),
            by_type: FxHashMap::default(),
            clears: FxHashMap::default(),
        }
    }

    /// Load a table from a JSON array of [`EventMapping`]s.
    pub fn from_json(json: &str) -> Result<Self> {
        let mut t = MappingTable::empty();
        t.extend_from_json(json)?;
        Ok(t)
    }

    /// Add (or replace) rows from a JSON array; the whole batch is validated before anything changes.
    pub fn extend_from_json(&mut self, json: &str) -> Result<()> {
        let rows: Vec<EventMapping> = serde_json::from_str(json)
            .map_err(|e| Error::validation(format!("Invalid event mapping JSON: {e}")))?;
        self.extend(rows)
    }

    /// Add (or replace) rows; validated as a whole against the resulting table.
    pub fn extend(&mut self, rows: Vec<EventMapping>) -> Result<()> {
        let mut all = self.rows.clone();
        for r in rows {
            if let Some(p) = all.iter().position(|x| x.event_type == r.event_type) {
                all[p] = r;
            } else {
                all.push(r);
            }
        }
        *self = Self::build(all)?;
        Ok(())
    }

    fn build(rows: Vec<EventMapping>) -> Result<Self> {
        let mut by_type = FxHashMap::default();
        for (i, r) in rows.iter().enumerate() {
            if r.event_type.trim().is_empty() {
                return Err(Error::validation(
                    "Event mapping: event_type must not be empty",
                ));
            }
            if by_type
                .insert(r.event_type.as_str().into(), i as u32)
                .is_some()
            {
                return Err(Error::validation(format!(
                    "Event mapping: event type '{}' is listed twice",
                    r.event_type
                )));
            }
        }
        let mut clears: FxHashMap<Box<str>, Vec<u32>> = FxHashMap::default();
        for (i, r) in rows.iter().enumerate() {
            match r.action {
                MappingAction::Raise => {
                    if r.severity.is_none() || r.severity == Some(Severity::Cleared) {
                        return Err(Error::validation(format!(
                            "Event mapping: raise event '{}' needs a severity other than cleared",
                            r.event_type
                        )));
                    }
                    if let Some(c) = &r.clear_event {
                        match by_type.get(c.as_str()).map(|&j| rows[j as usize].action) {
                            Some(MappingAction::Clear) => {
                                clears.entry(c.as_str().into()).or_default().push(i as u32)
                            }
                            _ => {
                                return Err(Error::validation(format!(
                                    "Event mapping: clear event '{c}' of '{}' is not a clear event in the table",
                                    r.event_type
                                )));
                            }
                        }
                    }
                }
                MappingAction::Clear => {
                    if r.clear_event.is_some() {
                        return Err(Error::validation(format!(
                            "Event mapping: clear event '{}' cannot itself have a clear_event",
                            r.event_type
                        )));
                    }
                }
            }
        }
        Ok(MappingTable {
            rows,
            by_type,
            clears,
        })
    }

    /// The mapping of an event type.
    #[inline]
    pub fn get(&self, event_type: &str) -> Option<&EventMapping> {
        self.by_type
            .get(event_type)
            .map(|&i| &self.rows[i as usize])
    }

    /// For a clear event type: the raise mappings it clears (empty for anything else).
    pub fn cleared_by(&self, clear_event: &str) -> impl Iterator<Item = &EventMapping> {
        self.clears
            .get(clear_event)
            .into_iter()
            .flatten()
            .map(|&i| &self.rows[i as usize])
    }

    /// All rows, in table order.
    pub fn rows(&self) -> &[EventMapping] {
        &self.rows
    }

    /// The table as JSON (round-trips through [`MappingTable::from_json`]).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.rows).expect("mapping rows serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_002_table() {
        let t = MappingTable::default();
        let down = t.get("device.down").unwrap();
        assert_eq!(down.severity, Some(Severity::Critical));
        assert_eq!(down.clear_event.as_deref(), Some("device.up"));
        assert_eq!(
            t.get("device.degraded").unwrap().severity,
            Some(Severity::Major)
        );
        assert_eq!(t.get("device.up").unwrap().action, MappingAction::Clear);
        let mut c: Vec<_> = t
            .cleared_by("device.up")
            .map(|m| m.event_type.as_str())
            .collect();
        c.sort();
        assert_eq!(c, ["device.degraded", "device.down"]);
        for (raise, clear) in [
            ("service.outage", "service.restored"),
            ("service.degraded", "service.restored"),
            ("cpe.offline", "cpe.online"),
            ("cpe.signal_loss", "cpe.online"),
            (
                "monitoring.threshold_exceeded",
                "monitoring.check_recovered",
            ),
            ("monitoring.check_failed", "monitoring.check_recovered"),
        ] {
            assert_eq!(t.get(raise).unwrap().clear_event.as_deref(), Some(clear));
            assert!(t.cleared_by(clear).any(|m| m.event_type == raise));
        }
        assert_eq!(t.rows().len(), 12);
        let again = MappingTable::from_json(&t.to_json()).unwrap();
        assert_eq!(again.rows(), t.rows());
    }

    #[test]
    fn users_add_event_types_and_bad_rows_are_rejected() {
        let mut t = MappingTable::default();
        t.extend_from_json(
            r#"[{"event_type":"ups.on_battery","action":"raise","severity":"minor","clear_event":"ups.on_mains"},
                {"event_type":"ups.on_mains","action":"clear"}]"#,
        )
        .unwrap();
        assert_eq!(t.get("ups.on_battery").unwrap().source, AlarmSource::System);
        let before = t.rows().len();
        let e = t
            .extend_from_json(
                r#"[{"event_type":"x","action":"raise","severity":"minor","clear_event":"nope"}]"#,
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Event mapping: clear event 'nope' of 'x' is not a clear event in the table"
        );
        assert_eq!(t.rows().len(), before, "failed batch changes nothing");
        assert!(
            t.extend_from_json(r#"[{"event_type":"y","action":"raise"}]"#)
                .is_err()
        );
        assert!(
            t.extend_from_json(r#"[{"event_type":"y","action":"raise","sev":"x"}]"#)
                .is_err()
        );
        assert!(
            t.extend_from_json("{")
                .unwrap_err()
                .to_string()
                .starts_with("Invalid event mapping JSON")
        );
    }
}
