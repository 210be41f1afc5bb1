//! The SLA clock: per-priority first-response and resolution targets measured in business time,
//! with pauses, warnings, breaches, multiple resolution cycles and a "next change" instant for
//! schedulers. Pure: the caller passes the ticket's event history and `now`.
//!
//! # Model
//!
//! - Each target (first response, resolution) is a budget of **business time** (see
//!   [`crate::calendar`]) that starts at creation.
//! - The clock of a target **pauses** while the ticket is in a state whose category is in that
//!   target's pause set (`pending` by default, configurable per target). While paused, the
//!   reported due instant is the one the target would have if the clock resumed now: waiting time
//!   is added to the deadline, so the value moves forward as the pause lasts.
//! - The first-response target **completes** at the first [`SlaEventKind::FirstResponse`] (or when
//!   the ticket reaches a completing category first: resolving a ticket answers it). The
//!   resolution target completes when the ticket enters a completing category (`resolved`,
//!   `closed` by default).
//! - **Reopen** (a [`SlaEventKind::Reopened`] event, or a status change from a completing
//!   category back to another one) either starts a **new resolution cycle** (budget restarts at
//!   zero from the reopen instant; `cycle` counts up) or **resumes** the previous cycle's clock
//!   (elapsed time is kept) — [`ReopenBehaviour`]. The first-response target is not restarted.
//! - A **priority change** re-targets the running cycle as if the new priority had applied from
//!   creation (or from the cycle's start): the elapsed business time is kept and compared with
//!   the new priority's budget, so an upgrade can breach at once.
//! - A target is **breached** from the first instant strictly after its due instant, whether or
//!   not that is working time. Completing exactly at the due instant meets the target.
//! - **Warnings** are crossed when the used percentage reaches a threshold (default 50/75/90 %).
//!
//! # How other tools behave (and what is supported here)
//!
//! - *Zammad*: first response / update / solution times per SLA with a business-hours calendar;
//!   pending states can be configured to stop the escalation clock; times shift by the pending
//!   period. → pause sets per target, due moves forward while paused.
//! - *Request Tracker*: `Starts`/`Due` per service level with business hours; `IgnoreOnStatuses`
//!   (e.g. `stalled`) freezes the deadline and adds the waiting time on resume. → "waiting time
//!   added to the deadline".
//! - *GLPI*: TTO/TTR with calendars; the "waiting" status suspends the SLA and the waiting
//!   duration is added to the due date; levels escalate at percentages. → warnings at thresholds.
//! - *ServiceNow*: task SLAs with schedules, pause conditions, breach at 100 %, percentage
//!   milestones, retroactive start and cancel/restart on reopen. → reopen = new cycle or resume;
//!   priority change re-targets from creation (retroactive start).
//! - *Jira Service Management*: "time to first response" / "time to resolution" with calendars,
//!   pause-on statuses and multiple cycles (a reopened issue starts a new cycle). → multi-cycle.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use ticket_core::category::StateCategory;
//! use ticket_core::sla::{SlaEvent, SlaEventKind, SlaPolicy};
//! use ticket_core::Priority;
//!
//! let policy = SlaPolicy::itsm(); // P1 1h/4h, 24x7
//! let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
//! let events = vec![
//!     SlaEvent::new(t0, SlaEventKind::Created { priority: Priority::Critical, category: StateCategory::New }),
//!     SlaEvent::new(t0 + Duration::minutes(20), SlaEventKind::FirstResponse),
//!     SlaEvent::new(t0 + Duration::hours(1), SlaEventKind::StatusChanged { to_category: StateCategory::Pending }),
//!     SlaEvent::new(t0 + Duration::hours(3), SlaEventKind::StatusChanged { to_category: StateCategory::Open }),
//! ];
//! let s = policy.evaluate(&events, t0 + Duration::hours(4));
//! assert!(s.first_response.met);
//! // 1h before the pause + 1h after it = 2h of the 4h budget; the 2h pause moved the due time
//! assert_eq!(s.resolution.elapsed, Duration::hours(2));
//! assert_eq!(s.resolution.due, t0 + Duration::hours(6));
//! assert_eq!(s.resolution.warnings_crossed, vec![50]);
//! assert_eq!(s.next_change, Some(t0 + Duration::hours(5))); // the 75 % warning
//! ```

