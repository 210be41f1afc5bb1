//! Availability: interval union, clipping, maintenance, DST, leap day, breach instant,
//! compliance and credits.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fault_core::sla::{
    BreachKind, Compliance, CreditSchedule, CreditTier, MeasurementPeriod, SlaDefinition, SlaError,
    SlaInstance, SlaScope, SlaStatus,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::sync::Arc;

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn apr(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    t(2026, 4, d, h, mi)
}

fn gold() -> SlaDefinition {
    SlaDefinition::new("Gold", dec!(0.999), MeasurementPeriod::utc_month())
}

fn instance(def: SlaDefinition, at: DateTime<Utc>) -> SlaInstance {
    SlaInstance::for_instant(
        uuid::Uuid::now_v7(),
        Arc::new(def),
        SlaScope::customer("c-1"),
        at,
    )
    .unwrap()
}

fn mins(d: Duration) -> i64 {
    assert_eq!(
        d.num_nanoseconds().unwrap() % 60_000_000_000,
        0,
        "{d} is not whole minutes"
    );
    d.num_minutes()
}

#[test]
fn overlapping_nested_and_touching_outages_count_once() {
    let mut sla = instance(gold(), apr(1, 0, 0));
    sla.record_outage("a", apr(3, 10, 0), Some(apr(3, 10, 30)))
        .unwrap();
    sla.record_outage("b", apr(3, 10, 20), Some(apr(3, 10, 50)))
        .unwrap(); // overlaps a
    sla.record_outage("c", apr(3, 10, 25), Some(apr(3, 10, 26)))
        .unwrap(); // nested in a
    sla.record_outage("d", apr(3, 10, 50), Some(apr(3, 11, 0)))
        .unwrap(); // touches b
    sla.record_outage("e", apr(10, 0, 0), Some(apr(10, 0, 5)))
        .unwrap();
    let s = sla.status(t(2026, 5, 1, 0, 0));
    assert_eq!(mins(s.measured), 30 * 24 * 60);
    assert_eq!(mins(s.unplanned_downtime), 65);
    assert_eq!(mins(s.counted_downtime), 65);
    assert_eq!(s.planned_downtime, Duration::zero());
    // 43.2 minutes allowed = 2,592 s.
    assert_eq!(s.allowed_downtime, Duration::seconds(2592));
    assert_eq!(s.remaining_allowance, Duration::zero());
    assert_eq!(
        s.availability.round_dp(12),
        (dec!(43135) / dec!(43200)).round_dp(12)
    );
    assert_eq!(s.compliance, Compliance::Breached);
    let b = &s.breaches[0];
    assert_eq!(b.kind, BreachKind::Availability);
    // The allowance ran out 43 min 12 s into the 10:00 outage.
    assert_eq!(
        b.start,
        Utc.with_ymd_and_hms(2026, 4, 3, 10, 43, 12).unwrap()
    );
    assert_eq!(b.end, Some(t(2026, 5, 1, 0, 0)));
    assert_eq!(b.target, dec!(0.999));
    assert_eq!(b.actual, s.availability);
    assert_eq!(s.breach_count, 1);
}

#[test]
fn feeding_order_does_not_matter() {
    let outages = [
        (apr(3, 10, 0), apr(3, 10, 30)),
        (apr(3, 10, 20), apr(3, 10, 50)),
        (apr(2, 23, 0), apr(3, 10, 5)),
        (apr(20, 0, 0), apr(20, 0, 1)),
    ];
    let mut a = instance(gold(), apr(1, 0, 0));
    let mut b = a.clone();
    for (i, (s, e)) in outages.iter().enumerate() {
        a.record_outage(&format!("{i}"), *s, Some(*e)).unwrap();
    }
    for (i, (s, e)) in outages.iter().enumerate().rev() {
        b.record_outage(&format!("{i}"), *s, Some(*e)).unwrap();
    }
    b.record_maintenance(apr(3, 10, 0), apr(3, 10, 10)).unwrap();
    a.record_maintenance(apr(3, 10, 0), apr(3, 10, 10)).unwrap();
    let now = apr(25, 0, 0);
    assert_eq!(a.status(now), b.status(now));
    // 23:00 -> 10:50 = 11 h 50 min, +1 min; 10 min of it in maintenance.
    assert_eq!(
        mins(a.status(now).unplanned_downtime),
        11 * 60 + 50 + 1 - 10
    );
    assert_eq!(mins(a.status(now).planned_downtime), 10);
}

