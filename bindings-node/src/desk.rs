//! The `Desk` class: every Desk use-case as an `async` method. Each method converts its
//! arguments, awaits the Rust Desk and converts the result; errors reject the promise with an
//! `Error` carrying the faultdesk `code` (see `outcome`).

use crate::alarms::{
    Alarm, AlarmEvent, AlarmNote, AlarmPage, AlarmQuery, AlarmStats, IngestOutcome,
    MaintenanceWindow, NewMaintenanceWindow, StoredRule, TopologyEdge, UnacknowledgedFinding,
    alarm_query,
};
use crate::convert::{opt_uuid, parse, uuid};
use crate::outcome::{Settled, invalid, settle};
use crate::sla::{
    self, ComplianceReport, NewSlaInstance, SlaBreachQuery, SlaBreachRecord, SlaInstancePage,
    SlaInstancePatch, SlaInstanceQuery, SlaInstanceStatus, SlaMeasurement, SlaReportQuery,
    StoredSlaDefinition, StoredSlaInstance,
};
use crate::subscription::{SubscribeOptions, Subscriptions};
use crate::tickets::{
    Actor, Attachment, Comment, HistoryEntry, NewAttachment, NewTicket, Ticket, TicketFromAlarm,
    TicketFromAlarmOptions, TicketPage, TicketPatch, TicketQuery, TicketSearchPage,
    TicketStatistics, TransitionOptions, query,
};
use crate::work::{DeliveryReport, Event, Notification, RunDueReport, SlaStatus};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use napi::bindgen_prelude::{Buffer, Env, Function, Status};
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

/// Desk settings (all optional), the same keys as `DeskConfig::from_json` in camelCase.
#[napi(object)]
pub struct DeskConfig {
    /// `'itsm'` (default), `'vms'`, `'fibreflow'`, or a workflow definition object.
    #[napi(ts_type = "string | Record<string, unknown>")]
    pub workflow: Option<serde_json::Value>,
    /// `'itsm'`, `'dotmac'`, `'preset'` (default), or `{ ROLE: ['permission', ...] }`.
    #[napi(ts_type = "string | Record<string, string[]>")]
    pub rbac: Option<serde_json::Value>,
    /// Correlation/suppression/escalation rules in seed 002's JSON format.
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub rules: Option<serde_json::Value>,
    /// Extra event mapping rows.
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub mapping: Option<serde_json::Value>,
    /// Seed 002's auto-ticket triggers on (off by default).
    pub auto_tickets: Option<bool>,
    /// Trigger thresholds.
    #[napi(ts_type = "Record<string, unknown>")]
    pub triggers: Option<serde_json::Value>,
    /// Flapping detection settings.
    #[napi(ts_type = "Record<string, unknown>")]
    pub flapping: Option<serde_json::Value>,
    /// Ticket number format, e.g. `{ prefix: 'FF', width: 6 }`.
    #[napi(ts_type = "{ prefix?: string; width?: number }")]
    pub number_format: Option<serde_json::Value>,
    /// User id recorded for what the Desk does by itself.
    pub system_user: Option<String>,
    /// Directory for attachment content (default `./faultdesk-blobs`).
    pub blob_dir: Option<String>,
    /// Attachment limits, e.g. `{ max_size_bytes: 52428800, allowed_extensions: ['pdf'] }`.
    #[napi(ts_type = "Record<string, unknown>")]
    pub attachments: Option<serde_json::Value>,
    /// Notification routes `{ kinds, channel, recipient }`.
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub notification_routes: Option<serde_json::Value>,
    /// Ticket SLA policy: `'itsm'`, `'vms'`, a policy object, or `null` (none, the default).
    #[napi(ts_type = "string | Record<string, unknown> | null")]
    pub sla_policy: Option<serde_json::Value>,
    /// Most pooled database connections (default 10; an in-memory SQLite database always
    /// uses one).
    pub max_connections: Option<u32>,
    /// How long SQLite waits for another process's write lock, in milliseconds (default 5000).
    pub busy_timeout_ms: Option<u32>,
    /// How long a call waits for a free pooled connection, in milliseconds (default 30000).
    pub acquire_timeout_ms: Option<u32>,
}

impl DeskConfig {
    fn into_core(self) -> faultdesk::Result<faultdesk::DeskConfig> {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        };
        put("workflow", self.workflow);
        put("rbac", self.rbac);
        put("rules", self.rules);
        put("mapping", self.mapping);
        put("auto_tickets", self.auto_tickets.map(Into::into));
        put("triggers", self.triggers);
        put("flapping", self.flapping);
        put("number_format", self.number_format);
        put("system_user", self.system_user.map(Into::into));
        put("blob_dir", self.blob_dir.map(Into::into));
        put("attachments", self.attachments);
        put("notification_routes", self.notification_routes);
        put("sla_policy", self.sla_policy);
        let config = faultdesk::DeskConfig::from_json(&serde_json::Value::Object(m).to_string())?;
        let mut store = config.store.clone();
        if let Some(n) = self.max_connections {
            if n == 0 {
                return Err(invalid("maxConnections must be at least 1"));
            }
            store.max_connections = n;
        }
        let ms = |v: u32| std::time::Duration::from_millis(u64::from(v));
        if let Some(v) = self.busy_timeout_ms {
            store.busy_timeout = ms(v);
        }
        if let Some(v) = self.acquire_timeout_ms {
            store.acquire_timeout = ms(v);
        }
        Ok(config.with_store_options(store))
    }
}

