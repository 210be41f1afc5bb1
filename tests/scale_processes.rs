//! Several OS processes on one database behave as one (issue 12).
//!
//! Each test starts worker *processes* — this test binary re-executed with
//! `FAULTDESK_SCALE_WORKER` set, running the ignored [`scale_worker`] entry — each with its own
//! `Desk` and its own in-memory correlator, and drives them with JSON lines over stdin/stdout.
//! Every test runs on a SQLite file (several processes on one host) and, when
//! `FAULTDESK_TEST_PG_URL` is set, on PostgreSQL.
//!
//! - `a_storm_split_across_processes_ends_as_in_one_process`: an alarm storm split at random
//!   across three processes gives the alarms, parents, correlation groups, occurrence counts,
//!   flapping and tickets of the same storm through one process.
//! - `caches_learn_what_other_processes_changed`: parent in one process, children in another
//!   (both orders), an operator clear in a third, flapping counted across processes, a config
//!   change seen by warm caches.
//! - `due_work_is_claimed_once_across_processes`: `run_due`, `deliver_notifications` and
//!   auto-tickets racing in three processes.
//! - `a_subscriber_receives_every_process_events_in_order`: live events from other processes,
//!   in sequence order, and resuming with `events_since`.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use faultdesk::fault::correlator::SEED_002_RULE_JSON;
use faultdesk::fault::topology::TopologyEdge;
use faultdesk::fault::trigger::TriggerConfig;
use faultdesk::fault::{AlarmEvent, Severity};
use faultdesk::{
    Desk, DeskConfig, EventFilter, ManualClock, NewTicketInput, Notification, NotificationRoute,
    Notifier, SchedulerConfig,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Statement};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

const WORKER_ENV: &str = "FAULTDESK_SCALE_WORKER";
const URL_ENV: &str = "FAULTDESK_SCALE_URL";
/// Replies and streamed events of a worker are stdout lines starting with this.
const MARK: &str = "@@fd ";
/// How long a worker may take for one command.
const REPLY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

// ------------------------------------------------------------------------------------------
// Configurations, shared by workers and the parent.

/// The worker roles: each names the Desk configuration every process of a test uses.
fn config_for(role: &str) -> DeskConfig {
    match role {
        "storm" => DeskConfig::default()
            .with_rules_json(SEED_002_RULE_JSON)
            .unwrap()
            .with_triggers(TriggerConfig {
                enabled: true,
                critical: true,
                major_subscriber_threshold: Some(10),
                unacknowledged_timeout_secs: None,
                sla_breach: false,
            }),
        "work" => {
            let mut c = DeskConfig::default()
                .with_triggers(TriggerConfig {
                    enabled: true,
                    critical: true,
                    major_subscriber_threshold: None,
                    unacknowledged_timeout_secs: None,
                    sla_breach: false,
                })
                .with_scheduler(SchedulerConfig {
                    escalate_to: Some("ESCALATED".into()),
                    batch_size: 7,
                    ..Default::default()
                })
                .with_notification_route(NotificationRoute::new(
                    ["sla.breached"],
                    "email",
                    "noc@example.com",
                ))
                .unwrap()
                .with_notifier("email", Recorder::default());
            c.notifications.batch_size = 5;
            c
        }
        _ => DeskConfig::default().with_auto_tickets(true),
    }
}