#[test]
fn outages_spanning_the_period_boundaries_are_clipped() {
    let mut sla = instance(gold(), apr(15, 0, 0));
    sla.record_outage("before", t(2026, 3, 31, 23, 0), Some(apr(1, 1, 0)))
        .unwrap();
    sla.record_outage("after", apr(30, 23, 30), Some(t(2026, 5, 1, 2, 0)))
        .unwrap();
    sla.record_outage("outside", t(2026, 3, 1, 0, 0), Some(t(2026, 3, 2, 0, 0)))
        .unwrap();
    let s = sla.status(t(2026, 6, 1, 0, 0));
    assert_eq!(mins(s.unplanned_downtime), 60 + 30);
}

#[test]
fn open_outage_runs_to_now_then_to_the_period_end() {
    let mut sla = instance(gold(), apr(15, 0, 0));
    sla.record_outage("open", t(2026, 3, 31, 22, 0), None)
        .unwrap();
    assert_eq!(sla.open_outage_count(), 1);
    assert_eq!(mins(sla.status(apr(1, 0, 30)).counted_downtime), 30);
    // Before the period starts nothing is counted yet.
    assert_eq!(
        sla.status(t(2026, 3, 31, 23, 0)).counted_downtime,
        Duration::zero()
    );
    let s = sla.status(t(2026, 5, 9, 0, 0));
    assert_eq!(mins(s.counted_downtime), 30 * 24 * 60);
    assert_eq!(s.availability, Decimal::ZERO);
    assert_eq!(s.open_outages, 1);
    // The breach started when 43.2 minutes had been used.
    assert_eq!(
        s.breaches[0].start,
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 43, 12).unwrap()
    );
    // Clearing it turns it into a closed outage of the same extent.
    sla.record_clear("open", apr(1, 2, 0)).unwrap();
    assert_eq!(sla.open_outage_count(), 0);
    assert_eq!(mins(sla.status(t(2026, 5, 9, 0, 0)).counted_downtime), 120);
}

#[test]
fn an_open_outage_overlapping_closed_ones_counts_once() {
    let mut sla = instance(gold(), apr(15, 0, 0));
    sla.record_outage("closed", apr(2, 10, 0), Some(apr(2, 11, 0)))
        .unwrap();
    sla.record_outage("later", apr(2, 12, 0), Some(apr(2, 12, 30)))
        .unwrap();
    sla.record_outage("open", apr(2, 10, 30), None).unwrap();
    sla.record_outage("open2", apr(2, 10, 45), None).unwrap();
    // 10:00 -> 12:15 continuous (open outages run to `now`) ...
    assert_eq!(mins(sla.status(apr(2, 12, 15)).counted_downtime), 135 + 15);
    // ... and recorded closed outages count in full: 12:15 -> 12:30 is known.
    assert_eq!(mins(sla.status(apr(2, 13, 0)).counted_downtime), 180);
}

