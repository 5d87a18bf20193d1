//! Spending a ticket: whether its holder may hold now, the ticket quote of a unit, the debit at
//! confirmation and the refund when a confirmed reservation is cancelled. Each runs in the
//! caller's transaction with the ticket's row locked, and writes its ledger lines there.

use diesel::prelude::*;

use super::{append, lock, spend_refusal, store_amounts, Entry, EntryKind, Ticket};
use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::schema::units;
use crate::db::selection::{Reservation, UnitInfo};
use crate::db::AnyConnection;
use crate::domain::hold::round_turn;
use crate::domain::policy::Policy;
use crate::domain::refusal::{Refusal, RefusalKind};
use crate::domain::status::TicketStatus;
use crate::domain::ticket::TicketQuote;
use crate::domain::usage::Usage;

/// What a ticket quote needs of a unit besides its place: total price and usage.
#[derive(Debug, Clone, Copy)]
pub struct TicketFacts {
    pub total_price_yuan: i64,
    pub usage: Usage,
}

impl TicketFacts {
    pub fn load(conn: &mut AnyConnection, unit_id: i64) -> Result<TicketFacts, DbError> {
        let (total_price_yuan, usage) = units::table
            .find(unit_id)
            .select((units::total_price_yuan, units::usage))
            .first::<(i64, String)>(conn)
            .optional()?
            .ok_or_else(|| DbError::not_found("unit"))?;
        let usage = Usage::parse(&usage)
            .map_err(|m| DbError::broken(anyhow::anyhow!("unit {unit_id} usage: {m}")))?;
        Ok(TicketFacts {
            total_price_yuan,
            usage,
        })
    }
}

/// The round in which a ticket holder may hold now: `None` when it is in no round and the policy
/// lets tickets be spent at will (`ticket_open_selection`), else the round rules of households.
pub fn ticket_turn(
    conn: &mut AnyConnection,
    ticket: &Ticket,
    policy: &Policy,
    now_ms: i64,
) -> Result<Option<i64>, DbError> {
    ticket.check_spendable(now_ms)?;
    let memberships = crate::db::selection::memberships(conn, ticket.household_id)?;
    if memberships.is_empty() {
        if policy.ticket.open_selection {
            return Ok(None);
        }
        return Err(Refusal::new(
            RefusalKind::RoundNotOpen,
            "housing tickets are spent in selection rounds now: this ticket is in none",
        )
        .into());
    }
    Ok(Some(round_turn(&memberships)?))
}

/// The ticket quote of a unit at `now_ms`, or why the ticket cannot pay for it.
pub fn quote_unit(
    ticket: &Ticket,
    unit: &UnitInfo,
    facts: TicketFacts,
    policy: &Policy,
    now_ms: i64,
) -> Result<TicketQuote, Refusal> {
    ticket.check_spendable(now_ms)?;
    if !policy.ticket.usages_allowed.contains(&facts.usage) {
        return Err(Refusal::new(
            RefusalKind::UsageNotAllowed,
            format!(
                "a housing ticket may not buy a unit of usage {} ({}) under the policy in force",
                facts.usage.as_str(),
                facts.usage.label_zh()
            ),
        ));
    }
    policy
        .ticket
        .quote_at(
            ticket.issued_at_ms,
            ticket.balance_yuan,
            now_ms,
            unit.terms().zone,
            facts.total_price_yuan,
        )
        .map_err(spend_refusal)
}

/// Debits ticket `ticket_id` for the reservation `reservation_id` on `unit` at confirmation:
/// locks the ticket, quotes afresh at this moment, moves the balance conditionally and appends
/// the `debit` and `bonus` lines. Returns the quote to freeze into the reservation.
pub fn debit_on_confirm(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    ticket_id: i64,
    reservation_id: i64,
    unit: &UnitInfo,
    policy: &Policy,
) -> Result<TicketQuote, DbError> {
    let t = lock(conn, ticket_id)?;
    let facts = TicketFacts::load(conn, unit.unit_id)?;
    let q = quote_unit(&t, unit, facts, policy, ctx.now_ms)?;
    let mut after = t.clone();
    after.balance_yuan -= q.debit_yuan;
    after.debited_yuan += q.debit_yuan;
    after.status = if after.balance_yuan == 0 {
        TicketStatus::Exhausted
    } else {
        TicketStatus::Active
    };
    store_amounts(conn, &t, &after, ctx.now_ms)?;
    let line = |kind, amount| Entry {
        kind,
        amount_yuan: amount,
        reservation_id: Some(reservation_id),
        developer_id: Some(unit.developer_id),
        bonus_pct: Some(q.bonus_pct),
        details: serde_json::json!({ "unit_id": unit.unit_id, "top_up_yuan": q.top_up_yuan }),
    };
    append(
        conn,
        ctx,
        t.id,
        &[
            line(EntryKind::Debit, q.debit_yuan),
            line(EntryKind::Bonus, q.bonus_yuan),
        ],
    )?;
    Ok(q)
}

/// Gives a cancelled reservation's debit back to its ticket (`refund`); its bonus is void with
/// it. An exhausted ticket becomes active again (an expired one stays expired: the clock decides).
pub fn refund_on_cancel(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    r: &Reservation,
    developer_id: i64,
) -> Result<(), DbError> {
    let (Some(ticket_id), Some(debit)) = (r.ticket_id, r.ticket_debit_yuan) else {
        return Ok(());
    };
    let t = lock(conn, ticket_id)?;
    if !matches!(t.status, TicketStatus::Active | TicketStatus::Exhausted) {
        return Err(DbError::broken(anyhow::anyhow!(
            "ticket {ticket_id} is {} but reservation {} still holds its debit",
            t.status,
            r.id
        )));
    }
    let mut after = t.clone();
    after.balance_yuan += debit;
    after.debited_yuan -= debit;
    after.status = if after.balance_yuan == 0 {
        TicketStatus::Exhausted
    } else {
        TicketStatus::Active
    };
    store_amounts(conn, &t, &after, ctx.now_ms)?;
    append(
        conn,
        ctx,
        t.id,
        &[Entry {
            kind: EntryKind::Refund,
            amount_yuan: debit,
            reservation_id: Some(r.id),
            developer_id: Some(developer_id),
            bonus_pct: None,
            details: serde_json::json!({ "bonus_voided_yuan": r.ticket_bonus_yuan.unwrap_or(0) }),
        }],
    )?;
    Ok(())
}
