//! Role-based access control: permission strings, roles, and row rules.
//!
//! Permissions are dotted strings ([`perms`]). A role maps to a list of permissions; an actor has
//! roles plus optionally permissions granted directly. The special permission `admin` (and `*`)
//! grants everything; a permission ending in `.*` grants everything below it
//! (`faults.*` grants `faults.alarms.write`).
//!
//! **Scopes.** A base permission is the gate *and* the narrowest scope; a `.all` (or `.team`)
//! suffix widens it:
//!
//! | gate | without a wider scope | wider scope |
//! |---|---|---|
//! | `tickets.read` | tickets the actor reported or is assigned to | `tickets.read.all`: every ticket of the tenant |
//! | `tickets.write` | tickets the actor reported or is assigned to | `tickets.write.all` |
//! | `tickets.close` | tickets assigned to the actor | `tickets.close.all` |
//! | `tickets.assign` | assign to oneself only | `tickets.assign.team` (own team), `tickets.assign.all` |
//!
//! Soft-deleted tickets are visible only with `tickets.delete`; internal comments only with
//! `tickets.comments.internal`. Tenancy is not decided here: another tenant's ticket is *not
//! found* one layer up.
//!
//! ```
//! use ticket_core::rbac::{Rbac, perms};
//! let rbac = Rbac::itsm();
//! let roles = vec!["END_USER".to_string()];
//! assert!(rbac.require(&roles, &[], perms::TICKETS_CREATE).is_ok());
//! let err = rbac.require(&roles, &[], perms::TICKETS_DELETE).unwrap_err();
//! assert_eq!(err.to_string(), "Permission denied. Required permission: tickets.delete");
//! ```

use crate::comment::{Comment, Visibility};
use crate::error::{Error, Result};
use crate::ticket::Ticket;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: permission strings are short and few, and a permission check sits on the hot path
/// of every workflow transition check; SipHash's DoS resistance buys nothing here (the set is
/// built from configuration and the actor's own grants).
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastSet = HashSet<String, BuildHasherDefault<Fnv1a>>;

/// The permission strings faultdesk knows. Hosts may define more; any string is accepted.
pub mod perms {
    /// Read tickets (own/assigned ones; see `tickets.read.all`).
    pub const TICKETS_READ: &str = "tickets.read";
    /// Read every ticket of the tenant.
    pub const TICKETS_READ_ALL: &str = "tickets.read.all";
    /// Create tickets.
    pub const TICKETS_CREATE: &str = "tickets.create";
    /// Update tickets the actor reported or is assigned to.
    pub const TICKETS_WRITE: &str = "tickets.write";
    /// Update every ticket.
    pub const TICKETS_WRITE_ALL: &str = "tickets.write.all";
    /// Assign tickets (to oneself only; see `.team` and `.all`).
    pub const TICKETS_ASSIGN: &str = "tickets.assign";
    /// Assign tickets to members of one's team.
    pub const TICKETS_ASSIGN_TEAM: &str = "tickets.assign.team";
    /// Assign tickets to anyone.
    pub const TICKETS_ASSIGN_ALL: &str = "tickets.assign.all";
    /// Move tickets between workflow states.
    pub const TICKETS_TRANSITION: &str = "tickets.transition";
    /// Resolve/close tickets assigned to the actor.
    pub const TICKETS_CLOSE: &str = "tickets.close";
    /// Resolve/close every ticket.
    pub const TICKETS_CLOSE_ALL: &str = "tickets.close.all";
    /// Reopen resolved/closed tickets.
    pub const TICKETS_REOPEN: &str = "tickets.reopen";
    /// Soft-delete tickets and see deleted ones.
    pub const TICKETS_DELETE: &str = "tickets.delete";
    /// Write public comments.
    pub const TICKETS_COMMENTS_WRITE: &str = "tickets.comments.write";
    /// Read and write internal comments.
    pub const TICKETS_COMMENTS_INTERNAL: &str = "tickets.comments.internal";
    /// Edit and delete other people's comments.
    pub const TICKETS_COMMENTS_MODERATE: &str = "tickets.comments.moderate";
    /// Upload attachments.
    pub const TICKETS_ATTACHMENTS_WRITE: &str = "tickets.attachments.write";
    /// Delete other people's attachments.
    pub const TICKETS_ATTACHMENTS_DELETE: &str = "tickets.attachments.delete";
    /// Read ticket SLA status.
    pub const TICKETS_SLA_READ: &str = "tickets.sla.read";
    /// Read alarms.
    pub const FAULTS_ALARMS_READ: &str = "faults.alarms.read";
    /// Write alarms (acknowledge, clear, create tickets from alarms — seed 000).
    pub const FAULTS_ALARMS_WRITE: &str = "faults.alarms.write";
    /// Read correlation rules.
    pub const FAULTS_RULES_READ: &str = "faults.rules.read";
    /// Write correlation rules.
    pub const FAULTS_RULES_WRITE: &str = "faults.rules.write";
    /// Read the topology.
    pub const FAULTS_TOPOLOGY_READ: &str = "faults.topology.read";
    /// Write the topology.
    pub const FAULTS_TOPOLOGY_WRITE: &str = "faults.topology.write";
    /// Read maintenance windows.
    pub const FAULTS_MAINTENANCE_READ: &str = "faults.maintenance.read";
    /// Write maintenance windows.
    pub const FAULTS_MAINTENANCE_WRITE: &str = "faults.maintenance.write";
    /// Read availability SLAs.
    pub const FAULTS_SLA_READ: &str = "faults.sla.read";
    /// Write availability SLAs.
    pub const FAULTS_SLA_WRITE: &str = "faults.sla.write";
    /// Everything.
    pub const ADMIN: &str = "admin";
}

