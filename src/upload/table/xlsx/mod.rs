//! XLSX uploads: the first worksheet, read with calamine cell by cell.
//!
//! The zip container passes its budgets first (`container`). The sheet is then streamed: only
//! the row being read is held, so memory does not grow with where its cells claim to be (calamine's
//! `worksheet_range` allocates the rectangle spanned by the cells, 512 GiB for cells at `A1` and
//! `XFD1048576`). Calamine is called inside `guarded`: it has integer overflows on malformed cell
//! references that panic in debug builds, and a panic there must not escape as anything but a
//! refused file.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};

use super::budget::{Budgets, OverBudget};
use super::{resolve_header, ColumnSpec, Table, UploadError};
use crate::domain::unit_fields::normalize_cell;

mod container;

fn bad(e: &dyn std::fmt::Display) -> UploadError {
    UploadError::BadSpreadsheet(e.to_string())
}

/// Runs one calamine call; a panic inside it refuses the file.
fn guarded<T>(call: impl FnOnce() -> T) -> Result<T, UploadError> {
    catch_unwind(AssertUnwindSafe(call))
        .map_err(|_| bad(&"the workbook's XML is malformed (calamine could not read it)"))
}

pub(super) fn read_xlsx(
    bytes: &[u8],
    columns: &[ColumnSpec],
    budgets: &Budgets,
    table: &mut Table<'_>,
) -> Result<(), UploadError> {
    container::check(bytes, budgets)?;
    let mut workbook: Xlsx<_> =
        guarded(|| calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)))?
            .map_err(|e| bad(&e))?;
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| bad(&"the workbook has no worksheet"))?;
    let mut cells = match guarded(|| workbook.worksheet_cells_reader(&name))? {
        Ok(cells) => cells,
        Err(XlsxError::NotAWorksheet(_)) => return Err(UploadError::Empty),
        Err(e) => return Err(bad(&e)),
    };
    let declared = cells.dimensions();
    for corner in [declared.start, declared.end] {
        let at = || {
            format!(
                "the sheet's declared dimension (to {})",
                cell_name(corner.0, corner.1)
            )
        };
        within(budgets, corner, at)?;
    }
    let mut sheet = Sheet {
        columns,
        budgets,
        table,
        row: None,
        cells: Vec::new(),
        header: None,
        data_rows: 0,
    };
    while let Some(cell) = guarded(|| cells.next_cell())?.map_err(|e| bad(&e))? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, column) = cell.get_position();
        sheet.add(row, column, Data::from(cell.get_value().clone()))?;
    }
    sheet.finish()
}

/// Refuses a 0-based (row, column) past the sheet's row or column budget; `at` names it.
fn within(
    budgets: &Budgets,
    (row, column): (u32, u32),
    at: impl Fn() -> String,
) -> Result<(), UploadError> {
    let (row, column) = (row as usize + 1, column as usize + 1);
    let over = if column > budgets.max_columns {
        OverBudget::new("columns", budgets.max_columns, column)
    } else if row > budgets.max_sheet_row() {
        OverBudget::new("sheet_rows", budgets.max_sheet_row(), row)
    } else {
        return Ok(());
    };
    Err(UploadError::OverBudget(over.at(at())))
}

/// The spreadsheet name of a 0-based cell position, e.g. `XFD1048576`.
fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = column as u64 + 1;
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row as u64 + 1).to_string()
}

/// The sheet as it streams by: the row being gathered, the header once found.
struct Sheet<'s, 't> {
    columns: &'s [ColumnSpec],
    budgets: &'s Budgets,
    table: &'s mut Table<'t>,
    /// 0-based index of the row being gathered.
    row: Option<u32>,
    /// Its cells by column (at most `max_columns`).
    cells: Vec<Data>,
    header: Option<Vec<Option<&'static str>>>,
    data_rows: usize,
}

impl Sheet<'_, '_> {
    fn add(&mut self, row: u32, column: u32, value: Data) -> Result<(), UploadError> {
        within(self.budgets, (row, column), || {
            format!("cell {}", cell_name(row, column))
        })?;
        match self.row {
            Some(current) if row < current => {
                return Err(bad(&format!(
                    "the sheet's rows are out of order (row {} after row {})",
                    row + 1,
                    current + 1
                )));
            }
            Some(current) if row > current => self.flush()?,
            _ => {}
        }
        self.row = Some(row);
        let column = column as usize;
        if self.cells.len() <= column {
            self.cells.resize(column + 1, Data::Empty);
        }
        self.cells[column] = value;
        Ok(())
    }

    /// Hands the gathered row on: the first non-blank row is the header, later ones data.
    fn flush(&mut self) -> Result<(), UploadError> {
        let (Some(index), cells) = (self.row.take(), std::mem::take(&mut self.cells)) else {
            return Ok(());
        };
        let row = index as usize + 1;
        if cells
            .iter()
            .all(|c| cell_text(c).is_ok_and(|t| t.trim().is_empty()))
        {
            return Ok(());
        }
        match &self.header {
            None => {
                let headers: Vec<String> = cells
                    .iter()
                    .map(|c| normalize_cell(&cell_text(c).unwrap_or_default()))
                    .collect();
                self.header = Some(resolve_header(row, &headers, self.columns)?);
            }
            Some(map) => {
                self.data_rows += 1;
                // past the limit the rest is only counted, so the message can say how many
                if self.data_rows <= self.budgets.max_rows {
                    self.table.push_row(row, cells.iter().map(cell_text), map);
                }
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), UploadError> {
        self.flush()?;
        if self.header.is_none() {
            return Err(UploadError::Empty);
        }
        if self.data_rows > self.budgets.max_rows {
            return Err(UploadError::TooManyRows {
                rows: self.data_rows,
                limit: self.budgets.max_rows,
            });
        }
        Ok(())
    }
}

/// Renders a spreadsheet cell as the text its user sees, without float noise.
fn cell_text(cell: &Data) -> Result<Cow<'_, str>, String> {
    Ok(match cell {
        Data::Empty => Cow::Borrowed(""),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cow::Borrowed(s),
        Data::Int(i) => Cow::Owned(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cow::Owned((*f as i64).to_string()),
        Data::Float(f) => Cow::Owned(f.to_string()),
        Data::Bool(b) => Cow::Owned(b.to_string()),
        Data::DateTime(dt) => {
            // calamine's own time split can yield "14.1000" seconds, so round the fraction here
            let (y, mo, d, ..) = dt.to_ymd_hms_milli();
            let fraction = dt.as_f64() - dt.as_f64().floor();
            let ms_of_day = ((fraction * 86_400_000.0).round() as u32).min(86_399_999);
            let (h, mi) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
            let (s, ms) = (ms_of_day / 1000 % 60, ms_of_day % 1000);
            let mut text = format!("{y:04}-{mo:02}-{d:02}");
            if (h, mi, s, ms) != (0, 0, 0, 0) {
                text.push_str(&format!(" {h:02}:{mi:02}:{s:02}"));
            }
            if ms != 0 {
                text.push_str(&format!(".{ms:03}"));
            }
            Cow::Owned(text)
        }
        Data::Error(e) => return Err(format!("cell shows the spreadsheet error {e}")),
    })
}
