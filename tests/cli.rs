//! The `faultdesk` binary, run as a process (`assert_cmd`) against a SQLite file and, when
//! `FAULTDESK_TEST_PG_URL` is set, a fresh PostgreSQL database: every command, the exit codes,
//! the `--json` / `--csv` shapes, bad JSONL lines with and without `--strict` (database unchanged
//! in strict mode) and rule validation errors that name the field.

mod common;
use assert_cmd::Command;
use common::*;
use faultdesk::fault::correlator::SEED_002_RULE_JSON;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The tenant every test acts in (through `--tenant`).
const TENANT: &str = "acme";

/// The binary with a clean environment, in `dir`, against `url`.
fn fd(url: &str, dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultdesk"));
    c.current_dir(dir);
    for v in [
        "FAULTDESK_URL",
        "FAULTDESK_CONFIG",
        "FAULTDESK_TENANT",
        "FAULTDESK_USER",
        "FAULTDESK_ROLES",
    ] {
        c.env_remove(v);
    }
    // The tenant through the environment: `--tenant` overrides it.
    c.env("FAULTDESK_URL", url).env("FAULTDESK_TENANT", TENANT);
    c
}

/// Runs and returns (exit code, stdout, stderr).
fn run(mut c: Command) -> (i32, String, String) {
    let out = c.output().expect("run faultdesk");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// The password in `scheme://user:password@host/...`, if any.
fn password_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let userinfo = rest.split_once('@')?.0;
    let password = userinfo.split_once(':')?.1;
    (!password.is_empty()).then(|| password.to_string())
}

/// Runs a command that must succeed and returns its stdout.
#[track_caller]
fn ok(c: Command) -> String {
    let shown = format!("{:?}", c.get_args().collect::<Vec<_>>());
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{shown} failed: {err}");
    out
}

