//! Every reading budget: a file just past it is refused naming it, a file within it is read.

use super::crafted::{declare_size, row, shared_strings, sheet, workbook, zip_of};
use super::*;

const COLUMNS: &[ColumnSpec] = &[column("building", &[], true), column("note", &[], false)];

fn read(bytes: &[u8], format: UploadFormat, budgets: Budgets) -> Result<Vec<RawRow>, UploadError> {
    read_table(bytes, format, "units", COLUMNS, budgets)
}

/// The budget a refusal names, with what it found.
fn over(result: Result<Vec<RawRow>, UploadError>) -> (&'static str, u64, String) {
    match result {
        Err(UploadError::OverBudget(o)) => (o.budget, o.found, o.to_string()),
        other => panic!("expected a budget refusal, got {other:?}"),
    }
}

fn xlsx(sheet_xml: &str) -> Result<Vec<RawRow>, UploadError> {
    let file = workbook(sheet_xml, None, &[]);
    read(&file, UploadFormat::Xlsx, Budgets::default())
}

fn header_and(rows: &str) -> String {
    row(1, &["building", "note"]) + rows
}

#[test]
fn a_small_crafted_workbook_reads() {
    let rows = xlsx(&sheet(Some("A1:B3"), &header_and(&row(3, &["7", "x"])))).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].row, rows[0].get("building")), (3, Some("7")));
}

#[test]
fn a_declared_dimension_past_the_columns_is_refused() {
    let (budget, found, message) = over(xlsx(&sheet(Some("A1:XFD1048576"), &header_and(""))));
    assert_eq!((budget, found), ("columns", 16_384));
    assert!(
        message.contains("declared dimension (to XFD1048576)"),
        "{message}"
    );
}

#[test]
fn a_declared_dimension_past_the_rows_is_refused() {
    let (budget, found, _) = over(xlsx(&sheet(Some("A1:B1048576"), &header_and(""))));
    assert_eq!((budget, found), ("sheet_rows", 1_048_576));
}

#[test]
fn a_far_cell_is_refused_before_anything_is_allocated_for_it() {
    let far = r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    let (budget, _, message) = over(xlsx(&sheet(None, &header_and(far))));
    assert_eq!(budget, "columns");
    assert!(message.starts_with("cell XFD1048576 "), "{message}");
    let low = r#"<row r="201002"><c r="A201002"><v>1</v></c></row>"#;
    assert_eq!(over(xlsx(&sheet(None, &header_and(low)))).0, "sheet_rows");
    // the last row a cell may reach: 200 000 data rows, the header and 1 000 spare rows
    let last = r#"<row r="201001"><c r="A201001"><v>1</v></c></row>"#;
    assert_eq!(xlsx(&sheet(None, &header_and(last))).unwrap().len(), 1);
}

