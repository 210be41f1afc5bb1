//! `faultdesk._faultdesk`: the native module of the `faultdesk` Python package.
//!
//! Thin by design (see DESIGN.md): it converts values, maps errors to exceptions, owns a tokio
//! runtime per process and releases the GIL while Rust works. The Python API
//! (`faultdesk.Desk`, `faultdesk.AsyncDesk`, the typed result classes) is in
//! `python/faultdesk/`; the stubs of this module are `python/faultdesk/_faultdesk.pyi`.

mod actor;
mod convert;
mod desk;
mod dispatch;
mod engines;
mod error;
#[cfg(unix)]
mod fork;
mod runtime;
mod subscription;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _faultdesk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(unix)]
    fork::install();
    error::register(m)?;
    m.add_class::<actor::PyActor>()?;
    m.add_class::<desk::NativeDesk>()?;
    m.add_class::<subscription::NativeSubscription>()?;
    engines::register(m)?;
    m.add_function(wrap_pyfunction!(desk::_panic_for_test, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
