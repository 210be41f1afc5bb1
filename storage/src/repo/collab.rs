//! Comments, attachments, blobs, notifications and the outbox.

use crate::error::{Error, Result};
use crate::rows::*;
use crate::store::{MAX_ROWS_PER_STATEMENT, Tx, shaped_chunks};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use uuid::Uuid;

fn s(x: &str) -> String {
    x.to_string()
}

/// Advisory-lock key that orders outbox writers on PostgreSQL.
const OUTBOX_LOCK_KEY: i64 = 7_072_450_367;

/// One outbox row to insert, borrowed: `(tenant_id, kind, entity_id, internal, payload)`
/// (see [`Tx::insert_outbox_refs`]).
pub type OutboxInsert<'a> = (&'a str, &'a str, Option<&'a str>, bool, &'a Json);

impl Tx {
    // ----- comments -----

    /// Inserts a comment (full-text search follows through triggers).
    pub async fn insert_comment(&self, c: &CommentRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(c)).await?;
        Ok(())
    }

    /// Writes every column of a comment.
    pub async fn update_comment(&self, c: &CommentRow) -> Result<()> {
        if self.update_by_id(c, &c.tenant_id, &c.id, "").await? == 0 {
            return Err(Error::not_found("comment", c.id));
        }
        Ok(())
    }

    /// A comment (deleted ones included: check `deleted_at`).
    pub async fn get_comment(&self, tenant_id: &str, id: Uuid) -> Result<Option<CommentRow>> {
        let mut q = self.select::<CommentRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// Comments of a ticket, oldest first; internal ones only when `include_internal`,
    /// deleted ones only when `include_deleted`.
    pub async fn list_comments(
        &self,
        tenant_id: &str,
        ticket_id: Uuid,
        include_internal: bool,
        include_deleted: bool,
    ) -> Result<Vec<CommentRow>> {
        let mut q = self.select::<CommentRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND ticket_id = ")
            .b(&ticket_id);
        if !include_internal {
            q.sql(" AND visibility <> 'internal'");
        }
        if !include_deleted {
            q.sql(" AND deleted_at IS NULL");
        }
        q.sql(" ORDER BY created_at, id");
        self.all(q).await
    }

    /// Records the previous body of an edited comment.
    pub async fn insert_comment_revision(&self, r: &CommentRevisionRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(r)).await?;
        Ok(())
    }

    /// Edit history of a comment, oldest first.
    pub async fn list_comment_revisions(
        &self,
        tenant_id: &str,
        comment_id: Uuid,
    ) -> Result<Vec<CommentRevisionRow>> {
        let mut q = self.select::<CommentRevisionRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND comment_id = ")
            .b(&comment_id)
            .sql(" ORDER BY edited_at, id");
        self.all(q).await
    }

    // ----- attachments and blobs -----

    /// Inserts attachment metadata.
    pub async fn insert_attachment(&self, a: &AttachmentRow) -> Result<()> {
        self.insert_many(std::slice::from_ref(a)).await?;
        Ok(())
    }

    /// Writes every column of an attachment.
    pub async fn update_attachment(&self, a: &AttachmentRow) -> Result<()> {
        if self.update_by_id(a, &a.tenant_id, &a.id, "").await? == 0 {
            return Err(Error::not_found("attachment", a.id));
        }
        Ok(())
    }

    /// An attachment (deleted ones included: check `deleted_at`).
    pub async fn get_attachment(&self, tenant_id: &str, id: Uuid) -> Result<Option<AttachmentRow>> {
        let mut q = self.select::<AttachmentRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// Attachments of a ticket that are not deleted, oldest first; only `available` ones
    /// unless `include_pending`.
    pub async fn list_attachments(
        &self,
        tenant_id: &str,
        ticket_id: Uuid,
        include_pending: bool,
    ) -> Result<Vec<AttachmentRow>> {
        let mut q = self.select::<AttachmentRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND ticket_id = ")
            .b(&ticket_id)
            .sql(" AND deleted_at IS NULL");
        if !include_pending {
            q.sql(" AND status = 'available'");
        }
        q.sql(" ORDER BY created_at, id");
        self.all(q).await
    }

    /// Takes a reference on the blob `(tenant_id, sha256)`, creating it with refcount 1 when
    /// new. Returns the blob after the change and whether it was created (the caller then
    /// stores the content under `storage_key`).
    pub async fn blob_acquire(
        &self,
        tenant_id: &str,
        sha256: &str,
        size_bytes: i64,
        storage_key: &str,
        now: DateTime<Utc>,
    ) -> Result<(BlobRow, bool)> {
        let mut q = self.q();
        q.sql("INSERT INTO blobs (tenant_id, sha256, size_bytes, storage_key, refcount, created_at, updated_at) VALUES (")
            .b(&s(tenant_id))
            .sql(", ")
            .b(&s(sha256))
            .sql(", ")
            .b(&size_bytes)
            .sql(", ")
            .b(&s(storage_key))
            .sql(", 1, ")
            .b(&now)
            .sql(", ")
            .b(&now)
            .sql(") ON CONFLICT (tenant_id, sha256) DO UPDATE SET refcount = blobs.refcount + 1, updated_at = ")
            .b(&now)
            .sql(" RETURNING tenant_id, sha256, size_bytes, storage_key, refcount, created_at, updated_at");
        let row: BlobRow = self
            .opt(q)
            .await?
            .ok_or_else(|| Error::InvalidData("blob upsert returned no row".into()))?;
        let created = row.refcount == 1;
        Ok((row, created))
    }

    /// Drops a reference on a blob. Returns the blob after the change; when its refcount
    /// reached 0 the row is deleted (the caller then removes the content). `None` when the
    /// blob does not exist.
    pub async fn blob_release(
        &self,
        tenant_id: &str,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<BlobRow>> {
        let mut q = self.q();
        q.sql("UPDATE blobs SET refcount = refcount - 1, updated_at = ")
            .b(&now)
            .sql(" WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND sha256 = ")
            .b(&s(sha256))
            .sql(" AND refcount > 0 RETURNING tenant_id, sha256, size_bytes, storage_key, refcount, created_at, updated_at");
        let row: Option<BlobRow> = self.opt(q).await?;
        if let Some(b) = &row
            && b.refcount == 0
        {
            let mut q = self.q();
            q.sql("DELETE FROM blobs WHERE tenant_id = ")
                .b(&s(tenant_id))
                .sql(" AND sha256 = ")
                .b(&s(sha256))
                .sql(" AND refcount = 0");
            self.exec(q).await?;
        }
        Ok(row)
    }

    /// A blob.
    pub async fn get_blob(&self, tenant_id: &str, sha256: &str) -> Result<Option<BlobRow>> {
        let mut q = self.select::<BlobRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND sha256 = ")
            .b(&s(sha256));
        self.opt(q).await
    }

    /// Every blob storage key of a tenant (for collecting orphaned objects).
    pub async fn list_blobs(&self, tenant_id: &str) -> Result<Vec<BlobRow>> {
        let mut q = self.select::<BlobRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" ORDER BY sha256");
        self.all(q).await
    }

    // ----- notifications -----

    /// Records notification intents (in the transaction of the change that causes them).
    pub async fn insert_notifications(&self, rows: &[NotificationRow]) -> Result<u64> {
        self.insert_many(rows).await
    }

    /// Claims up to `limit` notifications due at `now` (pending, failed, or sending with an
    /// expired lease): marks them `sending` with `locked_until = lease_until` and returns
    /// them. On PostgreSQL candidates are selected `FOR UPDATE SKIP LOCKED`, so concurrent
    /// workers never claim the same row; commit right after claiming, deliver, then record
    /// the outcome with [`Tx::update_notification`].
    pub async fn claim_due_notifications(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<NotificationRow>> {
        let mut q = self.q();
        q.sql("SELECT id FROM notification_log WHERE status IN ('pending', 'sending', 'failed') AND next_attempt_at <= ")
            .b(&now)
            .sql(" AND (locked_until IS NULL OR locked_until <= ")
            .b(&now)
            .sql(") ORDER BY next_attempt_at LIMIT ")
            .b(&(limit as i64));
        if self.pg {
            q.sql(" FOR UPDATE SKIP LOCKED");
        }
        let ids: Vec<Uuid> = self
            .all_raw(q)
            .await?
            .iter()
            .map(|r| <Uuid as crate::codec::Col>::from_col(r, "id", self.pg))
            .collect::<Result<_>>()?;
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = self.q();
        q.sql("UPDATE notification_log SET status = 'sending', locked_until = ")
            .b(&lease_until)
            .sql(", updated_at = ")
            .b(&now)
            .sql(" WHERE id IN ")
            .bind_list(&ids);
        self.exec(q).await?;
        let mut q = self.select::<NotificationRow>();
        q.sql("WHERE id IN ")
            .bind_list(&ids)
            .sql(" ORDER BY next_attempt_at, id");
        self.all(q).await
    }

    /// Writes every column of a notification (delivery outcome).
    pub async fn update_notification(&self, n: &NotificationRow) -> Result<()> {
        if self.update_by_id(n, &n.tenant_id, &n.id, "").await? == 0 {
            return Err(Error::not_found("notification", n.id));
        }
        Ok(())
    }

    /// A notification.
    pub async fn get_notification(
        &self,
        tenant_id: &str,
        id: Uuid,
    ) -> Result<Option<NotificationRow>> {
        let mut q = self.select::<NotificationRow>();
        q.sql("WHERE tenant_id = ")
            .b(&s(tenant_id))
            .sql(" AND id = ")
            .b(&id);
        self.opt(q).await
    }

    /// Notifications of a tenant (optionally of one ticket), newest first.
    pub async fn list_notifications(
        &self,
        tenant_id: &str,
        ticket_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<NotificationRow>> {
        let mut q = self.select::<NotificationRow>();
        q.sql("WHERE tenant_id = ").b(&s(tenant_id));
        if let Some(t) = ticket_id {
            q.sql(" AND ticket_id = ").b(&t);
        }
        q.sql(" ORDER BY created_at DESC, id DESC LIMIT ")
            .b(&(limit as i64));
        self.all(q).await
    }

    // ----- outbox -----

    /// Appends an outbox event and returns its sequence number.
    ///
    /// Sequence order equals commit order: on PostgreSQL the first outbox insert of a
    /// transaction takes a transaction-scoped advisory lock (held until commit), so a
    /// consumer reading `seq > last_seen` never skips a row that commits later with a smaller
    /// sequence. SQLite writers are serialised anyway. Also sends
    /// `NOTIFY faultdesk_outbox, '<seq>'` on PostgreSQL (delivered at commit). Lock, insert
    /// and notification are one statement.
    pub async fn insert_outbox(
        &self,
        tenant_id: &str,
        kind: &str,
        entity_id: Option<&str>,
        internal: bool,
        payload: &Json,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let seqs = self
            .insert_outbox_refs(&[(tenant_id, kind, entity_id, internal, payload)], now)
            .await?;
        seqs.first()
            .copied()
            .ok_or_else(|| Error::InvalidData("outbox insert returned no row".into()))
    }

    /// Appends several outbox events (`(tenant_id, kind, entity_id, internal, payload)`,
    /// borrowed: no copies of the payloads) and returns their sequence numbers, in order, with
    /// one multi-row `INSERT ... RETURNING seq` per chunk. Ordering and notification as [`Tx::insert_outbox`]: on PostgreSQL the
    /// statement that first writes the outbox in the transaction takes the outbox lock
    /// before its rows draw their sequences, and each statement notifies its last sequence.
    pub async fn insert_outbox_refs(
        &self,
        rows: &[OutboxInsert<'_>],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut seqs = Vec::with_capacity(rows.len());
        for part in shaped_chunks(rows, MAX_ROWS_PER_STATEMENT) {
            // The lock is a one-time filter of the statement: PostgreSQL evaluates it before
            // producing the rows whose defaults draw the sequence.
            let lock = self.pg && !self.mark_outbox_locked();
            let mut q = self.q();
            if self.pg {
                q.sql("WITH ins AS (");
            }
            q.sql(
                "INSERT INTO outbox (tenant_id, kind, entity_id, internal, payload, created_at) ",
            )
            .sql(if lock {
                "SELECT * FROM (VALUES "
            } else {
                "VALUES "
            });
            for (i, (tenant, kind, entity, internal, payload)) in part.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.sql("(")
                    .b(&s(tenant))
                    .sql(", ")
                    .b(&s(kind))
                    .sql(", ")
                    .b(&entity.map(s))
                    .sql(", ")
                    .b(internal)
                    .sql(", ")
                    .b(*payload)
                    .sql(", ")
                    .b(&now)
                    .sql(")");
            }
            if lock {
                q.sql(") AS v WHERE (SELECT pg_advisory_xact_lock(")
                    .b(&OUTBOX_LOCK_KEY)
                    .sql(")::text) IS NOT NULL");
            }
            q.sql(" RETURNING seq");
            if self.pg {
                q.sql(") SELECT seq, (SELECT pg_notify('faultdesk_outbox', MAX(seq)::text)::text FROM ins) AS notified FROM ins");
            }
            let mut got = Vec::with_capacity(part.len());
            for row in self.all_raw(q).await? {
                got.push(
                    row.try_get::<i64>("", "seq")
                        .map_err(|e| Error::InvalidData(e.to_string()))?,
                );
            }
            if got.len() != part.len() {
                return Err(Error::InvalidData(format!(
                    "outbox insert returned {} sequences for {} rows",
                    got.len(),
                    part.len()
                )));
            }
            // One statement allocates consecutive sequences in VALUES order.
            got.sort_unstable();
            seqs.extend(got);
        }
        Ok(seqs)
    }

    /// Outbox events with `seq > after_seq`, in sequence order, at most `limit`; of one
    /// tenant or all.
    pub async fn outbox_since(
        &self,
        after_seq: i64,
        tenant_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OutboxRow>> {
        let mut q = self.select::<OutboxRow>();
        q.sql("WHERE seq > ").b(&after_seq);
        if let Some(t) = tenant_id {
            q.sql(" AND tenant_id = ").b(&s(t));
        }
        q.sql(" ORDER BY seq LIMIT ").b(&(limit as i64));
        self.all(q).await
    }

    /// The highest committed outbox sequence (0 when empty).
    pub async fn outbox_max_seq(&self) -> Result<i64> {
        let mut q = self.q();
        q.sql("SELECT COALESCE(MAX(seq), 0) AS n FROM outbox");
        self.count(q).await
    }
}
