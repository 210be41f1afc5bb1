//! Alarms, alarm events, notes, rules, topology edges and maintenance windows.

use crate::codec::{Q, Record};
use crate::error::{Error, Result};
use crate::query::{AlarmCounts, AlarmFilter, MaintenanceFilter, Page, Paged};
use crate::rows::*;
use crate::store::{MAX_ROWS_PER_STATEMENT, Tx, max_params, shaped_chunks};
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn s(x: &str) -> String {
    x.to_string()
}

/// What [`Tx::claim_alarm_for_ticket`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum AlarmClaim {
    /// The alarm had no ticket and is now linked; its row after the link.
    Linked(Box<AlarmRow>),
    /// The alarm already has this ticket; nothing was written.
    AlreadyLinked(Uuid),
    /// No such alarm in the tenant.
    NotFound,
}

impl Tx {
    /// Inserts an alarm. A second open alarm with the same `(tenant_id, reduction_key)` is
    /// rejected by the database with [`Error::Conflict`].
    pub async fn insert_alarm(&self, alarm: &AlarmRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(alarm)).await?;
        Ok(())
    }

    /// Inserts many alarms with multi-row `INSERT`s.
    pub async fn insert_alarms(&self, alarms: &[AlarmRow]) -> Result<u64> {
        self.insert_many(alarms).await
    }

    /// Writes every column of an existing alarm (matched by tenant and id).
    pub async fn update_alarm(&self, alarm: &AlarmRow) -> Result<()> {
        let n = self
            .update_by_id(alarm, &alarm.tenant_id, &alarm.id, "")
            .await?;
        if n == 0 {
            return Err(Error::not_found("alarm", alarm.id));
        }
        Ok(())
    }

    /// Updates many alarms (one statement each, in this transaction).
    pub async fn update_alarms(&self, alarms: &[AlarmRow]) -> Result<()> {
        for a in alarms {
            self.update_alarm(a).await?;
        }
        Ok(())
    }

    /// Writes every column of many existing alarms with one statement per chunk:
    /// `WITH v(cols...) AS (VALUES (...), ...) UPDATE alarms SET col = v.col ... FROM v WHERE
    /// alarms.tenant_id = v.tenant_id AND alarms.id = v.id` (SQLite ≥ 3.33 and PostgreSQL).
    /// Returns how many rows matched; a row that does not exist is simply not updated.
    pub async fn update_alarms_bulk(&self, alarms: &[AlarmRow]) -> Result<u64> {
        if alarms.is_empty() {
            return Ok(0);
        }
        let cols = AlarmRow::COLUMNS;
        let chunk = (max_params(self.pg) / cols.len()).max(1);
        let head = format!("WITH v({}) AS (VALUES ", cols.join(", "));
        let mut set = String::new();
        for c in cols
            .iter()
            .filter(|c| **c != "id" && **c != "tenant_id" && **c != "created_at")
        {
            if !set.is_empty() {
                set.push_str(", ");
            }
            set.push_str(c);
            set.push_str(" = v.");
            set.push_str(c);
        }
        let tail = format!(
            ") UPDATE alarms SET {set} FROM v WHERE alarms.tenant_id = v.tenant_id AND alarms.id = v.id"
        );
        let mut total = 0;
        for part in shaped_chunks(alarms, chunk) {
            let mut q = self.q();
            q.sql(&head);
            for (i, row) in part.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.record(row);
            }
            q.sql(&tail);
            total += self.exec(q).await?;
        }
        Ok(total)
    }

    /// Records repeats on many alarms with one statement per chunk: adds to
    /// `occurrence_count`, moves `last_occurrence` forward (never back) and sets `updated_at`,
    /// nothing else (so only the indexes on those columns are touched). `repeats` holds
    /// `(alarm id, occurrences to add, latest occurrence)`. The addition happens on the row as
    /// stored, so occurrences counted by other processes are kept. Returns the rows changed.
    pub async fn record_alarm_repeats(
        &self,
        tenant_id: &str,
        repeats: &[(Uuid, i64, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut total = 0;
        for part in shaped_chunks(repeats, MAX_ROWS_PER_STATEMENT) {
            let mut q = self.q();
            q.sql("WITH v(id, occurrence_count, last_occurrence) AS (VALUES ");
            for (i, (id, count, last)) in part.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.sql("(")
                    .b(id)
                    .sql(", ")
                    .b(count)
                    .sql(", ")
                    .b(last)
                    .sql(")");
            }
            q.sql(if self.pg {
                ") UPDATE alarms SET occurrence_count = alarms.occurrence_count + v.occurrence_count, last_occurrence = GREATEST(alarms.last_occurrence, v.last_occurrence), updated_at = "
            } else {
                ") UPDATE alarms SET occurrence_count = alarms.occurrence_count + v.occurrence_count, last_occurrence = MAX(alarms.last_occurrence, v.last_occurrence), updated_at = "
            })
                .b(&now)
                .sql(" FROM v WHERE alarms.tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND alarms.id = v.id");
            total += self.exec(q).await?;
        }
        Ok(total)
    }

    /// An alarm of the tenant, or `None` (another tenant's alarm is `None` too).
    pub async fn get_alarm(&self, tenant_id: &str, id: Uuid) -> Result<Option<AlarmRow>> {
        let mut q = self.select::<AlarmRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// Like [`Tx::get_alarm`], locking the row until the transaction ends (`FOR UPDATE` on
    /// PostgreSQL; SQLite write transactions already hold the database write lock).
    pub async fn get_alarm_for_update(
        &self,
        tenant_id: &str,
        id: Uuid,
    ) -> Result<Option<AlarmRow>> {
        let mut q = self.select::<AlarmRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id)
            .sql(self.lock_suffix());
        self.opt(q).await
    }

    /// The open alarm (active, acknowledged or suppressed) with this reduction key.
    pub async fn find_open_alarm_by_key(
        &self,
        tenant_id: &str,
        reduction_key: &str,
    ) -> Result<Option<AlarmRow>> {
        let mut q = self.select::<AlarmRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND reduction_key = ")
            .b(&s(reduction_key))
            .sql(" AND status IN ('active', 'acknowledged', 'suppressed')")
            .sql(self.lock_suffix());
        self.opt(q).await
    }

    /// The open alarms with any of these reduction keys (one query for a whole batch).
    pub async fn find_open_alarms_by_keys(
        &self,
        tenant_id: &str,
        keys: &[String],
    ) -> Result<Vec<AlarmRow>> {
        let mut out = Vec::new();
        for part in shaped_chunks(keys, MAX_ROWS_PER_STATEMENT) {
            let mut q = self.select::<AlarmRow>();
            q.sql("WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(
                    " AND status IN ('active', 'acknowledged', 'suppressed') AND reduction_key IN ",
                )
                .bind_list(part)
                .sql(self.lock_suffix());
            out.extend(self.all::<AlarmRow>(q).await?);
        }
        Ok(out)
    }

    /// The tenant's alarms with these ids (any status; missing ids are skipped), in one query
    /// per 500 ids, locked like [`Tx::get_alarm_for_update`] — what the Desk loads before it
    /// writes a batch of correlator decisions.
    pub async fn get_alarms_for_update(
        &self,
        tenant_id: &str,
        ids: &[Uuid],
    ) -> Result<Vec<AlarmRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for part in shaped_chunks(ids, MAX_ROWS_PER_STATEMENT) {
            let mut q = self.select::<AlarmRow>();
            // On SQLite `+tenant_id` keeps the planner on the primary key: without statistics it
            // would rather scan the tenant's rows through a (tenant_id, ...) index.
            q.sql(if self.pg {
                "WHERE tenant_id = "
            } else {
                "WHERE +tenant_id = "
            })
            .b(&s(tenant_id))
            .sql(" AND id IN ")
            .bind_list(part)
            .sql(self.lock_suffix());
            out.extend(self.all::<AlarmRow>(q).await?);
        }
        Ok(out)
    }

    /// Every open alarm (of one tenant, or of all tenants), oldest first — what the
    /// correlator rebuilds its working set from.
    pub async fn open_alarms(&self, tenant_id: Option<&str>) -> Result<Vec<AlarmRow>> {
        let mut q = self.select::<AlarmRow>();
        q.sql("WHERE status IN ('active', 'acknowledged', 'suppressed')");
        if let Some(t) = tenant_id {
            q.sql(" AND tenant_id = ").b(&s(t));
        }
        q.sql(" ORDER BY first_occurrence, id");
        self.all(q).await
    }

    fn alarm_where(&self, q: &mut Q, tenant_id: &str, f: &AlarmFilter) {
        q.sql("WHERE tenant_id = ").b(&s(tenant_id));
        if !f.severity.is_empty() {
            q.sql(" AND severity IN ").bind_list(&f.severity);
        }
        if !f.status.is_empty() {
            q.sql(" AND status IN ").bind_list(&f.status);
        }
        if !f.source.is_empty() {
            q.sql(" AND source IN ").bind_list(&f.source);
        }
        if let Some(v) = &f.alarm_type {
            q.sql(" AND alarm_type = ").b(v);
        }
        if let Some(v) = &f.resource_type {
            q.sql(" AND resource_type = ").b(v);
        }
        if let Some(v) = &f.resource_id {
            q.sql(" AND resource_id = ").b(v);
        }
        if let Some(v) = &f.customer_id {
            q.sql(" AND customer_id = ").b(v);
        }
        if let Some(v) = &f.correlation_id {
            q.sql(" AND correlation_id = ").b(v);
        }
        if let Some(v) = f.is_root_cause {
            q.sql(" AND is_root_cause = ").b(&v);
        }
        match f.has_ticket {
            Some(true) => {
                q.sql(" AND ticket_id IS NOT NULL");
            }
            Some(false) => {
                q.sql(" AND ticket_id IS NULL");
            }
            None => {}
        }
        if let Some(v) = &f.from {
            q.sql(" AND first_occurrence >= ").b(v);
        }
        if let Some(v) = &f.to {
            q.sql(" AND first_occurrence < ").b(v);
        }
    }

    /// Alarms matching the filter, most recently seen first, with the total count.
    pub async fn list_alarms(
        &self,
        tenant_id: &str,
        filter: &AlarmFilter,
        page: Page,
    ) -> Result<Paged<AlarmRow>> {
        page.check()?;
        let mut cq = self.q();
        cq.sql("SELECT COUNT(*) AS n FROM alarms ");
        self.alarm_where(&mut cq, tenant_id, filter);
        let total = self.count(cq).await?;
        let mut q = self.select::<AlarmRow>();
        self.alarm_where(&mut q, tenant_id, filter);
        q.sql(" ORDER BY last_occurrence DESC, id DESC LIMIT ")
            .b(&(page.page_size as i64))
            .sql(" OFFSET ")
            .b(&page.offset());
        Ok(Paged {
            items: self.all(q).await?,
            total,
            next_cursor: None,
        })
    }

    pub(crate) async fn count(&self, q: Q) -> Result<i64> {
        let row = self
            .one_raw(q)
            .await?
            .ok_or_else(|| Error::InvalidData("COUNT returned no row".into()))?;
        row.try_get::<i64>("", "n")
            .map_err(|e| Error::InvalidData(e.to_string()))
    }

    /// Alarms correlated under `parent_id`.
    pub async fn alarm_children(&self, tenant_id: &str, parent_id: Uuid) -> Result<Vec<AlarmRow>> {
        let mut q = self.select::<AlarmRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND parent_alarm_id = ")
            .b(&parent_id)
            .sql(" ORDER BY first_occurrence, id");
        self.all(q).await
    }

    /// Alarms of one correlation group.
    pub async fn alarms_by_correlation(
        &self,
        tenant_id: &str,
        correlation_id: Uuid,
    ) -> Result<Vec<AlarmRow>> {
        let mut q = self.select::<AlarmRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND correlation_id = ")
            .b(&correlation_id)
            .sql(" ORDER BY first_occurrence, id");
        self.all(q).await
    }

    /// Links a ticket to an alarm if the alarm has none yet: a conditional update
    /// (`... WHERE ticket_id IS NULL`). Returns whether this call won; when two transactions
    /// race, exactly one wins (the other waits for the first to commit, then sees the link).
    pub async fn link_alarm_ticket(
        &self,
        tenant_id: &str,
        alarm_id: Uuid,
        ticket_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut q = self.q();
        q.sql("UPDATE alarms SET ticket_id = ")
            .b(&ticket_id)
            .sql(", updated_at = ")
            .b(&now)
            .sql(" WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&alarm_id)
            .sql(" AND ticket_id IS NULL");
        Ok(self.exec(q).await? == 1)
    }

    /// Links an alarm without a ticket to `ticket_id` and returns the alarm, with one
    /// conditional `UPDATE ... WHERE ticket_id IS NULL RETURNING` (which also locks the row
    /// on PostgreSQL until the transaction ends): [`AlarmClaim::Linked`] with the row as it is
    /// now (`ticket_id` and `updated_at` set), [`AlarmClaim::AlreadyLinked`] with the ticket
    /// the alarm already has, or [`AlarmClaim::NotFound`] (another tenant's alarm too). Of two
    /// concurrent claims of one alarm exactly one links it; the other sees the winner's ticket.
    pub async fn claim_alarm_for_ticket(
        &self,
        tenant_id: &str,
        alarm_id: Uuid,
        ticket_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<AlarmClaim> {
        let mut q = self.q();
        q.sql("UPDATE alarms SET ticket_id = ")
            .b(&ticket_id)
            .sql(", updated_at = ")
            .b(&now)
            .sql(" WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&alarm_id)
            .sql(" AND ticket_id IS NULL RETURNING ")
            .sql(&AlarmRow::COLUMNS.join(", "));
        if let Some(row) = self.opt::<AlarmRow>(q).await? {
            return Ok(AlarmClaim::Linked(Box::new(row)));
        }
        Ok(match self.get_alarm(tenant_id, alarm_id).await? {
            None => AlarmClaim::NotFound,
            Some(row) => match row.ticket_id {
                Some(existing) => AlarmClaim::AlreadyLinked(existing),
                None => {
                    return Err(Error::InvalidData(format!(
                        "alarm {alarm_id} has no ticket but could not be linked"
                    )));
                }
            },
        })
    }

    /// Appends one alarm event.
    pub async fn insert_alarm_event(&self, event: &AlarmEventRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(event)).await?;
        Ok(())
    }

    /// Appends alarm events with multi-row `INSERT`s.
    pub async fn insert_alarm_events(&self, events: &[AlarmEventRow]) -> Result<u64> {
        self.insert_many(events).await
    }

    /// Events of one alarm, oldest first.
    pub async fn list_alarm_events(
        &self,
        tenant_id: &str,
        alarm_id: Uuid,
    ) -> Result<Vec<AlarmEventRow>> {
        let mut q = self.select::<AlarmEventRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND alarm_id = ")
            .b(&alarm_id)
            .sql(" ORDER BY occurred_at, id");
        self.all(q).await
    }

    /// Adds a note to an alarm.
    pub async fn insert_alarm_note(&self, note: &AlarmNoteRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(note)).await?;
        Ok(())
    }

    /// Notes of one alarm, oldest first.
    pub async fn list_alarm_notes(
        &self,
        tenant_id: &str,
        alarm_id: Uuid,
    ) -> Result<Vec<AlarmNoteRow>> {
        let mut q = self.select::<AlarmNoteRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND alarm_id = ")
            .b(&alarm_id)
            .sql(" ORDER BY created_at, id");
        self.all(q).await
    }

    /// Active alarms of these severities first seen at or before `raised_before` that have no
    /// ticket (seed 000's unacknowledged-alarm check), as lean rows. `tenant_id = None` covers
    /// all tenants.
    pub async fn unacknowledged_alarms(
        &self,
        tenant_id: Option<&str>,
        severities: &[String],
        raised_before: DateTime<Utc>,
    ) -> Result<Vec<UnackedAlarmRow>> {
        let mut q = self.select::<UnackedAlarmRow>();
        q.sql("WHERE status = 'active' AND ticket_id IS NULL AND first_occurrence <= ")
            .b(&raised_before);
        let mut wanted: Vec<&str> = severities.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted == ["critical", "major"] {
            // Seed 000's severities, spelled as in the partial index `ix_alarms_unacked` so
            // both planners can prove the index covers the query (it reads only the alarms
            // that can be findings, not every open alarm).
            q.sql(" AND severity IN ('critical', 'major')");
        } else if !severities.is_empty() {
            q.sql(" AND severity IN ").bind_list(severities);
        }
        if let Some(t) = tenant_id {
            q.sql(" AND tenant_id = ").b(&s(t));
        }
        q.sql(" ORDER BY first_occurrence, id");
        self.all(q).await
    }

    /// Alarm counts for statistics, over the alarms matching `filter`.
    pub async fn alarm_counts(&self, tenant_id: &str, filter: &AlarmFilter) -> Result<AlarmCounts> {
        let mut out = AlarmCounts::default();
        for (col, target) in [("status", 0), ("severity", 1), ("source", 2)] {
            let mut q = self.q();
            q.sql("SELECT ")
                .sql(col)
                .sql(" AS k, COUNT(*) AS n FROM alarms ");
            self.alarm_where(&mut q, tenant_id, filter);
            q.sql(" GROUP BY ").sql(col);
            for r in self.all_raw(q).await? {
                let k: String = r
                    .try_get("", "k")
                    .map_err(|e| Error::InvalidData(e.to_string()))?;
                let n: i64 = r
                    .try_get("", "n")
                    .map_err(|e| Error::InvalidData(e.to_string()))?;
                out.total += if target == 0 { n } else { 0 };
                match target {
                    0 => out.by_status.insert(k, n),
                    1 => out.by_severity.insert(k, n),
                    _ => out.by_source.insert(k, n),
                };
            }
        }
        let mut q = self.q();
        q.sql("SELECT COUNT(*) AS n FROM alarms ");
        self.alarm_where(&mut q, tenant_id, filter);
        q.sql(" AND ticket_id IS NOT NULL");
        out.with_ticket = self.count(q).await?;
        let mut q = self.q();
        q.sql("SELECT COUNT(*) AS n FROM alarms ");
        self.alarm_where(&mut q, tenant_id, filter);
        q.sql(" AND is_root_cause = ").b(&true);
        out.root_causes = self.count(q).await?;
        Ok(out)
    }

    /// Moves cleared and resolved alarms last changed before `older_than` to
    /// `alarms_archive` (with `archived_at = now`). Returns how many moved.
    pub async fn archive_cleared(
        &self,
        tenant_id: &str,
        older_than: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let cols = AlarmRow::COLUMNS.join(", ");
        let mut q = self.q();
        q.sql("INSERT INTO alarms_archive (")
            .sql(&cols)
            .sql(", archived_at) SELECT ")
            .sql(&cols)
            .sql(", ")
            .b(&now)
            .sql(" FROM alarms WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND status IN ('cleared', 'resolved') AND updated_at < ")
            .b(&older_than);
        let moved = self.exec(q).await?;
        let mut q = self.q();
        q.sql("DELETE FROM alarms WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND status IN ('cleared', 'resolved') AND updated_at < ")
            .b(&older_than);
        let deleted = self.exec(q).await?;
        if moved != deleted {
            return Err(Error::InvalidData(format!(
                "archive moved {moved} alarms but deleted {deleted}"
            )));
        }
        Ok(moved)
    }

    /// An archived alarm (its columns; `archived_at` is not returned).
    pub async fn get_archived_alarm(&self, tenant_id: &str, id: Uuid) -> Result<Option<AlarmRow>> {
        let mut q = self.q();
        q.sql("SELECT ")
            .sql(&AlarmRow::COLUMNS.join(", "))
            .sql(" FROM alarms_archive WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    // ----- rules -----

    /// Inserts a rule.
    pub async fn insert_rule(&self, rule: &RuleRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(rule)).await?;
        Ok(())
    }

    /// Writes every column of a rule.
    pub async fn update_rule(&self, rule: &RuleRow) -> Result<()> {
        if self
            .update_by_id(rule, &rule.tenant_id, &rule.id, "")
            .await?
            == 0
        {
            return Err(Error::not_found("rule", rule.id));
        }
        Ok(())
    }

    /// A rule.
    pub async fn get_rule(&self, tenant_id: &str, id: Uuid) -> Result<Option<RuleRow>> {
        let mut q = self.select::<RuleRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// Deletes a rule; returns whether it existed.
    pub async fn delete_rule(&self, tenant_id: &str, id: Uuid) -> Result<bool> {
        let mut q = self.q();
        q.sql("DELETE FROM alarm_rules WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        Ok(self.exec(q).await? > 0)
    }

    /// Rules of a tenant, highest priority first.
    pub async fn list_rules(&self, tenant_id: &str, enabled_only: bool) -> Result<Vec<RuleRow>> {
        let mut q = self.select::<RuleRow>();
        q.sql("WHERE tenant_id = ").b(&s(tenant_id));
        if enabled_only {
            q.sql(" AND enabled = ").b(&true);
        }
        q.sql(" ORDER BY priority DESC, created_at, id");
        self.all(q).await
    }

    // ----- topology -----

    /// Adds edges (already present ones are ignored). Returns how many were new.
    pub async fn add_topology_edges(&self, edges: &[TopologyEdgeRow]) -> Result<u64> {
        self.insert_many_suffix(edges, " ON CONFLICT DO NOTHING")
            .await
    }

    /// Removes edges given as `(parent_id, child_id)`. Returns how many existed.
    pub async fn remove_topology_edges(
        &self,
        tenant_id: &str,
        edges: &[(String, String)],
    ) -> Result<u64> {
        let mut n = 0;
        for (p, c) in edges {
            let mut q = self.q();
            q.sql("DELETE FROM topology_edges WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND parent_id = ")
                .b(p)
                .sql(" AND child_id = ")
                .b(c);
            n += self.exec(q).await?;
        }
        Ok(n)
    }

    /// Every edge of a tenant.
    pub async fn list_topology_edges(&self, tenant_id: &str) -> Result<Vec<TopologyEdgeRow>> {
        let mut q = self.select::<TopologyEdgeRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" ORDER BY parent_id, child_id");
        self.all(q).await
    }

    /// Every edge of every tenant (correlator rebuild).
    pub async fn all_topology_edges(&self) -> Result<Vec<TopologyEdgeRow>> {
        let mut q = self.select::<TopologyEdgeRow>();
        q.sql("ORDER BY tenant_id, parent_id, child_id");
        self.all(q).await
    }

    // ----- maintenance windows -----

    /// Inserts a maintenance window.
    pub async fn insert_maintenance_window(&self, w: &MaintenanceWindowRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(w)).await?;
        Ok(())
    }

    /// Writes every column of a maintenance window.
    pub async fn update_maintenance_window(&self, w: &MaintenanceWindowRow) -> Result<()> {
        if self.update_by_id(w, &w.tenant_id, &w.id, "").await? == 0 {
            return Err(Error::not_found("maintenance window", w.id));
        }
        Ok(())
    }

    /// A maintenance window.
    pub async fn get_maintenance_window(
        &self,
        tenant_id: &str,
        id: Uuid,
    ) -> Result<Option<MaintenanceWindowRow>> {
        let mut q = self.select::<MaintenanceWindowRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// Maintenance windows of a tenant (or of all tenants), by start time.
    pub async fn list_maintenance_windows(
        &self,
        tenant_id: Option<&str>,
        filter: &MaintenanceFilter,
    ) -> Result<Vec<MaintenanceWindowRow>> {
        let mut q = self.select::<MaintenanceWindowRow>();
        q.sql("WHERE 1 = 1");
        if let Some(t) = tenant_id {
            q.sql(" AND tenant_id = ").b(&s(t));
        }
        if let Some((from, to)) = &filter.overlapping {
            q.sql(" AND start_time < ")
                .b(to)
                .sql(" AND end_time > ")
                .b(from);
        }
        if !filter.status.is_empty() {
            q.sql(" AND status IN ").bind_list(&filter.status);
        }
        q.sql(" ORDER BY start_time, id");
        self.all(q).await
    }
}
