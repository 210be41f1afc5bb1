//! The main job: an FTTH network's month of alarms, end to end, through the [`Desk`] on
//! embedded SQLite (or PostgreSQL with `--db postgres://...`).
//!
//! ```text
//! cargo run --release --example noc                      # defaults: 20 OLTs, ~20,000 ONTs, 1,000,000 events
//! cargo run --release --example noc -- --events 50000 --olts 4 --json out.json
//! cargo run --release --example noc -- --html report.html    # one self-contained page of charts
//! ```
//!
//! It generates the network (routers → OLTs → PON ports → splitters → ONTs), loads the topology,
//! seed 002's OLT→ONT correlation rule and a maintenance window, then replays the month in
//! batches through `Desk::ingest_batch` on a simulated clock, with the auto-ticket triggers on.
//! Agents work the tickets (acknowledge, comment, resolve, close); the SLA scheduler and the
//! unacknowledged-alarm check run on the simulated clock. It ends with a report (and `--json`).

mod html;
#[cfg(test)]
mod invariants;
mod scenario;
mod sla;

use chrono::{DateTime, Duration, Utc};
use faultdesk::fault::correlator::SEED_002_RULE_JSON;
use faultdesk::fault::decision::Decision;
use faultdesk::fault::maintenance::MaintenanceScope;
use faultdesk::fault::trigger::{TicketTrigger, TriggerConfig};
use faultdesk::ticket::comment::Visibility;
use faultdesk::ticket::sla::SlaPolicy;
use faultdesk::{Actor, Desk, DeskConfig, ManualClock, NewMaintenanceWindow, TransitionOptions};
use indicatif::{ProgressBar, ProgressStyle};
use scenario::{Events, Scenario, ScenarioConfig, Story, TENANT};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::Instant;
use uuid::Uuid;

/// Command-line options.
#[derive(Debug, Clone)]
struct Options {
    db: String,
    json: Option<String>,
    html: Option<String>,
    batch: usize,
    quiet: bool,
    scenario: ScenarioConfig,
}

fn usage() -> ! {
    eprintln!(
        "usage: noc [--db URL] [--events N] [--olts N] [--ports N] [--onts-per-port N] [--days N] \
         [--seed N] [--batch N] [--json FILE] [--html FILE] [--quiet]"
    );
    std::process::exit(2)
}

