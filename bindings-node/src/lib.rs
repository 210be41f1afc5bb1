//! Node.js bindings of faultdesk (napi-rs). The binding converts types and maps errors; the
//! behaviour lives in the `faultdesk` crate.
#![deny(clippy::all)]

use napi_derive::napi;

/// The faultdesk version this addon was built from.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
