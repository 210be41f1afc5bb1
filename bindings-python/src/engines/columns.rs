//! Reading the columns of `Correlator.ingest_columns`: one Python sequence per event field (a
//! `list`, a `tuple` or any other sequence with a length), or one value standing for every row
//! (a `str` for the text fields, an `int` for the instant in milliseconds and the subscriber
//! count, a `dict` for the labels). Values are read directly (`str`, `None`, `int`, an exact
//! aware `datetime`); anything else goes through its JSON form and serde, as the dict path
//! reads a field, so the same values are accepted (`uuid.UUID` ids, RFC 3339 strings, ...) and
//! a bad value gets the dict path's message, prefixed with the column and row
//! (`severity[3]: invalid alarm event: ...`). Every row is read and checked into [`Rows`]
//! before the correlator sees any, so a bad value changes nothing. The rows are not turned
//! into one `AlarmEvent` each: the text of a column sits in one buffer, and each row is written
//! into one reused event when it is ingested (no allocation per row and field).

use super::event::utc_instant;
use crate::convert::to_value;
use crate::error::validation;
use chrono::{DateTime, Utc};
use fault_core::{AlarmEvent, AlarmSource, Severity};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PySequence, PyString, PyTuple};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

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

/// The columns of `Correlator.ingest_columns`, as given (each `None` when not given; the
/// fields are the `AlarmEvent` fields of the same names).
pub struct ColumnArgs<'a, 'py> {
    /// `tenant_id` (required).
    pub tenant_id: &'a Bound<'py, PyAny>,
    /// `event_type` (required).
    pub event_type: &'a Bound<'py, PyAny>,
    /// The instants as epoch milliseconds, UTC (or `occurred_at`).
    pub occurred_at_ms: Option<&'a Bound<'py, PyAny>>,
    /// The instants as aware datetimes / RFC 3339 strings (or `occurred_at_ms`).
    pub occurred_at: Option<&'a Bound<'py, PyAny>>,
    /// `alarm_type`.
    pub alarm_type: Option<&'a Bound<'py, PyAny>>,
    /// `severity`.
    pub severity: Option<&'a Bound<'py, PyAny>>,
    /// `source`.
    pub source: Option<&'a Bound<'py, PyAny>>,
    /// `resource_type`.
    pub resource_type: Option<&'a Bound<'py, PyAny>>,
    /// `resource_id`.
    pub resource_id: Option<&'a Bound<'py, PyAny>>,
    /// `resource_name`.
    pub resource_name: Option<&'a Bound<'py, PyAny>>,
    /// `customer_id`.
    pub customer_id: Option<&'a Bound<'py, PyAny>>,
    /// `customer_name`.
    pub customer_name: Option<&'a Bound<'py, PyAny>>,
    /// `subscriber_count`.
    pub subscriber_count: Option<&'a Bound<'py, PyAny>>,
    /// `title`.
    pub title: Option<&'a Bound<'py, PyAny>>,
    /// `description`.
    pub description: Option<&'a Bound<'py, PyAny>>,
    /// `probable_cause`.
    pub probable_cause: Option<&'a Bound<'py, PyAny>>,
    /// `recommended_action`.
    pub recommended_action: Option<&'a Bound<'py, PyAny>>,
    /// `external_alarm_id`.
    pub external_alarm_id: Option<&'a Bound<'py, PyAny>>,
    /// `labels`.
    pub labels: Option<&'a Bound<'py, PyAny>>,
    /// `raw`.
    pub raw: Option<&'a Bound<'py, PyAny>>,
}

/// The field of an event a text column fills.
type Field = for<'e> fn(&'e mut AlarmEvent) -> &'e mut Option<String>;