use crate::calendar::BusinessCalendar;
use crate::category::StateCategory;
use crate::error::{Error, Result};
use crate::priority::Priority;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One fact from a ticket's history, as the SLA clock needs it. The Desk maps stored audit
/// events to these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: SlaEventKind,
}

impl SlaEvent {
    /// Shorthand constructor.
    pub fn new(at: DateTime<Utc>, kind: SlaEventKind) -> Self {
        SlaEvent { at, kind }
    }
}

/// The kinds of [`SlaEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaEventKind {
    /// The ticket was created with this priority in a state of this category.
    Created {
        /// Initial priority.
        priority: Priority,
        /// Category of the initial state.
        category: StateCategory,
    },
    /// The ticket moved to a state of this category.
    StatusChanged {
        /// Category of the new state.
        to_category: StateCategory,
    },
    /// An agent responded (first public reply, assignment or status action, as the host defines).
    FirstResponse,
    /// The priority changed.
    PriorityChanged {
        /// New priority.
        priority: Priority,
    },
    /// The ticket was reopened after resolution or closure.
    Reopened,
}

/// Which target a [`TargetStatus`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// Time to first response.
    FirstResponse,
    /// Time to resolution.
    Resolution,
}

/// What reopening a resolved/closed ticket does to the resolution clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReopenBehaviour {
    /// Start a new cycle: the full budget again from the reopen instant (JSM, ServiceNow default).
    #[default]
    NewCycle,
    /// Resume the stopped clock: business time already used still counts.
    Resume,
}

/// First-response and resolution budgets of one priority, in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargets {
    /// Business minutes to first response.
    pub first_response_minutes: i64,
    /// Business minutes to resolution.
    pub resolution_minutes: i64,
}

impl PriorityTargets {
    /// Targets from whole hours.
    pub fn hours(first_response: i64, resolution: i64) -> Self {
        PriorityTargets {
            first_response_minutes: first_response * 60,
            resolution_minutes: resolution * 60,
        }
    }

    fn get(&self, t: SlaTarget) -> Duration {
        Duration::minutes(match t {
            SlaTarget::FirstResponse => self.first_response_minutes,
            SlaTarget::Resolution => self.resolution_minutes,
        })
    }
}

/// Budget used when a policy has no targets at all: 100 years of minutes.
const NO_TARGET_MINUTES: i64 = 100 * 365 * 24 * 60;

fn default_warnings() -> Vec<u8> {
    vec![50, 75, 90]
}
fn default_pause() -> Vec<StateCategory> {
    vec![StateCategory::Pending]
}
fn default_complete() -> Vec<StateCategory> {
    vec![StateCategory::Resolved, StateCategory::Closed]
}

/// An SLA policy: targets per priority, a business calendar, warning thresholds, pause and
/// completion rules, reopen behaviour. Serde JSON form:
///
/// ```json
/// {
///   "name": "itsm",
///   "targets": {
///     "critical": {"first_response_minutes": 60, "resolution_minutes": 240},
///     "high": {"first_response_minutes": 240, "resolution_minutes": 720}
///   },
///   "calendar": {"timezone": "UTC", "always": true},
///   "warnings": [50, 75, 90],
///   "first_response_pause": ["pending"],
///   "resolution_pause": ["pending"],
///   "completes_on": ["resolved", "closed"],
///   "reopen": "new_cycle"
/// }
/// ```
///
/// Every field but `targets` has the default shown. A priority without targets falls back to
/// the nearest lower priority with targets, then the nearest higher one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "SlaPolicyRaw")]
pub struct SlaPolicy {
    /// Policy name.
    #[serde(default)]
    pub name: String,
    /// Budgets per priority.
    pub targets: BTreeMap<Priority, PriorityTargets>,
    /// When the clocks run.
    #[serde(default = "BusinessCalendar::always")]
    pub calendar: BusinessCalendar,
    /// Warning thresholds in percent of the budget, ascending (1..=100).
    #[serde(default = "default_warnings")]
    pub warnings: Vec<u8>,
    /// Categories that pause the first-response clock.
    #[serde(default = "default_pause")]
    pub first_response_pause: Vec<StateCategory>,
    /// Categories that pause the resolution clock.
    #[serde(default = "default_pause")]
    pub resolution_pause: Vec<StateCategory>,
    /// Categories whose entry completes the resolution target (and the first-response target
    /// if it is still running).
    #[serde(default = "default_complete")]
    pub completes_on: Vec<StateCategory>,
    /// What reopening does.
    #[serde(default)]
    pub reopen: ReopenBehaviour,
}

