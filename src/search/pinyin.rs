//! Pinyin index terms: full spelling and initials of every suffix, over several readings.
//!
//! `锦园华苑` gives `jinyuanhuayuan`, `yuanhuayuan`, `huayuan`, `yuan` and `jyhy`, `yhy`, `hy`, `y`;
//! a query letter string is matched as a prefix of these terms, so `jy`, `jinyuan`, `huay` and
//! `hy` all find it. Polyphones: a table of place-name words fixes the preferred reading (重庆 is
//! chong qing, not zhong qing) and the crate's other readings of each character are added one
//! character at a time, capped, so an unforeseen name is still found by its usual spelling.

use std::collections::BTreeSet;

use pinyin::{ToPinyin, ToPinyinMulti};

use super::tokenizers::norm_char;

/// Characters of a text considered (names and addresses are short; the rest is ignored).
const MAX_CHARS: usize = 32;
/// Readings per character considered.
const MAX_READINGS_PER_CHAR: usize = 3;
/// Whole-text readings indexed: the preferred one plus single-character variants.
const MAX_READINGS: usize = 8;

/// Words whose usual reading differs from the first reading of their characters.
const PREFERRED: &[(&str, &[&str])] = &[
    ("重庆", &["chong", "qing"]),
    ("长安", &["chang", "an"]),
    ("长沙", &["chang", "sha"]),
    ("长春", &["chang", "chun"]),
    ("长江", &["chang", "jiang"]),
    ("长城", &["chang", "cheng"]),
    ("长宁", &["chang", "ning"]),
    ("厦门", &["xia", "men"]),
    ("大厦", &["da", "sha"]),
    ("六安", &["lu", "an"]),
    ("六合", &["lu", "he"]),
    ("蚌埠", &["beng", "bu"]),
    ("银行", &["yin", "hang"]),
    ("朝阳", &["chao", "yang"]),
    ("乐山", &["le", "shan"]),
    ("乐清", &["yue", "qing"]),
    ("东莞", &["dong", "guan"]),
    ("番禺", &["pan", "yu"]),
    ("丽水", &["li", "shui"]),
    ("台州", &["tai", "zhou"]),
    ("成都", &["cheng", "du"]),
    ("都市", &["du", "shi"]),
    ("首都", &["shou", "du"]),
    ("单县", &["shan", "xian"]),
    ("曲阜", &["qu", "fu"]),
    ("会展", &["hui", "zhan"]),
    ("会所", &["hui", "suo"]),
    ("和平", &["he", "ping"]),
    ("调兵山", &["diao", "bing", "shan"]),
    ("尉氏", &["wei", "shi"]),
    ("大都会", &["da", "du", "hui"]),
    ("华府", &["hua", "fu"]),
    ("传奇", &["chuan", "qi"]),
    ("和府", &["he", "fu"]),
];

/// Candidate plain readings (no tones) of one kept character, preferred first.
type Candidates = Vec<String>;

/// All pinyin terms of `text`: per reading and per start character, the full spelling and the
/// initials of the rest of the text. Sorted and de-duplicated.
pub(crate) fn pinyin_terms(text: &str) -> BTreeSet<String> {
    let (chars, mut candidates) = candidates(text);
    apply_preferred(&chars, &mut candidates);
    let mut terms = BTreeSet::new();
    for reading in readings(&candidates) {
        for start in 0..reading.len() {
            let rest = &reading[start..];
            terms.insert(rest.concat());
            terms.insert(rest.iter().filter_map(|s| s.chars().next()).collect());
        }
    }
    terms
}

/// The kept characters of `text` (Han characters with a reading, ASCII letters and digits) and
/// their candidate readings; an ASCII character reads as itself.
fn candidates(text: &str) -> (Vec<char>, Vec<Candidates>) {
    let mut chars = Vec::new();
    let mut candidates = Vec::new();
    for c in text.chars().map(norm_char) {
        if chars.len() == MAX_CHARS {
            break;
        }
        let readings: Candidates = if c.is_ascii_alphanumeric() {
            vec![c.to_string()]
        } else if let Some(multi) = c.to_pinyin_multi() {
            let mut plain: Candidates = Vec::new();
            for reading in multi {
                let reading = reading.plain();
                if !plain.iter().any(|p| p == reading) {
                    plain.push(reading.to_string());
                }
            }
            plain.truncate(MAX_READINGS_PER_CHAR);
            plain
        } else if let Some(reading) = c.to_pinyin() {
            vec![reading.plain().to_string()]
        } else {
            continue;
        };
        if readings.is_empty() {
            continue;
        }
        chars.push(c);
        candidates.push(readings);
    }
    (chars, candidates)
}

/// Moves the table's reading to the front wherever one of its words occurs.
fn apply_preferred(chars: &[char], candidates: &mut [Candidates]) {
    for (word, syllables) in PREFERRED {
        let word: Vec<char> = word.chars().collect();
        if word.len() > chars.len() {
            continue;
        }
        for start in 0..=chars.len() - word.len() {
            if chars[start..start + word.len()] != word[..] {
                continue;
            }
            for (offset, syllable) in syllables.iter().enumerate() {
                let cands = &mut candidates[start + offset];
                cands.retain(|c| c != syllable);
                cands.insert(0, syllable.to_string());
            }
        }
    }
}

/// The preferred reading, then variants that change one character to another reading.
fn readings(candidates: &[Candidates]) -> Vec<Vec<&str>> {
    let preferred: Vec<&str> = candidates.iter().map(|c| c[0].as_str()).collect();
    let mut out = vec![preferred.clone()];
    'outer: for (i, cands) in candidates.iter().enumerate() {
        for alternative in &cands[1..] {
            if out.len() == MAX_READINGS {
                break 'outer;
            }
            let mut variant = preferred.clone();
            variant[i] = alternative.as_str();
            out.push(variant);
        }
    }
    out
}

/// A query string goes to the pinyin field only when it is ASCII letters.
pub(crate) fn is_pinyin_query(term: &str) -> bool {
    !term.is_empty() && term.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(text: &str, query: &str) -> bool {
        pinyin_terms(text).iter().any(|t| t.starts_with(query))
    }

    #[test]
    fn full_initials_and_middle_parts_match_as_prefixes() {
        for q in [
            "jyhy",
            "jy",
            "jinyuan",
            "jinyuanhuayuan",
            "huayuan",
            "hy",
            "yuanhua",
        ] {
            assert!(finds("锦园华苑", q), "{q}");
        }
        assert!(!finds("锦园华苑", "jyhyx"));
    }

    #[test]
    fn place_name_polyphones_use_the_usual_reading() {
        for q in ["cq", "cql", "chongqing", "chongqinglu", "cql88"] {
            assert!(finds("重庆路88号", q), "{q}");
        }
        assert!(finds("厦门大厦", "xiamendasha"));
        assert!(finds("朝阳区", "chaoyangqu"));
    }

    #[test]
    fn readings_are_capped() {
        let text = "长长长长长长长长长长重重重重重重行行行行行和和和和和";
        assert!(readings(&candidates(text).1).len() <= MAX_READINGS);
        let long = "锦".repeat(100);
        assert_eq!(pinyin_terms(&long).len(), MAX_CHARS * 2);
    }
}
