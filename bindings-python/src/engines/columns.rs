//! Reading the columns of `Correlator.ingest_columns` into fault-core `AlarmEvent`s: one Python
//! sequence per event field (a `list`, a `tuple` or any other sequence with a length), or one
//! value standing for every row (a `str` for the text fields, an `int` for the instant in
//! milliseconds and the subscriber count, a `dict` for the labels). Values are read directly
//! (`str`, `None`, `int`, an exact aware `datetime`); anything else goes through its JSON form
//! and serde, as the dict path reads a field, so the same values are accepted (`uuid.UUID` ids,
//! RFC 3339 strings, ...) and a bad value gets the dict path's message, prefixed with the
//! column and row (`severity[3]: invalid alarm event: ...`). Every row is read before the
//! correlator sees any, so a bad value changes nothing.

use super::event::utc_instant;
use crate::convert::to_value;
use crate::error::validation;
use chrono::{DateTime, Utc};
use fault_core::{AlarmEvent, AlarmSource, Severity};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PySequence, PyString, PyTuple};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Epoch milliseconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the instants a
/// Python `datetime` can hold (what the dict path can be given).
const MIN_MS: i64 = -62_135_596_800_000;
const MAX_MS: i64 = 253_402_300_799_999;

/// One column: a sequence read by index, or one value for every row.
enum Col<'py> {
    List(Bound<'py, PyList>),
    Tuple(Bound<'py, PyTuple>),
    Seq(Bound<'py, PySequence>),
    Const(Bound<'py, PyAny>),
}

impl<'py> Col<'py> {
    /// The value of row `i` (the constant for every row).
    fn get(&self, i: usize) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Col::List(l) => l.get_item(i),
            Col::Tuple(t) => t.get_item(i),
            Col::Seq(s) => s.get_item(i),
            Col::Const(v) => Ok(v.clone()),
        }
    }

    /// The number of rows of a sequence column (`None` for a constant).
    fn len(&self) -> PyResult<Option<usize>> {
        Ok(match self {
            Col::List(l) => Some(l.len()),
            Col::Tuple(t) => Some(t.len()),
            Col::Seq(s) => Some(s.len()?),
            Col::Const(_) => None,
        })
    }
}

/// What a column may hold, for its error message and its one-value form.
#[derive(Clone, Copy)]
enum Shape {
    /// `str` values (no `None`: a required field); one `str` stands for every row.
    Required,
    /// `str` values (or `None`); one `str` stands for every row.
    Text,
    /// `int` values; one `int` stands for every row.
    Int,
    /// aware `datetime` values (or RFC 3339 strings); one of them stands for every row.
    Instant,
    /// `dict` values; one `dict` stands for every row.
    Map,
    /// any JSON-like values; no one-value form.
    Any,
}

impl Shape {
    fn describe(self) -> &'static str {
        match self {
            Shape::Required => "a list or tuple of str, or one str for every row",
            Shape::Text => "a list or tuple of str (or None), or one str for every row",
            Shape::Int => "a list or tuple of int, or one int for every row",
            Shape::Instant => {
                "a list or tuple of timezone-aware datetimes, or one datetime for every row"
            }
            Shape::Map => "a list or tuple of dicts (or None), or one dict for every row",
            Shape::Any => "a list or tuple of JSON-like values (or None)",
        }
    }

    /// True when `v` is this shape's one-value form.
    fn is_const(self, v: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = v.py();
        Ok(match self {
            Shape::Required | Shape::Text => v.is_instance_of::<PyString>(),
            Shape::Int => v.is_instance_of::<PyInt>(),
            Shape::Instant => {
                v.is_instance_of::<PyString>()
                    || v.is_instance(
                        py.import(pyo3::intern!(py, "datetime"))?
                            .getattr(pyo3::intern!(py, "datetime"))?
                            .as_any(),
                    )?
            }
            Shape::Map => v.is_instance_of::<PyDict>(),
            Shape::Any => false,
        })
    }
}

