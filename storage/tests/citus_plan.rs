//! The sharding plan of `docs/scaling.md` ("Beyond one database") checked against the schema
//! the migrations create on PostgreSQL: every table can be distributed by `tenant_id`, the
//! document lists exactly the tables that exist, and the keys, unique indexes and foreign keys
//! it says a Citus migration must change are exactly those that lack `tenant_id`. A migration
//! that adds a table or a key without updating the plan fails here.
//!
//! PostgreSQL only (the plan is for PostgreSQL): without `FAULTDESK_TEST_PG_URL` it checks
//! nothing and says so.

mod common;

use faultdesk_storage::Store;
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeSet;

/// The backticked names in the part of `doc` that follows `marker`, up to `end`.
fn names_after(doc: &str, marker: &str, end: &str) -> BTreeSet<String> {
    let start = doc
        .find(marker)
        .unwrap_or_else(|| panic!("docs/scaling.md no longer contains {marker:?}"))
        + marker.len();
    let rest = &doc[start..];
    let stop = rest
        .find(end)
        .unwrap_or_else(|| panic!("docs/scaling.md: {end:?} does not follow {marker:?}"));
    rest[..stop]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Rows of a catalog query whose columns are all text.
async fn text_rows(store: &Store, sql: &str) -> Vec<Vec<String>> {
    let conn = store.connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .iter()
    .map(|r| {
        r.column_names()
            .iter()
            .map(|c| r.try_get::<String>("", c).unwrap())
            .collect()
    })
    .collect()
}

/// The first column of a catalog query, as a set.
async fn names(store: &Store, sql: &str) -> BTreeSet<String> {
    text_rows(store, sql)
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

#[tokio::test]
async fn the_schema_is_what_the_citus_plan_of_docs_scaling_describes() {
    let Some(url) = common::pg_fresh_url().await else {
        eprintln!("citus_plan: FAULTDESK_TEST_PG_URL not set, nothing checked");
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/scaling.md"))
        .expect("read docs/scaling.md");

    // Every faultdesk table has `tenant_id TEXT NOT NULL` (the distribution column).
    let tables = names(
        &store,
        "SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace \
         AND c.relkind = 'r' AND c.relname <> 'seaql_migrations'",
    )
    .await;
    assert!(tables.len() >= 20, "tables found: {tables:?}");
    let with_tenant = names(
        &store,
        "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' \
         AND column_name = 'tenant_id' AND is_nullable = 'NO' AND data_type = 'text'",
    )
    .await;
    let without: Vec<&String> = tables.difference(&with_tenant).collect();
    assert!(
        without.is_empty(),
        "tables without tenant_id TEXT NOT NULL cannot be distributed by tenant: {without:?}"
    );

    // The plan distributes exactly the tables that exist.
    let planned = names_after(
        &doc,
        "**Distributed by `tenant_id`, all co-located**:",
        "Co-location",
    );
    assert_eq!(
        planned, tables,
        "docs/scaling.md's distributed tables vs the schema"
    );

    // Primary keys: those that already include tenant_id are the ones the plan names.
    let pk_with_tenant = names(
        &store,
        "SELECT conrelid::regclass::text FROM pg_constraint \
         WHERE connamespace = 'public'::regnamespace AND contype = 'p' \
         AND conrelid::regclass::text <> 'seaql_migrations' \
         AND (SELECT attnum FROM pg_attribute WHERE attrelid = conrelid AND attname = 'tenant_id') \
             = ANY (conkey)",
    )
    .await;
    assert_eq!(
        names_after(&doc, "Tables already keyed that way:", ";"),
        pk_with_tenant,
        "docs/scaling.md's tables keyed with tenant_id vs the schema"
    );

    // Unique indexes other than primary keys that lack tenant_id: only the one the plan names.
    let unique_without = names(
        &store,
        "SELECT i.indexrelid::regclass::text FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indrelid AND c.relnamespace = 'public'::regnamespace \
         WHERE i.indisunique AND NOT i.indisprimary AND NOT EXISTS ( \
             SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid \
             AND a.attname = 'tenant_id' AND a.attnum = ANY (i.indkey))",
    )
    .await;
    assert_eq!(unique_without, set(&["ux_alarms_ticket"]));
    assert!(doc.contains("`ux_alarms_ticket (ticket_id)` becomes"));

    // Foreign keys: none includes tenant_id yet; each must become composite (step 2 of the
    // plan lists these child -> parent pairs).
    let fks = names(
        &store,
        "SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text FROM pg_constraint \
         WHERE connamespace = 'public'::regnamespace AND contype = 'f' \
         AND NOT (SELECT attnum FROM pg_attribute WHERE attrelid = conrelid AND attname = 'tenant_id') \
             = ANY (conkey)",
    )
    .await;
    assert_eq!(
        fks,
        set(&[
            "attachments -> tickets",
            "comment_revisions -> comments",
            "comments -> tickets",
            "sla_breaches -> sla_instances",
            "sla_instances -> sla_definitions",
            "sla_measurements -> sla_instances",
            "sla_outages -> sla_instances",
            "ticket_events -> tickets",
            "ticket_labels -> tickets",
        ])
    );
    let step2 = names_after(&doc, "make every foreign key composite:", "3. ");
    for fk in &fks {
        let (child, parent) = fk.split_once(" -> ").unwrap();
        let named = step2
            .iter()
            .any(|n| n == child || n == &format!("{child} → {parent}"));
        assert!(
            named,
            "docs/scaling.md step 2 does not name {fk}: {step2:?}"
        );
    }

    // The outbox is the one table whose order is global (`seq`): step 4 of the plan.
    let outbox_pk = text_rows(
        &store,
        "SELECT string_agg(a.attname::text, ',') FROM pg_constraint c JOIN pg_attribute a \
         ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
         WHERE c.conrelid = 'outbox'::regclass AND c.contype = 'p'",
    )
    .await;
    assert_eq!(outbox_pk, vec![vec!["seq".to_string()]]);
    assert!(doc.contains("`PRIMARY KEY (tenant_id, seq)`"));
    store.close().await.unwrap();
}
