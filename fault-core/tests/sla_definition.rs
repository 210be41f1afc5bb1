//! SLA definitions as data: JSON, validation errors, measurement periods.

use chrono::{DateTime, TimeZone, Utc};
use fault_core::Severity;
use fault_core::sla::{MeasurementPeriod, SlaDefinition, SlaError, SlaPeriod};
use rust_decimal_macros::dec;

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Seed 002's "Enterprise Fiber 99.9%" example, in faultdesk's JSON format.
const SEED_002: &str = r#"{
    "name": "Enterprise Fiber 99.9%",
    "service_type": "fiber",
    "availability_target": 0.999,
    "measurement_period": { "kind": "days", "days": 30, "anchor": "2025-01-01T00:00:00Z" },
    "performance": { "max_latency_ms": 10.0, "max_packet_loss_percent": 0.1, "min_bandwidth_mbps": 1000.0 },
    "response_minutes": { "critical": 15 },
    "resolution_minutes": { "critical": 240 }
}"#;

#[test]
fn seed_002_example_parses_with_defaults() {
    let def = SlaDefinition::from_json(SEED_002).unwrap();
    assert_eq!(def.availability_target, dec!(0.999));
    assert_eq!(def.performance.max_latency_ms, Some(dec!(10.0)));
    assert_eq!(def.performance.max_packet_loss_percent, Some(dec!(0.1)));
    assert_eq!(def.performance.min_bandwidth_mbps, Some(dec!(1000.0)));
    assert_eq!(def.response_minutes.get(&Severity::Critical), Some(&15));
    assert_eq!(def.resolution_minutes.get(&Severity::Critical), Some(&240));
    assert!(def.exclude_maintenance);
    assert_eq!(def.at_risk_fraction, dec!(0.2));
    assert_eq!(def.credit_schedule.cap_percent, dec!(100));
    assert!(def.credit_schedule.tiers.is_empty());
    assert_eq!(def.monthly_fee, dec!(0));
    let p = def
        .measurement_period
        .period_containing(t(2025, 2, 3, 0, 0))
        .unwrap();
    assert_eq!(
        (p.start, p.end),
        (t(2025, 1, 31, 0, 0), t(2025, 3, 2, 0, 0))
    );
}

