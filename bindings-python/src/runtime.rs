//! The binding's own tokio runtime, and fork detection.
//!
//! A tokio runtime's worker threads do not survive `os.fork()`: a child that used the parent's
//! runtime (or a Desk whose connection pool lives in the parent) would wait forever. So the
//! runtime is kept per process id: a child gets a fresh runtime for Desks it opens itself,
//! and using an object created before the fork raises a clear `FaultdeskError` instead of
//! hanging. The asyncio bridge (`pyo3-async-runtimes`) is pointed at the same runtime in the
//! process that first uses it; `AsyncDesk` objects are bound to that process.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::runtime::Runtime;

/// The runtime of the current process, with the pid it was built in.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// The pid in which the asyncio bridge was initialised (0: not yet).
static ASYNC_PID: AtomicU32 = AtomicU32::new(0);

fn build() -> &'static Runtime {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("faultdesk")
        .build()
        .expect("faultdesk: cannot start the tokio runtime");
    // A runtime of a parent process is leaked in the child, never dropped: dropping would try
    // to join threads that do not exist there.
    Box::leak(Box::new(rt))
}

/// The current process's runtime (built on first use, and again in a forked child).
pub fn runtime() -> &'static Runtime {
    let pid = std::process::id();
    let mut guard = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    match *guard {
        Some((p, rt)) if p == pid => rt,
        _ => {
            let rt = build();
            *guard = Some((pid, rt));
            rt
        }
    }
}

/// Points `pyo3-async-runtimes` at this process's runtime. Returns `Err` with the pid of the
/// process that initialised the bridge when that was another process (a forked child).
pub fn async_runtime() -> Result<(), u32> {
    let pid = std::process::id();
    match ASYNC_PID.compare_exchange(0, pid, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => {
            let _ = pyo3_async_runtimes::tokio::init_with_runtime(runtime());
            Ok(())
        }
        Err(p) if p == pid => Ok(()),
        Err(p) => Err(p),
    }
}

/// The message for an object used in a process other than the one that created it.
pub fn forked_message(what: &str, created_in: u32) -> String {
    format!(
        "this {what} was opened in process {created_in} and cannot be used in process {} after os.fork(); open a new faultdesk.Desk in the child process",
        std::process::id()
    )
}
