//! Units: a developer's upload (CSV / XLSX / JSON, all-or-nothing upsert or create), listing and edits.

use actix_web::{get, patch, post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::projects::visible_project;
use super::{area_m2, ListQuery, Page};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::units::{self as store, ImportOutcome, Unit, UnitEdit};
use crate::domain::status::{ProjectStatus, UnitStatus};
use crate::domain::usage::Usage;
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::body::JsonBody;
use crate::state::AppState;
use crate::upload::units::ImportMode;

type Err = crate::error::ErrorBody;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitOut {
    pub id: i64,
    pub project_id: i64,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub floor: i32,
    /// 用途: `residential` (住宅), `commercial` (商业), `office` (办公) or `parking` (车位)
    pub usage: Usage,
    /// canonical `3室2厅2卫`, or `3室2厅` when the uploaded layout named no bathrooms; empty for
    /// a unit without a layout (only one that is not residential)
    pub layout: String,
    /// `null` for a unit without a layout (only one that is not residential)
    pub rooms: Option<i32>,
    /// `null` for a unit without a layout (only one that is not residential)
    pub halls: Option<i32>,
    /// `null` when the uploaded layout named no bathrooms (`3房2厅`), or there is no layout
    pub baths: Option<i32>,
    pub area_m2: f64,
    pub inner_area_m2: Option<f64>,
    pub price_per_m2_yuan: i64,
    pub total_price_yuan: i64,
    pub orientation: Option<String>,
    /// `rough` (毛坯), `basic` (简装) or `fine` (精装)
    pub decoration: Option<String>,
    pub description: String,
    pub status: UnitStatus,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Unit> for UnitOut {
    fn from(u: Unit) -> Self {
        UnitOut {
            id: u.id,
            project_id: u.project_id,
            status: u.status(),
            area_m2: area_m2(u.area_centi_m2),
            inner_area_m2: u.inner_area_centi_m2.map(area_m2),
            building: u.building,
            unit: u.unit,
            room: u.room,
            floor: u.floor,
            usage: u.usage,
            layout: u.layout,
            rooms: u.rooms,
            halls: u.halls,
            baths: u.baths,
            price_per_m2_yuan: u.price_per_m2_yuan,
            total_price_yuan: u.total_price_yuan,
            orientation: u.orientation,
            decoration: u.decoration,
            description: u.description,
            created_at: rfc3339(u.created_at_ms),
            updated_at: rfc3339(u.updated_at_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl From<ImportOutcome> for ImportResult {
    fn from(o: ImportOutcome) -> Self {
        ImportResult {
            created: o.created,
            updated: o.updated,
            unchanged: o.unchanged,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `upsert` (the default: stored units are updated) or `create` (a stored
    /// building/unit/room rejects its row)
    #[param(inline)]
    pub mode: Option<ModeWord>,
}

crate::routes::params::query_words!(
    /// upsert (default) | create
    ModeWord { Upsert = "upsert", Create = "create" }
);

crate::routes::body::schema_of!(
    /// `{"units": [row, …]}` or the rows alone, for the document
    UnitTableJson = crate::routes::body::table_json_schema("units")
);
crate::routes::body::schema_of!(
    /// the table as the part named `file`, for the document
    TableMultipart = crate::routes::body::table_multipart_schema()
);

#[utoipa::path(post, path = "/api/v1/projects/{id}/units/import", tag = "units", security(("bearer" = [])),
    params(("id" = i64, Path, description = "project id"), ImportQuery),
    request_body(description = "the unit table (docs/api.md, Uploads) as text/csv (UTF-8, UTF-8 with BOM or GB18030), \
        an XLSX workbook, JSON {\"units\":[…]}, or multipart/form-data with a part named file",
        content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (UnitTableJson = "application/json"), (TableMultipart = "multipart/form-data"))),
    responses((status = 200, body = ImportResult), (status = 400, body = Err, description = "malformed_json / malformed_body"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "project_closed"),
        (status = 413, body = Err, description = "payload_too_large / too_many_rows"),
        (status = 415, body = Err), (status = 422, body = Err, description = "upload_rejected with details.rows (every format error \
            and every conflict with a stored unit together), empty_upload, bad_encoding")))]
#[post("/api/v1/projects/{id}/units/import")]
pub async fn import_units(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<web::Json<ImportResult>> {
    let developer_id = caller.developer()?;
    let mode = query.mode.map_or(ImportMode::default(), |m| {
        ImportMode::parse(m.word()).expect("every mode word parses")
    });
    let (project, _) = visible_project(&state, &caller, id.into_inner()).await?;
    debug_assert_eq!(project.developer_id, developer_id);
    if matches!(
        project.status(),
        ProjectStatus::Rejected | ProjectStatus::Closed
    ) {
        return Err(ApiError::new(
            RefusalKind::ProjectClosed,
            format!("the project is {}; it takes no uploads", project.status),
        ));
    }
    let limits = state.upload;
    let (format, body) =
        super::upload_body::read_upload(&req, payload, limits.max_body_bytes).await?;
    let budgets = limits.budgets();
    let table = super::upload_body::parse(&state, move || {
        crate::upload::units::check_units(&body, format, budgets)
    })
    .await??;
    let ctx = caller.audit(state.now_ms());
    let project_id = project.id;
    // format errors travel with the table: the import adds the conflicts and rejects them together
    let outcome = state
        .write(move |c| store::import(c, &ctx, project_id, mode, &table).map_err(ApiError::from))
        .await?;
    tracing::info!(
        project_id,
        created = outcome.created,
        updated = outcome.updated,
        unchanged = outcome.unchanged,
        "units imported"
    );
    Ok(web::Json(outcome.into()))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/units", tag = "units", security(("bearer" = [])),
    params(("id" = i64, Path, description = "project id"), ListQuery<UnitStatus>),
    responses((status = 200, body = Page<UnitOut>), (status = 400, body = Err), (status = 401, body = Err), (status = 404, body = Err)))]
#[get("/api/v1/projects/{id}/units")]
pub async fn list_units(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<ListQuery<UnitStatus>>,
) -> ApiResult<web::Json<Page<UnitOut>>> {
    let page = query.page()?;
    let status = query.status();
    let (project, _) = visible_project(&state, &caller, id.into_inner()).await?;
    let (items, total) = state
        .db(move |c| Ok(store::list(c, project.id, status, page)?))
        .await?;
    Ok(web::Json(Page::new(
        items.into_iter().map(UnitOut::from).collect(),
        total,
        page,
    )))
}

/// Loads a unit whose project the caller may see.
async fn visible_unit(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Unit> {
    let unit = state
        .db(move |c| Ok(store::get(c, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("unit"))?;
    visible_project(state, caller, unit.project_id)
        .await
        .map_err(|_| ApiError::not_found("unit"))?;
    Ok(unit)
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", security(("bearer" = [])),
    params(("id" = i64, Path, description = "unit id")),
    responses((status = 200, body = UnitOut), (status = 401, body = Err), (status = 404, body = Err)))]
#[get("/api/v1/units/{id}")]
pub async fn get_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<UnitOut>> {
    Ok(web::Json(
        visible_unit(&state, &caller, id.into_inner()).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUnitRequest {
    /// new 备案单价, 1 000–300 000; the total is recomputed from the area
    #[schema(minimum = 1_000, maximum = 300_000)]
    pub price_per_m2_yuan: Option<i64>,
    /// `available` (relist) or `withdrawn` (take off the hall)
    pub status: Option<String>,
    /// at most 2 000 characters
    #[schema(max_length = 2_000)]
    pub description: Option<String>,
}

impl UpdateUnitRequest {
    fn parse(self) -> Result<UnitEdit, ApiError> {
        let mut errors = Vec::new();
        if self
            .price_per_m2_yuan
            .is_some_and(|p| !(1_000..=300_000).contains(&p))
        {
            errors.push(FieldError::new(
                "price_per_m2_yuan",
                "must be a whole number from 1000 to 300000",
            ));
        }
        let status = match self.status.as_deref().map(str::trim) {
            None => None,
            Some(s) => match UnitStatus::parse(s) {
                Some(st @ (UnitStatus::Available | UnitStatus::Withdrawn)) => Some(st),
                _ => {
                    errors.push(FieldError::new("status", "must be available or withdrawn"));
                    None
                }
            },
        };
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 2000)
        {
            errors.push(FieldError::new(
                "description",
                "must be at most 2000 characters",
            ));
        }
        if self.price_per_m2_yuan.is_none() && self.status.is_none() && self.description.is_none() {
            errors.push(FieldError::new(
                "body",
                "nothing to change: give price_per_m2_yuan, status or description",
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok(UnitEdit {
            price_per_m2_yuan: self.price_per_m2_yuan,
            status,
            description: self.description.map(|d| d.trim().to_string()),
        })
    }
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "units", security(("bearer" = [])),
    params(("id" = i64, Path, description = "unit id")), request_body = UpdateUnitRequest,
    responses((status = 200, body = UnitOut), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "unit_locked: the unit is held, reserved or sold"), (status = 422, body = Err)))]
#[patch("/api/v1/units/{id}")]
pub async fn update_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<UpdateUnitRequest>,
) -> ApiResult<web::Json<UnitOut>> {
    caller.developer()?;
    let edit = body.into_inner().parse()?;
    let unit = visible_unit(&state, &caller, id.into_inner()).await?;
    let ctx = caller.audit(state.now_ms());
    let updated = state
        .write(move |c| store::edit(c, &ctx, unit.id, &edit).map_err(ApiError::from))
        .await?;
    Ok(web::Json(updated.into()))
}
