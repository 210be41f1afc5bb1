//! The Desk's SLA service on every backend: definitions and instances (CRUD, validation,
//! permissions, tenancy), outages from alarms (ingest, clear, resolve, maintenance as planned
//! downtime), a worked example with exact credit figures, breaches recorded once and
//! ticketed, compliance reports, and persistence across reopening the Desk.

mod common;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::*;
use faultdesk::fault::maintenance::MaintenanceScope;
use faultdesk::fault::sla::{Compliance, SlaDefinition};
use faultdesk::fault::topology::TopologyEdge;
use faultdesk::fault::trigger::TriggerConfig;
use faultdesk::fault::{AlarmEvent, Severity};
use faultdesk::{
    Actor, Desk, DeskConfig, ErrorKind, ManualClock, NewMaintenanceWindow, NewSlaInstance,
    SlaBreachQuery, SlaInstancePatch, SlaInstanceQuery, SlaReportQuery,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::str::FromStr;

/// 2026-04-`d` `h`:`m` UTC (April has 30 days: 43,200 minutes).
fn apr(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, d, h, m, 0).unwrap()
}

fn manager(tenant: &str) -> Actor {
    Actor::new(tenant, "sla-mgr").with_roles(["SLA_MANAGER"])
}

/// The worked example's definition: 99.9 % per UTC calendar month, fee 1,234.25, credits 10 %
/// below 99.9 %, 25 % below 99.5 %, 50 % below 99 %, capped at 50 %, a 15-minute response
/// target for critical alarms.
fn enterprise() -> SlaDefinition {
    SlaDefinition::from_json(
        r#"{
        "name": "Enterprise Fiber 99.9%",
        "service_type": "fiber",
        "availability_target": "0.999",
        "measurement_period": {"kind": "calendar_month"},
        "response_minutes": {"critical": 15},
        "exclude_maintenance": true,
        "credit_schedule": {
            "tiers": [
                {"below_percent": "99.9", "credit_percent": "10"},
                {"below_percent": "99.5", "credit_percent": "25"},
                {"below_percent": "99", "credit_percent": "50"}
            ],
            "cap_percent": "50"
        },
        "monthly_fee": "1234.25"
    }"#,
    )
    .unwrap()
}

fn down(rid: &str, at: DateTime<Utc>) -> AlarmEvent {
    AlarmEvent::new("acme", "device.down", "olt", rid, at).with_severity(Severity::Major)
}

fn up(rid: &str, at: DateTime<Utc>) -> AlarmEvent {
    AlarmEvent::new("acme", "device.up", "olt", rid, at)
}

fn ont_loss(rid: &str, customer: &str, at: DateTime<Utc>) -> AlarmEvent {
    AlarmEvent::new("acme", "cpe.signal_loss", "ont", rid, at)
        .with_alarm_type("signal.loss")
        .with_severity(Severity::Major)
        .with_customer(customer, None)
}

fn ont_back(rid: &str, at: DateTime<Utc>) -> AlarmEvent {
    AlarmEvent::new("acme", "cpe.online", "ont", rid, at).with_alarm_type("signal.loss")
}

/// Triggers on (critical, SLA breach) but no unacknowledged-timeout tickets.
fn with_sla_tickets(c: DeskConfig) -> DeskConfig {
    c.with_triggers(TriggerConfig {
        enabled: true,
        unacknowledged_timeout_secs: None,
        ..TriggerConfig::default()
    })
}

