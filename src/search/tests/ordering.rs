//! Filters, sorts, facets and paging, each against brute force over the corpus.

use std::collections::BTreeMap;

use super::{all, ids, shared, text};
use crate::search::{Facets, ListingDoc, ListingQuery, SortBy};

fn brute(pred: impl Fn(&ListingDoc) -> bool) -> Vec<i64> {
    let mut v: Vec<i64> = shared()
        .1
        .iter()
        .filter(|d| pred(d))
        .map(|d| d.unit_id)
        .collect();
    v.sort_unstable();
    v
}

fn found(q: ListingQuery) -> Vec<i64> {
    let mut v = ids(&all(q));
    v.sort_unstable();
    v
}

fn q() -> ListingQuery {
    ListingQuery::default()
}

type Predicate = Box<dyn Fn(&ListingDoc) -> bool>;

#[test]
fn every_filter_selects_exactly_the_matching_units() {
    let s = |v: &str| Some(v.to_string());
    let cases: Vec<(ListingQuery, Predicate)> = vec![
        (
            ListingQuery {
                district: s("江岸区"),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.district == "江岸区"),
        ),
        (
            ListingQuery {
                zone_class: Some(2),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.zone_class == 2),
        ),
        (
            ListingQuery {
                rooms: Some(3),
                ..q()
            },
            // a unit without a layout has no rooms: never matched
            Box::new(|d: &ListingDoc| d.rooms == Some(3)),
        ),
        (
            ListingQuery {
                usages: vec!["parking".into()],
                ..q()
            },
            Box::new(|d: &ListingDoc| d.usage == "parking"),
        ),
        (
            ListingQuery {
                usages: vec!["commercial".into(), "office".into()],
                rooms: Some(4),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.usage == "office" && d.rooms == Some(4)),
        ),
        (
            ListingQuery {
                min_area_centi: Some(8_000),
                max_area_centi: Some(12_000),
                ..q()
            },
            Box::new(|d: &ListingDoc| (8_000..=12_000).contains(&d.area_centi_m2)),
        ),
        (
            ListingQuery {
                min_price_yuan: Some(900_000),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.total_price_yuan >= 900_000),
        ),
        (
            ListingQuery {
                max_price_yuan: Some(900_000),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.total_price_yuan <= 900_000),
        ),
        (
            ListingQuery {
                max_price_per_m2_yuan: Some(10_000),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.price_per_m2_yuan <= 10_000),
        ),
        (
            ListingQuery {
                min_floor: Some(5),
                max_floor: Some(20),
                ..q()
            },
            Box::new(|d: &ListingDoc| (5..=20).contains(&d.floor)),
        ),
        (
            ListingQuery {
                orientation: s("南北"),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.orientation.as_deref() == Some("南北")),
        ),
        (
            ListingQuery {
                decoration: s("fine"),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.decoration.as_deref() == Some("fine")),
        ),
        (
            ListingQuery {
                delivery: s("off_plan"),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.delivery == "off_plan"),
        ),
        (
            ListingQuery {
                developer_id: Some(10),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.developer_id == 10),
        ),
        (
            ListingQuery {
                project_id: Some(4),
                ..q()
            },
            Box::new(|d: &ListingDoc| d.project_id == 4),
        ),
        (
            ListingQuery {
                amenities: vec!["地铁".into(), "公园".into()],
                ..q()
            },
            Box::new(|d: &ListingDoc| {
                d.amenities.iter().any(|a| a == "地铁") && d.amenities.iter().any(|a| a == "公园")
            }),
        ),
        (
            ListingQuery {
                rooms: Some(1),
                delivery: s("ready"),
                ..text("地铁")
            },
            Box::new(|d: &ListingDoc| {
                d.rooms == Some(1)
                    && d.delivery == "ready"
                    && super::corpus::brute_force(std::slice::from_ref(d), "地铁").len() == 1
            }),
        ),
    ];
    for (query, pred) in cases {
        let want = brute(pred);
        assert!(
            !want.is_empty() && want.len() < shared().1.len(),
            "{query:?} is selective"
        );
        assert_eq!(found(query.clone()), want, "{query:?}");
    }
}

