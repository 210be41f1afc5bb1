//! m0006: performance samples (latency, packet loss, bandwidth) recorded on SLA instances,
//! from which the SLA service judges a definition's performance targets.

use super::run_script;
use sea_orm_migration::prelude::*;

/// Adds the `sla_measurements` table.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_sla_measurements"
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
CREATE TABLE IF NOT EXISTS sla_measurements (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    sla_instance_id {UUID} NOT NULL REFERENCES sla_instances (id),
    measured_at {TS} NOT NULL,
    latency_ms {DEC},
    packet_loss_percent {DEC},
    bandwidth_mbps {DEC},
    created_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_sla_measurements_instance
    ON sla_measurements (tenant_id, sla_instance_id, measured_at);
"#;

const DOWN: &str = r#"
DROP TABLE IF EXISTS sla_measurements;
"#;
