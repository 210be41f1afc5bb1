//! Data-driven workflow state machines.
//!
//! A workflow is a set of **states** (each with a [`StateCategory`] and one marked initial), a set
//! of **transitions** (from, to, the permission string required, guards) and **hooks** that say
//! which ticket timestamps a transition sets or clears. Three presets ship with faultdesk:
//!
//! - [`Workflow::itsm`] (seed 003): `NEW`, `OPEN`, `IN_PROGRESS`, `PENDING_INFO`, `ESCALATED`,
//!   `RESOLVED`, `CLOSED`, `REOPENED`; resolving needs a resolution note, reopening is allowed only
//!   within the reopen window after resolution/closure.
//! - [`Workflow::vms`] (seed 001): `open → assigned → in_progress → resolved → closed`, plus
//!   `false_positive`.
//! - [`Workflow::fibreflow`] (seed 004): `pending → in_progress → closed`.
//!
//! Custom workflows load from JSON ([`Workflow::from_json`]) and are validated on load.
//!
//! State names are matched case-insensitively (`"in_progress"` finds `IN_PROGRESS`); results
//! always carry the canonical name of the definition. At load time states are interned to small
//! indexes ([`StateId`]) and transitions are kept in a compact per-state table, so a transition
//! check costs a few short string comparisons and one permission lookup.
//!
//! ```
//! use chrono::Utc;
//! use ticket_core::rbac::PermissionSet;
//! use ticket_core::workflow::{TransitionContext, Workflow};
//!
//! let wf = Workflow::itsm();
//! let perms = PermissionSet::from_iter(["tickets.transition", "tickets.close"]);
//! let ctx = TransitionContext::new(&perms, Utc::now()).with_assignee(true);
//!
//! let fx = wf.check_transition("new", "open", &ctx).unwrap();
//! assert_eq!(fx.to, "OPEN");
//! assert!(fx.set_first_responded_at);
//!
//! // NEW cannot go straight to CLOSED; the error names the allowed next states.
//! let err = wf.check_transition("NEW", "CLOSED", &ctx).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "Invalid transition from NEW to CLOSED. Allowed next states: OPEN, IN_PROGRESS"
//! );
//! ```

use crate::category::StateCategory;
use crate::error::{Error, Result};
use crate::rbac::{PermissionSet, perms};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Default reopen window: 7 days after resolution or closure.
pub const DEFAULT_REOPEN_WINDOW_SECONDS: u64 = 7 * 24 * 3600;

/// The largest number of states a workflow may define.
pub const MAX_STATES: usize = 256;

/// A condition that must hold for a transition to be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Guard {
    /// The request must carry a resolution note ([`TransitionContext::has_resolution_note`]).
    RequiresResolutionNote,
    /// `now` must be within the workflow's reopen window after the ticket was resolved or
    /// closed (the later of `resolved_at` and `closed_at`; inclusive).
    WithinReopenWindow,
    /// The ticket must have an assignee ([`TransitionContext::has_assignee`]).
    RequiresAssignee,
}

impl Guard {
    /// All guards.
    pub const ALL: [Guard; 3] = [
        Guard::RequiresResolutionNote,
        Guard::WithinReopenWindow,
        Guard::RequiresAssignee,
    ];

    /// The snake_case name used in JSON and in error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Guard::RequiresResolutionNote => "requires_resolution_note",
            Guard::WithinReopenWindow => "within_reopen_window",
            Guard::RequiresAssignee => "requires_assignee",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Guard::RequiresResolutionNote => 1,
            Guard::WithinReopenWindow => 2,
            Guard::RequiresAssignee => 4,
        }
    }
}

impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A timestamp effect of a transition.
///
/// When a transition definition gives no `hooks`, they are derived from the categories:
/// leaving a `new` state sets `first_responded_at`; entering `resolved` sets `resolved_at`;
/// entering `closed` sets `closed_at` and `resolved_at`; going from `resolved`/`closed` back to
/// `new`/`open`/`pending` clears `resolved_at` and `closed_at` (a reopen). "Set" hooks only set a
/// timestamp that is not set yet, so closing a resolved ticket keeps its resolution time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Hook {
    /// Set `first_responded_at` to `now` if unset.
    SetFirstRespondedAt,
    /// Set `resolved_at` to `now` if unset.
    SetResolvedAt,
    /// Set `closed_at` to `now` if unset.
    SetClosedAt,
    /// Clear `resolved_at` and `closed_at` (reopen).
    ClearResolution,
}

impl Hook {
    fn bit(self) -> u8 {
        match self {
            Hook::SetFirstRespondedAt => 1,
            Hook::SetResolvedAt => 2,
            Hook::SetClosedAt => 4,
            Hook::ClearResolution => 8,
        }
    }

    const ALL: [Hook; 4] = [
        Hook::SetFirstRespondedAt,
        Hook::SetResolvedAt,
        Hook::SetClosedAt,
        Hook::ClearResolution,
    ];
}

/// A state of a workflow definition (serde form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateDef {
    /// The state name (e.g. `IN_PROGRESS`), unique case-insensitively.
    pub name: String,
    /// Its category.
    pub category: StateCategory,
    /// Whether new tickets start here. Exactly one state must be initial.
    #[serde(default)]
    pub initial: bool,
}

