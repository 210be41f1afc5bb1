//! Alarm ingest on every backend: de-duplication, clears, reopening, seed 002's OLT → ONT
//! correlation, maintenance suppression, flapping, all-or-nothing batches and auto-tickets.

mod common;
use chrono::Duration;
use common::*;
use faultdesk::fault::correlator::SEED_002_RULE_JSON;
use faultdesk::fault::maintenance::MaintenanceScope;
use faultdesk::fault::topology::TopologyEdge;
use faultdesk::fault::{AlarmEvent, AlarmStatus, Severity};
use faultdesk::{AlarmQuery, ErrorKind, NewMaintenanceWindow};

fn ev(event_type: &str, rtype: &str, rid: &str, secs: i64) -> AlarmEvent {
    AlarmEvent::new(
        "acme",
        event_type,
        rtype,
        rid,
        t0() + Duration::seconds(secs),
    )
}

fn ont_loss(rid: &str, secs: i64) -> AlarmEvent {
    ev("cpe.signal_loss", "ont", rid, secs).with_alarm_type("signal.loss")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_clear_and_reopen_after_clear() {
    each(|td| async move {
        let noc = admin("acme");
        let first = td
            .ingest(&noc, ev("device.down", "olt", "olt-1", -60))
            .await
            .unwrap();
        assert_eq!((first.created, first.updated), (1, 0), "{}", td.name);
        let id = first.alarm_ids[0];
        let again = td
            .ingest(&noc, ev("device.down", "olt", "olt-1", -30))
            .await
            .unwrap();
        assert_eq!(again.alarm_ids, vec![id]);
        assert_eq!((again.created, again.updated), (0, 1));
        let a = td.get_alarm(&noc, id).await.unwrap();
        assert_eq!(a.occurrence_count, 2);
        assert_eq!(a.last_occurrence, t0() - Duration::seconds(30));
        assert_eq!(a.severity, Severity::Critical);
        assert_eq!(a.status, AlarmStatus::Active);

        let clear = td
            .ingest(&noc, ev("device.up", "olt", "olt-1", -10))
            .await
            .unwrap();
        assert_eq!(clear.alarm_ids, vec![id]);
        let a = td.get_alarm(&noc, id).await.unwrap();
        assert_eq!(a.status, AlarmStatus::Cleared);
        assert_eq!(a.severity, Severity::Cleared);
        assert_eq!(
            a.raised_severity,
            Severity::Critical,
            "keeps its raised severity"
        );

        let reopened = td
            .ingest(&noc, ev("device.down", "olt", "olt-1", 0))
            .await
            .unwrap();
        assert_eq!(
            reopened.created, 1,
            "a raise after a clear opens a new alarm"
        );
        assert_ne!(reopened.alarm_ids[0], id);
        assert_eq!(td.count("alarms").await, 2);
        assert_eq!(td.count("alarm_events").await, 4, "one row per event");
        assert_eq!(
            td.count_where("outbox", "kind = 'alarm.raised'").await,
            2,
            "one raised event per new alarm, none for the repeat"
        );
        assert_eq!(td.count_where("outbox", "kind = 'alarm.cleared'").await, 1);
        // The stored event row names the decision.
        assert_eq!(
            td.count_where("alarm_events", "decision = 'deduplicated'")
                .await,
            1
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_002_olt_ont_rule_end_to_end() {
    each(|td| async move {
        let noc = admin("acme");
        td.create_rule(&noc, SEED_002_RULE_JSON).await.unwrap();
        td.add_topology_edges(
            &noc,
            vec![
                TopologyEdge::new("olt-1", "ont-1"),
                TopologyEdge::new("olt-1", "ont-2"),
            ],
        )
        .await
        .unwrap();
        // A child before its parent, then the parent, then a child after the parent.
        let early = td
            .ingest(&noc, ont_loss("ont-1", -120))
            .await
            .unwrap()
            .alarm_ids[0];
        let olt = td
            .ingest(&noc, ev("device.down", "olt", "olt-1", -100))
            .await
            .unwrap();
        let parent = olt.alarm_ids[0];
        let late = td
            .ingest(&noc, ont_loss("ont-2", -60))
            .await
            .unwrap()
            .alarm_ids[0];

        let p = td.get_alarm(&noc, parent).await.unwrap();
        assert!(p.is_root_cause, "{}", td.name);
        let cid = p.correlation_id.expect("the rule creates a correlation id");
        for child in [early, late] {
            let c = td.get_alarm(&noc, child).await.unwrap();
            assert_eq!(c.parent_alarm_id, Some(parent), "{}", td.name);
            assert_eq!(c.status, AlarmStatus::Suppressed);
            assert_eq!(c.correlation_id, Some(cid));
        }
        let mut kids: Vec<_> = td
            .alarm_children(&noc, parent)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        kids.sort();
        let mut want = vec![early, late];
        want.sort();
        assert_eq!(kids, want);
        assert_eq!(td.correlation_group(&noc, cid).await.unwrap().len(), 3);
        assert_eq!(td.get_alarm(&noc, parent).await.unwrap().child_count, 2);
        let roots = td
            .list_alarms(
                &noc,
                AlarmQuery {
                    root_cause_only: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(roots.total, 1);
        assert_eq!(roots.items[0].id, parent);

        // The parent clears: children are released but keep the link as history.
        td.ingest(&noc, ev("device.up", "olt", "olt-1", -30))
            .await
            .unwrap();
        for child in [early, late] {
            let c = td.get_alarm(&noc, child).await.unwrap();
            assert_eq!(c.status, AlarmStatus::Active, "{}", td.name);
            assert_eq!(c.parent_alarm_id, Some(parent));
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_window_suppresses_then_cancel_releases() {
    each(|td| async move {
        let noc = admin("acme");
        let w = td
            .create_maintenance_window(
                &noc,
                NewMaintenanceWindow {
                    title: "OLT firmware".into(),
                    description: None,
                    start: t0() - Duration::hours(1),
                    end: t0() + Duration::hours(1),
                    scope: MaintenanceScope {
                        resources: vec!["olt-9".into()],
                        ..Default::default()
                    },
                },
            )
            .await
            .unwrap();
        let inside = td
            .ingest(&noc, ev("device.down", "olt", "olt-9", -10))
            .await
            .unwrap();
        let a = td.get_alarm(&noc, inside.alarm_ids[0]).await.unwrap();
        assert_eq!(a.status, AlarmStatus::Suppressed, "{}", td.name);
        assert_eq!(
            td.count_where("alarms", "suppression_reason = 'maintenance'")
                .await,
            1
        );
        let outside = td
            .ingest(&noc, ev("device.down", "olt", "olt-8", -10))
            .await
            .unwrap();
        assert_eq!(
            td.get_alarm(&noc, outside.alarm_ids[0])
                .await
                .unwrap()
                .status,
            AlarmStatus::Active
        );
        let listed = td.list_maintenance_windows(&noc).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, w.id);
        td.cancel_maintenance_window(&noc, w.id).await.unwrap();
        assert_eq!(
            td.get_alarm(&noc, inside.alarm_ids[0])
                .await
                .unwrap()
                .status,
            AlarmStatus::Active,
            "cancelling releases the alarms it suppressed"
        );
        let e = td.cancel_maintenance_window(&noc, w.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict);
        // A bad window is a Validation error and is not written.
        let before = td.list_maintenance_windows(&noc).await.unwrap().len();
        let e = td
            .create_maintenance_window(
                &noc,
                NewMaintenanceWindow {
                    title: "backwards".into(),
                    description: None,
                    start: t0(),
                    end: t0() - Duration::hours(1),
                    scope: MaintenanceScope {
                        resources: vec!["olt-1".into()],
                        ..Default::default()
                    },
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(
            td.list_maintenance_windows(&noc).await.unwrap().len(),
            before
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flapping_keeps_one_alarm() {
    each(|td| async move {
        let noc = admin("acme");
        let mut events = Vec::new();
        for i in 0..4 {
            events.push(ev("device.down", "olt", "olt-f", -200 + i * 40));
            events.push(ev("device.up", "olt", "olt-f", -180 + i * 40));
        }
        let out = td.ingest_batch(&noc, events).await.unwrap();
        assert_eq!(out.events, 8);
        assert!(
            td.count("alarms").await <= 3,
            "{}: flapping folds raises into the flapping alarm",
            td.name
        );
        assert_eq!(td.count_where("alarms", "is_flapping = true").await, 1);
        let a = td
            .list_alarms(
                &noc,
                AlarmQuery {
                    resource_id: Some("olt-f".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(a.items.iter().any(|a| a.is_flapping && a.flap_count >= 3));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_is_all_or_nothing_and_correlator_stays_consistent() {
    each(|td| async move {
        let noc = admin("acme");
        let seed = td
            .ingest(&noc, ev("device.down", "olt", "olt-0", -300))
            .await
            .unwrap();
        let before = td.counts().await;
        let mut bad: Vec<AlarmEvent> = (0..10)
            .map(|i| ev("device.down", "olt", &format!("olt-{i}"), -200 + i))
            .collect();
        bad[7].event_type = "no.such.event".into();
        let e = td.ingest_batch(&noc, bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{}", td.name);
        assert!(e.message().starts_with("Event 7:"), "{}", e.message());
        assert!(e.message().contains("no.such.event"), "{}", e.message());
        assert_eq!(td.counts().await, before, "nothing written");

        // The same keys again, valid: behaves as if the failed batch never happened.
        let good: Vec<AlarmEvent> = (0..10)
            .map(|i| ev("device.down", "olt", &format!("olt-{i}"), -100 + i))
            .collect();
        let out = td.ingest_batch(&noc, good).await.unwrap();
        assert_eq!(out.created, 9, "olt-1..olt-9 are new");
        assert_eq!(out.updated, 1, "olt-0 is a repeat");
        assert_eq!(out.alarm_ids[0], seed.alarm_ids[0]);
        assert_eq!(
            td.get_alarm(&noc, seed.alarm_ids[0])
                .await
                .unwrap()
                .occurrence_count,
            2,
            "the failed batch's olt-0 repeat was not counted"
        );
        // Events of another tenant are refused.
        let e = td
            .ingest(
                &noc,
                AlarmEvent::new("other", "device.down", "olt", "x", t0()),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.message().contains("not the actor's tenant"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_config_creates_no_ticket() {
    each(|td| async move {
        let noc = admin("acme");
        let out = td
            .ingest(&noc, ev("device.down", "olt", "olt-1", 0))
            .await
            .unwrap();
        assert!(out.tickets.is_empty());
        assert_eq!(td.count("tickets").await, 0, "{}", td.name);
        assert_eq!(
            td.get_alarm(&noc, out.alarm_ids[0])
                .await
                .unwrap()
                .ticket_id,
            None
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_on_create_exactly_one_ticket() {
    each_with(
        |c| c.with_auto_tickets(true),
        |td| async move {
            let noc = admin("acme");
            let out = td
                .ingest(&noc, ev("device.down", "olt", "olt-1", 0))
                .await
                .unwrap();
            assert_eq!(out.tickets.len(), 1, "{}", td.name);
            // Repeats do not request another ticket.
            td.ingest_batch(
                &noc,
                vec![
                    ev("device.down", "olt", "olt-1", 1),
                    ev("device.down", "olt", "olt-1", 2),
                ],
            )
            .await
            .unwrap();
            assert_eq!(td.count("tickets").await, 1);
            let a = td.get_alarm(&noc, out.alarm_ids[0]).await.unwrap();
            assert_eq!(a.ticket_id, Some(out.tickets[0]));
            // A minor alarm does not trigger.
            td.ingest(&noc, ev("cpe.offline", "ont", "ont-5", 3))
                .await
                .unwrap();
            assert_eq!(td.count("tickets").await, 1);
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_and_reraise_inside_one_batch() {
    each(|td| async move {
        let noc = admin("acme");
        let first = td
            .ingest(&noc, ev("device.down", "olt", "olt-1", -60))
            .await
            .unwrap();
        let out = td
            .ingest_batch(
                &noc,
                vec![
                    ev("device.up", "olt", "olt-1", -50),
                    ev("device.down", "olt", "olt-1", -40),
                    ev("device.down", "olt", "olt-1", -30),
                ],
            )
            .await
            .unwrap();
        assert_eq!(out.created, 1, "{}", td.name);
        assert_eq!(out.alarm_ids[0], first.alarm_ids[0]);
        assert_ne!(out.alarm_ids[1], first.alarm_ids[0]);
        assert_eq!(out.alarm_ids[1], out.alarm_ids[2]);
        let new = td.get_alarm(&noc, out.alarm_ids[1]).await.unwrap();
        assert_eq!((new.status, new.occurrence_count), (AlarmStatus::Active, 2));
        assert_eq!(
            td.get_alarm(&noc, first.alarm_ids[0]).await.unwrap().status,
            AlarmStatus::Cleared
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeats_in_one_batch_are_all_counted() {
    each(|td| async move {
        let noc = admin("acme");
        let seed = td
            .ingest_batch(
                &noc,
                vec![
                    ev("device.down", "olt", "olt-1", -60),
                    ev("device.down", "olt", "olt-2", -60),
                ],
            )
            .await
            .unwrap();
        let (a, b) = (seed.alarm_ids[0], seed.alarm_ids[1]);
        // Three repeats of olt-1 (one of them late), one of olt-2 and a new alarm.
        let out = td
            .ingest_batch(
                &noc,
                vec![
                    ev("device.down", "olt", "olt-1", -20),
                    ev("device.down", "olt", "olt-2", -15),
                    ev("device.down", "olt", "olt-1", -5),
                    ev("device.down", "olt", "olt-3", -5),
                    ev("device.down", "olt", "olt-1", -10),
                ],
            )
            .await
            .unwrap();
        assert_eq!((out.created, out.updated), (1, 2), "{}", td.name);
        assert_eq!(out.alarm_ids, vec![a, b, a, out.alarm_ids[3], a]);
        let got = td.get_alarm(&noc, a).await.unwrap();
        let key = got.reduction_key.clone();
        assert_eq!(got.occurrence_count, 4, "{}", td.name);
        assert_eq!(got.last_occurrence, t0() - Duration::seconds(5));
        assert_eq!(
            (got.status, got.severity),
            (AlarmStatus::Active, Severity::Critical)
        );
        let got = td.get_alarm(&noc, b).await.unwrap();
        assert_eq!(got.occurrence_count, 2);
        assert_eq!(got.last_occurrence, t0() - Duration::seconds(15));
        // Every stored event names its alarm's reduction key.
        let tx = td.desk.store().begin_read().await.unwrap();
        let events = tx.list_alarm_events("acme", a).await.unwrap();
        assert_eq!(events.len(), 4);
        assert!(
            events
                .iter()
                .all(|e| e.reduction_key.as_deref() == Some(key.as_str())),
            "{events:?}"
        );
        tx.commit().await.unwrap();
    })
    .await;
}
