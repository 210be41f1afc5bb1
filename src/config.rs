//! Desk configuration: workflow, RBAC roles, correlation rules, event mapping, triggers,
//! ticket number format and clock.

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use fault_core::CorrelatorConfig;
use fault_core::trigger::TriggerConfig;
use faultdesk_storage::StoreOptions;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use ticket_core::numbering::NumberFormat;
use ticket_core::rbac::Rbac;
use ticket_core::workflow::Workflow;

/// Configuration of a [`Desk`](crate::Desk). Build it with the `with_*` methods, or from JSON
/// with [`DeskConfig::from_json`] (what the Python and Node bindings pass).
///
/// ```
/// use faultdesk::DeskConfig;
/// let config = DeskConfig::default()
///     .with_workflow_preset("fibreflow").unwrap()
///     .with_auto_tickets(true);
/// assert_eq!(config.workflow.name(), "fibreflow");
/// let from_json = DeskConfig::from_json(r#"{"workflow": "vms", "rbac": "dotmac"}"#).unwrap();
/// assert_eq!(from_json.workflow.name(), "vms");
/// ```
#[derive(Debug, Clone)]
pub struct DeskConfig {
    /// The workflow new tickets are created under (each ticket records its workflow's name,
    /// so changing this does not strand existing tickets). Default: `itsm`.
    pub workflow: Workflow,
    /// Roles → permissions. Default: seed 003's matrix plus DotMac's `faults.*` roles.
    pub rbac: Rbac,
    /// Event mapping, rules, flapping, maintenance and auto-ticket triggers of the correlator.
    /// Rules created with `create_rule` are added per tenant on top of these.
    pub correlator: CorrelatorConfig,
    /// Ticket number format (`TKT-{year}-{seq:06}` by default).
    pub number_format: NumberFormat,
    /// Where the Desk gets the current time.
    pub clock: Arc<dyn Clock>,
    /// Connection pool settings.
    pub store: StoreOptions,
    /// The user id recorded as reporter/actor of tickets the Desk creates by itself.
    pub system_user: String,
    /// Where attachment content is stored (local directory `./faultdesk-blobs` by default).
    pub blobs: crate::blobs::BlobStore,
    /// Attachment size limit and extension allowlist (seed 003: 50 MB, its list).
    pub attachments: ticket_core::attachment::AttachmentPolicy,
    /// Virus-scan hook run on every upload before it becomes visible (none by default).
    pub scanner: Option<Arc<dyn crate::desk::Scanner>>,
    /// Notification routes, notifiers per channel and retry policy.
    pub notifications: crate::desk::NotificationConfig,
    /// SLA scheduler settings (`run_due`).
    pub scheduler: crate::desk::SchedulerConfig,
    /// Ticket SLA targets (first response and resolution per priority, business calendar,
    /// pauses, warnings), e.g. `SlaPolicy::itsm()`. With a policy, tickets store the due
    /// instants it gives (watched by `run_due`) and `ticket_sla` evaluates it over a ticket's
    /// audit log. Default `None`: no ticket SLA tracking.
    pub sla_policy: Option<ticket_core::sla::SlaPolicy>,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            workflow: Workflow::itsm(),
            rbac: Rbac::preset(),
            correlator: CorrelatorConfig::default(),
            number_format: NumberFormat::default(),
            clock: Arc::new(SystemClock),
            store: StoreOptions::default(),
            system_user: "system".to_string(),
            blobs: crate::blobs::BlobStore::default(),
            attachments: ticket_core::attachment::AttachmentPolicy::default(),
            scanner: None,
            notifications: crate::desk::NotificationConfig::default(),
            scheduler: crate::desk::SchedulerConfig::default(),
            sla_policy: None,
        }
    }
}

impl DeskConfig {
    /// Uses `workflow` for new tickets.
    pub fn with_workflow(mut self, workflow: Workflow) -> Self {
        self.workflow = workflow;
        self
    }

