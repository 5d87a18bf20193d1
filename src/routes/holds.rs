//! A household's holds at the kiosk: hold a unit (with `Idempotency-Key`), confirm it into a
//! reservation, release it.

use actix_web::{delete, http::header, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::area_m2;
use super::quotes::AnyQuote;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::idempotency::{self, IdemKey, Stored};
use crate::db::selection::{self as store, Reservation};
use crate::domain::selection::ReservationStatus;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::body::JsonBody;
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    pub unit_id: i64,
}

/// A hold or reservation as the household and the developer see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationOut {
    pub id: i64,
    pub unit_id: i64,
    pub household_id: i64,
    pub round_id: Option<i64>,
    pub status: ReservationStatus,
    pub held_at: String,
    /// the hold's end (RFC 3339); after it the unit is free for everyone
    pub expires_at: String,
    pub confirmed_at: Option<String>,
    pub contracted_at: Option<String>,
    /// the quote frozen at confirmation: in area terms, or in ticket terms when a housing
    /// ticket paid (`ticket_id` set)
    pub quote: Option<AnyQuote>,
    pub ticket_id: Option<i64>,
    pub policy_version: Option<i64>,
    pub contract_no: Option<String>,
    pub cancel_reason: Option<String>,
}

impl From<&Reservation> for ReservationOut {
    fn from(r: &Reservation) -> Self {
        ReservationOut {
            id: r.id,
            unit_id: r.unit_id,
            household_id: r.household_id,
            round_id: r.round_id,
            status: r.status,
            held_at: rfc3339(r.held_at_ms),
            expires_at: rfc3339(r.expires_at_ms),
            confirmed_at: r.confirmed_at_ms.map(rfc3339),
            contracted_at: r.contracted_at_ms.map(rfc3339),
            quote: match r.frozen_ticket_quote() {
                Some(t) => Some(AnyQuote::Ticket(t.into())),
                None => r.frozen_quote().map(AnyQuote::from),
            },
            ticket_id: r.ticket_id,
            policy_version: r.policy_version,
            contract_no: r.contract_no.clone(),
            cancel_reason: r.cancel_reason.clone(),
        }
    }
}

/// A new hold: its end and what the unit would cost.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldOut {
    pub id: i64,
    pub unit_id: i64,
    pub status: ReservationStatus,
    pub expires_at: String,
    /// seconds left, for the kiosk's countdown
    pub expires_in_s: i64,
    pub quote: AnyQuote,
    pub policy_version: i64,
}

/// The `Idempotency-Key` header, for the document: the routes read it with `idempotency_key`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyHeader {
    /// 1–100 printable ASCII characters; a replay returns the first response, the same key with
    /// another request is 409 `idempotency_key_reused`
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 100,
        pattern = "^[!-~]+$"
    )]
    pub key: Option<String>,
}

/// The `Idempotency-Key` of a request by `scope`, bound to the method, path and `body`.
pub fn idempotency_key(
    req: &HttpRequest,
    scope: String,
    body: &[u8],
) -> ApiResult<Option<IdemKey>> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::new(
                RefusalKind::InvalidQuery,
                "Idempotency-Key must be 1 to 100 printable ASCII characters",
            )
        })?;
    let mut hash = Sha256::new();
    hash.update(req.method().as_str());
    hash.update([0]);
    hash.update(req.path());
    hash.update([0]);
    hash.update(body);
    Ok(Some(IdemKey {
        scope,
        key: key.to_string(),
        request_hash: hex::encode(hash.finalize()),
    }))
}

/// The stored or fresh response, marked when it is a replay.
pub fn respond(stored: Stored) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(stored.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    let mut res = HttpResponse::build(status);
    res.content_type("application/json");
    if stored.replayed {
        res.insert_header((
            header::HeaderName::from_static("idempotent-replayed"),
            "true",
        ));
    }
    res.body(stored.body)
}

#[utoipa::path(post, path = "/api/v1/kiosk/holds", tag = "selection", security(("bearer" = [])),
    request_body = HoldRequest,
    params(IdempotencyKeyHeader),
    responses((status = 201, body = HoldOut), (status = 401, body = Err),
        (status = 403, body = Err, description = "not_your_turn, voucher_expired, ticket_expired, ticket_closed"),
        (status = 404, body = Err, description = "no such unit"),
        (status = 409, body = Err, description = "unit_not_available, hold_limit_reached, round_not_open, entitlement_exhausted, ticket_exhausted, usage_not_allowed, idempotency_key_reused")))]