/// Ingests `e` with the Desk clock at the event's time.
async fn at_ingest(td: &TestDesk, actor: &Actor, e: AlarmEvent) -> uuid::Uuid {
    td.clock.set(e.occurred_at);
    td.ingest(actor, e).await.unwrap().alarm_ids[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worked_example_exact_figures_breach_once_and_ticket() {
    each_with(with_sla_tickets, |td| async move {
        let admin = admin("acme");
        let mgr = manager("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td.create_sla_definition(&mgr, enterprise()).await.unwrap();
        let inst = td
            .create_sla_instance(
                &mgr,
                NewSlaInstance::new(def.id, "cust-1").with_resources(["olt-7"]),
            )
            .await
            .unwrap();
        assert_eq!(inst.period.start, apr(1, 0, 0), "{}", td.name);
        assert_eq!(
            inst.period.end,
            Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(inst.monthly_fee, dec!(1234.25));
        td.create_maintenance_window(
            &admin,
            NewMaintenanceWindow {
                title: "OLT-7 firmware".into(),
                description: None,
                start: apr(10, 2, 0),
                end: apr(10, 4, 0),
                scope: MaintenanceScope {
                    resources: vec!["olt-7".into()],
                    include_descendants: true,
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();

        // 30 min unplanned.
        at_ingest(&td, &admin, down("olt-7", apr(3, 10, 0))).await;
        at_ingest(&td, &admin, up("olt-7", apr(3, 10, 30))).await;
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.unplanned_downtime, Duration::minutes(30));
        assert_eq!(
            s.compliance,
            Compliance::Compliant,
            "13.08 of 43.08 min left"
        );
        // Another outage from 01:30. The allowance (0.1 % of 43,080 min = 43.08 min) falls
        // below the at-risk fraction (20 %) at 01:34:27.84 and runs out at 01:43:04.8 while
        // it lasts: run_due acts at those instants.
        let second = at_ingest(&td, &admin, down("olt-7", apr(10, 1, 30))).await;
        let stored = td.get_sla_instance(&admin, inst.id).await.unwrap();
        let at_risk = Utc.with_ymd_and_hms(2026, 4, 10, 1, 34, 27).unwrap()
            + Duration::milliseconds(840)
            + Duration::microseconds(1);
        assert_eq!(stored.next_check_at, Some(at_risk), "{}", td.name);
        td.clock.set(apr(10, 1, 33));
        assert_eq!(td.run_due(apr(10, 1, 33)).await.unwrap().sla_instances, 0);
        td.clock.set(apr(10, 1, 40));
        let r = td.run_due(apr(10, 1, 40)).await.unwrap();
        assert_eq!((r.sla_instances, r.sla_breaches), (1, 0));
        let stored = td.get_sla_instance(&admin, inst.id).await.unwrap();
        assert_eq!(stored.status, "at_risk");
        let due = Utc.with_ymd_and_hms(2026, 4, 10, 1, 43, 4).unwrap()
            + Duration::milliseconds(800)
            + Duration::microseconds(1);
        assert_eq!(stored.next_check_at, Some(due));
        assert_eq!(
            td.count_where("outbox", "kind = 'sla.instance_at_risk'")
                .await,
            1
        );
        td.clock.set(apr(10, 1, 50));
        let report = td.run_due(apr(10, 1, 50)).await.unwrap();
        assert_eq!(
            (
                report.sla_instances,
                report.sla_breaches,
                report.sla_tickets.len()
            ),
            (1, 1, 1),
            "{}",
            td.name
        );
        let breaches = td
            .list_sla_breaches(&admin, SlaBreachQuery::default())
            .await
            .unwrap();
        assert_eq!(breaches.len(), 1);
        let b = &breaches[0];
        assert_eq!(b.breach_key, "availability");
        assert_eq!(b.breach_type, "availability");
        assert_eq!(
            b.breach_start,
            Utc.with_ymd_and_hms(2026, 4, 10, 1, 43, 4).unwrap() + Duration::milliseconds(800)
        );
        assert_eq!(b.alarm_id, Some(second));
        let alarm = td.get_alarm(&admin, second).await.unwrap();
        assert_eq!(
            b.ticket_id, alarm.ticket_id,
            "the breach's ticket is the alarm's"
        );
        let ticket = td.get_ticket(&admin, b.ticket_id.unwrap()).await.unwrap();
        assert_eq!(ticket.priority.as_str(), "critical");
        assert!(
            ticket.description.contains("SLA breach: availability"),
            "{}",
            ticket.description
        );
        // Nothing new the second time.
        assert_eq!(td.run_due(apr(10, 1, 50)).await.unwrap().sla_breaches, 0);

        // 30 min unplanned before the window, 60 min planned inside it.
        at_ingest(&td, &admin, up("olt-7", apr(10, 3, 0))).await;
        // 45 min on the customer's ONT (named by customer id, not by resource).
        at_ingest(&td, &admin, ont_loss("ont-1", "cust-1", apr(20, 12, 0))).await;
        at_ingest(&td, &admin, ont_back("ont-1", apr(20, 12, 45))).await;
        // Another customer's ONT does not count.
        at_ingest(&td, &admin, ont_loss("ont-2", "cust-2", apr(21, 12, 0))).await;

        td.clock
            .set(Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap());
        td.run_due(td.now()).await.unwrap();
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.measured, Duration::minutes(43_200 - 120));
        assert_eq!(s.planned_downtime, Duration::minutes(60));
        assert_eq!(s.unplanned_downtime, Duration::minutes(105));
        assert_eq!(
            s.availability,
            Decimal::from(42_975) / Decimal::from(43_080)
        );
        assert_eq!(s.availability.round_dp(6), dec!(0.997563));
        assert_eq!(s.credit_percent, dec!(10));
        // 10 % of 1,234.25 = 123.425, rounded half-even once: 123.42.
        assert_eq!(s.credits_owed, dec!(123.42));
        assert_eq!(s.credits_owed.to_string(), "123.42");
        assert_eq!(s.breach_count, 1);
        assert_eq!(s.compliance, Compliance::Breached);
        let stored = td.get_sla_instance(&admin, inst.id).await.unwrap();
        assert_eq!(stored.status, "breached");
        assert_eq!(stored.credit_amount, dec!(123.42));
        assert_eq!(stored.unplanned_downtime_seconds, 105 * 60);
        assert_eq!(stored.planned_downtime_seconds, 60 * 60);
        assert_eq!(stored.availability, Some(s.availability));
        assert_eq!(stored.next_check_at, None, "nothing left to watch");
        let b = &td
            .list_sla_breaches(&admin, SlaBreachQuery::default())
            .await
            .unwrap()[0];
        assert_eq!(b.credit_amount, Some(dec!(123.42)));
        assert_eq!(b.actual_value, Some(s.availability));
        assert_eq!(b.breach_end, Some(inst.period.end));
        assert!(b.resolved);
        // Recorded once, announced once, ticketed once.
        assert_eq!(td.count("sla_breaches").await, 1);
        assert_eq!(
            td.count_where("outbox", "kind = 'sla.instance_breach'")
                .await,
            1
        );
        assert_eq!(
            td.count_where("tickets", "1 = 1").await,
            1,
            "{}: only the breach opened a ticket (major alarms without subscribers)",
            td.name
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cap_and_deepest_tier_apply() {
    each(|td| async move {
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-9")
                    .with_resources(["olt-9"])
                    .with_monthly_fee(dec!(999.99), "EUR"),
            )
            .await
            .unwrap();
        // Ten hours down: 98.61 % (< 99 %) → 50 %, which is also the cap.
        at_ingest(&td, &admin, down("olt-9", apr(5, 0, 0))).await;
        at_ingest(&td, &admin, up("olt-9", apr(5, 10, 0))).await;
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.credit_percent, dec!(50));
        // 50 % of 999.99 = 499.995 → half-even 500.00 (the 9 before the 5 is odd).
        assert_eq!(s.credits_owed, dec!(500.00), "{}", td.name);
        assert_eq!(s.credits_owed.to_string(), "500.00");
        assert_eq!(
            td.get_sla_instance(&admin, inst.id)
                .await
                .unwrap()
                .currency
                .as_deref(),
            Some("EUR")
        );
        // A fee change recomputes the credits.
        let patched = td
            .update_sla_instance(
                &admin,
                inst.id,
                SlaInstancePatch {
                    monthly_fee: Some(dec!(100.01)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            patched.credit_amount,
            dec!(50.00),
            "50.005 → 50.00 half-even"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_resolve_and_acknowledge_feed_instances() {
    each(|td| async move {
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-1").with_resources(["olt-1", "olt-2"]),
            )
            .await
            .unwrap();
        // A critical alarm acknowledged after 20 minutes (target 15) and cleared by hand.
        let crit = AlarmEvent::new("acme", "device.down", "olt", "olt-1", apr(2, 8, 0));
        let a = at_ingest(&td, &admin, crit).await;
        td.clock.set(apr(2, 8, 20));
        td.acknowledge_alarm(&admin, a).await.unwrap();
        td.clock.set(apr(2, 8, 40));
        td.clear_alarm(&admin, a).await.unwrap();
        // A major alarm resolved without a clear.
        let b = at_ingest(&td, &admin, down("olt-2", apr(3, 8, 0))).await;
        td.clock.set(apr(3, 8, 10));
        td.resolve_alarm(&admin, b).await.unwrap();
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.unplanned_downtime, Duration::minutes(50), "{}", td.name);
        assert_eq!(s.open_outages, 0);
        let keys: Vec<String> = s.breaches.iter().map(|b| b.key.clone()).collect();
        assert!(keys.contains(&format!("response:{a}")), "{keys:?}");
        assert!(keys.contains(&"availability".to_string()), "{keys:?}");
        // The acknowledgement recorded the response breach, the resolution that pushed the
        // downtime over the allowance the availability breach (each in its transaction).
        let recorded: Vec<String> = td
            .list_sla_breaches(
                &admin,
                SlaBreachQuery {
                    instance_id: Some(inst.id),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.breach_key)
            .collect();
        assert_eq!(recorded.len(), 2, "{recorded:?}");
        assert_eq!(td.count("sla_outages").await, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descendants_of_a_window_resource_are_planned_downtime() {
    each(|td| async move {
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        td.add_topology_edges(
            &admin,
            vec![
                TopologyEdge::new("olt-1", "olt-1/pon-1"),
                TopologyEdge::new("olt-1/pon-1", "ont-1"),
            ],
        )
        .await
        .unwrap();
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-1").with_resources(["ont-1"]),
            )
            .await
            .unwrap();
        td.create_maintenance_window(
            &admin,
            NewMaintenanceWindow {
                title: "OLT work".into(),
                description: None,
                start: apr(6, 1, 0),
                end: apr(6, 3, 0),
                scope: MaintenanceScope {
                    resources: vec!["olt-1".into()],
                    include_descendants: true,
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
        at_ingest(&td, &admin, ont_loss("ont-1", "cust-1", apr(6, 0, 30))).await;
        at_ingest(&td, &admin, ont_back("ont-1", apr(6, 2, 0))).await;
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.planned_downtime, Duration::minutes(60), "{}", td.name);
        assert_eq!(s.unplanned_downtime, Duration::minutes(30));
        assert_eq!(s.measured, Duration::minutes(43_200 - 120));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flapping_alarms_count_each_interval() {
    each(|td| async move {
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(&admin, NewSlaInstance::new(def.id, "cust-1"))
            .await
            .unwrap();
        // Down 2 min, up 2 min, ... five times inside the flapping window.
        for k in 0..5u32 {
            at_ingest(&td, &admin, ont_loss("ont-1", "cust-1", apr(7, 9, 4 * k))).await;
            at_ingest(&td, &admin, ont_back("ont-1", apr(7, 9, 4 * k + 2))).await;
        }
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.unplanned_downtime, Duration::minutes(10), "{}", td.name);
        assert_eq!(s.open_outages, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_created_late_pick_up_the_periods_alarms() {
    each(|td| async move {
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        at_ingest(&td, &admin, down("olt-3", apr(2, 0, 0))).await;
        at_ingest(&td, &admin, up("olt-3", apr(2, 0, 20))).await;
        at_ingest(&td, &admin, down("olt-3", apr(3, 0, 0))).await; // still open
        td.clock.set(apr(3, 0, 10));
        let inst = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-3").with_resources(["olt-3"]),
            )
            .await
            .unwrap();
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.unplanned_downtime, Duration::minutes(30), "{}", td.name);
        assert_eq!(s.open_outages, 1);
        at_ingest(&td, &admin, up("olt-3", apr(3, 0, 15))).await;
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.unplanned_downtime, Duration::minutes(35));
        assert_eq!(s.open_outages, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definitions_crud_permissions_and_validation() {
    each(|td| async move {
        let mgr = manager("acme");
        let def = td.create_sla_definition(&mgr, enterprise()).await.unwrap();
        assert_eq!(def.definition, enterprise());
        assert_eq!(td.get_sla_definition(&mgr, def.id).await.unwrap(), def);
        // The plain columns other programs read.
        assert_eq!(
            td.count_where(
                "sla_definitions",
                "name = 'Enterprise Fiber 99.9%' AND measurement_period_days = 0"
            )
            .await,
            1
        );
        let mut gold = enterprise();
        gold.name = "Gold".into();
        gold.availability_target = dec!(0.9995);
        let updated = td
            .update_sla_definition(&mgr, def.id, gold.clone())
            .await
            .unwrap();
        assert_eq!(updated.definition, gold);
        assert_eq!(updated.created_at, def.created_at);
        assert_eq!(td.list_sla_definitions(&mgr).await.unwrap().len(), 1);

        // Bad input: Validation, nothing written.
        let before = td.count("sla_definitions").await;
        let outbox = td.count("outbox").await;
        let mut bad = enterprise();
        bad.availability_target = dec!(99.9);
        let e = td.create_sla_definition(&mgr, bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.message().contains("availability_target"), "{e}");
        assert!(
            e.message().contains("percent values are not accepted"),
            "{e}"
        );
        let mut bad = enterprise();
        bad.monthly_fee = dec!(-1);
        assert_eq!(
            td.create_sla_definition(&mgr, bad)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Validation
        );
        assert_eq!(td.count("sla_definitions").await, before);
        assert_eq!(td.count("outbox").await, outbox);

        // Permissions: viewers read, operators do not write SLAs.
        let viewer = viewer("acme");
        assert_eq!(td.list_sla_definitions(&viewer).await.unwrap().len(), 1);
        let e = td
            .create_sla_definition(&operator("acme"), enterprise())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            e.message(),
            "Permission denied. Required permission: faults.sla.write"
        );
        let e = td.list_sla_definitions(&nobody("acme")).await.unwrap_err();
        assert_eq!(
            e.message(),
            "Permission denied. Required permission: faults.sla.read"
        );

        // Another tenant's definition does not exist.
        let other = manager("globex");
        let e = td.get_sla_definition(&other, def.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.message(), format!("SLA definition {} not found", def.id));
        assert_eq!(
            td.update_sla_definition(&other, def.id, enterprise())
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            td.delete_sla_definition(&other, def.id)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        assert!(td.list_sla_definitions(&other).await.unwrap().is_empty());
        assert_eq!(
            td.create_sla_instance(&other, NewSlaInstance::new(def.id, "c"))
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );

        // A definition in use cannot be deleted; afterwards it can.
        let inst = td
            .create_sla_instance(&mgr, NewSlaInstance::new(def.id, "cust-1"))
            .await
            .unwrap();
        let e = td.delete_sla_definition(&mgr, def.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict);
        // Instances keep the terms they were created with.
        let mut newer = gold.clone();
        newer.availability_target = dec!(0.99);
        td.update_sla_definition(&mgr, def.id, newer).await.unwrap();
        let kept = td.get_sla_instance(&mgr, inst.id).await.unwrap();
        assert_eq!(kept.definition.availability_target, dec!(0.9995));
        td.delete_sla_instance(&mgr, inst.id).await.unwrap();
        td.delete_sla_definition(&mgr, def.id).await.unwrap();
        assert_eq!(td.count("sla_definitions").await, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_validation_listing_and_tenancy() {
    each(|td| async move {
        let mgr = manager("acme");
        td.clock.set(apr(15, 12, 0));
        let def = td.create_sla_definition(&mgr, enterprise()).await.unwrap();
        let snapshot = || async {
            (
                td.count("sla_instances").await,
                td.count("sla_outages").await,
                td.count("outbox").await,
            )
        };
        let before = snapshot().await;
        let cases: Vec<(NewSlaInstance, &str)> = vec![
            (
                NewSlaInstance::new(def.id, "  "),
                "customer_id must not be empty",
            ),
            (
                NewSlaInstance::new(def.id, "c").with_monthly_fee(dec!(-5), "EUR"),
                "must not be negative",
            ),
            (
                NewSlaInstance::new(def.id, "c").with_monthly_fee(dec!(5), "euro"),
                "three-letter code",
            ),
            (
                NewSlaInstance::new(def.id, "c").with_resources([""]),
                "resource_ids must not be empty",
            ),
            (
                NewSlaInstance::new(def.id, "c")
                    .at(apr(1, 0, 0))
                    .with_period(
                        faultdesk::fault::sla::SlaPeriod::new(apr(1, 0, 0), apr(2, 0, 0)).unwrap(),
                    ),
                "either at or period",
            ),
            (
                {
                    let mut i = NewSlaInstance::new(def.id, "c");
                    i.metadata = Some(serde_json::json!([1, 2]));
                    i
                },
                "metadata must be a JSON object",
            ),
        ];
        for (input, text) in cases {
            let e = td.create_sla_instance(&mgr, input).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
            assert!(e.message().contains(text), "{e} should mention {text}");
        }
        // An unknown definition; a batch with one bad input writes nothing.
        let missing = uuid::Uuid::now_v7();
        let e = td
            .create_sla_instance(&mgr, NewSlaInstance::new(missing, "c"))
            .await
            .unwrap_err();
        assert_eq!(e.message(), format!("SLA definition {missing} not found"));
        let e = td
            .create_sla_instances(
                &mgr,
                vec![
                    NewSlaInstance::new(def.id, "c-ok"),
                    NewSlaInstance::new(missing, "c-bad"),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.message().starts_with("Instance 1: "), "{e}");
        assert_eq!(snapshot().await, before, "{}: nothing written", td.name);

        let made = td
            .create_sla_instances(
                &mgr,
                (0..7)
                    .map(|i| NewSlaInstance::new(def.id, format!("cust-{}", i % 3)))
                    .collect(),
            )
            .await
            .unwrap();
        assert_eq!(made.len(), 7);
        assert!(made.iter().all(|i| i.period.start == apr(1, 0, 0)));
        let page = td
            .list_sla_instances(
                &mgr,
                SlaInstanceQuery {
                    customer_id: Some("cust-1".into()),
                    page_size: Some(1),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((page.total, page.items.len()), (2, 1));
        let all = td
            .list_sla_instances(
                &mgr,
                SlaInstanceQuery {
                    definition_id: Some(def.id),
                    status: vec!["active".into()],
                    from: Some(apr(10, 0, 0)),
                    to: Some(apr(11, 0, 0)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(all.total, 7);
        let e = td
            .list_sla_instances(
                &mgr,
                SlaInstanceQuery {
                    page_size: Some(101),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let e = td
            .list_sla_instances(
                &mgr,
                SlaInstanceQuery {
                    status: vec!["sleeping".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(e.message().contains("Accepted values"), "{e}");

        // Another tenant sees none of it.
        let other = manager("globex");
        let id = made[0].id;
        let nf = format!("SLA instance {id} not found");
        assert_eq!(
            td.get_sla_instance(&other, id).await.unwrap_err().message(),
            nf
        );
        assert_eq!(td.sla_status(&other, id).await.unwrap_err().message(), nf);
        assert_eq!(
            td.update_sla_instance(&other, id, SlaInstancePatch::default())
                .await
                .unwrap_err()
                .message(),
            nf
        );
        assert_eq!(
            td.delete_sla_instance(&other, id)
                .await
                .unwrap_err()
                .message(),
            nf
        );
        assert_eq!(
            td.list_sla_breaches(
                &other,
                SlaBreachQuery {
                    instance_id: Some(id),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err()
            .message(),
            nf
        );
        assert_eq!(
            td.list_sla_instances(&other, SlaInstanceQuery::default())
                .await
                .unwrap()
                .total,
            0
        );
        let r = td
            .sla_compliance_report(&other, SlaReportQuery::range(apr(1, 0, 0), apr(30, 0, 0)))
            .await
            .unwrap();
        assert_eq!(r.totals.instance_count, 0);
        // Another tenant's alarm on the same customer id is not this tenant's outage.
        let foreign = AlarmEvent::new("globex", "device.down", "olt", "olt-x", apr(15, 12, 0))
            .with_customer("cust-1", None);
        td.ingest(&admin("globex"), foreign).await.unwrap();
        assert_eq!(td.count("sla_outages").await, 0, "{}", td.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliance_report_per_definition_and_customer() {
    each(|td| async move {
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let gold = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let mut basic = enterprise();
        basic.name = "Business 99.5%".into();
        basic.availability_target = dec!(0.995);
        basic.monthly_fee = dec!(200);
        basic.credit_schedule.tiers = vec![faultdesk::fault::sla::CreditTier {
            below_percent: dec!(99.5),
            credit_percent: dec!(10),
        }];
        let basic = td.create_sla_definition(&admin, basic).await.unwrap();
        td.create_sla_instances(
            &admin,
            vec![
                NewSlaInstance::new(gold.id, "g-1").with_resources(["olt-1"]),
                NewSlaInstance::new(gold.id, "g-2").with_resources(["olt-2"]),
                NewSlaInstance::new(basic.id, "b-1").with_resources(["olt-1"]),
            ],
        )
        .await
        .unwrap();
        // olt-1 down 2 hours: g-1 (99.9 %) and b-1 (99.5 %) both lose 120 of 43,200 minutes.
        at_ingest(&td, &admin, down("olt-1", apr(8, 0, 0))).await;
        at_ingest(&td, &admin, up("olt-1", apr(8, 2, 0))).await;
        td.clock
            .set(Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap());
        let q = |d: Option<uuid::Uuid>, c: Option<&str>| SlaReportQuery {
            definition_id: d,
            customer_id: c.map(str::to_string),
            ..SlaReportQuery::range(
                apr(1, 0, 0),
                Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap(),
            )
        };
        let r = td
            .sla_compliance_report(&admin, q(Some(gold.id), None))
            .await
            .unwrap();
        assert_eq!(r.totals.instance_count, 2, "{}", td.name);
        assert_eq!(r.totals.breached, 1);
        assert_eq!(r.totals.compliant, 1);
        assert_eq!(r.totals.total_breaches, 1);
        // 43,080 / 43,200 = 99.722 %: the 10 % tier of 1,234.25 = 123.425 → 123.42.
        assert_eq!(r.totals.total_credits, dec!(123.42));
        assert_eq!(
            r.totals.average_availability,
            Some((Decimal::from(43_080) / Decimal::from(43_200) + Decimal::ONE) / Decimal::from(2))
        );
        let r = td
            .sla_compliance_report(&admin, q(Some(basic.id), None))
            .await
            .unwrap();
        assert_eq!(
            (r.totals.instance_count, r.totals.total_breaches),
            (1, 0),
            "99.72 % ≥ 99.5 %"
        );
        assert_eq!(r.totals.total_credits, Decimal::ZERO);
        let r = td
            .sla_compliance_report(&admin, q(None, Some("g-2")))
            .await
            .unwrap();
        assert_eq!(r.totals.instance_count, 1);
        assert_eq!(r.instances[0].scope.customer_id.as_deref(), Some("g-2"));
        let e = td
            .sla_compliance_report(&admin, SlaReportQuery::range(apr(2, 0, 0), apr(1, 0, 0)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breach_is_recorded_once_under_concurrency() {
    for td in concurrent_backends().await {
        eprintln!("--- backend {}", td.name);
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-1").with_resources(["olt-1", "olt-2"]),
            )
            .await
            .unwrap();
        let a = at_ingest(&td, &admin, down("olt-1", apr(2, 0, 0))).await;
        let b = at_ingest(&td, &admin, down("olt-2", apr(2, 0, 0))).await;
        // A second Desk on the same database (another process), its clock at the same time.
        let now = apr(2, 3, 0);
        td.clock.set(now);
        let clock2 = ManualClock::new(now);
        let desk2 = Desk::open(
            &td.url,
            with_sla_tickets(DeskConfig::default()).with_clock(clock2.clone()),
        )
        .await
        .unwrap();
        // Everyone at once: schedulers of both Desks and the two clears.
        let mut tasks = Vec::new();
        for i in 0..6 {
            let d = if i % 2 == 0 {
                td.desk.clone()
            } else {
                desk2.clone()
            };
            tasks.push(tokio::spawn(
                async move { d.run_due(now).await.map(|_| ()) },
            ));
        }
        for (i, id) in [a, b].into_iter().enumerate() {
            let d = if i == 0 {
                td.desk.clone()
            } else {
                desk2.clone()
            };
            let actor = admin.clone();
            tasks.push(tokio::spawn(async move {
                d.clear_alarm(&actor, id).await.map(|_| ())
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(td.count("sla_breaches").await, 1, "{}", td.name);
        assert_eq!(
            td.count_where("outbox", "kind = 'sla.instance_breach'")
                .await,
            1
        );
        let s = td.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.unplanned_downtime, Duration::hours(3));
        assert_eq!(s.open_outages, 0);
        desk2.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_rejects_a_second_record_of_a_breach() {
    // The guard under the Desk's: two transactions inserting the same breach key at once.
    for td in concurrent_backends().await {
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(&admin, NewSlaInstance::new(def.id, "cust-1"))
            .await
            .unwrap();
        let row = |id| faultdesk::storage::SlaBreachRow {
            id,
            tenant_id: "acme".into(),
            sla_instance_id: inst.id,
            breach_key: "availability".into(),
            breach_type: "availability".into(),
            alarm_id: None,
            ticket_id: None,
            breach_start: apr(2, 0, 0),
            breach_end: None,
            duration_seconds: None,
            target_value: None,
            actual_value: None,
            credit_amount: None,
            resolved: false,
            resolved_at: None,
            details: serde_json::json!({}),
            created_at: apr(2, 0, 0),
        };
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let store = td.desk.store().clone();
            let r = row(uuid::Uuid::now_v7());
            tasks.push(tokio::spawn(async move {
                loop {
                    let tx = store.begin().await.unwrap();
                    match tx.insert_sla_breach(&r).await {
                        Ok(inserted) => {
                            tx.commit().await.unwrap();
                            return inserted;
                        }
                        Err(e) if e.is_retryable() => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
            }));
        }
        let mut inserted = 0;
        for t in tasks {
            inserted += t.await.unwrap() as usize;
        }
        assert_eq!(inserted, 1, "{}", td.name);
        assert_eq!(td.count("sla_breaches").await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_and_outages_survive_reopening_the_desk() {
    for td in concurrent_backends().await {
        eprintln!("--- backend {}", td.name);
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-1").with_resources(["olt-1"]),
            )
            .await
            .unwrap();
        at_ingest(&td, &admin, down("olt-1", apr(4, 10, 0))).await;
        td.desk.close().await.unwrap();

        // A new Desk (a restarted process) on the same database.
        let clock = ManualClock::new(apr(4, 10, 25));
        let desk = Desk::open(&td.url, DeskConfig::default().with_clock(clock.clone()))
            .await
            .unwrap();
        assert_eq!(
            desk.get_sla_definition(&admin, def.id)
                .await
                .unwrap()
                .definition,
            enterprise()
        );
        let s = desk.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(s.open_outages, 1, "{}", td.name);
        assert_eq!(s.unplanned_downtime, Duration::minutes(25));
        // Its index is rebuilt from storage: the clear closes the outage.
        clock.set(apr(4, 10, 30));
        desk.ingest(&admin, up("olt-1", apr(4, 10, 30)))
            .await
            .unwrap();
        let s = desk.sla_status(&admin, inst.id).await.unwrap().status;
        assert_eq!(
            (s.open_outages, s.unplanned_downtime),
            (0, Duration::minutes(30))
        );
        let stored = desk.get_sla_instance(&admin, inst.id).await.unwrap();
        assert_eq!(stored.unplanned_downtime_seconds, 1800);
        assert_eq!(stored.status, "active", "13.2 of 43.2 min left");
        let total = Decimal::from_str("0.99930555555555555555555555556").unwrap();
        assert_eq!(
            stored.availability.map(|a| a.round_dp(10)),
            Some(total.round_dp(10))
        );
        desk.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_another_process_creates_are_tracked_at_once() {
    // Desk 1 has built its SLA index (it tracked an outage); Desk 2 (another process) then
    // creates an instance, and later deletes one. Desk 1's very next alarm changes see both:
    // the tenant's SLA version, read under the correlation lock, tells it its index is stale.
    for td in concurrent_backends().await {
        eprintln!("--- backend {}", td.name);
        let admin = admin("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&admin, enterprise())
            .await
            .unwrap();
        let first = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-1").with_resources(["olt-1"]),
            )
            .await
            .unwrap();
        at_ingest(&td, &admin, down("olt-1", apr(2, 0, 0))).await;
        at_ingest(&td, &admin, up("olt-1", apr(2, 0, 10))).await;
        assert_eq!(td.count("sla_outages").await, 1, "{}", td.name);

        let desk2 = Desk::open(
            &td.url,
            DeskConfig::default().with_clock(ManualClock::new(apr(2, 1, 0))),
        )
        .await
        .unwrap();
        let second = desk2
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-2").with_resources(["olt-2"]),
            )
            .await
            .unwrap();
        at_ingest(&td, &admin, down("olt-2", apr(3, 0, 0))).await;
        at_ingest(&td, &admin, up("olt-2", apr(3, 0, 20))).await;
        let s = td.sla_status(&admin, second.id).await.unwrap().status;
        assert_eq!(s.unplanned_downtime, Duration::minutes(20), "{}", td.name);

        // Desk 2 deletes the first instance; Desk 1's next outage on olt-1 records nothing.
        desk2.delete_sla_instance(&admin, first.id).await.unwrap();
        at_ingest(&td, &admin, down("olt-1", apr(4, 0, 0))).await;
        assert_eq!(
            td.count("sla_outages").await,
            1,
            "{}: only olt-2's",
            td.name
        );
        let e = td.sla_status(&admin, first.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        desk2.close().await.unwrap();
    }
}

/// A definition with performance targets (latency ≤ 10 ms, packet loss ≤ 0.5 %, bandwidth ≥
/// 900 Mbps) and a 5 % credit per performance breach on a fee of 1,000.
fn with_performance() -> SlaDefinition {
    SlaDefinition::from_json(
        r#"{
        "name": "Fibre performance",
        "availability_target": "0.999",
        "measurement_period": {"kind": "calendar_month"},
        "performance": {"max_latency_ms": "10", "max_packet_loss_percent": "0.5",
                        "min_bandwidth_mbps": "900"},
        "credit_schedule": {"tiers": [], "performance_breach_percent": "5"},
        "monthly_fee": "1000"
    }"#,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn performance_samples_open_and_end_breaches_once() {
    use faultdesk::fault::sla::Measurement;
    each(|td| async move {
        let mgr = manager("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td
            .create_sla_definition(&mgr, with_performance())
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(&mgr, NewSlaInstance::new(def.id, "cust-9"))
            .await
            .unwrap();
        let sample = |h: u32, latency: &str| {
            Measurement::at(apr(2, h, 0)).latency_ms(Decimal::from_str(latency).unwrap())
        };
        // Within target, then beyond it twice (given out of order: sorted by time).
        td.clock.set(apr(2, 4, 0));
        let stored = td
            .record_sla_measurements(
                &mgr,
                inst.id,
                vec![sample(3, "14.5"), sample(1, "8"), sample(2, "12")],
            )
            .await
            .unwrap();
        assert_eq!(stored.breach_count, 1, "{}", td.name);
        assert_eq!(stored.credit_amount, dec!(50.00));
        let b = td
            .list_sla_breaches(&mgr, SlaBreachQuery::default())
            .await
            .unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].breach_type, "performance");
        assert_eq!(b[0].breach_start, apr(2, 2, 0));
        assert_eq!(b[0].actual_value, Some(dec!(14.5)), "worst sample");
        assert_eq!((b[0].resolved, b[0].breach_end), (false, None));
        assert_eq!(
            td.count_where("outbox", "kind = 'sla.instance_breach'")
                .await,
            1
        );
        // Back within target: the same breach ends; no second record or event.
        td.clock.set(apr(2, 6, 0));
        let stored = td
            .record_sla_measurements(&mgr, inst.id, vec![sample(5, "9")])
            .await
            .unwrap();
        assert_eq!(stored.breach_count, 1);
        let b = td
            .list_sla_breaches(&mgr, SlaBreachQuery::default())
            .await
            .unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].breach_end, Some(apr(2, 5, 0)));
        assert!(b[0].resolved);
        assert_eq!(
            td.count_where("outbox", "kind = 'sla.instance_breach'")
                .await,
            1
        );
        assert_eq!(td.count_where("sla_measurements", "1 = 1").await, 4);
        // The samples are stored: a fresh evaluation sees the same breach.
        let s = td.sla_status(&mgr, inst.id).await.unwrap().status;
        assert_eq!(s.breach_count, 1);
        assert_eq!(s.credits_owed, dec!(50));

        // Bad input: typed errors, nothing written.
        let bad: Vec<(Vec<Measurement>, &str)> = vec![
            (vec![], "no measurements"),
            (vec![Measurement::at(apr(2, 7, 0))], "at least one of"),
            (
                vec![Measurement::at(apr(2, 7, 0)).packet_loss_percent(dec!(101))],
                "at most 100",
            ),
            (
                vec![Measurement::at(apr(2, 7, 0)).bandwidth_mbps(dec!(-1))],
                "must not be negative",
            ),
            (
                vec![
                    Measurement::at(apr(2, 7, 0)).latency_ms(dec!(1)),
                    sample(4, "1"),
                ],
                "Measurement 1",
            ),
            (
                vec![
                    Measurement::at(Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap())
                        .latency_ms(dec!(1)),
                ],
                "outside the instance's period",
            ),
        ];
        for (samples, needle) in bad {
            let e = td
                .record_sla_measurements(&mgr, inst.id, samples)
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{needle}: {e}");
            assert!(e.message().contains(needle), "{needle}: {e}");
        }
        assert_eq!(td.count_where("sla_measurements", "1 = 1").await, 4);
        // Permission, tenancy.
        let e = td
            .record_sla_measurements(&viewer("acme"), inst.id, vec![sample(8, "1")])
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        let e = td
            .record_sla_measurements(&manager("other"), inst.id, vec![sample(8, "1")])
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        // Deleting the instance deletes its samples.
        td.delete_sla_instance(&mgr, inst.id).await.unwrap();
        assert_eq!(td.count_where("sla_measurements", "1 = 1").await, 0);
    })
    .await;
}

/// One `run_due` call goes on claiming until nothing it can act on is left: with a batch size
/// of 2, five instances that became due together are all evaluated in that call (three rounds),
/// and so are five tickets whose SLA clock came due; a second call at the same instant finds
/// nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_due_goes_on_past_one_batch() {
    let small_batches = |c: DeskConfig| {
        with_sla_tickets(c)
            .with_sla_policy(faultdesk::ticket::sla::SlaPolicy::itsm())
            .unwrap()
            .with_scheduler(faultdesk::SchedulerConfig {
                batch_size: 2,
                ..Default::default()
            })
    };
    each_with(small_batches, |td| async move {
        let admin = admin("acme");
        let mgr = manager("acme");
        td.clock.set(apr(1, 0, 0));
        let def = td.create_sla_definition(&mgr, enterprise()).await.unwrap();
        // Five normal-priority tickets whose ITSM first-response clock (8 business hours) has
        // reached its warning or due instant by 02:10 on the 10th.
        td.clock.set(apr(9, 18, 0));
        for i in 0..5 {
            td.create_ticket(
                &admin,
                faultdesk::NewTicketInput::new(format!("slow link {i}")),
            )
            .await
            .unwrap();
        }
        let mut instances = Vec::new();
        for i in 0..5 {
            let inst = td
                .create_sla_instance(
                    &mgr,
                    NewSlaInstance::new(def.id, format!("cust-{i}"))
                        .with_resources([format!("olt-{i}")]),
                )
                .await
                .unwrap();
            instances.push(inst.id);
            at_ingest(&td, &admin, down(&format!("olt-{i}"), apr(10, 1, 30))).await;
        }
        // One 34.5-minute outage leaves less than 20 % of the 43.08-minute allowance: at risk.
        td.clock.set(apr(10, 2, 10));
        let r = td.run_due(apr(10, 2, 10)).await.unwrap();
        assert_eq!(r.sla_instances, 5, "{}: {r:?}", td.name);
        assert_eq!(r.tickets, 5, "{}: {r:?}", td.name);
        assert_eq!(r.warnings + r.breaches, 5, "{}: {r:?}", td.name);
        for id in instances {
            let stored = td.get_sla_instance(&admin, id).await.unwrap();
            assert_eq!(stored.status, "at_risk", "{}", td.name);
        }
        let again = td.run_due(apr(10, 2, 10)).await.unwrap();
        assert_eq!(
            (again.tickets, again.sla_instances),
            (0, 0),
            "{}: {again:?}",
            td.name
        );
    })
    .await;
}
