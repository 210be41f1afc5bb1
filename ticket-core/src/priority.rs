//! Ticket priorities: `critical > high > normal > low`.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A ticket priority. Ordered so that `Critical > High > Normal > Low`.
///
/// Parsing accepts the names and the aliases users have, case-insensitively:
/// `P1`/`urgent` → critical, `P2` → high, `P3`/`medium` → normal, `P4` → low.
///
/// ```
/// use ticket_core::Priority;
/// assert_eq!("P1".parse::<Priority>().unwrap(), Priority::Critical);
/// assert_eq!("Medium".parse::<Priority>().unwrap(), Priority::Normal);
/// assert!(Priority::Critical > Priority::Low);
/// assert_eq!(Priority::High.to_string(), "high");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// Best effort.
    Low = 1,
    /// Standard SLA.
    Normal = 2,
    /// Same-day response.
    High = 3,
    /// Immediate response required.
    Critical = 4,
}

impl Priority {
    /// All priorities, lowest first.
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Critical,
    ];

    /// The lower-case name (`"critical"`, `"high"`, `"normal"`, `"low"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    /// The numeric rank stored in databases so that `ORDER BY priority DESC` sorts critical first
    /// (critical = 4, high = 3, normal = 2, low = 1).
    pub fn rank(self) -> i16 {
        self as i16
    }

    /// The inverse of [`Priority::rank`].
    pub fn from_rank(rank: i16) -> Result<Self> {
        match rank {
            1 => Ok(Priority::Low),
            2 => Ok(Priority::Normal),
            3 => Ok(Priority::High),
            4 => Ok(Priority::Critical),
            other => Err(Error::validation(format!(
                "Invalid priority rank {other}. Accepted ranks: 1 (low) to 4 (critical)"
            ))),
        }
    }

    /// The ITSM label of seed 003 (`P1` for critical ... `P4` for low).
    pub fn p_label(self) -> &'static str {
        match self {
            Priority::Critical => "P1",
            Priority::High => "P2",
            Priority::Normal => "P3",
            Priority::Low => "P4",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let p = if t.eq_ignore_ascii_case("critical")
            || t.eq_ignore_ascii_case("urgent")
            || t.eq_ignore_ascii_case("p1")
        {
            Priority::Critical
        } else if t.eq_ignore_ascii_case("high") || t.eq_ignore_ascii_case("p2") {
            Priority::High
        } else if t.eq_ignore_ascii_case("normal")
            || t.eq_ignore_ascii_case("medium")
            || t.eq_ignore_ascii_case("p3")
        {
            Priority::Normal
        } else if t.eq_ignore_ascii_case("low") || t.eq_ignore_ascii_case("p4") {
            Priority::Low
        } else {
            return Err(Error::validation(format!(
                "Invalid priority '{s}'. Accepted values: low, normal, high, critical (aliases: P1-P4, urgent, medium)"
            )));
        };
        Ok(p)
    }
}

impl Serialize for Priority {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_names_and_aliases_case_insensitively() {
        for (s, p) in [
            ("critical", Priority::Critical),
            ("URGENT", Priority::Critical),
            ("p1", Priority::Critical),
            ("P2", Priority::High),
            ("High", Priority::High),
            ("medium", Priority::Normal),
            ("P3", Priority::Normal),
            ("normal", Priority::Normal),
            ("low", Priority::Low),
            (" P4 ", Priority::Low),
        ] {
            assert_eq!(s.parse::<Priority>().unwrap(), p, "{s}");
        }
    }

    #[test]
    fn unknown_priority_names_accepted_values() {
        let err = "highest".parse::<Priority>().unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::Validation(_)));
        assert!(msg.contains("'highest'"), "{msg}");
        assert!(msg.contains("low, normal, high, critical"), "{msg}");
    }

    #[test]
    fn order_and_serde() {
        let mut v = vec![
            Priority::Normal,
            Priority::Critical,
            Priority::Low,
            Priority::High,
        ];
        v.sort();
        assert_eq!(v, Priority::ALL.to_vec());
        assert_eq!(serde_json::to_string(&Priority::High).unwrap(), "\"high\"");
        assert_eq!(
            serde_json::from_str::<Priority>("\"P1\"").unwrap(),
            Priority::Critical
        );
        assert!(serde_json::from_str::<Priority>("\"bogus\"").is_err());
    }

    proptest! {
        #[test]
        fn rank_roundtrip_and_order(a in 1i16..=4, b in 1i16..=4) {
            let pa = Priority::from_rank(a).unwrap();
            let pb = Priority::from_rank(b).unwrap();
            prop_assert_eq!(pa.rank(), a);
            prop_assert_eq!(pa.cmp(&pb), a.cmp(&b));
            prop_assert_eq!(pa.as_str().parse::<Priority>().unwrap(), pa);
        }
    }
}