/// A resolved set of permissions (roles expanded, direct grants added).
///
/// ```
/// use ticket_core::rbac::PermissionSet;
/// let p = PermissionSet::from_iter(["tickets.read", "faults.*"]);
/// assert!(p.has("tickets.read"));
/// assert!(p.has("faults.alarms.write"));
/// assert!(!p.has("tickets.delete"));
/// assert!(PermissionSet::superuser().has("anything.at.all"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet {
    exact: FastSet,
    /// Prefixes including the trailing dot (`faults.`).
    prefixes: Vec<String>,
    all: bool,
}

impl PermissionSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A set that grants every permission (system actions, `admin`).
    pub fn superuser() -> Self {
        PermissionSet {
            all: true,
            ..Default::default()
        }
    }

    /// Adds one grant (`admin`, `*`, `prefix.*` or an exact permission). Blank grants are
    /// ignored.
    pub fn insert(&mut self, grant: &str) {
        let g = grant.trim();
        if g.is_empty() {
            return;
        }
        if g == perms::ADMIN || g == "*" {
            self.all = true;
        } else if let Some(prefix) = g.strip_suffix('*') {
            if prefix.ends_with('.') && !self.prefixes.iter().any(|p| p == prefix) {
                self.prefixes.push(prefix.to_string());
            }
        } else {
            self.exact.insert(g.to_string());
        }
    }

    /// Whether the set grants `permission`.
    pub fn has(&self, permission: &str) -> bool {
        self.all
            || self.exact.contains(permission)
            || self
                .prefixes
                .iter()
                .any(|p| permission.starts_with(p.as_str()))
    }

    /// Whether the set grants everything.
    pub fn is_superuser(&self) -> bool {
        self.all
    }

    /// `Ok(())` if granted, else [`Error::PermissionDenied`] naming the permission.
    pub fn require(&self, permission: &str) -> Result<()> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(Error::PermissionDenied {
                permission: permission.to_string(),
            })
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut p = PermissionSet::new();
        for g in iter {
            p.insert(g.as_ref());
        }
        p
    }
}

/// A role → permissions map. Role names are matched case-insensitively (stored upper-case).
/// Serialises as a JSON object `{"ROLE": ["perm", ...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "BTreeMap<String, Vec<String>>",
    into = "BTreeMap<String, Vec<String>>"
)]
pub struct Rbac {
    roles: BTreeMap<String, Vec<String>>,
}

