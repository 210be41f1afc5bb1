//! Alarm rules loaded from JSON (seed 002's format as written) and their compiled conditions.
//!
//! ```
//! use fault_core::rule::{Rule, RuleKind, CompiledRule};
//! let rule: Rule = serde_json::from_str(r#"{
//!   "name": "OLT to ONT Correlation",
//!   "type": "correlation",
//!   "conditions": {
//!     "parent": {"alarm_type": "device.down", "resource_type": "olt"},
//!     "child": {"alarm_type": "signal.loss", "resource_type": "ont"}
//!   },
//!   "actions": {"mark_parent_as_root_cause": true, "suppress_child_alarms": true,
//!               "create_correlation_id": true},
//!   "time_window": 300
//! }"#).unwrap();
//! assert_eq!(rule.kind, RuleKind::Correlation);
//! let compiled = CompiledRule::compile(rule).unwrap();
//! assert!(compiled.is_parent_child());
//! ```
//!
//! Conditions are an object `field -> test`; all tests must hold. A test is a scalar (equality),
//! an array (`in`), or an object of operators: `eq`, `ne`, `in`, `not_in`, `regex`, `gt`, `gte`,
//! `lt`, `lte`, `exists`. Fields: `tenant_id`, `source`, `alarm_type`, `event_type`, `severity`
//! (numeric comparisons use its rank, values may be names: `{"gte": "major"}`), `status`,
//! `resource_type`, `resource_id`, `resource_name`, `customer_id`, `customer_name`,
//! `subscriber_count`, `occurrence_count`, `title`, `description`, `probable_cause`,
//! `external_alarm_id`, and labels as `labels.<name>` or a nested `"labels": {"<name>": test}`.
//!
//! # Errors name the offending field
//!
//! Every error says where the problem is, as the path of the offending field inside the rule
//! (and, in an array of rules, the rule's position and name):
//!
//! ```
//! use fault_core::rule::{Rule, CompiledRule};
//! let err = Rule::list_from_json(r#"[{"name": "a", "type": "correlation"},
//!     {"name": "b", "type": "correlation", "time_window": "5m"}]"#).unwrap_err();
//! assert!(err.to_string().starts_with("Invalid rule JSON: rule 2 ('b'): time_window: invalid type"));
//!
//! let rule = Rule::list_from_json(r#"{"name": "OLT to ONT", "type": "correlation",
//!     "conditions": {"parent": {"alarm_type": "device.down"}, "child": {"resource_typ": "ont"}}}"#)
//!     .unwrap().remove(0);
//! let err = CompiledRule::compile(rule).unwrap_err();
//! assert!(err.to_string().starts_with(
//!     "Rule 'OLT to ONT': conditions.child.resource_typ: Unknown field 'resource_typ'"));
//! ```

use crate::error::{Error, Result};
use crate::severity::Severity;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Rule kinds (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Parent/child correlation (root cause) or time-window grouping.
    Correlation,
    /// Matching alarms are recorded but suppressed.
    Suppression,
    /// Matching alarms are escalated (severity raise and/or ticket request).
    Escalation,
}

/// Where a correlation rule looks for a child's parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationScope {
    /// `topology` when the child's resource is in the topology graph, `tenant` otherwise.
    #[default]
    Auto,
    /// The parent must be on an ancestor of the child's resource.
    Topology,
    /// Any matching parent of the same tenant.
    Tenant,
}

fn yes() -> bool {
    true
}

/// Rule actions (seed 002's names plus escalation/suppression actions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleActions {
    /// Correlation: flag the parent as root cause.
    #[serde(default = "yes")]
    pub mark_parent_as_root_cause: bool,
    /// Correlation: suppress the children.
    #[serde(default = "yes")]
    pub suppress_child_alarms: bool,
    /// Correlation/grouping: give the group a correlation id.
    #[serde(default = "yes")]
    pub create_correlation_id: bool,
    /// Suppression rules: suppress the matching alarm (default true).
    #[serde(default = "yes")]
    pub suppress: bool,
    /// Escalation: raise the severity to this.
    #[serde(default)]
    pub escalate_to: Option<Severity>,
    /// Escalation: request a ticket.
    #[serde(default)]
    pub create_ticket: bool,
}

impl Default for RuleActions {
    fn default() -> Self {
        RuleActions {
            mark_parent_as_root_cause: true,
            suppress_child_alarms: true,
            create_correlation_id: true,
            suppress: true,
            escalate_to: None,
            create_ticket: false,
        }
    }
}

