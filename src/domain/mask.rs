//! Masked forms of personal data for responses and logs: `张*明`, `138****5678`,
//! `110101********1234`.

/// Keeps the first and last character of a name: `张三` → `张*`, `张小明` → `张*明`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Keeps the first three and last four digits of a phone number.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n <= 7 {
        return "*".repeat(n);
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[n - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - 7))
}

/// Keeps the 6-digit region code and the last four characters of an ID number.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    let n = chars.len();
    if n <= 10 {
        return "*".repeat(n);
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[n - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - 10))
}

/// What an official typed into a household search, as the audit trail keeps it: a masked name
/// stays masked (`张*明`), a full name is masked, digits (an ID-number ending) keep only their last
/// four, a voucher number (letters and digits) stays as typed — it names no person by itself.
pub fn mask_query(q: &str) -> String {
    let q = q.trim();
    if q.contains('*') {
        return q.to_string();
    }
    let id_like = q
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'X' || b == b'x');
    if id_like {
        let n = q.len();
        return format!(
            "{}{}",
            "*".repeat(n.saturating_sub(4)),
            &q[n.saturating_sub(4)..]
        );
    }
    if q.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' ')
    {
        return q.to_string();
    }
    mask_name(q)
}

/// Mainland mobile (`1[3-9]` + 9 digits) or a landline with area code (`010-12345678`,
/// `0571-8765432`, with or without the dash); returns the digits-and-dash form.
pub fn parse_phone(s: &str) -> Result<String, String> {
    let p: String = s.trim().chars().filter(|c| *c != ' ').collect();
    let bytes = p.as_bytes();
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) && all_digits(&p)
    {
        return Ok(p);
    }
    let (area, local) = match p.split_once('-') {
        Some((a, l)) => (a.to_string(), l.to_string()),
        None if p.starts_with('0') && all_digits(&p) => {
            // 3-digit area codes start 01/02, the rest are 4 digits
            let k = if p.starts_with("01") || p.starts_with("02") {
                3
            } else {
                4
            };
            if p.len() <= k {
                return Err("must be a mobile number or a landline with area code".into());
            }
            (p[..k].to_string(), p[k..].to_string())
        }
        None => return Err("must be a mobile number or a landline with area code".into()),
    };
    let area_ok = all_digits(&area) && area.starts_with('0') && (3..=4).contains(&area.len());
    let local_ok = all_digits(&local) && (7..=8).contains(&local.len()) && !local.starts_with('0');
    if area_ok && local_ok {
        Ok(format!("{area}-{local}"))
    } else {
        Err("must be a mobile number or a landline with area code".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_first_and_last_character() {
        assert_eq!(mask_name("张小明"), "张*明");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明明"), "欧***明");
        assert_eq!(mask_name("王"), "*");
    }

    #[test]
    fn phones_and_ids_show_only_their_ends() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("010-12345678"), "010*****5678");
        assert_eq!(mask_id_number("110101199003071234"), "110101********1234");
    }

    #[test]
    fn phones_are_mobile_or_landline_with_area_code() {
        assert_eq!(parse_phone("13812345678").unwrap(), "13812345678");
        assert_eq!(parse_phone("010-12345678").unwrap(), "010-12345678");
        assert_eq!(parse_phone("057187654321").unwrap(), "0571-87654321");
        assert!(parse_phone("12812345678").is_err());
        assert!(parse_phone("1381234567").is_err());
        assert!(parse_phone("12345").is_err());
        assert!(parse_phone("").is_err());
    }

    #[test]
    fn search_queries_are_masked_like_the_records_they_find() {
        assert_eq!(mask_query("张小明"), "张*明");
        assert_eq!(mask_query("张*明"), "张*明");
        assert_eq!(mask_query("561234"), "**1234");
        assert_eq!(mask_query("1234"), "1234");
        assert_eq!(mask_query("10105X"), "**105X");
        assert_eq!(mask_query("AJ7K-2M"), "AJ7K-2M");
    }
}
