//! `faultdesk::ids` across `fork()`: a child forked while other threads are making ids can make
//! ids itself, when the host's fork handler takes the id lock (as the Python binding's does).
//! Without the handler (drop the `pthread_atfork` call) most children hang: the two threads
//! below hold the lock a large part of the time, and a child inherits it locked.

#![cfg(unix)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

extern "C" fn prepare() {
    faultdesk::ids::lock_before_fork();
}

extern "C" fn release() {
    // SAFETY: taken by `prepare` on the forking thread just before.
    unsafe { faultdesk::ids::unlock_after_fork() };
}

/// Waits for `pid` up to `limit`; `None` if it is still running then.
fn wait_exit(pid: libc::pid_t, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let mut status = 0;
        // SAFETY: plain waitpid on our own child.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            return Some(if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                -1
            });
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

#[test]
fn a_child_forked_while_threads_make_ids_can_make_ids() {
    // SAFETY: the handlers are extern "C", never unwind and only touch the id lock.
    unsafe { libc::pthread_atfork(Some(prepare), Some(release), Some(release)) };
    let stop = Arc::new(AtomicBool::new(false));
    let makers: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut last = faultdesk::ids::new_id();
                while !stop.load(Ordering::Relaxed) {
                    let id = faultdesk::ids::new_id();
                    assert!(id > last);
                    last = id;
                }
            })
        })
        .collect();
    let mut hung = 0;
    for _ in 0..200 {
        // SAFETY: the child only makes an id and leaves with `_exit` (no destructors, no
        // allocation, no other lock).
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let id = faultdesk::ids::new_id();
            // SAFETY: leaving the child without running the parent's atexit handlers.
            unsafe { libc::_exit(if id.get_version_num() == 7 { 0 } else { 3 }) };
        }
        match wait_exit(pid, Duration::from_secs(10)) {
            Some(code) => assert_eq!(code, 0, "the child made a bad id"),
            None => {
                hung += 1;
                // SAFETY: killing and reaping our own hung child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
                break;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for m in makers {
        m.join().unwrap();
    }
    assert_eq!(hung, 0, "a forked child hung on the id lock");
}
