//! Issue 11.5 — concurrency under load: writer tasks in this process plus writer processes
//! (this test binary re-executed as `load_worker`), all on one database, for a bounded time:
//! de-duplicating ingest on a shared set of reduction keys, `create_ticket` and racing
//! `create_ticket_from_alarm` on the same alarms. Then:
//!
//! - no deadlock: every writer finishes within its time budget plus a margin;
//! - no error reaches a writer except the expected "already has ticket" conflict
//!   (`SQLITE_BUSY`, PostgreSQL serialization failures and deadlocks are retried inside the
//!   Desk);
//! - no lost update: each key's alarm has `occurrence_count` equal to the events sent for it;
//! - one alarm per key, one ticket per alarm, ticket numbers unique and without gaps.
//!
//! Normal run: 2 tasks + 2 processes for 3 s per backend. `FAULTDESK_LONG=1`: 4 tasks +
//! 3 processes for 60 s. The load held is printed.

mod common;
mod reliability;

use common::*;
use faultdesk::fault::{AlarmEvent, Severity};
use faultdesk::{Actor, CreateTicketFromAlarm, Desk, DeskConfig, ErrorKind, NewTicketInput};
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Statement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const URL_ENV: &str = "FAULTDESK_LOAD_WORKER_URL";
const SECS_ENV: &str = "FAULTDESK_LOAD_WORKER_SECS";
const TASKS_ENV: &str = "FAULTDESK_LOAD_WORKER_TASKS";
const TENANT: &str = "load";
/// Shared reduction keys (resources `r-0` .. `r-15`).
const KEYS: usize = 16;

fn actor(who: &str) -> Actor {
    Actor::new(TENANT, who).with_roles(["ADMIN"])
}

/// What one writer did.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Tally {
    /// Events accepted per resource.
    sent: BTreeMap<String, u64>,
    batches: u64,
    /// Tickets this writer created (both ways).
    tickets: u64,
    /// `create_ticket_from_alarm` calls that lost the race (the expected Conflict).
    lost_races: u64,
    /// Any other error (must stay empty).
    errors: Vec<String>,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        for (k, n) in o.sent {
            *self.sent.entry(k).or_default() += n;
        }
        self.batches += o.batches;
        self.tickets += o.tickets;
        self.lost_races += o.lost_races;
        self.errors.extend(o.errors);
    }
}

/// One writer: until `deadline`, batches of 5 events on random shared keys, and every other
/// batch a ticket and a ticket from one of the batch's alarms.
async fn writer(desk: Desk, who: String, deadline: Instant) -> Tally {
    let a = actor(&who);
    let mut t = Tally::default();
    let mut rng = rand::rngs::StdRng::from_os_rng();
    let mut i = 0u64;
    while Instant::now() < deadline && t.errors.len() < 5 {
        i += 1;
        let keys: Vec<String> = (0..5)
            .map(|_| format!("r-{}", rng.random_range(0..KEYS)))
            .collect();
        let events = keys
            .iter()
            .map(|k| {
                AlarmEvent::new(TENANT, "device.down", "device", k.clone(), desk.now())
                    .with_severity(Severity::Major)
            })
            .collect();
        match desk.ingest_batch(&a, events).await {
            Ok(out) => {
                t.batches += 1;
                for k in &keys {
                    *t.sent.entry(k.clone()).or_default() += 1;
                }
                if i.is_multiple_of(2) {
                    let alarm = out.alarm_ids[0];
                    match desk
                        .create_ticket_from_alarm(&a, alarm, CreateTicketFromAlarm::default())
                        .await
                    {
                        Ok(_) => t.tickets += 1,
                        Err(e)
                            if e.kind() == ErrorKind::Conflict
                                && e.message().contains("already has ticket") =>
                        {
                            t.lost_races += 1
                        }
                        Err(e) => t.errors.push(format!("create_ticket_from_alarm: {e}")),
                    }
                    match desk
                        .create_ticket(&a, NewTicketInput::new(format!("{who} #{i}")))
                        .await
                    {
                        Ok(_) => t.tickets += 1,
                        Err(e) => t.errors.push(format!("create_ticket: {e}")),
                    }
                }
            }
            Err(e) => t.errors.push(format!("ingest_batch: {e} ({:?})", e.kind())),
        }
    }
    t
}

/// Runs `tasks` writers on one Desk until `deadline`.
async fn writers(desk: &Desk, prefix: &str, tasks: usize, deadline: Instant) -> Tally {
    let mut handles = Vec::new();
    for n in 0..tasks {
        handles.push(tokio::spawn(writer(
            desk.clone(),
            format!("{prefix}-{n}"),
            deadline,
        )));
    }
    let mut all = Tally::default();
    for h in handles {
        all.merge(h.await.unwrap());
    }
    all
}

/// The child process: its own Desk, `tasks` writers, then one `result {json}` line.
#[test]
#[ignore = "child process of the load test (started by it)"]
fn load_worker() {
    let Ok(url) = std::env::var(URL_ENV) else {
        return;
    };
    let secs: u64 = std::env::var(SECS_ENV).unwrap().parse().unwrap();
    let tasks: usize = std::env::var(TASKS_ENV).unwrap().parse().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tally = rt.block_on(async move {
        let desk = Desk::open(&url, DeskConfig::default()).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(secs);
        let pid = std::process::id();
        let t = writers(&desk, &format!("proc{pid}"), tasks, deadline).await;
        desk.close().await.unwrap();
        t
    });
    println!("result {}", serde_json::to_string(&tally).unwrap());
}

