//! The native Desk handle behind `faultdesk.Desk` and `faultdesk.AsyncDesk`.
//!
//! One entry point per call style: `call(method, actor, args)` blocks without the GIL,
//! `call_async(...)` returns an asyncio awaitable; both run `dispatch::dispatch` on the
//! binding's runtime with panics turned into `FaultdeskError`. Results come back as plain
//! Python values that `faultdesk/_types.py` wraps into typed classes.

use crate::actor::PyActor;
use crate::convert::{Json, to_py, to_value};
use crate::dispatch::{self, Out};
use crate::engines::decision_list;
use crate::error::{internal, internal_attached, panic_message, to_pyerr, to_pyerr_attached};
use crate::runtime::{forked_message, future_into_py, runtime};
use crate::subscription::NativeSubscription;
use faultdesk::{Desk, DeskConfig, EventFilter, Result};
use futures::FutureExt;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use std::mem::ManuallyDrop;
use std::panic::AssertUnwindSafe;
use tokio::sync::watch;

/// Runs `fut`, turning a panic into an `Err(message)` instead of unwinding into Python.
async fn guarded<T>(
    fut: impl Future<Output = Result<T>>,
) -> std::result::Result<Result<T>, String> {
    AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .map_err(|p| panic_message(&*p))
}

/// Blocks on `fut` on the binding's runtime without the GIL; Desk errors become their
/// exception class, panics a `FaultdeskError`.
fn run_blocking<T: Send>(
    py: Python<'_>,
    fut: impl Future<Output = Result<T>> + Send,
) -> PyResult<T> {
    let rt = runtime();
    match py.detach(|| rt.block_on(guarded(fut))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(py, &e)),
        Err(msg) => Err(internal(py, msg)),
    }
}

/// Runs `fut` on the binding's runtime as an asyncio awaitable (same error mapping).
fn run_async<'py, T>(
    py: Python<'py>,
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    future_into_py(py, async move {
        match guarded(fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(to_pyerr_attached(&e)),
            Err(msg) => Err(internal_attached(msg)),
        }
    })
}

/// A use-case result as Python: the JSON value, or `(value, bytes)` for `open_attachment`.
struct Result2Py(Out);

impl<'py> IntoPyObject<'py> for Result2Py {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = to_py(py, &self.0.value)?;
        if let Some(ds) = self.0.decisions {
            v.set_item("decisions", decision_list(py, ds)?)?;
        }
        match self.0.content {
            None => Ok(v),
            Some(bytes) => {
                let b = PyBytes::new(py, &bytes);
                Ok(PyTuple::new(py, [v, b.into_any()])?.into_any())
            }
        }
    }
}

/// Parses the config argument (JSON text, serialised by the Python layer).
fn config_from(py: Python<'_>, config_json: Option<&str>) -> PyResult<DeskConfig> {
    match config_json {
        None => Ok(DeskConfig::default()),
        Some(j) => DeskConfig::from_json(j).map_err(|e| to_pyerr(py, &e)),
    }
}

/// The native Desk handle.
#[pyclass(frozen, name = "NativeDesk", module = "faultdesk._faultdesk")]
pub struct NativeDesk {
    /// Dropped only in the process that opened it (see `Drop`).
    desk: ManuallyDrop<Desk>,
    /// The process that opened it.
    pid: u32,
    /// `true` once `close()` ran: calls fail, subscriptions end.
    closed: watch::Sender<bool>,
}

impl NativeDesk {
    fn new(desk: Desk) -> Self {
        NativeDesk {
            desk: ManuallyDrop::new(desk),
            pid: std::process::id(),
            closed: watch::Sender::new(false),
        }
    }

    /// Refuses use in a forked child and after `close()`.
    fn usable(&self, py: Python<'_>) -> PyResult<()> {
        if std::process::id() != self.pid {
            return Err(internal(py, forked_message("Desk", self.pid)));
        }
        if *self.closed.borrow() {
            return Err(internal(py, "this Desk is closed"));
        }
        Ok(())
    }
}

impl Drop for NativeDesk {
    fn drop(&mut self) {
        // In a forked child the Desk's pool and runtime belong to the parent: releasing them
        // here could wait on threads that do not exist in this process, so it is leaked.
        if std::process::id() == self.pid {
            // SAFETY: dropped exactly once, here; never used afterwards.
            unsafe { ManuallyDrop::drop(&mut self.desk) }
        }
    }
}

