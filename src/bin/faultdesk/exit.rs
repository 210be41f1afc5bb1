//! Exit codes and the CLI's error type.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | refused: permission denied, conflict, transition not allowed (and other failures) |
//! | 2 | usage error: bad arguments (clap's own code) or an input file that cannot be read |
//! | 3 | validation error: invalid input; nothing was written |
//! | 4 | not found |
//! | 5 | storage error |

use crate::output::Format;
use faultdesk::ErrorKind;
use std::path::Path;

/// Refused (permission denied, conflict, invalid transition) or another failure.
pub const OTHER: u8 = 1;
/// Usage error (bad arguments; unreadable input file). clap exits with 2 for its own errors.
pub const USAGE: u8 = 2;
/// Validation error: invalid input, nothing written.
pub const VALIDATION: u8 = 3;
/// The object does not exist (for this actor).
pub const NOT_FOUND: u8 = 4;
/// The database failed.
pub const STORAGE: u8 = 5;

/// A failed command: what to tell the user and which exit code to return.
#[derive(Debug)]
pub struct CliError {
    code: u8,
    kind: &'static str,
    message: String,
    /// Further lines (e.g. every bad line of an input file).
    details: Vec<String>,
}

impl CliError {
    fn new(code: u8, kind: &'static str, message: impl Into<String>) -> Self {
        CliError {
            code,
            kind,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, "usage", message)
    }

    /// A validation error (exit 3).
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(VALIDATION, "validation", message)
    }

    /// A storage error (exit 5).
    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(STORAGE, "storage", message)
    }

    /// Writing the output failed (e.g. a closed pipe).
    pub fn output(e: std::io::Error) -> Self {
        Self::new(OTHER, "output", format!("cannot write the output: {e}"))
    }

    /// Adds detail lines, printed after the message.
    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    /// Maps a Desk error to its exit code.
    pub fn from_desk(e: faultdesk::Error) -> Self {
        let (code, kind) = match e.kind() {
            ErrorKind::Validation => (VALIDATION, "validation"),
            ErrorKind::NotFound => (NOT_FOUND, "not_found"),
            ErrorKind::Storage => (STORAGE, "storage"),
            ErrorKind::PermissionDenied => (OTHER, "permission_denied"),
            ErrorKind::Conflict => (OTHER, "conflict"),
            ErrorKind::InvalidTransition => (OTHER, "invalid_transition"),
            _ => (OTHER, "error"),
        };
        Self::new(code, kind, e.message().to_string())
    }

    /// A Desk error about the content of the file at `path` (the message names the file).
    pub fn from_desk_in(path: &Path, e: faultdesk::Error) -> Self {
        let mut err = Self::from_desk(e);
        err.message = format!("{}: {}", path.display(), err.message);
        err
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// Prints the error on stderr: `faultdesk: <message>` and its details, or with `--json`
    /// one object `{"error": {"kind", "message", "details", "exit_code"}}`.
    pub fn report(&self, format: Format) {
        if format == Format::Json {
            let v = serde_json::json!({"error": {
                "kind": self.kind,
                "message": self.message,
                "details": self.details,
                "exit_code": self.code,
            }});
            eprintln!("{v}");
        } else {
            eprintln!("faultdesk: {}", self.message);
            for d in &self.details {
                eprintln!("  {d}");
            }
        }
    }
}

/// Reads a whole input file; an unreadable file is a usage error naming it.
pub fn read_input(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}