impl From<BTreeMap<String, Vec<String>>> for Rbac {
    fn from(m: BTreeMap<String, Vec<String>>) -> Self {
        let mut r = Rbac::empty();
        for (role, ps) in m {
            r.set_role(&role, ps);
        }
        r
    }
}

impl From<Rbac> for BTreeMap<String, Vec<String>> {
    fn from(r: Rbac) -> Self {
        r.roles
    }
}

fn role_key(role: &str) -> String {
    role.trim().to_ascii_uppercase()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Rbac {
    /// No roles.
    pub fn empty() -> Self {
        Rbac {
            roles: BTreeMap::new(),
        }
    }

    /// Seed 003's matrix:
    ///
    /// | Role | Create | View | Update | Assign | Close | Delete |
    /// |---|---|---|---|---|---|---|
    /// | END_USER | own | own | own | no | no | no |
    /// | DEVOPS_ENGINEER | yes | all | assigned | self | assigned | no |
    /// | SENIOR_ENGINEER | yes | all | all | team | all | no |
    /// | TEAM_LEAD | yes | all | all | yes | yes | no |
    /// | MANAGER | yes | all | all | yes | yes | no |
    /// | ADMIN | yes | all | all | yes | yes | yes |
    ///
    /// End users may comment publicly, upload attachments and reopen their own tickets (the
    /// reopen window still applies); engineers and up also get the workflow, internal comments
    /// and SLA permissions; team leads and managers moderate comments; ADMIN has `admin`.
    /// ("Update: assigned" for a DevOps engineer is `tickets.write`, which covers tickets the
    /// actor reported or is assigned to.)
    pub fn itsm() -> Self {
        use perms::*;
        let end_user = [
            TICKETS_CREATE,
            TICKETS_READ,
            TICKETS_WRITE,
            TICKETS_REOPEN,
            TICKETS_COMMENTS_WRITE,
            TICKETS_ATTACHMENTS_WRITE,
        ];
        let engineer = [
            TICKETS_CREATE,
            TICKETS_READ,
            TICKETS_READ_ALL,
            TICKETS_WRITE,
            TICKETS_ASSIGN,
            TICKETS_TRANSITION,
            TICKETS_CLOSE,
            TICKETS_REOPEN,
            TICKETS_COMMENTS_WRITE,
            TICKETS_COMMENTS_INTERNAL,
            TICKETS_ATTACHMENTS_WRITE,
            TICKETS_SLA_READ,
        ];
        let mut senior = engineer.to_vec();
        senior.extend([TICKETS_WRITE_ALL, TICKETS_ASSIGN_TEAM, TICKETS_CLOSE_ALL]);
        let mut lead = senior.clone();
        lead.extend([
            TICKETS_ASSIGN_ALL,
            TICKETS_COMMENTS_MODERATE,
            TICKETS_ATTACHMENTS_DELETE,
        ]);
        let mut r = Rbac::empty();
        r.set_role("END_USER", strs(&end_user));
        r.set_role("DEVOPS_ENGINEER", strs(&engineer));
        r.set_role("SENIOR_ENGINEER", strs(&senior));
        r.set_role("TEAM_LEAD", strs(&lead));
        r.set_role("MANAGER", strs(&lead));
        r.set_role("ADMIN", strs(&[ADMIN]));
        r
    }

    /// DotMac-style fault-management roles:
    ///
    /// - `NOC_VIEWER`: read alarms, rules, topology, maintenance, SLAs and tickets.
    /// - `NOC_OPERATOR`: viewer + write alarms (acknowledge, clear, create tickets from alarms),
    ///   create/update/transition/assign tickets, comments (internal too), attachments.
    /// - `NOC_ENGINEER`: operator + write rules, topology and maintenance windows.
    /// - `SLA_MANAGER`: viewer + write availability SLAs.
    pub fn dotmac() -> Self {
        use perms::*;
        let viewer = [
            FAULTS_ALARMS_READ,
            FAULTS_RULES_READ,
            FAULTS_TOPOLOGY_READ,
            FAULTS_MAINTENANCE_READ,
            FAULTS_SLA_READ,
            TICKETS_READ,
            TICKETS_READ_ALL,
            TICKETS_SLA_READ,
        ];
        let mut operator = viewer.to_vec();
        operator.extend([
            FAULTS_ALARMS_WRITE,
            TICKETS_CREATE,
            TICKETS_WRITE,
            TICKETS_WRITE_ALL,
            TICKETS_ASSIGN,
            TICKETS_ASSIGN_ALL,
            TICKETS_TRANSITION,
            TICKETS_CLOSE,
            TICKETS_CLOSE_ALL,
            TICKETS_REOPEN,
            TICKETS_COMMENTS_WRITE,
            TICKETS_COMMENTS_INTERNAL,
            TICKETS_ATTACHMENTS_WRITE,
        ]);
        let mut engineer = operator.clone();
        engineer.extend([
            FAULTS_RULES_WRITE,
            FAULTS_TOPOLOGY_WRITE,
            FAULTS_MAINTENANCE_WRITE,
        ]);
        let mut sla = viewer.to_vec();
        sla.push(FAULTS_SLA_WRITE);
        let mut r = Rbac::empty();
        r.set_role("NOC_VIEWER", strs(&viewer));
        r.set_role("NOC_OPERATOR", strs(&operator));
        r.set_role("NOC_ENGINEER", strs(&engineer));
        r.set_role("SLA_MANAGER", strs(&sla));
        r
    }

    /// The default preset: [`Rbac::itsm`] and [`Rbac::dotmac`] together.
    pub fn preset() -> Self {
        let mut r = Rbac::itsm();
        for (k, v) in Rbac::dotmac().roles {
            r.roles.insert(k, v);
        }
        r
    }

    /// Parses a JSON role map `{"ROLE": ["perm", ...]}`.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json)
            .map_err(|e| Error::validation(format!("Invalid role map JSON: {e}")))
    }

    /// Defines (or replaces) a role.
    pub fn set_role(&mut self, role: &str, permissions: Vec<String>) {
        self.roles.insert(role_key(role), permissions);
    }

    /// Builder form of [`Rbac::set_role`].
    pub fn with_role(mut self, role: &str, permissions: &[&str]) -> Self {
        self.set_role(role, strs(permissions));
        self
    }

    /// The permissions of a role (case-insensitive name).
    pub fn role(&self, role: &str) -> Option<&[String]> {
        self.roles.get(&role_key(role)).map(|v| v.as_slice())
    }

    /// The role names (upper-case).
    pub fn role_names(&self) -> impl Iterator<Item = &str> {
        self.roles.keys().map(|k| k.as_str())
    }

    /// The effective permissions of an actor: the union of its roles' permissions and its
    /// direct grants. Unknown role names grant nothing.
    pub fn permissions(&self, roles: &[String], extra: &[String]) -> PermissionSet {
        let mut p = PermissionSet::new();
        for r in roles {
            if let Some(ps) = self.roles.get(&role_key(r)) {
                for g in ps {
                    p.insert(g);
                }
            }
        }
        for g in extra {
            p.insert(g);
        }
        p
    }

    /// `Ok(())` if the actor has `permission`, else [`Error::PermissionDenied`] whose message
    /// is exactly `Permission denied. Required permission: {permission}`.
    pub fn require(&self, roles: &[String], extra: &[String], permission: &str) -> Result<()> {
        self.permissions(roles, extra).require(permission)
    }

    /// A [`Principal`] for a user with these roles and direct grants.
    pub fn principal(&self, user_id: &str, roles: &[String], extra: &[String]) -> Principal {
        Principal {
            user_id: user_id.to_string(),
            permissions: self.permissions(roles, extra),
        }
    }
}

