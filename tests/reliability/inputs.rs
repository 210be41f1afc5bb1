//! Structure-aware input generators built on `arbitrary::Unstructured`: the same bytes always
//! give the same input, so proptest (which feeds the bytes and shrinks them) and the libFuzzer
//! targets in `fuzz/` share these generators.
//!
//! Text is biased towards trouble: SQL and full-text-search metacharacters, NUL and control
//! characters, bidi overrides, path traversal, oversized strings just past the documented
//! limits. JSON documents are either random trees over the format's own vocabulary or a
//! known-good document (seed 002's rule and mapping, the ITSM workflow) with a few mutations.
#![allow(dead_code)]

use arbitrary::{Result, Unstructured};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Fragments that break naive SQL, LIKE patterns, FTS5 and tsquery syntax, paths and text.
pub const NASTY: &[&str] = &[
    "'",
    "''",
    "\"",
    "`",
    ";",
    "--",
    "/*",
    "*/",
    "%",
    "_",
    "\\",
    "' OR '1'='1",
    "'; DROP TABLE tickets; --",
    "\"; DELETE FROM alarms; --",
    "1; UPDATE ticket_events SET actor_id='x'",
    "$1",
    "?",
    ":name",
    "NEAR(",
    "AND",
    "OR",
    "NOT",
    "*",
    "^",
    "{",
    "}",
    "(",
    ")",
    "&",
    "|",
    "!",
    ":*",
    "<->",
    "subject:",
    "\0",
    "\u{1}",
    "\r\n",
    "\t",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "\u{fffd}",
    "𝔘𝔫𝔦",
    "ﬁ",
    "İ",
    "../",
    "..\\",
    "/etc/passwd",
    "C:\\Windows\\",
    "\\\\server\\share",
    "%2e%2e%2f",
    "．．／",
    "CON",
    "NUL.txt",
    ".",
    "..",
    "~",
    "$HOME",
    "${jndi:x}",
    "<script>",
    "null",
    "true",
    "-1",
    "1e309",
    "9223372036854775808",
    "NaN",
];

/// Plausible words of the domain (so generated input sometimes means something).
pub const WORDS: &[&str] = &[
    "device.down",
    "device.up",
    "signal.loss",
    "cpe.signal_loss",
    "service.outage",
    "olt",
    "ont",
    "olt-1",
    "ont-1",
    "critical",
    "major",
    "minor",
    "warning",
    "info",
    "cleared",
    "new",
    "open",
    "pending",
    "resolved",
    "closed",
    "NEW",
    "IN_PROGRESS",
    "RESOLVED",
    "CLOSED",
    "REOPENED",
    "priority",
    "-priority",
    "created_at",
    "-created_at",
    "updated_at",
    "number",
    "status",
    "subject",
    "contractor_id",
    "c-1",
    "fibre",
    "splice",
    "router",
    "TKT-2026-000001",
    "TKT-2026-",
    "tkt-2026-1",
    "report.pdf",
    "notes.txt",
    "photo.jpg",
    "archive.tar.gz",
    "raise",
    "clear",
    "correlation",
    "suppression",
    "escalation",
];

/// Sizes just around the documented limits (255 characters, 64 KiB, 1000 bytes of search).
const SIZES: &[usize] = &[
    0, 1, 63, 64, 65, 254, 255, 256, 999, 1000, 1001, 65_535, 65_536, 65_537,
];

/// A short text made of nasty fragments, domain words and arbitrary characters; now and then
/// a long one sized around a limit.
pub fn text(u: &mut Unstructured) -> Result<String> {
    if u.ratio(1, 24)? {
        let n = *u.choose(SIZES)?;
        let c = *u.choose(&['a', 'é', '€', '\0', '\'', '🦀'])?;
        return Ok(std::iter::repeat_n(c, n).collect());
    }
    let parts = u.int_in_range(0..=6)?;
    let mut s = String::new();
    for _ in 0..parts {
        match u.int_in_range(0..=3)? {
            0 => s.push_str(u.choose(NASTY)?),
            1 => s.push_str(u.choose(WORDS)?),
            2 => s.push(' '),
            _ => {
                let raw: String = u.arbitrary()?;
                s.extend(raw.chars().take(12));
            }
        }
    }
    Ok(s)
}

/// An optional text.
pub fn opt_text(u: &mut Unstructured) -> Result<Option<String>> {
    Ok(if u.arbitrary()? { Some(text(u)?) } else { None })
}