    /// Uses a preset workflow (`itsm`, `vms`, `fibreflow`).
    pub fn with_workflow_preset(self, name: &str) -> Result<Self> {
        Ok(self.with_workflow(Workflow::preset(name)?))
    }

    /// Uses `rbac` for roles.
    pub fn with_rbac(mut self, rbac: Rbac) -> Self {
        self.rbac = rbac;
        self
    }

    /// Replaces the correlator configuration.
    pub fn with_correlator(mut self, correlator: CorrelatorConfig) -> Self {
        self.correlator = correlator;
        self
    }

    /// Adds correlation/suppression/escalation rules (seed 002's JSON, one rule or an array).
    pub fn with_rules_json(mut self, json: &str) -> Result<Self> {
        self.correlator = self.correlator.with_rules_json(json)?;
        Ok(self)
    }

    /// Turns seed 002's auto-ticket triggers on or off (off by default: tickets are then only
    /// created through `create_ticket_from_alarm` and `create_ticket`).
    pub fn with_auto_tickets(mut self, on: bool) -> Self {
        self.correlator.triggers.enabled = on;
        self
    }

    /// Sets the auto-ticket trigger settings.
    pub fn with_triggers(mut self, triggers: TriggerConfig) -> Self {
        self.correlator.triggers = triggers;
        self
    }

    /// Sets the ticket number format.
    pub fn with_number_format(mut self, format: NumberFormat) -> Self {
        self.number_format = format;
        self
    }

    /// Sets the clock (e.g. a [`ManualClock`](crate::ManualClock) in tests and replays).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Sets connection pool options.
    pub fn with_store_options(mut self, options: StoreOptions) -> Self {
        self.store = options;
        self
    }

    /// Stores attachment content in `blobs`.
    pub fn with_blob_store(mut self, blobs: crate::blobs::BlobStore) -> Self {
        self.blobs = blobs;
        self
    }

    /// Sets the attachment policy.
    pub fn with_attachment_policy(
        mut self,
        policy: ticket_core::attachment::AttachmentPolicy,
    ) -> Self {
        self.attachments = policy;
        self
    }

    /// Installs a virus-scan hook for uploads.
    pub fn with_scanner(mut self, scanner: impl crate::desk::Scanner + 'static) -> Self {
        self.scanner = Some(Arc::new(scanner));
        self
    }

    /// Adds a notification route (validated: unknown channel or empty recipient is an error).
    pub fn with_notification_route(
        mut self,
        route: crate::desk::NotificationRoute,
    ) -> Result<Self> {
        route.validate()?;
        self.notifications.routes.push(route);
        Ok(self)
    }

    /// Registers the notifier that delivers `channel`'s notifications.
    pub fn with_notifier(
        mut self,
        channel: &str,
        notifier: impl crate::desk::Notifier + 'static,
    ) -> Self {
        self.notifications
            .notifiers
            .insert(channel.to_string(), Arc::new(notifier));
        self
    }

    /// Sets the SLA scheduler settings.
    pub fn with_scheduler(mut self, scheduler: crate::desk::SchedulerConfig) -> Self {
        self.scheduler = scheduler;
        self
    }

    /// Sets the ticket SLA policy (checked: a policy without targets or with bad warning
    /// thresholds is a Validation error).
    pub fn with_sla_policy(mut self, policy: ticket_core::sla::SlaPolicy) -> Result<Self> {
        policy.validate()?;
        self.sla_policy = Some(policy);
        Ok(self)
    }

