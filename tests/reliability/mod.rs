//! Helpers of the `reliability_*` tests (issue 11): a full dump of every table, to assert
//! "nothing changed" byte for byte, and per-tenant dumps, to assert "tenant A's rows are
//! untouched" while tenant B writes its own.
//!
//! Tables are discovered from the catalog (`sqlite_master` / `information_schema`), so a table
//! added by a later migration is covered without editing this file.
#![allow(dead_code)]

pub mod inputs;
pub mod ops;

use faultdesk::Desk;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use std::collections::BTreeMap;

/// Every row of every table, as text, sorted: table name → rows.
pub type Dump = BTreeMap<String, Vec<String>>;

/// True when the long (benchmark-style) runs are asked for with `FAULTDESK_LONG=1`.
pub fn long_run() -> bool {
    std::env::var("FAULTDESK_LONG").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// `normal` cases in the normal test run, `long` with `FAULTDESK_LONG=1`;
/// `FAULTDESK_CASES=N` overrides both.
pub fn cases(normal: u32, long: u32) -> u32 {
    if let Some(n) = std::env::var("FAULTDESK_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if long_run() { long } else { normal }
}

async fn strings(desk: &Desk, sql: String) -> Vec<String> {
    let conn = desk.store().connection();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.clone(),
        ))
        .await
        .unwrap_or_else(|e| panic!("dump query `{sql}`: {e}"));
    rows.iter()
        .map(|r| {
            r.try_get_by_index::<Option<String>>(0)
                .expect("text column")
                .unwrap_or_default()
        })
        .collect()
}

/// Table names of the database.
pub async fn tables(desk: &Desk) -> Vec<String> {
    let sql = match desk.store().connection().get_database_backend() {
        DatabaseBackend::Postgres => "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
            .to_string(),
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1".to_string(),
    };
    strings(desk, sql).await
}

async fn columns(desk: &Desk, table: &str) -> Vec<String> {
    let sql = match desk.store().connection().get_database_backend() {
        DatabaseBackend::Postgres => format!(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}' \
             ORDER BY ordinal_position"
        ),
        _ => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    };
    strings(desk, sql).await
}

/// Reads whole tables as text. Built once per database: it remembers the tables and their
/// columns (the schema does not change during a test).
pub struct Dumper {
    desk: Desk,
    /// (table, columns, has tenant_id)
    tables: Vec<(String, Vec<String>)>,
}

impl Dumper {
    /// Reads the catalog of `desk`'s database.
    pub async fn new(desk: &Desk) -> Dumper {
        let mut out = Vec::new();
        for t in tables(desk).await {
            let cols = columns(desk, &t).await;
            out.push((t, cols));
        }
        Dumper {
            desk: desk.clone(),
            tables: out,
        }
    }

    async fn rows(&self, table: &str, cols: &[String], cond: Option<&str>) -> Vec<String> {
        let filter = cond.map(|c| format!(" WHERE {c}")).unwrap_or_default();
        let sql = match self.desk.store().connection().get_database_backend() {
            DatabaseBackend::Postgres => {
                format!("SELECT row_to_json(t)::text FROM \"{table}\" t{filter} ORDER BY 1")
            }
            _ => {
                let expr = cols
                    .iter()
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                format!("SELECT {expr} FROM \"{table}\"{filter} ORDER BY 1")
            }
        };
        strings(&self.desk, sql).await
    }

    /// Every row of every table.
    pub async fn dump(&self) -> Dump {
        let mut out = Dump::new();
        for (t, cols) in &self.tables {
            out.insert(t.clone(), self.rows(t, cols, None).await);
        }
        out
    }

    /// The rows of `tenant` in every table that has a `tenant_id` column.
    pub async fn tenant_dump(&self, tenant: &str) -> Dump {
        let mut out = Dump::new();
        let cond = format!("tenant_id = '{}'", tenant.replace('\'', "''"));
        for (t, cols) in &self.tables {
            if cols.iter().any(|c| c == "tenant_id") {
                out.insert(t.clone(), self.rows(t, cols, Some(&cond)).await);
            }
        }
        out
    }
}

/// Every row of every table of `desk` (reads the catalog first; keep a [`Dumper`] when
/// dumping one database often).
pub async fn dump(desk: &Desk) -> Dump {
    Dumper::new(desk).await.dump().await
}

/// Panics with the first differing table when two dumps differ.
pub fn assert_same(before: &Dump, after: &Dump, what: &str) {
    if before == after {
        return;
    }
    for (t, rows) in after {
        let old = before.get(t).cloned().unwrap_or_default();
        if &old != rows {
            let added: Vec<&String> = rows.iter().filter(|r| !old.contains(r)).collect();
            let removed: Vec<&String> = old.iter().filter(|r| !rows.contains(r)).collect();
            panic!("{what}: table `{t}` changed\n  added: {added:#?}\n  removed: {removed:#?}");
        }
    }
    panic!("{what}: a table disappeared: before {:?}", before.keys());
}
