//! `/stats/handover` and `/stats/occupancy`: handovers and their area differences, and move-ins
//! (入住率) with the overdue list, for officials (docs/aftercare.md).

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Err;
use crate::auth::Caller;
use crate::db::stats::aftercare::{self as store, HandoverRow, OccupancyRow, OverdueMoveIn};
use crate::domain::periods::local_day;
use crate::error::ApiResult;
use crate::routes::params::query_words;
use crate::state::AppState;

query_words!(
    /// developer (default) | project
    HandoverGroup { Developer = "developer", Project = "project" }
);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HandoverQuery {
    #[param(inline)]
    pub group_by: Option<HandoverGroup>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverStats {
    /// developer | project
    pub group_by: String,
    pub rows: Vec<HandoverRow>,
    pub total: HandoverRow,
}

#[utoipa::path(get, path = "/api/v1/stats/handover", tag = "stats", security(("bearer" = [])), params(HandoverQuery),
    responses((status = 200, body = HandoverStats, description = "per developer or project: handed over, pending, within and beyond 3 %, rescinded (counted there only), and the amounts"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/handover")]
pub async fn stats_handover(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<HandoverQuery>,
) -> ApiResult<web::Json<HandoverStats>> {
    caller.official()?;
    let group_by = query.group_by.unwrap_or(HandoverGroup::Developer);
    let by_developer = group_by == HandoverGroup::Developer;
    let (rows, total) = state
        .db(move |c| Ok(store::handover(c, by_developer)?))
        .await?;
    Ok(web::Json(HandoverStats {
        group_by: if by_developer { "developer" } else { "project" }.to_string(),
        rows,
        total,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OccupancyStats {
    pub move_in_deadline_days: i64,
    pub by_project: Vec<OccupancyRow>,
    pub by_district: Vec<OccupancyRow>,
    /// households not moved in `move_in_deadline_days` after the handover (masked)
    pub overdue: Vec<OverdueMoveIn>,
}

#[utoipa::path(get, path = "/api/v1/stats/occupancy", tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = OccupancyStats, description = "入住率 per project and district, and the overdue move-ins"),
        (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/occupancy")]
pub async fn stats_occupancy(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<OccupancyStats>> {
    caller.official()?;
    let now = state.now_ms();
    let stats = state
        .db(move |c| {
            let days = crate::db::policy::in_force(c, now)?
                .policy
                .aftercare
                .move_in_deadline_days;
            let (by_project, by_district, overdue) = store::occupancy(c, days, local_day(now))?;
            Ok(OccupancyStats {
                move_in_deadline_days: days,
                by_project,
                by_district,
                overdue,
            })
        })
        .await?;
    Ok(web::Json(stats))
}
