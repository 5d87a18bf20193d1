//! What reading one upload may cost: the budgets every reader checks before it allocates, so
//! that no file can abort, stall or exhaust the process (docs/security.md, "Limits and
//! hardening", has the table and the memory bound they give).

/// Sheet rows beyond the header and `max_rows` data rows that a worksheet's cells may still
/// reach: title rows above the header, notes and blank lines.
pub const SPARE_SHEET_ROWS: usize = 1_000;

/// The limits of one upload. `Budgets::from(max_rows)` keeps every other limit at its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Non-blank data rows (header not counted); past it 413 `too_many_rows`.
    pub max_rows: usize,
    /// Columns: fields of a CSV record, the column of any XLSX cell with a value or of the
    /// sheet's declared dimension.
    pub max_columns: usize,
    /// Bytes of one CSV record (one line, or several when a quoted cell spans lines).
    pub max_record_bytes: usize,
    /// Nesting depth of a JSON upload (the top-level array or object is depth 1).
    pub max_json_depth: usize,
    /// XLSX: entries in the zip container.
    pub max_zip_entries: usize,
    /// XLSX: bytes all the zip's entries inflate to, together (and so each of them).
    pub max_inflated_bytes: u64,
    /// XLSX: inflated ÷ compressed size of an entry that inflates past `ratio_floor_bytes`.
    pub max_compression_ratio: u64,
    pub ratio_floor_bytes: u64,
    /// XLSX: entries of the shared-strings table.
    pub max_shared_strings: usize,
}

impl Budgets {
    /// The defaults, with `max_rows` data rows and `max_inflated_bytes` for an XLSX's entries.
    pub fn new(max_rows: usize, max_inflated_bytes: u64) -> Budgets {
        Budgets {
            max_rows,
            max_columns: 64,
            max_record_bytes: 64 * 1024,
            max_json_depth: 32,
            max_zip_entries: 10_000,
            max_inflated_bytes,
            // sheet XML deflates 5–20:1, a sheet of one repeated row up to ~100:1; a zip bomb
            // reaches ~1 000:1. Small entries may compress as they like.
            max_compression_ratio: 200,
            ratio_floor_bytes: 1024 * 1024,
            // ten distinct texts per row, the header included
            max_shared_strings: max_rows.saturating_add(1).saturating_mul(10),
        }
    }

    /// The last 1-based sheet row an XLSX cell may lie in.
    pub fn max_sheet_row(&self) -> usize {
        self.max_rows
            .saturating_add(1)
            .saturating_add(SPARE_SHEET_ROWS)
    }
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets::new(200_000, 256 * 1024 * 1024)
    }
}

impl From<usize> for Budgets {
    fn from(max_rows: usize) -> Self {
        Budgets::new(max_rows, Budgets::default().max_inflated_bytes)
    }
}

/// A file past one of its budgets: which budget, its limit, what was found and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    /// Stable name: `columns`, `sheet_rows`, `record_bytes`, `json_depth`, `zip_entries`,
    /// `inflated_bytes`, `compression_ratio`, `shared_strings`.
    pub budget: &'static str,
    pub limit: u64,
    pub found: u64,
    /// Where, for the message: `cell XFD1`, `line 7`, `xl/worksheets/sheet1.xml`.
    pub at: String,
}

impl OverBudget {
    pub fn new(budget: &'static str, limit: impl TryInto<u64>, found: impl TryInto<u64>) -> Self {
        OverBudget {
            budget,
            limit: limit.try_into().unwrap_or(u64::MAX),
            found: found.try_into().unwrap_or(u64::MAX),
            at: String::new(),
        }
    }

    pub fn at(mut self, at: impl Into<String>) -> Self {
        self.at = at.into();
        self
    }
}

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (limit, found) = (self.limit, self.found);
        let what = match self.budget {
            "columns" => format!("reaches column {found}; at most {limit} columns"),
            "sheet_rows" => format!("reaches sheet row {found}; at most {limit} rows"),
            "record_bytes" => format!("is a record of more than {limit} bytes"),
            "json_depth" => format!("nests deeper than {limit} levels"),
            "zip_entries" => format!("holds {found} zip entries; at most {limit}"),
            "inflated_bytes" => format!(
                "inflates past {} MiB, the budget of the whole workbook",
                limit / (1024 * 1024)
            ),
            "compression_ratio" => format!("is compressed more than {limit}:1"),
            "shared_strings" => format!("has more than {limit} shared strings"),
            other => format!("is past the {other} budget ({found} > {limit})"),
        };
        match self.at.as_str() {
            "" => write!(f, "the file {what}"),
            at => write!(f, "{at} {what}"),
        }
    }
}