/// Unvalidated serde mirror of [`SlaPolicy`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlaPolicyRaw {
    #[serde(default)]
    name: String,
    targets: BTreeMap<Priority, PriorityTargets>,
    #[serde(default = "BusinessCalendar::always")]
    calendar: BusinessCalendar,
    #[serde(default = "default_warnings")]
    warnings: Vec<u8>,
    #[serde(default = "default_pause")]
    first_response_pause: Vec<StateCategory>,
    #[serde(default = "default_pause")]
    resolution_pause: Vec<StateCategory>,
    #[serde(default = "default_complete")]
    completes_on: Vec<StateCategory>,
    #[serde(default)]
    reopen: ReopenBehaviour,
}

impl TryFrom<SlaPolicyRaw> for SlaPolicy {
    type Error = Error;

    fn try_from(r: SlaPolicyRaw) -> Result<Self> {
        let p = SlaPolicy {
            name: r.name,
            targets: r.targets,
            calendar: r.calendar,
            warnings: r.warnings,
            first_response_pause: r.first_response_pause,
            resolution_pause: r.resolution_pause,
            completes_on: r.completes_on,
            reopen: r.reopen,
        };
        p.validate()?;
        Ok(p)
    }
}

impl SlaPolicy {
    /// A policy with the given targets and all defaults (24x7, 50/75/90 %, pending pauses,
    /// resolved/closed complete, reopen starts a new cycle).
    pub fn new(name: impl Into<String>, targets: BTreeMap<Priority, PriorityTargets>) -> Self {
        SlaPolicy {
            name: name.into(),
            targets,
            calendar: BusinessCalendar::always(),
            warnings: default_warnings(),
            first_response_pause: default_pause(),
            resolution_pause: default_pause(),
            completes_on: default_complete(),
            reopen: ReopenBehaviour::NewCycle,
        }
    }

    /// Seed 003's ITSM targets: P1 1h/4h, P2 4h/12h, P3 8h/48h, P4 24h/120h (24x7).
    ///
    /// ```
    /// use ticket_core::{sla::SlaPolicy, Priority};
    /// let p = SlaPolicy::itsm();
    /// assert_eq!(p.target(Priority::High).resolution_minutes, 12 * 60);
    /// ```
    pub fn itsm() -> Self {
        Self::new(
            "itsm",
            BTreeMap::from([
                (Priority::Critical, PriorityTargets::hours(1, 4)),
                (Priority::High, PriorityTargets::hours(4, 12)),
                (Priority::Normal, PriorityTargets::hours(8, 48)),
                (Priority::Low, PriorityTargets::hours(24, 120)),
            ]),
        )
    }

    /// Seed 001's VMS service: first response and resolution "based on severity thresholds".
    /// The seed names the metrics and the severities (`critical`, `high`, `medium`, `low`,
    /// mapped to priorities critical/high/normal/low) but gives no numbers; faultdesk's
    /// defaults are critical 15 min / 4 h, high 1 h / 8 h, medium 4 h / 24 h, low 8 h / 72 h,
    /// 24x7 (security alerts are watched around the clock).
    pub fn vms() -> Self {
        Self::new(
            "vms",
            BTreeMap::from([
                (
                    Priority::Critical,
                    PriorityTargets {
                        first_response_minutes: 15,
                        resolution_minutes: 240,
                    },
                ),
                (Priority::High, PriorityTargets::hours(1, 8)),
                (Priority::Normal, PriorityTargets::hours(4, 24)),
                (Priority::Low, PriorityTargets::hours(8, 72)),
            ]),
        )
    }

