//! A collector counting district, zone class, rooms and developer over every matching unit.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::schema::{DEVELOPER_ID, DISTRICT, ROOMS, ZONE_CLASS};
use super::Facets;

/// Reads the fast fields of each match; runs in the same pass as the top-docs and count collectors.
pub(crate) struct FacetCollector;

pub(crate) struct FacetSegmentCollector {
    district: Option<StrColumn>,
    /// Count per district term ordinal of this segment.
    district_counts: Vec<u64>,
    numeric: [(Column<i64>, HashMap<i64, u64>); 3],
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
        let terms = district.as_ref().map_or(0, |d| d.num_terms());
        Ok(FacetSegmentCollector {
            district,
            district_counts: vec![0; terms],
            numeric: [
                (fast.i64(ZONE_CLASS)?, HashMap::new()),
                (fast.i64(ROOMS)?, HashMap::new()),
                (fast.i64(DEVELOPER_ID)?, HashMap::new()),
            ],
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
        if let Some(district) = &self.district {
            if let Some(ord) = district.ords().first(doc) {
                self.district_counts[ord as usize] += 1;
            }
        }
        for (column, counts) in &mut self.numeric {
            if let Some(value) = column.first(doc) {
                *counts.entry(value).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> Facets {
        let mut facets = Facets::default();
        if let Some(district) = &self.district {
            let mut name = String::new();
            for (ord, &count) in self.district_counts.iter().enumerate() {
                name.clear();
                // an unreadable dictionary entry cannot happen for an ordinal read from the column
                if count > 0 && district.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    *facets.district.entry(name.clone()).or_default() += count;
                }
            }
        }
        let [zone, rooms, developer] = self.numeric;
        for ((_, counts), into) in [
            (zone, &mut facets.zone_class),
            (rooms, &mut facets.rooms),
            (developer, &mut facets.developer),
        ] {
            into.extend(counts.into_iter().map(|(k, v)| (k.to_string(), v)));
        }
        facets
    }
}