/// A user with resolved permissions; the row rules are methods on it.
///
/// ```
/// use chrono::Utc;
/// use ticket_core::rbac::Rbac;
/// use ticket_core::ticket::{NewTicket, Ticket};
/// use ticket_core::workflow::Workflow;
///
/// let rbac = Rbac::itsm();
/// let now = Utc::now();
/// let wf = Workflow::itsm();
/// let ticket = NewTicket::new("t1", "VPN down", "alice")
///     .build(&wf, Ticket::new_id(now), "TKT-2026-000001".into(), now)
///     .unwrap();
/// let alice = rbac.principal("alice", &["END_USER".into()], &[]);
/// let bob = rbac.principal("bob", &["END_USER".into()], &[]);
/// let eng = rbac.principal("eve", &["DEVOPS_ENGINEER".into()], &[]);
/// assert!(alice.can_view_ticket(&ticket));
/// assert!(!bob.can_view_ticket(&ticket));
/// assert!(eng.can_view_ticket(&ticket));
/// assert!(!alice.can_view_internal_comments());
/// assert!(eng.can_view_internal_comments());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user id.
    pub user_id: String,
    /// Effective permissions.
    pub permissions: PermissionSet,
}

impl Principal {
    /// A principal with explicit permissions.
    pub fn new(user_id: impl Into<String>, permissions: PermissionSet) -> Self {
        Principal {
            user_id: user_id.into(),
            permissions,
        }
    }

