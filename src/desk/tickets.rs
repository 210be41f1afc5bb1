//! Ticket use-cases: create (also from an alarm, seed 000), read, PATCH, delete, assign,
//! workflow transitions, reopen, history, list/search with filters, sort and pages, statistics.
//!
//! Every use-case checks the actor's permission, validates its input (a Validation error writes
//! nothing), then runs one transaction. Row rules come from `ticket_core::rbac::Principal`:
//! a ticket the actor may not see — another tenant's, another user's for an end user, a
//! soft-deleted one — is "not found".

use super::alarm_rows::alarm_from_row;
use super::notifications::Related;
use super::page::{Page, check_page};
use super::ticket_rows::{
    audit_from_row, event_row, row_from_ticket, sla_events, ticket_from_row, workflow_named,
    write_sla_to_row, write_ticket_to_row,
};
use super::{Desk, Work, read_statement, read_tx, write_tx};
use crate::actor::Actor;
use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Utc};
use fault_core::draft::TicketFromAlarmRequest;
use faultdesk_storage::{
    AlarmClaim, SortDir, TicketFilter, TicketPaging, TicketRow, TicketSort, TicketSortField, Tx,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use ticket_core::audit::{AuditActor, AuditEvent, diff};
use ticket_core::category::StateCategory;
use ticket_core::rbac::{Principal, perms};
use ticket_core::sla::SlaStatus;
use ticket_core::ticket::NewTicket;
use ticket_core::workflow::{TransitionContext, Workflow};
use ticket_core::{Priority, Ticket, TicketPatch, TicketType};
use uuid::Uuid;

/// Input of [`Desk::create_ticket`]. The reporter is the acting user; the number, status
/// (the workflow's initial state) and timestamps are set by the Desk.
///
/// ```
/// use faultdesk::NewTicketInput;
/// use faultdesk::ticket::Priority;
/// let input = NewTicketInput::new("Fibre cut on Main St")
///     .description("Splice closure damaged")
///     .priority(Priority::High)
///     .label("contractor_id", "c-17");
/// assert_eq!(input.labels["contractor_id"], "c-17");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewTicketInput {
    /// Subject (trimmed; must not be empty; at most 255 characters).
    pub subject: String,
    /// Markdown description (at most 64 KiB).
    pub description: String,
    /// Ticket type (`incident` when absent).
    pub ticket_type: Option<TicketType>,
    /// Priority (`normal` when absent).
    pub priority: Option<Priority>,
    /// Initial assignee (needs the assign permission for that assignee).
    pub assignee_id: Option<String>,
    /// Customer.
    pub customer_id: Option<String>,
    /// Due date.
    pub due_at: Option<DateTime<Utc>>,
    /// Labels (e.g. `contractor_id`, `project_id`), filterable in [`Desk::list_tickets`].
    pub labels: BTreeMap<String, String>,
    /// Free-form metadata object.
    pub metadata: Option<Value>,
}

impl NewTicketInput {
    /// An input with a subject and defaults for everything else.
    pub fn new(subject: impl Into<String>) -> Self {
        NewTicketInput {
            subject: subject.into(),
            ..Default::default()
        }
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }

    /// Sets the type.
    pub fn ticket_type(mut self, t: TicketType) -> Self {
        self.ticket_type = Some(t);
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, p: Priority) -> Self {
        self.priority = Some(p);
        self
    }

    /// Sets the initial assignee.
    pub fn assignee(mut self, user_id: impl Into<String>) -> Self {
        self.assignee_id = Some(user_id.into());
        self
    }

    /// Sets the customer.
    pub fn customer(mut self, customer_id: impl Into<String>) -> Self {
        self.customer_id = Some(customer_id.into());
        self
    }

    /// Sets the due date.
    pub fn due_at(mut self, at: DateTime<Utc>) -> Self {
        self.due_at = Some(at);
        self
    }

    /// Adds a label.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Sets the metadata object.
    pub fn metadata(mut self, m: Value) -> Self {
        self.metadata = Some(m);
        self
    }

    fn into_new_ticket(self, tenant_id: &str, reporter_id: &str) -> NewTicket {
        NewTicket {
            tenant_id: tenant_id.to_string(),
            subject: self.subject,
            description: self.description,
            ticket_type: self.ticket_type.unwrap_or(TicketType::Incident),
            priority: self.priority.unwrap_or(Priority::Normal),
            assignee_id: self.assignee_id,
            reporter_id: reporter_id.to_string(),
            customer_id: self.customer_id,
            due_at: self.due_at,
            labels: self.labels,
            metadata: self.metadata,
        }
    }
}

/// Options of [`Desk::transition_ticket`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransitionOptions {
    /// Resolution note (required by `requires_resolution_note` guards, e.g. ITSM → RESOLVED).
    /// Stored in the metadata of the transition's audit events (`resolution_note`).
    pub resolution_note: Option<String>,
    /// Free-text reason or comment for the change, stored in the audit metadata (`comment`).
    pub comment: Option<String>,
}

impl TransitionOptions {
    /// Options with a resolution note.
    pub fn resolution_note(note: impl Into<String>) -> Self {
        TransitionOptions {
            resolution_note: Some(note.into()),
            comment: None,
        }
    }

    /// Options with a comment.
    pub fn comment(comment: impl Into<String>) -> Self {
        TransitionOptions {
            resolution_note: None,
            comment: Some(comment.into()),
        }
    }
}

