//! m0003: `correlation_state`, the per-tenant version row that serialises correlation across
//! processes and tells each process whether its in-memory correlator is still current, and
//! the index a correlator rebuild reads recent clears through.

use super::run_script;
use sea_orm_migration::prelude::*;

/// Adds `correlation_state` and `ix_alarms_cleared_at`. Nothing to backfill: a tenant's row is
/// created by its first correlating transaction.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_correlation_state"
    }
}

const UP: &str = "
CREATE TABLE IF NOT EXISTS correlation_state (
    tenant_id TEXT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL,
    config_version BIGINT NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_alarms_cleared_at ON alarms (tenant_id, cleared_at)
    WHERE cleared_at IS NOT NULL;
";

const DOWN: &str =
    "DROP INDEX IF EXISTS ix_alarms_cleared_at; DROP TABLE IF EXISTS correlation_state;";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_script(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_script(manager, DOWN).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
