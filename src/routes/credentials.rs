//! Listing, revoking and rotating credentials: a developer's API keys (the developer itself or an
//! admin) and officials' tokens (admins). A revoked key or token answers 401 at once.

use actix_web::{delete, get, post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::developers::KeyCreated;
use crate::auth::{Caller, Principal};
use crate::clock::rfc3339;
use crate::db::credentials::{self as store, KeyRow, OfficialRow};
use crate::domain::token::{display_prefix, hash_token, TokenKind};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyOut {
    pub id: i64,
    pub developer_id: i64,
    /// the key's first characters, to tell keys apart; the key itself is never shown again
    pub key_prefix: String,
    /// RFC 3339
    pub created_at: String,
    /// RFC 3339; absent while the key works
    pub revoked_at: Option<String>,
}

impl From<KeyRow> for KeyOut {
    fn from(k: KeyRow) -> Self {
        KeyOut {
            id: k.id,
            developer_id: k.developer_id,
            key_prefix: k.key_prefix,
            created_at: rfc3339(k.created_at_ms),
            revoked_at: k.revoked_at_ms.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialOut {
    pub id: i64,
    pub name: String,
    /// `admin` or `viewer`
    pub role: String,
    /// its token is the configured admin token, changed only in the configuration
    pub is_bootstrap: bool,
    /// RFC 3339
    pub created_at: String,
    /// RFC 3339; absent while the token works
    pub revoked_at: Option<String>,
}

impl From<OfficialRow> for OfficialOut {
    fn from(o: OfficialRow) -> Self {
        OfficialOut {
            id: o.id,
            name: o.name,
            role: o.role,
            is_bootstrap: o.is_bootstrap,
            created_at: rfc3339(o.created_at_ms),
            revoked_at: o.revoked_at_ms.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialTokenOut {
    pub id: i64,
    /// the new bearer token (`ot_…`), shown only in this response; the old one no longer works
    pub token: String,
}

/// Who may read developer `id`'s keys: the developer itself (another's are 404) or an official.
fn key_reader(caller: &Caller, id: i64) -> ApiResult<()> {
    match caller.owner_scope()? {
        Some(own) if own != id => Err(ApiError::not_found("developer")),
        _ => Ok(()),
    }
}

/// Who may change developer `id`'s keys: the developer itself or an admin.
fn key_keeper(caller: &Caller, id: i64) -> ApiResult<()> {
    match caller.principal {
        Principal::Developer { .. } => key_reader(caller, id),
        _ => caller.admin().map(drop),
    }
}

#[utoipa::path(get, path = "/api/v1/developers/{id}/keys", tag = "developers",
    params(("id" = i64, Path, description = "developer id")),
    responses((status = 200, body = Vec<KeyOut>, description = "newest first"), (status = 404, body = Err)))]
#[get("/api/v1/developers/{id}/keys")]
pub async fn list_developer_keys(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<KeyOut>>> {
    let id = id.into_inner();
    key_reader(&caller, id)?;
    let keys = state.db(move |c| Ok(store::list_keys(c, id)?)).await?;
    Ok(web::Json(keys.into_iter().map(KeyOut::from).collect()))
}

#[utoipa::path(delete, path = "/api/v1/developers/{id}/keys/{key_id}", tag = "developers",
    params(("id" = i64, Path, description = "developer id"), ("key_id" = i64, Path, description = "key id")),
    responses((status = 204, description = "the key no longer works (revoking twice is harmless)"),
        (status = 404, body = Err)))]
#[delete("/api/v1/developers/{id}/keys/{key_id}")]
pub async fn revoke_developer_key(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (id, key_id) = path.into_inner();
    key_keeper(&caller, id)?;
    let ctx = caller.audit(state.now_ms());
    state
        .db(move |c| store::revoke_key(c, &ctx, id, key_id).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/developers/{id}/keys/{key_id}/rotate", tag = "developers",
    params(("id" = i64, Path, description = "developer id"), ("key_id" = i64, Path, description = "key id")),
    responses((status = 201, body = KeyCreated, description = "the new key; the old one no longer works"),
        (status = 404, body = Err), (status = 409, body = Err, description = "invalid_transition: the key is revoked already")))]
#[post("/api/v1/developers/{id}/keys/{key_id}/rotate")]
pub async fn rotate_developer_key(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (id, key_id) = path.into_inner();
    key_keeper(&caller, id)?;
    let key = TokenKind::Developer.generate();
    let (hash, prefix) = (hash_token(&key), display_prefix(&key));
    let ctx = caller.audit(state.now_ms());
    let new_id = state
        .db(move |c| store::rotate_key(c, &ctx, id, key_id, &hash, &prefix).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::Created().json(KeyCreated {
        id: new_id,
        developer_id: id,
        key,
    }))
}

#[utoipa::path(get, path = "/api/v1/officials", tag = "officials",
    responses((status = 200, body = Vec<OfficialOut>)))]
#[get("/api/v1/officials")]
pub async fn list_officials(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Vec<OfficialOut>>> {
    caller.admin()?;
    let officials = state.db(|c| Ok(store::list_officials(c)?)).await?;
    Ok(web::Json(
        officials.into_iter().map(OfficialOut::from).collect(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/officials/{id}", tag = "officials",
    params(("id" = i64, Path, description = "official id")),
    responses((status = 204, description = "the official's token no longer works"), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition: the bootstrap admin")))]
#[delete("/api/v1/officials/{id}")]
pub async fn revoke_official(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let (id, ctx) = (id.into_inner(), caller.audit(state.now_ms()));
    state
        .db(move |c| store::revoke_official(c, &ctx, id).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/officials/{id}/token", tag = "officials",
    params(("id" = i64, Path, description = "official id")),
    responses((status = 201, body = OfficialTokenOut), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition: the bootstrap admin")))]
#[post("/api/v1/officials/{id}/token")]
pub async fn rotate_official_token(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let token = TokenKind::Official.generate();
    let hash = hash_token(&token);
    let (id, ctx) = (id.into_inner(), caller.audit(state.now_ms()));
    let official = state
        .db(move |c| store::rotate_official(c, &ctx, id, &hash).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::Created().json(OfficialTokenOut {
        id: official.id,
        token,
    }))
}
