//! Response, resolution and performance breaches; alarms in and out of scope; ticket requests.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fault_core::Severity;
use fault_core::sla::{
    BreachKind, Compliance, CreditSchedule, MeasureUnit, Measurement, MeasurementPeriod,
    PerformanceMetric, PerformanceTargets, SlaAlarm, SlaBreachTrigger, SlaDefinition, SlaError,
    SlaInstance, SlaScope,
};
use rust_decimal_macros::dec;
use std::collections::HashSet;
use std::sync::Arc;
use ticket_core::Priority;

fn apr(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, d, h, mi, 0).unwrap()
}

fn def() -> SlaDefinition {
    SlaDefinition::new("Gold", dec!(0.999), MeasurementPeriod::utc_month())
        .with_response_minutes(Severity::Critical, 15)
        .with_response_minutes(Severity::Major, 60)
        .with_resolution_minutes(Severity::Critical, 240)
        .with_performance(PerformanceTargets {
            max_latency_ms: Some(dec!(10)),
            max_packet_loss_percent: Some(dec!(0.1)),
            min_bandwidth_mbps: Some(dec!(1000)),
        })
        .with_monthly_fee(dec!(1000))
        .with_credit_schedule(CreditSchedule {
            response_breach_percent: dec!(1),
            resolution_breach_percent: dec!(2),
            performance_breach_percent: dec!(0.5),
            ..CreditSchedule::tiers(vec![], dec!(100))
        })
}

fn sla() -> SlaInstance {
    SlaInstance::for_instant(
        uuid::Uuid::nil(),
        Arc::new(def()),
        SlaScope::customer("c-1").with_resources(["olt-1"]),
        apr(1, 0, 0),
    )
    .unwrap()
}

fn alarm(id: &str, sev: Severity, raised: DateTime<Utc>) -> SlaAlarm {
    SlaAlarm::new(id, sev, raised)
        .on_resource("olt-1")
        .service_affecting(false)
}

#[test]
fn acknowledged_exactly_at_the_due_instant_is_on_time() {
    let mut s = sla();
    s.record_alarm(&alarm("a", Severity::Critical, apr(2, 8, 0)).acknowledged(apr(2, 8, 15)))
        .unwrap();
    let st = s.status(apr(2, 9, 0));
    assert!(st.breaches.is_empty(), "{:?}", st.breaches);
    assert_eq!(st.compliance, Compliance::Compliant);
}

#[test]
fn late_acknowledgement_is_a_response_breach() {
    let mut s = sla();
    let a = alarm("a", Severity::Critical, apr(2, 8, 0));
    s.record_alarm(&a).unwrap();
    s.record_alarm(&a.clone().acknowledged(apr(2, 8, 15) + Duration::seconds(1)))
        .unwrap();
    let st = s.status(apr(2, 9, 0));
    assert_eq!(st.breach_count, 1);
    let b = &st.breaches[0];
    assert_eq!(b.kind, BreachKind::ResponseTime);
    assert_eq!(b.key, "response:a");
    assert_eq!(b.alarm_id.as_deref(), Some("a"));
    assert_eq!(b.severity, Some(Severity::Critical));
    assert_eq!(b.start, apr(2, 8, 15));
    assert_eq!(b.end, Some(apr(2, 8, 15) + Duration::seconds(1)));
    assert_eq!(b.duration, Duration::seconds(1));
    assert_eq!(
        (b.target, b.actual, b.unit),
        (dec!(15), dec!(15.016667), MeasureUnit::Minutes)
    );
    assert_eq!(b.financial_impact, dec!(10.00));
    assert_eq!(st.credits_owed, dec!(10.00));
    assert_eq!(st.compliance, Compliance::Breached);
}

