use super::*;
use chrono::{Duration, TimeZone};

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}
fn office(tz: Tz) -> BusinessCalendar {
    BusinessCalendar::builder(tz)
        .weekdays(t(9, 0), t(12, 0))
        .weekdays(t(13, 0), t(17, 0))
        .holiday(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
        .yearly_holiday(12, 25)
        .build()
        .unwrap()
}
fn night(tz: Tz) -> BusinessCalendar {
    let mut b = BusinessCalendar::builder(tz);
    for d in 0..7u8 {
        b = b.interval(Weekday::try_from(d).unwrap(), t(1, 0), t(4, 0));
    }
    b.build().unwrap()
}

#[test]
fn civil_roundtrip() {
    for day in [-800_000i64, -1, 0, 1, 59, 60, 11_016, 20_454, 2_000_000] {
        let (y, m, d) = civil_from_days(day);
        assert_eq!(days_from_civil(y, m, d), day);
    }
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(weekday_of(0), 3); // Thursday
}

#[test]
fn spring_forward_interval_lasts_two_hours() {
    let cal = night(chrono_tz::Europe::Berlin);
    // 2026-03-29 local 01:00 CET = 00:00Z; 04:00 CEST = 02:00Z
    let day_start = utc(2026, 3, 28, 23, 0);
    let day_end = utc(2026, 3, 29, 22, 0);
    assert_eq!(
        cal.business_time_between(day_start, day_end),
        Duration::hours(2)
    );
    assert_eq!(
        cal.add_business_time(utc(2026, 3, 29, 0, 0), Duration::hours(2)),
        utc(2026, 3, 29, 2, 0)
    );
    // 01:30 CET + 1h = 03:30 CEST (the skipped hour is not business time)
    assert_eq!(
        cal.add_business_time(utc(2026, 3, 29, 0, 30), Duration::hours(1)),
        utc(2026, 3, 29, 1, 30)
    );
    let v: Vec<_> = cal.working_intervals(day_start, day_end).collect();
    assert_eq!(v, vec![(utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 2, 0))]);
}

#[test]
fn fall_back_interval_lasts_four_hours() {
    let cal = night(chrono_tz::Europe::Berlin);
    // 2026-10-25 local 01:00 CEST = 2026-10-24T23:00Z; 04:00 CET = 03:00Z
    let day_start = utc(2026, 10, 24, 22, 0);
    let day_end = utc(2026, 10, 25, 23, 0);
    assert_eq!(
        cal.business_time_between(day_start, day_end),
        Duration::hours(4)
    );
    assert_eq!(
        cal.add_business_time(utc(2026, 10, 24, 23, 0), Duration::hours(4)),
        utc(2026, 10, 25, 3, 0)
    );
    // inside the repeated hour (02:30 CET = 01:30Z) the clock runs
    assert!(cal.is_working(utc(2026, 10, 25, 1, 30)));
    assert_eq!(
        cal.add_business_time(utc(2026, 10, 25, 1, 30), Duration::minutes(90)),
        utc(2026, 10, 25, 3, 0)
    );
    let v: Vec<_> = cal.working_intervals(day_start, day_end).collect();
    assert_eq!(v, vec![(utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 3, 0))]);
}

#[test]
fn new_york_spring_forward_office_day_unaffected_but_night_shift_shorter() {
    let cal = office(chrono_tz::America::New_York);
    // Friday 16:00 EST + 1h = 17:00 EST (22:00Z); + 2h = Monday 10:00 EDT (14:00Z)
    assert_eq!(
        cal.add_business_time(utc(2026, 3, 6, 21, 0), Duration::hours(1)),
        utc(2026, 3, 6, 22, 0)
    );
    assert_eq!(
        cal.add_business_time(utc(2026, 3, 6, 21, 0), Duration::hours(2)),
        utc(2026, 3, 9, 14, 0)
    );
    // Friday 16:00 EST (21:00Z) to Monday 10:00 EDT (14:00Z): 1h + 1h
    assert_eq!(
        cal.business_time_between(utc(2026, 3, 6, 21, 0), utc(2026, 3, 9, 14, 0)),
        Duration::hours(2)
    );
}

