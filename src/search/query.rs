//! Turns a [`ListingQuery`] into a tantivy query, built programmatically (never the query parser).
//!
//! Each text term must match as a substring (character pairs, exact) or, for letters, as a pinyin
//! prefix; those match at a constant score (cheap on broad terms), and jieba word matches add their
//! BM25 score, so word matches rank first without changing the result set.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, InvertedIndexRangeQuery, Occur,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::pinyin::is_pinyin_query;
use super::schema::Fields;
use super::tokenizers::{is_word_char, jieba, norm_char, norm_word};
use super::{ListingQuery, SearchError, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, USAGES};

/// Distinct text terms accepted in one query.
const MAX_TERMS: usize = 16;
const TITLE_WORD_BOOST: f32 = 3.0;
const BODY_WORD_BOOST: f32 = 1.0;
const PINYIN_BOOST: f32 = 2.0;
const SUBSTRING_SCORE: f32 = 1.0;
const DECORATIONS: [&str; 3] = ["rough", "basic", "fine"];
const DELIVERIES: [&str; 2] = ["ready", "off_plan"];

/// One run of letters and digits of `q`: what must match somewhere in a unit's texts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryTerm {
    /// As typed.
    pub text: String,
    /// Normalised characters, as the n-gram fields hold them.
    pub chars: Vec<char>,
}

impl QueryTerm {
    pub(crate) fn normalized(&self) -> String {
        self.chars.iter().collect()
    }
}

/// Splits `q` at every character that is not a letter or digit (spaces, quotes, punctuation have
/// no syntax here), drops duplicates.
pub(crate) fn split_terms(q: &str) -> Vec<QueryTerm> {
    let mut terms: Vec<QueryTerm> = Vec::new();
    for run in q
        .split(|c: char| !is_word_char(c))
        .filter(|r| !r.is_empty())
    {
        let term = QueryTerm {
            text: run.to_string(),
            chars: run.chars().map(norm_char).collect(),
        };
        if !terms.iter().any(|t| t.chars == term.chars) {
            terms.push(term);
        }
    }
    terms
}

/// Checks a query; returns its text terms.
pub(crate) fn validate(q: &ListingQuery) -> Result<Vec<QueryTerm>, SearchError> {
    let bad = |m: String| Err(SearchError::BadQuery(m));
    if q.limit == 0 || q.limit > MAX_LIMIT {
        return bad(format!("limit must be 1 to {MAX_LIMIT}"));
    }
    if q.offset > MAX_OFFSET {
        return bad(format!("offset must be at most {MAX_OFFSET}"));
    }
    let numbers = [
        ("zone_class", q.zone_class),
        ("rooms", q.rooms),
        ("min_area", q.min_area_centi),
        ("max_area", q.max_area_centi),
        ("min_price_yuan", q.min_price_yuan),
        ("max_price_yuan", q.max_price_yuan),
        ("max_price_per_m2_yuan", q.max_price_per_m2_yuan),
        ("min_floor", q.min_floor),
        ("max_floor", q.max_floor),
        ("developer_id", q.developer_id),
        ("project_id", q.project_id),
    ];
    if let Some((name, _)) = numbers.iter().find(|(_, v)| v.is_some_and(|v| v < 0)) {
        return bad(format!("{name} must not be negative"));
    }
    let ranges = [
        ("area", q.min_area_centi, q.max_area_centi),
        ("price", q.min_price_yuan, q.max_price_yuan),
        ("floor", q.min_floor, q.max_floor),
    ];
    for (name, min, max) in ranges {
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return bad(format!("min_{name} is greater than max_{name}"));
            }
        }
    }
    if let Some(d) = nonblank(&q.decoration).filter(|d| !DECORATIONS.contains(d)) {
        return bad(format!(
            "decoration must be one of rough, basic, fine, not `{d}`"
        ));
    }
    if let Some(d) = nonblank(&q.delivery).filter(|d| !DELIVERIES.contains(d)) {
        return bad(format!("delivery must be ready or off_plan, not `{d}`"));
    }
    if let Some(u) = q.usages.iter().find(|u| !USAGES.contains(&u.as_str())) {
        return bad(format!(
            "usage must be residential, commercial, office or parking, not `{u}`"
        ));
    }
    let text = q.q.as_deref().unwrap_or("");
    if text.chars().count() > MAX_QUERY_CHARS {
        return bad(format!("q is longer than {MAX_QUERY_CHARS} characters"));
    }
    let terms = split_terms(text);
    if terms.len() > MAX_TERMS {
        return bad(format!("q has more than {MAX_TERMS} distinct terms"));
    }
    Ok(terms)
}

