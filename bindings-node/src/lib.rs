//! Node.js bindings of faultdesk (napi-rs), published as the `faultdesk` npm package.
//!
//! The binding converts types and maps errors; the behaviour lives in the `faultdesk` crate.
//! Objects cross as plain JS objects (camelCase keys; output objects carry every key, `null`
//! when absent), instants as `Date`, ids as strings, and every Desk error rejects with an
//! `Error` whose `code` is the faultdesk code (`NOT_FOUND`, `CONFLICT`, `PERMISSION_DENIED`,
//! `VALIDATION`, `INVALID_TRANSITION`, `STORAGE`).
#![deny(clippy::all)]

pub mod alarms;
pub mod convert;
pub mod desk;
pub mod engines;
pub mod outcome;
pub mod sla;
pub mod subscription;
pub mod tickets;
pub mod work;

use napi_derive::napi;

/// The faultdesk version this addon was built from.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Always rejects: a Rust panic inside an async call becomes a rejected promise, never a
/// process abort. For the binding's tests and for health checks of an installation.
#[napi]
pub async fn diagnostic_panic() -> napi::Result<()> {
    panic!("faultdesk diagnostic panic")
}

/// Always throws: a Rust panic inside a synchronous call becomes a thrown `Error`, never a
/// process abort.
#[napi(catch_unwind)]
pub fn diagnostic_panic_sync() -> napi::Result<()> {
    panic!("faultdesk diagnostic panic (sync)")
}
