//! Differential test: `SlaInstance` against an independent brute-force, minute-by-minute
//! oracle on thousands of random outage sets (with and without maintenance, in any feeding
//! order, open and closed outages), 24x7 and with business hours (Mon–Fri 09:00–17:00
//! Europe/Berlin, periods often spanning a DST change) given either as ticket-core's
//! `BusinessCalendar` or as explicit working intervals.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fault_core::sla::{
    CreditSchedule, CreditTier, MeasurementPeriod, SlaDefinition, SlaInstance, SlaPeriod, SlaScope,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::sync::Arc;
use ticket_core::calendar::BusinessCalendar;

const NS_MIN: i64 = 60_000_000_000;

#[derive(Debug, Clone)]
struct Outage {
    start: i64, // minutes from period start (may be negative)
    len: i64,
    open: bool,    // never cleared: runs to `now`
    cleared: bool, // recorded open first, then cleared (incremental path)
}

#[derive(Debug, Clone)]
struct Case {
    period_start_min: i64, // minutes after 2026-01-01
    period_len: i64,       // minutes
    outages: Vec<Outage>,
    maintenance: Vec<(i64, i64)>,
    exclude: bool,
    target_permille: i64,
    now: i64,
    maintenance_first: bool,
    reverse: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (1i64..=4320).prop_flat_map(|len| {
        let outage = (-300i64..len + 300, 0i64..400, any::<bool>(), any::<bool>()).prop_map(
            |(start, l, open, cleared)| Outage {
                start,
                len: l,
                open: open && l % 5 == 0, // roughly 1 in 10 open
                cleared,
            },
        );
        (
            // Minutes after 2026-01-01; DST changes on 29 March (125,280) and 25 October (427,680).
            prop_oneof![0i64..525_600, 120_000i64..127_000, 422_000i64..429_000],
            Just(len),
            proptest::collection::vec(outage, 0..14),
            proptest::collection::vec((-120i64..len + 120, 0i64..600), 0..4),
            any::<bool>(),
            prop_oneof![
                Just(900i64),
                Just(950),
                Just(990),
                Just(995),
                Just(999),
                Just(1000)
            ],
            -60i64..len + 60,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                |(ps, len, outages, maint, exclude, target, now, mf, reverse)| Case {
                    period_start_min: ps,
                    period_len: len,
                    outages,
                    maintenance: maint.into_iter().map(|(s, l)| (s, s + l)).collect(),
                    exclude,
                    target_permille: target,
                    now,
                    maintenance_first: mf,
                    reverse,
                },
            )
    })
}

struct Expected {
    measured: i64,
    planned: i64,
    unplanned: i64,
    counted: i64,
    allowance: i64,
    breach_at: Option<i64>,
}

/// Minute-by-minute oracle; all results in nanoseconds relative to the period start.
fn oracle(c: &Case, working: impl Fn(i64) -> bool) -> Expected {
    let n = c.period_len as usize;
    let mut out = vec![false; n];
    let mut maint = vec![false; n];
    let fill = |bits: &mut Vec<bool>, s: i64, e: i64| {
        for m in s.max(0)..e.min(c.period_len) {
            bits[m as usize] = true;
        }
    };
    for o in &c.outages {
        let end = if o.open {
            c.now.max(o.start)
        } else {
            o.start + o.len
        };
        fill(&mut out, o.start, end);
    }
    for &(s, e) in &c.maintenance {
        fill(&mut maint, s, e);
    }
    let (mut measured, mut planned, mut unplanned) = (0i64, 0i64, 0i64);
    let mut counted_minutes = Vec::new();
    for m in 0..n {
        if !working(m as i64) {
            continue;
        }
        if !(c.exclude && maint[m]) {
            measured += 1;
        }
        if out[m] {
            if maint[m] {
                planned += 1;
            } else {
                unplanned += 1;
            }
            if !(c.exclude && maint[m]) {
                counted_minutes.push(m as i64);
            }
        }
    }
    let counted = if c.exclude {
        unplanned
    } else {
        unplanned + planned
    };
    let measured_ns = measured * NS_MIN;
    let allowance = (Decimal::from(1000 - c.target_permille) * Decimal::from(measured_ns)
        / Decimal::from(1000))
    .floor()
    .to_i64()
    .unwrap();
    let counted_ns = counted * NS_MIN;
    let breach_at = (counted_ns > allowance).then(|| {
        let k = allowance / NS_MIN; // the (k+1)-th counted minute crosses the allowance
        counted_minutes[k as usize] * NS_MIN + (allowance - k * NS_MIN)
    });
    Expected {
        measured: measured_ns,
        planned: planned * NS_MIN,
        unplanned: unplanned * NS_MIN,
        counted: counted_ns,
        allowance,
        breach_at,
    }
}

