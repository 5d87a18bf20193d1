//! Sort keys read from plain arrays: each segment's sort columns (unit id, total price, area,
//! price per m²) are decoded once into a `Vec<i64>` (segments never change), so ordering a
//! quarter of a million matches reads an array instead of decoding a fast field per match.
//! About 8 bytes per unit per sort field in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::collector::sort_key::NaturalComparator;
use tantivy::collector::{SegmentSortKeyComputer, SortKeyComputer};
use tantivy::index::SegmentId;
use tantivy::{u64_to_i64, DocId, Score, Searcher, SegmentReader};

/// One segment's values of one field, by doc id.
type Decoded = HashMap<(SegmentId, &'static str), Arc<Vec<i64>>>;

/// Decoded sort columns of the segments searched lately; shared by all searches of an index.
#[derive(Default)]
pub(crate) struct SortColumns {
    columns: Mutex<Decoded>,
}

impl SortColumns {
    fn values(
        &self,
        reader: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Arc<Vec<i64>>> {
        let key = (reader.segment_id(), field);
        if let Some(values) = self.lock().get(&key) {
            return Ok(Arc::clone(values));
        }
        // decoded outside the lock; two searches racing on a new segment both decode it, once
        let column = reader.fast_fields().u64_lenient(field)?.map(|(c, _)| c);
        let values: Vec<i64> = (0..reader.max_doc())
            .map(|doc| {
                // every listing has all sort fields; a unit without one would sort as the largest
                column
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .map_or(i64::MAX, u64_to_i64)
            })
            .collect();
        let values = Arc::new(values);
        self.lock().insert(key, Arc::clone(&values));
        Ok(values)
    }

    /// Forgets segments the searcher no longer has (merged away or deleted).
    pub(crate) fn retain(&self, searcher: &Searcher) {
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        let mut columns = self.lock();
        if columns.keys().any(|(id, _)| !live.contains(id)) {
            columns.retain(|(id, _), _| live.contains(id));
        }
    }

    fn lock(&self) -> MutexGuard<'_, Decoded> {
        self.columns.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Orders by an i64 fast field through [`SortColumns`]; pair it with an `Order`.
pub(crate) struct SortByColumn {
    pub columns: Arc<SortColumns>,
    pub field: &'static str,
}

impl SortKeyComputer for SortByColumn {
    type SortKey = i64;
    type Child = ColumnSortKeys;
    type Comparator = NaturalComparator;

    fn segment_sort_key_computer(&self, reader: &SegmentReader) -> tantivy::Result<ColumnSortKeys> {
        Ok(ColumnSortKeys(self.columns.values(reader, self.field)?))
    }
}

pub(crate) struct ColumnSortKeys(Arc<Vec<i64>>);

impl SegmentSortKeyComputer for ColumnSortKeys {
    type SortKey = i64;
    type SegmentSortKey = i64;
    type SegmentComparator = NaturalComparator;

    #[inline(always)]
    fn segment_sort_key(&mut self, doc: DocId, _score: Score) -> i64 {
        self.0[doc as usize]
    }

    fn convert_segment_sort_key(&self, sort_key: i64) -> i64 {
        sort_key
    }
}