/// A file name for an attachment: traversal, absolute and Windows paths, NUL, unicode tricks,
/// odd extensions.
pub fn file_name(u: &mut Unstructured) -> Result<String> {
    let mut s = String::new();
    let n = u.int_in_range(0..=4)?;
    for _ in 0..n {
        match u.int_in_range(0..=4)? {
            0 => s.push_str(u.choose(&["../", "..\\", "/", "\\", "C:\\", "\\\\?\\", "./"])?),
            1 => s.push_str(u.choose(NASTY)?),
            2 => s.push_str(u.choose(&["etc", "passwd", "blobs", "tenant-a", "..", "x"])?),
            _ => s.push_str(&text(u)?),
        }
    }
    if u.ratio(2, 3)? {
        s.push_str(u.choose(&[
            ".txt",
            ".pdf",
            ".jpg",
            ".png",
            ".log",
            ".exe",
            ".sh",
            ".txt\0.exe",
            ".",
            "",
            ".TXT",
            ".tar.gz",
            ".p\u{202e}fdp",
        ])?);
    }
    Ok(s)
}

/// An instant anywhere from far past to far future (and the edges chrono can hold).
pub fn instant(u: &mut Unstructured) -> Result<DateTime<Utc>> {
    let base = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    Ok(match u.int_in_range(0..=5)? {
        0 => DateTime::<Utc>::MIN_UTC,
        1 => DateTime::<Utc>::MAX_UTC,
        2 => DateTime::from_timestamp(u.int_in_range(-62_000_000_000..=250_000_000_000)?, 0)
            .unwrap_or(base),
        _ => base + chrono::Duration::seconds(u.int_in_range(-86_400 * 400..=86_400 * 2)?),
    })
}

/// A scalar JSON value of the format's vocabulary (or not).
fn scalar(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=7)? {
        0 => Value::Null,
        1 => json!(u.arbitrary::<bool>()?),
        2 => json!(u.arbitrary::<i64>()?),
        3 => json!(u.int_in_range(-5..=1000)?),
        4 => serde_json::Number::from_f64(u.arbitrary::<f64>()?)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        5 => json!(u.choose(WORDS)?),
        _ => json!(text(u)?),
    })
}

/// A random JSON tree whose keys come from `keys` (or anywhere), at most `depth` deep.
pub fn tree(u: &mut Unstructured, keys: &[&str], depth: u32) -> Result<Value> {
    if depth == 0 || u.ratio(1, 3)? {
        return scalar(u);
    }
    Ok(if u.arbitrary()? {
        let n = u.int_in_range(0..=5)?;
        let mut m = Map::new();
        for _ in 0..n {
            let k = if u.ratio(4, 5)? {
                u.choose(keys)?.to_string()
            } else {
                text(u)?
            };
            m.insert(k, tree(u, keys, depth - 1)?);
        }
        Value::Object(m)
    } else {
        let n = u.int_in_range(0..=4)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(tree(u, keys, depth - 1)?);
        }
        Value::Array(v)
    })
}

/// Applies 1..=4 random mutations to `doc`: replace, delete or add a member somewhere.
pub fn mutate(u: &mut Unstructured, mut doc: Value, keys: &[&str]) -> Result<Value> {
    let n = u.int_in_range(1..=4)?;
    for _ in 0..n {
        mutate_once(u, &mut doc, keys, 0)?;
    }
    Ok(doc)
}

fn mutate_once(u: &mut Unstructured, v: &mut Value, keys: &[&str], depth: u32) -> Result<()> {
    let descend = depth < 6 && u.ratio(2, 3)?;
    match v {
        Value::Object(m) if !m.is_empty() && descend => {
            let names: Vec<String> = m.keys().cloned().collect();
            let k = u.choose(&names)?.clone();
            mutate_once(u, m.get_mut(&k).unwrap(), keys, depth + 1)
        }
        Value::Array(a) if !a.is_empty() && descend => {
            let i = u.choose_index(a.len())?;
            mutate_once(u, &mut a[i], keys, depth + 1)
        }
        Value::Object(m) => {
            match u.int_in_range(0..=2)? {
                0 if !m.is_empty() => {
                    let names: Vec<String> = m.keys().cloned().collect();
                    let k = u.choose(&names)?.clone();
                    m.remove(&k);
                }
                1 => {
                    let k = u.choose(keys)?.to_string();
                    m.insert(k, tree(u, keys, 2)?);
                }
                _ => *v = tree(u, keys, 2)?,
            }
            Ok(())
        }
        Value::Array(a) => {
            match u.int_in_range(0..=2)? {
                0 if !a.is_empty() => {
                    let i = u.choose_index(a.len())?;
                    a.remove(i);
                }
                1 => a.push(tree(u, keys, 2)?),
                _ => *v = tree(u, keys, 2)?,
            }
            Ok(())
        }
        _ => {
            *v = if u.arbitrary()? {
                scalar(u)?
            } else {
                tree(u, keys, 2)?
            };
            Ok(())
        }
    }
}