fn sort_key(sort: SortBy, d: &ListingDoc) -> (i64, i64) {
    match sort {
        SortBy::Relevance => (0, d.unit_id),
        SortBy::PriceAsc => (d.total_price_yuan, d.unit_id),
        SortBy::PriceDesc => (-d.total_price_yuan, d.unit_id),
        SortBy::AreaAsc => (d.area_centi_m2, d.unit_id),
        SortBy::AreaDesc => (-d.area_centi_m2, d.unit_id),
        SortBy::PricePerM2Asc => (d.price_per_m2_yuan, d.unit_id),
    }
}

const SORTS: [SortBy; 6] = [
    SortBy::Relevance,
    SortBy::PriceAsc,
    SortBy::PriceDesc,
    SortBy::AreaAsc,
    SortBy::AreaDesc,
    SortBy::PricePerM2Asc,
];

#[test]
fn every_sort_orders_by_its_key_then_unit_id() {
    for sort in SORTS {
        let result = all(ListingQuery { sort, ..q() });
        let keys: Vec<(i64, i64)> = result.hits.iter().map(|h| sort_key(sort, &h.doc)).collect();
        let mut want = keys.clone();
        want.sort();
        assert_eq!(keys, want, "{sort:?}");
        assert_eq!(result.total, shared().1.len());
    }
}

#[test]
fn pages_concatenate_to_the_full_ordered_list() {
    let index = &shared().0;
    for sort in SORTS {
        for base in [q(), text("地铁"), text("湖")] {
            let full = ids(&all(ListingQuery {
                sort,
                ..base.clone()
            }));
            let mut paged = Vec::new();
            for page in 0.. {
                let query = ListingQuery {
                    sort,
                    offset: page * 7,
                    limit: 7,
                    ..base.clone()
                };
                let result = index.search(&query).unwrap();
                assert_eq!(result.total, full.len());
                if result.hits.is_empty() {
                    break;
                }
                paged.extend(ids(&result));
            }
            assert_eq!(paged, full, "{sort:?} {base:?}");
        }
    }
}

fn brute_facets(docs: &[&ListingDoc]) -> Facets {
    let mut f = Facets::default();
    let bump = |m: &mut BTreeMap<String, u64>, k: String| *m.entry(k).or_default() += 1;
    for d in docs {
        bump(&mut f.district, d.district.clone());
        bump(&mut f.zone_class, d.zone_class.to_string());
        if let Some(rooms) = d.rooms {
            bump(&mut f.rooms, rooms.to_string());
        }
        bump(&mut f.usage, d.usage.clone());
        bump(&mut f.developer, d.developer_id.to_string());
    }
    f
}

#[test]
fn facets_count_the_whole_filtered_set_not_the_page() {
    let index = &shared().0;
    let docs = &shared().1;
    let query = ListingQuery {
        delivery: Some("ready".into()),
        limit: 3,
        facets: true,
        ..text("地铁")
    };
    let result = index.search(&query).unwrap();
    let matching: Vec<&ListingDoc> = docs
        .iter()
        .filter(|d| d.delivery == "ready")
        .filter(|d| super::corpus::brute_force(std::slice::from_ref(*d), "地铁").len() == 1)
        .collect();
    assert_eq!(result.hits.len(), 3);
    assert_eq!(result.total, matching.len());
    assert_eq!(result.facets, Some(brute_facets(&matching)));
    let everything = index
        .search(&ListingQuery {
            limit: 1,
            facets: true,
            ..q()
        })
        .unwrap();
    assert_eq!(
        everything.facets,
        Some(brute_facets(&docs.iter().collect::<Vec<_>>()))
    );
    let none = index.search(&ListingQuery { limit: 1, ..q() }).unwrap();
    assert_eq!(none.facets, None);
}

#[test]
fn facets_count_far_apart_values_too() {
    let index = crate::search::SearchIndex::create_in_ram().unwrap();
    let mut docs = super::corpus::docs();
    docs[0].developer_id = 9_000_000_000;
    docs[1].rooms = Some(-3);
    index.apply(&docs, &[], 1).unwrap();
    let result = index
        .search(&ListingQuery {
            limit: 1,
            facets: true,
            ..q()
        })
        .unwrap();
    assert_eq!(
        result.facets,
        Some(brute_facets(&docs.iter().collect::<Vec<_>>()))
    );
}
