//! The pure engines, usable without a database: severity → priority, the correlator, the
//! ticket workflows, business calendars and SLA policies. Inputs and outputs cross the
//! boundary as JSON-shaped Python values; the decisions are the engines' own.

use crate::convert::{instant_arg, to_py, to_value};
use crate::error::{internal, to_pyerr, validation};
use fault_core::{AlarmEvent, Correlator, CorrelatorConfig};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use serde_json::Value;
use std::sync::Mutex;
use ticket_core::calendar::BusinessCalendar;
use ticket_core::sla::{SlaEvent, SlaPolicy};
use ticket_core::workflow::Workflow;

fn desk_err(py: Python<'_>, e: impl Into<faultdesk::Error>) -> PyErr {
    to_pyerr(py, &e.into())
}

/// Seed 000's severity → priority mapping: `map_severity_to_priority("Major") == "high"`.
#[pyfunction]
pub fn map_severity_to_priority(py: Python<'_>, severity: &str) -> PyResult<&'static str> {
    fault_core::severity::map_severity_to_priority(severity)
        .map(|p| p.as_str())
        .map_err(|e| validation(py, e.to_string()))
}

/// Reads a config given as a dict, a JSON string or `None` (defaults).
fn json_text(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<String>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            if let Ok(s) = o.cast::<PyString>() {
                return Ok(Some(s.to_str()?.to_string()));
            }
            Ok(Some(to_value(o, what)?.to_string()))
        }
    }
}

/// `now` argument: an aware datetime, or the wall clock when `None`.
fn now_arg(now: Option<&Bound<'_, PyAny>>) -> PyResult<chrono::DateTime<chrono::Utc>> {
    match now {
        Some(n) if !n.is_none() => instant_arg(n, "now"),
        _ => Ok(chrono::Utc::now()),
    }
}

fn event_from(py: Python<'_>, obj: &Bound<'_, PyAny>, path: &str) -> PyResult<AlarmEvent> {
    let v = to_value(obj, path)?;
    serde_json::from_value::<AlarmEvent>(v)
        .map_err(|e| validation(py, format!("{path}: invalid alarm event: {e}")))
}

fn decisions_py<'py>(py: Python<'py>, ds: &[fault_core::Decision]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for d in ds {
        let v = serde_json::to_value(d).map_err(|e| internal(py, e.to_string()))?;
        out.append(to_py(py, &v)?)?;
    }
    Ok(out)
}

/// What `Correlator.ingest_batch` returns: the decisions and the `(index, message)` of
/// rejected events.
type BatchResult<'py> = (Bound<'py, PyList>, Vec<(usize, String)>);

/// The in-memory alarm correlator (fault-core): feed events (one or a batch), read decisions.
#[pyclass(frozen, name = "Correlator", module = "faultdesk")]
pub struct PyCorrelator {
    inner: Mutex<Correlator>,
}

impl PyCorrelator {
    fn lock(&self) -> std::sync::MutexGuard<'_, Correlator> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PyCorrelator {
    /// A correlator with `config` (dict or JSON: `mapping`, `rules`, `flapping`, `triggers`,
    /// `maintenance_windows`, `id_seed`, `max_future_skew_secs`; `None`: seed 002 defaults).
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let cfg = match json_text(config, "config")? {
            None => CorrelatorConfig::default(),
            Some(j) => serde_json::from_str::<CorrelatorConfig>(&j)
                .map_err(|e| validation(py, format!("Invalid correlator configuration: {e}")))?,
        };
        let c = Correlator::new(cfg).map_err(|e| desk_err(py, e))?;
        Ok(PyCorrelator {
            inner: Mutex::new(c),
        })
    }

    /// Ingests one event (dict or `AlarmEvent`); returns its decisions as dicts.
    #[pyo3(signature = (event, now = None))]
    fn ingest<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let ev = event_from(py, event, "event")?;
        let now = now_arg(now)?;
        let ds = self
            .lock()
            .ingest_owned(ev, now)
            .map_err(|e| desk_err(py, e))?;
        decisions_py(py, &ds)
    }

    /// Ingests a batch; returns `(decisions, errors)` where `errors` lists `(index, message)`
    /// of rejected events (they changed nothing).
    #[pyo3(signature = (events, now = None))]
    fn ingest_batch<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<BatchResult<'py>> {
        let mut evs = Vec::new();
        for (i, e) in events.try_iter()?.enumerate() {
            evs.push(event_from(py, &e?, &format!("events[{i}]"))?);
        }
        let now = now_arg(now)?;
        let out = py.detach(|| self.lock().ingest_batch_owned(evs, now));
        let errors = out
            .errors
            .iter()
            .map(|(i, e)| (*i, e.to_string()))
            .collect();
        Ok((decisions_py(py, &out.decisions)?, errors))
    }

    /// Time-driven decisions (flapping ends, unacknowledged timeouts) up to `now`.
    #[pyo3(signature = (now = None))]
    fn tick<'py>(
        &self,
        py: Python<'py>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let now = now_arg(now)?;
        let ds = self.lock().tick(now);
        decisions_py(py, &ds)
    }

    /// Acknowledges an active alarm.
    #[pyo3(signature = (alarm_id, by, at = None))]
    fn acknowledge<'py>(
        &self,
        py: Python<'py>,
        alarm_id: &Bound<'py, PyAny>,
        by: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let id = crate::convert::uuid_arg(alarm_id, "alarm_id")?;
        let ds = self
            .lock()
            .acknowledge(id, by, now_arg(at)?)
            .map_err(|e| desk_err(py, e))?;
        decisions_py(py, &ds)
    }

    /// Clears an active alarm.
    #[pyo3(signature = (alarm_id, by, at = None))]
    fn clear<'py>(
        &self,
        py: Python<'py>,
        alarm_id: &Bound<'py, PyAny>,
        by: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let id = crate::convert::uuid_arg(alarm_id, "alarm_id")?;
        let ds = self
            .lock()
            .clear(id, by, now_arg(at)?)
            .map_err(|e| desk_err(py, e))?;
        decisions_py(py, &ds)
    }

    /// The id of the active alarm with this reduction key, if any.
    fn find_by_key(&self, reduction_key: &str) -> Option<String> {
        self.lock()
            .find_by_key(reduction_key)
            .map(|u| u.to_string())
    }

    /// Number of alarms in the working set.
    #[getter]
    fn active_count(&self) -> usize {
        self.lock().active_count()
    }

    /// Events ingested so far.
    #[getter]
    fn events_ingested(&self) -> u64 {
        self.lock().events_ingested()
    }

    fn __repr__(&self) -> String {
        let c = self.lock();
        format!(
            "Correlator(active_count={}, events_ingested={})",
            c.active_count(),
            c.events_ingested()
        )
    }
}

