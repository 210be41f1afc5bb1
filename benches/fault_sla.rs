//! SLA benchmarks: a compliance report over 10,000 instances with 20 outages each (target
//! ≤ 50 ms) and the availability of one instance over a year with 1,000 outages (≤ 100 µs).

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use faultdesk::fault::sla::{
    CreditSchedule, CreditTier, MeasurementPeriod, SlaDefinition, SlaInstance, SlaScope,
    compliance_report,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use std::hint::black_box;
use std::sync::Arc;

fn definition(period: MeasurementPeriod) -> Arc<SlaDefinition> {
    Arc::new(
        SlaDefinition::new("bench", Decimal::new(999, 3), period)
            .with_monthly_fee(Decimal::new(100_000, 2))
            .with_credit_schedule(CreditSchedule::tiers(
                vec![
                    CreditTier {
                        below_percent: Decimal::new(999, 1),
                        credit_percent: Decimal::new(10, 0),
                    },
                    CreditTier {
                        below_percent: Decimal::new(99, 0),
                        credit_percent: Decimal::new(25, 0),
                    },
                ],
                Decimal::new(50, 0),
            )),
    )
}

/// Random outages (minutes to a few hours) inside `[start, start + span_minutes)`.
fn outages(
    rng: &mut StdRng,
    start: DateTime<Utc>,
    span_minutes: i64,
    n: usize,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    (0..n)
        .map(|_| {
            let s = start + Duration::minutes(rng.random_range(0..span_minutes));
            (s, s + Duration::seconds(rng.random_range(30..4 * 3600)))
        })
        .collect()
}

fn report(c: &mut Criterion) {
    let month_start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let def = definition(MeasurementPeriod::utc_month());
    let mut rng = StdRng::seed_from_u64(7);
    let instances: Vec<SlaInstance> = (0..10_000u128)
        .map(|i| {
            let mut sla = SlaInstance::for_instant(
                uuid::Uuid::from_u128(i),
                def.clone(),
                SlaScope::customer(format!("c-{i}")),
                month_start,
            )
            .unwrap();
            let mut list = outages(&mut rng, month_start - Duration::hours(6), 31 * 24 * 60, 20);
            list.sort();
            for (k, (s, e)) in list.iter().enumerate() {
                // One outage in ten is still open at report time.
                let end = if k % 10 == 9 && *s > month_start + Duration::days(30) {
                    None
                } else {
                    Some(*e)
                };
                sla.record_outage(&format!("a{k}"), *s, end).unwrap();
            }
            let m = month_start + Duration::days(rng.random_range(0..30));
            sla.record_maintenance(m, m + Duration::hours(2)).unwrap();
            sla
        })
        .collect();
    let (from, to) = (
        month_start,
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    );
    let now = Utc.with_ymd_and_hms(2026, 3, 31, 12, 0, 0).unwrap();
    let r = compliance_report(&instances, from, to, now).unwrap();
    assert_eq!(r.totals.instance_count, 10_000);
    c.bench_function("sla/compliance_report_10k_instances_x20_outages", |b| {
        b.iter(|| compliance_report(black_box(&instances), from, to, now).unwrap())
    });
}

fn year(c: &mut Criterion) {
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let def = definition(MeasurementPeriod::days(365, start));
    let mut rng = StdRng::seed_from_u64(11);
    let mut list = outages(&mut rng, start, 365 * 24 * 60, 1000);
    let shuffled = list.clone();
    list.sort();
    let now = start + Duration::days(365);
    // Outage keys are input data (alarm ids), made outside the timed loop.
    let keys: Vec<String> = (0..list.len()).map(|k| format!("alarm-{k}")).collect();
    let build = |list: &[(DateTime<Utc>, DateTime<Utc>)]| {
        let mut sla = SlaInstance::for_instant(
            uuid::Uuid::nil(),
            def.clone(),
            SlaScope::service("s"),
            start,
        )
        .unwrap();
        for ((s, e), key) in list.iter().zip(&keys) {
            sla.record_outage(key, *s, Some(*e)).unwrap();
        }
        sla
    };
    c.bench_function(
        "sla/year_1000_outages/record_in_time_order_and_status",
        |b| b.iter(|| build(black_box(&list)).status(now)),
    );
    c.bench_function(
        "sla/year_1000_outages/record_in_random_order_and_status",
        |b| b.iter(|| build(black_box(&shuffled)).status(now)),
    );
    let built = build(&list);
    c.bench_function("sla/year_1000_outages/status", |b| {
        b.iter(|| black_box(&built).status(now))
    });
    c.bench_function("sla/year_1000_outages/one_more_outage_and_status", |b| {
        b.iter_batched(
            || built.clone(),
            |mut sla| {
                sla.record_outage(
                    "new",
                    start + Duration::days(200),
                    Some(start + Duration::days(200) + Duration::minutes(5)),
                )
                .unwrap();
                sla.status(now)
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, report, year);
criterion_main!(benches);
