//! One generated Desk operation and the check of the guarantee "bad input never corrupts
//! state" (issue 11.1), used by the proptest run in `tests/reliability_input.rs`.
//!
//! [`Op::generate`] turns `arbitrary` bytes into one operation: rule JSON (create/update),
//! workflow, event-mapping and rule JSON in a Desk configuration, alarm event batches, ticket
//! inputs and PATCHes, ticket queries and search strings, comments, attachment names, ticket
//! transitions and numbers, alarm notes. [`check`] runs it against a [`Fixture`] and returns
//! `Err` when a guarantee broke: an untyped (Storage) error, SQL or driver text in a message,
//! an empty message, or any table changed by a failed call or a read.
#![allow(dead_code)]

use super::{Dump, Dumper, inputs};
use arbitrary::Unstructured;
use faultdesk::fault::AlarmEvent;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{Actor, Desk, DeskConfig, ErrorKind, NewAttachment, NewTicketInput};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The tenant every generated operation acts as.
pub const TENANT: &str = "fz";

/// The objects every operation can aim at.
pub struct Fixture {
    /// The Desk under test.
    pub desk: Desk,
    /// An ADMIN of [`TENANT`].
    pub actor: Actor,
    ticket: Uuid,
    number: String,
    rule: Uuid,
    alarm: Uuid,
    comment: Uuid,
    dumper: Dumper,
    /// The dump after the last successful write.
    state: Dump,
}

/// A ticket (with a label and a comment), a rule and an alarm of [`TENANT`] in `desk`, and the
/// dump of every table after them.
pub async fn fixture(desk: Desk) -> Fixture {
    let actor = Actor::new(TENANT, "admin-1")
        .with_roles(["ADMIN"])
        .with_ip("10.0.0.1");
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
pub enum Op {
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
    /// The operation `u`'s bytes describe.
    pub fn generate(u: &mut Unstructured) -> arbitrary::Result<Op> {
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

    /// Whether a success may change tables.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Op::List(_) | Op::Search(..) | Op::Stats(_) | Op::ByNumber(_) | Op::Config(..)
        )
    }
}

/// Runs `op`; `Ok(())` or the Desk's error.
pub async fn run(f: &Fixture, op: &Op) -> faultdesk::Result<()> {
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
pub struct Tally {
    /// Cases checked.
    pub cases: u64,
    /// Cases that succeeded.
    pub ok: u64,
    /// Errors by kind.
    pub errors: BTreeMap<String, u64>,
    /// The first messages of each kind (to show in the report).
    pub samples: BTreeMap<String, Vec<String>>,
}

/// `v`'s debug text cut to a readable length.
pub fn short(v: &impl std::fmt::Debug) -> String {
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
pub async fn check(f: &mut Fixture, op: &Op, tally: &mut Tally) -> Result<(), String> {
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