#[test]
fn unacknowledged_alarm_breaches_once_its_target_passes() {
    let mut s = sla();
    s.record_alarm(&alarm("m", Severity::Major, apr(2, 9, 0)))
        .unwrap();
    assert!(s.status(apr(2, 10, 0)).breaches.is_empty()); // exactly due: not yet
    let st = s.status(apr(2, 10, 20));
    let b = &st.breaches[0];
    assert!(b.is_ongoing());
    assert_eq!(
        (b.start, b.duration),
        (apr(2, 10, 0), Duration::minutes(20))
    );
    assert_eq!((b.target, b.actual), (dec!(60), dec!(80)));
    // Minor alarms have no target.
    s.record_alarm(&alarm("n", Severity::Minor, apr(2, 9, 0)))
        .unwrap();
    assert_eq!(s.status(apr(3, 0, 0)).breach_count, 1);
}

#[test]
fn late_clear_is_a_resolution_breach_and_ends_the_outage() {
    let mut s = sla();
    let a = SlaAlarm::new("r", Severity::Critical, apr(3, 10, 0))
        .on_resource("olt-1")
        .acknowledged(apr(3, 10, 5));
    assert!(s.record_alarm(&a).unwrap());
    assert_eq!(s.open_outage_count(), 1);
    s.record_alarm(&a.clone().cleared(apr(3, 15, 0))).unwrap();
    assert_eq!(s.open_outage_count(), 0);
    let st = s.status(apr(20, 0, 0));
    assert_eq!(st.counted_downtime, Duration::hours(5));
    let kinds: Vec<BreachKind> = st.breaches.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        vec![BreachKind::Availability, BreachKind::ResolutionTime]
    );
    let r = &st.breaches[1];
    assert_eq!((r.start, r.end), (apr(3, 14, 0), Some(apr(3, 15, 0))));
    assert_eq!((r.target, r.actual), (dec!(240), dec!(300)));
    assert_eq!(r.financial_impact, dec!(20.00));
    // A second clear is ignored (the first wins).
    s.record_alarm(&a.clone().cleared(apr(3, 18, 0))).unwrap();
    assert_eq!(s.status(apr(20, 0, 0)), st);
}

#[test]
fn alarms_out_of_scope_change_nothing() {
    let mut s = sla();
    let before = s.status(apr(5, 0, 0));
    let other = SlaAlarm::new("x", Severity::Critical, apr(2, 0, 0))
        .on_resource("olt-9")
        .for_customer("c-2");
    assert!(!s.record_alarm(&other).unwrap());
    assert_eq!(s.status(apr(5, 0, 0)), before);
    // Named by customer only: in scope.
    let mine = SlaAlarm::new("y", Severity::Info, apr(2, 0, 0))
        .for_customer("c-1")
        .cleared(apr(2, 0, 10));
    assert!(s.record_alarm(&mine).unwrap());
    assert_eq!(
        s.status(apr(5, 0, 0)).counted_downtime,
        Duration::minutes(10)
    );
}

#[test]
fn alarm_timestamps_must_be_ordered() {
    let mut s = sla();
    let bad = alarm("a", Severity::Critical, apr(2, 8, 0)).acknowledged(apr(2, 7, 0));
    assert!(matches!(
        s.record_alarm(&bad),
        Err(SlaError::InvalidInterval { .. })
    ));
    let bad = alarm("a", Severity::Critical, apr(2, 8, 0)).cleared(apr(2, 7, 0));
    assert!(s.record_alarm(&bad).is_err());
    assert_eq!(s.status(apr(3, 0, 0)).breach_count, 0);
    // An outage key already opened by hand conflicts with a new alarm of the same id.
    s.record_outage("dup", apr(2, 0, 0), None).unwrap();
    let dup = SlaAlarm::new("dup", Severity::Critical, apr(2, 1, 0)).on_resource("olt-1");
    assert_eq!(
        s.record_alarm(&dup).unwrap_err(),
        SlaError::OutageAlreadyOpen { key: "dup".into() }
    );
}

