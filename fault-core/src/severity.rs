//! Alarm severities (seed 002) and their mapping to ticket priorities (seed 000).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use ticket_core::Priority;

/// The severity of an alarm, ordered `Cleared < Info < Warning < Minor < Major < Critical`.
///
/// ```
/// use fault_core::severity::Severity;
/// use ticket_core::Priority;
/// let s: Severity = "Major".parse().unwrap();
/// assert_eq!(s, Severity::Major);
/// assert_eq!(s.to_priority(), Priority::High);
/// assert_eq!(s.to_string(), "major");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The condition has cleared.
    Cleared = 0,
    /// Informational.
    Info = 1,
    /// Warning.
    Warning = 2,
    /// Minor.
    Minor = 3,
    /// Major.
    Major = 4,
    /// Critical.
    Critical = 5,
}

impl Severity {
    /// All severities, least severe first.
    pub const ALL: [Severity; 6] = [
        Severity::Cleared,
        Severity::Info,
        Severity::Warning,
        Severity::Minor,
        Severity::Major,
        Severity::Critical,
    ];

    /// The lower-case name as stored and serialised (`"critical"`, `"major"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Cleared => "cleared",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Critical => "critical",
        }
    }

    /// Numeric rank for storage (`ORDER BY severity DESC` sorts critical first).
    pub fn rank(self) -> i16 {
        self as i16
    }

    /// Inverse of [`Severity::rank`].
    pub fn from_rank(rank: i16) -> Option<Self> {
        Severity::ALL.into_iter().find(|s| s.rank() == rank)
    }

    /// Seed 000's priority mapping: Critical → critical, Major → high, Minor → normal,
    /// Warning → low, Info → low. A cleared severity maps to low (callers should use the
    /// severity the alarm last had while raised).
    pub fn to_priority(self) -> Priority {
        match self {
            Severity::Critical => Priority::Critical,
            Severity::Major => Priority::High,
            Severity::Minor => Priority::Normal,
            Severity::Warning | Severity::Info | Severity::Cleared => Priority::Low,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown severity name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid severity '{0}'. Accepted values: critical, major, minor, warning, info, cleared")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Severity::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownSeverity(s.to_string()))
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Seed 000's mapping from a severity name to a ticket priority, for callers holding strings.
///
/// ```
/// assert_eq!(fault_core::severity::map_severity_to_priority("Major").unwrap().as_str(), "high");
/// ```
pub fn map_severity_to_priority(severity: &str) -> Result<Priority, UnknownSeverity> {
    Ok(severity.parse::<Severity>()?.to_priority())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_000_priority_table() {
        for (s, p) in [
            ("Critical", Priority::Critical),
            ("Major", Priority::High),
            ("Minor", Priority::Normal),
            ("Warning", Priority::Low),
            ("Info", Priority::Low),
        ] {
            assert_eq!(map_severity_to_priority(s).unwrap(), p, "{s}");
        }
    }

    #[test]
    fn unknown_severity_is_clear() {
        let e = "fatal".parse::<Severity>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid severity 'fatal'. Accepted values: critical, major, minor, warning, info, cleared"
        );
    }

    #[test]
    fn ordering_and_rank() {
        assert!(Severity::Critical > Severity::Major);
        for s in Severity::ALL {
            assert_eq!(Severity::from_rank(s.rank()), Some(s));
            assert_eq!(
                serde_json::from_str::<Severity>(&format!("\"{}\"", s.as_str().to_uppercase()))
                    .unwrap(),
                s
            );
        }
    }
}
