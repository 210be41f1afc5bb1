//! SQLite across `os.fork()`: a child can open its own Desk even when the parent's threads
//! were inside SQLite at the instant of the fork.
//!
//! SQLite keeps process-wide *static* mutexes, and the parent's sqlx worker threads take them on
//! nearly every call. The bundled build (libsqlite3-sys, `SQLITE_ENABLE_MEMORY_MANAGEMENT`)
//! shares one page-cache group between connections, so its LRU mutex is taken on each page
//! fetch; the allocator's on each `sqlite3_malloc`/`sqlite3_free` (memory statistics are on);
//! the unix VFS's on each WAL barrier and file open; the OPEN and main ones when a connection
//! opens or closes (sqlx's in-memory databases use a shared cache). `fork()` copies only the
//! forking thread, so a mutex that another thread held at that instant stays locked in the
//! child for ever, and the child's first `sqlite3_open_v2` waits on it (seen as a pool
//! timeout: "timed out waiting for a database connection").
//!
//! The remedy is the one glibc uses for `malloc`: a `pthread_atfork` handler takes those mutexes
//! before the fork and releases them afterwards in both processes, so the child starts with them
//! free and the data they guard consistent. They are taken in an order compatible with SQLite's
//! own nesting (3.51, checked in its source): OPEN is held while the main and VFS mutexes are
//! taken (`sqlite3BtreeOpen` of a shared cache), the VFS mutex while the PRNG's is taken
//! (temporary file names), the PRNG's while the main one is taken (`sqlite3_vfs_find` on first
//! use), the LRU mutex while the page-memory one is taken (freeing pages), and the allocator's
//! is a leaf (taken under the others, never the other way round). A thread of SQLite's
//! therefore never waits for one of these while holding a later one, and the handler cannot
//! deadlock with it. The mutexes are held only for the few microseconds of the `fork()` call
//! itself; `vfork`/`posix_spawn` (what `subprocess` uses) do not run the handler.

use libsqlite3_sys as ffi;
use std::sync::OnceLock;

/// The static mutexes, in the order they are taken.
const ORDER: [i32; 7] = [
    ffi::SQLITE_MUTEX_STATIC_OPEN,
    ffi::SQLITE_MUTEX_STATIC_VFS1,
    ffi::SQLITE_MUTEX_STATIC_PRNG,
    ffi::SQLITE_MUTEX_STATIC_MAIN,
    ffi::SQLITE_MUTEX_STATIC_LRU,
    ffi::SQLITE_MUTEX_STATIC_PMEM,
    ffi::SQLITE_MUTEX_STATIC_MEM,
];

/// The mutexes' addresses (static objects inside SQLite, valid for the life of the process).
struct Mutexes([*mut ffi::sqlite3_mutex; ORDER.len()]);

// SAFETY: the pointers are addresses of SQLite's static mutex objects, which SQLite itself
// shares between all threads; they are only passed back to `sqlite3_mutex_enter/leave`.
unsafe impl Send for Mutexes {}
// SAFETY: see `Send`; the array is never written after it is built.
unsafe impl Sync for Mutexes {}

static MUTEXES: OnceLock<Mutexes> = OnceLock::new();

extern "C" fn before_fork() {
    // The Desk's id lock first (a leaf: nobody waits for a SQLite mutex while holding it).
    faultdesk::ids::lock_before_fork();
    if let Some(m) = MUTEXES.get() {
        for &mutex in &m.0 {
            // SAFETY: a valid static SQLite mutex; entered once, left in `after_fork`.
            unsafe { ffi::sqlite3_mutex_enter(mutex) };
        }
    }
}

extern "C" fn after_fork() {
    if let Some(m) = MUTEXES.get() {
        for &mutex in m.0.iter().rev() {
            // SAFETY: entered by this thread in `before_fork` (in the child the forking thread
            // is the same thread; SQLite's static mutexes are plain, not error-checking).
            unsafe { ffi::sqlite3_mutex_leave(mutex) };
        }
    }
    // SAFETY: taken by this thread in `before_fork`, released once here.
    unsafe { faultdesk::ids::unlock_after_fork() };
}

/// Installs the fork handler once per process (called when the native module is imported).
///
/// Initialises SQLite first, so that the mutexes exist; if that fails the handler is not
/// installed and the failure shows on the first `Desk.open` as usual.
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_initialize` is thread-safe and idempotent.
        if unsafe { ffi::sqlite3_initialize() } != ffi::SQLITE_OK {
            return;
        }
        let mut found = [std::ptr::null_mut(); ORDER.len()];
        for (slot, id) in found.iter_mut().zip(ORDER) {
            // SAFETY: a static mutex id; SQLite returns the address of its static object.
            *slot = unsafe { ffi::sqlite3_mutex_alloc(id) };
            if slot.is_null() {
                return; // a build without mutexes (SQLITE_THREADSAFE=0): nothing to guard
            }
        }
        if MUTEXES.set(Mutexes(found)).is_ok() {
            // SAFETY: the handlers are `extern "C"`, never unwind and touch only SQLite's
            // static mutexes and the Desk's id lock.
            unsafe { libc::pthread_atfork(Some(before_fork), Some(after_fork), Some(after_fork)) };
        }
    });
}
