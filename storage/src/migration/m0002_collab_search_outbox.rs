//! m0002: attachments, blobs, comment revisions, notifications, the outbox, the alarm archive,
//! full-text search and the immutability of the audit log.

use super::{is_pg, run_script};
use sea_orm_migration::prelude::*;

/// Adds the collaboration, search, outbox and archive tables. Full-text search is backfilled
/// for tickets and comments that already exist, so a database created at m0001 upgrades in
/// place.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_collab_search_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_script(manager, UP_COMMON).await?;
        if is_pg(manager) {
            run_script(manager, UP_PG).await
        } else {
            run_script(manager, UP_SQLITE).await
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if is_pg(manager) {
            run_script(manager, DOWN_PG).await?;
        } else {
            run_script(manager, DOWN_SQLITE).await?;
        }
        run_script(manager, DOWN_COMMON).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

const UP_COMMON: &str = r#"
CREATE TABLE IF NOT EXISTS comment_revisions (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    comment_id {UUID} NOT NULL REFERENCES comments (id),
    body TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    edited_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_comment_revisions_comment ON comment_revisions (tenant_id, comment_id, edited_at);

CREATE TABLE IF NOT EXISTS blobs (
    tenant_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    storage_key TEXT NOT NULL,
    refcount BIGINT NOT NULL,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE IF NOT EXISTS attachments (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    ticket_id {UUID} NOT NULL REFERENCES tickets (id),
    comment_id {UUID},
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at {TS} NOT NULL,
    deleted_at {TS}
);
CREATE INDEX IF NOT EXISTS ix_attachments_ticket ON attachments (tenant_id, ticket_id, created_at);
CREATE INDEX IF NOT EXISTS ix_attachments_sha ON attachments (tenant_id, sha256);

CREATE TABLE IF NOT EXISTS notification_log (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    template TEXT NOT NULL,
    subject TEXT,
    payload {JSON} NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at {TS} NOT NULL,
    locked_until {TS},
    sent_at {TS},
    ticket_id {UUID},
    alarm_id {UUID},
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_notification_log_due ON notification_log (next_attempt_at)
    WHERE status IN ('pending', 'sending', 'failed');
CREATE INDEX IF NOT EXISTS ix_notification_log_tenant ON notification_log (tenant_id, created_at);

CREATE TABLE IF NOT EXISTS outbox (
    seq {SEQPK},
    tenant_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity_id TEXT,
    internal BOOLEAN NOT NULL DEFAULT {FALSE},
    payload {JSON} NOT NULL DEFAULT '{}',
    created_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_outbox_tenant_seq ON outbox (tenant_id, seq);

CREATE TABLE IF NOT EXISTS alarms_archive (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    external_alarm_id TEXT,
    reduction_key TEXT NOT NULL,
    alarm_type TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    resource_type TEXT,
    resource_id TEXT,
    resource_name TEXT,
    customer_id TEXT,
    customer_name TEXT,
    subscriber_count BIGINT NOT NULL,
    correlation_id {UUID},
    parent_alarm_id {UUID},
    is_root_cause BOOLEAN NOT NULL,
    is_flapping BOOLEAN NOT NULL,
    suppression_reason TEXT,
    probable_cause TEXT,
    recommended_action TEXT,
    first_occurrence {TS} NOT NULL,
    last_occurrence {TS} NOT NULL,
    occurrence_count BIGINT NOT NULL,
    acknowledged_at {TS},
    acknowledged_by TEXT,
    cleared_at {TS},
    resolved_at {TS},
    resolved_by TEXT,
    assigned_to TEXT,
    ticket_id {UUID},
    metadata {JSON} NOT NULL,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    archived_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_alarms_archive_tenant ON alarms_archive (tenant_id, archived_at);
CREATE INDEX IF NOT EXISTS ix_alarms_closed ON alarms (tenant_id, status, updated_at);
"#;

const UP_SQLITE: &str = r#"
CREATE VIRTUAL TABLE IF NOT EXISTS ticket_fts USING fts5(
    subject, description, public_comments, internal_comments,
    tokenize = 'porter unicode61'
);
INSERT INTO ticket_fts (rowid, subject, description, public_comments, internal_comments)
SELECT t.rowid, t.subject, t.description,
       COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
                 WHERE c.ticket_id = t.id AND c.deleted_at IS NULL AND c.visibility <> 'internal'), ''),
       COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
                 WHERE c.ticket_id = t.id AND c.deleted_at IS NULL AND c.visibility = 'internal'), '')
FROM tickets t WHERE t.rowid NOT IN (SELECT rowid FROM ticket_fts);

CREATE TRIGGER IF NOT EXISTS tr_tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_fts (rowid, subject, description, public_comments, internal_comments)
    VALUES (new.rowid, new.subject, new.description, '', '');
END;
CREATE TRIGGER IF NOT EXISTS tr_tickets_fts_update AFTER UPDATE OF subject, description ON tickets BEGIN
    UPDATE ticket_fts SET subject = new.subject, description = new.description WHERE rowid = new.rowid;
END;
CREATE TRIGGER IF NOT EXISTS tr_comments_fts_insert AFTER INSERT ON comments BEGIN
    UPDATE ticket_fts SET
        public_comments = COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
            WHERE c.ticket_id = new.ticket_id AND c.deleted_at IS NULL AND c.visibility <> 'internal'), ''),
        internal_comments = COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
            WHERE c.ticket_id = new.ticket_id AND c.deleted_at IS NULL AND c.visibility = 'internal'), '')
    WHERE rowid = (SELECT rowid FROM tickets WHERE id = new.ticket_id);