/// A transition of a workflow definition (serde form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionDef {
    /// Source state name.
    pub from: String,
    /// Target state name.
    pub to: String,
    /// Permission string required, `tickets.transition` when omitted.
    #[serde(default = "default_permission")]
    pub permission: String,
    /// Guards that must hold.
    #[serde(default)]
    pub guards: Vec<Guard>,
    /// Timestamp hooks; derived from the categories when omitted (see [`Hook`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<Vec<Hook>>,
}

fn default_permission() -> String {
    perms::TICKETS_TRANSITION.to_string()
}

fn default_reopen_window() -> u64 {
    DEFAULT_REOPEN_WINDOW_SECONDS
}

/// The serde form of a workflow, as loaded from JSON. Turn it into a checked [`Workflow`] with
/// [`Workflow::from_def`].
///
/// ```json
/// {
///   "name": "simple",
///   "reopen_window_seconds": 86400,
///   "states": [
///     {"name": "todo", "category": "new", "initial": true},
///     {"name": "doing", "category": "open"},
///     {"name": "done", "category": "closed"}
///   ],
///   "transitions": [
///     {"from": "todo", "to": "doing", "guards": ["requires_assignee"]},
///     {"from": "doing", "to": "done", "permission": "tickets.close"}
///   ]
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowDef {
    /// The workflow name (recorded on each ticket).
    pub name: String,
    /// Seconds after resolution/closure during which [`Guard::WithinReopenWindow`] passes.
    #[serde(default = "default_reopen_window")]
    pub reopen_window_seconds: u64,
    /// The states.
    pub states: Vec<StateDef>,
    /// The transitions.
    pub transitions: Vec<TransitionDef>,
}

/// The index of a state inside its workflow (definition order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateId(pub u16);

/// A checked state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Canonical name.
    pub name: String,
    /// Category.
    pub category: StateCategory,
    /// Whether this is the initial state.
    pub initial: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Edge {
    to: StateId,
    permission: Box<str>,
    guards: u8,
    hooks: u8,
}

/// Facts about the ticket and the request that guards and permissions are checked against.
#[derive(Debug, Clone, Copy)]
pub struct TransitionContext<'a> {
    /// The actor's effective permissions.
    pub permissions: &'a PermissionSet,
    /// Whether the request carries a (non-empty) resolution note.
    pub has_resolution_note: bool,
    /// The current instant.
    pub now: DateTime<Utc>,
    /// The ticket's `resolved_at`.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The ticket's `closed_at`.
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether the ticket has an assignee (after the request is applied).
    pub has_assignee: bool,
}

impl<'a> TransitionContext<'a> {
    /// A context with the given permissions and time, no note, no assignee, never resolved.
    pub fn new(permissions: &'a PermissionSet, now: DateTime<Utc>) -> Self {
        TransitionContext {
            permissions,
            has_resolution_note: false,
            now,
            resolved_at: None,
            closed_at: None,
            has_assignee: false,
        }
    }

    /// Sets [`TransitionContext::has_resolution_note`].
    pub fn with_resolution_note(mut self, yes: bool) -> Self {
        self.has_resolution_note = yes;
        self
    }

    /// Sets [`TransitionContext::has_assignee`].
    pub fn with_assignee(mut self, yes: bool) -> Self {
        self.has_assignee = yes;
        self
    }

    /// Sets the ticket's resolution and closure timestamps.
    pub fn with_resolution_times(
        mut self,
        resolved_at: Option<DateTime<Utc>>,
        closed_at: Option<DateTime<Utc>>,
    ) -> Self {
        self.resolved_at = resolved_at;
        self.closed_at = closed_at;
        self
    }
}

/// What an allowed transition does. Names are the canonical state names of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionEffects<'w> {
    /// Source state id.
    pub from_id: StateId,
    /// Target state id.
    pub to_id: StateId,
    /// Canonical source state name.
    pub from: &'w str,
    /// Canonical target state name.
    pub to: &'w str,
    /// Category of the source state.
    pub from_category: StateCategory,
    /// Category of the target state.
    pub to_category: StateCategory,
    /// Set `first_responded_at` to `now` if unset.
    pub set_first_responded_at: bool,
    /// Set `resolved_at` to `now` if unset.
    pub set_resolved_at: bool,
    /// Set `closed_at` to `now` if unset.
    pub set_closed_at: bool,
    /// Clear `resolved_at` and `closed_at` (applied before the "set" hooks).
    pub clear_resolution: bool,
}

impl TransitionEffects<'_> {
    /// Whether this transition reopens a ticket: from a resolved/closed category to a
    /// new/open/pending one.
    pub fn is_reopen(&self) -> bool {
        !self.from_category.is_open() && self.to_category.is_open()
    }

    /// Applies the effects to a ticket: status, timestamps and `updated_at`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use ticket_core::rbac::PermissionSet;
    /// # use ticket_core::ticket::{NewTicket, Ticket};
    /// # use ticket_core::workflow::{TransitionContext, Workflow};
    /// let wf = Workflow::fibreflow();
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    /// let mut t = NewTicket::new("t1", "Fibre cut at pole 17", "u1")
    ///     .build(&wf, Ticket::new_id(t0), "TKT-2026-000001".into(), t0)
    ///     .unwrap();
    /// let perms = PermissionSet::superuser();
    /// let t1 = t0 + chrono::Duration::minutes(30);
    /// wf.check_transition(&t.status, "in_progress", &TransitionContext::new(&perms, t1))
    ///     .unwrap()
    ///     .apply(&mut t, t1);
    /// assert_eq!(t.status, "in_progress");
    /// assert_eq!(t.first_responded_at, Some(t1));
    /// ```
    pub fn apply(&self, ticket: &mut crate::ticket::Ticket, now: DateTime<Utc>) {
        ticket.status = self.to.to_string();
        if self.clear_resolution {
            ticket.resolved_at = None;
            ticket.closed_at = None;
        }
        if self.set_first_responded_at && ticket.first_responded_at.is_none() {
            ticket.first_responded_at = Some(now);
        }
        if self.set_resolved_at && ticket.resolved_at.is_none() {
            ticket.resolved_at = Some(now);
        }
        if self.set_closed_at && ticket.closed_at.is_none() {
            ticket.closed_at = Some(now);
        }
        ticket.updated_at = now;
    }
}

