//! `Actor`, the native Desk handle and subscriptions.
//!
//! The native handle exposes one entry point per call style: `call(method, actor, args)`
//! (blocking, releases the GIL) and `call_async(...)` (an asyncio awaitable). `args` is a dict
//! of the use-case's parameters, converted to JSON and read by the Desk's own serde input
//! types; results come back as plain Python values that `faultdesk/_types.py` wraps into typed
//! classes. The method table below is a 1:1 list of Desk use-cases — no logic of its own.

use crate::convert::{Json, id_string, to_value};
use crate::error::{internal, panic_message, to_pyerr, to_pyerr_attached, validation};
use crate::runtime::{async_runtime, forked_message, runtime};
use faultdesk::{Actor, Desk, DeskConfig, Error, EventFilter, Result};
use futures::FutureExt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use uuid::Uuid;

/// The caller of every Desk method: tenant, user, roles, directly granted permissions, IP.
#[pyclass(frozen, eq, name = "Actor", module = "faultdesk")]
#[derive(Clone, PartialEq)]
pub struct PyActor {
    pub(crate) inner: Actor,
}

#[pymethods]
impl PyActor {
    #[new]
    #[pyo3(signature = (tenant_id, user_id, roles = None, permissions = None, ip = None))]
    fn new(
        tenant_id: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        roles: Option<Vec<String>>,
        permissions: Option<Vec<String>>,
        ip: Option<String>,
    ) -> PyResult<Self> {
        let mut a = Actor::new(
            id_string(tenant_id, "tenant_id")?,
            id_string(user_id, "user_id")?,
        );
        a.roles = roles.unwrap_or_default();
        a.permissions = permissions.unwrap_or_default();
        a.ip = ip;
        Ok(PyActor { inner: a })
    }

    /// The tenant id (a string; UUIDs are stored in their canonical text form).
    #[getter]
    fn tenant_id(&self) -> &str {
        &self.inner.tenant_id
    }

    /// The user id.
    #[getter]
    fn user_id(&self) -> &str {
        &self.inner.user_id
    }

    /// Role names.
    #[getter]
    fn roles(&self) -> Vec<String> {
        self.inner.roles.clone()
    }

    /// Directly granted permission strings.
    #[getter]
    fn permissions(&self) -> Vec<String> {
        self.inner.permissions.clone()
    }

    /// The client's IP address.
    #[getter]
    fn ip(&self) -> Option<&str> {
        self.inner.ip.as_deref()
    }

    /// The actor as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("tenant_id", &self.inner.tenant_id)?;
        d.set_item("user_id", &self.inner.user_id)?;
        d.set_item("roles", &self.inner.roles)?;
        d.set_item("permissions", &self.inner.permissions)?;
        d.set_item("ip", &self.inner.ip)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Actor(tenant_id={:?}, user_id={:?}, roles={:?}, permissions={:?}, ip={:?})",
            self.inner.tenant_id,
            self.inner.user_id,
            self.inner.roles,
            self.inner.permissions,
            self.inner.ip
        )
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.tenant_id.hash(&mut h);
        self.inner.user_id.hash(&mut h);
        self.inner.roles.hash(&mut h);
        self.inner.permissions.hash(&mut h);
        self.inner.ip.hash(&mut h);
        h.finish()
    }
}

/// Reads one argument of a use-case.
fn arg<T: DeserializeOwned>(args: &Value, name: &str) -> Result<T> {
    let v = args.get(name).cloned().unwrap_or(Value::Null);
    serde_json::from_value(v).map_err(|e| Error::validation(format!("invalid {name}: {e}")))
}

/// Reads a UUID argument (`uuid.UUID` or its text).
fn id(args: &Value, name: &str) -> Result<Uuid> {
    match args.get(name) {
        Some(Value::String(s)) => Uuid::parse_str(s.trim())
            .map_err(|_| Error::validation(format!("{name} is not a valid UUID: {s:?}"))),
        _ => Err(Error::validation(format!(
            "{name} is required (uuid.UUID or str)"
        ))),
    }
}

/// Reads an optional UUID argument.
fn opt_id(args: &Value, name: &str) -> Result<Option<Uuid>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => id(args, name).map(Some),
    }
}

fn str_arg(args: &Value, name: &str) -> Result<String> {
    match args.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(Error::validation(format!("{name} is required (str)"))),
    }
}

fn to_json<T: serde::Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::storage(format!("cannot serialise result: {e}")))
}

/// What a use-case returns: JSON, plus content bytes for `open_attachment`.
pub struct Out {
    value: Value,
    content: Option<Vec<u8>>,
}

