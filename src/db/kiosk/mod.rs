//! Kiosk log-in: the per-voucher failure counts and escalating lock-out (`domain::lockout`), and
//! kiosk sessions with an idle timeout. Every attempt is counted before its PIN is checked, so
//! concurrent guesses cannot exceed `login_max_failures` per lock-out window.

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::households::Household;
use super::schema::{households, kiosk_sessions, tickets};
use super::tickets::Ticket;
use super::{write_tx, AnyConnection};
use crate::domain::household::Method;
use crate::domain::lockout::{self, LockoutRule, PinState};
use crate::domain::status::TicketStatus;

mod sessions;
pub use sessions::{
    end_session, find_session, session_open, touch_every_ms, touch_session, LiveSession,
};

/// Why a log-in attempt may not check its PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRefused {
    UnknownVoucher,
    Locked {
        until_ms: i64,
    },
    /// a household settled by a housing ticket logs in with the ticket's number
    TicketHousehold,
    /// the ticket was cashed out or voided
    TicketClosed,
}

/// Whose PIN an attempt checks: a household's voucher or a housing ticket (docs/tickets.md). Both
/// keep the same lock-out columns and follow the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOwner {
    Household(i64),
    Ticket(i64),
}

/// What a log-in attempt may go on with: the household, the ticket its number named (if any),
/// and the PIN hash to check.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub household: Household,
    pub ticket: Option<Ticket>,
}

