//! Listing search: tantivy index of available units with Chinese word, substring and pinyin matching.
//!
//! The index is derived data: the database is the truth and [`SearchIndex::clear_and_rebuild`]
//! recreates it. Nothing here knows about HTTP or SQL.

mod facets;
mod highlight;
mod index;
mod pinyin;
mod query;
mod schema;
mod sort_keys;
mod tokenizers;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::str::FromStr;

pub use index::SearchIndex;
pub use tokenizers::{jieba, layout_words};

/// Longest accepted `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Largest accepted page size.
pub const MAX_LIMIT: usize = 100;
/// The usage codes a listing carries and the `usages` filter takes (the database's `units.usage`).
pub const USAGES: [&str; 4] = ["residential", "commercial", "office", "parking"];
/// Deepest accepted `offset` (like a search engine's result window; deeper pages cost memory).
pub const MAX_OFFSET: usize = 10_000;

/// One listed unit, everything the listing object of docs/api.md shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListingDoc {
    pub unit_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub developer_id: i64,
    pub developer_name: String,
    pub district: String,
    pub zone_class: i64,
    pub address: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub floor: i64,
    /// `residential` | `commercial` | `office` | `parking` ([`USAGES`])
    pub usage: String,
    /// Empty for a unit without a layout (only one that is not residential).
    pub layout: String,
    /// `None` for a unit without a layout: a `rooms` filter never matches it.
    pub rooms: Option<i64>,
    pub halls: Option<i64>,
    /// `None` when the uploaded layout named no bathrooms, or there is no layout.
    pub baths: Option<i64>,
    pub area_centi_m2: i64,
    pub price_per_m2_yuan: i64,
    pub total_price_yuan: i64,
    pub orientation: Option<String>,
    /// `rough` | `basic` | `fine`
    pub decoration: Option<String>,
    /// `ready` | `off_plan`
    pub delivery: String,
    pub amenities: Vec<String>,
    /// The unit's own description.
    pub description: String,
    pub project_description: String,
}

/// Result order; every order breaks ties by ascending `unit_id` so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Best text match first; without `q` this is plain `unit_id` order.
    #[default]
    Relevance,
    /// Ascending `total_price_yuan`.
    PriceAsc,
    /// Descending `total_price_yuan`.
    PriceDesc,
    AreaAsc,
    AreaDesc,
    PricePerM2Asc,
}

impl FromStr for SortBy {
    type Err = SearchError;

    /// Parses the `sort` query parameter of docs/api.md (`relevance`, `price_asc`, …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "relevance" => SortBy::Relevance,
            "price_asc" => SortBy::PriceAsc,
            "price_desc" => SortBy::PriceDesc,
            "area_asc" => SortBy::AreaAsc,
            "area_desc" => SortBy::AreaDesc,
            "price_per_m2_asc" => SortBy::PricePerM2Asc,
            other => return Err(SearchError::BadQuery(format!("unknown sort `{other}`"))),
        })
    }
}

/// A listings search: free text, filters, order and page. Checked by [`SearchIndex::search`].
#[derive(Debug, Clone, Default)]
pub struct ListingQuery {
    /// Free text; whitespace and punctuation separate terms, every term must match.
    pub q: Option<String>,
    pub district: Option<String>,
    pub zone_class: Option<i64>,
    pub rooms: Option<i64>,
    pub min_area_centi: Option<i64>,
    pub max_area_centi: Option<i64>,
    pub min_price_yuan: Option<i64>,
    pub max_price_yuan: Option<i64>,
    pub max_price_per_m2_yuan: Option<i64>,
    pub min_floor: Option<i64>,
    pub max_floor: Option<i64>,
    pub orientation: Option<String>,
    pub decoration: Option<String>,
    pub delivery: Option<String>,
    /// Any one of these usages ([`USAGES`]); empty means every usage.
    pub usages: Vec<String>,
    pub developer_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Every one must be present.
    pub amenities: Vec<String>,
    pub sort: SortBy,
    pub offset: usize,
    /// 1 ..= [`MAX_LIMIT`].
    pub limit: usize,
    /// Also count district, zone class, rooms, usage and developer over the whole result set.
    pub facets: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    pub doc: ListingDoc,
    /// A short HTML snippet with the first match in `<em>…</em>` (text escaped); only with `q`.
    pub highlight: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    /// Number of matching units (all pages).
    pub total: usize,
    pub facets: Option<Facets>,
}

/// Counts over the whole filtered result set, keyed by the value as a string.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Facets {
    pub district: BTreeMap<String, u64>,
    pub zone_class: BTreeMap<String, u64>,
    /// Units without rooms (no layout) are not counted here.
    pub rooms: BTreeMap<String, u64>,
    /// Key: the usage code.
    pub usage: BTreeMap<String, u64>,
    /// Key: developer id as a string.
    pub developer: BTreeMap<String, u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("bad query: {0}")]
    BadQuery(String),
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index io: {0}")]
    Io(String),
}
