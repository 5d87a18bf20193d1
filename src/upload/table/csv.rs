//! CSV uploads: UTF-8 (with or without a BOM) or GB18030 text.

use std::borrow::Cow;

use super::budget::{Budgets, OverBudget};
use super::{resolve_header, ColumnSpec, Table, UploadError};
use crate::domain::unit_fields::normalize_cell;

/// CSV as UTF-8 (BOM or not) or GB18030, the way Excel on a Chinese Windows saves it.
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, UploadError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(UploadError::BadEncoding); // UTF-16 "Unicode text"
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(UploadError::BadEncoding)?,
    };
    if text.contains('\0') {
        return Err(UploadError::BadEncoding); // binary or UTF-16 without a BOM
    }
    Ok(match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.trim_start_matches('\u{FEFF}')),
        Cow::Owned(t) => Cow::Owned(t.trim_start_matches('\u{FEFF}').to_owned()),
    })
}

/// Checks every record's size and field count with the csv reader's own tokenizer and buffers
/// of the budgets' size, before the csv reader (which grows its buffers to whatever a record
/// needs: a line of 10 million commas would take 80 MB of field offsets) sees the text.
fn check_records(text: &[u8], budgets: &Budgets) -> Result<(), UploadError> {
    use csv_core::ReadRecordResult as R;
    let mut reader = csv_core::Reader::new();
    let mut output = vec![0u8; budgets.max_record_bytes];
    let mut ends = vec![0usize; budgets.max_columns];
    let (mut input, mut out, mut end) = (text, 0, 0);
    loop {
        let line = reader.line();
        let (result, nin, nout, nend) =
            reader.read_record(input, &mut output[out..], &mut ends[end..]);
        input = &input[nin..];
        (out, end) = (out + nout, end + nend);
        let budget = match result {
            R::InputEmpty => continue,
            R::Record => {
                (out, end) = (0, 0);
                continue;
            }
            R::End => return Ok(()),
            R::OutputFull => OverBudget::new("record_bytes", budgets.max_record_bytes, out + 1),
            R::OutputEndsFull => OverBudget::new("columns", budgets.max_columns, end + 1),
        };
        let at = format!("the record on line {line}");
        return Err(UploadError::OverBudget(budget.at(at)));
    }
}

pub(super) fn read_csv(
    bytes: &[u8],
    columns: &[ColumnSpec],
    budgets: &Budgets,
    table: &mut Table<'_>,
) -> Result<(), UploadError> {
    let text = decode_text(bytes)?;
    check_records(text.as_bytes(), budgets)?;
    let max_rows = budgets.max_rows;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut header: Option<Vec<Option<&'static str>>> = None;
    // Excel shows a quoted multi-line cell as one row, so its inner newlines do not count.
    let mut embedded_newlines = 0usize;
    let mut last_row = 0usize;
    let mut data_rows = 0usize;
    let blank = |r: &csv::StringRecord| r.iter().all(|f| f.trim().is_empty());
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(UploadError::BadSpreadsheet(e.to_string())),
        }
        let line = record.position().map_or(0, |p| {
            // the reported start includes blank lines the reader skipped before the record
            let skipped = text.as_bytes().get(p.byte() as usize..).unwrap_or_default();
            let newlines = skipped
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .filter(|b| **b == b'\n');
            p.line() as usize + newlines.count()
        });
        let row = line.saturating_sub(embedded_newlines).max(last_row + 1);
        last_row = row;
        embedded_newlines += record
            .iter()
            .map(|f| f.bytes().filter(|b| *b == b'\n').count())
            .sum::<usize>();
        if blank(&record) {
            continue;
        }
        let Some(map) = &header else {
            let cells: Vec<String> = record.iter().map(normalize_cell).collect();
            header = Some(resolve_header(row, &cells, columns)?);
            continue;
        };
        data_rows += 1;
        if data_rows > max_rows {
            // count the rest cheaply so the message can say how big the file is
            while reader.read_record(&mut record).unwrap_or(false) {
                data_rows += usize::from(!blank(&record));
            }
            return Err(UploadError::TooManyRows {
                rows: data_rows,
                limit: max_rows,
            });
        }
        table.push_row(row, record.iter().map(|f| Ok(Cow::Borrowed(f))), map);
    }
    Ok(())
}