/// Filters, sort and page of [`Desk::list_tickets`], [`Desk::search_tickets`] and
/// [`Desk::ticket_stats`]. Empty lists and `None` mean "any".
///
/// ```
/// use faultdesk::TicketQuery;
/// // Seed 004: the open tickets of one contractor, most urgent first, newest first.
/// let q = TicketQuery::default()
///     .open_only()
///     .label("contractor_id", "c-17")
///     .sort(["-priority", "-created_at"])
///     .page_size(50);
/// assert!(q.open_only);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketQuery {
    /// Workflow state names, case-insensitive (any of).
    pub status: Vec<String>,
    /// State categories: `new`, `open`, `pending`, `resolved`, `closed` (any of).
    pub category: Vec<String>,
    /// Only open tickets (category new, open or pending).
    pub open_only: bool,
    /// Priorities (any of).
    pub priority: Vec<Priority>,
    /// Ticket types (any of).
    pub ticket_type: Vec<TicketType>,
    /// Assignee user id.
    pub assignee: Option<String>,
    /// Only unassigned tickets.
    pub unassigned: bool,
    /// Reporter user id.
    pub reporter: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Labels that must all match (`contractor_id = c-17`).
    pub labels: BTreeMap<String, String>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before.
    pub created_to: Option<DateTime<Utc>>,
    /// Case-insensitive substring of subject or description, at most 1,000 bytes.
    pub text: Option<String>,
    /// Sort keys: field names from `priority`, `created_at`, `updated_at`, `due_at`,
    /// `number`, `status`; a leading `-` sorts descending. Default `["-priority",
    /// "-created_at"]`. At most three keys.
    pub sort: Vec<String>,
    /// Page number from 1 (default 1). Ignored when `cursor` is given.
    pub page: Option<u32>,
    /// Page size, 1..=100 (default 50).
    pub page_size: Option<u32>,
    /// `next_cursor` of a previous page with the same filters and sort.
    pub cursor: Option<String>,
}

impl TicketQuery {
    /// Only open tickets.
    pub fn open_only(mut self) -> Self {
        self.open_only = true;
        self
    }

    /// Adds a status name.
    pub fn status(mut self, s: impl Into<String>) -> Self {
        self.status.push(s.into());
        self
    }

    /// Adds a label condition.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Sets the sort keys.
    pub fn sort<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.sort = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the page number.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Continues after a cursor.
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }
}

/// One hit of [`Desk::search_tickets`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketSearchHit {
    /// The ticket.
    pub ticket: Ticket,
    /// Relevance, higher is better.
    pub rank: f64,
}

/// Ticket counts of [`Desk::ticket_stats`] (soft-deleted tickets excluded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketStatistics {
    /// Matching tickets.
    pub total: i64,
    /// Open tickets (category new, open or pending).
    pub open: i64,
    /// By workflow state name (as stored, lower case).
    pub by_status: BTreeMap<String, i64>,
    /// By state category.
    pub by_category: BTreeMap<String, i64>,
    /// By priority name.
    pub by_priority: BTreeMap<String, i64>,
    /// By ticket type.
    pub by_type: BTreeMap<String, i64>,
}

/// Input of [`Desk::create_ticket_from_alarm`] (seed 000's request body).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateTicketFromAlarm {
    /// `low`, `normal`, `high` or `critical` (case-insensitive; P1–P4 accepted). When absent,
    /// mapped from the alarm's severity (critical → critical, major → high, minor → normal,
    /// warning/info → low).
    pub priority: Option<String>,
    /// Extra context, added as the "Additional Notes" section of the body.
    pub additional_notes: Option<String>,
    /// Assignee user id.
    pub assign_to_user_id: Option<String>,
}

/// Result of [`Desk::create_ticket_from_alarm`] (seed 000's response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFromAlarm {
    /// The alarm.
    pub alarm_id: Uuid,
    /// The new ticket.
    pub ticket_id: Uuid,
    /// Its number, e.g. `TKT-2026-000001`.
    pub ticket_number: String,
    /// `Ticket {number} created successfully from alarm`.
    pub message: String,
}

/// Seed 000's text for a missing alarm.
pub(crate) fn alarm_not_found(id: Uuid) -> Error {
    Error::not_found(format!("Alarm {id} not found"))
}

/// Seed 000's text for an alarm that already has a ticket.
pub(crate) fn alarm_has_ticket(alarm_id: Uuid, ticket_id: Uuid) -> Error {
    Error::conflict(format!(
        "Alarm {alarm_id} already has ticket {ticket_id}. Please update the existing ticket instead."
    ))
}

/// The error for a ticket the actor cannot see.
pub(crate) fn ticket_not_found(id: impl std::fmt::Display) -> Error {
    Error::not_found(format!("Ticket {id} not found"))
}

fn audit_actor(user_id: &str, ip: Option<&str>) -> AuditActor {
    let a = AuditActor::new(user_id);
    match ip {
        Some(ip) => a.with_ip(ip),
        None => a,
    }
}

fn actor_audit(actor: &Actor) -> AuditActor {
    audit_actor(&actor.user_id, actor.ip.as_deref())
}

/// Storage rejects a malformed cursor or sort as `InvalidData`: for list calls that is the
/// caller's input, so a Validation error.
fn input_error(e: faultdesk_storage::Error) -> Error {
    match e {
        faultdesk_storage::Error::InvalidData(m) => Error::validation(m),
        other => Error::from(other),
    }
}

fn created_payload(t: &Ticket, alarm_id: Option<Uuid>) -> Value {
    json!({
        "id": t.id,
        "number": t.number,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "ticket_type": t.ticket_type,
        "assignee_id": t.assignee_id,
        "reporter_id": t.reporter_id,
        "customer_id": t.customer_id,
        "alarm_id": alarm_id,
    })
}

fn changes_payload(t: &Ticket, events: &[AuditEvent]) -> Value {
    let changes: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "type": e.event_type.as_str(),
                "field": e.field,
                "old": e.old_value,
                "new": e.new_value,
            })
        })
        .collect();
    json!({
        "id": t.id,
        "number": t.number,
        "status": t.status,
        "changes": changes,
    })
}

/// Inserts the audit rows of `events`.
pub(crate) async fn insert_audit(
    tx: &Tx,
    tenant_id: &str,
    ticket_id: Uuid,
    events: &[AuditEvent],
) -> Result<()> {
    match events {
        [] => {}
        [one] => {
            tx.insert_ticket_event(&event_row(tenant_id, ticket_id, one))
                .await?
        }
        many => {
            let rows: Vec<_> = many
                .iter()
                .map(|e| event_row(tenant_id, ticket_id, e))
                .collect();
            tx.insert_ticket_events(&rows).await?;
        }
    }
    Ok(())
}

/// Builds the storage filter of a query (validated: unknown states or categories are a
/// Validation error).
/// The longest search string and [`TicketQuery::text`] filter accepted, in bytes.
const MAX_QUERY_TEXT_BYTES: usize = 1000;

