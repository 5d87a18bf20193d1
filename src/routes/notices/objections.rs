//! Objections to a notice (异议): anyone files one during the notice period (throttled per
//! address; a kiosk session's household recorded); officials list them with the overdue flag; an
//! admin resolves each once (复核), upheld on a line possibly cancelling its reservation.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Err;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::aftercare::notices::{self as store, NewObjection, Objection, ObjectionFilter};
use crate::db::audit::{Actor, AuditCtx};
use crate::domain::mask::{mask_name, parse_phone};
use crate::domain::notice::{is_overdue, objection_text, Outcome};
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::body::JsonBody;
use crate::routes::Page;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRequest {
    /// the notice line objected to (its `position`); none for the notice as a whole
    pub line: Option<i32>,
    /// 1–2000 characters
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    /// 1–30 characters; a kiosk session may omit it (its household's, or its proxy's, is taken)
    #[schema(max_length = 30)]
    pub contact_name: Option<String>,
    /// mobile or landline with area code; a kiosk session may omit it
    pub contact_phone: Option<String>,
}

/// What the objector keeps: the receipt number (受理编号).
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionReceipt {
    pub id: i64,
    pub receipt_no: String,
    pub notice_id: i64,
    pub line: Option<i32>,
    /// open
    pub status: String,
    /// RFC 3339: the admin's review is due by then
    pub review_deadline: String,
    pub created_at: String,
}

/// An objection as officials see it: the contact masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionOut {
    pub id: i64,
    pub receipt_no: String,
    pub notice_id: i64,
    pub line: Option<i32>,
    pub text: String,
    pub contact_name_masked: String,
    pub contact_phone_masked: String,
    /// set when filed in a kiosk session
    pub household_id: Option<i64>,
    pub proxy_id: Option<i64>,
    /// open | upheld | dismissed
    pub status: String,
    pub review_deadline: String,
    /// open and past its review deadline (as of now)
    pub overdue: bool,
    pub response: Option<String>,
    pub resolved_at: Option<String>,
    pub cancelled_reservation_id: Option<i64>,
    pub created_at: String,
}

impl ObjectionOut {
    fn new(o: Objection, now: i64) -> Self {
        ObjectionOut {
            overdue: is_overdue(o.status == "open", o.review_deadline_ms, now),
            id: o.id,
            receipt_no: o.receipt_no,
            notice_id: o.notice_id,
            line: o.line_position,
            text: o.text,
            contact_name_masked: o.contact_name_masked,
            contact_phone_masked: o.contact_phone_masked,
            household_id: o.household_id,
            proxy_id: o.proxy_id,
            status: o.status,
            review_deadline: rfc3339(o.review_deadline_ms),
            response: o.response,
            resolved_at: o.resolved_at_ms.map(rfc3339),
            cancelled_reservation_id: o.cancelled_reservation_id,
            created_at: rfc3339(o.created_at_ms),
        }
    }
}

/// The kiosk session behind `Authorization: Bearer ks_…`, if the request carries one; other
/// tokens are not looked at (the route is public).
async fn kiosk_caller(req: &HttpRequest) -> ApiResult<Option<Caller>> {
    let kiosk = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start_matches("Bearer ").trim().starts_with("ks_"));
    if !kiosk {
        return Ok(None);
    }
    Ok(Some(Caller::resolve(req).await?))
}

fn throttled(wait_ms: i64) -> HttpResponse {
    let secs = (wait_ms + 999) / 1000;
    let mut response = ApiError::new(
        RefusalKind::ObjectionThrottled,
        format!("too many objections from this address; try again in {secs} s"),
    )
    .error_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    response
}

#[utoipa::path(post, path = "/api/v1/notices/{id}/objections", tag = "aftercare",
    params(("id" = i64, Path, description = "notice id")), request_body = ObjectionRequest,
    responses((status = 201, body = ObjectionReceipt, description = "filed; keep the receipt number"),
        (status = 401, body = Err, description = "a kiosk token that is not a live session"),
        (status = 404, body = Err),
        (status = 409, body = Err, description = "notice_closed: the notice period has ended"),
        (status = 422, body = Err, description = "validation_failed: text, contact, or a line the notice does not have"),
        (status = 429, body = Err, description = "objection_throttled: too many from this address; see Retry-After")))]
