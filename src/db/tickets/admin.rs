//! An admin's acts on a ticket: transfer to a named person (转让), void before any use, and
//! cash-out of what is left at expiry. Each locks the ticket, decides on what it read, writes
//! conditionally with its ledger line and audit event.

use diesel::prelude::*;

use super::{append, lock, store_amounts, Entry, EntryKind, Ticket};
use crate::db::audit::{self, AuditCtx};
use crate::db::error::DbError;
use crate::db::schema::{kiosk_sessions, reservations, tickets};
use crate::db::{write_tx, AnyConnection};
use crate::domain::refusal::{Refusal, RefusalKind};
use crate::domain::selection::ReservationStatus;
use crate::domain::status::TicketStatus;

/// The transferee, already encrypted, masked and keyed-hashed by the caller, with the new number
/// and PIN hash.
#[derive(Debug, Clone)]
pub struct NewHolder {
    pub name_enc: String,
    pub name_masked: String,
    pub id_number_enc: String,
    pub id_number_masked: String,
    pub id_number_hmac: String,
    pub phone_enc: String,
    pub phone_masked: String,
    pub seal: super::TicketSeal,
}

impl NewHolder {
    /// The transferee's data sealed as a household's is: encrypted, masked, the ID number
    /// keyed-hashed.
    pub fn seal(
        cipher: &crate::crypto::DataCipher,
        name: &str,
        id_number: &crate::domain::household::IdNumber,
        phone: &str,
        seal: super::TicketSeal,
    ) -> NewHolder {
        use crate::domain::mask::{mask_name, mask_phone};
        NewHolder {
            name_enc: cipher.encrypt(name),
            name_masked: mask_name(name),
            id_number_enc: cipher.encrypt(id_number.as_str()),
            id_number_masked: id_number.masked(),
            id_number_hmac: cipher.lookup_hash("id_number", id_number.as_str()),
            phone_enc: cipher.encrypt(phone),
            phone_masked: mask_phone(phone),
            seal,
        }
    }
}

fn not_transferable(why: &str) -> DbError {
    Refusal::new(
        RefusalKind::TicketTransferNotAllowed,
        format!("this ticket cannot be transferred: {why}"),
    )
    .into()
}

/// A live hold paid by the ticket.
fn has_live_hold(conn: &mut AnyConnection, ticket_id: i64, now_ms: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        reservations::table
            .filter(reservations::ticket_id.eq(ticket_id))
            .filter(reservations::status.eq(ReservationStatus::Held))
            .filter(reservations::expires_at_ms.gt(now_ms)),
    ))
    .get_result(conn)
}