/// A rule as stored and exchanged (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Identifier (the Desk's rule id); the name is used when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Kind (`"type"` in JSON).
    #[serde(rename = "type")]
    pub kind: RuleKind,
    /// Disabled rules are stored but not applied.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Evaluation order among rules of one kind (lower first); ties by position.
    #[serde(default)]
    pub priority: i32,
    /// Conditions: `{"parent": {...}, "child": {...}}` for parent/child correlation, else flat.
    #[serde(default)]
    pub conditions: Value,
    /// Actions.
    #[serde(default)]
    pub actions: RuleActions,
    /// Window in seconds (default 300).
    #[serde(default)]
    pub time_window: Option<u64>,
    /// Parent search scope for parent/child correlation.
    #[serde(default)]
    pub scope: CorrelationScope,
    /// Fields that must be equal between parent and child (Alertmanager's `equal`).
    #[serde(default)]
    pub equal: Vec<String>,
    /// Grouping rules: fields whose values split groups (besides the tenant).
    #[serde(default)]
    pub group_by: Vec<String>,
    /// A reduction-key template over event fields, e.g. `"{tenant_id}/{resource_id}/{alarm_type}"`,
    /// applied to alarms matching this rule's (flat or child) conditions.
    #[serde(default)]
    pub reduction_key: Option<String>,
}

impl Rule {
    /// Parse one rule or an array of rules. Errors are Validation errors that say where the
    /// problem is: the JSON line and column for a syntax error; otherwise the rule (its position
    /// in an array, `rule 2`, and its name when it has one) and the path of the offending field
    /// (`actions.explode: unknown field ...`, `time_window: invalid type ...`).
    pub fn list_from_json(json: &str) -> Result<Vec<Rule>> {
        let v: Value = serde_json::from_str(json)
            .map_err(|e| Error::validation(format!("Invalid rule JSON: {e}")))?;
        match v {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| Rule::from_value(item, Some(i)))
                .collect(),
            other => Ok(vec![Rule::from_value(other, None)?]),
        }
    }

    /// One rule from a JSON value; `index` is its position in an array of rules.
    fn from_value(v: Value, index: Option<usize>) -> Result<Rule> {
        let name = v.get("name").and_then(Value::as_str).map(str::to_string);
        let mut whose = match (index, &name) {
            (Some(i), Some(n)) => format!("rule {} ('{n}'): ", i + 1),
            (Some(i), None) => format!("rule {}: ", i + 1),
            (None, Some(n)) => format!("rule '{n}': "),
            (None, None) => String::new(),
        };
        if !v.is_object() {
            return Err(Error::validation(format!(
                "Invalid rule JSON: {whose}a rule must be an object, got {v}"
            )));
        }
        serde_path_to_error::deserialize(v).map_err(|e| {
            let path = e.path().to_string();
            if path != "." {
                whose.push_str(&path);
                whose.push_str(": ");
            }
            Error::validation(format!("Invalid rule JSON: {whose}{}", e.into_inner()))
        })
    }

    /// The rule's id, or its name when it has none.
    pub fn key(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.name)
    }
}

/// A field of an alarm (or of an event being turned into one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// `tenant_id`
    TenantId,
    /// `source`
    Source,
    /// `alarm_type`
    AlarmType,
    /// `event_type`
    EventType,
    /// `severity`
    Severity,
    /// `status`
    Status,
    /// `resource_type`
    ResourceType,
    /// `resource_id`
    ResourceId,
    /// `resource_name`
    ResourceName,
    /// `customer_id`
    CustomerId,
    /// `customer_name`
    CustomerName,
    /// `subscriber_count`
    SubscriberCount,
    /// `occurrence_count`
    OccurrenceCount,
    /// `title`
    Title,
    /// `description`
    Description,
    /// `probable_cause`
    ProbableCause,
    /// `external_alarm_id`
    ExternalAlarmId,
    /// `labels.<name>`
    Label(String),
}