fn build_filter(wf: &Workflow, q: &TicketQuery, principal: &Principal) -> Result<TicketFilter> {
    let mut status = Vec::with_capacity(q.status.len());
    for s in &q.status {
        let name = s.trim();
        if name.is_empty() {
            return Err(Error::validation("status must not be empty"));
        }
        match wf.canonical(name) {
            Ok(c) => status.push(c.to_ascii_lowercase()),
            Err(e) => return Err(e.into()),
        }
    }
    let mut category = Vec::with_capacity(q.category.len());
    for c in &q.category {
        let c: StateCategory = c.parse()?;
        category.push(c.as_str().to_string());
    }
    for (k, v) in &q.labels {
        ticket_core::ticket::validate_label(k, v)?;
    }
    if let Some(t) = &q.text
        && t.len() > MAX_QUERY_TEXT_BYTES
    {
        // Also keeps SQLite's LIKE pattern far below its own limit (50,000 bytes).
        return Err(Error::validation(format!(
            "text must be at most {MAX_QUERY_TEXT_BYTES} bytes"
        )));
    }
    for (field, at) in [
        ("created_from", q.created_from),
        ("created_to", q.created_to),
    ] {
        if let Some(at) = at {
            super::check_instant(field, at)?;
        }
    }
    if let (Some(a), Some(b)) = (q.created_from, q.created_to)
        && a > b
    {
        return Err(Error::validation(format!(
            "created_from ({a}) must not be after created_to ({b})"
        )));
    }
    Ok(TicketFilter {
        status,
        category,
        open_only: q.open_only,
        priority: q.priority.iter().map(|p| p.rank()).collect(),
        ticket_type: q
            .ticket_type
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
        assignee_id: q.assignee.clone(),
        unassigned: q.unassigned,
        reporter_id: q.reporter.clone(),
        customer_id: q.customer_id.clone(),
        labels: q.labels.clone(),
        created_from: q.created_from,
        created_to: q.created_to,
        text: q
            .text
            .as_ref()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        reporter_only: principal
            .sees_only_own_tickets()
            .then(|| principal.user_id.clone()),
    })
}

/// Parses `["-priority", "created_at"]` into a storage sort (allowlisted fields only).
fn build_sort(keys: &[String]) -> Result<TicketSort> {
    if keys.is_empty() {
        return Ok(TicketSort::default());
    }
    if keys.len() > 3 {
        return Err(Error::validation(format!(
            "at most 3 sort keys are allowed, got {}",
            keys.len()
        )));
    }
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let k = k.trim();
        let (dir, name) = match k.strip_prefix('-') {
            Some(rest) => (SortDir::Desc, rest),
            None => (SortDir::Asc, k.strip_prefix('+').unwrap_or(k)),
        };
        let field = TicketSortField::parse(name).map_err(input_error)?;
        if out.iter().any(|(f, _)| *f == field) {
            return Err(Error::validation(format!(
                "sort key '{name}' is given twice"
            )));
        }
        out.push((field, dir));
    }
    Ok(TicketSort { keys: out })
}

impl Desk {
    /// The workflow a stored ticket was created under.
    pub(crate) fn ticket_workflow(&self, row: &TicketRow) -> Result<&Workflow> {
        workflow_named(&self.inner.config.workflow, &row.workflow)
    }

    /// Loads a ticket row and its model, or `Ticket {id} not found` when it does not exist in
    /// the tenant or `principal` may not see it. With `for_update` the row is locked.
    pub(crate) async fn load_ticket(
        &self,
        tx: &Tx,
        tenant_id: &str,
        principal: &Principal,
        id: Uuid,
        for_update: bool,
    ) -> Result<(TicketRow, Ticket)> {
        let row = if for_update {
            tx.get_ticket_for_update(tenant_id, id).await?
        } else {
            tx.get_ticket(tenant_id, id).await?
        }
        .ok_or_else(|| ticket_not_found(id))?;
        let labels = tx.get_ticket_labels(tenant_id, id).await?;
        let ticket = ticket_from_row(&row, labels, self.ticket_workflow(&row)?)?;
        // Soft-deleted tickets are gone for every use-case (the Desk has no undelete).
        if ticket.deleted_at.is_some() || !principal.can_view_ticket(&ticket) {
            return Err(ticket_not_found(id));
        }
        Ok((row, ticket))
    }

    /// Writes a changed ticket back (optimistic version check), its labels when they changed,
    /// and its audit events.
    async fn store_change(
        &self,
        w: &mut Work,
        mut row: TicketRow,
        old: &Ticket,
        new: &Ticket,
        events: &[AuditEvent],
    ) -> Result<()> {
        let wf = self.ticket_workflow(&row)?;
        write_ticket_to_row(new, wf, &mut row);
        insert_audit(&w.tx, &row.tenant_id, row.id, events).await?;
        let sla_relevant = old.status != new.status
            || old.priority != new.priority
            || old.first_responded_at != new.first_responded_at;
        if let Some(policy) = &self.inner.config.sla_policy
            && sla_relevant
            && new.deleted_at.is_none()
        {
            // Re-derive the SLA due instants from the whole history (audit log included).
            let rows = w.tx.list_ticket_events(&row.tenant_id, row.id).await?;
            let history = rows
                .iter()
                .map(audit_from_row)
                .collect::<Result<Vec<_>>>()?;
            let status = policy.try_evaluate(&sla_events(new, &history, wf), w.now)?;
            write_sla_to_row(
                &mut row,
                &status,
                w.now,
                self.inner.config.scheduler.warning_before,
            );
        }
        w.tx.update_ticket(&row).await?;
        if old.labels != new.labels {
            w.tx.set_ticket_labels(&row.tenant_id, row.id, &new.labels)
                .await?;
        }
        Ok(())
    }

    /// The SLA state of a ticket now: the configured policy ([`crate::DeskConfig::sla_policy`])
    /// evaluated over the ticket's audit log (creation, status and priority changes, first
    /// response) at the Desk clock's `now`; `None` when the Desk has no SLA policy. Requires
    /// `tickets.sla.read` and read access.
    pub async fn ticket_sla(&self, actor: &Actor, id: Uuid) -> Result<Option<SlaStatus>> {
        self.require(actor, perms::TICKETS_SLA_READ)?;
        let principal = self.principal(actor);
        let tenant = actor.tenant_id.as_str();
        let (t, history, workflow) = read_tx!(self, |tx| {
            let (row, t) = self.load_ticket(tx, tenant, &principal, id, false).await?;
            let rows = tx.list_ticket_events(tenant, id).await?;
            let history = rows
                .iter()
                .map(audit_from_row)
                .collect::<Result<Vec<_>>>()?;
            Ok((t, history, row.workflow))
        })?;
        let Some(policy) = &self.inner.config.sla_policy else {
            return Ok(None);
        };
        let wf = workflow_named(&self.inner.config.workflow, &workflow)?;
        Ok(Some(
            policy.try_evaluate(&sla_events(&t, &history, wf), self.now())?,
        ))
    }

