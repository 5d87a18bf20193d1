//! The layout and ID-number parsers, and the listing search (query checks, the query builder and
//! the search itself) on random queries.

use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::fuzz;
use crate::domain::household::IdNumber;
use crate::domain::unit_fields::Layout;
use crate::search::{ListingDoc, ListingQuery, SearchError, SearchIndex, SortBy};

#[test]
fn layout_parser_reads_back_what_it_writes() {
    let text = prop_oneof![
        "[0-9一二两三四五六七八九十百零室房厅卫 　]{0,12}",
        any::<String>(),
    ];
    fuzz(text, |text| {
        if let Ok(layout) = Layout::parse(&text) {
            prop_assert_eq!(Layout::parse(&layout.text()), Ok(layout));
            prop_assert!((1..=20).contains(&layout.rooms()));
        }
        Ok(())
    });
}

#[test]
fn id_number_parser_accepts_only_checked_numbers() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    let text = prop_oneof![
        "[0-9]{17}[0-9Xx]",
        "[0-9Xx é１]{16,19}",
        "4201021990061[0-9]{4}[0-9X]",
        any::<String>(),
    ];
    fuzz(text, |text| {
        if let Ok(id) = IdNumber::parse(&text, today) {
            let digits = id.as_str();
            prop_assert_eq!(digits.len(), 18);
            prop_assert!(digits[..17].bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(IdNumber::parse(digits, today), Ok(id.clone()));
            prop_assert!(!id.masked().contains(&digits[6..14]), "birth date masked");
        }
        Ok(())
    });
}

/// A crash the fuzzer found: 18 characters whose 17th byte falls inside a character.
#[test]
fn an_id_number_with_a_wide_character_at_the_split_is_refused() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    assert!(IdNumber::parse("0000000000000000é0", today).is_err());
}

fn doc(unit_id: i64, project_name: &str, layout: (i64, i64, i64), description: &str) -> ListingDoc {
    let (rooms, halls, baths) = layout;
    ListingDoc {
        unit_id,
        project_id: unit_id % 3 + 1,
        project_name: project_name.to_string(),
        developer_id: 10 + unit_id % 2,
        developer_name: "安居置业有限公司".to_string(),
        district: ["江岸区", "洪山区"][(unit_id % 2) as usize].to_string(),
        zone_class: unit_id % 3 + 1,
        address: "江岸区解放大道300号A座".to_string(),
        building: (unit_id % 4).to_string(),
        unit: String::new(),
        room: format!("{unit_id}01"),
        floor: unit_id % 30 + 1,
        usage: "residential".to_string(),
        layout: format!("{rooms}室{halls}厅{baths}卫"),
        rooms: Some(rooms),
        halls: Some(halls),
        baths: Some(baths),
        area_centi_m2: 6_000 + unit_id * 700,
        price_per_m2_yuan: 9_000 + unit_id * 300,
        total_price_yuan: 600_000 + unit_id * 50_000,
        orientation: Some("南北".to_string()),
        decoration: Some(["rough", "basic", "fine"][(unit_id % 3) as usize].to_string()),
        delivery: ["ready", "off_plan"][(unit_id % 2) as usize].to_string(),
        amenities: vec!["地铁".to_string(), "学校".to_string()],
        description: description.to_string(),
        project_description: "湖景开阔，地铁口旁 \"低密度\" <b>&".to_string(),
    }
}

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let docs = [
            doc(1, "锦园华苑", (3, 2, 2), "南北通透，采光好"),
            doc(2, "君江华府", (2, 1, 1), "江景大宅，精装修交付"),
            doc(3, "朝阳新城", (1, 1, 1), "学区房 公园旁"),
            doc(4, "湖畔花园", (4, 2, 3), "高楼层江景 B1户型"),
            doc(5, "Lakeside 湖畔", (2, 2, 1), "two bedrooms, near metro"),
        ];
        let index = SearchIndex::create_in_ram().expect("index");
        index.apply(&docs, &[], 1).expect("apply");
        index
    })
}

fn listing_query() -> impl Strategy<Value = ListingQuery> {
    let text = prop_oneof![
        "[锦园江景湖畔花园南北jyhpJY0-9 ,.*\"'()~^:+-]{0,24}",
        any::<String>()
    ];
    let number = || proptest::option::of(prop_oneof![-5i64..200, any::<i64>()]);
    let word = || proptest::option::of("(fine|rough|ready|off_plan|江岸区|[a-z ]{0,4})");
    let sort = prop_oneof![
        Just(SortBy::Relevance),
        Just(SortBy::PriceAsc),
        Just(SortBy::PriceDesc),
        Just(SortBy::AreaAsc),
        Just(SortBy::AreaDesc),
        Just(SortBy::PricePerM2Asc),
    ];
    let filters = (
        number(),
        number(),
        number(),
        number(),
        number(),
        number(),
        number(),
    );
    let more = (
        word(),
        word(),
        word(),
        proptest::collection::vec("(地铁|学校|[a-z]{0,3})", 0..3),
        proptest::collection::vec("(residential|parking|[a-z]{0,3})", 0..3),
    );
    let page = (sort, 0usize..12_000, 0usize..120, any::<bool>());
    (proptest::option::of(text), filters, more, page).prop_map(|(q, f, m, p)| ListingQuery {
        q,
        district: m.0,
        zone_class: f.0,
        rooms: f.1,
        min_area_centi: f.2,
        max_area_centi: f.3,
        min_price_yuan: f.4,
        max_price_yuan: f.5,
        max_price_per_m2_yuan: f.6,
        min_floor: f.0.map(|n| n.wrapping_sub(3)),
        max_floor: f.1,
        orientation: m.1,
        decoration: m.2.clone(),
        delivery: m.2,
        developer_id: f.2,
        project_id: f.1,
        amenities: m.3,
        usages: m.4,
        sort: p.0,
        offset: p.1,
        limit: p.2,
        facets: p.3,
    })
}

#[test]
fn search_answers_any_query_or_refuses_it_as_bad() {
    fuzz(listing_query(), |query| {
        match index().search(&query) {
            Ok(result) => {
                prop_assert!(result.hits.len() <= query.limit);
                prop_assert!(result.total >= result.hits.len());
                prop_assert_eq!(result.facets.is_some(), query.facets);
            }
            Err(SearchError::BadQuery(message)) => prop_assert!(!message.is_empty()),
            Err(other) => prop_assert!(false, "not a bad query but {other}"),
        }
        Ok(())
    });
}