impl Field {
    /// Parse a field name.
    pub fn parse(name: &str) -> Result<Field> {
        Ok(match name {
            "tenant_id" => Field::TenantId,
            "source" => Field::Source,
            "alarm_type" => Field::AlarmType,
            "event_type" => Field::EventType,
            "severity" => Field::Severity,
            "status" => Field::Status,
            "resource_type" => Field::ResourceType,
            "resource_id" => Field::ResourceId,
            "resource_name" => Field::ResourceName,
            "customer_id" => Field::CustomerId,
            "customer_name" => Field::CustomerName,
            "subscriber_count" => Field::SubscriberCount,
            "occurrence_count" => Field::OccurrenceCount,
            "title" => Field::Title,
            "description" => Field::Description,
            "probable_cause" => Field::ProbableCause,
            "external_alarm_id" => Field::ExternalAlarmId,
            other => match other.strip_prefix("labels.") {
                Some(l) if !l.is_empty() => Field::Label(l.to_string()),
                _ => {
                    return Err(Error::validation(format!(
                        "Unknown field '{other}'. Known fields: tenant_id, source, alarm_type, event_type, severity, status, resource_type, resource_id, resource_name, customer_id, customer_name, subscriber_count, occurrence_count, title, description, probable_cause, external_alarm_id, labels.<name>"
                    )));
                }
            },
        })
    }

    fn is_numeric(&self) -> bool {
        matches!(
            self,
            Field::SubscriberCount | Field::OccurrenceCount | Field::Severity
        )
    }
}

/// Something whose fields conditions can read: an [`crate::alarm::Alarm`], or an event being
/// reduced (the correlator's view).
pub trait FieldSource {
    /// The text of a field (`None` when absent).
    fn text(&self, field: &Field) -> Option<&str>;
    /// The numeric value of a field (counts; severity rank).
    fn number(&self, field: &Field) -> Option<f64>;
}

#[derive(Debug, Clone)]
enum Scalar {
    Str(String),
    Num(f64),
}

#[derive(Debug, Clone, Copy)]
enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone)]
enum Pred {
    Eq(Scalar),
    Ne(Scalar),
    In(Vec<Scalar>),
    NotIn(Vec<Scalar>),
    Regex(Regex),
    Cmp(CmpOp, f64),
    Exists(bool),
}

/// A compiled condition: a conjunction of field tests.
#[derive(Debug, Clone, Default)]
pub struct Condition {
    tests: Vec<(Field, Pred)>,
}

fn scalar(field: &Field, v: &Value) -> Result<Scalar> {
    match v {
        Value::String(s) => {
            if *field == Field::Severity {
                let sev: Severity = s.parse().map_err(|e: crate::severity::UnknownSeverity| {
                    Error::validation(e.to_string())
                })?;
                Ok(Scalar::Num(sev.rank() as f64))
            } else {
                Ok(Scalar::Str(s.clone()))
            }
        }
        Value::Number(n) => Ok(Scalar::Num(n.as_f64().unwrap_or(f64::NAN))),
        Value::Bool(b) => Ok(Scalar::Str(b.to_string())),
        other => Err(Error::validation(format!(
            "Condition value {other} is not a string, number or boolean"
        ))),
    }
}

fn number_of(field: &Field, v: &Value, op: &str) -> Result<f64> {
    match scalar(field, v)? {
        Scalar::Num(n) => Ok(n),
        Scalar::Str(s) => s
            .parse::<f64>()
            .map_err(|_| Error::validation(format!("Operator '{op}' needs a number, got '{s}'"))),
    }
}

/// Prefixes a validation error with the path of the field it is about (`conditions.child.x: ...`).
fn at(path: &str, e: Error) -> Error {
    match e {
        Error::Validation(m) => Error::Validation(format!("{path}: {m}")),
        other => other,
    }
}

impl Condition {
    /// Compile a condition object; errors name the offending field as `conditions.<field>`.
    pub fn compile(v: &Value) -> Result<Condition> {
        Condition::compile_at(v, "conditions")
    }

    /// Compile a condition object found at `path` inside a rule (e.g. `conditions.parent`);
    /// errors start with the path of the offending field (`conditions.parent.colour: ...`).
    pub fn compile_at(v: &Value, path: &str) -> Result<Condition> {
        let mut c = Condition::default();
        match v {
            Value::Null => {}
            Value::Object(map) => {
                for (name, test) in map {
                    let here = format!("{path}.{name}");
                    if name == "labels" {
                        let Value::Object(labels) = test else {
                            return Err(at(
                                &here,
                                Error::validation("must be an object of label tests"),
                            ));
                        };
                        for (l, t) in labels {
                            let f = Field::Label(l.clone());
                            c.push(f, t).map_err(|e| at(&format!("{here}.{l}"), e))?;
                        }
                    } else {
                        let f = Field::parse(name).map_err(|e| at(&here, e))?;
                        c.push(f, test).map_err(|e| at(&here, e))?;
                    }
                }
            }
            other => {
                return Err(at(
                    path,
                    Error::validation(format!("Conditions must be an object, got {other}")),
                ));
            }
        }
        Ok(c)
    }

