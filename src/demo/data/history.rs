//! The demo's past: a closed round of households who chose months ago, so that the steps after the
//! pick (notice, objections, no-shows, handovers, a rescission, move-ins) have a history
//! to show. Which household does what is decided here; `demo::aftercare` plays it through the `db`
//! functions at the times given.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::households::EXPROPRIATIONS;
use super::people::{name, phone};
use super::{centi, SEED};
use crate::domain::household::id_check_char;

/// How many households the closed round has.
pub const HISTORY_HOUSEHOLDS: usize = 16;
/// The closed round's name.
pub const HISTORY_ROUND_NAME: &str = "第零批异地安置选房（已结束，演示）";
/// Days before the load at which the closed round was called: long enough ago that a handover of
/// its first contracts is past the 180-day move-in deadline.
pub const ROUND_DAYS_AGO: i64 = 230;
/// Positions (1-based) that never came when called, and that came only after their turn was missed.
pub const NEVER_CAME: i64 = 13;
pub const CAME_LATE: i64 = 7;
/// The line an upheld objection names; its reservation is cancelled.
pub const UPHELD_LINE: i64 = 5;
/// The line a dismissed objection names.
pub const DISMISSED_LINE: i64 = 9;

/// One handover of the closed round's contracted flats: the position, days before the load, the
/// measured area in per-mille of the contracted one, what followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoverPlan {
    pub position: i64,
    pub days_ago: i64,
    pub measured_permille: i64,
    pub then: AfterHandover,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterHandover {
    /// moved in this many days after the handover
    MovedIn(i64),
    /// rescinded this many days after the handover
    Rescinded(i64),
    /// not (yet) moved in
    Nothing,
}

/// Handovers within ±3 % and beyond it on both sides; one beyond −3 % rescinded; one handed over
/// 210 days ago and never moved into, so it is overdue.
pub fn handovers() -> Vec<HandoverPlan> {
    use AfterHandover::*;
    let plan = |position, days_ago, measured_permille, then| HandoverPlan {
        position,
        days_ago,
        measured_permille,
        then,
    };
    vec![
        plan(1, 210, 1_012, MovedIn(20)),
        plan(2, 210, 990, Nothing),
        plan(3, 45, 1_020, MovedIn(12)),
        plan(4, 45, 1_050, MovedIn(15)),
        plan(6, 40, 950, Rescinded(6)),
        plan(8, 40, 975, MovedIn(9)),
        plan(10, 30, 1_000, Nothing),
        plan(11, 30, 965, Nothing),
    ]
}

/// A district code of no other demo household, so that no ID number is shared.
const ID_AREA_CODE: &str = "429004";

fn id_number(rng: &mut StdRng, years: std::ops::RangeInclusive<i32>) -> String {
    let birth = NaiveDate::from_ymd_opt(
        rng.gen_range(years),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28),
    )
    .expect("valid date");
    let first17 = format!(
        "{ID_AREA_CODE}{}{:03}",
        birth.format("%Y%m%d"),
        rng.gen_range(0..1000)
    );
    let check = id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// The closed round's households (the import table's Chinese headers), all 选购大厅, signed 300 to
/// 360 days before `today` so that their vouchers were valid when they chose.
pub fn history_households_csv(today: NaiveDate) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(SEED + 7);
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
    for k in 0..HISTORY_HOUSEHOLDS {
        let id = loop {
            let id = id_number(&mut rng, 1945..=1990);
            if ids.insert(id.clone()) {
                break id;
            }
        };
        let (project, zone) = *EXPROPRIATIONS.choose(&mut rng).expect("non-empty");
        let area = rng.gen_range(6_000..=12_000);
        let assessed = match zone {
            1 => rng.gen_range(180..=260),
            2 => rng.gen_range(110..=170),
            _ => rng.gen_range(60..=100),
        } * 100;
        // in signing order, so that the round's order (by signing time) is the table's
        let signed = (today - Duration::days(360 - 3 * k as i64))
            .and_hms_milli_opt(10, rng.gen_range(0..60), rng.gen_range(0..60), 0)
            .expect("valid time");
        out.write_record([
            name(&mut rng),
            id,
            phone(&mut rng),
            project.to_string(),
            centi(area),
            zone.to_string(),
            assessed.to_string(),
            signed.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            rng.gen_range(2..=5).to_string(),
            "选购大厅".to_string(),
        ])
        .expect("in memory");
    }
    out.into_inner().expect("in memory")
}