async fn rows(desk: &Desk, sql: &str) -> Vec<(String, i64)> {
    let conn = desk.store().connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .iter()
    .map(|r| {
        (
            r.try_get_by_index::<String>(0).unwrap(),
            r.try_get_by_index::<i64>(1).unwrap(),
        )
    })
    .collect()
}

async fn scalar(desk: &Desk, sql: &str) -> i64 {
    let conn = desk.store().connection();
    conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .unwrap()
    .try_get_by_index::<i64>(0)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_in_threads_and_processes_lose_nothing() {
    let long = reliability::long_run();
    let (secs, tasks, procs, proc_tasks) = if long { (60, 4, 3, 2) } else { (3, 2, 2, 2) };
    for td in concurrent_backends().await {
        let started = Instant::now();
        // Warm up: the first batch creates every key's alarm.
        let first: Vec<AlarmEvent> = (0..KEYS)
            .map(|k| {
                AlarmEvent::new(TENANT, "device.down", "device", format!("r-{k}"), td.now())
                    .with_severity(Severity::Major)
            })
            .collect();
        td.ingest_batch(&actor("warmup"), first).await.unwrap();
        let mut total = Tally::default();
        for k in 0..KEYS {
            total.sent.insert(format!("r-{k}"), 1);
        }
        let exe = std::env::current_exe().unwrap();
        let mut children = Vec::new();
        for _ in 0..procs {
            children.push(
                Command::new(&exe)
                    .args([
                        "--ignored",
                        "--exact",
                        "load_worker",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env(URL_ENV, &td.url)
                    .env(SECS_ENV, secs.to_string())
                    .env(TASKS_ENV, proc_tasks.to_string())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::inherit())
                    .spawn()
                    .unwrap(),
            );
        }
        let deadline = Instant::now() + Duration::from_secs(secs);
        total.merge(writers(&td.desk, "thread", tasks, deadline).await);
        let margin = Duration::from_secs(secs + 60);
        for mut c in children {
            let out = c.stdout.take().unwrap();
            let line = tokio::task::spawn_blocking(move || {
                // Read to the end (closing the pipe early would fail the child's last print).
                let lines: Vec<String> =
                    BufReader::new(out).lines().map_while(|l| l.ok()).collect();
                lines
                    .iter()
                    .find_map(|l| l.find("result ").map(|i| l[i..].to_string()))
            })
            .await
            .unwrap();
            let status = c.wait().unwrap();
            assert!(status.success(), "{}: a writer process failed", td.name);
            let line = line.expect("the worker reports its tally");
            total.merge(serde_json::from_str(&line["result ".len()..]).unwrap());
        }
        let elapsed = started.elapsed();
        assert!(
            elapsed < margin,
            "{}: writers took {elapsed:?} (deadlock?)",
            td.name
        );
        assert!(
            total.errors.is_empty(),
            "{}: errors reached writers: {:?}",
            td.name,
            total.errors
        );
        // No lost update, one alarm per key.
        let counts = rows(
            &td.desk,
            "SELECT resource_id, occurrence_count FROM alarms WHERE tenant_id = 'load' \
             ORDER BY resource_id",
        )
        .await;
        assert_eq!(
            counts.len(),
            KEYS,
            "{}: one alarm per key: {counts:?}",
            td.name
        );
        let stored: BTreeMap<String, u64> =
            counts.into_iter().map(|(k, n)| (k, n as u64)).collect();
        assert_eq!(
            stored, total.sent,
            "{}: occurrence counts vs events sent",
            td.name
        );
        // Tickets: one per alarm, numbers unique and gap-free.
        let tickets = scalar(
            &td.desk,
            "SELECT COUNT(*) FROM tickets WHERE tenant_id = 'load'",
        )
        .await;
        assert_eq!(
            tickets as u64, total.tickets,
            "{}: tickets created",
            td.name
        );
        for (sql, name) in [
            (
                "SELECT COUNT(*) FROM (SELECT alarm_id FROM tickets WHERE alarm_id IS NOT NULL \
                 GROUP BY alarm_id HAVING COUNT(*) > 1) d",
                "alarms with two tickets",
            ),
            (
                "SELECT COUNT(*) FROM (SELECT number FROM tickets GROUP BY tenant_id, number \
                 HAVING COUNT(*) > 1) d",
                "duplicate numbers",
            ),
            (
                "SELECT COUNT(*) FROM tickets t WHERE t.alarm_id IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM alarms a WHERE a.id = t.alarm_id AND a.ticket_id = t.id)",
                "tickets whose alarm points elsewhere",
            ),
        ] {
            assert_eq!(scalar(&td.desk, sql).await, 0, "{}: {name}", td.name);
        }
        let counter = scalar(
            &td.desk,
            "SELECT CAST(COALESCE(SUM(last_value), 0) AS BIGINT) FROM ticket_counters WHERE tenant_id = 'load'",
        )
        .await;
        assert_eq!(counter, tickets, "{}: numbers without gaps", td.name);
        let events: u64 = total.sent.values().sum();
        eprintln!(
            "reliability_load {}: {tasks} tasks + {procs} processes x {proc_tasks} tasks for \
             {secs} s: {events} events in {} batches ({:.0} events/s), {} tickets, {} lost \
             ticket races, 0 errors; {elapsed:?} wall",
            td.name,
            total.batches,
            events as f64 / elapsed.as_secs_f64(),
            total.tickets,
            total.lost_races,
        );
    }
}