fn tiers() -> CreditSchedule {
    CreditSchedule::tiers(
        vec![
            CreditTier {
                below_percent: Decimal::new(999, 1),
                credit_percent: Decimal::new(10, 0),
            },
            CreditTier {
                below_percent: Decimal::new(99, 0),
                credit_percent: Decimal::new(25, 0),
            },
            CreditTier {
                below_percent: Decimal::new(95, 0),
                credit_percent: Decimal::new(50, 0),
            },
        ],
        Decimal::new(40, 0),
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Hours {
    TwentyFourSeven,
    /// Mon–Fri 09:00–17:00 Berlin through `SlaDefinition::calendar`.
    Calendar,
    /// The same hours through `SlaInstance::with_working_time`.
    Explicit,
}

fn run(c: &Case, def: SlaDefinition, hours: Hours) -> Result<(), TestCaseError> {
    let business_hours = hours != Hours::TwentyFourSeven;
    let def = if hours == Hours::Calendar {
        let t = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        def.with_calendar(
            BusinessCalendar::builder(chrono_tz::Europe::Berlin)
                .weekdays(t(9), t(17))
                .build()
                .unwrap(),
        )
    } else {
        def
    };
    let base =
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(c.period_start_min);
    let at = |m: i64| base + Duration::minutes(m);
    let period = SlaPeriod::new(base, at(c.period_len)).unwrap();
    let mut sla = if hours == Hours::Explicit {
        SlaInstance::with_working_time(
            uuid::Uuid::nil(),
            Arc::new(def),
            SlaScope::service("svc"),
            period,
            berlin_office_hours(period.start, period.end),
        )
        .unwrap()
    } else {
        SlaInstance::new(
            uuid::Uuid::nil(),
            Arc::new(def),
            SlaScope::service("svc"),
            period,
        )
        .unwrap()
    };
    let mut ops: Vec<usize> = (0..c.outages.len()).collect();
    if c.reverse {
        ops.reverse();
    }
    let maintenance = |sla: &mut SlaInstance| {
        for &(s, e) in &c.maintenance {
            sla.record_maintenance(at(s), at(e)).unwrap();
        }
    };
    if c.maintenance_first {
        maintenance(&mut sla);
    }
    for &i in &ops {
        let o = &c.outages[i];
        let key = format!("o{i}");
        if o.open || o.cleared {
            // Cleared ones are closed below, after everything else was recorded.
            sla.record_outage(&key, at(o.start), None).unwrap();
        } else {
            sla.record_outage(&key, at(o.start), Some(at(o.start + o.len)))
                .unwrap();
        }
    }
    if !c.maintenance_first {
        maintenance(&mut sla);
    }
    for &i in &ops {
        let o = &c.outages[i];
        if !o.open && o.cleared {
            sla.record_clear(&format!("o{i}"), at(o.start + o.len))
                .unwrap();
        }
    }
    let exp = oracle(c, |m| !business_hours || is_berlin_office_minute(at(m)));
    let s = sla.status(at(c.now));
    let ns = |d: Duration| d.num_nanoseconds().unwrap();
    prop_assert_eq!(ns(s.measured), exp.measured, "measured");
    prop_assert_eq!(ns(s.planned_downtime), exp.planned, "planned");
    prop_assert_eq!(ns(s.unplanned_downtime), exp.unplanned, "unplanned");
    prop_assert_eq!(ns(s.counted_downtime), exp.counted, "counted");
    prop_assert_eq!(ns(s.allowed_downtime), exp.allowance, "allowance");
    let expected_availability = if exp.measured == 0 {
        Decimal::ONE
    } else {
        Decimal::from(exp.measured - exp.counted) / Decimal::from(exp.measured)
    };
    prop_assert_eq!(s.availability, expected_availability);
    let breach = s.breaches.iter().find(|b| b.key == "availability");
    match exp.breach_at {
        None => prop_assert!(breach.is_none(), "unexpected breach {:?}", breach),
        Some(t) => {
            let b = breach.expect("availability breach");
            prop_assert_eq!(b.start, base + Duration::nanoseconds(t));
        }
    }
    // Credits: highest applicable tier, capped at 40 %.
    let pct = if exp.measured == 0 {
        Decimal::ZERO
    } else {
        let avail_pct = expected_availability * Decimal::ONE_HUNDRED;
        [
            (Decimal::new(95, 0), 50),
            (Decimal::new(99, 0), 25),
            (Decimal::new(999, 1), 10),
        ]
        .iter()
        .find(|(below, _)| avail_pct < *below)
        .map_or(Decimal::ZERO, |(_, p)| {
            Decimal::from(*p).min(Decimal::from(40))
        })
    };
    prop_assert_eq!(s.credit_percent, pct);
    Ok(())
}

/// The oracle's notion of business time: Mon–Fri, 09:00 <= local time < 17:00 in Berlin.
fn is_berlin_office_minute(t: DateTime<Utc>) -> bool {
    use chrono::{Datelike, Timelike, Weekday};
    let local = t.with_timezone(&chrono_tz::Europe::Berlin);
    !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) && (9..17).contains(&local.hour())
}

/// The same hours as intervals, built day by day.
fn berlin_office_hours(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    use chrono::{Datelike, Weekday};
    let tz = chrono_tz::Europe::Berlin;
    let mut day = from.with_timezone(&tz).date_naive().pred_opt().unwrap();
    let last = to.with_timezone(&tz).date_naive().succ_opt().unwrap();
    let mut out = Vec::new();
    while day <= last {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            let at = |h| {
                tz.from_local_datetime(&day.and_hms_opt(h, 0, 0).unwrap())
                    .single()
                    .unwrap()
                    .with_timezone(&Utc)
            };
            out.push((at(9), at(17)));
        }
        day = day.succ_opt().unwrap();
    }
    out
}

fn definition(c: &Case) -> SlaDefinition {
    SlaDefinition::new(
        "oracle",
        Decimal::new(c.target_permille, 3),
        MeasurementPeriod::utc_month(),
    )
    .with_exclude_maintenance(c.exclude)
    .with_credit_schedule(tiers())
    .with_monthly_fee(Decimal::new(123456, 2))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn availability_matches_minute_oracle_24x7(c in case()) {
        run(&c, definition(&c), Hours::TwentyFourSeven)?;
    }

    #[test]
    fn availability_matches_minute_oracle_business_calendar_berlin(c in case()) {
        run(&c, definition(&c), Hours::Calendar)?;
    }

    #[test]
    fn availability_matches_minute_oracle_explicit_working_time(c in case()) {
        run(&c, definition(&c), Hours::Explicit)?;
    }
}
