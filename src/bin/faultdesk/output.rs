//! What a command prints: one [`Report`] rendered as tables (`comfy-table`), JSON or CSV.
//!
//! A report holds the JSON value (printed by `--json`, pretty) and one or more [`Sheet`]s
//! (tables). Table mode prints every sheet, then the notes; `--csv` prints one sheet (the
//! report's CSV sheet) with a header row and no notes.

use chrono::{DateTime, SecondsFormat, Utc};
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value;
use std::io::Write;

/// The width tables are wrapped to when stdout is not a terminal (or one that reports no
/// usable width).
const PIPE_WIDTH: u16 = 120;

/// A terminal narrower than this (e.g. a pseudo-terminal that reports 0 columns) is treated
/// as having no width: the table is wrapped at [`PIPE_WIDTH`] instead of one character a column.
const MIN_TERMINAL_WIDTH: u16 = 40;

/// The output format chosen with `--json` / `--csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable tables (default).
    Table,
    /// JSON (`--json`).
    Json,
    /// CSV (`--csv`).
    Csv,
}

/// A table: a header and rows of cells.
#[derive(Debug, Clone)]
pub struct Sheet {
    title: Option<String>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Print as `field | value` lines in table mode (a single record).
    vertical: bool,
}

impl Sheet {
    /// A sheet with `header` and no rows.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Sheet {
            title: None,
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            vertical: false,
        }
    }

    /// One record: the keys are the header, the values the one row; printed vertically.
    pub fn record<K: Into<String>>(pairs: impl IntoIterator<Item = (K, String)>) -> Self {
        let (header, row): (Vec<String>, Vec<String>) =
            pairs.into_iter().map(|(k, v)| (k.into(), v)).unzip();
        Sheet {
            title: None,
            header,
            rows: vec![row],
            vertical: true,
        }
    }

    /// Sets the title printed above the table.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Appends a row (as many cells as the header).
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len(), "row width");
        self.rows.push(row);
    }

    fn table(&self) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
        if let Some(w) = fixed_width(terminal, t.width()) {
            t.set_width(w);
        }
        if self.vertical {
            let row = self.rows.first().cloned().unwrap_or_default();
            for (k, v) in self.header.iter().zip(row) {
                t.add_row(vec![k.clone(), v]);
            }
        } else {
            t.set_header(self.header.clone());
            for r in &self.rows {
                t.add_row(r.clone());
            }
        }
        t
    }
}

/// The width to wrap a table at, or `None` to let it follow the terminal: stdout is not a
/// terminal, or one whose width is unknown or unusably narrow (`detected` below
/// [`MIN_TERMINAL_WIDTH`]), gets [`PIPE_WIDTH`].
fn fixed_width(terminal: bool, detected: Option<u16>) -> Option<u16> {
    match detected {
        Some(w) if terminal && w >= MIN_TERMINAL_WIDTH => None,
        _ => Some(PIPE_WIDTH),
    }
}

/// Everything a command prints.
#[derive(Debug, Clone)]
pub struct Report {
    json: Value,
    sheets: Vec<Sheet>,
    csv_sheet: usize,
    /// A sheet printed by `--csv` only (instead of one of `sheets`).
    csv_only: Option<Sheet>,
    notes: Vec<String>,
}

impl Report {
    /// A report with its JSON form and its sheets (the first sheet is the CSV one).
    pub fn new(json: Value, sheets: Vec<Sheet>) -> Self {
        Report {
            json,
            sheets,
            csv_sheet: 0,
            csv_only: None,
            notes: Vec::new(),
        }
    }

    /// A report of one record (the JSON value and its flat `key, value` form).
    pub fn record<K: Into<String>>(
        json: Value,
        pairs: impl IntoIterator<Item = (K, String)>,
    ) -> Self {
        Report::new(json, vec![Sheet::record(pairs)])
    }

    /// Adds a line printed after the tables (table mode only).
    pub fn note(mut self, line: impl Into<String>) -> Self {
        self.notes.push(line.into());
        self
    }

    /// Chooses which sheet `--csv` prints.
    pub fn csv_sheet(mut self, index: usize) -> Self {
        self.csv_sheet = index;
        self
    }

    /// Makes `--csv` print `sheet`, which table mode does not show.
    pub fn with_csv(mut self, sheet: Sheet) -> Self {
        self.csv_only = Some(sheet);
        self
    }

    /// Prints the report on stdout in `format`.
    pub fn print(&self, format: Format) -> std::io::Result<()> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, &self.json)?;
                writeln!(out)?;
            }
            Format::Csv => {
                if let Some(sheet) = self.csv_only.as_ref().or(self.sheets.get(self.csv_sheet)) {
                    write_csv(&mut out, sheet)?;
                }
            }
            Format::Table => {
                for (i, s) in self.sheets.iter().enumerate() {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    if let Some(t) = &s.title {
                        writeln!(out, "{t}")?;
                    }
                    if s.rows.is_empty() && !s.vertical {
                        writeln!(out, "(none)")?;
                    } else {
                        writeln!(out, "{}", s.table())?;
                    }
                }
                for n in &self.notes {
                    writeln!(out, "{n}")?;
                }
            }
        }
        out.flush()
    }
}

fn write_csv(out: &mut impl Write, sheet: &Sheet) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&sheet.header)?;
    for r in &sheet.rows {
        w.write_record(r)?;
    }
    w.flush()
}

/// An instant as RFC 3339 in UTC, to the second (`2026-03-02T09:00:00Z`).
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An optional instant (`""` when absent).
pub fn opt_time(t: Option<DateTime<Utc>>) -> String {
    t.map(time).unwrap_or_default()
}

/// An optional displayable value (`""` when absent).
pub fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The JSON value of `v` (every type the CLI prints serialises).
pub fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A JSON value as one cell: strings bare, `null` empty, others as JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The URL with its password replaced by `***` (for messages and output).
///
/// `postgres://fd:secret@db/faultdesk` → `postgres://fd:***@db/faultdesk`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://fd:secret@db:5432/faultdesk"),
            "postgres://fd:***@db:5432/faultdesk"
        );
        assert_eq!(redact_url("postgres://fd@db/x"), "postgres://fd@db/x");
        assert_eq!(redact_url("sqlite://faultdesk.db"), "sqlite://faultdesk.db");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn tables_follow_only_a_usable_terminal() {
        assert_eq!(fixed_width(true, Some(200)), None);
        assert_eq!(fixed_width(true, Some(MIN_TERMINAL_WIDTH)), None);
        // A pseudo-terminal that reports 0 columns would squeeze every column to one character.
        assert_eq!(fixed_width(true, Some(0)), Some(PIPE_WIDTH));
        assert_eq!(fixed_width(true, None), Some(PIPE_WIDTH));
        assert_eq!(fixed_width(false, Some(200)), Some(PIPE_WIDTH));
    }

    #[test]
    fn csv_quotes_cells() {
        let mut s = Sheet::new(["a", "b"]);
        s.push(vec!["x,y".into(), "say \"hi\"".into()]);
        let mut buf = Vec::new();
        write_csv(&mut buf, &s).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n"
        );
    }
}
