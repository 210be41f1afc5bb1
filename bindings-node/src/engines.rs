//! The pure engines without a database: severity → priority, the correlator, workflows,
//! business calendars and SLA policies. Synchronous; errors are thrown as `Error` objects with
//! the faultdesk `code`.

use crate::alarms::{AlarmEvent, Decision, decisions, decisions_of_event};
use crate::convert::secs;
use crate::outcome::sync_error;
use crate::work::SlaStatus;
use chrono::{DateTime, Utc};
use faultdesk::fault::CorrelatorConfig;
use faultdesk::ticket::calendar::BusinessCalendar as CoreCalendar;
use faultdesk::ticket::sla::{SlaEvent, SlaEventKind, SlaPolicy as CorePolicy};
use faultdesk::ticket::workflow::{StateId, Workflow as CoreWorkflow};
use napi::bindgen_prelude::Env;
use napi_derive::napi;
use std::sync::Mutex;

fn validation(env: &Env, m: impl Into<String>) -> napi::Error {
    sync_error(env, faultdesk::Error::validation(m))
}

/// Seed 000's mapping: critical → critical, major → high, minor → normal, warning/info → low.
#[napi(catch_unwind)]
pub fn map_severity_to_priority(env: Env, severity: String) -> napi::Result<String> {
    faultdesk::fault::severity::map_severity_to_priority(&severity)
        .map(|p| p.as_str().to_string())
        .map_err(|e| validation(&env, e.to_string()))
}

/// Seed 000's ticket type of an alarm type: `outage`, `maintenance` or `fault`.
#[napi(catch_unwind)]
pub fn ticket_type_for_alarm(alarm_type: String) -> String {
    faultdesk::fault::draft::ticket_type_for(&alarm_type)
        .as_str()
        .to_string()
}

/// The in-memory correlator (de-duplication, clears, flapping, maintenance, topology and
/// rule correlation) for one tenant, deciding without storing anything.
#[napi]
pub struct Correlator {
    inner: Mutex<faultdesk::fault::Correlator>,
    tenant: String,
}

