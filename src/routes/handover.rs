//! Handover (交房) of a contracted reservation: the developer files the measured area (or
//! previews the settlement first), an admin corrects it, the household or an admin rescinds
//! (退房) beyond ±3 %, the developer or an admin records the move-in (入住). docs/aftercare.md.

use actix_web::{post, put, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::area_m2;
use crate::auth::{Caller, Principal};
use crate::clock::rfc3339;
use crate::db::aftercare::handover::{self as store, Filer, Handover, HandoverInput};
use crate::domain::handover::{self as rule, AreaCase, AreaSettlement};
use crate::domain::periods::{day_of, local_day};
use crate::domain::{text_field, FieldError};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// 实测面积 in m², at most two decimals
    #[schema(example = 102.0)]
    pub measured_area_m2: f64,
    /// 面积实测报告编号, 1–64 characters
    #[schema(min_length = 1, max_length = 64)]
    pub survey_report_no: String,
    /// the handover date (交房日期), YYYY-MM-DD, not after today
    #[schema(example = "2026-12-01")]
    pub handover_date: String,
    /// an admin's correction: why (required on PUT, refused on POST)
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescindRequest {
    /// why the household rescinds (its written request)
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInRequest {
    /// the move-in date, YYYY-MM-DD, from the handover date to today
    #[schema(example = "2026-12-03")]
    pub date: String,
}

/// The area-difference settlement: what a filing freezes, or what a preview would.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementOut {
    pub contracted_area_m2: f64,
    pub measured_area_m2: f64,
    /// measured − contracted
    pub difference_m2: f64,
    pub price_per_m2_yuan: i64,
    pub area_case: AreaCase,
    /// negative: refunded to the household
    pub household_pays_yuan: i64,
    pub developer_absorbs_yuan: i64,
    /// the doubled part's second copy of a shortfall beyond 3 %
    pub developer_penalty_yuan: i64,
    /// beyond ±3 %: the household may rescind within the policy's `rescind_days`
    pub may_rescind: bool,
}

impl SettlementOut {
    fn of(s: &AreaSettlement, price_per_m2_yuan: i64) -> Self {
        SettlementOut {
            contracted_area_m2: area_m2(s.contracted_centi),
            measured_area_m2: area_m2(s.measured_centi),
            difference_m2: area_m2(s.difference_centi),
            price_per_m2_yuan,
            area_case: s.case,
            household_pays_yuan: s.household_pays_yuan,
            developer_absorbs_yuan: s.developer_absorbs_yuan,
            developer_penalty_yuan: s.developer_penalty_yuan,
            may_rescind: s.may_rescind,
        }
    }
}

/// A filed handover with its frozen settlement and what followed.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverOut {
    pub reservation_id: i64,
    #[serde(flatten)]
    pub settlement: SettlementOut,
    pub survey_report_no: String,
    pub handover_date: String,
    /// the last day a rescission is accepted (beyond ±3 % only)
    pub rescind_until: Option<String>,
    pub filed_at: String,
    pub corrected_at: Option<String>,
    pub correction_reason: Option<String>,
    pub rescinded_at: Option<String>,
    pub rescind_reason: Option<String>,
    pub moved_in_on: Option<String>,
}

fn date_text(day: i32) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day / 10_000,
        day / 100 % 100,
        day % 100
    )
}

impl HandoverOut {
    fn of(h: &Handover, rescind_days: i64) -> Self {
        let s = rule::settle(
            h.contracted_area_centi_m2,
            h.measured_area_centi_m2,
            h.price_per_m2_yuan,
        );
        HandoverOut {
            reservation_id: h.reservation_id,
            settlement: SettlementOut::of(&s, h.price_per_m2_yuan),
            survey_report_no: h.survey_report_no.clone(),
            handover_date: date_text(h.handover_day),
            rescind_until: s
                .may_rescind
                .then(|| rule::rescind_deadline_day(h.handover_day, rescind_days).map(date_text))
                .flatten(),
            filed_at: rfc3339(h.filed_at_ms),
            corrected_at: h.corrected_at_ms.map(rfc3339),
            correction_reason: h.correction_reason.clone(),
            rescinded_at: h.rescinded_at_ms.map(rfc3339),
            rescind_reason: h.rescind_reason.clone(),
            moved_in_on: h.moved_in_day.map(date_text),
        }
    }
}

