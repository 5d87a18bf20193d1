//! A unit's usage (用途): what a housing ticket may buy besides homes (docs/spec: housing tickets).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `residential` is the default of a unit that names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    Residential,
    Commercial,
    Office,
    Parking,
}

impl Usage {
    pub const ALL: [Usage; 4] = [
        Usage::Residential,
        Usage::Commercial,
        Usage::Office,
        Usage::Parking,
    ];

    /// The code JSON, the database and the listing filter use.
    pub fn as_str(self) -> &'static str {
        match self {
            Usage::Residential => "residential",
            Usage::Commercial => "commercial",
            Usage::Office => "office",
            Usage::Parking => "parking",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Usage::Residential => "住宅",
            Usage::Commercial => "商业",
            Usage::Office => "办公",
            Usage::Parking => "车位",
        }
    }

    /// Exactly a code (`residential` …), as the policy's JSON names usages; no labels, no case folding.
    pub fn from_code(s: &str) -> Option<Usage> {
        Usage::ALL.into_iter().find(|u| u.as_str() == s)
    }

    /// An upload cell or filter word: the English code in any case, or the Chinese name a
    /// developer's sheet is likely to carry (商铺, 写字楼, 停车位 and 车库 are common spellings).
    pub fn parse(s: &str) -> Result<Usage, String> {
        let v = s.trim();
        if v.is_empty() {
            return Err("is required".to_string());
        }
        let by_code = Usage::ALL
            .into_iter()
            .find(|u| u.as_str().eq_ignore_ascii_case(v));
        let usage = by_code.or(match v {
            "住宅" => Some(Usage::Residential),
            "商业" | "商铺" => Some(Usage::Commercial),
            "办公" | "写字楼" => Some(Usage::Office),
            "车位" | "停车位" | "车库" => Some(Usage::Parking),
            _ => None,
        });
        usage.ok_or_else(|| {
            format!("{v} is not a usage: residential (住宅), commercial (商业), office (办公) or parking (车位)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_chinese_names_parse() {
        for u in Usage::ALL {
            assert_eq!(Usage::parse(u.as_str()), Ok(u));
            assert_eq!(Usage::parse(u.label_zh()), Ok(u));
            assert_eq!(Usage::from_code(u.as_str()), Some(u));
            let json = serde_json::to_string(&u).unwrap();
            assert_eq!(json, format!("\"{}\"", u.as_str()));
            assert_eq!(serde_json::from_str::<Usage>(&json).unwrap(), u);
        }
        assert_eq!(Usage::parse(" Parking "), Ok(Usage::Parking));
        assert_eq!(Usage::parse("商铺"), Ok(Usage::Commercial));
        assert_eq!(Usage::parse("写字楼"), Ok(Usage::Office));
        assert_eq!(Usage::parse("停车位"), Ok(Usage::Parking));
        assert_eq!(Usage::parse("车库"), Ok(Usage::Parking));
    }

    #[test]
    fn empty_and_unknown_usages_are_refused() {
        assert!(Usage::parse("").is_err());
        assert!(Usage::parse("  ").is_err());
        assert!(Usage::parse("factory").is_err());
        assert_eq!(
            Usage::from_code("Parking"),
            None,
            "the policy takes codes only"
        );
        assert_eq!(Usage::from_code("车位"), None);
    }
}