/// Runs a command that must succeed and parses its stdout as JSON.
#[track_caller]
fn ok_json(c: Command) -> Value {
    json_of(&ok(c))
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// Parses CSV output into (header, rows).
fn csv_of(stdout: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = stdout.lines();
    let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
    let header = split(lines.next().expect("a header line"));
    (header, lines.map(split).collect())
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Seed 002's OLT failure: the OLT, two ONT signal losses under it, a repeat and a router check.
const EVENTS: &str = r#"{"event_type": "device.down", "resource_type": "olt", "resource_id": "olt-1", "title": "OLT 1 down", "subscriber_count": 150, "occurred_at": "2026-03-02T09:00:00Z"}
{"event_type": "cpe.signal_loss", "alarm_type": "signal.loss", "resource_type": "ont", "resource_id": "ont-1", "occurred_at": "2026-03-02T09:00:10Z"}
{"event_type": "cpe.signal_loss", "alarm_type": "signal.loss", "resource_type": "ont", "resource_id": "ont-2", "occurred_at": "2026-03-02T09:00:12Z"}

{"event_type": "device.down", "resource_type": "olt", "resource_id": "olt-1", "occurred_at": "2026-03-02T09:01:00Z"}
{"event_type": "monitoring.check_failed", "resource_type": "router", "resource_id": "core-1", "occurred_at": "2026-03-02T09:02:00Z"}
"#;

/// Bad lines, one per kind of problem, placed after line 6 of [`EVENTS`].
const BAD_LINES: &str = r#"{"event_type": "mystery.event", "resource_id": "x", "occurred_at": "2026-03-02T09:03:00Z"}
{"event_type": "device.down", "resource_id": "r-1", "occurred_at": "2026-03-02T09:03:00"}
this is not json
{"event_type": "device.down", "resource_id": "r-2", "severity": "fatal", "occurred_at": "2026-03-02T09:03:00Z"}
{"tenant_id": "other", "event_type": "device.down", "resource_id": "r-3", "occurred_at": "2026-03-02T09:03:00Z"}
{"resource_id": "r-4", "occurred_at": "2026-03-02T09:03:00Z"}
"#;

#[test]
fn help_for_every_command_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run({
        let mut c = fd("sqlite::memory:", dir.path());
        c.arg("--help");
        c
    });
    assert_eq!(code, 0);
    for cmd in [
        "migrate", "rules", "workflow", "ingest", "alarms", "tickets", "sla", "stats",
    ] {
        assert!(out.contains(cmd), "--help lists {cmd}: {out}");
    }
    for needle in [
        "sqlite://faultdesk.db",
        "--tenant",
        "--role",
        "--json",
        "--csv",
        "Exit codes:",
    ] {
        assert!(out.contains(needle), "--help mentions {needle}");
    }
    for cmd in [
        &["migrate"][..],
        &["rules", "validate"],
        &["rules", "import"],
        &["rules", "list"],
        &["workflow", "validate"],
        &["ingest"],
        &["alarms", "list"],
        &["tickets", "list"],
        &["tickets", "show"],
        &["sla", "report"],
        &["stats"],
    ] {
        let mut c = fd("sqlite::memory:", dir.path());
        c.args(cmd).arg("--help");
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{cmd:?} --help: {err}");
        assert!(
            out.contains("Exit codes:"),
            "{cmd:?} --help has the exit codes"
        );
        assert!(out.contains("--json"), "{cmd:?} --help documents --json");
        assert!(out.contains("Usage: faultdesk"), "{cmd:?}: {out}");
    }
    assert!(
        !dir.path().join("faultdesk.db").exists(),
        "help opens no database"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/u.db", dir.path().display());
    for args in [
        &["frobnicate"][..],
        &["--json", "--csv", "stats"],
        &["tickets", "list", "--page-size", "101"],
        &["tickets", "list", "--page", "0"],
        &["alarms", "list", "--severity", "fatal"],
        &["alarms", "list", "--from", "2026-03-01T00:00:00"],
        &["tickets", "list", "--label", "no-equals-sign"],
        &["ingest", "--batch-size", "0", "x.jsonl"],
        &["ingest", "no-such-file.jsonl"],
        &["rules", "validate", "no-such-file.json"],
        &["tickets", "show"],
        &["sla", "report", "--from", "2026-04-01"],
        &["sla", "report", "--from", "April", "--to", "2026-05-01"],
    ] {
        let mut c = fd(&url, dir.path());
        c.args(args);
        let (code, _, err) = run(c);
        assert_eq!(code, 2, "{args:?} is a usage error: {err}");
        assert!(!err.is_empty(), "{args:?} explains itself");
    }
}

#[test]
fn default_database_is_faultdesk_db_in_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultdesk"));
    c.current_dir(dir.path())
        .env_remove("FAULTDESK_URL")
        .arg("migrate");
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sqlite://faultdesk.db"), "{out}");
    assert!(dir.path().join("faultdesk.db").exists());
    assert!(
        !dir.path().join("faultdesk-blobs").exists(),
        "no attachment directory is created"
    );
}

#[test]
fn storage_errors_exit_5() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/no/such/dir/x.db", dir.path().display());
    let mut c = fd(&url, dir.path());
    c.arg("migrate");
    let (code, _, err) = run(c);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("cannot open the database"), "{err}");
    let mut c = fd(&url, dir.path());
    c.args(["--json", "stats"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 5);
    let e = json_of(&err);
    assert_eq!(e["error"]["kind"], "storage");
    assert_eq!(e["error"]["exit_code"], 5);
}

