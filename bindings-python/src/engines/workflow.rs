//! `faultdesk.Workflow`: ticket workflows (ticket-core) — states, categories, transitions.

use super::{engine_err, guard, json_text};
use pyo3::prelude::*;
use ticket_core::workflow::Workflow;

/// A ticket workflow: a preset (`itsm`, `vms`, `fibreflow`) or a definition.
#[pyclass(frozen, name = "Workflow", module = "faultdesk")]
pub struct PyWorkflow {
    inner: Workflow,
}

impl PyWorkflow {
    /// The state ids of `from_state` and `to_state` (any case); unknown names raise.
    fn ids(
        &self,
        py: Python<'_>,
        from_state: &str,
        to_state: &str,
    ) -> PyResult<(
        ticket_core::workflow::StateId,
        ticket_core::workflow::StateId,
    )> {
        let id = |name: &str| -> PyResult<_> {
            let canonical = self.inner.canonical(name).map_err(|e| engine_err(py, e))?;
            self.inner
                .state_id(canonical)
                .ok_or_else(|| crate::error::validation(py, format!("unknown state {name:?}")))
        };
        Ok((id(from_state)?, id(to_state)?))
    }
}

#[pymethods]
impl PyWorkflow {
    /// The preset `name`: `itsm`, `vms` or `fibreflow`.
    #[new]
    #[pyo3(signature = (name = "itsm"))]
    fn new(py: Python<'_>, name: &str) -> PyResult<Self> {
        guard(py, || {
            Workflow::preset(name)
                .map(|inner| PyWorkflow { inner })
                .map_err(|e| engine_err(py, e))
        })
    }

    /// A workflow from its definition (a dict or JSON `str`, as `to_json()` writes it).
    #[staticmethod]
    fn from_definition(py: Python<'_>, definition: &Bound<'_, PyAny>) -> PyResult<Self> {
        let j = json_text(Some(definition), "definition")?.unwrap_or_default();
        guard(py, || {
            Workflow::from_json(&j)
                .map(|inner| PyWorkflow { inner })
                .map_err(|e| engine_err(py, e))
        })
    }

    /// The workflow's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The state of new tickets.
    #[getter]
    fn initial_state(&self) -> &str {
        self.inner.initial_state()
    }

    /// All state names, in definition order.
    #[getter]
    fn states(&self) -> Vec<String> {
        self.inner.states().iter().map(|s| s.name.clone()).collect()
    }

    /// States reachable in one transition from `state` (any case).
    fn allowed_transitions(&self, py: Python<'_>, state: &str) -> PyResult<Vec<String>> {
        guard(py, || {
            self.inner
                .allowed_next(state)
                .map(|v| v.into_iter().map(str::to_string).collect())
                .map_err(|e| engine_err(py, e))
        })
    }

    /// True when `from_state → to_state` is a transition of this workflow.
    fn can_transition(&self, py: Python<'_>, from_state: &str, to_state: &str) -> PyResult<bool> {
        let (f, t) = self.ids(py, from_state, to_state)?;
        Ok(self.inner.has_transition(f, t))
    }

    /// The permission the transition requires beyond `tickets.transition`, if any.
    fn required_permission(
        &self,
        py: Python<'_>,
        from_state: &str,
        to_state: &str,
    ) -> PyResult<Option<String>> {
        let (f, t) = self.ids(py, from_state, to_state)?;
        Ok(self.inner.required_permission(f, t).map(str::to_string))
    }

    /// The category (`new`, `open`, `pending`, `resolved`, `closed`) of `state`, or `None`
    /// for a name the workflow does not have.
    fn category_of(&self, state: &str) -> Option<&'static str> {
        self.inner.category_of(state).map(|c| c.as_str())
    }

    /// The definition as JSON.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self) -> String {
        format!("Workflow({:?})", self.inner.name())
    }
}
