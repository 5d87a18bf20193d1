//! Households for officials: import (admin; vouchers and PINs returned once), search and read
//! (any official; personal data masked, every read audited).

use std::time::Duration;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{area_m2, Page};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::households::{self as store, Household, HouseholdFilter};
use crate::domain::entitlement::{cash_out_yuan, entitled_area};
use crate::domain::household::{normalize_voucher_prefix, shanghai, Method};
use crate::domain::policy::{Policy, Zone};
use crate::domain::PageRequest;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::params::query_words;
use crate::state::AppState;

type Err = crate::error::ErrorBody;

/// Entitled area in each zone class, keyed "1", "2", "3".
pub type ByZone = std::collections::BTreeMap<String, f64>;

/// What a household may still take, in each zone, under `policy`.
pub fn entitled_by_zone(h: &Household, policy: &Policy) -> ByZone {
    let e = h.entitlement();
    Zone::ALL
        .iter()
        .map(|z| (z.get().to_string(), area_m2(entitled_area(e, *z, policy))))
        .collect()
}

/// A household as officials see it: personal data masked, with its entitlement summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdOut {
    pub id: i64,
    /// e.g. `张*明`
    pub name_masked: String,
    /// e.g. `110101********1234`
    pub id_number_masked: String,
    /// e.g. `138****5678`
    pub phone_masked: String,
    pub voucher_no: String,
    pub expropriation_project: String,
    pub origin_zone: i64,
    pub origin_area_m2: f64,
    pub remaining_origin_area_m2: f64,
    pub assessed_price_yuan_per_m2: i64,
    /// RFC 3339
    pub signed_at: String,
    pub family_size: i32,
    pub method: Method,
    /// entitled area in each zone class under the policy in force
    #[schema(value_type = Object)]
    pub entitled_area_m2_by_zone: ByZone,
    /// leftover origin area taken as cash at the assessed price
    pub cash_out_yuan: i64,
    /// set while the voucher is locked after too many wrong PINs
    pub login_locked_until: Option<String>,
}