#[test]
fn maintenance_overlapping_an_outage_is_planned_and_excluded() {
    let mut sla = instance(gold(), apr(1, 0, 0));
    sla.record_outage("a", apr(5, 1, 0), Some(apr(5, 4, 0)))
        .unwrap();
    sla.record_maintenance(apr(5, 2, 0), apr(5, 3, 0)).unwrap();
    sla.record_maintenance(apr(6, 0, 0), apr(6, 2, 0)).unwrap();
    let s = sla.status(apr(30, 0, 0));
    assert_eq!(mins(s.planned_downtime), 60);
    assert_eq!(mins(s.unplanned_downtime), 120);
    assert_eq!(mins(s.counted_downtime), 120);
    assert_eq!(mins(s.measured), 30 * 24 * 60 - 180);
    // 0.1 % of 43,020 minutes = 43.02 minutes.
    assert_eq!(s.allowed_downtime, Duration::milliseconds(2_581_200));
    // The first hour of the outage used 60 min > 43.02: breached at 01:43:01.2.
    assert_eq!(
        s.breaches[0].start,
        apr(5, 1, 43) + Duration::milliseconds(1_200)
    );
    assert_eq!(
        s.availability,
        Decimal::from(43_020 - 120) / Decimal::from(43_020)
    );
}

#[test]
fn maintenance_not_excluded_counts_against_availability() {
    let mut sla = instance(gold().with_exclude_maintenance(false), apr(1, 0, 0));
    sla.record_maintenance(apr(5, 2, 0), apr(5, 3, 0)).unwrap();
    sla.record_outage("a", apr(5, 1, 0), Some(apr(5, 4, 0)))
        .unwrap();
    let s = sla.status(apr(30, 0, 0));
    assert_eq!(mins(s.measured), 30 * 24 * 60);
    assert_eq!(mins(s.planned_downtime), 60);
    assert_eq!(mins(s.unplanned_downtime), 120);
    assert_eq!(mins(s.counted_downtime), 180);
}

#[test]
fn a_period_entirely_in_maintenance_measures_nothing_and_is_compliant() {
    let mut sla = instance(gold(), apr(1, 0, 0));
    sla.record_maintenance(t(2026, 3, 1, 0, 0), t(2026, 6, 1, 0, 0))
        .unwrap();
    sla.record_outage("a", apr(5, 1, 0), Some(apr(5, 4, 0)))
        .unwrap();
    let s = sla.status(apr(30, 0, 0));
    assert_eq!(s.measured, Duration::zero());
    assert_eq!(s.availability, Decimal::ONE);
    assert_eq!(mins(s.planned_downtime), 180);
    assert_eq!(s.compliance, Compliance::Compliant);
}

#[test]
fn dst_months_in_the_periods_zone_are_an_hour_short_or_long() {
    let def = SlaDefinition::new(
        "Berlin",
        dec!(0.999),
        MeasurementPeriod::calendar_month(chrono_tz::Europe::Berlin),
    );
    let march = instance(def.clone(), t(2026, 3, 10, 0, 0));
    assert_eq!(march.period().start, t(2026, 2, 28, 23, 0));
    assert_eq!(march.period().end, t(2026, 3, 31, 22, 0));
    let s = march.status(t(2026, 3, 10, 0, 0));
    assert_eq!(s.measured, Duration::hours(31 * 24 - 1));
    assert_eq!(s.allowed_downtime, Duration::milliseconds(2_674_800)); // 44.58 min
    let october = instance(def, t(2026, 10, 10, 0, 0));
    assert_eq!(
        october.status(t(2026, 10, 10, 0, 0)).measured,
        Duration::hours(31 * 24 + 1)
    );
    // An outage across the fall-back night lasts its real elapsed time (3 h wall, 4 h real).
    let mut october = october;
    october
        .record_outage("night", t(2026, 10, 24, 23, 0), Some(t(2026, 10, 25, 3, 0)))
        .unwrap();
    assert_eq!(
        mins(october.status(t(2026, 10, 31, 0, 0)).counted_downtime),
        240
    );
}

