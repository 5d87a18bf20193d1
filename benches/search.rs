//! Search latency: builds an on-disk index of synthetic listings, then times text + filter queries.
//! Run: `cargo bench --bench search` (ANJU_BENCH_DOCS sets the unit count, default 1 000 000;
//! ANJU_BENCH_QUERIES the number of timed queries, default 2 000).

use std::time::{Duration, Instant};

use anju::search::{ListingDoc, ListingQuery, SearchIndex, SortBy};

const PREFIXES: [&str; 12] = [
    "锦", "君", "朝", "湖", "江", "金", "碧", "龙", "翠", "御", "星", "盛",
];
const MIDDLES: [&str; 10] = ["园", "江", "阳", "畔", "城", "湾", "河", "山", "景", "悦"];
const SUFFIXES: [&str; 9] = [
    "华苑", "华府", "新城", "花园", "公馆", "雅苑", "天地", "名邸", "壹号",
];
const DISTRICTS: [&str; 10] = [
    "江岸区",
    "江汉区",
    "硚口区",
    "汉阳区",
    "武昌区",
    "青山区",
    "洪山区",
    "东西湖区",
    "蔡甸区",
    "江夏区",
];
const ROADS: [&str; 8] = [
    "重庆路",
    "中山大道",
    "解放大道",
    "长安路",
    "建设大道",
    "和平大道",
    "友谊路",
    "光谷大道",
];
const PHRASES: [&str; 16] = [
    "南北通透",
    "湖景房",
    "近地铁",
    "三室两厅",
    "精装修",
    "拎包入住",
    "采光好",
    "户型方正",
    "学区房",
    "高楼层江景",
    "低密度社区",
    "人车分流",
    "满五唯一",
    "双地铁",
    "公园旁",
    "得房率高",
];
const AMENITIES: [&str; 6] = ["地铁", "学校", "医院", "商场", "公园", "银行"];
const ORIENTATIONS: [&str; 5] = ["南", "南北", "东南", "西", "北"];
const DECORATIONS: [&str; 3] = ["rough", "basic", "fine"];

/// Small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn listing(i: u64) -> ListingDoc {
    let project = i / 1_000;
    let mut p = Rng(project * 2_654_435_761 + 1);
    let mut u = Rng(i * 0x9E37_79B9_7F4A_7C15 + 7);
    let name = format!(
        "{}{}{}",
        PREFIXES[p.next(PREFIXES.len())],
        MIDDLES[p.next(MIDDLES.len())],
        SUFFIXES[p.next(SUFFIXES.len())]
    );
    let district = DISTRICTS[p.next(DISTRICTS.len())];
    let developer_id = (p.next(200) + 1) as i64;
    let (rooms, halls, baths) = (
        1 + u.next(4) as i64,
        1 + u.next(2) as i64,
        1 + u.next(2) as i64,
    );
    let area_centi_m2 = 4_500 + u.next(12_000) as i64;
    let price_per_m2_yuan = 6_000 + u.next(14_000) as i64;
    let mut amenities: Vec<String> = AMENITIES
        .iter()
        .filter(|_| p.next(3) == 0)
        .map(|a| a.to_string())
        .collect();
    amenities.dedup();
    ListingDoc {
        unit_id: i as i64 + 1,
        project_id: project as i64 + 1,
        project_name: name.clone(),
        developer_id,
        developer_name: format!(
            "{}置业有限公司",
            PREFIXES[developer_id as usize % PREFIXES.len()]
        ),
        district: district.to_string(),
        zone_class: 1 + p.next(3) as i64,
        address: format!(
            "{district}{}{}号",
            ROADS[p.next(ROADS.len())],
            1 + p.next(500)
        ),
        building: format!("{}", 1 + u.next(20)),
        unit: format!("{}", 1 + u.next(4)),
        room: format!("{}", 101 + u.next(3_000)),
        floor: 1 + u.next(33) as i64,
        layout: format!("{rooms}室{halls}厅{baths}卫"),
        rooms,
        halls,
        baths,
        area_centi_m2,
        price_per_m2_yuan,
        total_price_yuan: area_centi_m2 * price_per_m2_yuan / 100,
        orientation: Some(ORIENTATIONS[u.next(ORIENTATIONS.len())].to_string()),
        decoration: Some(DECORATIONS[u.next(DECORATIONS.len())].to_string()),
        delivery: if p.next(2) == 0 { "ready" } else { "off_plan" }.to_string(),
        amenities,
        description: format!(
            "{}，{}，{}",
            PHRASES[u.next(16)],
            PHRASES[u.next(16)],
            PHRASES[u.next(16)]
        ),
        project_description: format!(
            "{name}位于{district}，{}，{}",
            PHRASES[p.next(16)],
            PHRASES[p.next(16)]
        ),
    }
}