fn parse_args_from(mut args: impl Iterator<Item = String>) -> Options {
    let mut o = Options {
        db: String::new(),
        json: None,
        html: None,
        batch: 5000,
        quiet: false,
        scenario: ScenarioConfig::default(),
    };
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        let num = |v: String| v.parse::<u64>().unwrap_or_else(|_| usage());
        match a.as_str() {
            "--db" => o.db = val(),
            "--json" => o.json = Some(val()),
            "--html" => o.html = Some(val()),
            "--events" => o.scenario.min_events = num(val()),
            "--olts" => o.scenario.olts = num(val()).max(1) as usize,
            "--ports" => o.scenario.ports_per_olt = num(val()).max(1) as usize,
            "--onts-per-port" => o.scenario.onts_per_port = num(val()).max(1) as usize,
            "--days" => o.scenario.days = num(val()).clamp(1, 366) as i64,
            "--seed" => o.scenario.seed = num(val()),
            "--batch" => o.batch = num(val()).clamp(1, 10_000) as usize,
            "--quiet" => o.quiet = true,
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if o.db.is_empty() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("noc.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        o.db = format!("sqlite://{}", path.display());
    }
    o
}

/// Options of a small run for the tests: a SQLite file in `dir`, 2 OLTs with 2 PON ports of
/// 16 ONTs, no progress bar, then `extra` flags.
#[cfg(test)]
fn small_run_options(dir: &std::path::Path, extra: &[&str]) -> Options {
    let db = format!("sqlite://{}/noc.db", dir.display());
    let base = [
        "--db",
        db.as_str(),
        "--olts",
        "2",
        "--ports",
        "2",
        "--onts-per-port",
        "16",
    ];
    let args = base
        .into_iter()
        .chain(["--quiet"])
        .chain(extra.iter().copied());
    parse_args_from(args.map(String::from))
}

/// The report printed at the end and written with `--json`.
#[derive(Debug, Default, Serialize)]
struct Report {
    seed: u64,
    database: String,
    network: BTreeMap<String, usize>,
    olt_failure: String,
    fibre_cut: String,
    events_in: u64,
    events_by_story: BTreeMap<String, u64>,
    alarms_created: u64,
    deduplicated: u64,
    correlated: u64,
    suppressed_correlated: u64,
    suppressed_maintenance: u64,
    flapping_decisions: u64,
    flapping_alarms: usize,
    cleared: u64,
    root_causes: u64,
    /// Alarms created that were never suppressed (as a correlated child, by maintenance or by
    /// a suppression rule): what an operator has to look at.
    actionable_alarms: u64,
    noise_reduction_ratio: f64,
    tickets_by_trigger: BTreeMap<String, u64>,
    tickets_created: u64,
    tickets_closed: u64,
    agent_actions: BTreeMap<String, u64>,
    unacknowledged_findings: u64,
    sla_warnings: u64,
    sla_breaches: u64,
    sla_instances: usize,
    sla_availability_breaches: u64,
    sla_compliance: Vec<sla::TierReport>,
    ingest_seconds: f64,
    events_per_second: f64,
    /// Wall-clock seconds per phase: setup (topology, maintenance, SLA provisioning), ingest,
    /// scheduler (`run_due`), unacknowledged check, agents, report.
    phase_seconds: BTreeMap<String, f64>,
    total_seconds: f64,
    /// Per-minute/hour series for `--html` (not in the JSON report).
    #[serde(skip)]
    timeline: html::Timeline,
}

impl Report {
    /// Adds `d` to the phase's wall-clock total.
    fn add_phase(&mut self, phase: &str, d: std::time::Duration) {
        *self.phase_seconds.entry(phase.to_string()).or_default() += d.as_secs_f64();
    }
}

/// A ticket an agent will work on at `due`.
struct AgentTask {
    due: DateTime<Utc>,
    ticket: Uuid,
    alarm: Uuid,
    step: u8,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> faultdesk::Result<()> {
    let opts = parse_args_from(std::env::args().skip(1));
    run_and_write(&opts).await?;
    Ok(())
}

/// Runs, prints the report and writes the `--json` / `--html` files.
async fn run_and_write(opts: &Options) -> faultdesk::Result<Report> {
    let report = run(opts).await?;
    print_report(&report);
    let write = |path: &str, text: String| {
        std::fs::write(path, text).map_err(|e| faultdesk::Error::storage(e.to_string()))
    };
    if let Some(path) = &opts.json {
        write(
            path,
            serde_json::to_string_pretty(&report).expect("report serialises"),
        )?;
        println!("report written to {path}");
    }
    if let Some(path) = &opts.html {
        let value = serde_json::to_value(&report).expect("report serialises");
        write(
            path,
            html::render(&value, &report.timeline).map_err(faultdesk::Error::storage)?,
        )?;
        println!("HTML report written to {path}");
    }
    Ok(report)
}

async fn run(opts: &Options) -> faultdesk::Result<Report> {
    let started = Instant::now();
    let scenario = Scenario::generate(opts.scenario.clone());
    let n = &scenario.network;
    let clock = ManualClock::new(scenario.config.start);
    let config = DeskConfig::default()
        .with_clock(clock.clone())
        .with_rules_json(SEED_002_RULE_JSON)?
        .with_triggers(TriggerConfig {
            // Seed 000: unacknowledged alarms are logged for a person to decide, not ticketed.
            unacknowledged_timeout_secs: None,
            ..TriggerConfig::seed_002()
        })
        .with_sla_policy(SlaPolicy::itsm())?;
    let desk = Desk::open(&opts.db, config).await?;
    let noc = Actor::new(TENANT, "noc-operator").with_roles(["ADMIN"]);
    let agent = Actor::new(TENANT, "agent-1").with_roles(["ADMIN"]);

    let mut report = Report {
        seed: scenario.config.seed,
        database: opts.db.split('?').next().unwrap_or_default().to_string(),
        timeline: html::Timeline::new(
            scenario.config.start,
            scenario.config.days,
            opts.html.is_some(),
        ),
        ..Report::default()
    };
    report.olt_failure = format!(
        "{} at {}",
        n.olts[scenario.olt_failure.0], scenario.olt_failure.1
    );
    report.fibre_cut = format!(
        "{} at {}",
        n.ports[scenario.fibre_cut.0], scenario.fibre_cut.1
    );
    report.network = BTreeMap::from([
        ("routers".to_string(), n.routers.len()),
        ("olts".to_string(), n.olts.len()),
        ("pon_ports".to_string(), n.ports.len()),
        ("onts".to_string(), n.onts.len()),
        ("topology_edges".to_string(), n.edges.len()),
    ]);

    // Topology and the planned maintenance window.
    for chunk in n.edges.chunks(5000) {
        desk.add_topology_edges(&noc, chunk.to_vec()).await?;
    }
    let m = &scenario.maintenance;
    desk.create_maintenance_window(
        &noc,
        NewMaintenanceWindow {
            title: format!("Firmware upgrade {}", n.olts[m.olt]),
            description: Some("Planned OLT firmware upgrade".into()),
            start: m.start,
            end: m.end,
            scope: MaintenanceScope {
                resources: vec![n.olts[m.olt].clone()],
                include_descendants: true,
                ..MaintenanceScope::default()
            },
        },
    )
    .await?;
    // Availability SLAs per customer tier, fed by the replay.
    let slas = sla::provision(&desk, &noc, &scenario).await?;
    report.sla_instances = slas.instances;
    report.add_phase("setup", started.elapsed());

    let bar = if opts.quiet {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(scenario.total_events);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} events ({per_sec}) {msg}",
            )
            .expect("valid template"),
        );
        b
    };

    let mut flapping: HashSet<Uuid> = HashSet::new();
    // Alarms suppressed at least once (a correlated child, a maintenance or rule suppression):
    // an alarm can be suppressed more than once, so the decisions alone over-count.
    let mut suppressed: HashSet<Uuid> = HashSet::new();
    let mut tasks: VecDeque<AgentTask> = VecDeque::new();
    let mut next_housekeeping = scenario.config.start + Duration::minutes(10);
    let mut batch = Vec::with_capacity(opts.batch);
    let mut events = Events::of(&scenario);
    let mut ingest_time = std::time::Duration::ZERO;
    loop {
        batch.clear();
        for (e, story) in events.by_ref() {
            *report.events_by_story.entry(story_name(story)).or_default() += 1;
            batch.push(e);
            if batch.len() == opts.batch {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        let batch_end = batch.last().map(|e| e.occurred_at).expect("non-empty");
        // Housekeeping (scheduler, unacknowledged check, agents) up to the batch's time.
        while next_housekeeping <= batch_end {
            clock.set(next_housekeeping);
            housekeeping(
                &desk,
                &noc,
                &agent,
                &mut tasks,
                next_housekeeping,
                &mut report,
            )
            .await?;
            next_housekeeping += Duration::minutes(10);
        }
        clock.set(batch_end);
        let count = batch.len() as u64;
        report.timeline.events(batch.iter().map(|e| e.occurred_at));
        let t0 = Instant::now();
        let outcome = desk.ingest_batch(&noc, std::mem::take(&mut batch)).await?;
        ingest_time += t0.elapsed();
        report.timeline.decisions(&outcome.decisions);
        report.events_in += count;
        for d in &outcome.decisions {
            tally(d, &mut report, &mut flapping, &mut suppressed);
            if let Decision::TicketRequested { trigger, .. } = d {
                *report
                    .tickets_by_trigger
                    .entry(trigger_name(trigger))
                    .or_default() += 1;
            }
        }
        for t in &outcome.tickets {
            let alarm = outcome
                .decisions
                .iter()
                .find_map(|d| match d {
                    Decision::TicketRequested { alarm_id, .. } => Some(*alarm_id),
                    _ => None,
                })
                .unwrap_or_default();
            report.tickets_created += 1;
            tasks.push_back(AgentTask {
                due: batch_end + Duration::minutes(20),
                ticket: *t,
                alarm,
                step: 0,
            });
        }
        bar.inc(count);
    }
    // Let the agents finish and the scheduler run to the end of the month.
    let end = scenario.config.start + Duration::days(scenario.config.days) + Duration::hours(12);
    while next_housekeeping <= end {
        clock.set(next_housekeeping);
        housekeeping(
            &desk,
            &noc,
            &agent,
            &mut tasks,
            next_housekeeping,
            &mut report,
        )
        .await?;
        next_housekeeping += Duration::minutes(10);
    }
    bar.finish_and_clear();
    let t0 = Instant::now();
    report.sla_compliance = sla::report(&desk, &noc, &slas).await?;
    report.add_phase("report", t0.elapsed());

    report.flapping_alarms = flapping.len();
    report.actionable_alarms = report
        .alarms_created
        .saturating_sub(suppressed.len() as u64);
    report.noise_reduction_ratio = if report.actionable_alarms == 0 {
        0.0
    } else {
        report.events_in as f64 / report.actionable_alarms as f64
    };
    report.ingest_seconds = ingest_time.as_secs_f64();
    report.add_phase("ingest", ingest_time);
    report.events_per_second = report.events_in as f64 / ingest_time.as_secs_f64().max(1e-9);
    report.total_seconds = started.elapsed().as_secs_f64();
    desk.close().await?;
    Ok(report)
}

/// Every ten simulated minutes: SLA scheduler, unacknowledged check, agents' work.
async fn housekeeping(
    desk: &Desk,
    noc: &Actor,
    agent: &Actor,
    tasks: &mut VecDeque<AgentTask>,
    now: DateTime<Utc>,
    report: &mut Report,
) -> faultdesk::Result<()> {
    let t0 = Instant::now();
    let due = desk.run_due(now).await?;
    report.add_phase("scheduler", t0.elapsed());
    report.sla_warnings += due.warnings as u64;
    report.sla_breaches += due.breaches as u64;
    report.sla_availability_breaches += due.sla_breaches as u64;
    // Tickets the scheduler opened for availability SLA breaches are worked like the others.
    for t in &due.sla_tickets {
        *report
            .tickets_by_trigger
            .entry("sla_breach".to_string())
            .or_default() += 1;
        report.tickets_created += 1;
        tasks.push_back(AgentTask {
            due: now + Duration::minutes(20),
            ticket: *t,
            alarm: Uuid::nil(),
            step: 0,
        });
    }
    let t0 = Instant::now();
    report.unacknowledged_findings += desk.check_unacknowledged(Some(noc)).await?.len() as u64;
    report.add_phase("unacknowledged check", t0.elapsed());
    let t0 = Instant::now();
    let mut later = VecDeque::new();
    while let Some(mut t) = tasks.pop_front() {
        if t.due > now {
            later.push_back(t);
            continue;
        }
        let action = agent_step(desk, agent, &t).await;
        let name = match &action {
            Ok(n) => (*n).to_string(),
            Err(e) => format!("error:{}", e.kind()),
        };
        *report.agent_actions.entry(name).or_default() += 1;
        if t.step == 4 && action.is_ok() {
            report.tickets_closed += 1;
        }
        if t.step < 4 {
            t.step += 1;
            t.due = now + Duration::minutes(if t.step == 3 { 90 } else { 15 });
            later.push_back(t);
        }
    }
    *tasks = later;
    report.add_phase("agents", t0.elapsed());
    Ok(())
}

/// One step of an agent's work on a ticket.
async fn agent_step(desk: &Desk, agent: &Actor, t: &AgentTask) -> faultdesk::Result<&'static str> {
    match t.step {
        0 => {
            if !t.alarm.is_nil() {
                let _ = desk.acknowledge_alarm(agent, t.alarm).await;
            }
            desk.assign_ticket(agent, t.ticket, Some(agent.user_id.clone()))
                .await?;
            Ok("assigned")
        }
        1 => {
            desk.add_comment(
                agent,
                t.ticket,
                "Field team dispatched; customer informed.",
                Visibility::Public,
            )
            .await?;
            Ok("commented")
        }
        2 => {
            desk.transition_ticket(agent, t.ticket, "IN_PROGRESS", TransitionOptions::default())
                .await?;
            Ok("in_progress")
        }
        3 => {
            desk.transition_ticket(
                agent,
                t.ticket,
                "RESOLVED",
                TransitionOptions::resolution_note("Service restored; fibre spliced."),
            )
            .await?;
            Ok("resolved")
        }
        _ => {
            desk.transition_ticket(agent, t.ticket, "CLOSED", TransitionOptions::default())
                .await?;
            Ok("closed")
        }
    }
}

