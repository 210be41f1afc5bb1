//! The binding's own tokio runtime, per process, and the asyncio bridge onto it.
//!
//! A tokio runtime's worker threads do not survive `os.fork()`: a child that used the parent's
//! runtime (or a Desk whose connection pool lives in the parent) would wait forever. So the
//! runtime is kept per process id: a forked child builds a fresh runtime on first use, Desks it
//! opens itself work there (blocking and asyncio alike), and an object created before the fork
//! raises a clear `FaultdeskError` instead of hanging (see [`forked_message`]).
//!
//! The asyncio bridge is `pyo3-async-runtimes`' generic one, driven by [`DeskRuntime`], which
//! spawns on this process's runtime — not on the crate's global tokio runtime, which would be
//! the parent's after a fork. The runtime slot is lock-free, so a fork that happens while
//! another thread is reaching for it cannot leave the child waiting on a lock.

use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime as GenericRuntime};
use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicPtr, Ordering};
use tokio::runtime::Runtime;

/// A runtime and the id of the process that built it.
struct ProcessRuntime {
    pid: u32,
    runtime: Runtime,
}

/// The current process's runtime (null: none yet). Entries are leaked, never freed: a parent's
/// runtime seen in a child must not be dropped (that would join threads that do not exist
/// there), and a replaced entry may still be in use by a thread that read it.
static RUNTIME: AtomicPtr<ProcessRuntime> = AtomicPtr::new(std::ptr::null_mut());

fn build(pid: u32) -> Box<ProcessRuntime> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("faultdesk")
        .build()
        .unwrap_or_else(|e| panic!("faultdesk: cannot start the tokio runtime: {e}"));
    Box::new(ProcessRuntime { pid, runtime })
}

/// The current process's runtime (built on first use, and again in a forked child).
pub fn runtime() -> &'static Runtime {
    let pid = std::process::id();
    loop {
        let current = RUNTIME.load(Ordering::Acquire);
        // SAFETY: non-null entries are leaked boxes, valid for the rest of the process.
        if let Some(pr) = unsafe { current.as_ref() }
            && pr.pid == pid
        {
            return &pr.runtime;
        }
        let fresh = Box::into_raw(build(pid));
        match RUNTIME.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            // SAFETY: `fresh` was just leaked and is now published.
            Ok(_) => return unsafe { &(*fresh).runtime },
            Err(_) => {
                // Another thread installed a runtime first: drop ours (it never ran a task)
                // and use theirs.
                // SAFETY: `fresh` was never published, so this is its only owner.
                drop(unsafe { Box::from_raw(fresh) });
            }
        }
    }
}

/// The message for an object used in a process other than the one that created it.
pub fn forked_message(what: &str, created_in: u32) -> String {
    format!(
        "this {what} was opened in process {created_in} and cannot be used in process {} after os.fork(); open a new faultdesk.Desk in the child process",
        std::process::id()
    )
}

/// `pyo3-async-runtimes`' generic asyncio bridge, spawning on [`runtime`].
pub struct DeskRuntime;

/// A spawned task's failure (a panic or cancellation).
pub struct TaskError(tokio::task::JoinError);

impl JoinError for TaskError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }

    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

/// The handle of a task spawned by [`DeskRuntime`].
pub struct TaskHandle(tokio::task::JoinHandle<()>);

impl Future for TaskHandle {
    type Output = Result<(), TaskError>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map_err(TaskError)
    }
}

tokio::task_local! {
    /// The asyncio event loop and context of the awaiting Python task.
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

impl GenericRuntime for DeskRuntime {
    type JoinError = TaskError;
    type JoinHandle = TaskHandle;

    fn spawn<F>(fut: F) -> TaskHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        TaskHandle(runtime().spawn(fut))
    }

    fn spawn_blocking<F>(f: F) -> TaskHandle
    where
        F: FnOnce() + Send + 'static,
    {
        TaskHandle(runtime().spawn_blocking(f))
    }
}

impl ContextExt for DeskRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

/// Turns a Rust future into an asyncio awaitable running on this process's runtime.
pub fn future_into_py<F, T>(
    py: pyo3::Python<'_>,
    fut: F,
) -> pyo3::PyResult<pyo3::Bound<'_, pyo3::PyAny>>
where
    F: Future<Output = pyo3::PyResult<T>> + Send + 'static,
    T: for<'py> pyo3::IntoPyObject<'py> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<DeskRuntime, F, T>(py, fut)
}