#[post("/api/v1/notices/{id}/objections")]
pub async fn file_objection(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    body: JsonBody<ObjectionRequest>,
) -> ApiResult<HttpResponse> {
    let addr = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let now = state.now_ms();
    if let Some(wait_ms) = state.objection_throttle.check(addr, now) {
        return Ok(throttled(wait_ms));
    }
    let kiosk = kiosk_caller(&req).await?;
    let mut errors = Vec::new();
    let text = objection_text(&body.text)
        .map_err(|m| errors.push(FieldError::new("text", m)))
        .unwrap_or_default();
    let name = body.contact_name.as_deref().map(str::trim);
    let contact = match (name, body.contact_phone.as_deref()) {
        (None, None) if kiosk.is_some() => None,
        (name, phone) => {
            let name = name.unwrap_or_default();
            if name.is_empty() || name.chars().count() > 30 || name.chars().any(char::is_control) {
                errors.push(FieldError::new(
                    "contact_name",
                    "must be 1 to 30 characters",
                ));
            }
            match parse_phone(phone.unwrap_or_default()) {
                Ok(p) => Some((
                    state.cipher.encrypt(name),
                    mask_name(name),
                    state.cipher.encrypt(&p),
                    crate::domain::mask::mask_phone(&p),
                )),
                Err(m) => {
                    errors.push(FieldError::new(
                        "contact_phone",
                        format!("contact_phone {m}"),
                    ));
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (ctx, household_id, proxy_id) = match &kiosk {
        Some(c) => (c.audit(now), Some(c.household()?.0), c.proxy()),
        None => (
            AuditCtx {
                actor: Actor::System,
                request_id: crate::auth::request_id(&req),
                now_ms: now,
            },
            None,
            None,
        ),
    };
    let new = NewObjection {
        line: body.line,
        text,
        contact,
        household_id,
        proxy_id,
    };
    let id = id.into_inner();
    let o = state
        .write(move |c| Ok(store::file_objection(c, &ctx, id, &new)?))
        .await?;
    state.objection_throttle.record_failure(addr, now);
    Ok(HttpResponse::Created().json(ObjectionReceipt {
        id: o.id,
        receipt_no: o.receipt_no,
        notice_id: o.notice_id,
        line: o.line_position,
        status: o.status,
        review_deadline: rfc3339(o.review_deadline_ms),
        created_at: rfc3339(o.created_at_ms),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveObjectionRequest {
    pub outcome: Outcome,
    /// the answer to the objector, 1–1000 characters
    #[schema(min_length = 1, max_length = 1000)]
    pub response: String,
    /// upheld on a line only: cancel that line's reservation (unit and entitlement go back)
    pub cancel_reservation: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/objections/{id}/resolve", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "objection id")), request_body = ResolveObjectionRequest,
    responses((status = 200, body = ObjectionOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err),
        (status = 409, body = Err, description = "objection_resolved: already resolved; invalid_transition: the reservation is no longer confirmed"),
        (status = 422, body = Err, description = "validation_failed: response, or cancel_reservation without an upheld line")))]
#[post("/api/v1/objections/{id}/resolve")]
pub async fn resolve_objection(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<ResolveObjectionRequest>,
) -> ApiResult<web::Json<ObjectionOut>> {
    let official = caller.admin()?;
    let response = body.response.trim().to_string();
    if response.is_empty() || response.chars().count() > 1000 {
        return Err(ApiError::validation(vec![FieldError::new(
            "response",
            "must be 1 to 1000 characters",
        )]));
    }
    let (outcome, cancel) = (body.outcome, body.cancel_reservation.unwrap_or(false));
    let ctx = caller.audit(state.now_ms());
    let (now, id) = (ctx.now_ms, id.into_inner());
    let o = state
        .write(move |c| {
            Ok(store::resolve_objection(
                c, &ctx, id, outcome, &response, cancel, official,
            )?)
        })
        .await?;
    Ok(web::Json(ObjectionOut::new(o, now)))
}

/// An objection's state, as a list filter.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    Open,
    Upheld,
    Dismissed,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ObjectionQuery {
    pub notice_id: Option<i64>,
    #[param(inline)]
    pub status: Option<ObjectionStatus>,
    /// open and past the review deadline (true), or not (false)
    pub overdue: Option<bool>,
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/objections", tag = "aftercare", security(("bearer" = [])),
    params(ObjectionQuery),
    responses((status = 200, body = Page<ObjectionOut>, description = "oldest first"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/objections")]
pub async fn list_objections(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ObjectionQuery>,
) -> ApiResult<web::Json<Page<ObjectionOut>>> {
    caller.official()?;
    let page = crate::routes::page_request(query.page, query.per_page)?;
    let status = query.status.map(|s| {
        match s {
            ObjectionStatus::Open => "open",
            ObjectionStatus::Upheld => "upheld",
            ObjectionStatus::Dismissed => "dismissed",
        }
        .to_string()
    });
    let filter = ObjectionFilter {
        notice_id: query.notice_id,
        status,
        overdue: query.overdue,
    };
    let now = state.now_ms();
    let (items, total) = state
        .db(move |c| Ok(store::list_objections(c, &filter, now, page)?))
        .await?;
    let items = items
        .into_iter()
        .map(|o| ObjectionOut::new(o, now))
        .collect();
    Ok(web::Json(Page::new(items, total, page)))
}

#[utoipa::path(get, path = "/api/v1/objections/{id}", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "objection id")),
    responses((status = 200, body = ObjectionOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err)))]
#[get("/api/v1/objections/{id}")]
pub async fn get_objection(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ObjectionOut>> {
    caller.official()?;
    let (id, now) = (id.into_inner(), state.now_ms());
    let o = state
        .db(move |c| store::get_objection(c, id)?.ok_or_else(|| ApiError::not_found("objection")))
        .await?;
    Ok(web::Json(ObjectionOut::new(o, now)))
}
