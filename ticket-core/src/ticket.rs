//! The ticket model, the validated input that creates one ([`NewTicket`]) and partial updates
//! ([`TicketPatch`]).
//!
//! Status changes do not go through [`TicketPatch`]: they are workflow transitions
//! ([`crate::workflow::Workflow::check_transition`] then
//! [`crate::workflow::TransitionEffects::apply`]).
//!
//! ```
//! use chrono::Utc;
//! use ticket_core::ticket::{NewTicket, Ticket, TicketPatch};
//! use ticket_core::workflow::Workflow;
//! use ticket_core::{Priority, TicketType};
//!
//! let now = Utc::now();
//! let wf = Workflow::vms();
//! let mut t = NewTicket::new("tenant-1", "Person detected in restricted zone", "svc-analytics")
//!     .ticket_type(TicketType::Incident)
//!     .priority(Priority::High)
//!     .label("provider_id", "provider-uuid")
//!     .label("camera_id", "1")
//!     .build(&wf, Ticket::new_id(now), "TKT-2026-000001".into(), now)
//!     .unwrap();
//! assert_eq!(t.status, "open");
//! assert_eq!(t.workflow, "vms");
//!
//! let patch = TicketPatch { assignee_id: Some(Some("u-7".into())), ..Default::default() };
//! assert!(patch.apply(&mut t, now).unwrap());
//! assert_eq!(t.assignee_id.as_deref(), Some("u-7"));
//! ```

use crate::error::{Error, Result};
use crate::priority::Priority;
use crate::ticket_type::TicketType;
use crate::workflow::Workflow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Maximum subject length, in characters.
pub const MAX_SUBJECT_CHARS: usize = 255;
/// Maximum description size, in bytes (64 KiB).
pub const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
/// Maximum number of labels on a ticket.
pub const MAX_LABELS: usize = 50;
/// Maximum label key length, in characters (keys use `a-z 0-9 _ . -`).
pub const MAX_LABEL_KEY_CHARS: usize = 64;
/// Maximum label value length, in characters.
pub const MAX_LABEL_VALUE_CHARS: usize = 255;
/// Maximum size of the metadata object serialised as JSON, in bytes (64 KiB).
pub const MAX_METADATA_BYTES: usize = 64 * 1024;
/// Maximum length of ids chosen by the host (tenant, user, customer ids), in characters.
pub const MAX_ID_CHARS: usize = 255;

