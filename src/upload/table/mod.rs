//! Reads an uploaded table (CSV, XLSX or JSON) into rows of trimmed cells keyed by column.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::domain::unit_fields::trim_cell;

mod budget;
#[cfg(test)]
mod budget_tests;
mod check;
#[cfg(test)]
pub(crate) mod crafted;
mod csv;
mod json;
#[cfg(test)]
mod tests;
mod xlsx;

pub use budget::{Budgets, OverBudget, SPARE_SHEET_ROWS};
pub use check::{shorten, RowCheck};

/// The formats every upload route accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFormat {
    Csv,
    Xlsx,
    Json,
}

/// One problem in an upload, located as a spreadsheet user would find it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, utoipa::ToSchema)]
pub struct RowError {
    /// Spreadsheet row (header = 1), or the 1-based array index for JSON.
    pub row: usize,
    pub field: Option<String>,
    pub message: String,
}

impl RowError {
    pub fn new(row: usize, field: Option<&str>, message: impl Into<String>) -> RowError {
        RowError {
            row,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file has no data rows")]
    Empty,
    #[error("the file is neither UTF-8 nor GB18030 text")]
    BadEncoding,
    #[error("the file has {rows} rows, more than the limit of {limit}")]
    TooManyRows { rows: usize, limit: usize },
    #[error("malformed json: {0}")]
    MalformedJson(String),
    #[error("unreadable spreadsheet: {0}")]
    BadSpreadsheet(String),
    /// The file is past one of its reading budgets (refused before it is read further).
    #[error("{0}")]
    OverBudget(OverBudget),
    #[error("the upload has {} bad rows", .0.len())]
    Rejected(Vec<RowError>),
}

/// A column a table may carry: its canonical English key and the headers that mean it.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub key: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// A column of an upload table (for the `const` column lists).
pub const fn column(
    key: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> ColumnSpec {
    ColumnSpec {
        key,
        aliases,
        required,
    }
}

/// One non-blank data row.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// Spreadsheet numbering (header = 1); for JSON the 1-based array index.
    pub row: usize,
    /// Canonical key → cell text as given, trimmed; empty cells are left out. Numbers and
    /// codes are folded where they are parsed (`RowCheck`), so free text keeps every character.
    pub cells: HashMap<&'static str, String>,
}

impl RawRow {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.cells.get(key).map(String::as_str)
    }
}

/// Reads the table and rejects it when any header or row is structurally wrong.
pub fn read_table(
    bytes: &[u8],
    format: UploadFormat,
    json_key: &str,
    columns: &[ColumnSpec],
    budgets: impl Into<Budgets>,
) -> Result<Vec<RawRow>, UploadError> {
    let mut rows = Vec::new();
    let mut errors = for_each_row(bytes, format, json_key, columns, budgets, |r| rows.push(r))?;
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(UploadError::Rejected(errors))
    }
}

/// Streams the table's non-blank data rows to `visit` in order, and returns the row-level
/// problems (a stray cell, a JSON element that is not an object) so that callers can report
/// them together with their own validation errors. Header problems reject the whole table.
/// Streaming keeps 200 000 rows from ever being held as cell maps at once; `budgets` bound what
/// reading the file may cost (a number is the row limit, with the other budgets' defaults).
pub fn for_each_row(
    bytes: &[u8],
    format: UploadFormat,
    json_key: &str,
    columns: &[ColumnSpec],
    budgets: impl Into<Budgets>,
    mut visit: impl FnMut(RawRow),
) -> Result<Vec<RowError>, UploadError> {
    let budgets = budgets.into();
    let mut table = Table {
        visit: &mut visit,
        columns: columns.len(),
        rows: 0,
        errors: Vec::new(),
    };
    match format {
        UploadFormat::Csv => csv::read_csv(bytes, columns, &budgets, &mut table)?,
        UploadFormat::Xlsx => xlsx::read_xlsx(bytes, columns, &budgets, &mut table)?,
        UploadFormat::Json => json::read_json(bytes, json_key, columns, &budgets, &mut table)?,
    }
    if table.rows == 0 && table.errors.is_empty() {
        return Err(UploadError::Empty);
    }
    Ok(table.errors)
}

struct Table<'v> {
    visit: &'v mut dyn FnMut(RawRow),
    columns: usize,
    rows: usize,
    errors: Vec<RowError>,
}

impl Table<'_> {
    fn emit(&mut self, raw: RawRow) {
        self.rows += 1;
        (self.visit)(raw);
    }

    /// Adds a row from positional cells; blank rows are skipped.
    fn push_row<'c>(
        &mut self,
        row: usize,
        cells: impl Iterator<Item = Result<Cow<'c, str>, String>>,
        header: &[Option<&'static str>],
    ) {
        let mut out = HashMap::with_capacity(self.columns);
        let mut stray = false;
        for (i, cell) in cells.enumerate() {
            let key = header.get(i).copied().flatten();
            let text = match cell {
                Ok(text) => trim_cell(&text).to_owned(),
                Err(message) => {
                    self.errors.push(RowError::new(row, key, message));
                    continue;
                }
            };
            if text.is_empty() {
                continue;
            }
            match key {
                Some(key) => {
                    out.insert(key, text);
                }
                None => stray = true,
            }
        }
        if stray {
            let message = "row has more cells than the header (a value under no column)";
            self.errors.push(RowError::new(row, None, message));
        }
        if !out.is_empty() {
            self.emit(RawRow { row, cells: out });
        }
    }
}

/// Finds the column a header names: canonical key or alias, English case-insensitively,
/// tolerating a trailing unit or marker such as `建筑面积(㎡)` or `楼栋*`.
fn match_header(header: &str, columns: &[ColumnSpec]) -> Option<&'static str> {
    let find = |h: &str| {
        columns
            .iter()
            .find(|c| {
                h.eq_ignore_ascii_case(c.key) || c.aliases.iter().any(|a| h.eq_ignore_ascii_case(a))
            })
            .map(|c| c.key)
    };
    find(header).or_else(|| {
        let bare = header.trim_end_matches('*');
        let bare = match bare.strip_suffix(')') {
            Some(open) => open.rfind('(').map_or(bare, |i| &open[..i]),
            None => bare,
        };
        find(bare.trim())
    })
}

/// Maps header cells to columns; every unknown, duplicate or missing column is an error.
fn resolve_header(
    row: usize,
    headers: &[String],
    columns: &[ColumnSpec],
) -> Result<Vec<Option<&'static str>>, UploadError> {
    let mut errors = Vec::new();
    let mut seen: HashMap<&'static str, &str> = HashMap::new();
    let mut map = Vec::with_capacity(headers.len());
    for header in headers {
        if header.is_empty() {
            map.push(None);
            continue;
        }
        let key = match_header(header, columns);
        match key {
            None => errors.push(RowError::new(
                row,
                Some(header),
                format!("unknown column \"{header}\""),
            )),
            Some(key) => {
                if let Some(first) = seen.insert(key, header) {
                    let message = format!("columns \"{first}\" and \"{header}\" both mean {key}");
                    errors.push(RowError::new(row, Some(key), message));
                }
            }
        }
        map.push(key);
    }
    for column in columns
        .iter()
        .filter(|c| c.required && !seen.contains_key(c.key))
    {
        errors.push(RowError::new(row, Some(column.key), missing_column(column)));
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(UploadError::Rejected(errors))
    }
}

fn missing_column(column: &ColumnSpec) -> String {
    format!(
        "missing required column {} ({})",
        column.key,
        column.aliases.join(" / ")
    )
}