#[test]
fn leap_day_february_2028() {
    let mut sla = instance(gold(), t(2028, 2, 29, 12, 0));
    assert_eq!(sla.period().start, t(2028, 2, 1, 0, 0));
    assert_eq!(sla.period().end, t(2028, 3, 1, 0, 0));
    // Across the leap day into March: only the February part counts.
    sla.record_outage("x", t(2028, 2, 29, 23, 0), Some(t(2028, 3, 1, 1, 0)))
        .unwrap();
    let s = sla.status(t(2028, 3, 2, 0, 0));
    assert_eq!(mins(s.measured), 29 * 24 * 60);
    assert_eq!(s.allowed_downtime, Duration::milliseconds(2_505_600)); // 41.76 min
    assert_eq!(mins(s.counted_downtime), 60);
    assert_eq!(
        s.breaches[0].start,
        t(2028, 2, 29, 23, 41) + Duration::milliseconds(45_600)
    );
    // 30-day periods anchored on 15 February run to 16 March in a leap year.
    let days = MeasurementPeriod::days(30, t(2028, 2, 15, 0, 0));
    let p = days.period_containing(t(2028, 2, 29, 12, 0)).unwrap();
    assert_eq!(
        (p.start, p.end),
        (t(2028, 2, 15, 0, 0), t(2028, 3, 16, 0, 0))
    );
}

fn at_risk_status(outage_seconds: i64, nanos: i64) -> SlaStatus {
    let mut sla = instance(gold().with_at_risk_fraction(dec!(0.2)), apr(1, 0, 0));
    let start = apr(2, 0, 0);
    let end = start + Duration::seconds(outage_seconds) + Duration::nanoseconds(nanos);
    sla.record_outage("x", start, Some(end)).unwrap();
    sla.status(apr(2, 12, 0))
}

#[test]
fn compliance_thresholds() {
    // Allowance 2,592 s; at risk when less than 20 % (518.4 s) remains, i.e. after 2,073.6 s.
    assert_eq!(at_risk_status(2073, 0).compliance, Compliance::Compliant);
    assert_eq!(at_risk_status(2074, 0).compliance, Compliance::AtRisk);
    assert_eq!(at_risk_status(2592, 0).compliance, Compliance::AtRisk);
    let s = at_risk_status(2592, 1);
    assert_eq!(s.compliance, Compliance::Breached);
    assert_eq!(s.breaches[0].start, apr(2, 0, 43) + Duration::seconds(12));
    assert_eq!(
        at_risk_status(2073, 0).remaining_allowance,
        Duration::seconds(519)
    );
}

#[test]
fn perfect_target_breaches_on_any_downtime() {
    let mut sla = instance(
        SlaDefinition::new("Perfect", Decimal::ONE, MeasurementPeriod::utc_month()),
        apr(1, 0, 0),
    );
    assert_eq!(sla.status(apr(2, 0, 0)).compliance, Compliance::Compliant);
    sla.record_outage(
        "x",
        apr(2, 0, 0),
        Some(apr(2, 0, 0) + Duration::nanoseconds(1)),
    )
    .unwrap();
    let s = sla.status(apr(3, 0, 0));
    assert_eq!(s.compliance, Compliance::Breached);
    assert_eq!(s.breaches[0].start, apr(2, 0, 0));
}

fn credit_def(fee: Decimal, cap: Decimal) -> SlaDefinition {
    gold()
        .with_monthly_fee(fee)
        .with_credit_schedule(CreditSchedule::tiers(
            vec![
                CreditTier {
                    below_percent: dec!(99.9),
                    credit_percent: dec!(10),
                },
                CreditTier {
                    below_percent: dec!(95),
                    credit_percent: dec!(50),
                },
                CreditTier {
                    below_percent: dec!(99),
                    credit_percent: dec!(25),
                },
            ],
            cap,
        ))
}

fn credits_for(def: SlaDefinition, downtime_minutes: i64) -> SlaStatus {
    let mut sla = instance(def, apr(1, 0, 0));
    sla.record_outage(
        "x",
        apr(2, 0, 0),
        Some(apr(2, 0, 0) + Duration::minutes(downtime_minutes)),
    )
    .unwrap();
    sla.status(t(2026, 5, 1, 0, 0))
}

