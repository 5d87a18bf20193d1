//! A deterministic corpus of approved developers, approved projects (1 000 units each) and
//! available units, written into a real anju SQLite database (schema from `anju migrate`).

use std::path::Path;

use anju::db::schema::{developers, projects, units};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

pub const UNITS_PER_PROJECT: u64 = 1_000;
pub const DEVELOPERS: u64 = 200;

const NAME_HEADS: [&str; 24] = [
    "锦", "君", "朝", "湖", "江", "金", "碧", "龙", "翠", "御", "星", "盛", "华", "恒", "融", "绿",
    "中", "保", "万", "富", "世", "嘉", "东", "南",
];
const NAME_MIDDLES: [&str; 16] = [
    "园", "江", "阳", "畔", "城", "湾", "河", "山", "景", "悦", "桂", "湖", "林", "海", "荣", "泰",
];
const NAME_TAILS: [&str; 16] = [
    "华苑", "华府", "新城", "花园", "公馆", "雅苑", "天地", "名邸", "壹号", "府", "国际", "御府",
    "家园", "广场", "水岸", "学府",
];
const PHASES: [&str; 4] = ["", "一期", "二期", "三期"];
pub const DISTRICTS: [&str; 13] = [
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
    "黄陂区",
    "新洲区",
    "汉南区",
];
const ROADS: [&str; 24] = [
    "重庆路",
    "中山大道",
    "解放大道",
    "长安路",
    "建设大道",
    "和平大道",
    "友谊路",
    "光谷大道",
    "珞喻路",
    "雄楚大道",
    "民族大道",
    "鹦鹉大道",
    "汉阳大道",
    "发展大道",
    "金桥大道",
    "青年路",
    "武珞路",
    "徐东大街",
    "沿江大道",
    "江汉路",
    "黄浦大街",
    "后湖大道",
    "南湖路",
    "长江日报路",
];
const PHRASES: [&str; 40] = [
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
    "一梯两户",
    "明厨明卫",
    "全明户型",
    "带飘窗",
    "主卧带衣帽间",
    "小区绿化率高",
    "步行五分钟到地铁站",
    "对口重点小学",
    "周边配套齐全",
    "三甲医院旁",
    "视野开阔无遮挡",
    "安静不临街",
    "电梯房",
    "地下车库直达",
    "物业服务好",
    "客厅朝南",
    "双阳台",
    "赠送面积大",
    "近商场超市",
    "交通便利",
    "园林景观",
    "楼间距大",
    "花园洋房",
    "现房即可交付",
];
pub const AMENITIES: [&str; 8] = [
    "地铁",
    "学校",
    "医院",
    "商场",
    "公园",
    "银行",
    "菜场",
    "幼儿园",
];
const ORIENTATIONS: [&str; 6] = ["南", "南北", "东南", "西南", "东", "北"];
const DECORATIONS: [&str; 3] = ["rough", "basic", "fine"];
const DEVELOPER_WORDS: [&str; 12] = [
    "置业",
    "房地产开发",
    "地产",
    "城建",
    "实业",
    "投资",
    "建设",
    "发展",
    "控股",
    "城市发展",
    "房产",
    "安居",
];
const DEVELOPER_FORMS: [&str; 3] = ["有限公司", "集团有限公司", "股份有限公司"];

/// Small deterministic generator (xorshift), so runs are comparable.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[derive(Insertable)]
#[diesel(table_name = developers)]
struct DeveloperRow {
    id: i64,
    name: String,
    credit_code: String,
    contact_name_enc: &'static str,
    contact_name_masked: &'static str,
    contact_phone_enc: &'static str,
    contact_phone_masked: &'static str,
    status: &'static str,
    created_at_ms: i64,
    updated_at_ms: i64,
}

#[derive(Insertable)]
#[diesel(table_name = projects)]
struct ProjectRow {
    id: i64,
    developer_id: i64,
    name: String,
    district: &'static str,
    zone_class: i32,
    address: String,
    presale_permit_no: String,
    delivery: &'static str,
    amenities: String,
    description: String,
    status: &'static str,
    created_at_ms: i64,
    updated_at_ms: i64,
}

#[derive(Insertable)]
#[diesel(table_name = units)]
struct UnitRow {
    id: i64,
    project_id: i64,
    building: String,
    unit: String,
    room: String,
    floor: i32,
    layout: String,
    rooms: i32,
    halls: i32,
    baths: i32,
    area_centi_m2: i64,
    price_per_m2_yuan: i64,
    total_price_yuan: i64,
    orientation: Option<&'static str>,
    decoration: Option<&'static str>,
    description: String,
    status: &'static str,
    created_at_ms: i64,
    updated_at_ms: i64,
}

const NOW_MS: i64 = 1_795_000_000_000;

fn developer(id: u64) -> DeveloperRow {
    let mut r = Rng(id * 7_919 + 3);
    DeveloperRow {
        id: id as i64,
        name: format!(
            "{}{}{}{}",
            NAME_HEADS[r.next(NAME_HEADS.len())],
            NAME_MIDDLES[r.next(NAME_MIDDLES.len())],
            DEVELOPER_WORDS[r.next(DEVELOPER_WORDS.len())],
            DEVELOPER_FORMS[r.next(DEVELOPER_FORMS.len())]
        ),
        // not a valid GB 32100 check character; the service never re-checks stored codes
        credit_code: format!("91420100B{id:09}"),
        contact_name_enc: "bench",
        contact_name_masked: "李*",
        contact_phone_enc: "bench",
        contact_phone_masked: "138****0000",
        status: "approved",
        created_at_ms: NOW_MS,
        updated_at_ms: NOW_MS,
    }
}

