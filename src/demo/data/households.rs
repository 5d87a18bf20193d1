//! The household table of the demo: who was moved out of which 棚改 project, and when.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::people::{name, phone};
use super::{centi, SEED};
use crate::domain::household::id_check_char;

/// 棚改 projects the households were moved out of, with their zone class.
pub(super) const EXPROPRIATIONS: [(&str, i64); 5] = [
    ("汉正街片区棚户区改造项目", 1),
    ("杨园片区棚户区改造项目", 1),
    ("古田片区棚户区改造项目", 2),
    ("红钢城片区棚户区改造项目", 2),
    ("白沙洲片区棚户区改造项目", 3),
];
const ID_AREA_CODES: [&str; 7] = [
    "420102", "420103", "420104", "420105", "420106", "420107", "420111",
];

/// The household table (the Chinese headers of docs/api.md, "Uploads") of the first `count` demo
/// households; signing times fall on the 240 days before `today`, so every voucher is valid
/// (365 days) for months after the demo is loaded.
pub fn households_csv(count: usize, today: NaiveDate) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(SEED + 2);
    let mut ids = std::collections::HashSet::new();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "户主姓名",
        "身份证号",
        "联系电话",
        "征收项目",
        "被征收面积",
        "区位类别",
        "评估单价",
        "签约时间",
        "家庭人口",
        "安置方式",
    ])
    .expect("in memory");
    for _ in 0..count {
        let id = loop {
            let birth = NaiveDate::from_ymd_opt(
                rng.gen_range(1940..=1995),
                rng.gen_range(1..=12),
                rng.gen_range(1..=28),
            )
            .expect("valid date");
            let first17 = format!(
                "{}{}{:03}",
                ID_AREA_CODES.choose(&mut rng).expect("non-empty"),
                birth.format("%Y%m%d"),
                rng.gen_range(0..1000)
            );
            let id = format!("{first17}{}", id_check_char(&first17).expect("17 digits"));
            if ids.insert(id.clone()) {
                break id;
            }
        };
        let (project, zone) = *EXPROPRIATIONS.choose(&mut rng).expect("non-empty");
        // most homes in the old quarters are small
        let area = if rng.gen_bool(0.6) {
            rng.gen_range(3_000..=9_000)
        } else {
            rng.gen_range(3_000..=15_000)
        };
        let assessed = match zone {
            1 => rng.gen_range(180..=260),
            2 => rng.gen_range(110..=170),
            _ => rng.gen_range(60..=100),
        } * 100;
        let signed = (today - Duration::days(rng.gen_range(1..=240)))
            .and_hms_milli_opt(
                rng.gen_range(9..=16),
                rng.gen_range(0..60),
                rng.gen_range(0..60),
                rng.gen_range(0..1000),
            )
            .expect("valid time");
        let method = match rng.gen_range(0..20) {
            0..=13 => "选购大厅",
            14..=16 => "货币补偿",
            _ => "产权调换",
        };
        out.write_record([
            name(&mut rng),
            id,
            phone(&mut rng),
            project.to_string(),
            centi(area),
            zone.to_string(),
            assessed.to_string(),
            signed.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            rng.gen_range(1..=6).to_string(),
            method.to_string(),
        ])
        .expect("in memory");
    }
    out.into_inner().expect("in memory")
}