impl<'py> ColumnArgs<'_, 'py> {
    /// Every row read into Rust, or the first bad column / length / value as a
    /// `ValidationError`.
    pub fn rows(&self, py: Python<'py>) -> PyResult<Rows> {
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
        let texts: [(&str, Option<&Bound<'py, PyAny>>, Field); 11] = [
            ("alarm_type", self.alarm_type, |e| &mut e.alarm_type),
            ("resource_type", self.resource_type, |e| {
                &mut e.resource_type
            }),
            ("resource_id", self.resource_id, |e| &mut e.resource_id),
            ("resource_name", self.resource_name, |e| {
                &mut e.resource_name
            }),
            ("customer_id", self.customer_id, |e| &mut e.customer_id),
            ("customer_name", self.customer_name, |e| {
                &mut e.customer_name
            }),
            ("title", self.title, |e| &mut e.title),
            ("description", self.description, |e| &mut e.description),
            ("probable_cause", self.probable_cause, |e| {
                &mut e.probable_cause
            }),
            ("recommended_action", self.recommended_action, |e| {
                &mut e.recommended_action
            }),
            ("external_alarm_id", self.external_alarm_id, |e| {
                &mut e.external_alarm_id
            }),
        ];
        let tenant = required("tenant_id", self.tenant_id)?;
        let event_type = required("event_type", self.event_type)?;
        let time_col =
            column(time.0, Some(time.2), time.1)?.expect("a non-None time argument gives a column");
        let mut opt_texts = Vec::with_capacity(texts.len());
        for (name, obj, field) in &texts {
            opt_texts.push((*name, column(name, *obj, Shape::Text)?, *field));
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
        .chain(opt_texts.iter().map(|(n, c, _)| (*n, c.as_ref())))
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

        let at = if time.0 == "occurred_at_ms" {
            read_ms(py, &time_col, n)?
        } else {
            read_vals(py, &time_col, "occurred_at", n, utc_instant)?
        };
        let mut texts = Vec::with_capacity(opt_texts.len());
        for (name, c, field) in &opt_texts {
            let col = c.as_ref().map(|c| read_text(py, c, name, n, false));
            texts.push((col.transpose()?, *field));
        }
        Ok(Rows {
            n,
            tenant_id: read_text(py, &tenant, "tenant_id", n, true)?,
            event_type: read_text(py, &event_type, "event_type", n, true)?,
            occurred_at: at,
            texts,
            severity: severity
                .map(|c| read_vals(py, &c, "severity", n, opt_severity))
                .transpose()?,
            source: source
                .map(|c| read_vals(py, &c, "source", n, opt_source))
                .transpose()?,
            subscriber_count: subscribers
                .map(|c| read_vals(py, &c, "subscriber_count", n, count))
                .transpose()?,
            labels: labels
                .map(|c| read_vals(py, &c, "labels", n, none_as_default))
                .transpose()?,
            raw: raw
                .map(|c| read_vals(py, &c, "raw", n, none_as_default))
                .transpose()?,
        })
    }
}

/// The rows of `ingest_columns`, read and checked, each written into an event that is reused
/// (the text of every row of a column sits in one buffer; writing a row copies it into the
/// event's strings, whose allocations are kept). A field without a column is `None` / empty.
pub struct Rows {
    n: usize,
    tenant_id: Text,
    event_type: Text,
    occurred_at: Vals<DateTime<Utc>>,
    texts: Vec<(Option<Text>, Field)>,
    severity: Option<Vals<Option<Severity>>>,
    source: Option<Vals<Option<AlarmSource>>>,
    subscriber_count: Option<Vals<u32>>,
    labels: Option<Vals<BTreeMap<String, String>>>,
    raw: Option<Vals<serde_json::Value>>,
}

impl Rows {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Writes row `i` into `ev`, every field (an event of another batch may be reused). Each
    /// row is written once: its labels and raw payload are moved out.
    pub fn write(&mut self, i: usize, ev: &mut AlarmEvent) {
        // every field is written below: a new field of AlarmEvent fails to compile here
        let AlarmEvent {
            tenant_id: _,
            event_type: _,
            alarm_type: _,
            severity: _,
            source: _,
            resource_type: _,
            resource_id: _,
            resource_name: _,
            customer_id: _,
            customer_name: _,
            subscriber_count: _,
            title: _,
            description: _,
            probable_cause: _,
            recommended_action: _,
            external_alarm_id: _,
            labels: _,
            raw: _,
            occurred_at: _,
        } = &*ev;
        self.tenant_id.write(i, &mut ev.tenant_id);
        self.event_type.write(i, &mut ev.event_type);
        ev.occurred_at = self.occurred_at.take(i);
        for (col, field) in &self.texts {
            match col {
                Some(c) => c.write_opt(i, field(ev)),
                None => *field(ev) = None,
            }
        }
        ev.severity = self.severity.as_mut().and_then(|c| c.take(i));
        ev.source = self.source.as_mut().and_then(|c| c.take(i));
        ev.subscriber_count = self.subscriber_count.as_mut().map_or(0, |c| c.take(i));
        ev.labels = self.labels.as_mut().map(|c| c.take(i)).unwrap_or_default();
        ev.raw = self.raw.as_mut().map(|c| c.take(i)).unwrap_or_default();
    }
}

/// Where a row's text is in its column's buffer (`None`: the row has none).
type Span = Option<(usize, usize)>;

/// A text column read into Rust: one value for every row, or every row's text (or `None`) as
/// a range of one buffer.
enum Text {
    Const(Option<String>),
    Rows { buf: String, spans: Vec<Span> },
}

impl Text {
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Const(v) => v.as_deref(),
            Text::Rows { buf, spans } => spans[i].map(|(a, b)| &buf[a..b]),
        }
    }

    /// Row `i` into a required field (its allocation kept).
    fn write(&self, i: usize, out: &mut String) {
        out.clear();
        out.push_str(self.get(i).unwrap_or_default());
    }

    /// Row `i` into an optional field (its allocation kept when it had one).
    fn write_opt(&self, i: usize, out: &mut Option<String>) {
        match (self.get(i), out.as_mut()) {
            (None, _) => *out = None,
            (Some(s), Some(o)) => {
                o.clear();
                o.push_str(s);
            }
            (Some(s), None) => *out = Some(s.to_owned()),
        }
    }
}

