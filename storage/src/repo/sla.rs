//! SLA definitions, instances and breaches.

use crate::codec::Q;
use crate::error::{Error, Result};
use crate::query::{Page, Paged};
use crate::rows::*;
use crate::store::Tx;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Filter of SLA instance listings; `None` and empty mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaInstanceFilter {
    /// Customer.
    pub customer_id: Option<String>,
    /// Service.
    pub service_id: Option<String>,
    /// Definition.
    pub definition_id: Option<Uuid>,
    /// Statuses (any of: `active`, `at_risk`, `breached`, `expired`).
    pub status: Vec<String>,
    /// Instances whose period overlaps `[from, to)`.
    pub overlapping: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

fn s(x: &str) -> String {
    x.to_string()
}

impl Tx {
    /// Inserts an SLA definition.
    pub async fn insert_sla_definition(&self, d: &SlaDefinitionRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(d)).await?;
        Ok(())
    }

    /// Writes every column of an SLA definition.
    pub async fn update_sla_definition(&self, d: &SlaDefinitionRow) -> Result<()> {
        if self.update_by_id(d, &d.tenant_id, &d.id, "").await? == 0 {
            return Err(Error::not_found("SLA definition", d.id));
        }
        Ok(())
    }

    /// An SLA definition.
    pub async fn get_sla_definition(
        &self,
        tenant_id: &str,
        id: Uuid,
    ) -> Result<Option<SlaDefinitionRow>> {
        let mut q = self.select::<SlaDefinitionRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// SLA definitions of a tenant by name.
    pub async fn list_sla_definitions(&self, tenant_id: &str) -> Result<Vec<SlaDefinitionRow>> {
        let mut q = self.select::<SlaDefinitionRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" ORDER BY name, id");
        self.all(q).await
    }

    /// Deletes an SLA definition that has no instances. Returns whether it existed; one with
    /// instances is [`Error::Conflict`].
    pub async fn delete_sla_definition(&self, tenant_id: &str, id: Uuid) -> Result<bool> {
        let mut q = self.q();
        q.sql("DELETE FROM sla_definitions WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        Ok(self.exec(q).await? > 0)
    }

    /// Inserts an SLA instance (its definition must exist: foreign key).
    pub async fn insert_sla_instance(&self, i: &SlaInstanceRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(i)).await?;
        Ok(())
    }

    /// Inserts SLA instances (multi-row; their definitions must exist).
    pub async fn insert_sla_instances(&self, rows: &[SlaInstanceRow]) -> Result<u64> {
        self.insert_many(rows).await
    }

    /// Writes every column of an SLA instance.
    pub async fn update_sla_instance(&self, i: &SlaInstanceRow) -> Result<()> {
        if self.update_by_id(i, &i.tenant_id, &i.id, "").await? == 0 {
            return Err(Error::not_found("SLA instance", i.id));
        }
        Ok(())
    }

    /// An SLA instance.
    pub async fn get_sla_instance(
        &self,
        tenant_id: &str,
        id: Uuid,
    ) -> Result<Option<SlaInstanceRow>> {
        let mut q = self.select::<SlaInstanceRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// An SLA instance, locked for update (`FOR UPDATE` on PostgreSQL).
    pub async fn get_sla_instance_for_update(
        &self,
        tenant_id: &str,
        id: Uuid,
    ) -> Result<Option<SlaInstanceRow>> {
        let mut q = self.select::<SlaInstanceRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id)
            .sql(self.lock_suffix());
        self.opt(q).await
    }

    /// SLA instances of a tenant, optionally of one customer and/or status.
    pub async fn list_sla_instances(
        &self,
        tenant_id: &str,
        customer_id: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<SlaInstanceRow>> {
        let mut q = self.select::<SlaInstanceRow>();
        q.sql("WHERE tenant_id = ").b(&s(tenant_id));
        if let Some(c) = customer_id {
            q.sql(" AND customer_id = ").b(&s(c));
        }
        if let Some(st) = status {
            q.sql(" AND status = ").b(&s(st));
        }
        q.sql(" ORDER BY period_start, id");
        self.all(q).await
    }

    /// SLA instances covering a resource or customer whose period overlaps `at`.
    pub async fn sla_instances_covering(
        &self,
        tenant_id: &str,
        resource_id: Option<&str>,
        customer_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Vec<SlaInstanceRow>> {
        let mut q = self.select::<SlaInstanceRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND period_start <= ")
            .b(&at)
            .sql(" AND period_end > ")
            .b(&at)
            .sql(" AND (1 = 0");
        if let Some(r) = resource_id {
            q.sql(" OR resource_id = ").b(&s(r));
        }
        if let Some(c) = customer_id {
            q.sql(" OR (resource_id IS NULL AND customer_id = ")
                .b(&s(c))
                .sql(")");
        }
        q.sql(") ORDER BY period_start, id");
        self.all(q).await
    }

    /// Records a breach once: returns `true` when inserted, `false` when a breach with the
    /// same `(tenant_id, sla_instance_id, breach_key)` already exists (nothing changes).
    pub async fn insert_sla_breach(&self, b: &SlaBreachRow) -> Result<bool> {
        let n = self
            .insert_many_suffix(
                std::slice::from_ref(b),
                " ON CONFLICT (tenant_id, sla_instance_id, breach_key) DO NOTHING",
            )
            .await?;
        Ok(n == 1)
    }

    /// Writes every column of a breach.
    pub async fn update_sla_breach(&self, b: &SlaBreachRow) -> Result<()> {
        if self.update_by_id(b, &b.tenant_id, &b.id, "").await? == 0 {
            return Err(Error::not_found("SLA breach", b.id));
        }
        Ok(())
    }

    /// Breaches of a tenant, optionally of one instance and starting in `[from, to)`.
    pub async fn list_sla_breaches(
        &self,
        tenant_id: &str,
        sla_instance_id: Option<Uuid>,
        range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<SlaBreachRow>> {
        let mut q = self.select::<SlaBreachRow>();
        q.sql("WHERE tenant_id = ").b(&s(tenant_id));
        if let Some(i) = sla_instance_id {
            q.sql(" AND sla_instance_id = ").b(&i);
        }
        if let Some((from, to)) = range {
            q.sql(" AND breach_start >= ")
                .b(&from)
                .sql(" AND breach_start < ")
                .b(&to);
        }
        q.sql(" ORDER BY breach_start, id");
        self.all(q).await
    }

    fn sla_instance_where(&self, q: &mut Q, tenant_id: &str, f: &SlaInstanceFilter) {
        q.sql("WHERE tenant_id = ").b(&s(tenant_id));
        if let Some(c) = &f.customer_id {
            q.sql(" AND customer_id = ").b(c);
        }
        if let Some(v) = &f.service_id {
            q.sql(" AND service_id = ").b(v);
        }
        if let Some(d) = &f.definition_id {
            q.sql(" AND sla_definition_id = ").b(d);
        }
        if !f.status.is_empty() {
            q.sql(" AND status IN ").bind_list(&f.status);
        }
        if let Some((from, to)) = &f.overlapping {
            q.sql(" AND period_start < ")
                .b(to)
                .sql(" AND period_end > ")
                .b(from);
        }
    }

    /// One page of a tenant's SLA instances matching `filter`, by period start, with the
    /// total count.
    pub async fn list_sla_instances_page(
        &self,
        tenant_id: &str,
        filter: &SlaInstanceFilter,
        page: Page,
    ) -> Result<Paged<SlaInstanceRow>> {
        page.check()?;
        let mut cq = self.q();
        cq.sql("SELECT COUNT(*) AS n FROM sla_instances ");
        self.sla_instance_where(&mut cq, tenant_id, filter);
        let total = self.count(cq).await?;
        let mut q = self.select::<SlaInstanceRow>();
        self.sla_instance_where(&mut q, tenant_id, filter);
        q.sql(" ORDER BY period_start, id LIMIT ")
            .b(&(page.page_size as i64))
            .sql(" OFFSET ")
            .b(&page.offset());
        Ok(Paged {
            items: self.all(q).await?,
            total,
            next_cursor: None,
        })
    }

    /// Every SLA instance of a tenant matching `filter`, by period start (reports).
    pub async fn sla_instances_matching(
        &self,
        tenant_id: &str,
        filter: &SlaInstanceFilter,
    ) -> Result<Vec<SlaInstanceRow>> {
        let mut q = self.select::<SlaInstanceRow>();
        self.sla_instance_where(&mut q, tenant_id, filter);
        q.sql(" ORDER BY period_start, id");
        self.all(q).await
    }

    /// Number of instances of a definition.
    pub async fn count_sla_instances_of_definition(
        &self,
        tenant_id: &str,
        definition_id: Uuid,
    ) -> Result<i64> {
        let mut q = self.q();
        q.sql("SELECT COUNT(*) AS n FROM sla_instances WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND sla_definition_id = ")
            .b(&definition_id);
        self.count(q).await
    }

    /// The tenant's SLA instances with these ids (missing ids are skipped), locked for update
    /// on PostgreSQL, one query per 500 ids.
    pub async fn get_sla_instances_for_update(
        &self,
        tenant_id: &str,
        ids: &[Uuid],
    ) -> Result<Vec<SlaInstanceRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for part in ids.chunks(500) {
            let mut q = self.select::<SlaInstanceRow>();
            q.sql("WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND id IN ")
                .bind_list(part)
                .sql(" ORDER BY id")
                .sql(self.lock_suffix());
            out.extend(self.all::<SlaInstanceRow>(q).await?);
        }
        Ok(out)
    }

    /// Deletes an SLA instance with its outages and breaches. Returns whether it existed.
    pub async fn delete_sla_instance(&self, tenant_id: &str, id: Uuid) -> Result<bool> {
        for table in ["sla_outages", "sla_measurements", "sla_breaches"] {
            let mut q = self.q();
            q.sql("DELETE FROM ")
                .sql(table)
                .sql(" WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND sla_instance_id = ")
                .b(&id);
            self.exec(q).await?;
        }
        let mut q = self.q();
        q.sql("DELETE FROM sla_instances WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        Ok(self.exec(q).await? > 0)
    }

    /// Instances of every tenant whose `next_check_at` has come (at most `limit`, earliest
    /// first), claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so concurrent schedulers
    /// take different rows.
    pub async fn claim_due_sla_instances(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<SlaInstanceRow>> {
        let mut q = self.select::<SlaInstanceRow>();
        q.sql("WHERE next_check_at IS NOT NULL AND next_check_at <= ")
            .b(&now)
            .sql(" ORDER BY next_check_at, id LIMIT ")
            .b(&(limit as i64));
        if self.pg {
            q.sql(" FOR UPDATE SKIP LOCKED");
        }
        self.all(q).await
    }

    /// Inserts outages (multi-row).
    pub async fn insert_sla_outages(&self, rows: &[SlaOutageRow]) -> Result<u64> {
        self.insert_many(rows).await
    }

    /// Writes every column of an outage.
    pub async fn update_sla_outage(&self, o: &SlaOutageRow) -> Result<()> {
        if self.update_by_id(o, &o.tenant_id, &o.id, "").await? == 0 {
            return Err(Error::not_found("SLA outage", o.id));
        }
        Ok(())
    }

    /// The outages of these instances, by instance and start (one query per 500 ids).
    pub async fn list_sla_outages(
        &self,
        tenant_id: &str,
        instance_ids: &[Uuid],
    ) -> Result<Vec<SlaOutageRow>> {
        let mut out = Vec::new();
        for part in instance_ids.chunks(500) {
            let mut q = self.select::<SlaOutageRow>();
            q.sql("WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND sla_instance_id IN ")
                .bind_list(part)
                .sql(" ORDER BY sla_instance_id, started_at, id");
            out.extend(self.all::<SlaOutageRow>(q).await?);
        }
        Ok(out)
    }

    /// Inserts performance samples (multi-row).
    pub async fn insert_sla_measurements(&self, rows: &[SlaMeasurementRow]) -> Result<u64> {
        self.insert_many(rows).await
    }

    /// The performance samples of these instances, by instance and time (one query per 500
    /// ids).
    pub async fn list_sla_measurements(
        &self,
        tenant_id: &str,
        instance_ids: &[Uuid],
    ) -> Result<Vec<SlaMeasurementRow>> {
        let mut out = Vec::new();
        for part in instance_ids.chunks(500) {
            let mut q = self.select::<SlaMeasurementRow>();
            q.sql("WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND sla_instance_id IN ")
                .bind_list(part)
                .sql(" ORDER BY sla_instance_id, measured_at, id");
            out.extend(self.all::<SlaMeasurementRow>(q).await?);
        }
        Ok(out)
    }

    /// The breaches of these instances (one query per 500 ids).
    pub async fn sla_breaches_of(
        &self,
        tenant_id: &str,
        instance_ids: &[Uuid],
    ) -> Result<Vec<SlaBreachRow>> {
        let mut out = Vec::new();
        for part in instance_ids.chunks(500) {
            let mut q = self.select::<SlaBreachRow>();
            q.sql("WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND sla_instance_id IN ")
                .bind_list(part)
                .sql(" ORDER BY sla_instance_id, breach_start, id");
            out.extend(self.all::<SlaBreachRow>(q).await?);
        }
        Ok(out)
    }

    /// `(child, parent)` topology edges whose child is one of `children` (one query per 500
    /// children) — one level of an upward walk.
    pub async fn topology_parents(
        &self,
        tenant_id: &str,
        children: &[String],
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for part in children.chunks(500) {
            let mut q = self.select::<TopologyEdgeRow>();
            q.sql("WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND child_id IN ")
                .bind_list(part);
            for e in self.all::<TopologyEdgeRow>(q).await? {
                out.push((e.child_id, e.parent_id));
            }
        }
        Ok(out)
    }

    /// Alarms of a tenant that name one of `customers` or `resources` and overlap
    /// `[from, to)`: raised before `to` and still open, or cleared/resolved after `from`.
    pub async fn alarms_touching(
        &self,
        tenant_id: &str,
        customers: &[String],
        resources: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AlarmRow>> {
        let mut out: Vec<AlarmRow> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (col, values) in [("customer_id", customers), ("resource_id", resources)] {
            for part in values.chunks(500) {
                let mut q = self.select::<AlarmRow>();
                q.sql("WHERE tenant_id = ")
                    .b(&s(tenant_id))
                    .sql(" AND ")
                    .sql(col)
                    .sql(" IN ")
                    .bind_list(part)
                    .sql(" AND first_occurrence < ")
                    .b(&to)
                    .sql(" AND (status IN ('active', 'acknowledged', 'suppressed') OR COALESCE(cleared_at, resolved_at) > ")
                    .b(&from)
                    .sql(") ORDER BY first_occurrence, id");
                for row in self.all::<AlarmRow>(q).await? {
                    if seen.insert(row.id) {
                        out.push(row);
                    }
                }
            }
        }
        out.sort_by_key(|a| (a.first_occurrence, a.id));
        Ok(out)
    }
}
