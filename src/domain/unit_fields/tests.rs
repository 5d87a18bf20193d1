use super::numbers::MAX_YUAN;
use super::*;
use proptest::prelude::*;

#[test]
fn normalize_cell_folds_full_width_and_trims() {
    assert_eq!(normalize_cell("\u{3000}１２０．５㎡\u{00A0}"), "120.5㎡");
    assert_eq!(normalize_cell("  ＡＢＣ，x "), "ABC,x");
    assert_eq!(normalize_cell("\u{FEFF}楼栋"), "楼栋");
    assert_eq!(normalize_cell(" plain "), "plain");
}

#[test]
fn trim_cell_keeps_every_character_inside() {
    let text = "阳光花园（二期），南向！？：；😀𠀾　ｘ\u{00A0}y";
    assert_eq!(trim_cell(text), text);
    assert_eq!(
        trim_cell("\u{FEFF}\u{3000} 湖景（南） \u{200B}\u{00A0}\n"),
        "湖景（南）"
    );
    assert_eq!(trim_cell("\u{3000}\u{200B}"), "");
}

fn layout(s: &str) -> (u8, u8, Option<u8>) {
    let l = Layout::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    (l.rooms(), l.halls(), l.baths())
}

#[test]
fn layout_accepts_the_usual_spellings() {
    assert_eq!(layout("3室2厅2卫"), (3, 2, Some(2)));
    assert_eq!(layout("3室2厅1卫"), (3, 2, Some(1)));
    assert_eq!(layout("两室一厅一卫"), (2, 1, Some(1)));
    assert_eq!(layout(" 4 室 2 厅 3 卫 "), (4, 2, Some(3)));
    assert_eq!(layout("十室零厅〇卫"), (10, 0, Some(0)));
    assert_eq!(layout("2室1卫"), (2, 0, Some(1)));
    assert_eq!(Layout::parse("三室两厅两卫").unwrap().text(), "3室2厅2卫");
}

#[test]
fn a_layout_that_names_no_bathrooms_leaves_them_unknown() {
    assert_eq!(layout("3房2厅"), (3, 2, None));
    assert_eq!(layout("三室两厅"), (3, 2, None));
    assert_eq!(layout("1室"), (1, 0, None));
    assert_eq!(layout("十二室"), (12, 0, None));
    assert_eq!(layout("二十室"), (20, 0, None));
    assert_eq!(Layout::parse("3房2厅").unwrap().text(), "3室2厅");
    assert_eq!(Layout::parse("1室").unwrap().text(), "1室0厅");
}

#[test]
fn layout_rejects_garbage_and_out_of_range() {
    for bad in [
        "",
        "garbage",
        "0室",
        "3厅2室",
        "3室2卫2厅",
        "3室3室",
        "3",
        "室",
        "21室",
        "3室11厅",
        "3室2厅2卫1厨",
        "3室2厅2卫x",
        "1000室",
        "二十一室",
    ] {
        assert!(Layout::parse(bad).is_err(), "{bad} should be rejected");
    }
    assert!(Layout::new(3, 2, Some(11)).is_err());
    assert_eq!(Layout::new(3, 2, Some(1)).unwrap().to_string(), "3室2厅1卫");
    assert_eq!(Layout::new(3, 2, None).unwrap().to_string(), "3室2厅");
}

#[test]
fn area_is_parsed_exactly_in_hundredths() {
    assert_eq!(parse_area_centi("89.5"), Ok(8950));
    assert_eq!(parse_area_centi("89.55"), Ok(8955));
    assert_eq!(parse_area_centi("120"), Ok(12000));
    assert_eq!(parse_area_centi("120 ㎡"), Ok(12000));
    assert_eq!(parse_area_centi("0.07M2"), Ok(7));
    assert_eq!(parse_area_centi("98.1平方米"), Ok(9810));
    assert_eq!(parse_area_centi("98平米"), Ok(9800));
    assert_eq!(parse_area_centi("98平"), Ok(9800));
    assert_eq!(parse_area_centi("98.10m²"), Ok(9810));
}

#[test]
fn area_rejects_what_is_not_a_plain_decimal() {
    assert_eq!(
        parse_area_centi("89.555").unwrap_err(),
        "must have at most two decimals"
    );
    assert_eq!(parse_area_centi("-5").unwrap_err(), "must not be negative");
    for bad in [
        "", "㎡", "1e3", "89.", ".5", "8 9", "abc", "1,000", "+5", "NaN",
    ] {
        assert!(parse_area_centi(bad).is_err(), "{bad} should be rejected");
    }
    assert_eq!(
        parse_area_centi("99999999999999999999").unwrap_err(),
        "is too large"
    );
    assert_eq!(area_in_range(1000, 1000, 100_000), Ok(1000));
    assert_eq!(
        area_in_range(999, 1000, 100_000).unwrap_err(),
        "must be from 10.00 to 1000.00 m²"
    );
}

#[test]
fn yuan_accepts_separators_excel_numbers_and_units() {
    assert_eq!(parse_yuan("12000"), Ok(12000));
    assert_eq!(parse_yuan("12,000"), Ok(12000));
    assert_eq!(parse_yuan("1,234,567"), Ok(1_234_567));
    assert_eq!(parse_yuan("12000.0"), Ok(12000));
    assert_eq!(parse_yuan("12000.00元"), Ok(12000));
    assert_eq!(parse_yuan("12000元/㎡"), Ok(12000));
    assert_eq!(parse_yuan("12000 元/平方米"), Ok(12000));
    assert_eq!(parse_yuan("12000元/m²"), Ok(12000));
    assert_eq!(parse_yuan("1000000000000"), Ok(MAX_YUAN));
}

