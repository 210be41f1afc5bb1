//! `faultdesk.BusinessCalendar` and `faultdesk.SlaPolicy` (ticket-core): business-time
//! arithmetic and SLA due dates.

use super::{duration_arg, engine_err, guard, json_text, now_arg, to_datetime, to_timedelta};
use crate::convert::{instant_arg, to_py, to_value};
use crate::error::{internal, validation};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyString;
use ticket_core::calendar::BusinessCalendar;
use ticket_core::sla::{SlaEvent, SlaPolicy};

/// A business calendar: working hours in a time zone, holidays, business-time arithmetic
/// (real elapsed time inside wall-clock working intervals, DST included).
#[pyclass(frozen, name = "BusinessCalendar", module = "faultdesk")]
pub struct PyBusinessCalendar {
    inner: BusinessCalendar,
}

#[pymethods]
impl PyBusinessCalendar {
    /// A calendar from its JSON form (dict or `str`): `{"timezone": "Europe/Berlin", "week":
    /// {"mon": [["09:00", "17:00"]], ...}, "holidays": ["2026-12-24"], "yearly_holidays":
    /// ["12-25"]}`.
    #[new]
    fn new(py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<Self> {
        let j = json_text(Some(spec), "spec")?.unwrap_or_default();
        guard(py, || {
            BusinessCalendar::from_json(&j)
                .map(|inner| PyBusinessCalendar { inner })
                .map_err(|e| engine_err(py, e))
        })
    }

    /// The 24×7 calendar.
    #[staticmethod]
    fn always() -> Self {
        PyBusinessCalendar {
            inner: BusinessCalendar::always(),
        }
    }

    /// The IANA time zone name.
    #[getter]
    fn timezone(&self) -> String {
        self.inner.timezone().name().to_string()
    }

    /// True when `at` (an aware datetime) is working time.
    fn is_working(&self, py: Python<'_>, at: &Bound<'_, PyAny>) -> PyResult<bool> {
        let at = instant_arg(at, "at")?;
        guard(py, || Ok(self.inner.is_working(at)))
    }

    /// The instant `duration` (a `timedelta`) of business time after `start`, as an aware UTC
    /// datetime.
    fn add_business_time<'py>(
        &self,
        py: Python<'py>,
        start: &Bound<'py, PyAny>,
        duration: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = instant_arg(start, "start")?;
        let d = duration_arg(duration, "duration")?;
        if d < chrono::TimeDelta::zero() {
            return Err(validation(py, "duration must not be negative"));
        }
        let due = guard(py, || Ok(self.inner.add_business_time(s, d)))?;
        to_datetime(py, due)
    }

    /// Business time in `[start, end)` as a `timedelta` (zero when `end <= start`).
    fn business_time_between<'py>(
        &self,
        py: Python<'py>,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (s, e) = (instant_arg(start, "start")?, instant_arg(end, "end")?);
        let d = guard(py, || Ok(self.inner.business_time_between(s, e)))?;
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

/// An SLA policy: first-response and resolution targets per priority, an optional business
/// calendar, pauses, warnings.
#[pyclass(frozen, name = "SlaPolicy", module = "faultdesk")]
pub struct PySlaPolicy {
    inner: SlaPolicy,
}

/// `faultdesk._types.SlaStatus.from_raw`, the typed result of `evaluate`.
static SLA_STATUS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

#[pymethods]
impl PySlaPolicy {
    /// The preset `itsm` or `vms` by name, or a policy from its JSON form (dict or `str`).
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
        guard(py, || {
            SlaPolicy::from_json(&j)
                .map(|inner| PySlaPolicy { inner })
                .map_err(|e| engine_err(py, e))
        })
    }

    /// The policy's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// Evaluates a ticket's SLA history at `now` (default: the wall clock). `events` are dicts
    /// `{"at": datetime, "kind": {"type": "created", "priority": "high", "category": "new"}}`
    /// (then `status_changed`, `priority_changed`, `first_response`, ...). Returns an
    /// `SlaStatus`.
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
        let now = now_arg(now, "now")?;
        let status = guard(py, || {
            self.inner
                .try_evaluate(&evs, now)
                .map_err(|e| engine_err(py, e))
        })?;
        let v = serde_json::to_value(status).map_err(|e| internal(py, e.to_string()))?;
        let from_raw = SLA_STATUS.get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("faultdesk._types")?
                    .getattr("SlaStatus")?
                    .getattr("from_raw")?
                    .unbind(),
            )
        })?;
        from_raw.bind(py).call1((to_py(py, &v)?,))
    }

    /// The JSON form.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| internal(py, e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!("SlaPolicy({:?})", self.inner.name)
    }
}