/// A `YYYY-MM-DD` date as a local day, not after today.
fn past_day(errors: &mut Vec<FieldError>, field: &str, text: &str, now_ms: i64) -> i32 {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(d) if day_of(d) <= local_day(now_ms) => day_of(d),
        Ok(_) => {
            errors.push(FieldError::new(field, "must not be after today"));
            0
        }
        Err(_) => {
            errors.push(FieldError::new(field, "must be a date, YYYY-MM-DD"));
            0
        }
    }
}

/// The request as a filing; `correction`: a reason is required (PUT), else refused (POST).
fn input(
    body: &HandoverRequest,
    now_ms: i64,
    correction: bool,
) -> ApiResult<(HandoverInput, Option<String>)> {
    let mut errors = Vec::new();
    let measured = rule::parse_measured_area(body.measured_area_m2).unwrap_or_else(|m| {
        errors.push(FieldError::new("measured_area_m2", m));
        0
    });
    let report = text_field(
        &mut errors,
        "survey_report_no",
        &body.survey_report_no,
        1,
        64,
    );
    let day = past_day(&mut errors, "handover_date", &body.handover_date, now_ms);
    let reason = match (&body.reason, correction) {
        (Some(r), true) => Some(text_field(&mut errors, "reason", r, 1, 500)),
        (None, true) => {
            errors.push(FieldError::new("reason", "a correction gives its reason"));
            None
        }
        (Some(_), false) => {
            errors.push(FieldError::new(
                "reason",
                "only an admin's correction has a reason",
            ));
            None
        }
        (None, false) => None,
    };
    for (field, text) in [
        ("survey_report_no", report.as_str()),
        ("reason", reason.as_deref().unwrap_or("")),
    ] {
        if text.chars().any(char::is_control) {
            errors.push(FieldError::new(
                field,
                "must not contain control characters",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok((
        HandoverInput {
            measured_centi_m2: measured,
            survey_report_no: report,
            handover_day: day,
        },
        reason,
    ))
}

async fn rescind_days(state: &AppState) -> ApiResult<i64> {
    let now = state.now_ms();
    Ok(state
        .db(move |c| Ok(crate::db::policy::in_force(c, now)?))
        .await?
        .policy
        .aftercare
        .rescind_days)
}

#[utoipa::path(post, path = "/api/v1/reservations/{id}/handover", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "reservation id")), request_body = HandoverRequest,
    responses((status = 201, body = HandoverOut, description = "filed; the settlement is frozen"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err, description = "not a reservation of this developer's units"),
        (status = 409, body = Err, description = "already_handed_over; invalid_transition: not contracted"),
        (status = 422, body = Err, description = "validation_failed: the area, the report number or the date")))]
#[post("/api/v1/reservations/{id}/handover")]
pub async fn file_handover(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<HandoverRequest>,
) -> ApiResult<HttpResponse> {
    let developer_id = caller.developer()?;
    let (input, _) = input(&body, state.now_ms(), false)?;
    let ctx = caller.audit(state.now_ms());
    let id = id.into_inner();
    let filer = Filer::Developer(developer_id);
    let h = state
        .write(move |c| Ok(store::file(c, &ctx, filer, id, &input, None)?))
        .await?;
    let days = rescind_days(&state).await?;
    Ok(HttpResponse::Created().json(HandoverOut::of(&h, days)))
}

#[utoipa::path(post, path = "/api/v1/reservations/{id}/handover/preview", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "reservation id")), request_body = HandoverRequest,
    responses((status = 200, body = SettlementOut, description = "the settlement a filing would freeze; nothing is written"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition: not contracted"), (status = 422, body = Err)))]
#[post("/api/v1/reservations/{id}/handover/preview")]
pub async fn preview_handover(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<HandoverRequest>,
) -> ApiResult<web::Json<SettlementOut>> {
    let developer_id = caller.developer()?;
    let (input, _) = input(&body, state.now_ms(), false)?;
    let id = id.into_inner();
    let (s, price) = state
        .db(move |c| {
            let s = store::preview(c, developer_id, id, &input)?;
            let r = crate::db::selection::get(c, id)?
                .ok_or_else(|| ApiError::not_found("reservation"))?;
            let unit = crate::db::selection::unit_info(c, r.unit_id)?
                .ok_or_else(|| ApiError::not_found("reservation"))?;
            Ok((s, unit.price_per_m2_yuan))
        })
        .await?;
    Ok(web::Json(SettlementOut::of(&s, price)))
}

#[utoipa::path(put, path = "/api/v1/reservations/{id}/handover", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "reservation id")), request_body = HandoverRequest,
    responses((status = 200, body = HandoverOut, description = "corrected; recomputed and frozen again"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "not_handed_over; invalid_transition: rescinded"),
        (status = 422, body = Err, description = "validation_failed, a reason is required")))]
#[put("/api/v1/reservations/{id}/handover")]
pub async fn correct_handover(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<HandoverRequest>,
) -> ApiResult<web::Json<HandoverOut>> {
    let official = caller.admin()?;
    let (input, reason) = input(&body, state.now_ms(), true)?;
    let ctx = caller.audit(state.now_ms());
    let id = id.into_inner();
    let h = state
        .write(move |c| {
            Ok(store::file(
                c,
                &ctx,
                Filer::Admin(official),
                id,
                &input,
                reason.as_deref(),
            )?)
        })
        .await?;
    let days = rescind_days(&state).await?;
    Ok(web::Json(HandoverOut::of(&h, days)))
}

#[utoipa::path(post, path = "/api/v1/reservations/{id}/rescind", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "reservation id")), request_body = RescindRequest,
    responses((status = 200, body = HandoverOut, description = "rescinded: entitlement restored, unit withdrawn"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "rescind_not_allowed: within ±3 % or too late; not_handed_over; invalid_transition"),
        (status = 422, body = Err)))]
