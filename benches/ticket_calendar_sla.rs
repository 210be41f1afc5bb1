//! Business calendar and SLA clock benchmarks.
//!
//! - `calendar/add_4h`: due = start + 4 business hours over a Europe/Berlin calendar with lunch
//!   breaks, fixed and yearly holidays — target ≤ 0.5 µs (several start instants, incl. Friday
//!   afternoon and the day before a holiday).
//! - `calendar/between_1y`: business time between two instants one year apart — target ≤ 2 µs.
//! - `sla/evaluate_50_changes`: SLA evaluation of a ticket with 50 status changes on that
//!   business calendar — target ≤ 10 µs.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use faultdesk::ticket::Priority;
use faultdesk::ticket::calendar::BusinessCalendar;
use faultdesk::ticket::category::StateCategory;
use faultdesk::ticket::sla::{SlaEvent, SlaEventKind, SlaPolicy};
use std::hint::black_box;

fn office() -> BusinessCalendar {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let mut b = BusinessCalendar::builder(chrono_tz::Europe::Berlin)
        .weekdays(t(8, 30), t(12, 0))
        .weekdays(t(13, 0), t(17, 30));
    for (m, d) in [
        (1, 1),
        (5, 1),
        (10, 3),
        (12, 24),
        (12, 25),
        (12, 26),
        (12, 31),
    ] {
        b = b.yearly_holiday(m, d);
    }
    for (y, m, d) in [
        (2026, 4, 3),
        (2026, 4, 6),
        (2026, 5, 14),
        (2026, 5, 25),
        (2027, 3, 26),
        (2027, 3, 29),
        (2027, 5, 6),
        (2027, 5, 17),
    ] {
        b = b.holiday(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    }
    b.build().unwrap()
}

fn bench(c: &mut Criterion) {
    let cal = office();
    let starts: Vec<DateTime<Utc>> = [
        (2026, 3, 4, 9, 15),   // Wednesday morning
        (2026, 3, 6, 15, 0),   // Friday afternoon -> Monday
        (2026, 4, 2, 14, 0),   // Thursday before Good Friday + Easter Monday
        (2026, 3, 27, 16, 0),  // Friday before the spring-forward weekend
        (2026, 12, 23, 16, 0), // before the Christmas holidays
    ]
    .iter()
    .map(|&(y, m, d, h, mi)| Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap())
    .collect();

    let mut g = c.benchmark_group("calendar");
    g.bench_function("add_4h", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % starts.len();
            cal.add_business_time(black_box(starts[i]), black_box(Duration::hours(4)))
        })
    });
    let from = Utc.with_ymd_and_hms(2026, 2, 17, 10, 17, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 2, 17, 15, 41, 0).unwrap();
    g.bench_function("between_1y", |b| {
        b.iter(|| cal.business_time_between(black_box(from), black_box(to)))
    });
    let short_to = from + Duration::minutes(97);
    g.bench_function("between_97min", |b| {
        b.iter(|| cal.business_time_between(black_box(from), black_box(short_to)))
    });
    g.finish();

    let policy = SlaPolicy::itsm().with_calendar(cal.clone());
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut events = vec![SlaEvent::new(
        t0,
        SlaEventKind::Created {
            priority: Priority::Normal,
            category: StateCategory::New,
        },
    )];
    let cats = [
        StateCategory::Open,
        StateCategory::Pending,
        StateCategory::Open,
        StateCategory::Resolved,
        StateCategory::Open,
    ];
    for i in 0..50 {
        events.push(SlaEvent::new(
            t0 + Duration::minutes(97 * (i + 1)),
            SlaEventKind::StatusChanged {
                to_category: cats[i as usize % cats.len()],
            },
        ));
    }
    events.insert(
        3,
        SlaEvent::new(t0 + Duration::minutes(100), SlaEventKind::FirstResponse),
    );
    let now = t0 + Duration::days(6);
    let s = policy.evaluate(&events, now);
    assert!(s.resolution.cycle > 1);
    let mut g = c.benchmark_group("sla");
    g.bench_function("evaluate_50_changes", |b| {
        b.iter(|| policy.evaluate(black_box(&events), black_box(now)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