    /// Whether the principal has a permission.
    pub fn has(&self, permission: &str) -> bool {
        self.permissions.has(permission)
    }

    /// `Ok(())` or [`Error::PermissionDenied`].
    pub fn require(&self, permission: &str) -> Result<()> {
        self.permissions.require(permission)
    }

    fn is_party(&self, ticket: &Ticket) -> bool {
        ticket.reporter_id == self.user_id || ticket.assignee_id.as_deref() == Some(&self.user_id)
    }

    /// Row rule for reading: `tickets.read.all`, or `tickets.read` and the principal reported
    /// or is assigned to the ticket. Soft-deleted tickets additionally need `tickets.delete`.
    pub fn can_view_ticket(&self, ticket: &Ticket) -> bool {
        if ticket.deleted_at.is_some() && !self.has(perms::TICKETS_DELETE) {
            return false;
        }
        self.has(perms::TICKETS_READ_ALL)
            || (self.has(perms::TICKETS_READ) && self.is_party(ticket))
    }

    /// Whether list queries must be limited to the principal's own tickets (no
    /// `tickets.read.all`): the storage filter is `reporter_id = user OR assignee_id = user`.
    pub fn sees_only_own_tickets(&self) -> bool {
        !self.has(perms::TICKETS_READ_ALL)
    }

    /// Row rule for updating fields: `tickets.write.all`, or `tickets.write` and the principal
    /// reported or is assigned to the ticket.
    pub fn can_edit_ticket(&self, ticket: &Ticket) -> bool {
        self.has(perms::TICKETS_WRITE_ALL)
            || (self.has(perms::TICKETS_WRITE) && self.is_party(ticket))
    }

    /// [`Principal::can_edit_ticket`] as a result; the denial names `tickets.write` when the
    /// principal lacks it, else `tickets.write.all`.
    pub fn require_edit_ticket(&self, ticket: &Ticket) -> Result<()> {
        self.require(perms::TICKETS_WRITE)?;
        if self.can_edit_ticket(ticket) {
            Ok(())
        } else {
            self.require(perms::TICKETS_WRITE_ALL)
        }
    }

    /// Row rule for resolving/closing: `tickets.close.all`, or `tickets.close` and the ticket
    /// is assigned to the principal.
    pub fn can_close_ticket(&self, ticket: &Ticket) -> bool {
        self.has(perms::TICKETS_CLOSE_ALL)
            || (self.has(perms::TICKETS_CLOSE)
                && ticket.assignee_id.as_deref() == Some(&self.user_id))
    }

    /// [`Principal::can_close_ticket`] as a result.
    pub fn require_close_ticket(&self, ticket: &Ticket) -> Result<()> {
        self.require(perms::TICKETS_CLOSE)?;
        if self.can_close_ticket(ticket) {
            Ok(())
        } else {
            self.require(perms::TICKETS_CLOSE_ALL)
        }
    }

