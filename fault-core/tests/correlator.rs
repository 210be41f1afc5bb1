//! Integration tests of the correlator: seed 002 behaviours, OpenNMS alarmd and Alertmanager
//! inhibition replays, maintenance, triggers, rebuild and determinism.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fault_core::alarm::AlarmStatus;
use fault_core::correlator::{Correlator, CorrelatorConfig, SEED_002_RULE_JSON};
use fault_core::decision::{Decision, NewAlarm, SuppressionReason, UnsuppressionReason};
use fault_core::event::AlarmEvent;
use fault_core::flapping::FlappingConfig;
use fault_core::maintenance::{MaintenanceScope, MaintenanceStatus, MaintenanceWindow};
use fault_core::topology::TopologyEdge;
use fault_core::trigger::{TicketTrigger, TriggerConfig};
use fault_core::{Alarm, Error, Severity};
use uuid::Uuid;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap() + Duration::seconds(secs)
}

fn far() -> DateTime<Utc> {
    t(10_000_000)
}

fn olt_down(id: &str, s: i64) -> AlarmEvent {
    AlarmEvent::new("t1", "device.down", "olt", id, t(s))
}

fn olt_up(id: &str, s: i64) -> AlarmEvent {
    AlarmEvent::new("t1", "device.up", "olt", id, t(s))
}

fn ont_los(id: &str, s: i64) -> AlarmEvent {
    AlarmEvent::new("t1", "cpe.signal_loss", "ont", id, t(s)).with_alarm_type("signal.loss")
}

fn seed() -> Correlator {
    let mut c = Correlator::new(
        CorrelatorConfig::default()
            .with_rules_json(SEED_002_RULE_JSON)
            .unwrap(),
    )
    .unwrap();
    c.add_topology_edges(
        "t1",
        &[
            TopologyEdge::new("olt-1", "sp-1"),
            TopologyEdge::new("sp-1", "ont-1"),
            TopologyEdge::new("sp-1", "ont-2"),
            TopologyEdge::new("olt-2", "ont-3"),
        ],
    )
    .unwrap();
    c
}

fn ingest(c: &mut Correlator, e: &AlarmEvent) -> Vec<Decision> {
    c.ingest(e, far()).unwrap()
}

fn created(d: &[Decision]) -> &NewAlarm {
    match &d[0] {
        Decision::Created { alarm } => alarm,
        other => panic!("expected Created, got {other:?}"),
    }
}

#[test]
fn seed_002_rule_olt_root_cause_ont_children_suppressed_sharing_correlation_id() {
    let mut c = seed();
    let olt = created(&ingest(&mut c, &olt_down("olt-1", 0))).clone();
    assert_eq!(olt.severity, Severity::Critical);
    assert_eq!(olt.status, AlarmStatus::Active);
    let d1 = ingest(&mut c, &ont_los("ont-1", 30));
    let a1 = created(&d1).clone();
    assert_eq!(a1.status, AlarmStatus::Suppressed);
    assert_eq!(a1.parent_alarm_id, Some(olt.id));
    assert!(d1.iter().any(|d| matches!(d, Decision::RootCause { alarm_id, correlation_id: Some(_) } if *alarm_id == olt.id)));
    let corr = a1.correlation_id.expect("correlation id");
    let d2 = ingest(&mut c, &ont_los("ont-2", 299));
    let a2 = created(&d2).clone();
    assert_eq!(a2.correlation_id, Some(corr));
    assert!(d2.iter().any(|d| matches!(
        d,
        Decision::Correlated {
            parent_child_count: 2,
            status: AlarmStatus::Suppressed,
            ..
        }
    )));
    let st = c.alarm_state(olt.id).unwrap();
    assert!(st.is_root_cause);
    assert_eq!(st.child_count, 2);
    assert_eq!(st.correlation_id, Some(corr));
    // outside the window: not correlated
    let late = ingest(&mut c, &ont_los("ont-3", 10));
    assert_eq!(
        created(&late).parent_alarm_id,
        None,
        "ont-3 hangs below olt-2, not olt-1"
    );
    let d4 = ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.signal_loss", "ont", "ont-9", t(301))
            .with_alarm_type("signal.loss"),
    );
    assert_eq!(created(&d4).status, AlarmStatus::Active);
}

#[test]
fn child_before_parent_is_reparented_when_parent_arrives_within_window() {
    let mut c = seed();
    let ont = created(&ingest(&mut c, &ont_los("ont-1", 0))).clone();
    assert_eq!(ont.status, AlarmStatus::Active);
    let d = ingest(&mut c, &olt_down("olt-1", 120));
    let olt = created(&d).clone();
    assert!(olt.is_root_cause);
    assert_eq!(olt.child_count, 1);
    assert!(d.iter().any(|x| matches!(x, Decision::Correlated { alarm_id, parent_id, status: AlarmStatus::Suppressed, .. } if *alarm_id == ont.id && *parent_id == olt.id)));
    // a parent more than the window later adopts nothing
    let mut c = seed();
    ingest(&mut c, &ont_los("ont-1", 0));
    let d = ingest(&mut c, &olt_down("olt-1", 301));
    assert_eq!(d.len(), 1);
}

