//! Reads an uploaded table (CSV, XLSX or JSON) into rows of normalised cells keyed by column.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::domain::unit_fields::normalize_cell;

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
    /// Canonical key → normalised cell text; empty cells are left out.
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
    max_rows: usize,
) -> Result<Vec<RawRow>, UploadError> {
    let mut rows = Vec::new();
    let mut errors = for_each_row(bytes, format, json_key, columns, max_rows, |r| rows.push(r))?;
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
/// Streaming keeps 100 000 rows from ever being held as cell maps at once.
pub fn for_each_row(
    bytes: &[u8],
    format: UploadFormat,
    json_key: &str,
    columns: &[ColumnSpec],
    max_rows: usize,
    mut visit: impl FnMut(RawRow),
) -> Result<Vec<RowError>, UploadError> {
    let mut table = Table {
        visit: &mut visit,
        columns: columns.len(),
        rows: 0,
        errors: Vec::new(),
    };
    match format {
        UploadFormat::Csv => read_csv(bytes, columns, max_rows, &mut table)?,
        UploadFormat::Xlsx => read_xlsx(bytes, columns, max_rows, &mut table)?,
        UploadFormat::Json => read_json(bytes, json_key, columns, max_rows, &mut table)?,
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
                Ok(text) => normalize_cell(&text),
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

fn read_csv(
    bytes: &[u8],
    columns: &[ColumnSpec],
    max_rows: usize,
    table: &mut Table<'_>,
) -> Result<(), UploadError> {
    let text = decode_text(bytes)?;
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

fn read_xlsx(
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

fn read_json(
    bytes: &[u8],
    json_key: &str,
    columns: &[ColumnSpec],
    max_rows: usize,
    table: &mut Table<'_>,
) -> Result<(), UploadError> {
    use serde_json::Value;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| UploadError::MalformedJson(e.to_string()))?;
    let shape = || {
        UploadError::MalformedJson(format!(
            "expected an array, or an object with a \"{json_key}\" array"
        ))
    };
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut object) => match object.remove(json_key) {
            Some(Value::Array(items)) => items,
            _ => return Err(shape()),
        },
        _ => return Err(shape()),
    };
    if items.len() > max_rows {
        return Err(UploadError::TooManyRows {
            rows: items.len(),
            limit: max_rows,
        });
    }
    let mut keys: HashMap<String, Option<&'static str>> = HashMap::new();
    let mut present: HashSet<&'static str> = HashSet::new();
    let mut reported_unknown: HashSet<String> = HashSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let row = i + 1;
        let Value::Object(object) = item else {
            table.errors.push(RowError::new(
                row,
                None,
                "row must be an object of column names and values",
            ));
            continue;
        };
        let mut cells = HashMap::with_capacity(columns.len());
        let mut named: Vec<(&'static str, &str)> = Vec::with_capacity(object.len());
        for (name, value) in &object {
            let key = match keys.get(name.as_str()) {
                Some(key) => *key,
                None => {
                    let key = match_header(&normalize_cell(name), columns);
                    keys.insert(name.clone(), key);
                    key
                }
            };
            let Some(key) = key else {
                if reported_unknown.insert(name.clone()) {
                    let message = format!("unknown column \"{name}\"");
                    table.errors.push(RowError::new(row, Some(name), message));
                }
                continue;
            };
            present.insert(key);
            if let Some((_, first)) = named.iter().find(|(k, _)| *k == key) {
                let message = format!("columns \"{first}\" and \"{name}\" both mean {key}");
                table.errors.push(RowError::new(row, Some(key), message));
            }
            named.push((key, name));
            let text = match value {
                Value::Null => continue,
                Value::String(s) => normalize_cell(s),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    let message = "value must be text or a number";
                    table.errors.push(RowError::new(row, Some(key), message));
                    continue;
                }
            };
            if !text.is_empty() {
                cells.insert(key, text);
            }
        }
        if !cells.is_empty() {
            table.emit(RawRow { row, cells });
        }
    }
    // A column no element carries is a header problem, reported once rather than per row.
    let mut missing: Vec<RowError> = columns
        .iter()
        .filter(|c| c.required && !present.contains(c.key))
        .map(|c| RowError::new(1, Some(c.key), missing_column(c)))
        .collect();
    if table.rows > 0 && !missing.is_empty() {
        missing.append(&mut table.errors);
        return Err(UploadError::Rejected(missing));
    }
    Ok(())
}

fn missing_column(column: &ColumnSpec) -> String {
    format!(
        "missing required column {} ({})",
        column.key,
        column.aliases.join(" / ")
    )
}

/// Validates the cells of one row, collecting every error; `ok` turns false on the first one.
pub struct RowCheck<'a> {
    pub raw: &'a RawRow,
    pub errors: &'a mut Vec<RowError>,
    pub ok: bool,
}

