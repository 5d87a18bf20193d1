//! Household fields (docs/api.md, "Uploads"): ID numbers with their GB 11643 check
//! character, origin zones, settlement methods, signing times, voucher numbers and PINs.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use rand::Rng;

use super::policy::Zone;

/// A resident ID number (居民身份证号码): 17 digits and a check character (0–9 or X) per
/// GB 11643, whose digits 7–14 are a real birth date.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", super::mask::mask_id_number(&self.0))
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character of the first 17 digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(ID_CHECK[(sum % 11) as usize]))
}

impl IdNumber {
    /// Checks length, digits, the birth date (a real date from 1900 up to `today`) and the check
    /// character; a lowercase `x` is accepted as `X`.
    pub fn parse(s: &str, today: NaiveDate) -> Result<IdNumber, String> {
        let s = s.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err("must be 18 characters".into());
        }
        const SHAPE: &str = "must be 17 digits followed by a digit or X";
        // 18 characters need not be 18 bytes: byte 17 may fall inside one (a fuzzer found it)
        let Some((first17, last)) = s.split_at_checked(17) else {
            return Err(SHAPE.into());
        };
        let Some(check) = id_check_char(first17) else {
            return Err(SHAPE.into());
        };
        let birth = NaiveDate::parse_from_str(&first17[6..14], "%Y%m%d")
            .map_err(|_| "does not contain a valid birth date".to_string())?;
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") || birth > today {
            return Err("does not contain a valid birth date".into());
        }
        if last != check.to_string() {
            return Err("has a wrong check character (GB 11643)".into());
        }
        Ok(IdNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        super::mask::mask_id_number(&self.0)
    }
}

/// How a household is resettled (安置方式).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 选购大厅购房
    Hall,
    /// 产权调换
    InKind,
    /// 纯货币补偿
    Cash,
    /// 房票安置: a money entitlement spent in the hall (docs/tickets.md)
    Ticket,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Hall => "hall",
            Method::InKind => "in_kind",
            Method::Cash => "cash",
            Method::Ticket => "ticket",
        }
    }

    /// English codes and the Chinese words of docs/api.md, "Uploads".
    pub fn parse(s: &str) -> Result<Method, String> {
        match s.trim() {
            "hall" | "选购大厅" | "选购大厅购房" | "大厅选购" => Ok(Method::Hall),
            "in_kind" | "产权调换" => Ok(Method::InKind),
            "cash" | "货币补偿" | "纯货币补偿" => Ok(Method::Cash),
            "ticket" | "房票" | "房票安置" => Ok(Method::Ticket),
            _ => Err(
                "must be 选购大厅 / hall, 产权调换 / in_kind, 货币补偿 / cash or 房票 / ticket"
                    .into(),
            ),
        }
    }
}

/// `1`, `2`, `3` or 一类区 / 二类区 / 三类区 (also 一类, 1类区).
pub fn parse_zone(s: &str) -> Result<Zone, String> {
    let t = s.trim();
    let t = t.strip_suffix("区").unwrap_or(t);
    let t = t.strip_suffix("类").unwrap_or(t);
    let n = match t {
        "1" | "一" => 1,
        "2" | "二" => 2,
        "3" | "三" => 3,
        _ => 0,
    };
    Zone::new(n).ok_or_else(|| "must be 1, 2 or 3 (一类区, 二类区, 三类区)".into())
}

/// China Standard Time, the hall's local time (no daylight saving since 1991).
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// `2026-03-01 09:30:15.123` (Asia/Shanghai), with or without seconds and milliseconds, `/` as a
/// date separator, or RFC 3339 with its own offset; returns ms since the epoch.
pub fn parse_signed_at(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    let t = t.replace('/', "-").replace('T', " ");
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&t, format) {
            return shanghai()
                .from_local_datetime(&naive)
                .single()
                .map(|dt| dt.timestamp_millis())
                .ok_or_else(|| "is not a valid time".to_string());
        }
    }
    // a spreadsheet date cell that lost its format: Excel's serial day number (1900 system)
    if let Ok(serial) = t.parse::<f64>() {
        if (1.0..100_000.0).contains(&serial) {
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
                .expect("valid date")
                .and_hms_opt(0, 0, 0)
                .expect("valid time");
            let local =
                epoch + chrono::Duration::milliseconds((serial * 86_400_000.0).round() as i64);
            if let Some(dt) = shanghai().from_local_datetime(&local).single() {
                return Ok(dt.timestamp_millis());
            }
        }
    }
    Err("must be a time like 2026-03-01 09:30:15.123 (Asia/Shanghai) or RFC 3339".into())
}

/// Characters of voucher numbers: digits and capitals without 0/O, 1/I/L that read alike.
const VOUCHER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const VOUCHER_LEN: usize = 12;

