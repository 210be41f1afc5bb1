//! The per-tenant correlator cache of a [`Desk`].
//!
//! Each tenant gets one [`fault_core::Correlator`] holding its working set (the Desk's configured
//! rules plus the tenant's stored rules, its topology, its maintenance windows and its open
//! alarms). It is built lazily from storage on first use ([`Correlator::rebuild`]) and kept in a
//! `tokio::sync::Mutex` per tenant: ingest holds that lock across correlation *and* the write
//! transaction, so decisions and writes are serialised per tenant inside this process.
//!
//! The correlator mutates in memory before the transaction commits. Whenever a transaction that
//! follows a correlation fails (or a batch is rejected half-way), the tenant's correlator is
//! **discarded** and rebuilt from the database on next use, so memory never diverges from what
//! was committed. The database's partial unique index on open reduction keys is the final guard
//! against another process having opened the same key: the Desk discards, rebuilds and retries
//! once.
//!
//! **Ids**: fault-core derives alarm/correlation ids deterministically from the event time and a
//! per-correlator counter mixed with `id_seed`. Every rebuild takes a fresh seed from the random
//! bits of a UUID v7 (74 random bits, mixed with a process-wide counter), so two processes, two
//! restarts or two rebuilds of the same tenant never produce colliding ids.

use crate::desk::Desk;
use crate::desk::alarm_rows::alarm_from_row;
use crate::error::{Error, Result};
use fault_core::maintenance::{MaintenanceScope, MaintenanceStatus, MaintenanceWindow};
use fault_core::rule::{Rule, RuleActions};
use fault_core::topology::TopologyEdge;
use fault_core::{Correlator, CorrelatorConfig};
use faultdesk_storage::{MaintenanceWindowRow, RuleRow, Tx};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// One tenant's slot: `None` until built, or after a discard.
pub(crate) type Slot = Arc<AsyncMutex<Option<Correlator>>>;

/// The correlators of one Desk, by tenant.
#[derive(Default)]
pub(crate) struct Correlators {
    tenants: Mutex<HashMap<String, Slot>>,
}

impl Correlators {
    fn slot(&self, tenant_id: &str) -> Slot {
        let mut map = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(tenant_id.to_string()).or_default().clone()
    }
}

/// Desks are keyed by the address of their shared state; the `Weak` tells a live Desk from a
/// dropped one whose address was reused.
type Registry = Mutex<Vec<(Weak<crate::desk::Inner>, Arc<Correlators>)>>;

static REGISTRY: Registry = Mutex::new(Vec::new());

static SEED_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh id seed: random bits of a UUID v7 mixed with a process-wide counter.
pub(crate) fn fresh_id_seed() -> u64 {
    let r = uuid::Uuid::now_v7().as_u128() as u64;
    r ^ SEED_COUNTER
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The metadata key of a rule's actions JSON under which the options that are not seed 002
/// actions (scope, equal, group_by, reduction_key) are stored.
const RULE_OPTIONS_KEY: &str = "options";

/// The row of a rule (id, tenant and timestamps filled by the caller).
pub(crate) fn rule_to_columns(rule: &Rule) -> (Value, Value) {
    let mut actions = match serde_json::to_value(&rule.actions) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut options = Map::new();
    if rule.scope != Default::default() {
        options.insert(
            "scope".into(),
            serde_json::to_value(rule.scope).unwrap_or(Value::Null),
        );
    }
    if !rule.equal.is_empty() {
        options.insert("equal".into(), Value::from(rule.equal.clone()));
    }
    if !rule.group_by.is_empty() {
        options.insert("group_by".into(), Value::from(rule.group_by.clone()));
    }
    if let Some(k) = &rule.reduction_key {
        options.insert("reduction_key".into(), Value::from(k.as_str()));
    }
    if !options.is_empty() {
        actions.insert(RULE_OPTIONS_KEY.into(), Value::Object(options));
    }
    (rule.conditions.clone(), Value::Object(actions))
}

/// Rebuilds the rule stored in `row` (its id is the row id).
pub(crate) fn rule_from_row(row: &RuleRow) -> Result<Rule> {
    let corrupt = |e: String| Error::storage(format!("rule {} is corrupt: {e}", row.id));
    let mut actions = match &row.actions {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => return Err(corrupt(format!("actions is not an object: {other}"))),
    };
    let options = actions.remove(RULE_OPTIONS_KEY);
    let actions: RuleActions =
        serde_json::from_value(Value::Object(actions)).map_err(|e| corrupt(e.to_string()))?;
    let mut v = serde_json::json!({
        "id": row.id.to_string(),
        "name": row.name,
        "description": row.description,
        "type": row.rule_type,
        "enabled": row.enabled,
        "priority": row.priority,
        "conditions": row.conditions,
        "time_window": row.time_window_seconds,
    });
    if let (Some(Value::Object(o)), Value::Object(m)) = (options, &mut v) {
        m.extend(o);
    }
    let mut rule: Rule = serde_json::from_value(v).map_err(|e| corrupt(e.to_string()))?;
    rule.actions = actions;
    Ok(rule)
}

/// The fault-core window of a stored maintenance window.
pub(crate) fn window_from_row(row: &MaintenanceWindowRow) -> Result<MaintenanceWindow> {
    let scope: MaintenanceScope = serde_json::from_value(row.scope.clone()).map_err(|e| {
        Error::storage(format!(
            "maintenance window {} has a corrupt scope: {e}",
            row.id
        ))
    })?;
    let status: MaintenanceStatus = serde_json::from_value(Value::from(row.status.as_str()))
        .map_err(|e| {
            Error::storage(format!(
                "maintenance window {} has an invalid status: {e}",
                row.id
            ))
        })?;
    Ok(MaintenanceWindow {
        id: row.id,
        tenant_id: row.tenant_id.clone(),
        title: row.title.clone(),
        start: row.start_time,
        end: row.end_time,
        status,
        scope,
    })
}

/// The storage name of a maintenance status (`scheduled`, `in_progress`, ...).
pub(crate) fn maintenance_status_str(s: MaintenanceStatus) -> &'static str {
    match s {
        MaintenanceStatus::Scheduled => "scheduled",
        MaintenanceStatus::InProgress => "in_progress",
        MaintenanceStatus::Completed => "completed",
        MaintenanceStatus::Cancelled => "cancelled",
    }
}

