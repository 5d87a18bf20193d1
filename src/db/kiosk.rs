//! Kiosk log-in: the per-voucher failure counter and lock-out, and kiosk sessions with an idle
//! timeout. Every attempt is counted before its PIN is checked, so concurrent guesses cannot
//! exceed `login_max_failures` per lock-out window.

use diesel::prelude::*;

use super::audit::{self, Actor, AuditCtx};
use super::error::DbError;
use super::households::Household;
use super::schema::{households, kiosk_sessions};
use super::{write_tx, AnyConnection};

/// Why a log-in attempt may not check its PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRefused {
    UnknownVoucher,
    Locked { until_ms: i64 },
}

/// The household of `voucher_no`, read with its row locked for the rest of the transaction
/// (SQLite: `BEGIN IMMEDIATE` already holds the database's write lock).
fn lock_by_voucher(conn: &mut AnyConnection, voucher_no: &str) -> QueryResult<Option<Household>> {
    match super::lock_id_where(conn, "households", "voucher_no", voucher_no)? {
        Some(id) => super::households::get(conn, id),
        None => Ok(None),
    }
}

/// The household `id`, read with its row locked for the rest of the transaction.
pub fn lock_by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Household>> {
    super::lock_row(conn, "households", id)?;
    super::households::get(conn, id)
}

/// Starts an attempt: refuses a locked voucher, clears a lock that has run out, and counts the
/// attempt as a failure until [`succeed`] clears it. Returns the household to check the PIN of.
pub fn begin_attempt(
    conn: &mut AnyConnection,
    voucher_no: &str,
    now_ms: i64,
    max_failures: i64,
) -> Result<Result<Household, AttemptRefused>, DbError> {
    write_tx(conn, |conn| {
        let Some(mut h) = lock_by_voucher(conn, voucher_no)? else {
            return Ok(Err(AttemptRefused::UnknownVoucher));
        };
        match h.locked_until_ms {
            Some(until) if until > now_ms => {
                return Ok(Err(AttemptRefused::Locked { until_ms: until }))
            }
            Some(_) => {
                h.login_failures = 0;
                h.locked_until_ms = None;
            }
            None => {}
        }
        if i64::from(h.login_failures) >= max_failures {
            // attempts in flight have used up this window's guesses
            return Ok(Err(AttemptRefused::Locked { until_ms: now_ms }));
        }
        h.login_failures += 1;
        diesel::update(households::table.find(h.id))
            .set((
                households::login_failures.eq(h.login_failures),
                households::locked_until_ms.eq(h.locked_until_ms),
            ))
            .execute(conn)?;
        Ok(Ok(h))
    })
}

/// Records a wrong PIN; locks the voucher once the failures reach `max_failures`. Returns the
/// lock's end when it is locked now.
pub fn fail(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    max_failures: i64,
    lockout_ms: i64,
) -> Result<Option<i64>, DbError> {
    write_tx(conn, |conn| {
        let h = lock_by_id(conn, household_id)?.ok_or_else(|| DbError::not_found("household"))?;
        let locked_until = (i64::from(h.login_failures) >= max_failures
            && h.locked_until_ms.is_none())
        .then_some(ctx.now_ms + lockout_ms);
        if let Some(until) = locked_until {
            diesel::update(households::table.find(h.id))
                .set(households::locked_until_ms.eq(until))
                .execute(conn)?;
        }
        audit::record(
            conn,
            ctx,
            if locked_until.is_some() {
                "kiosk.login_locked"
            } else {
                "kiosk.login_failed"
            },
            "household",
            Some(h.id),
            serde_json::json!({ "failures": h.login_failures, "locked_until_ms": locked_until }),
        )?;
        Ok(locked_until)
    })
}

#[derive(Insertable)]
#[diesel(table_name = kiosk_sessions)]
struct NewSession<'a> {
    household_id: i64,
    token_hash: &'a str,
    created_at_ms: i64,
    last_seen_ms: i64,
    expires_at_ms: i64,
}

/// A right PIN: clears the failures (unless a concurrent attempt locked the voucher meanwhile)
/// and opens a session. `Err(Locked)` when it was locked in between.
pub fn succeed(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    token_hash: &str,
    idle_ms: i64,
) -> Result<Result<i64, AttemptRefused>, DbError> {
    write_tx(conn, |conn| {
        let h = lock_by_id(conn, household_id)?.ok_or_else(|| DbError::not_found("household"))?;
        if let Some(until) = h.locked_until_ms.filter(|u| *u > ctx.now_ms) {
            return Ok(Err(AttemptRefused::Locked { until_ms: until }));
        }
        diesel::update(households::table.find(h.id))
            .set((
                households::login_failures.eq(0),
                households::locked_until_ms.eq(None::<i64>),
            ))
            .execute(conn)?;
        let expires_at_ms = ctx.now_ms + idle_ms;
        let new = NewSession {
            household_id,
            token_hash,
            created_at_ms: ctx.now_ms,
            last_seen_ms: ctx.now_ms,
            expires_at_ms,
        };
        (diesel::insert_into(kiosk_sessions::table)
            .values(&new)
            .execute(conn))?;
        audit::record(
            conn,
            ctx,
            "kiosk.login",
            "household",
            Some(household_id),
            serde_json::json!({}),
        )?;
        Ok(Ok(expires_at_ms))
    })
}

/// The live session behind a token hash: `(session id, household id)`. Each use moves the idle
/// deadline forward; an expired or ended session is `None`.
pub fn touch_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
    idle_ms: i64,
) -> QueryResult<Option<(i64, i64)>> {
    let found: Option<(i64, i64)> = kiosk_sessions::table
        .filter(kiosk_sessions::token_hash.eq(token_hash))
        .filter(kiosk_sessions::ended_at_ms.is_null())
        .filter(kiosk_sessions::expires_at_ms.gt(now_ms))
        .select((kiosk_sessions::id, kiosk_sessions::household_id))
        .first(conn)
        .optional()?;
    if let Some((id, _)) = found {
        // conditional: a session that expired or ended in between is not revived
        let changed = diesel::update(
            kiosk_sessions::table
                .find(id)
                .filter(kiosk_sessions::ended_at_ms.is_null())
                .filter(kiosk_sessions::expires_at_ms.gt(now_ms)),
        )
        .set((
            kiosk_sessions::last_seen_ms.eq(now_ms),
            kiosk_sessions::expires_at_ms.eq(now_ms + idle_ms),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Ok(None);
        }
    }
    Ok(found)
}

/// Ends a session (log-out).
pub fn end_session(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    session_id: i64,
) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        diesel::update(
            kiosk_sessions::table
                .find(session_id)
                .filter(kiosk_sessions::ended_at_ms.is_null()),
        )
        .set(kiosk_sessions::ended_at_ms.eq(ctx.now_ms))
        .execute(conn)?;
        let household = match ctx.actor {
            Actor::Household(id) => Some(id),
            _ => None,
        };
        audit::record(
            conn,
            ctx,
            "kiosk.logout",
            "household",
            household,
            serde_json::json!({}),
        )?;
        Ok(())
    })
}
