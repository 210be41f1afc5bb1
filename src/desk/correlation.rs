//! The per-tenant correlator cache of a [`Desk`].
//!
//! Each tenant gets one [`fault_core::Correlator`] holding its working set (the Desk's configured
//! rules plus the tenant's stored rules, its topology, its maintenance windows and its open
//! alarms). It is built from storage on first use ([`Correlator::rebuild`]) and kept in a
//! `tokio::sync::Mutex` per tenant, so decisions and writes are serialised per tenant inside
//! this process.
//!
//! # Many processes on one database
//!
//! Every transaction that makes correlation decisions first calls
//! [`TenantCorrelator::sync`] *inside* the write transaction: it takes the tenant's
//! correlation lock in the database ([`faultdesk_storage::Tx::lock_correlation`], a row lock on
//! `correlation_state` held until commit) and learns the tenant's version. If another process
//! committed correlation changes since this cache was last current (the version moved by more
//! than this transaction's own bump, or the config version moved), the cache is rebuilt from
//! the database inside the same transaction, under the lock, so it sees every committed change
//! and nothing can change under it until commit. The decision is then made, written and
//! committed while the lock is held. So the correlator a process decides with is always the
//! one a single process would hold: state it cached is never the reason for a wrong decision.
//!
//! The lock is per tenant (not per topology root) because correlation decisions span the
//! tenant: tenant-scoped rules pick parents anywhere in it, `equal`/`group_by` groups cross
//! resources, maintenance windows match by customer or resource type. Transactions of
//! different tenants never wait for each other.
//!
//! The correlator mutates in memory before the transaction commits. Whenever a transaction
//! that follows a correlation fails (or a batch is rejected half-way), the tenant's correlator
//! is **discarded** and rebuilt from the database on next use, so memory never diverges from
//! what was committed. Writers that bypass the lock (plain SQL, older versions) are caught by
//! the partial unique index on open reduction keys: the Desk discards, rebuilds and retries.
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
use faultdesk_storage::{CorrelationStamp, MaintenanceWindowRow, RuleRow, Tx};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A built correlator and the tenant version it is current at.
pub(crate) struct Cached {
    correlator: Correlator,
    /// The tenant's correlation versions this correlator reflects (after the last commit
    /// of this process, or the build).
    stamp: CorrelationStamp,
}

/// One tenant's slot: `None` until built, or after a discard.
pub(crate) type Slot = Arc<AsyncMutex<Option<Cached>>>;

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

static SEED_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh id seed: random bits of a UUID v7 mixed with a process-wide counter.
pub(crate) fn fresh_id_seed() -> u64 {
    let r = crate::ids::new_id().as_u128() as u64;
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
    let flapping = config.flapping;
    let newest_open = alarms.iter().map(|a| a.last_occurrence).max();
    // Suppressed alarms are restored with their parent links; a suppressed alarm whose reason
    // the working set cannot re-derive stays suppressed until an operator or a clear changes it.
    let mut c = Correlator::rebuild_with_topology(config, tenant_id, &edges, alarms)?;
    if flapping.enabled {
        // The flap history outlives the alarms that left the working set: restore the clears
        // of the flap window before the newest event stored, as the correlator that saw them
        // (maybe in another process) holds them.
        // The clears that can still count are those inside the window before the newest event
        // time. Open alarms' last occurrences are event times; a clear may carry the Desk
        // clock's time (operator clears), so the smaller of the two bounds it from below.
        let latest_clear = tx.latest_alarm_clear(tenant_id).await?;
        let newest = match (newest_open, latest_clear) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(newest) = newest {
            let window = i64::try_from(flapping.window_secs)
                .ok()
                .and_then(chrono::Duration::try_seconds)
                .unwrap_or(chrono::TimeDelta::MAX);
            let since = newest
                .checked_sub_signed(window)
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
            let clears = tx.alarm_clears_since(tenant_id, since).await?;
            c.restore_clears(clears.iter().map(|(k, at)| (k.as_str(), *at)));
        }
    }
    Ok(c)
}

