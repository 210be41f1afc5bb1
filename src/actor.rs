//! Who is calling: tenant, user, roles and where from.

use serde::{Deserialize, Serialize};

/// The caller of every [`Desk`](crate::Desk) use-case.
///
/// Tenant and user ids are strings chosen by the host platform (DotMac passes UUIDs, FibreFlow
/// its own ids). `roles` are mapped to permissions by the Desk's RBAC configuration;
/// `permissions` grants extra permission strings directly (DotMac-style `faults.alarms.write`).
///
/// ```
/// use faultdesk::Actor;
/// let actor = Actor::new("acme", "u-1").with_roles(["ADMIN"]).with_ip("10.0.0.1");
/// assert_eq!(actor.tenant_id, "acme");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The tenant the call acts in. Objects of other tenants do not exist for this actor.
    pub tenant_id: String,
    /// The acting user (recorded in audit events).
    pub user_id: String,
    /// Role names (e.g. `ADMIN`, `TEAM_LEAD`, `END_USER`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Permission strings granted directly, in addition to the roles' permissions.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// The client's IP address, recorded in audit events.
    #[serde(default)]
    pub ip: Option<String>,
}

impl Actor {
    /// An actor with no roles and no permissions.
    pub fn new(tenant_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Actor {
            tenant_id: tenant_id.into(),
            user_id: user_id.into(),
            roles: Vec::new(),
            permissions: Vec::new(),
            ip: None,
        }
    }

    /// Adds roles.
    pub fn with_roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Adds directly granted permission strings.
    pub fn with_permissions<I, S>(mut self, perms: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.permissions.extend(perms.into_iter().map(Into::into));
        self
    }

    /// Sets the client IP address.
    pub fn with_ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }
}
