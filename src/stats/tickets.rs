//! The housing-ticket figures (`GET /stats/tickets`), assembled from the ledger's grouped rows:
//! flows within a date range (issued, debited, bonus, cashed out, per developer), net of
//! cancellations, and where the money stands (outstanding, expiring within 30 days, expired and
//! unpaid) as of now, or per period as of each period's end. Also the rows of the tickets export.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::stats::tickets::{self as q, BalanceStep, FlowRow, Positions};
use crate::db::{AnyConnection, DbError};
use crate::domain::periods::{local_day, Period};
use crate::domain::status::TicketStatus;
use crate::domain::ticket::DAY_MS;

/// The window of "expiring soon", in days.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;
const WINDOW_MS: i64 = EXPIRING_WITHIN_DAYS * DAY_MS;

/// One developer's part of the ticket money: debits of the tickets spent on its units and the
/// bonus the city adds, net of cancellations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeveloperTicketFlows {
    pub developer_id: i64,
    pub debit_yuan: i64,
    pub bonus_yuan: i64,
}

/// The ticket figures of a date range (or of one period of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct TicketFigures {
    /// the period's label (`2026-03 上旬`, `2026-03`, `2026-Q1`, `2026`) when `period` is given
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// tickets issued (a transfer is not an issue)
    pub issued_count: i64,
    /// Σ face value of the tickets issued
    pub issued_yuan: i64,
    /// Σ debits (a reservation cancelled later: its debit is not counted)
    pub debited_yuan: i64,
    /// Σ bonus the city adds to those debits (a cancelled reservation's bonus is void)
    pub bonus_yuan: i64,
    /// Σ balance of the tickets still valid: now, or with `period` at the period's end
    pub outstanding_yuan: i64,
    /// tickets still valid whose validity ends within 30 days (then), exhausted ones included
    pub expiring_30d_count: i64,
    /// their Σ balance
    pub expiring_30d_yuan: i64,
    /// Σ balance of the tickets past their validity and not (then) cashed out
    pub expired_unpaid_yuan: i64,
    /// Σ paid out in cash at expiry
    pub cashed_out_yuan: i64,
    /// debits and bonuses per developer, in developer order
    pub by_developer: Vec<DeveloperTicketFlows>,
}

/// `GET /stats/tickets?period=…`: one row per period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketPeriods {
    pub rows: Vec<TicketFigures>,
}

/// `GET /stats/tickets`: the figures of the range, or with `period` one row per period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TicketStats {
    Range(TicketFigures),
    Periods(TicketPeriods),
}

/// The figures of local dates `from_day..=to_day`, with the positions as of `now_ms`.
pub fn range(
    conn: &mut AnyConnection,
    from_day: i32,
    to_day: i32,
    now_ms: i64,
) -> Result<TicketFigures, DbError> {
    let flows = q::flows(conn, None, from_day, to_day)?;
    let positions = q::positions_now(conn, now_ms, WINDOW_MS)?;
    Ok(figures(None, flows.iter(), positions))
}

/// One row per period from the first with a ticket (or `from_day`'s, if later) to the one of
/// `to_day` (or today, if earlier); the positions of a period are those at its end, or now for
/// the period not yet over.
pub fn periods(
    conn: &mut AnyConnection,
    period: Period,
    from_day: i32,
    to_day: i32,
    now_ms: i64,
) -> Result<Vec<TicketFigures>, DbError> {
    let last_day = to_day.min(local_day(now_ms));
    let flows = q::flows(conn, Some(period), from_day, last_day)?;
    // the positions at a period's end count the whole period, whatever day of it `to` is
    let steps = q::balance_steps(conn, period, period.last_day(period.key(last_day)))?;
    let now = q::positions_now(conn, now_ms, WINDOW_MS)?;
    Ok(period_rows(
        period, from_day, last_day, now_ms, &flows, &steps, now,
    ))
}

/// Adds up flow rows and sets the positions.
fn figures<'a>(
    period: Option<String>,
    flows: impl Iterator<Item = &'a FlowRow>,
    positions: Positions,
) -> TicketFigures {
    let mut f = TicketFigures {
        period,
        outstanding_yuan: positions.outstanding_yuan,
        expiring_30d_count: positions.expiring_count,
        expiring_30d_yuan: positions.expiring_yuan,
        expired_unpaid_yuan: positions.expired_unpaid_yuan,
        ..TicketFigures::default()
    };
    let mut by_developer: BTreeMap<i64, DeveloperTicketFlows> = BTreeMap::new();
    for r in flows {
        let (debit, bonus) = match r.kind.as_str() {
            "issue" => {
                f.issued_count += r.lines;
                f.issued_yuan += r.amount_yuan;
                continue;
            }
            "cash_out" => {
                f.cashed_out_yuan += r.amount_yuan;
                continue;
            }
            "debit" => (r.amount_yuan, 0),
            "bonus" => (0, r.amount_yuan),
            _ => continue,
        };
        f.debited_yuan += debit;
        f.bonus_yuan += bonus;
        if let Some(d) = r.developer_id {
            let part = by_developer.entry(d).or_insert(DeveloperTicketFlows {
                developer_id: d,
                ..Default::default()
            });
            part.debit_yuan += debit;
            part.bonus_yuan += bonus;
        }
    }
    f.by_developer = by_developer.into_values().collect();
    f
}

