//! Listing, revoking and rotating the service's long-lived credentials: developers' API keys and
//! officials' tokens. Both are looked up on every request, so a revocation holds at once on every
//! instance. The bootstrap admin's token follows the configuration (`ANJU_ADMIN_TOKEN` or
//! `admin.token`) and is replaced there, not here.

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::{DbError, DbResult};
use super::schema::{developer_keys, officials};
use super::{write_tx, AnyConnection};
use crate::domain::refusal::RefusalKind;

/// A developer key as listed: never the key itself, only its first characters.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = developer_keys)]
pub struct KeyRow {
    pub id: i64,
    pub developer_id: i64,
    /// the first characters of the key, to tell keys apart
    pub key_prefix: String,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

/// The keys of a developer, newest first.
pub fn list_keys(conn: &mut AnyConnection, developer_id: i64) -> QueryResult<Vec<KeyRow>> {
    developer_keys::table
        .filter(developer_keys::developer_id.eq(developer_id))
        .order(developer_keys::id.desc())
        .select(KeyRow::as_select())
        .load(conn)
}

/// Revokes key `key_id` of `developer_id` (conditional: a revoked key stays revoked at its first
/// time). Returns `false` when it was revoked already.
fn revoke_key_in(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    key_id: i64,
) -> DbResult<bool> {
    let exists = developer_keys::table
        .filter(developer_keys::id.eq(key_id))
        .filter(developer_keys::developer_id.eq(developer_id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        return Err(DbError::not_found("developer key"));
    }
    let changed = diesel::update(
        developer_keys::table
            .find(key_id)
            .filter(developer_keys::revoked_at_ms.is_null()),
    )
    .set(developer_keys::revoked_at_ms.eq(ctx.now_ms))
    .execute(conn)?;
    if changed > 0 {
        audit::record(
            conn,
            ctx,
            "developer.key_revoke",
            "developer",
            Some(developer_id),
            serde_json::json!({ "key_id": key_id }),
        )?;
    }
    Ok(changed > 0)
}

/// Revokes a developer's key; revoking it again changes nothing.
pub fn revoke_key(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    key_id: i64,
) -> DbResult<()> {
    write_tx(conn, |conn| {
        revoke_key_in(conn, ctx, developer_id, key_id).map(drop)
    })
}

/// Replaces a live key with a new one (its hash and prefix) in one transaction; returns the new
/// key's id. A revoked key cannot be rotated (409 `invalid_transition`): issue a new one.
pub fn rotate_key(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    key_id: i64,
    new_hash: &str,
    new_prefix: &str,
) -> DbResult<i64> {
    write_tx(conn, |conn| {
        if !revoke_key_in(conn, ctx, developer_id, key_id)? {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "this key is revoked already; issue a new key instead",
            ));
        }
        super::developers::add_key_in(conn, ctx, developer_id, new_hash, new_prefix)
    })
}

/// An official as listed: never the token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officials)]
pub struct OfficialRow {
    pub id: i64,
    pub name: String,
    /// `admin` or `viewer`
    pub role: String,
    /// the official whose token is the configured admin token
    pub is_bootstrap: bool,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

pub fn list_officials(conn: &mut AnyConnection) -> QueryResult<Vec<OfficialRow>> {
    officials::table
        .order(officials::id.asc())
        .select(OfficialRow::as_select())
        .load(conn)
}

/// The official `id`, refused when it is the bootstrap admin (its token is the configuration's).
fn changeable_official(conn: &mut AnyConnection, id: i64) -> DbResult<OfficialRow> {
    let official = officials::table
        .find(id)
        .select(OfficialRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| DbError::not_found("official"))?;
    if official.is_bootstrap {
        return Err(DbError::new(
            RefusalKind::InvalidTransition,
            "the bootstrap admin's token is the configured one (ANJU_ADMIN_TOKEN or admin.token): change it there and restart",
        ));
    }
    Ok(official)
}

/// Revokes an official's token; revoking it again changes nothing.
pub fn revoke_official(conn: &mut AnyConnection, ctx: &AuditCtx, id: i64) -> DbResult<()> {
    write_tx(conn, |conn| {
        changeable_official(conn, id)?;
        let changed = diesel::update(
            officials::table
                .find(id)
                .filter(officials::revoked_at_ms.is_null()),
        )
        .set(officials::revoked_at_ms.eq(ctx.now_ms))
        .execute(conn)?;
        if changed > 0 {
            audit::record(
                conn,
                ctx,
                "official.revoke",
                "official",
                Some(id),
                serde_json::json!({}),
            )?;
        }
        Ok(())
    })
}

/// Gives an official a new token (its hash); the old one stops working at once. A revoked
/// official's token can also be replaced this way, which reinstates it.
pub fn rotate_official(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    new_hash: &str,
) -> DbResult<OfficialRow> {
    write_tx(conn, |conn| {
        let before = changeable_official(conn, id)?;
        diesel::update(officials::table.find(id))
            .set((
                officials::token_hash.eq(new_hash),
                officials::revoked_at_ms.eq(None::<i64>),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            ctx,
            "official.token_rotate",
            "official",
            Some(id),
            serde_json::json!({ "was_revoked": before.revoked_at_ms.is_some() }),
        )?;
        Ok(OfficialRow {
            revoked_at_ms: None,
            ..before
        })
    })
}