    /// Creates a ticket in the Desk's workflow's initial state, reported by the actor.
    ///
    /// Requires `tickets.create` (and the assign permission when `input.assignee_id` is set).
    /// The number (`TKT-{year}-{seq}`) is allocated in the transaction, unique per tenant and
    /// year under concurrency. Writes the ticket, its labels, a `CREATED` audit event and the
    /// outbox event `ticket.created`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, Desk, DeskConfig, NewTicketInput};
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// let agent = Actor::new("acme", "u-1").with_roles(["DEVOPS_ENGINEER"]);
    /// let t = desk.create_ticket(&agent, NewTicketInput::new("VPN down")).await?;
    /// assert!(t.number.starts_with("TKT-"));
    /// assert_eq!(t.status, "NEW");
    /// let again = desk.get_ticket_by_number(&agent, &t.number).await?;
    /// assert_eq!(again.id, t.id);
    /// # Ok::<(), faultdesk::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn create_ticket(&self, actor: &Actor, input: NewTicketInput) -> Result<Ticket> {
        self.require(actor, perms::TICKETS_CREATE)?;
        let new = input.into_new_ticket(&actor.tenant_id, &actor.user_id);
        new.validate()?;
        if let Some(at) = new.due_at {
            super::check_instant("due_at", at)?;
        }
        if let Some(a) = &new.assignee_id {
            // Assigning at creation is an assignment: same rule as assign_ticket.
            let probe = new
                .clone()
                .build(
                    &self.inner.config.workflow,
                    Uuid::nil(),
                    "probe".into(),
                    self.now(),
                )
                .map(|mut t| {
                    t.assignee_id = None;
                    t
                })?;
            self.principal(actor)
                .require_assign(&probe, Some(a), false)?;
        }
        let audit = actor_audit(actor);
        write_tx!(self, |w| {
            let t = self
                .insert_new_ticket(
                    w,
                    new.clone(),
                    Ticket::new_id(faultdesk_storage::truncate_micros(w.now)),
                    None,
                    &audit,
                    Value::Null,
                )
                .await?;
            self.emit_notify(
                w,
                &t.tenant_id,
                "ticket.created",
                Some(t.id.to_string()),
                false,
                created_payload(&t, None),
                Related {
                    ticket_id: Some(t.id),
                    alarm_id: None,
                },
            );
            Ok(t)
        })
    }

    /// Allocates a number and inserts a built ticket (with id `id`) with labels and its
    /// `CREATED` event.
    async fn insert_new_ticket(
        &self,
        w: &mut Work,
        new: NewTicket,
        id: Uuid,
        alarm_id: Option<Uuid>,
        audit: &AuditActor,
        created_metadata: Value,
    ) -> Result<Ticket> {
        let now = faultdesk_storage::truncate_micros(w.now);
        let wf = &self.inner.config.workflow;
        let year = now.year();
        let tenant = new.tenant_id.clone();
        let seq = w.tx.allocate_ticket_number(&tenant, year).await?;
        let number = self
            .inner
            .config
            .number_format
            .format(year, u64::try_from(seq).unwrap_or(0));
        let t = new.build(wf, id, number, now)?;
        let mut row = row_from_ticket(&t, wf, year, seq, alarm_id);
        if let Some(policy) = &self.inner.config.sla_policy {
            let status = policy.try_evaluate(&sla_events(&t, &[], wf), now)?;
            write_sla_to_row(
                &mut row,
                &status,
                now,
                self.inner.config.scheduler.warning_before,
            );
        }
        let mut created = AuditEvent::created(&t, audit, now);
        if created_metadata.is_object() {
            created.metadata = created_metadata;
        }
        // Ticket, labels and CREATED event: one statement on PostgreSQL.
        w.tx.insert_new_ticket(&row, &t.labels, &[event_row(&tenant, t.id, &created)])
            .await?;
        Ok(t)
    }

    /// A ticket by id. Requires `tickets.read`; end users see only tickets they reported or
    /// are assigned to; another tenant's ticket and soft-deleted tickets are
    /// `Ticket {id} not found`.
    pub async fn get_ticket(&self, actor: &Actor, id: Uuid) -> Result<Ticket> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        let tenant = actor.tenant_id.as_str();
        read_tx!(self, |tx| {
            let (_, t) = self.load_ticket(tx, tenant, &principal, id, false).await?;
            Ok(t)
        })
    }

    /// A ticket by its number (e.g. `TKT-2026-000123`, prefix case-insensitive). Same rules as
    /// [`Desk::get_ticket`]; a malformed number is a Validation error.
    pub async fn get_ticket_by_number(&self, actor: &Actor, number: &str) -> Result<Ticket> {
        self.require(actor, perms::TICKETS_READ)?;
        let fmt = &self.inner.config.number_format;
        let (year, seq) = fmt.parse(number)?;
        let canonical = fmt.format(year, seq);
        let principal = self.principal(actor);
        let tenant = actor.tenant_id.as_str();
        read_tx!(self, |tx| {
            let row = tx
                .get_ticket_by_number(tenant, &canonical)
                .await?
                .ok_or_else(|| ticket_not_found(&canonical))?;
            let labels = tx.get_ticket_labels(tenant, row.id).await?;
            let t = ticket_from_row(&row, labels, self.ticket_workflow(&row)?)?;
            if t.deleted_at.is_some() || !principal.can_view_ticket(&t) {
                return Err(ticket_not_found(&canonical));
            }
            Ok(t)
        })
    }

    /// Applies a PATCH (only the given fields change). Requires `tickets.write` and the
    /// edit row rule; changing the assignee also needs the assign rule. Each change is an
    /// audit event (`PRIORITY_CHANGE`, `ASSIGNMENT_CHANGE`, `DUE_DATE_CHANGE`, `UPDATE` per
    /// field); outbox `ticket.updated`. A patch that changes nothing writes nothing.
    pub async fn update_ticket(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: TicketPatch,
    ) -> Result<Ticket> {
        self.require(actor, perms::TICKETS_WRITE)?;
        if let Some(Some(at)) = patch.due_at {
            super::check_instant("due_at", at)?;
        }
        let principal = self.principal(actor);
        let audit = actor_audit(actor);
        let tenant = actor.tenant_id.as_str();
        write_tx!(self, |w| {
            let (row, old) = self
                .load_ticket(&w.tx, tenant, &principal, id, true)
                .await?;
            principal.require_edit_ticket(&old)?;
            if let Some(a) = &patch.assignee_id
                && *a != old.assignee_id
            {
                principal.require_assign(&old, a.as_deref(), false)?;
            }
            let mut new = old.clone();
            if !patch.apply(&mut new, w.now)? {
                return Ok(old);
            }
            let events = diff(&old, &new, &audit, w.now);
            self.store_change(w, row, &old, &new, &events).await?;
            w.emit(
                tenant,
                "ticket.updated",
                Some(id.to_string()),
                false,
                changes_payload(&new, &events),
            );
            Ok(new)
        })
    }

    /// Soft-deletes a ticket (requires `tickets.delete`, e.g. ADMIN). The ticket disappears
    /// from lists and reads; its rows and audit log stay. Audit `UPDATE deleted_at`; outbox
    /// `ticket.deleted`.
    pub async fn delete_ticket(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.require(actor, perms::TICKETS_DELETE)?;
        let principal = self.principal(actor);
        let audit = actor_audit(actor);
        let tenant = actor.tenant_id.as_str();
        write_tx!(self, |w| {
            let (mut row, old) = self
                .load_ticket(&w.tx, tenant, &principal, id, true)
                .await?;
            if old.deleted_at.is_some() {
                return Err(ticket_not_found(id));
            }
            let mut new = old.clone();
            new.deleted_at = Some(w.now);
            new.updated_at = w.now;
            row.deleted_by = Some(actor.user_id.clone());
            let events = diff(&old, &new, &audit, w.now);
            self.store_change(w, row, &old, &new, &events).await?;
            w.emit(
                tenant,
                "ticket.deleted",
                Some(id.to_string()),
                false,
                json!({"id": id, "number": new.number}),
            );
            Ok(())
        })
    }

    /// Assigns the ticket to `assignee` (`None` unassigns). Requires `tickets.assign` with
    /// seed 003's row rule (engineers assign themselves; leads anyone). Audit
    /// `ASSIGNMENT_CHANGE`; outbox `ticket.assigned`. Assigning the current assignee again
    /// changes nothing.
    pub async fn assign_ticket(
        &self,
        actor: &Actor,
        id: Uuid,
        assignee: Option<String>,
    ) -> Result<Ticket> {
        self.require(actor, perms::TICKETS_ASSIGN)?;
        let assignee = assignee.map(|a| a.trim().to_string());
        if let Some(a) = &assignee
            && (a.is_empty() || a.chars().count() > ticket_core::ticket::MAX_ID_CHARS)
        {
            return Err(Error::validation(
                "assignee must be a non-empty user id of at most 255 characters",
            ));
        }
        let principal = self.principal(actor);
        let audit = actor_audit(actor);
        let tenant = actor.tenant_id.as_str();
        write_tx!(self, |w| {
            let (row, old) = self
                .load_ticket(&w.tx, tenant, &principal, id, true)
                .await?;
            if old.assignee_id == assignee {
                return Ok(old);
            }
            principal.require_assign(&old, assignee.as_deref(), false)?;
            let mut new = old.clone();
            new.assignee_id = assignee.clone();
            new.updated_at = w.now;
            let events = diff(&old, &new, &audit, w.now);
            let alarm_id = row.alarm_id;
            self.store_change(w, row, &old, &new, &events).await?;
            self.emit_notify(
                w,
                tenant,
                "ticket.assigned",
                Some(id.to_string()),
                false,
                json!({
                    "id": id,
                    "number": new.number,
                    "old_assignee_id": old.assignee_id,
                    "assignee_id": new.assignee_id,
                }),
                Related {
                    ticket_id: Some(id),
                    alarm_id,
                },
            );
            Ok(new)
        })
    }

    /// Moves the ticket to `to_state` (any case) through the workflow it was created under.
    ///
    /// The transition's permission and guards are checked by the workflow
    /// (`InvalidTransition` names the current state, the requested one and the allowed next
    /// states; a failed guard is a Validation error naming it). Timestamps follow the
    /// transition's hooks (first response, resolved, closed; cleared on reopen). Audit
    /// `STATUS_CHANGE` plus `ESCALATED`/`RESOLVED`/`CLOSED`/`REOPENED` as they apply, with the
    /// resolution note and comment in their metadata; outbox `ticket.status_changed`.
    pub async fn transition_ticket(
        &self,
        actor: &Actor,
        id: Uuid,
        to_state: &str,
        options: TransitionOptions,
    ) -> Result<Ticket> {
        self.require(actor, perms::TICKETS_READ)?;
        if to_state.trim().is_empty() {
            return Err(Error::validation("to_state must not be empty"));
        }
        let note = options
            .resolution_note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let comment = options
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        for (name, v) in [("resolution_note", &note), ("comment", &comment)] {
            if v.as_ref()
                .is_some_and(|v| v.len() > ticket_core::ticket::MAX_DESCRIPTION_BYTES)
            {
                return Err(Error::validation(format!("{name} must be at most 64 KiB")));
            }
        }
        let permissions = self.permissions(actor);
        let principal = self.principal(actor);
        let audit = actor_audit(actor);
        let tenant = actor.tenant_id.as_str();
        let to_state = to_state.trim();
        write_tx!(self, |w| {
            let (row, old) = self
                .load_ticket(&w.tx, tenant, &principal, id, true)
                .await?;
            let wf = self.ticket_workflow(&row)?;
            let ctx = TransitionContext::new(&permissions, w.now)
                .with_resolution_note(note.is_some())
                .with_assignee(old.assignee_id.is_some())
                .with_resolution_times(old.resolved_at, old.closed_at);
            let effects = wf.check_transition(&old.status, to_state, &ctx)?;
            if effects.set_resolved_at || effects.set_closed_at {
                principal.require_close_ticket(&old)?;
            }
            let mut new = old.clone();
            effects.apply(&mut new, w.now);
            let mut events = diff(&old, &new, &audit, w.now);
            let mut extra = serde_json::Map::new();
            if let Some(n) = &note {
                extra.insert("resolution_note".into(), json!(n));
            }
            if let Some(c) = &comment {
                extra.insert("comment".into(), json!(c));
            }
            if !extra.is_empty() {
                for e in &mut events {
                    if let Value::Object(m) = &mut e.metadata {
                        m.extend(extra.clone());
                    }
                }
            }
            let alarm_id = row.alarm_id;
            self.store_change(w, row, &old, &new, &events).await?;
            self.emit_notify(
                w,
                tenant,
                "ticket.status_changed",
                Some(id.to_string()),
                false,
                json!({
                    "id": id,
                    "number": new.number,
                    "from": old.status,
                    "to": new.status,
                    "resolution_note": note,
                }),
                Related {
                    ticket_id: Some(id),
                    alarm_id,
                },
            );
            Ok(new)
        })
    }

    /// Reopens a resolved or closed ticket with a reason: takes the workflow's reopening
    /// transition from the current state (ITSM: → `REOPENED`; VMS: resolved → `in_progress`),
    /// subject to its permission (`tickets.reopen`) and the workflow's reopen window. Audit
    /// `STATUS_CHANGE` + `REOPENED` with the reason in the metadata; outbox
    /// `ticket.reopened`.
    pub async fn reopen_ticket(&self, actor: &Actor, id: Uuid, reason: &str) -> Result<Ticket> {
        self.require(actor, perms::TICKETS_REOPEN)?;
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(Error::validation("A reason is required to reopen a ticket"));
        }
        if reason.len() > ticket_core::ticket::MAX_DESCRIPTION_BYTES {
            return Err(Error::validation("reason must be at most 64 KiB"));
        }
        let permissions = self.permissions(actor);
        let principal = self.principal(actor);
        let audit = actor_audit(actor);
        let tenant = actor.tenant_id.as_str();
        write_tx!(self, |w| {
            let (row, old) = self
                .load_ticket(&w.tx, tenant, &principal, id, true)
                .await?;
            let wf = self.ticket_workflow(&row)?;
            let ctx = TransitionContext::new(&permissions, w.now)
                .with_resolution_note(true)
                .with_assignee(old.assignee_id.is_some())
                .with_resolution_times(old.resolved_at, old.closed_at);
            let done = old.resolved_at.is_some() || old.closed_at.is_some();
            let mut first_err = None;
            let mut chosen = None;
            if done {
                for to in wf.allowed_next(&old.status)? {
                    let open_target = wf.category_of(to).is_some_and(|c| c.is_open());
                    if !open_target {
                        continue;
                    }
                    match wf.check_transition(&old.status, to, &ctx) {
                        Ok(eff) if eff.is_reopen() => {
                            chosen = Some(eff);
                            break;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            first_err.get_or_insert(e);
                        }
                    }
                }
            }
            let effects = match (chosen, first_err) {
                (Some(e), _) => e,
                (None, Some(e)) => return Err(e.into()),
                (None, None) => {
                    return Err(Error::new(
                        crate::ErrorKind::InvalidTransition,
                        format!(
                            "Ticket {} is {}; only resolved or closed tickets can be reopened",
                            old.number, old.status
                        ),
                    ));
                }
            };
            let mut new = old.clone();
            effects.apply(&mut new, w.now);
            let mut events = diff(&old, &new, &audit, w.now);
            for e in &mut events {
                if let Value::Object(m) = &mut e.metadata {
                    m.insert("reason".into(), json!(reason));
                }
            }
            let alarm_id = row.alarm_id;
            self.store_change(w, row, &old, &new, &events).await?;
            self.emit_notify(
                w,
                tenant,
                "ticket.reopened",
                Some(id.to_string()),
                false,
                json!({
                    "id": id,
                    "number": new.number,
                    "from": old.status,
                    "to": new.status,
                    "reason": reason,
                }),
                Related {
                    ticket_id: Some(id),
                    alarm_id,
                },
            );
            Ok(new)
        })
    }

    /// The ticket's audit log, oldest first. Events about internal comments are left out for
    /// actors without `tickets.comments.internal`.
    pub async fn ticket_history(&self, actor: &Actor, id: Uuid) -> Result<Vec<AuditEvent>> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        let internal_ok = principal.can_view_internal_comments();
        let tenant = actor.tenant_id.as_str();
        read_tx!(self, |tx| {
            self.load_ticket(tx, tenant, &principal, id, false).await?;
            let rows = tx.list_ticket_events(tenant, id).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let e = audit_from_row(r)?;
                if internal_ok || !e.is_internal() {
                    out.push(e);
                }
            }
            Ok(out)
        })
    }

    /// Tickets matching `query`, sorted and paged (see [`TicketQuery`]). Requires
    /// `tickets.read`; actors without `tickets.read.all` (end users) see only tickets they
    /// reported. `page_size` above 100 is a Validation error.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, Desk, DeskConfig, NewTicketInput, TicketQuery};
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// let lead = Actor::new("acme", "lead").with_roles(["TEAM_LEAD"]);
    /// desk.create_ticket(&lead, NewTicketInput::new("A").label("contractor_id", "c-1")).await?;
    /// desk.create_ticket(&lead, NewTicketInput::new("B").label("contractor_id", "c-2")).await?;
    /// let page = desk
    ///     .list_tickets(&lead, TicketQuery::default().open_only().label("contractor_id", "c-1"))
    ///     .await?;
    /// assert_eq!(page.total, 1);
    /// assert_eq!(page.items[0].subject, "A");
    /// # Ok::<(), faultdesk::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn list_tickets(&self, actor: &Actor, query: TicketQuery) -> Result<Page<Ticket>> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        let filter = build_filter(&self.inner.config.workflow, &query, &principal)?;
        let sort = build_sort(&query.sort)?;
        let (page, page_size) = check_page(query.page, query.page_size)?;
        let (paging, page) = match &query.cursor {
            Some(c) if !c.trim().is_empty() => (
                TicketPaging::After {
                    cursor: c.trim().to_string(),
                    page_size,
                },
                0,
            ),
            _ => (
                TicketPaging::Page(faultdesk_storage::Page::new(page, page_size)),
                page,
            ),
        };
        let tenant = actor.tenant_id.as_str();
        // One statement: the page, its total and each ticket's labels.
        let paged = read_statement!(self, |tx| {
            tx.list_tickets_with_labels(tenant, &filter, &sort, &paging)
                .await
                .map_err(input_error)
        })?;
        let mut items = Vec::with_capacity(paged.items.len());
        for (r, labels) in paged.items {
            items.push(ticket_from_row(&r, labels, self.ticket_workflow(&r)?)?);
        }
        Ok(Page {
            items,
            total: paged.total,
            page,
            page_size,
            next_cursor: paged.next_cursor,
        })
    }

    /// Ranked full-text search over subject, description and comments (internal comments only
    /// for actors with `tickets.comments.internal`), combined with the query's filters and
    /// page (`sort` and `cursor` do not apply: hits are ordered by relevance).
    pub async fn search_tickets(
        &self,
        actor: &Actor,
        text: &str,
        query: TicketQuery,
    ) -> Result<Page<TicketSearchHit>> {
        self.require(actor, perms::TICKETS_READ)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::validation("search text must not be empty"));
        }
        if text.len() > MAX_QUERY_TEXT_BYTES {
            return Err(Error::validation(format!(
                "search text must be at most {MAX_QUERY_TEXT_BYTES} bytes"
            )));
        }
        let principal = self.principal(actor);
        let internal_ok = principal.can_view_internal_comments();
        let filter = build_filter(&self.inner.config.workflow, &query, &principal)?;
        let (page, page_size) = check_page(query.page, query.page_size)?;
        let tenant = actor.tenant_id.as_str();
        let (paged, labels) = read_tx!(self, |tx| {
            let paged = tx
                .search_tickets(
                    tenant,
                    text,
                    internal_ok,
                    &filter,
                    faultdesk_storage::Page::new(page, page_size),
                )
                .await
                .map_err(input_error)?;
            let ids: Vec<Uuid> = paged.items.iter().map(|h| h.ticket.id).collect();
            let labels = if ids.is_empty() {
                Vec::new()
            } else {
                tx.labels_of_tickets(tenant, &ids).await?
            };
            Ok((paged, labels))
        })?;
        let mut by_ticket: BTreeMap<Uuid, BTreeMap<String, String>> = BTreeMap::new();
        for l in labels {
            by_ticket
                .entry(l.ticket_id)
                .or_default()
                .insert(l.key, l.value);
        }
        let mut items = Vec::with_capacity(paged.items.len());
        for h in &paged.items {
            let labels = by_ticket.remove(&h.ticket.id).unwrap_or_default();
            let wf = self.ticket_workflow(&h.ticket)?;
            items.push(TicketSearchHit {
                ticket: ticket_from_row(&h.ticket, labels, wf)?,
                rank: h.rank,
            });
        }
        Ok(Page {
            items,
            total: paged.total,
            page,
            page_size,
            next_cursor: None,
        })
    }

    /// Counts of the tickets matching `query`'s filters (sort and page are ignored) by status,
    /// category, priority and type. Requires `tickets.read`; end users count their own.
    pub async fn ticket_stats(
        &self,
        actor: &Actor,
        query: TicketQuery,
    ) -> Result<TicketStatistics> {
        self.require(actor, perms::TICKETS_READ)?;
        let principal = self.principal(actor);
        let filter = build_filter(&self.inner.config.workflow, &query, &principal)?;
        let tenant = actor.tenant_id.as_str();
        let c = read_tx!(self, |tx| Ok(tx.ticket_counts(tenant, &filter).await?))?;
        let mut by_priority = BTreeMap::new();
        for (rank, n) in c.by_priority {
            let name = Priority::from_rank(rank)
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|_| rank.to_string());
            by_priority.insert(name, n);
        }
        Ok(TicketStatistics {
            total: c.total,
            open: c.open,
            by_status: c.by_status,
            by_category: c.by_category,
            by_priority,
            by_type: c.by_type,
        })
    }
}