/// One ticket as the ledger has it so far: valid until, balance, cashed out or void.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    valid_until_ms: i64,
    balance_yuan: i64,
    closed: bool,
}

/// The positions at `at_ms` of the tickets as they stood then.
fn positions_at<'a>(tickets: impl Iterator<Item = &'a Standing>, at_ms: i64) -> Positions {
    let mut p = Positions::default();
    for t in tickets.filter(|t| !t.closed) {
        if t.valid_until_ms > at_ms {
            p.outstanding_yuan += t.balance_yuan;
            if t.valid_until_ms <= at_ms.saturating_add(WINDOW_MS) {
                p.expiring_count += 1;
                p.expiring_yuan += t.balance_yuan;
            }
        } else {
            p.expired_unpaid_yuan += t.balance_yuan;
        }
    }
    p
}

/// The last millisecond of a period: the end of its last local (Asia/Shanghai) day.
fn period_end_ms(period: Period, key: i64) -> i64 {
    let last = period.last_day(key);
    chrono::NaiveDate::from_ymd_opt(
        last / 10_000,
        (last / 100 % 100) as u32,
        (last % 100) as u32,
    )
    .and_then(|d| d.succ_opt())
    .and_then(|d| d.and_hms_opt(0, 0, 0))
    .map(|t| t.and_utc().timestamp_millis() - 8 * 3_600_000 - 1)
    .unwrap_or(i64::MAX)
}

/// The period rows from the grouped flows and balance steps (steps in period order).
fn period_rows(
    period: Period,
    from_day: i32,
    last_day: i32,
    now_ms: i64,
    flows: &[FlowRow],
    steps: &[BalanceStep],
    now: Positions,
) -> Vec<TicketFigures> {
    let Some(first_step) = steps.first() else {
        return Vec::new();
    };
    let (mut key, last) = (
        period.key(from_day).max(first_step.period),
        period.key(last_day),
    );
    let mut flows_of: HashMap<i64, Vec<&FlowRow>> = HashMap::new();
    for r in flows {
        flows_of.entry(r.period).or_default().push(r);
    }
    let mut standing: HashMap<i64, Standing> = HashMap::new();
    let mut steps = steps.iter().peekable();
    let mut rows = Vec::new();
    while key <= last {
        while let Some(s) = steps.next_if(|s| s.period <= key) {
            let t = standing.entry(s.ticket_id).or_default();
            t.valid_until_ms = s.valid_until_ms;
            t.balance_yuan += s.delta_yuan;
            t.closed |= s.closes != 0;
        }
        let end = period_end_ms(period, key);
        let positions = if end >= now_ms {
            now
        } else {
            positions_at(standing.values(), end)
        };
        let here = flows_of.get(&key).into_iter().flatten().copied();
        rows.push(figures(Some(period.label(key)), here, positions));
        key = period.next_key(key);
    }
    rows
}

/// One ticket in the tickets export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLine {
    pub ticket_no: String,
    /// the holder's masked name (the transferee's after a transfer)
    pub holder_masked: String,
    pub face_value_yuan: i64,
    pub issued_at_ms: i64,
    pub valid_until_ms: i64,
    pub balance_yuan: i64,
    pub debited_yuan: i64,
    pub cashed_out_yuan: i64,
    /// as of now: an active or exhausted ticket past its validity is expired
    pub status: TicketStatus,
}

/// Every ticket with its status as of `now_ms`, in issue order.
pub fn lines(conn: &mut AnyConnection, now_ms: i64) -> Result<Vec<TicketLine>, DbError> {
    q::export_rows(conn)?
        .into_iter()
        .map(|r| {
            let stored = TicketStatus::parse(&r.status).ok_or_else(|| {
                DbError::broken(anyhow::anyhow!("ticket {}: status {:?}", r.id, r.status))
            })?;
            Ok(TicketLine {
                status: status_at(stored, r.valid_until_ms, now_ms),
                ticket_no: r.ticket_no,
                holder_masked: r.holder_masked,
                face_value_yuan: r.face_value_yuan,
                issued_at_ms: r.issued_at_ms,
                valid_until_ms: r.valid_until_ms,
                balance_yuan: r.balance_yuan,
                debited_yuan: r.debited_yuan,
                cashed_out_yuan: r.cashed_out_yuan,
            })
        })
        .collect()
}

/// A stored status as of `now_ms` (`expired` is never stored).
pub fn status_at(stored: TicketStatus, valid_until_ms: i64, now_ms: i64) -> TicketStatus {
    match stored {
        TicketStatus::Active | TicketStatus::Exhausted if now_ms >= valid_until_ms => {
            TicketStatus::Expired
        }
        s => s,
    }
}

/// A status as an official reads it.
pub fn status_label(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Active => "有效",
        TicketStatus::Exhausted => "已用完",
        TicketStatus::Expired => "已过期",
        TicketStatus::CashedOut => "已兑付",
        TicketStatus::Void => "已作废",
    }
}

#[cfg(test)]
mod tests;