    /// The same policy measured on another calendar.
    pub fn with_calendar(mut self, calendar: BusinessCalendar) -> Self {
        self.calendar = calendar;
        self
    }

    /// Parses and validates the JSON form.
    ///
    /// ```
    /// use ticket_core::sla::SlaPolicy;
    /// let p = SlaPolicy::from_json(r#"{"targets":{"normal":{"first_response_minutes":30,"resolution_minutes":480}},"reopen":"resume"}"#).unwrap();
    /// assert_eq!(p.warnings, vec![50, 75, 90]);
    /// assert!(SlaPolicy::from_json(r#"{"targets":{}}"#).is_err());
    /// ```
    pub fn from_json(s: &str) -> Result<Self> {
        serde_json::from_str(s)
            .map_err(|e| Error::validation(format!("Invalid SLA policy JSON: {e}")))
    }

    /// Checks targets (at least one priority, positive budgets, response ≤ resolution is not
    /// required), warning thresholds (1..=100, strictly ascending) and that no category both
    /// pauses and completes.
    pub fn validate(&self) -> Result<()> {
        if self.targets.is_empty() {
            return Err(Error::validation(
                "SLA policy needs targets for at least one priority",
            ));
        }
        for (p, t) in &self.targets {
            if t.first_response_minutes <= 0 || t.resolution_minutes <= 0 {
                return Err(Error::validation(format!(
                    "SLA targets for priority {p} must be positive minutes (got first response {}, resolution {})",
                    t.first_response_minutes, t.resolution_minutes
                )));
            }
        }
        if self.warnings.iter().any(|&w| w == 0 || w > 100)
            || self.warnings.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(Error::validation(format!(
                "SLA warning thresholds must be strictly ascending percentages between 1 and 100 (got {:?})",
                self.warnings
            )));
        }
        for c in self
            .first_response_pause
            .iter()
            .chain(&self.resolution_pause)
        {
            if self.completes_on.contains(c) {
                return Err(Error::validation(format!(
                    "State category '{c}' cannot both pause and complete an SLA target"
                )));
            }
        }
        if self.completes_on.is_empty() {
            return Err(Error::validation(
                "SLA policy needs at least one category that completes the resolution target",
            ));
        }
        Ok(())
    }

    /// The targets applying to `p` (nearest lower priority with targets, else nearest higher).
    /// A policy without any targets (rejected by validation, only reachable by mutating the
    /// public fields) measures against a 100-year budget rather than panicking.
    pub fn target(&self, p: Priority) -> PriorityTargets {
        self.targets
            .range(..=p)
            .next_back()
            .or_else(|| self.targets.range(p..).next())
            .map_or(
                PriorityTargets {
                    first_response_minutes: NO_TARGET_MINUTES,
                    resolution_minutes: NO_TARGET_MINUTES,
                },
                |(_, t)| *t,
            )
    }

    /// Evaluates the SLA of a ticket from its event history at `now`.
    ///
    /// Events are taken in time order (a stable sort by `at` is applied). Events after `now`
    /// are ignored. If the history lacks a [`SlaEventKind::Created`] event, the earliest event
    /// is taken as the creation, at normal priority in a `new` state (use
    /// [`SlaPolicy::try_evaluate`] to reject such histories).
    pub fn evaluate(&self, events: &[SlaEvent], now: DateTime<Utc>) -> SlaStatus {
        let mut sorted: Vec<&SlaEvent> = events.iter().filter(|e| e.at <= now).collect();
        if !sorted.windows(2).all(|w| w[0].at <= w[1].at) {
            sorted.sort_by_key(|e| e.at);
        }
        let created = sorted
            .iter()
            .position(|e| matches!(e.kind, SlaEventKind::Created { .. }));
        let (t0, prio, cat, rest) = match created {
            Some(i) => match sorted[i].kind {
                SlaEventKind::Created { priority, category } => {
                    (sorted[i].at, priority, category, &sorted[i + 1..])
                }
                _ => unreachable!("matched Created"),
            },
            None => {
                let t0 = sorted.first().map_or(now, |e| e.at);
                (t0, Priority::Normal, StateCategory::New, &sorted[..])
            }
        };
        Evaluator::new(self, t0, prio, cat).run(rest, now)
    }

    /// Like [`SlaPolicy::evaluate`] but a history without a `Created` event, or one whose
    /// events precede the creation, is a [`Error::Validation`] error.
    pub fn try_evaluate(&self, events: &[SlaEvent], now: DateTime<Utc>) -> Result<SlaStatus> {
        let created = events
            .iter()
            .find(|e| matches!(e.kind, SlaEventKind::Created { .. }))
            .ok_or_else(|| {
                Error::validation("SLA history has no Created event: cannot start the clock")
            })?;
        if let Some(e) = events.iter().find(|e| e.at < created.at) {
            return Err(Error::validation(format!(
                "SLA history has an event at {} before the ticket was created at {}",
                e.at, created.at
            )));
        }
        Ok(self.evaluate(events, now))
    }
}