impl CreateTicketFromAlarm {
    /// Validates the request and turns it into fault-core's draft request: the priority must
    /// be a known name, the notes at most 64 KiB, the assignee a non-empty id of at most 255
    /// characters.
    pub(crate) fn to_request(&self) -> Result<TicketFromAlarmRequest> {
        let priority = match self.priority.as_deref() {
            None => None,
            Some(p) if p.trim().is_empty() => None,
            Some(p) => Some(p.parse::<Priority>()?),
        };
        let additional_notes = self
            .additional_notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if additional_notes
            .as_ref()
            .is_some_and(|n| n.len() > ticket_core::ticket::MAX_DESCRIPTION_BYTES)
        {
            return Err(Error::validation("additional_notes must be at most 64 KiB"));
        }
        let assign_to_user_id = match self.assign_to_user_id.as_deref().map(str::trim) {
            None => None,
            Some("") => {
                return Err(Error::validation(
                    "assign_to_user_id must not be empty when given",
                ));
            }
            Some(a) if a.chars().count() > ticket_core::ticket::MAX_ID_CHARS => {
                return Err(Error::validation(
                    "assign_to_user_id must be at most 255 characters",
                ));
            }
            Some(a) => Some(a.to_string()),
        };
        Ok(TicketFromAlarmRequest {
            priority,
            additional_notes,
            assign_to_user_id,
        })
    }
}

