//! The storage error type and its mapping from both database backends.

use sea_orm::{DbErr, RuntimeErr};

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the storage layer.
///
/// Unique-constraint violations of both backends become [`Error::Conflict`]; SQLite's
/// `SQLITE_BUSY`/`SQLITE_LOCKED` become [`Error::Busy`] and PostgreSQL's serialization failure
/// (`40001`) and deadlock (`40P01`) become [`Error::Serialization`]. Both are retryable: run the
/// whole transaction again (see [`Error::is_retryable`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The row does not exist (or belongs to another tenant).
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of row (`"alarm"`, `"ticket"`, ...).
        entity: &'static str,
        /// The identifier that was looked up.
        id: String,
    },
    /// A unique constraint (or a foreign key) rejected the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database is locked by another writer (SQLite) or the pool had no free connection in
    /// time. Retryable.
    #[error("database busy: {0}")]
    Busy(String),
    /// A serialization failure or deadlock (PostgreSQL `40001` / `40P01`). Retryable.
    #[error("serialization failure: {0}")]
    Serialization(String),
    /// Data read from or given to the database is malformed (bad cursor, undecodable column).
    #[error("invalid data: {0}")]
    InvalidData(String),
    /// The database refused a value of the caller's input (PostgreSQL cannot store a NUL
    /// character in `text` or `jsonb`). Nothing was written; the input must change.
    #[error("{0}")]
    Rejected(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(DbErr),
}

impl Error {
    /// True for errors where running the same transaction again may succeed
    /// ([`Error::Busy`] and [`Error::Serialization`]).
    ///
    /// ```
    /// use faultdesk_storage::Error;
    /// assert!(Error::Busy("database is locked".into()).is_retryable());
    /// assert!(!Error::Conflict("duplicate".into()).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Busy(_) | Error::Serialization(_))
    }

    /// True for [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// True for [`Error::Conflict`].
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Conflict(_))
    }

    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

/// Classifies a database error code of either backend.
fn classify(code: &str, message: String) -> Option<Error> {
    match code {
        // SQLite primary/extended result codes: BUSY (5), BUSY_RECOVERY (261), BUSY_SNAPSHOT
        // (517), BUSY_TIMEOUT (773), LOCKED (6), LOCKED_SHAREDCACHE (262).
        "5" | "261" | "517" | "773" | "6" | "262" => Some(Error::Busy(message)),
        // SQLite CONSTRAINT_UNIQUE (2067), CONSTRAINT_PRIMARYKEY (1555), CONSTRAINT_FOREIGNKEY (787).
        "2067" | "1555" | "787" => Some(Error::Conflict(message)),
        // PostgreSQL unique_violation, foreign_key_violation, exclusion_violation.
        "23505" | "23503" | "23P01" => Some(Error::Conflict(message)),
        // PostgreSQL serialization_failure, deadlock_detected, lock_not_available.
        "40001" | "40P01" | "55P03" => Some(Error::Serialization(message)),
        // PostgreSQL character_not_in_repertoire (NUL in text), untranslatable_character
        // (\u0000 in jsonb): the caller's text, not the database, is at fault.
        "22021" | "22P05" => Some(Error::Rejected(
            "Text must not contain NUL characters (\\0)".into(),
        )),
        _ => None,
    }
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        match &err {
            DbErr::Exec(RuntimeErr::SqlxError(e))
            | DbErr::Query(RuntimeErr::SqlxError(e))
            | DbErr::Conn(RuntimeErr::SqlxError(e)) => {
                if let sea_orm::sqlx::Error::Database(db) = &**e {
                    let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                    if let Some(mapped) = classify(&code, db.message().to_string()) {
                        return mapped;
                    }
                }
                if let sea_orm::sqlx::Error::PoolTimedOut = &**e {
                    return Error::Busy("timed out waiting for a database connection".into());
                }
                Error::Db(err)
            }
            DbErr::ConnectionAcquire(e) => Error::Busy(e.to_string()),
            _ => Error::Db(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified() {
        assert!(classify("5", "locked".into()).unwrap().is_retryable());
        assert!(classify("517", "snapshot".into()).unwrap().is_retryable());
        assert!(classify("40001", "ser".into()).unwrap().is_retryable());
        assert!(classify("40P01", "deadlock".into()).unwrap().is_retryable());
        assert!(classify("2067", "unique".into()).unwrap().is_conflict());
        assert!(classify("23505", "unique".into()).unwrap().is_conflict());
        assert!(classify("42P01", "undefined table".into()).is_none());
        let nul = classify("22021", "invalid byte sequence".into()).unwrap();
        assert!(matches!(nul, Error::Rejected(_)) && !nul.is_retryable());
        assert!(nul.to_string().contains("NUL"), "{nul}");
    }

    #[test]
    fn messages_are_human() {
        let e = Error::not_found("alarm", "abc");
        assert_eq!(e.to_string(), "alarm abc not found");
        assert!(e.is_not_found());
        assert!(!e.is_retryable());
    }
}