#[test]
fn parent_clear_unsuppresses_children_and_reparents_to_competing_parent() {
    let rule = r#"{"name":"tenant-wide","type":"correlation","scope":"tenant",
        "conditions":{"parent":{"alarm_type":"device.down"},"child":{"alarm_type":"signal.loss"}},
        "time_window":300}"#;
    let mut c =
        Correlator::new(CorrelatorConfig::default().with_rules_json(rule).unwrap()).unwrap();
    let p1 = created(&ingest(&mut c, &olt_down("olt-b", 10))).id;
    let p0 = created(&ingest(&mut c, &olt_down("olt-a", 10))).id; // same time, smaller key wins
    let k = created(&ingest(&mut c, &ont_los("ont-1", 20))).clone();
    assert_eq!(
        k.parent_alarm_id,
        Some(p0),
        "tie on first occurrence broken by reduction key"
    );
    let d = ingest(&mut c, &olt_up("olt-a", 40));
    assert!(matches!(d[0], Decision::Cleared { .. }));
    assert!(d.iter().any(|x| matches!(x, Decision::Reparented { from_parent_id, parent_id, .. } if *from_parent_id == p0 && *parent_id == p1)));
    assert_eq!(c.alarm_state(k.id).unwrap().status, AlarmStatus::Suppressed);
    let d = ingest(&mut c, &olt_up("olt-b", 50));
    assert!(d.iter().any(|x| matches!(x, Decision::Unsuppressed { alarm_id, status: AlarmStatus::Active, reason: UnsuppressionReason::ParentCleared { parent_id } } if *alarm_id == k.id && *parent_id == p1)));
    let st = c.alarm_state(k.id).unwrap();
    assert_eq!(st.status, AlarmStatus::Active);
    assert_eq!(st.parent_id, None);
}

#[test]
fn earliest_raised_parent_wins_even_when_it_arrives_last() {
    let rule = r#"{"name":"r","type":"correlation","scope":"tenant",
        "conditions":{"parent":{"alarm_type":"device.down"},"child":{"alarm_type":"signal.loss"}}}"#;
    let mut c =
        Correlator::new(CorrelatorConfig::default().with_rules_json(rule).unwrap()).unwrap();
    let late = created(&ingest(&mut c, &olt_down("olt-z", 50))).id;
    let k = created(&ingest(&mut c, &ont_los("ont-1", 60))).id;
    assert_eq!(c.alarm_state(k).unwrap().parent_id, Some(late));
    let d = ingest(&mut c, &olt_down("olt-y", 40));
    let early = created(&d).id;
    assert!(
        d.iter()
            .any(|x| matches!(x, Decision::Reparented { parent_id, .. } if *parent_id == early))
    );
    assert_eq!(c.alarm_state(k).unwrap().parent_id, Some(early));
    assert_eq!(
        c.alarm_state(late).unwrap().child_count,
        1,
        "child_count counts children ever correlated"
    );
}

#[test]
fn dedup_repeats_and_new_alarm_after_clear() {
    let mut c = Correlator::new(CorrelatorConfig::default().with_flapping(FlappingConfig {
        enabled: false,
        ..Default::default()
    }))
    .unwrap();
    let a = created(&ingest(&mut c, &olt_down("olt-1", 0))).id;
    let d = ingest(&mut c, &olt_down("olt-1", 5));
    assert_eq!(
        d,
        vec![Decision::Deduplicated {
            alarm_id: a,
            occurrence_count: 2,
            last_occurrence: t(5),
            severity: Severity::Critical,
            severity_changed: false
        }]
    );
    let d = ingest(&mut c, &olt_down("olt-1", 6).with_severity(Severity::Major));
    assert!(matches!(
        d[0],
        Decision::Deduplicated {
            occurrence_count: 3,
            severity: Severity::Major,
            severity_changed: true,
            ..
        }
    ));
    // an older repeat does not move last occurrence back
    ingest(&mut c, &olt_down("olt-1", 1));
    assert_eq!(c.alarm_state(a).unwrap().occurrence_count, 4);
    // device.degraded is another alarm type: another alarm
    let b = created(&ingest(
        &mut c,
        &AlarmEvent::new("t1", "device.degraded", "olt", "olt-1", t(7)),
    ))
    .id;
    assert_ne!(a, b);
    // device.up clears both (clear-keys of device.down and device.degraded)
    let d = ingest(&mut c, &olt_up("olt-1", 10));
    assert_eq!(
        d.iter()
            .filter(|x| matches!(x, Decision::Cleared { .. }))
            .count(),
        2
    );
    assert!(
        matches!(
            d[0],
            Decision::Cleared {
                raised_severity: Severity::Critical,
                ..
            }
        ),
        "the last repeat carried the mapping severity"
    );
    assert_eq!(c.active_count(), 0);
    let again = created(&ingest(&mut c, &olt_down("olt-1", 20))).id;
    assert_ne!(again, a, "after a clear the same key opens a new alarm");
    // other tenant, same resource: separate alarm
    let mut other = olt_down("olt-1", 21);
    other.tenant_id = "t2".into();
    assert!(matches!(
        ingest(&mut c, &other)[0],
        Decision::Created { .. }
    ));
    // a clear with nothing to clear decides nothing
    assert!(ingest(&mut c, &olt_up("olt-404", 22)).is_empty());
}