    /// Reads a configuration from JSON. Every key is optional:
    ///
    /// ```json
    /// {
    ///   "workflow": "itsm",                 // preset name, or a workflow definition object
    ///   "rbac": "itsm",                     // "itsm", "dotmac", "preset", or {"ROLE": ["perm", ...]}
    ///   "rules": [ { "name": "OLT to ONT Correlation", "type": "correlation", ... } ],
    ///   "mapping": [ ... ],                 // extra event mapping rows
    ///   "auto_tickets": true,               // seed 002's triggers on/off
    ///   "triggers": { "major_subscriber_threshold": 10 },
    ///   "flapping": { ... },
    ///   "number_format": { "prefix": "TKT", "width": 6 },
    ///   "system_user": "system",
    ///   "blob_dir": "/var/lib/faultdesk/blobs",   // attachments on the local filesystem
    ///   "attachments": { "max_size_bytes": 52428800, "allowed_extensions": ["pdf", "log"] },
    ///   "notification_routes": [ { "kinds": ["sla.*"], "channel": "webhook", "recipient": "https://..." } ],
    ///   "notification_alarm_severities": ["critical", "major"],  // alarm.raised/cleared that notify (default critical)
    ///   "sla_policy": "itsm",               // "itsm", "vms", a policy object (ticket_core::sla), or null
    ///   "store": { "max_connections": 10, "busy_timeout_secs": 5, "acquire_timeout_secs": 30 }
    /// }
    /// ```
    ///
    /// Unknown keys and malformed values are a Validation error naming the problem.
    pub fn from_json(json: &str) -> Result<Self> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum NameOr<T> {
            Name(String),
            Value(T),
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            workflow: Option<NameOr<serde_json::Value>>,
            rbac: Option<NameOr<serde_json::Value>>,
            rules: Option<serde_json::Value>,
            mapping: Option<serde_json::Value>,
            auto_tickets: Option<bool>,
            triggers: Option<serde_json::Value>,
            flapping: Option<serde_json::Value>,
            number_format: Option<NumberFormat>,
            system_user: Option<String>,
            blob_dir: Option<String>,
            attachments: Option<ticket_core::attachment::AttachmentPolicy>,
            notification_routes: Option<Vec<crate::desk::NotificationRoute>>,
            notification_alarm_severities: Option<Vec<fault_core::Severity>>,
            #[serde(default, deserialize_with = "explicit")]
            sla_policy: Option<Option<NameOr<serde_json::Value>>>,
            store: Option<StoreFile>,
        }
        /// The `store` object: [`StoreOptions`] with durations in seconds.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct StoreFile {
            max_connections: Option<u32>,
            busy_timeout_secs: Option<f64>,
            acquire_timeout_secs: Option<f64>,
        }
        fn secs(name: &str, v: Option<f64>, default: Duration) -> Result<Duration> {
            match v {
                None => Ok(default),
                Some(s) => Duration::try_from_secs_f64(s)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| {
                        Error::validation(format!(
                            "Invalid configuration: store.{name} must be a positive number of seconds, got {s}"
                        ))
                    }),
            }
        }
        /// `null` → `Some(None)`, absent → `None` (with `#[serde(default)]`).
        fn explicit<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
        where
            D: serde::Deserializer<'de>,
            T: Deserialize<'de>,
        {
            Option::<T>::deserialize(d).map(Some)
        }
        let file: File = serde_json::from_str(json)
            .map_err(|e| Error::validation(format!("Invalid configuration: {e}")))?;
        let mut c = DeskConfig::default();
        if let Some(st) = file.store {
            let d = StoreOptions::default();
            c.store = StoreOptions {
                max_connections: match st.max_connections {
                    Some(0) => {
                        return Err(Error::validation(
                            "Invalid configuration: store.max_connections must be at least 1",
                        ));
                    }
                    Some(n) => n,
                    None => d.max_connections,
                },
                busy_timeout: secs("busy_timeout_secs", st.busy_timeout_secs, d.busy_timeout)?,
                acquire_timeout: secs(
                    "acquire_timeout_secs",
                    st.acquire_timeout_secs,
                    d.acquire_timeout,
                )?,
            };
        }
        match file.workflow {
            None => {}
            Some(NameOr::Name(n)) => c.workflow = Workflow::preset(&n)?,
            Some(NameOr::Value(v)) => c.workflow = Workflow::from_json(&v.to_string())?,
        }
        match file.rbac {
            None => {}
            Some(NameOr::Name(n)) => {
                c.rbac = match n.as_str() {
                    "itsm" => Rbac::itsm(),
                    "dotmac" => Rbac::dotmac(),
                    "preset" | "default" => Rbac::preset(),
                    other => {
                        return Err(Error::validation(format!(
                            "Invalid configuration: unknown rbac preset '{other}'. Accepted values: itsm, dotmac, preset, or an object of role -> permissions"
                        )));
                    }
                }
            }
            Some(NameOr::Value(v)) => c.rbac = Rbac::from_json(&v.to_string())?,
        }
        if let Some(rules) = file.rules {
            c.correlator = c.correlator.with_rules_json(&rules.to_string())?;
        }
        if let Some(m) = file.mapping {
            c.correlator.mapping = serde_json::from_value(m)
                .map_err(|e| Error::validation(format!("Invalid configuration: mapping: {e}")))?;
        }
        if let Some(t) = file.triggers {
            c.correlator.triggers = serde_json::from_value(t)
                .map_err(|e| Error::validation(format!("Invalid configuration: triggers: {e}")))?;
        }
        if let Some(on) = file.auto_tickets {
            c.correlator.triggers.enabled = on;
        }
        if let Some(f) = file.flapping {
            c.correlator.flapping = serde_json::from_value(f)
                .map_err(|e| Error::validation(format!("Invalid configuration: flapping: {e}")))?;
        }
        if let Some(n) = file.number_format {
            c.number_format = n;
        }
        if let Some(u) = file.system_user {
            c.system_user = u;
        }
        if let Some(d) = file.blob_dir {
            c.blobs = crate::blobs::BlobStore::local(d);
        }
        if let Some(a) = file.attachments {
            c.attachments = a;
        }
        for r in file.notification_routes.unwrap_or_default() {
            c = c.with_notification_route(r)?;
        }
        if let Some(sev) = file.notification_alarm_severities {
            c.notifications.alarm_severities = sev;
        }
        match file.sla_policy {
            None => {}
            Some(None) => c.sla_policy = None,
            Some(Some(NameOr::Name(n))) => {
                c.sla_policy = match n.as_str() {
                    "itsm" => Some(ticket_core::sla::SlaPolicy::itsm()),
                    "vms" => Some(ticket_core::sla::SlaPolicy::vms()),
                    other => {
                        return Err(Error::validation(format!(
                            "Invalid configuration: unknown sla_policy preset '{other}'. Accepted values: itsm, vms, or a policy object"
                        )));
                    }
                }
            }
            Some(Some(NameOr::Value(v))) => {
                c = c.with_sla_policy(ticket_core::sla::SlaPolicy::from_json(&v.to_string())?)?;
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_options_from_json() {
        let c = DeskConfig::from_json(
            r#"{"store": {"max_connections": 3, "busy_timeout_secs": 0.5, "acquire_timeout_secs": 2}}"#,
        )
        .unwrap();
        assert_eq!(c.store.max_connections, 3);
        assert_eq!(c.store.busy_timeout, Duration::from_millis(500));
        assert_eq!(c.store.acquire_timeout, Duration::from_secs(2));
        let partial = DeskConfig::from_json(r#"{"store": {"acquire_timeout_secs": 1}}"#).unwrap();
        assert_eq!(
            partial.store.max_connections,
            StoreOptions::default().max_connections
        );
        assert_eq!(partial.store.acquire_timeout, Duration::from_secs(1));
        for bad in [
            r#"{"store": {"max_connections": 0}}"#,
            r#"{"store": {"busy_timeout_secs": -1}}"#,
            r#"{"store": {"acquire_timeout_secs": 0}}"#,
            r#"{"store": {"pool": 5}}"#,
        ] {
            let e = DeskConfig::from_json(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Validation, "{bad}");
            assert!(
                e.message().starts_with("Invalid configuration"),
                "{bad}: {e}"
            );
        }
    }
}
