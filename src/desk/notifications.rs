//! Notifications: intents recorded in the transaction of the change that causes them
//! (`notification_log`, seed 001), delivered later by [`Desk::deliver_notifications`] through
//! the [`Notifier`] registered for their channel, with retry, backoff and every attempt
//! recorded (`attempts`, `last_error`, `status`).
//!
//! Which changes notify whom is configuration: [`NotificationRoute`]s match event kinds
//! (`ticket.commented`, `sla.*`, ...) and name a channel, a recipient and a template. The one
//! real channel shipped is the [`WebhookNotifier`] (HTTP POST of JSON with an HMAC-SHA256
//! signature header); e-mail, SMS, Slack and websocket notifiers are implemented by the
//! embedding application.

use crate::desk::{Desk, Work};
use crate::error::{Error, Result};
use crate::events::EventFilter;
use chrono::{DateTime, Duration, Utc};
use faultdesk_storage::NotificationRow;
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// The channels of seed 001's `notification_logs`.
pub const CHANNELS: [&str; 5] = ["email", "sms", "webhook", "slack", "websocket"];

/// The header carrying the webhook body's HMAC-SHA256 (`sha256=<hex>`).
pub const SIGNATURE_HEADER: &str = "X-Faultdesk-Signature";

/// One notification to deliver (a `notification_log` row as the notifier sees it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Notification id (stable across retries: use it to de-duplicate on the receiving side).
    pub id: Uuid,
    /// Tenant.
    pub tenant_id: String,
    /// `email`, `sms`, `webhook`, `slack` or `websocket`.
    pub channel: String,
    /// Address, number, URL or user id.
    pub recipient: String,
    /// Template name (by default the event kind).
    pub template: String,
    /// Subject line.
    pub subject: Option<String>,
    /// Template data: the event (`kind`, `seq`, `entity_id`, `payload`).
    pub payload: Value,
    /// Related ticket.
    pub ticket_id: Option<Uuid>,
    /// Related alarm.
    pub alarm_id: Option<Uuid>,
    /// Which attempt this is (1 for the first).
    pub attempt: i32,
    /// When the intent was recorded.
    pub created_at: DateTime<Utc>,
}

/// Delivers notifications of one channel. Implemented by the embedding application (e-mail,
/// SMS, Slack, ...); faultdesk ships [`WebhookNotifier`].
///
/// An `Err` is recorded as the attempt's error and retried with backoff until
/// [`NotificationConfig::max_attempts`].
#[async_trait::async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Delivers one notification.
    async fn deliver(&self, n: &Notification) -> std::result::Result<(), String>;
}

/// Which events create which notification intents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRoute {
    /// Event kind patterns (`ticket.*`, `sla.breached`); empty = every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Channel (one of [`CHANNELS`]).
    pub channel: String,
    /// Recipient (URL for webhooks).
    pub recipient: String,
    /// Template name; `None` uses the event kind.
    #[serde(default)]
    pub template: Option<String>,
    /// Only for events of this tenant (`None` = every tenant).
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// Also notify about internal events (internal comments). Off by default: a route to a
    /// customer-facing channel must not leak internal notes.
    #[serde(default)]
    pub include_internal: bool,
}

impl NotificationRoute {
    /// A route of `kinds` to `recipient` on `channel`.
    pub fn new<I, S>(kinds: I, channel: &str, recipient: &str) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        NotificationRoute {
            kinds: kinds.into_iter().map(Into::into).collect(),
            channel: channel.to_string(),
            recipient: recipient.to_string(),
            template: None,
            tenant_id: None,
            include_internal: false,
        }
    }

    /// Checks the channel and recipient.
    pub fn validate(&self) -> Result<()> {
        if !CHANNELS.contains(&self.channel.as_str()) {
            return Err(Error::validation(format!(
                "Invalid notification channel '{}'. Accepted values: {}",
                self.channel,
                CHANNELS.join(", ")
            )));
        }
        if self.recipient.trim().is_empty() {
            return Err(Error::validation(
                "notification recipient must not be empty",
            ));
        }
        Ok(())
    }

    fn matches(&self, tenant_id: &str, kind: &str, internal: bool) -> bool {
        (self.include_internal || !internal)
            && self.tenant_id.as_deref().is_none_or(|t| t == tenant_id)
            && EventFilter {
                kinds: self.kinds.clone(),
            }
            .matches_kind(kind)
    }
}