END;
CREATE TRIGGER IF NOT EXISTS tr_comments_fts_update AFTER UPDATE ON comments BEGIN
    UPDATE ticket_fts SET
        public_comments = COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
            WHERE c.ticket_id = new.ticket_id AND c.deleted_at IS NULL AND c.visibility <> 'internal'), ''),
        internal_comments = COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
            WHERE c.ticket_id = new.ticket_id AND c.deleted_at IS NULL AND c.visibility = 'internal'), '')
    WHERE rowid = (SELECT rowid FROM tickets WHERE id = new.ticket_id);
END;

CREATE TRIGGER IF NOT EXISTS tr_ticket_events_no_update BEFORE UPDATE ON ticket_events BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
CREATE TRIGGER IF NOT EXISTS tr_ticket_events_no_delete BEFORE DELETE ON ticket_events BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
"#;

const UP_PG: &str = r#"
ALTER TABLE tickets ADD COLUMN IF NOT EXISTS fts_doc tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(subject, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
) STORED;
ALTER TABLE tickets ADD COLUMN IF NOT EXISTS fts_public_comments tsvector NOT NULL DEFAULT ''::tsvector;
ALTER TABLE tickets ADD COLUMN IF NOT EXISTS fts_internal_comments tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX IF NOT EXISTS ix_tickets_fts_public ON tickets USING GIN ((fts_doc || fts_public_comments));
CREATE INDEX IF NOT EXISTS ix_tickets_fts_all ON tickets USING GIN ((fts_doc || fts_public_comments || fts_internal_comments));

CREATE OR REPLACE FUNCTION faultdesk_refresh_comment_fts(p_ticket uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET
        fts_public_comments = setweight(to_tsvector('english'::regconfig, coalesce((
            SELECT string_agg(c.body, ' ') FROM comments c
            WHERE c.ticket_id = p_ticket AND c.deleted_at IS NULL AND c.visibility <> 'internal'), '')), 'C'),
        fts_internal_comments = setweight(to_tsvector('english'::regconfig, coalesce((
            SELECT string_agg(c.body, ' ') FROM comments c
            WHERE c.ticket_id = p_ticket AND c.deleted_at IS NULL AND c.visibility = 'internal'), '')), 'C')
    WHERE id = p_ticket;
END;
$$;

CREATE OR REPLACE FUNCTION faultdesk_comments_fts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM faultdesk_refresh_comment_fts(NEW.ticket_id);
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS tr_comments_fts ON comments;
CREATE TRIGGER tr_comments_fts AFTER INSERT OR UPDATE ON comments
    FOR EACH ROW EXECUTE FUNCTION faultdesk_comments_fts();

SELECT faultdesk_refresh_comment_fts(t.id) FROM (SELECT DISTINCT ticket_id AS id FROM comments) t;

CREATE OR REPLACE FUNCTION faultdesk_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS tr_ticket_events_append_only ON ticket_events;
CREATE TRIGGER tr_ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION faultdesk_append_only();
"#;

const DOWN_SQLITE: &str = r#"
DROP TRIGGER IF EXISTS tr_ticket_events_no_delete;
DROP TRIGGER IF EXISTS tr_ticket_events_no_update;
DROP TRIGGER IF EXISTS tr_comments_fts_update;
DROP TRIGGER IF EXISTS tr_comments_fts_insert;
DROP TRIGGER IF EXISTS tr_tickets_fts_update;
DROP TRIGGER IF EXISTS tr_tickets_fts_insert;
DROP TABLE IF EXISTS ticket_fts;
"#;

const DOWN_PG: &str = r#"
DROP TRIGGER IF EXISTS tr_ticket_events_append_only ON ticket_events;
DROP FUNCTION IF EXISTS faultdesk_append_only();
DROP TRIGGER IF EXISTS tr_comments_fts ON comments;
DROP FUNCTION IF EXISTS faultdesk_comments_fts();
DROP FUNCTION IF EXISTS faultdesk_refresh_comment_fts(uuid);
ALTER TABLE tickets DROP COLUMN IF EXISTS fts_internal_comments;
ALTER TABLE tickets DROP COLUMN IF EXISTS fts_public_comments;
ALTER TABLE tickets DROP COLUMN IF EXISTS fts_doc;
"#;

const DOWN_COMMON: &str = r#"
DROP INDEX IF EXISTS ix_alarms_closed;
DROP TABLE IF EXISTS alarms_archive;
DROP TABLE IF EXISTS outbox;
DROP TABLE IF EXISTS notification_log;
DROP TABLE IF EXISTS attachments;
DROP TABLE IF EXISTS blobs;
DROP TABLE IF EXISTS comment_revisions;
"#;