/// A ticket workflow (preset `itsm`, `vms`, `fibreflow`, or a JSON definition).
#[pyclass(frozen, name = "Workflow", module = "faultdesk")]
pub struct PyWorkflow {
    inner: Workflow,
}

#[pymethods]
impl PyWorkflow {
    /// The preset `name` (`itsm`, `vms`, `fibreflow`).
    #[new]
    #[pyo3(signature = (name = "itsm"))]
    fn new(py: Python<'_>, name: &str) -> PyResult<Self> {
        Workflow::preset(name)
            .map(|inner| PyWorkflow { inner })
            .map_err(|e| desk_err(py, e))
    }

    /// A workflow from its definition (dict or JSON).
    #[staticmethod]
    fn from_definition(py: Python<'_>, definition: &Bound<'_, PyAny>) -> PyResult<Self> {
        let j = json_text(Some(definition), "definition")?.unwrap_or_default();
        Workflow::from_json(&j)
            .map(|inner| PyWorkflow { inner })
            .map_err(|e| desk_err(py, e))
    }

    /// The workflow's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The initial state of new tickets.
    #[getter]
    fn initial_state(&self) -> &str {
        self.inner.initial_state()
    }

    /// All state names.
    #[getter]
    fn states(&self) -> Vec<String> {
        self.inner.states().iter().map(|s| s.name.clone()).collect()
    }

    /// States reachable in one transition from `state` (any case).
    fn allowed_transitions(&self, py: Python<'_>, state: &str) -> PyResult<Vec<String>> {
        self.inner
            .allowed_next(state)
            .map(|v| v.into_iter().map(str::to_string).collect())
            .map_err(|e| desk_err(py, e))
    }

    /// True when `from_state → to_state` is a transition of this workflow.
    fn can_transition(&self, py: Python<'_>, from_state: &str, to_state: &str) -> PyResult<bool> {
        let f = self
            .inner
            .canonical(from_state)
            .map_err(|e| desk_err(py, e))?;
        let f = self.inner.state_id(f);
        let t = self
            .inner
            .canonical(to_state)
            .map_err(|e| desk_err(py, e))?;
        let t = self.inner.state_id(t);
        Ok(matches!((f, t), (Some(f), Some(t)) if self.inner.has_transition(f, t)))
    }

    /// The permission the transition requires, if any.
    fn required_permission(
        &self,
        py: Python<'_>,
        from_state: &str,
        to_state: &str,
    ) -> PyResult<Option<String>> {
        let f = self
            .inner
            .canonical(from_state)
            .map_err(|e| desk_err(py, e))?;
        let t = self
            .inner
            .canonical(to_state)
            .map_err(|e| desk_err(py, e))?;
        match (self.inner.state_id(f), self.inner.state_id(t)) {
            (Some(f), Some(t)) => Ok(self.inner.required_permission(f, t).map(str::to_string)),
            _ => Ok(None),
        }
    }

    /// The state category (`new`, `open`, `pending`, `resolved`, `closed`) of `state`.
    fn category_of(&self, state: &str) -> Option<String> {
        self.inner
            .category_of(state)
            .map(|c| c.as_str().to_string())
    }

    /// The definition as JSON.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self) -> String {
        format!("Workflow({:?})", self.inner.name())
    }
}

