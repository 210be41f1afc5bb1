//! Issue 11.4 — crash safety: a child process (this test binary re-executed as
//! `crash_worker`) runs `ingest_batch` (with auto-tickets: tickets are created inside the
//! batch's transaction), `create_ticket_from_alarm` and `create_ticket` in a loop and is
//! SIGKILLed at a random instant, many times, on a SQLite file and on PostgreSQL. After each
//! kill the database is reopened and checked:
//!
//! - no partial batch: every batch left either all its alarms and alarm events or none;
//! - no ticket without its `CREATED` audit event, its outbox event and (for `create_ticket`)
//!   its labels;
//! - no alarm pointing at a missing ticket, and every ticket made from an alarm is the one
//!   that alarm points at;
//! - ticket numbers unique, and the counter equals the number of tickets (no number lost or
//!   given twice);
//! - the reopened Desk keeps working.
//!
//! Kills: 12 per backend in the normal run, 150 with `FAULTDESK_LONG=1`.

mod common;
mod reliability;

use common::*;
use faultdesk::fault::{AlarmEvent, Severity};
use faultdesk::{Actor, CreateTicketFromAlarm, Desk, DeskConfig, NewTicketInput};
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const URL_ENV: &str = "FAULTDESK_CRASH_WORKER_URL";
const RUN_ENV: &str = "FAULTDESK_CRASH_WORKER_RUN";
/// Events per batch.
const BATCH: usize = 24;
const TENANT: &str = "crash";

fn worker_actor() -> Actor {
    Actor::new(TENANT, "crash-worker").with_roles(["ADMIN"])
}

/// The child: loops over batches until killed. Prints `begin N` / `done N` around each unit
/// of work so the parent knows where the kill landed.
#[test]
#[ignore = "child process of the crash-safety test (started by it)"]
fn crash_worker() {
    let Ok(url) = std::env::var(URL_ENV) else {
        return;
    };
    let run = std::env::var(RUN_ENV).unwrap_or_else(|_| "0".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let desk = Desk::open(&url, DeskConfig::default().with_auto_tickets(true))
            .await
            .unwrap();
        let actor = worker_actor();
        println!("ready");
        for i in 0.. {
            let batch = format!("{run}-{i}");
            println!("begin {batch}");
            let events: Vec<AlarmEvent> = (0..BATCH)
                .map(|j| {
                    // Every third event is critical: the auto-ticket trigger creates its
                    // ticket inside the batch's transaction.
                    let sev = if j % 3 == 0 {
                        Severity::Critical
                    } else {
                        Severity::Minor
                    };
                    AlarmEvent::new(
                        TENANT,
                        "device.down",
                        "device",
                        format!("b{batch}-{j}"),
                        desk.now(),
                    )
                    .with_severity(sev)
                })
                .collect();
            let out = desk.ingest_batch(&actor, events).await.unwrap();
            // A minor alarm gets its ticket by hand.
            desk.create_ticket_from_alarm(
                &actor,
                out.alarm_ids[1],
                CreateTicketFromAlarm::default(),
            )
            .await
            .unwrap();
            desk.create_ticket(
                &actor,
                NewTicketInput::new(format!("batch {batch}")).label("batch", batch.clone()),
            )
            .await
            .unwrap();
            println!("done {batch}");
        }
    });
}

