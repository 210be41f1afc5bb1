//! Tests: a small noc run, then its report checked against itself and against the database
//! the run wrote (every event accounted for, no child alarm without a root, one ticket per
//! trigger).

use crate::Report;
use crate::scenario::TENANT;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::BTreeMap;

/// What each stored event (`alarm_events` row, one per event in) did, by its event-level
/// outcome. Timer decisions that ran while the event was applied (`flapping_ended`,
/// `unsuppressed`, ...) ride along in the same row and are not outcomes.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct EventAccount {
    /// Rows in `alarm_events`.
    pub rows: u64,
    /// Events that created an alarm.
    pub created: u64,
    /// Repeats reduced onto an open alarm.
    pub deduplicated: u64,
    /// Raises and clears of a flapping alarm.
    pub flapping: u64,
    /// Clear events that cleared alarms, and how many alarms they cleared.
    pub clearing_events: u64,
    /// `cleared` decisions in those rows.
    pub cleared: u64,
    /// Clear events that found no open alarm (decision `ignored`), by event type.
    pub ignored: BTreeMap<String, u64>,
    /// Rows with more than one event-level outcome (must be none).
    pub ambiguous: Vec<String>,
}

/// The event-level outcomes of a decision list (`created,correlated,...`).
const OUTCOMES: [&str; 4] = ["created", "deduplicated", "flapping", "cleared"];

/// Classifies `(event_type, decision, count)` rows of `alarm_events`.
pub(crate) fn account(rows: &[(String, String, u64)]) -> EventAccount {
    let mut a = EventAccount::default();
    for (event_type, decision, n) in rows {
        let n = *n;
        a.rows += n;
        if decision == "ignored" {
            *a.ignored.entry(event_type.clone()).or_default() += n;
            continue;
        }
        let kinds: Vec<&str> = decision.split(',').collect();
        let outcomes: Vec<&str> = OUTCOMES.into_iter().filter(|o| kinds.contains(o)).collect();
        match outcomes.as_slice() {
            ["created"] => a.created += n,
            ["deduplicated"] => a.deduplicated += n,
            ["flapping"] => a.flapping += n,
            ["cleared"] => {
                a.clearing_events += n;
                a.cleared += n * kinds.iter().filter(|k| **k == "cleared").count() as u64;
            }
            // Only timer decisions: the event itself was a clear that matched nothing.
            [] => *a.ignored.entry(event_type.clone()).or_default() += n,
            _ => a.ambiguous.push(decision.clone()),
        }
    }
    a
}

async fn count(db: &DatabaseConnection, sql: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a COUNT row");
    row.try_get_by_index::<i64>(0).expect("an integer") as u64
}

/// Per event type and decision, how many `alarm_events` rows the tenant has.
async fn event_rows(db: &DatabaseConnection) -> Vec<(String, String, u64)> {
    let sql = format!(
        "SELECT event_type, decision, COUNT(*) FROM alarm_events \
         WHERE tenant_id = '{TENANT}' GROUP BY event_type, decision"
    );
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("alarm_events")
        .into_iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap(),
                r.try_get_by_index::<i64>(2).unwrap() as u64,
            )
        })
        .collect()
}

/// Every event in is accounted for exactly once: the report's counters add up to the events
/// in, and agree with what the database recorded per event.
fn check_events(r: &Report, a: &EventAccount, alarms_in_db: u64) {
    assert_eq!(
        r.events_by_story.values().sum::<u64>(),
        r.events_in,
        "events by story add up to the events in"
    );
    assert_eq!(a.rows, r.events_in, "one alarm_events row per event in");
    assert!(a.ambiguous.is_empty(), "one outcome per event: {a:?}");
    for t in a.ignored.keys() {
        assert!(
            ["cpe.online", "device.up", "monitoring.check_recovered"].contains(&t.as_str()),
            "only clears may find nothing to do, not {t}"
        );
    }
    let ignored: u64 = a.ignored.values().sum();
    assert_eq!(r.alarms_created, a.created, "alarms created");
    assert_eq!(r.alarms_created, alarms_in_db, "alarm rows");
    assert_eq!(r.deduplicated, a.deduplicated, "de-duplicated");
    assert_eq!(r.flapping_decisions, a.flapping, "flapping");
    assert_eq!(r.cleared, a.cleared, "cleared");
    assert_eq!(
        a.clearing_events, a.cleared,
        "each clear event clears one alarm in this scenario"
    );
    assert_eq!(
        r.alarms_created + r.deduplicated + r.flapping_decisions + r.cleared + ignored,
        r.events_in,
        "created + de-duplicated + flapping + cleared + clears with nothing open = events in"
    );
}

/// Tickets: one per trigger (auto-ticket decision or SLA breach), each stored, each alarm
/// linked to its ticket.
fn check_tickets(r: &Report, tickets_in_db: u64, linked_alarms: u64, from_alarms: u64) {
    assert!(r.tickets_created > 0, "the run opens tickets");
    assert_eq!(
        r.tickets_by_trigger.values().sum::<u64>(),
        r.tickets_created,
        "ticket count equals trigger count: {:?}",
        r.tickets_by_trigger
    );
    assert_eq!(tickets_in_db, r.tickets_created, "ticket rows");
    assert_eq!(
        linked_alarms, from_alarms,
        "every ticket from an alarm is the ticket of that alarm"
    );
    assert_eq!(
        from_alarms, tickets_in_db,
        "every ticket here comes from an alarm"
    );
    assert!(r.tickets_closed <= r.tickets_created);
}

