//! `rules validate|import|list` (seed 002's rule JSON) and `workflow validate`.

use crate::Global;
use crate::exit::{CliError, read_input};
use crate::output::{self, Report, Sheet};
use clap::Subcommand;
use faultdesk::fault::correlator::{Correlator, CorrelatorConfig};
use faultdesk::fault::rule::{CompiledRule, Rule, RuleShape};
use faultdesk::ticket::workflow::Workflow;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const RULE_FILE_HELP: &str = "\
A rule file holds one rule object or an array of them, in seed 002's format:

  {\"name\": \"OLT to ONT Correlation\", \"type\": \"correlation\",
   \"conditions\": {\"parent\": {\"alarm_type\": \"device.down\", \"resource_type\": \"olt\"},
                  \"child\": {\"alarm_type\": \"signal.loss\", \"resource_type\": \"ont\"}},
   \"actions\": {\"mark_parent_as_root_cause\": true, \"suppress_child_alarms\": true,
               \"create_correlation_id\": true},
   \"time_window\": 300}

Every rule is checked (JSON structure, condition fields and operators, regexes, actions, windows,
equal/group_by fields, reduction-key templates) and every error names the rule (its position in
the file and its name) and the offending field, e.g.
  rules.json: rule 2: Rule 'OLT to ONT': conditions.child.resource_typ: Unknown field 'resource_typ'. ...";

/// `faultdesk rules ...`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check a rule file without touching the database.
    #[command(long_about = format!("\
Check a rule file without touching the database. Exit code 0 when every rule is valid, 3 (with
every error on stderr) when not.

{RULE_FILE_HELP}

--json: {{\"file\", \"valid\": true, \"rules\": [rule, ...]}}
--csv:  position,name,type,enabled,priority,time_window,shape"))]
    Validate {
        /// The rule file (JSON).
        file: PathBuf,
    },

    /// Validate a rule file, then store its rules for the tenant (by name: a rule whose name
    /// the tenant already has replaces it).
    #[command(long_about = format!("\
Validate a rule file, then store its rules for the acting tenant. Rules are matched by name: a
rule the tenant already has under the same name is replaced (or left alone when identical), the
others are created, so importing the same file twice changes nothing. When any rule is invalid
nothing is written (exit code 3). Needs the faults.rules.write permission.

{RULE_FILE_HELP}

--json: {{\"file\", \"imported\": [{{\"position\", \"name\", \"action\": \"created\"|\"updated\"|\"unchanged\", \"id\"}}, ...]}}
--csv:  position,name,type,action,id"))]
    Import {
        /// The rule file (JSON).
        file: PathBuf,
    },

    /// List the tenant's stored rules.
    #[command(long_about = "\
List the acting tenant's stored rules (faults.rules.read).

--json: [{\"id\", \"rule\": {...seed 002's format...}, \"created_at\", \"updated_at\"}, ...]
--csv:  id,name,type,enabled,priority,time_window,updated_at")]
    List,
}

/// `faultdesk workflow ...`
#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// Check a workflow definition file without touching the database.
    #[command(long_about = "\
Check a workflow definition (JSON) without touching the database: unique state names, exactly
one initial state, transitions between known states, known guards and hooks. Exit code 0 when
valid, 3 with the error when not.

  {\"name\": \"simple\", \"reopen_window_seconds\": 86400,
   \"states\": [{\"name\": \"todo\", \"category\": \"new\", \"initial\": true},
              {\"name\": \"doing\", \"category\": \"open\"},
              {\"name\": \"done\", \"category\": \"closed\"}],
   \"transitions\": [{\"from\": \"todo\", \"to\": \"doing\", \"guards\": [\"requires_assignee\"]},
                   {\"from\": \"doing\", \"to\": \"done\", \"permission\": \"tickets.close\"}]}

Categories: new, open, pending, resolved, closed. Guards: requires_assignee,
requires_resolution_note, within_reopen_window.

--json: {\"file\", \"valid\": true, \"workflow\": {the definition with defaults filled in}}
--csv:  from,to,permission,guards (one line per transition)")]
    Validate {
        /// The workflow definition file (JSON).
        file: PathBuf,
    },
}

/// Reads and checks a rule file: every rule parsed and compiled, names unique, and the set
/// accepted by a correlator. All problems are reported at once.
pub fn load_rules(path: &Path) -> Result<Vec<Rule>, CliError> {
    let text = read_input(path)?;
    let file = path.display();
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| CliError::validation(format!("{file}: invalid JSON: {e}")))?;
    let (items, is_array) = match v {
        Value::Array(items) => (items, true),
        other => (vec![other], false),
    };
    if items.is_empty() {
        return Err(CliError::validation(format!(
            "{file}: no rules (the array is empty)"
        )));
    }
    let mut rules = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let at = if is_array {
            format!("{file}: rule {}", i + 1)
        } else {
            file.to_string()
        };
        let parsed = Rule::list_from_json(&item.to_string())
            .and_then(|mut r| {
                let rule = r.remove(0);
                CompiledRule::compile(rule.clone()).map(|_| rule)
            })
            .map_err(|e| format!("{at}: {e}"));
        match parsed {
            Ok(rule) => {
                if let Some(first) = names.insert(rule.name.clone(), i) {
                    errors.push(format!(
                        "{at}: name '{}' is also the name of rule {} (names identify rules on import)",
                        rule.name,
                        first + 1
                    ));
                }
                rules.push(rule);
            }
            Err(m) => errors.push(m),
        }
    }
    if errors.is_empty() {
        // The set as a whole (ids used twice, ...), as the Desk's correlator will see it.
        let config = CorrelatorConfig {
            rules: rules.clone(),
            ..CorrelatorConfig::default()
        };
        if let Err(e) = Correlator::new(config) {
            errors.push(format!("{file}: {e}"));
        }
    }
    match errors.len() {
        0 => Ok(rules),
        1 => Err(CliError::validation(errors.remove(0))),
        n => Err(CliError::validation(format!("{file}: {n} invalid rules")).with_details(errors)),
    }
}

fn shape(rule: &Rule) -> &'static str {
    match CompiledRule::compile(rule.clone()).map(|c| c.shape) {
        Ok(RuleShape::ParentChild { .. }) => "parent/child",
        Ok(RuleShape::Flat(_)) => "flat",
        Err(_) => "invalid",
    }
}

fn kind(rule: &Rule) -> String {
    output::cell(&output::json(&rule.kind))
}

fn window(rule: &Rule) -> String {
    rule.time_window
        .unwrap_or(faultdesk::fault::rule::DEFAULT_WINDOW_SECS)
        .to_string()
}

/// Runs `faultdesk rules ...`.
pub async fn run_rules(g: &Global, cmd: &RulesCommand) -> Result<Report, CliError> {
    match cmd {
        RulesCommand::Validate { file } => {
            let rules = load_rules(file)?;
            let mut sheet = Sheet::new([
                "position",
                "name",
                "type",
                "enabled",
                "priority",
                "time_window",
                "shape",
            ]);
            for (i, r) in rules.iter().enumerate() {
                sheet.push(vec![
                    (i + 1).to_string(),
                    r.name.clone(),
                    kind(r),
                    r.enabled.to_string(),
                    r.priority.to_string(),
                    window(r),
                    shape(r).into(),
                ]);
            }
            let n = rules.len();
            Ok(Report::new(
                json!({"file": file.display().to_string(), "valid": true, "rules": rules}),
                vec![sheet],
            )
            .note(format!("{}: {n} valid rule(s)", file.display())))
        }
        RulesCommand::Import { file } => {
            let rules = load_rules(file)?;
            let desk = g.open().await?;
            let result = import(&desk, &g.actor(), file, rules).await;
            let _ = desk.close().await;
            result
        }
        RulesCommand::List => {
            let desk = g.open().await?;
            let listed = desk.list_rules(&g.actor()).await;
            let _ = desk.close().await;
            let listed = listed.map_err(CliError::from_desk)?;
            let mut sheet = Sheet::new([
                "id",
                "name",
                "type",
                "enabled",
                "priority",
                "time_window",
                "updated_at",
            ]);
            for s in &listed {
                sheet.push(vec![
                    s.id.to_string(),
                    s.rule.name.clone(),
                    kind(&s.rule),
                    s.rule.enabled.to_string(),
                    s.rule.priority.to_string(),
                    window(&s.rule),
                    output::time(s.updated_at),
                ]);
            }
            let n = listed.len();
            Ok(Report::new(output::json(&listed), vec![sheet]).note(format!("{n} rule(s)")))
        }
    }
}

async fn import(
    desk: &faultdesk::Desk,
    actor: &faultdesk::Actor,
    file: &Path,
    rules: Vec<Rule>,
) -> Result<Report, CliError> {
    let existing = desk.list_rules(actor).await.map_err(CliError::from_desk)?;
    let mut by_name: HashMap<&str, Vec<&faultdesk::StoredRule>> = HashMap::new();
    for s in &existing {
        by_name.entry(s.rule.name.as_str()).or_default().push(s);
    }
    // Refuse before writing anything when a name is ambiguous.
    for r in &rules {
        if let Some(found) = by_name.get(r.name.as_str())
            && found.len() > 1
        {
            return Err(CliError::from_desk(faultdesk::Error::conflict(format!(
                "the tenant has {} rules named '{}'; delete all but one (or rename) before importing",
                found.len(),
                r.name
            ))));
        }
    }
    let mut sheet = Sheet::new(["position", "name", "type", "action", "id"]);
    let mut imported = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let mut rule = rule.clone();
        let body = |r: &Rule| serde_json::to_string(r).expect("rules serialise");
        let (action, id) = match by_name.get(rule.name.as_str()).map(|v| v[0]) {
            Some(old) => {
                rule.id = old.rule.id.clone();
                if old.rule == rule {
                    ("unchanged", old.id)
                } else {
                    rule.id = None;
                    let s = desk
                        .update_rule(actor, old.id, &body(&rule))
                        .await
                        .map_err(|e| partial(e, i))?;
                    ("updated", s.id)
                }
            }
            None => {
                let s = desk
                    .create_rule(actor, &body(&rule))
                    .await
                    .map_err(|e| partial(e, i))?;
                ("created", s.id)
            }
        };
        sheet.push(vec![
            (i + 1).to_string(),
            rule.name.clone(),
            kind(&rule),
            action.into(),
            id.to_string(),
        ]);
        imported.push(json!({"position": i + 1, "name": rule.name, "action": action, "id": id}));
    }
    let n = imported.len();
    Ok(Report::new(
        json!({"file": file.display().to_string(), "imported": imported}),
        vec![sheet],
    )
    .note(format!("{}: {n} rule(s) imported", file.display())))
}

/// A failure while importing rule `i` (0-based): the rules before it are stored.
fn partial(e: faultdesk::Error, i: usize) -> CliError {
    let done = if i == 0 {
        "no rule was stored".to_string()
    } else {
        format!("rules 1-{i} were stored; importing the file again resumes")
    };
    let mut err = CliError::from_desk(e);
    err = err.with_details(vec![format!("at rule {}: {done}", i + 1)]);
    err
}

/// Runs `faultdesk workflow ...`.
pub fn run_workflow(cmd: &WorkflowCommand) -> Result<Report, CliError> {
    match cmd {
        WorkflowCommand::Validate { file } => {
            let text = read_input(file)?;
            let wf =
                Workflow::from_json(&text).map_err(|e| CliError::from_desk_in(file, e.into()))?;
            let def = wf.definition();
            let summary = Sheet::record([
                ("name", wf.name().to_string()),
                ("initial_state", wf.initial_state().to_string()),
                ("states", def.states.len().to_string()),
                ("transitions", def.transitions.len().to_string()),
                (
                    "reopen_window_seconds",
                    def.reopen_window_seconds.to_string(),
                ),
            ])
            .titled("Workflow");
            let mut transitions =
                Sheet::new(["from", "to", "permission", "guards"]).titled("Transitions");
            for t in &def.transitions {
                let guards: Vec<String> = t.guards.iter().map(|g| g.to_string()).collect();
                transitions.push(vec![
                    t.from.clone(),
                    t.to.clone(),
                    t.permission.clone(),
                    guards.join(" "),
                ]);
            }
            let mut states = Sheet::new(["name", "category", "initial"]).titled("States");
            for s in &def.states {
                states.push(vec![
                    s.name.clone(),
                    s.category.to_string(),
                    s.initial.to_string(),
                ]);
            }
            let def_json: Value = serde_json::from_str(&wf.to_json()).unwrap_or(Value::Null);
            Ok(Report::new(
                json!({"file": file.display().to_string(), "valid": true, "workflow": def_json}),
                vec![summary, states, transitions],
            )
            .csv_sheet(2)
            .note(format!(
                "{}: valid workflow '{}'",
                file.display(),
                wf.name()
            )))
        }
    }
}
