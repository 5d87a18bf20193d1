//! Kiosk sessions: the live session behind a token, its idle deadline moved off the request's
//! path, and log-out.

use diesel::prelude::*;

use crate::db::audit::{self, Actor, AuditCtx};
use crate::db::error::DbError;
use crate::db::schema::kiosk_sessions;
use crate::db::{write_tx, AnyConnection};

/// How often a session's idle deadline is written: at most every 15 s, or every tenth of the
/// idle timeout when that is shorter. A request within that of the last write only reads, and a
/// due write is made beside the request, so a session check never waits for a write; the session
/// ends at most that much before a full idle timeout after its last request.
pub fn touch_every_ms(idle_ms: i64) -> i64 {
    (idle_ms / 10).clamp(1, 15_000)
}

/// id, household, last seen, ticket, proxy
type SessionRow = (i64, i64, i64, Option<i64>, Option<i64>);

/// A live session found by its token hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSession {
    pub id: i64,
    pub household_id: i64,
    /// the ticket a session opened with a ticket number stands for
    pub ticket_id: Option<i64>,
    /// the proxy (委托代选) a session opened with a proxy's PIN acts as
    pub proxy_id: Option<i64>,
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
    let found: Option<SessionRow> = kiosk_sessions::table
        .filter(kiosk_sessions::token_hash.eq(token_hash))
        .filter(kiosk_sessions::ended_at_ms.is_null())
        .filter(kiosk_sessions::expires_at_ms.gt(now_ms))
        .select((
            kiosk_sessions::id,
            kiosk_sessions::household_id,
            kiosk_sessions::last_seen_ms,
            kiosk_sessions::ticket_id,
            kiosk_sessions::proxy_id,
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(
        |(id, household_id, last_seen_ms, ticket_id, proxy_id)| LiveSession {
            id,
            household_id,
            ticket_id,
            proxy_id,
            touch_due: now_ms - last_seen_ms >= touch_every_ms(idle_ms),
        },
    ))
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

/// Whether session `id` has not been ended (log-out, or its ticket transferred or closed).
pub fn session_open(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    kiosk_sessions::table
        .find(id)
        .select(kiosk_sessions::ended_at_ms.is_null())
        .first(conn)
        .optional()
        .map(|open| open.unwrap_or(false))
}
