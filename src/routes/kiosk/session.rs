//! A household logs in at a kiosk with its voucher number and PIN, and logs out.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::{http::header, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{request_id, Caller};
use crate::clock::rfc3339;
use crate::db::audit::{Actor, AuditCtx};
use crate::db::kiosk::{self as store, AttemptRefused};
use crate::db::tickets::Ticket;
use crate::domain::household::{is_pin, normalize_voucher, Method};
use crate::domain::lockout::LockoutRule;
use crate::domain::token::{hash_token, TokenKind};
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::body::JsonBody;
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// the voucher number, or a housing ticket's number (房票号), as printed on the slip; case,
    /// spaces and dashes do not matter
    pub voucher_no: String,
    /// 6 digits
    pub pin: String,
}

/// The household as its own kiosk shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct KioskHousehold {
    pub id: i64,
    pub name_masked: String,
    pub voucher_no: String,
    pub method: Method,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResult {
    /// kiosk session token (`ks_…`): `Authorization: Bearer …`
    pub token: String,
    /// RFC 3339; every request moves it forward by the idle timeout
    pub expires_at: String,
    pub household: KioskHousehold,
}

/// 423 `login_locked` with `Retry-After` (whole seconds, at least 1).
fn locked(until_ms: i64, now_ms: i64) -> HttpResponse {
    let wait_ms = (until_ms - now_ms).max(0);
    let minutes = (wait_ms + 59_999) / 60_000;
    let mut response = ApiError::new(
        RefusalKind::LoginLocked,
        format!("too many wrong PINs: this voucher is locked for {minutes} more minutes; ask the hall staff for help"),
    )
    .with_details(serde_json::json!({ "locked_until": rfc3339(until_ms) }))
    .error_response();
    let secs = ((wait_ms + 999) / 1000).max(1);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    response
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        RefusalKind::InvalidCredentials,
        "wrong voucher number or PIN",
    )
}

#[utoipa::path(post, path = "/api/v1/kiosk/login", tag = "kiosk", request_body = LoginRequest,
    responses((status = 200, body = LoginResult), (status = 400, body = Err),
        (status = 401, body = Err, description = "invalid_credentials"),
        (status = 403, body = Err, description = "ticket_household: log in with the ticket number; ticket_closed: the ticket was cashed out or voided"),
        (status = 423, body = Err, description = "login_locked: the voucher is locked after too many wrong PINs (each lock-out doubles, at most 10 wrong PINs a day); see Retry-After"),
        (status = 429, body = Err, description = "login_locked: too many failures from this address; see Retry-After")))]
#[post("/api/v1/kiosk/login")]
pub async fn kiosk_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let addr = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let now = state.now_ms();
    if let Some(wait_ms) = state.login_throttle.check(addr, now) {
        let secs = (wait_ms + 999) / 1000;
        let mut response = ApiError::new(
            RefusalKind::LoginThrottled,
            format!("too many failed log-ins from this kiosk; try again in {secs} s"),
        )
        .error_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        return Ok(response);
    }
    let throttle = state.login_throttle.clone();
    let fail = move || {
        throttle.record_failure(addr, now);
        bad_credentials()
    };
    let (Some(voucher), true) = (normalize_voucher(&body.voucher_no), is_pin(body.pin.trim()))
    else {
        return Err(fail());
    };
    let policy = state
        .db(move |c| crate::db::policy::in_force(c, now).map_err(ApiError::from))
        .await?
        .policy;
    let rule = LockoutRule {
        max_failures: policy.login_max_failures,
        base_ms: policy.login_lockout_minutes * 60_000,
        cap_ms: state.security.lockout_cap_ms,
        daily_max: state.security.pin_daily_max,
    };
    let attempt = state
        .db(move |c| store::begin_attempt(c, &voucher, now, &rule).map_err(ApiError::from))
        .await?;
    let pin = body.pin.trim().to_string();
    let attempt = match attempt {
        Ok(a) => a,
        Err(AttemptRefused::UnknownVoucher) => {
            // the same argon2 work as a known voucher's wrong PIN: the time tells nothing
            state
                .hash(move || crate::crypto::verify_pin_of_nobody(&pin))
                .await?;
            return Err(fail());
        }
        Err(AttemptRefused::Locked { until_ms }) => return Ok(locked(until_ms, now)),
        Err(AttemptRefused::TicketHousehold) => return Err(ApiError::new(
            RefusalKind::TicketHousehold,
            "this household is settled by a housing ticket: log in with the ticket number (房票号)",
        )),
        Err(AttemptRefused::TicketClosed) => return Err(crate::db::tickets::closed().into()),
    };
    let stored = attempt.pin_hash().to_string();
    let right = state
        .hash(move || crate::crypto::verify_pin(&stored, &pin))
        .await?;
    let hid = attempt.household.id;
    let ctx = AuditCtx {
        actor: Actor::Household(hid),
        request_id: request_id(&req),
        now_ms: now,
    };
    let owner = attempt.owner();
    if !right {
        let now_locked = state
            .db(move |c| store::fail(c, &ctx, owner, &rule).map_err(ApiError::from))
            .await?;
        return match now_locked {
            Some(until_ms) => Ok(locked(until_ms, now)),
            None => Err(fail()),
        };
    }
    let token = TokenKind::Kiosk.generate();
    let token_hash = hash_token(&token);
    let idle_ms = state.kiosk.idle_timeout_ms();
    let opened = state
        .db(move |c| {
            store::succeed(c, &ctx, hid, owner, &token_hash, idle_ms).map_err(ApiError::from)
        })
        .await?;
    let expires_at_ms = match opened {
        Ok(at) => at,
        Err(AttemptRefused::Locked { until_ms }) => return Ok(locked(until_ms, now)),
        Err(_) => return Err(bad_credentials()),
    };
    Ok(HttpResponse::Ok().json(LoginResult {
        token,
        expires_at: rfc3339(expires_at_ms),
        household: KioskHousehold::of(&attempt.household, attempt.ticket.as_ref()),
    }))
}

impl KioskHousehold {
    /// The household as its kiosk shows it; a ticket holder sees the ticket's number and its
    /// own masked name (a transferee's, after a transfer).
    pub fn of(h: &crate::db::households::Household, ticket: Option<&Ticket>) -> KioskHousehold {
        match ticket {
            None => KioskHousehold {
                id: h.id,
                name_masked: h.name_masked.clone(),
                voucher_no: h.voucher_no.clone(),
                method: Method::parse(&h.method).unwrap_or(Method::Hall),
            },
            Some(t) => KioskHousehold {
                id: h.id,
                name_masked: t
                    .holder_name_masked
                    .clone()
                    .unwrap_or_else(|| h.name_masked.clone()),
                voucher_no: t.ticket_no.clone(),
                method: Method::Ticket,
            },
        }
    }
}

#[utoipa::path(post, path = "/api/v1/kiosk/logout", tag = "kiosk", security(("bearer" = [])),
    responses((status = 204, description = "the session is ended"), (status = 401, body = Err), (status = 403, body = Err)))]
#[post("/api/v1/kiosk/logout")]
pub async fn kiosk_logout(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let (_, session_id) = caller.household()?;
    let ctx = caller.audit(state.now_ms());
    state
        .db(move |c| store::end_session(c, &ctx, session_id).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
