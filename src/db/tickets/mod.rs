//! Housing tickets (房票): the ticket rows, their append-only ledger, and the reads officials and
//! kiosks make of them. Every change of a balance goes through [`append`] in the transaction of
//! the change, and the row's CHECK keeps `face = balance + debited + cashed_out + voided`.

use diesel::prelude::*;

use super::audit::{Actor, AuditCtx};
use super::error::DbError;
use super::schema::{ticket_entries, tickets};
use super::AnyConnection;
use crate::domain::refusal::{Refusal, RefusalKind};
use crate::domain::status::TicketStatus;
use crate::domain::ticket::SpendRefusal;

mod admin;
mod issue;
mod lists;
mod redeem;
mod spend;

pub use admin::{cash_out, transfer, void, NewHolder};
pub use issue::{import, issue, IssuedTicket, TicketSeal};
pub use lists::{entries, list, EntryRow, TicketFilter};
pub use redeem::{new_redemption_code, redeem, RedeemRequest, Redeemed, CODE_VALID_MS};
pub use spend::{debit_on_confirm, quote_unit, refund_on_cancel, ticket_turn, TicketFacts};

/// One ticket as stored. `Debug` is safe: the holder's data is encrypted or masked.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct Ticket {
    pub id: i64,
    pub household_id: i64,
    pub ticket_no: String,
    pub pin_hash: String,
    pub holder_name_enc: Option<String>,
    pub holder_name_masked: Option<String>,
    pub holder_id_number_enc: Option<String>,
    pub holder_id_number_masked: Option<String>,
    pub holder_id_number_hmac: Option<String>,
    pub holder_phone_enc: Option<String>,
    pub holder_phone_masked: Option<String>,
    pub face_value_yuan: i64,
    pub issued_at_ms: i64,
    pub valid_until_ms: i64,
    pub balance_yuan: i64,
    pub debited_yuan: i64,
    pub cashed_out_yuan: i64,
    pub voided_yuan: i64,
    pub transfers_used: i32,
    pub status: TicketStatus,
    pub status_reason: Option<String>,
    pub policy_version: i64,
    pub login_failures: i32,
    pub locked_until_ms: Option<i64>,
    pub login_lockouts: i32,
    pub pin_day_start_ms: Option<i64>,
    pub pin_day_failures: i32,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Ticket {
    /// The status as of `now_ms`: an active or exhausted ticket past its validity is `expired`
    /// (nothing sweeps it; every use checks the clock).
    pub fn status_at(&self, now_ms: i64) -> TicketStatus {
        match self.status {
            TicketStatus::Active | TicketStatus::Exhausted if now_ms >= self.valid_until_ms => {
                TicketStatus::Expired
            }
            s => s,
        }
    }

    /// Whether the ticket may pay for a unit now: refusals in the order the holder can act on.
    pub fn check_spendable(&self, now_ms: i64) -> Result<(), Refusal> {
        match self.status_at(now_ms) {
            TicketStatus::Active => Ok(()),
            TicketStatus::Exhausted => Err(spend_refusal(SpendRefusal::Exhausted)),
            TicketStatus::Expired => Err(spend_refusal(SpendRefusal::Expired)),
            TicketStatus::CashedOut | TicketStatus::Void => Err(closed()),
        }
    }
}

/// The refusal of a spend the arithmetic turned down.
pub fn spend_refusal(r: SpendRefusal) -> Refusal {
    match r {
        SpendRefusal::Expired => Refusal::new(
            RefusalKind::TicketExpired,
            "the housing ticket has expired: it can no longer be spent; what is left is paid in cash",
        ),
        SpendRefusal::Exhausted => Refusal::new(
            RefusalKind::TicketExhausted,
            "the housing ticket's balance is used up",
        ),
        SpendRefusal::NotYetIssued => Refusal::new(
            RefusalKind::InvalidTransition,
            "the housing ticket is not valid before its issue time",
        ),
    }
}

