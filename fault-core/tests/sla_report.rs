//! Compliance reports over many instances.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fault_core::sla::{
    Compliance, CreditSchedule, CreditTier, MeasurementPeriod, SlaDefinition, SlaInstance,
    SlaScope, compliance_report,
};
use rust_decimal_macros::dec;
use std::sync::Arc;

fn t(mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, mo, d, h, 0, 0).unwrap()
}

fn def() -> Arc<SlaDefinition> {
    Arc::new(
        SlaDefinition::new("Enterprise", dec!(0.999), MeasurementPeriod::utc_month())
            .with_monthly_fee(dec!(500))
            .with_credit_schedule(CreditSchedule::tiers(
                vec![CreditTier {
                    below_percent: dec!(99.9),
                    credit_percent: dec!(10),
                }],
                dec!(100),
            )),
    )
}

fn inst(n: u128, customer: &str, month: u32) -> SlaInstance {
    SlaInstance::for_instant(
        uuid::Uuid::from_u128(n),
        def(),
        SlaScope::customer(customer),
        t(month, 1, 0),
    )
    .unwrap()
}

#[test]
fn report_lists_instances_in_range_with_totals() {
    let mut a = inst(1, "c1", 1);
    a.record_outage("x", t(1, 5, 0), Some(t(1, 5, 2))).unwrap(); // 120 min: breached
    a.record_maintenance(t(1, 5, 1), t(1, 5, 3)).unwrap(); // 60 min of it planned
    let mut b = inst(2, "c2", 1);
    b.record_outage("y", t(1, 7, 0), Some(t(1, 7, 0) + Duration::minutes(40)))
        .unwrap(); // at risk
    let c = inst(3, "c3", 1); // clean
    let feb = inst(4, "c1", 2); // outside the range
    let now = t(2, 1, 0);
    let r = compliance_report([&a, &b, &c, &feb], t(1, 1, 0), t(2, 1, 0), now).unwrap();
    assert_eq!(r.totals.instance_count, 3);
    let ids: Vec<u128> = r
        .instances
        .iter()
        .map(|l| l.status.instance_id.as_u128())
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(r.instances[0].definition_name, "Enterprise");
    assert_eq!(r.instances[0].scope.customer_id.as_deref(), Some("c1"));
    let statuses: Vec<Compliance> = r.instances.iter().map(|l| l.status.compliance).collect();
    assert_eq!(
        statuses,
        vec![
            Compliance::Breached,
            Compliance::AtRisk,
            Compliance::Compliant
        ]
    );
    assert_eq!(
        (r.totals.breached, r.totals.at_risk, r.totals.compliant),
        (1, 1, 1)
    );
    assert_eq!(r.totals.total_breaches, 1);
    assert_eq!(r.totals.total_credits, dec!(50.00));
    assert_eq!(r.totals.planned_downtime, Duration::minutes(60));
    assert_eq!(r.totals.unplanned_downtime, Duration::minutes(60 + 40));
    let avail: Vec<_> = r.instances.iter().map(|l| l.status.availability).collect();
    assert_eq!(
        r.totals.average_availability,
        Some((avail[0] + avail[1] + avail[2]) / dec!(3))
    );
    assert_eq!(avail[2], dec!(1));
    // The report serialises with seed 002's totals names.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["totals"]["total_breaches"], 1);
    assert_eq!(v["totals"]["total_credits"], "50.00");
    assert!(v["totals"]["average_availability"].is_string());
}

#[test]
fn a_range_overlapping_part_of_a_period_includes_it() {
    let a = inst(1, "c1", 1);
    let r = compliance_report([&a], t(1, 31, 0), t(1, 31, 1), t(2, 1, 0)).unwrap();
    assert_eq!(r.totals.instance_count, 1);
    let r = compliance_report([&a], t(2, 1, 0), t(2, 2, 0), t(2, 1, 0)).unwrap();
    assert_eq!(r.totals.instance_count, 0);
    assert_eq!(r.totals.average_availability, None);
    assert_eq!(r.totals.total_credits, dec!(0));
}

#[test]
fn an_empty_or_inverted_range_is_rejected() {
    let a = inst(1, "c1", 1);
    let e = compliance_report([&a], t(2, 1, 0), t(1, 1, 0), t(2, 1, 0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid SLA report range: end 2025-01-01T00:00:00+00:00 must be after start 2025-02-01T00:00:00+00:00"
    );
}
