//! Aggregates for the officials' figures, computed by the database (GROUP BY over indexed
//! columns); Rust only combines the few grouped rows. The SQL is the same text on both backends:
//! grouping keys and period keys come from fixed fragments, dates are validated integers.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::AnyConnection;

pub mod aftercare;
pub mod tickets;
mod totals;

use crate::domain::periods::{self, Period};
use crate::domain::status::UnitStatus;
pub use totals::{compact, totals_differences, vacuum_analyze};

/// What figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    All,
    Developer,
    Project,
    District,
    Zone,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s {
            "developer" => Some(GroupBy::Developer),
            "project" => Some(GroupBy::Project),
            "district" => Some(GroupBy::District),
            "zone" => Some(GroupBy::Zone),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::All => "all",
            GroupBy::Developer => "developer",
            GroupBy::Project => "project",
            GroupBy::District => "district",
            GroupBy::Zone => "zone",
        }
    }

    fn key_sql(self) -> &'static str {
        match self {
            GroupBy::All => "'all'",
            GroupBy::Developer => "CAST(projects.developer_id AS TEXT)",
            GroupBy::Project => "CAST(projects.id AS TEXT)",
            GroupBy::District => "projects.district",
            GroupBy::Zone => "CAST(projects.zone_class AS TEXT)",
        }
    }

    fn label_sql(self) -> &'static str {
        match self {
            GroupBy::All => "'全部'",
            GroupBy::Developer => "developers.name",
            GroupBy::Project => "projects.name",
            GroupBy::District => "projects.district",
            GroupBy::Zone => "CAST(projects.zone_class AS TEXT)",
        }
    }
}

/// Units of one group in one status: count, area (centi-m²), value (yuan).
#[derive(Debug, Clone)]
pub struct StockRow {
    pub key: String,
    pub label: String,
    pub status: UnitStatus,
    pub units: i64,
    pub area_centi: i64,
    pub value_yuan: i64,
}

/// Confirmations (confirmed or since contracted; cancelled ones excluded) of one group in one
/// period.
#[derive(Debug, Clone)]
pub struct ConfirmedRow {
    pub key: String,
    pub label: String,
    pub period: i64,
    pub units: i64,
    pub area_centi: i64,
    pub value_yuan: i64,
}

#[derive(Debug, Clone, QueryableByName)]
pub struct CountRow {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

#[derive(Debug, Clone, QueryableByName)]
pub struct SettlementRow {
    #[diesel(sql_type = BigInt)]
    pub developer_id: i64,
    #[diesel(sql_type = Text)]
    pub developer_name: String,
    #[diesel(sql_type = BigInt)]
    pub reservations: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub gov_pays_yuan: Option<i64>,
}

/// The approved projects with their group's key and label: every figure is summed per project
/// by the database and added up per group here, through this map (a few thousand entries), instead
/// of joining every summed row to projects and developers and grouping again on text keys.
/// Projects not approved (pending, rejected, closed) are not in it and count nowhere.
#[derive(Debug, Clone)]
pub struct ProjectGroups {
    of_project: HashMap<i64, (String, String)>,
}

impl ProjectGroups {
    pub fn load(conn: &mut AnyConnection, by: GroupBy) -> QueryResult<ProjectGroups> {
        let sql = format!(
            "SELECT projects.id AS project_id, {key} AS key, {label} AS label FROM projects \
             JOIN developers ON developers.id = projects.developer_id \
             WHERE projects.status = 'approved'",
            key = by.key_sql(),
            label = by.label_sql(),
        );
        let rows: Vec<ProjectGroup> = (diesel::sql_query(&sql).load(conn))?;
        Ok(ProjectGroups {
            of_project: rows
                .into_iter()
                .map(|g| (g.project_id, (g.key, g.label)))
                .collect(),
        })
    }

    /// Per-project sums added up per (group, part); in key order.
    fn sum<P: Ord + Clone>(
        &self,
        rows: impl IntoIterator<Item = (i64, P, [i64; 3])>,
    ) -> Vec<(String, String, P, [i64; 3])> {
        let mut summed: BTreeMap<(&str, P), (&str, [i64; 3])> = BTreeMap::new();
        for (project_id, part, v) in rows {
            let Some((key, label)) = self.of_project.get(&project_id) else {
                continue;
            };
            let (_, total) = summed
                .entry((key.as_str(), part))
                .or_insert((label.as_str(), [0; 3]));
            for (t, x) in total.iter_mut().zip(v) {
                *t += x;
            }
        }
        summed
            .into_iter()
            .map(|((key, part), (label, v))| (key.to_string(), label.to_string(), part, v))
            .collect()
    }
}

#[derive(Debug, Clone, QueryableByName)]
struct ProjectGroup {
    #[diesel(sql_type = BigInt)]
    project_id: i64,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    label: String,
}

#[derive(Debug, Clone, QueryableByName)]
struct ProjectStatusSum {
    #[diesel(sql_type = BigInt)]
    project_id: i64,
    #[diesel(sql_type = Text)]
    status: UnitStatus,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(sql_type = BigInt)]
    area_centi: i64,
    #[diesel(sql_type = BigInt)]
    value_yuan: i64,
}

