//! `faultdesk ingest FILE.jsonl`: alarm events in batches through `Desk::ingest_batch`.
//!
//! Each line is parsed as an [`AlarmEvent`] and checked the way the Desk's correlator checks
//! events (event type known or severity given, tenant, clock skew) by a scratch correlator with
//! the Desk's mapping — so a bad line is found before its batch reaches the database, reported
//! with its line number and skipped. With `--strict` the whole file is checked first and nothing
//! is written when any line is bad.

use crate::exit::CliError;
use crate::output::{self, Report, Sheet};
use clap::Args;
use faultdesk::fault::correlator::{Correlator, CorrelatorConfig};
use faultdesk::fault::{AlarmEvent, Decision};
use faultdesk::{Actor, Desk, ErrorKind, IngestOutcome};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// How many bad lines the summary lists (all are counted).
const MAX_LISTED_ERRORS: usize = 100;

/// The correlator's decision kinds, in the order the CSV summary has their columns.
const DECISION_KINDS: [&str; 15] = [
    "created",
    "deduplicated",
    "cleared",
    "flapping",
    "flapping_ended",
    "suppressed",
    "unsuppressed",
    "correlated",
    "reparented",
    "root_cause",
    "grouped",
    "escalated",
    "ticket_requested",
    "acknowledged",
    "resolved",
];

/// `faultdesk ingest`
#[derive(Debug, Args)]
#[command(long_about = "\
Ingest alarm events from a JSON Lines file: one event per line, in batches of --batch-size
events, each batch one transaction through the Desk (mapping, de-duplication, correlation,
flapping, maintenance, auto-tickets when the configuration turns them on). Blank lines are
ignored. Needs the faults.alarms.write permission.