#[test]
fn yuan_rejects_fractions_bad_groups_and_huge_values() {
    let whole = "must be a whole number of yuan";
    for bad in [
        "12000.5", "1,20,00", "12,00", ",000", "-5", "", "1e4", "abc", "12.", "万",
    ] {
        assert_eq!(parse_yuan(bad).unwrap_err(), whole, "{bad}");
    }
    assert_eq!(parse_yuan("1000000000001").unwrap_err(), "is too large");
    assert_eq!(
        parse_yuan("99999999999999999999999").unwrap_err(),
        "is too large"
    );
}

#[test]
fn floor_accepts_1_to_200_with_suffixes() {
    assert_eq!(parse_floor("1"), Ok(1));
    assert_eq!(parse_floor("200"), Ok(200));
    assert_eq!(parse_floor("12.0"), Ok(12));
    assert_eq!(parse_floor("12层"), Ok(12));
    assert_eq!(parse_floor("12楼"), Ok(12));
    for bad in ["0", "201", "-1", "12.5", "", "abc", "0012", "1e2"] {
        assert!(parse_floor(bad).is_err(), "{bad}");
    }
}

#[test]
fn orientation_is_canonicalised() {
    assert_eq!(parse_orientation("南").unwrap(), "南");
    assert_eq!(parse_orientation("朝南").unwrap(), "南");
    assert_eq!(parse_orientation("东南向").unwrap(), "东南");
    assert_eq!(parse_orientation("南北通透").unwrap(), "南北");
    assert_eq!(parse_orientation("South").unwrap(), "南");
    assert_eq!(parse_orientation("south-east").unwrap(), "东南");
    assert_eq!(parse_orientation("NORTHWEST").unwrap(), "西北");
    assert_eq!(parse_orientation("north-south").unwrap(), "南北");
    assert_eq!(parse_orientation("east west").unwrap(), "东西");
    assert!(parse_orientation("上").is_err());
    assert!(parse_orientation("").is_err());
}

#[test]
fn decoration_and_status_parse_both_languages() {
    assert_eq!(Decoration::parse("毛坯"), Ok(Decoration::Rough));
    assert_eq!(Decoration::parse("精装修"), Ok(Decoration::Fine));
    assert_eq!(Decoration::parse("BASIC"), Ok(Decoration::Basic));
    assert!(Decoration::parse("豪装").is_err());
    assert_eq!(Decoration::Fine.as_str(), "fine");
    assert_eq!(Decoration::Basic.label_zh(), "简装");
    assert_eq!(
        serde_json::to_string(&Decoration::Rough).unwrap(),
        "\"rough\""
    );
    assert_eq!(ListedStatus::parse("可售"), Ok(ListedStatus::Available));
    assert_eq!(
        ListedStatus::parse("Withdrawn"),
        Ok(ListedStatus::Withdrawn)
    );
    assert_eq!(ListedStatus::parse("不可售").unwrap().as_str(), "withdrawn");
    assert!(ListedStatus::parse("sold").is_err());
    assert_eq!(ListedStatus::default(), ListedStatus::Available);
}

#[test]
fn total_rounds_half_up_and_tolerates_one_percent() {
    assert_eq!(total_from_area_price(8950, 12000), 1_074_000);
    assert_eq!(total_from_area_price(8955, 10001), 895_590); // 895 589.55
    assert_eq!(total_from_area_price(1, 50), 1); // 0.5 rounds up
    assert_eq!(total_from_area_price(1, 49), 0);
    assert_eq!(check_total(1_000_000, 10000, 10000), Ok(1_000_000));
    assert_eq!(check_total(1_010_000, 10000, 10000), Ok(1_010_000));
    assert_eq!(check_total(990_000, 10000, 10000), Ok(990_000));
    assert!(check_total(1_010_001, 10000, 10000)
        .unwrap_err()
        .contains("1000000"));
    assert!(check_total(989_999, 10000, 10000).is_err());
}

proptest! {
    #[test]
    fn cell_parsers_never_panic(s in "\\PC*") {
        let _ = normalize_cell(&s);
        let _ = trim_cell(&s);
        let _ = Layout::parse(&s);
        let _ = parse_area_centi(&s);
        let _ = parse_yuan(&s);
        let _ = parse_floor(&s);
        let _ = parse_orientation(&s);
        let _ = Decoration::parse(&s);
        let _ = ListedStatus::parse(&s);
    }

    #[test]
    fn parsers_never_panic_on_likely_shapes(s in "[0-9.,一二两十零室房厅卫元平米㎡ -]{0,12}") {
        let _ = Layout::parse(&s);
        let _ = parse_area_centi(&s);
        let _ = parse_yuan(&s);
        let _ = parse_floor(&s);
    }

    #[test]
    fn area_round_trips_through_its_text(centi in 0i64..1_000_000_000) {
        prop_assert_eq!(parse_area_centi(&centi_text(centi)), Ok(centi));
    }

    #[test]
    fn layout_text_round_trips(r in 1u8..=20, h in 0u8..=10, b in proptest::option::of(0u8..=10)) {
        let l = Layout::new(r, h, b).unwrap();
        prop_assert_eq!(Layout::parse(&l.text()), Ok(l));
    }

    #[test]
    fn total_never_panics(a in any::<i64>(), p in any::<i64>(), g in any::<i64>()) {
        let _ = total_from_area_price(a, p);
        let _ = check_total(g, a, p);
    }
}
