//! The officials' figures (docs/domain.md, "The figures officials watch"), assembled from the
//! database's grouped rows: overview, destocking by group and period, monthly rankings with the
//! two-months-last flag, and settlement. Exports and charts render these same figures.

pub mod chart;
pub mod export;
mod rankings;
pub mod tickets;

pub use rankings::{rankings, RankingRow, Rankings};

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::stats::{self as q, GroupBy};
use crate::db::AnyConnection;
use crate::db::DbError;
use crate::domain::periods::{day_before, Period};

fn rate(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

fn m2(centi: i64) -> f64 {
    centi as f64 / 100.0
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdsByMethod {
    pub hall: i64,
    pub in_kind: i64,
    pub cash: i64,
    /// 房票安置
    pub ticket: i64,
}

/// `GET /stats/overview`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub stock_units: i64,
    pub available_units: i64,
    pub held_units: i64,
    pub reserved_units: i64,
    pub sold_units: i64,
    /// (reserved + sold) ÷ stock, by count
    pub absorption_rate: f64,
    pub absorption_rate_by_area: f64,
    pub absorption_rate_by_value: f64,
    pub stock_area_m2: f64,
    pub stock_value_yuan: i64,
    pub households_total: i64,
    pub households_by_method: HouseholdsByMethod,
    /// (hall + cash + ticket) ÷ all households: every household not resettled in kind
    pub monetization_rate: f64,
    pub monetization_target_pct: i64,
    /// hall households with ≥ 1 confirmed reservation ÷ hall households
    pub hall_uptake_rate: f64,
}

/// Stock and absorption totals of one group.
#[derive(Debug, Clone, Default)]
struct Stock {
    label: String,
    units: [i64; 4],
    area: [i64; 4],
    value: [i64; 4],
}

const STATUSES: [&str; 4] = ["available", "held", "reserved", "sold"];

impl Stock {
    fn add(&mut self, r: &q::StockRow) {
        if let Some(i) = STATUSES.iter().position(|s| *s == r.status.as_str()) {
            self.units[i] += r.units;
            self.area[i] += r.area_centi;
            self.value[i] += r.value_yuan;
        }
        self.label.clone_from(&r.label);
    }
    fn total(v: &[i64; 4]) -> i64 {
        v.iter().sum()
    }
    fn absorbed(v: &[i64; 4]) -> i64 {
        v[2] + v[3]
    }
}

fn stock_by_key(rows: &[q::StockRow]) -> BTreeMap<String, Stock> {
    let mut map: BTreeMap<String, Stock> = BTreeMap::new();
    for r in rows {
        map.entry(r.key.clone()).or_default().add(r);
    }
    map
}

pub fn overview(
    conn: &mut AnyConnection,
    monetization_target_pct: i64,
) -> Result<Overview, DbError> {
    let all = q::ProjectGroups::load(conn, GroupBy::All)?;
    let stock = stock_by_key(&q::stock(conn, &all)?)
        .remove("all")
        .unwrap_or_default();
    let methods = q::households_by_method(conn)?;
    let count = |m: &str| {
        methods
            .iter()
            .find(|r| r.key == m)
            .map(|r| r.n)
            .unwrap_or(0)
    };
    let by_method = HouseholdsByMethod {
        hall: count("hall"),
        in_kind: count("in_kind"),
        cash: count("cash"),
        ticket: count("ticket"),
    };
    let total = by_method.hall + by_method.in_kind + by_method.cash + by_method.ticket;
    let uptake = q::hall_households_with_selection(conn)?;
    Ok(Overview {
        stock_units: Stock::total(&stock.units),
        available_units: stock.units[0],
        held_units: stock.units[1],
        reserved_units: stock.units[2],
        sold_units: stock.units[3],
        absorption_rate: rate(Stock::absorbed(&stock.units), Stock::total(&stock.units)),
        absorption_rate_by_area: rate(Stock::absorbed(&stock.area), Stock::total(&stock.area)),
        absorption_rate_by_value: rate(Stock::absorbed(&stock.value), Stock::total(&stock.value)),
        stock_area_m2: m2(Stock::total(&stock.area)),
        stock_value_yuan: Stock::total(&stock.value),
        households_total: total,
        monetization_rate: rate(by_method.hall + by_method.cash + by_method.ticket, total),
        monetization_target_pct,
        hall_uptake_rate: rate(uptake, by_method.hall),
        households_by_method: by_method,
    })
}

/// One row of `GET /stats/destocking`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DestockingRow {
    pub key: String,
    pub label: String,
    /// the period key's label (`2026-03 上旬`, `2026-03`, `2026-Q1`, `2026`) when `period` is given
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(skip)]
    pub period_key: Option<i64>,
    /// current stock (approved projects; withdrawn excluded)
    pub stock_units: i64,
    pub reserved_units: i64,
    pub sold_units: i64,
    /// confirmations (not cancelled) whose local date falls in the period (or in from..to)
    pub confirmed_in_period: i64,
    pub stock_area_m2: f64,
    /// without `period`: area of the units now reserved or sold; with `period`: of all
    /// confirmations up to the period's end
    pub absorbed_area_m2: f64,
    pub stock_value_yuan: i64,
    pub absorbed_value_yuan: i64,
    /// absorbed units ÷ stock units (cumulative to the period's end when `period` is given)
    pub absorption_rate: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Destocking {
    pub group_by: String,
    pub period: Option<String>,
    pub from: String,
    pub to: String,
    pub rows: Vec<DestockingRow>,
}