#[test]
fn opennms_alarmd_trigger_clear_and_flap_counts_1_2_3() {
    let mut c = Correlator::new(CorrelatorConfig::default()).unwrap();
    let mut ids = Vec::new();
    let mut counts = Vec::new();
    for cycle in 0..3 {
        let base = cycle * 60;
        let d = ingest(&mut c, &olt_down("olt-1", base));
        if let Decision::Created { alarm } = &d[0] {
            ids.push(alarm.id);
            assert_eq!(
                alarm.flap_count, cycle as u32,
                "new alarm carries the key's flap history"
            );
        }
        let d = ingest(&mut c, &olt_up("olt-1", base + 30));
        match &d[0] {
            Decision::Cleared { flap_count, .. } | Decision::Flapping { flap_count, .. } => {
                counts.push(*flap_count)
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(counts, vec![1, 2, 3]);
    assert_eq!(ids.len(), 3);
    let flapper = *ids.last().unwrap();
    let st = c.alarm_state(flapper).unwrap();
    assert!(st.is_flapping);
    assert_eq!(st.status, AlarmStatus::Cleared);
    // while flapping, raises and clears update the one alarm
    let d = ingest(&mut c, &olt_down("olt-1", 200));
    assert!(
        matches!(d[0], Decision::Flapping { alarm_id, status: AlarmStatus::Active, occurrence_count: 2, .. } if alarm_id == flapper)
    );
    let d = ingest(&mut c, &olt_up("olt-1", 230));
    assert!(
        matches!(d[0], Decision::Flapping { alarm_id, status: AlarmStatus::Cleared, flap_count: 4, .. } if alarm_id == flapper)
    );
    // after the quiet period it stops flapping and, being cleared, leaves the working set
    let d = c.tick(t(230 + 601));
    assert_eq!(
        d,
        vec![Decision::FlappingEnded {
            alarm_id: flapper,
            status: AlarmStatus::Cleared
        }]
    );
    assert!(c.alarm_state(flapper).is_none());
    // flap history expired: the next alarm starts from zero
    let d = ingest(&mut c, &olt_down("olt-1", 2000));
    assert_eq!(created(&d).flap_count, 0);
}

#[test]
fn flapping_parent_keeps_children_until_it_stops_flapping() {
    let mut c = seed();
    for i in 0..3 {
        ingest(&mut c, &olt_down("olt-1", i * 10));
        ingest(&mut c, &olt_up("olt-1", i * 10 + 5));
    }
    let d = ingest(&mut c, &olt_down("olt-1", 40));
    let p = d[0].alarm_id();
    let k = created(&ingest(&mut c, &ont_los("ont-1", 41))).id;
    assert_eq!(c.alarm_state(k).unwrap().parent_id, Some(p));
    let d = ingest(&mut c, &olt_up("olt-1", 45));
    assert_eq!(d.len(), 1, "flapping clear does not churn children: {d:?}");
    let d = c.tick(t(45 + 600));
    assert!(matches!(d[0], Decision::FlappingEnded { .. }));
    assert!(
        d.iter()
            .any(|x| matches!(x, Decision::Unsuppressed { alarm_id, .. } if *alarm_id == k))
    );
}

/// Alertmanager inhibition, replayed on parent/child rules with `equal` labels:
/// a resolved source does not inhibit; an alarm does not inhibit itself; `equal` labels must match.
#[test]
fn alertmanager_inhibition_replay() {
    let rule = r#"{"name":"inhibit","type":"correlation","scope":"tenant","equal":["labels.cluster"],
        "conditions":{"parent":{"severity":"critical"},"child":{"severity":{"lte":"major"}}}}"#;
    let mk =
        || Correlator::new(CorrelatorConfig::default().with_rules_json(rule).unwrap()).unwrap();
    let crit = |r: &str, cl: &str, s| {
        AlarmEvent::new("t1", "node.down", "node", r, t(s))
            .with_severity(Severity::Critical)
            .with_label("cluster", cl)
    };
    let warn = |r: &str, cl: &str, s| {
        AlarmEvent::new("t1", "disk.slow", "node", r, t(s))
            .with_severity(Severity::Warning)
            .with_label("cluster", cl)
    };
    // equal labels match: inhibited
    let mut c = mk();
    ingest(&mut c, &crit("n1", "a", 0));
    assert_eq!(
        created(&ingest(&mut c, &warn("n2", "a", 1))).status,
        AlarmStatus::Suppressed
    );
    // equal labels differ: not inhibited
    assert_eq!(
        created(&ingest(&mut c, &warn("n3", "b", 2))).status,
        AlarmStatus::Active
    );
    // missing label on both sides does not count as equal
    let mut c2 = mk();
    ingest(
        &mut c2,
        &AlarmEvent::new("t1", "node.down", "node", "x", t(0)).with_severity(Severity::Critical),
    );
    assert_eq!(
        created(&ingest(
            &mut c2,
            &AlarmEvent::new("t1", "disk.slow", "node", "y", t(1)).with_severity(Severity::Warning)
        ))
        .status,
        AlarmStatus::Active
    );
    // resolved source does not inhibit
    let mut c = mk();
    let src = created(&ingest(&mut c, &crit("n1", "a", 0))).id;
    c.resolve(src, "ops", t(1)).unwrap();
    assert_eq!(
        created(&ingest(&mut c, &warn("n2", "a", 2))).status,
        AlarmStatus::Active
    );
    // an alarm matching both sides does not inhibit itself
    let self_rule = r#"{"name":"self","type":"correlation","scope":"tenant",
        "conditions":{"parent":{"alarm_type":"x.y"},"child":{"alarm_type":"x.y"}}}"#;
    let mut c = Correlator::new(
        CorrelatorConfig::default()
            .with_rules_json(self_rule)
            .unwrap(),
    )
    .unwrap();
    let a = created(&ingest(
        &mut c,
        &AlarmEvent::new("t1", "x.y", "n", "1", t(0)).with_severity(Severity::Major),
    ))
    .clone();
    assert_eq!(a.status, AlarmStatus::Active);
    assert_eq!(a.parent_alarm_id, None);
    // and an inhibited child never inhibits in turn (no alarm is both root cause and child)
    let b = created(&ingest(
        &mut c,
        &AlarmEvent::new("t1", "x.y", "n", "2", t(1)).with_severity(Severity::Major),
    ))
    .clone();
    assert_eq!(b.parent_alarm_id, Some(a.id));
    let d = ingest(
        &mut c,
        &AlarmEvent::new("t1", "x.y", "n", "3", t(2)).with_severity(Severity::Major),
    );
    assert_eq!(created(&d).parent_alarm_id, Some(a.id));
}

#[test]
fn topology_cycles_are_rejected_and_changes_are_atomic() {
    let mut c = seed();
    let e = c
        .add_topology_edges(
            "t1",
            &[
                TopologyEdge::new("x", "y"),
                TopologyEdge::new("ont-1", "olt-1"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Topology edge ont-1 -> olt-1 would create a cycle (ont-1 -> sp-1 -> olt-1)"
    );
    assert!(matches!(e, Error::TopologyCycle { .. }));
    assert_eq!(c.topology().edge_count(), 4, "the batch is rolled back");
    let e = c
        .add_topology_edges("t1", &[TopologyEdge::new("olt-2", "ont-1")])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Resource ont-1 already has parent sp-1; remove that edge first"
    );
    assert!(
        c.add_topology_edges("t1", &[TopologyEdge::new("a", "a")])
            .is_err()
    );
    assert_eq!(
        c.remove_topology_edges(
            "t1",
            &[
                TopologyEdge::new("olt-2", "ont-3"),
                TopologyEdge::new("q", "r")
            ]
        ),
        1
    );
    // ont-3 is no longer in the graph: auto scope falls back to tenant scope
    ingest(&mut c, &olt_down("olt-1", 0));
    assert!(
        created(&ingest(&mut c, &ont_los("ont-3", 1)))
            .parent_alarm_id
            .is_some()
    );
    // topology edges are per tenant
    let mut other = ont_los("ont-1", 2);
    other.tenant_id = "t2".into();
    assert_eq!(created(&ingest(&mut c, &other)).parent_alarm_id, None);
}

#[test]
fn time_window_grouping_shares_correlation_id() {
    let rule = r#"{"name":"per customer","type":"correlation","group_by":["customer_id"],
        "conditions":{"source":"cpe"},"time_window":300}"#;
    let mut c =
        Correlator::new(CorrelatorConfig::default().with_rules_json(rule).unwrap()).unwrap();
    let ev = |r: &str, cust: &str, s| {
        AlarmEvent::new("t1", "cpe.offline", "ont", r, t(s)).with_customer(cust, None)
    };
    let a = created(&ingest(&mut c, &ev("o1", "c1", 0)))
        .correlation_id
        .unwrap();
    let b = created(&ingest(&mut c, &ev("o2", "c1", 200)))
        .correlation_id
        .unwrap();
    let other = created(&ingest(&mut c, &ev("o3", "c2", 200)))
        .correlation_id
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, other);
    let later = created(&ingest(&mut c, &ev("o4", "c1", 301)))
        .correlation_id
        .unwrap();
    assert_ne!(a, later, "a new group opens after the window");
    let d = ingest(
        &mut c,
        &AlarmEvent::new("t1", "device.down", "olt", "x", t(302)),
    );
    assert_eq!(d.len(), 1, "non-matching alarms are not grouped");
}

