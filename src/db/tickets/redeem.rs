//! Redemption at a developer's sales office (房票超市): a one-time code the holder shows, and the
//! developer's confirmation of its own unit with the ticket quote. A wrong or used code counts
//! against the ticket's lock-out exactly like a wrong PIN (`db::kiosk`'s rule and columns).

use diesel::prelude::*;

use super::lock;
use crate::db::audit::{self, AuditCtx};
use crate::db::error::DbError;
use crate::db::kiosk::{pin_state, record_failure, store_pin_state, PinOwner};
use crate::db::schema::ticket_redemption_codes as codes;
use crate::db::selection::{self, Payer, Reservation};
use crate::db::{write_tx, AnyConnection};
use crate::domain::lockout::{self, LockoutRule};

/// How long a redemption code may be used.
pub const CODE_VALID_MS: i64 = 30 * 60_000;

/// Stores a new code (its keyed hash) for a ticket that can pay now; returns when it expires.
pub fn new_redemption_code(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    ticket_id: i64,
    code_hash: &str,
) -> Result<i64, DbError> {
    write_tx(conn, |conn| {
        let t = lock(conn, ticket_id)?;
        t.check_spendable(ctx.now_ms)?;
        let expires_at_ms = ctx.now_ms + CODE_VALID_MS;
        diesel::insert_into(codes::table)
            .values((
                codes::ticket_id.eq(t.id),
                codes::code_hash.eq(code_hash),
                codes::created_at_ms.eq(ctx.now_ms),
                codes::expires_at_ms.eq(expires_at_ms),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            ctx,
            "ticket.redemption_code",
            "ticket",
            Some(t.id),
            serde_json::json!({ "expires_at": crate::clock::rfc3339(expires_at_ms) }),
        )?;
        Ok(expires_at_ms)
    })
}

/// A developer's redemption: ticket number, the keyed hash of the code (as the caller computes
/// it from number and code), and its own unit.
#[derive(Debug, Clone)]
pub struct RedeemRequest {
    pub ticket_no: String,
    pub code_hash: String,
    pub unit_id: i64,
    pub developer_id: i64,
}

/// How a redemption ended without an error of the unit or the ticket.
#[derive(Debug)]
pub enum Redeemed {
    Confirmed(Box<Reservation>),
    /// no such number, or a wrong, used or expired code; `locked_until_ms` when this locked it
    WrongCode {
        locked_until_ms: Option<i64>,
    },
    Locked {
        until_ms: i64,
    },
}

/// Confirms the developer's unit for the ticket, if the code is right. One transaction with the
/// ticket's row locked: a locked ticket is refused, a wrong code is counted (under the lock, so
/// concurrent guesses stay within the rule) and a right one clears the count and is used. A
/// refusal of the unit or the ticket rolls back the hold (a savepoint) and keeps the code usable.
pub fn redeem(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    req: &RedeemRequest,
    rule: &LockoutRule,
) -> Result<Redeemed, DbError> {
    write_tx(conn, |conn| -> Result<Result<Redeemed, DbError>, DbError> {
        let Some(found) = super::find_by_no(conn, &req.ticket_no)? else {
            return Ok(Ok(Redeemed::WrongCode {
                locked_until_ms: None,
            }));
        };
        // households before tickets, the order every selection write takes
        crate::db::kiosk::lock_by_id(conn, found.household_id)?;
        let t = lock(conn, found.id)?;
        if t.ticket_no != req.ticket_no {
            // transferred meanwhile: the number asked for is gone
            return Ok(Ok(Redeemed::WrongCode {
                locked_until_ms: None,
            }));
        }
        let owner = PinOwner::Ticket(t.id);
        // counted as a failure until the code proves right, as a PIN attempt is
        let state = match lockout::begin_attempt(pin_state(conn, owner)?, rule, ctx.now_ms) {
            Err(until_ms) => return Ok(Ok(Redeemed::Locked { until_ms })),
            Ok(counted) => counted,
        };
        store_pin_state(conn, owner, &state)?;
        let code: Option<i64> = codes::table
            .filter(codes::ticket_id.eq(t.id))
            .filter(codes::code_hash.eq(&req.code_hash))
            .filter(codes::used_at_ms.is_null())
            .filter(codes::expires_at_ms.gt(ctx.now_ms))
            .select(codes::id)
            .first(conn)
            .optional()?;
        let Some(code_id) = code else {
            let locked_until_ms = record_failure(conn, ctx, owner, rule)?;
            return Ok(Ok(Redeemed::WrongCode { locked_until_ms }));
        };
        store_pin_state(conn, owner, &lockout::right_pin(state))?;
        // the hold and confirmation in a savepoint: a refused unit leaves the code unused
        let done = write_tx(conn, |conn| {
            let unit = selection::unit_info(conn, req.unit_id)?
                .filter(|u| u.developer_id == req.developer_id)
                .ok_or_else(|| DbError::not_found("unit"))?;
            let payer = Payer {
                household_id: t.household_id,
                ticket_id: Some(t.id),
                session_id: None,
                at_sales_office: true,
                proxy_id: None,
            };
            let (hold, _, _) = selection::place_hold(conn, ctx, payer, unit.unit_id)?;
            let r = selection::confirm(conn, ctx, t.household_id, hold.id)?;
            diesel::update(
                codes::table
                    .find(code_id)
                    .filter(codes::used_at_ms.is_null()),
            )
            .set((
                codes::used_at_ms.eq(ctx.now_ms),
                codes::reservation_id.eq(r.id),
            ))
            .execute(conn)?;
            Ok::<_, DbError>(r)
        });
        Ok(done.map(|r| Redeemed::Confirmed(Box::new(r))))
    })?
}
