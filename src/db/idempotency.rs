//! `Idempotency-Key`: the first successful response to a key is stored in the same transaction
//! as the change it made; a replay with the same body gets that response again, the same key with
//! a different body is refused. Concurrent requests with one key are serialised (SQLite: the
//! write lock of `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock on the key).

use diesel::prelude::*;

use super::error::DbError;
use super::schema::idempotency_keys;
use super::{write_tx, AnyConnection};
use crate::domain::hold::decide_replay;

/// A request's key: who sent it (`scope`, e.g. `household:12`), the key, and a hash of the
/// request (method, path and body) so a reused key with another request is detected.
#[derive(Debug, Clone)]
pub struct IdemKey {
    pub scope: String,
    pub key: String,
    pub request_hash: String,
}

/// The response to send: freshly made, or the stored first one.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

#[derive(Insertable)]
#[diesel(table_name = idempotency_keys)]
struct NewKey<'a> {
    scope: &'a str,
    idem_key: &'a str,
    request_hash: &'a str,
    status_code: i32,
    response_body: &'a str,
    created_at_ms: i64,
}

/// Whether a response is stored under `key` already (a replay), read without any lock.
pub fn is_stored(conn: &mut AnyConnection, key: &IdemKey) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(&key.scope))
            .filter(idempotency_keys::idem_key.eq(&key.key)),
    ))
    .get_result(conn)
}

/// Runs `f` in a write transaction under `key`: a replay returns the stored response without
/// running `f`; otherwise `f`'s value becomes the response (`status`) and is stored with the key.
/// Refusals (`Err`) are not stored: nothing changed, so a retry is evaluated afresh.
pub fn run<T, F>(
    conn: &mut AnyConnection,
    key: Option<&IdemKey>,
    status: u16,
    now_ms: i64,
    f: F,
) -> Result<Stored, DbError>
where
    T: serde::Serialize,
    F: FnOnce(&mut AnyConnection) -> Result<T, DbError>,
{
    write_tx(conn, |conn| {
        if let Some(k) = key {
            super::lock_key(conn, &format!("{}\u{1f}{}", k.scope, k.key))?;
            let found: Option<(String, i32, String)> = idempotency_keys::table
                .filter(idempotency_keys::scope.eq(&k.scope))
                .filter(idempotency_keys::idem_key.eq(&k.key))
                .select((
                    idempotency_keys::request_hash,
                    idempotency_keys::status_code,
                    idempotency_keys::response_body,
                ))
                .first(conn)
                .optional()?;
            if let Some((hash, status, body)) = found {
                decide_replay(&hash, &k.request_hash)?;
                return Ok(Stored {
                    status: status as u16,
                    body,
                    replayed: true,
                });
            }
        }
        let value = f(conn)?;
        let body = serde_json::to_string(&value).map_err(DbError::broken)?;
        if let Some(k) = key {
            (diesel::insert_into(idempotency_keys::table)
                .values(NewKey {
                    scope: &k.scope,
                    idem_key: &k.key,
                    request_hash: &k.request_hash,
                    status_code: i32::from(status),
                    response_body: &body,
                    created_at_ms: now_ms,
                })
                .execute(conn))?;
        }
        Ok(Stored {
            status,
            body,
            replayed: false,
        })
    })
}