/// Runs a block that makes correlation decisions for a tenant in one write transaction:
/// `correlating_tx!(desk, tenant, config_changed, retry_conflict, |w, tc| { ...; Ok(v) })`
/// evaluates to `Result<(v, TenantCorrelator)>`. Inside, `w` is the `&mut Work` and `tc` the
/// `&mut TenantCorrelator`, already synced under the tenant's database lock (call `tc.get()`
/// for the correlator). Commits on `Ok` and marks the cache current (a block that called
/// `tc.unchanged()` is rolled back instead); on an error the
/// transaction rolls back and a correlator the block touched is discarded. Transient storage
/// errors re-run the block (as [`write_tx!`](crate::desk::write_tx)); with `retry_conflict`,
/// one unique-constraint conflict (a writer that bypassed the lock) re-runs it after a
/// rebuild. With `config_changed` (rules, topology, maintenance windows) the tenant's config
/// version is bumped, so every other process rebuilds its cache; this process patches its
/// correlator after commit (or discards it) with the returned `TenantCorrelator`.
macro_rules! correlating_tx {
    ($desk:expr, $tenant:expr, $config_changed:expr, $retry_conflict:expr, |$w:ident, $tc:ident| $body:expr) => {{
        let desk = &$desk;
        async {
            let mut tcell = desk.tenant_correlator($tenant).await;
            let mut attempt = 0u32;
            let mut conflicts = 0u32;
            loop {
                attempt += 1;
                let mut work = desk.begin_work().await?;
                let outcome = {
                    #[allow(unused_mut)]
                    let $w = &mut work;
                    let $tc = &mut tcell;
                    async {
                        let now = $w.now;
                        $tc.sync(desk, &$w.tx, now, $config_changed).await?;
                        $w.sla_version = $tc.sla_version();
                        $body
                    }
                    .await
                };
                if outcome.is_ok() && tcell.take_unchanged() {
                    // The block changed nothing: leave no trace (not even the version bump).
                    let _ = work.tx.rollback().await;
                    tcell.rolled_back();
                    break outcome.map(|v| (v, tcell));
                }
                match desk.finish_work(work, outcome, attempt).await {
                    Ok(Some(v)) => {
                        tcell.committed();
                        break Ok::<_, $crate::Error>((v, tcell));
                    }
                    Ok(None) => tcell.rolled_back(),
                    Err(e) => {
                        tcell.rolled_back();
                        if $retry_conflict
                            && e.kind() == $crate::ErrorKind::Conflict
                            && conflicts == 0
                        {
                            // A writer that bypassed the lock opened one of these keys.
                            conflicts += 1;
                            tcell.discard();
                            continue;
                        }
                        break Err(e);
                    }
                }
            }
        }
        .await
    }};
}
pub(crate) use correlating_tx;

/// How a [`TenantCorrelator::sync`] found the cache (for tracing and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheState {
    /// Current: nobody else changed the tenant since this process's last commit.
    Current,
    /// Built or rebuilt from the database in this transaction.
    Rebuilt,
}

/// A tenant's correlator slot, locked in this process. [`TenantCorrelator::sync`] makes it
/// current inside a write transaction; [`TenantCorrelator::committed`] or
/// [`TenantCorrelator::rolled_back`] records how the transaction ended. Use it through
/// [`correlating_tx!`](crate::desk::correlating_tx).
pub(crate) struct TenantCorrelator {
    guard: OwnedMutexGuard<Option<Cached>>,
    tenant: String,
    /// The stamp taken by `sync` in the running transaction.
    pending: Option<CorrelationStamp>,
    /// True once the running transaction asked for the correlator (it may have mutated).
    touched: bool,
    /// Set by a block that found nothing to change: its transaction is rolled back.
    unchanged: bool,
}

