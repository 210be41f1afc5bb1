//! Column encoding shared by both backends, and a small SQL builder.
//!
//! PostgreSQL columns use native types (`uuid`, `timestamptz`, `jsonb`, `numeric`). SQLite
//! columns are plain text so other programs can read them: UUIDs as lower-case hyphenated text,
//! timestamps as fixed-width RFC 3339 UTC with microseconds (`2026-01-31T08:00:00.000000Z`, so
//! text order is time order), JSON as text and decimals as their exact decimal text.

use crate::error::{Error, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use sea_orm::sqlx::{self, Row as _};
use sea_orm::{DbBackend, QueryResult, Statement, Value};
use uuid::Uuid;

/// Formats a timestamp the way SQLite columns store it.
pub(crate) fn sqlite_ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Truncates a timestamp to microseconds (the precision both backends store).
pub fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let micros = t.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(t)
}

fn decode_err(col: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidData(format!("column {col}: {e}"))
}

/// What a decode from the driver's own row gives: a missing column reads as NULL, as SeaORM's
/// `Option` decoding does.
fn column_or_null<T>(
    r: std::result::Result<Option<T>, sqlx::Error>,
    col: &str,
) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(v),
        Err(sqlx::Error::ColumnNotFound(_)) => Ok(None),
        Err(e) => Err(decode_err(col, e)),
    }
}

/// Reads a nullable column of a type both drivers decode, from the driver's row itself.
///
/// SeaORM's `Option<T>` decoding first decodes `T` and turns the NULL error it gets back into
/// `None`; that error's message is formatted (an allocation and a `Debug` of the column name)
/// for every NULL column of every row read. Rows here have many NULL columns (a ticket's
/// resolution and closing times, an alarm's acknowledgement, ...), so reading `Option<T>`
/// straight from the sqlx row saves that work on every list and batch.
fn get_opt<T>(row: &QueryResult, col: &str) -> Result<Option<T>>
where
    T: sea_orm::TryGetable
        + sqlx::Type<sqlx::Postgres>
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Sqlite>
        + for<'r> sqlx::Decode<'r, sqlx::Sqlite>,
{
    if let Some(r) = row.try_as_pg_row() {
        return column_or_null(r.try_get::<Option<T>, _>(col), col);
    }
    if let Some(r) = row.try_as_sqlite_row() {
        return column_or_null(r.try_get::<Option<T>, _>(col), col);
    }
    row.try_get::<Option<T>>("", col)
        .map_err(|e| decode_err(col, e))
}

/// [`get_opt`] for the types stored natively on PostgreSQL only.
fn get_opt_pg<T>(row: &QueryResult, col: &str) -> Result<Option<T>>
where
    T: sea_orm::TryGetable + sqlx::Type<sqlx::Postgres> + for<'r> sqlx::Decode<'r, sqlx::Postgres>,
{
    match row.try_as_pg_row() {
        Some(r) => column_or_null(r.try_get::<Option<T>, _>(col), col),
        None => row
            .try_get::<Option<T>>("", col)
            .map_err(|e| decode_err(col, e)),
    }
}

/// A Rust value stored in one column.
pub(crate) trait Col: Sized {
    /// SQL appended to this column's placeholder on PostgreSQL (e.g. `::jsonb` for a value
    /// bound as text).
    const PG_CAST: &'static str = "";
    /// The value to bind.
    fn to_value(&self, pg: bool) -> Value;
    /// Reads the column.
    fn from_col(row: &QueryResult, col: &str, pg: bool) -> Result<Self>;
}

macro_rules! col_native {
    ($t:ty, $variant:ident) => {
        impl Col for $t {
            fn to_value(&self, _pg: bool) -> Value {
                Value::$variant(Some(self.clone()))
            }
            fn from_col(row: &QueryResult, col: &str, _pg: bool) -> Result<Self> {
                get_opt::<$t>(row, col)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
            }
        }
        impl Col for Option<$t> {
            fn to_value(&self, _pg: bool) -> Value {
                Value::$variant(self.clone())
            }
            fn from_col(row: &QueryResult, col: &str, _pg: bool) -> Result<Self> {
                get_opt::<$t>(row, col)
            }
        }
    };
}

