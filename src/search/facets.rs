//! A collector counting district, usage, zone class, rooms and developer over every matching unit.
//!
//! Counting reads one precomputed code per match: each segment gets, once, a table of the
//! distinct (district, usage, zone class, rooms, developer) combinations and the combination of
//! every document (segments never change; a handful of projects' combinations cover thousands of
//! units). Counting a match is then one array read and one increment instead of five fast-field
//! reads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::{u64_to_i64, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::schema::{DEVELOPER_ID, DISTRICT, ROOMS, USAGE, ZONE_CLASS};
use super::Facets;

/// A missing value in a combination (a unit without a layout has no rooms; every listing has the
/// others, but the index does not insist).
const NONE: u64 = u64::MAX;

/// One combination: district name and usage, then zone class, rooms, developer id (`None` when
/// missing).
type Combo = ([Option<String>; 2], [Option<i64>; 3]);

/// The facet values of one segment's documents, as combination codes.
struct SegmentCodes {
    /// Combination code of each document (by doc id).
    codes: Vec<u32>,
    /// The combination of each code.
    combos: Vec<Combo>,
}

impl SegmentCodes {
    fn build(reader: &SegmentReader) -> tantivy::Result<SegmentCodes> {
        let fast = reader.fast_fields();
        let texts = [fast.str(DISTRICT)?, fast.str(USAGE)?];
        let ints = [ZONE_CLASS, ROOMS, DEVELOPER_ID]
            .map(|name| fast.u64_lenient(name).map(|c| c.map(|(column, _)| column)));
        let [zone, rooms, developer] = ints;
        let columns = [zone?, rooms?, developer?];
        let mut index: HashMap<[u64; 5], u32> = HashMap::new();
        let mut keys: Vec<[u64; 5]> = Vec::new();
        let mut codes = Vec::with_capacity(reader.max_doc() as usize);
        for doc in 0..reader.max_doc() {
            let mut key = [NONE; 5];
            for (slot, column) in key[..2].iter_mut().zip(&texts) {
                *slot = column
                    .as_ref()
                    .and_then(|c| c.ords().first(doc))
                    .unwrap_or(NONE);
            }
            for (slot, column) in key[2..].iter_mut().zip(&columns) {
                *slot = column.as_ref().and_then(|c| c.first(doc)).unwrap_or(NONE);
            }
            let code = *index.entry(key).or_insert_with(|| {
                keys.push(key);
                (keys.len() - 1) as u32
            });
            codes.push(code);
        }
        let mut name = String::new();
        let mut text = |i: usize, ord: u64| match &texts[i] {
            // an ordinal read from the column is always in its dictionary
            Some(column) if ord != NONE && column.ord_to_str(ord, &mut name).unwrap_or(false) => {
                Some(name.clone())
            }
            _ => None,
        };
        let combos = keys
            .into_iter()
            .map(|[district, usage, zone, rooms, developer]| {
                let int = |v: u64| (v != NONE).then(|| u64_to_i64(v));
                (
                    [text(0, district), text(1, usage)],
                    [int(zone), int(rooms), int(developer)],
                )
            })
            .collect();
        Ok(SegmentCodes { codes, combos })
    }
}

/// The codes of the segments searched lately; shared by all searches of an index.
#[derive(Default)]
pub(crate) struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentCodes>>>,
}

impl FacetCache {
    fn codes(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentCodes>> {
        let id = reader.segment_id();
        if let Some(codes) = self.lock().get(&id) {
            return Ok(Arc::clone(codes));
        }
        // built outside the lock; two searches racing on a new segment both build it, once
        let codes = Arc::new(SegmentCodes::build(reader)?);
        self.lock().insert(id, Arc::clone(&codes));
        Ok(codes)
    }

    /// Forgets segments the searcher no longer has (merged away or deleted).
    pub(crate) fn retain(&self, searcher: &Searcher) {
        let mut segments = self.lock();
        if segments.len() > searcher.segment_readers().len() {
            let live: Vec<SegmentId> = searcher
                .segment_readers()
                .iter()
                .map(SegmentReader::segment_id)
                .collect();
            segments.retain(|id, _| live.contains(id));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentCodes>>> {
        self.segments.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Counts the facets of every match; runs in the same pass as the top-docs and count collectors.
pub(crate) struct FacetCollector<'a> {
    pub cache: &'a FacetCache,
}

pub(crate) struct FacetSegmentCollector {
    codes: Arc<SegmentCodes>,
    counts: Vec<u32>,
    /// Codes whose count went from 0 to 1, so harvesting skips the untouched ones.
    touched: Vec<u32>,
}

impl Collector for FacetCollector<'_> {
    type Fruit = Facets;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let codes = self.cache.codes(reader)?;
        Ok(FacetSegmentCollector {
            counts: vec![0; codes.combos.len()],
            touched: Vec::new(),
            codes,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut total = Facets::default();
        for fruit in fruits {
            let pairs = [
                (fruit.district, &mut total.district),
                (fruit.zone_class, &mut total.zone_class),
                (fruit.rooms, &mut total.rooms),
                (fruit.usage, &mut total.usage),
                (fruit.developer, &mut total.developer),
            ];
            for (part, into) in pairs {
                for (key, count) in part {
                    *into.entry(key).or_default() += count;
                }
            }
        }
        Ok(total)
    }
}

impl FacetSegmentCollector {
    #[inline]
    fn add(&mut self, doc: DocId) {
        let code = self.codes.codes[doc as usize];
        let count = &mut self.counts[code as usize];
        if *count == 0 {
            self.touched.push(code);
        }
        *count += 1;
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.add(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            self.add(doc);
        }
    }

    fn harvest(self) -> Facets {
        let mut facets = Facets::default();
        // by name and number: the combinations of a segment repeat each value many times
        let mut names: [HashMap<&str, u64>; 2] = Default::default();
        let mut numbers: [HashMap<i64, u64>; 3] = Default::default();
        for code in self.touched {
            let count = u64::from(self.counts[code as usize]);
            let (texts, ints) = &self.codes.combos[code as usize];
            for (map, value) in names.iter_mut().zip(texts) {
                if let Some(v) = value {
                    *map.entry(v).or_default() += count;
                }
            }
            for (map, value) in numbers.iter_mut().zip(ints) {
                if let Some(v) = value {
                    *map.entry(*v).or_default() += count;
                }
            }
        }
        let [districts, usages] = names;
        for (map, into) in [
            (districts, &mut facets.district),
            (usages, &mut facets.usage),
        ] {
            into.extend(map.into_iter().map(|(v, n)| (v.to_string(), n)));
        }
        let [zone, rooms, developer] = numbers;
        for (map, into) in [
            (zone, &mut facets.zone_class),
            (rooms, &mut facets.rooms),
            (developer, &mut facets.developer),
        ] {
            into.extend(map.into_iter().map(|(v, n)| (v.to_string(), n)));
        }
        facets
    }
}
