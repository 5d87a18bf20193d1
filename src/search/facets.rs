//! A collector counting district, zone class, rooms and developer over every matching unit.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::{u64_to_i64, DocId, Score, SegmentOrdinal, SegmentReader};

use super::schema::{DEVELOPER_ID, DISTRICT, ROOMS, ZONE_CLASS};
use super::Facets;

/// Value ranges up to this size are counted in an array rather than a map.
const DENSE_RANGE: u64 = 4_096;

/// Reads the fast fields of each match; runs in the same pass as the top-docs and count collectors.
pub(crate) struct FacetCollector;

pub(crate) struct FacetSegmentCollector {
    /// Kept to turn term ordinals back into district names.
    district: Option<StrColumn>,
    /// District ordinals, zone class, rooms, developer id (the integers as monotonic u64).
    counters: [Option<Counter>; 4],
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let fast = reader.fast_fields();
        let district = fast.str(DISTRICT)?;
        // the i64 columns are read in their stored u64 form (one indirection less per value)
        let int = |name: &str| -> tantivy::Result<Option<Counter>> {
            Ok(fast
                .u64_lenient(name)?
                .map(|(column, _)| Counter::new(column)))
        };
        Ok(FacetSegmentCollector {
            counters: [
                district.as_ref().map(|d| Counter::new(d.ords().clone())),
                int(ZONE_CLASS)?,
                int(ROOMS)?,
                int(DEVELOPER_ID)?,
            ],
            district,
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

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for counter in self.counters.iter_mut().flatten() {
            counter.collect(doc);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for counter in self.counters.iter_mut().flatten() {
            counter.collect_block(docs);
        }
    }

    fn harvest(self) -> Facets {
        let mut facets = Facets::default();
        let [district, zone, rooms, developer] = self.counters;
        if let (Some(column), Some(counter)) = (&self.district, district) {
            let mut name = String::new();
            for (ord, count) in counter.counts() {
                // an ordinal read from the column is always in its dictionary
                if column.ord_to_str(ord, &mut name).unwrap_or(false) {
                    *facets.district.entry(name.clone()).or_default() += count;
                }
            }
        }
        for (counter, into) in [
            (zone, &mut facets.zone_class),
            (rooms, &mut facets.rooms),
            (developer, &mut facets.developer),
        ] {
            let counts = counter.into_iter().flat_map(Counter::counts);
            into.extend(counts.map(|(v, n)| (u64_to_i64(v).to_string(), n)));
        }
        facets
    }
}

/// Counts the values of one fast column over the collected docs of a segment.
struct Counter {
    column: Column<u64>,
    /// Every doc has exactly one value: read values directly, in blocks.
    full: bool,
    min: u64,
    dense: Vec<u64>,
    sparse: HashMap<u64, u64>,
    buffer: Vec<u64>,
}

impl Counter {
    fn new(column: Column<u64>) -> Counter {
        let (min, max) = (column.min_value(), column.max_value());
        let range = max.saturating_sub(min);
        let dense = if range < DENSE_RANGE {
            vec![0; range as usize + 1]
        } else {
            Vec::new()
        };
        Counter {
            full: column.get_cardinality() == Cardinality::Full,
            column,
            min,
            dense,
            sparse: HashMap::new(),
            buffer: Vec::new(),
        }
    }

    #[inline]
    fn add(&mut self, value: u64) {
        match self.dense.get_mut(value.wrapping_sub(self.min) as usize) {
            Some(count) => *count += 1,
            None => *self.sparse.entry(value).or_default() += 1,
        }
    }

    fn collect(&mut self, doc: DocId) {
        if self.full {
            let value = self.column.values.get_val(doc);
            self.add(value);
        } else if let Some(value) = self.column.first(doc) {
            self.add(value);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        if !self.full {
            docs.iter().for_each(|&doc| self.collect(doc));
            return;
        }
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.resize(docs.len(), 0);
        self.column.values.get_vals(docs, &mut buffer);
        buffer.iter().for_each(|&value| self.add(value));
        self.buffer = buffer;
    }

    /// (value, count) for every value seen.
    fn counts(self) -> impl Iterator<Item = (u64, u64)> {
        let min = self.min;
        let dense = self.dense.into_iter().enumerate();
        let dense = dense
            .filter(|&(_, n)| n > 0)
            .map(move |(i, n)| (min + i as u64, n));
        dense.chain(self.sparse)
    }
}