col_native!(String, String);
col_native!(i16, SmallInt);
col_native!(i32, Int);
col_native!(i64, BigInt);
col_native!(bool, Bool);

/// Types stored natively on PostgreSQL and as text on SQLite.
trait TextCol: Sized {
    fn native(v: Option<&Self>) -> Value;
    fn text(&self) -> String;
    fn parse(s: &str) -> std::result::Result<Self, String>;
    fn get_native(row: &QueryResult, col: &str) -> Result<Option<Self>>;
}

impl TextCol for Uuid {
    fn native(v: Option<&Self>) -> Value {
        Value::Uuid(v.copied())
    }
    fn text(&self) -> String {
        self.hyphenated().to_string()
    }
    fn parse(s: &str) -> std::result::Result<Self, String> {
        Uuid::parse_str(s).map_err(|e| e.to_string())
    }
    fn get_native(row: &QueryResult, col: &str) -> Result<Option<Self>> {
        get_opt_pg::<Uuid>(row, col)
    }
}

impl TextCol for DateTime<Utc> {
    fn native(v: Option<&Self>) -> Value {
        Value::ChronoDateTimeUtc(v.map(|t| truncate_micros(*t)))
    }
    fn text(&self) -> String {
        sqlite_ts(self)
    }
    fn parse(s: &str) -> std::result::Result<Self, String> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| e.to_string())
    }
    fn get_native(row: &QueryResult, col: &str) -> Result<Option<Self>> {
        get_opt_pg::<DateTime<Utc>>(row, col)
    }
}

impl TextCol for serde_json::Value {
    fn native(v: Option<&Self>) -> Value {
        Value::Json(v.map(|j| Box::new(j.clone())))
    }
    fn text(&self) -> String {
        self.to_string()
    }
    fn parse(s: &str) -> std::result::Result<Self, String> {
        serde_json::from_str(s).map_err(|e| e.to_string())
    }
    fn get_native(row: &QueryResult, col: &str) -> Result<Option<Self>> {
        get_opt_pg::<serde_json::Value>(row, col)
    }
}

impl TextCol for Decimal {
    fn native(v: Option<&Self>) -> Value {
        Value::Decimal(v.copied())
    }
    fn text(&self) -> String {
        self.to_string()
    }
    fn parse(s: &str) -> std::result::Result<Self, String> {
        s.parse::<Decimal>().map_err(|e| e.to_string())
    }
    fn get_native(row: &QueryResult, col: &str) -> Result<Option<Self>> {
        get_opt_pg::<Decimal>(row, col)
    }
}

fn text_get<T: TextCol>(row: &QueryResult, col: &str, pg: bool) -> Result<Option<T>> {
    if pg {
        T::get_native(row, col)
    } else {
        match get_opt::<String>(row, col)? {
            None => Ok(None),
            Some(s) => T::parse(&s).map(Some).map_err(|e| decode_err(col, e)),
        }
    }
}

macro_rules! col_text {
    ($t:ty) => {
        impl Col for $t {
            fn to_value(&self, pg: bool) -> Value {
                if pg {
                    <$t as TextCol>::native(Some(self))
                } else {
                    Value::String(Some(self.text()))
                }
            }
            fn from_col(row: &QueryResult, col: &str, pg: bool) -> Result<Self> {
                text_get::<$t>(row, col, pg)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
            }
        }
        impl Col for Option<$t> {
            fn to_value(&self, pg: bool) -> Value {
                if pg {
                    <$t as TextCol>::native(self.as_ref())
                } else {
                    Value::String(self.as_ref().map(|v| v.text()))
                }
            }
            fn from_col(row: &QueryResult, col: &str, pg: bool) -> Result<Self> {
                text_get::<$t>(row, col, pg)
            }
        }
    };
}

col_text!(Uuid);
col_text!(DateTime<Utc>);
col_text!(serde_json::Value);
col_text!(Decimal);