/// Builds a tenant's correlator from what `tx` sees.
pub(crate) async fn build_correlator(
    base: &CorrelatorConfig,
    tx: &Tx,
    tenant_id: &str,
) -> Result<Correlator> {
    let mut config = base.clone().with_id_seed(fresh_id_seed());
    for row in tx.list_rules(tenant_id, true).await? {
        config.rules.push(rule_from_row(&row)?);
    }
    let windows = tx
        .list_maintenance_windows(Some(tenant_id), &Default::default())
        .await?;
    let alarms = tx
        .open_alarms(Some(tenant_id))
        .await?
        .iter()
        .map(alarm_from_row)
        .collect::<Result<Vec<_>>>()?;
    let edges: Vec<TopologyEdge> = tx
        .list_topology_edges(tenant_id)
        .await?
        .into_iter()
        .map(|e| TopologyEdge::new(e.parent_id, e.child_id))
        .collect();
    for w in &windows {
        if w.status != "cancelled" {
            config.maintenance_windows.push(window_from_row(w)?);
        }
    }
    // Suppressed alarms are restored with their parent links; a suppressed alarm whose reason
    // the working set cannot re-derive stays suppressed until an operator or a clear changes it.
    let mut c = Correlator::rebuild(config, alarms)?;
    c.add_topology_edges(tenant_id, &edges)?;
    Ok(c)
}

/// A locked tenant correlator, built if needed.
pub(crate) struct TenantCorrelator {
    guard: OwnedMutexGuard<Option<Correlator>>,
}

impl TenantCorrelator {
    /// The correlator.
    pub(crate) fn get(&mut self) -> &mut Correlator {
        self.guard
            .as_mut()
            .expect("TenantCorrelator always holds a built correlator")
    }

    /// Drops the correlator: the next use rebuilds it from the database.
    pub(crate) fn discard(mut self) {
        *self.guard = None;
    }
}

impl Desk {
    fn correlators(&self) -> Arc<Correlators> {
        let mut reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
        reg.retain(|(w, _)| w.strong_count() > 0);
        let me = Arc::downgrade(&self.inner);
        if let Some((_, c)) = reg.iter().find(|(w, _)| w.ptr_eq(&me)) {
            return c.clone();
        }
        let c = Arc::new(Correlators::default());
        reg.push((me, c.clone()));
        c
    }

    /// Locks the tenant's correlator, building it from storage first when needed.
    pub(crate) async fn tenant_correlator(&self, tenant_id: &str) -> Result<TenantCorrelator> {
        let slot = self.correlators().slot(tenant_id);
        let mut guard = slot.lock_owned().await;
        if guard.is_none() {
            let base = &self.inner.config.correlator;
            let tenant = tenant_id.to_string();
            let c = crate::desk::read_tx!(self, |tx| build_correlator(base, tx, &tenant).await)?;
            *guard = Some(c);
        }
        Ok(TenantCorrelator { guard })
    }

    /// Discards the tenant's correlator (rebuilt on next use), e.g. after rules, topology or
    /// maintenance windows changed in a way easier to rebuild than to patch.
    pub(crate) async fn discard_correlator(&self, tenant_id: &str) {
        let slot = self.correlators().slot(tenant_id);
        *slot.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ() {
        let a = fresh_id_seed();
        let b = fresh_id_seed();
        assert_ne!(a, b);
    }

    #[test]
    fn rule_round_trips_through_columns() {
        let mut rule = Rule::list_from_json(fault_core::correlator::SEED_002_RULE_JSON)
            .unwrap()
            .remove(0);
        rule.equal = vec!["customer_id".into()];
        let (conditions, actions) = rule_to_columns(&rule);
        let now = chrono::Utc::now();
        let id = uuid::Uuid::now_v7();
        let row = RuleRow {
            id,
            tenant_id: "t".into(),
            name: rule.name.clone(),
            rule_type: "correlation".into(),
            description: None,
            enabled: true,
            priority: 0,
            conditions,
            actions,
            time_window_seconds: Some(300),
            created_at: now,
            updated_at: now,
        };
        let back = rule_from_row(&row).unwrap();
        rule.id = Some(id.to_string());
        assert_eq!(back, rule);
        let mut bad = row.clone();
        bad.actions = serde_json::json!({"explode": true});
        assert_eq!(
            rule_from_row(&bad).unwrap_err().kind(),
            crate::ErrorKind::Storage
        );
    }
}
