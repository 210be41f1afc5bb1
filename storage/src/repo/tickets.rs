//! Tickets, numbers, labels, the audit log, listing and full-text search.

use crate::codec::{Col, Q, Record};
use crate::error::{Error, Result};
use crate::query::{
    Page, Paged, SortDir, TicketCounts, TicketFilter, TicketPaging, TicketSort, TicketSortField,
};
use crate::rows::*;
use crate::store::{MAX_ROWS_PER_STATEMENT, Tx, shaped_chunks};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

fn s(x: &str) -> String {
    x.to_string()
}

/// A full-text search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The ticket.
    pub ticket: TicketRow,
    /// Relevance, higher is better (PostgreSQL `ts_rank`; SQLite `-bm25`).
    pub rank: f64,
}

/// Column list of `tickets` qualified with alias `t`.
fn ticket_cols() -> String {
    TicketRow::COLUMNS
        .iter()
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn with_open_flag(row: &TicketRow) -> std::borrow::Cow<'_, TicketRow> {
    let open = is_open_category(&row.category);
    if row.is_open == open {
        std::borrow::Cow::Borrowed(row)
    } else {
        let mut r = row.clone();
        r.is_open = open;
        std::borrow::Cow::Owned(r)
    }
}

/// Appends `SELECT ? AS k, ? AS v UNION ALL ...` for the labels (a derived table `l(k, v)`).
fn push_label_values(q: &mut Q, labels: &BTreeMap<String, String>) {
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            q.sql(" UNION ALL ");
        }
        q.sql("SELECT ").b(k).sql(" AS k, ").b(v).sql(" AS v");
    }
}

