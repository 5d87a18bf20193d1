//! Word, substring and pinyin matching, highlights, and hostile query strings.

use proptest::prelude::*;

use super::corpus::{brute_force, ids_of_project, texts};
use super::{all, ids, shared, text};
use crate::search::tokenizers::jieba;
use crate::search::{ListingDoc, ListingQuery, SearchError};

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

fn assert_exact(q: &str) {
    let docs = &shared().1;
    let result = all(text(q));
    let want = brute_force(docs, q);
    assert!(!want.is_empty(), "corpus should contain {q}");
    assert_eq!(result.total, want.len(), "total for {q}");
    assert_eq!(sorted(ids(&result)), want, "ids for {q}");
}

#[test]
fn word_and_substring_queries_find_exactly_the_units_containing_them() {
    for q in [
        "地铁",
        "南北通透",
        "湖景",
        "湖景房",
        "江华",
        "园华",
        "三室",
        "两室一厅",
        "88号",
        "b1",
    ] {
        assert_exact(q);
    }
}

#[test]
fn single_characters_and_several_terms_match_like_substrings() {
    for q in [
        "湖",
        "府",
        "3",
        "湖景 地铁",
        "锦园华苑 三室",
        "\"湖景",
        "湖景，南北",
    ] {
        assert_exact(q);
    }
}

#[test]
fn three_rooms_in_chinese_numerals_finds_the_3_room_layouts() {
    let result = all(text("三室"));
    let docs = &shared().1;
    for doc in docs.iter().filter(|d| d.rooms == Some(3)) {
        assert!(
            ids(&result).contains(&doc.unit_id),
            "unit {} 3室",
            doc.unit_id
        );
    }
}

#[test]
fn no_match_spans_two_texts() {
    // 锦园华苑 is followed by its developer's name; 苑安 exists in no single text
    assert_eq!(all(text("苑安")).total, 0);
    assert_eq!(all(text("江岸区江岸区")).total, 0);
}

#[test]
fn exact_project_name_ranks_its_units_first() {
    let docs = &shared().1;
    let result = all(text("锦园华苑"));
    let project = ids_of_project(docs, 1);
    assert_eq!(sorted(ids(&result)), project);
    let result = all(text("华苑"));
    assert!(result.total >= project.len());
    let top: Vec<i64> = ids(&result)[..project.len()].to_vec();
    assert_eq!(sorted(top), project);
}

/// Whether jieba (search mode, as indexed) yields `q` as a word of one of the doc's texts.
fn has_word(doc: &ListingDoc, q: &str) -> bool {
    texts(doc)
        .iter()
        .any(|t| jieba().cut_for_search(t, true).iter().any(|w| w.word == q))
}

#[test]
fn word_matches_rank_above_fragment_matches() {
    // 湖景 is a word in 湖景开阔 but only a fragment of 湖景房
    for q in ["湖景", "地铁", "江景", "南北通透"] {
        let result = all(text(q));
        let words: Vec<bool> = result.hits.iter().map(|h| has_word(&h.doc, q)).collect();
        let first_fragment = words.iter().position(|w| !w).unwrap_or(words.len());
        assert!(words[first_fragment..].iter().all(|w| !w), "{q}: {words:?}");
    }
    let result = all(text("湖景"));
    let words = result
        .hits
        .iter()
        .filter(|h| has_word(&h.doc, "湖景"))
        .count();
    assert!(
        words > 0 && words < result.hits.len(),
        "湖景 needs both kinds"
    );
}

#[test]
fn pinyin_full_initials_and_middle_parts_find_the_project() {
    let docs = &shared().1;
    let project = ids_of_project(docs, 1);
    for q in [
        "jyhy",
        "JYHY",
        "jy",
        "jinyuan",
        "jinyuanhuayuan",
        "huayuan",
        "hy",
        "yuanhua",
    ] {
        let found = ids(&all(text(q)));
        assert!(
            project.iter().all(|id| found.contains(id)),
            "{q}: {found:?}"
        );
    }
    let found = ids(&all(text("jyhy")));
    assert_eq!(sorted(found), project);
}

#[test]
fn pinyin_of_a_polyphone_place_name_uses_its_usual_reading() {
    let docs = &shared().1;
    let project = ids_of_project(docs, 1);
    for q in ["cq", "cql", "chongqing", "chongqinglu"] {
        let found = sorted(ids(&all(text(q))));
        assert_eq!(found, project, "{q}");
    }
    let found = sorted(ids(&all(text("changan"))));
    assert_eq!(found, ids_of_project(docs, 3), "长安大道");
}

#[test]
fn digits_do_not_go_to_pinyin() {
    assert_exact("300");
    assert_eq!(all(text("300")).total, ids_of_project(&shared().1, 4).len());
}

#[test]
fn highlight_marks_the_first_match() {
    let result = all(text("湖景"));
    for hit in &result.hits {
        let h = hit.highlight.as_deref().expect("highlight with q");
        assert!(h.contains("<em>湖景</em>"), "{h}");
    }
    let result = all(ListingQuery {
        limit: 5,
        ..Default::default()
    });
    assert!(result.hits.iter().all(|h| h.highlight.is_none()));
    let pinyin = all(text("jyhy"));
    assert_eq!(pinyin.hits[0].highlight.as_deref(), Some("锦园华苑"));
}

#[test]
fn bad_queries_are_rejected_or_harmless() {
    let index = &shared().0;
    let bad = [
        text(&"湖".repeat(10_000)),
        ListingQuery {
            limit: 10_000,
            ..text("湖景")
        },
        ListingQuery {
            min_price_yuan: Some(2),
            max_price_yuan: Some(1),
            ..text("湖景")
        },
        ListingQuery {
            min_area_centi: Some(-5),
            ..text("湖景")
        },
    ];
    for q in bad {
        assert!(
            matches!(index.search(&q), Err(SearchError::BadQuery(_))),
            "{q:?}"
        );
    }
    for q in [
        "\"",
        "\"\"\"",
        "AND OR NOT",
        "(",
        "*",
        "湖景\"",
        "title:湖景",
        "  ",
    ] {
        index.search(&text(q)).expect(q);
    }
}

#[test]
fn every_substring_of_every_text_counts_exactly() {
    let docs = &shared().1;
    for doc in docs.iter().take(4) {
        for t in texts(doc) {
            let chars: Vec<char> = t.chars().collect();
            for start in 0..chars.len() {
                for end in start + 1..=chars.len().min(start + 6) {
                    let q: String = chars[start..end].iter().collect();
                    let pinyin_like = q.bytes().all(|b| b.is_ascii_alphabetic());
                    if q.chars().all(char::is_alphanumeric) && !pinyin_like {
                        assert_eq!(all(text(&q)).total, brute_force(docs, &q).len(), "{q}");
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn search_never_panics_on_any_q(q in any::<String>()) {
        let result = shared().0.search(&ListingQuery { limit: 10, ..text(&q) });
        prop_assert!(result.is_ok() || matches!(result, Err(SearchError::BadQuery(_))));
    }

    #[test]
    fn housing_like_queries_count_like_substrings(q in "[湖景房地铁南北通透江华苑锦园88A \"，]{1,8}") {
        let docs = &shared().1;
        let result = shared().0.search(&ListingQuery { limit: 10, ..text(&q) }).unwrap();
        let pinyin_like = q.split(|c: char| !c.is_alphanumeric())
            .any(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphabetic()));
        if !pinyin_like {
            prop_assert_eq!(result.total, brute_force(docs, &q).len());
        }
    }
}
