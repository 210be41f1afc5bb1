//! Live subscriptions: a tokio task per subscriber reads the Desk's event stream and hands
//! each event to the JavaScript callback through a threadsafe function.
//!
//! Unsubscribing (or `Desk.close()`) stops the task and aborts the threadsafe function, so no
//! event queued before the call reaches the callback after it, and the process is no longer
//! kept alive by the subscription.

use crate::desk::EventCallback;
use crate::tickets::Actor;
use crate::work::Event;
use napi::bindgen_prelude::{Env, Function};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Options of `subscribe`.
#[napi(object)]
pub struct SubscribeOptions {
    /// The viewing actor: events are limited to its tenant and visibility.
    pub actor: Actor,
    /// Kind patterns: exact (`ticket.created`), prefix (`ticket.*`) or `*`. Default: all.
    pub kinds: Option<Vec<String>>,
}

/// One running subscription.
struct Live {
    task: tokio::task::JoinHandle<()>,
    callback: Arc<Mutex<Option<EventCallback>>>,
}

impl Live {
    fn stop(self) {
        self.task.abort();
        if let Some(cb) = lock(&self.callback).take() {
            // Abort (not release): events already queued for the JS thread are dropped.
            #[allow(deprecated)]
            let _ = cb.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The subscriptions of one Desk object.
#[derive(Default)]
pub struct Subscriptions {
    live: Arc<Mutex<HashMap<u64, Live>>>,
    next_id: AtomicU64,
}

impl Subscriptions {
    /// Starts delivering `sub`'s events to `callback`; returns the unsubscribe function.
    pub fn start<'e>(
        &self,
        env: &'e Env,
        mut sub: faultdesk::Subscription,
        callback: EventCallback,
    ) -> napi::Result<Function<'e, (), ()>> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let callback = Arc::new(Mutex::new(Some(callback)));
        let cb = callback.clone();
        let task = napi::bindgen_prelude::spawn(async move {
            while let Some(e) = sub.next().await {
                let guard = lock(&cb);
                let Some(f) = guard.as_ref() else { break };
                f.call(Event::from(e), ThreadsafeFunctionCallMode::NonBlocking);
            }
        });
        lock(&self.live).insert(id, Live { task, callback });
        let live = self.live.clone();
        env.create_function_from_closure::<(), (), _>("unsubscribe", move |_| {
            let gone = lock(&live).remove(&id);
            if let Some(l) = gone {
                l.stop();
            }
            Ok(())
        })
    }

    /// Stops every subscription.
    pub fn close_all(&self) {
        let all: Vec<Live> = lock(&self.live).drain().map(|(_, l)| l).collect();
        for l in all {
            l.stop();
        }
    }
}
