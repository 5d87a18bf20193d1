//! The housing-ticket figures (docs: housing-tickets.md, `GET /stats/tickets`), read from the
//! tickets and their append-only ledger: the flows of a date range (issued, debited, bonus,
//! cashed out; per developer for debits and bonuses), where the money stands now (outstanding,
//! expiring, expired and unpaid), each ticket's balance steps per period for the same positions at
//! past period ends, the ticket part of settlement, and the rows of the tickets export. The SQL is
//! the same text on both backends; every number in it is a validated integer.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::db::AnyConnection;
use crate::domain::periods::Period;

/// The period-key expression of a YYYYMMDD column, or none (one bucket, key 0): SQLite would read
/// a constant in GROUP BY as a column number, so without a period there is no grouping term.
fn period_terms(period: Option<Period>, day: &str) -> (String, String) {
    match period {
        Some(p) => {
            let key = p.sql_key(day);
            (key.clone(), format!("{key}, "))
        }
        None => ("0".to_string(), String::new()),
    }
}

/// The ledger lines of one kind (`issue`, `debit`, `bonus`, `cash_out`) of one period and, for
/// debits and bonuses, one developer: how many and their sum.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct FlowRow {
    #[diesel(sql_type = BigInt)]
    pub period: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub developer_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub lines: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_yuan: i64,
}

/// Ledger flows with local dates in `from_day..=to_day` (YYYYMMDD), by period (`None`: one
/// bucket, period 0), kind and developer. Net of cancellations: the debit and bonus lines of a
/// reservation that was later refunded (cancelled) count nowhere, like a cancelled confirmation
/// in the destocking figures. A transfer is not an issue; refund and void lines are not flows.
pub fn flows(
    conn: &mut AnyConnection,
    period: Option<Period>,
    from_day: i32,
    to_day: i32,
) -> QueryResult<Vec<FlowRow>> {
    let (key, group_key) = period_terms(period, "e.entry_day");
    let sql = format!(
        "SELECT CAST({key} AS BIGINT) AS period, e.kind AS kind, e.developer_id AS developer_id, \
         CAST(COUNT(*) AS BIGINT) AS lines, CAST(SUM(e.amount_yuan) AS BIGINT) AS amount_yuan \
         FROM ticket_entries e \
         WHERE e.entry_day BETWEEN {from_day} AND {to_day} \
         AND e.kind IN ('issue', 'debit', 'bonus', 'cash_out') \
         AND NOT (e.kind IN ('debit', 'bonus') AND EXISTS (SELECT 1 FROM ticket_entries r \
         WHERE r.reservation_id = e.reservation_id AND r.kind = 'refund')) \
         GROUP BY {group_key}e.kind, e.developer_id"
    );
    diesel::sql_query(&sql).load(conn)
}

/// Where the tickets' money stands at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName)]
pub struct Positions {
    /// Σ balance of tickets still valid
    #[diesel(sql_type = BigInt)]
    pub outstanding_yuan: i64,
    /// tickets still valid whose validity ends within the window (exhausted ones included, as
    /// in the officials' ticket list filtered by `expiring_within_days`)
    #[diesel(sql_type = BigInt)]
    pub expiring_count: i64,
    /// their Σ balance
    #[diesel(sql_type = BigInt)]
    pub expiring_yuan: i64,
    /// Σ balance of tickets past their validity and not yet cashed out
    #[diesel(sql_type = BigInt)]
    pub expired_unpaid_yuan: i64,
}

/// The positions at `now_ms` from the tickets themselves (an active or exhausted ticket whose
/// `valid_until_ms <= now` is expired; cashed-out and void tickets hold nothing), with the
/// expiring window `window_ms` long.
pub fn positions_now(
    conn: &mut AnyConnection,
    now_ms: i64,
    window_ms: i64,
) -> QueryResult<Positions> {
    let soon = now_ms.saturating_add(window_ms);
    let expiring = format!("valid_until_ms > {now_ms} AND valid_until_ms <= {soon}");
    let sql = format!(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN valid_until_ms > {now_ms} THEN balance_yuan ELSE 0 END), 0) \
         AS BIGINT) AS outstanding_yuan, \
         CAST(COALESCE(SUM(CASE WHEN {expiring} THEN 1 ELSE 0 END), 0) AS BIGINT) \
         AS expiring_count, \
         CAST(COALESCE(SUM(CASE WHEN {expiring} THEN balance_yuan ELSE 0 END), 0) AS BIGINT) \
         AS expiring_yuan, \
         CAST(COALESCE(SUM(CASE WHEN valid_until_ms <= {now_ms} THEN balance_yuan ELSE 0 END), 0) \
         AS BIGINT) AS expired_unpaid_yuan \
         FROM tickets WHERE status IN ('active', 'exhausted')"
    );
    let rows: Vec<Positions> = diesel::sql_query(&sql).load(conn)?;
    Ok(rows.into_iter().next().unwrap_or_default())
}

