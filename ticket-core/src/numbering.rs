//! Human ticket numbers: `{prefix}-{year}-{seq:0width}`, `TKT-2026-000123` by default.
//!
//! The sequence is per tenant per year and is allocated by storage inside the creating
//! transaction; this module only formats and parses. A sequence wider than `width` is written in
//! full (never truncated), so numbers stay unique past `999999`.
//!
//! ```
//! use ticket_core::numbering::NumberFormat;
//! let f = NumberFormat::default();
//! assert_eq!(f.format(2026, 123), "TKT-2026-000123");
//! assert_eq!(f.parse("TKT-2026-000123").unwrap(), (2026, 123));
//! assert_eq!(f.format(2026, 1_234_567), "TKT-2026-1234567");
//!
//! let inc = NumberFormat::new("INC", 4).unwrap();
//! assert_eq!(inc.format(2025, 7), "INC-2025-0007");
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Largest accepted width.
pub const MAX_WIDTH: u8 = 20;

/// Maximum prefix length, in characters.
pub const MAX_PREFIX_CHARS: usize = 16;

/// A ticket number format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberFormat {
    /// Prefix, e.g. `TKT` (letters, digits, `_`, `-`).
    pub prefix: String,
    /// Minimum number of digits of the sequence (zero-padded).
    pub width: u8,
}

impl Default for NumberFormat {
    /// `TKT`, width 6.
    fn default() -> Self {
        NumberFormat {
            prefix: "TKT".to_string(),
            width: 6,
        }
    }
}

impl NumberFormat {
    /// A checked format. The prefix must be 1–16 ASCII letters, digits, `_` or `-` (not ending
    /// in `-`); the width 1–20.
    pub fn new(prefix: impl Into<String>, width: u8) -> Result<Self> {
        let f = NumberFormat {
            prefix: prefix.into(),
            width,
        };
        f.validate()?;
        Ok(f)
    }

    /// Checks the prefix and width (see [`NumberFormat::new`]).
    pub fn validate(&self) -> Result<()> {
        let p = &self.prefix;
        if p.is_empty()
            || p.chars().count() > MAX_PREFIX_CHARS
            || !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            || p.starts_with('-')
            || p.ends_with('-')
        {
            return Err(Error::validation(format!(
                "Invalid ticket number prefix '{p}': use 1-{MAX_PREFIX_CHARS} characters A-Z, a-z, 0-9, '_' or '-' (not at either end)"
            )));
        }
        if self.width == 0 || self.width > MAX_WIDTH {
            return Err(Error::validation(format!(
                "Invalid ticket number width {}: must be between 1 and {MAX_WIDTH}",
                self.width
            )));
        }
        Ok(())
    }

    /// Formats a number: `{prefix}-{year:04}-{seq:0width}`.
    pub fn format(&self, year: i32, seq: u64) -> String {
        format!(
            "{}-{:04}-{:0width$}",
            self.prefix,
            year,
            seq,
            width = self.width as usize
        )
    }

    /// Parses a number back into `(year, seq)`. The prefix matches case-insensitively; the
    /// year must have four digits; the sequence may have any number of digits (at least one)
    /// and must be at least 1.
    pub fn parse(&self, number: &str) -> Result<(i32, u64)> {
        let s = number.trim();
        let bad = |why: &str| {
            Error::validation(format!(
                "Invalid ticket number '{number}': {why}. Expected {}",
                self.format(2026, 123)
            ))
        };
        let mut parts = s.rsplitn(3, '-');
        let seq = parts.next().unwrap_or("");
        let year = parts.next().ok_or_else(|| bad("missing year"))?;
        let prefix = parts.next().ok_or_else(|| bad("missing prefix"))?;
        if !prefix.eq_ignore_ascii_case(&self.prefix) {
            return Err(bad(&format!("prefix must be {}", self.prefix)));
        }
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("year must have four digits"));
        }
        if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("sequence must be digits"));
        }
        let year: i32 = year.parse().map_err(|_| bad("year out of range"))?;
        let seq: u64 = seq.parse().map_err(|_| bad("sequence out of range"))?;
        if seq == 0 {
            return Err(bad("sequence starts at 1"));
        }
        Ok((year, seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seed_example() {
        let f = NumberFormat::default();
        assert_eq!(f.format(2024, 1234), "TKT-2024-001234");
        assert_eq!(f.parse("TKT-2024-001234").unwrap(), (2024, 1234));
        assert_eq!(f.parse(" tkt-2024-1234 ").unwrap(), (2024, 1234));
    }

    #[test]
    fn prefixes_with_dashes_and_widths() {
        let f = NumberFormat::new("FF-OPS", 3).unwrap();
        assert_eq!(f.format(2026, 5), "FF-OPS-2026-005");
        assert_eq!(f.parse("FF-OPS-2026-005").unwrap(), (2026, 5));
        assert_eq!(f.format(2026, 12345), "FF-OPS-2026-12345");
    }

    #[test]
    fn bad_formats() {
        for (p, w) in [
            ("", 6),
            ("T K T", 6),
            ("TKT-", 6),
            ("TKT", 0),
            ("TKT", 21),
            ("X".repeat(17).as_str(), 6),
        ] {
            assert!(NumberFormat::new(p, w).is_err(), "{p} {w}");
        }
    }

    #[test]
    fn bad_numbers() {
        let f = NumberFormat::default();
        for (n, why) in [
            ("INC-2026-000001", "prefix must be TKT"),
            ("TKT-26-000001", "four digits"),
            ("TKT-2026-", "sequence must be digits"),
            ("TKT-2026-12a", "sequence must be digits"),
            ("TKT-2026-+12", "sequence must be digits"),
            ("000001", "missing year"),
            ("2026-000001", "missing prefix"),
            ("TKT-2026-000000", "starts at 1"),
            ("TKT-2026-99999999999999999999999", "out of range"),
        ] {
            let err = f.parse(n).unwrap_err().to_string();
            assert!(err.contains(why), "{n}: {err}");
            assert!(err.contains("Expected TKT-2026-000123"), "{err}");
        }
    }

    proptest! {
        #[test]
        fn format_parse_roundtrip(year in 1000i32..=9999, seq in 1u64..u64::MAX, width in 1u8..=20) {
            let f = NumberFormat::new("TKT", width).unwrap();
            let s = f.format(year, seq);
            prop_assert!(s.len() >= "TKT-2026-".len() + width as usize);
            prop_assert_eq!(f.parse(&s).unwrap(), (year, seq));
        }
    }
}
