//! Spending a ticket at a developer's sales office (房票超市): the holder's kiosk asks for a
//! one-time code (核销码), the developer's system redeems it on one of its own units.

use actix_web::{http::header, post, web, HttpResponse, ResponseError};
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Err;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::tickets::{self as store, RedeemRequest, Redeemed};
use crate::domain::household::normalize_voucher;
use crate::domain::lockout::LockoutRule;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::body::JsonBody;
use crate::routes::holds::ReservationOut;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RedemptionCode {
    /// 8 digits, for one redemption within 30 minutes
    pub code: String,
    pub expires_at: String,
}

/// The keyed hash a code is kept and looked up under: bound to the ticket's number, so a
/// transfer (a new number) ends every code of the old one.
fn code_hash(state: &AppState, ticket_no: &str, code: &str) -> String {
    state
        .cipher
        .lookup_hash("redemption_code", &format!("{ticket_no}:{code}"))
}

#[utoipa::path(post, path = "/api/v1/kiosk/ticket/redemption-codes", tag = "tickets", security(("bearer" = [])),
    responses((status = 201, body = RedemptionCode), (status = 401, body = Err),
        (status = 403, body = Err, description = "not a ticket's session; ticket_expired; ticket_closed"),
        (status = 409, body = Err, description = "ticket_exhausted")))]
#[post("/api/v1/kiosk/ticket/redemption-codes")]
pub async fn create_redemption_code(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let ticket_id = caller.ticket()?;
    let ticket = state
        .db(move |c| store::get(c, ticket_id)?.ok_or_else(|| ApiError::not_found("ticket")))
        .await?;
    let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000));
    let hash = code_hash(&state, &ticket.ticket_no, &code);
    let ctx = caller.audit(state.now_ms());
    let expires_at_ms = state
        .db(move |c| Ok(store::new_redemption_code(c, &ctx, ticket_id, &hash)?))
        .await?;
    Ok(HttpResponse::Created().json(RedemptionCode {
        code,
        expires_at: rfc3339(expires_at_ms),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemTicketRequest {
    /// as printed on the ticket; case, spaces and dashes do not matter
    pub ticket_no: String,
    /// the 8-digit code the holder shows
    #[schema(pattern = "^[0-9]{8}$")]
    pub code: String,
    /// one of the developer's own available units
    pub unit_id: i64,
}

fn code_invalid() -> ApiError {
    ApiError::new(
        RefusalKind::RedemptionCodeInvalid,
        "wrong ticket number or redemption code, or the code was used or has expired",
    )
}

fn locked(until_ms: i64, now_ms: i64) -> HttpResponse {
    let mut response = ApiError::new(
        RefusalKind::LoginLocked,
        "too many wrong codes or PINs: this ticket is locked for a while; the holder should ask the hall staff",
    )
    .with_details(serde_json::json!({ "locked_until": rfc3339(until_ms) }))
    .error_response();
    let secs = ((until_ms - now_ms).max(0) + 999) / 1000;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs.max(1)));
    response
}

#[utoipa::path(post, path = "/api/v1/tickets/redeem", tag = "tickets", security(("bearer" = [])),
    request_body = RedeemTicketRequest,
    responses((status = 201, body = ReservationOut, description = "the unit confirmed for the ticket, with the ticket quote"),
        (status = 401, body = Err), (status = 403, body = Err, description = "ticket_expired, ticket_closed"),
        (status = 404, body = Err, description = "not one of this developer's units"),
        (status = 409, body = Err, description = "unit_not_available, usage_not_allowed, ticket_exhausted"),
        (status = 422, body = Err, description = "redemption_code_invalid (counts against the ticket's lock-out)"),
        (status = 423, body = Err, description = "login_locked: the ticket is locked after too many wrong codes or PINs")))]
#[post("/api/v1/tickets/redeem")]
pub async fn redeem_ticket(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<RedeemTicketRequest>,
) -> ApiResult<HttpResponse> {
    let developer_id = caller.developer()?;
    let now = state.now_ms();
    let code = body.code.trim();
    let (Some(ticket_no), true) = (
        normalize_voucher(&body.ticket_no),
        code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()),
    ) else {
        return Err(code_invalid());
    };
    let policy = state
        .db(move |c| Ok(crate::db::policy::in_force(c, now)?.policy))
        .await?;
    let rule = LockoutRule {
        max_failures: policy.login_max_failures,
        base_ms: policy.login_lockout_minutes * 60_000,
        cap_ms: state.security.lockout_cap_ms,
        daily_max: state.security.pin_daily_max,
    };
    let req = RedeemRequest {
        code_hash: code_hash(&state, &ticket_no, code),
        ticket_no,
        unit_id: body.unit_id,
        developer_id,
    };
    let ctx = caller.audit(now);
    let outcome = state
        .db(move |c| store::redeem(c, &ctx, &req, &rule).map_err(ApiError::from))
        .await?;
    match outcome {
        Redeemed::Confirmed(r) => Ok(HttpResponse::Created().json(ReservationOut::from(&*r))),
        Redeemed::WrongCode {
            locked_until_ms: Some(until),
        } => Ok(locked(until, now)),
        Redeemed::WrongCode { .. } => Err(code_invalid()),
        Redeemed::Locked { until_ms } => Ok(locked(until_ms, now)),
    }
}
