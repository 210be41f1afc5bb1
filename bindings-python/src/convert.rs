//! Conversions between Python values and JSON values, which the Desk's serde types read and
//! write. Python-specific types are mapped at this boundary: `uuid.UUID` → its string, an
//! aware `datetime` → RFC 3339 (a naive one is a `ValidationError`), `date` → ISO date,
//! `decimal.Decimal` → its exact string, objects with `to_dict()` → that dict, enums → their
//! value. The typed result classes (in `faultdesk/_types.py`) turn strings back into
//! `uuid.UUID`, `datetime` and `Decimal` by field.

use crate::error::validation;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString,
    PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

static UUID: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ENUM: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// True when `obj` is a `uuid.UUID`.
pub fn is_uuid(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    obj.is_instance(UUID.import(obj.py(), "uuid", "UUID")?)
}

/// Reads an identifier given as `str` or `uuid.UUID` (tenant and user ids, object ids).
pub fn id_string(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str()?.to_string());
    }
    if is_uuid(obj)? {
        return Ok(obj.str()?.to_str()?.to_string());
    }
    Err(validation(
        obj.py(),
        format!(
            "{what} must be a str or uuid.UUID, got {}",
            obj.get_type().name()?
        ),
    ))
}

/// Reads a faultdesk object id (`uuid.UUID` or its string form).
pub fn uuid_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<uuid::Uuid> {
    let s = id_string(obj, what)?;
    uuid::Uuid::parse_str(s.trim())
        .map_err(|_| validation(obj.py(), format!("{what} is not a valid UUID: {s:?}")))
}

/// Converts a Python value to JSON (see the module docs); `path` names the value in errors.
pub fn to_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_string()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(validation(py, format!("{path}: integer out of range")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| {
                validation(py, format!("{path}: {} is not a finite number", f.value()))
            });
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = key_string(&k, path)?;
            let child = format!("{path}.{key}");
            map.insert(key, to_value(&v, &child)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for (i, v) in l.iter().enumerate() {
            out.push(to_value(&v, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for (i, v) in t.iter().enumerate() {
            out.push(to_value(&v, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    if is_uuid(obj)? {
        return Ok(Value::String(obj.str()?.to_str()?.to_string()));
    }
    if obj.is_instance(DATETIME.import(py, "datetime", "datetime")?)? {
        return datetime_string(obj, path).map(Value::String);
    }
    if obj.is_instance(DATE.import(py, "datetime", "date")?)? {
        return Ok(Value::String(
            obj.call_method0("isoformat")?.extract::<String>()?,
        ));
    }
    if obj.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
        return Ok(Value::String(obj.str()?.to_str()?.to_string()));
    }
    if obj.is_instance(ENUM.import(py, "enum", "Enum")?)? {
        return to_value(&obj.getattr("value")?, path);
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Err(validation(
            py,
            format!("{path}: bytes are not accepted here"),
        ));
    }
    if obj.hasattr("to_dict")? {
        return to_value(&obj.call_method0("to_dict")?, path);
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let d = PyDict::new(py);
        for item in m.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            d.set_item(k, v)?;
        }
        return to_value(d.as_any(), path);
    }
    if let Ok(s) = obj.cast::<PySequence>() {
        let mut out = Vec::new();
        for (i, v) in s.try_iter()?.enumerate() {
            out.push(to_value(&v?, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    if obj.hasattr("__iter__")? && obj.is_instance_of::<pyo3::types::PySet>() {
        let mut out = Vec::new();
        for (i, v) in obj.try_iter()?.enumerate() {
            out.push(to_value(&v?, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    Err(validation(
        py,
        format!(
            "{path}: unsupported value of type {}",
            obj.get_type().name()?
        ),
    ))
}

/// A dict key: `str`, or `uuid.UUID`/`int` turned into a string.
fn key_string(k: &Bound<'_, PyAny>, path: &str) -> PyResult<String> {
    if let Ok(s) = k.cast::<PyString>() {
        return Ok(s.to_str()?.to_string());
    }
    if is_uuid(k)? || k.is_instance_of::<PyInt>() {
        return Ok(k.str()?.to_str()?.to_string());
    }
    Err(validation(
        k.py(),
        format!("{path}: dict keys must be strings"),
    ))
}

/// An aware `datetime` as RFC 3339; a naive one is a `ValidationError`.
pub fn datetime_string(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<String> {
    let py = obj.py();
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(validation(
            py,
            format!(
                "{path}: naive datetime {} is not accepted; pass a timezone-aware datetime (e.g. datetime.now(timezone.utc))",
                obj.call_method0("isoformat")?.extract::<String>()?
            ),
        ));
    }
    obj.call_method0("isoformat")?.extract()
}

/// Reads an aware `datetime` (or an RFC 3339 string) as a UTC instant.
pub fn instant_arg(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<chrono::DateTime<chrono::Utc>> {
    let s = if let Ok(s) = obj.cast::<PyString>() {
        s.to_str()?.to_string()
    } else if obj.is_instance(DATETIME.import(obj.py(), "datetime", "datetime")?)? {
        datetime_string(obj, path)?
    } else {
        return Err(validation(
            obj.py(),
            format!("{path} must be a timezone-aware datetime"),
        ));
    };
    chrono::DateTime::parse_from_rfc3339(&s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .map_err(|e| validation(obj.py(), format!("{path}: invalid datetime {s:?}: {e}")))
}

/// Converts JSON to plain Python values (`dict`, `list`, `str`, `int`, `float`, `bool`, `None`).
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(to_py(py, x)?)?;
            }
            l.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A JSON value that converts itself to Python (the result type of the Desk futures).
pub struct Json(pub Value);

impl<'py> IntoPyObject<'py> for Json {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        to_py(py, &self.0)
    }
}
