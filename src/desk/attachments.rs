//! Attachments: streaming upload and download, content de-duplicated by SHA-256 per tenant,
//! seed 003's policy (50 MB, extension allowlist, sanitised names) and a virus-scan hook.
//!
//! Upload steps (see [`Desk::add_attachment`]):
//!
//! 1. permission, policy on the name (sanitised: `../../etc/passwd.txt` is stored as
//!    `passwd.txt`; the name never becomes part of a storage key) and the ticket's visibility;
//! 2. the content streams into a temporary object while its SHA-256 and size are computed
//!    (memory per upload is bounded by [`STREAM_CHUNK_BYTES`](crate::blobs::STREAM_CHUNK_BYTES));
//!    more than the size limit stops the upload at once;
//! 3. the [`Scanner`] reads the temporary object and may reject it — nothing becomes visible;
//! 4. the content is copied to its address `tenant/sha256[..2]/sha256`;
//! 5. one transaction takes a reference on the blob (`blobs.refcount`), inserts the metadata
//!    row and the `ATTACHMENT_ADDED` audit event and the outbox event.
//!
//! A metadata row therefore only ever points at content that exists. If step 5 fails, the
//! content stays without a `blobs` row: [`Desk::collect_orphan_blobs`] removes such objects
//! (and abandoned temporary objects) once they are older than a grace period.

use crate::actor::Actor;
use crate::blobs::{BlobStore, ByteStream, StageError};
use crate::desk::notifications::Related;
use crate::desk::{Desk, read_tx, write_tx};
use crate::error::{Error, Result};
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use faultdesk_storage::{AttachmentRow, TicketRow};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ticket_core::audit::{AuditActor, AuditEvent};
use ticket_core::rbac::perms;
use uuid::Uuid;

/// What a [`Scanner`] is asked to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRequest {
    /// Tenant.
    pub tenant_id: String,
    /// The ticket.
    pub ticket_id: Uuid,
    /// Sanitised file name.
    pub file_name: String,
    /// Content type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 (hex) of the content.
    pub sha256: String,
}

/// A scanner's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanVerdict {
    /// The file may be stored.
    Clean,
    /// The file is refused (e.g. a virus signature matched), with a reason for people.
    Rejected(String),
}

/// A virus-scan hook: sees every upload before it becomes visible and may reject it.
///
/// An `Err` (scanner unavailable) also keeps the file out: uploads fail closed.
#[async_trait::async_trait]
pub trait Scanner: Send + Sync + std::fmt::Debug {
    /// Scans one file; `content` streams its bytes.
    async fn scan(
        &self,
        file: &ScanRequest,
        content: ByteStream,
    ) -> std::result::Result<ScanVerdict, String>;
}

/// Input of [`Desk::add_attachment`] besides the content.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewAttachment {
    /// The file name as supplied by the client (sanitised before use).
    pub file_name: String,
    /// The content type supplied by the client, if any (checked against the extension).
    pub content_type: Option<String>,
    /// The comment it belongs to, if any (must be a comment of the same ticket).
    pub comment_id: Option<Uuid>,
}

impl NewAttachment {
    /// An attachment named `file_name`.
    pub fn new(file_name: impl Into<String>) -> Self {
        NewAttachment {
            file_name: file_name.into(),
            content_type: None,
            comment_id: None,
        }
    }

    /// Sets the content type.
    pub fn content_type(mut self, ct: impl Into<String>) -> Self {
        self.content_type = Some(ct.into());
        self
    }

    /// Attaches it to a comment.
    pub fn comment(mut self, id: Uuid) -> Self {
        self.comment_id = Some(id);
        self
    }
}

/// Attachment metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// UUID v7.
    pub id: Uuid,
    /// The ticket.
    pub ticket_id: Uuid,
    /// The comment it belongs to.
    pub comment_id: Option<Uuid>,
    /// Sanitised file name.
    pub file_name: String,
    /// Content type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the content (hex).
    pub sha256: String,
    /// Uploader.
    pub uploaded_by: String,
    /// Upload time.
    pub created_at: DateTime<Utc>,
}