impl<'a> RowCheck<'a> {
    pub fn new(raw: &'a RawRow, errors: &'a mut Vec<RowError>) -> Self {
        RowCheck {
            raw,
            errors,
            ok: true,
        }
    }

    pub fn fail(&mut self, key: &str, message: String) {
        self.ok = false;
        self.errors
            .push(RowError::new(self.raw.row, Some(key), message));
    }

    /// Parses an optional cell; a parser's "must …" message is prefixed with the column and
    /// followed by the offending text so the clerk can find it.
    pub fn parse<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.raw.get(key)?;
        match parse(text) {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(key, format!("{key} {message}, got \"{}\"", shorten(text)));
                None
            }
        }
    }

    pub fn required<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.raw.get(key).is_none() {
            self.fail(key, format!("{key} is required"));
            return None;
        }
        self.parse(key, parse)
    }

    pub fn text(&mut self, key: &str, max_chars: usize, required: bool) -> String {
        let Some(text) = self.raw.get(key) else {
            if required {
                self.fail(key, format!("{key} is required"));
            }
            return String::new();
        };
        let count = text.chars().count();
        if count > max_chars {
            self.fail(
                key,
                format!("{key} must be at most {max_chars} characters, got {count}"),
            );
        }
        text.to_owned()
    }
}