/// Keys of seed 002's rule format.
pub const RULE_KEYS: &[&str] = &[
    "name",
    "type",
    "rule_type",
    "description",
    "enabled",
    "priority",
    "conditions",
    "parent",
    "child",
    "alarm_type",
    "resource_type",
    "severity",
    "source",
    "actions",
    "mark_parent_as_root_cause",
    "suppress_child_alarms",
    "create_correlation_id",
    "escalate_to",
    "time_window",
    "scope",
    "equal",
    "reduction_key",
    "match",
    "labels.site",
    "occurrence_count",
    "gt",
    "in",
    "regex",
];

/// Keys of the workflow definition format.
pub const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "states",
    "transitions",
    "category",
    "initial",
    "from",
    "to",
    "permission",
    "guards",
    "hooks",
    "reopen_window_seconds",
    "requires_resolution_note",
    "requires_assignee",
];

/// Keys of the event mapping format.
pub const MAPPING_KEYS: &[&str] = &[
    "event_type",
    "action",
    "severity",
    "source",
    "clear_event",
    "note",
    "alarm_type",
];

/// A rule JSON text: seed 002's rule mutated, a random tree, or random text.
pub fn rule_json(u: &mut Unstructured) -> Result<String> {
    let seed: Value =
        serde_json::from_str(faultdesk::fault::correlator::SEED_002_RULE_JSON).expect("seed rule");
    document(u, seed, RULE_KEYS)
}

/// A workflow definition JSON text (the ITSM preset mutated, a tree, or text).
pub fn workflow_json(u: &mut Unstructured) -> Result<String> {
    let seed: Value =
        serde_json::from_str(&faultdesk::ticket::workflow::Workflow::itsm().to_json())
            .expect("itsm workflow");
    document(u, seed, WORKFLOW_KEYS)
}

/// An event mapping JSON text (seed 002's table mutated, a tree, or text).
pub fn mapping_json(u: &mut Unstructured) -> Result<String> {
    let seed: Value =
        serde_json::from_str(faultdesk::fault::mapping::SEED_002_MAPPING_JSON).expect("mapping");
    document(u, seed, MAPPING_KEYS)
}

fn document(u: &mut Unstructured, seed: Value, keys: &[&str]) -> Result<String> {
    Ok(match u.int_in_range(0..=9)? {
        0 => text(u)?,
        1 | 2 => tree(u, keys, 4)?.to_string(),
        3 => {
            // Truncated good JSON.
            let s = seed.to_string();
            let cut = u.int_in_range(0..=s.len())?;
            s.char_indices()
                .take_while(|(i, _)| *i < cut)
                .map(|(_, c)| c)
                .collect()
        }
        _ => mutate(u, seed, keys)?.to_string(),
    })
}

/// An alarm event of `tenant` with adversarial fields.
pub fn alarm_event(u: &mut Unstructured, tenant: &str) -> Result<faultdesk::fault::AlarmEvent> {
    use faultdesk::fault::{AlarmEvent, AlarmSource, Severity};
    let mut e = AlarmEvent::new(
        if u.ratio(1, 12)? {
            "other-tenant"
        } else {
            tenant
        },
        if u.ratio(1, 2)? {
            u.choose(WORDS)?.to_string()
        } else {
            text(u)?
        },
        text(u)?,
        if u.ratio(1, 2)? {
            u.choose(&["olt-1", "ont-1", "r-1"])?.to_string()
        } else {
            text(u)?
        },
        instant(u)?,
    );
    e.alarm_type = opt_text(u)?;
    e.severity = if u.arbitrary()? {
        Some(*u.choose(&[
            Severity::Critical,
            Severity::Major,
            Severity::Minor,
            Severity::Warning,
            Severity::Info,
            Severity::Cleared,
        ])?)
    } else {
        None
    };
    e.source = if u.arbitrary()? {
        Some(*u.choose(&[
            AlarmSource::NetworkDevice,
            AlarmSource::Monitoring,
            AlarmSource::Cpe,
            AlarmSource::Service,
            AlarmSource::System,
        ])?)
    } else {
        None
    };
    if u.arbitrary()? {
        e.resource_type = None;
    }
    if u.ratio(1, 6)? {
        e.resource_id = None;
    }
    e.resource_name = opt_text(u)?;
    e.customer_id = opt_text(u)?;
    e.customer_name = opt_text(u)?;
    e.subscriber_count = u.arbitrary()?;
    e.title = opt_text(u)?;
    e.description = opt_text(u)?;
    e.probable_cause = opt_text(u)?;
    e.recommended_action = opt_text(u)?;
    e.external_alarm_id = opt_text(u)?;
    e.labels = labels(u)?;
    if u.arbitrary()? {
        e.raw = tree(u, RULE_KEYS, 3)?;
    }
    if u.ratio(1, 30)? {
        // An oversized raw payload.
        e.raw = json!({"blob": "x".repeat(*u.choose(&[65_536usize, 300_000])?)});
    }
    Ok(e)
}

