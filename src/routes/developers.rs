//! Developers: registration, vetting (approve / suspend) and API keys, by officials.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ListQuery, Page, ReasonRequest};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::developers::{self as store, Developer, NewDeveloperRow};
use crate::domain::developer::NewDeveloper;
use crate::domain::status::DeveloperStatus;
use crate::domain::token::{display_prefix, hash_token, TokenKind};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::{JsonBody, OptionalJsonBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterDeveloperRequest {
    pub name: String,
    /// 统一社会信用代码, 18 characters with a GB 32100 check character
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// A developer; the contact person's name and phone are personal data, shown masked only.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeveloperOut {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub contact_name_masked: String,
    pub contact_phone_masked: String,
    pub status: DeveloperStatus,
    pub status_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Developer> for DeveloperOut {
    fn from(d: Developer) -> Self {
        DeveloperOut {
            id: d.id,
            status: d.status(),
            name: d.name,
            credit_code: d.credit_code,
            contact_name_masked: d.contact_name_masked,
            contact_phone_masked: d.contact_phone_masked,
            status_reason: d.status_reason,
            created_at: rfc3339(d.created_at_ms),
            updated_at: rfc3339(d.updated_at_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCreated {
    pub id: i64,
    pub developer_id: i64,
    /// developer API key (`dk_…`), shown only in this response; stored hashed
    pub key: String,
}

type Err = crate::error::ErrorBody;

#[utoipa::path(post, path = "/api/v1/developers", tag = "developers", request_body = RegisterDeveloperRequest,
    security(("bearer" = [])),
    responses((status = 201, body = DeveloperOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 409, body = Err, description = "duplicate_credit_code"), (status = 422, body = Err)))]
#[post("/api/v1/developers")]
pub async fn register_developer(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<RegisterDeveloperRequest>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let new = NewDeveloper::parse(
        &body.name,
        &body.credit_code,
        &body.contact_name,
        &body.contact_phone,
    )
    .map_err(ApiError::validation)?;
    let ctx = caller.audit(state.now_ms());
    let cipher = state.cipher.clone();
    let developer = state
        .db(move |c| {
            let row = NewDeveloperRow::pending(&new, &cipher, ctx.now_ms);
            store::create(c, &ctx, row).map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Created().json(DeveloperOut::from(developer)))
}

#[utoipa::path(get, path = "/api/v1/developers", tag = "developers", params(ListQuery<DeveloperStatus>), security(("bearer" = [])),
    responses((status = 200, body = Page<DeveloperOut>), (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/developers")]
pub async fn list_developers(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ListQuery<DeveloperStatus>>,
) -> ApiResult<web::Json<Page<DeveloperOut>>> {
    caller.official()?;
    let page = query.page()?;
    let status = query.status();
    let (items, total) = state.db(move |c| Ok(store::list(c, status, page)?)).await?;
    Ok(web::Json(Page::new(
        items.into_iter().map(DeveloperOut::from).collect(),
        total,
        page,
    )))
}

#[utoipa::path(get, path = "/api/v1/developers/{id}", tag = "developers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "developer id")),
    responses((status = 200, body = DeveloperOut), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err)))]
#[get("/api/v1/developers/{id}")]
pub async fn get_developer(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<DeveloperOut>> {
    let id = id.into_inner();
    // a developer may read its own record; officials read all
    if caller.owner_scope()?.is_some_and(|own| own != id) {
        return Err(ApiError::not_found("developer"));
    }
    let developer = state
        .db(move |c| Ok(store::get(c, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("developer"))?;
    Ok(web::Json(developer.into()))
}

async fn change_status(
    caller: Caller,
    state: web::Data<AppState>,
    id: i64,
    to: DeveloperStatus,
    body: OptionalJsonBody<ReasonRequest>,
) -> ApiResult<web::Json<DeveloperOut>> {
    caller.admin()?;
    let reason = body.into_inner().map(|b| b.reason()).transpose()?.flatten();
    let ctx = caller.audit(state.now_ms());
    let developer = state
        .write(move |c| {
            store::set_status(c, &ctx, id, to, reason.as_deref()).map_err(ApiError::from)
        })
        .await?;
    Ok(web::Json(developer.into()))
}

#[utoipa::path(post, path = "/api/v1/developers/{id}/approve", tag = "developers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "developer id")), request_body(content = Option<ReasonRequest>),
    responses((status = 200, body = DeveloperOut), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition"),
        (status = 422, body = Err, description = "validation_failed: a reason over 500 characters")))]
#[post("/api/v1/developers/{id}/approve")]
pub async fn approve_developer(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: OptionalJsonBody<ReasonRequest>,
) -> ApiResult<web::Json<DeveloperOut>> {
    change_status(
        caller,
        state,
        id.into_inner(),
        DeveloperStatus::Approved,
        body,
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/developers/{id}/suspend", tag = "developers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "developer id")), request_body(content = Option<ReasonRequest>),
    responses((status = 200, body = DeveloperOut), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition"),
        (status = 422, body = Err, description = "validation_failed: a reason over 500 characters")))]
#[post("/api/v1/developers/{id}/suspend")]
pub async fn suspend_developer(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: OptionalJsonBody<ReasonRequest>,
) -> ApiResult<web::Json<DeveloperOut>> {
    change_status(
        caller,
        state,
        id.into_inner(),
        DeveloperStatus::Suspended,
        body,
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/developers/{id}/keys", tag = "developers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "developer id")),
    responses((status = 201, body = KeyCreated), (status = 403, body = Err, description = "forbidden or developer_not_approved"),
        (status = 404, body = Err)))]
#[post("/api/v1/developers/{id}/keys")]
pub async fn issue_developer_key(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let developer_id = id.into_inner();
    let key = TokenKind::Developer.generate();
    let (key_hash, prefix) = (hash_token(&key), display_prefix(&key));
    let ctx = caller.audit(state.now_ms());
    let key_id = state
        .db(move |c| {
            store::add_key(c, &ctx, developer_id, &key_hash, &prefix).map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Created().json(KeyCreated {
        id: key_id,
        developer_id,
        key,
    }))
}