fn window(start: i64, end: i64) -> MaintenanceWindow {
    MaintenanceWindow {
        id: Uuid::from_u128(42),
        tenant_id: "t1".into(),
        title: "OLT-1 firmware".into(),
        start: t(start),
        end: t(end),
        status: MaintenanceStatus::Scheduled,
        scope: MaintenanceScope {
            resources: vec!["olt-1".into()],
            include_descendants: true,
            ..Default::default()
        },
    }
}

#[test]
fn maintenance_window_suppresses_and_restores() {
    let mut c = seed();
    c.add_maintenance_window(window(100, 200)).unwrap();
    assert!(matches!(
        c.add_maintenance_window(window(100, 200)),
        Err(Error::Conflict(_))
    ));
    let before = created(&ingest(
        &mut c,
        &AlarmEvent::new("t1", "device.degraded", "olt", "olt-1", t(50)),
    ))
    .clone();
    assert_eq!(
        before.status,
        AlarmStatus::Active,
        "raised before the window"
    );
    let d = ingest(&mut c, &olt_down("olt-1", 100));
    let olt = created(&d).clone();
    assert_eq!(olt.status, AlarmStatus::Suppressed);
    assert!(d.iter().any(|x| matches!(x, Decision::Suppressed { reason: SuppressionReason::Maintenance { window_id }, .. } if *window_id == Uuid::from_u128(42))));
    // a descendant ONT is in scope too
    let ont = created(&ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.offline", "ont", "ont-2", t(110)),
    ))
    .clone();
    assert_eq!(ont.status, AlarmStatus::Suppressed);
    // ack while suppressed is remembered
    c.acknowledge(ont.id, "ops", t(120)).unwrap();
    // clears are never suppressed
    let d = ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.online", "ont", "ont-2", t(130)),
    );
    assert!(matches!(d[0], Decision::Cleared { .. }));
    let ont2 = created(&ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.offline", "ont", "ont-1", t(140)),
    ))
    .id;
    c.acknowledge(ont2, "ops", t(141)).unwrap();
    // the window ends: survivors return to their previous status
    let d = c.tick(t(200));
    assert!(d.iter().any(|x| matches!(x, Decision::Unsuppressed { alarm_id, status: AlarmStatus::Active, .. } if *alarm_id == olt.id)));
    assert!(d.iter().any(|x| matches!(x, Decision::Unsuppressed { alarm_id, status: AlarmStatus::Acknowledged, .. } if *alarm_id == ont2)));
    assert_eq!(c.alarm_state(olt.id).unwrap().status, AlarmStatus::Active);
    // after the window nothing is suppressed
    let d = ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.offline", "ont", "ont-9", t(201)),
    );
    assert_eq!(created(&d).status, AlarmStatus::Active);
}