pub fn closed() -> Refusal {
    Refusal::new(
        RefusalKind::TicketClosed,
        "the housing ticket was cashed out or voided and can no longer be used",
    )
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Ticket>> {
    tickets::table
        .find(id)
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

/// The ticket `id` with its row locked for the rest of the transaction (`SELECT … FOR UPDATE`
/// on PostgreSQL; on SQLite `BEGIN IMMEDIATE` holds the database's write lock already).
pub fn lock(conn: &mut AnyConnection, id: i64) -> Result<Ticket, DbError> {
    if let AnyConnection::Postgresql(c) = conn {
        // the row lock first (the status type reads only through the multi-backend connection)
        tickets::table
            .find(id)
            .select(tickets::id)
            .for_update()
            .first::<i64>(c)
            .optional()?;
    }
    let found = get(conn, id)?;
    found.ok_or_else(|| DbError::not_found("ticket"))
}

/// The ticket printed as `ticket_no`, locked like [`lock`].
pub fn lock_by_no(conn: &mut AnyConnection, ticket_no: &str) -> Result<Option<Ticket>, DbError> {
    match super::lock_id_where(conn, "tickets", "ticket_no", ticket_no)? {
        Some(id) => Ok(Some(lock(conn, id)?)),
        None => Ok(None),
    }
}

/// The ticket printed as `ticket_no`, read without a lock.
pub fn find_by_no(conn: &mut AnyConnection, ticket_no: &str) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::ticket_no.eq(ticket_no))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

pub fn of_household(conn: &mut AnyConnection, household_id: i64) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::household_id.eq(household_id))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

/// A ledger kind (docs/tickets.md, "The ledger").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Issue,
    Debit,
    Bonus,
    Refund,
    Transfer,
    CashOut,
    Void,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Issue => "issue",
            EntryKind::Debit => "debit",
            EntryKind::Bonus => "bonus",
            EntryKind::Refund => "refund",
            EntryKind::Transfer => "transfer",
            EntryKind::CashOut => "cash_out",
            EntryKind::Void => "void",
        }
    }
}

/// One ledger line to append.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    pub amount_yuan: i64,
    pub reservation_id: Option<i64>,
    pub developer_id: Option<i64>,
    pub bonus_pct: Option<i64>,
    pub details: serde_json::Value,
}

impl Entry {
    pub fn new(kind: EntryKind, amount_yuan: i64) -> Entry {
        Entry {
            kind,
            amount_yuan,
            reservation_id: None,
            developer_id: None,
            bonus_pct: None,
            details: serde_json::json!({}),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = ticket_entries)]
struct NewEntry<'a> {
    ticket_id: i64,
    kind: &'a str,
    amount_yuan: i64,
    reservation_id: Option<i64>,
    developer_id: Option<i64>,
    bonus_pct: Option<i32>,
    actor_kind: &'a str,
    actor_id: Option<i64>,
    details: String,
    at_ms: i64,
    entry_day: i32,
}

/// Appends ledger lines of ticket `ticket_id`, in the caller's transaction.
pub fn append(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    ticket_id: i64,
    entries: &[Entry],
) -> QueryResult<()> {
    let (actor_kind, actor_id) = match ctx.actor {
        Actor::Official(id) => ("official", Some(id)),
        Actor::Developer(id) => ("developer", Some(id)),
        Actor::Household(id) => ("household", Some(id)),
        Actor::System => ("system", None),
    };
    let rows: Vec<NewEntry> = entries
        .iter()
        .map(|e| NewEntry {
            ticket_id,
            kind: e.kind.as_str(),
            amount_yuan: e.amount_yuan,
            reservation_id: e.reservation_id,
            developer_id: e.developer_id,
            bonus_pct: e.bonus_pct.map(|p| p as i32),
            actor_kind,
            actor_id,
            details: e.details.to_string(),
            at_ms: ctx.now_ms,
            entry_day: crate::domain::periods::local_day(ctx.now_ms),
        })
        .collect();
    // one statement per line: the multi-backend connection has no batch insert
    for row in &rows {
        diesel::insert_into(ticket_entries::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Moves a ticket's money columns from what was read (`before`) to `after`, only if no one
/// changed them meanwhile; the row's CHECKs keep the face-value identity and exhaustion.
pub(crate) fn store_amounts(
    conn: &mut AnyConnection,
    before: &Ticket,
    after: &Ticket,
    now_ms: i64,
) -> Result<(), DbError> {
    let changed = diesel::update(
        tickets::table
            .find(before.id)
            .filter(tickets::balance_yuan.eq(before.balance_yuan))
            .filter(tickets::status.eq(before.status)),
    )
    .set((
        tickets::balance_yuan.eq(after.balance_yuan),
        tickets::debited_yuan.eq(after.debited_yuan),
        tickets::cashed_out_yuan.eq(after.cashed_out_yuan),
        tickets::voided_yuan.eq(after.voided_yuan),
        tickets::status.eq(after.status),
        tickets::status_reason.eq(&after.status_reason),
        tickets::updated_at_ms.eq(now_ms),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(DbError::broken(anyhow::anyhow!(
            "ticket {} changed under its row lock",
            before.id
        )));
    }
    Ok(())
}