#[pymethods]
impl NativeDesk {
    /// Opens (and migrates) the database, blocking without the GIL.
    #[staticmethod]
    #[pyo3(signature = (url, config_json = None))]
    fn open(py: Python<'_>, url: String, config_json: Option<String>) -> PyResult<NativeDesk> {
        let config = config_from(py, config_json.as_deref())?;
        run_blocking(py, async move { Desk::open(&url, config).await }).map(NativeDesk::new)
    }

    /// Opens the database from asyncio: an awaitable of the handle.
    #[staticmethod]
    #[pyo3(signature = (url, config_json = None))]
    fn open_async(
        py: Python<'_>,
        url: String,
        config_json: Option<String>,
    ) -> PyResult<Bound<'_, PyAny>> {
        let config = config_from(py, config_json.as_deref())?;
        run_async(py, async move {
            Desk::open(&url, config).await.map(NativeDesk::new)
        })
    }

    /// Calls use-case `method` with `args` (a dict), blocking without the GIL. `content` is
    /// the upload of `add_attachment`.
    #[pyo3(signature = (method, actor, args, content = None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        method: String,
        actor: &PyActor,
        args: &Bound<'py, PyDict>,
        content: Option<PyBackedBytes>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.usable(py)?;
        let args = to_value(args.as_any(), "args")?;
        let content = content.map(|b| b.to_vec());
        let (desk, actor) = ((*self.desk).clone(), actor.inner.clone());
        let out = run_blocking(py, dispatch::dispatch(desk, actor, method, args, content))?;
        Result2Py(out).into_pyobject(py)
    }

    /// Calls use-case `method` with `args` from asyncio: an awaitable of the result.
    #[pyo3(signature = (method, actor, args, content = None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        method: String,
        actor: &PyActor,
        args: &Bound<'py, PyDict>,
        content: Option<PyBackedBytes>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.usable(py)?;
        let args = to_value(args.as_any(), "args")?;
        let content = content.map(|b| b.to_vec());
        let (desk, actor) = ((*self.desk).clone(), actor.inner.clone());
        run_async(py, async move {
            dispatch::dispatch(desk, actor, method, args, content)
                .await
                .map(Result2Py)
        })
    }

    /// Closes the connection pool; later calls raise, subscriptions end. Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        if *self.closed.borrow() {
            return Ok(());
        }
        self.usable(py)?;
        let desk = (*self.desk).clone();
        run_blocking(py, async move { desk.close().await })?;
        self.closed.send_replace(true);
        Ok(())
    }

    /// `close()` from asyncio.
    fn close_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if *self.closed.borrow() {
            return run_async(py, async { Ok(()) });
        }
        self.usable(py)?;
        let desk = (*self.desk).clone();
        let closed = self.closed.clone();
        run_async(py, async move {
            desk.close().await?;
            closed.send_replace(true);
            Ok(())
        })
    }

    /// True once `close()` ran.
    #[getter]
    fn closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// Committed events of `actor`'s tenant (and visibility) whose kind matches one of
    /// `kinds` (`ticket.*`, `alarm.raised`; empty: all), from now on.
    #[pyo3(signature = (actor, kinds = None))]
    fn subscribe(
        &self,
        py: Python<'_>,
        actor: &PyActor,
        kinds: Option<Vec<String>>,
    ) -> PyResult<NativeSubscription> {
        self.usable(py)?;
        let sub = self
            .desk
            .subscribe(&actor.inner, EventFilter::kinds(kinds.unwrap_or_default()))
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(NativeSubscription::start(sub, self.closed.subscribe()))
    }

    /// The Desk clock's current instant (RFC 3339).
    fn now(&self) -> String {
        self.desk.now().to_rfc3339()
    }

    /// The names of the use-cases `call` answers to.
    #[staticmethod]
    fn methods() -> Vec<&'static str> {
        dispatch::methods()
    }

    fn __repr__(&self) -> String {
        format!("{:?}", *self.desk)
    }
}

/// Test support: panics with `message` inside the binding's runtime, through the same path as
/// `NativeDesk.call` (`awaitable=False`) or `call_async` (`True`), so the test suite can check
/// that a Rust panic reaches Python as a `FaultdeskError` and never aborts the interpreter.
#[pyfunction]
#[pyo3(signature = (message, awaitable = false))]
pub fn _panic_for_test(
    py: Python<'_>,
    message: String,
    awaitable: bool,
) -> PyResult<Bound<'_, PyAny>> {
    let fut = async move {
        if !message.is_empty() {
            panic!("{message}");
        }
        Ok(Json(serde_json::Value::Null))
    };
    if awaitable {
        run_async(py, fut)
    } else {
        run_blocking(py, fut)?.into_pyobject(py)
    }
}
