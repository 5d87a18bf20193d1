//! The upload readers, through the unit and household checks, on random bytes, on text shaped
//! like each format, and on workbooks made of random sheet XML or mutated byte by byte.

use proptest::collection::vec;
use proptest::prelude::*;

use super::fuzz;
use crate::upload::households::parse_households;
use crate::upload::table::crafted;
use crate::upload::UNIT_COLUMNS;
use crate::upload::{parse_units, read_table, Budgets, RawRow, UploadError, UploadFormat};

fn budgets() -> Budgets {
    Budgets::from(50)
}

/// Reads `bytes` as a unit table and as a household table; checks what a success holds.
fn read_all(bytes: &[u8], format: UploadFormat) -> Result<(), TestCaseError> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    match read_table(bytes, format, "units", UNIT_COLUMNS, budgets()) {
        Ok(rows) => check_rows(&rows)?,
        Err(e) => check_error(&e)?,
    }
    if let Ok(units) = parse_units(bytes, format, budgets()) {
        prop_assert!(!units.is_empty() && units.len() <= 50);
    }
    let _ = parse_households(bytes, format, budgets(), today);
    Ok(())
}

fn check_rows(rows: &[RawRow]) -> Result<(), TestCaseError> {
    prop_assert!(!rows.is_empty() && rows.len() <= 50);
    prop_assert!(
        rows.windows(2).all(|w| w[0].row < w[1].row),
        "rows in order"
    );
    for row in rows {
        prop_assert!(row.row >= 1);
        prop_assert!(row.cells.values().all(|v| !v.is_empty()));
    }
    Ok(())
}

fn check_error(e: &UploadError) -> Result<(), TestCaseError> {
    if let UploadError::OverBudget(o) = e {
        prop_assert!(o.found > o.limit, "{o:?}");
    }
    prop_assert!(!e.to_string().is_empty());
    Ok(())
}

/// Text made of what CSV and the unit columns are made of.
fn csv_text() -> impl Strategy<Value = String> {
    let header =
        "(building|楼栋|room|房号|floor|layout|户型|area_m2|price_per_m2_yuan|单价|unit|总价|x)";
    let cell = r#"([0-9.,\-+eE室厅卫两三十 "\r\n\t]|楼|号|南|精装|\u{FEFF}|\u{3000}|１|，){0,12}"#;
    (vec(header, 1..8), vec(vec(cell, 0..9), 0..6)).prop_map(|(header, rows)| {
        let mut text = header.join(",");
        for row in rows {
            text.push('\n');
            text.push_str(&row.join(","));
        }
        text
    })
}

#[test]
fn csv_reader_takes_any_bytes() {
    fuzz(vec(any::<u8>(), 0..2048), |bytes| {
        read_all(&bytes, UploadFormat::Csv)
    });
}

#[test]
fn csv_reader_takes_any_table_shaped_text() {
    let gb18030 = csv_text().prop_map(|t| encoding_rs::GB18030.encode(&t).0.into_owned());
    let text = prop_oneof![csv_text().prop_map(String::into_bytes), gb18030];
    fuzz(text, |bytes| read_all(&bytes, UploadFormat::Csv));
}