impl<'py> IntoPyObject<'py> for Out {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = Json(self.value).into_pyobject(py)?;
        match self.content {
            None => Ok(v),
            Some(bytes) => {
                let b = PyBytes::new(py, &bytes);
                Ok(PyTuple::new(py, [v, b.into_any()])?.into_any())
            }
        }
    }
}

fn json_out(v: Value) -> Out {
    Out {
        value: v,
        content: None,
    }
}

/// The Desk use-cases by name. Each reads its arguments, calls the Desk and serialises the
/// result.
async fn dispatch(
    desk: Desk,
    actor: Actor,
    method: String,
    args: Value,
    content: Option<Vec<u8>>,
) -> Result<Out> {
    let a = &actor;
    let v = match method.as_str() {
        // Tickets
        "create_ticket_from_alarm" => to_json(
            desk.create_ticket_from_alarm(a, id(&args, "alarm_id")?, arg(&args, "request")?)
                .await?,
        )?,
        "create_ticket" => to_json(desk.create_ticket(a, arg(&args, "input")?).await?)?,
        "get_ticket" => to_json(desk.get_ticket(a, id(&args, "ticket_id")?).await?)?,
        "get_ticket_by_number" => to_json(
            desk.get_ticket_by_number(a, &str_arg(&args, "number")?)
                .await?,
        )?,
        "update_ticket" => to_json(
            desk.update_ticket(a, id(&args, "ticket_id")?, arg(&args, "patch")?)
                .await?,
        )?,
        "delete_ticket" => {
            desk.delete_ticket(a, id(&args, "ticket_id")?).await?;
            Value::Null
        }
        "assign_ticket" => to_json(
            desk.assign_ticket(a, id(&args, "ticket_id")?, arg(&args, "assignee_id")?)
                .await?,
        )?,
        "transition_ticket" => to_json(
            desk.transition_ticket(
                a,
                id(&args, "ticket_id")?,
                &str_arg(&args, "to_state")?,
                arg(&args, "options")?,
            )
            .await?,
        )?,
        "reopen_ticket" => to_json(
            desk.reopen_ticket(a, id(&args, "ticket_id")?, &str_arg(&args, "reason")?)
                .await?,
        )?,
        "ticket_history" => to_json(desk.ticket_history(a, id(&args, "ticket_id")?).await?)?,
        "list_tickets" => to_json(desk.list_tickets(a, arg(&args, "query")?).await?)?,
        "search_tickets" => to_json(
            desk.search_tickets(a, &str_arg(&args, "text")?, arg(&args, "query")?)
                .await?,
        )?,
        "ticket_stats" => to_json(desk.ticket_stats(a, arg(&args, "query")?).await?)?,
        // Collaboration
        "add_comment" => to_json(
            desk.add_comment(
                a,
                id(&args, "ticket_id")?,
                &str_arg(&args, "body")?,
                arg(&args, "visibility")?,
            )
            .await?,
        )?,
        "edit_comment" => to_json(
            desk.edit_comment(a, id(&args, "comment_id")?, &str_arg(&args, "body")?)
                .await?,
        )?,
        "delete_comment" => {
            desk.delete_comment(a, id(&args, "comment_id")?).await?;
            Value::Null
        }
        "get_comment" => to_json(desk.get_comment(a, id(&args, "comment_id")?).await?)?,
        "list_comments" => to_json(desk.list_comments(a, id(&args, "ticket_id")?).await?)?,
        "add_attachment" => to_json(
            desk.add_attachment_bytes(
                a,
                id(&args, "ticket_id")?,
                arg(&args, "input")?,
                content.unwrap_or_default(),
            )
            .await?,
        )?,
        "list_attachments" => to_json(desk.list_attachments(a, id(&args, "ticket_id")?).await?)?,
        "open_attachment" => {
            use futures::StreamExt;
            let dl = desk.open_attachment(a, id(&args, "attachment_id")?).await?;
            let mut bytes = Vec::new();
            let mut stream = dl.content;
            while let Some(chunk) = stream.next().await {
                let chunk =
                    chunk.map_err(|e| Error::storage(format!("attachment read failed: {e}")))?;
                bytes.extend_from_slice(&chunk);
            }
            return Ok(Out {
                value: to_json(dl.attachment)?,
                content: Some(bytes),
            });
        }
        "delete_attachment" => {
            desk.delete_attachment(a, id(&args, "attachment_id")?)
                .await?;
            Value::Null
        }
        "list_notifications" => Value::Array(
            desk.list_notifications(a, opt_id(&args, "ticket_id")?, arg(&args, "limit")?)
                .await?
                .into_iter()
                .map(|n| {
                    json!({
                        "id": n.id, "tenant_id": n.tenant_id, "channel": n.channel,
                        "recipient": n.recipient, "template": n.template, "subject": n.subject,
                        "payload": n.payload, "status": n.status, "attempts": n.attempts,
                        "last_error": n.last_error, "next_attempt_at": n.next_attempt_at,
                        "sent_at": n.sent_at, "ticket_id": n.ticket_id, "alarm_id": n.alarm_id,
                        "created_at": n.created_at, "updated_at": n.updated_at,
                    })
                })
                .collect(),
        ),
        // Events and work
        "events_since" => to_json(
            desk.events_since(a, arg(&args, "after_seq")?, arg(&args, "limit")?)
                .await?,
        )?,
        "run_due" => {
            let now = match args.get("now") {
                None | Some(Value::Null) => desk.now(),
                Some(_) => arg(&args, "now")?,
            };
            to_json(desk.run_due(now).await?)?
        }
        "deliver_notifications" => to_json(desk.deliver_notifications().await?)?,
        "migrate" => {
            desk.migrate().await?;
            Value::Null
        }
        "close" => {
            desk.close().await?;
            Value::Null
        }
        other => {
            return crate::alarms::dispatch(&desk, a, other, &args)
                .await
                .map(json_out);
        }
    };
    Ok(json_out(v))
}

