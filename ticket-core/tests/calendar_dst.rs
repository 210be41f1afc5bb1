//! Explicit spring-forward and fall-back days in several zones: an interval 01:00–04:00 lasts
//! less on a spring-forward day and more on a fall-back day (business time is real time).

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use ticket_core::calendar::BusinessCalendar;

fn night(tz: Tz) -> BusinessCalendar {
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let mut b = BusinessCalendar::builder(tz);
    for d in 0..7u8 {
        b = b.interval(Weekday::try_from(d).unwrap(), t(1), t(4));
    }
    b.build().unwrap()
}

/// Business time of the local day `date` (from local noon the day before to local noon after).
fn day_length(cal: &BusinessCalendar, tz: Tz, date: NaiveDate) -> Duration {
    let noon = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
            .single()
            .unwrap()
            .with_timezone(&Utc)
    };
    cal.business_time_between(noon(date.pred_opt().unwrap()), noon(date))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn new_york() {
    let tz = chrono_tz::America::New_York;
    let cal = night(tz);
    assert_eq!(day_length(&cal, tz, d(2026, 3, 7)), Duration::hours(3));
    assert_eq!(day_length(&cal, tz, d(2026, 3, 8)), Duration::hours(2));
    assert_eq!(day_length(&cal, tz, d(2026, 11, 1)), Duration::hours(4));
    assert_eq!(day_length(&cal, tz, d(2026, 11, 2)), Duration::hours(3));
    // 2026-11-01 01:00 EDT = 05:00Z; + 4h = 04:00 EST = 09:00Z
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 5, 0, 0).unwrap();
    assert_eq!(
        cal.add_business_time(start, Duration::hours(4)),
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
    );
    // spring: 01:00 EST = 06:00Z; + 2h = 04:00 EDT = 08:00Z
    let start = Utc.with_ymd_and_hms(2026, 3, 8, 6, 0, 0).unwrap();
    assert_eq!(
        cal.add_business_time(start, Duration::hours(2)),
        Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 0).unwrap()
    );
}

#[test]
fn lord_howe_half_hour_shift() {
    let tz = chrono_tz::Australia::Lord_Howe;
    let cal = night(tz);
    // fall-back 2026-04-05 02:00 (+11) -> 01:30 (+10:30): the day's interval lasts 3h30
    assert_eq!(day_length(&cal, tz, d(2026, 4, 5)), Duration::minutes(210));
    // spring-forward 2026-10-04 02:00 (+10:30) -> 02:30 (+11): 2h30
    assert_eq!(day_length(&cal, tz, d(2026, 10, 4)), Duration::minutes(150));
    assert_eq!(day_length(&cal, tz, d(2026, 10, 5)), Duration::hours(3));
}

#[test]
fn sao_paulo_historic_midnight_gap() {
    // Brazil used to spring forward at 00:00 (2018-11-04 00:00 -> 01:00): local midnight did
    // not exist; a 00:00-04:00 interval lasted 3 h and started at the jump.
    let tz = chrono_tz::America::Sao_Paulo;
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let cal = BusinessCalendar::builder(tz)
        .interval(Weekday::Sun, t(0), t(4))
        .build()
        .unwrap();
    assert_eq!(day_length(&cal, tz, d(2018, 11, 4)), Duration::hours(3));
    let v: Vec<_> = cal
        .working_intervals(
            Utc.with_ymd_and_hms(2018, 11, 3, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2018, 11, 5, 0, 0, 0).unwrap(),
        )
        .collect();
    // the jump happens at 03:00Z; 04:00 (-02:00) = 06:00Z
    assert_eq!(
        v,
        vec![(
            Utc.with_ymd_and_hms(2018, 11, 4, 3, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2018, 11, 4, 6, 0, 0).unwrap()
        )]
    );
}