#[test]
fn performance_breach_episodes() {
    let mut s = sla();
    for (m, latency) in [(0, dec!(8)), (5, dec!(12)), (10, dec!(15)), (15, dec!(9))] {
        s.record_measurement(&Measurement::at(apr(4, 0, m)).latency_ms(latency))
            .unwrap();
    }
    s.record_measurement(&Measurement::at(apr(4, 1, 0)).bandwidth_mbps(dec!(900)))
        .unwrap();
    s.record_measurement(&Measurement::at(apr(4, 1, 5)).bandwidth_mbps(dec!(800)))
        .unwrap();
    s.record_measurement(&Measurement::at(apr(4, 1, 10)).packet_loss_percent(dec!(0.1)))
        .unwrap();
    let st = s.status(apr(4, 2, 0));
    assert_eq!(st.breach_count, 2);
    let lat = &st.breaches[0];
    assert_eq!(
        (lat.kind, lat.metric),
        (BreachKind::Performance, Some(PerformanceMetric::Latency))
    );
    assert_eq!((lat.start, lat.end), (apr(4, 0, 5), Some(apr(4, 0, 15))));
    assert_eq!(
        (lat.target, lat.actual, lat.unit),
        (dec!(10), dec!(15), MeasureUnit::Milliseconds)
    );
    assert_eq!(lat.financial_impact, dec!(5.00));
    let bw = &st.breaches[1];
    assert_eq!(bw.metric, Some(PerformanceMetric::Bandwidth));
    assert!(bw.is_ongoing());
    assert_eq!((bw.actual, bw.duration), (dec!(800), Duration::minutes(60)));
    assert_eq!(st.credits_owed, dec!(10.00));
}

#[test]
fn measurements_outside_the_period_or_in_maintenance_are_ignored_and_order_is_checked() {
    let mut s = sla();
    s.record_maintenance(apr(6, 0, 0), apr(6, 1, 0)).unwrap();
    s.record_measurement(&Measurement::at(apr(6, 0, 30)).latency_ms(dec!(500)))
        .unwrap();
    s.record_measurement(
        &Measurement::at(Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap()).latency_ms(dec!(500)),
    )
    .unwrap();
    assert_eq!(s.status(apr(7, 0, 0)).breach_count, 0);
    s.record_measurement(&Measurement::at(apr(7, 0, 0)).latency_ms(dec!(5)))
        .unwrap();
    let err = s
        .record_measurement(&Measurement::at(apr(5, 0, 0)).latency_ms(dec!(1)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Measurement at 2026-04-05T00:00:00+00:00 is older than the last latency measurement at 2026-04-07T00:00:00+00:00"
    );
    // Another metric has its own order.
    s.record_measurement(&Measurement::at(apr(5, 0, 0)).bandwidth_mbps(dec!(2000)))
        .unwrap();
}

#[test]
fn breaches_become_ticket_requests_once() {
    let mut s = sla();
    s.record_alarm(&SlaAlarm::new("a", Severity::Critical, apr(2, 0, 0)).on_resource("olt-1"))
        .unwrap();
    s.record_measurement(&Measurement::at(apr(2, 0, 0)).latency_ms(dec!(30)))
        .unwrap();
    let mut seen: HashSet<String> = HashSet::new();
    let reqs = s
        .status(apr(2, 0, 30))
        .ticket_requests(|k| seen.contains(k));
    let summary: Vec<(BreachKind, Priority)> =
        reqs.iter().map(|r| (r.breach.kind, r.priority)).collect();
    assert_eq!(
        summary,
        vec![
            (BreachKind::Performance, Priority::Normal),
            (BreachKind::ResponseTime, Priority::Critical)
        ]
    );
    assert!(
        reqs.iter()
            .all(|r| r.trigger == SlaBreachTrigger::SlaBreach && r.instance_id == s.id())
    );
    assert_eq!(
        reqs[1].title,
        "SLA breach: alarm a not acknowledged within 15 min"
    );
    assert_eq!(reqs[0].title, "SLA breach: latency 30 beyond target 10");
    let json = serde_json::to_value(&reqs[1]).unwrap();
    assert_eq!(json["trigger"], "sla_breach");
    assert_eq!(json["breach"]["kind"], "response_time");
    assert_eq!(json["priority"], "critical");
    seen.extend(reqs.iter().map(|r| r.breach.key.clone()));
    // Later: the same breaches are known; the availability breach is new.
    let reqs = s.status(apr(2, 1, 0)).ticket_requests(|k| seen.contains(k));
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].breach.kind, BreachKind::Availability);
    assert_eq!(reqs[0].priority, Priority::Critical);
    assert!(
        reqs[0].title.starts_with("SLA breach: availability 0.99"),
        "{}",
        reqs[0].title
    );
}