/// Project `p` (0-based); names are unique per developer (and overall).
fn project(p: u64) -> ProjectRow {
    let mut r = Rng(p * 2_654_435_761 + 1);
    // a bijection of 0..6144 onto (head, middle, tail) so that no name repeats
    let combo = (p * 1_009) % 6_144;
    let name = format!(
        "{}{}{}{}",
        NAME_HEADS[(combo % 24) as usize],
        NAME_MIDDLES[(combo / 24 % 16) as usize],
        NAME_TAILS[(combo / 384 % 16) as usize],
        PHASES[(p / 6_144 % 4) as usize]
    );
    let district = DISTRICTS[r.next(DISTRICTS.len())];
    let mut amenities: Vec<&str> = AMENITIES
        .iter()
        .copied()
        .filter(|_| r.next(3) == 0)
        .collect();
    if amenities.is_empty() {
        amenities.push(AMENITIES[r.next(AMENITIES.len())]);
    }
    let road = ROADS[r.next(ROADS.len())];
    let number = 1 + r.next(800);
    ProjectRow {
        id: p as i64 + 1,
        developer_id: (p % DEVELOPERS) as i64 + 1,
        description: format!(
            "{name}位于{district}{road}，{}，{}，{}。",
            PHRASES[r.next(PHRASES.len())],
            PHRASES[r.next(PHRASES.len())],
            PHRASES[r.next(PHRASES.len())]
        ),
        name,
        district,
        zone_class: 1 + r.next(3) as i32,
        address: format!("{district}{road}{number}号"),
        presale_permit_no: format!("武房预售{}第{p:05}号", 2024 + r.next(3)),
        delivery: if r.next(2) == 0 { "ready" } else { "off_plan" },
        amenities: serde_json::to_string(&amenities).expect("json"),
        status: "approved",
        created_at_ms: NOW_MS,
        updated_at_ms: NOW_MS,
    }
}

/// Unit `i` (0-based) of project `i / 1000`: 10 buildings × 2 entrances × 25 floors × 2 flats.
fn unit(i: u64) -> UnitRow {
    let mut u = Rng(i * 0x9E37_79B9_7F4A_7C15 + 7);
    let k = i % UNITS_PER_PROJECT;
    let (building, entrance, m) = (k / 100 + 1, k % 100 / 50 + 1, k % 50);
    let floor = m / 2 + 1;
    let rooms = 1 + u.next(4) as i32;
    let halls = 1 + u.next(2) as i32;
    let baths = 1 + (rooms >= 3 && u.next(2) == 0) as i32;
    let area_centi_m2 = 3_500 + 2_500 * rooms as i64 + u.next(4_000) as i64;
    let price_per_m2_yuan = 6_000 + u.next(18_000) as i64;
    let phrases = 1 + u.next(4);
    let description: Vec<&str> = (0..phrases)
        .map(|_| PHRASES[u.next(PHRASES.len())])
        .collect();
    UnitRow {
        id: i as i64 + 1,
        project_id: (i / UNITS_PER_PROJECT) as i64 + 1,
        building: format!("{building}栋"),
        unit: format!("{entrance}单元"),
        room: format!("{floor}{:02}", m % 2 + 1),
        floor: floor as i32,
        layout: format!("{rooms}室{halls}厅{baths}卫"),
        rooms,
        halls,
        baths,
        area_centi_m2,
        price_per_m2_yuan,
        total_price_yuan: (area_centi_m2 * price_per_m2_yuan + 50) / 100,
        orientation: Some(ORIENTATIONS[u.next(ORIENTATIONS.len())]),
        decoration: Some(DECORATIONS[u.next(DECORATIONS.len())]),
        description: format!("{}楼，{}", floor, description.join("，")),
        status: "available",
        created_at_ms: NOW_MS,
        updated_at_ms: NOW_MS,
    }
}

/// Number of units in the database at `path`, if it has the schema.
pub fn count_units(path: &Path) -> Option<i64> {
    let mut conn = SqliteConnection::establish(path.to_str()?).ok()?;
    units::table.count().get_result(&mut conn).ok()
}

/// Fills an empty, migrated database with `docs` units in big transactions.
pub fn fill(path: &Path, docs: u64) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::establish(path.to_str().expect("utf-8 path"))?;
    conn.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;")?;
    let projects = docs.div_ceil(UNITS_PER_PROJECT);
    conn.transaction(|c| -> QueryResult<()> {
        let devs: Vec<DeveloperRow> = (1..=DEVELOPERS).map(developer).collect();
        diesel::insert_into(developers::table)
            .values(&devs)
            .execute(c)?;
        for chunk in (0..projects).collect::<Vec<_>>().chunks(500) {
            let rows: Vec<ProjectRow> = chunk.iter().map(|&p| project(p)).collect();
            diesel::insert_into(projects::table)
                .values(&rows)
                .execute(c)?;
        }
        Ok(())
    })?;
    const PER_TX: u64 = 100_000;
    const PER_INSERT: u64 = 1_000;
    let mut start = 0;
    while start < docs {
        let end = (start + PER_TX).min(docs);
        conn.transaction(|c| -> QueryResult<()> {
            let mut i = start;
            while i < end {
                let to = (i + PER_INSERT).min(end);
                let rows: Vec<UnitRow> = (i..to).map(unit).collect();
                diesel::insert_into(units::table).values(&rows).execute(c)?;
                i = to;
            }
            Ok(())
        })?;
        start = end;
    }
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")?;
    Ok(())
}
