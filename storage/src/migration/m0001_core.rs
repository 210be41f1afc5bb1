//! m0001: the core tables of alarms, SLAs and tickets.

use super::run_script;
use sea_orm_migration::prelude::*;

/// Creates alarms, alarm_events, alarm_notes, alarm_rules, topology_edges, maintenance_windows,
/// sla_definitions, sla_instances, sla_breaches, tickets, ticket_labels, ticket_events,
/// ticket_counters and comments with their indexes.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_core"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_script(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_script(manager, DOWN).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

const UP: &str = r#"
CREATE TABLE IF NOT EXISTS alarms (
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
    subscriber_count BIGINT NOT NULL DEFAULT 0,
    correlation_id {UUID},
    parent_alarm_id {UUID},
    is_root_cause BOOLEAN NOT NULL DEFAULT {FALSE},
    is_flapping BOOLEAN NOT NULL DEFAULT {FALSE},
    suppression_reason TEXT,
    probable_cause TEXT,
    recommended_action TEXT,
    first_occurrence {TS} NOT NULL,
    last_occurrence {TS} NOT NULL,
    occurrence_count BIGINT NOT NULL DEFAULT 1,
    acknowledged_at {TS},
    acknowledged_by TEXT,
    cleared_at {TS},
    resolved_at {TS},
    resolved_by TEXT,
    assigned_to TEXT,
    ticket_id {UUID},
    metadata {JSON} NOT NULL DEFAULT '{}',
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_alarms_open_key ON alarms (tenant_id, reduction_key)
    WHERE status IN ('active', 'acknowledged', 'suppressed');
CREATE UNIQUE INDEX IF NOT EXISTS ux_alarms_ticket ON alarms (ticket_id);
CREATE INDEX IF NOT EXISTS ix_alarms_tenant_status ON alarms (tenant_id, status);
CREATE INDEX IF NOT EXISTS ix_alarms_tenant_severity ON alarms (tenant_id, severity);
CREATE INDEX IF NOT EXISTS ix_alarms_resource ON alarms (tenant_id, resource_type, resource_id);
CREATE INDEX IF NOT EXISTS ix_alarms_correlation ON alarms (tenant_id, correlation_id, status);
CREATE INDEX IF NOT EXISTS ix_alarms_parent ON alarms (tenant_id, parent_alarm_id);
CREATE INDEX IF NOT EXISTS ix_alarms_customer ON alarms (tenant_id, customer_id);
CREATE INDEX IF NOT EXISTS ix_alarms_first_occurrence ON alarms (tenant_id, first_occurrence);
CREATE INDEX IF NOT EXISTS ix_alarms_key ON alarms (tenant_id, reduction_key, last_occurrence);

CREATE TABLE IF NOT EXISTS alarm_events (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    alarm_id {UUID},
    event_type TEXT NOT NULL,
    severity TEXT,
    decision TEXT NOT NULL,
    reduction_key TEXT,
    occurred_at {TS} NOT NULL,
    received_at {TS} NOT NULL,
    payload {JSON} NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS ix_alarm_events_alarm ON alarm_events (tenant_id, alarm_id, occurred_at);

CREATE TABLE IF NOT EXISTS alarm_notes (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    alarm_id {UUID} NOT NULL,
    author_id TEXT NOT NULL,
    note_type TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_alarm_notes_alarm ON alarm_notes (tenant_id, alarm_id, created_at);

CREATE TABLE IF NOT EXISTS alarm_rules (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    rule_type TEXT NOT NULL,
    description TEXT,
    enabled BOOLEAN NOT NULL DEFAULT {TRUE},
    priority INTEGER NOT NULL DEFAULT 0,
    conditions {JSON} NOT NULL,
    actions {JSON} NOT NULL,
    time_window_seconds BIGINT,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_alarm_rules_tenant ON alarm_rules (tenant_id, rule_type, enabled);

CREATE TABLE IF NOT EXISTS topology_edges (
    tenant_id TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    child_id TEXT NOT NULL,
    created_at {TS} NOT NULL,
    PRIMARY KEY (tenant_id, parent_id, child_id)
);
CREATE INDEX IF NOT EXISTS ix_topology_edges_child ON topology_edges (tenant_id, child_id);

CREATE TABLE IF NOT EXISTS maintenance_windows (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    start_time {TS} NOT NULL,
    end_time {TS} NOT NULL,
    status TEXT NOT NULL,
    scope {JSON} NOT NULL DEFAULT '{}',
    suppress_alarms BOOLEAN NOT NULL DEFAULT {TRUE},
    notify_customers BOOLEAN NOT NULL DEFAULT {FALSE},
    created_by TEXT,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_maintenance_windows_time ON maintenance_windows (tenant_id, start_time, end_time, status);

CREATE TABLE IF NOT EXISTS sla_definitions (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    service_type TEXT,
    availability_target {DEC} NOT NULL,
    measurement_period_days INTEGER NOT NULL,
    business_hours_only BOOLEAN NOT NULL DEFAULT {FALSE},
    calendar TEXT,
    exclude_maintenance BOOLEAN NOT NULL DEFAULT {TRUE},
    performance_targets {JSON} NOT NULL DEFAULT '{}',
    response_times {JSON} NOT NULL DEFAULT '{}',
    resolution_times {JSON} NOT NULL DEFAULT '{}',
    credit_policy {JSON} NOT NULL DEFAULT '{}',
    enabled BOOLEAN NOT NULL DEFAULT {TRUE},
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_sla_definitions_tenant ON sla_definitions (tenant_id, name);

CREATE TABLE IF NOT EXISTS sla_instances (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    sla_definition_id {UUID} NOT NULL REFERENCES sla_definitions (id),
    customer_id TEXT NOT NULL,
    service_id TEXT,
    resource_type TEXT,
    resource_id TEXT,
    status TEXT NOT NULL,
    period_start {TS} NOT NULL,
    period_end {TS} NOT NULL,
    current_availability {DEC},
    planned_downtime_seconds BIGINT NOT NULL DEFAULT 0,
    unplanned_downtime_seconds BIGINT NOT NULL DEFAULT 0,
    breach_count INTEGER NOT NULL DEFAULT 0,
    credit_amount {DEC} NOT NULL DEFAULT '0',
    monthly_fee {DEC},
    currency TEXT,
    metadata {JSON} NOT NULL DEFAULT '{}',
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_sla_instances_customer ON sla_instances (tenant_id, customer_id, status);
CREATE INDEX IF NOT EXISTS ix_sla_instances_resource ON sla_instances (tenant_id, resource_id);

CREATE TABLE IF NOT EXISTS sla_breaches (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    sla_instance_id {UUID} NOT NULL REFERENCES sla_instances (id),
    breach_key TEXT NOT NULL,
    breach_type TEXT NOT NULL,
    alarm_id {UUID},
    ticket_id {UUID},
    breach_start {TS} NOT NULL,
    breach_end {TS},
    duration_seconds BIGINT,
    target_value {DEC},
    actual_value {DEC},
    credit_amount {DEC},
    resolved BOOLEAN NOT NULL DEFAULT {FALSE},
    resolved_at {TS},
    details {JSON} NOT NULL DEFAULT '{}',
    created_at {TS} NOT NULL,
    UNIQUE (tenant_id, sla_instance_id, breach_key)
);
CREATE INDEX IF NOT EXISTS ix_sla_breaches_time ON sla_breaches (tenant_id, breach_start, breach_end);
CREATE INDEX IF NOT EXISTS ix_sla_breaches_resolved ON sla_breaches (tenant_id, resolved, breach_start);

CREATE TABLE IF NOT EXISTS tickets (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    number TEXT NOT NULL,
    number_year INTEGER NOT NULL,
    number_seq BIGINT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    ticket_type TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    is_open BOOLEAN NOT NULL,
    workflow TEXT NOT NULL,
    priority SMALLINT NOT NULL,
    reporter_id TEXT NOT NULL,
    assignee_id TEXT,
    assigned_team TEXT,
    customer_id TEXT,
    alarm_id {UUID},
    metadata {JSON} NOT NULL DEFAULT '{}',
    due_at {TS},
    first_response_at {TS},
    first_response_due_at {TS},
    resolution_due_at {TS},
    resolved_at {TS},
    closed_at {TS},
    sla_next_check_at {TS},
    deleted_at {TS},
    deleted_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    CHECK (priority BETWEEN 1 AND 4),
    UNIQUE (tenant_id, number)
);
CREATE INDEX IF NOT EXISTS ix_tickets_open_sort ON tickets (tenant_id, is_open, priority DESC, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_tickets_category_sort ON tickets (tenant_id, category, priority DESC, created_at DESC);
CREATE INDEX IF NOT EXISTS ix_tickets_created ON tickets (tenant_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS ix_tickets_updated ON tickets (tenant_id, updated_at DESC);
CREATE INDEX IF NOT EXISTS ix_tickets_status ON tickets (tenant_id, status);
CREATE INDEX IF NOT EXISTS ix_tickets_assignee ON tickets (tenant_id, assignee_id, is_open);
CREATE INDEX IF NOT EXISTS ix_tickets_reporter ON tickets (tenant_id, reporter_id);
CREATE INDEX IF NOT EXISTS ix_tickets_alarm ON tickets (tenant_id, alarm_id);
CREATE INDEX IF NOT EXISTS ix_tickets_sla_next ON tickets (sla_next_check_at)
    WHERE sla_next_check_at IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS ticket_labels (
    tenant_id TEXT NOT NULL,
    ticket_id {UUID} NOT NULL REFERENCES tickets (id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    t_open BOOLEAN NOT NULL,
    t_deleted BOOLEAN NOT NULL DEFAULT {FALSE},
    t_priority SMALLINT NOT NULL,
    t_created_at {TS} NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, key)
);
CREATE INDEX IF NOT EXISTS ix_ticket_labels_filter ON ticket_labels (tenant_id, key, value, ticket_id);
CREATE INDEX IF NOT EXISTS ix_ticket_labels_open_sort ON ticket_labels
    (tenant_id, key, value, t_deleted, t_open, t_priority DESC, t_created_at DESC, ticket_id DESC);

CREATE TABLE IF NOT EXISTS ticket_events (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    ticket_id {UUID} NOT NULL REFERENCES tickets (id),
    event_type TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    actor_id TEXT NOT NULL,
    actor_ip TEXT,
    at {TS} NOT NULL,
    data {JSON} NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS ix_ticket_events_ticket ON ticket_events (tenant_id, ticket_id, at, id);

CREATE TABLE IF NOT EXISTS ticket_counters (
    tenant_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

CREATE TABLE IF NOT EXISTS comments (
    id {UUID} PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    ticket_id {UUID} NOT NULL REFERENCES tickets (id),
    author_id TEXT NOT NULL,
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    edited_at {TS},
    deleted_at {TS},
    deleted_by TEXT
);
CREATE INDEX IF NOT EXISTS ix_comments_ticket ON comments (tenant_id, ticket_id, created_at);
"#;

const DOWN: &str = r#"
DROP TABLE IF EXISTS comments;
DROP TABLE IF EXISTS ticket_counters;
DROP TABLE IF EXISTS ticket_events;
DROP TABLE IF EXISTS ticket_labels;
DROP TABLE IF EXISTS tickets;
DROP TABLE IF EXISTS sla_breaches;
DROP TABLE IF EXISTS sla_instances;
DROP TABLE IF EXISTS sla_definitions;
DROP TABLE IF EXISTS maintenance_windows;
DROP TABLE IF EXISTS topology_edges;
DROP TABLE IF EXISTS alarm_rules;
DROP TABLE IF EXISTS alarm_notes;
DROP TABLE IF EXISTS alarm_events;
DROP TABLE IF EXISTS alarms;
"#;