#[test]
fn label_window_with_resources_does_not_cover_unrelated_alarms() {
    let mut c = seed();
    let mut w = window(0, 1000);
    w.scope.labels = std::collections::BTreeMap::from([("site".to_string(), "north".to_string())]);
    c.add_maintenance_window(w).unwrap();
    // olt-2's subtree is neither in the resources nor labelled
    let d = ingest(&mut c, &olt_down("olt-2", 10));
    assert_eq!(created(&d).status, AlarmStatus::Active);
    let d = ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.offline", "ont", "ont-3", t(11)),
    );
    assert_eq!(created(&d).status, AlarmStatus::Active);
    // labelled anywhere: covered
    let d = ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.offline", "ont", "z", t(12)).with_label("site", "north"),
    );
    assert_eq!(created(&d).status, AlarmStatus::Suppressed);
    // other tenant: not covered
    let mut other = olt_down("olt-1", 13);
    other.tenant_id = "t2".into();
    assert_eq!(created(&ingest(&mut c, &other)).status, AlarmStatus::Active);
}

#[test]
fn cancelled_window_restores_immediately_and_bad_windows_fail() {
    let mut c = seed();
    c.add_maintenance_window(window(0, 1000)).unwrap();
    let a = created(&ingest(&mut c, &olt_down("olt-1", 10))).id;
    let d = c.cancel_maintenance_window(Uuid::from_u128(42)).unwrap();
    assert!(matches!(&d[0], Decision::Unsuppressed { alarm_id, .. } if *alarm_id == a));
    assert!(
        c.cancel_maintenance_window(Uuid::from_u128(7))
            .unwrap_err()
            .to_string()
            .contains("not found")
    );
    assert!(
        c.add_maintenance_window(MaintenanceWindow {
            id: Uuid::from_u128(8),
            ..window(10, 5)
        })
        .is_err()
    );
}

