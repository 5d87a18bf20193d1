//! Public notices of a round's results (公示): an admin publishes one; anyone reads them (masked
//! data only, no sign-in). Objections to a notice are in `objections`.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::aftercare::notices::{self as store, Notice, NoticeLine, ObjectionCounts};
use crate::domain::notice::{notice_status, NoticeStatus};
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::routes::{area_m2, Page};
use crate::state::AppState;

mod objections;
pub use objections::*;

type Err = crate::error::ErrorBody;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishNoticeRequest {
    /// 1–100 characters; default `<round name> 选房结果公示`
    #[schema(max_length = 100)]
    pub title: Option<String>,
}

/// How many of a notice's objections are open, upheld, dismissed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionCountsOut {
    pub open: i64,
    pub upheld: i64,
    pub dismissed: i64,
}

/// A notice as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeOut {
    pub id: i64,
    pub round_id: i64,
    pub title: String,
    /// RFC 3339
    pub starts_at: String,
    pub ends_at: String,
    /// open (before ends_at) | reviewing (ended, an objection still open) | final
    pub status: NoticeStatus,
    pub objections: ObjectionCountsOut,
}

impl NoticeOut {
    fn new(n: &Notice, c: ObjectionCounts, now: i64) -> Self {
        NoticeOut {
            id: n.id,
            round_id: n.round_id,
            title: n.title.clone(),
            starts_at: rfc3339(n.starts_at_ms),
            ends_at: rfc3339(n.ends_at_ms),
            status: notice_status(n.ends_at_ms, c.open, now),
            objections: ObjectionCountsOut {
                open: c.open,
                upheld: c.upheld,
                dismissed: c.dismissed,
            },
        }
    }
}

/// One line of a notice, frozen at publication: masked data only.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeLineOut {
    /// the line's number in the notice (序号), ordered by the households' round positions
    pub position: i32,
    pub name_masked: String,
    pub id_number_masked: String,
    pub expropriation_project: String,
    pub origin_area_m2: f64,
    pub project_name: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub area_m2: f64,
    pub origin_area_consumed_m2: f64,
    /// self | proxy
    pub selected_by: String,
    pub proxy_name_masked: Option<String>,
    pub proxy_relation: Option<String>,
    /// the reservation was cancelled after publication
    pub withdrawn: bool,
}

impl NoticeLineOut {
    fn new(l: NoticeLine, withdrawn: bool) -> Self {
        NoticeLineOut {
            position: l.position,
            name_masked: l.name_masked,
            id_number_masked: l.id_number_masked,
            expropriation_project: l.expropriation_project,
            origin_area_m2: area_m2(l.origin_area_centi_m2),
            project_name: l.project_name,
            building: l.building,
            unit: l.unit,
            room: l.room,
            area_m2: area_m2(l.area_centi_m2),
            origin_area_consumed_m2: area_m2(l.origin_consumed_centi_m2),
            selected_by: l.selected_by,
            proxy_name_masked: l.proxy_name_masked,
            proxy_relation: l.proxy_relation,
            withdrawn,
        }
    }
}

/// A notice with its lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDetail {
    #[serde(flatten)]
    pub notice: NoticeOut,
    pub lines: Vec<NoticeLineOut>,
}

fn detail(c: &mut crate::db::AnyConnection, id: i64, now: i64) -> ApiResult<NoticeDetail> {
    let n = store::get(c, id)?.ok_or_else(|| ApiError::not_found("notice"))?;
    let counts = store::counts(c, id)?;
    let lines = store::lines(c, id)?
        .into_iter()
        .map(|(l, w)| NoticeLineOut::new(l, w))
        .collect();
    Ok(NoticeDetail {
        notice: NoticeOut::new(&n, counts, now),
        lines,
    })
}

#[utoipa::path(post, path = "/api/v1/rounds/{id}/notices", tag = "aftercare", security(("bearer" = [])),
    params(("id" = i64, Path, description = "round id")), request_body = PublishNoticeRequest,
    responses((status = 201, body = NoticeDetail, description = "published: one line per confirmed or contracted reservation of the round in no earlier notice"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "notice_empty: nothing left to publish"),
        (status = 422, body = Err, description = "validation_failed")))]
#[post("/api/v1/rounds/{id}/notices")]
pub async fn publish_notice(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<PublishNoticeRequest>,
) -> ApiResult<HttpResponse> {
    let official = caller.admin()?;
    let title = match body.title.as_deref().map(str::trim) {
        None => None,
        Some(t) if (1..=100).contains(&t.chars().count()) && !t.chars().any(char::is_control) => {
            Some(t.to_string())
        }
        Some(_) => {
            return Err(ApiError::validation(vec![FieldError::new(
                "title",
                "must be 1 to 100 characters, no control characters",
            )]))
        }
    };
    let ctx = caller.audit(state.now_ms());
    let (round, now) = (id.into_inner(), ctx.now_ms);
    let out = state
        .write(move |c| {
            let (n, _) = store::publish(c, &ctx, round, title.as_deref(), official)?;
            detail(c, n.id, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NoticeQuery {
    pub round_id: Option<i64>,
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/notices", tag = "aftercare", params(NoticeQuery),
    responses((status = 200, body = Page<NoticeOut>, description = "newest first"), (status = 400, body = Err)))]
#[get("/api/v1/notices")]
pub async fn list_notices(
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> ApiResult<web::Json<Page<NoticeOut>>> {
    let page = super::page_request(query.page, query.per_page)?;
    let round = query.round_id;
    let now = state.now_ms();
    let (items, total) = state
        .db(move |c| {
            let (notices, total) = store::list(c, round, page)?;
            let items = notices
                .iter()
                .map(|n| Ok(NoticeOut::new(n, store::counts(c, n.id)?, now)))
                .collect::<ApiResult<Vec<_>>>()?;
            Ok((items, total))
        })
        .await?;
    Ok(web::Json(Page::new(items, total, page)))
}

#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "aftercare",
    params(("id" = i64, Path, description = "notice id")),
    responses((status = 200, body = NoticeDetail), (status = 404, body = Err)))]
#[get("/api/v1/notices/{id}")]
pub async fn get_notice(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<NoticeDetail>> {
    let (id, now) = (id.into_inner(), state.now_ms());
    Ok(web::Json(state.db(move |c| detail(c, id, now)).await?))
}
