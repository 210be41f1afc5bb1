//! Reading a fault-core `AlarmEvent` from Python. The general path turns the value into JSON
//! and lets serde read it (any mapping, `to_dict()` objects, every field). A plain `dict` whose
//! keys are event fields with plain values (`str`/`None`, an exact aware `datetime`, an `int`
//! count) is read directly instead: field by field, the datetime from its attributes, without
//! the JSON tree, the ISO text and the per-key error paths. Anything the direct reader does not
//! take (another type, a bad value, an unknown key) goes the general way, which produces the
//! same event or the canonical error.

use crate::convert::to_value;
use crate::error::validation;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use fault_core::AlarmEvent;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyInt, PyString, PyType};
use pyo3::{IntoPyObjectExt, intern};
use serde::de::DeserializeOwned;

/// Reads one alarm event (a dict or anything with `to_dict()`); `path()` names it in errors
/// (built only when there is one).
pub fn event_from(obj: &Bound<'_, PyAny>, path: impl Fn() -> String) -> PyResult<AlarmEvent> {
    if let Ok(d) = obj.cast::<PyDict>()
        && let Ok(Some(ev)) = direct(d)
    {
        return Ok(ev);
    }
    let path = path();
    let v = to_value(obj, &path)?;
    serde_json::from_value::<AlarmEvent>(v)
        .map_err(|e| validation(obj.py(), format!("{path}: invalid alarm event: {e}")))
}

/// The event read field by field, or `None` (or an error) when the general path must decide.
fn direct(d: &Bound<'_, PyDict>) -> PyResult<Option<AlarmEvent>> {
    let mut ev = AlarmEvent::default();
    for (k, v) in d.iter() {
        let Ok(k) = k.cast::<PyString>() else {
            return Ok(None);
        };
        let ok = match k.to_str()? {
            "tenant_id" => string(&v, &mut ev.tenant_id)?,
            "event_type" => string(&v, &mut ev.event_type)?,
            "alarm_type" => opt_string(&v, &mut ev.alarm_type)?,
            "resource_type" => opt_string(&v, &mut ev.resource_type)?,
            "resource_id" => opt_string(&v, &mut ev.resource_id)?,
            "resource_name" => opt_string(&v, &mut ev.resource_name)?,
            "customer_id" => opt_string(&v, &mut ev.customer_id)?,
            "customer_name" => opt_string(&v, &mut ev.customer_name)?,
            "title" => opt_string(&v, &mut ev.title)?,
            "description" => opt_string(&v, &mut ev.description)?,
            "probable_cause" => opt_string(&v, &mut ev.probable_cause)?,
            "recommended_action" => opt_string(&v, &mut ev.recommended_action)?,
            "external_alarm_id" => opt_string(&v, &mut ev.external_alarm_id)?,
            "severity" => by_serde(&v, &mut ev.severity)?,
            "source" => by_serde(&v, &mut ev.source)?,
            "labels" => by_serde(&v, &mut ev.labels)?,
            "raw" => by_serde(&v, &mut ev.raw)?,
            "subscriber_count" => {
                if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
                    false
                } else if let Ok(n) = v.extract::<u32>() {
                    ev.subscriber_count = n;
                    true
                } else {
                    false
                }
            }
            "occurred_at" => match utc_instant(&v)? {
                Some(t) => {
                    ev.occurred_at = t;
                    true
                }
                None => by_serde(&v, &mut ev.occurred_at)?,
            },
            _ => false,
        };
        if !ok {
            return Ok(None);
        }
    }
    Ok(Some(ev))
}

/// A `str` into `out`; false for anything else.
fn string(v: &Bound<'_, PyAny>, out: &mut String) -> PyResult<bool> {
    match v.cast::<PyString>() {
        Ok(s) => {
            *out = s.to_str()?.to_owned();
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}

/// A `str` or `None` into `out`; false for anything else.
fn opt_string(v: &Bound<'_, PyAny>, out: &mut Option<String>) -> PyResult<bool> {
    if v.is_none() {
        *out = None;
        return Ok(true);
    }
    match v.cast::<PyString>() {
        Ok(s) => {
            *out = Some(s.to_str()?.to_owned());
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}

/// An integer attribute (a datetime's month, day, ...).
fn attr_u32(v: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PyResult<u32> {
    v.getattr(name)?.extract()
}

/// A field through its JSON form, as the general path reads it; false when serde refuses it.
fn by_serde<T: DeserializeOwned>(v: &Bound<'_, PyAny>, out: &mut T) -> PyResult<bool> {
    let Ok(json) = to_value(v, "") else {
        return Ok(false);
    };
    match serde_json::from_value(json) {
        Ok(x) => {
            *out = x;
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}

static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// An exact `datetime.datetime` with an offset (whole minutes, under a day: what its ISO text
/// would carry) as a UTC instant, from its attributes; `None` for anything else (naive
/// datetimes, subclasses, strings), which the general path reads or refuses.
pub(super) fn utc_instant(v: &Bound<'_, PyAny>) -> PyResult<Option<DateTime<Utc>>> {
    let py = v.py();
    if !v
        .get_type()
        .is(DATETIME.import(py, "datetime", "datetime")?)
    {
        return Ok(None);
    }
    let utc = UTC.get_or_try_init(py, || {
        py.import("datetime")?
            .getattr("timezone")?
            .getattr("utc")?
            .into_py_any(py)
    })?;
    let offset_us = if v.getattr(intern!(py, "tzinfo"))?.is(utc.bind(py)) {
        0
    } else {
        let off = v.call_method0(intern!(py, "utcoffset"))?;
        if off.is_none() {
            return Ok(None);
        }
        let days: i64 = off.getattr(intern!(py, "days"))?.extract()?;
        let secs: i64 = off.getattr(intern!(py, "seconds"))?.extract()?;
        let micros: i64 = off.getattr(intern!(py, "microseconds"))?.extract()?;
        let total = (days * 86_400 + secs) * 1_000_000 + micros;
        if total % 60_000_000 != 0 || total.abs() >= 86_400_000_000 {
            return Ok(None);
        }
        total
    };
    let year: i32 = v.getattr(intern!(py, "year"))?.extract()?;
    let local = NaiveDate::from_ymd_opt(
        year,
        attr_u32(v, intern!(py, "month"))?,
        attr_u32(v, intern!(py, "day"))?,
    )
    .and_then(|d| {
        d.and_hms_micro_opt(
            attr_u32(v, intern!(py, "hour")).ok()?,
            attr_u32(v, intern!(py, "minute")).ok()?,
            attr_u32(v, intern!(py, "second")).ok()?,
            attr_u32(v, intern!(py, "microsecond")).ok()?,
        )
    });
    Ok(local
        .and_then(|l| l.checked_sub_signed(TimeDelta::microseconds(offset_us)))
        .map(|t| t.and_utc()))
}
