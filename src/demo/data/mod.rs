//! The demo marketplace's content, generated from a fixed seed: developers, projects with their
//! unit tables (CSV, as a developer uploads them) and the household table (CSV, as an official
//! imports it). Pure: no IO, the same output for the same seed, size and day.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::domain::credit_code::with_check_char;

mod history;
mod households;
mod people;
mod tickets;

pub use history::{
    handovers, history_households_csv, AfterHandover, CAME_LATE, DISMISSED_LINE,
    HISTORY_ROUND_NAME, NEVER_CAME, ROUND_DAYS_AGO, UPHELD_LINE,
};
pub use households::households_csv;
use people::{name, phone};
pub use tickets::{ticket_households_csv, ticket_plans, transferee, TicketPlan, TICKETS};

const SEED: u64 = 2026_0007;

pub struct DemoDeveloper {
    pub name: &'static str,
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// the last one has just applied: something for the dashboard to approve
    pub approve: bool,
}

pub struct DemoProject {
    pub developer: usize,
    pub name: String,
    pub district: &'static str,
    pub zone_class: i64,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
    pub presale_permit_no: String,
    pub delivery: &'static str,
    pub delivery_date: Option<&'static str>,
    pub amenities: Vec<String>,
    pub description: String,
    pub approve: bool,
    /// the unit table in the Chinese headers of docs/api.md, "Uploads"
    pub units_csv: Vec<u8>,
}

const DEVELOPER_NAMES: [&str; 12] = [
    "江城置业集团有限公司",
    "楚天房地产开发有限公司",
    "汉江地产集团有限公司",
    "东湖城建发展有限公司",
    "长江华府置业有限公司",
    "金桥房地产开发有限公司",
    "荆楚安居置业有限公司",
    "晴川地产有限公司",
    "南湖新城开发有限公司",
    "龟山置业有限公司",
    "光谷房地产开发有限公司",
    "鹦鹉洲置业有限公司",
];

/// District, zone class, main roads, centre (lat, lng), ID-number area code.
const DISTRICTS: [(&str, i64, [&str; 5], f64, f64); 8] = [
    (
        "江岸区",
        1,
        ["中山大道", "解放大道", "沿江大道", "黄浦大街", "建设大道"],
        30.600,
        114.300,
    ),
    (
        "江汉区",
        1,
        ["新华路", "发展大道", "青年路", "唐家墩路", "常青路"],
        30.592,
        114.265,
    ),
    (
        "武昌区",
        1,
        ["中北路", "武珞路", "和平大道", "友谊大道", "中南路"],
        30.553,
        114.316,
    ),
    (
        "汉阳区",
        2,
        ["汉阳大道", "龙阳大道", "墨水湖北路", "鹦鹉大道", "江城大道"],
        30.549,
        114.219,
    ),
    (
        "洪山区",
        2,
        ["珞喻路", "雄楚大道", "关山大道", "南湖大道", "青菱路"],
        30.500,
        114.343,
    ),
    (
        "青山区",
        2,
        ["冶金大道", "建设一路", "工业路", "红钢城大街", "园林路"],
        30.634,
        114.385,
    ),
    (
        "东西湖区",
        3,
        ["金银湖路", "吴家山街", "东吴大道", "径河路", "临空港大道"],
        30.620,
        114.137,
    ),
    (
        "江夏区",
        3,
        ["文化大道", "纸坊大街", "江夏大道", "藏龙大道", "庙山路"],
        30.375,
        114.321,
    ),
];

/// How many projects each district gets: the outer zones hold most of the unsold stock.
const PROJECTS_PER_DISTRICT: [usize; 8] = [4, 4, 4, 6, 6, 6, 10, 10];

const NAME_HEADS: [&str; 30] = [
    "锦园", "江城", "湖畔", "翡翠", "金域", "滨江", "云景", "御府", "龙湾", "书香", "香樟", "紫荆",
    "悦澜", "星河", "月湖", "晴川", "东湖", "南山", "青城", "桃源", "枫林", "楚天", "汉府", "金桂",
    "兰亭", "澜岸", "玺园", "清华", "国风", "山水",
];
const NAME_TAILS: [&str; 12] = [
    "华苑", "花园", "名邸", "雅居", "公馆", "府", "嘉园", "新城", "天地", "壹号", "家园", "苑",
];
const AMENITIES: [&str; 5] = ["地铁", "学校", "医院", "商场", "公园"];

