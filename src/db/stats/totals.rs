//! The running totals behind the figures: PostgreSQL's deltas folded in by the compactor,
//! `VACUUM ANALYZE` after it, and a recount that checks the totals against the rows they sum.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::AnyConnection;
use crate::domain::periods;

/// Moves PostgreSQL's appended deltas into the running totals, in one statement per table so a
/// figure sees them either all before or all after; one compactor at a time (advisory lock).
/// Existing totals rows are updated and new ones inserted (not `ON CONFLICT`, which would test
/// the totals' `CHECK (… >= 0)` against a negative delta before seeing the conflict). SQLite's
/// triggers write the totals directly: nothing to do there.
pub fn compact(conn: &mut AnyConnection) -> QueryResult<()> {
    if !conn.is_postgres() {
        return Ok(());
    }
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    // UPDATE the totals rows that exist, INSERT the ones that do not (the UPDATE's RETURNING
    // says which); `values` are the summed columns
    let fold = |table: &str, keys: &[&str], values: &[&str], source: &str| {
        let list = |prefix: &str, cols: &[&str]| {
            cols.iter()
                .map(|k| format!("{prefix}{k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let matching = |alias: &str| {
            keys.iter()
                .map(|k| format!("{alias}.{k} = g.{k}"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let set = values
            .iter()
            .map(|v| format!("{v} = t.{v} + g.{v}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "upd_{table} AS (UPDATE {table} t SET {set} FROM {source} g WHERE {on} \
             RETURNING {tkeys}), \
             ins_{table} AS (INSERT INTO {table} ({keys}, {values}) \
             SELECT {gkeys}, {gvalues} FROM {source} g \
             WHERE NOT EXISTS (SELECT 1 FROM upd_{table} u WHERE {upd_on}) RETURNING 1)",
            on = matching("t"),
            upd_on = matching("u"),
            tkeys = list("t.", keys),
            keys = list("", keys),
            values = list("", values),
            gkeys = list("g.", keys),
            gvalues = list("g.", values),
        )
    };
    let money = ["units", "area_centi", "value_yuan"];
    let sums = "SUM(units) AS units, SUM(area_centi) AS area_centi, SUM(value_yuan) AS value_yuan";
    let stock = format!(
        "WITH moved AS (DELETE FROM stock_deltas \
         RETURNING project_id, status, units, area_centi, value_yuan), \
         g_stock AS (SELECT project_id, status, {sums} FROM moved GROUP BY project_id, status), \
         {fold} SELECT 1",
        fold = fold("stock_totals", &["project_id", "status"], &money, "g_stock"),
    );
    let confirmed = format!(
        "WITH moved AS (DELETE FROM confirmed_deltas \
         RETURNING project_id, day, units, area_centi, value_yuan), \
         g_day AS (SELECT project_id, day, {sums} FROM moved GROUP BY project_id, day), \
         g_xun AS (SELECT project_id, {xun} AS xun_day, {sums} FROM moved GROUP BY 1, 2), \
         {fold_day}, {fold_xun} SELECT 1",
        xun = periods::XUN_START_SQL.replace("{day}", "day"),
        fold_day = fold(
            "confirmed_day_totals",
            &["project_id", "day"],
            &money,
            "g_day"
        ),
        fold_xun = fold(
            "confirmed_xun_totals",
            &["project_id", "xun_day"],
            &money,
            "g_xun"
        ),
    );
    let settlement = format!(
        "WITH moved AS (DELETE FROM settlement_deltas \
         RETURNING project_id, reservations, gov_pays_yuan), \
         g_settlement AS (SELECT project_id, SUM(reservations) AS reservations, \
         SUM(gov_pays_yuan) AS gov_pays_yuan FROM moved GROUP BY project_id), \
         {fold} SELECT 1",
        fold = fold(
            "settlement_totals",
            &["project_id"],
            &["reservations", "gov_pays_yuan"],
            "g_settlement"
        ),
    );
    conn.transaction(|c| {
        c.batch_execute("SELECT pg_advisory_xact_lock(7007)")?;
        c.batch_execute(&stock)?;
        c.batch_execute(&confirmed)?;
        c.batch_execute(&settlement)
    })
}

/// PostgreSQL: `VACUUM ANALYZE` of the totals and deltas (outside a transaction, one table list
/// in one statement). SQLite: nothing.
pub fn vacuum_analyze(conn: &mut AnyConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    if !conn.is_postgres() {
        return Ok(());
    }
    conn.batch_execute(
        "VACUUM (ANALYZE) stock_totals, confirmed_day_totals, confirmed_xun_totals, \
         settlement_totals, stock_deltas, confirmed_deltas, settlement_deltas",
    )
}

#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
struct TotalRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(sql_type = BigInt)]
    area_centi: i64,
    #[diesel(sql_type = BigInt)]
    value_yuan: i64,
}

/// Where the running totals (plus deltas) differ from a recount of the units and reservations
/// they summarise: one line per differing key, none when they agree. For tests and operators.
pub fn totals_differences(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    let sums =
        "CAST(SUM(units) AS BIGINT) AS units, CAST(SUM(area_centi) AS BIGINT) AS area_centi, \
                CAST(SUM(value_yuan) AS BIGINT) AS value_yuan";
    let nonzero = "HAVING SUM(units) <> 0 OR SUM(area_centi) <> 0 OR SUM(value_yuan) <> 0";
    let confirmations =
        "SELECT units.project_id AS project_id, reservations.confirmed_day AS day, \
         1 AS units, units.area_centi_m2 AS area_centi, units.total_price_yuan AS value_yuan \
         FROM reservations JOIN units ON units.id = reservations.unit_id \
         WHERE reservations.status IN ('confirmed', 'contracted') \
         AND reservations.confirmed_day IS NOT NULL";
    let deltas = "SELECT project_id, day, units, area_centi, value_yuan FROM confirmed_deltas";
    let xun = periods::XUN_START_SQL.replace("{day}", "day");
    let pairs = [
        (
            format!(
                "SELECT 'stock ' || CAST(project_id AS TEXT) || ' ' || status AS key, {sums} \
                 FROM (SELECT project_id, status, units, area_centi, value_yuan FROM stock_totals \
                 UNION ALL SELECT project_id, status, units, area_centi, value_yuan \
                 FROM stock_deltas) AS t GROUP BY project_id, status {nonzero}"
            ),
            "SELECT 'stock ' || CAST(project_id AS TEXT) || ' ' || status AS key, \
             CAST(COUNT(*) AS BIGINT) AS units, CAST(SUM(area_centi_m2) AS BIGINT) AS area_centi, \
             CAST(SUM(total_price_yuan) AS BIGINT) AS value_yuan \
             FROM units GROUP BY project_id, status"
                .to_string(),
        ),
        (
            format!(
                "SELECT 'day ' || CAST(project_id AS TEXT) || ' ' || CAST(day AS TEXT) AS key, {sums} \
                 FROM (SELECT project_id, day, units, area_centi, value_yuan \
                 FROM confirmed_day_totals UNION ALL {deltas}) AS t GROUP BY project_id, day {nonzero}"
            ),
            format!(
                "SELECT 'day ' || CAST(project_id AS TEXT) || ' ' || CAST(day AS TEXT) AS key, {sums} \
                 FROM ({confirmations}) AS t GROUP BY project_id, day"
            ),
        ),
        (
            format!(
                "SELECT 'xun ' || CAST(project_id AS TEXT) || ' ' || CAST(day AS TEXT) AS key, {sums} \
                 FROM (SELECT project_id, xun_day AS day, units, area_centi, value_yuan \
                 FROM confirmed_xun_totals UNION ALL SELECT project_id, {xun} AS day, units, \
                 area_centi, value_yuan FROM ({deltas}) AS d) AS t GROUP BY project_id, day {nonzero}"
            ),
            format!(
                "SELECT 'xun ' || CAST(project_id AS TEXT) || ' ' || CAST(day AS TEXT) AS key, {sums} \
                 FROM (SELECT project_id, {xun} AS day, units, area_centi, value_yuan \
                 FROM ({confirmations}) AS c) AS t GROUP BY project_id, day"
            ),
        ),
    ];
    let settlement = (
        "SELECT 'settlement ' || CAST(project_id AS TEXT) AS key, \
         CAST(SUM(reservations) AS BIGINT) AS units, CAST(0 AS BIGINT) AS area_centi, \
         CAST(SUM(gov_pays_yuan) AS BIGINT) AS value_yuan FROM (\
         SELECT project_id, reservations, gov_pays_yuan FROM settlement_totals UNION ALL \
         SELECT project_id, reservations, gov_pays_yuan FROM settlement_deltas) AS t \
         GROUP BY project_id HAVING SUM(reservations) <> 0 OR SUM(gov_pays_yuan) <> 0"
            .to_string(),
        "SELECT 'settlement ' || CAST(units.project_id AS TEXT) AS key, \
         CAST(COUNT(*) AS BIGINT) AS units, CAST(0 AS BIGINT) AS area_centi, \
         CAST(COALESCE(SUM(reservations.gov_pays_yuan), 0) AS BIGINT) AS value_yuan \
         FROM reservations JOIN units ON units.id = reservations.unit_id \
         WHERE reservations.status = 'contracted' GROUP BY units.project_id"
            .to_string(),
    );
    let mut out = Vec::new();
    for (kept_sql, recount_sql) in pairs.into_iter().chain([settlement]) {
        let kept: Vec<TotalRow> = (diesel::sql_query(&kept_sql).load(&mut *conn))?;
        let recount: Vec<TotalRow> = (diesel::sql_query(&recount_sql).load(&mut *conn))?;
        let kept: std::collections::BTreeMap<String, TotalRow> =
            kept.into_iter().map(|r| (r.key.clone(), r)).collect();
        let recount: std::collections::BTreeMap<String, TotalRow> =
            recount.into_iter().map(|r| (r.key.clone(), r)).collect();
        for key in kept.keys().chain(recount.keys()) {
            if kept.get(key) != recount.get(key) {
                out.push(format!(
                    "{key}: kept {:?}, recounted {:?}",
                    kept.get(key),
                    recount.get(key)
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