/// Hex encoding for opaque cursors.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn sort_sig(sort: &TicketSort) -> String {
    sort.keys
        .iter()
        .map(|(f, d)| format!("{f:?}:{d:?}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// One sort key expanded to SQL expressions plus the row's value for cursors.
struct SortCol {
    expr: String,
    dir: SortDir,
}

impl Tx {
    /// Allocates the next ticket number of `(tenant_id, year)` — 1, 2, 3, ... — with one
    /// atomic `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`. The counter row stays locked
    /// until this transaction ends, so concurrent allocations never return the same value and
    /// a rolled-back transaction's number is reused by the next one.
    pub async fn allocate_ticket_number(&self, tenant_id: &str, year: i32) -> Result<i64> {
        let mut q = self.q();
        q.sql("INSERT INTO ticket_counters (tenant_id, year, last_value) VALUES (")
            .b(&s(tenant_id))
            .sql(", ")
            .b(&year)
            .sql(", 1) ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = ticket_counters.last_value + 1 RETURNING last_value");
        let row = self
            .one_raw(q)
            .await?
            .ok_or_else(|| Error::InvalidData("counter upsert returned no row".into()))?;
        row.try_get::<i64>("", "last_value")
            .map_err(|e| Error::InvalidData(e.to_string()))
    }

    /// Inserts a ticket (`is_open` is recomputed from `category`). A duplicate number of the
    /// tenant is [`Error::Conflict`].
    pub async fn insert_ticket(&self, ticket: &TicketRow) -> Result<()> {
        let row = with_open_flag(ticket);
        self.insert_many(std::slice::from_ref(row.as_ref())).await?;
        Ok(())
    }

    /// Inserts many tickets with multi-row `INSERT`s (bulk loads).
    pub async fn insert_tickets(&self, tickets: &[TicketRow]) -> Result<u64> {
        let rows: Vec<TicketRow> = tickets
            .iter()
            .map(|t| with_open_flag(t).into_owned())
            .collect();
        self.insert_many(&rows).await
    }

    /// Writes every column of a ticket whose stored `version` equals `ticket.version`, and
    /// stores `version + 1` (returned). A stale version is [`Error::Conflict`]; a missing
    /// ticket [`Error::NotFound`]. The labels' copies of priority/open/deleted are refreshed.
    pub async fn update_ticket(&self, ticket: &TicketRow) -> Result<i64> {
        let mut row = with_open_flag(ticket).into_owned();
        let expected = row.version;
        row.version = expected + 1;
        // The expected version is bound, not spelled into the SQL, so every update of a ticket
        // is the same statement text (one prepared statement per connection, not one per
        // version number).
        let mut q = self.q();
        if self.pg {
            q.sql("WITH u AS (");
        }
        self.push_update_by_id(&mut q, &row, &row.tenant_id, &row.id, "");
        q.sql(" AND version = ").b(&expected);
        if self.pg {
            // One statement: the ticket update feeds the label rows' copies (only the rows
            // whose copies change are written).
            q.sql(
                " RETURNING tenant_id, id, is_open, priority, deleted_at), \
                 l AS (UPDATE ticket_labels lb SET t_open = u.is_open, t_priority = u.priority, \
                 t_deleted = (u.deleted_at IS NOT NULL) FROM u \
                 WHERE lb.tenant_id = u.tenant_id AND lb.ticket_id = u.id \
                 AND (lb.t_open, lb.t_priority, lb.t_deleted) IS DISTINCT FROM \
                 (u.is_open, u.priority, u.deleted_at IS NOT NULL)) \
                 SELECT COUNT(*) AS n FROM u",
            );
            if self.count(q).await? == 0 {
                return self.update_ticket_missed(&row, expected).await;
            }
            return Ok(row.version);
        }
        if self.exec(q).await? == 0 {
            return self.update_ticket_missed(&row, expected).await;
        }
        let mut q = self.q();
        q.sql("UPDATE ticket_labels SET t_open = ")
            .b(&row.is_open)
            .sql(", t_priority = ")
            .b(&row.priority)
            .sql(", t_deleted = ")
            .b(&row.deleted_at.is_some())
            .sql(" WHERE tenant_id = ")
            .b(&row.tenant_id)
            .sql(" AND ticket_id = ")
            .b(&row.id);
        self.exec(q).await?;
        Ok(row.version)
    }

    /// The error of an update that matched no row: the ticket is gone, or its version moved.
    async fn update_ticket_missed(&self, row: &TicketRow, expected: i64) -> Result<i64> {
        match self.get_ticket(&row.tenant_id, row.id).await? {
            None => Err(Error::not_found("ticket", row.id)),
            Some(current) => Err(Error::Conflict(format!(
                "ticket {} was modified concurrently (version {} expected, {} stored)",
                row.id, expected, current.version
            ))),
        }
    }

    /// A ticket of the tenant (soft-deleted ones included: check `deleted_at`).
    pub async fn get_ticket(&self, tenant_id: &str, id: Uuid) -> Result<Option<TicketRow>> {
        let mut q = self.select::<TicketRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// Like [`Tx::get_ticket`], locking the row (`FOR UPDATE` on PostgreSQL).
    pub async fn get_ticket_for_update(
        &self,
        tenant_id: &str,
        id: Uuid,
    ) -> Result<Option<TicketRow>> {
        let mut q = self.select::<TicketRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id)
            .sql(self.lock_suffix());
        self.opt(q).await
    }

    /// A ticket by its human number (soft-deleted ones included).
    pub async fn get_ticket_by_number(
        &self,
        tenant_id: &str,
        number: &str,
    ) -> Result<Option<TicketRow>> {
        let mut q = self.select::<TicketRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND number = ")
            .b(&s(number));
        self.opt(q).await
    }

    /// Soft-deletes a ticket. Returns false when it does not exist or is already deleted.
    pub async fn soft_delete_ticket(
        &self,
        tenant_id: &str,
        id: Uuid,
        deleted_by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut q = self.q();
        q.sql("UPDATE tickets SET deleted_at = ")
            .b(&now)
            .sql(", deleted_by = ")
            .b(&s(deleted_by))
            .sql(", updated_at = ")
            .b(&now)
            .sql(", version = version + 1 WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id)
            .sql(" AND deleted_at IS NULL");
        if self.exec(q).await? == 0 {
            return Ok(false);
        }
        let mut q = self.q();
        q.sql("UPDATE ticket_labels SET t_deleted = ")
            .b(&true)
            .sql(" WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND ticket_id = ")
            .b(&id);
        self.exec(q).await?;
        Ok(true)
    }

    /// Replaces the labels of a ticket.
    pub async fn set_ticket_labels(
        &self,
        tenant_id: &str,
        ticket_id: Uuid,
        labels: &BTreeMap<String, String>,
    ) -> Result<()> {
        let mut q = self.q();
        q.sql("DELETE FROM ticket_labels WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND ticket_id = ")
            .b(&ticket_id);
        self.exec(q).await?;
        self.insert_labels_of(tenant_id, ticket_id, labels).await
    }

    /// Inserts a ticket that has just been created, with its labels and its first audit
    /// events (e.g. `CREATED`). On PostgreSQL this is one statement: the ticket insert is a
    /// CTE whose `RETURNING` feeds the label rows, and the audit rows are the main insert
    /// (foreign keys are checked at the end of the statement). On SQLite it is the ticket
    /// insert, one label insert and one audit insert. Unlike [`Tx::set_ticket_labels`] there
    /// is no delete first: a new ticket has no labels yet. A taken ticket number is
    /// [`Error::Conflict`] and writes nothing.
    pub async fn insert_new_ticket(
        &self,
        ticket: &TicketRow,
        labels: &BTreeMap<String, String>,
        audit: &[TicketEventRow],
    ) -> Result<()> {
        // Keep the one statement well inside PostgreSQL's bind-parameter limit.
        const MAX_AUDIT_ROWS_INLINE: usize = 16;
        if !self.pg
            || (labels.is_empty() && audit.is_empty())
            || audit.len() > MAX_AUDIT_ROWS_INLINE
        {
            self.insert_ticket(ticket).await?;
            self.insert_labels_of(&ticket.tenant_id, ticket.id, labels)
                .await?;
            self.insert_ticket_events(audit).await?;
            return Ok(());
        }
        let row = with_open_flag(ticket);
        let mut q = self.q();
        q.sql("WITH t AS (INSERT INTO tickets (")
            .sql(&TicketRow::COLUMNS.join(", "))
            .sql(") VALUES ")
            .record(row.as_ref())
            .sql(" RETURNING tenant_id, id, is_open, deleted_at, priority, created_at)");
        let labels_sql = " INSERT INTO ticket_labels (tenant_id, ticket_id, key, value, t_open, t_deleted, t_priority, t_created_at) SELECT t.tenant_id, t.id, l.k, l.v, t.is_open, t.deleted_at IS NOT NULL, t.priority, t.created_at FROM t, (";
        if !labels.is_empty() {
            if audit.is_empty() {
                q.sql(labels_sql);
            } else {
                q.sql(", tl AS (").sql(labels_sql);
            }
            push_label_values(&mut q, labels);
            q.sql(") l");
            if !audit.is_empty() {
                q.sql(")");
            }
        }
        if !audit.is_empty() {
            q.sql(" INSERT INTO ")
                .sql(TicketEventRow::TABLE)
                .sql(" (")
                .sql(&TicketEventRow::COLUMNS.join(", "))
                .sql(") VALUES ");
            for (i, ev) in audit.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.record(ev);
            }
        }
        self.exec(q).await?;
        Ok(())
    }

    /// Inserts the label rows of an existing ticket that has none of these keys, with the
    /// ticket's copies of open/deleted/priority/created.
    async fn insert_labels_of(
        &self,
        tenant_id: &str,
        ticket_id: Uuid,
        labels: &BTreeMap<String, String>,
    ) -> Result<()> {
        if labels.is_empty() {
            return Ok(());
        }
        let mut q = self.q();
        q.sql("INSERT INTO ticket_labels (tenant_id, ticket_id, key, value, t_open, t_deleted, t_priority, t_created_at) SELECT t.tenant_id, t.id, l.k, l.v, t.is_open, CASE WHEN t.deleted_at IS NULL THEN ")
            .b(&false)
            .sql(" ELSE ")
            .b(&true)
            .sql(" END, t.priority, t.created_at FROM tickets t, (");
        push_label_values(&mut q, labels);
        q.sql(") l WHERE t.tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND t.id = ")
            .b(&ticket_id);
        let n = self.exec(q).await?;
        if n == 0 {
            return Err(Error::not_found("ticket", ticket_id));
        }
        Ok(())
    }

    /// Labels of a ticket.
    pub async fn get_ticket_labels(
        &self,
        tenant_id: &str,
        ticket_id: Uuid,
    ) -> Result<BTreeMap<String, String>> {
        let mut q = self.select::<TicketLabelRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND ticket_id = ")
            .b(&ticket_id);
        Ok(self
            .all::<TicketLabelRow>(q)
            .await?
            .into_iter()
            .map(|l| (l.key, l.value))
            .collect())
    }

    /// Labels of many tickets (for list pages).
    pub async fn labels_of_tickets(
        &self,
        tenant_id: &str,
        ticket_ids: &[Uuid],
    ) -> Result<Vec<TicketLabelRow>> {
        let mut out = Vec::new();
        for part in shaped_chunks(ticket_ids, MAX_ROWS_PER_STATEMENT) {
            let mut q = self.select::<TicketLabelRow>();
            q.sql("WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND ticket_id IN ")
                .bind_list(part)
                .sql(" ORDER BY ticket_id, key");
            out.extend(self.all::<TicketLabelRow>(q).await?);
        }
        Ok(out)
    }

    /// Inserts label rows for many tickets at once (bulk loads; tickets must exist).
    pub async fn insert_ticket_labels(&self, labels: &[TicketLabelRow]) -> Result<u64> {
        let mut n = 0;
        for part in shaped_chunks(labels, MAX_ROWS_PER_STATEMENT) {
            let mut q = self.q();
            q.sql("INSERT INTO ticket_labels (tenant_id, ticket_id, key, value, t_open, t_deleted, t_priority, t_created_at) SELECT t.tenant_id, t.id, l.k, l.v, t.is_open, CASE WHEN t.deleted_at IS NULL THEN ")
                .b(&false)
                .sql(" ELSE ")
                .b(&true)
                .sql(" END, t.priority, t.created_at FROM (");
            for (i, l) in part.iter().enumerate() {
                if i > 0 {
                    q.sql(" UNION ALL ");
                }
                q.sql("SELECT ")
                    .b(&l.tenant_id)
                    .sql(" AS tn, ")
                    .b(&l.ticket_id)
                    .sql(" AS id, ")
                    .b(&l.key)
                    .sql(" AS k, ")
                    .b(&l.value)
                    .sql(" AS v");
            }
            q.sql(") l JOIN tickets t ON t.tenant_id = l.tn AND t.id = l.id");
            n += self.exec(q).await?;
        }
        Ok(n)
    }

    /// Appends one audit event.
    pub async fn insert_ticket_event(&self, event: &TicketEventRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(event)).await?;
        Ok(())
    }

    /// Appends audit events with one multi-row `INSERT`.
    pub async fn insert_ticket_events(&self, events: &[TicketEventRow]) -> Result<u64> {
        self.insert_many(events).await
    }

    /// The audit log of a ticket, oldest first.
    pub async fn list_ticket_events(
        &self,
        tenant_id: &str,
        ticket_id: Uuid,
    ) -> Result<Vec<TicketEventRow>> {
        let mut q = self.select::<TicketEventRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND ticket_id = ")
            .b(&ticket_id)
            .sql(" ORDER BY at, id");
        self.all(q).await
    }

    /// Conditions on tickets alias `t` (labels beyond `skip_labels` as `EXISTS`).
    ///
    /// `skip_labels > 0` means the query is driven by the label row `l0`, which already holds
    /// the tenant, `t_deleted = false` and (with `open_only`) `t_open = true` — copies that
    /// storage keeps equal to the ticket's in the same transaction. The ticket side then only
    /// joins on the tenant instead of repeating those conditions with bound values: fewer
    /// parameters make PostgreSQL's generic plan of the prepared statement cheaper in its own
    /// estimate, so it stops re-planning the statement on every call (planning the list
    /// statement costs several times executing it).
    fn ticket_where(&self, q: &mut Q, tenant_id: &str, f: &TicketFilter, skip_labels: usize) {
        if skip_labels > 0 {
            q.sql(" t.tenant_id = l0.tenant_id");
        } else {
            q.sql(" t.tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND t.deleted_at IS NULL");
            if f.open_only {
                q.sql(" AND t.is_open = ").b(&true);
            }
        }
        if !f.status.is_empty() {
            q.sql(" AND t.status IN ").bind_list(&f.status);
        }
        if !f.category.is_empty() {
            q.sql(" AND t.category IN ").bind_list(&f.category);
        }
        if !f.priority.is_empty() {
            q.sql(" AND t.priority IN ").bind_list(&f.priority);
        }
        if !f.ticket_type.is_empty() {
            q.sql(" AND t.ticket_type IN ").bind_list(&f.ticket_type);
        }
        if let Some(v) = &f.assignee_id {
            q.sql(" AND t.assignee_id = ").b(v);
        }
        if f.unassigned {
            q.sql(" AND t.assignee_id IS NULL");
        }
        if let Some(v) = &f.reporter_id {
            q.sql(" AND t.reporter_id = ").b(v);
        }
        if let Some(v) = &f.reporter_only {
            q.sql(" AND t.reporter_id = ").b(v);
        }
        if let Some(v) = &f.customer_id {
            q.sql(" AND t.customer_id = ").b(v);
        }
        if let Some(v) = &f.created_from {
            q.sql(" AND t.created_at >= ").b(v);
        }
        if let Some(v) = &f.created_to {
            q.sql(" AND t.created_at < ").b(v);
        }
        if let Some(text) = &f.text {
            let pattern = format!(
                "%{}%",
                text.to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            q.sql(" AND (LOWER(t.subject) LIKE ")
                .b(&pattern)
                .sql(" ESCAPE '\\' OR LOWER(t.description) LIKE ")
                .b(&pattern)
                .sql(" ESCAPE '\\')");
        }
        for (k, v) in f.labels.iter().skip(skip_labels) {
            q.sql(" AND EXISTS (SELECT 1 FROM ticket_labels lx WHERE lx.tenant_id = t.tenant_id AND lx.ticket_id = t.id AND lx.key = ")
                .b(k)
                .sql(" AND lx.value = ")
                .b(v)
                .sql(")");
        }
    }

    /// `FROM ... WHERE ...` of a ticket list. With labels, the first label drives the query
    /// through `ix_ticket_labels_open_sort` (alias `l0`), whose copies of priority/created_at
    /// give the default sort without a sort step.
    fn ticket_from_where(&self, q: &mut Q, tenant_id: &str, f: &TicketFilter) {
        if let Some((k, v)) = f.labels.iter().next() {
            if self.pg {
                q.sql(" FROM ticket_labels l0 JOIN tickets t ON t.id = l0.ticket_id WHERE");
            } else {
                q.sql(" FROM ticket_labels l0 INDEXED BY ix_ticket_labels_open_sort CROSS JOIN tickets t WHERE t.id = l0.ticket_id AND");
            }
            q.sql(" l0.tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND l0.key = ")
                .b(k)
                .sql(" AND l0.value = ")
                .b(v)
                .sql(" AND l0.t_deleted = ")
                .b(&false);
            if f.open_only {
                q.sql(" AND l0.t_open = ").b(&true);
            }
            q.sql(" AND");
            self.ticket_where(q, tenant_id, f, 1);
        } else {
            q.sql(" FROM tickets t WHERE");
            self.ticket_where(q, tenant_id, f, 0);
        }
    }

    fn sort_cols(&self, sort: &TicketSort, labels: bool) -> Result<Vec<SortCol>> {
        if sort.keys.is_empty() || sort.keys.len() > 3 {
            return Err(Error::InvalidData(
                "a ticket sort needs one to three keys".into(),
            ));
        }
        let mut cols = Vec::new();
        for (field, dir) in &sort.keys {
            let exprs: Vec<String> = match field {
                TicketSortField::Priority if labels => vec!["l0.t_priority".into()],
                TicketSortField::Priority => vec!["t.priority".into()],
                TicketSortField::CreatedAt if labels => vec!["l0.t_created_at".into()],
                TicketSortField::CreatedAt => vec!["t.created_at".into()],
                TicketSortField::UpdatedAt => vec!["t.updated_at".into()],
                TicketSortField::DueAt if self.pg => {
                    vec!["COALESCE(t.due_at, '9999-12-31T23:59:59.999999Z'::timestamptz)".into()]
                }
                TicketSortField::DueAt => {
                    vec!["COALESCE(t.due_at, '9999-12-31T23:59:59.999999Z')".into()]
                }
                TicketSortField::Number => {
                    vec!["t.number_year".into(), "t.number_seq".into()]
                }
                TicketSortField::Status => vec!["t.status".into()],
            };
            for expr in exprs {
                cols.push(SortCol { expr, dir: *dir });
            }
        }
        let last = cols.last().map(|c| c.dir).unwrap_or(SortDir::Desc);
        cols.push(SortCol {
            expr: if labels {
                "l0.ticket_id".into()
            } else {
                "t.id".into()
            },
            dir: last,
        });
        Ok(cols)
    }

    /// Cursor values of a row, in `sort_cols` order.
    fn cursor_values(&self, sort: &TicketSort, t: &TicketRow) -> Vec<sea_orm::Value> {
        let pg = self.pg;
        let mut vals = Vec::new();
        for (field, _) in &sort.keys {
            match field {
                TicketSortField::Priority => vals.push(crate::codec::v(&t.priority, pg)),
                TicketSortField::CreatedAt => vals.push(crate::codec::v(&t.created_at, pg)),
                TicketSortField::UpdatedAt => vals.push(crate::codec::v(&t.updated_at, pg)),
                TicketSortField::DueAt => {
                    // The same sentinel as the ORDER BY expression (NULL sorts last ascending).
                    let due = t.due_at.unwrap_or_else(|| {
                        DateTime::parse_from_rfc3339("9999-12-31T23:59:59.999999Z")
                            .map(|d| d.with_timezone(&Utc))
                            .unwrap_or(DateTime::<Utc>::MAX_UTC)
                    });
                    vals.push(crate::codec::v(&due, pg))
                }
                TicketSortField::Number => {
                    vals.push(crate::codec::v(&t.number_year, pg));
                    vals.push(crate::codec::v(&t.number_seq, pg));
                }
                TicketSortField::Status => vals.push(crate::codec::v(&t.status, pg)),
            }
        }
        vals.push(crate::codec::v(&t.id, pg));
        vals
    }

    fn encode_cursor(&self, sort: &TicketSort, t: &TicketRow) -> String {
        let payload = serde_json::json!({
            "s": sort_sig(sort),
            "id": t.id,
            "p": t.priority,
            "c": t.created_at,
            "u": t.updated_at,
            "d": t.due_at,
            "ny": t.number_year,
            "ns": t.number_seq,
            "st": t.status,
        });
        hex(payload.to_string().as_bytes())
    }

    fn decode_cursor(&self, sort: &TicketSort, cursor: &str) -> Result<TicketRow> {
        let bad = || Error::InvalidData(format!("invalid cursor {cursor:?}"));
        let bytes = unhex(cursor).ok_or_else(bad)?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if v["s"].as_str() != Some(sort_sig(sort).as_str()) {
            return Err(Error::InvalidData(
                "the cursor belongs to a different sort order".into(),
            ));
        }
        let ts = |key: &str| -> Result<Option<DateTime<Utc>>> {
            match &v[key] {
                serde_json::Value::Null => Ok(None),
                other => serde_json::from_value(other.clone()).map_err(|_| bad()),
            }
        };
        let created = ts("c")?.ok_or_else(bad)?;
        Ok(TicketRow {
            id: serde_json::from_value(v["id"].clone()).map_err(|_| bad())?,
            tenant_id: String::new(),
            number: String::new(),
            number_year: v["ny"].as_i64().ok_or_else(bad)? as i32,
            number_seq: v["ns"].as_i64().ok_or_else(bad)?,
            subject: String::new(),
            description: String::new(),
            ticket_type: String::new(),
            status: v["st"].as_str().ok_or_else(bad)?.to_string(),
            category: String::new(),
            is_open: false,
            workflow: String::new(),
            priority: v["p"].as_i64().ok_or_else(bad)? as i16,
            reporter_id: String::new(),
            assignee_id: None,
            assigned_team: None,
            customer_id: None,
            alarm_id: None,
            metadata: serde_json::Value::Null,
            due_at: ts("d")?,
            first_response_at: None,
            first_response_due_at: None,
            resolution_due_at: None,
            resolved_at: None,
            closed_at: None,
            sla_next_check_at: None,
            deleted_at: None,
            deleted_by: None,
            version: 0,
            created_at: created,
            updated_at: ts("u")?.ok_or_else(bad)?,
        })
    }

    /// Tickets matching the filter, sorted (allowlisted columns only), paged by page number
    /// or keyset cursor, with the total count. Deleted tickets are never listed.
    ///
    /// Listing the open tickets of one label value (e.g. `contractor_id`) by priority then age
    /// reads `ix_ticket_labels_open_sort` in order and stops after one page. The total is a
    /// scalar subquery of the page's statement (evaluated once), so a page is one statement;
    /// only an empty page past the first counts with a second one.
    pub async fn list_tickets(
        &self,
        tenant_id: &str,
        filter: &TicketFilter,
        sort: &TicketSort,
        paging: &TicketPaging,
    ) -> Result<Paged<TicketRow>> {
        let (paged, _) = self
            .list_page(tenant_id, filter, sort, paging, false)
            .await?;
        Ok(paged)
    }

    /// [`Tx::list_tickets`] with each ticket's labels, read by the same statement (a
    /// per-row aggregate over `ticket_labels`' primary key).
    pub async fn list_tickets_with_labels(
        &self,
        tenant_id: &str,
        filter: &TicketFilter,
        sort: &TicketSort,
        paging: &TicketPaging,
    ) -> Result<Paged<(TicketRow, BTreeMap<String, String>)>> {
        let (paged, labels) = self
            .list_page(tenant_id, filter, sort, paging, true)
            .await?;
        Ok(Paged {
            items: paged.items.into_iter().zip(labels).collect(),
            total: paged.total,
            next_cursor: paged.next_cursor,
        })
    }

    /// The statement of a list page: the ticket columns, the total (`fd_total`) and, with
    /// `with_labels`, the labels as a JSON object (`fd_labels`).
    async fn list_page(
        &self,
        tenant_id: &str,
        filter: &TicketFilter,
        sort: &TicketSort,
        paging: &TicketPaging,
        with_labels: bool,
    ) -> Result<(Paged<TicketRow>, Vec<BTreeMap<String, String>>)> {
        let labels = !filter.labels.is_empty();
        let cols = self.sort_cols(sort, labels)?;
        let (page_size, offset, after) = match paging {
            TicketPaging::Page(p) => {
                p.check()?;
                (p.page_size, p.offset(), None)
            }
            TicketPaging::After { cursor, page_size } => {
                Page::new(1, *page_size).check()?;
                (*page_size, 0, Some(self.decode_cursor(sort, cursor)?))
            }
        };

        let mut q = self.q();
        q.sql("SELECT ").sql(&ticket_cols()).sql(", (");
        self.push_count_query(&mut q, tenant_id, filter);
        q.sql(") AS fd_total");
        if with_labels {
            q.sql(if self.pg {
                ", (SELECT json_object_agg(lz.key, lz.value)::text FROM ticket_labels lz WHERE lz.tenant_id = t.tenant_id AND lz.ticket_id = t.id) AS fd_labels"
            } else {
                ", (SELECT json_group_object(lz.key, lz.value) FROM ticket_labels lz WHERE lz.tenant_id = t.tenant_id AND lz.ticket_id = t.id) AS fd_labels"
            });
        }
        self.ticket_from_where(&mut q, tenant_id, filter);
        if let Some(last) = &after {
            let vals = self.cursor_values(sort, last);
            self.keyset(&mut q, &cols, vals);
        }
        q.sql(" ORDER BY ");
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                q.sql(", ");
            }
            q.sql(&c.expr).sql(match c.dir {
                SortDir::Asc => " ASC",
                SortDir::Desc => " DESC",
            });
        }
        q.sql(" LIMIT ")
            .b(&(page_size as i64 + 1))
            .sql(" OFFSET ")
            .b(&offset);
        let rows = self.all_raw(q).await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut label_maps = Vec::new();
        let mut total = None;
        for row in &rows {
            items.push(TicketRow::from_row(row, self.pg)?);
            if total.is_none() {
                total = Some(
                    row.try_get::<i64>("", "fd_total")
                        .map_err(|e| Error::InvalidData(e.to_string()))?,
                );
            }
            if with_labels && label_maps.len() < page_size as usize {
                let json = row
                    .try_get::<Option<String>>("", "fd_labels")
                    .map_err(|e| Error::InvalidData(e.to_string()))?;
                label_maps.push(match json {
                    None => BTreeMap::new(),
                    Some(j) => serde_json::from_str(&j).map_err(|e| {
                        Error::InvalidData(format!("ticket labels are not a JSON object: {e}"))
                    })?,
                });
            }
        }
        let total = match total {
            Some(n) => n,
            // No row on the first page: nothing matches.
            None if offset == 0 && after.is_none() => 0,
            None => self.count_tickets(tenant_id, filter).await?,
        };
        let more = items.len() > page_size as usize;
        items.truncate(page_size as usize);
        let next_cursor = if more {
            items.last().map(|t| self.encode_cursor(sort, t))
        } else {
            None
        };
        Ok((
            Paged {
                items,
                total,
                next_cursor,
            },
            label_maps,
        ))
    }

    /// The exact number of tickets matching `filter` (the `total` of a list page).
    async fn count_tickets(&self, tenant_id: &str, f: &TicketFilter) -> Result<i64> {
        let mut q = self.q();
        self.push_count_query(&mut q, tenant_id, f);
        self.count(q).await
    }

    /// Appends `SELECT COUNT(*) AS n ...` of the tickets matching `f`.
    ///
    /// When every condition of the filter has a copy in `ticket_labels` (labels, open,
    /// priority, created range — the rows carry `t_open`, `t_deleted`, `t_priority` and
    /// `t_created_at`, kept equal to the ticket's by storage), the count is read from
    /// `ix_ticket_labels_open_sort` alone, an index-only range count, instead of joining every
    /// matching label to its ticket row. Other filters count over the join.
    fn push_count_query(&self, q: &mut Q, tenant_id: &str, f: &TicketFilter) {
        let label_only = f.status.is_empty()
            && f.category.is_empty()
            && f.ticket_type.is_empty()
            && f.assignee_id.is_none()
            && !f.unassigned
            && f.reporter_id.is_none()
            && f.customer_id.is_none()
            && f.text.is_none()
            && f.reporter_only.is_none();
        let mut labels = f.labels.iter();
        let first = labels.next();
        let Some((k, v)) = first.filter(|_| label_only) else {
            q.sql("SELECT COUNT(*) AS n");
            self.ticket_from_where(q, tenant_id, f);
            return;
        };
        q.sql(if self.pg {
            "SELECT COUNT(*) AS n FROM ticket_labels l0"
        } else {
            "SELECT COUNT(*) AS n FROM ticket_labels l0 INDEXED BY ix_ticket_labels_open_sort"
        })
        .sql(" WHERE l0.tenant_id = ")
        .b(&s(tenant_id))
        .sql(" AND l0.key = ")
        .b(k)
        .sql(" AND l0.value = ")
        .b(v)
        .sql(" AND l0.t_deleted = ")
        .b(&false);
        if f.open_only {
            q.sql(" AND l0.t_open = ").b(&true);
        }
        if !f.priority.is_empty() {
            q.sql(" AND l0.t_priority IN ").bind_list(&f.priority);
        }
        if let Some(t) = &f.created_from {
            q.sql(" AND l0.t_created_at >= ").b(t);
        }
        if let Some(t) = &f.created_to {
            q.sql(" AND l0.t_created_at < ").b(t);
        }
        for (k, v) in labels {
            q.sql(" AND EXISTS (SELECT 1 FROM ticket_labels lx WHERE lx.tenant_id = l0.tenant_id AND lx.ticket_id = l0.ticket_id AND lx.key = ")
                .b(k)
                .sql(" AND lx.value = ")
                .b(v)
                .sql(")");
        }
    }

    /// Appends the keyset condition "after `vals`" for the sort columns.
    fn keyset(&self, q: &mut Q, cols: &[SortCol], vals: Vec<sea_orm::Value>) {
        let same_dir = cols.iter().all(|c| c.dir == cols[0].dir);
        if same_dir {
            q.sql(" AND (");
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.sql(&c.expr);
            }
            q.sql(match cols[0].dir {
                SortDir::Desc => ") < (",
                SortDir::Asc => ") > (",
            });
            for (i, v) in vals.into_iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.bind(v);
            }
            q.sql(")");
            return;
        }
        q.sql(" AND (");
        for i in 0..cols.len() {
            if i > 0 {
                q.sql(" OR ");
            }
            q.sql("(");
            for (j, c) in cols.iter().enumerate().take(i) {
                q.sql(&c.expr).sql(" = ").bind(vals[j].clone()).sql(" AND ");
            }
            q.sql(&cols[i].expr)
                .sql(match cols[i].dir {
                    SortDir::Desc => " < ",
                    SortDir::Asc => " > ",
                })
                .bind(vals[i].clone())
                .sql(")");
        }
        q.sql(")");
    }

    /// Ranked full-text search over subject, description and public comments (and internal
    /// comments when `include_internal`), combined with the list filters. PostgreSQL uses
    /// `websearch_to_tsquery('english', text)` over the GIN-indexed `tsvector`s; SQLite FTS5
    /// (porter stemming) with every word required.
    pub async fn search_tickets(
        &self,
        tenant_id: &str,
        text: &str,
        include_internal: bool,
        filter: &TicketFilter,
        page: Page,
    ) -> Result<Paged<SearchHit>> {
        page.check()?;
        let mut f = filter.clone();
        f.text = None;
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase())
            .collect();
        if words.is_empty() {
            return Ok(Paged {
                items: vec![],
                total: 0,
                next_cursor: None,
            });
        }
        let build = |count: bool| -> Q {
            let mut q = self.q();
            if self.pg {
                let doc = if include_internal {
                    "(t.fts_doc || t.fts_public_comments || t.fts_internal_comments)"
                } else {
                    "(t.fts_doc || t.fts_public_comments)"
                };
                if count {
                    q.sql("SELECT COUNT(*) AS n");
                } else {
                    q.sql("SELECT ")
                        .sql(&ticket_cols())
                        .sql(", ts_rank(")
                        .sql(doc)
                        .sql(", fq)::float8 AS rank");
                }
                q.sql(" FROM tickets t, websearch_to_tsquery('english', ")
                    .b(&text.to_string())
                    .sql(") fq WHERE ")
                    .sql(doc)
                    .sql(" @@ fq AND");
            } else {
                let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                let expr = if include_internal {
                    quoted.join(" ")
                } else {
                    format!(
                        "{{subject description public_comments}} : ({})",
                        quoted.join(" ")
                    )
                };
                if count {
                    q.sql("SELECT COUNT(*) AS n");
                } else {
                    q.sql("SELECT ")
                        .sql(&ticket_cols())
                        .sql(", -bm25(ticket_fts, 10.0, 5.0, 1.0, 1.0) AS rank");
                }
                q.sql(" FROM ticket_fts JOIN tickets t ON t.rowid = ticket_fts.rowid WHERE ticket_fts MATCH ")
                    .b(&expr)
                    .sql(" AND");
            }
            self.ticket_where(&mut q, tenant_id, &f, 0);
            q
        };
        let total = self.count(build(true)).await?;
        let mut q = build(false);
        q.sql(" ORDER BY rank DESC, t.id DESC LIMIT ")
            .b(&(page.page_size as i64))
            .sql(" OFFSET ")
            .b(&page.offset());
        let rows = self.all_raw(q).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let ticket = TicketRow::from_row(r, self.pg)?;
            let rank: f64 = r
                .try_get("", "rank")
                .map_err(|e| Error::InvalidData(e.to_string()))?;
            items.push(SearchHit { ticket, rank });
        }
        Ok(Paged {
            items,
            total,
            next_cursor: None,
        })
    }

    /// Ticket counts for statistics (deleted tickets excluded), over tickets matching
    /// `filter`.
    pub async fn ticket_counts(
        &self,
        tenant_id: &str,
        filter: &TicketFilter,
    ) -> Result<TicketCounts> {
        let mut out = TicketCounts::default();
        for col in ["status", "category", "ticket_type"] {
            let mut q = self.q();
            q.sql("SELECT t.").sql(col).sql(" AS k, COUNT(*) AS n");
            self.ticket_from_where(&mut q, tenant_id, filter);
            q.sql(" GROUP BY t.").sql(col);
            for r in self.all_raw(q).await? {
                let k: String = r
                    .try_get("", "k")
                    .map_err(|e| Error::InvalidData(e.to_string()))?;
                let n: i64 = r
                    .try_get("", "n")
                    .map_err(|e| Error::InvalidData(e.to_string()))?;
                match col {
                    "status" => {
                        out.total += n;
                        out.by_status.insert(k, n);
                    }
                    "category" => {
                        if is_open_category(&k) {
                            out.open += n;
                        }
                        out.by_category.insert(k, n);
                    }
                    _ => {
                        out.by_type.insert(k, n);
                    }
                }
            }
        }
        let mut q = self.q();
        q.sql("SELECT t.priority AS k, COUNT(*) AS n");
        self.ticket_from_where(&mut q, tenant_id, filter);
        q.sql(" GROUP BY t.priority");
        for r in self.all_raw(q).await? {
            let k: i16 = r
                .try_get("", "k")
                .map_err(|e| Error::InvalidData(e.to_string()))?;
            let n: i64 = r
                .try_get("", "n")
                .map_err(|e| Error::InvalidData(e.to_string()))?;
            out.by_priority.insert(k, n);
        }
        Ok(out)
    }

    /// Tickets whose `sla_next_check_at` is at or before `now` (any tenant), earliest first,
    /// at most `limit`. On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`, so
    /// concurrent workers each get different tickets; SQLite write transactions are already
    /// exclusive.
    pub async fn claim_due_sla_tickets(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<TicketRow>> {
        let mut q = self.select::<TicketRow>();
        q.sql(
            "WHERE sla_next_check_at IS NOT NULL AND deleted_at IS NULL AND sla_next_check_at <= ",
        )
        .b(&now)
        .sql(" ORDER BY sla_next_check_at LIMIT ")
        .b(&(limit as i64));
        if self.pg {
            q.sql(" FOR UPDATE SKIP LOCKED");
        }
        self.all(q).await
    }

    /// Whether any ticket (first) and any availability-SLA instance (second), of any tenant,
    /// has its next SLA check at or before `now`: one statement of two `EXISTS` over the
    /// partial indexes the claims use, so a scheduler round with nothing due needs no write
    /// transaction. A row that becomes due after this read is found by the next round.
    pub async fn sla_checks_due(&self, now: DateTime<Utc>) -> Result<(bool, bool)> {
        let mut q = self.q();
        q.sql(
            "SELECT EXISTS (SELECT 1 FROM tickets WHERE sla_next_check_at IS NOT NULL \
             AND deleted_at IS NULL AND sla_next_check_at <= ",
        )
        .b(&now)
        .sql(
            ") AS tickets_due, EXISTS (SELECT 1 FROM sla_instances WHERE next_check_at IS NOT NULL \
             AND next_check_at <= ",
        )
        .b(&now)
        .sql(") AS instances_due");
        let row = self
            .one_raw(q)
            .await?
            .ok_or_else(|| Error::InvalidData("SELECT EXISTS returned no row".into()))?;
        let get = |col: &str| -> Result<bool> { bool::from_col(&row, col, self.pg) };
        Ok((get("tickets_due")?, get("instances_due")?))
    }

    /// Sets `sla_next_check_at` of a ticket (without touching its version).
    pub async fn set_sla_next_check(
        &self,
        tenant_id: &str,
        ticket_id: Uuid,
        next: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut q = self.q();
        q.sql("UPDATE tickets SET sla_next_check_at = ")
            .b(&next)
            .sql(" WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&ticket_id);
        if self.exec(q).await? == 0 {
            return Err(Error::not_found("ticket", ticket_id));
        }
        Ok(())
    }

    /// The plan of the count query of a list (for plan checks in tests).
    #[doc(hidden)]
    pub async fn explain_count_tickets(
        &self,
        tenant_id: &str,
        filter: &TicketFilter,
    ) -> Result<Vec<String>> {
        let mut q = self.q();
        self.push_count_query(&mut q, tenant_id, filter);
        q.prefix(if self.pg {
            "EXPLAIN "
        } else {
            "EXPLAIN QUERY PLAN "
        });
        self.plan_lines(q).await
    }

    async fn plan_lines(&self, q: Q) -> Result<Vec<String>> {
        let rows = self.all_raw(q).await?;
        let col = if self.pg { "QUERY PLAN" } else { "detail" };
        rows.iter()
            .map(|r| {
                r.try_get::<String>("", col)
                    .map_err(|e| Error::InvalidData(e.to_string()))
            })
            .collect()
    }

    /// The SQL text and parameters count of the list query (for plan checks in tests).
    #[doc(hidden)]
    pub async fn explain_list_tickets(
        &self,
        tenant_id: &str,
        filter: &TicketFilter,
        sort: &TicketSort,
        page_size: u32,
    ) -> Result<Vec<String>> {
        let labels = !filter.labels.is_empty();
        let cols = self.sort_cols(sort, labels)?;
        let mut q = self.q();
        q.sql(if self.pg {
            "EXPLAIN SELECT "
        } else {
            "EXPLAIN QUERY PLAN SELECT "
        })
        .sql(&ticket_cols());
        self.ticket_from_where(&mut q, tenant_id, filter);
        q.sql(" ORDER BY ");
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                q.sql(", ");
            }
            q.sql(&c.expr).sql(match c.dir {
                SortDir::Asc => " ASC",
                SortDir::Desc => " DESC",
            });
        }
        q.sql(" LIMIT ").b(&(page_size as i64 + 1));
        let rows = self.all_raw(q).await?;
        let col = if self.pg { "QUERY PLAN" } else { "detail" };
        rows.iter()
            .map(|r| {
                r.try_get::<String>("", col)
                    .map_err(|e| Error::InvalidData(e.to_string()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_roundtrip() {
        let h = hex(b"{\"a\":1}");
        assert_eq!(unhex(&h).unwrap(), b"{\"a\":1}");
        assert!(unhex("zz").is_none());
        assert!(unhex("abc").is_none());
    }

    #[test]
    fn sort_field_allowlist() {
        assert_eq!(
            TicketSortField::parse("Priority").unwrap(),
            TicketSortField::Priority
        );
        let err = TicketSortField::parse("subject; DROP TABLE tickets").unwrap_err();
        assert!(err.to_string().contains("cannot sort by"));
    }
}
