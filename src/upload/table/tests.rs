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
            (3, Some("A座"), Some("１２０")) // kept as given: numbers fold where parsed
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
            (2, Some("7"), Some("１２０"))
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