/// Notification settings of a Desk.
#[derive(Debug, Clone)]
pub struct NotificationConfig {
    /// Routes from events to intents.
    pub routes: Vec<NotificationRoute>,
    /// Notifier per channel.
    pub notifiers: BTreeMap<String, Arc<dyn Notifier>>,
    /// Attempts before a notification is given up (`dead`). Default 5.
    pub max_attempts: i32,
    /// Delay before the first retry; doubled per attempt. Default 30 s.
    pub retry_base: Duration,
    /// Longest delay between attempts. Default 1 h.
    pub retry_max: Duration,
    /// How long a claimed notification stays claimed by one worker. Default 5 min.
    pub lease: Duration,
    /// Notifications claimed per `deliver_notifications` call. Default 100.
    pub batch_size: u32,
    /// `alarm.raised` and `alarm.cleared` notify (through the routes) only for alarms raised
    /// with one of these severities. Default: critical only (an alarm storm of majors must not
    /// flood the notification log; add `Major` to notify about them too).
    pub alarm_severities: Vec<fault_core::Severity>,
}

impl Default for NotificationConfig {
    fn default() -> Self {
        NotificationConfig {
            routes: Vec::new(),
            notifiers: BTreeMap::new(),
            max_attempts: 5,
            retry_base: Duration::seconds(30),
            retry_max: Duration::hours(1),
            lease: Duration::minutes(5),
            batch_size: 100,
            alarm_severities: vec![fault_core::Severity::Critical],
        }
    }
}

impl NotificationConfig {
    /// Delay after the `attempts`-th failed attempt.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let shift = (attempts.max(1) - 1).min(20) as u32;
        let d = self.retry_base * (1i32 << shift.min(30));
        d.min(self.retry_max)
    }
}

/// What one [`Desk::deliver_notifications`] call did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// Notifications claimed.
    pub claimed: usize,
    /// Delivered.
    pub sent: usize,
    /// Failed and scheduled for retry.
    pub retrying: usize,
    /// Failed for the last time (`dead`).
    pub dead: usize,
}

/// The built-in webhook channel: POSTs the notification as JSON to its recipient URL with
/// `Content-Type: application/json`, `X-Faultdesk-Delivery: <notification id>` and
/// `X-Faultdesk-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>`.
/// Any non-2xx answer, timeout or connection error is a failed attempt.
///
/// Receivers verify with the same secret:
///
/// ```
/// use faultdesk::WebhookNotifier;
/// let sig = WebhookNotifier::sign(b"secret", br#"{"id":1}"#);
/// assert!(sig.starts_with("sha256="));
/// assert_eq!(sig.len(), 7 + 64);
/// ```
#[derive(Clone)]
pub struct WebhookNotifier {
    client: reqwest::Client,
    secret: Vec<u8>,
}

impl std::fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookNotifier").finish_non_exhaustive()
    }
}

impl WebhookNotifier {
    /// A webhook notifier signing with `secret`, with a 10 s request timeout.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self> {
        Self::with_timeout(secret, std::time::Duration::from_secs(10))
    }

    /// A webhook notifier with another request timeout.
    pub fn with_timeout(secret: impl Into<Vec<u8>>, timeout: std::time::Duration) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| Error::validation(format!("webhook client: {e}")))?;
        Ok(WebhookNotifier {
            client,
            secret: secret.into(),
        })
    }

    /// `sha256=<hex>` of the HMAC-SHA256 of `body` with `secret`.
    pub fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
            .expect("HMAC accepts keys of any length");
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }
}

#[async_trait::async_trait]
impl Notifier for WebhookNotifier {
    async fn deliver(&self, n: &Notification) -> std::result::Result<(), String> {
        let body = serde_json::to_vec(&json!({
            "id": n.id,
            "tenant_id": n.tenant_id,
            "template": n.template,
            "subject": n.subject,
            "payload": n.payload,
            "ticket_id": n.ticket_id,
            "alarm_id": n.alarm_id,
            "attempt": n.attempt,
            "created_at": n.created_at,
        }))
        .map_err(|e| e.to_string())?;
        let sig = Self::sign(&self.secret, &body);
        let resp = self
            .client
            .post(&n.recipient)
            .header("Content-Type", "application/json")
            .header("X-Faultdesk-Delivery", n.id.to_string())
            .header(SIGNATURE_HEADER, sig)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("webhook request failed: {e}"))?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("webhook answered HTTP {}", status.as_u16()))
        }
    }
}

fn notification_of(row: &NotificationRow) -> Notification {
    Notification {
        id: row.id,
        tenant_id: row.tenant_id.clone(),
        channel: row.channel.clone(),
        recipient: row.recipient.clone(),
        template: row.template.clone(),
        subject: row.subject.clone(),
        payload: row.payload.clone(),
        ticket_id: row.ticket_id,
        alarm_id: row.alarm_id,
        attempt: row.attempts + 1,
        created_at: row.created_at,
    }
}

