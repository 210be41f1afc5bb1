//! Repository tests, each on SQLite file, SQLite memory and PostgreSQL (when configured).

mod common;

use chrono::Duration;
use common::*;
use faultdesk_storage::*;
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn migrations_are_idempotent_and_versioned() {
    each(|db| async move {
        assert_eq!(
            db.store.schema_version().await.unwrap(),
            migration::LATEST_VERSION
        );
        db.store.migrate().await.unwrap();
        db.store.migrate_to(1).await.unwrap();
        assert_eq!(
            db.store.schema_version().await.unwrap(),
            migration::LATEST_VERSION
        );
    })
    .await;
}

#[tokio::test]
async fn database_of_version_1_upgrades_in_place() {
    for mut db in backends_at(Some(1)).await {
        eprintln!("--- backend {}", db.name);
        let _dir = db.dir.take();
        assert_eq!(db.store.schema_version().await.unwrap(), 1);
        let t = ticket("ten", 1, t0());
        let a = alarm("ten", "k1", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_ticket(&t).await.unwrap();
        tx.insert_comment(&comment(&t, "splice enclosure flooded", "public", t0()))
            .await
            .unwrap();
        tx.insert_alarm(&a).await.unwrap();
        tx.set_ticket_labels("ten", t.id, &labels(&[("contractor_id", "c1")]))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        db.store.migrate().await.unwrap();
        assert_eq!(
            db.store.schema_version().await.unwrap(),
            migration::LATEST_VERSION
        );

        let tx = db.store.begin().await.unwrap();
        assert_eq!(tx.get_ticket("ten", t.id).await.unwrap().unwrap(), t);
        assert_eq!(tx.get_alarm("ten", a.id).await.unwrap().unwrap(), a);
        assert_eq!(
            tx.get_ticket_labels("ten", t.id).await.unwrap(),
            labels(&[("contractor_id", "c1")])
        );
        // The search index was backfilled from rows written before the upgrade.
        let hits = tx
            .search_tickets(
                "ten",
                "flooded",
                false,
                &TicketFilter::default(),
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(hits.total, 1, "backfilled comment is searchable");
        assert_eq!(hits.items[0].ticket.id, t.id);
        // New tables exist.
        let seq = tx
            .insert_outbox("ten", "ticket.created", None, false, &json!({}), t0())
            .await
            .unwrap();
        assert!(seq >= 1);
        tx.commit().await.unwrap();
    }
}

/// The query plan of `sql` (SQLite `EXPLAIN QUERY PLAN` details / PostgreSQL `EXPLAIN` lines).
/// On PostgreSQL sequential scans are disabled for the statement: test tables are tiny, and the
/// point is which index the planner *can* use.
async fn plan_of(db: &Db, sql: &str) -> String {
    use sea_orm::TransactionTrait;
    let conn = db.store.connection();
    let pg = db.store.backend() == Backend::Postgres;
    let txn = conn.begin().await.unwrap();
    if pg {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .unwrap();
    }
    let (prefix, col) = if pg {
        ("EXPLAIN ", "QUERY PLAN")
    } else {
        ("EXPLAIN QUERY PLAN ", "detail")
    };
    let rows = txn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("{prefix}{sql}"),
        ))
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", col).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn database_of_version_3_upgrades_to_lean_alarm_indexes() {
    for mut db in backends_at(Some(3)).await {
        eprintln!("--- backend {}", db.name);
        let _dir = db.dir.take();
        let t = ticket("ten", 1, t0());
        let mut linked = alarm("ten", "k-linked", t0());
        linked.ticket_id = Some(t.id);
        linked.customer_id = Some("cust-1".into());
        let mut child = alarm("ten", "k-child", t0());
        child.parent_alarm_id = Some(linked.id);
        child.correlation_id = Some(Uuid::now_v7());
        let mut closed = alarm("ten", "k-closed", t0());
        closed.status = "cleared".into();
        let tx = db.store.begin().await.unwrap();
        tx.insert_ticket(&t).await.unwrap();
        tx.insert_alarms(&[linked.clone(), child.clone(), closed.clone()])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        db.store.migrate().await.unwrap();
        assert_eq!(
            db.store.schema_version().await.unwrap(),
            migration::LATEST_VERSION
        );

        let tx = db.store.begin().await.unwrap();
        for a in [&linked, &child, &closed] {
            assert_eq!(&tx.get_alarm("ten", a.id).await.unwrap().unwrap(), a);
        }
        // One alarm per ticket is still enforced by the (now partial) unique index.
        let mut second = alarm("ten", "k-second", t0());
        second.ticket_id = Some(t.id);
        let err = tx.insert_alarm(&second).await.unwrap_err();
        assert!(err.is_conflict(), "{err}");
        tx.rollback().await.unwrap();
        let tx = db.store.begin().await.unwrap();
        assert_eq!(
            tx.alarm_children("ten", linked.id).await.unwrap(),
            vec![child.clone()]
        );
        assert_eq!(
            tx.archive_cleared("ten", t0() + Duration::days(1), t0() + Duration::days(2))
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();

        // The partial indexes serve the queries that read them.
        let cases = [
            (
                "ix_alarms_parent",
                format!(
                    "SELECT id FROM alarms WHERE tenant_id = 'ten' AND parent_alarm_id = '{}'",
                    linked.id
                ),
            ),
            (
                "ix_alarms_closed",
                "SELECT id FROM alarms WHERE tenant_id = 'ten' AND status IN ('cleared', 'resolved') \
                 AND updated_at < '2026-03-10T00:00:00.000000Z'"
                    .to_string(),
            ),
            (
                "ix_alarms_unacked",
                "SELECT id FROM alarms WHERE tenant_id = 'ten' AND status = 'active' \
                 AND ticket_id IS NULL AND severity IN ('critical', 'major') \
                 AND first_occurrence <= '2026-03-10T00:00:00.000000Z' ORDER BY first_occurrence"
                    .to_string(),
            ),
        ];
        for (index, sql) in cases {
            let plan = plan_of(&db, &sql).await;
            assert!(plan.contains(index), "{index} not used: {plan}");
        }
    }
}

#[tokio::test]
async fn bad_url_is_a_clear_error() {
    let err = Store::connect("mysql://nope").await.unwrap_err();
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );
}

