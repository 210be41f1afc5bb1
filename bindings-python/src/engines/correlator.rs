//! `faultdesk.Correlator` (fault-core's in-memory correlator) and `faultdesk.Decision`.

use super::batch::PyDecisionBatch;
use super::columns::{ColumnArgs, Rows};
use super::event::event_from;
use super::{engine_err, guard, json_text, now_arg};
use crate::convert::{to_py, to_value, uuid_arg};
use crate::error::{internal, validation};
use fault_core::maintenance::MaintenanceWindow;
use fault_core::topology::TopologyEdge;
use fault_core::{AlarmEvent, Correlator, CorrelatorConfig, Decision};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple, PyType};
use std::sync::{Mutex, MutexGuard};

/// Reads topology edges: dicts `{"parent": ..., "child": ...}` or `(parent, child)` pairs.
fn edges_from(obj: &Bound<'_, PyAny>) -> PyResult<Vec<TopologyEdge>> {
    let py = obj.py();
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        if let Ok(t) = item.cast::<PyTuple>()
            && t.len() == 2
        {
            out.push(TopologyEdge {
                parent: t.get_item(0)?.extract()?,
                child: t.get_item(1)?.extract()?,
            });
            continue;
        }
        let v = to_value(&item, &format!("edges[{i}]"))?;
        out.push(serde_json::from_value(v).map_err(|e| {
            validation(
                py,
                format!("edges[{i}]: expected {{\"parent\", \"child\"}}: {e}"),
            )
        })?);
    }
    Ok(out)
}

/// Decisions as a list of `faultdesk.Decision` (decisions without an event: timers, operator
/// actions, the Desk's outcomes).
pub fn decisions_py<'py>(py: Python<'py>, ds: Vec<Decision>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(
        py,
        ds.into_iter()
            .map(|inner| PyDecision { inner, event: None }),
    )
}

/// Decisions as a list of `faultdesk.Decision`, `spans` giving each accepted event's (index in
/// `events`, range in `ds`): a `Created` decision keeps its event (moved, not copied) so its
/// full alarm row is built when it is read.
fn event_decisions_py<'py>(
    py: Python<'py>,
    ds: Vec<Decision>,
    spans: &[(usize, std::ops::Range<usize>)],
    mut events: Vec<AlarmEvent>,
) -> PyResult<Bound<'py, PyList>> {
    let mut owner: Vec<Option<usize>> = vec![None; ds.len()];
    for (i, span) in spans {
        for o in &mut owner[span.clone()] {
            *o = Some(*i);
        }
    }
    PyList::new(
        py,
        ds.into_iter().zip(owner).map(|(inner, owner)| {
            let event = match (&inner, owner) {
                // an event creates at most one alarm
                (Decision::Created { .. }, Some(i)) => {
                    Some(Box::new(std::mem::take(&mut events[i])))
                }
                _ => None,
            };
            PyDecision { inner, event }
        }),
    )
}

/// The in-memory alarm correlator: feed events (one or a batch), read its decisions. The same
/// engine the Desk runs per tenant, without storage: dedup by reduction key, clear events,
/// flapping, maintenance suppression, topology and rule correlation, auto-ticket triggers.
#[pyclass(frozen, name = "Correlator", module = "faultdesk")]
pub struct PyCorrelator {
    inner: Mutex<Correlator>,
    /// events `ingest_columns` writes its rows into (locked after `inner`)
    pool: Mutex<Vec<AlarmEvent>>,
}

/// What `Correlator.ingest_batch` returns: the decisions, and `(index, message)` of each
/// rejected event.
type BatchResult<'py> = (Bound<'py, PyList>, Vec<(usize, String)>);

/// The decisions of a batch, each accepted event's (index, range in the decisions), and
/// `(index, message)` of each rejected event.
type BatchRun = (
    Vec<Decision>,
    Vec<(usize, std::ops::Range<usize>)>,
    Vec<(usize, String)>,
);

