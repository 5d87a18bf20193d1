use super::*;
use crate::domain::usage::Usage;
use proptest::prelude::*;

const HEADER: &str = "楼栋,单元,房号,楼层,户型,建筑面积,套内面积,单价,总价,朝向,装修,备注,状态\n";

fn parse_csv(body: &str) -> Result<Vec<ParsedUnit>, UploadError> {
    parse_units(
        format!("{HEADER}{body}").as_bytes(),
        UploadFormat::Csv,
        1000,
    )
}

fn errors_of(result: Result<Vec<ParsedUnit>, UploadError>) -> Vec<(usize, String, String)> {
    match result {
        Err(UploadError::Rejected(errors)) => errors
            .into_iter()
            .map(|e| (e.row, e.field.unwrap_or_default(), e.message))
            .collect(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn a_full_row_becomes_a_unit() {
    let units =
        parse_csv("3号楼,1,101,1,3室2厅2卫,89.50,70.1,\"12,000\",1074000,朝南,精装,近地铁,可售\n")
            .unwrap();
    let unit = &units[0].unit;
    assert_eq!(units[0].row, 2);
    assert_eq!(unit.key(), ("3号楼".into(), "1".into(), "101".into()));
    assert_eq!(
        (unit.floor, unit.usage_layout.layout_text()),
        (1, "3室2厅2卫".to_owned())
    );
    assert_eq!((unit.area_centi, unit.inner_area_centi), (8950, Some(7010)));
    assert_eq!(
        (unit.price_per_m2_yuan, unit.total_price_yuan),
        (12000, 1_074_000)
    );
    assert_eq!(unit.orientation.as_deref(), Some("南"));
    assert_eq!(unit.decoration, Some(Decoration::Fine));
    assert_eq!(
        (unit.description.as_str(), unit.status),
        ("近地铁", ListedStatus::Available)
    );
}

#[test]
fn optional_columns_default_and_total_is_computed() {
    let csv =
        "building,room,floor,layout,area_m2,price_per_m2_yuan\nA座,1502,15,两室一厅,88.88,15555\n";
    let units = parse_units(csv.as_bytes(), UploadFormat::Csv, 10).unwrap();
    let unit = &units[0].unit;
    assert_eq!(
        (
            unit.unit.as_str(),
            unit.inner_area_centi,
            unit.orientation.as_ref()
        ),
        ("", None, None)
    );
    assert_eq!(unit.total_price_yuan, 1_382_528); // 88.88 × 15555 = 1 382 528.4
    assert_eq!(
        (unit.decoration, unit.status),
        (None, ListedStatus::Available)
    );
}

#[test]
fn a_stated_total_within_one_percent_is_authoritative() {
    let units = parse_csv("1,,101,2,1室,100,,10000,1009999,,,,不可售\n").unwrap();
    assert_eq!(units[0].unit.total_price_yuan, 1_009_999);
    assert_eq!(units[0].unit.status, ListedStatus::Withdrawn);
    let errors = errors_of(parse_csv("1,,101,2,1室,100,,10000,1010001,,,,\n"));
    assert_eq!(errors[0].1, "total_price_yuan");
    assert!(errors[0].2.contains("within 1%"), "{}", errors[0].2);
}

#[test]
fn every_error_of_every_row_is_reported() {
    let body = "1,,101,0,3厅2室,5,,999,,上,豪装,,sold\n\
                1,,102,3,2室,89.555,90,12000.5,,,,,\n\
                1,,103,3,2室,90,90.01,abc,,,,,\n";
    let errors = errors_of(parse_csv(body));
    let fields: Vec<_> = errors
        .iter()
        .map(|(row, field, _)| (*row, field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (2, "floor"),
            (2, "layout"),
            (2, "area_m2"),
            (2, "price_per_m2_yuan"),
            (2, "orientation"),
            (2, "decoration"),
            (2, "status"),
            (3, "area_m2"),
            (3, "price_per_m2_yuan"),
            (4, "inner_area_m2"),
            (4, "price_per_m2_yuan"),
        ]
    );
    assert_eq!(
        errors[0].2,
        "floor must be a whole number from 1 to 200, got \"0\""
    );
    assert_eq!(
        errors[2].2,
        "area_m2 must be from 10.00 to 1000.00 m², got \"5\""
    );
    assert_eq!(
        errors[7].2,
        "area_m2 must have at most two decimals, got \"89.555\""
    );
    assert_eq!(
        errors[8].2,
        "price_per_m2_yuan must be a whole number of yuan, got \"12000.5\""
    );
    assert_eq!(
        errors[9].2,
        "inner_area_m2 must not exceed area_m2 (90.00), got \"90.01\""
    );
}

#[test]
fn missing_and_overlong_text_fields() {
    let long = "长".repeat(2001);
    let errors = errors_of(parse_csv(&format!(
        ",,,1,1室,50,,5000,,,,{long},\n{},,{},2,1室,50,,5000,,,,,\n",
        "b".repeat(51),
        "r".repeat(21)
    )));
    let found: Vec<_> = errors
        .iter()
        .map(|(r, f, m)| (*r, f.as_str(), m.as_str()))
        .collect();
    assert_eq!(found[0], (2, "building", "building is required"));
    assert_eq!(found[1], (2, "room", "room is required"));
    assert_eq!(
        found[2],
        (
            2,
            "description",
            "description must be at most 2000 characters, got 2001"
        )
    );
    assert_eq!(
        found[3],
        (
            3,
            "building",
            "building must be at most 50 characters, got 51"
        )
    );
    assert_eq!(
        found[4],
        (3, "room", "room must be at most 20 characters, got 21")
    );
}

#[test]
fn duplicate_keys_reject_both_rows() {
    let body =
        "1,1,101,1,1室,50,,5000,,,,,\n1,2,101,1,1室,50,,5000,,,,,\n1,1,101,1,1室,50,,5000,,,,,\n";
    let errors = errors_of(parse_csv(body));
    assert_eq!(
        errors,
        [
            (
                2,
                "room".to_owned(),
                "building 1, unit 1, room 101 also appears in row 4".to_owned()
            ),
            (
                4,
                "room".to_owned(),
                "building 1, unit 1, room 101 also appears in row 2".to_owned()
            ),
        ]
    );
}

#[test]
fn json_units_use_the_units_key() {
    let json = r#"{"units": [{"building": "1", "room": "101", "floor": 3, "layout": "2室1厅", "area_m2": 89.5, "price_per_m2_yuan": 12000.0}]}"#;
    let units = parse_units(json.as_bytes(), UploadFormat::Json, 10).unwrap();
    assert_eq!(
        (units[0].row, units[0].unit.total_price_yuan),
        (1, 1_074_000)
    );
}

#[test]
fn structural_and_validation_errors_come_together() {
    let errors = errors_of(parse_csv(
        "1,,101,1,1室,50,,5000,,,,,,extra\n1,,102,0,1室,50,,5000,,,,,\n",
    ));
    let fields: Vec<_> = errors.iter().map(|(r, f, _)| (*r, f.as_str())).collect();
    assert_eq!(fields, [(2, ""), (3, "floor")]);
}

#[test]
fn text_keeps_every_character_while_numbers_and_codes_fold() {
    let text = "阳光花园（二期），南向！？：；😀𠀾";
    let row = format!("１号楼,　２ ,１０１,１２,３房２厅,８９．５,,１２０００,,朝南,精装,\u{3000}{text}\u{200B},可售\n");
    let units = parse_csv(&row).unwrap();
    let unit = &units[0].unit;
    assert_eq!(unit.key(), ("1号楼".into(), "2".into(), "101".into()));
    assert_eq!(
        (unit.floor, unit.area_centi, unit.price_per_m2_yuan),
        (12, 8950, 12000)
    );
    assert_eq!(unit.description, text);
    assert_eq!(
        (unit.usage_layout.layout_text(), unit.usage_layout.baths()),
        ("3室2厅".to_owned(), None)
    );
}

#[test]
fn invalid_rows_keep_their_keys_for_the_conflict_check() {
    let body =
        "1,1,101,0,1室,50,,5000,,,,,\n１,1,102,1,1室,50,,5000,,,,,\n,1,103,1,1室,50,,5000,,,,,\n";
    let table = check_units(format!("{HEADER}{body}").as_bytes(), UploadFormat::Csv, 10).unwrap();
    assert_eq!(table.units.len(), 1);
    let fields: Vec<_> = table
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_deref()))
        .collect();
    assert_eq!(fields, [(2, Some("floor")), (4, Some("building"))]);
    let key = |b: &str, r: &str| [b.to_owned(), "1".to_owned(), r.to_owned()];
    // row 4 names no building, so it has no key
    assert_eq!(table.keys, [(2, key("1", "101")), (3, key("1", "102"))]);
}

#[test]
fn usage_defaults_to_residential_and_reads_chinese_and_english() {
    let csv = "楼栋,房号,楼层,户型,建筑面积,单价,用途\n\
               1,101,1,3室2厅,89.5,12000,\n\
               1,S01,1,,45,30000,商业\n\
               1,S02,1,,60,20000,office\n\
               B1,P001,1,,12.5,8000,车位\n\
               1,S03,2,2室1厅1卫,80,20000,写字楼\n";
    let units = parse_units(csv.as_bytes(), UploadFormat::Csv, 10).unwrap();
    let got: Vec<_> = units
        .iter()
        .map(|p| {
            let u = &p.unit.usage_layout;
            (u.usage(), u.rooms(), u.halls(), u.baths(), u.layout_text())
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                Usage::Residential,
                Some(3),
                Some(2),
                None,
                "3室2厅".to_owned()
            ),
            (Usage::Commercial, None, None, None, String::new()),
            (Usage::Office, None, None, None, String::new()),
            (Usage::Parking, None, None, None, String::new()),
            (
                Usage::Office,
                Some(2),
                Some(1),
                Some(1),
                "2室1厅1卫".to_owned()
            ),
        ]
    );
    // a table without the column is all flats, as before
    let units = parse_csv("1,,101,1,1室,50,,5000,,,,,\n").unwrap();
    assert_eq!(units[0].unit.usage_layout.usage(), Usage::Residential);
}

