//! Parsers for the single cells of a unit row: layout, area, money, floor, orientation, decoration.

use std::borrow::Cow;
use std::fmt;

/// Normalises a spreadsheet cell: full-width ASCII (U+FF01–FF5E) becomes ASCII, the ideographic
/// space and NBSP become spaces, zero-width characters and stray BOMs vanish, then it is trimmed.
pub fn normalize_cell(s: &str) -> String {
    if s.is_ascii() {
        return s.trim().to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{FF01}'..='\u{FF5E}' => {
                out.push(char::from_u32(c as u32 - 0xFEE0).expect("maps into ascii"))
            }
            '\u{3000}' | '\u{00A0}' => out.push(' '),
            '\u{200B}' | '\u{FEFF}' => {}
            _ => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

/// A flat's layout: rooms (室), living rooms (厅) and bathrooms (卫).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    rooms: u8,
    halls: u8,
    baths: u8,
}

impl Layout {
    /// Builds a layout from stored counts: rooms 1–20, halls 0–10, baths 0–10.
    pub fn new(rooms: u8, halls: u8, baths: u8) -> Result<Layout, String> {
        if !(1..=20).contains(&rooms) {
            return Err("must have from 1 to 20 rooms".to_owned());
        }
        if halls > 10 {
            return Err("must have at most 10 halls".to_owned());
        }
        if baths > 10 {
            return Err("must have at most 10 bathrooms".to_owned());
        }
        Ok(Layout {
            rooms,
            halls,
            baths,
        })
    }

    /// Parses `3室2厅2卫`, `两室一厅一卫`, `3房2厅`, `1室`. 室 (or 房) is required; a missing
    /// 厅 means none; a missing 卫 means one, because every flat sold here has a bathroom and
    /// listings such as "3房2厅" simply leave it unsaid.
    pub fn parse(s: &str) -> Result<Layout, String> {
        const SHAPE: &str = "must look like 3室2厅2卫";
        let mut chars = s.chars().filter(|c| !c.is_whitespace()).peekable();
        let (mut rooms, mut halls, mut baths) = (None, None, None);
        while chars.peek().is_some() {
            let n = take_number(&mut chars).ok_or(SHAPE)?;
            let slot = match chars.next() {
                Some('室' | '房') if rooms.is_none() => &mut rooms,
                Some('厅') if rooms.is_some() && halls.is_none() && baths.is_none() => &mut halls,
                Some('卫') if rooms.is_some() && baths.is_none() => &mut baths,
                _ => return Err(SHAPE.to_owned()),
            };
            *slot = Some(n);
        }
        let rooms = rooms.ok_or(SHAPE)?;
        let small = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
        Layout::new(
            small(rooms),
            small(halls.unwrap_or(0)),
            small(baths.unwrap_or(1)),
        )
    }

    pub fn rooms(&self) -> u8 {
        self.rooms
    }
    pub fn halls(&self) -> u8 {
        self.halls
    }
    pub fn baths(&self) -> u8 {
        self.baths
    }

    /// Canonical text, e.g. "3室2厅2卫".
    pub fn text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}室{}厅{}卫", self.rooms, self.halls, self.baths)
    }
}

/// Reads an Arabic number (up to 3 digits) or a Chinese one up to 九十九 (一, 十, 十二, 二十一).
fn take_number(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) -> Option<u32> {
    let zh_digit = |c: char| match c {
        '零' | '〇' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    let first = *chars.peek()?;
    if first.is_ascii_digit() {
        let mut n = 0u32;
        let mut len = 0;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            chars.next();
            len += 1;
            if len > 3 {
                return None;
            }
            n = n * 10 + d;
        }
        return Some(n);
    }
    let tens = if first == '十' {
        1
    } else {
        let d = zh_digit(first)?;
        chars.next();
        if chars.peek() != Some(&'十') {
            return Some(d);
        }
        d
    };
    chars.next(); // the 十
    let ones = chars.peek().and_then(|c| zh_digit(*c));
    if ones.is_some() {
        chars.next();
    }
    Some(tens * 10 + ones.unwrap_or(0))
}

/// Strips the first matching suffix (ASCII letters compared case-insensitively).
fn strip_unit<'a>(s: &'a str, units: &[&str]) -> &'a str {
    for unit in units {
        if s.len() >= unit.len() && s.is_char_boundary(s.len() - unit.len()) {
            let (head, tail) = s.split_at(s.len() - unit.len());
            if tail.eq_ignore_ascii_case(unit) {
                return head.trim_end();
            }
        }
    }
    s
}

/// Splits `123.45` into digits before and after the point; `None` unless it is that shape.
fn split_decimal(s: &str) -> Option<(&str, &str)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = !int.is_empty() && digits(int) && digits(frac) && (!s.ends_with('.'));
    ok.then_some((int, frac))
}

fn digits_value(digits: &str) -> Option<i64> {
    digits.bytes().try_fold(0i64, |acc, b| {
        acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })
}

