//! m0007: SQLite's ticket search row is rewritten only when the subject or description changes.
//!
//! Every ticket update writes the whole row (`UPDATE tickets SET number = …, subject = …`), so
//! m0002's `AFTER UPDATE OF subject, description` trigger fired on each assignment, transition
//! and SLA stamp, and FTS5 deleted and re-inserted the ticket's tokens (all four columns) each
//! time. The trigger now has a `WHEN` clause comparing old and new values (`IS NOT`, so a
//! description set to or from NULL still counts). PostgreSQL is unchanged: its ticket document
//! is a generated column.

use super::{is_pg, run_script};
use sea_orm_migration::prelude::*;

/// Recreates `tr_tickets_fts_update` with a `WHEN` clause (SQLite only).
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_fts_update_when_changed"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if is_pg(manager) {
            return Ok(());
        }
        run_script(manager, UP_SQLITE).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if is_pg(manager) {
            return Ok(());
        }
        run_script(manager, DOWN_SQLITE).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

const UP_SQLITE: &str = r#"
DROP TRIGGER IF EXISTS tr_tickets_fts_update;
CREATE TRIGGER tr_tickets_fts_update AFTER UPDATE OF subject, description ON tickets
WHEN old.subject IS NOT new.subject OR old.description IS NOT new.description
BEGIN
    UPDATE ticket_fts SET subject = new.subject, description = new.description WHERE rowid = new.rowid;
END;
"#;

const DOWN_SQLITE: &str = r#"
DROP TRIGGER IF EXISTS tr_tickets_fts_update;
CREATE TRIGGER tr_tickets_fts_update AFTER UPDATE OF subject, description ON tickets BEGIN
    UPDATE ticket_fts SET subject = new.subject, description = new.description WHERE rowid = new.rowid;
END;
"#;
