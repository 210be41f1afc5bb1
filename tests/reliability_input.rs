//! Issue 11.1 — bad input never corrupts state.
//!
//! Generated operations (proptest feeds bytes; `arbitrary` turns them into structured,
//! adversarial input through `reliability::gen`): rule JSON (create/update), workflow, event
//! mapping and rule JSON in a Desk configuration, alarm event batches, ticket inputs and
//! PATCHes, ticket queries and search strings, comments, attachment names, ticket numbers.
//! For every case:
//!
//! - no panic (proptest reports a panic as a failure and shrinks it);
//! - the result is `Ok` or a typed user error (Validation, NotFound, Conflict,
//!   InvalidTransition, PermissionDenied) — never `Storage`, which would mean bad input
//!   reached the database;
//! - an error message carries no SQL or driver text;
//! - after an error, and after any read, **every table is byte-identical** to before (full
//!   dump).
//!
//! Case counts: 300 per backend in the normal run; `FAULTDESK_LONG=1` runs 100,000 on
//! in-memory SQLite and 3,000 on the file SQLite and PostgreSQL backends
//! (`FAULTDESK_CASES=N` sets all). The counts tried are printed.

mod common;
mod reliability;

use arbitrary::Unstructured;
use common::*;
use faultdesk::fault::AlarmEvent;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{Actor, BlobStore, Desk, DeskConfig, ErrorKind, NewAttachment, NewTicketInput};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reliability::{Dump, Dumper, inputs};
use std::cell::RefCell;
use std::collections::BTreeMap;
use uuid::Uuid;

const TENANT: &str = "fz";

/// The objects every operation can aim at.
struct Fixture {
    desk: Desk,
    actor: Actor,
    ticket: Uuid,
    number: String,
    rule: Uuid,
    alarm: Uuid,
    comment: Uuid,
    dumper: Dumper,
    /// The dump after the last successful write.
    state: Dump,
}

async fn fixture(desk: Desk) -> Fixture {
    let actor = admin(TENANT);
    let t = desk
        .create_ticket(
            &actor,
            NewTicketInput::new("Fibre cut").label("contractor_id", "c-1"),
        )
        .await
        .unwrap();
    let rule = desk
        .create_rule(&actor, faultdesk::fault::correlator::SEED_002_RULE_JSON)
        .await
        .unwrap()
        .id;
    let alarm = desk
        .ingest(
            &actor,
            AlarmEvent::new(TENANT, "device.down", "olt", "olt-1", desk.now()),
        )
        .await
        .unwrap()
        .alarm_ids[0];
    let comment = desk
        .add_comment(&actor, t.id, "first", Visibility::Public)
        .await
        .unwrap()
        .id;
    let dumper = Dumper::new(&desk).await;
    let state = dumper.dump().await;
    Fixture {
        dumper,
        desk,
        actor,
        ticket: t.id,
        number: t.number,
        rule,
        alarm,
        comment,
        state,
    }
}

/// One generated operation.
#[derive(Debug)]
enum Op {
    CreateRule(String),
    UpdateRule(String),
    /// `{"<section>": <document>}` as a Desk configuration.
    Config(&'static str, String),
    Ingest(Vec<AlarmEvent>),
    CreateTicket(NewTicketInput),
    UpdateTicket(faultdesk::ticket::TicketPatch),
    List(faultdesk::TicketQuery),
    Search(String, faultdesk::TicketQuery),
    Stats(faultdesk::TicketQuery),
    Comment(String),
    EditComment(String),
    Attach(String, Option<String>, Vec<u8>),
    Transition(String, Option<String>),
    ByNumber(String),
    AlarmNote(String, String),
}

impl Op {
    fn generate(u: &mut Unstructured) -> arbitrary::Result<Op> {
        Ok(match u.int_in_range(0..=15)? {
            0 => Op::CreateRule(inputs::rule_json(u)?),
            1 => Op::UpdateRule(inputs::rule_json(u)?),
            2 => {
                let (section, doc) = match u.int_in_range(0..=2)? {
                    0 => ("workflow", inputs::workflow_json(u)?),
                    1 => ("mapping", inputs::mapping_json(u)?),
                    _ => ("rules", inputs::rule_json(u)?),
                };
                Op::Config(section, doc)
            }
            3 | 4 => {
                let n = u.int_in_range(1..=3)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(inputs::alarm_event(u, TENANT)?);
                }
                Op::Ingest(v)
            }
            5 => {
                let mut t = NewTicketInput::new(inputs::text(u)?);
                t.description = inputs::text(u)?;
                t.customer_id = inputs::opt_text(u)?;
                if u.ratio(1, 4)? {
                    t.assignee_id = inputs::opt_text(u)?;
                }
                if u.ratio(1, 4)? {
                    t.due_at = Some(inputs::instant(u)?);
                }
                t.labels = inputs::labels(u)?;
                if u.ratio(1, 3)? {
                    t.metadata = Some(inputs::tree(u, inputs::RULE_KEYS, 3)?);
                }
                Op::CreateTicket(t)
            }
            6 => Op::UpdateTicket(inputs::ticket_patch(u)?),
            7 => Op::List(inputs::ticket_query(u)?),
            8 => Op::Search(inputs::text(u)?, inputs::ticket_query(u)?),
            9 => Op::Stats(inputs::ticket_query(u)?),
            10 => Op::Comment(inputs::text(u)?),
            11 => Op::EditComment(inputs::text(u)?),
            12 => {
                let n = u.int_in_range(0..=64)?;
                let bytes = u.bytes(n)?.to_vec();
                Op::Attach(inputs::file_name(u)?, inputs::opt_text(u)?, bytes)
            }
            13 => Op::Transition(
                if u.arbitrary()? {
                    u.choose(inputs::WORDS)?.to_string()
                } else {
                    inputs::text(u)?
                },
                inputs::opt_text(u)?,
            ),
            14 => Op::ByNumber(inputs::text(u)?),
            _ => Op::AlarmNote(inputs::text(u)?, inputs::text(u)?),
        })
    }