/// JSON kept as its text.
///
/// A column of this type is written as the text it holds (on PostgreSQL cast to `jsonb` by the
/// database) without being parsed into a [`serde_json::Value`] and serialised again — what an
/// ingest of thousands of events per second needs for the events' payloads. Build it with
/// [`JsonText::serialize`] from any `Serialize` value (one serialisation, straight to text),
/// or from a `Value`. Equality compares the JSON values, so a document read back from
/// PostgreSQL (which normalises `jsonb`) equals the one written.
///
/// ```
/// use faultdesk_storage::JsonText;
/// let j = JsonText::serialize(&serde_json::json!({"olt": "olt-1", "n": 2})).unwrap();
/// assert_eq!(j.to_value()["n"], 2);
/// assert_eq!(j, JsonText::parse(r#"{ "n": 2, "olt": "olt-1" }"#).unwrap());
/// assert!(JsonText::parse("{not json").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct JsonText(String);

impl JsonText {
    /// Serialises `value` to JSON text.
    pub fn serialize<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<JsonText> {
        serde_json::to_string(value).map(JsonText)
    }

    /// Checks that `text` is one JSON value and keeps it as given.
    pub fn parse(text: impl Into<String>) -> serde_json::Result<JsonText> {
        let text = text.into();
        serde_json::from_str::<serde::de::IgnoredAny>(&text)?;
        Ok(JsonText(text))
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON value (parsed from the text, which is valid JSON by construction).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or(serde_json::Value::Null)
    }

    /// The JSON text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<&serde_json::Value> for JsonText {
    fn from(v: &serde_json::Value) -> Self {
        JsonText(v.to_string())
    }
}

impl From<serde_json::Value> for JsonText {
    fn from(v: serde_json::Value) -> Self {
        JsonText::from(&v)
    }
}

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.to_value() == other.to_value()
    }
}

impl std::fmt::Display for JsonText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn json_text_get(row: &QueryResult, col: &str, pg: bool) -> Result<Option<JsonText>> {
    if pg {
        Ok(<serde_json::Value as TextCol>::get_native(row, col)?.map(JsonText::from))
    } else {
        Ok(row
            .try_get::<Option<String>>("", col)
            .map_err(|e| decode_err(col, e))?
            .map(JsonText))
    }
}

impl Col for JsonText {
    const PG_CAST: &'static str = "::jsonb";
    fn to_value(&self, _pg: bool) -> Value {
        Value::String(Some(self.0.clone()))
    }
    fn from_col(row: &QueryResult, col: &str, pg: bool) -> Result<Self> {
        json_text_get(row, col, pg)?.ok_or_else(|| decode_err(col, "unexpected NULL"))
    }
}

impl Col for Option<JsonText> {
    const PG_CAST: &'static str = "::jsonb";
    fn to_value(&self, _pg: bool) -> Value {
        Value::String(self.as_ref().map(|j| j.0.clone()))
    }
    fn from_col(row: &QueryResult, col: &str, pg: bool) -> Result<Self> {
        json_text_get(row, col, pg)
    }
}

/// Encodes one value for binding (used by hand-written statements).
pub(crate) fn v<T: Col>(x: &T, pg: bool) -> Value {
    x.to_value(pg)
}

/// A table row: its table, columns (in order) and codec.
pub(crate) trait Record: Sized {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// Per column, what follows its placeholder on PostgreSQL ([`Col::PG_CAST`]).
    const PG_CASTS: &'static [&'static str];
    fn values(&self, pg: bool) -> Vec<Value>;
    fn from_row(row: &QueryResult, pg: bool) -> Result<Self>;
}

/// Builds SQL with the placeholder style of the backend (`?` or `$n`).
pub(crate) struct Q {
    pub(crate) pg: bool,
    sql: String,
    vals: Vec<Value>,
}

impl Q {
    pub(crate) fn new(pg: bool) -> Self {
        Q {
            pg,
            sql: String::with_capacity(256),
            vals: Vec::new(),
        }
    }

