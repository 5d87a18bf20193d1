//! The fixed query mix, in four classes, and its three spellings: a `ListingQuery` for the search
//! function, a query string for `GET /api/v1/listings`, and SQL for the FTS5 baseline.

use anju::search::{ListingQuery, SortBy};

use super::corpus::{Rng, AMENITIES, DISTRICTS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// `q` only, relevance order.
    Text,
    /// `q` and one or two filters, relevance or a price / area sort.
    TextFilter,
    /// Filters and a sort, no `q`.
    FilterSort,
    /// `q` or filters, with `facets=true`.
    Facets,
}

pub const CLASSES: [Class; 4] = [
    Class::Text,
    Class::TextFilter,
    Class::FilterSort,
    Class::Facets,
];

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::Text => "text",
            Class::TextFilter => "text+filters",
            Class::FilterSort => "filters+sort",
            Class::Facets => "facets",
        }
    }
}

/// What a kiosk types: words, fragments of words and names, pinyin initials and spellings,
/// a project name, house numbers, two-term queries.
const TEXTS: [&str; 20] = [
    "湖景",
    "地铁",
    "南北通透",
    "江华",
    "锦园华苑",
    "jyhy",
    "chongqing",
    "三室",
    "精装修 地铁",
    "88号",
    "学区房",
    "hy",
    "飘窗",
    "重点小学",
    "光谷",
    "江景",
    "衣帽间",
    "gg",
    "两厅 采光好",
    "中山大道",
];

#[derive(Debug, Clone)]
pub struct BenchQuery {
    pub class: Class,
    pub q: Option<&'static str>,
    pub district: Option<&'static str>,
    pub rooms: Option<i64>,
    pub max_price_yuan: Option<i64>,
    pub min_area_m2: Option<i64>,
    pub amenity: Option<&'static str>,
    /// docs/api.md spelling
    pub sort: &'static str,
    pub page: usize,
    pub facets: bool,
}

const SORTS: [&str; 4] = ["relevance", "price_asc", "area_desc", "price_per_m2_asc"];
const FILTER_SORTS: [&str; 4] = ["price_asc", "price_desc", "area_asc", "price_per_m2_asc"];

/// `n` queries cycling through the four classes; the same `n` gives the same list.
pub fn mix(n: usize) -> Vec<BenchQuery> {
    let mut r = Rng(99);
    (0..n)
        .map(|i| {
            let class = CLASSES[i % CLASSES.len()];
            let mut q = BenchQuery {
                class,
                q: None,
                district: None,
                rooms: None,
                max_price_yuan: None,
                min_area_m2: None,
                amenity: None,
                sort: "relevance",
                page: 1,
                facets: false,
            };
            let text = TEXTS[r.next(TEXTS.len())];
            match class {
                Class::Text => {
                    q.q = Some(text);
                    q.page = 1 + r.next(3);
                }
                Class::TextFilter => {
                    q.q = Some(text);
                    let count = 1 + r.next(2);
                    add_filters(&mut q, &mut r, count);
                    q.sort = SORTS[r.next(3)];
                    q.page = 1 + r.next(2);
                }
                Class::FilterSort => {
                    let count = 1 + r.next(2);
                    add_filters(&mut q, &mut r, count);
                    q.sort = FILTER_SORTS[r.next(FILTER_SORTS.len())];
                    q.page = 1 + r.next(3);
                }
                Class::Facets => {
                    if r.next(2) == 0 {
                        q.q = Some(text);
                    } else {
                        add_filters(&mut q, &mut r, 1);
                    }
                    q.facets = true;
                }
            }
            q
        })
        .collect()
}

fn add_filters(q: &mut BenchQuery, r: &mut Rng, count: usize) {
    for _ in 0..count {
        match r.next(5) {
            0 => q.district = Some(DISTRICTS[r.next(DISTRICTS.len())]),
            1 => q.rooms = Some(1 + r.next(4) as i64),
            2 => q.max_price_yuan = Some(800_000 + 100_000 * r.next(15) as i64),
            3 => q.min_area_m2 = Some(60 + 10 * r.next(8) as i64),
            _ => q.amenity = Some(AMENITIES[r.next(AMENITIES.len())]),
        }
    }
}

pub const PER_PAGE: usize = 20;

impl BenchQuery {
    pub fn listing_query(&self) -> ListingQuery {
        ListingQuery {
            q: self.q.map(str::to_string),
            district: self.district.map(str::to_string),
            rooms: self.rooms,
            max_price_yuan: self.max_price_yuan,
            min_area_centi: self.min_area_m2.map(|a| a * 100),
            amenities: self.amenity.map(str::to_string).into_iter().collect(),
            sort: self.sort.parse().unwrap_or(SortBy::Relevance),
            offset: (self.page - 1) * PER_PAGE,
            limit: PER_PAGE,
            facets: self.facets,
            ..Default::default()
        }
    }

    /// Path and query string of `GET /api/v1/listings`.
    pub fn path(&self) -> String {
        let mut s = format!(
            "/api/v1/listings?page={}&per_page={PER_PAGE}&sort={}",
            self.page, self.sort
        );
        let mut add = |k: &str, v: String| {
            s.push('&');
            s.push_str(k);
            s.push('=');
            s.push_str(&percent_encode(&v));
        };
        if let Some(q) = self.q {
            add("q", q.to_string());
        }
        if let Some(d) = self.district {
            add("district", d.to_string());
        }
        if let Some(v) = self.rooms {
            add("rooms", v.to_string());
        }
        if let Some(v) = self.max_price_yuan {
            add("max_price_yuan", v.to_string());
        }
        if let Some(v) = self.min_area_m2 {
            add("min_area_m2", v.to_string());
        }
        if let Some(a) = self.amenity {
            add("amenities", a.to_string());
        }
        if self.facets {
            add("facets", "true".to_string());
        }
        s
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