#[test]
fn credit_tiers_highest_applicable_wins_and_cap_applies() {
    // 43 min: 99.9005 % — not strictly below 99.9 %: no credit.
    let s = credits_for(credit_def(dec!(1000), dec!(100)), 43);
    assert_eq!(s.credits_owed, dec!(0));
    assert_eq!(s.compliance, Compliance::AtRisk);
    // 432 min = exactly 99.0 %: only the 99.9 tier applies (not strictly below 99).
    let s = credits_for(credit_def(dec!(1000), dec!(100)), 432);
    assert_eq!(s.credit_percent, dec!(10));
    assert_eq!(s.credits_owed, dec!(100.00));
    assert_eq!(s.breaches[0].financial_impact, dec!(100.00));
    // 433 min: below 99 % -> 25 %.
    assert_eq!(
        credits_for(credit_def(dec!(1000), dec!(100)), 433).credits_owed,
        dec!(250.00)
    );
    // 3 days down: below 95 % -> 50 %, capped at 30 %.
    let s = credits_for(credit_def(dec!(1000), dec!(30)), 3 * 24 * 60);
    assert_eq!(s.credit_percent, dec!(30));
    assert_eq!(s.credits_owed, dec!(300.00));
    assert_eq!(s.breaches[0].financial_impact, dec!(500.00)); // before the cap
}

#[test]
fn credits_round_half_even_once() {
    assert_eq!(
        credits_for(credit_def(dec!(10.25), dec!(100)), 60).credits_owed,
        dec!(1.02)
    );
    assert_eq!(
        credits_for(credit_def(dec!(10.35), dec!(100)), 60).credits_owed,
        dec!(1.04)
    );
}