/// JSON-like values: rows of column names with any kind of value, nested at random.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9.室厅卫 a-z楼]{0,8}".prop_map(Value::from),
    ];
    let key = "(building|room|floor|layout|area_m2|price_per_m2_yuan|units|[a-z]{1,3})";
    leaf.prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(key, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn json_reader_takes_any_value_and_any_bytes() {
    let text = prop_oneof![
        json_value().prop_map(|v| v.to_string().into_bytes()),
        json_value().prop_map(|v| format!(r#"{{"units": {v}}}"#).into_bytes()),
        vec(any::<u8>(), 0..512),
        // deep nesting, past serde_json's own limit
        (1usize..400).prop_map(|d| format!("[{}{}]", "[".repeat(d), "]".repeat(d)).into_bytes()),
    ];
    fuzz(text, |bytes| read_all(&bytes, UploadFormat::Json));
}

#[test]
fn xlsx_reader_takes_any_bytes() {
    let bytes = prop_oneof![
        vec(any::<u8>(), 0..1024),
        vec(any::<u8>(), 0..1024).prop_map(|b| [&b"PK\x03\x04"[..], &b].concat()),
    ];
    fuzz(bytes, |bytes| read_all(&bytes, UploadFormat::Xlsx));
}

/// A cell of random position, type and value; references may be malformed or far away.
fn cell_xml() -> impl Strategy<Value = String> {
    let reference = prop_oneof![
        3 => "[A-C][1-9]",
        1 => "[A-Z]{1,4}[0-9]{1,8}",
        1 => "[A-Za-z0-9:]{0,6}",
    ];
    let kind = prop_oneof![
        Just(""),
        Just(r#" t="s""#),
        Just(r#" t="n""#),
        Just(r#" t="b""#),
        Just(r#" t="e""#),
        Just(r#" t="str""#),
        Just(r#" t="d""#),
        Just(r#" t="inlineStr""#)
    ];
    let value = prop_oneof![
        "<v>[0-9.eE+-]{0,8}</v>",
        "<v>(#DIV/0!|#N/A|TRUE|2026-01-01T00:00:00)</v>",
        "<is><t>[a-z楼室0-9]{0,6}</t></is>",
        Just(String::new()),
    ];
    let style = prop_oneof![Just(""), Just(r#" s="0""#), Just(r#" s="7""#)];
    (proptest::option::of(reference), kind, style, value).prop_map(|(r, t, s, v)| {
        let r = r.map_or(String::new(), |r| format!(r#" r="{r}""#));
        format!("<c{r}{t}{s}>{v}</c>")
    })
}

fn sheet_xml() -> impl Strategy<Value = String> {
    let row = (proptest::option::of("[0-9]{1,7}"), vec(cell_xml(), 0..6));
    let dimension = proptest::option::of("[A-Z]{1,3}[0-9]{1,7}(:[A-Z]{1,3}[0-9]{1,7})?");
    (dimension, vec(row, 0..8)).prop_map(|(dimension, rows)| {
        let header = crafted::row(1, &["building", "room", "floor"]);
        let rows: String = rows
            .into_iter()
            .map(|(r, cells)| {
                let r = r.map_or(String::new(), |r| format!(r#" r="{r}""#));
                format!("<row{r}>{}</row>", cells.concat())
            })
            .collect();
        crafted::sheet(dimension.as_deref(), &(header + &rows))
    })
}

#[test]
fn xlsx_reader_takes_any_sheet_xml() {
    let shared = proptest::option::of((0usize..20).prop_map(crafted::shared_strings));
    fuzz((sheet_xml(), shared), |(sheet, shared)| {
        let file = crafted::workbook(&sheet, shared.as_deref(), &[]);
        read_all(&file, UploadFormat::Xlsx)
    });
}

/// A valid workbook as Excel-like writers make it.
fn valid_workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        [
            "building",
            "room",
            "floor",
            "layout",
            "area_m2",
            "price_per_m2_yuan",
        ],
        ["1", "101", "1", "3室2厅2卫", "89.5", "15000"],
        ["2", "202", "2", "两室一厅", "70", "12000"],
    ];
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match text.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r, c, n).map(|_| ()),
                _ => sheet.write_string(r, c, *text).map(|_| ()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// The entries of a zip, in order.
fn unzip(file: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(file)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("entry");
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("inflate");
            (entry.name().to_owned(), content)
        })
        .collect()
}

fn mutate(mut bytes: Vec<u8>, mutations: &[(prop::sample::Index, u8)]) -> Vec<u8> {
    for (at, byte) in mutations {
        if !bytes.is_empty() {
            let at = at.index(bytes.len());
            bytes[at] = *byte;
        }
    }
    bytes
}

/// Bytes overwritten in the zip itself (its headers and deflate streams), or in one of its
/// parts before it is zipped again (the XML calamine parses).
#[test]
fn xlsx_reader_takes_mutated_workbooks() {
    let original = valid_workbook();
    let units = parse_units(&original, UploadFormat::Xlsx, budgets()).expect("valid workbook");
    assert_eq!(units.len(), 2);
    let entries = unzip(&original);
    let mutations = vec((any::<prop::sample::Index>(), any::<u8>()), 1..8);
    let strategy = (any::<bool>(), any::<prop::sample::Index>(), mutations);
    fuzz(strategy, |(in_zip, entry, mutations)| {
        let file = if in_zip {
            mutate(original.clone(), &mutations)
        } else {
            let mut entries = entries.clone();
            let i = entry.index(entries.len());
            let (_, content) = &mut entries[i];
            *content = mutate(std::mem::take(content), &mutations);
            crafted::zip_of(entries.iter().map(|(n, c)| (n.as_str(), c.as_slice())))
        };
        read_all(&file, UploadFormat::Xlsx)
    });
}