#[post("/api/v1/reservations/{id}/rescind")]
pub async fn rescind_reservation(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<RescindRequest>,
) -> ApiResult<web::Json<HandoverOut>> {
    let household = match caller.principal {
        Principal::Household { household_id, .. } => Some(household_id),
        _ => {
            caller.admin()?;
            None
        }
    };
    let mut errors = Vec::new();
    let reason = text_field(&mut errors, "reason", &body.reason, 1, 500);
    if reason.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "reason",
            "must not contain control characters",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let ctx = caller.audit(state.now_ms());
    let id = id.into_inner();
    let h = state
        .write(move |c| Ok(store::rescind(c, &ctx, household, id, &reason)?))
        .await?;
    let days = rescind_days(&state).await?;
    Ok(web::Json(HandoverOut::of(&h, days)))
}

#[utoipa::path(post, path = "/api/v1/reservations/{id}/move-in", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "reservation id")), request_body = MoveInRequest,
    responses((status = 200, body = HandoverOut, description = "move-in recorded"),
        (status = 401, body = Err), (status = 403, body = Err, description = "a viewer"), (status = 404, body = Err),
        (status = 409, body = Err, description = "not_handed_over; already_moved_in; invalid_transition: rescinded"),
        (status = 422, body = Err, description = "validation_failed: a date from the handover to today")))]
#[post("/api/v1/reservations/{id}/move-in")]
pub async fn record_move_in(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<MoveInRequest>,
) -> ApiResult<web::Json<HandoverOut>> {
    let developer = match caller.principal {
        Principal::Developer { developer_id, .. } => Some(developer_id),
        _ => {
            caller.admin()?;
            None
        }
    };
    let mut errors = Vec::new();
    let day = past_day(&mut errors, "date", &body.date, state.now_ms());
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let ctx = caller.audit(state.now_ms());
    let id = id.into_inner();
    let h = state
        .write(move |c| Ok(store::move_in(c, &ctx, developer, id, day)?))
        .await?;
    let days = rescind_days(&state).await?;
    Ok(web::Json(HandoverOut::of(&h, days)))
}
