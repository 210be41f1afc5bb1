//! The error type every [`Desk`](crate::Desk) use-case returns.

use std::fmt;

/// The kind of a [`Error`], stable across Rust, Python (exception classes) and Node (`code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The object does not exist for this actor (also: it belongs to another tenant).
    NotFound,
    /// The change conflicts with the current state (e.g. the alarm already has a ticket).
    Conflict,
    /// The actor lacks a permission.
    PermissionDenied,
    /// The input was malformed or out of range; nothing was written.
    Validation,
    /// A workflow or lifecycle transition that is not allowed from the current state.
    InvalidTransition,
    /// The database or blob store failed.
    Storage,
}

impl ErrorKind {
    /// The stable code used by the bindings (`NOT_FOUND`, `CONFLICT`, ...).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::Conflict => "CONFLICT",
            ErrorKind::PermissionDenied => "PERMISSION_DENIED",
            ErrorKind::Validation => "VALIDATION",
            ErrorKind::InvalidTransition => "INVALID_TRANSITION",
            ErrorKind::Storage => "STORAGE",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An error from a Desk use-case: a kind and a message written for people. Where a seed gives
/// the text (e.g. `Alarm {id} not found`), the message is exactly that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    retryable: bool,
}

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            retryable: false,
        }
    }

    /// A [`ErrorKind::NotFound`] error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// A [`ErrorKind::Conflict`] error.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// A [`ErrorKind::Validation`] error.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, message)
    }

    /// A [`ErrorKind::PermissionDenied`] error with seed 000's message.
    pub fn permission_denied(permission: &str) -> Self {
        Self::new(
            ErrorKind::PermissionDenied,
            format!("Permission denied. Required permission: {permission}"),
        )
    }

    /// A [`ErrorKind::Storage`] error.
    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Storage, message)
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// True for transient storage failures (SQLite busy, PostgreSQL serialization failure or
    /// deadlock). The Desk retries these itself; one reaching a caller means the retries ran out.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }

    /// The message (same as `to_string()`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<ticket_core::Error> for Error {
    fn from(e: ticket_core::Error) -> Self {
        let kind = match &e {
            ticket_core::Error::Validation(_) => ErrorKind::Validation,
            ticket_core::Error::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            ticket_core::Error::PermissionDenied { .. } => ErrorKind::PermissionDenied,
            _ => ErrorKind::Validation,
        };
        Error::new(kind, e.to_string())
    }
}

impl From<fault_core::Error> for Error {
    fn from(e: fault_core::Error) -> Self {
        let kind = match &e {
            fault_core::Error::Validation(_) | fault_core::Error::TopologyCycle { .. } => {
                ErrorKind::Validation
            }
            fault_core::Error::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            fault_core::Error::AlarmNotFound(_) | fault_core::Error::NotFound(_) => {
                ErrorKind::NotFound
            }
            fault_core::Error::Conflict(_) => ErrorKind::Conflict,
            _ => ErrorKind::Validation,
        };
        Error::new(kind, e.to_string())
    }
}

impl From<fault_core::sla::SlaError> for Error {
    fn from(e: fault_core::sla::SlaError) -> Self {
        // Every SLA error is about the input (definition, period, interval, JSON).
        Error::new(ErrorKind::Validation, e.to_string())
    }
}

impl From<faultdesk_storage::Error> for Error {
    fn from(e: faultdesk_storage::Error) -> Self {
        use faultdesk_storage::Error as S;
        let kind = match &e {
            S::NotFound { .. } => ErrorKind::NotFound,
            S::Conflict(_) => ErrorKind::Conflict,
            // The database refused a value of the input (e.g. NUL on PostgreSQL).
            S::Rejected(_) => ErrorKind::Validation,
            _ => ErrorKind::Storage,
        };
        Error {
            kind,
            retryable: e.is_retryable(),
            message: e.to_string(),
        }
    }
}

/// Result alias for the Desk.
pub type Result<T, E = Error> = std::result::Result<T, E>;