impl PyCorrelator {
    fn lock(&self) -> MutexGuard<'_, Correlator> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ingests `rows` in order with the GIL released, through the correlator's batch path:
    /// each row is written into an event of `pool` (reused from call to call, so its strings
    /// keep their allocations). Returns the decisions as a batch (keeping a copy of the event
    /// of each `Created` decision, for its alarm row) and `(row, message)` of each rejected
    /// row.
    fn run_rows(
        &self,
        py: Python<'_>,
        mut rows: Rows,
        now: chrono::DateTime<chrono::Utc>,
    ) -> PyResult<(PyDecisionBatch, Vec<(usize, String)>)> {
        guard(py, || {
            Ok(py.detach(move || {
                let mut c = self.lock();
                let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
                let n = rows.len();
                if pool.len() < n {
                    pool.resize_with(n, AlarmEvent::default);
                }
                for (i, ev) in pool[..n].iter_mut().enumerate() {
                    rows.write(i, ev);
                }
                let mut ds = Vec::with_capacity(n + n / 4);
                let (mut errs, mut ends) = (Vec::new(), Vec::with_capacity(n));
                c.ingest_batch_into_marked(&pool[..n], now, &mut ds, &mut errs, &mut ends);
                drop(c);
                let mut of_row = Vec::with_capacity(ds.len());
                let mut created = Vec::new();
                let mut start = 0;
                for (i, end) in ends {
                    let row = u32::try_from(i).unwrap_or(u32::MAX);
                    for (k, d) in ds.iter().enumerate().take(end).skip(start) {
                        of_row.push(row);
                        // an event creates at most one alarm
                        if matches!(d, Decision::Created { .. }) {
                            created.push((k, pool[i].clone()));
                        }
                    }
                    start = end;
                }
                // a huge call does not keep its events for ever
                pool.truncate(POOL_MAX);
                let errors = errs.into_iter().map(|(i, e)| (i, e.to_string())).collect();
                (PyDecisionBatch::new(ds, of_row, created), errors)
            }))
        })
    }

    /// Ingests `evs` in order, event by event (what a batch decides, knowing each decision's
    /// event), with the GIL released.
    fn run_batch(
        &self,
        py: Python<'_>,
        evs: &[AlarmEvent],
        now: chrono::DateTime<chrono::Utc>,
    ) -> PyResult<BatchRun> {
        guard(py, || {
            Ok(py.detach(|| {
                let mut c = self.lock();
                let (mut ds, mut spans, mut errors) = (Vec::new(), Vec::new(), Vec::new());
                for (i, e) in evs.iter().enumerate() {
                    let start = ds.len();
                    match c.ingest_into(e, now, &mut ds) {
                        Ok(()) => spans.push((i, start..ds.len())),
                        Err(err) => errors.push((i, err.to_string())),
                    }
                }
                (ds, spans, errors)
            }))
        })
    }
}