/// A business calendar: working hours in a time zone, holidays, business-time arithmetic.
#[pyclass(frozen, name = "BusinessCalendar", module = "faultdesk")]
pub struct PyBusinessCalendar {
    inner: BusinessCalendar,
}

fn timedelta_secs(obj: &Bound<'_, PyAny>) -> PyResult<f64> {
    obj.call_method0("total_seconds")?.extract()
}

fn to_timedelta<'py>(py: Python<'py>, d: chrono::TimeDelta) -> PyResult<Bound<'py, PyAny>> {
    let secs = d.num_milliseconds() as f64 / 1000.0;
    py.import("datetime")?
        .getattr("timedelta")?
        .call((), Some(&[("seconds", secs)].into_py_dict(py)?))
}

use pyo3::types::IntoPyDict;

fn aware_datetime<'py>(
    py: Python<'py>,
    t: chrono::DateTime<chrono::Utc>,
) -> PyResult<Bound<'py, PyAny>> {
    let dt = py.import("datetime")?;
    let utc = dt.getattr("timezone")?.getattr("utc")?;
    dt.getattr("datetime")?
        .call_method1("fromtimestamp", (t.timestamp_micros() as f64 / 1e6, utc))
}

#[pymethods]
impl PyBusinessCalendar {
    /// A calendar from its JSON form (dict or str): `{"timezone": "Europe/Berlin", "week":
    /// {"mon": [["09:00", "17:00"]], ...}, "holidays": [...], "yearly_holidays": ["12-25"]}`.
    #[new]
    fn new(py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<Self> {
        let j = json_text(Some(spec), "spec")?.unwrap_or_default();
        BusinessCalendar::from_json(&j)
            .map(|inner| PyBusinessCalendar { inner })
            .map_err(|e| desk_err(py, e))
    }

    /// The 24×7 calendar.
    #[staticmethod]
    fn always() -> Self {
        PyBusinessCalendar {
            inner: BusinessCalendar::always(),
        }
    }

    /// The time zone name.
    #[getter]
    fn timezone(&self) -> String {
        self.inner.timezone().name().to_string()
    }

    /// True when `at` is working time.
    fn is_working(&self, at: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.is_working(instant_arg(at, "at")?))
    }

    /// `start` plus `duration` (a `timedelta`) of business time, as an aware UTC datetime.
    fn add_business_time<'py>(
        &self,
        py: Python<'py>,
        start: &Bound<'py, PyAny>,
        duration: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = instant_arg(start, "start")?;
        let secs = timedelta_secs(duration)?;
        if !secs.is_finite() || secs < 0.0 {
            return Err(validation(py, "duration must be a non-negative timedelta"));
        }
        let d = chrono::TimeDelta::milliseconds((secs * 1000.0).round() as i64);
        aware_datetime(py, self.inner.add_business_time(s, d))
    }

    /// Business time between two instants, as a `timedelta`.
    fn business_time_between<'py>(
        &self,
        py: Python<'py>,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let d = self
            .inner
            .business_time_between(instant_arg(start, "start")?, instant_arg(end, "end")?);
        to_timedelta(py, d)
    }

    /// The JSON form.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self) -> String {
        format!(
            "BusinessCalendar(timezone={:?})",
            self.inner.timezone().name()
        )
    }
}

/// An SLA policy (per-priority first-response and resolution targets, optional calendar).
#[pyclass(frozen, name = "SlaPolicy", module = "faultdesk")]
pub struct PySlaPolicy {
    inner: SlaPolicy,
}

#[pymethods]
impl PySlaPolicy {
    /// A policy from its JSON form (dict or str), or the preset `itsm` / `vms` by name.
    #[new]
    fn new(py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(s) = spec.cast::<PyString>() {
            match s.to_str()? {
                "itsm" => {
                    return Ok(PySlaPolicy {
                        inner: SlaPolicy::itsm(),
                    });
                }
                "vms" => {
                    return Ok(PySlaPolicy {
                        inner: SlaPolicy::vms(),
                    });
                }
                _ => {}
            }
        }
        let j = json_text(Some(spec), "spec")?.unwrap_or_default();
        SlaPolicy::from_json(&j)
            .map(|inner| PySlaPolicy { inner })
            .map_err(|e| desk_err(py, e))
    }

    /// Evaluates the ticket's SLA events (dicts `{"at": datetime, "kind": {"type":
    /// "created", "priority": "high", "category": "new"}}`) at `now`; returns the status dict.
    #[pyo3(signature = (events, now = None))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = to_value(events, "events")?;
        let evs: Vec<SlaEvent> = serde_json::from_value(v)
            .map_err(|e| validation(py, format!("invalid SLA events: {e}")))?;
        let status = self
            .inner
            .try_evaluate(&evs, now_arg(now)?)
            .map_err(|e| desk_err(py, e))?;
        let v: Value = serde_json::to_value(status).map_err(|e| internal(py, e.to_string()))?;
        to_py(py, &v)
    }

    fn __repr__(&self) -> String {
        "SlaPolicy(...)".to_string()
    }
}