/// The subscriber callback: called with each event (event-first, not `(err, value)`).
pub type EventCallback = ThreadsafeFunction<Event, (), Event, Status, false>;

/// faultdesk's engine bound to one database. Open it with `Desk.open(url, config)`; share one
/// Desk per process (it holds the connection pool); every method may run concurrently.
#[napi]
pub struct Desk {
    desk: faultdesk::Desk,
    subscriptions: Subscriptions,
}

fn actor(a: Actor) -> faultdesk::Actor {
    a.into()
}

fn many<T, U: From<T>>(v: Vec<T>) -> Vec<U> {
    v.into_iter().map(U::from).collect()
}

#[napi]
impl Desk {
    /// Opens (and migrates) the database at `url`: `sqlite://path` (created if missing),
    /// `sqlite::memory:` or `postgres://user:pass@host/db`.
    #[napi(ts_return_type = "Promise<Desk>")]
    pub async fn open(url: String, config: Option<DeskConfig>) -> napi::Result<Settled<Desk>> {
        let r = async {
            let config = match config {
                Some(c) => c.into_core()?,
                None => faultdesk::DeskConfig::default(),
            };
            faultdesk::Desk::open(&url, config).await
        }
        .await;
        settle(r.map(|desk| Desk {
            desk,
            subscriptions: Subscriptions::default(),
        }))
    }

    /// Applies pending migrations (also done by `open`).
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn migrate(&self) -> napi::Result<Settled<()>> {
        settle(self.desk.migrate().await)
    }