/// Whether an alarm event's payload names a raised severity that notifies.
fn alarm_notifies(payload: &Value, severities: &[fault_core::Severity]) -> bool {
    let sev = payload
        .get("raised_severity")
        .or_else(|| payload.get("severity"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<fault_core::Severity>().ok());
    sev.is_some_and(|s| severities.contains(&s))
}

/// Related objects of an event, for the notification row.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Related {
    pub(crate) ticket_id: Option<Uuid>,
    pub(crate) alarm_id: Option<Uuid>,
}

impl Desk {
    /// Emits an outbox event (like `w.emit`) and marks it as one that notifies: when the
    /// transaction commits, the intents the configured routes ask for are written in it (see
    /// [`Desk::record_intents`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn emit_notify(
        &self,
        w: &mut Work,
        tenant_id: &str,
        kind: &str,
        entity_id: Option<String>,
        internal: bool,
        payload: Value,
        related: Related,
    ) {
        w.emit(tenant_id, kind, entity_id, internal, payload);
        w.notify_last(related);
    }

    /// Writes, in the transaction about to commit, the notification intents of its events:
    /// those emitted with [`Desk::emit_notify`] (tickets created, assigned, transitioned,
    /// reopened, commented; attachments; ticket SLA warnings and breaches; availability SLA
    /// breaches and at-risk instances) and `alarm.raised` / `alarm.cleared` of alarms whose
    /// raised severity is in [`NotificationConfig::alarm_severities`] (critical by default).
    /// One multi-row insert; nothing at all when no route is configured.
    pub(crate) async fn record_intents(
        &self,
        tx: &faultdesk_storage::Tx,
        events: &[crate::events::Event],
        marked: &[(usize, Related)],
    ) -> Result<()> {
        let cfg = &self.inner.config.notifications;
        if cfg.routes.is_empty() || events.is_empty() {
            return Ok(());
        }
        let mut chosen: Vec<(usize, Related)> = marked.to_vec();
        for (i, e) in events.iter().enumerate() {
            if (e.kind == "alarm.raised" || e.kind == "alarm.cleared")
                && alarm_notifies(&e.payload, &cfg.alarm_severities)
            {
                let alarm_id = e.entity_id.as_deref().and_then(|s| s.parse().ok());
                chosen.push((
                    i,
                    Related {
                        ticket_id: None,
                        alarm_id,
                    },
                ));
            }
        }
        chosen.sort_by_key(|(i, _)| *i);
        let mut rows = Vec::new();
        for (i, related) in chosen {
            let e = &events[i];
            for r in cfg
                .routes
                .iter()
                .filter(|r| r.matches(&e.tenant_id, &e.kind, e.internal))
            {
                rows.push(NotificationRow {
                    id: crate::ids::new_id(),
                    tenant_id: e.tenant_id.clone(),
                    channel: r.channel.clone(),
                    recipient: r.recipient.clone(),
                    template: r.template.clone().unwrap_or_else(|| e.kind.clone()),
                    subject: None,
                    payload: json!({
                        "kind": e.kind,
                        "seq": e.seq,
                        "entity_id": e.entity_id,
                        "payload": e.payload,
                    }),
                    status: "pending".into(),
                    attempts: 0,
                    last_error: None,
                    next_attempt_at: e.at,
                    locked_until: None,
                    sent_at: None,
                    ticket_id: related.ticket_id,
                    alarm_id: related.alarm_id,
                    created_at: e.at,
                    updated_at: e.at,
                });
            }
        }
        if !rows.is_empty() {
            tx.insert_notifications(&rows).await?;
        }
        Ok(())
    }

    /// Delivers due notifications (pending ones and failed ones whose backoff has passed)
    /// through the notifier registered for their channel, recording each attempt: `sent` with
    /// `sent_at`, or `failed` with `last_error` and the next attempt after an exponential
    /// backoff, or `dead` after [`NotificationConfig::max_attempts`]. A channel without a
    /// notifier counts as a failed attempt.
    ///
    /// A system call (no actor): run it from a worker loop. Several workers may run at once —
    /// each notification is claimed by one of them (`FOR UPDATE SKIP LOCKED` on PostgreSQL)
    /// for [`NotificationConfig::lease`].
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::ticket::comment::Visibility;
    /// use faultdesk::{Actor, Desk, DeskConfig, NewTicketInput, Notification, NotificationRoute, Notifier};
    ///
    /// #[derive(Debug)]
    /// struct Log;
    /// #[async_trait::async_trait]
    /// impl Notifier for Log {
    ///     async fn deliver(&self, n: &Notification) -> Result<(), String> {
    ///         println!("to {}: {}", n.recipient, n.template);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let config = DeskConfig::default()
    ///     .with_notification_route(NotificationRoute::new(["ticket.commented"], "email", "noc@example.com"))?
    ///     .with_notifier("email", Log);
    /// let desk = Desk::open("sqlite::memory:", config).await?;
    /// let agent = Actor::new("acme", "a-1").with_roles(["DEVOPS_ENGINEER"]);
    /// let t = desk.create_ticket(&agent, NewTicketInput::new("Fibre cut")).await?;
    /// desk.add_comment(&agent, t.id, "Crew dispatched", Visibility::Public).await?;
    /// let report = desk.deliver_notifications().await?;
    /// assert_eq!(report.sent, 1);
    /// # Ok::<(), faultdesk::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn deliver_notifications(&self) -> Result<DeliveryReport> {
        let cfg = &self.inner.config.notifications;
        let now = self.now();
        let lease_until = now + cfg.lease;
        let batch = cfg.batch_size.max(1);
        let claimed = crate::desk::write_tx!(self, |w| Ok(w
            .tx
            .claim_due_notifications(now, lease_until, batch)
            .await?))?;
        let mut report = DeliveryReport {
            claimed: claimed.len(),
            ..Default::default()
        };
        for mut row in claimed {
            let n = notification_of(&row);
            let outcome = match cfg.notifiers.get(&row.channel) {
                Some(notifier) => notifier.deliver(&n).await,
                None => Err(format!(
                    "no notifier is registered for channel '{}'",
                    row.channel
                )),
            };
            let at = self.now();
            row.attempts += 1;
            row.locked_until = None;
            row.updated_at = at;
            match outcome {
                Ok(()) => {
                    row.status = "sent".into();
                    row.sent_at = Some(at);
                    row.last_error = None;
                    report.sent += 1;
                    tracing::info!(notification_id = %row.id, channel = %row.channel, attempts = row.attempts, "notification.sent");
                }
                Err(e) => {
                    row.last_error = Some(e.chars().take(2000).collect());
                    if row.attempts >= cfg.max_attempts {
                        row.status = "dead".into();
                        report.dead += 1;
                        tracing::warn!(notification_id = %row.id, channel = %row.channel, attempts = row.attempts, error = %e, "notification.dead");
                    } else {
                        row.status = "failed".into();
                        row.next_attempt_at = at + cfg.backoff(row.attempts);
                        report.retrying += 1;
                        tracing::warn!(notification_id = %row.id, channel = %row.channel, attempts = row.attempts, error = %e, "notification.failed");
                    }
                }
            }
            let r = row.clone();
            crate::desk::write_tx!(self, |w| {
                w.tx.update_notification(&r).await?;
                Ok(())
            })?;
        }
        Ok(report)
    }

    /// Notification intents of the actor's tenant (optionally of one ticket), newest first,
    /// at most `limit` (1..=1000). Requires `admin`.
    pub async fn list_notifications(
        &self,
        actor: &crate::Actor,
        ticket_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<NotificationRow>> {
        self.require(actor, ticket_core::rbac::perms::ADMIN)?;
        if limit == 0 || limit > 1000 {
            return Err(Error::validation(format!(
                "limit must be between 1 and 1000, got {limit}"
            )));
        }
        let tenant = actor.tenant_id.clone();
        crate::desk::read_tx!(self, |tx| Ok(tx
            .list_notifications(&tenant, ticket_id, limit)
            .await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256() {
        // RFC 4231 test case 2.
        let sig = WebhookNotifier::sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let c = NotificationConfig::default();
        assert_eq!(c.backoff(1), Duration::seconds(30));
        assert_eq!(c.backoff(2), Duration::seconds(60));
        assert_eq!(c.backoff(3), Duration::seconds(120));
        assert_eq!(c.backoff(30), Duration::hours(1));
    }

    #[test]
    fn routes_match_kind_tenant_and_internal() {
        let mut r = NotificationRoute::new(["ticket.*"], "webhook", "http://x");
        assert!(r.matches("a", "ticket.commented", false));
        assert!(!r.matches("a", "ticket.commented", true));
        assert!(!r.matches("a", "alarm.raised", false));
        r.tenant_id = Some("b".into());
        assert!(!r.matches("a", "ticket.created", false));
        r.include_internal = true;
        assert!(r.matches("b", "ticket.commented", true));
        assert!(
            NotificationRoute::new(["x"], "pigeon", "y")
                .validate()
                .unwrap_err()
                .to_string()
                .starts_with("Invalid notification channel 'pigeon'")
        );
    }
}
