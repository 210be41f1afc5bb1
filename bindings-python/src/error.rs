//! The exception hierarchy and the mapping from `faultdesk::Error` kinds to it (one place, like
//! lancedb's `error.rs` and opendal's one-kind-one-class rule).
//!
//! `FaultdeskError` is the base; `NotFoundError`, `ConflictError`, `PermissionDeniedError`,
//! `ValidationError` (also a `ValueError`), `InvalidTransitionError` and `StorageError` mirror
//! [`faultdesk::ErrorKind`]. `str(err)` is the Rust message exactly; `err.code` is the kind's
//! stable code and `err.retryable` tells whether a transient storage failure ran out of retries.

use faultdesk::{Error, ErrorKind};
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// The exception classes, created once per interpreter at module initialisation.
struct Classes {
    base: Py<PyType>,
    not_found: Py<PyType>,
    conflict: Py<PyType>,
    permission_denied: Py<PyType>,
    validation: Py<PyType>,
    invalid_transition: Py<PyType>,
    storage: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// Creates `name` as `type(name, bases, {"__module__": "faultdesk", "__doc__": doc})`.
fn new_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: Vec<Bound<'py, PyAny>>,
    doc: &str,
) -> PyResult<Py<PyType>> {
    let ns = PyDict::new(py);
    ns.set_item("__module__", "faultdesk")?;
    ns.set_item("__doc__", doc)?;
    // Class-level defaults of the attributes every raised instance gets (see `raise`).
    ns.set_item("code", "INTERNAL")?;
    ns.set_item("retryable", false)?;
    let bases = PyTuple::new(py, bases)?;
    let builtins = py.import("builtins")?;
    let ty = builtins.getattr("type")?.call1((name, bases, ns))?;
    Ok(ty.cast_into::<PyType>()?.unbind())
}

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let base = new_class(
            py,
            "FaultdeskError",
            vec![py.get_type::<PyException>().into_any()],
            "Base class of every faultdesk error. `str(err)` is the message; `err.code` the kind.",
        )?;
        let sub = |name: &str, doc: &str| {
            new_class(py, name, vec![base.bind(py).clone().into_any()], doc)
        };
        Ok::<_, PyErr>(Classes {
            not_found: sub(
                "NotFoundError",
                "The object does not exist for this actor (also: another tenant's).",
            )?,
            conflict: sub(
                "ConflictError",
                "The change conflicts with the current state.",
            )?,
            permission_denied: sub("PermissionDeniedError", "The actor lacks a permission.")?,
            validation: new_class(
                py,
                "ValidationError",
                vec![
                    base.bind(py).clone().into_any(),
                    py.get_type::<PyValueError>().into_any(),
                ],
                "The input was malformed or out of range; nothing was written.",
            )?,
            invalid_transition: sub(
                "InvalidTransitionError",
                "A workflow or lifecycle transition that is not allowed from the current state.",
            )?,
            storage: sub("StorageError", "The database or blob store failed.")?,
            base,
        })
    })
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let c = classes(py)?;
    for (name, ty) in [
        ("FaultdeskError", &c.base),
        ("NotFoundError", &c.not_found),
        ("ConflictError", &c.conflict),
        ("PermissionDeniedError", &c.permission_denied),
        ("ValidationError", &c.validation),
        ("InvalidTransitionError", &c.invalid_transition),
        ("StorageError", &c.storage),
    ] {
        m.add(name, ty.bind(py))?;
    }
    Ok(())
}

/// Builds the Python exception of `kind` with `message`, `code` and `retryable` attributes.
fn raise(py: Python<'_>, kind: Option<ErrorKind>, message: &str, retryable: bool) -> PyErr {
    let c = match classes(py) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let ty = match kind {
        Some(ErrorKind::NotFound) => &c.not_found,
        Some(ErrorKind::Conflict) => &c.conflict,
        Some(ErrorKind::PermissionDenied) => &c.permission_denied,
        Some(ErrorKind::Validation) => &c.validation,
        Some(ErrorKind::InvalidTransition) => &c.invalid_transition,
        Some(ErrorKind::Storage) => &c.storage,
        _ => &c.base,
    };
    match ty.bind(py).call1((message,)) {
        Ok(exc) => {
            let code = kind.map(|k| k.code()).unwrap_or("INTERNAL");
            let _ = exc.setattr("code", code);
            let _ = exc.setattr("retryable", retryable);
            PyErr::from_value(exc)
        }
        Err(e) => e,
    }
}

/// Converts a Desk error to its exception (needs the GIL).
pub fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    raise(py, Some(e.kind()), e.message(), e.is_retryable())
}

/// Converts a Desk error to its exception, attaching to the interpreter first (for use from
/// runtime threads).
pub fn to_pyerr_attached(e: &Error) -> PyErr {
    Python::attach(|py| to_pyerr(py, e))
}

/// A `ValidationError` with `message`.
pub fn validation(py: Python<'_>, message: impl AsRef<str>) -> PyErr {
    raise(py, Some(ErrorKind::Validation), message.as_ref(), false)
}

/// A base `FaultdeskError` (internal failures: panics, use after fork or close), code
/// `INTERNAL`.
pub fn internal(py: Python<'_>, message: impl AsRef<str>) -> PyErr {
    raise(py, None, message.as_ref(), false)
}

/// [`internal`], attaching to the interpreter first (for use from runtime threads).
pub fn internal_attached(message: impl AsRef<str>) -> PyErr {
    Python::attach(|py| internal(py, message))
}

/// The message of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    };
    format!("faultdesk internal error (a Rust panic): {what}")
}

/// Runs `f`, turning a Rust panic into a `FaultdeskError` instead of PyO3's
/// `PanicException` (a `BaseException` that `except Exception` does not catch). Used around
/// every call into the engines and the Desk.
pub fn catch_panic<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(internal(py, panic_message(&*p))),
    }
}
