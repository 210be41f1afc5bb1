//! Ticket types.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of ticket.
///
/// ```
/// use ticket_core::TicketType;
/// assert_eq!("outage".parse::<TicketType>().unwrap(), TicketType::Outage);
/// assert_eq!(TicketType::ServiceRequest.to_string(), "service_request");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketType {
    /// A fault on a device or service (the default for tickets from alarms).
    Fault,
    /// A service outage.
    Outage,
    /// Planned or reactive maintenance work.
    Maintenance,
    /// An incident reported by a user or customer.
    Incident,
    /// A request for service.
    ServiceRequest,
    /// A change request.
    ChangeRequest,
}

impl TicketType {
    /// All ticket types.
    pub const ALL: [TicketType; 6] = [
        TicketType::Fault,
        TicketType::Outage,
        TicketType::Maintenance,
        TicketType::Incident,
        TicketType::ServiceRequest,
        TicketType::ChangeRequest,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketType::Fault => "fault",
            TicketType::Outage => "outage",
            TicketType::Maintenance => "maintenance",
            TicketType::Incident => "incident",
            TicketType::ServiceRequest => "service_request",
            TicketType::ChangeRequest => "change_request",
        }
    }
}

impl fmt::Display for TicketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TicketType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        TicketType::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                Error::validation(format!(
                    "Invalid ticket type '{s}'. Accepted values: fault, outage, maintenance, incident, service_request, change_request"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_all() {
        for t in TicketType::ALL {
            assert_eq!(t.as_str().parse::<TicketType>().unwrap(), t);
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert!(
            "bug"
                .parse::<TicketType>()
                .unwrap_err()
                .to_string()
                .contains("Accepted values")
        );
    }
}