fn tally(
    d: &Decision,
    r: &mut Report,
    flapping: &mut HashSet<Uuid>,
    suppressed: &mut HashSet<Uuid>,
) {
    match d {
        Decision::Created { alarm } => {
            r.alarms_created += 1;
            if alarm.status.as_str() == "suppressed" {
                suppressed.insert(alarm.id);
            }
        }
        Decision::Deduplicated { .. } => r.deduplicated += 1,
        Decision::Cleared { .. } => r.cleared += 1,
        Decision::Flapping { alarm_id, .. } => {
            r.flapping_decisions += 1;
            flapping.insert(*alarm_id);
        }
        Decision::Suppressed { alarm_id, .. } => {
            r.suppressed_maintenance += 1;
            suppressed.insert(*alarm_id);
        }
        Decision::Correlated {
            alarm_id, status, ..
        } => {
            r.correlated += 1;
            if status.as_str() == "suppressed" {
                r.suppressed_correlated += 1;
                suppressed.insert(*alarm_id);
            }
        }
        Decision::RootCause { .. } => r.root_causes += 1,
        _ => {}
    }
}

fn story_name(s: Story) -> String {
    format!("{s:?}")
}

fn trigger_name(t: &TicketTrigger) -> String {
    match t {
        TicketTrigger::Critical => "critical".into(),
        TicketTrigger::MajorWithSubscribers { .. } => "major_with_subscribers".into(),
        TicketTrigger::Unacknowledged { .. } => "unacknowledged".into(),
        TicketTrigger::SlaBreach { .. } => "sla_breach".into(),
        other => format!("{other:?}"),
    }
}