/// A new voucher number (安置凭证号) such as `K7M3-XPQ9-4RT2`: 12 random characters from a
/// 31-character alphabet (59 bits), printed in groups of four.
pub fn generate_voucher(rng: &mut impl Rng) -> String {
    let chars: Vec<u8> = (0..VOUCHER_LEN)
        .map(|_| VOUCHER_ALPHABET[rng.gen_range(0..VOUCHER_ALPHABET.len())])
        .collect();
    chars
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("-")
}

/// The printed form of the first 4–12 characters of a voucher number, for officials' search.
pub fn normalize_voucher_prefix(input: &str) -> Option<String> {
    let chars: Vec<u8> = input
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' '))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(4..=VOUCHER_LEN).contains(&chars.len())
        || !chars.iter().all(|b| VOUCHER_ALPHABET.contains(b))
    {
        return None;
    }
    Some(
        chars
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// The printed form of what a household typed: case, spaces and dashes do not matter, and the
/// look-alikes O/o → 0 are not in the alphabet so such input is simply not a voucher.
pub fn normalize_voucher(input: &str) -> Option<String> {
    normalize_voucher_prefix(input).filter(|v| v.len() == VOUCHER_LEN + 2)
}

/// A random 6-digit PIN.
pub fn generate_pin(rng: &mut impl Rng) -> String {
    format!("{:06}", rng.gen_range(0..1_000_000))
}

/// A PIN as typed: exactly six digits.
pub fn is_pin(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    /// An ID number with a correct check character for the given 17 digits.
    pub fn with_check(first17: &str) -> String {
        format!("{first17}{}", id_check_char(first17).unwrap())
    }

    #[test]
    fn id_numbers_follow_gb_11643() {
        // the standard's own example
        assert_eq!(id_check_char("11010519491231002"), Some('X'));
        let ok = IdNumber::parse("11010519491231002x", today()).unwrap();
        assert_eq!(ok.as_str(), "11010519491231002X");
        assert_eq!(ok.masked(), "110105********002X");
        assert!(IdNumber::parse("110105194912310021", today())
            .unwrap_err()
            .contains("check"));
        assert!(IdNumber::parse(&with_check("11010519490231002"), today())
            .unwrap_err()
            .contains("birth"));
        assert!(IdNumber::parse(&with_check("11010520270101002"), today())
            .unwrap_err()
            .contains("birth"));
        assert!(IdNumber::parse(&with_check("11010518991231002"), today()).is_err());
        assert!(IdNumber::parse("1101051949123100", today()).is_err());
        assert!(IdNumber::parse("11010519491231A02X", today()).is_err());
        assert!(!format!("{ok:?}").contains("19491231"), "Debug masks");
    }

    #[test]
    fn zones_methods_and_times_accept_the_sheet_s_words() {
        assert_eq!(parse_zone("二类区").unwrap().get(), 2);
        assert_eq!(parse_zone("3").unwrap().get(), 3);
        assert_eq!(parse_zone("一类").unwrap().get(), 1);
        assert!(parse_zone("4").is_err());
        assert_eq!(Method::parse("选购大厅").unwrap(), Method::Hall);
        assert_eq!(Method::parse("in_kind").unwrap(), Method::InKind);
        assert_eq!(Method::parse("纯货币补偿").unwrap(), Method::Cash);
        assert!(Method::parse("other").is_err());
        let local = parse_signed_at("2026-03-01 09:30:15.123").unwrap();
        let utc = parse_signed_at("2026-03-01T01:30:15.123Z").unwrap();
        assert_eq!(local, utc);
        assert_eq!(parse_signed_at("2026/03/01 09:30").unwrap(), local - 15_123);
        assert!(parse_signed_at("2026-02-30 09:00:00").is_err());
        // an Excel serial number: 46082.5 is 2026-03-01 12:00 local
        assert_eq!(
            parse_signed_at("46082.5").unwrap(),
            parse_signed_at("2026-03-01 12:00:00").unwrap()
        );
        assert!(parse_signed_at("yesterday").is_err());
    }

    #[test]
    fn vouchers_are_unambiguous_and_typed_loosely() {
        let mut rng = rand::thread_rng();
        let v = generate_voucher(&mut rng);
        assert_eq!(v.len(), 14);
        assert!(!v.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(
            normalize_voucher(&v.to_lowercase().replace('-', " ")),
            Some(v.clone())
        );
        assert_eq!(
            normalize_voucher("K7M3XPQ94RT2").as_deref(),
            Some("K7M3-XPQ9-4RT2")
        );
        assert_eq!(normalize_voucher("K7M3-XPQ9-4RT0"), None);
        assert_eq!(normalize_voucher("K7M3"), None);
        assert_eq!(
            normalize_voucher_prefix("k7m3xp").as_deref(),
            Some("K7M3-XP")
        );
        assert_eq!(normalize_voucher_prefix("张*明"), None);
        let pin = generate_pin(&mut rng);
        assert!(is_pin(&pin));
        assert!(!is_pin("12345a"));
    }
}