#[test]
fn boundary_rule_due_at_closing_instant() {
    let cal = office(chrono_tz::UTC);
    // Monday 2026-01-05 13:00 + 4h = 17:00 the same day, not Tuesday 09:00
    let due = cal.add_business_time(utc(2026, 1, 5, 13, 0), Duration::hours(4));
    assert_eq!(due, utc(2026, 1, 5, 17, 0));
    assert!(!cal.is_working(due));
    // morning block runs out exactly at lunch
    assert_eq!(
        cal.add_business_time(utc(2026, 1, 5, 10, 0), Duration::hours(2)),
        utc(2026, 1, 5, 12, 0)
    );
    // one second more goes to the next opening
    assert_eq!(
        cal.add_business_time(utc(2026, 1, 5, 13, 0), Duration::seconds(4 * 3600 + 1)),
        Utc.with_ymd_and_hms(2026, 1, 6, 9, 0, 1).unwrap()
    );
}

#[test]
fn lunch_breaks_weekends_and_holidays_are_skipped() {
    let cal = office(chrono_tz::UTC);
    // Wednesday 2025-12-24 16:00 + 3h: 1h Wed, Thu 25th yearly holiday, Fri 26th 09:00-11:00
    assert_eq!(
        cal.add_business_time(utc(2025, 12, 24, 16, 0), Duration::hours(3)),
        utc(2025, 12, 26, 11, 0)
    );
    // Wednesday 2025-12-31 16:00 + 1h30: 1h Wed, Thu Jan 1 holiday, Fri 09:30
    assert_eq!(
        cal.add_business_time(utc(2025, 12, 31, 16, 0), Duration::minutes(90)),
        utc(2026, 1, 2, 9, 30)
    );
    // lunch: 11:00 + 2h = 14:00
    assert_eq!(
        cal.add_business_time(utc(2026, 1, 5, 11, 0), Duration::hours(2)),
        utc(2026, 1, 5, 14, 0)
    );
    assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2031, 12, 25).unwrap()));
    assert!(!cal.is_holiday(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
}

#[test]
fn long_spans_skip_weeks_and_subtract_holidays() {
    let cal = office(chrono_tz::Europe::Berlin);
    let from = utc(2026, 1, 5, 8, 0); // Monday 09:00 CET
    // 2026 from Jan 5: count weekdays to 2027-01-04 minus Dec 25 (Friday)
    let to = utc(2027, 1, 4, 8, 0);
    let mut days = 0;
    let mut d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    while d < NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() {
        if d.weekday().num_days_from_monday() < 5 && !(d.month() == 12 && d.day() == 25) {
            days += 1;
        }
        d = d.succ_opt().unwrap();
    }
    let got = cal.business_time_between(from, to);
    assert_eq!(got, Duration::hours(7 * days));
    // the last working day in range is Friday 2027-01-01 (only 2026-01-01 is a holiday)
    assert_eq!(cal.add_business_time(from, got), utc(2027, 1, 1, 16, 0));
}

#[test]
fn sub_second_instants() {
    let cal = office(chrono_tz::UTC);
    let a = utc(2026, 1, 5, 16, 59) + Duration::milliseconds(59_500);
    assert_eq!(
        cal.add_business_time(a, Duration::seconds(1)),
        utc(2026, 1, 6, 9, 0) + Duration::milliseconds(500)
    );
    assert_eq!(
        cal.business_time_between(a, utc(2026, 1, 6, 9, 0) + Duration::milliseconds(500)),
        Duration::seconds(1)
    );
    assert_eq!(cal.add_business_time(a, Duration::zero()), a);
}

#[test]
fn always_is_elapsed_time() {
    let cal = BusinessCalendar::always();
    assert!(cal.is_always());
    let a = utc(2026, 3, 29, 0, 0);
    assert_eq!(
        cal.add_business_time(a, Duration::hours(30)),
        a + Duration::hours(30)
    );
    assert_eq!(
        cal.business_time_between(a, a + Duration::days(400)),
        Duration::days(400)
    );
    let v: Vec<_> = cal.working_intervals(a, a + Duration::days(2)).collect();
    assert_eq!(v, vec![(a, a + Duration::days(2))]);
    // a 24x7 calendar in a DST zone is also "always": business time is real time
    let mut b = BusinessCalendar::builder(chrono_tz::Europe::Berlin);
    for d in 0..7u8 {
        b = b.interval(Weekday::try_from(d).unwrap(), t(0, 0), t(0, 0));
    }
    let berlin = b.build().unwrap();
    assert!(berlin.is_always());
    assert_eq!(
        berlin.business_time_between(utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)),
        Duration::hours(48)
    );
}

