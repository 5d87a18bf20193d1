//! Aggregates for the officials' figures, computed by the database (GROUP BY over indexed
//! columns); Rust only combines the few grouped rows. The SQL is the same text on both backends:
//! grouping keys and period keys come from fixed fragments, dates are validated integers.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::AnyConnection;
use crate::domain::periods::Period;

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
            GroupBy::Developer => "MIN(developers.name)",
            GroupBy::Project => "MIN(projects.name)",
            GroupBy::District => "MIN(projects.district)",
            GroupBy::Zone => "MIN(CAST(projects.zone_class AS TEXT))",
        }
    }
}

/// Units of one group in one status: count, area (centi-m²), value (yuan).
#[derive(Debug, Clone, QueryableByName)]
pub struct StockRow {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub units: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub area_centi: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub value_yuan: Option<i64>,
}

/// Confirmations (confirmed or since contracted; cancelled ones excluded) of one group in one
/// period.
#[derive(Debug, Clone, QueryableByName)]
pub struct ConfirmedRow {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = BigInt)]
    pub period: i64,
    #[diesel(sql_type = BigInt)]
    pub units: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub area_centi: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub value_yuan: Option<i64>,
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

/// The GROUP BY terms: the group's key (none for `All`: PostgreSQL refuses a constant there, and
/// SQLite would read an integer constant as a column number) and `more`.
fn group_by(by: GroupBy, more: &[&str]) -> String {
    let mut terms: Vec<&str> = Vec::new();
    if by != GroupBy::All {
        terms.push(by.key_sql());
    }
    terms.extend_from_slice(more);
    terms.join(", ")
}

/// Stock (units of approved projects, withdrawn excluded) by group and status. Units are first
/// summed per project and status straight from the covering index `units_stock`; only those
/// few thousand rows meet projects and developers.
pub fn stock(conn: &mut AnyConnection, by: GroupBy) -> QueryResult<Vec<StockRow>> {
    let sql = format!(
        "SELECT {key} AS key, {label} AS label, s.status AS status, \
         CAST(SUM(s.n) AS BIGINT) AS units, CAST(SUM(s.area) AS BIGINT) AS area_centi, \
         CAST(SUM(s.value) AS BIGINT) AS value_yuan \
         FROM (SELECT project_id, status, COUNT(*) AS n, SUM(area_centi_m2) AS area, \
         SUM(total_price_yuan) AS value FROM units \
         WHERE status IN ('available', 'held', 'reserved', 'sold') GROUP BY project_id, status) AS s \
         JOIN projects ON projects.id = s.project_id \
         JOIN developers ON developers.id = projects.developer_id \
         WHERE projects.status = 'approved' GROUP BY {group}",
        key = by.key_sql(),
        label = by.label_sql(),
        group = group_by(by, &["s.status"]),
    );
    crate::with_backend!(conn, c => diesel::sql_query(&sql).load(c))
}

