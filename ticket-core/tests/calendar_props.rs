//! Property tests for the business calendar against a brute-force oracle built directly on
//! chrono-tz (independent of the calendar's transition cache and week arithmetic).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;
use ticket_core::calendar::BusinessCalendar;

const ZONES: [Tz; 5] = [
    chrono_tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::America::Sao_Paulo,
];

#[derive(Debug, Clone)]
struct Spec {
    tz: Tz,
    week: Vec<Vec<(u32, u32)>>, // half-hour slots [a, b)
    holidays: Vec<NaiveDate>,
    yearly: Vec<(u32, u32)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    let day = prop::collection::btree_set(0u32..=48, 0..6).prop_map(|s| {
        let v: Vec<u32> = s.into_iter().collect();
        v.chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (c[0], c[1]))
            .collect::<Vec<_>>()
    });
    (
        0usize..ZONES.len(),
        prop::collection::vec(day, 7),
        prop::collection::vec(0i64..1200, 0..8),
        prop::collection::vec((1u32..=12, 1u32..=28), 0..4),
    )
        .prop_map(|(z, week, hol, yearly)| Spec {
            tz: ZONES[z],
            week,
            holidays: hol
                .into_iter()
                .map(|d| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(d))
                .collect(),
            yearly,
        })
        .prop_filter("needs working time", |s| {
            s.week.iter().any(|d| !d.is_empty())
        })
}

fn slot(h: u32) -> NaiveTime {
    NaiveTime::from_num_seconds_from_midnight_opt((h % 48) * 1800, 0).unwrap()
}

fn build(s: &Spec) -> BusinessCalendar {
    let mut b = BusinessCalendar::builder(s.tz);
    for (i, ivs) in s.week.iter().enumerate() {
        for &(a, e) in ivs {
            b = b.interval(Weekday::try_from(i as u8).unwrap(), slot(a), slot(e));
        }
    }
    for h in &s.holidays {
        b = b.holiday(*h);
    }
    for &(m, d) in &s.yearly {
        b = b.yearly_holiday(m, d);
    }
    b.build().unwrap()
}

/// The documented mapping, straight from chrono-tz: first instant showing `ndt` or later.
fn map_local(tz: Tz, date: NaiveDate, secs: u32) -> DateTime<Utc> {
    let ndt = date.and_hms_opt(0, 0, 0).unwrap() + Duration::seconds(secs as i64);
    match tz.from_local_datetime(&ndt) {
        LocalResult::Single(x) => x.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.with_timezone(&Utc).min(b.with_timezone(&Utc)),
        LocalResult::None => chrono_tz::GapInfo::new(&ndt, &tz)
            .and_then(|g| g.end)
            .unwrap()
            .with_timezone(&Utc),
    }
}

fn is_holiday(s: &Spec, d: NaiveDate) -> bool {
    use chrono::Datelike;
    s.holidays.contains(&d) || s.yearly.contains(&(d.month(), d.day()))
}

/// Oracle working intervals for local dates in [d0, d1].
fn oracle_intervals(s: &Spec, d0: NaiveDate, d1: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let mut d = d0;
    while d <= d1 {
        if !is_holiday(s, d) {
            for &(a, e) in &s.week[d.weekday().num_days_from_monday() as usize] {
                let x = map_local(s.tz, d, a * 1800);
                let y = map_local(s.tz, d, e * 1800);
                if y > x {
                    out.push((x, y));
                }
            }
        }
        d = d.succ_opt().unwrap();
    }
    out
}

fn local_day_range(tz: Tz, a: DateTime<Utc>, b: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    (
        a.with_timezone(&tz).date_naive() - Duration::days(2),
        b.with_timezone(&tz).date_naive() + Duration::days(2),
    )
}

fn oracle_between(s: &Spec, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
    let (d0, d1) = local_day_range(s.tz, a, b);
    oracle_intervals(s, d0, d1)
        .into_iter()
        .map(|(x, y)| (y.min(b) - x.max(a)).max(Duration::zero()))
        .sum()
}