#[post("/api/v1/kiosk/holds")]
pub async fn create_hold(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<HoldRequest>,
) -> ApiResult<HttpResponse> {
    let payer = caller.payer()?;
    let household_id = payer.household_id;
    let body = body.into_inner();
    let canonical = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    let key = idempotency_key(&req, format!("household:{household_id}"), &canonical)?;
    let ctx = caller.audit(state.now_ms());
    // a refusal is decided from reads, without queueing for the write lock; a replay goes on
    let (now, unit_id, replay_key) = (ctx.now_ms, body.unit_id, key.clone());
    state
        .db(
            move |c| match store::precheck_hold(c, payer, unit_id, now) {
                Ok(()) => Ok(()),
                // refused by what the first request with this key did (its hold, the unit it
                // took): a replay, answered by the write path with the stored response. The hold
                // and its key commit together, so a read that sees one sees the other.
                Err(refused) => match &replay_key {
                    Some(k) if idempotency::is_stored(c, k)? => Ok(()),
                    _ => Err(ApiError::from(refused)),
                },
            },
        )
        .await?;
    let stored = state
        .write_grouped(move |c| {
            idempotency::run(c, key.as_ref(), 201, ctx.now_ms, |c| {
                let (r, quote, policy_version) = store::place_hold(c, &ctx, payer, body.unit_id)?;
                Ok(HoldOut {
                    id: r.id,
                    unit_id: r.unit_id,
                    status: r.status,
                    expires_at: rfc3339(r.expires_at_ms),
                    expires_in_s: (r.expires_at_ms - ctx.now_ms) / 1000,
                    quote: quote.into(),
                    policy_version,
                })
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(respond(stored))
}

#[utoipa::path(post, path = "/api/v1/kiosk/holds/{id}/confirm", tag = "selection", security(("bearer" = [])),
    params(("id" = i64, Path, description = "hold id"),
        IdempotencyKeyHeader),
    responses((status = 200, body = ReservationOut, description = "confirmed, with the frozen quote"),
        (status = 401, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "hold_expired, entitlement_exhausted, ticket_exhausted, ticket_expired, usage_not_allowed, invalid_transition, idempotency_key_reused")))]
#[post("/api/v1/kiosk/holds/{id}/confirm")]
pub async fn confirm_hold(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (household_id, _) = caller.household()?;
    let hold_id = id.into_inner();
    let key = idempotency_key(&req, format!("household:{household_id}"), b"")?;
    let ctx = caller.audit(state.now_ms());
    let stored = state
        .write_grouped(move |c| {
            idempotency::run(c, key.as_ref(), 200, ctx.now_ms, |c| {
                let r = store::confirm(c, &ctx, household_id, hold_id)?;
                Ok(ReservationOut::from(&r))
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(respond(stored))
}

#[utoipa::path(delete, path = "/api/v1/kiosk/holds/{id}", tag = "selection", security(("bearer" = [])),
    params(("id" = i64, Path, description = "hold id")),
    responses((status = 204, description = "released; the unit is available again"), (status = 401, body = Err),
        (status = 404, body = Err), (status = 409, body = Err, description = "invalid_transition: not a hold")))]
#[delete("/api/v1/kiosk/holds/{id}")]
pub async fn release_hold(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (household_id, _) = caller.household()?;
    let hold_id = id.into_inner();
    let ctx = caller.audit(state.now_ms());
    state
        .write_grouped(move |c| {
            crate::db::write_tx(c, |c| store::release(c, &ctx, household_id, hold_id))
                .map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A reservation with the unit and the household (masked), for developers and officials.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationDetail {
    #[serde(flatten)]
    pub reservation: ReservationOut,
    pub project_id: i64,
    pub project_name: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub area_m2: f64,
    /// e.g. `张*明`
    pub household_name_masked: String,
}

impl From<store::ReservationRow> for ReservationDetail {
    fn from(row: store::ReservationRow) -> Self {
        ReservationDetail {
            reservation: ReservationOut::from(&row.reservation),
            project_id: row.unit.project_id,
            project_name: row.unit.project_name,
            building: row.unit.building,
            unit: row.unit.unit,
            room: row.unit.room,
            area_m2: area_m2(row.unit.area_centi_m2),
            household_name_masked: row.name_masked,
        }
    }
}
