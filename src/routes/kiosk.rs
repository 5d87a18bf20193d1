//! The household at a kiosk: log in with voucher number + PIN, log out, its own summary, the
//! quote for one unit and personalised matches.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::area_m2;
use super::households::{entitled_by_zone, ByZone};
use super::listings::{Listing, ListingParams};
use crate::auth::{request_id, Caller};
use crate::clock::rfc3339;
use crate::db::audit::{Actor, AuditCtx};
use crate::db::kiosk::{self as store, AttemptRefused};
use crate::db::matches;
use crate::domain::entitlement::{cash_out_yuan, quote, Quote, UnitTerms};
use crate::domain::household::{is_pin, normalize_voucher, Method};
use crate::domain::matching::{fit, Fit};
use crate::domain::policy::Zone;
use crate::domain::token::{hash_token, TokenKind};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::search::{ListingDoc, SortBy, MAX_OFFSET};
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// as printed on the slip; case, spaces and dashes do not matter
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

fn locked(until_ms: i64, now_ms: i64) -> ApiError {
    let minutes = ((until_ms - now_ms).max(0) + 59_999) / 60_000;
    ApiError::new(
        ErrorCode::LoginLocked,
        format!("too many wrong PINs: this voucher is locked for {minutes} more minutes; ask the hall staff for help"),
    )
    .with_details(serde_json::json!({ "locked_until": rfc3339(until_ms) }))
}

fn bad_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "wrong voucher number or PIN")
}

#[utoipa::path(post, path = "/api/v1/kiosk/login", tag = "kiosk", request_body = LoginRequest,
    responses((status = 200, body = LoginResult), (status = 400, body = Err),
        (status = 401, body = Err, description = "invalid_credentials"),
        (status = 423, body = Err, description = "login_locked: the voucher is locked after too many wrong PINs"),
        (status = 429, body = Err, description = "login_locked: too many failures from this address; see Retry-After")))]
#[post("/api/v1/kiosk/login")]
pub async fn kiosk_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let addr = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let now = state.now_ms();
    if let Some(wait_ms) = state.login_throttle.check(addr, now) {
        let secs = (wait_ms + 999) / 1000;
        let mut response = ApiError::new(
            ErrorCode::LoginThrottled,
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
        .db(move |c| crate::db::policy::in_force(c, now))
        .await?
        .policy;
    let max = policy.login_max_failures;
    let attempt = state
        .db(move |c| store::begin_attempt(c, &voucher, now, max))
        .await?;
    let household = match attempt {
        Ok(h) => h,
        Err(AttemptRefused::UnknownVoucher) => return Err(fail()),
        Err(AttemptRefused::Locked { until_ms }) => return Err(locked(until_ms, now)),
    };
    let (pin, stored) = (body.pin.trim().to_string(), household.pin_hash.clone());
    let right = web::block(move || crate::crypto::verify_pin(&stored, &pin)).await?;
    let ctx = AuditCtx {
        actor: Actor::Household(household.id),
        request_id: request_id(&req),
        now_ms: now,
    };
    let hid = household.id;
    if !right {
        let lockout_ms = policy.login_lockout_minutes * 60_000;
        let now_locked = state
            .db(move |c| store::fail(c, &ctx, hid, max, lockout_ms))
            .await?;
        return Err(match now_locked {
            Some(until_ms) => locked(until_ms, now),
            None => fail(),
        });
    }
    let token = TokenKind::Kiosk.generate();
    let token_hash = hash_token(&token);
    let idle_ms = state.kiosk.idle_timeout_ms();
    let opened = state
        .db(move |c| store::succeed(c, &ctx, hid, &token_hash, idle_ms))
        .await?;
    let expires_at_ms = opened.map_err(|refused| match refused {
        AttemptRefused::Locked { until_ms } => locked(until_ms, now),
        AttemptRefused::UnknownVoucher => bad_credentials(),
    })?;
    Ok(HttpResponse::Ok().json(LoginResult {
        token,
        expires_at: rfc3339(expires_at_ms),
        household: KioskHousehold {
            id: household.id,
            name_masked: household.name_masked,
            voucher_no: household.voucher_no,
            method: Method::parse(&household.method).unwrap_or(Method::Hall),
        },
    }))
}

#[utoipa::path(post, path = "/api/v1/kiosk/logout", tag = "kiosk", security(("bearer" = [])),
    responses((status = 204, description = "the session is ended"), (status = 401, body = Err), (status = 403, body = Err)))]