    fn push(&mut self, f: Field, test: &Value) -> Result<()> {
        match test {
            Value::Array(items) => {
                let list = items.iter().map(|i| scalar(&f, i)).collect::<Result<_>>()?;
                self.tests.push((f, Pred::In(list)));
            }
            Value::Object(ops) => {
                if ops.is_empty() {
                    return Err(Error::validation(
                        "empty operator object; use one of eq, ne, in, not_in, regex, gt, gte, lt, lte, exists",
                    ));
                }
                for (op, arg) in ops {
                    let p = match op.as_str() {
                        "eq" => Pred::Eq(scalar(&f, arg)?),
                        "ne" => Pred::Ne(scalar(&f, arg)?),
                        "in" | "not_in" => {
                            let Value::Array(items) = arg else {
                                return Err(Error::validation(format!(
                                    "Operator '{op}' needs a list"
                                )));
                            };
                            let list =
                                items.iter().map(|i| scalar(&f, i)).collect::<Result<_>>()?;
                            if op == "in" {
                                Pred::In(list)
                            } else {
                                Pred::NotIn(list)
                            }
                        }
                        "regex" => {
                            let Value::String(re) = arg else {
                                return Err(Error::validation("Operator 'regex' needs a string"));
                            };
                            Pred::Regex(Regex::new(re).map_err(|e| {
                                Error::validation(format!("Invalid regex '{re}': {e}"))
                            })?)
                        }
                        "gt" => Pred::Cmp(CmpOp::Gt, number_of(&f, arg, op)?),
                        "gte" => Pred::Cmp(CmpOp::Gte, number_of(&f, arg, op)?),
                        "lt" => Pred::Cmp(CmpOp::Lt, number_of(&f, arg, op)?),
                        "lte" => Pred::Cmp(CmpOp::Lte, number_of(&f, arg, op)?),
                        "exists" => match arg {
                            Value::Bool(b) => Pred::Exists(*b),
                            _ => {
                                return Err(Error::validation("Operator 'exists' needs a boolean"));
                            }
                        },
                        other => {
                            return Err(Error::validation(format!(
                                "Unknown condition operator '{other}'. Known: eq, ne, in, not_in, regex, gt, gte, lt, lte, exists"
                            )));
                        }
                    };
                    self.tests.push((f.clone(), p));
                }
            }
            v => self.tests.push((f.clone(), Pred::Eq(scalar(&f, v)?))),
        }
        Ok(())
    }

    /// True when every test holds for `s`.
    #[inline]
    pub fn matches(&self, s: &impl FieldSource) -> bool {
        self.tests.iter().all(|(f, p)| test(f, p, s))
    }

    /// The alarm types this condition is restricted to (`None`: any type).
    pub fn alarm_types(&self) -> Option<Vec<String>> {
        self.tests.iter().find_map(|(f, p)| match (f, p) {
            (Field::AlarmType, Pred::Eq(Scalar::Str(s))) => Some(vec![s.clone()]),
            (Field::AlarmType, Pred::In(list)) => list
                .iter()
                .map(|x| match x {
                    Scalar::Str(s) => Some(s.clone()),
                    Scalar::Num(_) => None,
                })
                .collect(),
            _ => None,
        })
    }

    /// True when the condition has no tests.
    pub fn is_empty(&self) -> bool {
        self.tests.is_empty()
    }
}

fn scalar_eq(f: &Field, v: &Scalar, s: &impl FieldSource) -> Option<bool> {
    match v {
        Scalar::Str(x) => {
            let t = s.text(f)?;
            Some(if matches!(f, Field::Source | Field::Status) {
                t.eq_ignore_ascii_case(x)
            } else {
                t == x
            })
        }
        Scalar::Num(x) => {
            if f.is_numeric() {
                s.number(f).map(|n| n == *x)
            } else {
                s.text(f).map(|t| t.parse::<f64>() == Ok(*x))
            }
        }
    }
}

