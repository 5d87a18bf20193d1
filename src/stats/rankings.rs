//! Monthly rankings with the 连续两个月排名最后 (last two months running) flag.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use super::{group_label, rate, stock_by_key, Stock};
use crate::db::stats::{self as q, GroupBy};
use crate::db::{AnyConnection, DbError};
use crate::domain::periods::{previous_month, Period};
use crate::domain::ranking::rank_month;

/// One ranked district or project in a month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingRow {
    /// 1 = best; equal rates share a rank
    pub rank: usize,
    pub key: String,
    pub label: String,
    pub stock_units: i64,
    pub confirmed_in_month: i64,
    /// confirmed in the month ÷ stock units
    pub absorption_rate: f64,
    /// ranked last this month
    pub last: bool,
    /// months in a row, ending with this one, ranked last
    pub consecutive_last_months: u32,
    /// 连续两个月排名最后
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rankings {
    pub level: String,
    pub month: String,
    pub rows: Vec<RankingRow>,
}

/// Districts or projects ranked by the month's absorption; `consecutive_last_months` looks back
/// up to 12 months.
pub fn rankings(
    conn: &mut AnyConnection,
    by: GroupBy,
    month: (i32, i32),
) -> Result<Vec<RankingRow>, DbError> {
    let groups = q::ProjectGroups::load(conn, by)?;
    let entities: BTreeMap<String, (String, i64)> = stock_by_key(&q::stock(conn, &groups)?)
        .into_iter()
        .filter(|(_, s)| Stock::total(&s.units) > 0)
        .map(|(k, s)| (k, (s.label.clone(), Stock::total(&s.units))))
        .collect();
    if entities.is_empty() {
        return Ok(Vec::new());
    }
    let mut months = vec![month];
    for _ in 0..11 {
        months.push(previous_month(months.last().expect("non-empty").0));
    }
    let oldest = months.last().expect("12 months").0;
    let rows = q::confirmed(conn, &groups, Some(Period::Month), oldest, month.1)?;
    let per_month = |m: (i32, i32)| -> BTreeMap<String, i64> {
        let key = i64::from(m.0 / 100);
        rows.iter()
            .filter(|r| r.period == key)
            .map(|r| (r.key.clone(), r.units))
            .collect()
    };
    let ranked: Vec<Vec<(String, usize, bool, i64)>> = months
        .iter()
        .map(|m| rank_month(&entities, &per_month(*m)))
        .collect();
    let last_by_month: Vec<HashMap<&str, bool>> = ranked
        .iter()
        .map(|m| {
            m.iter()
                .map(|(k, _, last, _)| (k.as_str(), *last))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (key, rank, last, confirmed) in &ranked[0] {
        let mut streak = 0;
        for month_last in &last_by_month {
            match month_last.get(key.as_str()) {
                Some(true) => streak += 1,
                _ => break,
            }
        }
        let (label, stock) = &entities[key];
        out.push(RankingRow {
            rank: *rank,
            key: key.clone(),
            label: group_label(by, label),
            stock_units: *stock,
            confirmed_in_month: *confirmed,
            absorption_rate: rate(*confirmed, *stock),
            last: *last,
            consecutive_last_months: streak,
            flagged: streak >= 2,
        });
    }
    Ok(out)
}