#[test]
fn triggers_are_opt_in_and_fire_at_most_once() {
    let mut off = seed();
    assert!(
        !ingest(&mut off, &olt_down("olt-1", 0))
            .iter()
            .any(|d| matches!(d, Decision::TicketRequested { .. }))
    );

    let mut c =
        Correlator::new(CorrelatorConfig::default().with_triggers(TriggerConfig::seed_002()))
            .unwrap();
    let d = ingest(&mut c, &olt_down("olt-1", 0));
    let id = created(&d).id;
    assert!(d.iter().any(|x| matches!(
        x,
        Decision::TicketRequested {
            trigger: TicketTrigger::Critical,
            ..
        }
    )));
    assert!(
        !ingest(&mut c, &olt_down("olt-1", 1))
            .iter()
            .any(|x| matches!(x, Decision::TicketRequested { .. }))
    );
    assert!(
        c.sla_breached(id, None).unwrap().is_empty(),
        "at most once per alarm"
    );

    let major = |r: &str, n, s| {
        AlarmEvent::new("t1", "device.degraded", "olt", r, t(s)).with_subscribers(n)
    };
    assert!(
        !ingest(&mut c, &major("m1", 10, 2))
            .iter()
            .any(|x| matches!(x, Decision::TicketRequested { .. }))
    );
    assert!(ingest(&mut c, &major("m2", 11, 2)).iter().any(|x| matches!(
        x,
        Decision::TicketRequested {
            trigger: TicketTrigger::MajorWithSubscribers {
                subscribers: 11,
                threshold: 10
            },
            ..
        }
    )));
    // m1 stays unacknowledged: after 15 minutes a ticket is requested
    let m1 = c
        .find_by_key("t1|network_device|device.degraded|olt|m1")
        .unwrap();
    let minor = created(&ingest(
        &mut c,
        &AlarmEvent::new("t1", "cpe.offline", "ont", "o", t(3)),
    ))
    .id;
    let d = c.tick(t(2 + 15 * 60));
    assert_eq!(
        d,
        vec![Decision::TicketRequested {
            alarm_id: m1,
            trigger: TicketTrigger::Unacknowledged { timeout_secs: 900 }
        }]
    );
    assert!(
        c.tick(t(5000)).is_empty(),
        "minor alarm {minor} never triggers"
    );
    // acknowledged alarms do not trigger; SLA breach does
    let m3 = created(&ingest(&mut c, &major("m3", 0, 5000))).id;
    c.acknowledge(m3, "ops", t(5001)).unwrap();
    assert!(c.tick(t(9000)).is_empty());
    assert!(matches!(
        c.sla_breached(m3, Some(Uuid::from_u128(3))).unwrap()[0],
        Decision::TicketRequested {
            trigger: TicketTrigger::SlaBreach { .. },
            ..
        }
    ));
    // linked ticket suppresses triggers
    let m4 = created(&ingest(&mut c, &major("m4", 0, 9000))).id;
    c.link_ticket(m4).unwrap();
    assert!(c.tick(t(20000)).is_empty());
}

#[test]
fn suppressed_children_do_not_trigger() {
    let mut c = Correlator::new(
        CorrelatorConfig::default()
            .with_rules_json(SEED_002_RULE_JSON)
            .unwrap()
            .with_triggers(TriggerConfig::seed_002()),
    )
    .unwrap();
    ingest(&mut c, &olt_down("olt-1", 0));
    let d = ingest(
        &mut c,
        &ont_los("ont-1", 1).with_severity(Severity::Critical),
    );
    assert_eq!(created(&d).status, AlarmStatus::Suppressed);
    assert!(
        !d.iter()
            .any(|x| matches!(x, Decision::TicketRequested { .. }))
    );
}