#[derive(Debug, Clone, QueryableByName)]
struct ProjectPeriodSum {
    #[diesel(sql_type = BigInt)]
    project_id: i64,
    #[diesel(sql_type = BigInt)]
    period: i64,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(sql_type = BigInt)]
    area_centi: i64,
    #[diesel(sql_type = BigInt)]
    value_yuan: i64,
}

/// Stock (units of approved projects, withdrawn excluded) by group and status, from the running
/// totals per project and status (migration 000007): a few thousand rows, whatever the number of
/// units.
pub fn stock(conn: &mut AnyConnection, groups: &ProjectGroups) -> QueryResult<Vec<StockRow>> {
    let sql = "SELECT project_id, status, CAST(SUM(units) AS BIGINT) AS units, \
         CAST(SUM(area_centi) AS BIGINT) AS area_centi, \
         CAST(SUM(value_yuan) AS BIGINT) AS value_yuan FROM (\
         SELECT project_id, status, units, area_centi, value_yuan FROM stock_totals \
         UNION ALL SELECT project_id, status, units, area_centi, value_yuan FROM stock_deltas) AS t \
         WHERE status IN ('available', 'held', 'reserved', 'sold') \
         GROUP BY project_id, status HAVING SUM(units) > 0";
    let rows: Vec<ProjectStatusSum> = (diesel::sql_query(sql).load(conn))?;
    Ok(groups
        .sum(rows.into_iter().map(|r| {
            (
                r.project_id,
                r.status,
                [r.units, r.area_centi, r.value_yuan],
            )
        }))
        .into_iter()
        .map(
            |(key, label, status, [units, area_centi, value_yuan])| StockRow {
                key,
                label,
                status,
                units,
                area_centi,
                value_yuan,
            },
        )
        .collect())
}

/// Confirmations with local dates in `from..=to` (YYYYMMDD; `from` 0 for "since the start"), by
/// group and period (`None`: one bucket, period 0). Read from the running totals: whole 旬 from
/// the per-旬 totals, the days left over at either end from the per-day totals, plus the deltas
/// not yet compacted, summed per project and period by the database.
pub fn confirmed(
    conn: &mut AnyConnection,
    groups: &ProjectGroups,
    period: Option<Period>,
    from_day: i32,
    to_day: i32,
) -> QueryResult<Vec<ConfirmedRow>> {
    let split = periods::split_by_xun(from_day, to_day);
    let mut sources = vec![format!(
        "SELECT project_id, day, units, area_centi, value_yuan FROM confirmed_deltas \
         WHERE day BETWEEN {from_day} AND {to_day}"
    )];
    if let Some((first, last)) = split.xuns {
        sources.push(format!(
            "SELECT project_id, xun_day AS day, units, area_centi, value_yuan \
             FROM confirmed_xun_totals WHERE xun_day BETWEEN {first} AND {last}"
        ));
    }
    for (first, last) in &split.days {
        sources.push(format!(
            "SELECT project_id, day, units, area_centi, value_yuan FROM confirmed_day_totals \
             WHERE day BETWEEN {first} AND {last}"
        ));
    }
    // a 旬's first day falls in the same 旬, month, quarter and year as each of its days; without
    // a period there is no period term (SQLite would read a constant as a column number)
    let (period_sql, group_period) = match period {
        Some(p) => {
            let key = p.sql_key("t.day");
            (key.clone(), format!(", {key}"))
        }
        None => ("0".to_string(), String::new()),
    };
    let sql = format!(
        "SELECT t.project_id AS project_id, CAST({period_sql} AS BIGINT) AS period, \
         CAST(SUM(t.units) AS BIGINT) AS units, CAST(SUM(t.area_centi) AS BIGINT) AS area_centi, \
         CAST(SUM(t.value_yuan) AS BIGINT) AS value_yuan \
         FROM ({sources}) AS t GROUP BY t.project_id{group_period} HAVING SUM(t.units) > 0",
        sources = sources.join(" UNION ALL "),
    );
    let rows: Vec<ProjectPeriodSum> = (diesel::sql_query(&sql).load(conn))?;
    Ok(groups
        .sum(rows.into_iter().map(|r| {
            (
                r.project_id,
                r.period,
                [r.units, r.area_centi, r.value_yuan],
            )
        }))
        .into_iter()
        .map(
            |(key, label, period, [units, area_centi, value_yuan])| ConfirmedRow {
                key,
                label,
                period,
                units,
                area_centi,
                value_yuan,
            },
        )
        .collect())
}