#[test]
fn empty_cells_far_away_cost_nothing_and_are_ignored() {
    let styled = r#"<row r="9"><c r="XFD9" s="1"></c><c r="ZZ9" s="1"/></row>"#;
    let rows = xlsx(&sheet(None, &(header_and(&row(2, &["1"])) + styled))).unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn sixty_four_columns_read_and_the_sixty_fifth_is_refused() {
    let cell = |column: &str| format!(r#"<c r="{column}2"><v>1</v></c>"#);
    let within = header_and(&format!(r#"<row r="2">{}</row>"#, cell("BL")));
    // a value under no column, but within the budget
    let result = xlsx(&sheet(Some("A1:BL2"), &within));
    assert!(
        matches!(result, Err(UploadError::Rejected(_))),
        "{result:?}"
    );
    let past = header_and(&format!(r#"<row r="2">{}</row>"#, cell("BM")));
    assert_eq!(over(xlsx(&sheet(None, &past))).1, 65);
}

#[test]
fn rows_out_of_order_are_a_bad_spreadsheet() {
    let rows = header_and(&(row(5, &["1"]) + &row(3, &["2"])));
    assert!(
        matches!(xlsx(&sheet(None, &rows)), Err(UploadError::BadSpreadsheet(m)) if m.contains("out of order"))
    );
}

#[test]
fn too_many_xlsx_rows_report_the_real_count() {
    let rows: String = (2..=8).map(|r| row(r, &["1"])).collect();
    let file = workbook(&sheet(None, &header_and(&rows)), None, &[]);
    let result = read(&file, UploadFormat::Xlsx, Budgets::from(5));
    assert!(
        matches!(result, Err(UploadError::TooManyRows { rows: 7, limit: 5 })),
        "{result:?}"
    );
}

#[test]
fn an_entry_compressed_past_the_ratio_is_refused() {
    let zeros = vec![b' '; 8 * 1024 * 1024];
    let file = workbook(
        &sheet(None, &header_and("")),
        None,
        &[("xl/media/blank.bin", &zeros)],
    );
    let (budget, found, message) = over(read(&file, UploadFormat::Xlsx, Budgets::default()));
    assert_eq!(budget, "compression_ratio");
    assert!(found > 200, "{found}");
    assert!(message.starts_with("xl/media/blank.bin "), "{message}");
}

#[test]
fn inflating_past_the_budget_is_refused_even_when_the_headers_lie() {
    let text: String = (0..200_000).map(|i| format!("{i:x}")).collect();
    let budgets = Budgets::new(100, 512 * 1024);
    let honest = workbook(
        &sheet(None, &header_and("")),
        None,
        &[("notes.txt", text.as_bytes())],
    );
    assert_eq!(
        over(read(&honest, UploadFormat::Xlsx, budgets)).0,
        "inflated_bytes"
    );
    // the same entry claiming to be 10 bytes: inflating stops at the budget all the same
    let lying = declare_size(honest, "notes.txt", 10);
    let (budget, found, _) = over(read(&lying, UploadFormat::Xlsx, budgets));
    assert_eq!(budget, "inflated_bytes");
    assert!(found <= 512 * 1024 + 1 + 4096, "{found}");
}

#[test]
fn too_many_zip_entries_are_refused() {
    let names: Vec<String> = (0..12).map(|i| format!("e{i}")).collect();
    let file = zip_of(names.iter().map(|n| (n.as_str(), &b""[..])));
    let budgets = Budgets {
        max_zip_entries: 10,
        ..Budgets::default()
    };
    assert_eq!(over(read(&file, UploadFormat::Xlsx, budgets)).1, 12);
}

#[test]
fn shared_strings_are_counted_before_calamine_reads_them() {
    let budgets = Budgets::from(9); // 100 shared strings
    let within = workbook(
        &sheet(None, &header_and("")),
        Some(&shared_strings(100)),
        &[],
    );
    assert!(matches!(
        read(&within, UploadFormat::Xlsx, budgets),
        Err(UploadError::Empty)
    ));
    let past = workbook(
        &sheet(None, &header_and("")),
        Some(&shared_strings(101)),
        &[],
    );
    assert_eq!(
        over(read(&past, UploadFormat::Xlsx, budgets)).0,
        "shared_strings"
    );
}

/// Calamine subtracts and multiplies these without checks: in a debug build that panics (caught,
/// the file refused); a release build wraps, reads nonsense positions and allocates nothing for
/// them.
#[test]
fn malformed_references_that_make_calamine_panic_are_a_bad_spreadsheet() {
    for xml in [
        sheet(Some("B2:A1"), &header_and("")),
        sheet(None, r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#),
        sheet(None, r#"<row r="99999999999"><c><v>1</v></c></row>"#),
    ] {
        let result = xlsx(&xml);
        if cfg!(debug_assertions) {
            assert!(
                matches!(result, Err(UploadError::BadSpreadsheet(_))),
                "{result:?}"
            );
        }
    }
}

#[test]
fn a_csv_record_past_64_kib_is_refused_with_its_line() {
    let long = format!("building,note\n1,ok\n2,\"{}\"\n", "x".repeat(64 * 1024));
    let (budget, _, message) = over(read(long.as_bytes(), UploadFormat::Csv, Budgets::default()));
    assert_eq!(budget, "record_bytes");
    assert!(message.starts_with("the record on line 3 "), "{message}");
    let fits = format!("building,note\n1,{}\n", "x".repeat(60 * 1024));
    assert!(read(fits.as_bytes(), UploadFormat::Csv, Budgets::default()).is_ok());
}

#[test]
fn csv_fields_past_the_columns_budget_are_refused_even_across_quoted_lines() {
    let fields = |n: usize| vec!["1"; n].join(",");
    let ok = format!("building,note\n{}\n", fields(64));
    let result = read(ok.as_bytes(), UploadFormat::Csv, Budgets::default());
    assert!(
        matches!(result, Err(UploadError::Rejected(_))),
        "stray cells, not a budget"
    );
    let wide = format!("building,note\n{}\n", fields(65));
    assert_eq!(
        over(read(wide.as_bytes(), UploadFormat::Csv, Budgets::default())).1,
        65
    );
    // short physical lines, one record: the quoted newlines do not end it
    let spread = format!("building,note\n\"a\n\",{}\n", vec!["\"\n\""; 70].join(","));
    assert_eq!(
        over(read(
            spread.as_bytes(),
            UploadFormat::Csv,
            Budgets::default()
        ))
        .0,
        "columns"
    );
}

#[test]
fn json_nested_past_the_depth_budget_is_refused() {
    let nested = |depth: usize| {
        let value = "[".repeat(depth) + &"]".repeat(depth);
        format!(r#"{{"units": [{{"building": "1", "note": {value}}}]}}"#)
    };
    // object, array, row, then 29 levels: 32 in all
    let errors = match read(
        nested(29).as_bytes(),
        UploadFormat::Json,
        Budgets::default(),
    ) {
        Err(UploadError::Rejected(errors)) => errors,
        other => panic!("{other:?}"),
    };
    assert_eq!(errors[0].message, "value must be text or a number");
    let (budget, found, _) = over(read(
        nested(30).as_bytes(),
        UploadFormat::Json,
        Budgets::default(),
    ));
    assert_eq!((budget, found), ("json_depth", 33));
    // far past serde_json's own limit of 128: still this budget, not a parse error
    assert_eq!(
        over(read(
            nested(10_000).as_bytes(),
            UploadFormat::Json,
            Budgets::default()
        ))
        .0,
        "json_depth"
    );
}

#[test]
fn json_elements_past_the_row_limit_are_only_counted() {
    let many = format!("[{}]", vec!["0"; 50].join(","));
    let result = read(many.as_bytes(), UploadFormat::Json, Budgets::from(10));
    assert!(
        matches!(
            result,
            Err(UploadError::TooManyRows {
                rows: 50,
                limit: 10
            })
        ),
        "{result:?}"
    );
}

#[test]
fn a_json_rows_key_given_twice_is_malformed() {
    let twice = r#"{"units": [{"building": "1"}], "units": [{"building": "2"}]}"#;
    let result = read(twice.as_bytes(), UploadFormat::Json, Budgets::default());
    assert!(matches!(result, Err(UploadError::MalformedJson(m)) if m.contains("twice")));
}