/// A ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// UUID v7.
    pub id: Uuid,
    /// The owning tenant.
    pub tenant_id: String,
    /// Human number, e.g. `TKT-2026-000123`.
    pub number: String,
    /// One-line subject.
    pub subject: String,
    /// Markdown description.
    pub description: String,
    /// Kind of ticket.
    pub ticket_type: TicketType,
    /// Priority.
    pub priority: Priority,
    /// Canonical name of the current workflow state.
    pub status: String,
    /// Name of the workflow the ticket was created under.
    pub workflow: String,
    /// Assigned user, if any.
    pub assignee_id: Option<String>,
    /// Reporter / creator.
    pub reporter_id: String,
    /// Customer the ticket is about, if any.
    pub customer_id: Option<String>,
    /// Due date, if any.
    pub due_at: Option<DateTime<Utc>>,
    /// Labels such as `contractor_id`, `project_id`, `camera_id`, `provider_id`.
    pub labels: BTreeMap<String, String>,
    /// Free JSON metadata (always an object).
    pub metadata: serde_json::Value,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last modification time.
    pub updated_at: DateTime<Utc>,
    /// First response (first transition out of a `new` state).
    pub first_responded_at: Option<DateTime<Utc>>,
    /// Resolution time (cleared on reopen).
    pub resolved_at: Option<DateTime<Utc>>,
    /// Closure time (cleared on reopen).
    pub closed_at: Option<DateTime<Utc>>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Ticket {
    /// A UUID v7 whose timestamp is `now` (random low bits). Pure apart from randomness.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let id = ticket_core::ticket::Ticket::new_id(now);
    /// assert_eq!(id.get_version_num(), 7);
    /// let (secs, _) = id.get_timestamp().unwrap().to_unix();
    /// assert_eq!(secs as i64, now.timestamp());
    /// ```
    pub fn new_id(now: DateTime<Utc>) -> Uuid {
        let secs = u64::try_from(now.timestamp()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, now.timestamp_subsec_nanos());
        Uuid::new_v7(ts)
    }

    /// Records a first response at `now` if none is recorded yet (e.g. when staff post the
    /// first public comment; workflow transitions out of a `new` state do this through their
    /// hooks). Returns whether the ticket changed; `updated_at` is set only then.
    ///
    /// ```
    /// # use chrono::{Duration, Utc};
    /// # use ticket_core::ticket::{NewTicket, Ticket};
    /// # use ticket_core::workflow::Workflow;
    /// let now = Utc::now();
    /// let mut t = NewTicket::new("t", "s", "u")
    ///     .build(&Workflow::vms(), Ticket::new_id(now), "TKT-2026-000001".into(), now)
    ///     .unwrap();
    /// assert!(t.record_first_response(now + Duration::minutes(3)));
    /// assert!(!t.record_first_response(now + Duration::minutes(9)));
    /// assert_eq!(t.first_responded_at, Some(now + Duration::minutes(3)));
    /// ```
    pub fn record_first_response(&mut self, now: DateTime<Utc>) -> bool {
        if self.first_responded_at.is_some() {
            return false;
        }
        self.first_responded_at = Some(now);
        self.updated_at = now;
        true
    }

    /// Whether the ticket is soft-deleted.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Checks every field limit (see the module constants). Used by [`NewTicket::build`] and
    /// [`TicketPatch::apply`]; storage may call it on loaded rows.
    pub fn validate(&self) -> Result<()> {
        validate_id("tenant_id", &self.tenant_id)?;
        validate_id("reporter_id", &self.reporter_id)?;
        if let Some(a) = &self.assignee_id {
            validate_id("assignee_id", a)?;
        }
        if let Some(c) = &self.customer_id {
            validate_id("customer_id", c)?;
        }
        validate_subject(&self.subject)?;
        validate_description(&self.description)?;
        validate_labels(&self.labels)?;
        validate_metadata(&self.metadata)?;
        Ok(())
    }
}

