//! `faultdesk.Actor`: who calls a Desk method.

use crate::convert::id_string;
use faultdesk::Actor;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The caller of every Desk method: tenant, user, roles, directly granted permissions, IP.
/// Tenant and user ids are the host platform's (`str` or `uuid.UUID`, stored as text).
#[pyclass(frozen, eq, name = "Actor", module = "faultdesk")]
#[derive(Clone, PartialEq)]
pub struct PyActor {
    pub(crate) inner: Actor,
}

#[pymethods]
impl PyActor {
    #[new]
    #[pyo3(signature = (tenant_id, user_id, roles = None, permissions = None, ip = None))]
    fn new(
        tenant_id: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        roles: Option<Vec<String>>,
        permissions: Option<Vec<String>>,
        ip: Option<String>,
    ) -> PyResult<Self> {
        let mut a = Actor::new(
            id_string(tenant_id, "tenant_id")?,
            id_string(user_id, "user_id")?,
        );
        a.roles = roles.unwrap_or_default();
        a.permissions = permissions.unwrap_or_default();
        a.ip = ip;
        Ok(PyActor { inner: a })
    }

    /// The tenant id.
    #[getter]
    fn tenant_id(&self) -> &str {
        &self.inner.tenant_id
    }

    /// The user id.
    #[getter]
    fn user_id(&self) -> &str {
        &self.inner.user_id
    }

    /// Role names.
    #[getter]
    fn roles(&self) -> Vec<String> {
        self.inner.roles.clone()
    }

    /// Directly granted permission strings.
    #[getter]
    fn permissions(&self) -> Vec<String> {
        self.inner.permissions.clone()
    }

    /// The client's IP address.
    #[getter]
    fn ip(&self) -> Option<&str> {
        self.inner.ip.as_deref()
    }

    /// The actor as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("tenant_id", &self.inner.tenant_id)?;
        d.set_item("user_id", &self.inner.user_id)?;
        d.set_item("roles", &self.inner.roles)?;
        d.set_item("permissions", &self.inner.permissions)?;
        d.set_item("ip", &self.inner.ip)?;
        Ok(d)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let a = &self.inner;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&a.tenant_id, &a.user_id, &a.roles, &a.permissions, &a.ip).hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        let list = |xs: &[String]| {
            let items: Vec<String> = xs.iter().map(|x| format!("{x:?}")).collect();
            format!("[{}]", items.join(", "))
        };
        format!(
            "Actor(tenant_id={:?}, user_id={:?}, roles={}, permissions={}, ip={})",
            self.inner.tenant_id,
            self.inner.user_id,
            list(&self.inner.roles),
            list(&self.inner.permissions),
            self.inner
                .ip
                .as_ref()
                .map_or_else(|| "None".to_string(), |ip| format!("{ip:?}")),
        )
    }
}