    /// Row rule for assigning a ticket to `assignee` (`None` = unassign): `tickets.assign.all`
    /// assigns anyone; `tickets.assign.team` assigns oneself or a member of one's team
    /// (`assignee_in_team`, decided by the host); `tickets.assign` assigns oneself or
    /// unassigns oneself.
    pub fn can_assign(
        &self,
        ticket: &Ticket,
        assignee: Option<&str>,
        assignee_in_team: bool,
    ) -> bool {
        if !self.has(perms::TICKETS_ASSIGN) && !self.has(perms::TICKETS_ASSIGN_ALL) {
            return false;
        }
        if self.has(perms::TICKETS_ASSIGN_ALL) {
            return true;
        }
        let me = self.user_id.as_str();
        let current_is_me_or_none = ticket.assignee_id.as_deref().is_none_or(|a| a == me);
        match assignee {
            Some(a) if a == me => current_is_me_or_none || self.has(perms::TICKETS_ASSIGN_TEAM),
            Some(_) => self.has(perms::TICKETS_ASSIGN_TEAM) && assignee_in_team,
            None => {
                ticket.assignee_id.as_deref() == Some(me) || self.has(perms::TICKETS_ASSIGN_TEAM)
            }
        }
    }

    /// [`Principal::can_assign`] as a result; the denial names the narrowest permission that
    /// would have allowed it.
    pub fn require_assign(
        &self,
        ticket: &Ticket,
        assignee: Option<&str>,
        assignee_in_team: bool,
    ) -> Result<()> {
        if self.can_assign(ticket, assignee, assignee_in_team) {
            return Ok(());
        }
        if !self.has(perms::TICKETS_ASSIGN) {
            return self.require(perms::TICKETS_ASSIGN);
        }
        let needed = if assignee_in_team && !self.has(perms::TICKETS_ASSIGN_TEAM) {
            perms::TICKETS_ASSIGN_TEAM
        } else {
            perms::TICKETS_ASSIGN_ALL
        };
        self.require(needed)
    }

    /// Whether the principal may soft-delete tickets.
    pub fn can_delete_ticket(&self) -> bool {
        self.has(perms::TICKETS_DELETE)
    }

    /// Whether the principal may see internal comments (and internal events).
    pub fn can_view_internal_comments(&self) -> bool {
        self.has(perms::TICKETS_COMMENTS_INTERNAL)
    }

    /// Whether the principal may see this comment: public and system comments with ticket read
    /// access; internal ones only with `tickets.comments.internal`. Deleted comments are
    /// hidden except from moderators.
    pub fn can_view_comment(&self, comment: &Comment) -> bool {
        if comment.deleted_at.is_some() && !self.has(perms::TICKETS_COMMENTS_MODERATE) {
            return false;
        }
        match comment.visibility {
            Visibility::Internal => self.can_view_internal_comments(),
            Visibility::Public | Visibility::System => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn wildcards_and_admin() {
        let p = PermissionSet::from_iter(["faults.*", "tickets.read"]);
        assert!(p.has("faults.alarms.read"));
        assert!(!p.has("faultsx.alarms.read"));
        assert!(!p.has("tickets.read.all"));
        assert!(PermissionSet::from_iter(["admin"]).has("tickets.delete"));
        assert!(PermissionSet::from_iter(["*"]).is_superuser());
        assert!(!PermissionSet::from_iter(["", "  "]).has(""));
        // A bare "tickets*" (no dot) is not a wildcard and grants only itself.
        assert!(!PermissionSet::from_iter(["tickets*"]).has("tickets.read"));
    }

    #[test]
    fn role_names_are_case_insensitive_and_unknown_roles_grant_nothing() {
        let r = Rbac::itsm();
        assert!(r.require(&roles(&["admin"]), &[], "tickets.delete").is_ok());
        assert!(r.require(&roles(&["ghost"]), &[], "tickets.read").is_err());
        assert!(
            r.require(
                &roles(&["ghost"]),
                &roles(&["tickets.read"]),
                "tickets.read"
            )
            .is_ok()
        );
    }

    #[test]
    fn json_roundtrip() {
        let r = Rbac::preset();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(Rbac::from_json(&json).unwrap(), r);
        let custom = Rbac::from_json(r#"{"noc": ["faults.alarms.read"]}"#).unwrap();
        assert_eq!(
            custom.role("NOC").unwrap(),
            &["faults.alarms.read".to_string()]
        );
        assert!(Rbac::from_json("[1]").is_err());
    }
}