impl From<&AttachmentRow> for Attachment {
    fn from(r: &AttachmentRow) -> Self {
        Attachment {
            id: r.id,
            ticket_id: r.ticket_id,
            comment_id: r.comment_id,
            file_name: r.file_name.clone(),
            content_type: r.content_type.clone(),
            size_bytes: u64::try_from(r.size_bytes).unwrap_or(0),
            sha256: r.sha256.clone(),
            uploaded_by: r.uploaded_by.clone(),
            created_at: r.created_at,
        }
    }
}

/// An opened attachment: its metadata and a stream of its bytes.
pub struct AttachmentDownload {
    /// Metadata.
    pub attachment: Attachment,
    /// The content, streamed from the blob store.
    pub content: ByteStream,
}

impl std::fmt::Debug for AttachmentDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentDownload")
            .field("attachment", &self.attachment)
            .finish_non_exhaustive()
    }
}

/// What [`Desk::collect_orphan_blobs`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanReport {
    /// Content objects without a `blobs` row.
    pub content_removed: usize,
    /// Abandoned temporary upload objects.
    pub temp_removed: usize,
}

fn attachment_not_found(id: Uuid) -> Error {
    Error::not_found(format!("Attachment {id} not found"))
}

fn audit_of(actor: &Actor) -> AuditActor {
    let a = AuditActor::new(&actor.user_id);
    match &actor.ip {
        Some(ip) => a.with_ip(ip),
        None => a,
    }
}

impl Desk {
    fn blobs(&self) -> &BlobStore {
        &self.inner.config.blobs
    }