/// Reads text column `name` of `n` rows (`required`: `None` is refused, as for a `str`
/// field of the dict path). A value that is not a `str` (nor `None` where allowed) goes
/// through JSON and serde: a `uuid.UUID` is its string, anything else the dict path's error.
fn read_text(
    py: Python<'_>,
    col: &Col<'_>,
    name: &str,
    n: usize,
    required: bool,
) -> PyResult<Text> {
    let slow = |v: &Bound<'_, PyAny>, path: &dyn Fn() -> String| -> PyResult<Option<String>> {
        let path = path();
        let json = to_value(v, &path)?;
        let r = if required {
            serde_json::from_value::<String>(json).map(Some)
        } else {
            serde_json::from_value::<Option<String>>(json)
        };
        r.map_err(|e| validation(py, format!("{path}: invalid alarm event: {e}")))
    };
    if let Col::Const(v) = col {
        return Ok(Text::Const(match v.cast::<PyString>() {
            Ok(s) => Some(s.to_str()?.to_owned()),
            Err(_) => slow(v, &|| name.to_owned())?,
        }));
    }
    let mut buf = String::with_capacity(n * 12);
    let mut spans = Vec::with_capacity(n);
    // the previous row's object and range: a column often repeats one `str` object
    let mut last: Option<(Bound<'_, PyAny>, Span)> = None;
    for i in 0..n {
        let v = col.get(i)?;
        if let Some((o, span)) = &last
            && o.is(&v)
        {
            spans.push(*span);
            continue;
        }
        let span = if let Ok(s) = v.cast::<PyString>() {
            let a = buf.len();
            buf.push_str(s.to_str()?);
            Some((a, buf.len()))
        } else if v.is_none() && !required {
            None
        } else {
            slow(&v, &|| format!("{name}[{i}]"))?.map(|s| {
                let a = buf.len();
                buf.push_str(&s);
                (a, buf.len())
            })
        };
        spans.push(span);
        last = Some((v, span));
    }
    Ok(Text::Rows { buf, spans })
}

/// A column of other values read into Rust: one for every row, or one per row.
enum Vals<T> {
    Const(T),
    Rows(Vec<T>),
}

impl<T: Clone + Default> Vals<T> {
    /// Row `i`'s value (moved out: each row is read once).
    fn take(&mut self, i: usize) -> T {
        match self {
            Vals::Const(v) => v.clone(),
            Vals::Rows(v) => std::mem::take(&mut v[i]),
        }
    }
}

/// Reads column `name` of `n` rows: `fast` reads the plain values (`None` when it does not
/// take the value), anything else goes through JSON and serde, as the dict path reads it.
fn read_vals<'py, T: DeserializeOwned>(
    py: Python<'py>,
    col: &Col<'py>,
    name: &str,
    n: usize,
    fast: fn(&Bound<'py, PyAny>) -> PyResult<Option<T>>,
) -> PyResult<Vals<T>> {
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
        return Ok(Vals::Const(read(v, &|| name.to_owned())?));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(read(&col.get(i)?, &|| format!("{name}[{i}]"))?);
    }
    Ok(Vals::Rows(out))
}

/// Reads `occurred_at_ms`: epoch milliseconds (UTC), `int`s.
fn read_ms(py: Python<'_>, col: &Col<'_>, n: usize) -> PyResult<Vals<DateTime<Utc>>> {
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
        return Ok(Vals::Const(read(v, &|| "occurred_at_ms".to_owned())?));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(read(&col.get(i)?, &|| format!("occurred_at_ms[{i}]"))?);
    }
    Ok(Vals::Rows(out))
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