An event line (seed 002's event fields; only event_type and occurred_at are required):

  {\"event_type\": \"device.down\", \"resource_type\": \"olt\", \"resource_id\": \"olt-7\",
   \"title\": \"OLT 7 down\", \"subscriber_count\": 150, \"occurred_at\": \"2026-03-02T09:00:00Z\"}

Other fields: tenant_id (must be the acting tenant when given), alarm_type, severity, source,
resource_name, customer_id, customer_name, description, probable_cause, recommended_action,
external_alarm_id, labels (object of strings), raw (any JSON). occurred_at is RFC 3339 with an
offset.

A bad line (invalid JSON, a wrong field, an event type outside the mapping table without a
severity, another tenant, ...) is reported on stderr with its line number and skipped; the other
lines are ingested. With --strict the whole file is checked first: if any line is bad, every bad
line is reported, nothing is written and the exit code is 3.

A progress bar is drawn on stderr when it is a terminal. The summary counts lines, events
ingested, lines skipped, alarms created and updated, tickets created and the correlator's
decisions.

--json: {\"file\", \"strict\", \"lines\", \"events\", \"skipped\", \"batches\", \"alarms_created\",
         \"alarms_updated\", \"tickets_created\", \"decisions\": {kind: count}, \"elapsed_secs\",
         \"events_per_sec\", \"errors\": [{\"line\", \"message\"}] (first 100), \"errors_truncated\"}
--csv:  one row with the same scalar fields and one decisions.<kind> column per decision kind")]
pub struct IngestArgs {
    /// The JSON Lines file of alarm events (`-` reads standard input).
    file: PathBuf,

    /// Check the whole file first; write nothing if any line is bad (exit code 3).
    #[arg(long)]
    strict: bool,

    /// Events per batch (one transaction each), 1 to 10000.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10000))]
    batch_size: u32,

    /// Do not draw the progress bar (it is only drawn when stderr is a terminal anyway).
    #[arg(long)]
    no_progress: bool,
}

/// Where the lines come from. Standard input is read into memory when it must be read twice
/// (`--strict`).
enum Input {
    File { path: PathBuf, len: u64 },
    Stdin,
    Buffered(Arc<[u8]>),
}

impl Input {
    fn open(path: &Path, twice: bool) -> Result<Input, CliError> {
        if path == Path::new("-") {
            if !twice {
                return Ok(Input::Stdin);
            }
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?;
            return Ok(Input::Buffered(buf.into()));
        }
        let meta = std::fs::metadata(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
        if meta.is_dir() {
            return Err(CliError::usage(format!(
                "cannot read {}: it is a directory",
                path.display()
            )));
        }
        Ok(Input::File {
            path: path.to_path_buf(),
            len: meta.len(),
        })
    }

    /// Total bytes, when known.
    fn len(&self) -> Option<u64> {
        match self {
            Input::File { len, .. } => Some(*len),
            Input::Stdin => None,
            Input::Buffered(b) => Some(b.len() as u64),
        }
    }

    fn reader(&self) -> Result<Box<dyn BufRead>, CliError> {
        Ok(match self {
            Input::File { path, .. } => {
                let f = std::fs::File::open(path)
                    .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
                Box::new(BufReader::with_capacity(1 << 16, f))
            }
            Input::Stdin => Box::new(BufReader::new(std::io::stdin())),
            Input::Buffered(b) => Box::new(std::io::Cursor::new(b.clone())),
        })
    }
}

/// A batch of good events and the line number of each.
struct Batch {
    events: Vec<AlarmEvent>,
    lines: Vec<usize>,
}

/// Reads, parses and checks lines, a batch at a time; bad lines are collected.
struct Scanner {
    reader: Box<dyn BufRead>,
    name: String,
    batch_size: usize,
    tenant: String,
    check: CorrelatorConfig,
    line_no: usize,
    /// Bytes consumed so far (for the progress bar).
    bytes: u64,
    /// Non-blank lines read.
    lines: usize,
    /// Bad lines not yet taken by the caller: (line number, message).
    bad: Vec<(usize, String)>,
    done: bool,
    buf: String,
}

impl Scanner {
    fn next_batch(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Batch>, CliError> {
        if self.done {
            return Ok(None);
        }
        let mut batch = Batch {
            events: Vec::with_capacity(self.batch_size),
            lines: Vec::with_capacity(self.batch_size),
        };
        while batch.events.len() < self.batch_size {
            self.buf.clear();
            let n = self.reader.read_line(&mut self.buf).map_err(|e| {
                CliError::usage(format!(
                    "cannot read {} after line {}: {e}",
                    self.name, self.line_no
                ))
            })?;
            if n == 0 {
                self.done = true;
                break;
            }
            self.bytes += n as u64;
            self.line_no += 1;
            let line = self.buf.trim();
            if line.is_empty() {
                continue;
            }
            self.lines += 1;
            match parse_line(line, &self.tenant) {
                Ok(e) => {
                    batch.events.push(e);
                    batch.lines.push(self.line_no);
                }
                Err(m) => self.bad.push((self.line_no, m)),
            }
        }
        // The checks the Desk's correlator makes (mapping, skew, ...), on a scratch correlator.
        let mut scratch =
            Correlator::new(self.check.clone()).map_err(|e| CliError::validation(e.to_string()))?;
        let mut decisions = Vec::new();
        let mut errors = Vec::new();
        scratch.ingest_batch_into(&batch.events, now, &mut decisions, &mut errors);
        if !errors.is_empty() {
            let mut drop = vec![false; batch.events.len()];
            for (i, e) in errors {
                drop[i] = true;
                self.bad.push((batch.lines[i], e.to_string()));
            }
            self.bad.sort_by_key(|(l, _)| *l);
            let mut keep = drop.iter().map(|d| !d);
            batch.events.retain(|_| keep.next().unwrap_or(true));
            let mut keep = drop.iter().map(|d| !d);
            batch.lines.retain(|_| keep.next().unwrap_or(true));
        }
        if batch.events.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(batch))
    }
}

/// Parses one line into an event of `tenant`; the error says which field is wrong.
fn parse_line(line: &str, tenant: &str) -> Result<AlarmEvent, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(map) = &v else {
        return Err(format!("an event must be a JSON object, got {v}"));
    };
    for required in ["event_type", "occurred_at"] {
        if !map.contains_key(required) {
            return Err(format!("{required}: missing"));
        }
    }
    let mut e: AlarmEvent = serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let hint = if path == "occurred_at" {
            " (use RFC 3339 with an offset, e.g. 2026-03-02T09:00:00Z)"
        } else {
            ""
        };
        if path == "." {
            e.into_inner().to_string()
        } else {
            format!("{path}: {}{hint}", e.into_inner())
        }
    })?;
    if e.tenant_id.is_empty() {
        e.tenant_id = tenant.to_string();
    } else if e.tenant_id != tenant {
        return Err(format!(
            "tenant_id: '{}' is not the acting tenant '{tenant}' (use --tenant)",
            e.tenant_id
        ));
    }
    Ok(e)
}

/// Totals of a run.
#[derive(Default)]
struct Totals {
    events: usize,
    batches: usize,
    created: usize,
    updated: usize,
    tickets: usize,
    decisions: BTreeMap<&'static str, u64>,
    /// Line number of the last event committed.
    last_committed_line: usize,
    errors: Vec<(usize, String)>,
    skipped: usize,
}

impl Totals {
    fn add(&mut self, o: &IngestOutcome, last_line: usize) {
        self.events += o.events;
        self.batches += 1;
        self.created += o.created;
        self.updated += o.updated;
        self.tickets += o.tickets.len();
        for d in &o.decisions {
            *self.decisions.entry(Decision::kind(d)).or_default() += 1;
        }
        self.last_committed_line = last_line;
    }

    fn bad(&mut self, found: &mut Vec<(usize, String)>, pb: &ProgressBar) {
        for (line, msg) in found.drain(..) {
            pb.suspend(|| eprintln!("line {line}: {msg}"));
            self.skipped += 1;
            if self.errors.len() < MAX_LISTED_ERRORS {
                self.errors.push((line, msg));
            }
        }
    }

    /// The error of a batch that failed after `self` was committed.
    fn failed(&self, name: &str, first_line: usize, e: faultdesk::Error) -> CliError {
        let committed = if self.events == 0 {
            "nothing was written".to_string()
        } else {
            format!(
                "{} event(s) up to line {} were written; the batch from line {first_line} and the rest were not",
                self.events, self.last_committed_line
            )
        };
        let msg = format!("{name}: line {first_line}: {}", e.message());
        CliError::from_desk(faultdesk::Error::new(e.kind(), msg)).with_details(vec![committed])
    }
}

fn progress(len: Option<u64>, hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let style = if len.is_some() {
        ProgressStyle::with_template(
            "{spinner} {prefix:>8} [{elapsed_precise}] [{wide_bar}] {bytes}/{total_bytes} {msg} (eta {eta})",
        )
    } else {
        ProgressStyle::with_template("{spinner} {prefix:>8} [{elapsed_precise}] {bytes} {msg}")
    };
    if let Ok(s) = style {
        pb.set_style(s.progress_chars("=> "));
    }
    pb
}

/// Runs `faultdesk ingest`.
pub async fn run(desk: &Desk, actor: &Actor, args: &IngestArgs) -> Result<Report, CliError> {
    let name = args.file.display().to_string();
    // Refuse before reading anything when the actor may not ingest.
    let write = faultdesk::ticket::rbac::perms::FAULTS_ALARMS_WRITE;
    if !desk
        .config()
        .rbac
        .permissions(&actor.roles, &actor.permissions)
        .has(write)
    {
        return Err(CliError::from_desk(faultdesk::Error::permission_denied(
            write,
        )));
    }
    let input = Input::open(&args.file, args.strict)?;
    let base = &desk.config().correlator;
    let check = CorrelatorConfig {
        mapping: base.mapping.clone(),
        max_future_skew_secs: base.max_future_skew_secs,
        ..CorrelatorConfig::default()
    };
    let scanner = |reader| Scanner {
        reader,
        name: name.clone(),
        batch_size: args.batch_size as usize,
        tenant: actor.tenant_id.clone(),
        check: check.clone(),
        line_no: 0,
        bytes: 0,
        lines: 0,
        bad: Vec::new(),
        done: false,
        buf: String::new(),
    };
    let started = Instant::now();
    let pb = progress(input.len(), args.no_progress);
    let mut totals = Totals::default();

    if args.strict {
        pb.set_prefix("checking");
        let mut sc = scanner(input.reader()?);
        let mut bad = Vec::new();
        while let Some(_batch) = sc.next_batch(desk.now())? {
            bad.append(&mut sc.bad);
            pb.set_position(sc.bytes);
        }
        bad.append(&mut sc.bad);
        if !bad.is_empty() {
            pb.finish_and_clear();
            let n = bad.len();
            let mut details: Vec<String> = bad
                .iter()
                .take(MAX_LISTED_ERRORS)
                .map(|(l, m)| format!("line {l}: {m}"))
                .collect();
            if n > MAX_LISTED_ERRORS {
                details.push(format!("... and {} more", n - MAX_LISTED_ERRORS));
            }
            return Err(CliError::validation(format!(
                "{name}: {n} bad line(s) of {}; nothing was written (--strict)",
                sc.lines
            ))
            .with_details(details));
        }
        pb.set_position(0);
    }

    pb.set_prefix("ingest");
    let mut sc = scanner(input.reader()?);
    while let Some(batch) = sc.next_batch(desk.now())? {
        totals.bad(&mut sc.bad, &pb);
        pb.set_position(sc.bytes);
        if batch.events.is_empty() {
            continue;
        }
        let first_line = batch.lines[0];
        let last_line = *batch.lines.last().expect("non-empty batch");
        match desk.ingest_batch(actor, batch.events.clone()).await {
            Ok(o) => totals.add(&o, last_line),
            Err(e) if e.kind() == ErrorKind::Validation && !args.strict => {
                // The Desk refused something the scratch check let through: find it event by
                // event (each its own transaction), skipping the bad ones.
                for (event, line) in batch.events.into_iter().zip(batch.lines) {
                    match desk.ingest(actor, event).await {
                        Ok(o) => totals.add(&o, line),
                        Err(e) if e.kind() == ErrorKind::Validation => {
                            let msg = e.message().trim_start_matches("Event 0: ").to_string();
                            totals.bad(&mut vec![(line, msg)], &pb);
                        }
                        Err(e) => {
                            pb.finish_and_clear();
                            return Err(totals.failed(&name, line, e));
                        }
                    }
                }
            }
            Err(e) => {
                pb.finish_and_clear();
                return Err(totals.failed(&name, first_line, e));
            }
        }
        pb.set_message(format!("{} events", totals.events));
    }
    totals.bad(&mut sc.bad, &pb);
    pb.finish_and_clear();
    Ok(summary(&name, args.strict, sc.lines, &totals, started))
}

fn summary(name: &str, strict: bool, lines: usize, t: &Totals, started: Instant) -> Report {
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 {
        t.events as f64 / secs
    } else {
        0.0
    };
    let errors: Vec<Value> = t
        .errors
        .iter()
        .map(|(l, m)| json!({"line": l, "message": m}))
        .collect();
    let j = json!({
        "file": name,
        "strict": strict,
        "lines": lines,
        "events": t.events,
        "skipped": t.skipped,
        "batches": t.batches,
        "alarms_created": t.created,
        "alarms_updated": t.updated,
        "tickets_created": t.tickets,
        "decisions": t.decisions,
        "elapsed_secs": (secs * 1000.0).round() / 1000.0,
        "events_per_sec": rate.round() as u64,
        "errors": errors,
        "errors_truncated": t.skipped > t.errors.len(),
    });
    let mut pairs: Vec<(String, String)> = [
        "file",
        "strict",
        "lines",
        "events",
        "skipped",
        "batches",
        "alarms_created",
        "alarms_updated",
        "tickets_created",
        "elapsed_secs",
        "events_per_sec",
    ]
    .iter()
    .map(|k| (k.to_string(), output::cell(&j[*k])))
    .collect();
    let table_pairs = pairs.clone();
    for k in DECISION_KINDS {
        pairs.push((
            format!("decisions.{k}"),
            t.decisions.get(k).copied().unwrap_or(0).to_string(),
        ));
    }
    let csv = Sheet::record(pairs);
    let overview = Sheet::record(table_pairs).titled("Ingest");
    let mut decisions = Sheet::new(["decision", "count"]).titled("Decisions");
    for (k, n) in &t.decisions {
        decisions.push(vec![k.to_string(), n.to_string()]);
    }
    Report::new(j, vec![overview, decisions])
        .with_csv(csv)
        .note(format!(
        "{name}: {} event(s) ingested, {} line(s) skipped, {} alarm(s) created, {} ticket(s) created",
        t.events, t.skipped, t.created, t.tickets
    ))
}
