//! Projects: created by approved developers, approved or rejected by officials, listed by owner.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ListQuery, Page, ReasonRequest};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::projects::{self as store, ProjectWithDeveloper};
use crate::domain::project::{NewProject, ProjectInput};
use crate::domain::status::{Delivery, ProjectStatus};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::{JsonBody, OptionalJsonBody};
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProjectRequest {
    /// 1–100 characters
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// 区县, 1–30 characters
    #[schema(min_length = 1, max_length = 30)]
    pub district: String,
    /// 1, 2 or 3 (一类区 is the core)
    #[schema(minimum = 1, maximum = 3)]
    pub zone_class: i64,
    /// 1–200 characters
    #[schema(min_length = 1, max_length = 200)]
    pub address: String,
    /// with `lng`, or neither
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub lng: Option<f64>,
    /// 预售许可证号, 1–60 characters
    #[schema(min_length = 1, max_length = 60)]
    pub presale_permit_no: String,
    /// `ready` (现房) or `off_plan` (期房)
    #[schema(schema_with = delivery_schema)]
    pub delivery: String,
    /// YYYY-MM-DD, required for off_plan
    pub delivery_date: Option<String>,
    #[serde(default)]
    pub amenities: Vec<String>,
    #[serde(default)]
    pub description: String,
}

fn delivery_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::routes::params::words_schema(&["ready", "off_plan"])
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: i64,
    pub developer_id: i64,
    pub developer_name: String,
    pub name: String,
    pub district: String,
    pub zone_class: i32,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub presale_permit_no: String,
    pub delivery: Delivery,
    pub delivery_date: Option<String>,
    pub amenities: Vec<String>,
    pub description: String,
    pub status: ProjectStatus,
    pub status_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ProjectWithDeveloper> for ProjectOut {
    fn from((p, developer_name): ProjectWithDeveloper) -> Self {
        ProjectOut {
            id: p.id,
            developer_id: p.developer_id,
            developer_name,
            status: p.status(),
            amenities: p.amenities(),
            delivery: Delivery::parse(&p.delivery).unwrap_or(Delivery::Ready),
            name: p.name,
            district: p.district,
            zone_class: p.zone_class,
            address: p.address,
            lat: p.lat,
            lng: p.lng,
            presale_permit_no: p.presale_permit_no,
            delivery_date: p.delivery_date,
            description: p.description,
            status_reason: p.status_reason,
            created_at: rfc3339(p.created_at_ms),
            updated_at: rfc3339(p.updated_at_ms),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = CreateProjectRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ProjectOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 409, body = Err, description = "duplicate_project"), (status = 422, body = Err)))]
#[post("/api/v1/projects")]
pub async fn create_project(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<CreateProjectRequest>,
) -> ApiResult<HttpResponse> {
    let developer_id = caller.developer()?;
    let b = body.into_inner();
    let project = NewProject::parse(ProjectInput {
        name: &b.name,
        district: &b.district,
        zone_class: b.zone_class,
        address: &b.address,
        lat: b.lat,
        lng: b.lng,
        presale_permit_no: &b.presale_permit_no,
        delivery: &b.delivery,
        delivery_date: b.delivery_date.as_deref(),
        amenities: &b.amenities,
        description: &b.description,
    })
    .map_err(ApiError::validation)?;
    let ctx = caller.audit(state.now_ms());
    let created = state
        .db(move |c| store::create(c, &ctx, developer_id, &project).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::Created().json(ProjectOut::from(created)))
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ListQuery<ProjectStatus>), security(("bearer" = [])),
    responses((status = 200, body = Page<ProjectOut>, description = "a developer's own projects; officials see all"),
        (status = 400, body = Err), (status = 401, body = Err)))]
#[get("/api/v1/projects")]
pub async fn list_projects(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ListQuery<ProjectStatus>>,
) -> ApiResult<web::Json<Page<ProjectOut>>> {
    let page = query.page()?;
    let status = query.status();
    let owner = caller.owner_scope()?;
    let (items, total) = state
        .db(move |c| Ok(store::list(c, owner, status, page)?))
        .await?;
    Ok(web::Json(Page::new(
        items.into_iter().map(ProjectOut::from).collect(),
        total,
        page,
    )))
}

/// Loads a project the caller may see: its developer's own, or any for officials. Another
/// developer's project is reported as not found, so its existence does not leak.
pub async fn visible_project(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> ApiResult<ProjectWithDeveloper> {
    let owner = caller.owner_scope()?;
    let found = state.db(move |c| Ok(store::get(c, id)?)).await?;
    match found {
        Some(p) if owner.is_none_or(|own| own == p.0.developer_id) => Ok(p),
        _ => Err(ApiError::not_found("project")),
    }
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectOut), (status = 401, body = Err), (status = 404, body = Err)))]
#[get("/api/v1/projects/{id}")]
pub async fn get_project(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ProjectOut>> {
    Ok(web::Json(
        visible_project(&state, &caller, id.into_inner())
            .await?
            .into(),
    ))
}

async fn change_status(
    caller: Caller,
    state: web::Data<AppState>,
    id: i64,
    to: ProjectStatus,
    body: OptionalJsonBody<ReasonRequest>,
) -> ApiResult<web::Json<ProjectOut>> {
    caller.admin()?;
    let reason = body.into_inner().map(|b| b.reason()).transpose()?.flatten();
    let ctx = caller.audit(state.now_ms());
    let project = state
        .write(move |c| {
            store::set_status(c, &ctx, id, to, reason.as_deref()).map_err(ApiError::from)
        })
        .await?;
    Ok(web::Json(project.into()))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/approve", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "project id")), request_body(content = Option<ReasonRequest>),
    responses((status = 200, body = ProjectOut), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition"),
        (status = 422, body = Err, description = "validation_failed: a reason over 500 characters")))]
#[post("/api/v1/projects/{id}/approve")]
pub async fn approve_project(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: OptionalJsonBody<ReasonRequest>,
) -> ApiResult<web::Json<ProjectOut>> {
    change_status(
        caller,
        state,
        id.into_inner(),
        ProjectStatus::Approved,
        body,
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/reject", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "project id")), request_body(content = Option<ReasonRequest>),
    responses((status = 200, body = ProjectOut), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition"),
        (status = 422, body = Err, description = "validation_failed: a reason over 500 characters")))]
#[post("/api/v1/projects/{id}/reject")]
pub async fn reject_project(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: OptionalJsonBody<ReasonRequest>,
) -> ApiResult<web::Json<ProjectOut>> {
    change_status(
        caller,
        state,
        id.into_inner(),
        ProjectStatus::Rejected,
        body,
    )
    .await
}