/// Layout, area range in m² (both ends whole).
const LAYOUTS: [(&str, i64, i64); 6] = [
    ("1室1厅1卫", 45, 60),
    ("2室1厅1卫", 62, 80),
    ("2室2厅1卫", 75, 92),
    ("3室2厅1卫", 95, 115),
    ("3室2厅2卫", 110, 140),
    ("4室2厅2卫", 140, 180),
];

/// A number with two decimals from hundredths.
fn centi(v: i64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

pub fn developers() -> Vec<DemoDeveloper> {
    let mut rng = StdRng::seed_from_u64(SEED);
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    DEVELOPER_NAMES
        .iter()
        .enumerate()
        .map(|(i, name_)| {
            // 9 = registered by the market regulator, 1 = enterprise, 420100 = 武汉市
            let org: String = (0..5)
                .map(|_| char::from(CHARSET[rng.gen_range(0..CHARSET.len())]))
                .collect();
            let first17 = format!("91420100MA4K{org}");
            DemoDeveloper {
                name: name_,
                credit_code: with_check_char(&first17).expect("charset characters"),
                contact_name: name(&mut rng),
                contact_phone: phone(&mut rng),
                approve: i + 1 < DEVELOPER_NAMES.len(),
            }
        })
        .collect()
}

pub fn projects() -> Vec<DemoProject> {
    let mut rng = StdRng::seed_from_u64(SEED + 1);
    let mut districts: Vec<usize> = PROJECTS_PER_DISTRICT
        .iter()
        .enumerate()
        .flat_map(|(d, n)| std::iter::repeat_n(d, *n))
        .collect();
    districts.shuffle(&mut rng);
    let mut names = std::collections::HashSet::new();
    let approving_developers = DEVELOPER_NAMES.len() - 1;
    let total = districts.len();
    districts
        .into_iter()
        .enumerate()
        .map(|(k, d)| {
            let name = loop {
                let n = format!(
                    "{}{}",
                    NAME_HEADS.choose(&mut rng).expect("non-empty"),
                    NAME_TAILS.choose(&mut rng).expect("non-empty")
                );
                if names.insert(n.clone()) {
                    break n;
                }
            };
            project(
                &mut rng,
                k,
                k % approving_developers,
                name,
                d,
                k + 2 < total,
            )
        })
        .collect()
}

fn project(
    rng: &mut StdRng,
    k: usize,
    developer: usize,
    name: String,
    d: usize,
    approve: bool,
) -> DemoProject {
    let (district, zone, roads, lat, lng) = DISTRICTS[d];
    let road = roads.choose(rng).expect("non-empty");
    let subway = [0.9, 0.6, 0.3][zone as usize - 1];
    let mut amenities: Vec<String> = AMENITIES
        .iter()
        .zip([subway, 0.7, 0.5, 0.6, 0.5])
        .filter(|(_, p)| rng.gen_bool(*p))
        .map(|(a, _)| a.to_string())
        .collect();
    if amenities.is_empty() {
        amenities.push("公园".into());
    }
    let ready = rng.gen_bool(0.4);
    let delivery_date = (!ready).then(|| {
        *["2027-06-30", "2027-12-31", "2028-06-30"]
            .choose(rng)
            .expect("non-empty")
    });
    let decoration = match zone {
        1 => ["精装", "精装", "简装"],
        2 => ["精装", "简装", "毛坯"],
        _ => ["简装", "毛坯", "毛坯"],
    }
    .choose(rng)
    .expect("non-empty")
    .to_string();
    let mut sentences = vec![format!("{name}位于{district}{road}")];
    let features = [
        "小区绿化率35%，人车分流",
        "南北通透，得房率高",
        "周边配套成熟，生活便利",
        "临湖而建，部分楼栋为湖景房",
        "低密度社区，物业服务口碑好",
    ];
    sentences.push(features.choose(rng).expect("non-empty").to_string());
    for a in &amenities {
        sentences.push(
            match a.as_str() {
                "地铁" => "步行约600米可达地铁站",
                "学校" => "对口小学、初中步行可达",
                "医院" => "三甲医院车程10分钟",
                "商场" => "紧邻大型购物中心",
                _ => "毗邻城市公园",
            }
            .to_string(),
        );
    }
    if decoration == "精装" {
        sentences.push("精装交付，拎包入住".into());
    }
    DemoProject {
        developer,
        name,
        district,
        zone_class: zone,
        address: format!("{road}{}号", rng.gen_range(1..=888)),
        lat: ((lat + rng.gen_range(-0.03..0.03)) * 1e6).round() / 1e6,
        lng: ((lng + rng.gen_range(-0.03..0.03)) * 1e6).round() / 1e6,
        presale_permit_no: format!(
            "武房开预售〔{}〕{:03}号",
            rng.gen_range(2024..=2026),
            100 + k
        ),
        delivery: if ready { "ready" } else { "off_plan" },
        delivery_date,
        amenities,
        description: sentences.join("；") + "。",
        approve,
        units_csv: units_csv(rng, zone, &decoration),
    }
}

/// 45–75 unsold flats out of the project's buildings, as the developer's sales office lists them.
fn units_csv(rng: &mut StdRng, zone: i64, decoration: &str) -> Vec<u8> {
    let candidates: &[usize] = match zone {
        1 => &[0, 1, 2, 3, 4],
        2 => &[1, 2, 3, 4, 5],
        _ => &[2, 3, 4, 5],
    };
    let mut templates = candidates.to_vec();
    templates.shuffle(rng);
    templates.truncate(rng.gen_range(2..=3));
    let floors = match zone {
        1 => rng.gen_range(18..=32),
        2 => rng.gen_range(11..=33),
        _ => rng.gen_range(6..=18),
    };
    let base_price: i64 = match zone {
        1 => rng.gen_range(280..=400),
        2 => rng.gen_range(150..=260),
        _ => rng.gen_range(80..=140),
    } * 100;
    let side = ["南", "东南", "西南", "东", "西", "南北"]
        .choose(rng)
        .expect("non-empty")
        .to_string();
    // one layout and area per stack (building, 单元, position), as in a real floor plan
    let buildings = rng.gen_range(2..=4);
    let mut stacks = Vec::new();
    for b in 1..=buildings {
        for u in 1..=rng.gen_range(1..=2) {
            for pos in 1..=2 {
                let (layout, lo, hi) = LAYOUTS[*templates.choose(rng).expect("non-empty")];
                let area = rng.gen_range(lo * 100..=hi * 100);
                stacks.push((b, u, pos, layout, area));
            }
        }
    }
    let mut keys: Vec<(usize, i32)> = (0..stacks.len())
        .flat_map(|s| (2..=floors).map(move |f| (s, f)))
        .collect();
    keys.shuffle(rng);
    keys.truncate(rng.gen_range(45..=75));
    keys.sort_unstable();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "楼栋",
        "单元",
        "房号",
        "楼层",
        "户型",
        "建筑面积",
        "套内面积",
        "备案单价",
        "朝向",
        "装修",
        "描述",
        "状态",
    ])
    .expect("in memory");
    for (s, floor) in keys {
        let (b, u, pos, layout, area) = stacks[s];
        let orientation = if pos == 1 { "南北" } else { side.as_str() };
        let premium =
            1.0 + 0.004 * f64::from(floor - 1) + if orientation == "南北" { 0.02 } else { 0.0 };
        let price = ((base_price as f64 * premium / 10.0).round() as i64 * 10).min(45_000);
        let inner = area * rng.gen_range(76..=84) / 100;
        let description = match rng.gen_range(0..12) {
            0 => "边户，采光好",
            1 => "中间楼层，视野开阔",
            2 if layout.starts_with('3') => "三室两厅，动静分区",
            3 if orientation == "南北" => "南北通透，户型方正",
            _ => "",
        };
        let status = if rng.gen_range(0..60) == 0 {
            "不可售"
        } else {
            "可售"
        };
        out.write_record([
            format!("{b}号楼"),
            format!("{u}单元"),
            format!("{floor}{pos:02}"),
            floor.to_string(),
            layout.to_string(),
            centi(area),
            centi(inner),
            price.to_string(),
            orientation.to_string(),
            decoration.to_string(),
            description.to_string(),
            status.to_string(),
        ])
        .expect("in memory");
    }
    out.into_inner().expect("in memory")
}

#[cfg(test)]
mod tests;