/// Confirmations with local dates in `from..=to` (YYYYMMDD), by group and period (`None`: one
/// bucket, period 0).
pub fn confirmed(
    conn: &mut AnyConnection,
    by: GroupBy,
    period: Option<Period>,
    from_day: i32,
    to_day: i32,
) -> QueryResult<Vec<ConfirmedRow>> {
    // summed per project (and period) first, so only those rows meet projects and developers
    let (inner_period, inner_group) = match period {
        Some(p) => {
            let key = p.sql_key("reservations.confirmed_day");
            (format!(", {key} AS period"), format!(", {key}"))
        }
        None => (String::new(), String::new()),
    };
    let sql = format!(
        "SELECT {key} AS key, {label} AS label, {period_out} AS period, \
         CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS units, \
         CAST(SUM(c.area) AS BIGINT) AS area_centi, CAST(SUM(c.value) AS BIGINT) AS value_yuan \
         FROM (SELECT units.project_id AS project_id{inner_period}, COUNT(*) AS n, \
         SUM(units.area_centi_m2) AS area, SUM(units.total_price_yuan) AS value \
         FROM reservations JOIN units ON units.id = reservations.unit_id \
         WHERE reservations.confirmed_day BETWEEN {from_day} AND {to_day} \
         AND reservations.status IN ('confirmed', 'contracted') \
         GROUP BY units.project_id{inner_group}) AS c \
         JOIN projects ON projects.id = c.project_id \
         JOIN developers ON developers.id = projects.developer_id \
         WHERE projects.status = 'approved' {group}",
        key = by.key_sql(),
        label = by.label_sql(),
        period_out = if period.is_some() {
            "CAST(c.period AS BIGINT)"
        } else {
            "CAST(0 AS BIGINT)"
        },
        group = match period {
            Some(_) => format!("GROUP BY {}", group_by(by, &["c.period"])),
            None if by == GroupBy::All => String::new(),
            None => format!("GROUP BY {}", by.key_sql()),
        },
    );
    crate::with_backend!(conn, c => diesel::sql_query(&sql).load(c))
}

/// Households by settlement method.
pub fn households_by_method(conn: &mut AnyConnection) -> QueryResult<Vec<CountRow>> {
    let sql = "SELECT method AS key, COUNT(*) AS n FROM households GROUP BY method";
    crate::with_backend!(conn, c => diesel::sql_query(sql).load(c))
}

/// Hall households with at least one confirmed (or contracted) reservation.
pub fn hall_households_with_selection(conn: &mut AnyConnection) -> QueryResult<i64> {
    // one index probe per hall household instead of a DISTINCT over every selection
    let sql = "SELECT 'hall' AS key, COUNT(*) AS n FROM households \
               WHERE households.method = 'hall' AND EXISTS (SELECT 1 FROM reservations \
               WHERE reservations.household_id = households.id \
               AND reservations.status IN ('confirmed', 'contracted'))";
    let rows: Vec<CountRow> = crate::with_backend!(conn, c => diesel::sql_query(sql).load(c))?;
    Ok(rows.first().map(|r| r.n).unwrap_or(0))
}

/// Σ `gov_pays_yuan` of contracted reservations per developer (one developer if given).
pub fn settlement(
    conn: &mut AnyConnection,
    developer_id: Option<i64>,
) -> QueryResult<Vec<SettlementRow>> {
    let only = developer_id
        .map(|d| {
            format!("AND units.project_id IN (SELECT id FROM projects WHERE developer_id = {d})")
        })
        .unwrap_or_default();
    // summed per project first (index `reservations_settlement`), then per developer
    let sql = format!(
        "SELECT projects.developer_id AS developer_id, MIN(developers.name) AS developer_name, \
         CAST(SUM(c.n) AS BIGINT) AS reservations, CAST(SUM(c.gov) AS BIGINT) AS gov_pays_yuan \
         FROM (SELECT units.project_id AS project_id, COUNT(*) AS n, \
         SUM(reservations.gov_pays_yuan) AS gov \
         FROM reservations JOIN units ON units.id = reservations.unit_id \
         WHERE reservations.status = 'contracted' {only} GROUP BY units.project_id) AS c \
         JOIN projects ON projects.id = c.project_id \
         JOIN developers ON developers.id = projects.developer_id \
         GROUP BY projects.developer_id ORDER BY projects.developer_id"
    );
    crate::with_backend!(conn, c => diesel::sql_query(&sql).load(c))
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

/// The contracted reservations of one developer, newest first, one page.
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
         FROM reservations JOIN units ON units.id = reservations.unit_id \
         JOIN projects ON projects.id = units.project_id \
         WHERE reservations.status = 'contracted' AND projects.developer_id = {developer_id} \
         ORDER BY reservations.id DESC LIMIT {limit} OFFSET {offset}"
    );
    crate::with_backend!(conn, c => diesel::sql_query(&sql).load(c))
}