fn print_report(r: &Report) {
    println!("faultdesk noc — one simulated month of an FTTH network");
    println!("  database              {}", r.database);
    for (k, v) in &r.network {
        println!("  {k:<21} {v}");
    }
    println!("  OLT failure           {}", r.olt_failure);
    println!("  fibre cut             {}", r.fibre_cut);
    println!("  events in             {}", r.events_in);
    for (k, v) in &r.events_by_story {
        println!("    {k:<19} {v}");
    }
    println!("  alarms created        {}", r.alarms_created);
    println!("  de-duplicated         {}", r.deduplicated);
    println!(
        "  correlated            {} ({} suppressed as children)",
        r.correlated, r.suppressed_correlated
    );
    println!("  root causes           {}", r.root_causes);
    println!("  suppressed (maint.)   {}", r.suppressed_maintenance);
    println!(
        "  flapping              {} decisions on {} alarms",
        r.flapping_decisions, r.flapping_alarms
    );
    println!("  cleared               {}", r.cleared);
    println!("  actionable alarms     {}", r.actionable_alarms);
    println!(
        "  noise reduction       {:.1} events per actionable alarm",
        r.noise_reduction_ratio
    );
    println!("  tickets created       {}", r.tickets_created);
    for (k, v) in &r.tickets_by_trigger {
        println!("    trigger {k:<23} {v}");
    }
    println!("  tickets closed        {}", r.tickets_closed);
    for (k, v) in &r.agent_actions {
        println!("    agent {k:<25} {v}");
    }
    println!("  unacked findings      {}", r.unacknowledged_findings);
    println!(
        "  SLA warnings/breaches {} / {}",
        r.sla_warnings, r.sla_breaches
    );
    println!(
        "  availability SLAs     {} instances, {} breaches recorded by the scheduler",
        r.sla_instances, r.sla_availability_breaches
    );
    sla::print(&r.sla_compliance);
    println!(
        "  ingest                {:.0} events/s ({:.1} s)",
        r.events_per_second, r.ingest_seconds
    );
    for (k, v) in &r.phase_seconds {
        println!("    {k:<21} {v:.1} s");
    }
    println!("  total                 {:.1} s", r.total_seconds);
}
