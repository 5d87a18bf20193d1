//! Writes the audit log as a hash chain (`domain::audit_chain`) and checks it.
//!
//! Events recorded inside `write_tx` wait in a per-transaction queue (`queue`) and are chained
//! and inserted just before the transaction commits, under the chain lock (SQLite: the write lock
//! `BEGIN IMMEDIATE` already holds; PostgreSQL: a transaction-scoped advisory lock). So the lock
//! is the last one a transaction takes and is held only for one indexed read of the chain's head,
//! the insert and the commit: a transaction holding it never waits for a row another holds, and
//! concurrent writers cannot fork the chain. `UNIQUE (seq)` backs that up: two events given the
//! same place fail to commit rather than fork it. `check` chains an upgraded log and verifies.

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::schema::audit_events;
use super::AnyConnection;
use crate::domain::audit_chain::{event_hash, EventFields, GENESIS};

mod check;
mod queue;

pub use check::{count, seal_unchained, verify, Verification};
pub(crate) use queue::{Collector, PendingEvent};

/// The advisory lock that serialises appends on PostgreSQL.
const CHAIN_LOCK: &str = "anju.audit_events.chain";
/// Rows per insert statement (SQLite allows 32 766 bound values; an event has 12).
const INSERT_CHUNK: usize = 500;

/// Records `event` in the transaction open on `conn`: queued until `write_tx` commits; appended
/// at once inside another kind of transaction; in a `write_tx` of its own outside any.
pub(crate) fn record(conn: &mut AnyConnection, event: PendingEvent) -> QueryResult<()> {
    let Some(event) = queue::push(conn, event) else {
        return Ok(());
    };
    if super::depth::in_transaction(conn)? {
        append(conn, &[event])
    } else {
        super::write_tx(conn, |c| record(c, event))
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewChainedEvent<'a> {
    id: i64,
    seq: i64,
    at_ms: i64,
    actor_kind: &'a str,
    actor_id: Option<i64>,
    action: &'a str,
    object_kind: &'a str,
    object_id: Option<i64>,
    request_id: Option<&'a str>,
    details: &'a str,
    prev_hash: String,
    hash: String,
}

fn broken(message: String) -> DieselError {
    DieselError::QueryBuilderError(message.into())
}

/// The newest event: `(id, seq, hash)`, one read through the unique index on `seq`.
fn head(conn: &mut AnyConnection) -> QueryResult<Option<(i64, i64, Option<String>)>> {
    audit_events::table
        .select((audit_events::id, audit_events::seq, audit_events::hash))
        .order(audit_events::seq.desc())
        .first(conn)
        .optional()
}

/// Chains `events` onto the log, in order, inside the caller's transaction. Ids and sequence
/// numbers follow the head's: assigned here, under the lock, so they are in commit order.
pub(crate) fn append(conn: &mut AnyConnection, events: &[PendingEvent]) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    super::lock_key(conn, CHAIN_LOCK)?;
    let (mut id, mut seq, mut prev) = match head(conn)? {
        None => (0, 0, GENESIS.to_string()),
        Some((id, seq, Some(hash))) => (id, seq, hash),
        Some((id, seq, None)) => {
            return Err(broken(format!(
                "the audit log's newest event {id} (seq {seq}) is not chained yet; \
                 restart the service (or run anju migrate) to chain the log"
            )))
        }
    };
    let mut rows = Vec::with_capacity(events.len());
    for e in events {
        id += 1;
        seq += 1;
        let fields = EventFields {
            seq,
            id,
            at_ms: e.at_ms,
            actor_kind: &e.actor_kind,
            actor_id: e.actor_id,
            action: &e.action,
            object_kind: &e.object_kind,
            object_id: e.object_id,
            request_id: e.request_id.as_deref(),
            details: &e.details,
        };
        let hash = event_hash(&fields, &prev);
        rows.push(NewChainedEvent {
            id,
            seq,
            at_ms: e.at_ms,
            actor_kind: &e.actor_kind,
            actor_id: e.actor_id,
            action: &e.action,
            object_kind: &e.object_kind,
            object_id: e.object_id,
            request_id: e.request_id.as_deref(),
            details: &e.details,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        super::insert_rows(conn, audit_events::table, chunk)?;
    }
    Ok(())
}
