//! Issue 11.2 — injection, traversal and oversized input, on every backend.
//!
//! - SQL (and LIKE / FTS5 / tsquery) metacharacters in search text, text filters, labels,
//!   status and category names, people filters, sort keys, cursors and ticket numbers: each
//!   call succeeds with the literal meaning (a label value `'; DROP TABLE tickets; --` matches
//!   exactly the ticket carrying it, `%` matches only a literal `%`) or fails with a
//!   Validation error; no error shows SQL; no row of any table changes.
//! - Attachment names (`../../etc/passwd`, absolute and Windows paths, NUL, bidi overrides,
//!   reserved device names) and hostile tenant ids never put a file outside the blob store's
//!   root; the stored name is a plain file name.
//! - Oversized inputs are refused at the documented limits (docs/guarantees.md) with a
//!   Validation error that names the limit, and nothing is written; input exactly at a limit
//!   is accepted.
//! - Instants outside 1970..9999 and negative ages are Validation errors, never a storage
//!   error or a panic; an age that reaches before 1970 (up to `Duration::MAX`) selects nothing.

mod common;
mod reliability;

use chrono::{DateTime, Duration, Utc};
use common::*;
use faultdesk::fault::AlarmEvent;
use faultdesk::ticket::TicketPatch;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{
    AlarmQuery, BlobStore, Desk, DeskConfig, ErrorKind, NewAttachment, NewTicketInput, TicketQuery,
};
use futures::TryStreamExt;
use reliability::{Dumper, assert_same, inputs::NASTY};
use std::collections::BTreeMap;
use std::path::Path;

const TENANT: &str = "inj";

/// Text that would mean SQL or a driver message reached the caller.
const TELLTALES: &[&str] = &[
    "SELECT", "INSERT", "syntax", "sqlx", "SQLSTATE", "sqlite", "database", "relation",
];

fn no_sql(e: &faultdesk::Error, input: &str, what: &str) {
    for t in TELLTALES {
        assert!(
            !e.message().contains(t) || input.contains(t),
            "{what}: error shows `{t}`: {e}"
        );
    }
}