#[inline]
fn test(f: &Field, p: &Pred, s: &impl FieldSource) -> bool {
    match p {
        Pred::Eq(v) => scalar_eq(f, v, s) == Some(true),
        Pred::Ne(v) => scalar_eq(f, v, s) != Some(true),
        Pred::In(list) => list.iter().any(|v| scalar_eq(f, v, s) == Some(true)),
        Pred::NotIn(list) => !list.iter().any(|v| scalar_eq(f, v, s) == Some(true)),
        Pred::Regex(re) => s.text(f).is_some_and(|t| re.is_match(t)),
        Pred::Cmp(op, x) => {
            let n = if f.is_numeric() {
                s.number(f)
            } else {
                s.text(f).and_then(|t| t.parse::<f64>().ok())
            };
            n.is_some_and(|n| match op {
                CmpOp::Gt => n > *x,
                CmpOp::Gte => n >= *x,
                CmpOp::Lt => n < *x,
                CmpOp::Lte => n <= *x,
            })
        }
        Pred::Exists(e) => {
            let present = if f.is_numeric() {
                s.number(f).is_some()
            } else {
                s.text(f).is_some()
            };
            present == *e
        }
    }
}

/// A reduction-key template: literal text with `{field}` placeholders.
#[derive(Debug, Clone)]
pub struct KeyTemplate {
    parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone)]
enum TemplatePart {
    Lit(String),
    Field(Field),
}

impl KeyTemplate {
    /// Parse `"{tenant_id}/{resource_id}"`.
    pub fn parse(t: &str) -> Result<KeyTemplate> {
        let mut parts = Vec::new();
        let mut rest = t;
        let mut has_field = false;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest.find('}').ok_or_else(|| {
                        Error::validation(format!("Reduction key template '{t}': unclosed '{{'"))
                    })?;
                    parts.push(TemplatePart::Field(Field::parse(&rest[1..end])?));
                    has_field = true;
                    rest = &rest[end + 1..];
                }
                Some(i) => {
                    parts.push(TemplatePart::Lit(rest[..i].to_string()));
                    rest = &rest[i..];
                }
                None => {
                    parts.push(TemplatePart::Lit(rest.to_string()));
                    rest = "";
                }
            }
        }
        if !has_field {
            return Err(Error::validation(format!(
                "Reduction key template '{t}' has no {{field}} placeholder"
            )));
        }
        Ok(KeyTemplate { parts })
    }

    /// Render the template for `s` (absent fields render empty; numbers in decimal).
    pub fn render_into(&self, s: &impl FieldSource, out: &mut String) {
        use std::fmt::Write;
        for p in &self.parts {
            match p {
                TemplatePart::Lit(l) => out.push_str(l),
                TemplatePart::Field(f) => {
                    if *f == Field::Severity || !f.is_numeric() {
                        out.push_str(s.text(f).unwrap_or(""));
                    } else if let Some(n) = s.number(f) {
                        let _ = write!(out, "{n}");
                    }
                }
            }
        }
    }
}

/// The shape of a compiled rule.
#[derive(Debug, Clone)]
pub enum RuleShape {
    /// Parent/child correlation.
    ParentChild {
        /// Condition a parent must meet.
        parent: Condition,
        /// Condition a child must meet.
        child: Condition,
    },
    /// A flat condition (grouping, suppression, escalation).
    Flat(Condition),
}

/// A validated, compiled rule ready for the correlator.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// The source rule.
    pub rule: Rule,
    /// Shared id used in decisions (id or name).
    pub key: Arc<str>,
    /// Compiled shape.
    pub shape: RuleShape,
    /// Window in microseconds.
    pub window_us: i64,
    /// `equal` fields.
    pub equal: Vec<Field>,
    /// `group_by` fields.
    pub group_by: Vec<Field>,
    /// Reduction-key template.
    pub key_template: Option<KeyTemplate>,
}

/// Parses the field names of `equal` / `group_by` (named `what`): the correlator keys its
/// indexes on them, so only the identifying fields are allowed. Errors name the entry
/// (`equal[1]: ...`).
fn slot_fields(names: &[String], what: &str) -> Result<Vec<Field>> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let f = Field::parse(name).map_err(|e| at(&format!("{what}[{i}]"), e))?;
            match f {
                Field::TenantId
                | Field::Source
                | Field::AlarmType
                | Field::ResourceType
                | Field::ResourceId
                | Field::CustomerId
                | Field::Label(_) => Ok(f),
                _ => Err(Error::validation(format!(
                    "{what}[{i}]: field '{name}' is not supported here (use tenant_id, source, alarm_type, resource_type, resource_id, customer_id or labels.<name>)"
                ))),
            }
        })
        .collect()
}

/// Default rule window: 5 minutes (seed 002).
pub const DEFAULT_WINDOW_SECS: u64 = 300;