impl HouseholdOut {
    fn new(h: Household, policy: &Policy, now_ms: i64) -> Self {
        HouseholdOut {
            entitled_area_m2_by_zone: entitled_by_zone(&h, policy),
            cash_out_yuan: cash_out_yuan(
                h.remaining_origin_area_centi_m2,
                h.assessed_price_yuan_per_m2,
            ),
            id: h.id,
            name_masked: h.name_masked,
            id_number_masked: h.id_number_masked,
            phone_masked: h.phone_masked,
            voucher_no: h.voucher_no,
            expropriation_project: h.expropriation_project,
            origin_zone: i64::from(h.origin_zone),
            origin_area_m2: area_m2(h.origin_area_centi_m2),
            remaining_origin_area_m2: area_m2(h.remaining_origin_area_centi_m2),
            assessed_price_yuan_per_m2: h.assessed_price_yuan_per_m2,
            signed_at: rfc3339(h.signed_at_ms),
            family_size: h.family_size,
            method: Method::parse(&h.method).unwrap_or(Method::Hall),
            login_locked_until: h.locked_until_ms.filter(|t| *t > now_ms).map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedHousehold {
    /// the row of the uploaded table
    pub row: usize,
    pub id: i64,
    /// printed on the household's slip
    pub voucher_no: String,
    /// 6 digits, shown only in this response: print it on the slip
    pub pin: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdImportResult {
    pub imported: usize,
    pub households: Vec<ImportedHousehold>,
}

crate::routes::body::schema_of!(
    /// `{"households": [row, …]}` or the rows alone, for the document
    HouseholdTableJson = crate::routes::body::table_json_schema("households")
);
crate::routes::body::schema_of!(
    /// the table as the part named `file`, for the document
    TableMultipart = crate::routes::body::table_multipart_schema()
);

#[utoipa::path(post, path = "/api/v1/households/import", tag = "households", security(("bearer" = [])),
    request_body(description = "the household table (docs/api.md, Uploads) as text/csv (UTF-8 or GB18030), \
        an XLSX workbook, JSON {\"households\":[…]}, or multipart/form-data with a part named file",
        content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (HouseholdTableJson = "application/json"), (TableMultipart = "multipart/form-data"))),
    responses((status = 201, body = HouseholdImportResult), (status = 400, body = Err), (status = 401, body = Err),
        (status = 403, body = Err), (status = 409, body = Err, description = "duplicate_household (registered concurrently)"),
        (status = 413, body = Err), (status = 415, body = Err),
        (status = 422, body = Err, description = "upload_rejected with details.rows (every format error and every \
            already-registered ID number together), empty_upload, bad_encoding")))]
#[post("/api/v1/households/import")]
pub async fn import_households(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let limits = state.upload;
    let (format, body) =
        super::upload_body::read_upload(&req, payload, limits.max_body_bytes).await?;
    let now = state.now_ms();
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&shanghai())
        .date_naive();
    let budgets = limits.budgets();
    let table = super::upload_body::parse(&state, move || {
        crate::upload::households::check_households(&body, format, budgets, today)
    })
    .await??;
    let cipher = state.cipher.clone();
    // a bulk job an official starts before a round: its PINs are hashed on every core
    let threads = crate::enrolment::all_cores();
    let enrolment =
        web::block(move || crate::enrolment::prepare(table, &cipher, now, threads, &|_| {}))
            .await?;
    let ctx = caller.audit(now);
    // format errors travel with the rows: the import adds registered ID numbers and rejects all
    let (ids, enrolment) = state
        .db(move |c| {
            let ids = enrolment.store(c, &ctx).map_err(ApiError::from)?;
            Ok((ids, enrolment))
        })
        .await?;
    tracing::info!(imported = ids.len(), "households imported");
    let households = enrolment
        .slips
        .into_iter()
        .zip(ids)
        .map(|(s, id)| ImportedHousehold {
            row: s.row,
            id,
            voucher_no: s.voucher_no,
            pin: s.pin,
        })
        .collect::<Vec<_>>();
    Ok(HttpResponse::Created().json(HouseholdImportResult {
        imported: households.len(),
        households,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    /// a voucher number (or its beginning), the last 4 characters of the ID number, the full
    /// name, or the masked name (`张*明`)
    #[param(max_length = 50)]
    pub q: Option<String>,
    #[param(inline)]
    pub method: Option<MethodWord>,
    pub expropriation_project: Option<String>,
    /// 1-based page, default 1
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// items per page, 1–100, default 20
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

query_words!(
    /// hall | in_kind | cash | ticket
    MethodWord { Hall = "hall", InKind = "in_kind", Cash = "cash", Ticket = "ticket" }
);

impl HouseholdQuery {
    fn filter(&self, state: &AppState) -> ApiResult<(HouseholdFilter, PageRequest)> {
        let bad = |m: String| ApiError::new(RefusalKind::InvalidQuery, m);
        let page = super::page_request(self.page, self.per_page)?;
        let mut filter = HouseholdFilter::default();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if q.chars().count() > 50 {
                return Err(bad("q must be at most 50 characters".into()));
            }
            filter.query_masked = Some(crate::domain::mask::mask_query(q));
            filter.voucher_prefix = normalize_voucher_prefix(q);
            let upper = q.to_ascii_uppercase();
            if (4..=6).contains(&upper.len())
                && upper.bytes().all(|b| b.is_ascii_digit() || b == b'X')
            {
                filter.id_suffix = Some(upper);
            }
            if q.contains('*') {
                filter.name_masked = Some(q.to_string());
            } else {
                filter.name_hmac = Some(state.cipher.lookup_hashes("name", q));
            }
        }
        filter.method = self
            .method
            .map(|m| Method::parse(m.word()).expect("every method word parses"));
        filter.expropriation_project = self
            .expropriation_project
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        Ok((filter, page))
    }
}

#[utoipa::path(get, path = "/api/v1/households", tag = "households", security(("bearer" = [])),
    params(HouseholdQuery),
    responses((status = 200, body = Page<HouseholdOut>), (status = 400, body = Err), (status = 401, body = Err),
        (status = 403, body = Err)))]
#[get("/api/v1/households")]
pub async fn list_households(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<HouseholdQuery>,
) -> ApiResult<web::Json<Page<HouseholdOut>>> {
    caller.official()?;
    // found or not, the answer comes no sooner than the floor: its time cannot tell a viewer
    // probing ID endings whether one is registered
    let floor = tokio::time::sleep(Duration::from_millis(state.security.lookup_floor_ms));
    let (filter, page) = query.filter(&state)?;
    let ctx = caller.audit(state.now_ms());
    let now = ctx.now_ms;
    let found = state
        .db(move |c| {
            let (items, total) = store::search_and_audit(c, &ctx, &filter, page)?;
            let policy = crate::db::policy::in_force(c, now)?.policy;
            Ok((items, total, policy))
        })
        .await;
    floor.await;
    let (items, total, policy) = found?;
    let items = items
        .into_iter()
        .map(|h| HouseholdOut::new(h, &policy, now))
        .collect();
    Ok(web::Json(Page::new(items, total, page)))
}

#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "households", security(("bearer" = [])),
    params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = HouseholdOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err)))]
#[get("/api/v1/households/{id}")]
pub async fn get_household(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<HouseholdOut>> {
    caller.official()?;
    let ctx = caller.audit(state.now_ms());
    let now = ctx.now_ms;
    let id = id.into_inner();
    let (h, policy) = state
        .db(move |c| {
            let h = store::get_and_audit(c, &ctx, id)?;
            Ok((h, crate::db::policy::in_force(c, now)?.policy))
        })
        .await?;
    Ok(web::Json(HouseholdOut::new(h, &policy, now)))
}