/// The state of one target at `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStatus {
    /// Which target.
    pub target: SlaTarget,
    /// The budget (business time) for the current priority.
    pub budget: Duration,
    /// The due instant. Running: when the budget runs out. Paused: when it would run out if the
    /// clock resumed now (moves forward while paused). Completed: the due instant as it stood
    /// when the target completed. Breached: the instant the budget ran out.
    pub due: DateTime<Utc>,
    /// Business time used in the current cycle.
    pub elapsed: Duration,
    /// `budget - elapsed`; negative when overdue.
    pub remaining: Duration,
    /// True while the clock is paused by the ticket's state category.
    pub paused: bool,
    /// When the target completed (first response given / resolved), if it has.
    pub completed_at: Option<DateTime<Utc>>,
    /// Completed at or before the due instant.
    pub met: bool,
    /// Elapsed exceeded the budget (strictly after the due instant).
    pub breached: bool,
    /// The due instant that was exceeded, if breached (the target is breached from any instant
    /// strictly after it). When a priority change shrinks the budget below the time already
    /// used, this is the instant of the change.
    pub breached_at: Option<DateTime<Utc>>,
    /// `elapsed / budget * 100`.
    pub percent_used: f64,
    /// Warning thresholds (percent) reached so far in this cycle (all of them once breached,
    /// even if a later priority downgrade brought the used percentage back down).
    pub warnings_crossed: Vec<u8>,
    /// Cycle number, from 1 (resolution cycles count reopenings with [`ReopenBehaviour::NewCycle`]).
    pub cycle: u32,
    /// Breached cycles before the current one.
    pub earlier_breaches: u32,
}

/// Result of [`SlaPolicy::evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaStatus {
    /// The priority in force at `now`.
    pub priority: Priority,
    /// The ticket's state category at `now`.
    pub category: StateCategory,
    /// Time-to-first-response target.
    pub first_response: TargetStatus,
    /// Time-to-resolution target.
    pub resolution: TargetStatus,
    /// The next instant after `now` at which a warning is reached or a target becomes breached
    /// (for a breach: the first nanosecond after the due instant), if the clocks keep running as
    /// they are. `None` when nothing is running or everything already happened.
    pub next_change: Option<DateTime<Utc>>,
}

impl SlaStatus {
    /// True if either target is breached now.
    pub fn any_breached(&self) -> bool {
        self.first_response.breached || self.resolution.breached
    }
}

// ------------------------------------------------------------------------ evaluation

struct Clock {
    elapsed: Duration,
    completed_at: Option<DateTime<Utc>>,
    /// Budget left when the target completed (the due instant is derived from it lazily).
    remaining_at_completion: Option<Duration>,
    breached_at: Option<DateTime<Utc>>,
    cycle: u32,
    earlier_breaches: u32,
}