fn group_label(by: GroupBy, label: &str) -> String {
    match (by, label) {
        (GroupBy::Zone, "1") => "一类区".into(),
        (GroupBy::Zone, "2") => "二类区".into(),
        (GroupBy::Zone, "3") => "三类区".into(),
        _ => label.to_string(),
    }
}

/// Destocking by group, optionally per period, over local dates `from..=to`.
pub fn destocking(
    conn: &mut AnyConnection,
    by: GroupBy,
    period: Option<Period>,
    from_day: i32,
    to_day: i32,
) -> Result<Vec<DestockingRow>, DbError> {
    let groups = q::ProjectGroups::load(conn, by)?;
    let stock = stock_by_key(&q::stock(conn, &groups)?);
    let in_range = q::confirmed(conn, &groups, period, from_day, to_day)?;
    let mut rows = Vec::new();
    match period {
        None => {
            let mut confirmed_by_key: HashMap<&str, i64> = HashMap::new();
            for r in &in_range {
                *confirmed_by_key.entry(r.key.as_str()).or_default() += r.units;
            }
            for (key, s) in &stock {
                let confirmed = confirmed_by_key.get(key.as_str()).copied().unwrap_or(0);
                rows.push(DestockingRow {
                    key: key.clone(),
                    label: group_label(by, &s.label),
                    period: None,
                    period_key: None,
                    stock_units: Stock::total(&s.units),
                    reserved_units: s.units[2],
                    sold_units: s.units[3],
                    confirmed_in_period: confirmed,
                    stock_area_m2: m2(Stock::total(&s.area)),
                    absorbed_area_m2: m2(Stock::absorbed(&s.area)),
                    stock_value_yuan: Stock::total(&s.value),
                    absorbed_value_yuan: Stock::absorbed(&s.value),
                    absorption_rate: rate(Stock::absorbed(&s.units), Stock::total(&s.units)),
                });
            }
        }
        Some(p) => {
            // cumulative absorption starts from everything confirmed before `from`
            let before = q::confirmed(conn, &groups, None, 0, day_before(from_day))?;
            let mut keys: Vec<i64> = in_range.iter().map(|r| r.period).collect();
            keys.sort_unstable();
            keys.dedup();
            // thousands of groups × dozens of periods: look rows up by key, never by scanning
            let mut before_by_key: HashMap<&str, (i64, i64, i64)> = HashMap::new();
            for r in &before {
                let a = before_by_key.entry(r.key.as_str()).or_default();
                *a = (a.0 + r.units, a.1 + r.area_centi, a.2 + r.value_yuan);
            }
            let mut by_key_period: HashMap<(&str, i64), &q::ConfirmedRow> = HashMap::new();
            for r in &in_range {
                by_key_period.entry((r.key.as_str(), r.period)).or_insert(r);
            }
            for (key, s) in &stock {
                let mut cum = before_by_key
                    .get(key.as_str())
                    .copied()
                    .unwrap_or((0, 0, 0));
                for period_key in &keys {
                    let here = by_key_period.get(&(key.as_str(), *period_key));
                    let (n, area, value) = here
                        .map(|r| (r.units, r.area_centi, r.value_yuan))
                        .unwrap_or((0, 0, 0));
                    cum = (cum.0 + n, cum.1 + area, cum.2 + value);
                    rows.push(DestockingRow {
                        key: key.clone(),
                        label: group_label(by, &s.label),
                        period: Some(p.label(*period_key)),
                        period_key: Some(*period_key),
                        stock_units: Stock::total(&s.units),
                        reserved_units: s.units[2],
                        sold_units: s.units[3],
                        confirmed_in_period: n,
                        stock_area_m2: m2(Stock::total(&s.area)),
                        absorbed_area_m2: m2(cum.1),
                        stock_value_yuan: Stock::total(&s.value),
                        absorbed_value_yuan: cum.2,
                        absorption_rate: rate(cum.0, Stock::total(&s.units)),
                    });
                }
            }
        }
    }
    Ok(rows)
}

/// One group's period rows with the periods that had no confirmations filled in (nothing
/// confirmed, absorption carried forward), from the first to the last period present.
pub fn fill_periods(period: Period, rows: Vec<DestockingRow>) -> Vec<DestockingRow> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return rows;
    };
    let (mut key, end) = (first.period_key.unwrap_or(0), last.period_key.unwrap_or(0));
    let mut out: Vec<DestockingRow> = Vec::new();
    let mut given = rows.into_iter().peekable();
    while key <= end {
        match given.peek() {
            Some(r) if r.period_key == Some(key) => out.push(given.next().expect("peeked")),
            _ => {
                let mut gap = out.last().cloned().expect("the first period is present");
                gap.period = Some(period.label(key));
                gap.period_key = Some(key);
                gap.confirmed_in_period = 0;
                out.push(gap);
            }
        }
        key = period.next_key(key);
    }
    out
}
