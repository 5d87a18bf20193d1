//! Issuing tickets: one for a registered household, or many with their households from an
//! import, all or nothing. Numbers and PIN hashes arrive sealed (hashing is not done under the
//! write lock); the issue line of the ledger is written with the ticket.

use diesel::prelude::*;

use super::{append, Entry, EntryKind, Ticket};
use crate::db::audit::{self, AuditCtx};
use crate::db::error::DbError;
use crate::db::households::{IdKey, NewHousehold};
use crate::db::schema::{households, reservations, tickets};
use crate::db::{write_tx, AnyConnection};
use crate::domain::household::Method;
use crate::domain::refusal::RefusalKind;
use crate::domain::selection::ReservationStatus;
use crate::domain::status::TicketStatus;
use crate::upload::RowError;

/// A new ticket's printed number and the argon2 hash of its PIN.
#[derive(Debug, Clone)]
pub struct TicketSeal {
    pub ticket_no: String,
    pub pin_hash: String,
}

/// A stored ticket and the household it belongs to (the import's answer per row).
#[derive(Debug, Clone)]
pub struct IssuedTicket {
    pub row: usize,
    pub ticket: Ticket,
}

#[derive(Insertable)]
#[diesel(table_name = tickets)]
struct NewTicket {
    household_id: i64,
    ticket_no: String,
    pin_hash: String,
    face_value_yuan: i64,
    issued_at_ms: i64,
    valid_until_ms: i64,
    balance_yuan: i64,
    status: TicketStatus,
    policy_version: i64,
    created_at_ms: i64,
    updated_at_ms: i64,
}

/// Stores a ticket of `face_value_yuan` for household `household_id` with its issue line; the
/// household's method becomes `ticket`. In the caller's transaction.
fn store(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    face_value_yuan: i64,
    seal: &TicketSeal,
) -> Result<Ticket, DbError> {
    let now = ctx.now_ms;
    // one namespace: a printed number is a voucher or a ticket, never both (a 12-character
    // random number meets another one with a chance of about 1 in 10¹⁷; this makes it none)
    let clash: i64 = households::table
        .filter(households::voucher_no.eq(&seal.ticket_no))
        .count()
        .get_result(conn)?;
    if clash > 0 {
        return Err(DbError::broken(anyhow::anyhow!(
            "a new ticket number equals a voucher number"
        )));
    }
    let version = crate::db::policy::in_force(conn, now)?;
    let new = NewTicket {
        household_id,
        ticket_no: seal.ticket_no.clone(),
        pin_hash: seal.pin_hash.clone(),
        face_value_yuan,
        issued_at_ms: now,
        valid_until_ms: version.policy.ticket.valid_until_ms(now),
        balance_yuan: face_value_yuan,
        status: TicketStatus::Active,
        policy_version: version.version,
        created_at_ms: now,
        updated_at_ms: now,
    };
    let id = diesel::insert_into(tickets::table)
        .values(&new)
        .returning(tickets::id)
        .get_result::<i64>(conn)
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                DbError::new(
                    RefusalKind::TicketExists,
                    "this household already has a housing ticket",
                )
            } else {
                e.into()
            }
        })?;
    diesel::update(households::table.find(household_id))
        .set((
            households::method.eq(Method::Ticket.as_str()),
            households::updated_at_ms.eq(now),
        ))
        .execute(conn)?;
    append(
        conn,
        ctx,
        id,
        &[Entry::new(EntryKind::Issue, face_value_yuan)],
    )?;
    audit::record(
        conn,
        ctx,
        "ticket.issued",
        "ticket",
        Some(id),
        serde_json::json!({ "household_id": household_id, "face_value_yuan": face_value_yuan,
                            "valid_until": crate::clock::rfc3339(new.valid_until_ms) }),
    )?;
    super::get(conn, id)?.ok_or_else(|| DbError::not_found("ticket"))
}

/// Issues a ticket for a registered household that has not used its area entitlement: it is
/// settled by the ticket from now on (its voucher stops opening the kiosk).
pub fn issue(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    face_value_yuan: i64,
    seal: &TicketSeal,
) -> Result<Ticket, DbError> {
    write_tx(conn, |conn| {
        let h = crate::db::kiosk::lock_by_id(conn, household_id)?
            .ok_or_else(|| DbError::not_found("household"))?;
        if super::of_household(conn, household_id)?.is_some() {
            return Err(DbError::new(
                RefusalKind::TicketExists,
                "this household already has a housing ticket",
            ));
        }
        let selections: i64 = reservations::table
            .filter(reservations::household_id.eq(household_id))
            .filter(
                reservations::status
                    .eq(ReservationStatus::Held)
                    .or(reservations::status.eq(ReservationStatus::Confirmed))
                    .or(reservations::status.eq(ReservationStatus::Contracted)),
            )
            .count()
            .get_result(conn)?;
        if selections > 0 || h.remaining_origin_area_centi_m2 < h.origin_area_centi_m2 {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "the household has already held or taken a unit with its area entitlement; it cannot be settled by a ticket as well",
            ));
        }
        store(conn, ctx, household_id, face_value_yuan, seal)
    })
}

/// Stores the households of an import and a ticket for each, or nothing: the households'
/// rejection rules are `db::households::import`'s. `tickets[i]` is the face value and seal of
/// `rows[i]`.
pub fn import(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    keys: &[IdKey],
    format_errors: &[RowError],
    rows: &[(usize, NewHousehold)],
    tickets: &[(i64, TicketSeal)],
) -> Result<Vec<IssuedTicket>, DbError> {
    write_tx(conn, |conn| {
        let ids = crate::db::households::import(conn, ctx, keys, format_errors, rows)?;
        let mut issued = Vec::with_capacity(ids.len());
        for ((household_id, (row, _)), (face, seal)) in ids.iter().zip(rows).zip(tickets) {
            let ticket = store(conn, ctx, *household_id, *face, seal)?;
            issued.push(IssuedTicket { row: *row, ticket });
        }
        Ok(issued)
    })
}