    /// Appends raw SQL (never user input).
    pub(crate) fn sql(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    /// Appends a placeholder bound to `val`.
    pub(crate) fn bind(&mut self, val: Value) -> &mut Self {
        self.vals.push(val);
        if self.pg {
            self.sql.push('$');
            self.sql.push_str(&self.vals.len().to_string());
        } else {
            self.sql.push('?');
        }
        self
    }

    /// Appends a placeholder bound to a column value.
    pub(crate) fn b<T: Col>(&mut self, x: &T) -> &mut Self {
        let val = x.to_value(self.pg);
        self.bind(val);
        if self.pg {
            self.sql.push_str(T::PG_CAST);
        }
        self
    }

    /// Appends the placeholders of one record's values, `(?, ?, ...)`.
    pub(crate) fn record<R: Record>(&mut self, row: &R) -> &mut Self {
        self.sql.push('(');
        for (j, val) in row.values(self.pg).into_iter().enumerate() {
            if j > 0 {
                self.sql.push_str(", ");
            }
            self.bind(val);
            if self.pg {
                self.sql.push_str(R::PG_CASTS[j]);
            }
        }
        self.sql.push(')');
        self
    }

    /// Appends `(?, ?, ...)` for a list.
    pub(crate) fn bind_list<T: Col>(&mut self, xs: &[T]) -> &mut Self {
        self.sql.push('(');
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.b(x);
        }
        self.sql.push(')');
        self
    }

    /// Puts raw SQL (never user input) before what was built so far (e.g. `EXPLAIN `).
    pub(crate) fn prefix(&mut self, s: &str) -> &mut Self {
        self.sql.insert_str(0, s);
        self
    }

    #[cfg(test)]
    pub(crate) fn params(&self) -> usize {
        self.vals.len()
    }

    pub(crate) fn build(self) -> Statement {
        let backend = if self.pg {
            DbBackend::Postgres
        } else {
            DbBackend::Sqlite
        };
        Statement::from_sql_and_values(backend, self.sql, self.vals)
    }

    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.sql
    }
}

/// Defines a row struct with one public field per column and its [`Record`] codec.
macro_rules! table_row {
    (
        $(#[$m:meta])*
        pub struct $name:ident in $table:literal {
            $( $(#[$fm:meta])* pub $f:ident : $t:ty ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fm])* pub $f: $t ),*
        }

        impl $crate::codec::Record for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($f)),*];
            const PG_CASTS: &'static [&'static str] = &[$(<$t as $crate::codec::Col>::PG_CAST),*];
            fn values(&self, pg: bool) -> Vec<sea_orm::Value> {
                vec![$( $crate::codec::Col::to_value(&self.$f, pg) ),*]
            }
            fn from_row(row: &sea_orm::QueryResult, pg: bool) -> $crate::error::Result<Self> {
                Ok(Self { $( $f: <$t as $crate::codec::Col>::from_col(row, stringify!($f), pg)? ),* })
            }
        }
    };
}
pub(crate) use table_row;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_timestamps_sort_as_text() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let b = a + chrono::Duration::microseconds(500_000);
        let c = a + chrono::Duration::seconds(1);
        let (sa, sb, sc) = (sqlite_ts(&a), sqlite_ts(&b), sqlite_ts(&c));
        assert_eq!(sa, "2026-01-01T00:00:00.000000Z");
        assert!(sa < sb && sb < sc);
        assert_eq!(<DateTime<Utc> as TextCol>::parse(&sb).unwrap(), b);
    }

    #[test]
    fn placeholders_follow_backend() {
        let mut q = Q::new(true);
        q.sql("a = ")
            .b(&1i32)
            .sql(" AND b IN ")
            .bind_list(&[1i64, 2]);
        assert_eq!(q.text(), "a = $1 AND b IN ($2, $3)");
        let mut q = Q::new(false);
        q.sql("a = ")
            .b(&1i32)
            .sql(" AND b IN ")
            .bind_list(&[1i64, 2]);
        assert_eq!(q.text(), "a = ? AND b IN (?, ?)");
        assert_eq!(q.params(), 3);
    }

    #[test]
    fn bad_text_is_invalid_data() {
        assert!(<Uuid as TextCol>::parse("nope").is_err());
        assert!(<Decimal as TextCol>::parse("1.5x").is_err());
    }
}