fn queries(n: usize, facets: bool) -> Vec<ListingQuery> {
    let texts = [
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
    ];
    let mut r = Rng(99);
    (0..n)
        .map(|i| {
            let mut q = ListingQuery {
                limit: 20,
                facets,
                ..Default::default()
            };
            q.q = Some(texts[i % texts.len()].to_string());
            match r.next(4) {
                0 => q.district = Some(DISTRICTS[r.next(DISTRICTS.len())].to_string()),
                1 => q.rooms = Some(1 + r.next(4) as i64),
                2 => q.max_price_yuan = Some(1_000_000 + r.next(1_000_000) as i64),
                _ => q.amenities = vec![AMENITIES[r.next(AMENITIES.len())].to_string()],
            }
            q.sort = [SortBy::Relevance, SortBy::PriceAsc, SortBy::AreaDesc][r.next(3)];
            q.offset = 20 * r.next(3);
            q
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let docs = env("ANJU_BENCH_DOCS", 1_000_000);
    let n_queries = env("ANJU_BENCH_QUERIES", 2_000) as usize;
    // ANJU_BENCH_INDEX_DIR keeps the index between runs (rebuilt only if its size differs)
    let temp = tempfile::tempdir().expect("tempdir");
    let dir =
        std::env::var_os("ANJU_BENCH_INDEX_DIR").map_or(temp.path().to_path_buf(), Into::into);
    let index = SearchIndex::open_or_create(&dir).expect("index");
    if index.num_docs() != docs {
        let started = Instant::now();
        index
            .clear_and_rebuild((0..docs).map(listing), 1, &|_| {})
            .expect("rebuild");
        let build = started.elapsed();
        let size: u64 = std::fs::read_dir(&dir)
            .expect("dir")
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum();
        println!(
            "indexed {docs} units in {build:.1?} ({:.0} docs/s), {} MB on disk",
            docs as f64 / build.as_secs_f64(),
            size / 1_000_000
        );
    }

    let facets = env("ANJU_BENCH_FACETS", 1) == 1;
    let queries = queries(n_queries, facets);
    for q in queries.iter().take(50) {
        index.search(q).expect("warm-up");
    }
    let mut took = Vec::with_capacity(queries.len());
    let mut by_text: std::collections::BTreeMap<String, Vec<Duration>> = Default::default();
    let mut total_hits = 0usize;
    for q in &queries {
        let t = Instant::now();
        let result = index.search(q).expect("search");
        let elapsed = t.elapsed();
        took.push(elapsed);
        let key = format!("{} {:?}", q.q.as_deref().unwrap_or(""), q.sort);
        by_text.entry(key).or_default().push(elapsed);
        total_hits += result.total;
    }
    for (key, mut times) in by_text {
        times.sort();
        println!(
            "  {key}: p50 {:.2?}, max {:.2?}",
            percentile(&times, 0.5),
            times[times.len() - 1]
        );
    }
    took.sort();
    println!(
        "{} text+filter queries (facets {facets}): p50 {:.2?}, p95 {:.2?}, p99 {:.2?}, max {:.2?}; mean total {}",
        took.len(),
        percentile(&took, 0.50),
        percentile(&took, 0.95),
        percentile(&took, 0.99),
        took[took.len() - 1],
        total_hits / took.len().max(1)
    );
}

/// Lets `cargo bench --bench search` run this even while Cargo.toml has no `harness = false`
/// entry for it (the default libtest harness then calls it as a test).
#[cfg(test)]
#[test]
fn search_latency() {
    main()
}