/// How many events `ingest_columns` keeps for reuse between calls.
const POOL_MAX: usize = 16_384;

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
        guard(py, || {
            let c = Correlator::new(cfg).map_err(|e| engine_err(py, e))?;
            Ok(PyCorrelator {
                inner: Mutex::new(c),
                pool: Mutex::new(Vec::new()),
            })
        })
    }

    /// Ingests one event at `now` (an aware datetime; default: the wall clock); returns its
    /// decisions. A rejected event raises and changes nothing.
    #[pyo3(signature = (event, now = None))]
    fn ingest<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let ev = event_from(event, || "event".to_owned())?;
        let now = now_arg(now, "now")?;
        let ds = guard(py, || {
            self.lock().ingest(&ev, now).map_err(|e| engine_err(py, e))
        })?;
        let spans = [(0, 0..ds.len())];
        event_decisions_py(py, ds, &spans, vec![ev])
    }

    /// Ingests a batch in order (the GIL is released meanwhile); returns `(decisions,
    /// errors)` where `errors` lists `(index, message)` of rejected events (they changed
    /// nothing; the others were applied).
    #[pyo3(signature = (events, now = None))]
    fn ingest_batch<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<BatchResult<'py>> {
        let mut evs = Vec::with_capacity(events.len().unwrap_or(0));
        for (i, e) in events.try_iter()?.enumerate() {
            evs.push(event_from(&e?, || format!("events[{i}]"))?);
        }
        let now = now_arg(now, "now")?;
        let (ds, spans, errors) = self.run_batch(py, &evs, now)?;
        Ok((event_decisions_py(py, ds, &spans, evs)?, errors))
    }

    /// Ingests a batch given as columns, one sequence per event field (all of the same
    /// length; a single `str` / `int` / `dict` stands for every row), in row order like
    /// `ingest_batch`, without a dict or a `datetime` per event. The instant is
    /// `occurred_at_ms` (epoch milliseconds, UTC, `int`s) or `occurred_at` (aware datetimes).
    /// Returns `(DecisionBatch, errors)`; `errors` lists `(row, message)` of the events the
    /// correlator rejected (they changed nothing; the others were applied). A bad column
    /// (missing, of another length, a value of the wrong type) raises `ValidationError` before
    /// any row is ingested.
    #[pyo3(signature = (
        *, tenant_id, event_type, occurred_at_ms = None, occurred_at = None, alarm_type = None,
        severity = None, source = None, resource_type = None, resource_id = None,
        resource_name = None, customer_id = None, customer_name = None, subscriber_count = None,
        title = None, description = None, probable_cause = None, recommended_action = None,
        external_alarm_id = None, labels = None, raw = None, now = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn ingest_columns<'py>(
        &self,
        py: Python<'py>,
        tenant_id: &Bound<'py, PyAny>,
        event_type: &Bound<'py, PyAny>,
        occurred_at_ms: Option<&Bound<'py, PyAny>>,
        occurred_at: Option<&Bound<'py, PyAny>>,
        alarm_type: Option<&Bound<'py, PyAny>>,
        severity: Option<&Bound<'py, PyAny>>,
        source: Option<&Bound<'py, PyAny>>,
        resource_type: Option<&Bound<'py, PyAny>>,
        resource_id: Option<&Bound<'py, PyAny>>,
        resource_name: Option<&Bound<'py, PyAny>>,
        customer_id: Option<&Bound<'py, PyAny>>,
        customer_name: Option<&Bound<'py, PyAny>>,
        subscriber_count: Option<&Bound<'py, PyAny>>,
        title: Option<&Bound<'py, PyAny>>,
        description: Option<&Bound<'py, PyAny>>,
        probable_cause: Option<&Bound<'py, PyAny>>,
        recommended_action: Option<&Bound<'py, PyAny>>,
        external_alarm_id: Option<&Bound<'py, PyAny>>,
        labels: Option<&Bound<'py, PyAny>>,
        raw: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(PyDecisionBatch, Vec<(usize, String)>)> {
        let rows = ColumnArgs {
            tenant_id,
            event_type,
            occurred_at_ms,
            occurred_at,
            alarm_type,
            severity,
            source,
            resource_type,
            resource_id,
            resource_name,
            customer_id,
            customer_name,
            subscriber_count,
            title,
            description,
            probable_cause,
            recommended_action,
            external_alarm_id,
            labels,
            raw,
        }
        .rows(py)?;
        let now = now_arg(now, "now")?;
        self.run_rows(py, rows, now)
    }

    /// Time-driven decisions (flapping ends, unacknowledged timeouts) up to `now`.
    #[pyo3(signature = (now = None))]
    fn tick<'py>(
        &self,
        py: Python<'py>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let now = now_arg(now, "now")?;
        let ds = guard(py, || Ok(self.lock().tick(now)))?;
        decisions_py(py, ds)
    }

    /// Acknowledges an active alarm (by user `by`, at `at`; default now).
    #[pyo3(signature = (alarm_id, by, at = None))]
    fn acknowledge<'py>(
        &self,
        py: Python<'py>,
        alarm_id: &Bound<'py, PyAny>,
        by: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let id = uuid_arg(alarm_id, "alarm_id")?;
        let at = now_arg(at, "at")?;
        let ds = guard(py, || {
            self.lock()
                .acknowledge(id, by, at)
                .map_err(|e| engine_err(py, e))
        })?;
        decisions_py(py, ds)
    }

    /// Clears an active alarm (by user `by`, at `at`; default now).
    #[pyo3(signature = (alarm_id, by, at = None))]
    fn clear<'py>(
        &self,
        py: Python<'py>,
        alarm_id: &Bound<'py, PyAny>,
        by: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let id = uuid_arg(alarm_id, "alarm_id")?;
        let at = now_arg(at, "at")?;
        let ds = guard(py, || {
            self.lock().clear(id, by, at).map_err(|e| engine_err(py, e))
        })?;
        decisions_py(py, ds)
    }

    /// Resolves an alarm (it leaves the working set).
    #[pyo3(signature = (alarm_id, by, at = None))]
    fn resolve<'py>(
        &self,
        py: Python<'py>,
        alarm_id: &Bound<'py, PyAny>,
        by: &str,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let id = uuid_arg(alarm_id, "alarm_id")?;
        let at = now_arg(at, "at")?;
        let ds = guard(py, || {
            self.lock()
                .resolve(id, by, at)
                .map_err(|e| engine_err(py, e))
        })?;
        decisions_py(py, ds)
    }

    /// Adds topology edges of `tenant_id` (dicts `{"parent", "child"}` or `(parent, child)`
    /// pairs), all or nothing: cycles, self-loops and second parents raise.
    fn add_topology_edges(
        &self,
        py: Python<'_>,
        tenant_id: &str,
        edges: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let edges = edges_from(edges)?;
        guard(py, || {
            py.detach(|| self.lock().add_topology_edges(tenant_id, &edges))
                .map_err(|e| engine_err(py, e))
        })
    }

    /// Removes topology edges of `tenant_id`; returns how many existed.
    fn remove_topology_edges(
        &self,
        py: Python<'_>,
        tenant_id: &str,
        edges: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        let edges = edges_from(edges)?;
        guard(py, || {
            Ok(self.lock().remove_topology_edges(tenant_id, &edges))
        })
    }

    /// Adds a maintenance window (dict: `id`, `tenant_id`, `title`, `start`, `end`,
    /// `status`, `scope`); alarms raised in its scope while it runs are suppressed.
    fn add_maintenance_window(&self, py: Python<'_>, window: &Bound<'_, PyAny>) -> PyResult<()> {
        let v = to_value(window, "window")?;
        let w: MaintenanceWindow = serde_json::from_value(v)
            .map_err(|e| validation(py, format!("invalid maintenance window: {e}")))?;
        guard(py, || {
            self.lock()
                .add_maintenance_window(w)
                .map_err(|e| engine_err(py, e))
        })
    }

    /// Cancels a maintenance window; returns the decisions (alarms it no longer suppresses).
    fn cancel_maintenance_window<'py>(
        &self,
        py: Python<'py>,
        window_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let id = uuid_arg(window_id, "window_id")?;
        let ds = guard(py, || {
            self.lock()
                .cancel_maintenance_window(id)
                .map_err(|e| engine_err(py, e))
        })?;
        decisions_py(py, ds)
    }

    /// The correlator's view of an alarm in its working set (a dict), or `None`.
    fn alarm_state<'py>(
        &self,
        py: Python<'py>,
        alarm_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = uuid_arg(alarm_id, "alarm_id")?;
        match self.lock().alarm_state(id) {
            None => Ok(py.None().into_bound(py)),
            Some(s) => to_py(
                py,
                &serde_json::to_value(s).map_err(|e| internal(py, e.to_string()))?,
            ),
        }
    }

    /// The id (`uuid.UUID`) of the active alarm with this reduction key, if any.
    fn find_by_key<'py>(
        &self,
        py: Python<'py>,
        reduction_key: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.lock().find_by_key(reduction_key) {
            None => Ok(py.None().into_bound(py)),
            Some(id) => py_uuid(py, id),
        }
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