/// Labels: sometimes many, sometimes with oversized or hostile keys and values.
pub fn labels(u: &mut Unstructured) -> Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    let n = if u.ratio(1, 20)? {
        u.int_in_range(49..=52)?
    } else {
        u.int_in_range(0..=3)?
    };
    for i in 0..n {
        let k = if u.ratio(1, 2)? {
            u.choose(&["contractor_id", "project_id", "site", "labels.x"])?
                .to_string()
        } else {
            text(u)?
        };
        m.insert(format!("{k}{i}"), text(u)?);
    }
    Ok(m)
}

/// A ticket PATCH with any subset of fields, values hostile.
pub fn ticket_patch(u: &mut Unstructured) -> Result<faultdesk::ticket::TicketPatch> {
    use faultdesk::ticket::{Priority, TicketPatch, TicketType};
    let mut p = TicketPatch::default();
    if u.arbitrary()? {
        p.subject = Some(text(u)?);
    }
    if u.arbitrary()? {
        p.description = Some(text(u)?);
    }
    if u.ratio(1, 4)? {
        p.ticket_type = Some(*u.choose(&[TicketType::Incident, TicketType::Fault])?);
    }
    if u.ratio(1, 4)? {
        p.priority = Some(*u.choose(&[
            Priority::Low,
            Priority::Normal,
            Priority::High,
            Priority::Critical,
        ])?);
    }
    if u.ratio(1, 4)? {
        p.assignee_id = Some(opt_text(u)?);
    }
    if u.ratio(1, 4)? {
        p.customer_id = Some(opt_text(u)?);
    }
    if u.ratio(1, 4)? {
        p.due_at = Some(if u.arbitrary()? {
            Some(instant(u)?)
        } else {
            None
        });
    }
    if u.ratio(1, 3)? {
        let mut m = BTreeMap::new();
        for (k, v) in labels(u)? {
            m.insert(k, if u.arbitrary()? { Some(v) } else { None });
        }
        p.labels = Some(m);
    }
    if u.ratio(1, 4)? {
        p.metadata = Some(if u.arbitrary()? {
            Some(tree(u, RULE_KEYS, 3)?)
        } else {
            None
        });
    }
    Ok(p)
}

/// A ticket query with hostile filters, sort keys, pages and cursors.
pub fn ticket_query(u: &mut Unstructured) -> Result<faultdesk::TicketQuery> {
    let mut q = faultdesk::TicketQuery::default();
    for _ in 0..u.int_in_range(0..=2)? {
        q.status.push(text(u)?);
    }
    for _ in 0..u.int_in_range(0..=1)? {
        q.category.push(text(u)?);
    }
    q.open_only = u.arbitrary()?;
    q.assignee = opt_text(u)?;
    q.reporter = opt_text(u)?;
    q.customer_id = opt_text(u)?;
    if u.arbitrary()? {
        q.labels = labels(u)?;
    }
    if u.ratio(1, 4)? {
        q.created_from = Some(instant(u)?);
    }
    if u.ratio(1, 4)? {
        q.created_to = Some(instant(u)?);
    }
    q.text = opt_text(u)?;
    for _ in 0..u.int_in_range(0..=4)? {
        q.sort.push(text(u)?);
    }
    if u.arbitrary()? {
        q.page = Some(u.arbitrary()?);
    }
    if u.arbitrary()? {
        q.page_size = Some(*u.choose(&[0, 1, 50, 100, 101, u32::MAX])?);
    }
    if u.ratio(1, 4)? {
        q.cursor = Some(text(u)?);
    }
    Ok(q)
}