#[test]
fn escalation_and_suppression_rules() {
    let rules = r#"[
      {"name":"noisy","type":"escalation","conditions":{"alarm_type":"cpe.offline","occurrence_count":{"gte":3}},
       "actions":{"escalate_to":"major","create_ticket":true}},
      {"name":"lab","type":"suppression","conditions":{"labels.env":"lab"}}
    ]"#;
    let mut c =
        Correlator::new(CorrelatorConfig::default().with_rules_json(rules).unwrap()).unwrap();
    let e = AlarmEvent::new("t1", "cpe.offline", "ont", "o1", t(0));
    let id = created(&ingest(&mut c, &e)).id;
    ingest(&mut c, &e);
    let d = ingest(&mut c, &e);
    assert!(d.iter().any(|x| matches!(
        x,
        Decision::Escalated {
            from: Severity::Minor,
            to: Severity::Major,
            ..
        }
    )));
    assert!(d.iter().any(|x| matches!(
        x,
        Decision::TicketRequested {
            trigger: TicketTrigger::Escalation { .. },
            ..
        }
    )));
    assert_eq!(c.alarm_state(id).unwrap().severity, Severity::Major);
    // once per alarm per rule; later repeats keep the escalated floor
    let d = ingest(&mut c, &e);
    assert_eq!(d.len(), 1);
    assert!(matches!(
        d[0],
        Decision::Deduplicated {
            severity: Severity::Major,
            severity_changed: false,
            ..
        }
    ));
    let lab = ingest(
        &mut c,
        &AlarmEvent::new("t1", "device.down", "olt", "lab-1", t(1)).with_label("env", "lab"),
    );
    assert_eq!(created(&lab).status, AlarmStatus::Suppressed);
    assert!(
        matches!(&lab[1], Decision::Suppressed { reason: SuppressionReason::Rule { rule }, .. } if &**rule == "lab")
    );
}

#[test]
fn reduction_key_template_from_rule() {
    let rule = r#"{"name":"per port","type":"suppression","actions":{"suppress":false},
        "conditions":{"alarm_type":"port.down"},"reduction_key":"{tenant_id}/{resource_id}/{labels.port}"}"#;
    let mut c =
        Correlator::new(CorrelatorConfig::default().with_rules_json(rule).unwrap()).unwrap();
    let p = |port: &str, src: &str| {
        AlarmEvent::new("t1", "port.down", src, "sw-1", t(0))
            .with_severity(Severity::Minor)
            .with_label("port", port)
    };
    let a = created(&ingest(&mut c, &p("1", "switch"))).clone();
    assert_eq!(a.reduction_key, "t1/sw-1/1");
    assert_eq!(
        a.status,
        AlarmStatus::Active,
        "suppress:false only sets the key"
    );
    // resource type is not part of the template: a repeat
    assert!(matches!(
        ingest(&mut c, &p("1", "router"))[0],
        Decision::Deduplicated { .. }
    ));
    assert!(matches!(
        ingest(&mut c, &p("2", "switch"))[0],
        Decision::Created { .. }
    ));
}

#[test]
fn bad_events_are_rejected_and_change_nothing() {
    let mut c = seed();
    let e = AlarmEvent::new("t1", "mystery.event", "olt", "x", t(0));
    assert_eq!(
        c.ingest(&e, far()).unwrap_err().to_string(),
        "Unknown event type 'mystery.event': not in the mapping table and no severity given"
    );
    assert_eq!(c.active_count(), 0);
    let ok = c
        .ingest(&e.clone().with_severity(Severity::Warning), far())
        .unwrap();
    assert_eq!(created(&ok).source, fault_core::AlarmSource::System);
    let future = olt_down("olt-1", 1000);
    assert!(
        c.ingest(&future, t(0))
            .unwrap_err()
            .to_string()
            .contains("after now")
    );
    let mut no_tenant = olt_down("x", 0);
    no_tenant.tenant_id.clear();
    assert!(matches!(
        c.ingest(&no_tenant, far()),
        Err(Error::Validation(_))
    ));
    let b = c.ingest_batch(&[olt_down("a", 0), e.clone(), olt_down("a", 1)], far());
    assert_eq!(b.errors.len(), 1);
    assert_eq!(b.errors[0].0, 1);
    assert_eq!(b.decisions.len(), 2);
    // clear by explicit cleared severity on an unknown type
    let d = c
        .ingest(&e.clone().with_severity(Severity::Cleared), far())
        .unwrap();
    assert!(matches!(d[0], Decision::Cleared { .. }));
}

#[test]
fn manual_lifecycle_through_the_correlator() {
    let mut c = seed();
    let p = created(&ingest(&mut c, &olt_down("olt-1", 0))).id;
    let k = created(&ingest(&mut c, &ont_los("ont-1", 1))).id;
    let d = c.acknowledge(p, "ops", t(2)).unwrap();
    assert!(matches!(
        &d[0],
        Decision::Acknowledged {
            status: AlarmStatus::Acknowledged,
            ..
        }
    ));
    let e = c.acknowledge(p, "ops", t(3)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("Cannot acknowledge alarm {p}: alarm is acknowledged")
    );
    let d = c.clear(p, "ops", t(4)).unwrap();
    assert!(matches!(&d[0], Decision::Cleared { cleared_by: Some(u), .. } if u == "ops"));
    assert!(
        d.iter()
            .any(|x| matches!(x, Decision::Unsuppressed { alarm_id, .. } if *alarm_id == k))
    );
    assert_eq!(
        c.acknowledge(p, "ops", t(5)).unwrap_err(),
        Error::AlarmNotFound(p)
    );
    assert_eq!(
        c.acknowledge(p, "ops", t(5)).unwrap_err().to_string(),
        format!("Alarm {p} not found")
    );
    let d = c.resolve(k, "ops", t(6)).unwrap();
    assert!(matches!(d[0], Decision::Resolved { .. }));
    assert_eq!(c.active_count(), 0);
}