/// Area in hundredths of a square metre, parsed exactly from text such as `89.5`, `89.50㎡`
/// or `120平米`; range checks belong to the caller.
pub fn parse_area_centi(s: &str) -> Result<i64, String> {
    const UNITS: &[&str] = &["平方米", "平米", "㎡", "m²", "m2", "平"];
    let s = strip_unit(s.trim(), UNITS);
    if s.is_empty() {
        return Err("must be a number of square metres like 89.5".to_owned());
    }
    if s.starts_with('-') {
        return Err("must not be negative".to_owned());
    }
    let (int, frac) =
        split_decimal(s).ok_or_else(|| "must be a number of square metres like 89.5".to_owned())?;
    if frac.len() > 2 {
        return Err("must have at most two decimals".to_owned());
    }
    let too_large = || "is too large".to_owned();
    let whole = digits_value(int)
        .filter(|v| *v <= 1_000_000_000)
        .ok_or_else(too_large)?;
    let mut hundredths = digits_value(frac).unwrap_or(0);
    if frac.len() == 1 {
        hundredths *= 10;
    }
    Ok(whole * 100 + hundredths)
}

/// Checks an area (hundredths of m²) against an inclusive range, with the message a clerk reads.
pub fn area_in_range(centi: i64, min_centi: i64, max_centi: i64) -> Result<i64, String> {
    if (min_centi..=max_centi).contains(&centi) {
        Ok(centi)
    } else {
        Err(format!(
            "must be from {} to {} m²",
            centi_text(min_centi),
            centi_text(max_centi)
        ))
    }
}

/// Renders hundredths as a decimal with two places: 100050 → "1000.50".
pub fn centi_text(centi: i64) -> String {
    let sign = if centi < 0 { "-" } else { "" };
    let abs = centi.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Largest amount of money accepted anywhere: one trillion yuan.
const MAX_YUAN: i64 = 1_000_000_000_000;

/// Whole yuan, from `12000`, `12,000`, `12000.0` (an Excel number) or `12000元/㎡`.
pub fn parse_yuan(s: &str) -> Result<i64, String> {
    const UNITS: &[&str] = &["元/平方米", "元/平米", "元/㎡", "元/m²", "元/m2", "元"];
    const WHOLE: &str = "must be a whole number of yuan";
    let s = strip_unit(s.trim(), UNITS);
    let plain = if s.contains(',') {
        Cow::Owned(s.replace(',', ""))
    } else {
        Cow::Borrowed(s)
    };
    let (int, frac) = split_decimal(&plain).ok_or(WHOLE)?;
    if !frac.bytes().all(|b| b == b'0') || !thousands_ok(s) {
        return Err(WHOLE.to_owned());
    }
    match digits_value(int) {
        Some(v) if v <= MAX_YUAN => Ok(v),
        _ => Err("is too large".to_owned()),
    }
}

/// Separators, when present, must sit between groups of three: `12,000` yes, `1,20,00` no.
fn thousands_ok(s: &str) -> bool {
    let int = s.split('.').next().unwrap_or("");
    if !int.contains(',') {
        return true;
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

/// Floor 1–200 from `12`, `12.0` (an Excel number), `12层` or `12楼`.
pub fn parse_floor(s: &str) -> Result<i32, String> {
    const RULE: &str = "must be a whole number from 1 to 200";
    let s = strip_unit(s.trim(), &["层", "楼"]);
    let (int, frac) = split_decimal(s).ok_or(RULE)?;
    if !frac.bytes().all(|b| b == b'0') || int.len() > 3 {
        return Err(RULE.to_owned());
    }
    match digits_value(int) {
        Some(v @ 1..=200) => Ok(v as i32),
        _ => Err(RULE.to_owned()),
    }
}

const ORIENTATIONS: [(&str, &str); 10] = [
    ("东", "east"),
    ("南", "south"),
    ("西", "west"),
    ("北", "north"),
    ("东南", "southeast"),
    ("东北", "northeast"),
    ("西南", "southwest"),
    ("西北", "northwest"),
    ("南北", "northsouth"),
    ("东西", "eastwest"),
];

/// Canonical orientation word (东 南 西 北 东南 东北 西南 西北 南北 东西) from Chinese, with an
/// optional 朝 prefix or 向 suffix, or English such as `South`, `south-east`, `north-south`.
pub fn parse_orientation(s: &str) -> Result<String, String> {
    let s = s.trim();
    let zh = s.strip_prefix('朝').unwrap_or(s);
    let zh = zh.strip_suffix('向').unwrap_or(zh);
    let zh = if zh == "南北通透" { "南北" } else { zh };
    let en: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let en = if en == "southnorth" {
        "northsouth"
    } else {
        &en
    };
    ORIENTATIONS
        .iter()
        .find(|(z, e)| *z == zh || *e == en)
        .map(|(z, _)| (*z).to_owned())
        .ok_or_else(|| "must be one of 东 南 西 北 东南 东北 西南 西北 南北 东西".to_owned())
}

/// Finish of a flat on handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decoration {
    Rough,
    Basic,
    Fine,
}

impl Decoration {
    /// From 毛坯 / 简装 / 精装 (also 毛坯房, 简装修, 精装修) or rough / basic / fine.
    pub fn parse(s: &str) -> Result<Decoration, String> {
        let s = s.trim();
        match s {
            "毛坯" | "毛坯房" => return Ok(Decoration::Rough),
            "简装" | "简装修" => return Ok(Decoration::Basic),
            "精装" | "精装修" => return Ok(Decoration::Fine),
            _ => {}
        }
        [Decoration::Rough, Decoration::Basic, Decoration::Fine]
            .into_iter()
            .find(|d| s.eq_ignore_ascii_case(d.as_str()))
            .ok_or_else(|| "must be 毛坯, 简装 or 精装 (rough, basic, fine)".to_owned())
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Decoration::Rough => "rough",
            Decoration::Basic => "basic",
            Decoration::Fine => "fine",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Decoration::Rough => "毛坯",
            Decoration::Basic => "简装",
            Decoration::Fine => "精装",
        }
    }
}

/// Whether a developer offers a unit in the hall; holds and sales are tracked elsewhere.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ListedStatus {
    #[default]
    Available,
    Withdrawn,
}