/// Households by settlement method.
pub fn households_by_method(conn: &mut AnyConnection) -> QueryResult<Vec<CountRow>> {
    let sql = "SELECT method AS key, COUNT(*) AS n FROM households GROUP BY method";
    diesel::sql_query(sql).load(conn)
}

/// Hall households with at least one confirmed (or contracted) reservation.
pub fn hall_households_with_selection(conn: &mut AnyConnection) -> QueryResult<i64> {
    // one index probe per hall household instead of a DISTINCT over every selection
    let sql = "SELECT 'hall' AS key, COUNT(*) AS n FROM households \
               WHERE households.method = 'hall' AND EXISTS (SELECT 1 FROM reservations \
               WHERE reservations.household_id = households.id \
               AND reservations.status IN ('confirmed', 'contracted'))";
    let rows: Vec<CountRow> = (diesel::sql_query(sql).load(conn))?;
    Ok(rows.first().map(|r| r.n).unwrap_or(0))
}

/// Σ `gov_pays_yuan` of contracted reservations per developer (one developer if given), from
/// the running totals per project.
pub fn settlement(
    conn: &mut AnyConnection,
    developer_id: Option<i64>,
) -> QueryResult<Vec<SettlementRow>> {
    let only = developer_id
        .map(|d| format!("WHERE projects.developer_id = {d}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT projects.developer_id AS developer_id, MIN(developers.name) AS developer_name, \
         CAST(SUM(c.n) AS BIGINT) AS reservations, CAST(SUM(c.gov) AS BIGINT) AS gov_pays_yuan \
         FROM (SELECT project_id, SUM(reservations) AS n, SUM(gov_pays_yuan) AS gov FROM (\
         SELECT project_id, reservations, gov_pays_yuan FROM settlement_totals \
         UNION ALL SELECT project_id, reservations, gov_pays_yuan FROM settlement_deltas) AS t \
         GROUP BY project_id HAVING SUM(reservations) > 0) AS c \
         JOIN projects ON projects.id = c.project_id \
         JOIN developers ON developers.id = projects.developer_id \
         {only} GROUP BY projects.developer_id ORDER BY projects.developer_id"
    );
    diesel::sql_query(&sql).load(conn)
}

/// One contracted reservation behind a settlement.
#[derive(Debug, Clone, QueryableByName)]
pub struct SettledReservation {
    #[diesel(sql_type = BigInt)]
    pub reservation_id: i64,
    #[diesel(sql_type = BigInt)]
    pub unit_id: i64,
    #[diesel(sql_type = Text)]
    pub project_name: String,
    #[diesel(sql_type = Text)]
    pub building: String,
    #[diesel(sql_type = Text)]
    pub unit: String,
    #[diesel(sql_type = Text)]
    pub room: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub contract_no: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub contracted_at_ms: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub gov_pays_yuan: Option<i64>,
}

/// The contracted reservations of one developer, newest first, one page. Reached from the
/// developer's projects through their sold units (a contracted reservation's unit is `sold`, set
/// in the same transaction: `db::selection::contract`), so the page costs the developer's sales,
/// not every contracted reservation of the hall; `CROSS JOIN` keeps SQLite to that order.
pub fn settled_reservations(
    conn: &mut AnyConnection,
    developer_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<SettledReservation>> {
    let sql = format!(
        "SELECT reservations.id AS reservation_id, units.id AS unit_id, projects.name AS project_name, \
         units.building AS building, units.unit AS unit, units.room AS room, \
         reservations.contract_no AS contract_no, reservations.contracted_at_ms AS contracted_at_ms, \
         reservations.gov_pays_yuan AS gov_pays_yuan \
         FROM projects CROSS JOIN units CROSS JOIN reservations \
         WHERE projects.developer_id = {developer_id} AND units.project_id = projects.id \
         AND units.status = 'sold' AND reservations.unit_id = units.id \
         AND reservations.status = 'contracted' \
         ORDER BY reservations.id DESC LIMIT {limit} OFFSET {offset}"
    );
    diesel::sql_query(&sql).load(conn)
}