#[test]
fn overnight_intervals_merge_across_midnight() {
    let cal = BusinessCalendar::builder(chrono_tz::UTC)
        .interval(Weekday::Mon, t(22, 0), t(0, 0))
        .interval(Weekday::Tue, t(0, 0), t(6, 0))
        .build()
        .unwrap();
    let v: Vec<_> = cal
        .working_intervals(utc(2026, 1, 5, 0, 0), utc(2026, 1, 7, 0, 0))
        .collect();
    assert_eq!(v, vec![(utc(2026, 1, 5, 22, 0), utc(2026, 1, 6, 6, 0))]);
}

#[test]
fn validation_errors_are_clear() {
    let e = BusinessCalendar::builder(chrono_tz::UTC)
        .build()
        .unwrap_err();
    assert!(
        e.to_string().contains("at least one working interval"),
        "{e}"
    );
    let e = BusinessCalendar::builder(chrono_tz::UTC)
        .interval(Weekday::Mon, t(9, 0), t(12, 0))
        .interval(Weekday::Mon, t(11, 0), t(13, 0))
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Overlapping working intervals on mon: 09:00-12:00 and 11:00-13:00"
    );
    let e = BusinessCalendar::builder(chrono_tz::UTC)
        .interval(Weekday::Mon, t(22, 0), t(6, 0))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("cannot cross midnight"), "{e}");
    let e = BusinessCalendar::builder(chrono_tz::UTC)
        .interval(Weekday::Mon, t(9, 0), t(17, 0))
        .yearly_holiday(2, 30)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("02-30"), "{e}");
    let mut b = BusinessCalendar::builder(chrono_tz::UTC).interval(Weekday::Mon, t(9, 0), t(17, 0));
    for day in 0..366 {
        let d = NaiveDate::from_yo_opt(2000, day + 1).unwrap();
        b = b.yearly_holiday(d.month(), d.day());
    }
    assert!(
        b.build()
            .unwrap_err()
            .to_string()
            .contains("every day of the year")
    );
    assert!(matches!(
        BusinessCalendar::from_json("{}").unwrap_err(),
        Error::Validation(_)
    ));
}

#[test]
fn json_roundtrip_and_errors() {
    let cal = office(chrono_tz::Europe::Berlin);
    let json = cal.to_json();
    assert!(json.contains("\"timezone\":\"Europe/Berlin\""), "{json}");
    assert!(json.contains("[\"09:00\",\"12:00\"]"), "{json}");
    assert_eq!(BusinessCalendar::from_json(&json).unwrap(), cal);
    let always = BusinessCalendar::always();
    assert_eq!(always.to_json(), r#"{"timezone":"UTC","always":true}"#);
    assert_eq!(
        BusinessCalendar::from_json(&always.to_json()).unwrap(),
        always
    );
    let end24 = BusinessCalendar::from_json(r#"{"week":{"sat":[["20:00","24:00"]]}}"#).unwrap();
    assert_eq!(end24.intervals_of(Weekday::Sat), &[(72_000, 86_400)]);
    for (bad, needle) in [
        (
            r#"{"timezone":"Nowhere/City","week":{"mon":[["09:00","17:00"]]}}"#,
            "Nowhere/City",
        ),
        (
            r#"{"week":{"monday":[["09:00","17:00"]]}}"#,
            "Unknown weekday 'monday'",
        ),
        (
            r#"{"week":{"mon":[["9am","17:00"]]}}"#,
            "Invalid start time '9am'",
        ),
        (
            r#"{"week":{"mon":[["09:00","25:00"]]}}"#,
            "Invalid end time '25:00'",
        ),
        (
            r#"{"week":{"mon":[["09:00","17:00"]]},"yearly_holidays":["Dec 25"]}"#,
            "Dec 25",
        ),
        (r#"{"week":{"mon":[["09:00","17:00"]]},"bogus":1}"#, "bogus"),
        (
            r#"{"always":true,"week":{"mon":[["09:00","17:00"]]}}"#,
            "cannot also list",
        ),
    ] {
        let e = BusinessCalendar::from_json(bad).unwrap_err();
        assert!(matches!(e, Error::Validation(_)));
        assert!(e.to_string().contains(needle), "{bad}: {e}");
    }
}