#[test]
fn rule_validation_names_the_offending_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", SEED_002_RULE_JSON);
    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["--json", "rules", "validate"]).arg(&good);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let v = json_of(&out);
    assert_eq!(v["valid"], true);
    assert_eq!(v["rules"][0]["name"], "OLT to ONT Correlation");

    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["--csv", "rules", "validate"]).arg(&good);
    let (code, out, _) = run(c);
    assert_eq!(code, 0);
    let (header, rows) = csv_of(&out);
    assert_eq!(
        header,
        [
            "position",
            "name",
            "type",
            "enabled",
            "priority",
            "time_window",
            "shape"
        ]
    );
    assert_eq!(rows[0][1], "OLT to ONT Correlation");
    assert_eq!(rows[0][6], "parent/child");

    let bad = write(
        dir.path(),
        "bad.json",
        r#"[
          {"name": "fine", "type": "correlation"},
          {"name": "OLT to ONT", "type": "correlation",
           "conditions": {"parent": {"alarm_type": "device.down"}, "child": {"resource_typ": "ont"}}},
          {"name": "window", "type": "correlation", "time_window": "5m"},
          {"name": "boom", "type": "correlation", "actions": {"explode": true}},
          {"name": "eq", "type": "correlation", "equal": ["title"], "conditions": {"parent": {}, "child": {}}},
          {"name": "fine", "type": "suppression"}
        ]"#,
    );
    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["rules", "validate"]).arg(&bad);
    let (code, _, err) = run(c);
    assert_eq!(code, 3, "{err}");
    for needle in [
        "5 invalid rules",
        "rule 2: Rule 'OLT to ONT': conditions.child.resource_typ: Unknown field 'resource_typ'",
        "rule 3: Invalid rule JSON: rule 'window': time_window: invalid type",
        "rule 4: Invalid rule JSON: rule 'boom': actions.explode: unknown field `explode`",
        "rule 5: Rule 'eq': equal[0]: field 'title' is not supported",
        "rule 6: name 'fine' is also the name of rule 1",
    ] {
        assert!(err.contains(needle), "stderr names {needle:?}:\n{err}");
    }
    assert!(!err.contains("rule 1:"), "rule 1 is valid: {err}");

    let syntax = write(
        dir.path(),
        "syntax.json",
        "{\n  \"name\": \"x\",\n  \"type\" \"correlation\"\n}",
    );
    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["--json", "rules", "validate"]).arg(&syntax);
    let (code, _, err) = run(c);
    assert_eq!(code, 3);
    let e = json_of(&err);
    assert_eq!(e["error"]["kind"], "validation");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("line 3"),
        "{e}"
    );
}

