//! The pure engines, usable without a database: severity → priority, the correlator, ticket
//! workflows, business calendars and SLA policies. Inputs cross the boundary as Python values
//! (dicts, aware datetimes, timedeltas); the decisions are the engines' own. Every call runs
//! under `catch_panic`, so a Rust panic is a `FaultdeskError`, never an abort.

mod batch;
mod calendar;
mod columns;
mod correlator;
mod event;
mod workflow;

pub use correlator::decisions_py as decision_list;

use crate::convert::{instant_arg, to_value};
use crate::error::{catch_panic, to_pyerr, validation};
use chrono::Datelike;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};

/// Adds the engine classes and functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<correlator::PyCorrelator>()?;
    m.add_class::<correlator::PyDecision>()?;
    m.add_class::<batch::PyDecisionBatch>()?;
    m.add_class::<workflow::PyWorkflow>()?;
    m.add_class::<calendar::PyBusinessCalendar>()?;
    m.add_class::<calendar::PySlaPolicy>()?;
    m.add_function(wrap_pyfunction!(map_severity_to_priority, m)?)?;
    Ok(())
}

/// A `faultdesk::Error` (or a core crate's error) as its exception.
fn engine_err(py: Python<'_>, e: impl Into<faultdesk::Error>) -> PyErr {
    to_pyerr(py, &e.into())
}

/// Seed 000's severity → priority mapping: `map_severity_to_priority("Major") == "high"`
/// (critical → critical, major → high, minor → normal, warning/info → low; any case).
#[pyfunction]
pub fn map_severity_to_priority(py: Python<'_>, severity: &str) -> PyResult<&'static str> {
    catch_panic(py, || {
        fault_core::severity::map_severity_to_priority(severity)
            .map(|p| p.as_str())
            .map_err(|e| validation(py, e.to_string()))
    })
}

/// A JSON document given as a dict/list, a JSON `str`, or `None`.
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

/// A `now` argument: an aware datetime, or the wall clock when `None`.
fn now_arg(now: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<chrono::DateTime<chrono::Utc>> {
    match now {
        Some(n) if !n.is_none() => instant_arg(n, what),
        _ => Ok(chrono::Utc::now()),
    }
}

static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A `datetime.timedelta` as a chrono duration (microsecond precision).
fn duration_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<chrono::TimeDelta> {
    let py = obj.py();
    if !obj.is_instance(TIMEDELTA.import(py, "datetime", "timedelta")?)? {
        return Err(validation(
            py,
            format!("{what} must be a datetime.timedelta"),
        ));
    }
    let days: i64 = obj.getattr("days")?.extract()?;
    let secs: i64 = obj.getattr("seconds")?.extract()?;
    let micros: i64 = obj.getattr("microseconds")?.extract()?;
    chrono::TimeDelta::try_days(days)
        .and_then(|d| d.checked_add(&chrono::TimeDelta::seconds(secs)))
        .and_then(|d| d.checked_add(&chrono::TimeDelta::microseconds(micros)))
        .ok_or_else(|| validation(py, format!("{what} is out of range")))
}

/// A chrono duration as a `datetime.timedelta` (truncated to microseconds).
fn to_timedelta<'py>(py: Python<'py>, d: chrono::TimeDelta) -> PyResult<Bound<'py, PyAny>> {
    let secs = d.num_seconds();
    let micros = (d - chrono::TimeDelta::seconds(secs))
        .num_microseconds()
        .unwrap_or(0);
    TIMEDELTA
        .import(py, "datetime", "timedelta")?
        .call1((0, secs, micros))
}

/// An instant as an aware UTC `datetime` (truncated to microseconds).
fn to_datetime<'py>(
    py: Python<'py>,
    t: chrono::DateTime<chrono::Utc>,
) -> PyResult<Bound<'py, PyAny>> {
    static FROMISO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let f = FROMISO.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("datetime")?
                .getattr("fromisoformat")?
                .unbind(),
        )
    })?;
    if t.year() > 9999 || t.year() < 1 {
        return Err(validation(
            py,
            format!("{t} is outside Python's datetime range (years 1 to 9999)"),
        ));
    }
    let text = t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    f.bind(py).call1((text,))
}

/// `catch_panic` for engine methods.
fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_panic(py, f)
}