async fn scalar(desk: &Desk, sql: &str) -> i64 {
    let conn = desk.store().connection();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn texts(desk: &Desk, sql: &str) -> Vec<String> {
    let conn = desk.store().connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .iter()
    .map(|r| r.try_get_by_index::<String>(0).unwrap())
    .collect()
}

/// The batch a resource id `b{run}-{i}-{j}` belongs to.
fn batch_of(resource: &str) -> String {
    let s = resource.strip_prefix('b').unwrap_or(resource);
    s.rsplit_once('-')
        .map(|(b, _)| b.to_string())
        .unwrap_or_default()
}

/// Checks every invariant of the module doc; returns (batches, tickets).
async fn check_invariants(desk: &Desk, what: &str) -> (usize, i64) {
    // No partial batch.
    let mut alarms: BTreeMap<String, usize> = BTreeMap::new();
    for r in texts(
        desk,
        "SELECT resource_id FROM alarms WHERE tenant_id = 'crash'",
    )
    .await
    {
        *alarms.entry(batch_of(&r)).or_default() += 1;
    }
    let mut events: BTreeMap<String, usize> = BTreeMap::new();
    for r in texts(
        desk,
        "SELECT a.resource_id FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id \
         WHERE e.tenant_id = 'crash'",
    )
    .await
    {
        *events.entry(batch_of(&r)).or_default() += 1;
    }
    for (b, n) in &alarms {
        assert_eq!(*n, BATCH, "{what}: batch {b} has {n} of {BATCH} alarms");
        assert_eq!(events.get(b), Some(&BATCH), "{what}: batch {b} events");
    }
    assert_eq!(
        scalar(
            desk,
            "SELECT COUNT(*) FROM alarm_events WHERE alarm_id IS NULL"
        )
        .await,
        0,
        "{what}"
    );
    // Tickets with their audit, outbox and labels.
    for (sql, name) in [
        (
            "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e \
             WHERE e.ticket_id = t.id AND e.event_type = 'CREATED')",
            "tickets without a CREATED event",
        ),
        (
            "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM outbox o \
             WHERE o.kind = 'ticket.created' AND o.entity_id = CAST(t.id AS TEXT))",
            "tickets without a ticket.created outbox row",
        ),
        (
            "SELECT COUNT(*) FROM tickets t WHERE t.alarm_id IS NULL AND NOT EXISTS \
             (SELECT 1 FROM ticket_labels l WHERE l.ticket_id = t.id AND l.key = 'batch')",
            "created tickets without their label",
        ),
        (
            "SELECT COUNT(*) FROM alarms a WHERE a.ticket_id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM tickets t WHERE t.id = a.ticket_id)",
            "alarms pointing at a missing ticket",
        ),
        (
            "SELECT COUNT(*) FROM tickets t WHERE t.alarm_id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM alarms a WHERE a.id = t.alarm_id AND a.ticket_id = t.id)",
            "tickets from an alarm that does not point back",
        ),
        (
            "SELECT COUNT(*) FROM alarms WHERE severity = 'critical' AND ticket_id IS NULL",
            "critical alarms without their auto-ticket",
        ),
        (
            "SELECT COUNT(*) FROM (SELECT tenant_id, number FROM tickets \
             GROUP BY tenant_id, number HAVING COUNT(*) > 1) d",
            "duplicate ticket numbers",
        ),
    ] {
        assert_eq!(scalar(desk, sql).await, 0, "{what}: {name}");
    }
    let tickets = scalar(desk, "SELECT COUNT(*) FROM tickets").await;
    let counter = scalar(
        desk,
        "SELECT CAST(COALESCE(SUM(last_value), 0) AS BIGINT) FROM ticket_counters",
    )
    .await;
    assert_eq!(counter, tickets, "{what}: counter vs tickets");
    (alarms.len(), tickets)
}

/// What one kill round saw.
#[derive(Debug, Default)]
struct Round {
    /// The child was inside a unit of work (`begin` without `done`) when killed.
    mid_work: bool,
}

/// Starts a worker on `url`, kills it after a random delay once it is ready.
fn kill_round(url: &str, run: usize, rng: &mut impl Rng) -> Round {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "crash_worker",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(URL_ENV, url)
        .env(RUN_ENV, run.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait for "ready" (or a crash of the child at start).
    let start = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            // libtest prints `test crash_worker ... ` first, on the same line.
            Ok(l) if l.trim_end().ends_with("ready") => break,
            Ok(_) => {}
            Err(e) => {
                let _ = child.kill();
                panic!("worker did not get ready: {e} after {:?}", start.elapsed());
            }
        }
    }
    std::thread::sleep(Duration::from_millis(rng.random_range(0..250)));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the worker was killed, not finished");
    reader.join().unwrap();
    let mut last = String::new();
    while let Ok(l) = rx.try_recv() {
        if l.starts_with("begin") || l.starts_with("done") || l.contains("... begin") {
            last = l.rsplit("... ").next().unwrap_or_default().to_string();
        }
    }
    if last.is_empty() {
        // Killed before its first batch: treat as killed mid-work of batch 0.
        return Round { mid_work: true };
    }
    Round {
        mid_work: last.starts_with("begin"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_batch_and_mid_ticket_leaves_no_partial_state() {
    let rounds = reliability::cases(12, 150) as usize;
    let mut rng = rand::rng();
    for td in concurrent_backends().await {
        let mut mid = 0;
        for run in 0..rounds {
            let url = td.url.clone();
            let mut r = rand::rngs::StdRng::from_rng(&mut rng);
            let round = tokio::task::spawn_blocking(move || kill_round(&url, run, &mut r))
                .await
                .unwrap();
            mid += usize::from(round.mid_work);
            // Reopen as a new process would, and check.
            let desk = Desk::open(&td.url, DeskConfig::default()).await.unwrap();
            check_invariants(&desk, &format!("{} after kill {run}", td.name)).await;
            desk.close().await.unwrap();
        }
        // The database still works after all the kills.
        let desk = Desk::open(&td.url, DeskConfig::default().with_auto_tickets(true))
            .await
            .unwrap();
        let events = (0..BATCH)
            .map(|j| {
                AlarmEvent::new(
                    TENANT,
                    "device.down",
                    "device",
                    format!("bafter-{j}"),
                    desk.now(),
                )
                .with_severity(Severity::Critical)
            })
            .collect();
        desk.ingest_batch(&worker_actor(), events).await.unwrap();
        let (batches, tickets) = check_invariants(&desk, td.name).await;
        eprintln!(
            "reliability_crash {}: {rounds} SIGKILLs survived ({mid} inside a unit of work), \
             {batches} complete batches, {tickets} tickets, invariants hold",
            td.name
        );
        assert!(batches > 1, "{}: the workers made progress", td.name);
        desk.close().await.unwrap();
    }
}