/// A checked, compiled workflow. Build one from a preset, [`Workflow::from_def`] or
/// [`Workflow::from_json`]; serialises back to its [`WorkflowDef`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WorkflowDef", into = "WorkflowDef")]
pub struct Workflow {
    def: WorkflowDef,
    states: Vec<State>,
    initial: StateId,
    /// `edges[edge_start[s]..edge_start[s + 1]]` are the transitions out of state `s`.
    edge_start: Vec<u32>,
    edges: Vec<Edge>,
    reopen_window: Duration,
}

impl TryFrom<WorkflowDef> for Workflow {
    type Error = Error;

    fn try_from(def: WorkflowDef) -> Result<Self> {
        Workflow::from_def(def)
    }
}

impl From<Workflow> for WorkflowDef {
    fn from(w: Workflow) -> Self {
        w.def
    }
}

fn derived_hooks(from: StateCategory, to: StateCategory) -> u8 {
    let mut h = 0;
    if from == StateCategory::New && to != StateCategory::New {
        h |= Hook::SetFirstRespondedAt.bit();
    }
    if to == StateCategory::Resolved {
        h |= Hook::SetResolvedAt.bit();
    }
    if to == StateCategory::Closed {
        h |= Hook::SetClosedAt.bit() | Hook::SetResolvedAt.bit();
    }
    if !from.is_open() && to.is_open() {
        h |= Hook::ClearResolution.bit();
    }
    h
}

