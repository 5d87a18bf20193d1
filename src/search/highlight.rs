//! A cheap snippet for a hit: the first literal match of a query term, marked `<em>…</em>`.

use super::query::QueryTerm;
use super::tokenizers::{layout_words, norm_char};
use super::ListingDoc;

/// Characters kept before and after the match.
const BEFORE: usize = 12;
const AFTER: usize = 36;

/// The snippet from the first text (description first, then names and address) that contains a
/// term; a hit found only by pinyin shows its escaped project name.
pub(crate) fn highlight(doc: &ListingDoc, terms: &[QueryTerm]) -> String {
    let layout_cn = layout_words(doc.rooms, doc.halls, doc.baths);
    let mut texts: Vec<&str> = vec![
        &doc.description,
        &doc.project_name,
        &doc.address,
        &doc.project_description,
        &doc.developer_name,
        &doc.district,
        &doc.layout,
        &layout_cn,
    ];
    texts.extend(doc.amenities.iter().map(String::as_str));
    for text in texts {
        let chars: Vec<char> = text.chars().collect();
        let norm: Vec<char> = chars.iter().copied().map(norm_char).collect();
        let first = terms
            .iter()
            .filter_map(|t| find(&norm, &t.chars).map(|at| (at, t.chars.len())))
            .min();
        if let Some((at, len)) = first {
            return snippet(&chars, at, at + len);
        }
    }
    escape(&doc.project_name)
}

fn find(haystack: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn snippet(chars: &[char], start: usize, end: usize) -> String {
    let from = start.saturating_sub(BEFORE);
    let to = (end + AFTER).min(chars.len());
    let part = |a: usize, b: usize| escape(&chars[a..b].iter().collect::<String>());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&part(from, start));
    out.push_str("<em>");
    out.push_str(&part(start, end));
    out.push_str("</em>");
    out.push_str(&part(end, to));
    if to < chars.len() {
        out.push('…');
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_first_match_and_escapes() {
        let chars: Vec<char> = "<b>一二三四五六七八九十一二三四五湖景房".chars().collect();
        let at = chars.len() - 3;
        let s = snippet(&chars, at, at + 2);
        assert!(s.starts_with('…'), "{s}");
        assert!(s.ends_with("<em>湖景</em>房"), "{s}");
        assert_eq!(escape("a<b>&"), "a&lt;b&gt;&amp;");
    }
}
