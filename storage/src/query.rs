//! Filter, sort and page types of the list queries.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A page request: pages are numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Page number, from 1.
    pub page: u32,
    /// Items per page (1..=1000 at this layer; the Desk enforces its own maximum of 100).
    pub page_size: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            page: 1,
            page_size: 50,
        }
    }
}

impl Page {
    /// A page.
    pub fn new(page: u32, page_size: u32) -> Self {
        Page { page, page_size }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.page == 0 {
            return Err(Error::InvalidData("page numbers start at 1".into()));
        }
        if self.page_size == 0 || self.page_size > 1000 {
            return Err(Error::InvalidData(format!(
                "page_size must be between 1 and 1000, got {}",
                self.page_size
            )));
        }
        Ok(())
    }

    pub(crate) fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.page_size as i64
    }
}

/// A page of results with the total number of matching rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    /// The rows of the page.
    pub items: Vec<T>,
    /// Number of rows matching the filter (all pages).
    pub total: i64,
    /// Opaque keyset cursor for the page after this one (ticket lists only), `None` on the
    /// last page.
    pub next_cursor: Option<String>,
}

/// Filters of `list_alarms` (seed 002). Empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmFilter {
    /// Severities (any of).
    pub severity: Vec<String>,
    /// Statuses (any of).
    pub status: Vec<String>,
    /// Sources (any of).
    pub source: Vec<String>,
    /// Alarm type.
    pub alarm_type: Option<String>,
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Correlation group.
    pub correlation_id: Option<Uuid>,
    /// Root causes only / non-root only.
    pub is_root_cause: Option<bool>,
    /// With / without a ticket.
    pub has_ticket: Option<bool>,
    /// First occurrence at or after.
    pub from: Option<DateTime<Utc>>,
    /// First occurrence before.
    pub to: Option<DateTime<Utc>>,
}

/// Counts of alarms for statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmCounts {
    /// All matching alarms.
    pub total: i64,
    /// By status.
    pub by_status: BTreeMap<String, i64>,
    /// By severity.
    pub by_severity: BTreeMap<String, i64>,
    /// By source.
    pub by_source: BTreeMap<String, i64>,
    /// Alarms that have a ticket.
    pub with_ticket: i64,
    /// Root-cause alarms.
    pub root_causes: i64,
}

/// Counts of tickets for statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketCounts {
    /// All matching tickets (not deleted).
    pub total: i64,
    /// By workflow status.
    pub by_status: BTreeMap<String, i64>,
    /// By state category.
    pub by_category: BTreeMap<String, i64>,
    /// By priority rank.
    pub by_priority: BTreeMap<i16, i64>,
    /// By ticket type.
    pub by_type: BTreeMap<String, i64>,
    /// Open tickets.
    pub open: i64,
}

/// Filters of `list_tickets` and `search_tickets`. Empty lists and `None` mean "any". Deleted
/// tickets are never listed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFilter {
    /// Workflow status names (any of, exact lower-case).
    pub status: Vec<String>,
    /// State categories (any of).
    pub category: Vec<String>,
    /// Only open tickets (`category` in new/open/pending).
    pub open_only: bool,
    /// Priority ranks (any of).
    pub priority: Vec<i16>,
    /// Ticket types (any of).
    pub ticket_type: Vec<String>,
    /// Assignee.
    pub assignee_id: Option<String>,
    /// Only unassigned tickets.
    pub unassigned: bool,
    /// Reporter.
    pub reporter_id: Option<String>,
    /// Customer.
    pub customer_id: Option<String>,
    /// Labels that must all match (`key = value`).
    pub labels: BTreeMap<String, String>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before.
    pub created_to: Option<DateTime<Utc>>,
    /// Case-insensitive substring of subject or description (use `search_tickets` for
    /// ranked full-text search).
    pub text: Option<String>,
    /// Restrict to tickets this user reported (end users see only their own).
    pub reporter_only: Option<String>,
}

/// Sortable ticket columns (an allowlist: user input never becomes SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketSortField {
    /// Priority rank.
    Priority,
    /// Creation time.
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Due date.
    DueAt,
    /// Number (year, then sequence).
    Number,
    /// Workflow status name.
    Status,
}

impl TicketSortField {
    /// Parses a user-supplied sort field name.
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "priority" => TicketSortField::Priority,
            "created_at" | "created" => TicketSortField::CreatedAt,
            "updated_at" | "updated" => TicketSortField::UpdatedAt,
            "due_at" | "due" => TicketSortField::DueAt,
            "number" => TicketSortField::Number,
            "status" => TicketSortField::Status,
            other => {
                return Err(Error::InvalidData(format!(
                    "cannot sort by {other:?}; sortable fields: priority, created_at, updated_at, due_at, number, status"
                )));
            }
        })
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDir {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// A ticket sort: up to three keys; ties are always broken by id in the direction of the
/// last key, so pages and cursors are stable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSort {
    /// Keys in order.
    pub keys: Vec<(TicketSortField, SortDir)>,
}

impl Default for TicketSort {
    /// Priority descending, then newest first (seed 004's "open tickets by contractor").
    fn default() -> Self {
        TicketSort {
            keys: vec![
                (TicketSortField::Priority, SortDir::Desc),
                (TicketSortField::CreatedAt, SortDir::Desc),
            ],
        }
    }
}

impl TicketSort {
    /// Newest first.
    pub fn newest() -> Self {
        TicketSort {
            keys: vec![(TicketSortField::CreatedAt, SortDir::Desc)],
        }
    }
}

/// How to page a ticket list: by page number or after a keyset cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketPaging {
    /// Offset paging.
    Page(Page),
    /// The page after `cursor` (a `next_cursor` of a previous call with the same filter and
    /// sort), `page_size` rows.
    After {
        /// Cursor.
        cursor: String,
        /// Rows.
        page_size: u32,
    },
}

/// Filter of maintenance-window listings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaintenanceFilter {
    /// Windows overlapping `[from, to)`.
    pub overlapping: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Statuses (any of).
    pub status: Vec<String>,
}
