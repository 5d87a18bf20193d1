//! Reading the index: searches with sorting, paging and facets, single listings, every unit id.

use std::sync::Arc;

use tantivy::collector::sort_key::SortBySimilarityScore;
use tantivy::collector::{Count, SortKeyComputer, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

use super::SearchIndex;
use crate::search::facets::FacetCollector;
use crate::search::highlight::highlight;
use crate::search::query::{build_query, validate};
use crate::search::schema::{AREA, PRICE_PER_M2, TOTAL_PRICE, UNIT_ID};
use crate::search::sort_keys::SortByColumn;
use crate::search::{
    Facets, ListingDoc, ListingQuery, SearchError, SearchHit, SearchResult, SortBy,
};

impl SearchIndex {
    /// One page of matching units, the total, and optionally facets, in one pass over the matches.
    pub fn search(&self, q: &ListingQuery) -> Result<SearchResult, SearchError> {
        let terms = validate(q)?;
        let query = build_query(&self.fields, q, &terms);
        let _pass = self.gate.enter();
        let searcher = self.reader.searcher();
        self.sort_columns.retain(&searcher);
        let by = |field: &'static str, order| {
            let columns = Arc::clone(&self.sort_columns);
            (SortByColumn { columns, field }, order)
        };
        let by_unit = || by(UNIT_ID, Order::Asc);
        let (s, qy) = (&searcher, &*query);
        let facets = q.facets.then(|| {
            self.facet_cache.retain(&searcher);
            FacetCollector {
                cache: &self.facet_cache,
            }
        });
        let (addresses, total, facets) = match q.sort {
            // without text every score is equal: unit id order, and nothing to score
            SortBy::Relevance if terms.is_empty() => page(s, qy, q, facets, by_unit())?,
            SortBy::Relevance => page(
                s,
                qy,
                q,
                facets,
                ((SortBySimilarityScore, Order::Desc), by_unit()),
            )?,
            SortBy::PriceAsc => page(s, qy, q, facets, (by(TOTAL_PRICE, Order::Asc), by_unit()))?,
            SortBy::PriceDesc => page(s, qy, q, facets, (by(TOTAL_PRICE, Order::Desc), by_unit()))?,
            SortBy::AreaAsc => page(s, qy, q, facets, (by(AREA, Order::Asc), by_unit()))?,
            SortBy::AreaDesc => page(s, qy, q, facets, (by(AREA, Order::Desc), by_unit()))?,
            SortBy::PricePerM2Asc => {
                page(s, qy, q, facets, (by(PRICE_PER_M2, Order::Asc), by_unit()))?
            }
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc = self.load(&searcher, address)?;
            let highlight = (!terms.is_empty()).then(|| highlight(&doc, &terms));
            hits.push(SearchHit { doc, highlight });
        }
        Ok(SearchResult {
            hits,
            total,
            facets,
        })
    }

    /// The stored listing of one unit.
    pub fn get(&self, unit_id: i64) -> Result<Option<ListingDoc>, SearchError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(self.unit_term(unit_id), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        top.first()
            .map(|&(_, address)| self.load(&searcher, address))
            .transpose()
    }

    /// Every indexed unit id, ascending (for consistency checks against the database).
    pub fn all_unit_ids(&self) -> Result<Vec<i64>, SearchError> {
        let searcher = self.reader.searcher();
        let mut ids = Vec::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().i64(UNIT_ID)?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    ids.extend(column.first(doc));
                }
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    fn load(&self, searcher: &Searcher, address: DocAddress) -> Result<ListingDoc, SearchError> {
        let stored: TantivyDocument = searcher.doc(address)?;
        let json = stored
            .get_first(self.fields.stored)
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or_else(|| SearchError::Io("stored listing missing".to_string()))?;
        serde_json::from_str(&json).map_err(|e| SearchError::Io(format!("stored listing: {e}")))
    }
}

/// One page under a sort key, with the total and facets, in one pass (each sort key is its own
/// collector type, hence generic).
fn page<K>(
    searcher: &Searcher,
    query: &dyn Query,
    q: &ListingQuery,
    facets: Option<FacetCollector<'_>>,
    key: K,
) -> Result<(Vec<DocAddress>, usize, Option<Facets>), SearchError>
where
    K: SortKeyComputer + Send + 'static,
{
    let top = TopDocs::with_limit(q.limit)
        .and_offset(q.offset)
        .order_by(key);
    let (top, total, facets) = searcher.search(query, &(top, Count, facets))?;
    Ok((top.into_iter().map(|(_, a)| a).collect(), total, facets))
}