/// Runs `fut` and turns a panic into an error instead of unwinding into Python.
async fn guarded<T>(
    fut: impl Future<Output = Result<T>>,
) -> std::result::Result<Result<T>, String> {
    AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .map_err(|p| format!("faultdesk internal error (panic): {}", panic_message(&*p)))
}

/// Parses the config argument (JSON text, already serialised by the Python layer).
fn config_from(py: Python<'_>, config_json: Option<&str>) -> PyResult<DeskConfig> {
    match config_json {
        None => Ok(DeskConfig::default()),
        Some(j) => DeskConfig::from_json(j).map_err(|e| to_pyerr(py, &e)),
    }
}

/// The native Desk handle behind `faultdesk.Desk` and `faultdesk.AsyncDesk`.
#[pyclass(frozen, name = "NativeDesk", module = "faultdesk._faultdesk")]
pub struct NativeDesk {
    desk: Desk,
    pid: u32,
}

impl NativeDesk {
    fn check_process(&self, py: Python<'_>) -> PyResult<()> {
        if std::process::id() != self.pid {
            return Err(internal(py, forked_message("Desk", self.pid)));
        }
        Ok(())
    }
}

#[pymethods]
impl NativeDesk {
    /// Opens (and migrates) the database, blocking without the GIL.
    #[staticmethod]
    #[pyo3(signature = (url, config_json = None))]
    fn open(py: Python<'_>, url: String, config_json: Option<String>) -> PyResult<NativeDesk> {
        let config = config_from(py, config_json.as_deref())?;
        let rt = runtime();
        let res = py.detach(|| rt.block_on(guarded(Desk::open(&url, config))));
        match res {
            Ok(Ok(desk)) => Ok(NativeDesk {
                desk,
                pid: std::process::id(),
            }),
            Ok(Err(e)) => Err(to_pyerr(py, &e)),
            Err(msg) => Err(internal(py, msg)),
        }
    }