impl TenantCorrelator {
    /// Takes the tenant's correlation lock in `tx` (bumping its version, and its config
    /// version when `config_changed`) and makes the cached correlator current, rebuilding it
    /// from what `tx` sees when another process (or a failed transaction that discarded it)
    /// changed the tenant. Call once per transaction, before deciding anything.
    pub(crate) async fn sync(
        &mut self,
        desk: &Desk,
        tx: &Tx,
        now: chrono::DateTime<chrono::Utc>,
        config_changed: bool,
    ) -> Result<CacheState> {
        self.touched = false;
        let stamp = tx
            .lock_correlation(&self.tenant, config_changed, now)
            .await?;
        self.pending = Some(stamp);
        // What the database held before this transaction's own bump.
        // (The SLA version does not concern the correlator: see `Desk::sla_index`.)
        let before = CorrelationStamp {
            version: stamp.version - 1,
            config_version: stamp.config_version - i64::from(config_changed),
            sla_version: stamp.sla_version,
        };
        if self.guard.as_ref().is_some_and(|c| {
            c.stamp.version == before.version && c.stamp.config_version == before.config_version
        }) {
            return Ok(CacheState::Current);
        }
        *self.guard = None;
        let correlator = build_correlator(&desk.inner.config.correlator, tx, &self.tenant).await?;
        *self.guard = Some(Cached {
            correlator,
            stamp: before,
        });
        tracing::debug!(tenant = %self.tenant, version = before.version, "correlator rebuilt");
        Ok(CacheState::Rebuilt)
    }

    /// The tenant's SLA version as the running transaction's [`TenantCorrelator::sync`] read
    /// it under the lock (`None` before a sync).
    pub(crate) fn sla_version(&self) -> Option<i64> {
        self.pending.map(|s| s.sla_version)
    }

    /// The correlator. Only valid after a successful [`TenantCorrelator::sync`].
    pub(crate) fn get(&mut self) -> &mut Correlator {
        self.touched = true;
        &mut self
            .guard
            .as_mut()
            .expect("TenantCorrelator::get after a successful sync")
            .correlator
    }

    /// Marks the running transaction as having changed nothing: [`correlating_tx!`] rolls it
    /// back instead of committing (so not even the tenant's version moves).
    pub(crate) fn unchanged(&mut self) {
        self.unchanged = true;
    }

    /// Whether the block called [`TenantCorrelator::unchanged`] (and resets it).
    pub(crate) fn take_unchanged(&mut self) -> bool {
        std::mem::take(&mut self.unchanged)
    }

    /// Records that the transaction `sync` ran in committed: the correlator is current at its
    /// stamp.
    pub(crate) fn committed(&mut self) {
        if let (Some(stamp), Some(c)) = (self.pending.take(), self.guard.as_mut()) {
            c.stamp = stamp;
        }
        self.touched = false;
    }

    /// Records that the transaction `sync` ran in rolled back: a correlator the transaction
    /// used (and may have changed) is dropped; an untouched one stays current.
    pub(crate) fn rolled_back(&mut self) {
        self.pending = None;
        if self.touched {
            *self.guard = None;
        }
        self.touched = false;
    }

    /// Drops the correlator: the next use rebuilds it from the database.
    pub(crate) fn discard(&mut self) {
        self.pending = None;
        self.touched = false;
        *self.guard = None;
    }
}

impl Desk {
    /// Locks the tenant's correlator slot in this process (waiting for this process's other
    /// correlating calls of the tenant). Make it current with [`TenantCorrelator::sync`]
    /// inside the write transaction before using it.
    pub(crate) async fn tenant_correlator(&self, tenant_id: &str) -> TenantCorrelator {
        let slot = self.inner.correlators.slot(tenant_id);
        TenantCorrelator {
            guard: slot.lock_owned().await,
            tenant: tenant_id.to_string(),
            pending: None,
            touched: false,
            unchanged: false,
        }
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
        let id = crate::ids::new_id();
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
