//! Live subscriptions (`Desk.subscribe`): a pump task on the binding's runtime moves the
//! Desk's events into a channel that Python reads — blocking without the GIL (`next`), from
//! asyncio (`next_async`) or without waiting (`try_next`). Reading a channel can be cancelled
//! at any point without losing an event (a timeout, Ctrl-C, an asyncio cancellation), which
//! the Desk's own `Subscription::next` does not promise while it catches up from the outbox.
//! The pump ends when the Desk is closed or the Python object is dropped.

use crate::convert::Json;
use crate::error::{internal, validation};
use crate::runtime::{forked_message, future_into_py, runtime};
use faultdesk::{Event, Subscription};
use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc, watch};

/// Events buffered between the pump and Python; beyond this the pump waits (and the Desk's
/// subscription catches up from the outbox if its in-process channel overflows meanwhile).
const BUFFER: usize = 256;

/// How long one blocking wait lasts before Python signal handlers (Ctrl-C) get a chance.
const SIGNAL_SLICE: Duration = Duration::from_millis(100);

/// Resolves when `closed` turns `true`; never when the Desk handle is dropped without closing
/// (the subscription keeps the Desk alive, as in Rust).
async fn wait_closed(closed: &mut watch::Receiver<bool>) {
    if closed.wait_for(|c| *c).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Moves events from `sub` into `tx` until the Desk closes or the receiver goes away.
async fn pump(mut sub: Subscription, tx: mpsc::Sender<Event>, mut closed: watch::Receiver<bool>) {
    loop {
        let event = tokio::select! {
            _ = wait_closed(&mut closed) => return,
            _ = tx.closed() => return,
            e = sub.next() => e,
        };
        let Some(event) = event else { return };
        tokio::select! {
            _ = wait_closed(&mut closed) => return,
            sent = tx.send(event) => if sent.is_err() { return },
        }
    }
}

fn event_json(e: Event) -> Json {
    Json(serde_json::to_value(e).unwrap_or_default())
}

/// A live subscription (wrapped by `faultdesk.Subscription` / `AsyncSubscription`).
#[pyclass(frozen, name = "NativeSubscription", module = "faultdesk._faultdesk")]
pub struct NativeSubscription {
    rx: Arc<Mutex<mpsc::Receiver<Event>>>,
    pid: u32,
}

impl NativeSubscription {
    /// Starts the pump for `sub`; `closed` is the Desk's close signal.
    pub fn start(sub: Subscription, closed: watch::Receiver<bool>) -> Self {
        let (tx, rx) = mpsc::channel(BUFFER);
        runtime().spawn(pump(sub, tx, closed));
        NativeSubscription {
            rx: Arc::new(Mutex::new(rx)),
            pid: std::process::id(),
        }
    }

    fn check_process(&self, py: Python<'_>) -> PyResult<()> {
        if std::process::id() != self.pid {
            return Err(internal(py, forked_message("subscription", self.pid)));
        }
        Ok(())
    }
}

#[pymethods]
impl NativeSubscription {
    /// The next event as a dict, waiting at most `timeout` seconds (`None`: until one comes);
    /// `None` when the timeout passed. Raises `StopIteration` once the Desk is closed.
    #[pyo3(signature = (timeout = None))]
    fn next<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        self.check_process(py)?;
        let deadline = match timeout {
            None => None,
            Some(t) if t.is_finite() && t >= 0.0 => {
                Some(Instant::now() + Duration::from_secs_f64(t))
            }
            Some(t) => {
                return Err(validation(
                    py,
                    format!("timeout must be a non-negative number of seconds, got {t}"),
                ));
            }
        };
        let rt = runtime();
        loop {
            let slice = deadline.map_or(SIGNAL_SLICE, |d| {
                d.saturating_duration_since(Instant::now())
                    .min(SIGNAL_SLICE)
            });
            let rx = self.rx.clone();
            let got = py.detach(|| {
                rt.block_on(async move {
                    let mut rx = rx.lock().await;
                    tokio::time::timeout(slice, rx.recv()).await
                })
            });
            match got {
                Ok(Some(e)) => return event_json(e).into_pyobject(py),
                Ok(None) => return Err(PyStopIteration::new_err(())),
                Err(_elapsed) => {
                    py.check_signals()?;
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(py.None().into_bound(py));
                    }
                }
            }
        }
    }

    /// The next event as a dict (an awaitable); raises `StopAsyncIteration` once the Desk is
    /// closed.
    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.check_process(py)?;
        let rx = self.rx.clone();
        future_into_py(py, async move {
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(e) => Ok(event_json(e)),
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }

    /// The next event already received, without waiting (`None` when there is none). Raises
    /// `StopIteration` once the Desk is closed and every event was read.
    fn try_next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.check_process(py)?;
        let mut rx = self
            .rx
            .try_lock()
            .map_err(|_| validation(py, "the subscription is being read by another caller"))?;
        match rx.try_recv() {
            Ok(e) => event_json(e).into_pyobject(py),
            Err(mpsc::error::TryRecvError::Empty) => Ok(py.None().into_bound(py)),
            Err(mpsc::error::TryRecvError::Disconnected) => Err(PyStopIteration::new_err(())),
        }
    }
}