/// Transfers an unused ticket to a named person: same identity, ledger, balance, validity and
/// bonus clock; a new number and PIN, and every session of the old ones ends at once.
pub fn transfer(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    ticket_id: i64,
    to: &NewHolder,
    reason: &str,
) -> Result<Ticket, DbError> {
    write_tx(conn, |conn| {
        let now = ctx.now_ms;
        let t = lock(conn, ticket_id)?;
        let policy = crate::db::policy::in_force(conn, now)?.policy;
        if t.status_at(now) != TicketStatus::Active {
            return Err(not_transferable(&format!("it is {}", t.status_at(now))));
        }
        if t.balance_yuan != t.face_value_yuan {
            return Err(not_transferable("it has been used"));
        }
        if has_live_hold(conn, t.id, now)? {
            return Err(not_transferable("it holds a unit"));
        }
        if i64::from(t.transfers_used) >= policy.ticket.transfers_allowed {
            return Err(not_transferable("no transfers are left under the policy"));
        }
        let changed = diesel::update(
            tickets::table
                .find(t.id)
                .filter(tickets::transfers_used.eq(t.transfers_used))
                .filter(tickets::ticket_no.eq(&t.ticket_no)),
        )
        .set((
            tickets::ticket_no.eq(&to.seal.ticket_no),
            tickets::pin_hash.eq(&to.seal.pin_hash),
            tickets::holder_name_enc.eq(&to.name_enc),
            tickets::holder_name_masked.eq(&to.name_masked),
            tickets::holder_id_number_enc.eq(&to.id_number_enc),
            tickets::holder_id_number_masked.eq(&to.id_number_masked),
            tickets::holder_id_number_hmac.eq(&to.id_number_hmac),
            tickets::holder_phone_enc.eq(&to.phone_enc),
            tickets::holder_phone_masked.eq(&to.phone_masked),
            tickets::transfers_used.eq(t.transfers_used + 1),
            tickets::login_failures.eq(0),
            tickets::locked_until_ms.eq(None::<i64>),
            tickets::login_lockouts.eq(0),
            tickets::updated_at_ms.eq(now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(DbError::broken(anyhow::anyhow!(
                "ticket {ticket_id} changed under its row lock"
            )));
        }
        // the old number and PIN stop working now: their sessions end
        diesel::update(
            kiosk_sessions::table
                .filter(kiosk_sessions::ticket_id.eq(t.id))
                .filter(kiosk_sessions::ended_at_ms.is_null()),
        )
        .set(kiosk_sessions::ended_at_ms.eq(now))
        .execute(conn)?;
        let from = t
            .holder_name_masked
            .clone()
            .unwrap_or_else(|| "原被征收户".to_string());
        let mut line = Entry::new(EntryKind::Transfer, 0);
        line.details = serde_json::json!({ "from": from, "to": to.name_masked,
            "to_id_number": to.id_number_masked, "transfer": t.transfers_used + 1 });
        append(conn, ctx, t.id, &[line])?;
        audit::record(
            conn,
            ctx,
            "ticket.transferred",
            "ticket",
            Some(t.id),
            serde_json::json!({ "from": from, "to": to.name_masked, "reason": reason }),
        )?;
        super::get(conn, t.id)?.ok_or_else(|| DbError::not_found("ticket"))
    })
}

/// Voids a ticket before any use (a wrong issue): its whole face value is written off.
pub fn void(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    ticket_id: i64,
    reason: &str,
) -> Result<Ticket, DbError> {
    write_tx(conn, |conn| {
        let now = ctx.now_ms;
        let t = lock(conn, ticket_id)?;
        let unused = t.status == TicketStatus::Active && t.balance_yuan == t.face_value_yuan;
        if !unused || has_live_hold(conn, t.id, now)? {
            return Err(Refusal::new(
                RefusalKind::InvalidTransition,
                format!(
                    "only a ticket never used and holding nothing can be voided; this one is {}",
                    t.status_at(now)
                ),
            )
            .into());
        }
        let mut after = t.clone();
        after.voided_yuan = t.balance_yuan;
        after.balance_yuan = 0;
        after.status = TicketStatus::Void;
        after.status_reason = Some(reason.to_string());
        store_amounts(conn, &t, &after, now)?;
        let mut line = Entry::new(EntryKind::Void, t.balance_yuan);
        line.details = serde_json::json!({ "reason": reason });
        append(conn, ctx, t.id, &[line])?;
        end_sessions(conn, t.id, now)?;
        audit::record(
            conn,
            ctx,
            "ticket.voided",
            "ticket",
            Some(t.id),
            serde_json::json!({ "reason": reason, "face_value_yuan": t.face_value_yuan }),
        )?;
        Ok(after)
    })
}

fn end_sessions(conn: &mut AnyConnection, ticket_id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(
        kiosk_sessions::table
            .filter(kiosk_sessions::ticket_id.eq(ticket_id))
            .filter(kiosk_sessions::ended_at_ms.is_null()),
    )
    .set(kiosk_sessions::ended_at_ms.eq(now))
    .execute(conn)
}

/// Pays out what is left of an expired ticket (no bonus: `ticket_cash_out_bonus` is false in
/// every scheme followed; when true, the bonus of the last tier is noted but not paid here).
/// Returns the ticket and the amount paid.
pub fn cash_out(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    ticket_id: i64,
) -> Result<(Ticket, i64), DbError> {
    write_tx(conn, |conn| {
        let now = ctx.now_ms;
        let t = lock(conn, ticket_id)?;
        match t.status_at(now) {
            TicketStatus::Expired => {}
            TicketStatus::Active | TicketStatus::Exhausted => {
                return Err(Refusal::new(
                    RefusalKind::TicketNotExpired,
                    format!(
                        "the ticket is valid until {}; it is cashed out only after that",
                        crate::clock::rfc3339(t.valid_until_ms)
                    ),
                )
                .into())
            }
            other => {
                return Err(Refusal::new(
                    RefusalKind::InvalidTransition,
                    format!("the ticket is {other}"),
                )
                .into())
            }
        }
        let amount = t.balance_yuan;
        let mut after = t.clone();
        after.cashed_out_yuan += amount;
        after.balance_yuan = 0;
        after.status = TicketStatus::CashedOut;
        store_amounts(conn, &t, &after, now)?;
        append(conn, ctx, t.id, &[Entry::new(EntryKind::CashOut, amount)])?;
        end_sessions(conn, t.id, now)?;
        audit::record(
            conn,
            ctx,
            "ticket.cashed_out",
            "ticket",
            Some(t.id),
            serde_json::json!({ "amount_yuan": amount }),
        )?;
        Ok((after, amount))
    })
}