#[test]
fn workflow_validate() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "wf.json",
        &faultdesk::ticket::workflow::Workflow::fibreflow().to_json(),
    );
    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["workflow", "validate"]).arg(&good);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("valid workflow 'fibreflow'"), "{out}");
    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["--json", "workflow", "validate"]).arg(&good);
    let v = ok_json(c);
    assert_eq!(v["valid"], true);
    assert_eq!(v["workflow"]["name"], "fibreflow");
    assert!(v["workflow"]["states"].as_array().unwrap().len() >= 3);
    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["--csv", "workflow", "validate"]).arg(&good);
    let (header, rows) = csv_of(&ok(c));
    assert_eq!(header, ["from", "to", "permission", "guards"]);
    assert!(!rows.is_empty());

    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"name": "bad", "states": [{"name": "a", "category": "new", "initial": true}],
            "transitions": [{"from": "a", "to": "zzz"}]}"#,
    );
    let mut c = fd("sqlite::memory:", dir.path());
    c.args(["workflow", "validate"]).arg(&bad);
    let (code, _, err) = run(c);
    assert_eq!(code, 3);
    assert!(
        err.contains("bad.json") && err.contains("unknown state 'zzz'"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_and_rules_import_on_every_backend() {
    for td in concurrent_backends().await {
        eprintln!("--- backend {}", td.name);
        let dir = tempfile::tempdir().unwrap();
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "migrate"]);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{}: {err}", td.name);
        let v = json_of(&out);
        assert_eq!(v["migrated"], true);
        let backend = if td.is_sqlite() { "sqlite" } else { "postgres" };
        assert_eq!(v["backend"], backend);
        if let Some(password) = password_of(&td.url) {
            assert!(!out.contains(&password), "the password is not printed");
            assert!(v["url"].as_str().unwrap().contains(":***@"), "{}", v["url"]);
        }

        let rules = write(
            dir.path(),
            "rules.json",
            &format!(
                r#"[{SEED_002_RULE_JSON}, {{"name": "quiet lab", "type": "suppression", "conditions": {{"resource_id": {{"regex": "^lab-"}}}}}}]"#
            ),
        );
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "rules", "import"]).arg(&rules);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{}: {err}", td.name);
        let v = json_of(&out);
        let actions: Vec<&str> = v["imported"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["created", "created"]);
        assert_eq!(td.count("alarm_rules").await, 2, "{}", td.name);

        // Importing again changes nothing; a changed rule is updated in place.
        let mut c = fd(&td.url, dir.path());
        c.args(["--csv", "rules", "import"]).arg(&rules);
        let (code, out, _) = run(c);
        assert_eq!(code, 0);
        let (header, rows) = csv_of(&out);
        assert_eq!(header, ["position", "name", "type", "action", "id"]);
        assert!(rows.iter().all(|r| r[3] == "unchanged"), "{out}");
        let changed = write(
            dir.path(),
            "changed.json",
            &SEED_002_RULE_JSON.replace("300", "120"),
        );
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "rules", "import"]).arg(&changed);
        let v = ok_json(c);
        assert_eq!(v["imported"][0]["action"], "updated");
        assert_eq!(td.count("alarm_rules").await, 2);
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "rules", "list"]);
        let v = ok_json(c);
        let seed = v
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"]["name"] == "OLT to ONT Correlation")
            .expect("listed");
        assert_eq!(seed["rule"]["time_window"], 120);

        // An invalid file writes nothing.
        let bad = write(
            dir.path(),
            "bad.json",
            r#"[{"name": "new one", "type": "correlation"}, {"name": "x", "type": "correlation", "conditions": {"colour": "red"}}]"#,
        );
        let mut c = fd(&td.url, dir.path());
        c.args(["rules", "import"]).arg(&bad);
        let (code, _, err) = run(c);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("conditions.colour"), "{err}");
        assert_eq!(
            td.count("alarm_rules").await,
            2,
            "{}: nothing written",
            td.name
        );

        // A viewer may not import (exit 1), and another tenant sees no rules.
        let mut c = fd(&td.url, dir.path());
        c.args(["--role", "NOC_VIEWER", "rules", "import"])
            .arg(&rules);
        let (code, _, err) = run(c);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("Permission denied"), "{err}");
        let mut c = fd(&td.url, dir.path());
        c.args(["--tenant", "other", "--json", "rules", "list"]);
        assert_eq!(ok_json(c), Value::Array(vec![]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_skips_bad_lines_or_aborts_in_strict_mode() {
    for td in concurrent_backends().await {
        eprintln!("--- backend {}", td.name);
        let dir = tempfile::tempdir().unwrap();
        let rules = write(dir.path(), "rules.json", SEED_002_RULE_JSON);
        let mut c = fd(&td.url, dir.path());
        c.args(["rules", "import"]).arg(&rules);
        assert_eq!(run(c).0, 0);
        let file = write(dir.path(), "events.jsonl", &format!("{EVENTS}{BAD_LINES}"));

        // --strict: every bad line reported, nothing written, exit 3.
        let before = td.counts().await;
        let mut c = fd(&td.url, dir.path());
        c.args(["ingest", "--strict"]).arg(&file);
        let (code, _, err) = run(c);
        assert_eq!(code, 3, "{}: {err}", td.name);
        for needle in [
            "6 bad line(s) of 11; nothing was written (--strict)",
            "line 7: Unknown event type 'mystery.event'",
            "line 8: occurred_at:",
            "line 9: invalid JSON",
            "line 10: severity: Invalid severity 'fatal'",
            "line 11: tenant_id: 'other' is not the acting tenant 'acme'",
            "line 12: event_type: missing",
        ] {
            assert!(
                err.contains(needle),
                "{}: stderr has {needle:?}:\n{err}",
                td.name
            );
        }
        assert_eq!(td.counts().await, before, "{}: database unchanged", td.name);

        // Without --strict: the good lines go in, the bad ones are reported and skipped.
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "ingest", "--batch-size", "2"]).arg(&file);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{}: {err}", td.name);
        let v = json_of(&out);
        assert_eq!(v["lines"], 11);
        assert_eq!(v["events"], 5);
        assert_eq!(v["skipped"], 6);
        assert_eq!(v["alarms_created"], 4);
        assert_eq!(v["tickets_created"], 0);
        assert_eq!(v["batches"], 3);
        assert_eq!(v["decisions"]["correlated"], 2);
        assert_eq!(v["decisions"]["deduplicated"], 1);
        assert_eq!(v["errors_truncated"], false);
        let lines: Vec<u64> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [7, 8, 9, 10, 11, 12]);
        assert!(
            err.contains("line 9: invalid JSON"),
            "stderr reports bad lines: {err}"
        );
        assert_eq!(
            td.count("alarms").await - before["alarms"],
            4,
            "{}",
            td.name
        );
        assert_eq!(td.count("alarm_events").await - before["alarm_events"], 5);

        // CSV: one summary row; a second run de-duplicates everything.
        let mut c = fd(&td.url, dir.path());
        c.args(["--csv", "ingest"]).arg(&file);
        let (code, out, _) = run(c);
        assert_eq!(code, 0);
        let (header, rows) = csv_of(&out);
        assert_eq!(rows.len(), 1);
        let col = |name: &str| header.iter().position(|h| h == name).expect(name);
        assert_eq!(rows[0][col("events")], "5");
        assert_eq!(rows[0][col("alarms_created")], "0");
        assert_eq!(rows[0][col("decisions.deduplicated")], "5");
        assert_eq!(td.count("alarms").await - before["alarms"], 4);

        // A strict run of a clean file writes everything.
        let clean = write(
            dir.path(),
            "clean.jsonl",
            r#"{"event_type": "device.down", "resource_type": "olt", "resource_id": "olt-9", "occurred_at": "2026-03-02T10:00:00Z"}"#,
        );
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "ingest", "--strict"]).arg(&clean);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{err}");
        assert_eq!(json_of(&out)["alarms_created"], 1);

        // A viewer may not ingest: refused before anything is read or written.
        let n = td.count("alarm_events").await;
        let mut c = fd(&td.url, dir.path());
        c.args(["--role", "NOC_VIEWER", "ingest"]).arg(&file);
        let (code, _, err) = run(c);
        assert_eq!(code, 1, "{err}");
        assert!(!err.contains("line "), "no line is reported: {err}");
        assert_eq!(td.count("alarm_events").await, n);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_tickets_and_stats_on_every_backend() {
    for td in concurrent_backends().await {
        eprintln!("--- backend {}", td.name);
        let dir = tempfile::tempdir().unwrap();
        let config = write(
            dir.path(),
            "config.json",
            &format!(
                r#"{{"auto_tickets": true, "sla_policy": "itsm", "rules": [{SEED_002_RULE_JSON}]}}"#
            ),
        );
        let events = write(dir.path(), "events.jsonl", EVENTS);
        let with_config = |c: &mut Command| {
            c.arg("--config").arg(&config);
        };
        let mut c = fd(&td.url, dir.path());
        with_config(&mut c);
        c.args(["--json", "ingest"]).arg(&events);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{}: {err}", td.name);
        assert_eq!(
            json_of(&out)["tickets_created"],
            1,
            "the critical OLT alarm"
        );

        // alarms list: JSON page, filters, CSV columns, table.
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "alarms", "list"]);
        let v = ok_json(c);
        assert_eq!(v["total"], 4);
        assert_eq!(v["page"], 1);
        assert_eq!(v["page_size"], 50);
        assert_eq!(v["items"].as_array().unwrap().len(), 4);
        let mut c = fd(&td.url, dir.path());
        c.args([
            "--json",
            "alarms",
            "list",
            "--severity",
            "critical",
            "--root-cause",
        ]);
        let v = ok_json(c);
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["resource_id"], "olt-1");
        assert_eq!(v["items"][0]["child_count"], 2);
        let mut c = fd(&td.url, dir.path());
        c.args([
            "--json",
            "alarms",
            "list",
            "--status",
            "suppressed",
            "--type",
            "signal.loss",
        ]);
        assert_eq!(ok_json(c)["total"], 2);
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "alarms", "list", "--page-size", "1", "--all"]);
        let v = ok_json(c);
        assert_eq!(
            v["items"].as_array().unwrap().len(),
            4,
            "--all pages through"
        );
        let mut c = fd(&td.url, dir.path());
        c.args(["--csv", "alarms", "list", "--resource-id", "olt-1"]);
        let (header, rows) = csv_of(&ok(c));
        assert_eq!(header[..4], ["id", "severity", "status", "alarm_type"]);
        assert_eq!(header.len(), 18);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][1], "critical");
        let mut c = fd(&td.url, dir.path());
        c.args(["alarms", "list"]);
        let (code, out, _) = run(c);
        assert_eq!(code, 0);
        assert!(
            out.contains("OLT 1 down") && out.contains("4 of 4 alarm(s)"),
            "{out}"
        );
        let mut c = fd(&td.url, dir.path());
        c.args(["--tenant", "other", "--json", "alarms", "list"]);
        assert_eq!(ok_json(c)["total"], 0, "tenants are separate");

        // tickets list / show.
        let mut c = fd(&td.url, dir.path());
        c.args([
            "--json",
            "tickets",
            "list",
            "--open",
            "--priority",
            "critical",
        ]);
        let v = ok_json(c);
        assert_eq!(v["total"], 1);
        let number = v["items"][0]["number"].as_str().unwrap().to_string();
        assert!(number.starts_with("TKT-"), "{number}");
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "tickets", "list", "--priority", "low"]);
        assert_eq!(ok_json(c)["total"], 0);
        let mut c = fd(&td.url, dir.path());
        c.args(["--csv", "tickets", "list"]);
        let (header, rows) = csv_of(&ok(c));
        assert_eq!(header[..3], ["number", "id", "status"]);
        assert_eq!(rows[0][0], number);
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "tickets", "list", "--status", "NO_SUCH_STATE"]);
        let (code, _, err) = run(c);
        assert_eq!(code, 3, "an unknown state is a validation error: {err}");
        assert!(err.contains("NO_SUCH_STATE"), "{err}");

        let mut c = fd(&td.url, dir.path());
        with_config(&mut c);
        c.args(["--json", "tickets", "show", &number]);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{err}");
        let v = json_of(&out);
        assert_eq!(v["ticket"]["number"], number.as_str());
        assert_eq!(v["ticket"]["priority"], "critical");
        assert_eq!(v["history"][0]["event_type"], "CREATED");
        assert!(v["comments"].as_array().unwrap().is_empty());
        assert!(
            v["sla"]["first_response"]["due"].is_string(),
            "{}",
            v["sla"]
        );
        let mut c = fd(&td.url, dir.path());
        with_config(&mut c);
        c.args(["tickets", "show", &number]);
        let (code, out, _) = run(c);
        assert_eq!(code, 0);
        for section in [
            "History",
            "Comments",
            "SLA (critical priority)",
            "first_response",
        ] {
            assert!(out.contains(section), "table has {section}: {out}");
        }
        let mut c = fd(&td.url, dir.path());
        c.args(["--csv", "tickets", "show", &number]);
        let (header, rows) = csv_of(&ok(c));
        assert_eq!(header[0], "number");
        assert_eq!(rows.len(), 1);
        let mut c = fd(&td.url, dir.path());
        c.args(["tickets", "show", "TKT-1999-999999"]);
        let (code, _, err) = run(c);
        assert_eq!(code, 4, "{err}");
        assert!(err.contains("not found"), "{err}");
        let mut c = fd(&td.url, dir.path());
        c.args(["--tenant", "other", "tickets", "show", &number]);
        assert_eq!(run(c).0, 4, "another tenant's ticket is not found");

        // stats: JSON sections, CSV long form.
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "stats"]);
        let v = ok_json(c);
        assert_eq!(v["alarms"]["total"], 4);
        assert_eq!(v["alarms"]["by_severity"]["critical"], 1);
        assert_eq!(v["tickets"]["total"], 1);
        assert_eq!(v["tickets"]["open"], 1);
        let mut c = fd(&td.url, dir.path());
        c.args(["--csv", "stats"]);
        let (header, rows) = csv_of(&ok(c));
        assert_eq!(header, ["section", "key", "value"]);
        assert!(rows.contains(&vec![
            "alarms.by_severity".into(),
            "major".into(),
            "3".into()
        ]));
        assert!(rows.contains(&vec!["tickets".into(), "open".into(), "1".into()]));
        let mut c = fd(&td.url, dir.path());
        c.args(["--json", "stats", "--from", "2026-03-03"]);
        assert_eq!(ok_json(c)["alarms"]["total"], 0, "--from filters");
        let mut c = fd(&td.url, dir.path());
        c.args(["stats"]);
        let (code, out, _) = run(c);
        assert_eq!(code, 0);
        assert!(out.contains("alarms.by_severity"), "{out}");

        // The actor: a user without any role is refused (exit 1).
        let mut c = fd(&td.url, dir.path());
        c.args(["--role", "", "alarms", "list"]);
        let (code, _, err) = run(c);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("Permission denied"), "{err}");
    }
}