/// Reads argument `obj` of column `name` (`None`: not given).
fn column<'py>(
    name: &str,
    obj: Option<&Bound<'py, PyAny>>,
    shape: Shape,
) -> PyResult<Option<Col<'py>>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    if shape.is_const(obj)? {
        return Ok(Some(Col::Const(obj.clone())));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(Some(Col::List(l.clone())));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(Some(Col::Tuple(t.clone())));
    }
    if !obj.is_instance_of::<PyString>()
        && let Ok(s) = obj.cast::<PySequence>()
    {
        return Ok(Some(Col::Seq(s.clone())));
    }
    Err(validation(
        obj.py(),
        format!(
            "ingest_columns: {name} must be {}, got {}",
            shape.describe(),
            obj.get_type().name()?
        ),
    ))
}

/// The columns of `Correlator.ingest_columns`, as given (each `None` when not given).
pub struct ColumnArgs<'a, 'py> {
    pub tenant_id: &'a Bound<'py, PyAny>,
    pub event_type: &'a Bound<'py, PyAny>,
    pub occurred_at_ms: Option<&'a Bound<'py, PyAny>>,
    pub occurred_at: Option<&'a Bound<'py, PyAny>>,
    pub alarm_type: Option<&'a Bound<'py, PyAny>>,
    pub severity: Option<&'a Bound<'py, PyAny>>,
    pub source: Option<&'a Bound<'py, PyAny>>,
    pub resource_type: Option<&'a Bound<'py, PyAny>>,
    pub resource_id: Option<&'a Bound<'py, PyAny>>,
    pub resource_name: Option<&'a Bound<'py, PyAny>>,
    pub customer_id: Option<&'a Bound<'py, PyAny>>,
    pub customer_name: Option<&'a Bound<'py, PyAny>>,
    pub subscriber_count: Option<&'a Bound<'py, PyAny>>,
    pub title: Option<&'a Bound<'py, PyAny>>,
    pub description: Option<&'a Bound<'py, PyAny>>,
    pub probable_cause: Option<&'a Bound<'py, PyAny>>,
    pub recommended_action: Option<&'a Bound<'py, PyAny>>,
    pub external_alarm_id: Option<&'a Bound<'py, PyAny>>,
    pub labels: Option<&'a Bound<'py, PyAny>>,
    pub raw: Option<&'a Bound<'py, PyAny>>,
}

/// A setter of one event field.
type Set<T> = fn(&mut AlarmEvent, T);

/// A text column's name, argument and setter.
type TextArg<'a, 'py> = (
    &'static str,
    Option<&'a Bound<'py, PyAny>>,
    Set<Option<String>>,
);