#[test]
fn bad_input_is_rejected_and_changes_nothing() {
    let mut sla = instance(gold(), apr(1, 0, 0));
    sla.record_outage("a", apr(2, 0, 0), None).unwrap();
    let before = sla.status(apr(3, 0, 0));
    assert_eq!(
        sla.record_outage("a", apr(2, 5, 0), None).unwrap_err(),
        SlaError::OutageAlreadyOpen { key: "a".into() }
    );
    assert_eq!(
        sla.record_clear("zzz", apr(2, 5, 0))
            .unwrap_err()
            .to_string(),
        "Outage zzz is not open"
    );
    let err = sla.record_clear("a", apr(1, 0, 0)).unwrap_err();
    assert!(matches!(err, SlaError::InvalidInterval { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "Invalid interval: end 2026-04-01T00:00:00+00:00 is before start 2026-04-02T00:00:00+00:00"
    );
    assert!(
        sla.record_outage("b", apr(5, 0, 0), Some(apr(4, 0, 0)))
            .is_err()
    );
    assert!(sla.record_maintenance(apr(5, 0, 0), apr(4, 0, 0)).is_err());
    assert_eq!(sla.status(apr(3, 0, 0)), before);
    assert_eq!(sla.open_outage_count(), 1);
}

#[test]
fn instances_reject_empty_scopes_and_invalid_definitions() {
    let err = SlaInstance::for_instant(
        uuid::Uuid::nil(),
        Arc::new(gold()),
        SlaScope::default(),
        apr(1, 0, 0),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid SLA scope: needs at least one of customer_id, service_id or resource_ids"
    );
    let bad = SlaDefinition::new("Bad", dec!(99.9), MeasurementPeriod::utc_month());
    assert!(
        SlaInstance::for_instant(
            uuid::Uuid::nil(),
            Arc::new(bad),
            SlaScope::customer("c"),
            apr(1, 0, 0)
        )
        .is_err()
    );
}

fn hm(h: u32) -> chrono::NaiveTime {
    chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap()
}

#[test]
fn business_calendar_dst_nights_in_the_calendars_zone() {
    use chrono::Weekday::*;
    use ticket_core::calendar::BusinessCalendar;
    // Every night 01:00–04:00 Berlin: 2 h on the spring-forward night, 4 h on the fall-back one.
    let mut b = BusinessCalendar::builder(chrono_tz::Europe::Berlin);
    for d in [Mon, Tue, Wed, Thu, Fri, Sat, Sun] {
        b = b.interval(d, hm(1), hm(4));
    }
    let def = SlaDefinition::new(
        "nights",
        dec!(0.999),
        MeasurementPeriod::calendar_month(chrono_tz::Europe::Berlin),
    )
    .with_calendar(b.build().unwrap());
    let mut march = instance(def.clone(), t(2026, 3, 10, 0, 0));
    assert_eq!(
        march.status(t(2026, 3, 10, 0, 0)).measured,
        Duration::hours(31 * 3 - 1)
    );
    // The whole spring-forward night down: 2 h of business time (00:00–02:00 UTC).
    march
        .record_outage("n", t(2026, 3, 28, 22, 0), Some(t(2026, 3, 29, 6, 0)))
        .unwrap();
    assert_eq!(
        mins(march.status(t(2026, 4, 1, 0, 0)).counted_downtime),
        120
    );
    let mut october = instance(def, t(2026, 10, 10, 0, 0));
    assert_eq!(
        october.status(t(2026, 10, 10, 0, 0)).measured,
        Duration::hours(31 * 3 + 1)
    );
    october
        .record_outage("n", t(2026, 10, 24, 21, 0), Some(t(2026, 10, 25, 6, 0)))
        .unwrap();
    assert_eq!(
        mins(october.status(t(2026, 11, 1, 0, 0)).counted_downtime),
        240
    );
}

#[test]
fn business_calendar_leap_february() {
    use ticket_core::calendar::BusinessCalendar;
    let cal = BusinessCalendar::builder(chrono_tz::UTC)
        .weekdays(hm(9), hm(17))
        .build()
        .unwrap();
    let mut sla = instance(gold().with_calendar(cal), t(2028, 2, 10, 0, 0));
    // February 2028: 21 weekdays (the 29th is a Tuesday) of 8 h.
    assert_eq!(
        sla.status(t(2028, 2, 1, 0, 0)).measured,
        Duration::hours(21 * 8)
    );
    sla.record_outage("leap", t(2028, 2, 29, 16, 0), Some(t(2028, 3, 1, 12, 0)))
        .unwrap();
    let s = sla.status(t(2028, 3, 5, 0, 0));
    assert_eq!(mins(s.counted_downtime), 60);
    // Allowance 0.1 % of 168 h = 10.08 min.
    assert_eq!(
        s.breaches[0].start,
        t(2028, 2, 29, 16, 10) + Duration::milliseconds(4_800)
    );
}

#[test]
fn calendar_travels_in_definition_json() {
    let def = SlaDefinition::from_json(
        r#"{ "name": "office", "availability_target": "0.99",
             "measurement_period": { "kind": "calendar_month", "time_zone": "Europe/Berlin" },
             "calendar": { "timezone": "Europe/Berlin",
                           "week": { "mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]],
                                     "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]],
                                     "fri": [["09:00","17:00"]] },
                           "holidays": ["2026-04-03"] } }"#,
    )
    .unwrap();
    assert!(!def.calendar.is_always());
    assert_eq!(SlaDefinition::from_json(&def.to_json()).unwrap(), def);
    // April 2026 in Berlin: 22 weekdays, minus Good Friday.
    let sla = instance(def, t(2026, 4, 10, 0, 0));
    assert_eq!(
        sla.status(t(2026, 4, 10, 0, 0)).measured,
        Duration::hours(21 * 8)
    );
    // A bad calendar is a JSON error naming the problem.
    let err = SlaDefinition::from_json(
        r#"{ "name": "x", "availability_target": "0.99", "measurement_period": { "kind": "calendar_month" },
             "calendar": { "timezone": "Mars/Olympus", "week": {} } }"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("Mars/Olympus"), "{err}");
    // Without "calendar" the definition is 24x7.
    assert!(gold().calendar.is_always());
}