fn valid_state_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Workflow {
    /// Checks and compiles a definition.
    ///
    /// Errors ([`Error::Validation`], naming the offender): empty name, no states, more than
    /// [`MAX_STATES`] states, invalid or duplicate state names (case-insensitive), no initial or
    /// several initial states, transitions naming unknown states, self-loops, duplicate
    /// transitions, empty permissions, and states unreachable from the initial state.
    pub fn from_def(def: WorkflowDef) -> Result<Self> {
        let wname = def.name.trim();
        if wname.is_empty() {
            return Err(Error::validation("Workflow name must not be empty"));
        }
        if def.states.is_empty() {
            return Err(Error::validation(format!(
                "Workflow '{wname}' has no states"
            )));
        }
        if def.states.len() > MAX_STATES {
            return Err(Error::validation(format!(
                "Workflow '{wname}' has {} states; at most {MAX_STATES} are allowed",
                def.states.len()
            )));
        }
        let mut states: Vec<State> = Vec::with_capacity(def.states.len());
        for s in &def.states {
            if !valid_state_name(&s.name) {
                return Err(Error::validation(format!(
                    "Invalid state name '{}' in workflow '{wname}': use 1-64 characters A-Z, a-z, 0-9, '_' or '-'",
                    s.name
                )));
            }
            if let Some(prev) = states.iter().find(|p| p.name.eq_ignore_ascii_case(&s.name)) {
                return Err(Error::validation(format!(
                    "Duplicate state '{}' in workflow '{wname}' (already defined as '{}')",
                    s.name, prev.name
                )));
            }
            states.push(State {
                name: s.name.clone(),
                category: s.category,
                initial: s.initial,
            });
        }
        let initials: Vec<&str> = states
            .iter()
            .filter(|s| s.initial)
            .map(|s| s.name.as_str())
            .collect();
        let initial = match initials.len() {
            0 => {
                return Err(Error::validation(format!(
                    "Workflow '{wname}' has no initial state; mark exactly one state with \"initial\": true"
                )));
            }
            1 => StateId(
                states
                    .iter()
                    .position(|s| s.initial)
                    .expect("one initial state") as u16,
            ),
            _ => {
                return Err(Error::validation(format!(
                    "Workflow '{wname}' has several initial states: {}; exactly one is allowed",
                    initials.join(", ")
                )));
            }
        };
        let known = || {
            states
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let find = |name: &str| {
            states
                .iter()
                .position(|s| s.name.eq_ignore_ascii_case(name))
                .map(|i| StateId(i as u16))
        };
        let mut raw: Vec<(StateId, Edge)> = Vec::with_capacity(def.transitions.len());
        for t in &def.transitions {
            let from = find(&t.from).ok_or_else(|| {
                Error::validation(format!(
                    "Transition {} -> {} in workflow '{wname}' refers to unknown state '{}'. Known states: {}",
                    t.from,
                    t.to,
                    t.from,
                    known()
                ))
            })?;
            let to = find(&t.to).ok_or_else(|| {
                Error::validation(format!(
                    "Transition {} -> {} in workflow '{wname}' refers to unknown state '{}'. Known states: {}",
                    t.from,
                    t.to,
                    t.to,
                    known()
                ))
            })?;
            if from == to {
                return Err(Error::validation(format!(
                    "Transition {} -> {} in workflow '{wname}' is a self-loop; a state cannot transition to itself",
                    t.from, t.to
                )));
            }
            if raw.iter().any(|(f, e)| *f == from && e.to == to) {
                return Err(Error::validation(format!(
                    "Duplicate transition {} -> {} in workflow '{wname}'",
                    states[from.0 as usize].name, states[to.0 as usize].name
                )));
            }
            let permission = t.permission.trim();
            if permission.is_empty() {
                return Err(Error::validation(format!(
                    "Transition {} -> {} in workflow '{wname}' has an empty permission",
                    t.from, t.to
                )));
            }
            let guards = t.guards.iter().fold(0u8, |acc, g| acc | g.bit());
            let hooks = match &t.hooks {
                Some(hs) => hs.iter().fold(0u8, |acc, h| acc | h.bit()),
                None => derived_hooks(
                    states[from.0 as usize].category,
                    states[to.0 as usize].category,
                ),
            };
            raw.push((
                from,
                Edge {
                    to,
                    permission: permission.into(),
                    guards,
                    hooks,
                },
            ));
        }
        // Compact table: edges grouped by source state, definition order kept within a group.
        let n = states.len();
        let mut edge_start = vec![0u32; n + 1];
        for (f, _) in &raw {
            edge_start[f.0 as usize + 1] += 1;
        }
        for i in 0..n {
            edge_start[i + 1] += edge_start[i];
        }
        let mut slots: Vec<Option<Edge>> = vec![None; raw.len()];
        let mut fill = edge_start.clone();
        for (f, e) in raw {
            let at = fill[f.0 as usize] as usize;
            slots[at] = Some(e);
            fill[f.0 as usize] += 1;
        }
        let edges: Vec<Edge> = slots
            .into_iter()
            .map(|e| e.expect("every slot filled"))
            .collect();
        // Reachability from the initial state.
        let mut seen = vec![false; n];
        let mut stack = vec![initial.0 as usize];
        seen[initial.0 as usize] = true;
        while let Some(s) = stack.pop() {
            for e in &edges[edge_start[s] as usize..edge_start[s + 1] as usize] {
                let t = e.to.0 as usize;
                if !seen[t] {
                    seen[t] = true;
                    stack.push(t);
                }
            }
        }
        let unreachable: Vec<&str> = states
            .iter()
            .zip(&seen)
            .filter(|(_, r)| !**r)
            .map(|(s, _)| s.name.as_str())
            .collect();
        if !unreachable.is_empty() {
            return Err(Error::validation(format!(
                "Workflow '{wname}': state(s) {} cannot be reached from the initial state {}",
                unreachable.join(", "),
                states[initial.0 as usize].name
            )));
        }
        let secs = i64::try_from(def.reopen_window_seconds).unwrap_or(i64::MAX);
        let reopen_window = Duration::try_seconds(secs).ok_or_else(|| {
            Error::validation(format!(
                "Workflow '{wname}': reopen_window_seconds {} is too large",
                def.reopen_window_seconds
            ))
        })?;
        Ok(Workflow {
            def,
            states,
            initial,
            edge_start,
            edges,
            reopen_window,
        })
    }

    /// Parses and checks a JSON definition (see [`WorkflowDef`] for the format).
    ///
    /// ```
    /// use ticket_core::workflow::Workflow;
    /// let wf = Workflow::from_json(r#"{
    ///   "name": "simple",
    ///   "states": [
    ///     {"name": "todo", "category": "new", "initial": true},
    ///     {"name": "done", "category": "closed"}
    ///   ],
    ///   "transitions": [{"from": "todo", "to": "done", "permission": "tickets.close"}]
    /// }"#).unwrap();
    /// assert_eq!(wf.initial_state(), "todo");
    ///
    /// let err = Workflow::from_json(r#"{"name": "bad",
    ///   "states": [{"name": "a", "category": "new", "initial": true}],
    ///   "transitions": [{"from": "a", "to": "zzz"}]}"#).unwrap_err();
    /// assert!(err.to_string().contains("unknown state 'zzz'"));
    /// ```
    pub fn from_json(json: &str) -> Result<Self> {
        let def: WorkflowDef = serde_json::from_str(json)
            .map_err(|e| Error::validation(format!("Invalid workflow definition JSON: {e}")))?;
        Workflow::from_def(def)
    }

    /// Serialises the definition to JSON (the format [`Workflow::from_json`] reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.def).expect("workflow definitions always serialise")
    }

    /// A preset by name (`itsm`, `vms`, `fibreflow`; case-insensitive).
    ///
    /// ```
    /// use ticket_core::workflow::Workflow;
    /// assert_eq!(Workflow::preset("FibreFlow").unwrap().name(), "fibreflow");
    /// assert!(Workflow::preset("jira").is_err());
    /// ```
    pub fn preset(name: &str) -> Result<Self> {
        let n = name.trim();
        if n.eq_ignore_ascii_case("itsm") {
            Ok(Workflow::itsm())
        } else if n.eq_ignore_ascii_case("vms") {
            Ok(Workflow::vms())
        } else if n.eq_ignore_ascii_case("fibreflow") {
            Ok(Workflow::fibreflow())
        } else {
            Err(Error::validation(format!(
                "Unknown workflow preset '{name}'. Accepted values: itsm, vms, fibreflow"
            )))
        }
    }

    /// The names of the presets.
    pub const PRESETS: [&'static str; 3] = ["itsm", "vms", "fibreflow"];

    /// Seed 003's ITSM workflow.
    ///
    /// | from | to | permission | guards |
    /// |---|---|---|---|
    /// | NEW | OPEN | tickets.transition | |
    /// | NEW | IN_PROGRESS | tickets.transition | requires_assignee |
    /// | OPEN | IN_PROGRESS | tickets.transition | requires_assignee |
    /// | OPEN | PENDING_INFO | tickets.transition | |
    /// | OPEN | ESCALATED | tickets.transition | |
    /// | OPEN | RESOLVED | tickets.close | requires_resolution_note |
    /// | IN_PROGRESS | PENDING_INFO | tickets.transition | |
    /// | IN_PROGRESS | ESCALATED | tickets.transition | |
    /// | IN_PROGRESS | RESOLVED | tickets.close | requires_resolution_note |
    /// | PENDING_INFO | OPEN | tickets.transition | |
    /// | PENDING_INFO | IN_PROGRESS | tickets.transition | requires_assignee |
    /// | PENDING_INFO | RESOLVED | tickets.close | requires_resolution_note |
    /// | ESCALATED | IN_PROGRESS | tickets.transition | requires_assignee |
    /// | ESCALATED | PENDING_INFO | tickets.transition | |
    /// | ESCALATED | RESOLVED | tickets.close | requires_resolution_note |
    /// | RESOLVED | CLOSED | tickets.close | |
    /// | RESOLVED | REOPENED | tickets.reopen | within_reopen_window |
    /// | CLOSED | REOPENED | tickets.reopen | within_reopen_window |
    /// | REOPENED | IN_PROGRESS | tickets.transition | requires_assignee |
    /// | REOPENED | PENDING_INFO | tickets.transition | |
    /// | REOPENED | ESCALATED | tickets.transition | |
    /// | REOPENED | RESOLVED | tickets.close | requires_resolution_note |
    ///
    /// Categories: NEW new; OPEN, IN_PROGRESS, ESCALATED, REOPENED open; PENDING_INFO pending;
    /// RESOLVED resolved; CLOSED closed. The reopen window is
    /// [`DEFAULT_REOPEN_WINDOW_SECONDS`]; change it with [`Workflow::with_reopen_window`].
    pub fn itsm() -> Self {
        use Guard::*;
        use StateCategory as C;
        let tr = perms::TICKETS_TRANSITION;
        let cl = perms::TICKETS_CLOSE;
        let ro = perms::TICKETS_REOPEN;
        build_preset(
            "itsm",
            &[
                ("NEW", C::New, true),
                ("OPEN", C::Open, false),
                ("IN_PROGRESS", C::Open, false),
                ("PENDING_INFO", C::Pending, false),
                ("ESCALATED", C::Open, false),
                ("RESOLVED", C::Resolved, false),
                ("CLOSED", C::Closed, false),
                ("REOPENED", C::Open, false),
            ],
            &[
                ("NEW", "OPEN", tr, &[]),
                ("NEW", "IN_PROGRESS", tr, &[RequiresAssignee]),
                ("OPEN", "IN_PROGRESS", tr, &[RequiresAssignee]),
                ("OPEN", "PENDING_INFO", tr, &[]),
                ("OPEN", "ESCALATED", tr, &[]),
                ("OPEN", "RESOLVED", cl, &[RequiresResolutionNote]),
                ("IN_PROGRESS", "PENDING_INFO", tr, &[]),
                ("IN_PROGRESS", "ESCALATED", tr, &[]),
                ("IN_PROGRESS", "RESOLVED", cl, &[RequiresResolutionNote]),
                ("PENDING_INFO", "OPEN", tr, &[]),
                ("PENDING_INFO", "IN_PROGRESS", tr, &[RequiresAssignee]),
                ("PENDING_INFO", "RESOLVED", cl, &[RequiresResolutionNote]),
                ("ESCALATED", "IN_PROGRESS", tr, &[RequiresAssignee]),
                ("ESCALATED", "PENDING_INFO", tr, &[]),
                ("ESCALATED", "RESOLVED", cl, &[RequiresResolutionNote]),
                ("RESOLVED", "CLOSED", cl, &[]),
                ("RESOLVED", "REOPENED", ro, &[WithinReopenWindow]),
                ("CLOSED", "REOPENED", ro, &[WithinReopenWindow]),
                ("REOPENED", "IN_PROGRESS", tr, &[RequiresAssignee]),
                ("REOPENED", "PENDING_INFO", tr, &[]),
                ("REOPENED", "ESCALATED", tr, &[]),
                ("REOPENED", "RESOLVED", cl, &[RequiresResolutionNote]),
            ],
        )
    }

    /// Seed 001's VMS workflow: `open → assigned → in_progress → resolved → closed`, plus
    /// `false_positive` (an alert that needed no action).
    ///
    /// | from | to | permission | guards |
    /// |---|---|---|---|
    /// | open | assigned | tickets.transition | requires_assignee |
    /// | open | in_progress | tickets.transition | requires_assignee |
    /// | open | false_positive | tickets.close | |
    /// | assigned | in_progress | tickets.transition | |
    /// | assigned | open | tickets.transition | |
    /// | assigned | false_positive | tickets.close | |
    /// | in_progress | resolved | tickets.close | |
    /// | in_progress | assigned | tickets.transition | |
    /// | in_progress | false_positive | tickets.close | |
    /// | resolved | closed | tickets.close | |
    /// | resolved | in_progress | tickets.reopen | within_reopen_window |
    /// | false_positive | open | tickets.reopen | within_reopen_window |
    ///
    /// Categories: open new; assigned, in_progress open; resolved resolved; closed and
    /// false_positive closed. `closed` is terminal.
    pub fn vms() -> Self {
        use Guard::*;
        use StateCategory as C;
        let tr = perms::TICKETS_TRANSITION;
        let cl = perms::TICKETS_CLOSE;
        let ro = perms::TICKETS_REOPEN;
        build_preset(
            "vms",
            &[
                ("open", C::New, true),
                ("assigned", C::Open, false),
                ("in_progress", C::Open, false),
                ("resolved", C::Resolved, false),
                ("closed", C::Closed, false),
                ("false_positive", C::Closed, false),
            ],
            &[
                ("open", "assigned", tr, &[RequiresAssignee]),
                ("open", "in_progress", tr, &[RequiresAssignee]),
                ("open", "false_positive", cl, &[]),
                ("assigned", "in_progress", tr, &[]),
                ("assigned", "open", tr, &[]),
                ("assigned", "false_positive", cl, &[]),
                ("in_progress", "resolved", cl, &[]),
                ("in_progress", "assigned", tr, &[]),
                ("in_progress", "false_positive", cl, &[]),
                ("resolved", "closed", cl, &[]),
                ("resolved", "in_progress", ro, &[WithinReopenWindow]),
                ("false_positive", "open", ro, &[WithinReopenWindow]),
            ],
        )
    }

    /// Seed 004's FibreFlow workflow: `pending → in_progress → closed`.
    ///
    /// | from | to | permission | guards |
    /// |---|---|---|---|
    /// | pending | in_progress | tickets.transition | |
    /// | pending | closed | tickets.close | |
    /// | in_progress | pending | tickets.transition | |
    /// | in_progress | closed | tickets.close | |
    ///
    /// `pending` is FibreFlow's "not started yet" and so of category `new` (it does not pause
    /// SLA clocks); `in_progress` is open; `closed` is closed and terminal.
    pub fn fibreflow() -> Self {
        use StateCategory as C;
        let tr = perms::TICKETS_TRANSITION;
        let cl = perms::TICKETS_CLOSE;
        build_preset(
            "fibreflow",
            &[
                ("pending", C::New, true),
                ("in_progress", C::Open, false),
                ("closed", C::Closed, false),
            ],
            &[
                ("pending", "in_progress", tr, &[]),
                ("pending", "closed", cl, &[]),
                ("in_progress", "pending", tr, &[]),
                ("in_progress", "closed", cl, &[]),
            ],
        )
    }

    /// Returns the workflow with another reopen window.
    ///
    /// ```
    /// use chrono::Duration;
    /// use ticket_core::workflow::Workflow;
    /// let wf = Workflow::itsm().with_reopen_window(Duration::days(14));
    /// assert_eq!(wf.reopen_window(), Duration::days(14));
    /// ```
    pub fn with_reopen_window(mut self, window: Duration) -> Self {
        let window = window.max(Duration::zero());
        self.reopen_window = window;
        self.def.reopen_window_seconds = window.num_seconds() as u64;
        self
    }

    /// The workflow name.
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The reopen window used by [`Guard::WithinReopenWindow`].
    pub fn reopen_window(&self) -> Duration {
        self.reopen_window
    }

    /// The definition this workflow was built from.
    pub fn definition(&self) -> &WorkflowDef {
        &self.def
    }

    /// The states, in definition order ([`StateId`] indexes this slice).
    pub fn states(&self) -> &[State] {
        &self.states
    }

    /// The canonical name of the initial state.
    pub fn initial_state(&self) -> &str {
        &self.states[self.initial.0 as usize].name
    }

    /// The id of the initial state.
    pub fn initial_id(&self) -> StateId {
        self.initial
    }

    /// Finds a state by name, case-insensitively.
    pub fn state_id(&self, name: &str) -> Option<StateId> {
        self.states
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name))
            .map(|i| StateId(i as u16))
    }

    /// The state with this id. Panics if the id does not belong to this workflow.
    pub fn state(&self, id: StateId) -> &State {
        &self.states[id.0 as usize]
    }

    /// The canonical name of a state given by any case, or a Validation error naming the known
    /// states.
    pub fn canonical(&self, name: &str) -> Result<&str> {
        self.state_id(name)
            .map(|id| self.states[id.0 as usize].name.as_str())
            .ok_or_else(|| self.unknown_state(name))
    }

    /// The category of a state given by name (case-insensitive).
    pub fn category_of(&self, name: &str) -> Option<StateCategory> {
        self.state_id(name)
            .map(|id| self.states[id.0 as usize].category)
    }

    /// Canonical names of the states of the given categories (for `category` filters).
    pub fn states_in(&self, categories: &[StateCategory]) -> Vec<&str> {
        self.states
            .iter()
            .filter(|s| categories.contains(&s.category))
            .map(|s| s.name.as_str())
            .collect()
    }

    fn out_edges(&self, from: StateId) -> &[Edge] {
        let f = from.0 as usize;
        &self.edges[self.edge_start[f] as usize..self.edge_start[f + 1] as usize]
    }

    /// The states reachable in one transition from `from`, in definition order.
    pub fn next_states(&self, from: StateId) -> impl Iterator<Item = StateId> + '_ {
        self.out_edges(from).iter().map(|e| e.to)
    }

    /// Canonical names of the allowed next states of a state given by name.
    pub fn allowed_next(&self, from: &str) -> Result<Vec<&str>> {
        let id = self
            .state_id(from)
            .ok_or_else(|| self.unknown_state(from))?;
        Ok(self
            .next_states(id)
            .map(|t| self.states[t.0 as usize].name.as_str())
            .collect())
    }

    /// Whether the definition has a transition `from → to` (ignoring permissions and guards).
    pub fn has_transition(&self, from: StateId, to: StateId) -> bool {
        self.out_edges(from).iter().any(|e| e.to == to)
    }

    /// The permission required for `from → to`, if that transition exists.
    pub fn required_permission(&self, from: StateId, to: StateId) -> Option<&str> {
        self.out_edges(from)
            .iter()
            .find(|e| e.to == to)
            .map(|e| &*e.permission)
    }

    /// The guards of `from → to`, if that transition exists.
    pub fn guards(&self, from: StateId, to: StateId) -> Option<Vec<Guard>> {
        self.out_edges(from).iter().find(|e| e.to == to).map(|e| {
            Guard::ALL
                .into_iter()
                .filter(|g| e.guards & g.bit() != 0)
                .collect()
        })
    }

    /// The hooks of `from → to`, if that transition exists.
    pub fn hooks(&self, from: StateId, to: StateId) -> Option<Vec<Hook>> {
        self.out_edges(from).iter().find(|e| e.to == to).map(|e| {
            Hook::ALL
                .into_iter()
                .filter(|h| e.hooks & h.bit() != 0)
                .collect()
        })
    }

    fn unknown_state(&self, name: &str) -> Error {
        Error::validation(format!(
            "Unknown state '{name}' in workflow '{}'. Known states: {}",
            self.def.name,
            self.states
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    fn invalid(&self, from: StateId, to: &str) -> Error {
        Error::InvalidTransition {
            from: self.states[from.0 as usize].name.clone(),
            to: to.to_string(),
            allowed: self
                .next_states(from)
                .map(|t| self.states[t.0 as usize].name.clone())
                .collect(),
        }
    }

    /// Checks a transition given by state names (case-insensitive).
    ///
    /// Order of checks: the transition must exist ([`Error::InvalidTransition`], naming the
    /// current, the requested and the allowed next states; also when the requested state is not
    /// a state of the workflow), then the permission ([`Error::PermissionDenied`]), then the
    /// guards ([`Error::Validation`] naming the failing guard). An unknown *current* state is a
    /// Validation error.
    pub fn check_transition(
        &self,
        from: &str,
        to: &str,
        ctx: &TransitionContext<'_>,
    ) -> Result<TransitionEffects<'_>> {
        let f = self
            .state_id(from)
            .ok_or_else(|| self.unknown_state(from))?;
        let t = self.state_id(to).ok_or_else(|| self.invalid(f, to))?;
        self.check_transition_ids(f, t, ctx)
    }

    /// Checks a transition given by state ids (the fast path; see
    /// [`Workflow::check_transition`] for the rules).
    pub fn check_transition_ids(
        &self,
        from: StateId,
        to: StateId,
        ctx: &TransitionContext<'_>,
    ) -> Result<TransitionEffects<'_>> {
        let edge = self
            .out_edges(from)
            .iter()
            .find(|e| e.to == to)
            .ok_or_else(|| self.invalid(from, &self.states[to.0 as usize].name))?;
        if !ctx.permissions.has(&edge.permission) {
            return Err(Error::PermissionDenied {
                permission: edge.permission.to_string(),
            });
        }
        let fs = &self.states[from.0 as usize];
        let ts = &self.states[to.0 as usize];
        if edge.guards != 0 {
            self.check_guards(edge.guards, fs, ts, ctx)?;
        }
        Ok(TransitionEffects {
            from_id: from,
            to_id: to,
            from: &fs.name,
            to: &ts.name,
            from_category: fs.category,
            to_category: ts.category,
            set_first_responded_at: edge.hooks & Hook::SetFirstRespondedAt.bit() != 0,
            set_resolved_at: edge.hooks & Hook::SetResolvedAt.bit() != 0,
            set_closed_at: edge.hooks & Hook::SetClosedAt.bit() != 0,
            clear_resolution: edge.hooks & Hook::ClearResolution.bit() != 0,
        })
    }

    fn check_guards(
        &self,
        guards: u8,
        fs: &State,
        ts: &State,
        ctx: &TransitionContext<'_>,
    ) -> Result<()> {
        if guards & Guard::RequiresResolutionNote.bit() != 0 && !ctx.has_resolution_note {
            return Err(Error::validation(format!(
                "Guard requires_resolution_note failed: a resolution note is required to move from {} to {}",
                fs.name, ts.name
            )));
        }
        if guards & Guard::RequiresAssignee.bit() != 0 && !ctx.has_assignee {
            return Err(Error::validation(format!(
                "Guard requires_assignee failed: the ticket must be assigned before moving from {} to {}",
                fs.name, ts.name
            )));
        }
        if guards & Guard::WithinReopenWindow.bit() != 0 {
            let reference = match (ctx.resolved_at, ctx.closed_at) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            if let Some(at) = reference
                && ctx.now - at > self.reopen_window
            {
                return Err(Error::validation(format!(
                    "Guard within_reopen_window failed: the reopen window of {} after {} (resolved/closed at {}) has passed; cannot move from {} to {}",
                    human_duration(self.reopen_window),
                    fs.name,
                    at.to_rfc3339(),
                    fs.name,
                    ts.name
                )));
            }
        }
        Ok(())
    }
}

