//! `faultdesk._faultdesk`: the native module of the `faultdesk` Python package.
//!
//! Thin by design (see DESIGN.md): it converts values, maps errors to exceptions, owns a tokio
//! runtime and releases the GIL while Rust works. The Python API (`faultdesk.Desk`,
//! `faultdesk.AsyncDesk`, typed result classes) is in `python/faultdesk/`.

mod alarms;
mod convert;
mod desk;
mod engines;
mod error;
mod runtime;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _faultdesk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    error::register(m)?;
    m.add_class::<desk::PyActor>()?;
    m.add_class::<desk::NativeDesk>()?;
    m.add_class::<desk::NativeSubscription>()?;
    m.add_class::<engines::PyCorrelator>()?;
    m.add_class::<engines::PyWorkflow>()?;
    m.add_class::<engines::PyBusinessCalendar>()?;
    m.add_class::<engines::PySlaPolicy>()?;
    m.add_function(wrap_pyfunction!(engines::map_severity_to_priority, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