#[tokio::test]
async fn alarm_roundtrip_update_and_tenancy() {
    each(|db| async move {
        let mut a = alarm("ten", "k1", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarm(&a).await.unwrap();
        assert_eq!(tx.get_alarm("ten", a.id).await.unwrap().unwrap(), a);
        assert!(tx.get_alarm("other", a.id).await.unwrap().is_none());
        a.status = "acknowledged".into();
        a.acknowledged_at = Some(t0() + Duration::milliseconds(1500));
        a.acknowledged_by = Some("op".into());
        a.occurrence_count = 7;
        tx.update_alarm(&a).await.unwrap();
        let got = tx.get_alarm_for_update("ten", a.id).await.unwrap().unwrap();
        assert_eq!(got, a);
        assert_eq!(
            tx.find_open_alarm_by_key("ten", "k1")
                .await
                .unwrap()
                .unwrap()
                .id,
            a.id
        );
        assert!(
            tx.find_open_alarm_by_key("other", "k1")
                .await
                .unwrap()
                .is_none()
        );
        let mut ghost = a.clone();
        ghost.id = Uuid::now_v7();
        let err = tx.update_alarm(&ghost).await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
        let mut foreign = a.clone();
        foreign.tenant_id = "other".into();
        assert!(tx.update_alarm(&foreign).await.unwrap_err().is_not_found());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn one_open_alarm_per_reduction_key() {
    each(|db| async move {
        let mut a = alarm("ten", "dup", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarm(&a).await.unwrap();
        tx.commit().await.unwrap();

        let tx = db.store.begin().await.unwrap();
        let err = tx
            .insert_alarm(&alarm("ten", "dup", t0()))
            .await
            .unwrap_err();
        assert!(err.is_conflict(), "{err}");
        tx.rollback().await.unwrap();

        // Another tenant may have the same key.
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarm(&alarm("other", "dup", t0())).await.unwrap();
        // Once cleared, a new alarm with the key may open.
        a.status = "cleared".into();
        a.cleared_at = Some(t0());
        tx.update_alarm(&a).await.unwrap();
        tx.insert_alarm(&alarm("ten", "dup", t0())).await.unwrap();
        let found = tx
            .find_open_alarms_by_keys("ten", &["dup".into(), "none".into()])
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_ne!(found[0].id, a.id);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn alarm_repeats_add_to_the_stored_count() {
    each(|db| async move {
        let mut a = alarm("ten", "rep", t0());
        a.occurrence_count = 3;
        a.last_occurrence = t0() + Duration::seconds(10);
        let b = alarm("ten", "rep-b", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarms(&[a.clone(), b.clone()]).await.unwrap();
        let later = t0() + Duration::minutes(5);
        // An older occurrence (another process's event that arrived late) adds to the count
        // but does not move last_occurrence back.
        let n = tx
            .record_alarm_repeats("ten", &[(a.id, 2, t0() + Duration::seconds(5))], later)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let got = tx.get_alarm("ten", a.id).await.unwrap().unwrap();
        assert_eq!(got.occurrence_count, 5);
        assert_eq!(got.last_occurrence, a.last_occurrence);
        assert_eq!(got.updated_at, later);
        assert_eq!(got.status, a.status);
        assert_eq!(got.severity, a.severity);
        // Several alarms in one statement; another tenant's id and an unknown id change nothing.
        let n = tx
            .record_alarm_repeats(
                "ten",
                &[
                    (a.id, 1, t0() + Duration::seconds(20)),
                    (b.id, 4, t0() + Duration::seconds(30)),
                    (Uuid::now_v7(), 1, t0()),
                ],
                later,
            )
            .await
            .unwrap();
        assert_eq!(n, 2);
        let n = tx
            .record_alarm_repeats("other", &[(a.id, 100, t0() + Duration::days(1))], later)
            .await
            .unwrap();
        assert_eq!(n, 0);
        let got = tx.get_alarm("ten", a.id).await.unwrap().unwrap();
        assert_eq!(got.occurrence_count, 6);
        assert_eq!(got.last_occurrence, t0() + Duration::seconds(20));
        let got = tx.get_alarm("ten", b.id).await.unwrap().unwrap();
        assert_eq!(got.occurrence_count, 5);
        assert_eq!(got.last_occurrence, t0() + Duration::seconds(30));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn list_alarms_filters_and_pages() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let corr = Uuid::now_v7();
        let mut rows = Vec::new();
        for i in 0..30 {
            let mut a = alarm("ten", &format!("k{i}"), t0() + Duration::minutes(i));
            a.severity = if i % 3 == 0 { "critical" } else { "minor" }.into();
            a.source = if i % 2 == 0 { "cpe" } else { "monitoring" }.into();
            a.customer_id = Some(format!("c{}", i % 5));
            if i < 4 {
                a.correlation_id = Some(corr);
            }
            rows.push(a);
        }
        tx.insert_alarms(&rows).await.unwrap();
        tx.insert_alarm(&alarm("other", "k0", t0())).await.unwrap();

        let all = tx
            .list_alarms("ten", &AlarmFilter::default(), Page::new(1, 10))
            .await
            .unwrap();
        assert_eq!(all.total, 30);
        assert_eq!(all.items.len(), 10);
        assert_eq!(all.items[0].reduction_key, "k29", "most recent first");
        let p3 = tx
            .list_alarms("ten", &AlarmFilter::default(), Page::new(3, 10))
            .await
            .unwrap();
        assert_eq!(p3.items.last().unwrap().reduction_key, "k0");

        let f = AlarmFilter {
            severity: vec!["critical".into()],
            source: vec!["cpe".into()],
            ..Default::default()
        };
        let r = tx.list_alarms("ten", &f, Page::new(1, 100)).await.unwrap();
        assert_eq!(r.total, 5); // i in 0,6,12,18,24
        assert!(
            r.items
                .iter()
                .all(|a| a.severity == "critical" && a.source == "cpe")
        );

        let f = AlarmFilter {
            customer_id: Some("c1".into()),
            from: Some(t0() + Duration::minutes(10)),
            to: Some(t0() + Duration::minutes(25)),
            ..Default::default()
        };
        let r = tx.list_alarms("ten", &f, Page::new(1, 100)).await.unwrap();
        let keys: Vec<_> = r.items.iter().map(|a| a.reduction_key.clone()).collect();
        assert_eq!(keys, vec!["k21", "k16", "k11"]);

        let f = AlarmFilter {
            correlation_id: Some(corr),
            resource_type: Some("olt".into()),
            resource_id: Some("res-k2".into()),
            status: vec!["active".into()],
            ..Default::default()
        };
        assert_eq!(
            tx.list_alarms("ten", &f, Page::new(1, 10))
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            tx.alarms_by_correlation("ten", corr).await.unwrap().len(),
            4
        );
        assert_eq!(
            tx.alarms_by_correlation("other", corr).await.unwrap().len(),
            0
        );

        let err = tx
            .list_alarms("ten", &AlarmFilter::default(), Page::new(0, 10))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("page numbers start at 1"));

        let counts = tx
            .alarm_counts("ten", &AlarmFilter::default())
            .await
            .unwrap();
        assert_eq!(counts.total, 30);
        assert_eq!(counts.by_severity["critical"], 10);
        assert_eq!(counts.by_source["cpe"], 15);
        assert_eq!(counts.with_ticket, 0);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn link_alarm_ticket_is_conditional() {
    each(|db| async move {
        let a = alarm("ten", "k", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarm(&a).await.unwrap();
        let (t1, t2) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(!tx.link_alarm_ticket("other", a.id, t1, t0()).await.unwrap());
        assert!(tx.link_alarm_ticket("ten", a.id, t1, t0()).await.unwrap());
        assert!(!tx.link_alarm_ticket("ten", a.id, t2, t0()).await.unwrap());
        assert_eq!(
            tx.get_alarm("ten", a.id).await.unwrap().unwrap().ticket_id,
            Some(t1)
        );
        // One ticket per alarm: the same ticket cannot be linked to a second alarm.
        let b = alarm("ten", "k2", t0());
        tx.insert_alarm(&b).await.unwrap();
        let err = tx
            .link_alarm_ticket("ten", b.id, t1, t0())
            .await
            .unwrap_err();
        assert!(err.is_conflict(), "{err}");
        tx.rollback().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn claim_alarm_for_ticket_links_once() {
    each(|db| async move {
        let a = alarm("ten", "k", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarm(&a).await.unwrap();
        let (t1, t2) = (Uuid::now_v7(), Uuid::now_v7());
        let later = t0() + Duration::minutes(3);
        // Another tenant's alarm and an unknown id are not found and change nothing.
        assert_eq!(
            tx.claim_alarm_for_ticket("other", a.id, t1, later)
                .await
                .unwrap(),
            AlarmClaim::NotFound
        );
        assert_eq!(
            tx.claim_alarm_for_ticket("ten", Uuid::now_v7(), t1, later)
                .await
                .unwrap(),
            AlarmClaim::NotFound
        );
        assert_eq!(
            tx.get_alarm("ten", a.id).await.unwrap().unwrap().ticket_id,
            None
        );
        let AlarmClaim::Linked(row) = tx
            .claim_alarm_for_ticket("ten", a.id, t1, later)
            .await
            .unwrap()
        else {
            panic!("{}: first claim must link", db.name);
        };
        assert_eq!(row.id, a.id);
        assert_eq!(row.ticket_id, Some(t1));
        assert_eq!(row.updated_at, later);
        assert_eq!(
            (&row.reduction_key, &row.title, row.created_at),
            (&a.reduction_key, &a.title, a.created_at)
        );
        // A second claim reports the ticket that won and leaves it.
        assert_eq!(
            tx.claim_alarm_for_ticket("ten", a.id, t2, later)
                .await
                .unwrap(),
            AlarmClaim::AlreadyLinked(t1)
        );
        assert_eq!(
            tx.get_alarm("ten", a.id).await.unwrap().unwrap().ticket_id,
            Some(t1)
        );
        tx.rollback().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn alarm_events_notes_children_and_archive() {
    each(|db| async move {
        let parent = alarm("ten", "p", t0());
        let mut child = alarm("ten", "c", t0() + Duration::seconds(5));
        child.parent_alarm_id = Some(parent.id);
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarms(&[parent.clone(), child.clone()])
            .await
            .unwrap();
        let events: Vec<_> = (0..1000)
            .map(|i| event("ten", Some(parent.id), i))
            .collect();
        assert_eq!(tx.insert_alarm_events(&events).await.unwrap(), 1000);
        let listed = tx.list_alarm_events("ten", parent.id).await.unwrap();
        assert_eq!(listed.len(), 1000);
        assert_eq!(listed[0], events[0]);
        assert!(
            tx.list_alarm_events("other", parent.id)
                .await
                .unwrap()
                .is_empty()
        );

        let note = AlarmNoteRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            alarm_id: parent.id,
            author_id: "op".into(),
            note_type: "investigation".into(),
            content: "checked power".into(),
            created_at: t0(),
        };
        tx.insert_alarm_note(&note).await.unwrap();
        assert_eq!(
            tx.list_alarm_notes("ten", parent.id).await.unwrap(),
            vec![note]
        );
        let kids = tx.alarm_children("ten", parent.id).await.unwrap();
        assert_eq!(kids.len(), 1);
        assert_eq!(kids[0].id, child.id);

        let un = tx
            .unacknowledged_alarms(
                Some("ten"),
                &["critical".into()],
                t0() + Duration::seconds(1),
            )
            .await
            .unwrap();
        assert_eq!(un.len(), 1);
        assert_eq!(un[0].id, parent.id);
        assert_eq!(tx.open_alarms(Some("ten")).await.unwrap().len(), 2);

        let mut cleared = child.clone();
        cleared.status = "cleared".into();
        cleared.cleared_at = Some(t0());
        tx.update_alarm(&cleared).await.unwrap();
        let now = t0() + Duration::days(100);
        let moved = tx
            .archive_cleared("ten", t0() + Duration::days(10), now)
            .await
            .unwrap();
        assert_eq!(moved, 1);
        assert!(tx.get_alarm("ten", child.id).await.unwrap().is_none());
        assert_eq!(
            tx.get_archived_alarm("ten", child.id)
                .await
                .unwrap()
                .unwrap(),
            cleared
        );
        assert!(tx.get_alarm("ten", parent.id).await.unwrap().is_some());
        assert_eq!(
            tx.archive_cleared("ten", t0() + Duration::days(10), now)
                .await
                .unwrap(),
            0
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn rules_topology_and_maintenance() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let mut rule = RuleRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            name: "OLT to ONT".into(),
            rule_type: "correlation".into(),
            description: None,
            enabled: true,
            priority: 10,
            conditions: json!({"parent": {"alarm_type": "device.down"}}),
            actions: json!({"suppress_child_alarms": true}),
            time_window_seconds: Some(300),
            created_at: t0(),
            updated_at: t0(),
        };
        tx.insert_rule(&rule).await.unwrap();
        rule.enabled = false;
        tx.update_rule(&rule).await.unwrap();
        assert_eq!(tx.get_rule("ten", rule.id).await.unwrap().unwrap(), rule);
        assert_eq!(tx.list_rules("ten", false).await.unwrap().len(), 1);
        assert!(tx.list_rules("ten", true).await.unwrap().is_empty());
        assert!(tx.get_rule("other", rule.id).await.unwrap().is_none());
        assert!(!tx.delete_rule("other", rule.id).await.unwrap());
        assert!(tx.delete_rule("ten", rule.id).await.unwrap());
        assert!(tx.get_rule("ten", rule.id).await.unwrap().is_none());

        let edge = |p: &str, c: &str| TopologyEdgeRow {
            tenant_id: "ten".into(),
            parent_id: p.into(),
            child_id: c.into(),
            created_at: t0(),
        };
        assert_eq!(
            tx.add_topology_edges(&[edge("olt1", "ont1"), edge("olt1", "ont2")])
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            tx.add_topology_edges(&[edge("olt1", "ont1")])
                .await
                .unwrap(),
            0
        );
        assert_eq!(tx.list_topology_edges("ten").await.unwrap().len(), 2);
        assert_eq!(
            tx.remove_topology_edges("ten", &[("olt1".into(), "ont1".into())])
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            tx.list_topology_edges("ten").await.unwrap(),
            vec![edge("olt1", "ont2")]
        );

        let mut w = MaintenanceWindowRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            title: "Firmware".into(),
            description: None,
            start_time: t0(),
            end_time: t0() + Duration::hours(2),
            status: "scheduled".into(),
            scope: json!({"resource_ids": ["olt1"]}),
            suppress_alarms: true,
            notify_customers: false,
            created_by: Some("op".into()),
            created_at: t0(),
            updated_at: t0(),
        };
        tx.insert_maintenance_window(&w).await.unwrap();
        let inside = MaintenanceFilter {
            overlapping: Some((t0() + Duration::hours(1), t0() + Duration::hours(3))),
            status: vec![],
        };
        let outside = MaintenanceFilter {
            overlapping: Some((t0() + Duration::hours(2), t0() + Duration::hours(3))),
            status: vec![],
        };
        assert_eq!(
            tx.list_maintenance_windows(Some("ten"), &inside)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            tx.list_maintenance_windows(Some("ten"), &outside)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            tx.list_maintenance_windows(Some("other"), &inside)
                .await
                .unwrap()
                .is_empty()
        );
        w.status = "cancelled".into();
        tx.update_maintenance_window(&w).await.unwrap();
        assert_eq!(
            tx.get_maintenance_window("ten", w.id)
                .await
                .unwrap()
                .unwrap(),
            w
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn sla_rows_of_version_2_upgrade_in_place() {
    for mut db in backends_at(Some(2)).await {
        eprintln!("--- backend {}", db.name);
        let _dir = db.dir.take();
        // A definition and an instance written with m0002's columns (as another program would).
        let def_id = Uuid::now_v7();
        let inst_id = Uuid::now_v7();
        let conn = db.store.connection();
        let (u, ts) = if db.name == "postgres" {
            ("::uuid", "::timestamptz")
        } else {
            ("", "")
        };
        conn.execute_unprepared(&format!(
            "INSERT INTO sla_definitions (id, tenant_id, name, availability_target, \
             measurement_period_days, created_at, updated_at) VALUES ('{def_id}'{u}, 'ten', \
             'Legacy 99.5%', '0.995'{n}, 30, '2026-03-02T09:00:00.000000Z'{ts}, \
             '2026-03-02T09:00:00.000000Z'{ts})",
            n = if db.name == "postgres" {
                "::numeric"
            } else {
                ""
            },
        ))
        .await
        .unwrap();
        conn.execute_unprepared(&format!(
            "INSERT INTO sla_instances (id, tenant_id, sla_definition_id, customer_id, \
             resource_id, status, period_start, period_end, created_at, updated_at) VALUES \
             ('{inst_id}'{u}, 'ten', '{def_id}'{u}, 'cust-1', 'olt1', 'active', \
             '2026-03-01T00:00:00.000000Z'{ts}, '2026-03-31T00:00:00.000000Z'{ts}, \
             '2026-03-02T09:00:00.000000Z'{ts}, '2026-03-02T09:00:00.000000Z'{ts})"
        ))
        .await
        .unwrap();
        db.store.migrate().await.unwrap();
        assert_eq!(
            db.store.schema_version().await.unwrap(),
            migration::LATEST_VERSION
        );
        let tx = db.store.begin().await.unwrap();
        let d = tx.get_sla_definition("ten", def_id).await.unwrap().unwrap();
        assert_eq!(
            (d.name.as_str(), d.measurement_period_days),
            ("Legacy 99.5%", 30)
        );
        assert_eq!(d.definition, None);
        let i = tx.get_sla_instance("ten", inst_id).await.unwrap().unwrap();
        assert_eq!(i.resource_id.as_deref(), Some("olt1"));
        assert_eq!((i.definition, i.scope, i.next_check_at), (None, None, None));
        assert!(
            tx.list_sla_outages("ten", &[inst_id])
                .await
                .unwrap()
                .is_empty()
        );
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn sla_rows_and_idempotent_breaches() {
    use rust_decimal::Decimal;
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let def = SlaDefinitionRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            name: "Enterprise Fiber 99.9%".into(),
            description: None,
            service_type: Some("fiber".into()),
            availability_target: Decimal::new(999, 3),
            measurement_period_days: 30,
            business_hours_only: false,
            calendar: None,
            exclude_maintenance: true,
            performance_targets: json!({"max_latency_ms": "10.0"}),
            response_times: json!({"critical": 15}),
            resolution_times: json!({"critical": 240}),
            credit_policy: json!({"tiers": [], "cap_percent": "25"}),
            enabled: true,
            created_at: t0(),
            updated_at: t0(),
            definition: Some(json!({"name": "Enterprise Fiber 99.9%"})),
        };
        tx.insert_sla_definition(&def).await.unwrap();
        assert_eq!(
            tx.get_sla_definition("ten", def.id).await.unwrap().unwrap(),
            def
        );
        let mut inst = SlaInstanceRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            sla_definition_id: def.id,
            customer_id: "cust-1".into(),
            service_id: None,
            resource_type: Some("olt".into()),
            resource_id: Some("olt1".into()),
            status: "active".into(),
            period_start: t0(),
            period_end: t0() + Duration::days(30),
            current_availability: None,
            planned_downtime_seconds: 0,
            unplanned_downtime_seconds: 0,
            breach_count: 0,
            credit_amount: Decimal::ZERO,
            monthly_fee: Some(Decimal::new(123456, 2)),
            currency: Some("USD".into()),
            metadata: json!({}),
            created_at: t0(),
            updated_at: t0(),
            definition: None,
            scope: Some(json!({"customer_id": "cust-1", "resource_ids": ["olt1"]})),
            next_check_at: Some(t0() + Duration::days(30)),
        };
        tx.insert_sla_instance(&inst).await.unwrap();
        inst.unplanned_downtime_seconds = 3600;
        inst.current_availability = Some(Decimal::new(99861, 5));
        tx.update_sla_instance(&inst).await.unwrap();
        assert_eq!(
            tx.get_sla_instance_for_update("ten", inst.id)
                .await
                .unwrap()
                .unwrap(),
            inst
        );
        assert_eq!(
            tx.list_sla_instances("ten", Some("cust-1"), Some("active"))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            tx.sla_instances_covering("ten", Some("olt1"), None, t0() + Duration::days(1))
                .await
                .unwrap()
                .len(),
            1
        );
        let breach = SlaBreachRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            sla_instance_id: inst.id,
            breach_key: "availability:2026-03".into(),
            breach_type: "availability".into(),
            alarm_id: None,
            ticket_id: None,
            breach_start: t0(),
            breach_end: None,
            duration_seconds: None,
            target_value: Some(Decimal::new(999, 3)),
            actual_value: Some(Decimal::new(99861, 5)),
            credit_amount: Some(Decimal::new(6173, 2)),
            resolved: false,
            resolved_at: None,
            details: json!({}),
            created_at: t0(),
        };
        assert!(tx.insert_sla_breach(&breach).await.unwrap());
        let mut again = breach.clone();
        again.id = Uuid::now_v7();
        assert!(
            !tx.insert_sla_breach(&again).await.unwrap(),
            "recorded once"
        );
        let listed = tx
            .list_sla_breaches("ten", Some(inst.id), None)
            .await
            .unwrap();
        assert_eq!(listed, vec![breach]);

        // An instance of an unknown definition is rejected by the foreign key.
        let mut orphan = inst.clone();
        orphan.id = Uuid::now_v7();
        orphan.sla_definition_id = Uuid::now_v7();
        let err = tx.insert_sla_instance(&orphan).await.unwrap_err();
        assert!(err.is_conflict(), "{err}");
        tx.rollback().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn sla_outages_claims_and_scope_lookups() {
    use rust_decimal::Decimal;
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let def = SlaDefinitionRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            name: "Gold".into(),
            description: None,
            service_type: None,
            availability_target: Decimal::new(999, 3),
            measurement_period_days: 0,
            business_hours_only: false,
            calendar: None,
            exclude_maintenance: true,
            performance_targets: json!({}),
            response_times: json!({}),
            resolution_times: json!({}),
            credit_policy: json!({}),
            enabled: true,
            created_at: t0(),
            updated_at: t0(),
            definition: None,
        };
        tx.insert_sla_definition(&def).await.unwrap();
        let inst = |customer: &str, next: Option<chrono::DateTime<chrono::Utc>>| SlaInstanceRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            sla_definition_id: def.id,
            customer_id: customer.into(),
            service_id: None,
            resource_type: None,
            resource_id: None,
            status: "active".into(),
            period_start: t0(),
            period_end: t0() + Duration::days(30),
            current_availability: None,
            planned_downtime_seconds: 0,
            unplanned_downtime_seconds: 0,
            breach_count: 0,
            credit_amount: Decimal::ZERO,
            monthly_fee: None,
            currency: None,
            metadata: json!({}),
            created_at: t0(),
            updated_at: t0(),
            definition: None,
            scope: None,
            next_check_at: next,
        };
        let a = inst("c1", Some(t0() + Duration::hours(1)));
        let b = inst("c2", Some(t0() + Duration::hours(3)));
        let c = inst("c1", None);
        tx.insert_sla_instances(&[a.clone(), b.clone(), c.clone()])
            .await
            .unwrap();
        assert_eq!(
            tx.count_sla_instances_of_definition("ten", def.id)
                .await
                .unwrap(),
            3
        );
        // What the scheduler's first read sees: instances due at +2 h (not at +30 min).
        assert_eq!(
            tx.sla_checks_due(t0() + Duration::minutes(30))
                .await
                .unwrap(),
            (false, false)
        );
        assert_eq!(
            tx.sla_checks_due(t0() + Duration::hours(2)).await.unwrap(),
            (false, true)
        );
        let due = tx
            .claim_due_sla_instances(t0() + Duration::hours(2), 10)
            .await
            .unwrap();
        assert_eq!(due.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a.id]);
        let filter = SlaInstanceFilter {
            customer_id: Some("c1".into()),
            overlapping: Some((t0() + Duration::days(1), t0() + Duration::days(2))),
            ..Default::default()
        };
        assert_eq!(
            tx.sla_instances_matching("ten", &filter)
                .await
                .unwrap()
                .len(),
            2
        );
        let page = tx
            .list_sla_instances_page("ten", &filter, Page::new(2, 1))
            .await
            .unwrap();
        assert_eq!((page.total, page.items.len()), (2, 1));
        assert!(
            tx.sla_instances_matching("other", &SlaInstanceFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        let mut o = SlaOutageRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            sla_instance_id: a.id,
            alarm_id: Uuid::now_v7(),
            severity: "major".into(),
            service_affecting: true,
            started_at: t0(),
            acknowledged_at: None,
            ended_at: None,
            created_at: t0(),
            updated_at: t0(),
        };
        tx.insert_sla_outages(std::slice::from_ref(&o))
            .await
            .unwrap();
        o.ended_at = Some(t0() + Duration::minutes(30));
        tx.update_sla_outage(&o).await.unwrap();
        assert_eq!(
            tx.list_sla_outages("ten", &[a.id, b.id]).await.unwrap(),
            vec![o.clone()]
        );
        // One interval per alarm and start.
        let mut dup = o.clone();
        dup.id = Uuid::now_v7();
        assert!(
            tx.insert_sla_outages(&[dup])
                .await
                .unwrap_err()
                .is_conflict()
        );
        tx.rollback().await.unwrap();

        let tx = db.store.begin().await.unwrap();
        tx.add_topology_edges(&[
            TopologyEdgeRow {
                tenant_id: "ten".into(),
                parent_id: "olt".into(),
                child_id: "port".into(),
                created_at: t0(),
            },
            TopologyEdgeRow {
                tenant_id: "ten".into(),
                parent_id: "port".into(),
                child_id: "ont".into(),
                created_at: t0(),
            },
        ])
        .await
        .unwrap();
        assert_eq!(
            tx.topology_parents("ten", &["ont".into(), "port".into(), "x".into()])
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            tx.topology_parents("other", &["ont".into()])
                .await
                .unwrap()
                .is_empty()
        );
        let mut open = alarm("ten", "k-open", t0());
        open.customer_id = Some("c1".into());
        let mut closed = alarm("ten", "k-closed", t0() - Duration::days(3));
        closed.status = "cleared".into();
        closed.cleared_at = Some(t0() - Duration::days(2));
        closed.resource_id = Some("ont".into());
        tx.insert_alarms(&[open.clone(), closed]).await.unwrap();
        let found = tx
            .alarms_touching(
                "ten",
                &["c1".into()],
                &["ont".into()],
                t0() - Duration::days(1),
                t0() + Duration::days(1),
            )
            .await
            .unwrap();
        assert_eq!(
            found.iter().map(|a| a.id).collect::<Vec<_>>(),
            vec![open.id]
        );
        tx.rollback().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn ticket_numbers_crud_versions_and_delete() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        assert_eq!(tx.allocate_ticket_number("ten", 2026).await.unwrap(), 1);
        assert_eq!(tx.allocate_ticket_number("ten", 2026).await.unwrap(), 2);
        assert_eq!(tx.allocate_ticket_number("ten", 2027).await.unwrap(), 1);
        assert_eq!(tx.allocate_ticket_number("other", 2026).await.unwrap(), 1);

        let mut t = ticket("ten", 1, t0());
        t.is_open = false; // recomputed from category
        tx.insert_ticket(&t).await.unwrap();
        t.is_open = true;
        assert_eq!(tx.get_ticket("ten", t.id).await.unwrap().unwrap(), t);
        assert_eq!(
            tx.get_ticket_by_number("ten", "TKT-2026-000001")
                .await
                .unwrap()
                .unwrap()
                .id,
            t.id
        );
        assert!(
            tx.get_ticket_by_number("other", "TKT-2026-000001")
                .await
                .unwrap()
                .is_none()
        );
        assert!(tx.get_ticket("other", t.id).await.unwrap().is_none());

        tx.commit().await.unwrap();
        // A failed statement aborts a PostgreSQL transaction: roll back after a Conflict.
        let tx = db.store.begin().await.unwrap();
        let mut dup = ticket("ten", 1, t0());
        dup.number = t.number.clone();
        let err = tx.insert_ticket(&dup).await.unwrap_err();
        assert!(err.is_conflict(), "{err}");
        tx.rollback().await.unwrap();

        let tx = db.store.begin().await.unwrap();
        let mut t2 = tx
            .get_ticket_for_update("ten", t.id)
            .await
            .unwrap()
            .unwrap();
        t2.status = "resolved".into();
        t2.category = "resolved".into();
        t2.priority = 4;
        t2.resolved_at = Some(t0() + Duration::hours(1));
        assert_eq!(tx.update_ticket(&t2).await.unwrap(), 2);
        let stored = tx.get_ticket("ten", t.id).await.unwrap().unwrap();
        assert!(!stored.is_open);
        assert_eq!(stored.version, 2);
        // Stale version.
        let err = tx.update_ticket(&t2).await.unwrap_err();
        assert!(
            err.is_conflict() && err.to_string().contains("modified concurrently"),
            "{err}"
        );
        let mut ghost = t2.clone();
        ghost.id = Uuid::now_v7();
        assert!(tx.update_ticket(&ghost).await.unwrap_err().is_not_found());

        assert!(
            tx.soft_delete_ticket("ten", t.id, "admin", t0())
                .await
                .unwrap()
        );
        assert!(
            !tx.soft_delete_ticket("ten", t.id, "admin", t0())
                .await
                .unwrap()
        );
        assert!(
            !tx.soft_delete_ticket("other", t.id, "admin", t0())
                .await
                .unwrap()
        );
        let deleted = tx.get_ticket("ten", t.id).await.unwrap().unwrap();
        assert_eq!(deleted.deleted_by.as_deref(), Some("admin"));
        let listed = tx
            .list_tickets(
                "ten",
                &TicketFilter::default(),
                &TicketSort::default(),
                &TicketPaging::Page(Page::default()),
            )
            .await
            .unwrap();
        assert_eq!(listed.total, 0, "deleted tickets are not listed");
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn ticket_audit_log_is_append_only() {
    each(|db| async move {
        let t = ticket("ten", 1, t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_ticket(&t).await.unwrap();
        let evs = vec![
            ticket_event(&t, "CREATED", t0()),
            ticket_event(&t, "STATUS_CHANGE", t0() + Duration::seconds(1)),
        ];
        tx.insert_ticket_events(&evs).await.unwrap();
        assert_eq!(tx.list_ticket_events("ten", t.id).await.unwrap(), evs);
        assert!(
            tx.list_ticket_events("other", t.id)
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();
        for sql in [
            "UPDATE ticket_events SET actor_id = 'x'",
            "DELETE FROM ticket_events",
        ] {
            let err = db
                .store
                .connection()
                .execute_unprepared(sql)
                .await
                .unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        let tx = db.store.begin().await.unwrap();
        assert_eq!(tx.list_ticket_events("ten", t.id).await.unwrap().len(), 2);
        tx.commit().await.unwrap();
    })
    .await;
}

async fn seed_tickets(tx: &Tx) -> Vec<TicketRow> {
    let mut out = Vec::new();
    for i in 0..40i64 {
        let mut t = ticket("ten", i + 1, t0() + Duration::minutes(i));
        t.priority = (i % 4 + 1) as i16;
        let (status, cat) = match i % 5 {
            0 => ("new", "new"),
            1 => ("in_progress", "open"),
            2 => ("pending_info", "pending"),
            3 => ("resolved", "resolved"),
            _ => ("closed", "closed"),
        };
        t.status = status.into();
        t.category = cat.into();
        t.is_open = is_open_category(cat);
        t.ticket_type = if i % 2 == 0 { "fault" } else { "outage" }.into();
        t.assignee_id = if i % 3 == 0 {
            Some("eng-1".into())
        } else {
            None
        };
        t.reporter_id = format!("rep-{}", i % 2);
        t.due_at = if i % 4 == 0 {
            Some(t0() + Duration::days(40 - i))
        } else {
            None
        };
        if i == 7 {
            t.subject = "Special 50% off_case".into();
        }
        out.push(t);
    }
    tx.insert_tickets(&out).await.unwrap();
    for t in &out {
        let c = format!("c{}", t.number_seq % 3);
        tx.set_ticket_labels(
            "ten",
            t.id,
            &labels(&[("contractor_id", &c), ("project", "p1")]),
        )
        .await
        .unwrap();
    }
    tx.insert_ticket(&ticket("other", 1, t0())).await.unwrap();
    out
}

fn expect_order(mut rows: Vec<TicketRow>, sort: &[(TicketSortField, SortDir)]) -> Vec<Uuid> {
    rows.sort_by(|a, b| {
        for (f, d) in sort {
            let o = match f {
                TicketSortField::Priority => a.priority.cmp(&b.priority),
                TicketSortField::CreatedAt => a.created_at.cmp(&b.created_at),
                TicketSortField::UpdatedAt => a.updated_at.cmp(&b.updated_at),
                TicketSortField::DueAt => a
                    .due_at
                    .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
                    .cmp(&b.due_at.unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)),
                TicketSortField::Number => {
                    (a.number_year, a.number_seq).cmp(&(b.number_year, b.number_seq))
                }
                TicketSortField::Status => a.status.cmp(&b.status),
            };
            let o = if *d == SortDir::Desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        let last = sort.last().unwrap().1;
        let o = a.id.cmp(&b.id);
        if last == SortDir::Desc {
            o.reverse()
        } else {
            o
        }
    });
    rows.into_iter().map(|t| t.id).collect()
}

#[tokio::test]
async fn list_tickets_filters() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let all = seed_tickets(&tx).await;
        let page = TicketPaging::Page(Page::new(1, 100));
        let sort = TicketSort::default();
        let run = |f: TicketFilter| {
            let tx = &tx;
            let page = page.clone();
            let sort = sort.clone();
            async move { tx.list_tickets("ten", &f, &sort, &page).await.unwrap() }
        };
        let check = |got: Paged<TicketRow>, pred: &dyn Fn(&TicketRow) -> bool| {
            let want: Vec<TicketRow> = all.iter().filter(|t| pred(t)).cloned().collect();
            assert_eq!(got.total as usize, want.len());
            assert_eq!(
                got.items.iter().map(|t| t.id).collect::<Vec<_>>(),
                expect_order(want, &TicketSort::default().keys)
            );
        };
        check(run(TicketFilter::default()).await, &|_| true);
        check(
            run(TicketFilter {
                open_only: true,
                ..Default::default()
            })
            .await,
            &|t| t.is_open,
        );
        check(
            run(TicketFilter {
                status: vec!["new".into(), "closed".into()],
                ..Default::default()
            })
            .await,
            &|t| t.status == "new" || t.status == "closed",
        );
        check(
            run(TicketFilter {
                category: vec!["pending".into()],
                priority: vec![3, 4],
                ..Default::default()
            })
            .await,
            &|t| t.category == "pending" && t.priority >= 3,
        );
        check(
            run(TicketFilter {
                ticket_type: vec!["outage".into()],
                assignee_id: Some("eng-1".into()),
                ..Default::default()
            })
            .await,
            &|t| t.ticket_type == "outage" && t.assignee_id.as_deref() == Some("eng-1"),
        );
        check(
            run(TicketFilter {
                unassigned: true,
                reporter_only: Some("rep-1".into()),
                ..Default::default()
            })
            .await,
            &|t| t.assignee_id.is_none() && t.reporter_id == "rep-1",
        );
        check(
            run(TicketFilter {
                labels: labels(&[("contractor_id", "c1")]),
                open_only: true,
                ..Default::default()
            })
            .await,
            &|t| t.number_seq % 3 == 1 && t.is_open,
        );
        check(
            run(TicketFilter {
                labels: labels(&[("contractor_id", "c2"), ("project", "p1")]),
                ..Default::default()
            })
            .await,
            &|t| t.number_seq % 3 == 2,
        );
        check(
            run(TicketFilter {
                labels: labels(&[("contractor_id", "c2"), ("project", "nope")]),
                ..Default::default()
            })
            .await,
            &|_| false,
        );
        check(
            run(TicketFilter {
                created_from: Some(t0() + Duration::minutes(10)),
                created_to: Some(t0() + Duration::minutes(20)),
                ..Default::default()
            })
            .await,
            &|t| {
                t.created_at >= t0() + Duration::minutes(10)
                    && t.created_at < t0() + Duration::minutes(20)
            },
        );
        // LIKE wildcards in user text are literal.
        check(
            run(TicketFilter {
                text: Some("50% OFF_".into()),
                ..Default::default()
            })
            .await,
            &|t| t.number_seq == 8,
        );
        check(
            run(TicketFilter {
                text: Some("%".into()),
                ..Default::default()
            })
            .await,
            &|t| t.number_seq == 8,
        );

        let counts = tx
            .ticket_counts("ten", &TicketFilter::default())
            .await
            .unwrap();
        assert_eq!(counts.total, 40);
        assert_eq!(counts.open, 24);
        assert_eq!(counts.by_priority[&4], 10);
        assert_eq!(counts.by_category["closed"], 8);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn list_tickets_sorts_pages_and_cursors() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let all = seed_tickets(&tx).await;
        let sorts = vec![
            TicketSort::default(),
            TicketSort::newest(),
            TicketSort {
                keys: vec![
                    (TicketSortField::Priority, SortDir::Asc),
                    (TicketSortField::CreatedAt, SortDir::Desc),
                ],
            },
            TicketSort {
                keys: vec![(TicketSortField::DueAt, SortDir::Asc)],
            },
            TicketSort {
                keys: vec![(TicketSortField::Number, SortDir::Asc)],
            },
            TicketSort {
                keys: vec![
                    (TicketSortField::Status, SortDir::Asc),
                    (TicketSortField::UpdatedAt, SortDir::Desc),
                ],
            },
        ];
        for with_labels in [false, true] {
            let filter = if with_labels {
                TicketFilter {
                    labels: labels(&[("project", "p1")]),
                    ..Default::default()
                }
            } else {
                TicketFilter::default()
            };
            for sort in &sorts {
                let want = expect_order(all.clone(), &sort.keys);
                // Offset pages.
                let mut got = Vec::new();
                for p in 1..=4 {
                    let page = tx
                        .list_tickets("ten", &filter, sort, &TicketPaging::Page(Page::new(p, 11)))
                        .await
                        .unwrap();
                    assert_eq!(page.total, 40);
                    got.extend(page.items.iter().map(|t| t.id));
                }
                assert_eq!(
                    got, want,
                    "offset pages, sort {sort:?}, labels {with_labels}"
                );
                // Cursor pages.
                let mut got = Vec::new();
                let mut page = tx
                    .list_tickets("ten", &filter, sort, &TicketPaging::Page(Page::new(1, 7)))
                    .await
                    .unwrap();
                for _ in 0..20 {
                    got.extend(page.items.iter().map(|t| t.id));
                    let Some(cursor) = page.next_cursor.clone() else {
                        break;
                    };
                    page = tx
                        .list_tickets(
                            "ten",
                            &filter,
                            sort,
                            &TicketPaging::After {
                                cursor,
                                page_size: 7,
                            },
                        )
                        .await
                        .unwrap();
                }
                assert_eq!(
                    got, want,
                    "cursor pages, sort {sort:?}, labels {with_labels}"
                );
            }
        }
        let first = tx
            .list_tickets(
                "ten",
                &TicketFilter::default(),
                &TicketSort::default(),
                &TicketPaging::Page(Page::new(1, 5)),
            )
            .await
            .unwrap();
        let cursor = first.next_cursor.unwrap();
        let err = tx
            .list_tickets(
                "ten",
                &TicketFilter::default(),
                &TicketSort::newest(),
                &TicketPaging::After {
                    cursor,
                    page_size: 5,
                },
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("different sort"), "{err}");
        let err = tx
            .list_tickets(
                "ten",
                &TicketFilter::default(),
                &TicketSort::default(),
                &TicketPaging::After {
                    cursor: "zz".into(),
                    page_size: 5,
                },
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("invalid cursor"), "{err}");
        let err = tx
            .list_tickets(
                "ten",
                &TicketFilter::default(),
                &TicketSort::default(),
                &TicketPaging::Page(Page::new(1, 0)),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("page_size"), "{err}");
        let err = tx
            .list_tickets(
                "ten",
                &TicketFilter::default(),
                &TicketSort { keys: vec![] },
                &TicketPaging::Page(Page::default()),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("one to three keys"), "{err}");
        tx.rollback().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn comments_revisions_and_search_visibility() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let mut a = ticket("ten", 1, t0());
        a.subject = "Router reboot loop".into();
        a.description = "The core router keeps rebooting".into();
        let mut b = ticket("ten", 2, t0());
        b.subject = "Slow internet".into();
        b.description = "Speed drops in the evening; router looks fine".into();
        let c = ticket("ten", 3, t0());
        let mut other = ticket("other", 1, t0());
        other.subject = "Router reboot elsewhere".into();
        for t in [&a, &b, &c, &other] {
            tx.insert_ticket(t).await.unwrap();
        }
        let public = comment(&c, "technician replaced the splitter", "public", t0());
        let internal = comment(&c, "customer is a VIP escalation", "internal", t0());
        tx.insert_comment(&public).await.unwrap();
        tx.insert_comment(&internal).await.unwrap();

        assert_eq!(
            tx.list_comments("ten", c.id, false, false).await.unwrap(),
            vec![public.clone()]
        );
        assert_eq!(
            tx.list_comments("ten", c.id, true, false)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            tx.list_comments("other", c.id, true, true)
                .await
                .unwrap()
                .is_empty()
        );

        let f = TicketFilter::default();
        let hits = tx
            .search_tickets("ten", "router", false, &f, Page::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 2);
        assert_eq!(hits.items[0].ticket.id, a.id, "subject match ranks first");
        assert!(hits.items[0].rank >= hits.items[1].rank);
        let hits = tx
            .search_tickets("ten", "rebooting", false, &f, Page::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 1, "stemming: rebooting ~ reboot");
        let hits = tx
            .search_tickets("ten", "splitter", false, &f, Page::default())
            .await
            .unwrap();
        assert_eq!(hits.items.len(), 1);
        assert_eq!(hits.items[0].ticket.id, c.id);
        let hits = tx
            .search_tickets("ten", "VIP", false, &f, Page::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 0, "internal comments hidden");
        let hits = tx
            .search_tickets("ten", "VIP", true, &f, Page::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 1);
        let hits = tx
            .search_tickets(
                "ten",
                "router",
                false,
                &TicketFilter {
                    priority: vec![4],
                    ..Default::default()
                },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(hits.total, 0, "combined with filters");
        let hits = tx
            .search_tickets("ten", "\"' OR 1=1 --", false, &f, Page::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 0, "query syntax is not injected");
        let hits = tx
            .search_tickets("ten", "   ", false, &f, Page::default())
            .await
            .unwrap();
        assert_eq!(hits.total, 0);

        // Edit: the old body is kept as a revision and the index follows the new body.
        let mut edited = public.clone();
        edited.body = "technician replaced the connector".into();
        edited.edited_at = Some(t0() + Duration::minutes(5));
        tx.insert_comment_revision(&CommentRevisionRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            comment_id: public.id,
            body: public.body.clone(),
            edited_by: "user-a".into(),
            edited_at: t0() + Duration::minutes(5),
        })
        .await
        .unwrap();
        tx.update_comment(&edited).await.unwrap();
        assert_eq!(
            tx.list_comment_revisions("ten", public.id).await.unwrap()[0].body,
            public.body
        );
        assert_eq!(
            tx.search_tickets("ten", "splitter", false, &f, Page::default())
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            tx.search_tickets("ten", "connector", false, &f, Page::default())
                .await
                .unwrap()
                .total,
            1
        );
        // Soft delete removes it from search.
        edited.deleted_at = Some(t0() + Duration::minutes(6));
        tx.update_comment(&edited).await.unwrap();
        assert_eq!(
            tx.search_tickets("ten", "connector", false, &f, Page::default())
                .await
                .unwrap()
                .total,
            0
        );
        // Subject edits are indexed too.
        let mut b2 = tx.get_ticket("ten", b.id).await.unwrap().unwrap();
        b2.subject = "Fiber latency".into();
        tx.update_ticket(&b2).await.unwrap();
        assert_eq!(
            tx.search_tickets("ten", "latency", false, &f, Page::default())
                .await
                .unwrap()
                .total,
            1
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn attachments_and_refcounted_blobs() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let t = ticket("ten", 1, t0());
        tx.insert_ticket(&t).await.unwrap();
        let (b1, created) = tx
            .blob_acquire("ten", "abc", 10, "ten/abc", t0())
            .await
            .unwrap();
        assert!(created);
        assert_eq!(b1.refcount, 1);
        let (b2, created) = tx
            .blob_acquire("ten", "abc", 10, "ten/abc", t0())
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(b2.refcount, 2);
        let (_, created) = tx
            .blob_acquire("other", "abc", 10, "other/abc", t0())
            .await
            .unwrap();
        assert!(created, "blobs are per tenant");
        let mut att = AttachmentRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            ticket_id: t.id,
            comment_id: None,
            file_name: "passwd".into(),
            content_type: "text/plain".into(),
            size_bytes: 10,
            sha256: "abc".into(),
            status: "pending".into(),
            uploaded_by: "u".into(),
            created_at: t0(),
            deleted_at: None,
        };
        tx.insert_attachment(&att).await.unwrap();
        assert!(
            tx.list_attachments("ten", t.id, false)
                .await
                .unwrap()
                .is_empty()
        );
        att.status = "available".into();
        tx.update_attachment(&att).await.unwrap();
        assert_eq!(
            tx.list_attachments("ten", t.id, false).await.unwrap(),
            vec![att.clone()]
        );
        assert!(tx.get_attachment("other", att.id).await.unwrap().is_none());

        assert_eq!(
            tx.blob_release("ten", "abc", t0())
                .await
                .unwrap()
                .unwrap()
                .refcount,
            1
        );
        assert_eq!(
            tx.blob_release("ten", "abc", t0())
                .await
                .unwrap()
                .unwrap()
                .refcount,
            0
        );
        assert!(
            tx.get_blob("ten", "abc").await.unwrap().is_none(),
            "last reference removes the row"
        );
        assert!(tx.blob_release("ten", "abc", t0()).await.unwrap().is_none());
        assert_eq!(tx.list_blobs("other").await.unwrap().len(), 1);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn notifications_are_claimed_with_a_lease() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let mk = |i: i64| NotificationRow {
            id: Uuid::now_v7(),
            tenant_id: "ten".into(),
            channel: "webhook".into(),
            recipient: "http://localhost/hook".into(),
            template: "ticket.created".into(),
            subject: None,
            payload: json!({"i": i}),
            status: "pending".into(),
            attempts: 0,
            last_error: None,
            next_attempt_at: t0() + Duration::minutes(i),
            locked_until: None,
            sent_at: None,
            ticket_id: None,
            alarm_id: None,
            created_at: t0(),
            updated_at: t0(),
        };
        let rows: Vec<_> = (0..5).map(mk).collect();
        tx.insert_notifications(&rows).await.unwrap();
        let now = t0() + Duration::minutes(2);
        let lease = now + Duration::seconds(30);
        let claimed = tx.claim_due_notifications(now, lease, 10).await.unwrap();
        assert_eq!(claimed.len(), 3);
        assert!(
            claimed
                .iter()
                .all(|n| n.status == "sending" && n.locked_until == Some(lease))
        );
        assert!(
            tx.claim_due_notifications(now, lease, 10)
                .await
                .unwrap()
                .is_empty(),
            "leased"
        );
        let mut failed = claimed[0].clone();
        failed.status = "failed".into();
        failed.attempts = 1;
        failed.last_error = Some("HTTP 500".into());
        failed.locked_until = None;
        failed.next_attempt_at = now + Duration::minutes(1);
        tx.update_notification(&failed).await.unwrap();
        // After the lease expires, unfinished claims are claimable again.
        let later = lease + Duration::minutes(2);
        let again = tx
            .claim_due_notifications(later, later + Duration::seconds(30), 10)
            .await
            .unwrap();
        assert_eq!(again.len(), 5);
        assert_eq!(
            tx.get_notification("ten", failed.id)
                .await
                .unwrap()
                .unwrap()
                .attempts,
            1
        );
        assert_eq!(
            tx.list_notifications("ten", None, 100).await.unwrap().len(),
            5
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn outbox_sequence_and_resume() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let s1 = tx
            .insert_outbox(
                "ten",
                "ticket.created",
                Some("t1"),
                false,
                &json!({"n": 1}),
                t0(),
            )
            .await
            .unwrap();
        let s2 = tx
            .insert_outbox("other", "alarm.raised", None, false, &json!({}), t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let tx = db.store.begin().await.unwrap();
        let s3 = tx
            .insert_outbox("ten", "comment.added", Some("c1"), true, &json!({}), t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(s1 < s2 && s2 < s3);
        let tx = db.store.begin_read().await.unwrap();
        let all = tx.outbox_since(0, None, 100).await.unwrap();
        assert_eq!(
            all.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![s1, s2, s3]
        );
        assert_eq!(all[0].payload, json!({"n": 1}));
        assert!(all[2].internal);
        let ten = tx.outbox_since(s1, Some("ten"), 100).await.unwrap();
        assert_eq!(ten.len(), 1);
        assert_eq!(ten[0].seq, s3);
        assert_eq!(tx.outbox_since(s3, None, 100).await.unwrap().len(), 0);
        assert_eq!(tx.outbox_max_seq().await.unwrap(), s3);
        tx.commit().await.unwrap();
        // A rolled-back event never appears.
        let tx = db.store.begin().await.unwrap();
        tx.insert_outbox("ten", "x", None, false, &json!({}), t0())
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let tx = db.store.begin_read().await.unwrap();
        assert_eq!(tx.outbox_since(s3, None, 100).await.unwrap().len(), 0);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn sla_scheduler_claims_due_tickets() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let mut a = ticket("ten", 1, t0());
        a.sla_next_check_at = Some(t0() + Duration::hours(1));
        let mut b = ticket("ten", 2, t0());
        b.sla_next_check_at = Some(t0() + Duration::hours(5));
        // A deleted ticket is never due.
        let mut gone = ticket("ten", 3, t0());
        gone.sla_next_check_at = Some(t0());
        gone.deleted_at = Some(t0());
        tx.insert_tickets(&[a.clone(), b.clone(), gone])
            .await
            .unwrap();
        assert_eq!(
            tx.sla_checks_due(t0() + Duration::minutes(30))
                .await
                .unwrap(),
            (false, false)
        );
        assert_eq!(
            tx.sla_checks_due(t0() + Duration::hours(2)).await.unwrap(),
            (true, false)
        );
        let due = tx
            .claim_due_sla_tickets(t0() + Duration::hours(2), 10)
            .await
            .unwrap();
        assert_eq!(due.iter().map(|t| t.id).collect::<Vec<_>>(), vec![a.id]);
        tx.set_sla_next_check("ten", a.id, None).await.unwrap();
        assert!(
            tx.claim_due_sla_tickets(t0() + Duration::hours(2), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            tx.sla_checks_due(t0() + Duration::hours(2)).await.unwrap(),
            (false, false)
        );
        assert_eq!(
            tx.sla_checks_due(t0() + Duration::hours(5)).await.unwrap(),
            (true, false)
        );
        assert!(
            tx.set_sla_next_check("other", a.id, None)
                .await
                .unwrap_err()
                .is_not_found()
        );
        tx.commit().await.unwrap();
    })
    .await;
}

/// The hot listing (open tickets of one contractor by priority, then age) must read the label
/// index in order — no full scan, no sort step.
#[tokio::test]
async fn label_listing_totals_follow_ticket_changes() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let mut rows = Vec::new();
        for i in 0..40i64 {
            let mut t = ticket("ten", i + 1, t0() + Duration::minutes(i));
            t.priority = (i % 4 + 1) as i16;
            rows.push(t);
        }
        tx.insert_tickets(&rows).await.unwrap();
        for t in &rows {
            let mut l = labels(&[(
                "contractor_id",
                if t.number_seq % 2 == 0 { "c1" } else { "c2" },
            )]);
            if t.number_seq % 3 == 0 {
                l.insert("project_id".into(), "p9".into());
            }
            tx.set_ticket_labels("ten", t.id, &l).await.unwrap();
        }
        // Close some, delete some, re-prioritise some: the label copies must follow.
        for t in rows.iter_mut() {
            match t.number_seq % 5 {
                0 => {
                    t.status = "closed".into();
                    t.category = "closed".into();
                    t.version = tx.update_ticket(t).await.unwrap();
                }
                1 => {
                    assert!(
                        tx.soft_delete_ticket("ten", t.id, "admin", t0())
                            .await
                            .unwrap()
                    );
                    t.deleted_at = Some(t0());
                }
                2 => {
                    t.priority = 4;
                    t.version = tx.update_ticket(t).await.unwrap();
                }
                _ => {}
            }
        }
        tx.commit().await.unwrap();
        let tx = db.store.begin_read().await.unwrap();
        let from = t0() + Duration::minutes(5);
        let to = t0() + Duration::minutes(30);
        let filters = [
            (true, vec![], None, None, vec![("contractor_id", "c1")]),
            (false, vec![], None, None, vec![("contractor_id", "c2")]),
            (true, vec![4i16], None, None, vec![("contractor_id", "c1")]),
            (
                true,
                vec![],
                Some(from),
                Some(to),
                vec![("contractor_id", "c2")],
            ),
            (
                false,
                vec![],
                None,
                None,
                vec![("contractor_id", "c1"), ("project_id", "p9")],
            ),
        ];
        for (open_only, priority, created_from, created_to, ls) in filters {
            let f = TicketFilter {
                open_only,
                priority: priority.clone(),
                created_from,
                created_to,
                labels: labels(&ls),
                ..Default::default()
            };
            let want = rows
                .iter()
                .filter(|t| {
                    let c = if t.number_seq % 2 == 0 { "c1" } else { "c2" };
                    let p9 = t.number_seq % 3 == 0;
                    t.deleted_at.is_none()
                        && (!open_only || t.category != "closed")
                        && (priority.is_empty() || priority.contains(&t.priority))
                        && created_from.is_none_or(|x| t.created_at >= x)
                        && created_to.is_none_or(|x| t.created_at < x)
                        && ls.iter().all(|(k, v)| match *k {
                            "contractor_id" => c == *v,
                            _ => p9,
                        })
                })
                .count();
            let page = tx
                .list_tickets(
                    "ten",
                    &f,
                    &TicketSort::default(),
                    &TicketPaging::Page(Page::new(1, 100)),
                )
                .await
                .unwrap();
            assert_eq!(page.items.len(), want, "{f:?}");
            assert_eq!(page.total as usize, want, "{f:?}");
            // Another tenant sees none of them.
            let other = tx
                .list_tickets(
                    "other",
                    &f,
                    &TicketSort::default(),
                    &TicketPaging::Page(Page::new(1, 100)),
                )
                .await
                .unwrap();
            assert_eq!(other.total, 0);
        }
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn contractor_listing_uses_the_label_index() {
    each(|db| async move {
        let tx = db.store.begin().await.unwrap();
        let mut rows = Vec::new();
        for i in 0..5000i64 {
            let mut t = ticket("ten", i + 1, t0() + Duration::seconds(i));
            t.priority = (i % 4 + 1) as i16;
            if i % 3 == 0 {
                t.status = "closed".into();
                t.category = "closed".into();
            }
            rows.push(t);
        }
        tx.insert_tickets(&rows).await.unwrap();
        let labels_rows: Vec<_> = rows
            .iter()
            .map(|t| TicketLabelRow {
                tenant_id: "ten".into(),
                ticket_id: t.id,
                key: "contractor_id".into(),
                value: format!("c{}", t.number_seq % 5),
            })
            .collect();
        tx.insert_ticket_labels(&labels_rows).await.unwrap();
        tx.commit().await.unwrap();
        db.store.analyze().await.unwrap();

        let tx = db.store.begin_read().await.unwrap();
        let f = TicketFilter {
            open_only: true,
            labels: labels(&[("contractor_id", "c2")]),
            ..Default::default()
        };
        let plan = tx
            .explain_list_tickets("ten", &f, &TicketSort::default(), 50)
            .await
            .unwrap()
            .join("\n");
        eprintln!("{plan}");
        assert!(plan.contains("ix_ticket_labels_open_sort"), "plan: {plan}");
        if db.store.backend() == Backend::Sqlite {
            assert!(!plan.contains("TEMP B-TREE"), "no sort step: {plan}");
        } else {
            assert!(!plan.contains("Sort"), "no sort step: {plan}");
            assert!(!plan.contains("Seq Scan"), "no sequential scan: {plan}");
        }
        let page = tx
            .list_tickets(
                "ten",
                &f,
                &TicketSort::default(),
                &TicketPaging::Page(Page::new(1, 50)),
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 50);
        assert!(
            page.items
                .windows(2)
                .all(|w| (w[0].priority, w[0].created_at) >= (w[1].priority, w[1].created_at))
        );
        let want = rows
            .iter()
            .filter(|t| t.number_seq % 5 == 2 && t.category != "closed")
            .count();
        assert_eq!(page.total as usize, want);
        // The total is a count of the label rows through the label index: no ticket row is
        // read (on SQLite from the index alone; PostgreSQL picks an index-only or a bitmap
        // scan of ticket_labels by table size and visibility map).
        let plan = tx
            .explain_count_tickets("ten", &f)
            .await
            .unwrap()
            .join("\n");
        eprintln!("{plan}");
        assert!(plan.contains("ix_ticket_labels_open_sort"), "plan: {plan}");
        assert!(!plan.contains("tickets"), "no ticket rows: {plan}");
        if db.store.backend() == Backend::Sqlite {
            assert!(plan.contains("COVERING INDEX"), "plan: {plan}");
        } else {
            assert!(!plan.contains("Seq Scan"), "plan: {plan}");
        }

        let f = TicketFilter {
            open_only: true,
            ..Default::default()
        };
        let plan = tx
            .explain_list_tickets("ten", &f, &TicketSort::default(), 50)
            .await
            .unwrap()
            .join("\n");
        assert!(plan.contains("ix_tickets_open_sort"), "plan: {plan}");
        tx.commit().await.unwrap();
    })
    .await;
}

/// `insert_new_ticket` writes the ticket, its labels and its audit events (one statement on
/// PostgreSQL) with the label rows' copies of the ticket's open flag, deletion and priority,
/// so the label-driven listing and its count find the ticket; a ticket number that is taken
/// fails the whole call and leaves neither the ticket nor a label or audit row.
#[tokio::test]
async fn a_new_ticket_and_its_labels_are_written_together() {
    each(|db| async move {
        let mut t = ticket("ten", 1, t0());
        t.priority = 4;
        let l = labels(&[("contractor_id", "c-1"), ("project_id", "p \"north\"")]);
        let tx = db.store.begin().await.unwrap();
        let created = ticket_event(&t, "CREATED", t0());
        tx.insert_new_ticket(&t, &l, std::slice::from_ref(&created))
            .await
            .unwrap();
        // Labels without audit events, audit events without labels, neither.
        let only_labels = ticket("ten", 3, t0());
        tx.insert_new_ticket(&only_labels, &labels(&[("project_id", "p-2")]), &[])
            .await
            .unwrap();
        let only_audit = ticket("ten", 4, t0());
        let two = [
            ticket_event(&only_audit, "CREATED", t0()),
            ticket_event(&only_audit, "ASSIGNMENT_CHANGE", t0()),
        ];
        tx.insert_new_ticket(&only_audit, &labels(&[]), &two)
            .await
            .unwrap();
        let bare = ticket("ten", 2, t0());
        tx.insert_new_ticket(&bare, &labels(&[]), &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let tx = db.store.begin_read().await.unwrap();
        assert_eq!(tx.get_ticket("ten", t.id).await.unwrap().unwrap(), t);
        assert_eq!(tx.get_ticket_labels("ten", t.id).await.unwrap(), l);
        assert!(
            tx.get_ticket_labels("ten", bare.id)
                .await
                .unwrap()
                .is_empty()
        );
        let filter = |open_only, priority: Vec<i16>| TicketFilter {
            open_only,
            priority,
            labels: labels(&[("contractor_id", "c-1")]),
            ..Default::default()
        };
        let page = TicketPaging::Page(Page::new(1, 10));
        let sort = TicketSort::default();
        let found = tx
            .list_tickets_with_labels("ten", &filter(true, vec![4]), &sort, &page)
            .await
            .unwrap();
        assert_eq!(found.total, 1, "{}", db.name);
        assert_eq!(found.items[0].0.id, t.id);
        assert_eq!(found.items[0].1, l);
        let other_priority = tx
            .list_tickets("ten", &filter(true, vec![1]), &sort, &page)
            .await
            .unwrap();
        assert_eq!(other_priority.total, 0, "{}", db.name);
        tx.commit().await.unwrap();

        // The same number again: a conflict, and nothing of the second ticket is stored.
        let mut dup = ticket("ten", 1, t0());
        dup.priority = 4;
        let tx = db.store.begin().await.unwrap();
        let e = tx
            .insert_new_ticket(
                &dup,
                &labels(&[("contractor_id", "c-1")]),
                &[ticket_event(&dup, "CREATED", t0())],
            )
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict(_)), "{}: {e:?}", db.name);
        drop(tx);
        let tx = db.store.begin_read().await.unwrap();
        assert!(tx.get_ticket("ten", dup.id).await.unwrap().is_none());
        assert!(
            tx.get_ticket_labels("ten", dup.id)
                .await
                .unwrap()
                .is_empty()
        );
        let all = tx
            .list_tickets("ten", &filter(false, vec![]), &sort, &page)
            .await
            .unwrap();
        assert_eq!(all.total, 1, "{}", db.name);
        tx.commit().await.unwrap();
    })
    .await;
}