#[post("/api/v1/kiosk/logout")]
pub async fn kiosk_logout(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let (_, session_id) = caller.household()?;
    let ctx = caller.audit(state.now_ms());
    state
        .db(move |c| store::end_session(c, &ctx, session_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The household's own summary (api.md `GET /kiosk/me`).
#[derive(Debug, Serialize, ToSchema)]
pub struct KioskMe {
    pub household: KioskHousehold,
    pub origin_zone: i64,
    pub origin_area_m2: f64,
    pub remaining_origin_area_m2: f64,
    /// what the remaining origin area buys in each zone class
    #[schema(value_type = Object)]
    pub entitled_area_m2_by_zone: ByZone,
    /// the remaining origin area taken as cash at the assessed price
    pub cash_out_yuan: i64,
    pub relocation_reward_yuan_per_m2: i64,
    /// the live hold, if any: `{id, unit_id, project_name, building, unit, room, expires_at, expires_in_s}`
    #[schema(value_type = Option<Object>)]
    pub active_hold: Option<serde_json::Value>,
    /// confirmed and contracted reservations with their frozen quotes
    #[schema(value_type = Vec<Object>)]
    pub reservations: Vec<serde_json::Value>,
    /// the household's place in its open round (else its latest):
    /// `{id, name, position, called_up_to, open, your_turn}`
    #[schema(value_type = Option<Object>)]
    pub round: Option<serde_json::Value>,
    pub policy_version: i64,
}

#[utoipa::path(get, path = "/api/v1/kiosk/me", tag = "kiosk", security(("bearer" = [])),
    responses((status = 200, body = KioskMe), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/kiosk/me")]
pub async fn kiosk_me(caller: Caller, state: web::Data<AppState>) -> ApiResult<web::Json<KioskMe>> {
    let (hid, _) = caller.household()?;
    let now = state.now_ms();
    let (h, version, reservations, places) = state
        .db(move |c| {
            let h = crate::db::households::get(c, hid)?
                .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
            let version = crate::db::policy::in_force(c, now)?;
            let reservations = crate::db::selection::of_household(c, hid)?;
            let places = crate::db::rounds::memberships(c, hid)?;
            Ok((h, version, reservations, places))
        })
        .await?;
    let active_hold = reservations
        .iter()
        .find(|r| r.reservation.status == "held" && r.reservation.expires_at_ms > now)
        .map(|r| {
            serde_json::json!({
                "id": r.reservation.id,
                "unit_id": r.reservation.unit_id,
                "project_name": r.unit.project_name,
                "building": r.unit.building, "unit": r.unit.unit, "room": r.unit.room,
                "expires_at": rfc3339(r.reservation.expires_at_ms),
                "expires_in_s": (r.reservation.expires_at_ms - now) / 1000,
            })
        });
    let round = places
        .iter()
        .find(|(r, _)| r.status == "open")
        .or(places.first())
        .map(|(r, position)| {
            serde_json::json!({
                "id": r.id, "name": r.name, "position": position,
                "called_up_to": r.called_up_to, "open": r.status == "open",
                "your_turn": r.status == "open" && position.is_some_and(|p| p <= r.called_up_to),
            })
        });
    let reservations = reservations
        .into_iter()
        .filter(|r| matches!(r.reservation.status.as_str(), "confirmed" | "contracted"))
        .map(|r| serde_json::to_value(super::holds::ReservationDetail::from(r)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::internal)?;
    Ok(web::Json(KioskMe {
        entitled_area_m2_by_zone: entitled_by_zone(&h, &version.policy),
        cash_out_yuan: cash_out_yuan(
            h.remaining_origin_area_centi_m2,
            h.assessed_price_yuan_per_m2,
        ),
        relocation_reward_yuan_per_m2: version.policy.relocation_reward_yuan_per_m2,
        origin_zone: i64::from(h.origin_zone),
        origin_area_m2: area_m2(h.origin_area_centi_m2),
        remaining_origin_area_m2: area_m2(h.remaining_origin_area_centi_m2),
        household: KioskHousehold {
            id: h.id,
            name_masked: h.name_masked,
            voucher_no: h.voucher_no,
            method: Method::parse(&h.method).unwrap_or(Method::Hall),
        },
        active_hold,
        reservations,
        round,
        policy_version: version.version,
    }))
}

/// A quote in api.md's units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteOut {
    pub entitled_area_m2: f64,
    pub covered_area_m2: f64,
    pub origin_area_consumed_m2: f64,
    pub gov_pays_yuan: i64,
    pub top_up_yuan: i64,
    pub reward_yuan: i64,
}

impl From<Quote> for QuoteOut {
    fn from(q: Quote) -> Self {
        QuoteOut {
            entitled_area_m2: area_m2(q.entitled_centi),
            covered_area_m2: area_m2(q.covered_centi),
            origin_area_consumed_m2: area_m2(q.origin_consumed_centi),
            gov_pays_yuan: q.gov_pays_yuan,
            top_up_yuan: q.top_up_yuan,
            reward_yuan: q.reward_yuan,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FitOut {
    /// `fully_covered` or `top_up`
    pub kind: String,
    pub unused_entitlement_m2: f64,
    pub over_entitlement_m2: f64,
    /// one line in plain Chinese, e.g. `超出可安置面积 4.00 m²，需补差价 36000 元`
    pub summary: String,
}

impl From<Fit> for FitOut {
    fn from(f: Fit) -> Self {
        FitOut {
            kind: f.kind.to_string(),
            unused_entitlement_m2: area_m2(f.unused_entitlement_centi),
            over_entitlement_m2: area_m2(f.over_entitlement_centi),
            summary: f.summary,
        }
    }
}

/// A listed unit with what it would cost this household.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotedListing {
    #[serde(flatten)]
    pub listing: Listing,
    pub quote: QuoteOut,
    pub fit: FitOut,
}

fn terms(doc: &ListingDoc) -> ApiResult<UnitTerms> {
    Ok(UnitTerms {
        zone: Zone::new(doc.zone_class)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unit {} zone", doc.unit_id)))?,
        area_centi: doc.area_centi_m2,
        price_per_m2_yuan: doc.price_per_m2_yuan,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteResult {
    pub unit_id: i64,
    pub quote: QuoteOut,
    pub fit: FitOut,
    /// the policy version the quote was computed under
    pub policy_version: i64,
    pub listing: Listing,
}

#[utoipa::path(get, path = "/api/v1/kiosk/quote/{unit_id}", tag = "kiosk", security(("bearer" = [])),
    params(("unit_id" = i64, Path, description = "a listed unit")),
    responses((status = 200, body = QuoteResult), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err, description = "the unit is not listed")))]
#[get("/api/v1/kiosk/quote/{unit_id}")]
pub async fn kiosk_quote(
    caller: Caller,
    state: web::Data<AppState>,
    unit_id: web::Path<i64>,
) -> ApiResult<web::Json<QuoteResult>> {
    let (hid, _) = caller.household()?;
    let now = state.now_ms();
    let unit_id = unit_id.into_inner();
    let (h, version, doc) = state
        .db(move |c| {
            let doc = crate::db::listings::load_listed(c, &[unit_id])?
                .pop()
                .ok_or_else(|| ApiError::not_found("listing"))?;
            let h = crate::db::households::get(c, hid)?
                .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
            Ok((h, crate::db::policy::in_force(c, now)?, doc))
        })
        .await?;
    let unit = terms(&doc)?;
    let q = quote(h.entitlement(), unit, &version.policy);
    Ok(web::Json(QuoteResult {
        unit_id,
        quote: q.into(),
        fit: fit(&q, &unit).into(),
        policy_version: version.version,
        listing: Listing::new(doc, None),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// leave out units whose top-up would exceed this many yuan (default: no limit)
    pub max_top_up_yuan: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchPage {
    pub items: Vec<QuotedListing>,
    /// units that match the filters and the top-up limit
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub max_top_up_yuan: Option<i64>,
    pub policy_version: i64,
    pub took_ms: f64,
}

#[utoipa::path(get, path = "/api/v1/kiosk/matches", tag = "kiosk", security(("bearer" = [])),
    params(ListingParams, MatchParams),
    responses((status = 200, body = MatchPage, description = "ranked by fit: fully covered units closest to the entitled area first, then the smallest top-up"),
        (status = 400, body = Err, description = "invalid_query"), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/kiosk/matches")]
pub async fn kiosk_matches(
    caller: Caller,
    state: web::Data<AppState>,
    filters: web::Query<ListingParams>,
    params: web::Query<MatchParams>,
) -> ApiResult<web::Json<MatchPage>> {
    let started = Instant::now();
    let (hid, _) = caller.household()?;
    let bad = |m: &str| ApiError::new(ErrorCode::InvalidQuery, m.to_string());
    let (query, page, per_page) = filters.into_inner().into_query()?;
    if query.q.is_some() {
        return Err(bad(
            "matches take the listing filters, not q; search text with /api/v1/listings",
        ));
    }
    if query.sort != SortBy::Relevance {
        return Err(bad("matches are ranked by fit; sort is not supported"));
    }
    if query.offset + query.limit > MAX_OFFSET {
        return Err(bad("page too deep: narrow the filters"));
    }
    let zones: Vec<Zone> = match query.zone_class {
        None => Zone::ALL.to_vec(),
        Some(z) => vec![Zone::new(z).ok_or_else(|| bad("zone_class must be 1, 2 or 3"))?],
    };
    let max_top_up = params.max_top_up_yuan;
    if max_top_up.is_some_and(|m| m < 0) {
        return Err(bad("max_top_up_yuan must not be negative"));
    }
    let now = state.now_ms();
    let (ranked, total, docs, version) = state
        .db(move |c| {
            let h = crate::db::households::get(c, hid)?
                .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
            let version = crate::db::policy::in_force(c, now)?;
            let page = matches::ranked_page(
                c,
                &query,
                h.entitlement(),
                &zones,
                &version.policy,
                max_top_up,
            )?;
            let ids: Vec<i64> = page.items.iter().map(|r| r.unit_id).collect();
            let docs = crate::db::listings::load_listed(c, &ids)?;
            Ok((page.items, page.total, docs, version))
        })
        .await?;
    let mut docs: std::collections::HashMap<i64, ListingDoc> =
        docs.into_iter().map(|d| (d.unit_id, d)).collect();
    let items = ranked
        .into_iter()
        .filter_map(|r| {
            let doc = docs.remove(&r.unit_id)?;
            Some(QuotedListing {
                listing: Listing::new(doc, None),
                quote: r.quote.into(),
                fit: fit(&r.quote, &r.terms).into(),
            })
        })
        .collect();
    Ok(web::Json(MatchPage {
        items,
        total,
        page,
        per_page,
        max_top_up_yuan: max_top_up,
        policy_version: version.version,
        took_ms: (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
    }))
}