    fn writes(&self) -> bool {
        !matches!(
            self,
            Op::List(_) | Op::Search(..) | Op::Stats(_) | Op::ByNumber(_) | Op::Config(..)
        )
    }
}

/// Runs `op`; `Ok(())` or the Desk's error.
async fn run(f: &Fixture, op: &Op) -> faultdesk::Result<()> {
    let (d, a) = (&f.desk, &f.actor);
    match op {
        Op::CreateRule(j) => d.create_rule(a, j).await.map(drop),
        Op::UpdateRule(j) => d.update_rule(a, f.rule, j).await.map(drop),
        Op::Config(section, doc) => {
            let json = format!("{{\"{section}\": {doc}}}");
            // Not JSON at all is the configuration parser's Validation error as well.
            let config = DeskConfig::from_json(&json)?;
            let desk = Desk::open("sqlite::memory:", config).await?;
            let t = desk
                .create_ticket(a, NewTicketInput::new("under a fuzzed config"))
                .await;
            let e = AlarmEvent::new(TENANT, "device.down", "olt", "olt-1", desk.now());
            let i = desk.ingest(a, e).await;
            desk.close().await?;
            t.map(drop)?;
            i.map(drop)
        }
        Op::Ingest(events) => d.ingest_batch(a, events.clone()).await.map(drop),
        Op::CreateTicket(t) => d.create_ticket(a, t.clone()).await.map(drop),
        Op::UpdateTicket(p) => d.update_ticket(a, f.ticket, p.clone()).await.map(drop),
        Op::List(q) => d.list_tickets(a, q.clone()).await.map(drop),
        Op::Search(text, q) => d.search_tickets(a, text, q.clone()).await.map(drop),
        Op::Stats(q) => d.ticket_stats(a, q.clone()).await.map(drop),
        Op::Comment(body) => d
            .add_comment(a, f.ticket, body, Visibility::Internal)
            .await
            .map(drop),
        Op::EditComment(body) => d.edit_comment(a, f.comment, body).await.map(drop),
        Op::Attach(name, content_type, bytes) => {
            let mut input = NewAttachment::new(name.clone());
            input.content_type = content_type.clone();
            let att = d
                .add_attachment_bytes(a, f.ticket, input, bytes.clone())
                .await?;
            let n = &att.file_name;
            assert!(
                !n.is_empty()
                    && !n.contains(['/', '\\', '\0'])
                    && !n.starts_with('.')
                    && n.chars().all(|c| !c.is_control()),
                "stored name {n:?} from {name:?}"
            );
            Ok(())
        }
        Op::Transition(to, note) => {
            let o = faultdesk::TransitionOptions {
                resolution_note: note.clone(),
                comment: None,
            };
            d.transition_ticket(a, f.ticket, to, o).await.map(drop)
        }
        Op::ByNumber(n) => {
            let r = d.get_ticket_by_number(a, n).await;
            if let Ok(t) = &r {
                assert_eq!(t.number, f.number, "{n:?} found another ticket");
            }
            r.map(drop)
        }
        Op::AlarmNote(kind, text) => d.add_alarm_note(a, f.alarm, kind, text).await.map(drop),
    }
}

/// Text that would mean a database or driver message reached the caller.
const SQL_TELLTALES: &[&str] = &[
    "SELECT ",
    "INSERT INTO",
    "DELETE FROM",
    "UPDATE alarms",
    "UPDATE tickets",
    "syntax error",
    "sqlx",
    "SQLSTATE",
    "sqlite",
    "violates",
    "error returned from database",
];

/// Tally of outcomes, printed at the end.
#[derive(Default, Debug)]
struct Tally {
    cases: u64,
    ok: u64,
    errors: BTreeMap<String, u64>,
    /// The first messages of each kind (to show in the report).
    samples: BTreeMap<String, Vec<String>>,
}