#[test]
fn bad_configuration_is_a_validation_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/c.db", dir.path().display());
    let config = write(dir.path(), "config.json", r#"{"workflow": "jira"}"#);
    let mut c = fd(&url, dir.path());
    c.arg("--config").arg(&config).arg("stats");
    let (code, _, err) = run(c);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("config.json") && err.contains("jira"), "{err}");
}

/// 2026-04-`d` `h`:00 UTC (April has 30 days: 43,200 minutes).
fn apr(d: u32, h: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2026, 4, d, h, 0, 0).unwrap()
}

/// An SLA definition per UTC calendar month with a monthly fee and seed 002's credit tiers.
fn sla_definition(name: &str, target: &str) -> faultdesk::fault::sla::SlaDefinition {
    faultdesk::fault::sla::SlaDefinition::from_json(&format!(
        r#"{{
        "name": "{name}",
        "availability_target": "{target}",
        "measurement_period": {{"kind": "calendar_month"}},
        "credit_schedule": {{
            "tiers": [
                {{"below_percent": "99.9", "credit_percent": "10"}},
                {{"below_percent": "99.5", "credit_percent": "25"}}
            ],
            "cap_percent": "50"
        }},
        "monthly_fee": "1000.00"
    }}"#
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_report_on_every_backend() {
    use faultdesk::fault::{AlarmEvent, Severity};
    use faultdesk::{NewSlaInstance, SlaReportQuery};
    for td in concurrent_backends().await {
        eprintln!("--- backend {}", td.name);
        let dir = tempfile::tempdir().unwrap();
        // `faultdesk sla report` over April, with more arguments (global ones too).
        let april_report = |extra: &[&str]| {
            let mut c = fd(&td.url, dir.path());
            c.args([
                "sla",
                "report",
                "--from",
                "2026-04-01",
                "--to",
                "2026-05-01",
            ])
            .args(extra);
            c
        };
        let admin = admin(TENANT);
        // Two customers on two definitions; cust-1's OLT is down 2 hours in April (99.722 %,
        // below its 99.9 % target), cust-2's never.
        td.clock.set(apr(1, 0));
        let enterprise = td
            .create_sla_definition(&admin, sla_definition("Enterprise 99.9%", "0.999"))
            .await
            .unwrap();
        let business = td
            .create_sla_definition(&admin, sla_definition("Business 99.5%", "0.995"))
            .await
            .unwrap();
        let one = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(enterprise.id, "cust-1").with_resources(["olt-7"]),
            )
            .await
            .unwrap();
        td.create_sla_instance(
            &admin,
            NewSlaInstance::new(business.id, "cust-2").with_resources(["olt-8"]),
        )
        .await
        .unwrap();
        for (at, event) in [(apr(3, 10), "device.down"), (apr(3, 12), "device.up")] {
            td.clock.set(at);
            let mut e = AlarmEvent::new(TENANT, event, "olt", "olt-7", at);
            if event == "device.down" {
                e = e.with_severity(Severity::Major);
            }
            td.ingest(&admin, e).await.unwrap();
        }

        // JSON: the Desk's report, every instance evaluated now (after April, so final).
        let c = april_report(&["--json"]);
        let v = ok_json(c);
        assert_eq!(v["totals"]["instance_count"], 2, "{}: {v}", td.name);
        assert_eq!(v["totals"]["breached"], 1);
        assert_eq!(v["totals"]["compliant"], 1);
        assert_eq!(v["totals"]["unplanned_downtime_ms"], 2 * 3_600_000);
        assert_eq!(v["range"]["start"], "2026-04-01T00:00:00Z");
        td.clock.set(apr(30, 23) + chrono::Duration::hours(2));
        let desk_report = td
            .sla_compliance_report(&admin, SlaReportQuery::range(apr(1, 0), apr(30, 0)))
            .await
            .unwrap();
        let by_customer = |v: &Value, customer: &str| -> Value {
            let mut line = v["instances"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["scope"]["customer_id"] == customer)
                .unwrap_or_else(|| panic!("{customer} in {v}"))
                .clone();
            line["status"].as_object_mut().unwrap().remove("as_of");
            line
        };
        let desk_json = serde_json::to_value(&desk_report).unwrap();
        for customer in ["cust-1", "cust-2"] {
            assert_eq!(
                by_customer(&v, customer),
                by_customer(&desk_json, customer),
                "{}: the CLI prints the Desk's figures for {customer}",
                td.name
            );
        }
        let line = by_customer(&v, "cust-1");
        assert_eq!(line["status"]["compliance"], "breached");
        assert_eq!(line["status"]["instance_id"], one.id.to_string());
        assert_eq!(line["status"]["credits_owed"], "100.00", "10 % of 1000.00");

        // CSV: one line per instance, percentages and minutes.
        let c = april_report(&["--csv"]);
        let (header, rows) = csv_of(&ok(c));
        assert_eq!(
            header,
            [
                "instance_id",
                "definition",
                "customer_id",
                "service_id",
                "period_start",
                "period_end",
                "compliance",
                "availability_percent",
                "target_percent",
                "planned_downtime_min",
                "unplanned_downtime_min",
                "breaches",
                "credit_percent",
                "credits_owed"
            ]
        );
        assert_eq!(rows.len(), 2);
        let row = rows.iter().find(|r| r[2] == "cust-1").expect("cust-1 row");
        assert_eq!(row[1], "Enterprise 99.9%");
        assert_eq!(row[4], "2026-04-01T00:00:00Z");
        assert_eq!(row[6], "breached");
        assert_eq!(row[7], "99.722", "1 - 120 / 43,200 minutes");
        assert_eq!(row[8], "99.900");
        assert_eq!(row[10], "120.0");
        assert_eq!(row[12], "10");
        assert_eq!(row[13], "100.00");
        let row = rows.iter().find(|r| r[2] == "cust-2").expect("cust-2 row");
        assert_eq!((row[6].as_str(), row[7].as_str()), ("compliant", "100.000"));

        // Table: the instances and the totals.
        let c = april_report(&[]);
        let out = ok(c);
        for needle in [
            "SLA compliance 2026-04-01T00:00:00Z",
            "Totals",
            "99.722",
            "cust-2",
        ] {
            assert!(out.contains(needle), "{needle} in {out}");
        }

        // Filters: customer, definition by name or id; a range the period does not overlap.
        for (args, expected) in [
            (&["--customer", "cust-2"][..], 1),
            (&["--definition", "Business 99.5%"], 1),
            (&["--definition", &enterprise.id.to_string()], 1),
            (&["--service", "no-such-service"], 0),
        ] {
            let mut c = april_report(&["--json"]);
            c.args(args);
            let v = ok_json(c);
            assert_eq!(v["totals"]["instance_count"], expected, "{args:?}: {v}");
        }
        let mut c = fd(&td.url, dir.path());
        c.args([
            "--json",
            "sla",
            "report",
            "--customer",
            "cust-2",
            "--from",
            "2026-04-01",
            "--to",
            "2026-05-01",
        ]);
        assert_eq!(
            ok_json(c)["instances"][0]["definition_name"],
            "Business 99.5%"
        );
        let mut c = fd(&td.url, dir.path());
        c.args([
            "--json",
            "sla",
            "report",
            "--from",
            "2026-06-01",
            "--to",
            "2026-07-01",
        ]);
        let v = ok_json(c);
        assert_eq!(v["totals"]["instance_count"], 0);
        assert!(v["totals"]["average_availability"].is_null());

        // Unhappy paths: an unknown definition (4), an empty range (3), no permission (1).
        let c = april_report(&["--definition", "Gold"]);
        let (code, _, err) = run(c);
        assert_eq!(code, 4, "{err}");
        assert!(
            err.contains("'Gold' not found") && err.contains("Business 99.5%"),
            "names the known definitions: {err}"
        );
        let mut c = fd(&td.url, dir.path());
        c.args([
            "--json",
            "sla",
            "report",
            "--from",
            "2026-05-01",
            "--to",
            "2026-04-01",
        ]);
        let (code, _, err) = run(c);
        assert_eq!(code, 3, "{err}");
        let e = json_of(&err);
        assert_eq!(e["error"]["kind"], "validation");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("must be after"),
            "{e}"
        );
        let c = april_report(&["--role", "END_USER"]);
        let (code, _, err) = run(c);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("Permission denied"), "{err}");
    }
}