/// How one ticket's balance moved within one period: the balance is
/// `Σ issue − Σ debit + Σ refund − Σ cash_out − Σ void` (docs: housing-tickets.md, the ledger);
/// `closes` when the period holds its cash-out or void.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct BalanceStep {
    #[diesel(sql_type = BigInt)]
    pub ticket_id: i64,
    #[diesel(sql_type = BigInt)]
    pub valid_until_ms: i64,
    #[diesel(sql_type = BigInt)]
    pub period: i64,
    #[diesel(sql_type = BigInt)]
    pub delta_yuan: i64,
    #[diesel(sql_type = BigInt)]
    pub closes: i64,
}

/// Every ticket's balance steps per `period`, for ledger lines up to the local date `to_day`,
/// ordered by period: a few rows per ticket, from which the positions at each period's end are
/// added up in order.
pub fn balance_steps(
    conn: &mut AnyConnection,
    period: Period,
    to_day: i32,
) -> QueryResult<Vec<BalanceStep>> {
    let key = period.sql_key("e.entry_day");
    let sql = format!(
        "SELECT e.ticket_id AS ticket_id, MIN(t.valid_until_ms) AS valid_until_ms, \
         CAST({key} AS BIGINT) AS period, \
         CAST(SUM(CASE WHEN e.kind IN ('issue', 'refund') THEN e.amount_yuan \
         WHEN e.kind IN ('debit', 'cash_out', 'void') THEN -e.amount_yuan ELSE 0 END) AS BIGINT) \
         AS delta_yuan, \
         CAST(MAX(CASE WHEN e.kind IN ('cash_out', 'void') THEN 1 ELSE 0 END) AS BIGINT) AS closes \
         FROM ticket_entries e JOIN tickets t ON t.id = e.ticket_id \
         WHERE e.entry_day <= {to_day} \
         GROUP BY e.ticket_id, {key} ORDER BY 3, 1"
    );
    diesel::sql_query(&sql).load(conn)
}

/// The ticket part of one developer's settlement: its contracted reservations paid by a ticket,
/// with Σ debit and Σ bonus (their `gov_pays_yuan` is debit + bonus, already in the settlement
/// totals).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct TicketSettlementRow {
    #[diesel(sql_type = BigInt)]
    pub developer_id: i64,
    #[diesel(sql_type = BigInt)]
    pub reservations: i64,
    #[diesel(sql_type = BigInt)]
    pub debit_yuan: i64,
    #[diesel(sql_type = BigInt)]
    pub bonus_yuan: i64,
}

/// The ticket part of settlement per developer (one developer if given), in developer order.
pub fn ticket_settlement(
    conn: &mut AnyConnection,
    developer_id: Option<i64>,
) -> QueryResult<Vec<TicketSettlementRow>> {
    let only = developer_id
        .map(|d| format!("AND projects.developer_id = {d}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT projects.developer_id AS developer_id, CAST(COUNT(*) AS BIGINT) AS reservations, \
         CAST(COALESCE(SUM(r.ticket_debit_yuan), 0) AS BIGINT) AS debit_yuan, \
         CAST(COALESCE(SUM(r.ticket_bonus_yuan), 0) AS BIGINT) AS bonus_yuan \
         FROM reservations r JOIN units ON units.id = r.unit_id \
         JOIN projects ON projects.id = units.project_id \
         WHERE r.ticket_id IS NOT NULL AND r.status = 'contracted' {only} \
         GROUP BY projects.developer_id ORDER BY projects.developer_id"
    );
    diesel::sql_query(&sql).load(conn)
}

/// One ticket as exported: masked holder only (the transferee's mask after a transfer, else the
/// household's), the stored status (`expired` is decided from the clock by the caller).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct TicketExportRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub ticket_no: String,
    #[diesel(sql_type = Text)]
    pub holder_masked: String,
    #[diesel(sql_type = BigInt)]
    pub face_value_yuan: i64,
    #[diesel(sql_type = BigInt)]
    pub issued_at_ms: i64,
    #[diesel(sql_type = BigInt)]
    pub valid_until_ms: i64,
    #[diesel(sql_type = BigInt)]
    pub balance_yuan: i64,
    #[diesel(sql_type = BigInt)]
    pub debited_yuan: i64,
    #[diesel(sql_type = BigInt)]
    pub cashed_out_yuan: i64,
    #[diesel(sql_type = Text)]
    pub status: String,
}

/// Every ticket, in issue order.
pub fn export_rows(conn: &mut AnyConnection) -> QueryResult<Vec<TicketExportRow>> {
    diesel::sql_query(
        "SELECT t.id AS id, t.ticket_no AS ticket_no, \
         COALESCE(t.holder_name_masked, h.name_masked) AS holder_masked, \
         t.face_value_yuan AS face_value_yuan, t.issued_at_ms AS issued_at_ms, \
         t.valid_until_ms AS valid_until_ms, t.balance_yuan AS balance_yuan, \
         t.debited_yuan AS debited_yuan, t.cashed_out_yuan AS cashed_out_yuan, \
         t.status AS status \
         FROM tickets t JOIN households h ON h.id = t.household_id ORDER BY t.id",
    )
    .load(conn)
}