/// Minute stepping: a minute-aligned instant is working iff it lies in an oracle interval.
fn oracle_minutes(s: &Spec, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
    let (d0, d1) = local_day_range(s.tz, a, b);
    let ivs = oracle_intervals(s, d0, d1);
    let mut t = a;
    let mut n = 0;
    while t < b {
        if ivs.iter().any(|&(x, y)| x <= t && t < y) {
            n += 1;
        }
        t += Duration::minutes(1);
    }
    Duration::minutes(n)
}

/// Instants in 2025–2027 at minute resolution, biased to DST seasons.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let base = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    prop_oneof![
        (0i64..3 * 525_600).prop_map(move |m| base + Duration::minutes(m)),
        // around the 2026 March/April and October/November changes (north and south)
        (0i64..60 * 1440).prop_map(|m| Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::minutes(m)),
        (0i64..45 * 1440).prop_map(|m| Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap() + Duration::minutes(m)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn between_matches_minute_stepping_oracle(s in spec(), a in instant(), len in 0i64..6 * 1440) {
        let cal = build(&s);
        let b = a + Duration::minutes(len);
        prop_assert_eq!(cal.business_time_between(a, b), oracle_minutes(&s, a, b), "{:?} {} {}", s, a, b);
    }

    #[test]
    fn between_matches_interval_oracle_over_long_spans(s in spec(), a in instant(), len in 0i64..400 * 1440) {
        let cal = build(&s);
        let b = a + Duration::minutes(len);
        prop_assert_eq!(cal.business_time_between(a, b), oracle_between(&s, a, b));
    }

    #[test]
    fn is_working_matches_oracle(s in spec(), a in instant()) {
        let cal = build(&s);
        let (d0, d1) = local_day_range(s.tz, a, a);
        let ivs = oracle_intervals(&s, d0, d1);
        prop_assert_eq!(cal.is_working(a), ivs.iter().any(|&(x, y)| x <= a && a < y));
    }

    #[test]
    fn add_then_measure_is_identity_and_earliest(s in spec(), a in instant(), secs in 1i64..90 * 86_400) {
        let cal = build(&s);
        let d = Duration::seconds(secs);
        let due = cal.add_business_time(a, d);
        prop_assert!(due > a);
        prop_assert_eq!(cal.business_time_between(a, due), d);
        // earliest such instant
        prop_assert!(cal.business_time_between(a, due - Duration::seconds(1)) < d);
        // never outside working time, except exactly at a closing instant
        let inside = cal.is_working(due - Duration::seconds(1));
        prop_assert!(inside, "due {} is not at or inside working time", due);
    }

    #[test]
    fn between_is_additive(s in spec(), a in instant(), x in 0i64..200 * 1440, y in 0i64..200 * 1440) {
        let cal = build(&s);
        let m = a + Duration::minutes(x) + Duration::seconds(17);
        let b = m + Duration::minutes(y);
        prop_assert_eq!(
            cal.business_time_between(a, b),
            cal.business_time_between(a, m) + cal.business_time_between(m, b)
        );
    }

    #[test]
    fn working_intervals_agree_with_between(s in spec(), a in instant(), len in 0i64..30 * 1440) {
        let cal = build(&s);
        let b = a + Duration::minutes(len);
        let ivs: Vec<_> = cal.working_intervals(a, b).collect();
        let total: Duration = ivs.iter().map(|(x, y)| *y - *x).sum();
        prop_assert_eq!(total, cal.business_time_between(a, b));
        for w in ivs.windows(2) {
            prop_assert!(w[0].1 < w[1].0, "intervals must be ordered and merged: {:?}", w);
        }
        for (x, y) in &ivs {
            prop_assert!(a <= *x && x < y && *y <= b);
            prop_assert!(cal.is_working(*x));
        }
    }

    #[test]
    fn json_roundtrip(s in spec()) {
        let cal = build(&s);
        prop_assert_eq!(BusinessCalendar::from_json(&cal.to_json()).unwrap(), cal);
    }
}