impl Attempt {
    pub fn owner(&self) -> PinOwner {
        match &self.ticket {
            Some(t) => PinOwner::Ticket(t.id),
            None => PinOwner::Household(self.household.id),
        }
    }
    pub fn pin_hash(&self) -> &str {
        match &self.ticket {
            Some(t) => &t.pin_hash,
            None => &self.household.pin_hash,
        }
    }
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

type Pins = (i32, Option<i64>, i32, Option<i64>, i32);

pub(crate) fn pin_state(conn: &mut AnyConnection, owner: PinOwner) -> QueryResult<PinState> {
    let (failures, locked_until_ms, lockouts, day_start_ms, day_failures) = match owner {
        PinOwner::Household(id) => households::table
            .find(id)
            .select((
                households::login_failures,
                households::locked_until_ms,
                households::login_lockouts,
                households::pin_day_start_ms,
                households::pin_day_failures,
            ))
            .first::<Pins>(conn)?,
        PinOwner::Ticket(id) => tickets::table
            .find(id)
            .select((
                tickets::login_failures,
                tickets::locked_until_ms,
                tickets::login_lockouts,
                tickets::pin_day_start_ms,
                tickets::pin_day_failures,
            ))
            .first::<Pins>(conn)?,
    };
    Ok(PinState {
        failures,
        locked_until_ms,
        lockouts,
        day_start_ms,
        day_failures,
    })
}

pub(crate) fn store_pin_state(
    conn: &mut AnyConnection,
    owner: PinOwner,
    s: &PinState,
) -> QueryResult<()> {
    match owner {
        PinOwner::Household(id) => diesel::update(households::table.find(id))
            .set((
                households::login_failures.eq(s.failures),
                households::locked_until_ms.eq(s.locked_until_ms),
                households::login_lockouts.eq(s.lockouts),
                households::pin_day_start_ms.eq(s.day_start_ms),
                households::pin_day_failures.eq(s.day_failures),
            ))
            .execute(conn)?,
        PinOwner::Ticket(id) => diesel::update(tickets::table.find(id))
            .set((
                tickets::login_failures.eq(s.failures),
                tickets::locked_until_ms.eq(s.locked_until_ms),
                tickets::login_lockouts.eq(s.lockouts),
                tickets::pin_day_start_ms.eq(s.day_start_ms),
                tickets::pin_day_failures.eq(s.day_failures),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Counts an attempt against `owner` before its secret is checked: refuses a locked owner
/// (`domain::lockout::begin_attempt`), else stores the attempt as a failure until a right
/// secret takes it back. Runs in the caller's transaction.
fn count_attempt(
    conn: &mut AnyConnection,
    owner: PinOwner,
    now_ms: i64,
    rule: &LockoutRule,
) -> QueryResult<Result<(), AttemptRefused>> {
    match lockout::begin_attempt(pin_state(conn, owner)?, rule, now_ms) {
        Err(until_ms) => Ok(Err(AttemptRefused::Locked { until_ms })),
        Ok(counted) => {
            store_pin_state(conn, owner, &counted)?;
            Ok(Ok(()))
        }
    }
}

/// Starts an attempt with a voucher or ticket number: refuses a locked one, and counts the
/// attempt as a failure until [`succeed`] takes it back. Returns what to check the PIN of.
pub fn begin_attempt(
    conn: &mut AnyConnection,
    voucher_no: &str,
    now_ms: i64,
    rule: &LockoutRule,
) -> Result<Result<Attempt, AttemptRefused>, DbError> {
    write_tx(conn, |conn| {
        let attempt = if let Some(h) = lock_by_voucher(conn, voucher_no)? {
            if h.method == Method::Ticket.as_str() {
                return Ok(Err(AttemptRefused::TicketHousehold));
            }
            Attempt {
                household: h,
                ticket: None,
            }
        } else if let Some(t) = super::tickets::lock_by_no(conn, voucher_no)? {
            if matches!(t.status, TicketStatus::CashedOut | TicketStatus::Void) {
                return Ok(Err(AttemptRefused::TicketClosed));
            }
            let h = super::households::get(conn, t.household_id)?
                .ok_or_else(|| DbError::not_found("household"))?;
            Attempt {
                household: h,
                ticket: Some(t),
            }
        } else {
            return Ok(Err(AttemptRefused::UnknownVoucher));
        };
        Ok(count_attempt(conn, attempt.owner(), now_ms, rule)?.map(|()| attempt))
    })
}

/// Records a wrong PIN (or redemption code); locks the owner when the rule says so
/// (`domain::lockout::wrong_pin`). Returns the lock's end when it is locked now.
pub fn fail(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    owner: PinOwner,
    rule: &LockoutRule,
) -> Result<Option<i64>, DbError> {
    write_tx(conn, |conn| record_failure(conn, ctx, owner, rule))
}

/// [`fail`] in the caller's transaction.
pub(crate) fn record_failure(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    owner: PinOwner,
    rule: &LockoutRule,
) -> Result<Option<i64>, DbError> {
    let (kind, id) = match owner {
        PinOwner::Household(id) => {
            lock_by_id(conn, id)?.ok_or_else(|| DbError::not_found("household"))?;
            ("household", id)
        }
        PinOwner::Ticket(id) => {
            super::tickets::lock(conn, id)?;
            ("ticket", id)
        }
    };
    let (state, locked_until) = lockout::wrong_pin(pin_state(conn, owner)?, rule, ctx.now_ms);
    store_pin_state(conn, owner, &state)?;
    audit::record(
        conn,
        ctx,
        if locked_until.is_some() {
            "kiosk.login_locked"
        } else {
            "kiosk.login_failed"
        },
        kind,
        Some(id),
        serde_json::json!({
            "failures": state.failures,
            "failures_today": state.day_failures,
            "lockouts": state.lockouts,
            "locked_until_ms": locked_until,
        }),
    )?;
    Ok(locked_until)
}

#[derive(Insertable)]
#[diesel(table_name = kiosk_sessions)]
struct NewSession<'a> {
    household_id: i64,
    ticket_id: Option<i64>,
    token_hash: &'a str,
    created_at_ms: i64,
    last_seen_ms: i64,
    expires_at_ms: i64,
}

/// A right PIN: clears the failures (unless a concurrent attempt locked the owner meanwhile)
/// and opens a session, for the ticket when `owner` is one. `Err(Locked)` when it was locked in
/// between.
pub fn succeed(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    owner: PinOwner,
    token_hash: &str,
    idle_ms: i64,
) -> Result<Result<i64, AttemptRefused>, DbError> {
    write_tx(conn, |conn| {
        lock_by_id(conn, household_id)?.ok_or_else(|| DbError::not_found("household"))?;
        let ticket_id = match owner {
            PinOwner::Ticket(id) => Some(super::tickets::lock(conn, id)?.id),
            PinOwner::Household(_) => None,
        };
        let state = pin_state(conn, owner)?;
        if let Some(until) = state.locked_until_ms.filter(|u| *u > ctx.now_ms) {
            return Ok(Err(AttemptRefused::Locked { until_ms: until }));
        }
        store_pin_state(conn, owner, &lockout::right_pin(state))?;
        let expires_at_ms = ctx.now_ms + idle_ms;
        let new = NewSession {
            household_id,
            ticket_id,
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
            serde_json::json!({ "ticket_id": ticket_id }),
        )?;
        Ok(Ok(expires_at_ms))
    })
}