fn validate_id(field: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(Error::validation(format!("{field} must not be empty")));
    }
    if v.chars().count() > MAX_ID_CHARS {
        return Err(Error::validation(format!(
            "{field} must be at most {MAX_ID_CHARS} characters"
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::validation(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(())
}

fn validate_subject(s: &str) -> Result<()> {
    if s.trim().is_empty() {
        return Err(Error::validation("Subject must not be empty"));
    }
    let n = s.chars().count();
    if n > MAX_SUBJECT_CHARS {
        return Err(Error::validation(format!(
            "Subject is {n} characters long; at most {MAX_SUBJECT_CHARS} are allowed"
        )));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::validation(
            "Subject must be a single line without control characters",
        ));
    }
    Ok(())
}

fn validate_description(d: &str) -> Result<()> {
    if d.len() > MAX_DESCRIPTION_BYTES {
        return Err(Error::validation(format!(
            "Description is {} bytes; at most {MAX_DESCRIPTION_BYTES} bytes (64 KiB) are allowed",
            d.len()
        )));
    }
    Ok(())
}

/// Checks one label key and value.
pub fn validate_label(key: &str, value: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::validation("Label keys must not be empty"));
    }
    if key.chars().count() > MAX_LABEL_KEY_CHARS {
        return Err(Error::validation(format!(
            "Label key '{key}' is longer than {MAX_LABEL_KEY_CHARS} characters"
        )));
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
    {
        return Err(Error::validation(format!(
            "Label key '{key}' may only contain a-z, 0-9, '_', '.' and '-'"
        )));
    }
    if value.chars().count() > MAX_LABEL_VALUE_CHARS {
        return Err(Error::validation(format!(
            "Value of label '{key}' is longer than {MAX_LABEL_VALUE_CHARS} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::validation(format!(
            "Value of label '{key}' must not contain control characters"
        )));
    }
    Ok(())
}

fn validate_labels(labels: &BTreeMap<String, String>) -> Result<()> {
    if labels.len() > MAX_LABELS {
        return Err(Error::validation(format!(
            "A ticket has at most {MAX_LABELS} labels; got {}",
            labels.len()
        )));
    }
    for (k, v) in labels {
        validate_label(k, v)?;
    }
    Ok(())
}

fn validate_metadata(m: &serde_json::Value) -> Result<()> {
    if !m.is_object() {
        return Err(Error::validation("Metadata must be a JSON object"));
    }
    let size = serde_json::to_vec(m).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_METADATA_BYTES {
        return Err(Error::validation(format!(
            "Metadata is {size} bytes as JSON; at most {MAX_METADATA_BYTES} bytes (64 KiB) are allowed"
        )));
    }
    Ok(())
}

fn normalize_metadata(m: Option<serde_json::Value>) -> serde_json::Value {
    match m {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
        Some(v) => v,
    }
}

fn default_type() -> TicketType {
    TicketType::Incident
}

fn default_priority() -> Priority {
    Priority::Normal
}

/// The input that creates a ticket. Build it with [`NewTicket::new`] and the builder methods,
/// or deserialize it; then [`NewTicket::build`] validates it and produces a [`Ticket`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTicket {
    /// The owning tenant.
    pub tenant_id: String,
    /// Subject (trimmed on build; must not be empty).
    pub subject: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Kind of ticket (`incident` by default).
    #[serde(default = "default_type")]
    pub ticket_type: TicketType,
    /// Priority (`normal` by default).
    #[serde(default = "default_priority")]
    pub priority: Priority,
    /// Initial assignee.
    #[serde(default)]
    pub assignee_id: Option<String>,
    /// Reporter / creator.
    pub reporter_id: String,
    /// Customer.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Due date.
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Metadata object (`null`/absent becomes `{}`).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

impl NewTicket {
    /// A new ticket input with the required fields; type `incident`, priority `normal`.
    pub fn new(
        tenant_id: impl Into<String>,
        subject: impl Into<String>,
        reporter_id: impl Into<String>,
    ) -> Self {
        NewTicket {
            tenant_id: tenant_id.into(),
            subject: subject.into(),
            description: String::new(),
            ticket_type: default_type(),
            priority: default_priority(),
            assignee_id: None,
            reporter_id: reporter_id.into(),
            customer_id: None,
            due_at: None,
            labels: BTreeMap::new(),
            metadata: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }

    /// Sets the type.
    pub fn ticket_type(mut self, t: TicketType) -> Self {
        self.ticket_type = t;
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, p: Priority) -> Self {
        self.priority = p;
        self
    }

    /// Sets the assignee.
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
    pub fn metadata(mut self, m: serde_json::Value) -> Self {
        self.metadata = Some(m);
        self
    }

    /// Validates the input without building.
    pub fn validate(&self) -> Result<()> {
        validate_id("tenant_id", &self.tenant_id)?;
        validate_id("reporter_id", &self.reporter_id)?;
        if let Some(a) = &self.assignee_id {
            validate_id("assignee_id", a)?;
        }
        if let Some(c) = &self.customer_id {
            validate_id("customer_id", c)?;
        }
        validate_subject(self.subject.trim())?;
        validate_description(&self.description)?;
        validate_labels(&self.labels)?;
        match &self.metadata {
            None | Some(serde_json::Value::Null) => {}
            Some(m) => validate_metadata(m)?,
        }
        Ok(())
    }

    /// Validates and builds the ticket in the workflow's initial state. `id` and `number` are
    /// allocated by the caller (see [`Ticket::new_id`] and [`crate::numbering::NumberFormat`]).
    pub fn build(
        self,
        workflow: &Workflow,
        id: Uuid,
        number: String,
        now: DateTime<Utc>,
    ) -> Result<Ticket> {
        self.validate()?;
        if number.trim().is_empty() {
            return Err(Error::validation("Ticket number must not be empty"));
        }
        Ok(Ticket {
            id,
            tenant_id: self.tenant_id,
            number,
            subject: self.subject.trim().to_string(),
            description: self.description,
            ticket_type: self.ticket_type,
            priority: self.priority,
            status: workflow.initial_state().to_string(),
            workflow: workflow.name().to_string(),
            assignee_id: self.assignee_id,
            reporter_id: self.reporter_id,
            customer_id: self.customer_id,
            due_at: self.due_at,
            labels: self.labels,
            metadata: normalize_metadata(self.metadata),
            created_at: now,
            updated_at: now,
            first_responded_at: None,
            resolved_at: None,
            closed_at: None,
            deleted_at: None,
        })
    }
}

/// Deserializes a field that distinguishes "absent" (`None`), `null` (`Some(None)`) and a
/// value (`Some(Some(v))`). Use with `#[serde(default, deserialize_with = ...)]`.
fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A partial update with PATCH semantics: `None` leaves a field alone; for clearable fields
/// `Some(None)` (JSON `null`) clears it. Labels merge: a `null` value removes that key.
/// Metadata, when given, replaces the whole object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketPatch {
    /// New subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<TicketType>,
    /// New priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// New assignee, or `Some(None)` to unassign.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub assignee_id: Option<Option<String>>,
    /// New customer, or `Some(None)` to clear.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<Option<String>>,
    /// New due date, or `Some(None)` to clear.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<Option<DateTime<Utc>>>,
    /// Label changes: `Some(v)` sets, `None` removes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, Option<String>>>,
    /// Replacement metadata object (`null` becomes `{}`).
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Option<serde_json::Value>>,
}

impl TicketPatch {
    /// Whether the patch changes nothing whatever the ticket.
    pub fn is_empty(&self) -> bool {
        *self == TicketPatch::default()
    }

    /// Applies the patch: validates the result first, so an invalid patch changes nothing.
    /// Returns whether anything changed; `updated_at` is set to `now` only then.
    ///
    /// ```
    /// # use chrono::Utc;
    /// # use ticket_core::ticket::{NewTicket, Ticket, TicketPatch};
    /// # use ticket_core::workflow::Workflow;
    /// # let now = Utc::now();
    /// # let mut t = NewTicket::new("t", "Old", "u")
    /// #     .build(&Workflow::itsm(), Ticket::new_id(now), "TKT-2026-000001".into(), now).unwrap();
    /// let bad = TicketPatch { subject: Some("   ".into()), ..Default::default() };
    /// assert_eq!(bad.apply(&mut t, now).unwrap_err().to_string(), "Subject must not be empty");
    /// assert_eq!(t.subject, "Old");
    /// ```
    pub fn apply(&self, ticket: &mut Ticket, now: DateTime<Utc>) -> Result<bool> {
        let mut next = ticket.clone();
        if let Some(s) = &self.subject {
            validate_subject(s.trim())?;
            next.subject = s.trim().to_string();
        }
        if let Some(d) = &self.description {
            next.description = d.clone();
        }
        if let Some(t) = self.ticket_type {
            next.ticket_type = t;
        }
        if let Some(p) = self.priority {
            next.priority = p;
        }
        if let Some(a) = &self.assignee_id {
            next.assignee_id = a.clone();
        }
        if let Some(c) = &self.customer_id {
            next.customer_id = c.clone();
        }
        if let Some(d) = self.due_at {
            next.due_at = d;
        }
        if let Some(ls) = &self.labels {
            for (k, v) in ls {
                match v {
                    Some(v) => {
                        next.labels.insert(k.clone(), v.clone());
                    }
                    None => {
                        next.labels.remove(k);
                    }
                }
            }
        }
        if let Some(m) = &self.metadata {
            next.metadata = normalize_metadata(m.clone());
        }
        next.validate()?;
        if next == *ticket {
            return Ok(false);
        }
        next.updated_at = now;
        *ticket = next;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap()
    }

    fn ticket() -> Ticket {
        NewTicket::new("t1", "  Router down  ", "u1")
            .build(
                &Workflow::itsm(),
                Ticket::new_id(now()),
                "TKT-2026-000001".into(),
                now(),
            )
            .unwrap()
    }

    #[test]
    fn build_trims_subject_and_starts_in_initial_state() {
        let t = ticket();
        assert_eq!(t.subject, "Router down");
        assert_eq!(t.status, "NEW");
        assert_eq!(t.workflow, "itsm");
        assert_eq!(t.metadata, json!({}));
        assert_eq!(t.created_at, now());
        assert_eq!(t.id.get_version_num(), 7);
    }

    #[test]
    fn new_ticket_validation_messages() {
        let base = || NewTicket::new("t1", "ok", "u1");
        let cases: Vec<(NewTicket, &str)> = vec![
            (
                NewTicket::new("t1", " \t ", "u1"),
                "Subject must not be empty",
            ),
            (NewTicket::new("", "s", "u1"), "tenant_id must not be empty"),
            (
                NewTicket::new("t", "s", " "),
                "reporter_id must not be empty",
            ),
            (
                NewTicket::new("t1", "x".repeat(256), "u1"),
                "Subject is 256 characters long; at most 255 are allowed",
            ),
            (NewTicket::new("t1", "a\nb", "u1"), "single line"),
            (
                base().description("d".repeat(MAX_DESCRIPTION_BYTES + 1)),
                "at most 65536 bytes",
            ),
            (
                base().label("Camera", "1"),
                "Label key 'Camera' may only contain",
            ),
            (base().label("", "1"), "Label keys must not be empty"),
            (
                base().label("k".repeat(65), "1"),
                "longer than 64 characters",
            ),
            (
                base().label("k", "v".repeat(256)),
                "Value of label 'k' is longer",
            ),
            (
                base().metadata(json!([1, 2])),
                "Metadata must be a JSON object",
            ),
            (
                base().metadata(json!({"x": "y".repeat(MAX_METADATA_BYTES)})),
                "at most 65536 bytes (64 KiB)",
            ),
            (base().assignee(""), "assignee_id must not be empty"),
        ];
        for (input, want) in cases {
            let err = input.validate().unwrap_err();
            assert!(matches!(err, Error::Validation(_)));
            assert!(err.to_string().contains(want), "{err} !~ {want}");
        }
        let mut many = base();
        for i in 0..=MAX_LABELS {
            many = many.label(format!("k{i}"), "v");
        }
        assert!(
            many.validate()
                .unwrap_err()
                .to_string()
                .contains("at most 50 labels")
        );
        // Exactly at the limits is fine.
        let mut ok = base()
            .description("d".repeat(MAX_DESCRIPTION_BYTES))
            .label("k".repeat(64), "v".repeat(255));
        ok.subject = "é".repeat(255);
        ok.validate().unwrap();
    }

    #[test]
    fn patch_semantics() {
        let mut t = ticket();
        t.labels.insert("project_id".into(), "p1".into());
        t.assignee_id = Some("a".into());
        let later = now() + chrono::Duration::minutes(5);
        let patch: TicketPatch = serde_json::from_value(json!({
            "priority": "P1",
            "assignee_id": null,
            "labels": {"project_id": null, "contractor_id": "c9"},
            "metadata": {"k": 1}
        }))
        .unwrap();
        assert!(patch.customer_id.is_none());
        assert_eq!(patch.assignee_id, Some(None));
        assert!(patch.apply(&mut t, later).unwrap());
        assert_eq!(t.priority, Priority::Critical);
        assert_eq!(t.assignee_id, None);
        assert_eq!(
            t.labels.get("contractor_id").map(String::as_str),
            Some("c9")
        );
        assert!(!t.labels.contains_key("project_id"));
        assert_eq!(t.metadata, json!({"k": 1}));
        assert_eq!(t.updated_at, later);
        // Re-applying changes nothing and keeps updated_at.
        assert!(
            !patch
                .apply(&mut t, later + chrono::Duration::hours(1))
                .unwrap()
        );
        assert_eq!(t.updated_at, later);
        assert!(TicketPatch::default().is_empty());
    }

    #[test]
    fn invalid_patch_changes_nothing() {
        let mut t = ticket();
        let before = t.clone();
        let patch = TicketPatch {
            priority: Some(Priority::High),
            labels: Some(BTreeMap::from([("BAD KEY".to_string(), Some("v".into()))])),
            ..Default::default()
        };
        let err = patch.apply(&mut t, now()).unwrap_err();
        assert!(err.to_string().contains("Label key 'BAD KEY'"));
        assert_eq!(t, before);
    }

    #[test]
    fn ticket_serde_roundtrip() {
        let t = ticket();
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["priority"], "normal");
        assert_eq!(v["ticket_type"], "incident");
        let back: Ticket = serde_json::from_value(v).unwrap();
        assert_eq!(back, t);
    }
}
