//! Deletes rows that have served their purpose, oldest first and at most a batch per
//! transaction (so a large prune never holds SQLite's write lock for long): finished webhook
//! deliveries, idempotency keys and ended or expired kiosk sessions. The audit log is never
//! pruned. Driven by `jobs::pruner`.

use diesel::prelude::*;

use super::schema::{idempotency_keys as k, kiosk_sessions as s, webhook_deliveries as d};
use super::{write_tx, AnyConnection};
use crate::domain::webhook::DeliveryStatus;

/// Deletes up to `limit` delivered or failed webhook deliveries created before `cutoff_ms`
/// (pending ones are never deleted); returns how many.
pub fn delete_deliveries(
    conn: &mut AnyConnection,
    cutoff_ms: i64,
    limit: i64,
) -> QueryResult<usize> {
    let pending = DeliveryStatus::Pending.as_str();
    write_tx(conn, |c| {
        let ids: Vec<i64> = d::table
            .filter(d::created_at_ms.lt(cutoff_ms))
            .filter(d::status.ne(pending))
            .order(d::created_at_ms.asc())
            .limit(limit)
            .select(d::id)
            .load(c)?;
        if ids.is_empty() {
            return Ok(0);
        }
        diesel::delete(
            d::table
                .filter(d::id.eq_any(&ids))
                .filter(d::status.ne(pending)),
        )
        .execute(c)
    })
}

/// Deletes about `limit` idempotency keys stored before `cutoff_ms`, oldest first (keys stored
/// in the same millisecond as the batch's last go with it); returns how many.
pub fn delete_idempotency_keys(
    conn: &mut AnyConnection,
    cutoff_ms: i64,
    limit: i64,
) -> QueryResult<usize> {
    write_tx(conn, |c| {
        // the key table has no id: the batch ends at the stored time of its `limit`-th key
        let last: Option<i64> = k::table
            .filter(k::created_at_ms.lt(cutoff_ms))
            .order(k::created_at_ms.asc())
            .offset(limit - 1)
            .select(k::created_at_ms)
            .first(c)
            .optional()?;
        let through = last.unwrap_or(cutoff_ms - 1);
        diesel::delete(
            k::table
                .filter(k::created_at_ms.lt(cutoff_ms))
                .filter(k::created_at_ms.le(through)),
        )
        .execute(c)
    })
}

/// Deletes up to `limit` kiosk sessions that expired before `cutoff_ms` (an ended session
/// expires no later than the idle timeout after its last use); returns how many.
pub fn delete_kiosk_sessions(
    conn: &mut AnyConnection,
    cutoff_ms: i64,
    limit: i64,
) -> QueryResult<usize> {
    write_tx(conn, |c| {
        let ids: Vec<i64> = s::table
            .filter(s::expires_at_ms.lt(cutoff_ms))
            .order(s::expires_at_ms.asc())
            .limit(limit)
            .select(s::id)
            .load(c)?;
        if ids.is_empty() {
            return Ok(0);
        }
        diesel::delete(s::table.filter(s::id.eq_any(&ids))).execute(c)
    })
}