/// Cuts a subject to the ticket limit (an alarm title may be longer than a ticket subject).
fn fit_subject(s: String) -> String {
    let max = ticket_core::ticket::MAX_SUBJECT_CHARS;
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= max {
        return clean;
    }
    let mut out: String = clean.chars().take(max - 1).collect();
    out.push('…');
    out
}

impl Desk {
    /// Seed 000's "create ticket from alarm".
    ///
    /// Requires `faults.alarms.write` (the only permission it needs). In one transaction:
    /// locks the alarm (`Alarm {id} not found` when it does not exist in the actor's tenant),
    /// refuses an alarm that already has a ticket (`Alarm {id} already has ticket
    /// {ticket_id}. Please update the existing ticket instead.`), drafts the ticket
    /// (`[ALARM] {title}`, the markdown body, seed 000's metadata, the type and priority
    /// mappings), allocates the number, inserts the ticket with its `CREATED` audit event,
    /// links the alarm (`alarms.ticket_id`, conditionally: a concurrent call that lost the
    /// race gets the same conflict) and records the outbox events `ticket.created` and
    /// `alarm.ticket_linked`. Two concurrent calls for one alarm create exactly one ticket.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Actor, CreateTicketFromAlarm, Desk, DeskConfig, ErrorKind};
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// let op = Actor::new("acme", "op-1").with_roles(["NOC_OPERATOR"]);
    /// let missing = uuid::Uuid::now_v7();
    /// let err = desk
    ///     .create_ticket_from_alarm(&op, missing, CreateTicketFromAlarm::default())
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// assert_eq!(err.message(), format!("Alarm {missing} not found"));
    /// # Ok::<(), faultdesk::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn create_ticket_from_alarm(
        &self,
        actor: &Actor,
        alarm_id: Uuid,
        request: CreateTicketFromAlarm,
    ) -> Result<TicketFromAlarm> {
        self.require(actor, perms::FAULTS_ALARMS_WRITE)?;
        let req = request.to_request()?;
        let tenant = actor.tenant_id.as_str();
        let user = actor.user_id.as_str();
        let ip = actor.ip.as_deref();
        write_tx!(self, |w| {
            self.ticket_from_alarm_in_tx(w, tenant, user, ip, alarm_id, &req, None)
                .await
        })
    }

    /// The in-transaction core of [`Desk::create_ticket_from_alarm`], shared with the
    /// auto-ticket path (`trigger` names the trigger that requested the ticket, recorded in
    /// the `CREATED` event's metadata and the `alarm.ticket_linked` payload).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn ticket_from_alarm_in_tx(
        &self,
        w: &mut Work,
        tenant_id: &str,
        user_id: &str,
        ip: Option<&str>,
        alarm_id: Uuid,
        req: &TicketFromAlarmRequest,
        trigger: Option<&str>,
    ) -> Result<TicketFromAlarm> {
        // Link first (one conditional update that also locks the alarm): the ticket's id is
        // known before the ticket is written, and the transaction rolls back if anything
        // after it fails.
        let ticket_id = Ticket::new_id(faultdesk_storage::truncate_micros(w.now));
        let mut row = match w
            .tx
            .claim_alarm_for_ticket(tenant_id, alarm_id, ticket_id, w.now)
            .await?
        {
            AlarmClaim::Linked(row) => *row,
            AlarmClaim::AlreadyLinked(existing) => {
                return Err(alarm_has_ticket(alarm_id, existing));
            }
            AlarmClaim::NotFound => return Err(alarm_not_found(alarm_id)),
        };
        // Draft from the alarm as it was before the link.
        row.ticket_id = None;
        let alarm = alarm_from_row(&row)?;
        let draft = fault_core::draft::draft_ticket(&alarm, req)?;
        let new = NewTicket {
            tenant_id: tenant_id.to_string(),
            subject: fit_subject(draft.subject),
            description: draft.body,
            ticket_type: draft.ticket_type,
            priority: draft.priority,
            assignee_id: draft.assignee,
            reporter_id: user_id.to_string(),
            customer_id: draft.customer_id,
            due_at: None,
            labels: BTreeMap::new(),
            metadata: Some(draft.metadata),
        };
        let audit = audit_actor(user_id, ip);
        let mut created_meta = serde_json::Map::new();
        created_meta.insert("alarm_id".into(), json!(alarm_id));
        if let Some(t) = trigger {
            created_meta.insert("trigger".into(), json!(t));
        }
        let t = self
            .insert_new_ticket(
                w,
                new,
                ticket_id,
                Some(alarm_id),
                &audit,
                Value::Object(created_meta),
            )
            .await?;
        self.emit_notify(
            w,
            tenant_id,
            "ticket.created",
            Some(t.id.to_string()),
            false,
            created_payload(&t, Some(alarm_id)),
            Related {
                ticket_id: Some(t.id),
                alarm_id: Some(alarm_id),
            },
        );
        w.emit(
            tenant_id,
            "alarm.ticket_linked",
            Some(alarm_id.to_string()),
            false,
            json!({
                "alarm_id": alarm_id,
                "ticket_id": t.id,
                "ticket_number": t.number,
                "trigger": trigger,
            }),
        );
        Ok(TicketFromAlarm {
            alarm_id,
            ticket_id: t.id,
            message: format!("Ticket {} created successfully from alarm", t.number),
            ticket_number: t.number,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_parse_with_direction() {
        let s = build_sort(&["-priority".into(), "created_at".into()]).unwrap();
        assert_eq!(
            s.keys,
            vec![
                (TicketSortField::Priority, SortDir::Desc),
                (TicketSortField::CreatedAt, SortDir::Asc)
            ]
        );
        assert_eq!(build_sort(&[]).unwrap(), TicketSort::default());
        let e = build_sort(&["-subject; DROP TABLE tickets".into()]).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert!(e.message().contains("cannot sort by"), "{e}");
        assert!(build_sort(&["priority".into(), "-priority".into()]).is_err());
        let four: Vec<String> = ["priority", "created_at", "number", "status"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(build_sort(&four).is_err());
    }

    #[test]
    fn filters_validate_states_and_categories() {
        let wf = Workflow::itsm();
        let p = Principal::new("u", Default::default());
        let f = build_filter(
            &wf,
            &TicketQuery::default().status("in_progress").status("Open"),
            &p,
        )
        .unwrap();
        assert_eq!(f.status, vec!["in_progress", "open"]);
        assert_eq!(f.reporter_only.as_deref(), Some("u"));
        let e = build_filter(&wf, &TicketQuery::default().status("done"), &p).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        let q = TicketQuery {
            category: vec!["sideways".into()],
            ..Default::default()
        };
        assert!(build_filter(&wf, &q, &p).is_err());
    }

    #[test]
    fn seed_000_error_texts() {
        let a = Uuid::nil();
        assert_eq!(alarm_not_found(a).message(), format!("Alarm {a} not found"));
        assert_eq!(
            alarm_has_ticket(a, a).message(),
            format!("Alarm {a} already has ticket {a}. Please update the existing ticket instead.")
        );
    }
}