/// Correlation: children exist (the OLT failure) and every one points at a root-cause alarm of
/// the same tenant.
fn check_roots(r: &Report, children: u64, orphans: u64) {
    assert!(
        r.correlated > 0 && children > 0,
        "the OLT failure correlates ONT alarms"
    );
    assert!(r.root_causes > 0, "correlated children have roots");
    assert_eq!(orphans, 0, "no child alarm without a root");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_run_accounts_for_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("report.json");
    let json_arg = json_path.display().to_string();
    let opts = crate::small_run_options(
        dir.path(),
        &["--events", "5000", "--days", "2", "--json", &json_arg],
    );
    let url = opts.db.clone();
    let report = crate::run_and_write(&opts).await.expect("noc run");
    assert!(report.events_in >= 5000);

    // The JSON report carries the same figures.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    for (key, v) in [
        ("events_in", report.events_in),
        ("alarms_created", report.alarms_created),
        ("tickets_created", report.tickets_created),
    ] {
        assert_eq!(json[key].as_u64(), Some(v), "{key} in the JSON report");
    }

    let db = sea_orm::Database::connect(&url).await.unwrap();
    let t = format!("tenant_id = '{TENANT}'");
    let account = account(&event_rows(&db).await);
    let alarms = count(&db, &format!("SELECT COUNT(*) FROM alarms WHERE {t}")).await;
    check_events(&report, &account, alarms);

    let children = count(
        &db,
        &format!("SELECT COUNT(*) FROM alarms WHERE {t} AND parent_alarm_id IS NOT NULL"),
    )
    .await;
    let orphans = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM alarms c WHERE c.{t} AND c.parent_alarm_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM alarms p WHERE p.id = c.parent_alarm_id \
             AND p.tenant_id = c.tenant_id AND p.is_root_cause)"
        ),
    )
    .await;
    check_roots(&report, children, orphans);

    let tickets = count(&db, &format!("SELECT COUNT(*) FROM tickets WHERE {t}")).await;
    let from_alarms = count(
        &db,
        &format!("SELECT COUNT(*) FROM tickets WHERE {t} AND alarm_id IS NOT NULL"),
    )
    .await;
    let linked = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM tickets k JOIN alarms a ON a.id = k.alarm_id \
             AND a.tenant_id = k.tenant_id AND a.ticket_id = k.id WHERE k.{t}"
        ),
    )
    .await;
    check_tickets(&report, tickets, linked, from_alarms);
    db.close().await.unwrap();
}

/// The report that matches the rows of [`the_checks_catch_broken_counts`].
fn report_of_rows() -> Report {
    Report {
        events_in: 14,
        events_by_story: BTreeMap::from([("x".to_string(), 14)]),
        alarms_created: 5,
        deduplicated: 4,
        flapping_decisions: 1,
        cleared: 1,
        correlated: 3,
        root_causes: 2,
        tickets_created: 2,
        tickets_by_trigger: BTreeMap::from([("critical".to_string(), 2)]),
        ..Report::default()
    }
}

/// The checks fail on a report or a database that does not add up.
#[test]
fn the_checks_catch_broken_counts() {
    let rows = vec![
        (
            "device.down".to_string(),
            "created,root_cause".to_string(),
            2,
        ),
        ("cpe.signal_loss".into(), "created,correlated".into(), 3),
        ("cpe.signal_loss".into(), "deduplicated".into(), 4),
        ("cpe.online".into(), "cleared".into(), 1),
        ("cpe.online".into(), "flapping".into(), 1),
        ("cpe.online".into(), "ignored".into(), 2),
        ("device.up".into(), "flapping_ended".into(), 1),
    ];
    let a = account(&rows);
    assert_eq!((a.rows, a.created, a.deduplicated), (14, 5, 4));
    assert_eq!(a.ignored.values().sum::<u64>(), 3);
    let good = report_of_rows();
    check_events(&good, &a, 5);
    check_roots(&good, 3, 0);
    check_tickets(&good, 2, 2, 2);

    let fails = |f: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    let with = |change: fn(&mut Report)| {
        let mut r = report_of_rows();
        change(&mut r);
        r
    };
    // An event not counted anywhere, a miscounted repeat, a raise "ignored", an extra event.
    let r = with(|r| r.deduplicated -= 1);
    assert!(fails(&|| check_events(&r, &a, 5)));
    let r = with(|r| r.events_in += 1);
    assert!(fails(&|| check_events(&r, &a, 5)));
    assert!(fails(&|| check_events(&good, &a, 4)), "alarm rows");
    // (a raise "ignored": the row count is 0 so that only the event-type check can fail)
    let mut raise_ignored = rows.clone();
    raise_ignored.push(("device.down".into(), "ignored".into(), 0));
    assert!(fails(&|| check_events(&good, &account(&raise_ignored), 5)));
    let mut two = rows.clone();
    two[0].1 = "created,cleared".into();
    assert!(!account(&two).ambiguous.is_empty());
    // A child without a root; no correlation at all.
    assert!(fails(&|| check_roots(&good, 3, 1)));
    assert!(fails(&|| check_roots(&good, 0, 0)));
    // A trigger without its ticket; a ticket not stored; an alarm not linked.
    let r = with(|r| r.tickets_created -= 1);
    assert!(fails(&|| check_tickets(&r, 1, 1, 1)));
    assert!(fails(&|| check_tickets(&good, 3, 2, 2)));
    assert!(fails(&|| check_tickets(&good, 2, 1, 2)));
}
