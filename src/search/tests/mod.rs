//! Search behaviour on a small in-memory corpus, checked against brute force over the same docs.

mod corpus;
mod lifecycle;
mod ordering;
mod text;

use std::sync::OnceLock;

use super::{ListingQuery, SearchIndex, SearchResult};

/// The shared corpus index; tests that change an index build their own.
fn shared() -> &'static (SearchIndex, Vec<super::ListingDoc>) {
    static SHARED: OnceLock<(SearchIndex, Vec<super::ListingDoc>)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let docs = corpus::docs();
        let index = SearchIndex::create_in_ram().expect("index");
        index.apply(&docs, &[], 1).expect("apply");
        (index, docs)
    })
}

fn all(q: ListingQuery) -> SearchResult {
    shared()
        .0
        .search(&ListingQuery { limit: 100, ..q })
        .expect("search")
}

fn ids(result: &SearchResult) -> Vec<i64> {
    result.hits.iter().map(|h| h.doc.unit_id).collect()
}

fn text(q: &str) -> ListingQuery {
    ListingQuery {
        q: Some(q.to_string()),
        limit: 100,
        ..Default::default()
    }
}