#[test]
fn status_serialises_with_units_in_field_names() {
    let mut s = sla();
    s.record_outage("o", apr(2, 0, 0), Some(apr(2, 0, 30)))
        .unwrap();
    let v = serde_json::to_value(s.status(apr(3, 0, 0))).unwrap();
    assert_eq!(v["compliance"], "compliant");
    assert_eq!(v["unplanned_downtime_ms"], 1_800_000);
    assert_eq!(v["measured_ms"], 2_592_000_000i64);
    assert_eq!(v["credits_owed"], "0.00");
    let back: fault_core::sla::SlaStatus = serde_json::from_value(v).unwrap();
    assert_eq!(back.unplanned_downtime, Duration::minutes(30));
}

/// Weekdays 09:00–17:00 UTC in April 2026 (1 April is a Wednesday).
fn office_hours() -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    use chrono::{Datelike, Weekday};
    (1..=30)
        .filter(|d| !matches!(apr(*d, 0, 0).weekday(), Weekday::Sat | Weekday::Sun))
        .map(|d| (apr(d, 9, 0), apr(d, 17, 0)))
        .collect()
}

fn office_sla() -> SlaInstance {
    let d = Arc::new(def());
    let period = d
        .measurement_period
        .period_containing(apr(1, 0, 0))
        .unwrap();
    SlaInstance::with_working_time(
        uuid::Uuid::nil(),
        d,
        SlaScope::customer("c-1").with_resources(["olt-1"]),
        period,
        office_hours(),
    )
    .unwrap()
}

#[test]
fn response_clock_runs_in_business_time_over_a_weekend() {
    // Friday 16:50 + 15 business minutes = Monday 09:05.
    let mut s = office_sla();
    let a = alarm("fri", Severity::Critical, apr(3, 16, 50));
    s.record_alarm(&a).unwrap();
    assert!(s.status(apr(6, 9, 5)).breaches.is_empty());
    let st = s.status(apr(6, 9, 6));
    assert_eq!(st.breaches[0].start, apr(6, 9, 5));
    assert_eq!(st.breaches[0].actual, dec!(16));
    s.record_alarm(&a.clone().acknowledged(apr(6, 9, 5)))
        .unwrap();
    assert!(s.status(apr(6, 12, 0)).breaches.is_empty());
    // Raised on Saturday: the clock starts Monday 09:00.
    s.record_alarm(&alarm("sat", Severity::Critical, apr(4, 12, 0)).acknowledged(apr(6, 9, 20)))
        .unwrap();
    let st = s.status(apr(6, 12, 0));
    assert_eq!(st.breaches.len(), 1);
    assert_eq!(
        (st.breaches[0].start, st.breaches[0].actual),
        (apr(6, 9, 15), dec!(20))
    );
    // Acknowledged on Saturday after a Friday-evening due instant: breached although no
    // business time passed after the due instant.
    s.record_alarm(&alarm("eve", Severity::Critical, apr(10, 16, 45)).acknowledged(apr(11, 10, 0)))
        .unwrap();
    let late = s
        .status(apr(12, 0, 0))
        .breaches
        .into_iter()
        .find(|b| b.key == "response:eve")
        .unwrap();
    assert_eq!((late.start, late.actual), (apr(10, 17, 0), dec!(15)));
}