/// Asserts `r` is Ok or a Validation error (no other kind, no SQL in the message).
fn ok_or_validation<T>(r: &faultdesk::Result<T>, input: &str, what: &str) {
    if let Err(e) = r {
        assert_eq!(e.kind(), ErrorKind::Validation, "{what}: {e}");
        no_sql(e, input, what);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_metacharacters_have_their_literal_meaning_and_change_nothing() {
    each(|td| async move {
        let a = admin(TENANT);
        let d = &td.desk;
        let evil = "'; DROP TABLE tickets; --";
        let hit = d
            .create_ticket(
                &a,
                NewTicketInput::new("100% _done_ 'quoted' \"splice\"")
                    .description("O'Brien's \\ backslash")
                    .label("contractor_id", evil)
                    .label("odd.key-1_x", "v%_'\""),
            )
            .await
            .unwrap();
        let miss = d
            .create_ticket(
                &a,
                NewTicketInput::new("plain splice ticket").label("contractor_id", "c-2"),
            )
            .await
            .unwrap();
        d.add_comment(
            &a,
            miss.id,
            "comment with ' and \" and %",
            Visibility::Public,
        )
        .await
        .unwrap();
        let e = AlarmEvent::new(TENANT, "device.down", "olt", "olt-1'--", d.now())
            .with_customer("cust' OR 1=1", None);
        d.ingest(&a, e).await.unwrap();
        let dumper = Dumper::new(d).await;
        let before = dumper.dump().await;

        // Literal meaning: the label value, LIKE wildcards, quotes.
        let q = TicketQuery::default().label("contractor_id", evil);
        let p = d.list_tickets(&a, q).await.unwrap();
        assert_eq!(
            p.items.iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![hit.id],
            "{}",
            td.name
        );
        let p = d
            .list_tickets(&a, TicketQuery::default().label("odd.key-1_x", "v%_'\""))
            .await
            .unwrap();
        assert_eq!(p.total, 1, "{}", td.name);
        for (text, expect) in [
            ("%", 1),
            ("_done_", 1),
            ("'quoted'", 1),
            ("o'brien", 1),
            ("\\", 1),
            ("x%", 0),
            ("__", 0),
        ] {
            let q = TicketQuery {
                text: Some(text.into()),
                ..Default::default()
            };
            let p = d.list_tickets(&a, q).await.unwrap();
            assert_eq!(p.total, expect, "{}: text filter {text:?}", td.name);
        }
        let p = d
            .list_alarms(
                &a,
                AlarmQuery {
                    customer_id: Some("cust' OR 1=1".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(p.total, 1, "{}", td.name);
        let p = d
            .list_alarms(
                &a,
                AlarmQuery {
                    customer_id: Some("' OR '1'='1".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(p.total, 0, "{}", td.name);

        // Every nasty fragment, alone and combined, through every string input of the queries.
        let mut inputs: Vec<String> = NASTY.iter().map(|s| s.to_string()).collect();
        inputs.push(format!("splice {}", NASTY.join(" ")));
        inputs.push("\"splice\" OR subject:x NEAR(a b) * ^ :* <-> & | !".into());
        let mut calls = 0;
        for s in &inputs {
            let what = format!("{} {s:?}", td.name);
            let r = d.search_tickets(&a, s, TicketQuery::default()).await;
            ok_or_validation(&r, s, &format!("{what} search"));
            let queries = [
                TicketQuery {
                    text: Some(s.clone()),
                    ..Default::default()
                },
                TicketQuery::default().label(s.clone(), s.clone()),
                TicketQuery::default().label("contractor_id", s.clone()),
                TicketQuery::default().status(s.clone()),
                TicketQuery {
                    category: vec![s.clone()],
                    ..Default::default()
                },
                TicketQuery {
                    assignee: Some(s.clone()),
                    reporter: Some(s.clone()),
                    customer_id: Some(s.clone()),
                    ..Default::default()
                },
                TicketQuery::default().sort([s.clone()]),
                TicketQuery::default().sort([format!("-{s}")]),
                TicketQuery::default().after(s.clone()),
            ];
            for q in queries {
                let r = d.list_tickets(&a, q.clone()).await;
                ok_or_validation(&r, s, &format!("{what} list {q:?}"));
                if let Ok(p) = &r {
                    // A hostile value never widens the result beyond the tenant's tickets.
                    assert!(p.total <= 2, "{what}: {q:?} matched {}", p.total);
                }
                let r = d.ticket_stats(&a, q.clone()).await;
                ok_or_validation(&r, s, &format!("{what} stats"));
                let r = d.search_tickets(&a, "splice", q).await;
                ok_or_validation(&r, s, &format!("{what} search+filter"));
                calls += 3;
            }
            let r = d
                .list_alarms(
                    &a,
                    AlarmQuery {
                        alarm_type: Some(s.clone()),
                        resource_type: Some(s.clone()),
                        resource_id: Some(s.clone()),
                        customer_id: Some(s.clone()),
                        ..Default::default()
                    },
                )
                .await;
            ok_or_validation(&r, s, &format!("{what} alarms"));
            let r = d
                .list_alarms(
                    &a,
                    AlarmQuery {
                        severity: vec![s.clone()],
                        status: vec![s.clone()],
                        source: vec![s.clone()],
                        ..Default::default()
                    },
                )
                .await;
            ok_or_validation(&r, s, &format!("{what} alarm enums"));
            match d.get_ticket_by_number(&a, s).await {
                Ok(t) => panic!("{what}: number found {}", t.number),
                Err(e) => {
                    assert!(
                        matches!(e.kind(), ErrorKind::Validation | ErrorKind::NotFound),
                        "{what}: {e}"
                    );
                    no_sql(&e, s, &what);
                }
            }
            calls += 4;
        }
        assert_same(&before, &dumper.dump().await, td.name);
        // The tables are all still there, with their rows.
        assert_eq!(td.count("tickets").await, 2, "{}", td.name);
        eprintln!(
            "{}: {} hostile inputs, {calls} calls",
            td.name,
            inputs.len()
        );
    })
    .await;
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachment_names_and_tenant_ids_cannot_escape_the_blob_store() {
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("blobs");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(base.path().join("canary.txt"), "untouched").unwrap();
    let root2 = root.clone();
    let configure = move |c: DeskConfig| c.with_blob_store(BlobStore::local(root2.clone()));
    let names = [
        "../../etc/passwd.txt",
        "../canary.txt",
        "/etc/passwd.txt",
        "/tmp/../../canary.txt",
        "C:\\Windows\\System32\\drivers\\etc\\hosts.txt",
        "..\\..\\canary.txt",
        "\\\\server\\share\\x.txt",
        "file\0.txt",
        "evil\0../../canary.txt",
        "report\u{202e}fdp.txt",
        "．．／．．／canary.txt",
        "%2e%2e%2fcanary.txt",
        "CON.txt",
        "nul.txt",
        "....//....//canary.txt",
        ".hidden.txt",
        " spaced .txt",
        "tab\tname.txt",
        "new\nline.txt",
    ];
    each_with(configure, |td| {
        let base = base.path().to_path_buf();
        let root = root.clone();
        async move {
            let d = &td.desk;
            let tenants = ["inj", "../../escape", "/abs", "..", "a/../../b", "c:\\x"];
            let mut stored = 0;
            for tenant in tenants {
                let a = admin(tenant);
                let t = d
                    .create_ticket(&a, NewTicketInput::new("with files"))
                    .await
                    .unwrap();
                for (i, name) in names.iter().enumerate() {
                    let body = format!("{tenant} {i} {name}");
                    let r = d
                        .add_attachment_bytes(&a, t.id, NewAttachment::new(*name), body.clone())
                        .await;
                    let att = match r {
                        Ok(att) => att,
                        Err(e) => {
                            assert_eq!(e.kind(), ErrorKind::Validation, "{name:?}: {e}");
                            continue;
                        }
                    };
                    let n = &att.file_name;
                    assert!(
                        !n.is_empty()
                            && !n.contains(['/', '\\', '\0'])
                            && !n.starts_with('.')
                            && n.chars().all(|c| !c.is_control()),
                        "{}: {name:?} stored as {n:?}",
                        td.name
                    );
                    let got: Vec<bytes::Bytes> = d
                        .open_attachment(&a, att.id)
                        .await
                        .unwrap()
                        .content
                        .try_collect()
                        .await
                        .unwrap();
                    assert_eq!(got.concat(), body.as_bytes(), "{name:?}");
                    stored += 1;
                }
            }
            assert!(
                stored >= names.len(),
                "{}: most names are storable",
                td.name
            );
            // Every file is inside the blob root; the canary is untouched.
            let root = root.canonicalize().unwrap();
            for f in files_under(&base) {
                let f = f.canonicalize().unwrap();
                if f.starts_with(&root) {
                    continue;
                }
                assert!(
                    f == base.join("canary.txt").canonicalize().unwrap(),
                    "{}: a file outside the blob root: {}",
                    td.name,
                    f.display()
                );
            }
            assert_eq!(
                std::fs::read_to_string(base.join("canary.txt")).unwrap(),
                "untouched"
            );
            assert!(!Path::new("/etc/passwd.txt").exists());
        }
    })
    .await;
}

/// `n` copies of `c`.
fn rep(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

/// One size-limit check: the call with input at the limit succeeds, one past it is a
/// Validation error naming the limit, and nothing is written.
struct Limit {
    what: &'static str,
    /// Text the error message must contain.
    says: &'static str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_inputs_are_refused_at_the_documented_limits() {
    use faultdesk::ticket::ticket::{
        MAX_DESCRIPTION_BYTES, MAX_LABEL_KEY_CHARS, MAX_LABEL_VALUE_CHARS, MAX_LABELS,
        MAX_METADATA_BYTES, MAX_SUBJECT_CHARS,
    };
    let configure = |c: DeskConfig| {
        c.with_blob_store(BlobStore::in_memory())
            .with_attachment_policy(
                faultdesk::ticket::attachment::AttachmentPolicy::default().with_max_size(1024),
            )
    };
    each_with(configure, |td| async move {
        let owner = admin(TENANT);
        let a = &owner;
        let d: &Desk = &td.desk;
        let t = d
            .create_ticket(a, NewTicketInput::new("limits"))
            .await
            .unwrap();
        let alarm = d
            .ingest(
                a,
                AlarmEvent::new(TENANT, "device.down", "olt", "olt-9", d.now()),
            )
            .await
            .unwrap()
            .alarm_ids[0];
        let dumper = Dumper::new(d).await;
        let many = |n: usize| -> BTreeMap<String, String> {
            (0..n).map(|i| (format!("k{i}"), "v".to_string())).collect()
        };
        let big_meta = |n: usize| serde_json::json!({ "x": rep('m', n - 8) });
        type Call<'a> =
            Box<dyn Fn(bool) -> futures::future::BoxFuture<'a, faultdesk::Result<()>> + 'a>;
        let cases: Vec<(Limit, Call)> = vec![
            (
                Limit {
                    what: "subject",
                    says: "255",
                },
                Box::new(|over| {
                    let n = MAX_SUBJECT_CHARS + usize::from(over);
                    Box::pin(async move {
                        d.create_ticket(a, NewTicketInput::new(rep('é', n)))
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "description",
                    says: "64",
                },
                Box::new(|over| {
                    let n = MAX_DESCRIPTION_BYTES + usize::from(over);
                    Box::pin(async move {
                        d.create_ticket(a, NewTicketInput::new("s").description(rep('d', n)))
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "label key",
                    says: "64",
                },
                Box::new(|over| {
                    let n = MAX_LABEL_KEY_CHARS + usize::from(over);
                    Box::pin(async move {
                        d.create_ticket(a, NewTicketInput::new("s").label(rep('k', n), "v"))
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "label value",
                    says: "255",
                },
                Box::new(|over| {
                    let n = MAX_LABEL_VALUE_CHARS + usize::from(over);
                    Box::pin(async move {
                        d.create_ticket(a, NewTicketInput::new("s").label("k", rep('v', n)))
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "label count",
                    says: "50",
                },
                Box::new(|over| {
                    let labels = many(MAX_LABELS + usize::from(over));
                    Box::pin(async move {
                        let mut i = NewTicketInput::new("s");
                        i.labels = labels;
                        d.create_ticket(a, i).await.map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "metadata",
                    says: "64",
                },
                Box::new(|over| {
                    let m = big_meta(MAX_METADATA_BYTES + usize::from(over));
                    Box::pin(async move {
                        d.create_ticket(a, NewTicketInput::new("s").metadata(m))
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "patch subject",
                    says: "255",
                },
                Box::new(|over| {
                    let n = MAX_SUBJECT_CHARS + usize::from(over);
                    Box::pin(async move {
                        let p = TicketPatch {
                            subject: Some(rep('p', n)),
                            ..Default::default()
                        };
                        d.update_ticket(a, t.id, p).await.map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "comment",
                    says: "64",
                },
                Box::new(|over| {
                    let n = faultdesk::ticket::comment::MAX_COMMENT_BYTES + usize::from(over);
                    Box::pin(async move {
                        d.add_comment(a, t.id, &rep('c', n), Visibility::Public)
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "alarm note",
                    says: "10000",
                },
                Box::new(|over| {
                    let n = 10_000 + usize::from(over);
                    Box::pin(async move {
                        d.add_alarm_note(a, alarm, "comment", &rep('n', n))
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "search text",
                    says: "1000",
                },
                Box::new(|over| {
                    let n = 1000 + usize::from(over);
                    Box::pin(async move {
                        d.search_tickets(a, &rep('s', n), TicketQuery::default())
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "attachment",
                    says: "1024",
                },
                Box::new(|over| {
                    let n = 1024 + usize::from(over);
                    Box::pin(async move {
                        d.add_attachment_bytes(a, t.id, NewAttachment::new("big.txt"), rep('a', n))
                            .await
                            .map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "event title",
                    says: "1000",
                },
                Box::new(|over| {
                    let n = faultdesk::MAX_EVENT_TITLE_CHARS + usize::from(over);
                    Box::pin(async move {
                        let e = AlarmEvent::new(TENANT, "device.down", "olt", "olt-t", d.now())
                            .with_title(rep('t', n));
                        d.ingest(a, e).await.map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "event resource id",
                    says: "255",
                },
                Box::new(|over| {
                    let n = faultdesk::MAX_EVENT_FIELD_CHARS + usize::from(over);
                    Box::pin(async move {
                        let e = AlarmEvent::new(TENANT, "device.down", "olt", rep('r', n), d.now());
                        d.ingest(a, e).await.map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "event description",
                    says: "65536",
                },
                Box::new(|over| {
                    let n = faultdesk::MAX_EVENT_TEXT_BYTES + usize::from(over);
                    Box::pin(async move {
                        let mut e = AlarmEvent::new(TENANT, "device.down", "olt", "olt-d", d.now());
                        e.description = Some(rep('d', n));
                        d.ingest(a, e).await.map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "event labels",
                    says: "50",
                },
                Box::new(|over| {
                    let labels = many(MAX_LABELS + usize::from(over));
                    Box::pin(async move {
                        let mut e = AlarmEvent::new(TENANT, "device.down", "olt", "olt-l", d.now());
                        e.labels = labels;
                        d.ingest(a, e).await.map(drop)
                    })
                }),
            ),
            (
                Limit {
                    what: "event payload",
                    says: "65536",
                },
                Box::new(|over| {
                    let raw = big_meta(faultdesk::MAX_EVENT_PAYLOAD_BYTES + usize::from(over));
                    Box::pin(async move {
                        let mut e = AlarmEvent::new(TENANT, "device.down", "olt", "olt-p", d.now());
                        e.raw = raw;
                        d.ingest(a, e).await.map(drop)
                    })
                }),
            ),
        ];
        for (limit, call) in &cases {
            let what = format!("{} / {}", td.name, limit.what);
            let before = dumper.dump().await;
            let e = call(true)
                .await
                .expect_err(&format!("{what}: one past the limit"));
            assert_eq!(e.kind(), ErrorKind::Validation, "{what}: {e}");
            assert!(
                e.message().contains(limit.says),
                "{what}: message {e} names the limit"
            );
            assert_same(&before, &dumper.dump().await, &what);
            call(false)
                .await
                .unwrap_or_else(|e| panic!("{what}: at the limit: {e}"));
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instants_outside_1970_to_9999_are_validation_errors() {
    each(|td| async move {
        let a = admin(TENANT);
        let d = &td.desk;
        let t = d
            .create_ticket(&a, NewTicketInput::new("times"))
            .await
            .unwrap();
        let dumper = Dumper::new(d).await;
        let before = dumper.dump().await;
        let bad: [DateTime<Utc>; 4] = [
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            DateTime::from_timestamp(-1, 0).unwrap(),
            faultdesk::max_instant(),
        ];
        for at in bad {
            let what = format!("{} {at}", td.name);
            let check = |r: faultdesk::Result<()>, call: &str| {
                let e = r.expect_err(&format!("{what}: {call}"));
                assert_eq!(e.kind(), ErrorKind::Validation, "{what}: {call}: {e}");
                assert!(
                    e.message().contains("supported range") || e.message().contains("after now"),
                    "{what}: {call}: {e}"
                );
            };
            let e = AlarmEvent::new(TENANT, "device.down", "olt", "olt-1", at);
            check(d.ingest(&a, e).await.map(drop), "ingest");
            check(
                d.create_ticket(&a, NewTicketInput::new("s").due_at(at))
                    .await
                    .map(drop),
                "create due_at",
            );
            let p = TicketPatch {
                due_at: Some(Some(at)),
                ..Default::default()
            };
            check(d.update_ticket(&a, t.id, p).await.map(drop), "patch due_at");
            let q = TicketQuery {
                created_from: Some(at),
                ..Default::default()
            };
            check(d.list_tickets(&a, q).await.map(drop), "created_from");
            let q = AlarmQuery {
                to: Some(at),
                ..Default::default()
            };
            check(d.list_alarms(&a, q).await.map(drop), "alarms to");
        }
        // A negative age is refused; ages that reach before 1970 (or overflow) mean "nothing
        // is that old": no panic, nothing archived or collected.
        let e = d
            .archive_cleared(&a, Some(Duration::seconds(-1)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{}: archive: {e}", td.name);
        let e = d
            .collect_orphan_blobs(TENANT, Duration::seconds(-1))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{}: orphans: {e}", td.name);
        for age in [Duration::MAX, Duration::days(365 * 100)] {
            let n = d.archive_cleared(&a, Some(age)).await;
            assert_eq!(n.ok(), Some(0), "{}: archive {age}", td.name);
            let r = d.collect_orphan_blobs(TENANT, age).await;
            assert_eq!(
                r.ok(),
                Some(faultdesk::OrphanReport::default()),
                "{}: orphans {age}",
                td.name
            );
        }
        assert_same(&before, &dumper.dump().await, td.name);
        // The edges themselves are fine.
        d.create_ticket(
            &a,
            NewTicketInput::new("edge").due_at(faultdesk::max_instant() - Duration::seconds(1)),
        )
        .await
        .unwrap();
    })
    .await;
}
