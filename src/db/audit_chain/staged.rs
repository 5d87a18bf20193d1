//! PostgreSQL: a write transaction stages its audit events (`stage`, no lock) and commits; then,
//! before its request is answered, `chain_staged` moves every staged event onto the chain in one
//! short transaction under the chain lock. Concurrent writers so commit side by side instead of
//! queueing on the chain lock through each COMMIT, and one chainer moves the events of many.
//! An event is chained before the request that wrote it is answered, as before; events left
//! staged by a crash are chained by the next writer or at start.

use diesel::connection::Connection;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::{append, PendingEvent, CHAIN_LOCK};
use crate::db::schema::audit_staged;
use crate::db::AnyConnection;

/// Events moved onto the chain per transaction.
const CHAIN_BATCH: i64 = 1_000;

#[derive(Insertable)]
#[diesel(table_name = audit_staged)]
struct NewStaged<'a> {
    at_ms: i64,
    actor_kind: &'a str,
    actor_id: Option<i64>,
    action: &'a str,
    object_kind: &'a str,
    object_id: Option<i64>,
    request_id: Option<&'a str>,
    details: &'a str,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_staged)]
struct StagedRow {
    id: i64,
    at_ms: i64,
    actor_kind: String,
    actor_id: Option<i64>,
    action: String,
    object_kind: String,
    object_id: Option<i64>,
    request_id: Option<String>,
    details: String,
}

/// Stages `events` in the transaction open on `conn`; returns the highest id they were given.
pub(crate) fn stage(conn: &mut AnyConnection, events: &[PendingEvent]) -> QueryResult<Option<i64>> {
    let mut last = None;
    for e in events {
        let id: i64 = diesel::insert_into(audit_staged::table)
            .values(NewStaged {
                at_ms: e.at_ms,
                actor_kind: &e.actor_kind,
                actor_id: e.actor_id,
                action: &e.action,
                object_kind: &e.object_kind,
                object_id: e.object_id,
                request_id: e.request_id.as_deref(),
                details: &e.details,
            })
            .returning(audit_staged::id)
            .get_result(conn)?;
        last = Some(id);
    }
    Ok(last)
}

/// Chains every staged event, in staging order, once any with an id up to `up_to` is still
/// waiting (another chainer may have taken them already: then this is one read). Returns how
/// many this call chained.
pub fn chain_staged(conn: &mut AnyConnection, up_to: i64) -> QueryResult<u64> {
    let mut chained = 0;
    loop {
        let waiting: bool = diesel::select(diesel::dsl::exists(
            audit_staged::table.filter(audit_staged::id.le(up_to)),
        ))
        .get_result(conn)?;
        if !waiting {
            return Ok(chained);
        }
        let moved = conn.transaction(|c| {
            crate::db::lock_key(c, CHAIN_LOCK)?;
            let rows: Vec<StagedRow> = audit_staged::table
                .order(audit_staged::id.asc())
                .limit(CHAIN_BATCH)
                .select(StagedRow::as_select())
                .load(c)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let events: Vec<PendingEvent> = rows
                .into_iter()
                .map(|r| PendingEvent {
                    at_ms: r.at_ms,
                    actor_kind: r.actor_kind,
                    actor_id: r.actor_id,
                    action: r.action,
                    object_kind: r.object_kind,
                    object_id: r.object_id,
                    request_id: r.request_id,
                    details: r.details,
                })
                .collect();
            append(c, &events)?;
            diesel::delete(audit_staged::table.filter(audit_staged::id.eq_any(&ids))).execute(c)?;
            Ok::<_, DieselError>(ids.len() as u64)
        })?;
        if moved == 0 {
            return Ok(chained);
        }
        chained += moved;
    }
}