impl CompiledRule {
    /// Validate and compile a rule; errors name the rule.
    pub fn compile(rule: Rule) -> Result<CompiledRule> {
        let ctx = |e: Error| match e {
            Error::Validation(m) => Error::Validation(format!("Rule '{}': {m}", rule.name)),
            other => other,
        };
        if rule.name.trim().is_empty() {
            return Err(Error::validation("Rule name must not be empty"));
        }
        let has_roles = rule
            .conditions
            .as_object()
            .is_some_and(|o| o.contains_key("parent") || o.contains_key("child"));
        let shape = if has_roles {
            if rule.kind != RuleKind::Correlation {
                return Err(ctx(Error::validation(
                    "conditions: only correlation rules have parent/child conditions",
                )));
            }
            let o = rule.conditions.as_object().expect("checked object");
            if let Some(k) = o.keys().find(|k| *k != "parent" && *k != "child") {
                return Err(ctx(Error::validation(format!(
                    "conditions.{k}: unexpected key next to parent/child conditions"
                ))));
            }
            let (Some(p), Some(c)) = (o.get("parent"), o.get("child")) else {
                return Err(ctx(Error::validation(
                    "conditions: correlation conditions need both 'parent' and 'child'",
                )));
            };
            RuleShape::ParentChild {
                parent: Condition::compile_at(p, "conditions.parent").map_err(ctx)?,
                child: Condition::compile_at(c, "conditions.child").map_err(ctx)?,
            }
        } else {
            RuleShape::Flat(Condition::compile(&rule.conditions).map_err(ctx)?)
        };
        if rule.kind == RuleKind::Escalation
            && rule.actions.escalate_to.is_none()
            && !rule.actions.create_ticket
        {
            return Err(ctx(Error::validation(
                "actions: escalation rules need 'escalate_to' or 'create_ticket'",
            )));
        }
        if rule.actions.escalate_to == Some(Severity::Cleared) {
            return Err(ctx(Error::validation(
                "actions.escalate_to: cannot escalate to 'cleared'",
            )));
        }
        let window = rule.time_window.unwrap_or(DEFAULT_WINDOW_SECS);
        if window == 0 || window > 31 * 86_400 {
            return Err(ctx(Error::validation(format!(
                "time_window: must be between 1 and 2678400 seconds, got {window}"
            ))));
        }
        let equal = slot_fields(&rule.equal, "equal").map_err(ctx)?;
        let group_by = slot_fields(&rule.group_by, "group_by").map_err(ctx)?;
        let key_template = rule
            .reduction_key
            .as_deref()
            .map(KeyTemplate::parse)
            .transpose()
            .map_err(|e| ctx(at("reduction_key", e)))?;
        Ok(CompiledRule {
            key: Arc::from(rule.key()),
            window_us: window as i64 * 1_000_000,
            equal,
            group_by,
            key_template,
            shape,
            rule,
        })
    }

    /// True for parent/child correlation rules.
    pub fn is_parent_child(&self) -> bool {
        matches!(self.shape, RuleShape::ParentChild { .. })
    }