static UUID: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A `uuid.UUID`.
pub(super) fn py_uuid<'py>(py: Python<'py>, id: uuid::Uuid) -> PyResult<Bound<'py, PyAny>> {
    UUID.import(py, "uuid", "UUID")?
        .call1((id.hyphenated().to_string(),))
}

/// One decision of the correlator (see fault-core's `Decision`): `kind` (`created`,
/// `deduplicated`, `cleared`, `flapping`, `correlated`, `suppressed`, `ticket_requested`, ...),
/// `alarm_id`, and the kind's fields in `to_dict()` / `d["field"]` (their JSON form: ids and
/// instants as strings; `d["decision"]` is the kind). Converted to Python only when read. A
/// `created` decision of `Correlator.ingest` / `ingest_batch` / `ingest_columns` carries the alarm's full row in
/// `"alarm"` (built from its event when read); other created decisions carry the alarm's id,
/// reduction key and state.
#[pyclass(frozen, eq, name = "Decision", module = "faultdesk")]
pub struct PyDecision {
    pub(super) inner: Decision,
    /// the event a `Created` decision was decided for (its row's other columns)
    pub(super) event: Option<Box<AlarmEvent>>,
}

/// Decisions are equal when the correlator decided the same (the event only fills in rows).
impl PartialEq for PyDecision {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl PyDecision {
    fn json(&self, py: Python<'_>) -> PyResult<serde_json::Value> {
        self.inner
            .to_json_with_event(self.event.as_deref())
            .map_err(|e| internal(py, e.to_string()))
    }
}

#[pymethods]
impl PyDecision {
    /// A decision from its dict form (as `to_dict()` returns it).
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Self> {
        let v = to_value(d, "decision")?;
        serde_json::from_value(v)
            .map(|inner| PyDecision { inner, event: None })
            .map_err(|e| validation(py, format!("invalid decision: {e}")))
    }

    /// The kind: `created`, `deduplicated`, `cleared`, ...
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// The alarm the decision is about.
    #[getter]
    fn alarm_id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_uuid(py, self.inner.alarm_id())
    }

    /// The decision as a dict (JSON form; `"decision"` is the kind).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.json(py)?)
    }

    /// Field `key` of the JSON form (`KeyError` if the kind has no such field).
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.json(py)?.get(key) {
            Some(v) => to_py(py, v),
            None => Err(pyo3::exceptions::PyKeyError::new_err(key.to_string())),
        }
    }

    /// Field `key`, or `default`.
    #[pyo3(signature = (key, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.json(py)?.get(key) {
            Some(v) => to_py(py, v),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Decision(kind={:?}, alarm_id=UUID('{}'))",
            self.inner.kind(),
            self.inner.alarm_id()
        )
    }
}