#[test]
fn business_hours_outages_count_only_working_time() {
    let mut s = office_sla();
    // Friday 16:00 -> Monday 10:00 = 1 h + 1 h of office time.
    s.record_outage("o", apr(3, 16, 0), Some(apr(6, 10, 0)))
        .unwrap();
    let st = s.status(apr(30, 0, 0));
    assert_eq!(st.measured, Duration::hours(22 * 8));
    assert_eq!(st.counted_downtime, Duration::hours(2));
    // 0.1 % of 176 h = 10.56 min: used up at Friday 16:10:33.6.
    assert_eq!(
        st.breaches[0].start,
        apr(3, 16, 10) + Duration::milliseconds(33_600)
    );
    let bad = SlaInstance::with_working_time(
        uuid::Uuid::nil(),
        Arc::new(def()),
        SlaScope::service("s"),
        st.period,
        [(apr(2, 17, 0), apr(2, 9, 0))],
    );
    assert!(matches!(bad, Err(SlaError::InvalidInterval { .. })));
}

#[test]
fn dst_working_intervals_last_their_real_elapsed_time() {
    use chrono_tz::Europe::Berlin;
    // A working interval 01:00–04:00 local lasts 2 h on the spring-forward night and 4 h on
    // the fall-back night (DESIGN "Business time and DST").
    let local = |y, m, d, h| {
        Berlin
            .from_local_datetime(
                &chrono::NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap()
                    .and_hms_opt(h, 0, 0)
                    .unwrap(),
            )
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    };
    let d = Arc::new(SlaDefinition::new(
        "night",
        dec!(0.99),
        MeasurementPeriod::calendar_month(Berlin),
    ));
    for (month, day, hours) in [(3, 29, 2), (10, 25, 4)] {
        let period = d.measurement_period.month(2026, month).unwrap();
        let mut s = SlaInstance::with_working_time(
            uuid::Uuid::nil(),
            d.clone(),
            SlaScope::service("s"),
            period,
            [(local(2026, month, day, 1), local(2026, month, day, 4))],
        )
        .unwrap();
        s.record_outage(
            "night",
            local(2026, month, day, 0),
            Some(local(2026, month, day, 5)),
        )
        .unwrap();
        let st = s.status(period.end);
        assert_eq!(st.measured, Duration::hours(hours), "{month}/{day}");
        assert_eq!(st.counted_downtime, Duration::hours(hours));
        assert_eq!(st.availability, rust_decimal::Decimal::ZERO);
    }
}

#[test]
fn response_clock_follows_the_definitions_calendar() {
    use ticket_core::calendar::BusinessCalendar;
    let t = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let cal = BusinessCalendar::builder(chrono_tz::UTC)
        .weekdays(t(9), t(17))
        .build()
        .unwrap();
    let mut s = SlaInstance::for_instant(
        uuid::Uuid::nil(),
        Arc::new(def().with_calendar(cal)),
        SlaScope::customer("c-1").with_resources(["olt-1"]),
        apr(1, 0, 0),
    )
    .unwrap();
    // Friday 16:50 + 15 business minutes = Monday 09:05; resolution 240 min = Monday 12:50.
    let a = alarm("fri", Severity::Critical, apr(3, 16, 50));
    s.record_alarm(&a).unwrap();
    assert!(s.status(apr(6, 9, 5)).breaches.is_empty());
    let st = s.status(apr(6, 13, 0));
    let keys: Vec<(&str, DateTime<Utc>)> = st
        .breaches
        .iter()
        .map(|b| (b.key.as_str(), b.start))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("response:fri", apr(6, 9, 5)),
            ("resolution:fri", apr(6, 12, 50))
        ]
    );
    assert_eq!(st.breaches[0].actual, dec!(250)); // 10 min Friday + 4 h Monday
}
