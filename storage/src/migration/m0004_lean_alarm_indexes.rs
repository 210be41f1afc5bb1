//! m0004: leaner alarm indexes for the ingest hot path.
//!
//! An alarm storm is mostly repeats (`occurrence_count`, `last_occurrence`, `updated_at`
//! change) and new alarms whose optional columns are empty. Index entries that no query reads
//! still cost a B-tree write per row, so:
//!
//! - `ix_alarms_key (tenant_id, reduction_key, last_occurrence)` is dropped: no query reads it
//!   (the open alarm of a key is found through the partial unique index `ux_alarms_open_key`),
//!   and every repeat moved its entry.
//! - `ix_alarms_closed (tenant_id, status, updated_at)` becomes partial on closed alarms (what
//!   `archive_cleared` reads): a repeat or an acknowledgement of an open alarm no longer moves
//!   an entry.
//! - `ux_alarms_ticket`, `ix_alarms_parent`, `ix_alarms_correlation` and `ix_alarms_customer`
//!   become partial on their column being set (same names): an alarm without a ticket, parent,
//!   correlation group or customer has no entry. Queries compare the column with a value,
//!   which implies it is not NULL, so both planners still use them; the ticket index stays
//!   unique.
//! - `ix_alarms_unacked (tenant_id, first_occurrence)`, partial on active critical/major alarms
//!   without a ticket, serves `check_unacknowledged` without reading every open alarm.

use super::run_script;
use sea_orm_migration::prelude::*;

/// Replaces the alarm indexes as described in the module documentation.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_lean_alarm_indexes"
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
DROP INDEX IF EXISTS ix_alarms_key;
DROP INDEX IF EXISTS ix_alarms_closed;
CREATE INDEX IF NOT EXISTS ix_alarms_closed ON alarms (tenant_id, status, updated_at)
    WHERE status IN ('cleared', 'resolved');
DROP INDEX IF EXISTS ux_alarms_ticket;
CREATE UNIQUE INDEX IF NOT EXISTS ux_alarms_ticket ON alarms (ticket_id)
    WHERE ticket_id IS NOT NULL;
DROP INDEX IF EXISTS ix_alarms_parent;
CREATE INDEX IF NOT EXISTS ix_alarms_parent ON alarms (tenant_id, parent_alarm_id)
    WHERE parent_alarm_id IS NOT NULL;
DROP INDEX IF EXISTS ix_alarms_correlation;
CREATE INDEX IF NOT EXISTS ix_alarms_correlation ON alarms (tenant_id, correlation_id, status)
    WHERE correlation_id IS NOT NULL;
DROP INDEX IF EXISTS ix_alarms_customer;
CREATE INDEX IF NOT EXISTS ix_alarms_customer ON alarms (tenant_id, customer_id)
    WHERE customer_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_alarms_unacked ON alarms (tenant_id, first_occurrence)
    WHERE status = 'active' AND ticket_id IS NULL AND severity IN ('critical', 'major');
"#;

const DOWN: &str = r#"
DROP INDEX IF EXISTS ix_alarms_unacked;
DROP INDEX IF EXISTS ix_alarms_customer;
CREATE INDEX IF NOT EXISTS ix_alarms_customer ON alarms (tenant_id, customer_id);
DROP INDEX IF EXISTS ix_alarms_correlation;
CREATE INDEX IF NOT EXISTS ix_alarms_correlation ON alarms (tenant_id, correlation_id, status);
DROP INDEX IF EXISTS ix_alarms_parent;
CREATE INDEX IF NOT EXISTS ix_alarms_parent ON alarms (tenant_id, parent_alarm_id);
DROP INDEX IF EXISTS ux_alarms_ticket;
CREATE UNIQUE INDEX IF NOT EXISTS ux_alarms_ticket ON alarms (ticket_id);
DROP INDEX IF EXISTS ix_alarms_closed;
CREATE INDEX IF NOT EXISTS ix_alarms_closed ON alarms (tenant_id, status, updated_at);
CREATE INDEX IF NOT EXISTS ix_alarms_key ON alarms (tenant_id, reduction_key, last_occurrence);
"#;