impl ListedStatus {
    /// From 可售 / available or 不可售 / withdrawn.
    pub fn parse(s: &str) -> Result<ListedStatus, String> {
        let s = s.trim();
        if s == "可售" || s.eq_ignore_ascii_case("available") {
            Ok(ListedStatus::Available)
        } else if s == "不可售" || s.eq_ignore_ascii_case("withdrawn") {
            Ok(ListedStatus::Withdrawn)
        } else {
            Err("must be 可售 / available or 不可售 / withdrawn".to_owned())
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            ListedStatus::Available => "available",
            ListedStatus::Withdrawn => "withdrawn",
        }
    }
}

/// Area × unit price in whole yuan, rounding half up: area_centi × price / 100.
pub fn total_from_area_price(area_centi: i64, price_per_m2_yuan: i64) -> i64 {
    let product = i128::from(area_centi) * i128::from(price_per_m2_yuan);
    let rounded = (product + 50).div_euclid(100);
    i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX })
}

/// Accepts a stated total within 1% of area × price and returns it; contracts round
/// differently from one developer to the next, so the stated total stays authoritative.
pub fn check_total(given: i64, area_centi: i64, price_per_m2_yuan: i64) -> Result<i64, String> {
    let computed = total_from_area_price(area_centi, price_per_m2_yuan);
    let diff = (i128::from(given) - i128::from(computed)).abs();
    if diff * 100 <= i128::from(computed) {
        Ok(given)
    } else {
        Err(format!(
            "must be within 1% of area × price, which is {computed} yuan"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalize_cell_folds_full_width_and_trims() {
        assert_eq!(normalize_cell("\u{3000}１２０．５㎡\u{00A0}"), "120.5㎡");
        assert_eq!(normalize_cell("  ＡＢＣ，x "), "ABC,x");
        assert_eq!(normalize_cell("\u{FEFF}楼栋"), "楼栋");
        assert_eq!(normalize_cell(" plain "), "plain");
    }

    fn layout(s: &str) -> (u8, u8, u8) {
        let l = Layout::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (l.rooms(), l.halls(), l.baths())
    }

    #[test]
    fn layout_accepts_the_usual_spellings() {
        assert_eq!(layout("3室2厅2卫"), (3, 2, 2));
        assert_eq!(layout("两室一厅一卫"), (2, 1, 1));
        assert_eq!(layout("3房2厅"), (3, 2, 1));
        assert_eq!(layout("1室"), (1, 0, 1));
        assert_eq!(layout(" 4 室 2 厅 3 卫 "), (4, 2, 3));
        assert_eq!(layout("十室零厅〇卫"), (10, 0, 0));
        assert_eq!(layout("十二室"), (12, 0, 1));
        assert_eq!(layout("二十室"), (20, 0, 1));
        assert_eq!(layout("2室1卫"), (2, 0, 1));
        assert_eq!(Layout::parse("三室两厅两卫").unwrap().text(), "3室2厅2卫");
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
        assert!(Layout::new(3, 2, 11).is_err());
        assert_eq!(Layout::new(3, 2, 1).unwrap().to_string(), "3室2厅1卫");
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
        fn layout_text_round_trips(r in 1u8..=20, h in 0u8..=10, b in 0u8..=10) {
            let l = Layout::new(r, h, b).unwrap();
            prop_assert_eq!(Layout::parse(&l.text()), Ok(l));
        }

        #[test]
        fn total_never_panics(a in any::<i64>(), p in any::<i64>(), g in any::<i64>()) {
            let _ = total_from_area_price(a, p);
            let _ = check_total(g, a, p);
        }
    }
}