/// A filter value, trimmed; blank counts as absent.
fn nonblank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The whole query: every text term and every filter must match.
pub(crate) fn build_query(f: &Fields, q: &ListingQuery, terms: &[QueryTerm]) -> Box<dyn Query> {
    let mut must: Vec<Box<dyn Query>> = terms.iter().map(|t| text_term_query(f, t)).collect();
    must.extend(filters(f, q).into_iter().map(|filter| {
        // filters must not move scores: every hit matches them all anyway
        Box::new(ConstScoreQuery::new(filter, 0.0)) as Box<dyn Query>
    }));
    match must.len() {
        0 => Box::new(AllQuery),
        1 => must.pop().expect("one clause"),
        _ => Box::new(BooleanQuery::intersection(must)),
    }
}

fn filters(f: &Fields, q: &ListingQuery) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let text_eq = |field: Field, value: &str| -> Box<dyn Query> {
        let term = Term::from_field_text(field, value);
        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
    };
    let int_eq = |field: Field, value: i64| -> Box<dyn Query> {
        let term = Term::from_field_i64(field, value);
        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
    };
    let range = |field: Field, min: Option<i64>, max: Option<i64>| -> Option<Box<dyn Query>> {
        let bound = |v: Option<i64>| {
            v.map_or(Bound::Unbounded, |v| {
                Bound::Included(Term::from_field_i64(field, v))
            })
        };
        if min.is_none() && max.is_none() {
            return None;
        }
        Some(Box::new(RangeQuery::new(bound(min), bound(max))))
    };
    let keywords = [
        (f.district, nonblank(&q.district)),
        (f.orientation, nonblank(&q.orientation)),
        (f.decoration, nonblank(&q.decoration)),
        (f.delivery, nonblank(&q.delivery)),
    ];
    out.extend(
        keywords
            .into_iter()
            .filter_map(|(field, v)| v.map(|v| text_eq(field, v))),
    );
    let ids = [
        (f.zone_class, q.zone_class),
        (f.rooms, q.rooms),
        (f.developer_id, q.developer_id),
        (f.project_id, q.project_id),
    ];
    out.extend(
        ids.into_iter()
            .filter_map(|(field, v)| v.map(|v| int_eq(field, v))),
    );
    out.extend(range(f.area, q.min_area_centi, q.max_area_centi));
    out.extend(range(f.total_price, q.min_price_yuan, q.max_price_yuan));
    out.extend(range(f.price_per_m2, None, q.max_price_per_m2_yuan));
    out.extend(range(f.floor, q.min_floor, q.max_floor));
    if !q.usages.is_empty() {
        // any one of the usages: one clause, a union of their terms
        let any: Vec<Box<dyn Query>> = q.usages.iter().map(|u| text_eq(f.usage, u)).collect();
        out.push(Box::new(BooleanQuery::union(any)));
    }
    for amenity in q
        .amenities
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
    {
        out.push(text_eq(f.amenity, amenity));
    }
    out
}

