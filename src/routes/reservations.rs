//! Reservations after the kiosk: developers list those of their units and file contracts;
//! officials list all and cancel a confirmed one with a reason.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::holds::{
    idempotency_key, respond, IdempotencyKeyHeader, ReservationDetail, ReservationOut,
};
use super::{ListQuery, Page};
use crate::auth::{Caller, Principal};
use crate::db::idempotency;
use crate::db::selection as store;
use crate::domain::selection::ReservationStatus;
use crate::domain::{text_field, FieldError};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[utoipa::path(get, path = "/api/v1/reservations", tag = "selection", security(("bearer" = [])),
    params(ListQuery<ReservationStatus>),
    responses((status = 200, body = Page<ReservationDetail>, description = "a developer's own units' reservations, or all for officials; households masked"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/reservations")]
pub async fn list_reservations(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ListQuery<ReservationStatus>>,
) -> ApiResult<web::Json<Page<ReservationDetail>>> {
    let owner = caller.owner_scope()?;
    let page = query.page()?;
    let status = query.status();
    let (rows, total) = state
        .db(move |c| Ok(store::list(c, owner, status, page)?))
        .await?;
    Ok(web::Json(Page::new(
        rows.into_iter().map(ReservationDetail::from).collect(),
        total,
        page,
    )))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// why the bureau cancels (required, up to 500 characters)
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

fn scope(caller: &Caller) -> String {
    match caller.principal {
        Principal::Official { id, .. } => format!("official:{id}"),
        Principal::Developer { developer_id, .. } => format!("developer:{developer_id}"),
        Principal::Household { household_id, .. } => format!("household:{household_id}"),
    }
}

#[utoipa::path(post, path = "/api/v1/reservations/{id}/cancel", tag = "selection", security(("bearer" = [])),
    params(("id" = i64, Path, description = "reservation id"), IdempotencyKeyHeader), request_body = CancelRequest,
    responses((status = 200, body = ReservationOut, description = "cancelled; unit available again; entitlement restored"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition: not confirmed"), (status = 422, body = Err)))]
#[post("/api/v1/reservations/{id}/cancel")]
pub async fn cancel_reservation(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: JsonBody<CancelRequest>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let mut errors = Vec::new();
    let reason = text_field(&mut errors, "reason", &body.reason, 1, 500);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let canonical = serde_json::to_vec(&body.into_inner()).map_err(ApiError::internal)?;
    let key = idempotency_key(&req, scope(&caller), &canonical)?;
    let ctx = caller.audit(state.now_ms());
    let id = id.into_inner();
    let stored = state
        .write(move |c| {
            idempotency::run(c, key.as_ref(), 200, ctx.now_ms, |c| {
                Ok(ReservationOut::from(&store::cancel(c, &ctx, id, &reason)?))
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(respond(stored))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractRequest {
    /// 网签备案号, 1–50 characters, no control characters
    #[schema(min_length = 1, max_length = 50)]
    pub contract_no: String,
}

#[utoipa::path(post, path = "/api/v1/reservations/{id}/contract", tag = "selection", security(("bearer" = [])),
    params(("id" = i64, Path, description = "reservation id"), IdempotencyKeyHeader), request_body = ContractRequest,
    responses((status = 200, body = ReservationOut, description = "contracted; unit sold"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err, description = "not a reservation of this developer's units"),
        (status = 409, body = Err, description = "invalid_transition: not confirmed"), (status = 422, body = Err)))]
#[post("/api/v1/reservations/{id}/contract")]
pub async fn file_contract(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: JsonBody<ContractRequest>,
) -> ApiResult<HttpResponse> {
    let developer_id = caller.developer()?;
    let mut errors = Vec::new();
    let contract_no = text_field(&mut errors, "contract_no", &body.contract_no, 1, 50);
    if contract_no.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "contract_no",
            "must not contain control characters",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let canonical = serde_json::to_vec(&body.into_inner()).map_err(ApiError::internal)?;
    let key = idempotency_key(&req, scope(&caller), &canonical)?;
    let ctx = caller.audit(state.now_ms());
    let id = id.into_inner();
    let stored = state
        .write(move |c| {
            idempotency::run(c, key.as_ref(), 200, ctx.now_ms, |c| {
                Ok(ReservationOut::from(&store::contract(
                    c,
                    &ctx,
                    developer_id,
                    id,
                    &contract_no,
                )?))
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(respond(stored))
}
