//! The hall's policy: `GET /api/v1/policy` (the version in force, public: it is the hall's
//! published rules), `PUT /api/v1/policy` (admin: a new effective-dated version) and
//! `GET /api/v1/policy/versions` (officials: every version kept).

use std::collections::BTreeMap;

use actix_web::{get, put, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::policy::{self as store, PolicyVersion};
use crate::domain::policy::{PolicyChange, PolicyValues};
use crate::domain::ticket::SpeedTier;
use crate::domain::usage::Usage;
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::state::AppState;

type Err = crate::error::ErrorBody;

/// One policy version with its values (`PolicyValues`' fields, written out: the document says
/// exactly what is served).
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyOut {
    pub version: i64,
    /// RFC 3339; the version is in force from then until a later version's `effective_from`
    pub effective_from: String,
    pub created_at: String,
    /// `null` for the first version, which no official wrote
    pub created_by_official_id: Option<i64>,
    /// `zone_ratio["1"]["2"]` = area multiplier when moving from zone 1 into zone 2
    pub zone_ratio: BTreeMap<String, BTreeMap<String, f64>>,
    pub relocation_reward_yuan_per_m2: i64,
    pub hold_minutes: i64,
    pub max_active_holds: i64,
    pub voucher_validity_days: i64,
    pub monetization_target_pct: i64,
    pub login_max_failures: i64,
    pub login_lockout_minutes: i64,
    /// a housing ticket's validity from its issue
    pub ticket_validity_days: i64,
    /// bonus by days elapsed since issue: the first tier whose `within_days` ≥ elapsed applies; none → 0
    pub ticket_speed_tiers: Vec<SpeedTier>,
    /// bonus percent added by the zone class of the unit, keyed "1", "2", "3"
    pub ticket_zone_bonus_pct: BTreeMap<String, i64>,
    /// how many times a ticket may change holder (0 forbids)
    pub ticket_transfers_allowed: i64,
    /// usages a ticket may buy
    pub ticket_usages_allowed: Vec<Usage>,
    /// whether a cash-out at expiry carries any bonus
    pub ticket_cash_out_bonus: bool,
    /// whether a ticket holder in no round may hold units
    pub ticket_open_selection: bool,
    /// 公示期: days a round's notice is open for objections
    pub notice_days: i64,
    /// 复核期: days to resolve an objection, from when it was filed
    pub review_days: i64,
    /// whether a contract waits for its reservation's notice to be final
    pub contract_requires_notice: bool,
    /// minutes after its call-up before a household that has not held is 过号 (missed)
    pub no_show_minutes: i64,
    /// days after the handover date to rescind a handover beyond ±3 %
    pub rescind_days: i64,
    /// days after the handover date before a household not moved in is overdue
    pub move_in_deadline_days: i64,
    /// the hall's address, sent with call-up notices
    pub hall_address: String,
}

impl From<PolicyVersion> for PolicyOut {
    fn from(v: PolicyVersion) -> Self {
        let PolicyValues {
            zone_ratio,
            relocation_reward_yuan_per_m2,
            hold_minutes,
            max_active_holds,
            voucher_validity_days,
            monetization_target_pct,
            login_max_failures,
            login_lockout_minutes,
            ticket_validity_days,
            ticket_speed_tiers,
            ticket_zone_bonus_pct,
            ticket_transfers_allowed,
            ticket_usages_allowed,
            ticket_cash_out_bonus,
            ticket_open_selection,
            notice_days,
            review_days,
            contract_requires_notice,
            no_show_minutes,
            rescind_days,
            move_in_deadline_days,
            hall_address,
        } = v.policy.values();
        PolicyOut {
            version: v.version,
            effective_from: rfc3339(v.effective_from_ms),
            created_at: rfc3339(v.created_at_ms),
            created_by_official_id: v.created_by_official_id,
            zone_ratio,
            relocation_reward_yuan_per_m2,
            hold_minutes,
            max_active_holds,
            voucher_validity_days,
            monetization_target_pct,
            login_max_failures,
            login_lockout_minutes,
            ticket_validity_days,
            ticket_speed_tiers,
            ticket_zone_bonus_pct,
            ticket_transfers_allowed,
            ticket_usages_allowed,
            ticket_cash_out_bonus,
            ticket_open_selection,
            notice_days,
            review_days,
            contract_requires_notice,
            no_show_minutes,
            rescind_days,
            move_in_deadline_days,
            hall_address,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/policy", tag = "policy",
    responses((status = 200, body = PolicyOut, description = "the version in force now")))]
#[get("/api/v1/policy")]
pub async fn get_policy(state: web::Data<AppState>) -> ApiResult<web::Json<PolicyOut>> {
    let now = state.now_ms();
    let version = state
        .db(move |c| store::in_force(c, now).map_err(ApiError::from))
        .await?;
    Ok(web::Json(version.into()))
}

#[utoipa::path(get, path = "/api/v1/policy/versions", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = [PolicyOut], description = "every version, newest first"),
        (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/policy/versions")]
pub async fn list_policy_versions(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Vec<PolicyOut>>> {
    caller.official()?;
    let versions = state.db(|c| store::all(c).map_err(ApiError::from)).await?;
    Ok(web::Json(
        versions.into_iter().map(PolicyOut::from).collect(),
    ))
}

#[utoipa::path(put, path = "/api/v1/policy", tag = "policy", security(("bearer" = [])),
    request_body = PolicyChange,
    responses((status = 200, body = PolicyOut, description = "the new version"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err),
        (status = 422, body = Err, description = "validation_failed with details.fields")))]
#[put("/api/v1/policy")]
pub async fn put_policy(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<PolicyChange>,
) -> ApiResult<HttpResponse> {
    let official_id = caller.admin()?;
    let now = state.now_ms();
    let effective_from_ms = match body.effective_from.as_deref() {
        None => now,
        Some(text) => match chrono::DateTime::parse_from_rfc3339(text.trim()) {
            // a minute of grace for clocks that differ a little
            Ok(t) if t.timestamp_millis() >= now - 60_000 => t.timestamp_millis().max(now),
            Ok(_) => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "effective_from",
                    "must not be in the past: versions in force are never rewritten",
                )]))
            }
            Err(_) => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "effective_from",
                    "must be an RFC 3339 time",
                )]))
            }
        },
    };
    let ctx = caller.audit(now);
    let change = body.into_inner();
    let version = state
        .db(move |c| {
            store::add(c, &ctx, official_id, &change, effective_from_ms).map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PolicyOut::from(version)))
}