struct Evaluator<'a> {
    p: &'a SlaPolicy,
    prio: Priority,
    /// Targets of `prio` (cached).
    targets: PriorityTargets,
    cat: StateCategory,
    t: DateTime<Utc>,
    fr: Clock,
    res: Clock,
}

impl<'a> Evaluator<'a> {
    fn new(p: &'a SlaPolicy, t0: DateTime<Utc>, prio: Priority, cat: StateCategory) -> Self {
        let clock = || Clock {
            elapsed: Duration::zero(),
            completed_at: None,
            remaining_at_completion: None,
            breached_at: None,
            cycle: 1,
            earlier_breaches: 0,
        };
        let mut e = Evaluator {
            p,
            prio,
            targets: p.target(prio),
            cat,
            t: t0,
            fr: clock(),
            res: clock(),
        };
        if p.completes_on.contains(&cat) {
            e.complete(SlaTarget::Resolution, t0);
            e.complete(SlaTarget::FirstResponse, t0);
        }
        e
    }

    fn budget(&self, t: SlaTarget) -> Duration {
        self.targets.get(t)
    }

    fn clock(&mut self, t: SlaTarget) -> &mut Clock {
        match t {
            SlaTarget::FirstResponse => &mut self.fr,
            SlaTarget::Resolution => &mut self.res,
        }
    }

    fn running(&self, t: SlaTarget) -> bool {
        let (c, pause) = match t {
            SlaTarget::FirstResponse => (&self.fr, &self.p.first_response_pause),
            SlaTarget::Resolution => (&self.res, &self.p.resolution_pause),
        };
        c.completed_at.is_none() && !pause.contains(&self.cat)
    }

    /// Due instant for a running clock from `from` (clock state as of `from`).
    fn due_from(&self, t: SlaTarget, from: DateTime<Utc>) -> DateTime<Utc> {
        let c = match t {
            SlaTarget::FirstResponse => &self.fr,
            SlaTarget::Resolution => &self.res,
        };
        if let Some(b) = c.breached_at {
            return b;
        }
        self.p
            .calendar
            .add_business_time(from, self.budget(t) - c.elapsed)
    }

    /// Advances both clocks from `self.t` to `to`.
    fn advance(&mut self, to: DateTime<Utc>) {
        if to <= self.t {
            return;
        }
        let run = [
            self.running(SlaTarget::FirstResponse),
            self.running(SlaTarget::Resolution),
        ];
        if run[0] || run[1] {
            let span = self.p.calendar.business_time_between(self.t, to);
            for (i, t) in [SlaTarget::FirstResponse, SlaTarget::Resolution]
                .into_iter()
                .enumerate()
            {
                if !run[i] {
                    continue;
                }
                let budget = self.budget(t);
                let from = self.t;
                let (elapsed, breached) = {
                    let c = self.clock(t);
                    (c.elapsed, c.breached_at.is_some())
                };
                if !breached && elapsed + span > budget {
                    let due = self.p.calendar.add_business_time(from, budget - elapsed);
                    self.clock(t).breached_at = Some(due.max(from));
                }
                self.clock(t).elapsed = elapsed + span;
            }
        }
        self.t = to;
    }

    fn check_breach_now(&mut self, t: SlaTarget) {
        // after a re-target (priority change) the used time may already exceed the budget
        let budget = self.budget(t);
        let now = self.t;
        let c = self.clock(t);
        if c.completed_at.is_none() && c.breached_at.is_none() && c.elapsed > budget {
            c.breached_at = Some(now);
        }
    }

    fn complete(&mut self, t: SlaTarget, at: DateTime<Utc>) {
        if self.clock(t).completed_at.is_some() {
            return;
        }
        let rem = self.budget(t) - self.clock(t).elapsed;
        let c = self.clock(t);
        c.completed_at = Some(at);
        c.remaining_at_completion = Some(rem);
    }

    fn reopen(&mut self) {
        if self.res.completed_at.is_none() {
            return;
        }
        let behaviour = self.p.reopen;
        let c = &mut self.res;
        c.completed_at = None;
        c.remaining_at_completion = None;
        if behaviour == ReopenBehaviour::NewCycle {
            if c.breached_at.is_some() {
                c.earlier_breaches += 1;
            }
            c.breached_at = None;
            c.elapsed = Duration::zero();
            c.cycle += 1;
        }
    }