#[test]
fn json_round_trips_and_money_stays_decimal() {
    let def = SlaDefinition::from_json(
        r#"{ "name": "x", "availability_target": "0.9995",
             "measurement_period": { "kind": "calendar_month", "time_zone": "America/New_York" },
             "monthly_fee": "1234.565",
             "credit_schedule": { "tiers": [ { "below_percent": "99.95", "credit_percent": "5" } ],
                                  "cap_percent": "20", "response_breach_percent": "1" } }"#,
    )
    .unwrap();
    let json = def.to_json();
    assert!(json.contains(r#""monthly_fee":"1234.565""#), "{json}");
    assert!(json.contains(r#""time_zone":"America/New_York""#), "{json}");
    assert_eq!(SlaDefinition::from_json(&json).unwrap(), def);
}

fn field_error(json_patch: &str) -> String {
    let json = format!(
        r#"{{ "name": "x", "availability_target": "0.999",
             "measurement_period": {{ "kind": "calendar_month" }} {json_patch} }}"#
    );
    SlaDefinition::from_json(&json).unwrap_err().to_string()
}

#[test]
fn validation_errors_are_clear() {
    assert_eq!(
        field_error(r#", "at_risk_fraction": "1.5""#),
        "Invalid SLA at_risk_fraction: 1.5 is not a fraction in [0, 1]"
    );
    assert_eq!(
        field_error(r#", "monthly_fee": "-1""#),
        "Invalid SLA monthly_fee: -1 must not be negative"
    );
    assert_eq!(
        field_error(r#", "response_minutes": { "major": 0 }"#),
        "Invalid SLA response_minutes.major: must be at least 1 minute"
    );
    assert!(
        field_error(r#", "resolution_minutes": { "cleared": 5 }"#)
            .contains("has no target for severity 'cleared'")
    );
    assert_eq!(
        field_error(
            r#", "credit_schedule": { "tiers": [ { "below_percent": "0", "credit_percent": "5" } ] }"#
        ),
        "Invalid SLA credit_schedule.tiers[0].below_percent: 0 is not a percentage in (0, 100]"
    );
    assert_eq!(
        field_error(
            r#", "credit_schedule": { "tiers": [ { "below_percent": "99", "credit_percent": "101" } ] }"#
        ),
        "Invalid SLA credit_schedule.tiers[0].credit_percent: 101 is not a percentage in [0, 100]"
    );
    assert_eq!(
        field_error(
            r#", "credit_schedule": { "tiers": [ { "below_percent": "99", "credit_percent": "1" },
                                                 { "below_percent": "99.0", "credit_percent": "2" } ] }"#
        ),
        "Invalid SLA credit_schedule.tiers[1]: threshold 99.0 % appears twice; each tier needs its own threshold"
    );
    assert_eq!(
        field_error(r#", "credit_schedule": { "cap_percent": "150" }"#),
        "Invalid SLA credit_schedule.cap_percent: 150 is not a percentage in [0, 100]"
    );
    assert_eq!(
        field_error(r#", "performance": { "max_packet_loss_percent": "120" }"#),
        "Invalid SLA performance.max_packet_loss_percent: 120 is not a percentage between 0 and 100"
    );
    assert_eq!(
        field_error(r#", "performance": { "min_bandwidth_mbps": "0" }"#),
        "Invalid SLA performance.min_bandwidth_mbps: 0 must be greater than 0"
    );
    assert_eq!(
        field_error(r#", "performance": { "max_latency_ms": "-3" }"#),
        "Invalid SLA performance.max_latency_ms: -3 must not be negative"
    );
}

#[test]
fn target_must_be_a_fraction() {
    let e = SlaDefinition::new("x", dec!(99.9), MeasurementPeriod::utc_month())
        .validate()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid SLA availability_target: 99.9 is not a fraction in (0, 1]; write 99.9 % as 0.999 (percent values are not accepted)"
    );
    assert!(matches!(e, SlaError::Validation { ref field, .. } if field == "availability_target"));
    assert!(
        SlaDefinition::new("x", dec!(0), MeasurementPeriod::utc_month())
            .validate()
            .is_err()
    );
    assert!(
        SlaDefinition::new(" ", dec!(0.9), MeasurementPeriod::utc_month())
            .validate()
            .is_err()
    );
    assert!(
        SlaDefinition::new("x", dec!(1), MeasurementPeriod::utc_month())
            .validate()
            .is_ok()
    );
}

#[test]
fn malformed_json_is_a_json_error() {
    let e = SlaDefinition::from_json(r#"{ "name": "x" "#).unwrap_err();
    assert!(matches!(e, SlaError::Json(_)), "{e}");
    let e = SlaDefinition::from_json(
        r#"{ "name": "x", "availability_target": "0.9", "measurement_period": { "kind": "calendar_month" }, "typo": 1 }"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("unknown field `typo`"), "{e}");
    let e = SlaDefinition::from_json(
        r#"{ "name": "x", "availability_target": "0.9", "measurement_period": { "kind": "calendar_month", "time_zone": "Mars/Olympus" } }"#,
    )
    .unwrap_err();
    assert!(matches!(e, SlaError::Json(_)), "{e}");
    let e = SlaDefinition::from_json(
        r#"{ "name": "x", "availability_target": "0.9", "measurement_period": { "kind": "days", "days": 0 } }"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid SLA measurement_period.days: 0 is not between 1 and 3660"
    );
}

#[test]
fn calendar_months_in_zones() {
    let utc = MeasurementPeriod::utc_month();
    let p = utc.period_containing(t(2028, 2, 29, 23, 59)).unwrap();
    assert_eq!((p.start, p.end), (t(2028, 2, 1, 0, 0), t(2028, 3, 1, 0, 0)));
    assert_eq!(p.length().num_days(), 29);
    assert_eq!(utc.month(2027, 2).unwrap().length().num_days(), 28);
    assert_eq!(utc.month(2026, 12).unwrap().end, t(2027, 1, 1, 0, 0));
    assert!(utc.month(2026, 13).is_err());
    // New York: the UTC instant 2026-11-01T03:00Z is still 31 October locally.
    let ny = MeasurementPeriod::calendar_month(chrono_tz::America::New_York);
    let p = ny.period_containing(t(2026, 11, 1, 3, 0)).unwrap();
    assert_eq!(
        (p.start, p.end),
        (t(2026, 10, 1, 4, 0), t(2026, 11, 1, 4, 0))
    );
    let nov = ny.month(2026, 11).unwrap();
    assert_eq!(nov.length().num_hours(), 30 * 24 + 1); // fall back on 1 November
    // Day periods have no month().
    assert!(
        MeasurementPeriod::days(7, t(2026, 1, 1, 0, 0))
            .month(2026, 1)
            .is_err()
    );
}

#[test]
fn midnight_in_a_dst_gap_starts_the_month_at_the_first_valid_minute() {
    // Cuba springs forward at local midnight (00:00 -> 01:00); on 2012-04-01 that was the 1st.
    let havana = MeasurementPeriod::calendar_month(chrono_tz::America::Havana);
    let p = havana.month(2012, 4).unwrap();
    // 01:00 CDT (UTC-4) is the first valid local instant: 05:00 UTC.
    assert_eq!(p.start, t(2012, 4, 1, 5, 0));
    assert_eq!(havana.month(2012, 3).unwrap().end, p.start);
}

#[test]
fn day_periods_tile_the_timeline_from_the_anchor() {
    let weekly = MeasurementPeriod::days(7, t(2026, 1, 5, 0, 0));
    let p = weekly.period_containing(t(2026, 1, 4, 23, 59)).unwrap(); // before the anchor
    assert_eq!(
        (p.start, p.end),
        (t(2025, 12, 29, 0, 0), t(2026, 1, 5, 0, 0))
    );
    let p = weekly.period_containing(t(2026, 1, 12, 0, 0)).unwrap(); // on a boundary
    assert_eq!(p.start, t(2026, 1, 12, 0, 0));
    assert!(p.contains(t(2026, 1, 18, 23, 59)) && !p.contains(p.end));
}

#[test]
fn periods_must_have_positive_length() {
    assert!(matches!(
        SlaPeriod::new(t(2026, 1, 2, 0, 0), t(2026, 1, 1, 0, 0)),
        Err(SlaError::InvalidInterval { .. })
    ));
    assert!(SlaPeriod::new(t(2026, 1, 1, 0, 0), t(2026, 1, 1, 0, 0)).is_err());
}
