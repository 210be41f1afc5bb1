//! Record ids: UUID v7, monotonic within the process.
//!
//! `uuid::Uuid::now_v7()` keeps its counter behind a private `std::sync::Mutex`. A process that
//! forks while another thread holds that mutex gives the child a mutex that stays locked for
//! ever, and the child's first write hangs (Python's `os.fork()` under a busy parent). The
//! Desk makes its ids here instead, behind a lock that a fork handler can take around
//! `fork()` ([`lock_before_fork`], [`unlock_after_fork`]), as the Python binding does.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;
use uuid::timestamp::Timestamp;
use uuid::timestamp::context::ContextV7;

/// The v7 counter (ids made in the same millisecond still sort in the order they were made)
/// behind a spin lock. A spin lock, not a `Mutex`: its whole state is one flag, so a fork
/// handler can take it and release it in the child with a plain store, and no parked-thread
/// bookkeeping of the parent is left behind. It is held for the few hundred nanoseconds of
/// one timestamp.
struct IdContext {
    locked: AtomicBool,
    ctx: UnsafeCell<ContextV7>,
}

// SAFETY: `ctx` is only touched while `locked` is held (see `IdLock`).
unsafe impl Sync for IdContext {}

static CONTEXT: IdContext = IdContext {
    locked: AtomicBool::new(false),
    ctx: UnsafeCell::new(ContextV7::new()),
};

/// Holds the id lock; releases it when dropped (also on a panic).
struct IdLock;

impl IdLock {
    fn acquire() -> Self {
        let mut spins = 0u32;
        while CONTEXT
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            if spins < 64 {
                spins += 1;
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        IdLock
    }
}

impl Drop for IdLock {
    fn drop(&mut self) {
        CONTEXT.locked.store(false, Ordering::Release);
    }
}

/// A new UUID v7 id, greater than every id made before it in this process.
///
/// ```
/// let a = faultdesk::ids::new_id();
/// let b = faultdesk::ids::new_id();
/// assert_eq!(a.get_version_num(), 7);
/// assert!(b > a);
/// ```
pub fn new_id() -> Uuid {
    let lock = IdLock::acquire();
    // SAFETY: `lock` gives this thread the only access to the context.
    let ts = Timestamp::now(unsafe { &*CONTEXT.ctx.get() });
    drop(lock);
    Uuid::new_v7(ts)
}

/// Takes the id lock and keeps it held: call it in a `pthread_atfork` *prepare* handler, so
/// that no other thread holds it at the instant of `fork()`.
#[doc(hidden)]
pub fn lock_before_fork() {
    std::mem::forget(IdLock::acquire());
}

/// Releases the lock taken by [`lock_before_fork`]: call it in the *parent* and *child*
/// handlers.
///
/// # Safety
/// Only once after each [`lock_before_fork`] (in the child, by the forking thread).
#[doc(hidden)]
pub unsafe fn unlock_after_fork() {
    CONTEXT.locked.store(false, Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_strictly_increasing_across_threads() {
        let per_thread: Vec<Vec<Uuid>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..5_000).map(|_| new_id()).collect::<Vec<_>>()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut all = std::collections::BTreeSet::new();
        for ids in &per_thread {
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "monotonic per thread");
            assert!(ids.iter().all(|id| id.get_version_num() == 7));
            all.extend(ids.iter().copied());
        }
        assert_eq!(all.len(), 20_000, "no id made twice");
    }

    #[test]
    fn the_fork_lock_can_be_taken_and_released() {
        lock_before_fork();
        assert!(
            CONTEXT.locked.load(Ordering::Acquire),
            "held across the fork"
        );
        // SAFETY: taken just above on this thread.
        unsafe { unlock_after_fork() };
        assert!(new_id().get_version_num() == 7);
    }
}