    fn run(mut self, events: &[&SlaEvent], now: DateTime<Utc>) -> SlaStatus {
        for e in events {
            self.advance(e.at);
            match e.kind {
                SlaEventKind::Created { .. } => {}
                SlaEventKind::FirstResponse => self.complete(SlaTarget::FirstResponse, e.at),
                SlaEventKind::PriorityChanged { priority } => {
                    self.prio = priority;
                    self.targets = self.p.target(priority);
                    self.check_breach_now(SlaTarget::FirstResponse);
                    self.check_breach_now(SlaTarget::Resolution);
                }
                SlaEventKind::Reopened => {
                    self.reopen();
                    self.check_breach_now(SlaTarget::Resolution);
                    if self.p.completes_on.contains(&self.cat) {
                        self.cat = StateCategory::Open;
                    }
                }
                SlaEventKind::StatusChanged { to_category } => {
                    let was_done = self.p.completes_on.contains(&self.cat);
                    self.cat = to_category;
                    if self.p.completes_on.contains(&to_category) {
                        self.complete(SlaTarget::FirstResponse, e.at);
                        self.complete(SlaTarget::Resolution, e.at);
                    } else if was_done {
                        self.reopen();
                        self.check_breach_now(SlaTarget::Resolution);
                    }
                }
            }
        }
        self.advance(now);
        let fr = self.status(SlaTarget::FirstResponse, now);
        let res = self.status(SlaTarget::Resolution, now);
        let next_change = [&fr, &res]
            .into_iter()
            .filter_map(|s| self.next_change(s, now))
            .min();
        SlaStatus {
            priority: self.prio,
            category: self.cat,
            first_response: fr,
            resolution: res,
            next_change,
        }
    }

    fn status(&self, t: SlaTarget, now: DateTime<Utc>) -> TargetStatus {
        let c = match t {
            SlaTarget::FirstResponse => &self.fr,
            SlaTarget::Resolution => &self.res,
        };
        // a completed target keeps the budget it completed under (later priority changes do
        // not re-judge it)
        let budget = match (c.completed_at, c.remaining_at_completion) {
            (Some(_), Some(rem)) => c.elapsed + rem,
            _ => self.budget(t),
        };
        let running = self.running(t);
        let due = match (c.breached_at, c.completed_at, c.remaining_at_completion) {
            (Some(b), _, _) => b,
            (None, Some(at), Some(rem)) => self.p.calendar.add_business_time(at, rem),
            _ => self.due_from(t, now),
        };
        let percent =
            c.elapsed.num_milliseconds() as f64 / budget.num_milliseconds() as f64 * 100.0;
        let warnings_crossed = self
            .p
            .warnings
            .iter()
            .copied()
            .filter(|&w| c.breached_at.is_some() || c.elapsed * 100 >= budget * w as i32)
            .collect();
        TargetStatus {
            target: t,
            budget,
            due,
            elapsed: c.elapsed,
            remaining: budget - c.elapsed,
            paused: c.completed_at.is_none() && !running,
            completed_at: c.completed_at,
            met: c.completed_at.is_some() && c.breached_at.is_none(),
            breached: c.breached_at.is_some(),
            breached_at: c.breached_at,
            percent_used: percent,
            warnings_crossed,
            cycle: c.cycle,
            earlier_breaches: c.earlier_breaches,
        }
    }

    fn next_change(&self, s: &TargetStatus, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.running(s.target) || s.breached {
            return None;
        }
        let next_warning = self
            .p
            .warnings
            .iter()
            .find(|&&w| !s.warnings_crossed.contains(&w))
            .map(|&w| {
                let at_w = s.budget * w as i32 / 100;
                self.p.calendar.add_business_time(now, at_w - s.elapsed)
            });
        let breach = s.due + Duration::nanoseconds(1);
        Some(next_warning.map_or(breach, |w| w.min(breach)))
    }
}

#[cfg(test)]
mod tests;
