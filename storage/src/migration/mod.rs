//! Versioned, idempotent schema migrations (sea-orm-migration).
//!
//! Applied in order, each in its own transaction; the applied versions are recorded in
//! `seaql_migrations`. [`crate::Store::migrate`] applies every pending migration;
//! [`crate::Store::migrate_to`] stops after a given number (used to test in-place upgrades).

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

mod m0001_core;
mod m0002_collab_search_outbox;
mod m0003_correlation_state;
mod m0004_lean_alarm_indexes;
mod m0005_sla_service;
mod m0006_sla_measurements;
mod m0007_fts_update_when_changed;

/// The migrator of faultdesk's schema.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_core::Migration),
            Box::new(m0002_collab_search_outbox::Migration),
            Box::new(m0003_correlation_state::Migration),
            Box::new(m0004_lean_alarm_indexes::Migration),
            Box::new(m0005_sla_service::Migration),
            Box::new(m0006_sla_measurements::Migration),
            Box::new(m0007_fts_update_when_changed::Migration),
        ]
    }
}

/// Number of migrations this version of faultdesk knows.
pub const LATEST_VERSION: u32 = 7;

pub(crate) fn is_pg(manager: &SchemaManager) -> bool {
    manager.get_database_backend() == DbBackend::Postgres
}

/// Replaces the type tokens of a schema script with the backend's types.
pub(crate) fn render(script: &str, pg: bool) -> String {
    let pairs: [(&str, &str, &str); 7] = [
        ("{UUID}", "TEXT", "UUID"),
        ("{TS}", "TEXT", "TIMESTAMPTZ"),
        ("{JSON}", "TEXT", "JSONB"),
        ("{DEC}", "TEXT", "NUMERIC"),
        ("{FALSE}", "0", "FALSE"),
        ("{TRUE}", "1", "TRUE"),
        (
            "{SEQPK}",
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BIGSERIAL PRIMARY KEY",
        ),
    ];
    let mut out = script.to_string();
    for (token, sqlite, postgres) in pairs {
        out = out.replace(token, if pg { postgres } else { sqlite });
    }
    out
}

pub(crate) async fn run_script(manager: &SchemaManager<'_>, script: &str) -> Result<(), DbErr> {
    let sql = render(script, is_pg(manager));
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_rendered_per_backend() {
        let s = "id {UUID}, at {TS}, j {JSON}, d {DEC}, b BOOLEAN DEFAULT {FALSE}, s {SEQPK}";
        let pg = render(s, true);
        assert_eq!(
            pg,
            "id UUID, at TIMESTAMPTZ, j JSONB, d NUMERIC, b BOOLEAN DEFAULT FALSE, s BIGSERIAL PRIMARY KEY"
        );
        let lite = render(s, false);
        assert!(lite.contains("INTEGER PRIMARY KEY AUTOINCREMENT"));
        assert!(!lite.contains('{'));
    }

    #[test]
    fn versions_are_ordered() {
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        assert_eq!(names.len() as u32, LATEST_VERSION);
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}