fn human_duration(d: Duration) -> String {
    let s = d.num_seconds();
    if s % 86400 == 0 {
        let n = s / 86400;
        format!("{n} day{}", if n == 1 { "" } else { "s" })
    } else if s % 3600 == 0 {
        let n = s / 3600;
        format!("{n} hour{}", if n == 1 { "" } else { "s" })
    } else {
        format!("{s} seconds")
    }
}

type PresetTransition<'a> = (&'a str, &'a str, &'a str, &'a [Guard]);

fn build_preset(
    name: &str,
    states: &[(&str, StateCategory, bool)],
    transitions: &[PresetTransition<'_>],
) -> Workflow {
    let def = WorkflowDef {
        name: name.to_string(),
        reopen_window_seconds: DEFAULT_REOPEN_WINDOW_SECONDS,
        states: states
            .iter()
            .map(|(n, c, i)| StateDef {
                name: n.to_string(),
                category: *c,
                initial: *i,
            })
            .collect(),
        transitions: transitions
            .iter()
            .map(|(f, t, p, g)| TransitionDef {
                from: f.to_string(),
                to: t.to_string(),
                permission: p.to_string(),
                guards: g.to_vec(),
                hooks: None,
            })
            .collect(),
    };
    Workflow::from_def(def).expect("presets are valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    #[test]
    fn presets_load_and_roundtrip_through_json() {
        for name in Workflow::PRESETS {
            let wf = Workflow::preset(name).unwrap();
            let back = Workflow::from_json(&wf.to_json()).unwrap();
            assert_eq!(back, wf, "{name}");
        }
    }

    #[test]
    fn lookup_is_case_insensitive_and_canonical() {
        let wf = Workflow::itsm();
        assert_eq!(wf.canonical("in_progress").unwrap(), "IN_PROGRESS");
        assert_eq!(wf.category_of("pending_info"), Some(StateCategory::Pending));
        assert!(
            wf.canonical("DONE")
                .unwrap_err()
                .to_string()
                .contains("Known states: NEW")
        );
    }

    #[test]
    fn unknown_target_is_invalid_transition() {
        let wf = Workflow::fibreflow();
        let p = PermissionSet::superuser();
        let err = wf
            .check_transition("pending", "done", &TransitionContext::new(&p, t0()))
            .unwrap_err();
        assert_eq!(
            err,
            Error::InvalidTransition {
                from: "pending".into(),
                to: "done".into(),
                allowed: vec!["in_progress".into(), "closed".into()]
            }
        );
    }

    #[test]
    fn unknown_current_state_is_validation() {
        let wf = Workflow::fibreflow();
        let p = PermissionSet::superuser();
        let err = wf
            .check_transition("weird", "closed", &TransitionContext::new(&p, t0()))
            .unwrap_err();
        assert!(matches!(err, Error::Validation(ref m) if m.contains("Unknown state 'weird'")));
    }

    #[test]
    fn derived_hooks_follow_categories() {
        let wf = Workflow::itsm();
        let id = |n| wf.state_id(n).unwrap();
        assert_eq!(
            wf.hooks(id("NEW"), id("OPEN")).unwrap(),
            vec![Hook::SetFirstRespondedAt]
        );
        assert_eq!(
            wf.hooks(id("IN_PROGRESS"), id("RESOLVED")).unwrap(),
            vec![Hook::SetResolvedAt]
        );
        assert_eq!(
            wf.hooks(id("RESOLVED"), id("CLOSED")).unwrap(),
            vec![Hook::SetResolvedAt, Hook::SetClosedAt]
        );
        assert_eq!(
            wf.hooks(id("CLOSED"), id("REOPENED")).unwrap(),
            vec![Hook::ClearResolution]
        );
        assert_eq!(wf.hooks(id("OPEN"), id("ESCALATED")).unwrap(), vec![]);
        assert_eq!(wf.hooks(id("OPEN"), id("CLOSED")), None);
    }

    #[test]
    fn explicit_hooks_override_derived() {
        let wf = Workflow::from_json(
            r#"{"name":"x","states":[{"name":"a","category":"new","initial":true},{"name":"b","category":"open"}],
                "transitions":[{"from":"a","to":"b","hooks":[]}]}"#,
        )
        .unwrap();
        let p = PermissionSet::superuser();
        let fx = wf
            .check_transition("a", "b", &TransitionContext::new(&p, t0()))
            .unwrap();
        assert!(!fx.set_first_responded_at);
    }

    #[test]
    fn reopen_window_is_inclusive() {
        let wf = Workflow::itsm().with_reopen_window(Duration::hours(2));
        let p = PermissionSet::superuser();
        let resolved = t0();
        let at = |now| TransitionContext::new(&p, now).with_resolution_times(Some(resolved), None);
        assert!(
            wf.check_transition("RESOLVED", "REOPENED", &at(resolved + Duration::hours(2)))
                .is_ok()
        );
        let err = wf
            .check_transition(
                "RESOLVED",
                "REOPENED",
                &at(resolved + Duration::hours(2) + Duration::seconds(1)),
            )
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("within_reopen_window"), "{msg}");
        assert!(msg.contains("2 hours"), "{msg}");
    }

    #[test]
    fn reopen_window_measures_from_the_later_timestamp() {
        let wf = Workflow::itsm().with_reopen_window(Duration::days(1));
        let p = PermissionSet::superuser();
        let resolved = t0();
        let closed = resolved + Duration::days(3);
        let ctx = TransitionContext::new(&p, closed + Duration::hours(5))
            .with_resolution_times(Some(resolved), Some(closed));
        assert!(wf.check_transition("CLOSED", "REOPENED", &ctx).is_ok());
    }
}
