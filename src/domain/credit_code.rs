//! Unified social credit code (统一社会信用代码, GB 32100-2015) of a developer company.

use std::fmt;

/// The 31 characters a code may use, in value order (no I, O, Z, S, V).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1..=17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A credit code whose length, character set and check character have been verified.
///
/// Positions 1 (registration authority) and 2 (organisation type) are deliberately not
/// restricted further: authorities have added categories over the years and a wrong
/// rejection costs a developer a trip to the counter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a code, trimming it and accepting lowercase letters.
    pub fn parse(s: &str) -> Result<CreditCode, String> {
        let code = s.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err("credit code is empty".to_owned());
        }
        let count = code.chars().count();
        if count != 18 {
            return Err(format!("credit code must be 18 characters, got {count}"));
        }
        let bytes = code.as_bytes();
        if let Some(bad) = bytes.iter().position(|b| char_value(*b).is_none()) {
            return Err(format!(
                "credit code has an invalid character at position {}",
                bad + 1
            ));
        }
        let expected = check_char(&bytes[..17]).expect("charset already checked");
        if bytes[17] != expected {
            return Err("check character does not match".to_owned());
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Completes the first 17 characters of a code with its check character; `None` when the
/// input is not 17 characters of the code's charset (uppercase or lowercase).
pub fn with_check_char(first17: &str) -> Option<String> {
    let upper = first17.to_ascii_uppercase();
    if upper.len() != 17 {
        return None;
    }
    let check = check_char(upper.as_bytes())?;
    let mut code = upper;
    code.push(check as char);
    Some(code)
}

fn char_value(b: u8) -> Option<u32> {
    CHARSET.iter().position(|c| *c == b).map(|i| i as u32)
}

fn check_char(first17: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (b, w) in first17.iter().zip(WEIGHTS) {
        sum += char_value(*b)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_codes_parse() {
        for code in ["91350100M000100Y43", "91110000802100433B"] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn lowercase_and_padding_are_normalised() {
        let code = CreditCode::parse("  91350100m000100y43 ").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.to_string(), "91350100M000100Y43");
    }

    #[test]
    fn wrong_check_character_is_rejected() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44").unwrap_err(),
            "check character does not match"
        );
    }

    #[test]
    fn wrong_length_and_charset_are_rejected() {
        assert!(CreditCode::parse("").unwrap_err().contains("empty"));
        assert!(CreditCode::parse("91350100M000100Y4")
            .unwrap_err()
            .contains("18 characters"));
        let err = CreditCode::parse("91350100I000100Y43").unwrap_err();
        assert!(err.contains("position 9"), "{err}");
        assert!(CreditCode::parse("9135０100M000100Y43").is_err());
    }

    #[test]
    fn with_check_char_rebuilds_known_codes() {
        assert_eq!(
            with_check_char("91350100M000100Y4").as_deref(),
            Some("91350100M000100Y43")
        );
        assert_eq!(with_check_char("9135010"), None);
        assert_eq!(with_check_char("91350100O000100Y4"), None);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = CreditCode::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_codes(s in "[0-9A-Za-z]{16,19}") {
            let _ = CreditCode::parse(&s);
        }

        #[test]
        fn with_check_char_output_always_parses(s in "[0-9ABCDEFGHJKLMNPQRTUWXY]{17}") {
            let code = with_check_char(&s).unwrap();
            let parsed = CreditCode::parse(&code).unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }

        #[test]
        fn changing_the_check_character_breaks_the_code(s in "[0-9ABCDEFGHJKLMNPQRTUWXY]{17}", i in 1usize..31) {
            let code = with_check_char(&s).unwrap();
            let last = code.as_bytes()[17];
            let pos = CHARSET.iter().position(|c| *c == last).unwrap();
            let mut other = s.clone();
            other.push(CHARSET[(pos + i) % 31] as char);
            prop_assert!(CreditCode::parse(&other).is_err());
        }
    }
}
