//! State categories: the fixed classification every workflow state belongs to.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The category of a workflow state. Workflows name their own states (`PENDING_INFO`,
/// `in_progress`, ...), but every state belongs to one of these categories, which the SLA clock,
/// filters ("open tickets" = new, open or pending) and statistics use.
///
/// ```
/// use ticket_core::category::StateCategory;
/// assert!(StateCategory::Pending.is_open());
/// assert!(!StateCategory::Resolved.is_open());
/// assert_eq!("closed".parse::<StateCategory>().unwrap(), StateCategory::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateCategory {
    /// Not yet looked at.
    New,
    /// Being worked on.
    Open,
    /// Waiting (for the customer, a third party, information): pauses SLA clocks by default.
    Pending,
    /// Solved, awaiting confirmation or closure.
    Resolved,
    /// Finished.
    Closed,
}

impl StateCategory {
    /// All categories in lifecycle order.
    pub const ALL: [StateCategory; 5] = [
        StateCategory::New,
        StateCategory::Open,
        StateCategory::Pending,
        StateCategory::Resolved,
        StateCategory::Closed,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StateCategory::New => "new",
            StateCategory::Open => "open",
            StateCategory::Pending => "pending",
            StateCategory::Resolved => "resolved",
            StateCategory::Closed => "closed",
        }
    }

    /// "Open" in the seeds' sense: new, open or pending.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            StateCategory::New | StateCategory::Open | StateCategory::Pending
        )
    }
}

impl fmt::Display for StateCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StateCategory {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        StateCategory::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                crate::Error::validation(format!(
                    "Invalid state category '{s}'. Accepted values: new, open, pending, resolved, closed"
                ))
            })
    }
}