#[napi]
impl Correlator {
    /// A correlator with `config` (the JSON form of the correlator configuration: `mapping`,
    /// `rules`, `flapping`, `triggers`, ...; seed 002's defaults when absent) deciding for
    /// `tenantId` (default `default`).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "Record<string, unknown>")] config: Option<serde_json::Value>,
        tenant_id: Option<String>,
    ) -> napi::Result<Self> {
        let cfg = match config {
            None => CorrelatorConfig::default(),
            Some(v) => serde_json::from_value::<CorrelatorConfig>(v)
                .map_err(|e| validation(&env, format!("Invalid correlator configuration: {e}")))?,
        };
        let c = faultdesk::fault::Correlator::new(cfg).map_err(|e| sync_error(&env, e))?;
        Ok(Correlator {
            inner: Mutex::new(c),
            tenant: tenant_id.unwrap_or_else(|| "default".to_string()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, faultdesk::fault::Correlator> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn event(&self, env: &Env, e: AlarmEvent) -> napi::Result<faultdesk::fault::AlarmEvent> {
        let mut ev = e.into_event().map_err(|e| sync_error(env, e))?;
        ev.tenant_id = self.tenant.clone();
        Ok(ev)
    }

    /// Decides one event at `now` (default: the event's `occurredAt`).
    #[napi(catch_unwind)]
    pub fn ingest(
        &self,
        env: Env,
        event: AlarmEvent,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<Vec<Decision>> {
        let ev = self.event(&env, event)?;
        let now = now.unwrap_or(ev.occurred_at);
        let ds = self
            .lock()
            .ingest(&ev, now)
            .map_err(|e| sync_error(&env, e))?;
        Ok(decisions_of_event(&ds, Some(&ev)))
    }

    /// Decides a batch at `now` (default: the latest `occurredAt`); an invalid event is
    /// skipped and reported in `errors` with its index.
    #[napi(catch_unwind)]
    pub fn ingest_batch(
        &self,
        env: Env,
        events: Vec<AlarmEvent>,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<BatchDecisions> {
        let evs = events
            .into_iter()
            .map(|e| self.event(&env, e))
            .collect::<napi::Result<Vec<_>>>()?;
        let now = now
            .or_else(|| evs.iter().map(|e| e.occurred_at).max())
            .unwrap_or_else(Utc::now);
        // event by event (what a batch decides), so each created alarm's row is built from
        // its own event
        let mut c = self.lock();
        let (mut ds, mut out, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        for (i, e) in evs.iter().enumerate() {
            match c.ingest_into(e, now, &mut ds) {
                Ok(()) => out.extend(decisions_of_event(&ds, Some(e))),
                Err(err) => errors.push((i, err)),
            }
            ds.clear();
        }
        Ok(BatchDecisions {
            decisions: out,
            errors: errors
                .into_iter()
                .map(|(i, e)| {
                    let e = faultdesk::Error::from(e);
                    BatchError {
                        index: u32::try_from(i).unwrap_or(u32::MAX),
                        code: e.kind().code().to_string(),
                        message: e.message().to_string(),
                    }
                })
                .collect(),
        })
    }

    /// Time-driven decisions at `now` (flapping ended, maintenance started/ended, ...).
    #[napi(catch_unwind)]
    pub fn tick(&self, now: DateTime<Utc>) -> Vec<Decision> {
        decisions(&self.lock().tick(now))
    }

    /// The active alarm with this reduction key, if any.
    #[napi(catch_unwind)]
    pub fn find_by_key(&self, reduction_key: String) -> Option<String> {
        self.lock()
            .find_by_key(&reduction_key)
            .map(|u| u.to_string())
    }

    /// Alarms in the working set.
    #[napi(getter)]
    pub fn active_count(&self) -> u32 {
        u32::try_from(self.lock().active_count()).unwrap_or(u32::MAX)
    }

    /// Events ingested so far.
    #[napi(getter)]
    pub fn events_ingested(&self) -> i64 {
        i64::try_from(self.lock().events_ingested()).unwrap_or(i64::MAX)
    }
}

/// An event a batch rejected.
#[napi(object)]
pub struct BatchError {
    /// Index in the batch.
    pub index: u32,
    /// faultdesk error code.
    pub code: String,
    /// Message.
    pub message: String,
}

/// Decisions of `Correlator.ingestBatch`.
#[napi(object)]
pub struct BatchDecisions {
    /// Decisions of the accepted events, in order.
    pub decisions: Vec<Decision>,
    /// Rejected events.
    pub errors: Vec<BatchError>,
}

/// A ticket workflow: states with categories and allowed transitions.
#[napi]
pub struct Workflow {
    inner: CoreWorkflow,
}

#[napi]
impl Workflow {
    /// The preset `name`: `itsm` (default), `vms` or `fibreflow`.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, name: Option<String>) -> napi::Result<Self> {
        CoreWorkflow::preset(name.as_deref().unwrap_or("itsm"))
            .map(|inner| Workflow { inner })
            .map_err(|e| sync_error(&env, e))
    }

    /// A workflow from its definition object.
    #[napi(factory, catch_unwind)]
    pub fn from_definition(
        env: Env,
        #[napi(ts_arg_type = "Record<string, unknown>")] definition: serde_json::Value,
    ) -> napi::Result<Self> {
        CoreWorkflow::from_json(&definition.to_string())
            .map(|inner| Workflow { inner })
            .map_err(|e| sync_error(&env, e))
    }

    /// Name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The state new tickets start in.
    #[napi(getter)]
    pub fn initial_state(&self) -> String {
        self.inner.initial_state().to_string()
    }

    /// All state names.
    #[napi(getter)]
    pub fn states(&self) -> Vec<String> {
        self.inner.states().iter().map(|s| s.name.clone()).collect()
    }

    /// States reachable in one transition from `state` (any case).
    #[napi(catch_unwind)]
    pub fn allowed_transitions(&self, env: Env, state: String) -> napi::Result<Vec<String>> {
        self.inner
            .allowed_next(&state)
            .map(|v| v.into_iter().map(str::to_string).collect())
            .map_err(|e| sync_error(&env, e))
    }

    fn ids(&self, env: &Env, from: &str, to: &str) -> napi::Result<(StateId, StateId)> {
        let f = self.inner.canonical(from).map_err(|e| sync_error(env, e))?;
        let t = self.inner.canonical(to).map_err(|e| sync_error(env, e))?;
        match (self.inner.state_id(f), self.inner.state_id(t)) {
            (Some(f), Some(t)) => Ok((f, t)),
            _ => Err(validation(env, format!("unknown state '{from}' or '{to}'"))),
        }
    }

    /// Whether `from → to` is a transition of this workflow.
    #[napi(catch_unwind)]
    pub fn can_transition(&self, env: Env, from: String, to: String) -> napi::Result<bool> {
        let (f, t) = self.ids(&env, &from, &to)?;
        Ok(self.inner.has_transition(f, t))
    }

    /// The permission `from → to` requires, if any.
    #[napi(catch_unwind)]
    pub fn required_permission(
        &self,
        env: Env,
        from: String,
        to: String,
    ) -> napi::Result<Option<String>> {
        let (f, t) = self.ids(&env, &from, &to)?;
        Ok(self.inner.required_permission(f, t).map(str::to_string))
    }

    /// The category (`new`, `open`, `pending`, `resolved`, `closed`) of a state.
    #[napi(catch_unwind)]
    pub fn category_of(&self, state: String) -> Option<String> {
        self.inner
            .category_of(&state)
            .map(|c| c.as_str().to_string())
    }

    /// The definition as JSON text.
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

/// Working hours in a time zone, with holidays: business-time arithmetic.
#[napi]
pub struct BusinessCalendar {
    inner: CoreCalendar,
}

#[napi]
impl BusinessCalendar {
    /// A calendar from its JSON form: `{ timezone: 'Europe/Berlin', week: { mon: [['09:00',
    /// '17:00']], ... }, holidays: ['2026-12-24'], yearly_holidays: ['12-25'] }`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "Record<string, unknown>")] spec: serde_json::Value,
    ) -> napi::Result<Self> {
        CoreCalendar::from_json(&spec.to_string())
            .map(|inner| BusinessCalendar { inner })
            .map_err(|e| sync_error(&env, e))
    }

    /// The 24×7 calendar.
    #[napi(factory, catch_unwind)]
    pub fn always() -> Self {
        BusinessCalendar {
            inner: CoreCalendar::always(),
        }
    }

    /// IANA time zone name.
    #[napi(getter)]
    pub fn timezone(&self) -> String {
        self.inner.timezone().name().to_string()
    }

    /// Whether `at` is working time.
    #[napi(catch_unwind)]
    pub fn is_working(&self, at: DateTime<Utc>) -> bool {
        self.inner.is_working(at)
    }

    /// `start` plus `seconds` of business time.
    #[napi(catch_unwind)]
    pub fn add_business_time(
        &self,
        env: Env,
        start: DateTime<Utc>,
        seconds: f64,
    ) -> napi::Result<DateTime<Utc>> {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(validation(&env, "seconds must be a non-negative number"));
        }
        let d = chrono::TimeDelta::milliseconds((seconds * 1000.0).round() as i64);
        Ok(self.inner.add_business_time(start, d))
    }

    /// Business time between two instants, in seconds.
    #[napi(catch_unwind)]
    pub fn business_time_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> f64 {
        secs(self.inner.business_time_between(start, end))
    }

    /// The JSON form.
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

/// One event of a ticket's SLA-relevant history.
#[napi(object)]
pub struct SlaEventInput {
    /// When.
    pub at: DateTime<Utc>,
    /// `created`, `status_changed`, `first_response`, `priority_changed` or `reopened`.
    #[napi(
        ts_type = "'created' | 'status_changed' | 'first_response' | 'priority_changed' | 'reopened'"
    )]
    pub kind: String,
    /// Priority (`created`, `priority_changed`).
    pub priority: Option<String>,
    /// Category of the (new) state (`created`, `status_changed`).
    pub category: Option<String>,
}

fn sla_event(e: SlaEventInput) -> faultdesk::Result<SlaEvent> {
    use faultdesk::ticket::Priority;
    use faultdesk::ticket::category::StateCategory;
    let need = |v: Option<String>, what: &str| {
        v.ok_or_else(|| {
            faultdesk::Error::validation(format!("SLA event '{}' needs {what}", e.kind))
        })
    };
    let kind = match e.kind.as_str() {
        "created" => SlaEventKind::Created {
            priority: need(e.priority.clone(), "priority")?.parse::<Priority>()?,
            category: need(e.category.clone(), "category")?.parse::<StateCategory>()?,
        },
        "status_changed" => SlaEventKind::StatusChanged {
            to_category: need(e.category.clone(), "category")?.parse::<StateCategory>()?,
        },
        "first_response" => SlaEventKind::FirstResponse,
        "priority_changed" => SlaEventKind::PriorityChanged {
            priority: need(e.priority.clone(), "priority")?.parse::<Priority>()?,
        },
        "reopened" => SlaEventKind::Reopened,
        other => {
            return Err(faultdesk::Error::validation(format!(
                "unknown SLA event kind '{other}'. Accepted values: created, status_changed, first_response, priority_changed, reopened"
            )));
        }
    };
    Ok(SlaEvent::new(e.at, kind))
}

/// Ticket SLA targets per priority (first response, resolution), with a business calendar and
/// pauses.
#[napi]
pub struct SlaPolicy {
    inner: CorePolicy,
}

#[napi]
impl SlaPolicy {
    /// The preset `'itsm'` or `'vms'`, or a policy object.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "'itsm' | 'vms' | Record<string, unknown>")] spec: serde_json::Value,
    ) -> napi::Result<Self> {
        let inner = match &spec {
            serde_json::Value::String(s) if s == "itsm" => CorePolicy::itsm(),
            serde_json::Value::String(s) if s == "vms" => CorePolicy::vms(),
            serde_json::Value::String(s) => {
                return Err(validation(
                    &env,
                    format!(
                        "unknown SLA policy preset '{s}'. Accepted values: itsm, vms, or a policy object"
                    ),
                ));
            }
            other => CorePolicy::from_json(&other.to_string()).map_err(|e| sync_error(&env, e))?,
        };
        Ok(SlaPolicy { inner })
    }

    /// The SLA state at `now` (default: now) of a ticket with these events.
    #[napi(catch_unwind)]
    pub fn evaluate(
        &self,
        env: Env,
        events: Vec<SlaEventInput>,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<SlaStatus> {
        let evs = events
            .into_iter()
            .map(sla_event)
            .collect::<faultdesk::Result<Vec<_>>>()
            .map_err(|e| sync_error(&env, e))?;
        self.inner
            .try_evaluate(&evs, now.unwrap_or_else(Utc::now))
            .map(Into::into)
            .map_err(|e| sync_error(&env, e))
    }
}
