//! XLSX uploads: the first worksheet, read with calamine.

use std::borrow::Cow;

use super::{resolve_header, ColumnSpec, Table, UploadError};
use crate::domain::unit_fields::normalize_cell;

pub(super) fn read_xlsx(
    bytes: &[u8],
    columns: &[ColumnSpec],
    max_rows: usize,
    table: &mut Table<'_>,
) -> Result<(), UploadError> {
    use calamine::{Data, Reader, Xlsx};
    let bad = |e: &dyn std::fmt::Display| UploadError::BadSpreadsheet(e.to_string());
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| bad(&"the workbook has no worksheet"))?
        .map_err(|e| bad(&e))?;
    let Some((first_row, _)) = range.start() else {
        return Err(UploadError::Empty);
    };
    let blank = |r: &[Data]| {
        r.iter()
            .all(|c| cell_text(c).is_ok_and(|t| t.trim().is_empty()))
    };
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row as usize + i + 1, r));
    let Some((header_row, header_cells)) = rows.by_ref().find(|(_, r)| !blank(r)) else {
        return Err(UploadError::Empty);
    };
    let headers: Vec<String> = header_cells
        .iter()
        .map(|c| normalize_cell(&cell_text(c).unwrap_or_default()))
        .collect();
    let map = resolve_header(header_row, &headers, columns)?;
    let rows: Vec<_> = rows.filter(|(_, r)| !blank(r)).collect();
    if rows.len() > max_rows {
        return Err(UploadError::TooManyRows {
            rows: rows.len(),
            limit: max_rows,
        });
    }
    for (row, cells) in rows {
        table.push_row(row, cells.iter().map(cell_text), &map);
    }
    Ok(())
}

/// Renders a spreadsheet cell as the text its user sees, without float noise.
fn cell_text(cell: &calamine::Data) -> Result<Cow<'_, str>, String> {
    use calamine::Data;
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