/// A notifier that remembers the ids it delivered (each worker reports them).
#[derive(Debug, Clone, Default)]
struct Recorder {
    ids: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl Notifier for Recorder {
    async fn deliver(&self, n: &Notification) -> Result<(), String> {
        self.ids.lock().unwrap().push(n.id.to_string());
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// The worker side.

/// What the parent asks a worker to do (one JSON line on its stdin).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
enum Cmd {
    /// Ingest these batches of one tenant, in order (one transaction each).
    Ingest {
        tenant: String,
        batches: Vec<Vec<AlarmEvent>>,
    },
    /// Clear the open alarm with this reduction key (operator action).
    Clear { tenant: String, key: String },
    /// Call `run_due(at)` until it finds nothing.
    RunDue { at: DateTime<Utc> },
    /// Call `deliver_notifications` until it claims nothing.
    Deliver,
    /// Subscribe as the tenant's admin and stream every event (after catching up from
    /// `after` with `events_since`, when given).
    Subscribe { tenant: String, after: Option<i64> },
    /// Stop the subscription; replies with the last sequence streamed.
    Unsubscribe,
    /// End the worker.
    Exit,
}

fn emit(v: Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{MARK}{v}");
    let _ = out.flush();
}

/// The entry point of a worker process (started by the tests below with `WORKER_ENV` set).
#[test]
#[ignore = "a worker process of the multi-process tests; they start it themselves"]
fn scale_worker() {
    let Ok(role) = std::env::var(WORKER_ENV) else {
        return;
    };
    let url = std::env::var(URL_ENV).expect("worker: database URL");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(worker_main(&role, &url));
}

async fn worker_main(role: &str, url: &str) {
    let recorder = Recorder::default();
    let mut config = config_for(role).with_clock(ManualClock::new(t0()));
    if role == "work" {
        config = config.with_notifier("email", recorder.clone());
    }
    let desk = Desk::open(url, config).await.expect("worker: open desk");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    emit(json!({"reply": "ready"}));
    let mut streaming: Option<(tokio::task::JoinHandle<()>, Arc<Mutex<i64>>)> = None;
    while let Some(line) = rx.recv().await {
        let cmd: Cmd = serde_json::from_str(&line).expect("worker: command");
        let reply = match cmd {
            Cmd::Ingest { tenant, batches } => {
                let actor = admin(&tenant);
                let mut tickets = 0;
                let mut err = None;
                for b in batches {
                    match desk.ingest_batch(&actor, b).await {
                        Ok(o) => tickets += o.tickets.len(),
                        Err(e) => {
                            err = Some(e.to_string());
                            break;
                        }
                    }
                }
                match err {
                    None => json!({"ok": {"tickets": tickets}}),
                    Some(e) => json!({"err": e}),
                }
            }
            Cmd::Clear { tenant, key } => {
                let tx = desk.store().begin().await.unwrap();
                let row = tx.find_open_alarm_by_key(&tenant, &key).await.unwrap();
                let _ = tx.rollback().await;
                match row {
                    None => json!({"err": format!("no open alarm {key}")}),
                    Some(r) => match desk.clear_alarm(&admin(&tenant), r.id).await {
                        Ok(_) => json!({"ok": null}),
                        Err(e) => json!({"err": e.to_string()}),
                    },
                }
            }
            Cmd::RunDue { at } => {
                let mut total =
                    json!({"tickets": 0, "warnings": 0, "breaches": 0, "escalations": 0});
                loop {
                    match desk.run_due(at).await {
                        Ok(r) if r.tickets == 0 => break json!({"ok": total}),
                        Ok(r) => {
                            for (k, v) in [
                                ("tickets", r.tickets),
                                ("warnings", r.warnings),
                                ("breaches", r.breaches),
                                ("escalations", r.escalations),
                            ] {
                                total[k] = json!(total[k].as_u64().unwrap() + v as u64);
                            }
                        }
                        Err(e) => break json!({"err": e.to_string()}),
                    }
                }
            }
            Cmd::Deliver => loop {
                match desk.deliver_notifications().await {
                    Ok(r) if r.claimed == 0 => {
                        let ids = std::mem::take(&mut *recorder.ids.lock().unwrap());
                        break json!({"ok": ids});
                    }
                    Ok(_) => {}
                    Err(e) => break json!({"err": e.to_string()}),
                }
            },
            Cmd::Subscribe { tenant, after } => {
                let actor = admin(&tenant);
                let last = Arc::new(Mutex::new(after.unwrap_or(0)));
                let mut sub = desk.subscribe(&actor, EventFilter::default()).unwrap();
                if let Some(after) = after {
                    // Catch up from the last sequence seen, then go live (skipping repeats).
                    let mut at = after;
                    loop {
                        let page = desk.events_since(&actor, at, 50).await.unwrap();
                        if page.is_empty() {
                            break;
                        }
                        for e in page {
                            at = e.seq;
                            emit(
                                json!({"event": {"seq": e.seq, "kind": e.kind, "tenant": e.tenant_id}}),
                            );
                        }
                    }
                    *last.lock().unwrap() = at;
                }
                let last2 = last.clone();
                let task = tokio::spawn(async move {
                    while let Some(e) = sub.next().await {
                        let mut l = last2.lock().unwrap();
                        if e.seq <= *l {
                            continue;
                        }
                        *l = e.seq;
                        emit(
                            json!({"event": {"seq": e.seq, "kind": e.kind, "tenant": e.tenant_id}}),
                        );
                    }
                });
                streaming = Some((task, last));
                json!({"ok": null})
            }
            Cmd::Unsubscribe => match streaming.take() {
                Some((task, last)) => {
                    task.abort();
                    let _ = task.await;
                    let l = *last.lock().unwrap();
                    json!({"ok": l})
                }
                None => json!({"err": "not subscribed"}),
            },
            Cmd::Exit => {
                emit(json!({"reply": {"ok": null}}));
                break;
            }
        };
        emit(json!({ "reply": reply }));
    }
    desk.close().await.ok();
}

// ------------------------------------------------------------------------------------------
// The parent side.

/// A running worker process.
struct Worker {
    name: String,
    child: Child,
    stdin: ChildStdin,
    replies: mpsc::Receiver<Value>,
    events: mpsc::Receiver<Value>,
}

impl Worker {
    fn spawn(name: &str, role: &str, url: &str) -> Worker {
        let exe = std::env::current_exe().unwrap();
        let mut child = Command::new(exe)
            .args([
                "--exact",
                "scale_worker",
                "--include-ignored",
                "--nocapture",
                "--test-threads=1",
                "--quiet",
            ])
            .env(WORKER_ENV, role)
            .env(URL_ENV, url)
            .env_remove("FAULTDESK_TEST_PG_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn worker");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (rtx, replies) = mpsc::channel();
        let (etx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Some(msg) = line.strip_prefix(MARK) else {
                    continue;
                };
                let v: Value = serde_json::from_str(msg).expect("worker output");
                if let Some(e) = v.get("event") {
                    let _ = etx.send(e.clone());
                } else if let Some(r) = v.get("reply") {
                    let _ = rtx.send(r.clone());
                }
            }
        });
        let mut w = Worker {
            name: name.to_string(),
            child,
            stdin,
            replies,
            events,
        };
        assert_eq!(w.reply(), json!("ready"), "{name} did not start");
        w
    }

    fn send(&mut self, cmd: &Cmd) {
        let line = serde_json::to_string(cmd).unwrap();
        writeln!(self.stdin, "{line}").expect("write to worker");
        self.stdin.flush().unwrap();
    }

    fn reply(&mut self) -> Value {
        match self.replies.recv_timeout(REPLY_TIMEOUT) {
            Ok(v) => v,
            Err(e) => {
                let status = self.child.try_wait();
                panic!(
                    "worker {} gave no reply ({e}); status {status:?}",
                    self.name
                )
            }
        }
    }

    /// The `ok` value of the reply, failing the test on an `err` reply.
    fn ok(&mut self) -> Value {
        let r = self.reply();
        match r.get("ok") {
            Some(v) => v.clone(),
            None => panic!("worker {} failed: {r}", self.name),
        }
    }

    fn call(&mut self, cmd: &Cmd) -> Value {
        self.send(cmd);
        self.ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.send_exit();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Worker {
    fn send_exit(&mut self) -> std::io::Result<()> {
        let line = serde_json::to_string(&Cmd::Exit).unwrap();
        writeln!(self.stdin, "{line}")?;
        self.stdin.flush()
    }
}

fn spawn_workers(n: usize, role: &str, url: &str) -> Vec<Worker> {
    (0..n)
        .map(|i| Worker::spawn(&format!("w{i}"), role, url))
        .collect()
}

/// Sends each worker its command, then waits for every reply (the commands run at the same
/// time in the worker processes).
fn all_at_once(workers: &mut [Worker], cmds: Vec<Cmd>) -> Vec<Value> {
    for (w, c) in workers.iter_mut().zip(&cmds) {
        w.send(c);
    }
    workers.iter_mut().map(|w| w.ok()).collect()
}

/// Sends each worker its list of commands, then waits for all their replies.
fn run_lists(workers: &mut [Worker], lists: &[Vec<Cmd>]) -> Vec<Vec<Value>> {
    for (w, list) in workers.iter_mut().zip(lists) {
        for c in list {
            w.send(c);
        }
    }
    workers
        .iter_mut()
        .zip(lists)
        .map(|(w, list)| list.iter().map(|_| w.ok()).collect())
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The backends multi-process tests run on: a SQLite file and PostgreSQL (when configured),
/// each with the parent's Desk opened with `role`'s configuration.
async fn shared_backends(role: &'static str) -> Vec<TestDesk> {
    backends_with(move |_| config_for(role))
        .await
        .into_iter()
        .filter(|b| b.name != "sqlite-memory")
        .collect()
}

/// Rows of a plain SQL query as JSON objects (columns cast to text or integers in the SQL).
async fn rows(desk: &Desk, sql: &str) -> Vec<BTreeMap<String, Value>> {
    let conn = desk.store().connection();
    let res = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    res.iter()
        .map(|r| {
            r.column_names()
                .into_iter()
                .map(|c| {
                    let v = match r.try_get::<Option<i64>>("", &c) {
                        Ok(Some(n)) => json!(n),
                        Ok(None) => Value::Null,
                        Err(_) => match r.try_get::<Option<String>>("", &c) {
                            Ok(Some(s)) => json!(s),
                            Ok(None) => Value::Null,
                            Err(e) => panic!("{sql}: column {c} is neither BIGINT nor TEXT: {e}"),
                        },
                    };
                    (c, v)
                })
                .collect()
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// What a database holds, normalised so that two runs can be compared (ids differ).

/// An alarm as `(tenant, reduction key, generation)`: the generation counts earlier alarms of
/// the same key (re-raised after a clear).
type AlarmRef = (String, String, usize);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct AlarmView {
    alarm: AlarmRef,
    status: String,
    severity: String,
    parent: Option<AlarmRef>,
    /// Every alarm of its correlation group (itself included).
    group: Option<Vec<AlarmRef>>,
    occurrences: i64,
    children: u64,
    flaps: u64,
    root_cause: bool,
    flapping: bool,
    suppression: Option<String>,
    ticket: bool,
}

/// The alarms and tickets of the database, normalised; also checks the ticket links and that
/// ticket numbers are unique and dense per tenant.
async fn snapshot(desk: &Desk) -> BTreeSet<AlarmView> {
    let alarms = rows(
        desk,
        "SELECT CAST(id AS TEXT) AS id, tenant_id, reduction_key, status, severity, \
         CAST(parent_alarm_id AS TEXT) AS parent, CAST(correlation_id AS TEXT) AS corr, \
         CAST(occurrence_count AS BIGINT) AS occ, CAST(metadata AS TEXT) AS meta, \
         CAST(CASE WHEN is_root_cause THEN 1 ELSE 0 END AS BIGINT) AS root, \
         CAST(CASE WHEN is_flapping THEN 1 ELSE 0 END AS BIGINT) AS flapping, suppression_reason, \
         CAST(ticket_id AS TEXT) AS ticket \
         FROM alarms ORDER BY tenant_id, reduction_key, first_occurrence, id",
    )
    .await;
    let s = |r: &BTreeMap<String, Value>, c: &str| r[c].as_str().map(str::to_string);
    let mut refs: BTreeMap<String, AlarmRef> = BTreeMap::new();
    let mut generations: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &alarms {
        let key = (s(r, "tenant_id").unwrap(), s(r, "reduction_key").unwrap());
        let g = generations.entry(key.clone()).or_default();
        refs.insert(s(r, "id").unwrap(), (key.0, key.1, *g));
        *g += 1;
    }
    let mut groups: BTreeMap<String, Vec<AlarmRef>> = BTreeMap::new();
    for r in &alarms {
        if let Some(c) = s(r, "corr") {
            groups
                .entry(c)
                .or_default()
                .push(refs[&s(r, "id").unwrap()].clone());
        }
    }
    for g in groups.values_mut() {
        g.sort();
    }
    // Tickets: one per alarm that has one, linked both ways, numbers dense per tenant.
    let tickets = rows(
        desk,
        "SELECT CAST(id AS TEXT) AS id, tenant_id, CAST(number_seq AS BIGINT) AS seq, \
         CAST(alarm_id AS TEXT) AS alarm FROM tickets WHERE alarm_id IS NOT NULL",
    )
    .await;
    let mut by_tenant: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut ticket_of: BTreeMap<String, String> = BTreeMap::new();
    for t in &tickets {
        by_tenant
            .entry(s(t, "tenant_id").unwrap())
            .or_default()
            .push(t["seq"].as_i64().unwrap());
        let prev = ticket_of.insert(s(t, "alarm").unwrap(), s(t, "id").unwrap());
        assert!(prev.is_none(), "two tickets for alarm {:?}", s(t, "alarm"));
    }
    for (tenant, mut nums) in by_tenant {
        nums.sort();
        let dense: Vec<i64> = (1..=nums.len() as i64).collect();
        assert_eq!(nums, dense, "ticket numbers of {tenant} are not 1..n");
    }
    let mut out = BTreeSet::new();
    for r in &alarms {
        let id = s(r, "id").unwrap();
        let ticket = s(r, "ticket");
        assert_eq!(
            ticket.as_ref(),
            ticket_of.get(&id),
            "alarm {id}: alarms.ticket_id and tickets.alarm_id disagree"
        );
        out.insert(AlarmView {
            alarm: refs[&id].clone(),
            status: s(r, "status").unwrap(),
            severity: s(r, "severity").unwrap(),
            parent: s(r, "parent").map(|p| refs[&p].clone()),
            group: s(r, "corr").map(|c| groups[&c].clone()),
            occurrences: r["occ"].as_i64().unwrap(),
            children: meta_u64(r, "child_count"),
            flaps: meta_u64(r, "flap_count"),
            root_cause: r["root"].as_i64() == Some(1),
            flapping: r["flapping"].as_i64() == Some(1),
            suppression: s(r, "suppression_reason"),
            ticket: ticket.is_some(),
        });
    }
    out
}

/// A counter kept in `alarms.metadata` (0 when absent).
fn meta_u64(r: &BTreeMap<String, Value>, key: &str) -> u64 {
    let meta: Value = r["meta"]
        .as_str()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(Value::Null);
    meta.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// One line per alarm, for failure messages.
fn describe(a: &AlarmView) -> String {
    format!(
        "{}#{} {} {} parent={:?} group={:?} occ={} children={} flaps={} root={} flapping={} supp={:?} ticket={}",
        a.alarm.1,
        a.alarm.2,
        a.status,
        a.severity,
        a.parent.as_ref().map(|p| format!("{}#{}", p.1, p.2)),
        a.group.as_ref().map(Vec::len),
        a.occurrences,
        a.children,
        a.flaps,
        a.root_cause,
        a.flapping,
        a.suppression,
        a.ticket
    )
}

/// Fails with the alarms that differ (not the whole sets).
fn assert_same(multi: &BTreeSet<AlarmView>, single: &BTreeSet<AlarmView>, what: &str) {
    if multi == single {
        return;
    }
    if std::env::var("FAULTDESK_SCALE_DUMP").is_ok() {
        for a in multi {
            eprintln!("M {}", describe(a));
        }
        for a in single {
            eprintln!("S {}", describe(a));
        }
    }
    let only_multi: Vec<String> = multi.difference(single).take(12).map(describe).collect();
    let only_single: Vec<String> = single.difference(multi).take(12).map(describe).collect();
    panic!(
        "{what}: {} alarms differ\n  only with several processes:\n    {}\n  only with one process:\n    {}",
        multi.symmetric_difference(single).count(),
        only_multi.join("\n    "),
        only_single.join("\n    ")
    );
}

// ------------------------------------------------------------------------------------------
// The storm.

/// Storm events start one hour before the test clock (`t0`).
fn storm_start() -> DateTime<Utc> {
    t0() - Duration::hours(1)
}

fn at(phase: u32, rng: &mut StdRng) -> DateTime<Utc> {
    storm_start() + Duration::seconds(i64::from(phase) * 100 + rng.random_range(0..60))
}

fn olt_down(tenant: &str, olt: &str, t: DateTime<Utc>) -> AlarmEvent {
    AlarmEvent::new(tenant, "device.down", "olt", olt, t).with_severity(Severity::Critical)
}

fn ont_loss(tenant: &str, ont: &str, t: DateTime<Utc>) -> AlarmEvent {
    AlarmEvent::new(tenant, "cpe.signal_loss", "ont", ont, t)
        .with_alarm_type("signal.loss")
        .with_severity(Severity::Minor)
        .with_subscribers(1)
}

fn cleared(e: AlarmEvent, t: DateTime<Utc>) -> AlarmEvent {
    let mut e = e.with_severity(Severity::Cleared);
    e.occurred_at = t;
    e
}

/// One phase of the storm: events that may run in any order against each other (raises and
/// repeats of different keys, clears of keys raised earlier). Phases run one after another.
type Phase = Vec<AlarmEvent>;

/// The topology and phases of a storm over two tenants: OLTs with ONTs (seed 002's rule
/// correlates ONT signal loss under the OLT), some OLTs down with their ONTs, other ONTs
/// alone, routers (critical: auto-ticket), links with many subscribers (major: auto-ticket),
/// minor alarms, repeats, clears that release children, a port that flaps across phases,
/// and OLTs that come back down later with new ONT alarms.
fn storm(rng: &mut StdRng) -> (Vec<(String, Vec<TopologyEdge>)>, Vec<Phase>) {
    let mut topo = Vec::new();
    let mut phases: Vec<Phase> = vec![Vec::new(); 8];
    for tenant in ["acme", "globex"] {
        let mut edges = Vec::new();
        let olts: Vec<String> = (0..6).map(|i| format!("olt-{i}")).collect();
        let mut down_olts = Vec::new();
        for (i, olt) in olts.iter().enumerate() {
            let onts: Vec<String> = (0..8).map(|j| format!("ont-{i}-{j}")).collect();
            for ont in &onts {
                edges.push(TopologyEdge::new(olt.clone(), ont.clone()));
            }
            let down = i < 4;
            if down {
                down_olts.push(olt.clone());
                for _ in 0..rng.random_range(1..=3) {
                    phases[1].push(olt_down(tenant, olt, at(1, rng)));
                }
            }
            for ont in onts.iter().take(if down { 8 } else { 3 }) {
                for _ in 0..rng.random_range(1..=4) {
                    phases[1].push(ont_loss(tenant, ont, at(1, rng)));
                }
            }
        }
        // OLTs 0 and 1 clear (their ONTs are released), ONTs of OLT 2 clear later.
        for olt in &down_olts[..2] {
            phases[2].push(cleared(olt_down(tenant, olt, storm_start()), at(2, rng)));
        }
        for ont in (0..4)
            .map(|j| format!("ont-2-{j}"))
            .chain((0..3).map(|j| format!("ont-0-{j}")))
        {
            phases[3].push(cleared(ont_loss(tenant, &ont, storm_start()), at(3, rng)));
        }
        // Independent alarms.
        for r in 0..4 {
            let router = format!("router-{r}");
            let ev = AlarmEvent::new(tenant, "device.down", "router", &router, at(1, rng))
                .with_severity(Severity::Critical);
            for _ in 0..rng.random_range(1..=3) {
                let mut e = ev.clone();
                e.occurred_at = at(1, rng);
                phases[1].push(e);
            }
            if r == 0 {
                phases[3].push(cleared(ev, at(3, rng)));
            }
        }
        for l in 0..4 {
            let ev = AlarmEvent::new(
                tenant,
                "link.degraded",
                "link",
                format!("link-{l}"),
                at(1, rng),
            )
            .with_severity(if l < 2 {
                Severity::Major
            } else {
                Severity::Minor
            })
            .with_subscribers(if l % 2 == 0 { 50 } else { 0 });
            for _ in 0..rng.random_range(1..=5) {
                let mut e = ev.clone();
                e.occurred_at = at(1, rng);
                phases[1].push(e);
            }
        }
        // A port that flaps: three raise/clear cycles inside the flap window, one per phase.
        let port = AlarmEvent::new(tenant, "port.down", "switch", "sw-1/0/7", storm_start())
            .with_severity(Severity::Major);
        for (raise, clear) in [(1, 2), (3, 4), (5, 6)] {
            let mut r = port.clone();
            r.occurred_at = at(raise, rng);
            phases[raise as usize].push(r);
            phases[clear as usize].push(cleared(port.clone(), at(clear, rng)));
        }
        // Later: OLT 0 goes down again (a new alarm, a new ticket) with new alarms of the
        // ONTs that cleared.
        phases[7].push(olt_down(
            tenant,
            "olt-0",
            storm_start() + Duration::seconds(1000),
        ));
        for j in 0..3 {
            let ont = format!("ont-0-{j}");
            for _ in 0..2 {
                phases[7].push(ont_loss(
                    tenant,
                    &ont,
                    storm_start() + Duration::seconds(1000 + rng.random_range(0..60)),
                ));
            }
        }
        topo.push((tenant.to_string(), edges));
    }
    phases.retain(|p| !p.is_empty());
    (topo, phases)
}

/// Splits a phase at random over `n` processes and cuts each share into batches of random
/// sizes (one tenant per batch, order kept within a share): one `Ingest` per batch.
fn split(phase: &Phase, n: usize, rng: &mut StdRng) -> Vec<Vec<Cmd>> {
    let mut shares: Vec<Vec<AlarmEvent>> = vec![Vec::new(); n];
    for e in phase {
        shares[rng.random_range(0..n)].push(e.clone());
    }
    shares
        .into_iter()
        .map(|share| {
            let mut cmds: Vec<Cmd> = Vec::new();
            let mut limit = 0;
            for e in share {
                match cmds.last_mut() {
                    Some(Cmd::Ingest { tenant, batches })
                        if *tenant == e.tenant_id && batches[0].len() < limit =>
                    {
                        batches[0].push(e)
                    }
                    _ => {
                        limit = rng.random_range(1..=12);
                        cmds.push(Cmd::Ingest {
                            tenant: e.tenant_id.clone(),
                            batches: vec![vec![e]],
                        });
                    }
                }
            }
            cmds
        })
        .collect()
}

fn seed() -> u64 {
    std::env::var("FAULTDESK_SCALE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random())
}

#[test]
fn a_storm_split_across_processes_ends_as_in_one_process() {
    let seed = seed();
    eprintln!("storm seed {seed} (set FAULTDESK_SCALE_SEED to replay)");
    let rt = runtime();
    let multi_dbs = rt.block_on(shared_backends("storm"));
    let single_dbs = rt.block_on(shared_backends("storm"));
    for (multi, single) in multi_dbs.iter().zip(&single_dbs) {
        eprintln!("--- backend {}", multi.name);
        let mut rng = StdRng::seed_from_u64(seed);
        let (topo, phases) = storm(&mut rng);
        let events: usize = phases.iter().map(Vec::len).sum();
        // One process.
        rt.block_on(async {
            for (tenant, edges) in &topo {
                single
                    .add_topology_edges(&admin(tenant), edges.clone())
                    .await
                    .unwrap();
            }
            for phase in &phases {
                for tenant in ["acme", "globex"] {
                    let mine: Vec<AlarmEvent> = phase
                        .iter()
                        .filter(|e| e.tenant_id == tenant)
                        .cloned()
                        .collect();
                    for e in mine {
                        single.ingest(&admin(tenant), e).await.unwrap();
                    }
                }
            }
            for (tenant, edges) in &topo {
                multi
                    .add_topology_edges(&admin(tenant), edges.clone())
                    .await
                    .unwrap();
            }
        });
        // Three processes, each phase split at random among them.
        let mut workers = spawn_workers(3, "storm", &multi.url);
        for phase in &phases {
            let per_worker = split(phase, workers.len(), &mut rng);
            run_lists(&mut workers, &per_worker);
        }
        drop(workers);
        let (m, s) = rt.block_on(async { (snapshot(multi).await, snapshot(single).await) });
        assert_same(
            &m,
            &s,
            &format!("{} storm of {events} events, seed {seed}", multi.name),
        );
        // The storm did what it is meant to exercise.
        let count = |f: &dyn Fn(&AlarmView) -> bool| s.iter().filter(|a| f(a)).count();
        assert!(count(&|a| a.parent.is_some()) >= 60, "correlated children");
        assert!(
            count(&|a| a.status == "suppressed") >= 24,
            "suppressed children"
        );
        assert!(count(&|a| a.ticket) >= 10, "auto-tickets");
        let ports: Vec<String> = s
            .iter()
            .filter(|a| a.alarm.1.contains("port.down"))
            .map(describe)
            .collect();
        assert_eq!(
            count(&|a| a.flapping),
            2,
            "one flapping port per tenant: {ports:#?}"
        );
        assert!(count(&|a| a.occurrences > 1) >= 20, "repeats");
        assert!(count(&|a| a.root_cause) >= 8, "root causes");
        assert!(count(&|a| a.alarm.2 == 1) >= 2, "re-raised OLTs");
        let released = count(&|a| a.parent.is_some() && a.status == "active");
        assert!(
            released >= 20,
            "children released by their parent's clear: {released}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Caches learn what other processes changed.

/// One step of a scripted run: who does what.
#[derive(Debug, Clone)]
enum Step {
    /// Worker `w` ingests these events (one batch).
    Ingest(usize, Vec<AlarmEvent>),
    /// The parent process adds topology edges.
    Edges(Vec<TopologyEdge>),
    /// The parent process clears the open alarm with this key.
    Clear(String),
    /// Every worker ingests its batches at the same time (order-insensitive repeats).
    Race(Vec<Vec<AlarmEvent>>),
}

fn ingest_cmd(events: Vec<AlarmEvent>) -> Cmd {
    Cmd::Ingest {
        tenant: events[0].tenant_id.clone(),
        batches: vec![events],
    }
}

async fn clear_by_key(desk: &Desk, tenant: &str, key: &str) {
    let tx = desk.store().begin().await.unwrap();
    let row = tx.find_open_alarm_by_key(tenant, key).await.unwrap();
    let _ = tx.rollback().await;
    let row = row.unwrap_or_else(|| panic!("no open alarm {key}"));
    desk.clear_alarm(&admin(tenant), row.id).await.unwrap();
}

/// The open alarm of `key` in `tenant`, as stored.
async fn open_alarm(desk: &Desk, tenant: &str, key: &str) -> faultdesk::storage::AlarmRow {
    let tx = desk.store().begin().await.unwrap();
    let row = tx.find_open_alarm_by_key(tenant, key).await.unwrap();
    let _ = tx.rollback().await;
    row.unwrap_or_else(|| panic!("no open alarm {key}"))
}

fn key(kind: &str, rtype: &str, id: &str) -> String {
    let source = match kind {
        "signal.loss" => "cpe",
        "device.down" => "network_device",
        _ => "system",
    };
    format!("acme|{source}|{kind}|{rtype}|{id}")
}

#[test]
fn caches_learn_what_other_processes_changed() {
    let rt = runtime();
    let multi_dbs = rt.block_on(shared_backends("storm"));
    let single_dbs = rt.block_on(shared_backends("storm"));
    let t = storm_start();
    let s = |n: i64| t + Duration::seconds(n);
    let port = |n: i64, up: bool| {
        let e = AlarmEvent::new("acme", "port.down", "switch", "sw-9/0/1", s(n))
            .with_severity(Severity::Major);
        if up { cleared(e, s(n)) } else { e }
    };
    let onts = |olt: usize, at: i64| -> Vec<AlarmEvent> {
        (0..3)
            .map(|j| ont_loss("acme", &format!("ont-{olt}-{j}"), s(at + j as i64)))
            .collect()
    };
    let link = |n: i64| {
        AlarmEvent::new("acme", "link.degraded", "link", "link-7", s(n))
            .with_severity(Severity::Minor)
    };
    let mut edges = Vec::new();
    for olt in 1..=2 {
        for j in 0..3 {
            edges.push(TopologyEdge::new(
                format!("olt-{olt}"),
                format!("ont-{olt}-{j}"),
            ));
        }
    }
    let router = AlarmEvent::new("acme", "device.down", "router", "router-9", s(0))
        .with_severity(Severity::Critical);
    let steps = vec![
        // Warm both caches before the topology exists.
        Step::Ingest(0, vec![router.clone()]),
        Step::Ingest(1, vec![link(1)]),
        // A third process (the parent) adds the topology: both warm caches must use it.
        Step::Edges(edges),
        // Parent raised in process 0, its children in process 1.
        Step::Ingest(0, vec![olt_down("acme", "olt-1", s(10))]),
        Step::Ingest(1, onts(1, 20)),
        // The reverse: children in process 1 first, then their parent in process 0.
        Step::Ingest(1, onts(2, 30)),
        Step::Ingest(0, vec![olt_down("acme", "olt-2", s(40))]),
        // The parent process clears OLT 1: its children (created by process 1) are released...
        Step::Clear(key("device.down", "olt", "olt-1")),
        // ...and process 0, which raised it, raises it again: a new alarm that adopts them.
        Step::Ingest(0, vec![olt_down("acme", "olt-1", s(100))]),
        // A port flaps across processes: three raise/clear cycles inside the flap window.
        Step::Ingest(0, vec![port(200, false)]),
        Step::Ingest(0, vec![port(210, true)]),
        Step::Ingest(1, vec![port(220, false), port(230, true)]),
        Step::Ingest(0, vec![port(240, false)]),
        Step::Ingest(1, vec![port(250, true)]),
        // Both processes repeat one alarm at the same time: one alarm counts every repeat.
        Step::Race(vec![
            (0..30).map(|i| link(300 + i)).collect(),
            (0..30).map(|i| link(300 + i)).collect(),
        ]),
    ];
    for (multi, single) in multi_dbs.iter().zip(&single_dbs) {
        eprintln!("--- backend {}", multi.name);
        let mut workers = spawn_workers(2, "storm", &multi.url);
        for step in &steps {
            match step.clone() {
                Step::Ingest(w, events) => {
                    workers[w].call(&ingest_cmd(events.clone()));
                    rt.block_on(single.ingest_batch(&admin("acme"), events))
                        .unwrap();
                }
                Step::Edges(edges) => rt.block_on(async {
                    multi
                        .add_topology_edges(&admin("acme"), edges.clone())
                        .await
                        .unwrap();
                    single
                        .add_topology_edges(&admin("acme"), edges)
                        .await
                        .unwrap();
                }),
                Step::Clear(k) => rt.block_on(async {
                    clear_by_key(multi, "acme", &k).await;
                    clear_by_key(single, "acme", &k).await;
                }),
                Step::Race(per_worker) => {
                    let cmds = per_worker.iter().cloned().map(ingest_cmd).collect();
                    all_at_once(&mut workers, cmds);
                    for events in per_worker {
                        rt.block_on(single.ingest_batch(&admin("acme"), events))
                            .unwrap();
                    }
                }
            }
        }
        drop(workers);
        rt.block_on(async {
            let m = snapshot(multi).await;
            let s1 = snapshot(single).await;
            assert_same(&m, &s1, &format!("{} scripted run", multi.name));
            // And what one process does is what was meant.
            let olt1 = open_alarm(multi, "acme", &key("device.down", "olt", "olt-1")).await;
            let olt2 = open_alarm(multi, "acme", &key("device.down", "olt", "olt-2")).await;
            assert!(olt1.is_root_cause && olt2.is_root_cause);
            for (olt, parent) in [(1, &olt1), (2, &olt2)] {
                for j in 0..3 {
                    let ont = open_alarm(
                        multi,
                        "acme",
                        &key("signal.loss", "ont", &format!("ont-{olt}-{j}")),
                    )
                    .await;
                    assert_eq!(ont.parent_alarm_id, Some(parent.id), "ont-{olt}-{j}");
                    assert_eq!(ont.status, "suppressed", "ont-{olt}-{j}");
                    assert_eq!(ont.correlation_id, parent.correlation_id);
                }
            }
            let ports: Vec<&AlarmView> = m
                .iter()
                .filter(|a| a.alarm.1.contains("port.down"))
                .collect();
            assert_eq!(ports.len(), 3, "{ports:#?}");
            assert!(ports[2].flapping, "the third cycle flaps: {ports:#?}");
            let link = open_alarm(multi, "acme", &key("link.degraded", "link", "link-7")).await;
            assert_eq!(link.occurrence_count, 61);
        });
    }
}

// ------------------------------------------------------------------------------------------
// Due work is claimed once.

/// Sets a ticket's SLA due instants and next check as the SLA clock would.
async fn set_due(desk: &Desk, tenant: &str, id: uuid::Uuid, fr: DateTime<Utc>, res: DateTime<Utc>) {
    let tx = desk.store().begin().await.unwrap();
    let mut row = tx.get_ticket(tenant, id).await.unwrap().unwrap();
    row.first_response_due_at = Some(fr);
    row.resolution_due_at = Some(res);
    tx.update_ticket(&row).await.unwrap();
    tx.set_sla_next_check(tenant, id, Some(fr - Duration::minutes(30)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[test]
fn due_work_is_claimed_once_across_processes() {
    let rt = runtime();
    for td in rt.block_on(shared_backends("work")) {
        eprintln!("--- backend {}", td.name);
        const TICKETS: usize = 24;
        rt.block_on(async {
            for i in 0..TICKETS {
                let t = td
                    .create_ticket(
                        &end_user("acme", "cust-1"),
                        NewTicketInput::new(format!("outage {i}")),
                    )
                    .await
                    .unwrap();
                // Escalation moves OPEN tickets (leaving NEW is the first response).
                td.transition_ticket(&admin("acme"), t.id, "OPEN", Default::default())
                    .await
                    .unwrap();
                set_due(
                    &td,
                    "acme",
                    t.id,
                    t0() + Duration::hours(1),
                    t0() + Duration::hours(2),
                )
                .await;
            }
        });
        let mut workers = spawn_workers(3, "work", &td.url);
        // The SLA scheduler in every process at once.
        let at = t0() + Duration::hours(3);
        let reports = all_at_once(&mut workers, (0..3).map(|_| Cmd::RunDue { at }).collect());
        let sum = |k: &str| reports.iter().map(|r| r[k].as_u64().unwrap()).sum::<u64>();
        let audits = rt.block_on(rows(
            &td,
            "SELECT CAST(ticket_id AS TEXT) AS ticket, event_type, field FROM ticket_events \
             WHERE event_type IN ('SLA_BREACH', 'ESCALATED')",
        ));
        let mut per_ticket: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in &audits {
            per_ticket
                .entry(a["ticket"].as_str().unwrap().to_string())
                .or_default()
                .push(format!(
                    "{}:{}",
                    a["event_type"].as_str().unwrap(),
                    a["field"].as_str().unwrap_or("")
                ));
        }
        assert_eq!(per_ticket.len(), TICKETS, "{}", td.name);
        for (ticket, mut seen) in per_ticket {
            seen.sort();
            let breaches: Vec<&String> = seen
                .iter()
                .filter(|s| s.starts_with("SLA_BREACH"))
                .collect();
            assert_eq!(
                breaches,
                ["SLA_BREACH:resolution"],
                "ticket {ticket}: the open target breached once"
            );
            assert_eq!(
                seen.iter().filter(|s| s.starts_with("ESCALATED")).count(),
                1,
                "ticket {ticket}: {seen:?}"
            );
        }
        assert_eq!(
            sum("breaches"),
            TICKETS as u64,
            "each breach reported by one process"
        );
        assert_eq!(sum("escalations"), TICKETS as u64);
        // Notification delivery in every process at once: each intent delivered once.
        let delivered = all_at_once(&mut workers, (0..3).map(|_| Cmd::Deliver).collect());
        let mut ids: Vec<String> = delivered
            .iter()
            .flat_map(|d| {
                d.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
            })
            .collect();
        let total = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total, "a notification was delivered twice");
        let stored = rt.block_on(rows(
            &td,
            "SELECT CAST(id AS TEXT) AS id, status, template, CAST(attempts AS BIGINT) AS attempts FROM notification_log",
        ));
        // One per breach.
        assert_eq!(
            stored.len(),
            TICKETS,
            "{}: {:?}",
            td.name,
            stored
                .iter()
                .map(|r| r["template"].clone())
                .collect::<Vec<_>>()
        );
        let mut all: Vec<String> = stored
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        all.sort();
        assert_eq!(ids, all, "every notification delivered");
        assert!(
            stored
                .iter()
                .all(|r| r["status"] == "sent" && r["attempts"] == 1)
        );
        // Auto-tickets: every process raises the same critical alarm at once.
        let ev = AlarmEvent::new("acme", "device.down", "olt", "olt-77", t0())
            .with_severity(Severity::Critical);
        let cmds: Vec<Cmd> = (0..3)
            .map(|_| Cmd::Ingest {
                tenant: "acme".into(),
                batches: (0..10).map(|_| vec![ev.clone(); 3]).collect(),
            })
            .collect();
        let created: u64 = all_at_once(&mut workers, cmds)
            .iter()
            .map(|r| r["tickets"].as_u64().unwrap())
            .sum();
        assert_eq!(created, 1, "one process created the ticket");
        rt.block_on(async {
            let alarm = open_alarm(&td, "acme", "acme|network_device|device.down|olt|olt-77").await;
            assert_eq!(alarm.occurrence_count, 90);
            assert!(alarm.ticket_id.is_some());
            let n = td
                .count_where("tickets", &format!("alarm_id = '{}'", alarm.id))
                .await;
            assert_eq!(n, 1);
        });
    }
}

// ------------------------------------------------------------------------------------------
// Real-time across processes.

/// Collects streamed events from `w` until one with `seq >= upto` arrived.
fn collect_until(w: &mut Worker, upto: i64, into: &mut Vec<Value>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while into
        .last()
        .and_then(|e| e["seq"].as_i64())
        .is_none_or(|s| s < upto)
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match w.events.recv_timeout(left) {
            Ok(e) => into.push(e),
            Err(_) => panic!(
                "worker {} streamed up to {:?}, expected {upto}",
                w.name,
                into.last().map(|e| e["seq"].clone())
            ),
        }
    }
}

/// Every event of `tenant` after `after`, from the outbox.
async fn outbox_after(desk: &Desk, tenant: &str, after: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut at = after;
    loop {
        let page = desk.events_since(&admin(tenant), at, 500).await.unwrap();
        if page.is_empty() {
            return out;
        }
        for e in page {
            at = e.seq;
            out.push(e.seq);
        }
    }
}

#[test]
fn a_subscriber_receives_every_process_events_in_order() {
    let rt = runtime();
    for td in rt.block_on(shared_backends("events")) {
        eprintln!("--- backend {}", td.name);
        let mut workers = spawn_workers(3, "events", &td.url);
        let start = rt
            .block_on(outbox_after(&td, "acme", 0))
            .last()
            .copied()
            .unwrap_or(0);
        workers[0].call(&Cmd::Subscribe {
            tenant: "acme".into(),
            after: None,
        });
        let burst = |n: i64, tenant: &str, at: i64| -> Cmd {
            Cmd::Ingest {
                tenant: tenant.into(),
                batches: (0..n)
                    .map(|i| {
                        vec![
                            AlarmEvent::new(
                                tenant,
                                "device.down",
                                "router",
                                format!("r-{at}-{i}"),
                                t0() - Duration::seconds(at + i),
                            )
                            .with_severity(Severity::Critical),
                        ]
                    })
                    .collect(),
            }
        };
        let write_round = |workers: &mut [Worker], round: i64| {
            let cmds = vec![
                burst(4, "acme", round * 100),
                burst(4, "globex", round * 100 + 10),
            ];
            for (w, c) in workers.iter_mut().skip(1).zip(cmds) {
                w.send(&c);
            }
            // The parent process writes too.
            rt.block_on(async {
                let t = td
                    .create_ticket(
                        &admin("acme"),
                        NewTicketInput::new(format!("round {round}")),
                    )
                    .await
                    .unwrap();
                td.add_comment(
                    &admin("acme"),
                    t.id,
                    "on it",
                    faultdesk::ticket::comment::Visibility::Internal,
                )
                .await
                .unwrap();
            });
            for w in workers.iter_mut().skip(1) {
                w.ok();
            }
        };
        write_round(&mut workers, 1);
        write_round(&mut workers, 2);
        let expected = rt.block_on(outbox_after(&td, "acme", start));
        assert!(expected.len() >= 20, "{}: {expected:?}", td.name);
        let mut got = Vec::new();
        collect_until(&mut workers[0], *expected.last().unwrap(), &mut got);
        let seqs: Vec<i64> = got.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(
            seqs, expected,
            "{}: live events of every process, in order, once",
            td.name
        );
        assert!(got.iter().all(|e| e["tenant"] == "acme"));
        // Disconnect, miss some events, resume from the last sequence.
        let last = workers[0].call(&Cmd::Unsubscribe).as_i64().unwrap();
        assert_eq!(last, *seqs.last().unwrap());
        write_round(&mut workers, 3);
        workers[0].call(&Cmd::Subscribe {
            tenant: "acme".into(),
            after: Some(last),
        });
        write_round(&mut workers, 4);
        let expected = rt.block_on(outbox_after(&td, "acme", last));
        let mut got = Vec::new();
        collect_until(&mut workers[0], *expected.last().unwrap(), &mut got);
        let seqs: Vec<i64> = got.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(
            seqs, expected,
            "{}: resumed without gaps or repeats",
            td.name
        );
    }
}