    /// Opens the database from asyncio: returns an awaitable of the handle.
    #[staticmethod]
    #[pyo3(signature = (url, config_json = None))]
    fn open_async(
        py: Python<'_>,
        url: String,
        config_json: Option<String>,
    ) -> PyResult<Bound<'_, PyAny>> {
        if let Err(p) = async_runtime() {
            return Err(internal(py, forked_message("asyncio runtime", p)));
        }
        let config = config_from(py, config_json.as_deref())?;
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            match guarded(Desk::open(&url, config)).await {
                Ok(Ok(desk)) => Ok(NativeDesk {
                    desk,
                    pid: std::process::id(),
                }),
                Ok(Err(e)) => Err(to_pyerr_attached(&e)),
                Err(msg) => Err(Python::attach(|py| internal(py, msg))),
            }
        })
    }

    /// Calls use-case `method` with `args`, blocking without the GIL.
    #[pyo3(signature = (method, actor, args, content = None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        method: String,
        actor: &PyActor,
        args: &Bound<'py, PyDict>,
        content: Option<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.check_process(py)?;
        let args = to_value(args.as_any(), "args")?;
        let desk = self.desk.clone();
        let actor = actor.inner.clone();
        let rt = runtime();
        let res = py.detach(|| rt.block_on(guarded(dispatch(desk, actor, method, args, content))));
        match res {
            Ok(Ok(out)) => out.into_pyobject(py),
            Ok(Err(e)) => Err(to_pyerr(py, &e)),
            Err(msg) => Err(internal(py, msg)),
        }
    }

    /// Calls use-case `method` with `args` from asyncio: returns an awaitable.
    #[pyo3(signature = (method, actor, args, content = None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        method: String,
        actor: &PyActor,
        args: &Bound<'py, PyDict>,
        content: Option<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.check_process(py)?;
        if let Err(p) = async_runtime() {
            return Err(internal(py, forked_message("asyncio runtime", p)));
        }
        let args = to_value(args.as_any(), "args")?;
        let desk = self.desk.clone();
        let actor = actor.inner.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            match guarded(dispatch(desk, actor, method, args, content)).await {
                Ok(Ok(out)) => Ok(out),
                Ok(Err(e)) => Err(to_pyerr_attached(&e)),
                Err(msg) => Err(Python::attach(|py| internal(py, msg))),
            }
        })
    }

    /// A subscription to committed events of `actor`'s tenant whose kind matches `kinds`
    /// (`ticket.*`, `alarm.raised`; empty: all).
    #[pyo3(signature = (actor, kinds = None))]
    fn subscribe(
        &self,
        py: Python<'_>,
        actor: &PyActor,
        kinds: Option<Vec<String>>,
    ) -> PyResult<NativeSubscription> {
        self.check_process(py)?;
        let sub = self
            .desk
            .subscribe(&actor.inner, EventFilter::kinds(kinds.unwrap_or_default()))
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(NativeSubscription {
            sub: Arc::new(tokio::sync::Mutex::new(sub)),
            pid: self.pid,
        })
    }

    /// The Desk clock's current instant (RFC 3339).
    fn now(&self) -> String {
        self.desk.now().to_rfc3339()
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.desk)
    }
}

/// A live subscription; `next(timeout)` blocks without the GIL, `next_async()` awaits.
#[pyclass(frozen, name = "NativeSubscription", module = "faultdesk._faultdesk")]
pub struct NativeSubscription {
    sub: Arc<tokio::sync::Mutex<faultdesk::Subscription>>,
    pid: u32,
}

fn event_json(e: Option<faultdesk::Event>) -> Json {
    Json(
        e.map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
            .unwrap_or(Value::Null),
    )
}

#[pymethods]
impl NativeSubscription {
    /// The next event as a dict, waiting at most `timeout` seconds (`None`: forever); `None`
    /// when the timeout passed. Raises `StopIteration` when the Desk is gone.
    #[pyo3(signature = (timeout = None))]
    fn next<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        if std::process::id() != self.pid {
            return Err(internal(py, forked_message("subscription", self.pid)));
        }
        let rt = runtime();
        // Wait in slices so Ctrl-C (signals) is seen between them.
        let deadline = timeout
            .map(|t| std::time::Instant::now() + std::time::Duration::from_secs_f64(t.max(0.0)));
        loop {
            let slice = match deadline {
                None => std::time::Duration::from_millis(200),
                Some(d) => d
                    .saturating_duration_since(std::time::Instant::now())
                    .min(std::time::Duration::from_millis(200)),
            };
            let sub = self.sub.clone();
            let got = py.detach(|| {
                rt.block_on(async move {
                    let mut s = sub.lock().await;
                    tokio::time::timeout(slice, s.next()).await
                })
            });
            match got {
                Ok(Some(e)) => return event_json(Some(e)).into_pyobject(py),
                Ok(None) => return Err(pyo3::exceptions::PyStopIteration::new_err(())),
                Err(_) => {
                    py.check_signals()?;
                    if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                        return Ok(py.None().into_bound(py));
                    }
                }
            }
        }
    }

    /// The next event as a dict (awaitable); raises `StopAsyncIteration` when the Desk is gone.
    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if std::process::id() != self.pid {
            return Err(internal(py, forked_message("subscription", self.pid)));
        }
        if let Err(p) = async_runtime() {
            return Err(internal(py, forked_message("asyncio runtime", p)));
        }
        let sub = self.sub.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let mut s = sub.lock().await;
            match s.next().await {
                Some(e) => Ok(event_json(Some(e))),
                None => Err(pyo3::exceptions::PyStopAsyncIteration::new_err(())),
            }
        })
    }

    /// The next already-published event, without waiting (`None` when there is none).
    fn try_next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut s = self
            .sub
            .try_lock()
            .map_err(|_| validation(py, "the subscription is being read by another caller"))?;
        event_json(s.try_next()).into_pyobject(py)
    }
}
