//! The per-tenant correlation lock and version (`correlation_state`).
//!
//! Every transaction that makes correlation decisions for a tenant (ingest, operator actions
//! on alarms, rule / topology / maintenance changes) starts with [`Tx::lock_correlation`]: one
//! upsert that bumps the tenant's `version` and returns it. The upsert holds the row lock until
//! commit, so such transactions of one tenant run one at a time across every process (on
//! SQLite every writer is serialised by `BEGIN IMMEDIATE` anyway), and the returned version
//! tells the caller whether anyone else committed correlation changes since it last did: if
//! its cached correlator was built or last written at version `v` and the lock returns
//! `v + 1`, nobody did.

use crate::codec::Col;
use crate::error::{Error, Result};
use crate::store::Tx;
use chrono::{DateTime, Utc};

/// A tenant's correlation versions, as returned by [`Tx::lock_correlation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CorrelationStamp {
    /// Bumped by every correlating transaction of the tenant.
    pub version: i64,
    /// Bumped by transactions that change what correlation depends on besides alarms: rules,
    /// topology edges, maintenance windows. A cache built under another `config_version` must
    /// be rebuilt.
    pub config_version: i64,
    /// Bumped by transactions that create or delete the tenant's SLA instances
    /// ([`Tx::bump_sla_version`]); the Desk's index of live SLA instances built under another
    /// `sla_version` must be rebuilt. Does not invalidate correlators.
    pub sla_version: i64,
}

impl Tx {
    /// Takes the tenant's correlation lock for the rest of this transaction and bumps its
    /// version (and its config version when `config_changed`). Returns the versions after the
    /// bump. Concurrent callers for the same tenant wait for this transaction to end; callers
    /// for other tenants do not.
    pub async fn lock_correlation(
        &self,
        tenant_id: &str,
        config_changed: bool,
        now: DateTime<Utc>,
    ) -> Result<CorrelationStamp> {
        let bump = i64::from(config_changed);
        let mut q = self.q();
        q.sql("INSERT INTO correlation_state (tenant_id, version, config_version, updated_at) VALUES (")
            .b(&tenant_id.to_string())
            .sql(", 1, ")
            .b(&bump)
            .sql(", ")
            .b(&now)
            .sql(") ON CONFLICT (tenant_id) DO UPDATE SET version = correlation_state.version + 1, config_version = correlation_state.config_version + ")
            .b(&bump)
            .sql(", updated_at = ")
            .b(&now)
            .sql(" RETURNING version, config_version, sla_version");
        let row = self
            .one_raw(q)
            .await?
            .ok_or_else(|| Error::InvalidData("correlation_state upsert returned no row".into()))?;
        let get = |col: &str| {
            row.try_get::<i64>("", col)
                .map_err(|e| Error::InvalidData(e.to_string()))
        };
        Ok(CorrelationStamp {
            version: get("version")?,
            config_version: get("config_version")?,
            sla_version: get("sla_version")?,
        })
    }

    /// Takes the tenant's correlation lock for the rest of this transaction (as
    /// [`Tx::lock_correlation`] does) and bumps only its `sla_version`: the SLA instances the
    /// tenant's alarms feed are changing. Correlating transactions of the tenant wait for this
    /// one and then see the new version (so they rebuild their SLA index and see the change).
    /// Returns the new `sla_version`.
    pub async fn bump_sla_version(&self, tenant_id: &str, now: DateTime<Utc>) -> Result<i64> {
        let mut q = self.q();
        q.sql("INSERT INTO correlation_state (tenant_id, version, config_version, sla_version, updated_at) VALUES (")
            .b(&tenant_id.to_string())
            .sql(", 0, 0, 1, ")
            .b(&now)
            .sql(") ON CONFLICT (tenant_id) DO UPDATE SET sla_version = correlation_state.sla_version + 1, updated_at = ")
            .b(&now)
            .sql(" RETURNING sla_version");
        let row = self
            .one_raw(q)
            .await?
            .ok_or_else(|| Error::InvalidData("correlation_state upsert returned no row".into()))?;
        row.try_get::<i64>("", "sla_version")
            .map_err(|e| Error::InvalidData(e.to_string()))
    }

    /// The tenant's current correlation versions without locking (`None` before its first
    /// correlating transaction).
    pub async fn correlation_stamp(&self, tenant_id: &str) -> Result<Option<CorrelationStamp>> {
        let mut q = self.q();
        q.sql(
            "SELECT version, config_version, sla_version FROM correlation_state WHERE tenant_id = ",
        )
        .b(&tenant_id.to_string());
        let Some(row) = self.one_raw(q).await? else {
            return Ok(None);
        };
        let get = |col: &str| {
            row.try_get::<i64>("", col)
                .map_err(|e| Error::InvalidData(e.to_string()))
        };
        Ok(Some(CorrelationStamp {
            version: get("version")?,
            config_version: get("config_version")?,
            sla_version: get("sla_version")?,
        }))
    }

    /// The latest `cleared_at` among the tenant's alarms (`None` when none was cleared).
    pub async fn latest_alarm_clear(&self, tenant_id: &str) -> Result<Option<DateTime<Utc>>> {
        let mut q = self.q();
        q.sql("SELECT reduction_key, cleared_at FROM alarms WHERE tenant_id = ")
            .b(&tenant_id.to_string())
            .sql(" AND cleared_at IS NOT NULL ORDER BY cleared_at DESC LIMIT 1");
        Ok(self.clears(q).await?.pop().map(|(_, at)| at))
    }

    /// `(reduction_key, cleared_at)` of the tenant's alarms cleared at or after `since`,
    /// oldest first (read through `ix_alarms_cleared_at`).
    pub async fn alarm_clears_since(
        &self,
        tenant_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>> {
        let mut q = self.q();
        q.sql("SELECT reduction_key, cleared_at FROM alarms WHERE tenant_id = ")
            .b(&tenant_id.to_string())
            .sql(" AND cleared_at IS NOT NULL AND cleared_at >= ")
            .b(&since)
            .sql(" ORDER BY cleared_at");
        self.clears(q).await
    }

    async fn clears(&self, q: crate::codec::Q) -> Result<Vec<(String, DateTime<Utc>)>> {
        let mut out = Vec::new();
        for row in self.all_raw(q).await? {
            let key = String::from_col(&row, "reduction_key", self.pg)?;
            let at = DateTime::<Utc>::from_col(&row, "cleared_at", self.pg)?;
            out.push((key, at));
        }
        Ok(out)
    }
}
