//! m0005: what the Desk's SLA service needs beyond m0001's SLA tables — the full definition
//! as data, each instance's scope and definition snapshot, the instant its state next changes,
//! the outages (alarm intervals) recorded on it, and the tenant's SLA version (which tells
//! every process when its index of live instances is stale).

use super::run_script;
use sea_orm_migration::prelude::*;

/// Adds `sla_definitions.definition`, `sla_instances.{definition, scope, next_check_at}`, the
/// `sla_outages` table, the scheduler's partial index and `correlation_state.sla_version`. Existing rows keep working: a
/// definition or instance without the new JSON is rebuilt from its plain columns.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_sla_service"
    }
}

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

const UP: &str = r#"
ALTER TABLE correlation_state ADD COLUMN sla_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sla_definitions ADD COLUMN definition {JSON};
ALTER TABLE sla_instances ADD COLUMN definition {JSON};
ALTER TABLE sla_instances ADD COLUMN scope {JSON};
ALTER TABLE sla_instances ADD COLUMN next_check_at {TS};
CREATE INDEX IF NOT EXISTS ix_sla_instances_next ON sla_instances (next_check_at)
    WHERE next_check_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_sla_instances_period ON sla_instances (tenant_id, period_end);
CREATE INDEX IF NOT EXISTS ix_sla_instances_definition ON sla_instances (tenant_id, sla_definition_id);

CREATE TABLE IF NOT EXISTS sla_outages (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    sla_instance_id {UUID} NOT NULL REFERENCES sla_instances (id),
    alarm_id {UUID} NOT NULL,
    severity TEXT NOT NULL,
    service_affecting BOOLEAN NOT NULL,
    started_at {TS} NOT NULL,
    acknowledged_at {TS},
    ended_at {TS},
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    UNIQUE (tenant_id, sla_instance_id, alarm_id, started_at)
);
CREATE INDEX IF NOT EXISTS ix_sla_outages_instance ON sla_outages (tenant_id, sla_instance_id, started_at);
"#;

const DOWN: &str = r#"
DROP TABLE IF EXISTS sla_outages;
DROP INDEX IF EXISTS ix_sla_instances_definition;
DROP INDEX IF EXISTS ix_sla_instances_period;
DROP INDEX IF EXISTS ix_sla_instances_next;
ALTER TABLE sla_instances DROP COLUMN next_check_at;
ALTER TABLE sla_instances DROP COLUMN scope;
ALTER TABLE sla_instances DROP COLUMN definition;
ALTER TABLE sla_definitions DROP COLUMN definition;
ALTER TABLE correlation_state DROP COLUMN sla_version;
"#;