/// A cell quoted in an error message, cut at 40 characters.
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(40) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const COLUMNS: &[ColumnSpec] = &[
        ColumnSpec {
            key: "building",
            aliases: &["楼栋", "楼号"],
            required: true,
        },
        ColumnSpec {
            key: "area_m2",
            aliases: &["建筑面积"],
            required: true,
        },
        ColumnSpec {
            key: "note",
            aliases: &["备注"],
            required: false,
        },
    ];

    fn read(bytes: &[u8], format: UploadFormat) -> Result<Vec<RawRow>, UploadError> {
        read_table(bytes, format, "units", COLUMNS, 100)
    }

    fn cells(rows: &[RawRow]) -> Vec<(usize, Option<&str>, Option<&str>)> {
        rows.iter()
            .map(|r| (r.row, r.get("building"), r.get("area_m2")))
            .collect()
    }

    fn rejected(result: Result<Vec<RawRow>, UploadError>) -> Vec<RowError> {
        match result {
            Err(UploadError::Rejected(errors)) => errors,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn csv_utf8_with_chinese_headers_in_any_order() {
        let rows = read(
            "建筑面积,楼栋\n89.5,3号楼\n１２０, A座 \n".as_bytes(),
            UploadFormat::Csv,
        )
        .unwrap();
        assert_eq!(
            cells(&rows),
            [
                (2, Some("3号楼"), Some("89.5")),
                (3, Some("A座"), Some("120"))
            ]
        );
        assert_eq!(rows[0].get("note"), None);
    }

    #[test]
    fn csv_with_bom_english_headers_and_units_in_header() {
        let rows = read(
            "\u{FEFF}Building,AREA_M2,建筑面积(㎡)x\n".as_bytes(),
            UploadFormat::Csv,
        );
        assert_eq!(rejected(rows)[0].field.as_deref(), Some("建筑面积(㎡)x"));
        let csv = "\u{FEFF}Building,建筑面积（㎡）,Note*\r\n1,90,n\r\n";
        let rows = read(csv.as_bytes(), UploadFormat::Csv).unwrap();
        assert_eq!(cells(&rows), [(2, Some("1"), Some("90"))]);
        assert_eq!(rows[0].get("note"), Some("n"));
    }

    #[test]
    fn csv_in_gb18030_is_decoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("楼栋,建筑面积,备注\n三号楼,89.5,朝南\n");
        assert!(std::str::from_utf8(&bytes).is_err());
        let rows = read(&bytes, UploadFormat::Csv).unwrap();
        assert_eq!(cells(&rows), [(2, Some("三号楼"), Some("89.5"))]);
        assert_eq!(rows[0].get("note"), Some("朝南"));
    }

    #[test]
    fn undecodable_bytes_are_bad_encoding() {
        for bytes in [
            &[0xFF, 0xFE, 0x00][..],
            &[0x81, 0x20],
            &[0xFE, 0xFF, 0, b'a'],
            b"a\0b",
        ] {
            assert!(
                matches!(
                    read(bytes, UploadFormat::Csv),
                    Err(UploadError::BadEncoding)
                ),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn header_problems_are_all_reported_on_row_1() {
        let errors = rejected(read(
            "楼栋,楼号,面积,,\n1,2,3\n".as_bytes(),
            UploadFormat::Csv,
        ));
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.row, e.field.as_deref().unwrap()))
            .collect();
        assert_eq!(fields, [(1, "building"), (1, "面积"), (1, "area_m2")]);
        assert_eq!(
            errors[0].message,
            "columns \"楼栋\" and \"楼号\" both mean building"
        );
        assert_eq!(errors[1].message, "unknown column \"面积\"");
        assert_eq!(
            errors[2].message,
            "missing required column area_m2 (建筑面积)"
        );
    }

    #[test]
    fn empty_inputs_are_empty() {
        for csv in ["", "\n\n", "\u{FEFF}", ",,\n"] {
            assert!(
                matches!(
                    read(csv.as_bytes(), UploadFormat::Csv),
                    Err(UploadError::Empty)
                ),
                "{csv:?}"
            );
        }
        assert!(matches!(
            read(b"building,area_m2\n,\n", UploadFormat::Csv),
            Err(UploadError::Empty)
        ));
        assert!(matches!(
            read(b"[]", UploadFormat::Json),
            Err(UploadError::Empty)
        ));
        assert!(matches!(
            read(b"{\"units\": []}", UploadFormat::Json),
            Err(UploadError::Empty)
        ));
    }

    #[test]
    fn too_many_rows_reports_the_real_count() {
        let csv = format!("building,area_m2\n{}", "1,2\n\n".repeat(150));
        match read(csv.as_bytes(), UploadFormat::Csv) {
            Err(UploadError::TooManyRows { rows, limit }) => assert_eq!((rows, limit), (150, 100)),
            other => panic!("{other:?}"),
        }
        let json = format!("[{}{{}}]", "{},".repeat(100));
        assert!(matches!(
            read(json.as_bytes(), UploadFormat::Json),
            Err(UploadError::TooManyRows { rows: 101, .. })
        ));
    }

    #[test]
    fn csv_rows_are_numbered_as_excel_shows_them() {
        // a quoted two-line cell is one spreadsheet row; blank rows still count
        let csv = "building,area_m2,note\n1,90,\"line one\nline two\"\n\n2,91,\n,,\n3,92,\"a\r\nb\nc\"\n4,93\n";
        let rows = read(csv.as_bytes(), UploadFormat::Csv).unwrap();
        let numbers: Vec<_> = rows.iter().map(|r| r.row).collect();
        assert_eq!(numbers, [2, 4, 6, 7]);
        assert_eq!(rows[0].get("note"), Some("line one\nline two"));
        let crlf = "\r\n\r\nbuilding,area_m2\r\n\r\n\r\n1,\"9\r\n0\"\r\n\r\n2,91";
        let rows = read(crlf.as_bytes(), UploadFormat::Csv).unwrap();
        let numbers: Vec<_> = rows.iter().map(|r| r.row).collect();
        assert_eq!(numbers, [6, 8]);
    }

    #[test]
    fn extra_cells_are_row_errors_but_empty_extras_are_ignored() {
        let csv = "building,area_m2\n1,90,,\n2,91,oops\n";
        let mut rows = 0;
        let errors = for_each_row(csv.as_bytes(), UploadFormat::Csv, "", COLUMNS, 10, |_| {
            rows += 1
        })
        .unwrap();
        assert_eq!(rows, 2);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].row, errors[0].field.as_deref()), (3, None));
        assert!(errors[0]
            .message
            .starts_with("row has more cells than the header"));
        assert!(matches!(
            read(csv.as_bytes(), UploadFormat::Csv),
            Err(UploadError::Rejected(_))
        ));
    }

    #[test]
    fn xlsx_first_sheet_numbers_render_without_float_noise() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write(1, 1, "楼栋").unwrap();
        sheet.write(1, 2, "建筑面积").unwrap();
        sheet.write(1, 3, "note").unwrap();
        sheet.write(2, 1, 3).unwrap();
        sheet.write(2, 2, 89.5).unwrap();
        sheet.write(2, 3, 12000.0).unwrap();
        sheet.write(4, 1, "A座").unwrap();
        sheet.write(4, 2, 0.1 + 0.2).unwrap();
        sheet.write(4, 3, true).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let rows = read(&bytes, UploadFormat::Xlsx).unwrap();
        assert_eq!(
            cells(&rows),
            [
                (3, Some("3"), Some("89.5")),
                (5, Some("A座"), Some("0.30000000000000004"))
            ]
        );
        assert_eq!(rows[0].get("note"), Some("12000"));
        assert_eq!(rows[1].get("note"), Some("true"));
    }

    #[test]
    fn xlsx_dates_render_as_iso_text() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let date = rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-03-01 09:30:15").unwrap();
        sheet
            .write_row(0, 0, ["building", "area_m2", "note"])
            .unwrap();
        sheet.write(1, 0, "1").unwrap();
        sheet.write(1, 1, "90").unwrap();
        sheet.write_with_format(1, 2, &date, &format).unwrap();
        let rows = read(&workbook.save_to_buffer().unwrap(), UploadFormat::Xlsx).unwrap();
        assert_eq!(rows[0].get("note"), Some("2026-03-01 09:30:15"));
    }

    #[test]
    fn unreadable_or_empty_spreadsheets() {
        assert!(matches!(
            read(b"not a zip", UploadFormat::Xlsx),
            Err(UploadError::BadSpreadsheet(_))
        ));
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet();
        let bytes = workbook.save_to_buffer().unwrap();
        assert!(matches!(
            read(&bytes, UploadFormat::Xlsx),
            Err(UploadError::Empty)
        ));
    }

    #[test]
    fn json_object_or_array_with_mixed_value_types() {
        let json = r#"{"units": [{"楼栋": "3号楼", "建筑面积": 89.5, "note": null}, {"Building": 7, "area_m2": "１２０"}]}"#;
        let rows = read(json.as_bytes(), UploadFormat::Json).unwrap();
        assert_eq!(
            cells(&rows),
            [
                (1, Some("3号楼"), Some("89.5")),
                (2, Some("7"), Some("120"))
            ]
        );
        let array = "\u{FEFF}[{\"building\": true, \"area_m2\": 12000.0}]";
        let rows = read(array.as_bytes(), UploadFormat::Json).unwrap();
        assert_eq!(cells(&rows), [(1, Some("true"), Some("12000.0"))]);
    }

    #[test]
    fn json_shape_problems() {
        assert!(matches!(
            read(b"{\"units\": [", UploadFormat::Json),
            Err(UploadError::MalformedJson(_))
        ));
        assert!(matches!(
            read(b"{\"rows\": []}", UploadFormat::Json),
            Err(UploadError::MalformedJson(_))
        ));
        assert!(matches!(
            read(b"42", UploadFormat::Json),
            Err(UploadError::MalformedJson(_))
        ));
        let json = r#"[{"building": "1", "area_m2": 9}, 5, {"building": "2", "楼栋": "3", "area_m2": [1], "size": 1}, {"size": 2, "area_m2": 1}]"#;
        let errors = rejected(read(json.as_bytes(), UploadFormat::Json));
        let mut found: Vec<_> = errors.iter().map(|e| (e.row, e.field.as_deref())).collect();
        found.sort();
        assert_eq!(
            found,
            [
                (2, None),
                (3, Some("area_m2")),
                (3, Some("building")),
                (3, Some("size"))
            ]
        );
        let errors = rejected(read(br#"[{"building": "1"}]"#, UploadFormat::Json));
        assert_eq!(
            errors[0].message,
            "missing required column area_m2 (建筑面积)"
        );
    }

    proptest! {
        #[test]
        fn csv_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = read_table(&bytes, UploadFormat::Csv, "units", COLUMNS, 5);
        }

        #[test]
        fn csv_reader_never_panics_on_text(s in "[楼栋建筑面积building,area_m2\"\n\r 0-9a-z]{0,120}") {
            let _ = read_table(s.as_bytes(), UploadFormat::Csv, "units", COLUMNS, 5);
        }

        #[test]
        fn json_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = read_table(&bytes, UploadFormat::Json, "units", COLUMNS, 5);
            let _ = read_table(&bytes, UploadFormat::Xlsx, "units", COLUMNS, 5);
        }

        #[test]
        fn json_reader_never_panics_on_json_like_text(s in r#"[\[\]{}":,0-9a-z楼栋 nul.-]{0,120}"#) {
            let _ = read_table(s.as_bytes(), UploadFormat::Json, "units", COLUMNS, 5);
        }
    }
}
