//! Chaining a log written before the chain (an upgrade) and walking the chain to verify it.

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::{broken, head, CHAIN_LOCK};
use crate::db::schema::audit_events;
use crate::db::AnyConnection;
use crate::domain::audit_chain::{event_hash, Break, Cursor, EventFields, StoredEvent, GENESIS};

/// An event as stored, with its chain columns.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
struct ChainRow {
    id: i64,
    seq: i64,
    at_ms: i64,
    actor_kind: String,
    actor_id: Option<i64>,
    action: String,
    object_kind: String,
    object_id: Option<i64>,
    request_id: Option<String>,
    details: String,
    prev_hash: Option<String>,
    hash: Option<String>,
}

impl ChainRow {
    fn fields(&self) -> EventFields<'_> {
        EventFields {
            seq: self.seq,
            id: self.id,
            at_ms: self.at_ms,
            actor_kind: &self.actor_kind,
            actor_id: self.actor_id,
            action: &self.action,
            object_kind: &self.object_kind,
            object_id: self.object_id,
            request_id: self.request_id.as_deref(),
            details: &self.details,
        }
    }
}

/// Chains the events written before the log was a chain (the migration numbered them in id
/// order and left them without a hash), `batch` per transaction; returns how many. Runs only
/// when the newest event is unchained, which only an upgrade leaves: an event whose hash was
/// removed later in the log stays broken for `verify` to report.
pub fn seal_unchained(conn: &mut AnyConnection, batch: i64) -> QueryResult<u64> {
    if !matches!(head(conn)?, Some((_, _, None))) {
        return Ok(0);
    }
    let mut sealed = 0u64;
    loop {
        let n = crate::db::write_tx(conn, |c| {
            crate::db::lock_key(c, CHAIN_LOCK)?;
            let rows: Vec<ChainRow> = audit_events::table
                .filter(audit_events::hash.is_null())
                .order(audit_events::seq.asc())
                .limit(batch)
                .select(ChainRow::as_select())
                .load(c)?;
            let Some(first) = rows.first() else {
                return Ok(0);
            };
            let mut prev = if first.seq == 1 {
                GENESIS.to_string()
            } else {
                audit_events::table
                    .filter(audit_events::seq.eq(first.seq - 1))
                    .select(audit_events::hash)
                    .first::<Option<String>>(c)
                    .optional()?
                    .flatten()
                    .ok_or_else(|| {
                        broken(format!(
                            "cannot chain the audit log: the event before seq {} is missing or \
                             unchained",
                            first.seq
                        ))
                    })?
            };
            for row in &rows {
                let hash = event_hash(&row.fields(), &prev);
                diesel::update(
                    audit_events::table
                        .find(row.id)
                        .filter(audit_events::hash.is_null()),
                )
                .set((
                    audit_events::prev_hash.eq(&prev),
                    audit_events::hash.eq(&hash),
                ))
                .execute(c)?;
                prev = hash;
            }
            Ok::<_, DieselError>(rows.len() as u64)
        })?;
        sealed += n;
        if n < batch as u64 {
            return Ok(sealed);
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Events checked and found in order before the end or the break.
    pub verified: u64,
    /// The last intact event's sequence number and hash: write it down elsewhere to notice later
    /// if the log is cut short or rewritten from there on.
    pub head: Option<(i64, String)>,
    /// The first broken link, if any.
    pub broken: Option<Break>,
}

/// Checks the whole chain in sequence order, `batch` events per read (memory stays bounded);
/// `progress` gets the number of events checked so far after each batch.
pub fn verify(
    conn: &mut AnyConnection,
    batch: i64,
    progress: &mut dyn FnMut(u64),
) -> QueryResult<Verification> {
    let mut cursor = Cursor::default();
    let mut head = None;
    loop {
        let rows: Vec<ChainRow> = audit_events::table
            .filter(audit_events::seq.ge(cursor.next_seq))
            .order(audit_events::seq.asc())
            .limit(batch)
            .select(ChainRow::as_select())
            .load(conn)?;
        for row in &rows {
            let stored = StoredEvent {
                fields: row.fields(),
                prev_hash: row.prev_hash.as_deref(),
                hash: row.hash.as_deref(),
            };
            if let Err(b) = cursor.check(&stored) {
                return Ok(Verification {
                    verified: cursor.verified,
                    head,
                    broken: Some(b),
                });
            }
            head = Some((row.seq, cursor.prev_hash.clone()));
        }
        progress(cursor.verified);
        if (rows.len() as i64) < batch {
            return Ok(Verification {
                verified: cursor.verified,
                head,
                broken: None,
            });
        }
    }
}

/// How many events the log holds (for a progress bar).
pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    audit_events::table.count().get_result(conn)
}