/// `v`'s debug text cut to a readable length.
fn short(v: &impl std::fmt::Debug) -> String {
    let s = format!("{v:?}");
    if s.len() <= 600 {
        return s;
    }
    let mut cut = 600;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} bytes)", &s[..cut], s.len())
}

/// Checks one case; `Err` describes the broken guarantee.
async fn check(f: &mut Fixture, op: &Op, tally: &mut Tally) -> Result<(), String> {
    tally.cases += 1;
    let result = run(f, op).await;
    match &result {
        Ok(()) => tally.ok += 1,
        Err(e) => {
            let kind = format!("{:?}", e.kind());
            *tally.errors.entry(kind.clone()).or_default() += 1;
            let v = tally.samples.entry(kind).or_default();
            if v.len() < 3 {
                v.push(short(&e.message()));
            }
        }
    }
    if let Err(e) = &result {
        if !matches!(
            e.kind(),
            ErrorKind::Validation
                | ErrorKind::NotFound
                | ErrorKind::Conflict
                | ErrorKind::InvalidTransition
                | ErrorKind::PermissionDenied
        ) {
            return Err(format!("{}: untyped error {:?}: {e}", short(op), e.kind()));
        }
        // Messages may quote the input back; a telltale the input did not carry is a leak.
        let input = format!("{op:?}");
        if let Some(t) = SQL_TELLTALES
            .iter()
            .find(|t| e.message().contains(*t) && !input.contains(*t))
        {
            return Err(format!("{}: error leaks `{t}`: {e}", short(op)));
        }
        if e.message().trim().is_empty() {
            return Err(format!("{}: empty error message", short(op)));
        }
    }
    let after = f.dumper.dump().await;
    if result.is_err() || !op.writes() {
        if after != f.state {
            let changed: Vec<&String> = after
                .iter()
                .filter(|(t, rows)| f.state.get(*t) != Some(rows))
                .map(|(t, _)| t)
                .collect();
            return Err(format!(
                "{} -> {}: tables changed: {changed:?}",
                short(op),
                short(&result)
            ));
        }
    } else {
        f.state = after;
    }
    Ok(())
}

/// Where a fuzzed backend's Desk comes from.
enum Source {
    /// One Desk for every case.
    Fixed(Desk),
    /// A fresh in-memory SQLite Desk every `reset_every` cases, so dumps stay small.
    FreshMemory(faultdesk::ManualClock),
}

impl Source {
    async fn desk(&self) -> Desk {
        match self {
            Source::Fixed(d) => d.clone(),
            Source::FreshMemory(clock) => {
                Desk::open("sqlite::memory:", config().with_clock(clock.clone()))
                    .await
                    .unwrap()
            }
        }
    }
}

fn config() -> DeskConfig {
    DeskConfig::default().with_blob_store(BlobStore::in_memory())
}

/// Runs `cases` generated operations against `source`'s Desk.
fn fuzz_backend(
    rt: &tokio::runtime::Runtime,
    name: &str,
    cases: u32,
    reset_every: u64,
    source: Source,
) {
    let fx = RefCell::new(rt.block_on(async { fixture(source.desk().await).await }));
    let tally = RefCell::new(Tally::default());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    });
    let result = runner.run(&vec(any::<u8>(), 0..768), |bytes| {
        let mut u = Unstructured::new(&bytes);
        let Ok(op) = Op::generate(&mut u) else {
            return Ok(());
        };
        let mut t = tally.borrow_mut();
        if t.cases > 0 && t.cases.is_multiple_of(reset_every) {
            *fx.borrow_mut() = rt.block_on(async { fixture(source.desk().await).await });
        }
        let mut f = fx.borrow_mut();
        rt.block_on(check(&mut f, &op, &mut t))
            .map_err(TestCaseError::fail)
    });
    let t = tally.into_inner();
    eprintln!(
        "reliability_input {name}: {} cases tried, {} ok, errors {:?}\n  samples {:#?}",
        t.cases, t.ok, t.errors, t.samples
    );
    if let Err(e) = result {
        let text = e.to_string();
        let cut = text.find("minimal failing input").unwrap_or(text.len());
        panic!("{name}: {}", &text[..cut]);
    }
}

#[test]
fn generated_input_succeeds_or_fails_typed_and_never_corrupts_state() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let backends = rt.block_on(backends_with(|_| config()));
    for td in &backends {
        if td.name == "sqlite-memory" {
            let n = reliability::cases(300, 100_000);
            fuzz_backend(&rt, td.name, n, 400, Source::FreshMemory(td.clock.clone()));
        } else {
            let n = reliability::cases(300, 3_000);
            fuzz_backend(&rt, td.name, n, u64::MAX, Source::Fixed(td.desk.clone()));
        }
    }
}