impl<'py> ColumnArgs<'_, 'py> {
    /// Every row as an event, or the first bad column / length / value as a `ValidationError`.
    pub fn events(&self, py: Python<'py>) -> PyResult<Vec<AlarmEvent>> {
        let required = |name: &str, obj: &Bound<'py, PyAny>| -> PyResult<Col<'py>> {
            column(name, Some(obj), Shape::Required)?.ok_or_else(|| {
                validation(
                    py,
                    format!(
                        "ingest_columns: {name} is required: {}",
                        Shape::Required.describe()
                    ),
                )
            })
        };
        let time = match (self.occurred_at_ms, self.occurred_at) {
            (Some(ms), None) if !ms.is_none() => ("occurred_at_ms", Shape::Int, ms),
            (None, Some(at)) if !at.is_none() => ("occurred_at", Shape::Instant, at),
            (Some(ms), Some(at)) if !ms.is_none() && !at.is_none() => {
                return Err(validation(
                    py,
                    "ingest_columns: give occurred_at_ms or occurred_at, not both",
                ));
            }
            _ => {
                return Err(validation(
                    py,
                    "ingest_columns: occurred_at_ms (epoch milliseconds, UTC) or occurred_at \
                     (timezone-aware datetimes) is required",
                ));
            }
        };
        let texts: [TextArg<'_, 'py>; 11] = [
            ("alarm_type", self.alarm_type, |e, v| e.alarm_type = v),
            ("resource_type", self.resource_type, |e, v| {
                e.resource_type = v
            }),
            ("resource_id", self.resource_id, |e, v| e.resource_id = v),
            ("resource_name", self.resource_name, |e, v| {
                e.resource_name = v
            }),
            ("customer_id", self.customer_id, |e, v| e.customer_id = v),
            ("customer_name", self.customer_name, |e, v| {
                e.customer_name = v
            }),
            ("title", self.title, |e, v| e.title = v),
            ("description", self.description, |e, v| e.description = v),
            ("probable_cause", self.probable_cause, |e, v| {
                e.probable_cause = v
            }),
            ("recommended_action", self.recommended_action, |e, v| {
                e.recommended_action = v
            }),
            ("external_alarm_id", self.external_alarm_id, |e, v| {
                e.external_alarm_id = v
            }),
        ];
        let tenant = required("tenant_id", self.tenant_id)?;
        let event_type = required("event_type", self.event_type)?;
        let time_col =
            column(time.0, Some(time.2), time.1)?.expect("a non-None time argument gives a column");
        let mut opt_texts = Vec::with_capacity(texts.len());
        for (name, obj, set) in &texts {
            if let Some(c) = column(name, *obj, Shape::Text)? {
                opt_texts.push((*name, c, *set));
            }
        }
        let severity = column("severity", self.severity, Shape::Text)?;
        let source = column("source", self.source, Shape::Text)?;
        let subscribers = column("subscriber_count", self.subscriber_count, Shape::Int)?;
        let labels = column("labels", self.labels, Shape::Map)?;
        let raw = column("raw", self.raw, Shape::Any)?;

        // the row count: every sequence column must have the same length
        let mut rows: Option<(&str, usize)> = None;
        let all = [
            ("tenant_id", Some(&tenant)),
            ("event_type", Some(&event_type)),
            (time.0, Some(&time_col)),
        ]
        .into_iter()
        .chain(opt_texts.iter().map(|(n, c, _)| (*n, Some(c))))
        .chain([
            ("severity", severity.as_ref()),
            ("source", source.as_ref()),
            ("subscriber_count", subscribers.as_ref()),
            ("labels", labels.as_ref()),
            ("raw", raw.as_ref()),
        ]);
        for (name, c) in all {
            let Some(n) = c.map(Col::len).transpose()?.flatten() else {
                continue;
            };
            match rows {
                None => rows = Some((name, n)),
                Some((first, m)) if m != n => {
                    return Err(validation(
                        py,
                        format!(
                            "ingest_columns: columns of different lengths: {first} has {m} rows, \
                             {name} has {n}"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let Some((_, n)) = rows else {
            return Err(validation(
                py,
                "ingest_columns: no column is a sequence (each was given one value for every \
                 row): pass at least one list",
            ));
        };

        let mut evs: Vec<AlarmEvent> = (0..n).map(|_| AlarmEvent::default()).collect();
        fill(py, &tenant, "tenant_id", &mut evs, text, |e, v| {
            e.tenant_id = v
        })?;
        fill(py, &event_type, "event_type", &mut evs, text, |e, v| {
            e.event_type = v
        })?;
        if time.0 == "occurred_at_ms" {
            fill_ms(py, &time_col, &mut evs)?;
        } else {
            fill(
                py,
                &time_col,
                "occurred_at",
                &mut evs,
                utc_instant,
                |e, v| e.occurred_at = v,
            )?;
        }
        for (name, c, set) in &opt_texts {
            fill(py, c, name, &mut evs, opt_text, *set)?;
        }
        if let Some(c) = &severity {
            fill(py, c, "severity", &mut evs, opt_severity, |e, v| {
                e.severity = v
            })?;
        }
        if let Some(c) = &source {
            fill(py, c, "source", &mut evs, opt_source, |e, v| e.source = v)?;
        }
        if let Some(c) = &subscribers {
            fill(py, c, "subscriber_count", &mut evs, count, |e, v| {
                e.subscriber_count = v
            })?;
        }
        if let Some(c) = &labels {
            fill(py, c, "labels", &mut evs, none_as_default, |e, v| {
                e.labels = v
            })?;
        }
        if let Some(c) = &raw {
            fill(py, c, "raw", &mut evs, none_as_default, |e, v| e.raw = v)?;
        }
        Ok(evs)
    }
}

/// Fills field `set` of every event from column `col`: `fast` reads the plain values (`None`
/// when it does not take the value), anything else goes through JSON and serde.
fn fill<'py, T: DeserializeOwned + Clone>(
    py: Python<'py>,
    col: &Col<'py>,
    name: &str,
    evs: &mut [AlarmEvent],
    fast: fn(&Bound<'py, PyAny>) -> PyResult<Option<T>>,
    set: Set<T>,
) -> PyResult<()> {
    let read = |v: &Bound<'py, PyAny>, path: &dyn Fn() -> String| -> PyResult<T> {
        if let Some(x) = fast(v)? {
            return Ok(x);
        }
        let path = path();
        let json = to_value(v, &path)?;
        serde_json::from_value(json)
            .map_err(|e| validation(py, format!("{path}: invalid alarm event: {e}")))
    };
    if let Col::Const(v) = col {
        let x = read(v, &|| name.to_owned())?;
        for e in evs {
            set(e, x.clone());
        }
        return Ok(());
    }
    for (i, e) in evs.iter_mut().enumerate() {
        let v = col.get(i)?;
        set(e, read(&v, &|| format!("{name}[{i}]"))?);
    }
    Ok(())
}

/// Fills `occurred_at` from epoch milliseconds (UTC).
fn fill_ms(py: Python<'_>, col: &Col<'_>, evs: &mut [AlarmEvent]) -> PyResult<()> {
    let read = |v: &Bound<'_, PyAny>, path: &dyn Fn() -> String| -> PyResult<DateTime<Utc>> {
        if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
            return Err(validation(
                py,
                format!(
                    "{}: expected an int (epoch milliseconds, UTC), got {}",
                    path(),
                    v.get_type().name()?
                ),
            ));
        }
        v.extract::<i64>()
            .ok()
            .filter(|ms| (MIN_MS..=MAX_MS).contains(ms))
            .and_then(DateTime::from_timestamp_millis)
            .ok_or_else(|| {
                validation(
                    py,
                    format!(
                        "{}: {v} ms is outside the instants a datetime can hold (years 1 to 9999)",
                        path()
                    ),
                )
            })
    };
    if let Col::Const(v) = col {
        let t = read(v, &|| "occurred_at_ms".to_owned())?;
        for e in evs {
            e.occurred_at = t;
        }
        return Ok(());
    }
    for (i, e) in evs.iter_mut().enumerate() {
        let v = col.get(i)?;
        e.occurred_at = read(&v, &|| format!("occurred_at_ms[{i}]"))?;
    }
    Ok(())
}

/// A `str`.
fn text(v: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    match v.cast::<PyString>() {
        Ok(s) => Ok(Some(s.to_str()?.to_owned())),
        Err(_) => Ok(None),
    }
}

/// A `str` or `None`.
fn opt_text(v: &Bound<'_, PyAny>) -> PyResult<Option<Option<String>>> {
    if v.is_none() {
        return Ok(Some(None));
    }
    Ok(text(v)?.map(Some))
}

/// A severity name or `None` (a bad name goes to serde, for its message).
fn opt_severity(v: &Bound<'_, PyAny>) -> PyResult<Option<Option<Severity>>> {
    if v.is_none() {
        return Ok(Some(None));
    }
    match v.cast::<PyString>() {
        Ok(s) => Ok(s.to_str()?.parse::<Severity>().ok().map(Some)),
        Err(_) => Ok(None),
    }
}

/// A source name or `None` (a bad name goes to serde, for its message).
fn opt_source(v: &Bound<'_, PyAny>) -> PyResult<Option<Option<AlarmSource>>> {
    if v.is_none() {
        return Ok(Some(None));
    }
    match v.cast::<PyString>() {
        Ok(s) => {
            let d = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(s.to_str()?);
            Ok(AlarmSource::deserialize(d).ok().map(Some))
        }
        Err(_) => Ok(None),
    }
}

/// A subscriber count (`None`: 0); bools and negative counts go to serde, which refuses them.
fn count(v: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
    if v.is_none() {
        return Ok(Some(0));
    }
    if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
        return Ok(None);
    }
    Ok(v.extract::<u32>().ok())
}

/// `None` as the field's default (no labels, no raw payload); anything else through serde.
fn none_as_default<T: Default>(v: &Bound<'_, PyAny>) -> PyResult<Option<T>> {
    Ok(v.is_none().then(T::default))
}