    /// Ends every subscription and closes the connection pool; later calls fail with `STORAGE`.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn close(&self) -> napi::Result<Settled<()>> {
        self.subscriptions.close_all();
        settle(self.desk.close().await)
    }

    /// The workflow new tickets are created under.
    #[napi(getter)]
    pub fn workflow(&self) -> String {
        self.desk.config().workflow.name().to_string()
    }

    /// `sqlite` or `postgres`.
    #[napi(getter)]
    pub fn backend(&self) -> String {
        format!("{:?}", self.desk.store().backend()).to_lowercase()
    }

    // ------------------------------------------------------------------ alarms

    /// Ingests one raw event: mapped, de-duplicated, correlated and stored in one transaction.
    #[napi(ts_return_type = "Promise<IngestOutcome>")]
    pub async fn ingest(
        &self,
        actor: Actor,
        event: AlarmEvent,
    ) -> napi::Result<Settled<IngestOutcome>> {
        let r = async {
            let e = event.into_event()?;
            self.desk.ingest(&actor.into(), e).await
        };
        settle(r.await.map(Into::into))
    }

    /// Ingests a batch in one transaction, all-or-nothing.
    #[napi(ts_return_type = "Promise<IngestOutcome>")]
    pub async fn ingest_batch(
        &self,
        actor: Actor,
        events: Vec<AlarmEvent>,
    ) -> napi::Result<Settled<IngestOutcome>> {
        let r = async {
            let es = events
                .into_iter()
                .map(AlarmEvent::into_event)
                .collect::<faultdesk::Result<Vec<_>>>()?;
            self.desk.ingest_batch(&actor.into(), es).await
        };
        settle(r.await.map(Into::into))
    }

    /// One alarm (`Alarm {id} not found` otherwise).
    #[napi(ts_return_type = "Promise<Alarm>")]
    pub async fn get_alarm(&self, actor: Actor, id: String) -> napi::Result<Settled<Alarm>> {
        let r = async { self.desk.get_alarm(&actor.into(), uuid("id", &id)?).await };
        settle(r.await.map(Into::into))
    }

    /// Alarms matching seed 002's filters, newest first, one page.
    #[napi(ts_return_type = "Promise<AlarmPage>")]
    pub async fn list_alarms(
        &self,
        actor: Actor,
        query: Option<AlarmQuery>,
    ) -> napi::Result<Settled<AlarmPage>> {
        let r = async {
            self.desk
                .list_alarms(&actor.into(), alarm_query(query)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Acknowledges an alarm.
    #[napi(ts_return_type = "Promise<Alarm>")]
    pub async fn acknowledge_alarm(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<Alarm>> {
        let r = async {
            self.desk
                .acknowledge_alarm(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Clears an alarm by hand.
    #[napi(ts_return_type = "Promise<Alarm>")]
    pub async fn clear_alarm(&self, actor: Actor, id: String) -> napi::Result<Settled<Alarm>> {
        let r = async { self.desk.clear_alarm(&actor.into(), uuid("id", &id)?).await };
        settle(r.await.map(Into::into))
    }

    /// Resolves a cleared alarm.
    #[napi(ts_return_type = "Promise<Alarm>")]
    pub async fn resolve_alarm(&self, actor: Actor, id: String) -> napi::Result<Settled<Alarm>> {
        let r = async {
            self.desk
                .resolve_alarm(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Assigns an alarm to a user.
    #[napi(ts_return_type = "Promise<Alarm>")]
    pub async fn assign_alarm(
        &self,
        actor: Actor,
        id: String,
        user_id: String,
    ) -> napi::Result<Settled<Alarm>> {
        let r = async {
            self.desk
                .assign_alarm(&actor.into(), uuid("id", &id)?, &user_id)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Adds a note (`investigation`, `resolution`, `comment`, ...) to an alarm.
    #[napi(ts_return_type = "Promise<AlarmNote>")]
    pub async fn add_alarm_note(
        &self,
        actor: Actor,
        id: String,
        note_type: String,
        content: String,
    ) -> napi::Result<Settled<AlarmNote>> {
        let r = async {
            self.desk
                .add_alarm_note(&actor.into(), uuid("id", &id)?, &note_type, &content)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The notes of an alarm, oldest first.
    #[napi(ts_return_type = "Promise<Array<AlarmNote>>")]
    pub async fn list_alarm_notes(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<Vec<AlarmNote>>> {
        let r = async {
            self.desk
                .list_alarm_notes(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await.map(many))
    }

    /// The alarms correlated under a root cause.
    #[napi(ts_return_type = "Promise<Array<Alarm>>")]
    pub async fn alarm_children(
        &self,
        actor: Actor,
        parent_id: String,
    ) -> napi::Result<Settled<Vec<Alarm>>> {
        let r = async {
            self.desk
                .alarm_children(&actor.into(), uuid("parentId", &parent_id)?)
                .await
        };
        settle(r.await.map(many))
    }

    /// The alarms of one correlation group, oldest first.
    #[napi(ts_return_type = "Promise<Array<Alarm>>")]
    pub async fn correlation_group(
        &self,
        actor: Actor,
        correlation_id: String,
    ) -> napi::Result<Settled<Vec<Alarm>>> {
        let r = async {
            self.desk
                .correlation_group(&actor.into(), uuid("correlationId", &correlation_id)?)
                .await
        };
        settle(r.await.map(many))
    }

    /// Counts and mean times over the alarms matching `query`.
    #[napi(ts_return_type = "Promise<AlarmStats>")]
    pub async fn alarm_stats(
        &self,
        actor: Actor,
        query: Option<AlarmQuery>,
    ) -> napi::Result<Settled<AlarmStats>> {
        let r = async {
            self.desk
                .alarm_stats(&actor.into(), alarm_query(query)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Seed 000's check: critical/major alarms without a ticket, unacknowledged for 15 minutes.
    #[napi(ts_return_type = "Promise<Array<UnacknowledgedFinding>>")]
    pub async fn check_unacknowledged(
        &self,
        actor: Actor,
    ) -> napi::Result<Settled<Vec<UnacknowledgedFinding>>> {
        let a = actor.into();
        settle(self.desk.check_unacknowledged(Some(&a)).await.map(many))
    }

    /// Archives cleared/resolved alarms older than `olderThanDays` (default 90); returns how
    /// many moved.
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn archive_cleared(
        &self,
        actor: Actor,
        older_than_days: Option<f64>,
    ) -> napi::Result<Settled<i64>> {
        let r = async {
            let age = match older_than_days {
                None => None,
                Some(d) if d.is_finite() && d >= 0.0 => {
                    Some(chrono::Duration::seconds((d * 86_400.0).round() as i64))
                }
                Some(d) => {
                    return Err(invalid(format!(
                        "olderThanDays must be a non-negative number, got {d}"
                    )));
                }
            };
            self.desk.archive_cleared(&actor.into(), age).await
        };
        settle(r.await.map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
    }

    // ------------------------------------------------------------------ rules, topology, maintenance

    /// Stores a correlation/suppression/escalation rule (seed 002's JSON).
    #[napi(ts_return_type = "Promise<StoredRule>")]
    pub async fn create_rule(
        &self,
        actor: Actor,
        #[napi(ts_arg_type = "Record<string, unknown>")] rule: serde_json::Value,
    ) -> napi::Result<Settled<StoredRule>> {
        settle(
            self.desk
                .create_rule(&actor.into(), &rule.to_string())
                .await
                .map(Into::into),
        )
    }

    /// The tenant's stored rules.
    #[napi(ts_return_type = "Promise<Array<StoredRule>>")]
    pub async fn list_rules(&self, actor: Actor) -> napi::Result<Settled<Vec<StoredRule>>> {
        settle(self.desk.list_rules(&actor.into()).await.map(many))
    }

    /// Replaces a stored rule.
    #[napi(ts_return_type = "Promise<StoredRule>")]
    pub async fn update_rule(
        &self,
        actor: Actor,
        id: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] rule: serde_json::Value,
    ) -> napi::Result<Settled<StoredRule>> {
        let r = async {
            self.desk
                .update_rule(&actor.into(), uuid("id", &id)?, &rule.to_string())
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Deletes a stored rule.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn delete_rule(&self, actor: Actor, id: String) -> napi::Result<Settled<()>> {
        let r = async { self.desk.delete_rule(&actor.into(), uuid("id", &id)?).await };
        settle(r.await)
    }

    /// Adds topology edges (parent feeds child); returns how many were new.
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn add_topology_edges(
        &self,
        actor: Actor,
        edges: Vec<TopologyEdge>,
    ) -> napi::Result<Settled<i64>> {
        let es = edges
            .into_iter()
            .map(|e| faultdesk::fault::topology::TopologyEdge::new(e.parent, e.child))
            .collect();
        let r = self.desk.add_topology_edges(&actor.into(), es).await;
        settle(r.map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
    }

    /// Removes topology edges; returns how many existed.
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn remove_topology_edges(
        &self,
        actor: Actor,
        edges: Vec<TopologyEdge>,
    ) -> napi::Result<Settled<i64>> {
        let es = edges
            .into_iter()
            .map(|e| faultdesk::fault::topology::TopologyEdge::new(e.parent, e.child))
            .collect();
        let r = self.desk.remove_topology_edges(&actor.into(), es).await;
        settle(r.map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
    }

    /// Creates a maintenance window (alarms in its scope are suppressed while it runs).
    #[napi(ts_return_type = "Promise<MaintenanceWindow>")]
    pub async fn create_maintenance_window(
        &self,
        actor: Actor,
        window: NewMaintenanceWindow,
    ) -> napi::Result<Settled<MaintenanceWindow>> {
        let r = self
            .desk
            .create_maintenance_window(&actor.into(), window.into_input())
            .await;
        settle(r.map(Into::into))
    }

    /// The tenant's maintenance windows.
    #[napi(ts_return_type = "Promise<Array<MaintenanceWindow>>")]
    pub async fn list_maintenance_windows(
        &self,
        actor: Actor,
    ) -> napi::Result<Settled<Vec<MaintenanceWindow>>> {
        settle(
            self.desk
                .list_maintenance_windows(&actor.into())
                .await
                .map(many),
        )
    }

    /// Cancels a maintenance window; the alarms it suppressed return to their status.
    #[napi(ts_return_type = "Promise<MaintenanceWindow>")]
    pub async fn cancel_maintenance_window(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<MaintenanceWindow>> {
        let r = async {
            self.desk
                .cancel_maintenance_window(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    // ------------------------------------------------------------------ availability SLA

    /// Stores an availability SLA definition (fault-core's JSON as an object or a string:
    /// `name`, `availability_target` (`"0.999"`), `measurement_period` (`{ kind:
    /// 'calendar_month' }`), `response_minutes`, `credit_schedule`, `monthly_fee`, ...).
    /// Requires `faults.sla.write`.
    #[napi(ts_return_type = "Promise<StoredSlaDefinition>")]
    pub async fn create_sla_definition(
        &self,
        actor: Actor,
        #[napi(ts_arg_type = "Record<string, unknown> | string")] definition: serde_json::Value,
    ) -> napi::Result<Settled<StoredSlaDefinition>> {
        let r = async {
            let d = sla::definition(definition)?;
            self.desk.create_sla_definition(&actor.into(), d).await
        };
        settle(r.await.map(Into::into))
    }

    /// Reads an SLA definition (`NOT_FOUND`: `SLA definition {id} not found`).
    #[napi(ts_return_type = "Promise<StoredSlaDefinition>")]
    pub async fn get_sla_definition(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<StoredSlaDefinition>> {
        let r = async {
            self.desk
                .get_sla_definition(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The tenant's SLA definitions by name.
    #[napi(ts_return_type = "Promise<Array<StoredSlaDefinition>>")]
    pub async fn list_sla_definitions(
        &self,
        actor: Actor,
    ) -> napi::Result<Settled<Vec<StoredSlaDefinition>>> {
        settle(
            self.desk
                .list_sla_definitions(&actor.into())
                .await
                .map(many),
        )
    }

    /// Replaces a definition; existing instances keep the terms they were created with.
    #[napi(ts_return_type = "Promise<StoredSlaDefinition>")]
    pub async fn update_sla_definition(
        &self,
        actor: Actor,
        id: String,
        #[napi(ts_arg_type = "Record<string, unknown> | string")] definition: serde_json::Value,
    ) -> napi::Result<Settled<StoredSlaDefinition>> {
        let r = async {
            let id = uuid("id", &id)?;
            let d = sla::definition(definition)?;
            self.desk.update_sla_definition(&actor.into(), id, d).await
        };
        settle(r.await.map(Into::into))
    }

    /// Deletes an SLA definition.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn delete_sla_definition(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<()>> {
        let r = async {
            self.desk
                .delete_sla_definition(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await)
    }

    /// Applies a definition to a customer (and optionally a service and resources) for the
    /// period containing `at` (default now) or an explicit `period`; alarms naming the
    /// customer, the service (`service_id` label) or a resource then count as outages.
    #[napi(ts_return_type = "Promise<StoredSlaInstance>")]
    pub async fn create_sla_instance(
        &self,
        actor: Actor,
        input: NewSlaInstance,
    ) -> napi::Result<Settled<StoredSlaInstance>> {
        let r = async {
            let input = input.into_input()?;
            self.desk.create_sla_instance(&actor.into(), input).await
        };
        settle(r.await.map(Into::into))
    }

    /// Creates many instances in one transaction, all or nothing (an invalid input is a
    /// `VALIDATION` error naming its index).
    #[napi(ts_return_type = "Promise<Array<StoredSlaInstance>>")]
    pub async fn create_sla_instances(
        &self,
        actor: Actor,
        inputs: Vec<NewSlaInstance>,
    ) -> napi::Result<Settled<Vec<StoredSlaInstance>>> {
        let r = async {
            let inputs = sla::new_instances(inputs)?;
            self.desk.create_sla_instances(&actor.into(), inputs).await
        };
        settle(r.await.map(many))
    }

    /// Reads an SLA instance with its stored figures (`SLA instance {id} not found`).
    #[napi(ts_return_type = "Promise<StoredSlaInstance>")]
    pub async fn get_sla_instance(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<StoredSlaInstance>> {
        let r = async {
            self.desk
                .get_sla_instance(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The tenant's SLA instances by period start, one page (`status`: `active`, `at_risk`,
    /// `breached`, `expired`; `from`/`to`: periods overlapping that range, both or neither).
    #[napi(ts_return_type = "Promise<SlaInstancePage>")]
    pub async fn list_sla_instances(
        &self,
        actor: Actor,
        query: Option<SlaInstanceQuery>,
    ) -> napi::Result<Settled<SlaInstancePage>> {
        let r = async {
            let q = match query {
                Some(q) => q.into_query()?,
                None => faultdesk::SlaInstanceQuery::default(),
            };
            self.desk.list_sla_instances(&actor.into(), q).await
        };
        settle(r.await.map(Into::into))
    }

    /// Changes an instance's fee, currency or metadata (absent: unchanged); credits are
    /// recomputed.
    #[napi(ts_return_type = "Promise<StoredSlaInstance>")]
    pub async fn update_sla_instance(
        &self,
        actor: Actor,
        id: String,
        patch: SlaInstancePatch,
    ) -> napi::Result<Settled<StoredSlaInstance>> {
        let r = async {
            let id = uuid("id", &id)?;
            let patch = patch.into_patch()?;
            self.desk
                .update_sla_instance(&actor.into(), id, patch)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Deletes an SLA instance with its outages and breach records.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn delete_sla_instance(&self, actor: Actor, id: String) -> napi::Result<Settled<()>> {
        let r = async {
            self.desk
                .delete_sla_instance(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await)
    }

    /// Records performance samples (latency, packet loss, bandwidth) of an instance: a value
    /// beyond the definition's performance target opens a performance breach (recorded once,
    /// with its event, notification intents and credit), the next value within target ends
    /// it. All or nothing. Requires `faults.sla.write`.
    #[napi(ts_return_type = "Promise<StoredSlaInstance>")]
    pub async fn record_sla_measurements(
        &self,
        actor: Actor,
        instance_id: String,
        samples: Vec<SlaMeasurement>,
    ) -> napi::Result<Settled<StoredSlaInstance>> {
        let r = async {
            let id = uuid("instanceId", &instance_id)?;
            let samples = sla::measurements(samples)?;
            self.desk
                .record_sla_measurements(&actor.into(), id, samples)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The instance and its availability status now: availability, planned and unplanned
    /// downtime, compliance, breaches and credits.
    #[napi(ts_return_type = "Promise<SlaInstanceStatus>")]
    pub async fn sla_status(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<SlaInstanceStatus>> {
        let r = async { self.desk.sla_status(&actor.into(), uuid("id", &id)?).await };
        settle(r.await.map(Into::into))
    }

    /// Seed 002's compliance report over the instances whose period overlaps `[from, to)`.
    #[napi(ts_return_type = "Promise<ComplianceReport>")]
    pub async fn sla_compliance_report(
        &self,
        actor: Actor,
        query: SlaReportQuery,
    ) -> napi::Result<Settled<ComplianceReport>> {
        let r = async {
            let q = query.into_query()?;
            self.desk.sla_compliance_report(&actor.into(), q).await
        };
        settle(r.await.map(Into::into))
    }

    /// Recorded SLA breaches (optionally of one instance, starting in `[from, to)`), oldest
    /// first.
    #[napi(ts_return_type = "Promise<Array<SlaBreachRecord>>")]
    pub async fn list_sla_breaches(
        &self,
        actor: Actor,
        query: Option<SlaBreachQuery>,
    ) -> napi::Result<Settled<Vec<SlaBreachRecord>>> {
        let r = async {
            let q = match query {
                Some(q) => q.into_query()?,
                None => faultdesk::SlaBreachQuery::default(),
            };
            self.desk.list_sla_breaches(&actor.into(), q).await
        };
        settle(r.await.map(many))
    }

    // ------------------------------------------------------------------ tickets

    /// Seed 000: a ticket from an alarm (subject, body, metadata, priority mapping, one ticket
    /// per alarm).
    #[napi(ts_return_type = "Promise<TicketFromAlarm>")]
    pub async fn create_ticket_from_alarm(
        &self,
        actor: Actor,
        alarm_id: String,
        options: Option<TicketFromAlarmOptions>,
    ) -> napi::Result<Settled<TicketFromAlarm>> {
        let r = async {
            let id = uuid("alarmId", &alarm_id)?;
            let o = options.map_or_else(Default::default, |o| faultdesk::CreateTicketFromAlarm {
                priority: o.priority,
                additional_notes: o.additional_notes,
                assign_to_user_id: o.assign_to_user_id,
            });
            self.desk
                .create_ticket_from_alarm(&actor.into(), id, o)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Creates a ticket: number allocated, audit event and `ticket.created` event in the same
    /// transaction.
    #[napi(ts_return_type = "Promise<Ticket>")]
    pub async fn create_ticket(
        &self,
        actor: Actor,
        input: NewTicket,
    ) -> napi::Result<Settled<Ticket>> {
        let r = async {
            let i = input.into_input()?;
            self.desk.create_ticket(&actor.into(), i).await
        };
        settle(r.await.map(Into::into))
    }

    /// One ticket by id.
    #[napi(ts_return_type = "Promise<Ticket>")]
    pub async fn get_ticket(&self, actor: Actor, id: String) -> napi::Result<Settled<Ticket>> {
        let r = async { self.desk.get_ticket(&actor.into(), uuid("id", &id)?).await };
        settle(r.await.map(Into::into))
    }

    /// One ticket by number (`TKT-2026-000123`).
    #[napi(ts_return_type = "Promise<Ticket>")]
    pub async fn get_ticket_by_number(
        &self,
        actor: Actor,
        number: String,
    ) -> napi::Result<Settled<Ticket>> {
        settle(
            self.desk
                .get_ticket_by_number(&actor.into(), &number)
                .await
                .map(Into::into),
        )
    }

    /// PATCH: absent keys keep their value, `null` clears. Audit events per changed field.
    #[napi(ts_return_type = "Promise<Ticket>")]
    pub async fn update_ticket(
        &self,
        actor: Actor,
        id: String,
        patch: TicketPatch,
    ) -> napi::Result<Settled<Ticket>> {
        let r = async {
            let id = uuid("id", &id)?;
            let p = patch.into_patch()?;
            self.desk.update_ticket(&actor.into(), id, p).await
        };
        settle(r.await.map(Into::into))
    }

    /// Soft-deletes a ticket (it is then not found everywhere).
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn delete_ticket(&self, actor: Actor, id: String) -> napi::Result<Settled<()>> {
        let r = async {
            self.desk
                .delete_ticket(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await)
    }

    /// Assigns a ticket (`null` unassigns).
    #[napi(ts_return_type = "Promise<Ticket>")]
    pub async fn assign_ticket(
        &self,
        actor: Actor,
        id: String,
        assignee_id: Option<String>,
    ) -> napi::Result<Settled<Ticket>> {
        let r = async {
            self.desk
                .assign_ticket(&actor.into(), uuid("id", &id)?, assignee_id)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Moves a ticket to another workflow state (`INVALID_TRANSITION` when not allowed).
    #[napi(ts_return_type = "Promise<Ticket>")]
    pub async fn transition_ticket(
        &self,
        actor: Actor,
        id: String,
        to_state: String,
        options: Option<TransitionOptions>,
    ) -> napi::Result<Settled<Ticket>> {
        let r = async {
            let o = options.map_or_else(Default::default, |o| faultdesk::TransitionOptions {
                resolution_note: o.resolution_note,
                comment: o.comment,
            });
            self.desk
                .transition_ticket(&actor.into(), uuid("id", &id)?, &to_state, o)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Reopens a resolved or closed ticket (a reason is required).
    #[napi(ts_return_type = "Promise<Ticket>")]
    pub async fn reopen_ticket(
        &self,
        actor: Actor,
        id: String,
        reason: String,
    ) -> napi::Result<Settled<Ticket>> {
        let r = async {
            self.desk
                .reopen_ticket(&actor.into(), uuid("id", &id)?, &reason)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The ticket's audit log (status history included), oldest first.
    #[napi(ts_return_type = "Promise<Array<HistoryEntry>>")]
    pub async fn ticket_history(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<Vec<HistoryEntry>>> {
        let r = async {
            self.desk
                .ticket_history(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await.map(many))
    }

    /// Tickets matching `query`, sorted (default `-priority, -createdAt`), one page.
    #[napi(ts_return_type = "Promise<TicketPage>")]
    pub async fn list_tickets(
        &self,
        actor: Actor,
        query: Option<TicketQuery>,
    ) -> napi::Result<Settled<TicketPage>> {
        let r = async {
            self.desk
                .list_tickets(&actor.into(), self::query(query)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Full-text search over subject and description, best first.
    #[napi(ts_return_type = "Promise<TicketSearchPage>")]
    pub async fn search_tickets(
        &self,
        actor: Actor,
        text: String,
        query: Option<TicketQuery>,
    ) -> napi::Result<Settled<TicketSearchPage>> {
        let r = async {
            self.desk
                .search_tickets(&actor.into(), &text, self::query(query)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The SLA state of a ticket now (`null` when the Desk has no SLA policy).
    #[napi(ts_return_type = "Promise<SlaStatus | null>")]
    pub async fn ticket_sla(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<Option<SlaStatus>>> {
        let r = async { self.desk.ticket_sla(&actor.into(), uuid("id", &id)?).await };
        settle(r.await.map(|s| s.map(Into::into)))
    }

    /// Ticket counts by status, category, priority and type.
    #[napi(ts_return_type = "Promise<TicketStatistics>")]
    pub async fn ticket_stats(
        &self,
        actor: Actor,
        query: Option<TicketQuery>,
    ) -> napi::Result<Settled<TicketStatistics>> {
        let r = async {
            self.desk
                .ticket_stats(&actor.into(), self::query(query)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    // ------------------------------------------------------------------ collaboration

    /// Adds a comment (`public` by default; `internal` needs `tickets.comments.internal`).
    #[napi(ts_return_type = "Promise<Comment>")]
    pub async fn add_comment(
        &self,
        actor: Actor,
        ticket_id: String,
        body: String,
        #[napi(ts_arg_type = "'public' | 'internal'")] visibility: Option<String>,
    ) -> napi::Result<Settled<Comment>> {
        let r = async {
            let v = match visibility.as_deref() {
                None => faultdesk::ticket::comment::Visibility::Public,
                Some(s) => parse(s)?,
            };
            self.desk
                .add_comment(&actor.into(), uuid("ticketId", &ticket_id)?, &body, v)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Edits a comment (the author or an admin); the old body goes to its history.
    #[napi(ts_return_type = "Promise<Comment>")]
    pub async fn edit_comment(
        &self,
        actor: Actor,
        comment_id: String,
        body: String,
    ) -> napi::Result<Settled<Comment>> {
        let r = async {
            self.desk
                .edit_comment(&actor.into(), uuid("commentId", &comment_id)?, &body)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// Deletes a comment.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn delete_comment(
        &self,
        actor: Actor,
        comment_id: String,
    ) -> napi::Result<Settled<()>> {
        let r = async {
            self.desk
                .delete_comment(&actor.into(), uuid("commentId", &comment_id)?)
                .await
        };
        settle(r.await)
    }

    /// One comment the actor may see (else `NOT_FOUND`: `Comment {id} not found`), with its
    /// edit history.
    #[napi(ts_return_type = "Promise<Comment>")]
    pub async fn get_comment(
        &self,
        actor: Actor,
        comment_id: String,
    ) -> napi::Result<Settled<Comment>> {
        let r = async {
            self.desk
                .get_comment(&actor.into(), uuid("commentId", &comment_id)?)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The ticket's comments the actor may see, oldest first.
    #[napi(ts_return_type = "Promise<Array<Comment>>")]
    pub async fn list_comments(
        &self,
        actor: Actor,
        ticket_id: String,
    ) -> napi::Result<Settled<Vec<Comment>>> {
        let r = async {
            self.desk
                .list_comments(&actor.into(), uuid("ticketId", &ticket_id)?)
                .await
        };
        settle(r.await.map(many))
    }

    /// Stores a file on a ticket (size limit, extension allowlist, SHA-256 de-duplication).
    #[napi(ts_return_type = "Promise<Attachment>")]
    pub async fn add_attachment(
        &self,
        actor: Actor,
        ticket_id: String,
        input: NewAttachment,
        content: Buffer,
    ) -> napi::Result<Settled<Attachment>> {
        let r = async {
            let id = uuid("ticketId", &ticket_id)?;
            let i = input.into_input()?;
            let bytes = bytes::Bytes::copy_from_slice(&content);
            self.desk
                .add_attachment_bytes(&actor.into(), id, i, bytes)
                .await
        };
        settle(r.await.map(Into::into))
    }

    /// The ticket's attachments.
    #[napi(ts_return_type = "Promise<Array<Attachment>>")]
    pub async fn list_attachments(
        &self,
        actor: Actor,
        ticket_id: String,
    ) -> napi::Result<Settled<Vec<Attachment>>> {
        let r = async {
            self.desk
                .list_attachments(&actor.into(), uuid("ticketId", &ticket_id)?)
                .await
        };
        settle(r.await.map(many))
    }

    /// An attachment's metadata and content.
    #[napi(ts_return_type = "Promise<AttachmentContent>")]
    pub async fn open_attachment(
        &self,
        actor: Actor,
        id: String,
    ) -> napi::Result<Settled<AttachmentContent>> {
        let r = async {
            let d = self
                .desk
                .open_attachment(&actor.into(), uuid("id", &id)?)
                .await?;
            let chunks: Vec<bytes::Bytes> = d
                .content
                .try_collect()
                .await
                .map_err(|e| faultdesk::Error::storage(format!("reading attachment: {e}")))?;
            Ok(AttachmentContent {
                attachment: d.attachment.into(),
                content: chunks.concat().into(),
            })
        };
        settle(r.await)
    }

    /// Deletes an attachment.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn delete_attachment(&self, actor: Actor, id: String) -> napi::Result<Settled<()>> {
        let r = async {
            self.desk
                .delete_attachment(&actor.into(), uuid("id", &id)?)
                .await
        };
        settle(r.await)
    }

    /// Removes attachment content of `tenantId` that no attachment references any more (a
    /// metadata write that failed, an interrupted deletion) and abandoned temporary uploads,
    /// when older than `graceSeconds` (uploads still in progress are younger). A system call
    /// (no actor), for a maintenance job.
    #[napi(ts_return_type = "Promise<OrphanReport>")]
    pub async fn collect_orphan_blobs(
        &self,
        tenant_id: String,
        grace_seconds: f64,
    ) -> napi::Result<Settled<OrphanReport>> {
        let r = async {
            if !grace_seconds.is_finite() || grace_seconds < 0.0 {
                return Err(invalid(format!(
                    "graceSeconds must be a number of seconds >= 0, got {grace_seconds}"
                )));
            }
            let grace = chrono::Duration::milliseconds((grace_seconds * 1000.0).round() as i64);
            self.desk.collect_orphan_blobs(&tenant_id, grace).await
        };
        settle(r.await.map(|o| OrphanReport {
            content_removed: o.content_removed as u32,
            temp_removed: o.temp_removed as u32,
        }))
    }

    // ------------------------------------------------------------------ events and work

    /// Committed events after `afterSeq` (oldest first, at most `limit`, default 100), of the
    /// actor's tenant and visibility: how a consumer resumes after a restart.
    #[napi(ts_return_type = "Promise<Array<Event>>")]
    pub async fn events_since(
        &self,
        actor: Actor,
        after_seq: i64,
        limit: Option<u32>,
    ) -> napi::Result<Settled<Vec<Event>>> {
        let r = self
            .desk
            .events_since(&actor.into(), after_seq, limit.unwrap_or(100))
            .await;
        settle(r.map(many))
    }

    /// Calls `callback(event)` for every event committed from now on that `options.actor` may
    /// see (its tenant; internal events only with `tickets.comments.internal`) and whose kind
    /// matches `options.kinds` (`'ticket.*'`, `'alarm.raised'`, `'*'`; default all). Returns
    /// the function that ends the subscription. A live subscription keeps the process running,
    /// like a timer; `close()` ends them all.
    #[napi(ts_return_type = "() => void", catch_unwind)]
    pub fn subscribe<'e>(
        &self,
        env: &'e Env,
        options: SubscribeOptions,
        #[napi(ts_arg_type = "(event: Event) => void")] callback: EventCallback,
    ) -> napi::Result<Function<'e, (), ()>> {
        let filter = faultdesk::EventFilter::kinds(options.kinds.clone().unwrap_or_default());
        let sub = self
            .desk
            .subscribe(&actor(options.actor), filter)
            .map_err(|e| crate::outcome::sync_error(env, e))?;
        self.subscriptions.start(env, sub, callback)
    }

    /// Runs the SLA scheduler once at `now` (default: the Desk clock): warnings, breaches,
    /// escalations of tickets that are due.
    #[napi(ts_return_type = "Promise<RunDueReport>")]
    pub async fn run_due(&self, now: Option<DateTime<Utc>>) -> napi::Result<Settled<RunDueReport>> {
        let now = now.unwrap_or_else(|| self.desk.now());
        settle(self.desk.run_due(now).await.map(Into::into))
    }

    /// Delivers due notifications through the configured notifiers.
    #[napi(ts_return_type = "Promise<DeliveryReport>")]
    pub async fn deliver_notifications(&self) -> napi::Result<Settled<DeliveryReport>> {
        settle(self.desk.deliver_notifications().await.map(Into::into))
    }

    /// Recorded notification intents of the tenant (optionally of one ticket), newest first.
    #[napi(ts_return_type = "Promise<Array<Notification>>")]
    pub async fn list_notifications(
        &self,
        actor: Actor,
        ticket_id: Option<String>,
        limit: Option<u32>,
    ) -> napi::Result<Settled<Vec<Notification>>> {
        let r = async {
            let t = opt_uuid("ticketId", ticket_id.as_deref())?;
            self.desk
                .list_notifications(&actor.into(), t, limit.unwrap_or(100))
                .await
        };
        settle(r.await.map(many))
    }
}

/// What `collectOrphanBlobs` removed.
#[napi(object)]
pub struct OrphanReport {
    /// Content objects no attachment referenced.
    pub content_removed: u32,
    /// Abandoned temporary upload objects.
    pub temp_removed: u32,
}

/// What `openAttachment` returns.
#[napi(object)]
pub struct AttachmentContent {
    /// Metadata.
    pub attachment: Attachment,
    /// The bytes.
    pub content: Buffer,
}
