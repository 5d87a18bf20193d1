//! Kiosk log-in: the per-voucher failure counts and escalating lock-out (`domain::lockout`), and
//! kiosk sessions with an idle timeout. Every attempt is counted before its PIN is checked, so
//! concurrent guesses cannot exceed `login_max_failures` per lock-out window.

use diesel::prelude::*;

use super::audit::{self, Actor, AuditCtx};
use super::error::DbError;
use super::households::Household;
use super::schema::{households, kiosk_sessions};
use super::{write_tx, AnyConnection};
use crate::domain::lockout::{self, LockoutRule, PinState};

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

/// The household `id`, read with its row locked for the rest of the transaction: one
/// `SELECT … FOR UPDATE` on PostgreSQL; on SQLite `BEGIN IMMEDIATE` holds the lock already.
pub fn lock_by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Household>> {
    let row = households::table.find(id);
    match conn {
        AnyConnection::Postgresql(c) => row
            .select(Household::as_select())
            .for_update()
            .first(c)
            .optional(),
        AnyConnection::Sqlite(c) => row.select(Household::as_select()).first(c).optional(),
    }
}

type PinColumns = (
    households::login_failures,
    households::locked_until_ms,
    households::login_lockouts,
    households::pin_day_start_ms,
    households::pin_day_failures,
);
const PIN_COLUMNS: PinColumns = (
    households::login_failures,
    households::locked_until_ms,
    households::login_lockouts,
    households::pin_day_start_ms,
    households::pin_day_failures,
);

fn pin_state(conn: &mut AnyConnection, id: i64) -> QueryResult<PinState> {
    let (failures, locked_until_ms, lockouts, day_start_ms, day_failures) = households::table
        .find(id)
        .select(PIN_COLUMNS)
        .first::<(i32, Option<i64>, i32, Option<i64>, i32)>(conn)?;
    Ok(PinState {
        failures,
        locked_until_ms,
        lockouts,
        day_start_ms,
        day_failures,
    })
}

fn store_pin_state(conn: &mut AnyConnection, id: i64, s: &PinState) -> QueryResult<()> {
    diesel::update(households::table.find(id))
        .set((
            households::login_failures.eq(s.failures),
            households::locked_until_ms.eq(s.locked_until_ms),
            households::login_lockouts.eq(s.lockouts),
            households::pin_day_start_ms.eq(s.day_start_ms),
            households::pin_day_failures.eq(s.day_failures),
        ))
        .execute(conn)?;
    Ok(())
}

/// Starts an attempt: refuses a locked voucher (`domain::lockout::begin_attempt`), and counts the
/// attempt as a failure until [`succeed`] takes it back. Returns the household to check the PIN of.
pub fn begin_attempt(
    conn: &mut AnyConnection,
    voucher_no: &str,
    now_ms: i64,
    rule: &LockoutRule,
) -> Result<Result<Household, AttemptRefused>, DbError> {
    write_tx(conn, |conn| {
        let Some(h) = lock_by_voucher(conn, voucher_no)? else {
            return Ok(Err(AttemptRefused::UnknownVoucher));
        };
        match lockout::begin_attempt(pin_state(conn, h.id)?, rule, now_ms) {
            Err(until_ms) => Ok(Err(AttemptRefused::Locked { until_ms })),
            Ok(counted) => {
                store_pin_state(conn, h.id, &counted)?;
                Ok(Ok(h))
            }
        }
    })
}

/// Records a wrong PIN; locks the voucher when the rule says so (`domain::lockout::wrong_pin`).
/// Returns the lock's end when it is locked now.
pub fn fail(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    rule: &LockoutRule,
) -> Result<Option<i64>, DbError> {
    write_tx(conn, |conn| {
        let h = lock_by_id(conn, household_id)?.ok_or_else(|| DbError::not_found("household"))?;
        let (state, locked_until) = lockout::wrong_pin(pin_state(conn, h.id)?, rule, ctx.now_ms);
        store_pin_state(conn, h.id, &state)?;
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
            serde_json::json!({
                "failures": state.failures,
                "failures_today": state.day_failures,
                "lockouts": state.lockouts,
                "locked_until_ms": locked_until,
            }),
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
        let state = pin_state(conn, h.id)?;
        if let Some(until) = state.locked_until_ms.filter(|u| *u > ctx.now_ms) {
            return Ok(Err(AttemptRefused::Locked { until_ms: until }));
        }
        store_pin_state(conn, h.id, &lockout::right_pin(state))?;
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

/// How often a session's idle deadline is written: at most every 15 s, or every tenth of the
/// idle timeout when that is shorter. A request within that of the last write only reads, and a
/// due write is made beside the request, so a session check never waits for a write; the session
/// ends at most that much before a full idle timeout after its last request.
pub fn touch_every_ms(idle_ms: i64) -> i64 {
    (idle_ms / 10).clamp(1, 15_000)
}

/// A live session found by its token hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSession {
    pub id: i64,
    pub household_id: i64,
    /// whether its idle deadline is due to be written again (`touch_every_ms`)
    pub touch_due: bool,
}

/// The live session behind a token hash, read without writing; an expired or ended one is
/// `None`. When `touch_due`, the caller moves its deadline with [`touch_session`], off the
/// request's path: the request does not wait for a write.
pub fn find_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
    idle_ms: i64,
) -> QueryResult<Option<LiveSession>> {
    let found: Option<(i64, i64, i64)> = kiosk_sessions::table
        .filter(kiosk_sessions::token_hash.eq(token_hash))
        .filter(kiosk_sessions::ended_at_ms.is_null())
        .filter(kiosk_sessions::expires_at_ms.gt(now_ms))
        .select((
            kiosk_sessions::id,
            kiosk_sessions::household_id,
            kiosk_sessions::last_seen_ms,
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(id, household_id, last_seen_ms)| LiveSession {
        id,
        household_id,
        touch_due: now_ms - last_seen_ms >= touch_every_ms(idle_ms),
    }))
}

/// Moves session `id`'s idle deadline to `now_ms + idle_ms`; a session that expired or ended
/// meanwhile is not revived. Returns whether it moved.
pub fn touch_session(
    conn: &mut AnyConnection,
    id: i64,
    now_ms: i64,
    idle_ms: i64,
) -> QueryResult<bool> {
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
    Ok(changed == 1)
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