    /// Uploads an attachment to a ticket, streaming `content`.
    ///
    /// Requires `tickets.attachments.write` and read access to the ticket. Validation errors
    /// (nothing stored): empty file, more than the policy's size limit (the upload stops as
    /// soon as the limit is passed), a missing or disallowed extension, a content type that
    /// contradicts the extension, or a rejection by the configured [`Scanner`]. Identical
    /// content of one tenant is stored once (counted by reference). Audit `ATTACHMENT_ADDED`;
    /// outbox `ticket.attachment_added`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, BlobStore, Desk, DeskConfig, NewAttachment, NewTicketInput};
    /// use futures::TryStreamExt;
    /// let config = DeskConfig::default().with_blob_store(BlobStore::in_memory());
    /// let desk = Desk::open("sqlite::memory:", config).await?;
    /// let agent = Actor::new("acme", "u-1").with_roles(["DEVOPS_ENGINEER"]);
    /// let t = desk.create_ticket(&agent, NewTicketInput::new("Router down")).await?;
    /// let a = desk
    ///     .add_attachment_bytes(&agent, t.id, NewAttachment::new("../../logs/router.log"), "boot failed")
    ///     .await?;
    /// assert_eq!(a.file_name, "router.log");
    /// let d = desk.open_attachment(&agent, a.id).await?;
    /// let body: Vec<bytes::Bytes> = d.content.try_collect().await.unwrap();
    /// assert_eq!(body.concat(), b"boot failed");
    /// # Ok::<(), faultdesk::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn add_attachment<S>(
        &self,
        actor: &Actor,
        ticket_id: Uuid,
        input: NewAttachment,
        content: S,
    ) -> Result<Attachment>
    where
        S: futures::Stream<Item = std::io::Result<Bytes>> + Send,
    {
        self.require(actor, perms::TICKETS_ATTACHMENTS_WRITE)?;
        self.require(actor, perms::TICKETS_READ)?;
        let policy = &self.inner.config.attachments;
        // Name, extension and content type first (size 1 stands for "not empty yet").
        policy.validate(&input.file_name, 1, input.content_type.as_deref())?;
        let principal = self.principal(actor);
        let tenant = actor.tenant_id.as_str();
        // The ticket must exist for the actor before any byte is stored.
        read_tx!(self, |tx| {
            self.load_ticket(tx, tenant, &principal, ticket_id, false)
                .await?;
            if let Some(cid) = input.comment_id {
                let c = tx.get_comment(tenant, cid).await?;
                if !c.is_some_and(|c| c.ticket_id == ticket_id && c.deleted_at.is_none()) {
                    return Err(Error::not_found(format!("Comment {cid} not found")));
                }
            }
            Ok(())
        })?;
        let staged = match self
            .blobs()
            .stage(tenant, content.boxed(), policy.max_size_bytes)
            .await
        {
            Ok(s) => s,
            Err(StageError::TooLarge(n)) => {
                // Same message as the policy gives for a known size.
                return Err(policy
                    .validate(&input.file_name, n, None)
                    .err()
                    .map(Error::from)
                    .unwrap_or_else(|| Error::validation("File is too large")));
            }
            Err(StageError::Read(e)) => {
                return Err(Error::validation(format!(
                    "Reading the uploaded content failed: {e}"
                )));
            }
            Err(StageError::Store(e)) => return Err(e),
        };
        let result = self.finish_upload(actor, ticket_id, &input, &staged).await;
        self.blobs().discard(&staged).await;
        result
    }

    /// [`Desk::add_attachment`] with the content in memory (small files, tests).
    pub async fn add_attachment_bytes(
        &self,
        actor: &Actor,
        ticket_id: Uuid,
        input: NewAttachment,
        content: impl Into<Bytes>,
    ) -> Result<Attachment> {
        let b: Bytes = content.into();
        self.add_attachment(actor, ticket_id, input, futures::stream::iter([Ok(b)]))
            .await
    }

    /// [`Desk::add_attachment`] reading from an `AsyncRead` (a file, a socket).
    pub async fn add_attachment_reader<R>(
        &self,
        actor: &Actor,
        ticket_id: Uuid,
        input: NewAttachment,
        reader: R,
    ) -> Result<Attachment>
    where
        R: tokio::io::AsyncRead + Send + Unpin,
    {
        let stream = futures::stream::unfold(reader, |mut r| async move {
            use tokio::io::AsyncReadExt;
            let mut buf = vec![0u8; 64 * 1024];
            match r.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), r))
                }
                Err(e) => Some((Err(e), r)),
            }
        });
        self.add_attachment(actor, ticket_id, input, stream).await
    }

    async fn finish_upload(
        &self,
        actor: &Actor,
        ticket_id: Uuid,
        input: &NewAttachment,
        staged: &crate::blobs::StagedBlob,
    ) -> Result<Attachment> {
        let policy = &self.inner.config.attachments;
        let valid =
            policy.validate(&input.file_name, staged.size, input.content_type.as_deref())?;
        let tenant = actor.tenant_id.as_str();
        if let Some(scanner) = &self.inner.config.scanner {
            let req = ScanRequest {
                tenant_id: tenant.to_string(),
                ticket_id,
                file_name: valid.file_name.clone(),
                content_type: valid.content_type.clone(),
                size_bytes: staged.size,
                sha256: staged.sha256.clone(),
            };
            let content = self.blobs().read_path(&staged.tmp).await?;
            match scanner.scan(&req, content).await {
                Ok(ScanVerdict::Clean) => {}
                Ok(ScanVerdict::Rejected(reason)) => {
                    tracing::warn!(tenant_id = tenant, %ticket_id, file = %valid.file_name, %reason, "attachment.rejected");
                    return Err(Error::validation(format!(
                        "File '{}' was rejected by the virus scan: {reason}",
                        valid.file_name
                    )));
                }
                Err(e) => {
                    return Err(Error::storage(format!(
                        "File '{}' could not be scanned: {e}",
                        valid.file_name
                    )));
                }
            }
        }
        let key = self.blobs().publish(tenant, staged).await?;
        let principal = self.principal(actor);
        let audit = audit_of(actor);
        let size = i64::try_from(staged.size).unwrap_or(i64::MAX);
        let (att, created) = write_tx!(self, |w| {
            let (row, _) = self
                .load_ticket(&w.tx, tenant, &principal, ticket_id, true)
                .await?;
            let (_, created) =
                w.tx.blob_acquire(tenant, &staged.sha256, size, &key, w.now)
                    .await?;
            let now = faultdesk_storage::truncate_micros(w.now);
            let a = AttachmentRow {
                id: crate::ids::new_id(),
                tenant_id: tenant.to_string(),
                ticket_id,
                comment_id: input.comment_id,
                file_name: valid.file_name.clone(),
                content_type: valid.content_type.clone(),
                size_bytes: size,
                sha256: staged.sha256.clone(),
                status: "available".into(),
                uploaded_by: actor.user_id.clone(),
                created_at: now,
                deleted_at: None,
            };
            w.tx.insert_attachment(&a).await?;
            let ev = AuditEvent::attachment_added(a.id, &a.file_name, &audit, now);
            crate::desk::tickets::insert_audit(&w.tx, tenant, ticket_id, &[ev]).await?;
            self.emit_notify(
                w,
                tenant,
                "ticket.attachment_added",
                Some(ticket_id.to_string()),
                false,
                json!({
                    "id": ticket_id,
                    "number": row.number,
                    "attachment_id": a.id,
                    "file_name": a.file_name,
                    "size_bytes": a.size_bytes,
                    "content_type": a.content_type,
                }),
                Related {
                    ticket_id: Some(ticket_id),
                    alarm_id: None,
                },
            );
            Ok((Attachment::from(&a), created))
        })?;
        if created && !self.blobs().exists(tenant, &staged.sha256).await? {
            // The last reference of this content was dropped (and its object deleted) while
            // this upload ran: put the content back from the staged copy.
            self.blobs().publish(tenant, staged).await?;
        }
        tracing::info!(tenant_id = tenant, %ticket_id, attachment_id = %att.id, sha256 = %att.sha256, deduplicated = !created, "attachment.added");
        Ok(att)
    }

    /// The visible attachments of a ticket, oldest first (requires `tickets.read` and access
    /// to the ticket).
    pub async fn list_attachments(
        &self,
        actor: &Actor,
        ticket_id: Uuid,
    ) -> Result<Vec<Attachment>> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        let tenant = actor.tenant_id.as_str();
        read_tx!(self, |tx| {
            self.load_ticket(tx, tenant, &principal, ticket_id, false)
                .await?;
            let rows = tx.list_attachments(tenant, ticket_id, false).await?;
            Ok(rows.iter().map(Attachment::from).collect())
        })
    }

    /// Loads an attachment the actor may see (its ticket visible, not deleted).
    async fn visible_attachment(
        &self,
        tx: &faultdesk_storage::Tx,
        actor: &Actor,
        id: Uuid,
        for_update: bool,
    ) -> Result<(AttachmentRow, TicketRow)> {
        let tenant = actor.tenant_id.as_str();
        let a = tx
            .get_attachment(tenant, id)
            .await?
            .filter(|a| a.deleted_at.is_none() && a.status == "available")
            .ok_or_else(|| attachment_not_found(id))?;
        let principal = self.principal(actor);
        let (row, _) = self
            .load_ticket(tx, tenant, &principal, a.ticket_id, for_update)
            .await
            .map_err(|e| {
                if e.kind() == crate::ErrorKind::NotFound {
                    attachment_not_found(id)
                } else {
                    e
                }
            })?;
        Ok((a, row))
    }

    /// Opens an attachment for download: metadata plus a stream of its bytes (read from the
    /// blob store as the stream is polled). Requires `tickets.read` and access to the ticket.
    pub async fn open_attachment(&self, actor: &Actor, id: Uuid) -> Result<AttachmentDownload> {
        self.require(actor, perms::TICKETS_READ)?;
        let a = read_tx!(self, |tx| Ok(self
            .visible_attachment(tx, actor, id, false)
            .await?
            .0))?;
        let content = self.blobs().read(&a.tenant_id, &a.sha256).await?;
        Ok(AttachmentDownload {
            attachment: Attachment::from(&a),
            content,
        })
    }

    /// Deletes an attachment: the uploader may delete their own (with
    /// `tickets.attachments.write`), others need `tickets.attachments.delete`. The metadata
    /// row is soft-deleted; the blob loses one reference and its content is removed when the
    /// last reference goes. Audit `UPDATE attachment` (old value the file name); outbox
    /// `ticket.attachment_deleted`.
    pub async fn delete_attachment(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.require(actor, perms::TICKETS_READ)?;
        let perms_set = self.permissions(actor);
        let audit = audit_of(actor);
        let tenant = actor.tenant_id.as_str();
        let released = write_tx!(self, |w| {
            let (mut a, row) = self.visible_attachment(&w.tx, actor, id, true).await?;
            let own =
                a.uploaded_by == actor.user_id && perms_set.has(perms::TICKETS_ATTACHMENTS_WRITE);
            if !own && !perms_set.has(perms::TICKETS_ATTACHMENTS_DELETE) {
                return Err(Error::permission_denied(perms::TICKETS_ATTACHMENTS_DELETE));
            }
            a.deleted_at = Some(w.now);
            w.tx.update_attachment(&a).await?;
            let blob = w.tx.blob_release(tenant, &a.sha256, w.now).await?;
            let mut ev = AuditEvent {
                event_type: ticket_core::audit::AuditEventType::Update,
                field: Some("attachment".into()),
                old_value: Some(json!(a.file_name)),
                new_value: Some(serde_json::Value::Null),
                actor_id: audit.user_id.clone(),
                ip: audit.ip.clone(),
                at: w.now,
                metadata: json!({"attachment_id": a.id, "file_name": a.file_name}),
            };
            ev.at = faultdesk_storage::truncate_micros(ev.at);
            crate::desk::tickets::insert_audit(&w.tx, tenant, a.ticket_id, &[ev]).await?;
            self.emit_notify(
                w,
                tenant,
                "ticket.attachment_deleted",
                Some(a.ticket_id.to_string()),
                false,
                json!({"id": a.ticket_id, "number": row.number, "attachment_id": a.id, "file_name": a.file_name}),
                Related {
                    ticket_id: Some(a.ticket_id),
                    alarm_id: None,
                },
            );
            Ok(blob.filter(|b| b.refcount == 0).map(|b| b.sha256))
        })?;
        if let Some(sha) = released {
            // Only when no new reference appeared meanwhile.
            let again = read_tx!(self, |tx| Ok(tx.get_blob(tenant, &sha).await?))?;
            if again.is_none()
                && let Err(e) = self.blobs().delete_content(tenant, &sha).await
            {
                // The orphan collector removes it later.
                tracing::warn!(tenant_id = tenant, sha256 = %sha, error = %e, "attachment.blob_delete_failed");
            }
        }
        Ok(())
    }

    /// Removes blob-store objects of `tenant_id` that no `blobs` row references (content
    /// whose metadata write failed, or whose deletion was interrupted) and abandoned
    /// temporary uploads, when they are older than `grace` (uploads in progress are younger).
    /// A system call (no actor): run it from a maintenance job.
    pub async fn collect_orphan_blobs(
        &self,
        tenant_id: &str,
        grace: Duration,
    ) -> Result<OrphanReport> {
        if tenant_id.trim().is_empty() {
            return Err(Error::validation("tenant_id must not be empty"));
        }
        let cutoff = crate::desk::before_now("grace", self.now(), grace)?;
        let objects = self.blobs().list_tenant(tenant_id).await?;
        let t = tenant_id.to_string();
        let known: std::collections::HashSet<String> = read_tx!(self, |tx| Ok(tx
            .list_blobs(&t)
            .await?
            .into_iter()
            .map(|b| b.sha256)
            .collect()))?;
        let mut report = OrphanReport::default();
        for (path, is_tmp, modified) in objects {
            if modified > cutoff {
                continue;
            }
            if is_tmp {
                self.blobs().delete_path(&path).await?;
                report.temp_removed += 1;
                continue;
            }
            let sha = path.filename().unwrap_or_default().to_string();
            if !known.contains(&sha) {
                self.blobs().delete_path(&path).await?;
                report.content_removed += 1;
            }
        }
        Ok(report)
    }
}