    /// The condition a new alarm must meet to be "the subject" of this rule: the child condition of
    /// a parent/child rule, otherwise the flat condition.
    pub fn subject(&self) -> &Condition {
        match &self.shape {
            RuleShape::ParentChild { child, .. } => child,
            RuleShape::Flat(c) => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct M(HashMap<Field, &'static str>, HashMap<Field, f64>);
    impl FieldSource for M {
        fn text(&self, f: &Field) -> Option<&str> {
            self.0.get(f).copied()
        }
        fn number(&self, f: &Field) -> Option<f64> {
            self.1.get(f).copied()
        }
    }

    fn ont() -> M {
        M(
            HashMap::from([
                (Field::AlarmType, "signal.loss"),
                (Field::ResourceType, "ont"),
                (Field::Title, "ONT 17 LOS"),
                (Field::Source, "cpe"),
                (Field::Label("pon".into()), "1/1/3"),
            ]),
            HashMap::from([
                (Field::SubscriberCount, 12.0),
                (Field::Severity, Severity::Major.rank() as f64),
            ]),
        )
    }

    fn cond(j: &str) -> Condition {
        Condition::compile(&serde_json::from_str(j).unwrap()).unwrap()
    }

    #[test]
    fn equality_in_regex_numeric_labels() {
        let a = ont();
        assert!(cond(r#"{"alarm_type":"signal.loss","resource_type":"ont"}"#).matches(&a));
        assert!(!cond(r#"{"alarm_type":"device.down"}"#).matches(&a));
        assert!(cond(r#"{"resource_type":["olt","ont"]}"#).matches(&a));
        assert!(cond(r#"{"resource_type":{"not_in":["olt"]}}"#).matches(&a));
        assert!(cond(r#"{"title":{"regex":"^ONT \\d+"}}"#).matches(&a));
        assert!(!cond(r#"{"title":{"regex":"^OLT"}}"#).matches(&a));
        assert!(cond(r#"{"subscriber_count":{"gt":10,"lte":12}}"#).matches(&a));
        assert!(!cond(r#"{"subscriber_count":{"gt":12}}"#).matches(&a));
        assert!(cond(r#"{"severity":{"gte":"major"}}"#).matches(&a));
        assert!(!cond(r#"{"severity":"critical"}"#).matches(&a));
        assert!(cond(r#"{"labels.pon":"1/1/3"}"#).matches(&a));
        assert!(cond(r#"{"labels":{"pon":{"regex":"^1/1/"}}}"#).matches(&a));
        assert!(!cond(r#"{"labels.vlan":{"exists":true}}"#).matches(&a));
        assert!(cond(r#"{"labels.vlan":{"exists":false}}"#).matches(&a));
        assert!(cond(r#"{"source":"CPE"}"#).matches(&a));
        assert!(cond(r#"{"customer_id":{"ne":"x"}}"#).matches(&a));
        assert!(cond("{}").matches(&a));
    }

    #[test]
    fn bad_conditions_have_clear_errors() {
        let e = |j: &str| {
            Condition::compile(&serde_json::from_str(j).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert!(e(r#"{"colour":"red"}"#).starts_with("conditions.colour: Unknown field 'colour'"));
        assert!(e(r#"{"title":{"regex":"("}}"#).starts_with("conditions.title: Invalid regex '('"));
        assert!(
            e(r#"{"title":{"like":"x"}}"#)
                .starts_with("conditions.title: Unknown condition operator 'like'")
        );
        assert_eq!(
            e(r#"{"subscriber_count":{"gt":"many"}}"#),
            "conditions.subscriber_count: Operator 'gt' needs a number, got 'many'"
        );
        assert!(
            e(r#"{"severity":"fatal"}"#)
                .starts_with("conditions.severity: Invalid severity 'fatal'")
        );
        assert!(e(r#"{"title":{}}"#).starts_with("conditions.title: empty operator object"));
        assert!(
            e(r#"{"labels":{"pon":{"regex":"["}}}"#)
                .starts_with("conditions.labels.pon: Invalid regex")
        );
        assert!(e(r#"{"labels":"x"}"#).starts_with("conditions.labels: must be an object"));
        assert!(e("[1]").starts_with("conditions: Conditions must be an object"));
    }

    #[test]
    fn seed_rule_loads_and_indexes_alarm_types() {
        let rules = Rule::list_from_json(crate::correlator::SEED_002_RULE_JSON).unwrap();
        let c = CompiledRule::compile(rules[0].clone()).unwrap();
        assert_eq!(c.window_us, 300_000_000);
        assert_eq!(&*c.key, "OLT to ONT Correlation");
        match &c.shape {
            RuleShape::ParentChild { parent, child } => {
                assert_eq!(parent.alarm_types(), Some(vec!["device.down".to_string()]));
                assert_eq!(child.alarm_types(), Some(vec!["signal.loss".to_string()]));
            }
            RuleShape::Flat(_) => panic!("expected parent/child"),
        }
    }

    #[test]
    fn bad_rules_are_rejected_with_the_rule_name() {
        let bad = |j: &str| {
            Rule::list_from_json(j)
                .and_then(|r| CompiledRule::compile(r[0].clone()))
                .unwrap_err()
                .to_string()
        };
        assert!(
            bad(r#"{"name":"x","type":"escalation","conditions":{}}"#)
                .starts_with("Rule 'x': actions: escalation rules need")
        );
        assert!(
            bad(r#"{"name":"x","type":"suppression","conditions":{"parent":{},"child":{}}}"#)
                .contains("only correlation rules")
        );
        assert!(
            bad(r#"{"name":"x","type":"correlation","conditions":{"parent":{}}}"#)
                .contains("need both")
        );
        assert!(
            bad(r#"{"name":"x","type":"correlation","time_window":0}"#).contains("time_window")
        );
        assert!(
            bad(r#"{"name":"x","type":"correlation","actions":{"explode":true}}"#).starts_with(
                "Invalid rule JSON: rule 'x': actions.explode: unknown field `explode`"
            )
        );
        assert!(
            bad(r#"{"name":"x","type":"magic"}"#)
                .starts_with("Invalid rule JSON: rule 'x': type: unknown variant `magic`")
        );
        assert!(
            bad(r#"{"name":"x","type":"correlation","reduction_key":"static"}"#)
                .contains("no {field} placeholder")
        );
    }

    /// Every error names the offending field by its path in the rule (and the rule by its
    /// position in an array and its name).
    #[test]
    fn errors_name_the_offending_field() {
        let parse = |j: &str| Rule::list_from_json(j).unwrap_err().to_string();
        let compile = |j: &str| {
            CompiledRule::compile(Rule::list_from_json(j).unwrap().remove(0))
                .unwrap_err()
                .to_string()
        };
        // Syntax errors give the line and column.
        assert!(parse("{\n  \"name\": \"x\",\n  \"type\" \"correlation\"\n}").contains("line 3"));
        // Structure errors: position, name and field path.
        assert_eq!(
            parse(
                r#"[{"name":"a","type":"correlation"},{"name":"b","type":"correlation","time_window":-5}]"#
            ),
            "Invalid rule JSON: rule 2 ('b'): time_window: invalid value: integer `-5`, expected u64"
        );
        assert!(
            parse(r#"[{"type":"correlation"}]"#)
                .starts_with("Invalid rule JSON: rule 1: missing field `name`")
        );
        assert!(
            parse(r#"{"name":"x","type":"correlation","priority":"high"}"#)
                .starts_with("Invalid rule JSON: rule 'x': priority: invalid type: string")
        );
        assert!(
            parse(r#"{"name":"x","type":"escalation","actions":{"escalate_to":"fatal"}}"#)
                .starts_with("Invalid rule JSON: rule 'x': actions.escalate_to:")
        );
        assert!(
            parse(r#"{"name":"x","type":"correlation","colour":"red"}"#)
                .starts_with("Invalid rule JSON: rule 'x': colour: unknown field `colour`")
        );
        assert!(parse("[1]").starts_with("Invalid rule JSON: rule 1: a rule must be an object"));
        // Semantic errors: the field path inside conditions, actions, equal, ...
        let seed = |child: &str| {
            format!(
                r#"{{"name":"OLT to ONT","type":"correlation","conditions":{{"parent":{{"alarm_type":"device.down"}},"child":{child}}}}}"#
            )
        };
        assert!(compile(&seed(r#"{"resource_typ":"ont"}"#)).starts_with(
            "Rule 'OLT to ONT': conditions.child.resource_typ: Unknown field 'resource_typ'"
        ));
        assert!(
            compile(&seed(r#"{"subscriber_count":{"gte":"lots"}}"#)).starts_with(
                "Rule 'OLT to ONT': conditions.child.subscriber_count: Operator 'gte' needs a number"
            )
        );
        assert!(
            compile(r#"{"name":"x","type":"correlation","conditions":{"parent":{"colour":1},"child":{}}}"#)
                .starts_with("Rule 'x': conditions.parent.colour: Unknown field")
        );
        assert!(
            compile(r#"{"name":"x","type":"correlation","conditions":{"parent":{},"child":{},"extra":{}}}"#)
                .starts_with("Rule 'x': conditions.extra: unexpected key")
        );
        assert!(
            compile(r#"{"name":"x","type":"correlation","equal":["resource_id","title"]}"#)
                .starts_with("Rule 'x': equal[1]: field 'title' is not supported here")
        );
        assert!(
            compile(r#"{"name":"x","type":"correlation","group_by":["nope"]}"#)
                .starts_with("Rule 'x': group_by[0]: Unknown field 'nope'")
        );
        assert!(
            compile(r#"{"name":"x","type":"correlation","reduction_key":"{nope}"}"#)
                .starts_with("Rule 'x': reduction_key: Unknown field 'nope'")
        );
        assert!(
            compile(r#"{"name":"x","type":"escalation","actions":{"escalate_to":"cleared"}}"#)
                .starts_with("Rule 'x': actions.escalate_to: cannot escalate")
        );
    }

    #[test]
    fn key_template_renders() {
        let t = KeyTemplate::parse("{alarm_type}@{labels.pon}#{subscriber_count}").unwrap();
        let mut s = String::new();
        t.render_into(&ont(), &mut s);
        assert_eq!(s, "signal.loss@1/1/3#12");
        assert!(KeyTemplate::parse("{alarm_type").is_err());
    }
}
