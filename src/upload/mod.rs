//! Upload tables (CSV / XLSX / JSON): header aliases, cell normalisation and per-row reports.

pub mod households;
pub mod table;
pub mod tickets;
pub mod units;

pub use table::{
    for_each_row, read_table, Budgets, ColumnSpec, OverBudget, RawRow, RowError, UploadError,
    UploadFormat,
};
pub use units::{parse_units, ParsedUnit, UnitRow, UNIT_COLUMNS};
