//! The demo's housing tickets (房票): the table of ticket households (CSV, as an official imports
//! it through the ticket import) and what happens to each ticket afterwards. Issued over the last
//! ten months so that every speed tier has live tickets, some partly spent, one used up, one
//! transferred, and one issued long enough ago to have expired with money left on it.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::households::EXPROPRIATIONS;
use super::people::{name, phone};
use super::{centi, SEED};
use crate::domain::household::id_check_char;

/// How many ticket households the demo has (a small part of it: each PIN is an argon2id hash).
pub const TICKETS: usize = 80;
/// The expired ticket's age in days: past the default 540-day validity.
const EXPIRED_DAYS_AGO: i64 = 560;
/// The newest and oldest live tickets' ages in days (ten months).
const NEWEST: i64 = 3;
const OLDEST: i64 = 300;
/// The plan rows of the ticket used up and of the ticket transferred.
const EXHAUSTED: usize = 52;
const TRANSFERRED: usize = 20;

/// Other districts than the area households' (`households.rs`), so that no ID number is both.
const ID_AREA_CODES: [&str; 6] = ["420112", "420113", "420114", "420115", "420116", "420117"];

/// One purchase paid by a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spend {
    /// whole days after the issue at which the purchase was confirmed
    pub after_days: i64,
    /// the debit aimed at, in percent of the balance then; over 100: a unit the balance and its
    /// bonus cannot cover, so the ticket is used up and the holder tops up the rest
    pub share_pct: i64,
}

/// One ticket of the demo: when it was issued, for how much, and what it was used for since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPlan {
    /// whole days between the issue and the load
    pub days_ago: i64,
    /// minutes to go back further, so that the tickets were not all issued at the same time of day
    pub minutes_earlier: i64,
    pub face_value_yuan: i64,
    pub spends: Vec<Spend>,
    /// days after the issue at which the (unused) ticket was transferred to another person
    pub transfer_after_days: Option<i64>,
}

/// The plans of the demo's tickets, in the order of [`ticket_households_csv`]'s rows: the expired
/// one first, then the live ones from the newest (a few days old) to the oldest (ten months).
pub fn ticket_plans() -> Vec<TicketPlan> {
    let mut rng = StdRng::seed_from_u64(SEED + 3);
    let mut plans = vec![TicketPlan {
        days_ago: EXPIRED_DAYS_AGO,
        minutes_earlier: 90,
        face_value_yuan: 1_500_000,
        spends: vec![Spend {
            after_days: 120,
            share_pct: 55,
        }],
        transfer_after_days: None,
    }];
    let live = TICKETS as i64 - 1;
    for i in 1..=live {
        let days_ago = NEWEST + (i - 1) * (OLDEST - NEWEST) / (live - 1);
        let face_value_yuan = rng.gen_range(8_000..=26_000) * 100;
        let minutes_earlier = rng.gen_range(0..600);
        let mut spends = Vec::new();
        let mut transfer_after_days = None;
        if i as usize == EXHAUSTED {
            spends.push(Spend {
                after_days: 30,
                share_pct: 130,
            });
        } else if i as usize == TRANSFERRED {
            transfer_after_days = Some(12);
        } else if i % 3 == 0 {
            let after = rng.gen_range(1..days_ago);
            spends.push(Spend {
                after_days: after,
                share_pct: rng.gen_range(40..=80),
            });
            if i % 9 == 0 && days_ago - after >= 3 {
                spends.push(Spend {
                    after_days: rng.gen_range(after + 1..days_ago),
                    share_pct: rng.gen_range(30..=70),
                });
            }
        }
        plans.push(TicketPlan {
            days_ago,
            minutes_earlier,
            face_value_yuan,
            spends,
            transfer_after_days,
        });
    }
    plans
}

fn id_number(rng: &mut StdRng, birth_years: std::ops::RangeInclusive<i32>) -> String {
    let birth = NaiveDate::from_ymd_opt(
        rng.gen_range(birth_years),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28),
    )
    .expect("valid date");
    let first17 = format!(
        "{}{}{:03}",
        ID_AREA_CODES.choose(rng).expect("non-empty"),
        birth.format("%Y%m%d"),
        rng.gen_range(0..1000)
    );
    format!("{first17}{}", id_check_char(&first17).expect("17 digits"))
}

/// The ticket households in the Chinese headers of the ticket import (docs/api.md, "Uploads",
/// with 房票面额): each signed its agreement a few days to a month before its ticket was issued.
pub fn ticket_households_csv(today: NaiveDate) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(SEED + 5);
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
        "房票面额",
    ])
    .expect("in memory");
    for plan in ticket_plans() {
        let id = loop {
            let id = id_number(&mut rng, 1940..=1995);
            if ids.insert(id.clone()) {
                break id;
            }
        };
        let (project, zone) = *EXPROPRIATIONS.choose(&mut rng).expect("non-empty");
        let assessed = match zone {
            1 => rng.gen_range(180..=260),
            2 => rng.gen_range(110..=170),
            _ => rng.gen_range(60..=100),
        } * 100;
        // the home the ticket stands for, about the face value at the assessed price
        let area = (plan.face_value_yuan * 100 / assessed).clamp(2_000, 40_000);
        // two days or more before the day of the issue: before the issue at any time of day
        let signed = (today - Duration::days(plan.days_ago + rng.gen_range(2..=30)))
            .and_hms_opt(rng.gen_range(9..=16), rng.gen_range(0..60), 0)
            .expect("valid time");
        out.write_record([
            name(&mut rng),
            id,
            phone(&mut rng),
            project.to_string(),
            centi(area),
            zone.to_string(),
            assessed.to_string(),
            signed.format("%Y-%m-%d %H:%M:%S").to_string(),
            rng.gen_range(1..=6).to_string(),
            "房票".to_string(),
            plan.face_value_yuan.to_string(),
        ])
        .expect("in memory");
    }
    out.into_inner().expect("in memory")
}

/// The person the transferred ticket went to: name, ID number, mobile number.
pub fn transferee() -> (String, String, String) {
    let mut rng = StdRng::seed_from_u64(SEED + 4);
    let name = name(&mut rng);
    // born after every ticket household (1940–1995), so never one of them
    let id = id_number(&mut rng, 1996..=2000);
    (name, id, phone(&mut rng))
}
