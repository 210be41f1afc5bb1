//! SLA definitions, instances and breaches.

use crate::error::{Error, Result};
use crate::rows::*;
use crate::store::Tx;
use chrono::{DateTime, Utc};
use uuid::Uuid;

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
}
