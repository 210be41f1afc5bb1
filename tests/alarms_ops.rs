//! Alarm operations on every backend: operator actions, notes, listing filters and pages,
//! tenant isolation for every use-case, permission texts, the unacknowledged check, archiving,
//! rules and topology CRUD.

mod common;
use chrono::Duration;
use common::*;
use faultdesk::fault::correlator::SEED_002_RULE_JSON;
use faultdesk::fault::topology::TopologyEdge;
use faultdesk::fault::{AlarmEvent, AlarmStatus, Severity};
use faultdesk::{AlarmQuery, ErrorKind};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

fn ev(tenant: &str, event_type: &str, rid: &str, secs: i64) -> AlarmEvent {
    AlarmEvent::new(
        tenant,
        event_type,
        "olt",
        rid,
        t0() + Duration::seconds(secs),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_actions_and_notes() {
    each(|td| async move {
        let op = operator("acme");
        let id = td
            .ingest(&op, ev("acme", "device.down", "olt-1", -60))
            .await
            .unwrap()
            .alarm_ids[0];
        let a = td.acknowledge_alarm(&op, id).await.unwrap();
        assert_eq!(a.status, AlarmStatus::Acknowledged, "{}", td.name);
        assert_eq!(a.acknowledged_by.as_deref(), Some("op-1"));
        assert_eq!(a.acknowledged_at, Some(t0()));
        let e = td.acknowledge_alarm(&op, id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidTransition);
        let a = td.assign_alarm(&op, id, "tech-7").await.unwrap();
        assert_eq!(a.assigned_to.as_deref(), Some("tech-7"));
        let n = td
            .add_alarm_note(&op, id, "investigation", "Fibre cut at pole 12")
            .await
            .unwrap();
        assert_eq!(n.alarm_id, id);
        let e = td
            .add_alarm_note(&op, id, "comment", "  ")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let notes = td.list_alarm_notes(&op, id).await.unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].content, "Fibre cut at pole 12");

        let a = td.clear_alarm(&op, id).await.unwrap();
        assert_eq!(a.status, AlarmStatus::Cleared);
        assert_eq!(a.raised_severity, Severity::Critical);
        // The key is free again: a new raise opens a new alarm.
        let again = td
            .ingest(&op, ev("acme", "device.down", "olt-1", 0))
            .await
            .unwrap();
        assert_eq!(again.created, 1);
        let a = td.resolve_alarm(&op, id).await.unwrap();
        assert_eq!(a.status, AlarmStatus::Resolved);
        let e = td.resolve_alarm(&op, id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidTransition);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_filters_and_pages() {
    each(|td| async move {
        let noc = admin("acme");
        let mut events = Vec::new();
        for i in 0..12 {
            events.push(ev("acme", "device.down", &format!("olt-{i}"), -100 + i));
        }
        events.push(
            AlarmEvent::new("acme", "cpe.offline", "ont", "ont-1", t0())
                .with_customer("cust-9", None),
        );
        td.ingest_batch(&noc, events).await.unwrap();
        let all = td.list_alarms(&noc, AlarmQuery::default()).await.unwrap();
        assert_eq!(all.total, 13, "{}", td.name);
        assert_eq!(
            all.items[0].resource_id.as_deref(),
            Some("ont-1"),
            "most recent first"
        );
        let q = |f: fn(&mut AlarmQuery)| {
            let mut q = AlarmQuery::default();
            f(&mut q);
            q
        };
        let minor = td
            .list_alarms(&noc, q(|q| q.severity = vec!["MINOR".into()]))
            .await
            .unwrap();
        assert_eq!(minor.total, 1);
        let cust = td
            .list_alarms(&noc, q(|q| q.customer_id = Some("cust-9".into())))
            .await
            .unwrap();
        assert_eq!(cust.total, 1);
        let src = td
            .list_alarms(&noc, q(|q| q.source = vec!["network_device".into()]))
            .await
            .unwrap();
        assert_eq!(src.total, 12);
        let rt = td
            .list_alarms(&noc, q(|q| q.resource_type = Some("ont".into())))
            .await
            .unwrap();
        assert_eq!(rt.total, 1);
        let st = td
            .list_alarms(&noc, q(|q| q.status = vec!["active".into()]))
            .await
            .unwrap();
        assert_eq!(st.total, 13);
        let tr = td
            .list_alarms(
                &noc,
                AlarmQuery {
                    from: Some(t0() - Duration::seconds(95)),
                    to: Some(t0() - Duration::seconds(90)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(tr.total, 5);
        let p2 = td
            .list_alarms(
                &noc,
                AlarmQuery {
                    page: Some(2),
                    page_size: Some(5),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (p2.items.len(), p2.page, p2.page_size, p2.total),
            (5, 2, 5, 13)
        );
        for bad in [
            AlarmQuery {
                page_size: Some(101),
                ..Default::default()
            },
            AlarmQuery {
                page: Some(0),
                ..Default::default()
            },
            AlarmQuery {
                severity: vec!["loud".into()],
                ..Default::default()
            },
            AlarmQuery {
                status: vec!["sleeping".into()],
                ..Default::default()
            },
        ] {
            let e = td.list_alarms(&noc, bad).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{}", e.message());
        }
        let stats = td.alarm_stats(&noc, AlarmQuery::default()).await.unwrap();
        assert_eq!(stats.total, 13);
        assert_eq!(stats.by_severity["critical"], 12);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenant_gets_not_found_and_changes_nothing() {
    each(|td| async move {
        let a = admin("tenant-a");
        let b = admin("tenant-b");
        let id = td
            .ingest(&a, ev("tenant-a", "device.down", "olt-1", -10))
            .await
            .unwrap()
            .alarm_ids[0];
        td.add_alarm_note(&a, id, "comment", "mine").await.unwrap();
        let before = td.counts().await;
        let msg = format!("Alarm {id} not found");
        let check = |r: faultdesk::Result<()>| {
            let e = r.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotFound);
            assert_eq!(e.message(), msg);
        };
        check(td.get_alarm(&b, id).await.map(|_| ()));
        check(td.acknowledge_alarm(&b, id).await.map(|_| ()));
        check(td.clear_alarm(&b, id).await.map(|_| ()));
        check(td.resolve_alarm(&b, id).await.map(|_| ()));
        check(td.assign_alarm(&b, id, "x").await.map(|_| ()));
        check(td.add_alarm_note(&b, id, "comment", "x").await.map(|_| ()));
        check(td.list_alarm_notes(&b, id).await.map(|_| ()));
        check(td.alarm_children(&b, id).await.map(|_| ()));
        check(
            td.create_ticket_from_alarm(&b, id, Default::default())
                .await
                .map(|_| ()),
        );
        assert!(
            td.list_alarms(&b, AlarmQuery::default())
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert_eq!(
            td.alarm_stats(&b, AlarmQuery::default())
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            td.archive_cleared(&b, Some(Duration::zero()))
                .await
                .unwrap(),
            0
        );
        assert!(td.check_unacknowledged(Some(&b)).await.unwrap().is_empty());
        // B's identical event opens B's own alarm, not A's.
        assert_eq!(td.counts().await, before, "{}", td.name);
        let mine = td
            .ingest(&b, ev("tenant-b", "device.down", "olt-1", -10))
            .await
            .unwrap();
        assert_eq!(mine.created, 1);
        assert_ne!(mine.alarm_ids[0], id);
        let a_alarm = td.get_alarm(&a, id).await.unwrap();
        assert_eq!(
            (a_alarm.status, a_alarm.occurrence_count),
            (AlarmStatus::Active, 1)
        );
        // Rules, topology and windows of A are invisible to B.
        let r = td.create_rule(&a, SEED_002_RULE_JSON).await.unwrap();
        assert!(td.list_rules(&b).await.unwrap().is_empty());
        assert_eq!(
            td.delete_rule(&b, r.id).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            td.update_rule(&b, r.id, SEED_002_RULE_JSON)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            td.cancel_maintenance_window(&b, Uuid::now_v7())
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_denied_texts() {
    each(|td| async move {
        let v = viewer("acme");
        let admin = admin("acme");
        let id = td
            .ingest(&admin, ev("acme", "device.down", "olt-1", -10))
            .await
            .unwrap()
            .alarm_ids[0];
        let before = td.counts().await;
        let w = "Permission denied. Required permission: faults.alarms.write";
        let denied = |r: faultdesk::Result<()>, text: &str| {
            let e = r.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::PermissionDenied);
            assert_eq!(e.message(), text);
        };
        denied(
            td.ingest(&v, ev("acme", "device.down", "olt-2", 0))
                .await
                .map(|_| ()),
            w,
        );
        denied(td.ingest_batch(&v, vec![]).await.map(|_| ()), w);
        denied(td.acknowledge_alarm(&v, id).await.map(|_| ()), w);
        denied(td.clear_alarm(&v, id).await.map(|_| ()), w);
        denied(td.resolve_alarm(&v, id).await.map(|_| ()), w);
        denied(td.assign_alarm(&v, id, "x").await.map(|_| ()), w);
        denied(
            td.add_alarm_note(&v, id, "comment", "x").await.map(|_| ()),
            w,
        );
        denied(td.archive_cleared(&v, None).await.map(|_| ()), w);
        denied(
            td.create_rule(&v, SEED_002_RULE_JSON).await.map(|_| ()),
            "Permission denied. Required permission: faults.rules.write",
        );
        denied(
            td.add_topology_edges(&v, vec![TopologyEdge::new("a", "b")])
                .await
                .map(|_| ()),
            "Permission denied. Required permission: faults.topology.write",
        );
        let n = nobody("acme");
        denied(
            td.get_alarm(&n, id).await.map(|_| ()),
            "Permission denied. Required permission: faults.alarms.read",
        );
        denied(
            td.list_alarms(&n, AlarmQuery::default()).await.map(|_| ()),
            "Permission denied. Required permission: faults.alarms.read",
        );
        // The viewer may read.
        assert_eq!(td.get_alarm(&v, id).await.unwrap().id, id);
        assert_eq!(td.counts().await, before, "{}", td.name);
    })
    .await;
}

/// A `tracing` writer capturing formatted output.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn check_unacknowledged_logs_and_returns_findings() {
    let cap = Capture::default();
    let sub = tracing_subscriber::fmt()
        .json()
        .with_writer(cap.clone())
        .with_max_level(tracing::Level::WARN)
        .finish();
    let _g = tracing::subscriber::set_default(sub);
    each(|td| {
        let cap = cap.clone();
        async move {
            cap.0.lock().unwrap().clear();
            let noc = admin("acme");
            let old = td
                .ingest(
                    &noc,
                    ev("acme", "device.down", "olt-1", -20 * 60)
                        .with_external_id("ALM-2024-001234"),
                )
                .await
                .unwrap()
                .alarm_ids[0];
            // Too young, minor, and acknowledged alarms are not findings.
            td.ingest(&noc, ev("acme", "device.down", "olt-2", -60))
                .await
                .unwrap();
            // Exactly 15 minutes old is not *older* than 15 minutes (seed 000).
            td.ingest(&noc, ev("acme", "device.down", "olt-5", -15 * 60))
                .await
                .unwrap();
            td.ingest(&noc, ev("acme", "cpe.offline", "ont-3", -30 * 60))
                .await
                .unwrap();
            let acked = td
                .ingest(&noc, ev("acme", "device.down", "olt-4", -30 * 60))
                .await
                .unwrap();
            td.acknowledge_alarm(&noc, acked.alarm_ids[0])
                .await
                .unwrap();

            let f = td.check_unacknowledged(Some(&noc)).await.unwrap();
            assert_eq!(f.len(), 1, "{}", td.name);
            assert_eq!(f[0].alarm_id, old);
            assert_eq!(f[0].external_alarm_id.as_deref(), Some("ALM-2024-001234"));
            assert_eq!(f[0].severity, Severity::Critical);
            assert_eq!(f[0].age_minutes, 20.0);
            assert_eq!(
                f[0].message,
                "Alarm ALM-2024-001234 requires manual ticket creation"
            );
            assert_eq!(f[0].event, "alarm.unacknowledged.manual_action_required");
            let log = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
            let line = log
                .lines()
                .find(|l| l.contains("alarm.unacknowledged.manual_action_required"))
                .expect("a warn line");
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["level"], "WARN");
            let fields = &v["fields"];
            assert_eq!(fields["alarm_id"], old.to_string());
            assert_eq!(fields["external_alarm_id"], "ALM-2024-001234");
            assert_eq!(fields["severity"], "critical");
            assert_eq!(fields["age_minutes"], 20.0);
            assert_eq!(
                fields["message"],
                "Alarm ALM-2024-001234 requires manual ticket creation"
            );
            // Without an actor: all tenants (scheduler use).
            assert_eq!(td.check_unacknowledged(None).await.unwrap().len(), 1);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_moves_old_cleared_alarms_only() {
    each(|td| async move {
        let noc = admin("acme");
        let cleared = td
            .ingest(&noc, ev("acme", "device.down", "olt-1", -60))
            .await
            .unwrap()
            .alarm_ids[0];
        td.ingest(&noc, ev("acme", "device.up", "olt-1", -30))
            .await
            .unwrap();
        let open = td
            .ingest(&noc, ev("acme", "device.down", "olt-2", -30))
            .await
            .unwrap()
            .alarm_ids[0];
        assert_eq!(
            td.archive_cleared(&noc, None).await.unwrap(),
            0,
            "younger than 90 days"
        );
        td.advance(Duration::days(91));
        assert_eq!(
            td.archive_cleared(&noc, None).await.unwrap(),
            1,
            "{}",
            td.name
        );
        assert_eq!(
            td.get_alarm(&noc, cleared).await.unwrap_err().message(),
            format!("Alarm {cleared} not found")
        );
        assert_eq!(td.count("alarms_archive").await, 1);
        assert_eq!(
            td.get_alarm(&noc, open).await.unwrap().status,
            AlarmStatus::Active
        );
        let e = td
            .archive_cleared(&noc, Some(Duration::seconds(-1)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_crud_and_malformed_json() {
    each(|td| async move {
        let noc = admin("acme");
        let before = td.count("alarm_rules").await;
        for bad in [
            "{not json",
            r#"{"name": "x"}"#,
            r#"{"name": "x", "type": "correlation", "conditions": {"parent": {"no_such_field": 1}, "child": {}}}"#,
            r#"[]"#,
            r#"{"name": "x", "type": "teleport"}"#,
        ] {
            let e = td.create_rule(&noc, bad).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{bad}: {}", e.message());
            assert!(e.message().contains("rule") || e.message().contains("Rule") || e.message().contains("field"), "{}", e.message());
        }
        // A rule the correlator could not index (equal on a free-text field) is refused at
        // creation, naming the field, rather than breaking the tenant's correlator later.
        let e = td
            .create_rule(
                &noc,
                r#"{"name": "x", "type": "correlation", "equal": ["title"], "conditions": {"parent": {}, "child": {}}}"#,
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.message().starts_with("Rule 'x': equal[0]: field 'title'"), "{}", e.message());
        assert_eq!(td.count("alarm_rules").await, before, "{}: nothing written", td.name);
        let r = td.create_rule(&noc, SEED_002_RULE_JSON).await.unwrap();
        assert_eq!(r.rule.name, "OLT to ONT Correlation");
        assert_eq!(r.rule.time_window, Some(300));
        assert_eq!(td.count_where("alarm_rules", "rule_type = 'correlation'").await, 1);
        let listed = td.list_rules(&noc).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, r.id);
        let changed = SEED_002_RULE_JSON.replace("300", "60");
        let u = td.update_rule(&noc, r.id, &changed).await.unwrap();
        assert_eq!(u.rule.time_window, Some(60));
        assert_eq!(td.list_rules(&noc).await.unwrap()[0].rule.time_window, Some(60));
        let e = td.update_rule(&noc, r.id, "{oops").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(td.list_rules(&noc).await.unwrap()[0].rule.time_window, Some(60));
        td.delete_rule(&noc, r.id).await.unwrap();
        assert!(td.list_rules(&noc).await.unwrap().is_empty());
        let e = td.delete_rule(&noc, r.id).await.unwrap_err();
        assert_eq!(e.message(), format!("Rule {} not found", r.id));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_crud_and_cycles() {
    each(|td| async move {
        let noc = admin("acme");
        let n = td
            .add_topology_edges(
                &noc,
                vec![
                    TopologyEdge::new("core", "olt-1"),
                    TopologyEdge::new("olt-1", "ont-1"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(n, 2);
        let before = td.count("topology_edges").await;
        let e = td
            .add_topology_edges(
                &noc,
                vec![
                    TopologyEdge::new("x", "y"),
                    TopologyEdge::new("ont-1", "core"),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Validation,
            "{}: {}",
            td.name,
            e.message()
        );
        assert_eq!(td.count("topology_edges").await, before, "all or nothing");
        let e = td
            .add_topology_edges(&noc, vec![TopologyEdge::new("a", "a")])
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        let removed = td
            .remove_topology_edges(
                &noc,
                vec![
                    TopologyEdge::new("olt-1", "ont-1"),
                    TopologyEdge::new("nope", "none"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(removed, 1);
        assert_eq!(td.count("topology_edges").await, 1);
        // Now the reverse edge is allowed.
        td.add_topology_edges(&noc, vec![TopologyEdge::new("ont-1", "core")])
            .await
            .unwrap();
        assert_eq!(td.count("topology_edges").await, 2);
    })
    .await;
}