/// Substring (or pinyin prefix) decides the match at a constant score; jieba words add BM25.
fn text_term_query(f: &Fields, term: &QueryTerm) -> Box<dyn Query> {
    let substring: Box<dyn Query> = Box::new(ConstScoreQuery::new(
        substring_query(f, &term.chars),
        SUBSTRING_SCORE,
    ));
    let normalized = term.normalized();
    let recall: Box<dyn Query> = if is_pinyin_query(&normalized) {
        let pinyin = Box::new(BoostQuery::new(
            pinyin_prefix_query(f, &normalized),
            PINYIN_BOOST,
        ));
        Box::new(BooleanQuery::union(vec![substring, pinyin]))
    } else {
        substring
    };
    let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in jieba().cut(&term.text, true) {
        let Some(word) = norm_word(word.word) else {
            continue;
        };
        for (field, boost) in [
            (f.words_title, TITLE_WORD_BOOST),
            (f.words_body, BODY_WORD_BOOST),
        ] {
            let term = Term::from_field_text(field, &word);
            let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            words.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
        }
    }
    if words.is_empty() {
        return recall;
    }
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, recall),
        (Occur::Should, Box::new(BooleanQuery::new(words))),
    ]))
}

/// Exactly the units whose texts contain `chars` contiguously: one character by the unigram field,
/// longer strings as a phrase of character pairs at offsets 0, 2, 4 … (and the last pair).
fn substring_query(f: &Fields, chars: &[char]) -> Box<dyn Query> {
    if chars.len() == 1 {
        let term = Term::from_field_text(f.unigrams, &chars[0].to_string());
        return Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
    }
    let pair = |i: usize| {
        let text: String = chars[i..i + 2].iter().collect();
        (i, Term::from_field_text(f.bigrams, &text))
    };
    let mut offsets: Vec<usize> = (0..chars.len() - 1).step_by(2).collect();
    if offsets.last() != Some(&(chars.len() - 2)) {
        offsets.push(chars.len() - 2);
    }
    if offsets.len() == 1 {
        let (_, term) = pair(0);
        return Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
    }
    Box::new(PhraseQuery::new_with_offset(
        offsets.into_iter().map(pair).collect(),
    ))
}

/// Pinyin terms starting with `prefix` (ASCII letters), by a term-dictionary range.
fn pinyin_prefix_query(f: &Fields, prefix: &str) -> Box<dyn Query> {
    let lower = Term::from_field_text(f.pinyin, prefix);
    let mut end = prefix.as_bytes().to_vec();
    // ASCII letters only, so the last byte can be incremented without overflow
    *end.last_mut().expect("non-empty prefix") += 1;
    let upper = Term::from_field_text(f.pinyin, std::str::from_utf8(&end).expect("ascii"));
    Box::new(InvertedIndexRangeQuery::new(
        Bound::Included(lower),
        Bound::Excluded(upper),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_punctuation_only_separate_terms() {
        let texts: Vec<String> = split_terms("\"湖景  南北通透，ＡB湖景")
            .into_iter()
            .map(|t| t.normalized())
            .collect();
        assert_eq!(texts, ["湖景", "南北通透", "ab湖景"]);
        assert!(split_terms("\"\"  !!").is_empty());
    }

    #[test]
    fn limits_and_ranges_are_checked() {
        let ok = ListingQuery {
            limit: 20,
            ..Default::default()
        };
        assert!(validate(&ok).is_ok());
        let cases = [
            ListingQuery {
                limit: 0,
                ..ok.clone()
            },
            ListingQuery {
                limit: 101,
                ..ok.clone()
            },
            ListingQuery {
                offset: MAX_OFFSET + 1,
                ..ok.clone()
            },
            ListingQuery {
                min_floor: Some(9),
                max_floor: Some(3),
                ..ok.clone()
            },
            ListingQuery {
                rooms: Some(-1),
                ..ok.clone()
            },
            ListingQuery {
                decoration: Some("gold".into()),
                ..ok.clone()
            },
            ListingQuery {
                usages: vec!["parking".into(), "boat".into()],
                ..ok.clone()
            },
            ListingQuery {
                q: Some("湖".repeat(201)),
                ..ok.clone()
            },
        ];
        for case in cases {
            assert!(
                matches!(validate(&case), Err(SearchError::BadQuery(_))),
                "{case:?}"
            );
        }
    }
}
