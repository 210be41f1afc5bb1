//! Parsing of instants given on the command line (`--from`, `--to`).

use chrono::{DateTime, NaiveDate, Utc};

/// Parses an RFC 3339 instant with an offset (`2026-03-01T00:00:00Z`, `2026-03-01T02:00:00+02:00`)
/// or a date (`2026-03-01`, meaning 00:00 UTC). A date-time without an offset is rejected:
/// faultdesk never guesses a time zone.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(format!(
        "'{s}' is not an instant: use RFC 3339 with an offset (2026-03-01T09:00:00Z) or a date (2026-03-01, midnight UTC)"
    ))
}

/// Parses any `FromStr` value, turning its error into the message clap prints.
pub fn parse_from_str<T>(s: &str) -> Result<T, String>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    s.trim().parse().map_err(|e: T::Err| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        let t = parse_instant("2026-03-01").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T00:00:00+00:00");
        let t = parse_instant("2026-03-01T02:00:00+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T00:00:00+00:00");
        assert!(
            parse_instant("2026-03-01T02:00:00").is_err(),
            "naive is rejected"
        );
        assert!(parse_instant("yesterday").is_err());
    }
}