#[test]
fn same_input_same_decisions_and_ids_are_uuid_v7() {
    let run = |seed: u64| {
        let mut c = Correlator::new(
            CorrelatorConfig::default()
                .with_rules_json(SEED_002_RULE_JSON)
                .unwrap()
                .with_id_seed(seed),
        )
        .unwrap();
        c.add_topology_edges("t1", &[TopologyEdge::new("olt-1", "ont-1")])
            .unwrap();
        let mut all = Vec::new();
        for e in [
            ont_los("ont-1", 0),
            olt_down("olt-1", 1),
            olt_up("olt-1", 2),
            olt_down("olt-1", 3),
        ] {
            all.extend(c.ingest(&e, far()).unwrap());
        }
        all
    };
    let a = run(1);
    assert_eq!(a, run(1));
    assert_ne!(a, run(2));
    let id = a[0].alarm_id();
    assert_eq!(id.get_version_num(), 7);
    let (secs, _) = id.get_timestamp().unwrap().to_unix();
    assert_eq!(secs as i64, t(0).timestamp());
}

#[test]
fn rebuild_from_active_alarms_continues_dedup_and_parent_links() {
    let mut c = seed();
    let mut rows: std::collections::BTreeMap<Uuid, Alarm> = Default::default();
    for e in [
        olt_down("olt-1", 0),
        ont_los("ont-1", 5),
        ont_los("ont-2", 6),
        AlarmEvent::new("t1", "cpe.offline", "ont", "x", t(7)),
    ] {
        for d in ingest(&mut c, &e) {
            if let Decision::Created { alarm } = d {
                rows.insert(alarm.id, alarm.into_alarm(e.clone()));
            }
        }
    }
    let olt_id = c
        .find_by_key("t1|network_device|device.down|olt|olt-1")
        .unwrap();
    let mut r = Correlator::rebuild(
        CorrelatorConfig::default()
            .with_rules_json(SEED_002_RULE_JSON)
            .unwrap()
            .with_id_seed(9),
        rows.values().cloned(),
    )
    .unwrap();
    r.add_topology_edges(
        "t1",
        &[
            TopologyEdge::new("olt-1", "sp-1"),
            TopologyEdge::new("sp-1", "ont-1"),
            TopologyEdge::new("sp-1", "ont-2"),
        ],
    )
    .unwrap();
    assert_eq!(r.active_count(), 4);
    assert!(
        matches!(ingest(&mut r, &olt_down("olt-1", 8))[0], Decision::Deduplicated { alarm_id, occurrence_count: 2, .. } if alarm_id == olt_id)
    );
    let d = ingest(&mut r, &olt_up("olt-1", 9));
    assert_eq!(
        d.iter()
            .filter(|x| matches!(x, Decision::Unsuppressed { .. }))
            .count(),
        2,
        "children restored from parent_alarm_id: {d:?}"
    );
    // duplicate keys are a conflict
    let dup: Vec<Alarm> = rows
        .values()
        .cloned()
        .chain(rows.values().take(1).cloned())
        .collect();
    assert!(matches!(
        Correlator::rebuild(CorrelatorConfig::default(), dup),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn config_validation() {
    assert!(Correlator::new(CorrelatorConfig::default().with_rules_json(r#"{"name":"x","type":"correlation","equal":["title"],"conditions":{"parent":{},"child":{}}}"#).unwrap()).unwrap_err().to_string().contains("equal[0]: field 'title' is not supported"));
    let twice = format!("[{SEED_002_RULE_JSON},{SEED_002_RULE_JSON}]");
    assert!(
        Correlator::new(CorrelatorConfig::default().with_rules_json(&twice).unwrap())
            .unwrap_err()
            .to_string()
            .contains("used twice")
    );
    assert!(
        Correlator::new(CorrelatorConfig::default().with_flapping(FlappingConfig {
            threshold: 1,
            ..Default::default()
        }))
        .is_err()
    );
    let cfg: CorrelatorConfig =
        serde_json::from_str(r#"{"triggers":{"enabled":true},"id_seed":5}"#).unwrap();
    assert!(cfg.triggers.enabled);
    assert_eq!(cfg.triggers.major_subscriber_threshold, Some(10));
}
