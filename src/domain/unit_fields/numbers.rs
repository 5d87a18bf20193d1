//! Number cells: area, money, floor, and the total price from area × unit price.

use std::borrow::Cow;

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
pub(super) const MAX_YUAN: i64 = 1_000_000_000_000;

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