#[test]
fn a_flat_without_layout_and_a_bad_usage_are_named_by_row_and_field() {
    let csv = "building,room,floor,layout,area_m2,price_per_m2_yuan,usage\n\
               1,101,1,,89.5,12000,\n\
               1,102,1,,89.5,12000,住宅\n\
               1,103,1,,89.5,12000,factory\n\
               1,104,1,3厅2室,89.5,12000,车位\n\
               1,105,1,,12,8000,parking\n";
    let errors = errors_of(parse_units(csv.as_bytes(), UploadFormat::Csv, 10));
    let found: Vec<_> = errors.iter().map(|(r, f, _)| (*r, f.as_str())).collect();
    assert_eq!(
        found,
        [(2, "layout"), (3, "layout"), (4, "usage"), (5, "layout")]
    );
    assert!(
        errors[0]
            .2
            .starts_with("layout is required for a residential unit"),
        "{}",
        errors[0].2
    );
    assert_eq!(
        errors[2].2,
        "usage must be 住宅, 商业, 办公 or 车位 (residential, commercial, office, parking), got \"factory\""
    );
}

fn big_table(rows: usize) -> String {
    let mut csv = HEADER.to_owned();
    for i in 0..rows {
        let line = format!(
            "{},1,{},{},3室2厅2卫,89.5,,12000,,南,精装,,\n",
            i % 30,
            i,
            i % 30 + 1
        );
        csv.push_str(&line);
    }
    csv
}

#[test]
fn many_rows_parse() {
    let units = parse_units(big_table(5000).as_bytes(), UploadFormat::Csv, 5000).unwrap();
    assert_eq!(units.len(), 5000);
    assert_eq!(units[4999].row, 5001);
}

proptest! {
    #[test]
    fn parse_units_never_panics(row in "[0-9.,室厅卫南精装可售 \"a-z-]{0,80}") {
        let _ = parse_csv(&row);
    }
}
