//! A deterministic corpus of 32 units (flats, two shops, two offices, two parking spaces) in four
//! projects, and brute-force matching over it.

use crate::search::tokenizers::{is_word_char, norm_char};
use crate::search::{layout_words, ListingDoc};

struct Project {
    id: i64,
    name: &'static str,
    developer: (i64, &'static str),
    district: &'static str,
    zone_class: i64,
    address: &'static str,
    amenities: &'static [&'static str],
    description: &'static str,
}

const ALL: [Project; 4] = [
    Project {
        id: 1,
        name: "锦园华苑",
        developer: (10, "安居置业有限公司"),
        district: "江岸区",
        zone_class: 1,
        address: "江岸区重庆路88号",
        amenities: &["地铁", "学校"],
        description: "湖景房，近地铁，南北通透的三室两厅",
    },
    Project {
        id: 2,
        name: "君江华府",
        developer: (11, "长江地产"),
        district: "青山区",
        zone_class: 2,
        address: "青山区中山路12号",
        amenities: &["商场", "医院"],
        description: "江景大宅，精装修交付",
    },
    Project {
        id: 3,
        name: "朝阳新城",
        developer: (10, "安居置业有限公司"),
        district: "洪山区",
        zone_class: 3,
        address: "洪山区长安大道1号",
        amenities: &["学校"],
        description: "学区房 公园旁 \"低密度\"",
    },
    Project {
        id: 4,
        name: "湖畔花园",
        developer: (12, "华润置地"),
        district: "江岸区",
        zone_class: 1,
        address: "江岸区解放大道300号A座",
        amenities: &["地铁", "公园"],
        description: "湖景开阔，地铁口旁",
    },
];

const UNIT_TEXTS: [&str; 8] = [
    "南北通透，采光好",
    "湖景房，视野开阔",
    "近地铁，出行方便",
    "三室两厅，户型方正",
    "精装修，拎包入住",
    "高楼层江景 B1户型",
    "两室一厅 小户型",
    "次新房，满五唯一",
];

pub(super) fn docs() -> Vec<ListingDoc> {
    (0..32i64)
        .map(|i| {
            let p = &ALL[(i % 4) as usize];
            let (rooms, halls, baths) = (1 + i % 4, 1 + i % 2, 1 + i64::from(i % 3 == 0));
            // a few shops, offices and parking spaces among the flats; the shops and parking
            // spaces have no layout
            let usage = match i % 16 {
                7 => "parking",
                11 => "office",
                15 => "commercial",
                _ => "residential",
            };
            let laid_out = !matches!(usage, "parking" | "commercial");
            let area_centi_m2 = 6_000 + (i * 1_337) % 9_000;
            let price_per_m2_yuan = 8_000 + (i * 577) % 6_000;
            ListingDoc {
                unit_id: 100 + (i * 7) % 32,
                project_id: p.id,
                project_name: p.name.to_string(),
                developer_id: p.developer.0,
                developer_name: p.developer.1.to_string(),
                district: p.district.to_string(),
                zone_class: p.zone_class,
                address: p.address.to_string(),
                building: format!("{}", 1 + i % 3),
                unit: String::new(),
                room: format!("{}0{}", 1 + (i * 7) % 30, 1 + i % 4),
                floor: 1 + (i * 7) % 30,
                usage: usage.to_string(),
                layout: if laid_out {
                    format!("{rooms}室{halls}厅{baths}卫")
                } else {
                    String::new()
                },
                rooms: laid_out.then_some(rooms),
                halls: laid_out.then_some(halls),
                baths: laid_out.then_some(baths),
                area_centi_m2,
                price_per_m2_yuan,
                // equal prices for some units, so ties must fall back to unit_id
                total_price_yuan: (area_centi_m2 / 1_000) * 100_000,
                orientation: [Some("南"), Some("南北"), Some("东"), None][(i % 4) as usize]
                    .map(str::to_string),
                decoration: [Some("fine"), Some("rough"), Some("basic"), None]
                    [(i / 2 % 4) as usize]
                    .map(str::to_string),
                delivery: ["ready", "off_plan"][(i / 3 % 2) as usize].to_string(),
                amenities: p.amenities.iter().map(|a| a.to_string()).collect(),
                description: UNIT_TEXTS[(i % 8) as usize].to_string(),
                project_description: p.description.to_string(),
            }
        })
        .collect()
}

/// The texts a substring query searches, as the index sees them.
pub(super) fn texts(doc: &ListingDoc) -> Vec<String> {
    let mut t = vec![
        doc.project_name.clone(),
        doc.developer_name.clone(),
        doc.district.clone(),
        doc.address.clone(),
        doc.layout.clone(),
        layout_words(doc.rooms, doc.halls, doc.baths),
        doc.description.clone(),
        doc.project_description.clone(),
    ];
    t.extend(doc.amenities.iter().cloned());
    t
}

fn normalize(s: &str) -> String {
    s.chars().map(norm_char).collect()
}

/// Units where every term of `q` (split like the index splits) is a substring of one text.
pub(super) fn brute_force(docs: &[ListingDoc], q: &str) -> Vec<i64> {
    let terms: Vec<String> = q
        .split(|c: char| !is_word_char(c))
        .filter(|t| !t.is_empty())
        .map(normalize)
        .collect();
    let mut ids: Vec<i64> = docs
        .iter()
        .filter(|d| {
            let texts: Vec<String> = texts(d).iter().map(|t| normalize(t)).collect();
            terms
                .iter()
                .all(|term| texts.iter().any(|t| t.contains(term.as_str())))
        })
        .map(|d| d.unit_id)
        .collect();
    ids.sort_unstable();
    ids
}

pub(super) fn ids_of_project(docs: &[ListingDoc], project_id: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = docs
        .iter()
        .filter(|d| d.project_id == project_id)
        .map(|d| d.unit_id)
        .collect();
    ids.sort_unstable();
    ids
}
