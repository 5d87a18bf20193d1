//! The figures as JSON: overview, destocking, rankings and settlement.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::{bad, day_text, DestockingArgs, Err, StatsQuery};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::domain::periods::local_day;
use crate::domain::PageRequest;
use crate::error::{ApiError, ApiResult};
use crate::routes::Page;
use crate::state::AppState;
use crate::stats::{self, Destocking, Overview, Rankings};

#[utoipa::path(get, path = "/api/v1/stats/overview", tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = Overview), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/overview")]
pub async fn stats_overview(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Overview>> {
    caller.official()?;
    let now = state.now_ms();
    let overview = state
        .db(move |c| {
            let target = crate::db::policy::in_force(c, now)?
                .policy
                .monetization_target_pct;
            stats::overview(c, target).map_err(ApiError::from)
        })
        .await?;
    Ok(web::Json(overview))
}

pub(super) async fn destocking_figures(
    state: &AppState,
    query: &StatsQuery,
) -> ApiResult<Destocking> {
    let args = query.destocking(local_day(state.now_ms()))?;
    let DestockingArgs {
        by,
        period,
        from,
        to,
    } = args;
    let rows = state
        .db(move |c| {
            crate::db::read_tx(c, |c| stats::destocking(c, by, period, from, to))
                .map_err(ApiError::from)
        })
        .await?;
    Ok(Destocking {
        group_by: by.as_str().to_string(),
        period: query.period.map(|p| p.word().to_string()),
        from: day_text(from),
        to: day_text(to),
        rows,
    })
}

#[utoipa::path(get, path = "/api/v1/stats/destocking", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = Destocking), (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/destocking")]
pub async fn stats_destocking(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> ApiResult<web::Json<Destocking>> {
    caller.official()?;
    query.check()?;
    Ok(web::Json(destocking_figures(&state, &query).await?))
}

pub(super) async fn ranking_figures(state: &AppState, query: &StatsQuery) -> ApiResult<Rankings> {
    let (by, bounds, month) = query.rankings(local_day(state.now_ms()))?;
    let rows = state
        .db(move |c| {
            crate::db::read_tx(c, |c| stats::rankings(c, by, bounds)).map_err(ApiError::from)
        })
        .await?;
    Ok(Rankings {
        level: by.as_str().to_string(),
        month,
        rows,
    })
}

#[utoipa::path(get, path = "/api/v1/stats/rankings", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = Rankings), (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/rankings")]
pub async fn stats_rankings(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> ApiResult<web::Json<Rankings>> {
    caller.official()?;
    query.check()?;
    Ok(web::Json(ranking_figures(&state, &query).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettledReservationOut {
    pub reservation_id: i64,
    pub unit_id: i64,
    pub project_name: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub contract_no: Option<String>,
    pub contracted_at: Option<String>,
    pub gov_pays_yuan: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementRowOut {
    pub developer_id: i64,
    pub developer_name: String,
    pub contracted_reservations: i64,
    /// Σ gov_pays_yuan of contracted reservations: what the city owes the developer (a ticket
    /// reservation's is its debit + bonus, so the ticket part below is included here)
    pub gov_pays_yuan: i64,
    /// of those, the contracted reservations paid by a housing ticket
    pub ticket_reservations: i64,
    /// Σ ticket debit of those reservations (the holders' ticket money)
    pub ticket_debit_yuan: i64,
    /// Σ ticket bonus of those reservations (what the city adds)
    pub ticket_bonus_yuan: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Settlement {
    pub rows: Vec<SettlementRowOut>,
    /// the reservations behind one developer's figure (with `developer_id`, or for a developer)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<Page<SettledReservationOut>>,
}

/// The developer whose settlement the caller may see: officials any (or all), a developer only
/// its own.
pub(super) fn settlement_scope(caller: &Caller, asked: Option<i64>) -> ApiResult<Option<i64>> {
    match caller.owner_scope()? {
        None => Ok(asked),
        Some(own) if asked.is_none_or(|a| a == own) => Ok(Some(own)),
        Some(_) => Err(ApiError::forbidden(
            "a developer sees only its own settlement",
        )),
    }
}

pub(super) async fn settlement_figures(
    state: &AppState,
    developer: Option<i64>,
    page: PageRequest,
) -> ApiResult<Settlement> {
    state
        .db(move |c| {
            crate::db::read_tx(c, |c| {
                let rows = crate::db::stats::settlement(c, developer)?;
                let reservations = match developer {
                    None => None,
                    Some(d) => {
                        let total = rows.first().map(|r| r.reservations).unwrap_or(0);
                        let items = crate::db::stats::settled_reservations(
                            c,
                            d,
                            page.per_page(),
                            page.offset(),
                        )?;
                        Some(Page::new(
                            items
                                .into_iter()
                                .map(|r| SettledReservationOut {
                                    reservation_id: r.reservation_id,
                                    unit_id: r.unit_id,
                                    project_name: r.project_name,
                                    building: r.building,
                                    unit: r.unit,
                                    room: r.room,
                                    contract_no: r.contract_no,
                                    contracted_at: r.contracted_at_ms.map(rfc3339),
                                    gov_pays_yuan: r.gov_pays_yuan.unwrap_or(0),
                                })
                                .collect(),
                            total,
                            page,
                        ))
                    }
                };
                let tickets = crate::db::stats::tickets::ticket_settlement(c, developer)?;
                let rows = rows
                    .into_iter()
                    .map(|r| {
                        let t = tickets.iter().find(|t| t.developer_id == r.developer_id);
                        SettlementRowOut {
                            developer_id: r.developer_id,
                            developer_name: r.developer_name,
                            contracted_reservations: r.reservations,
                            gov_pays_yuan: r.gov_pays_yuan.unwrap_or(0),
                            ticket_reservations: t.map_or(0, |t| t.reservations),
                            ticket_debit_yuan: t.map_or(0, |t| t.debit_yuan),
                            ticket_bonus_yuan: t.map_or(0, |t| t.bonus_yuan),
                        }
                    })
                    .collect();
                Ok::<_, ApiError>(Settlement { rows, reservations })
            })
        })
        .await
}

#[utoipa::path(get, path = "/api/v1/stats/settlement", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = Settlement), (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/settlement")]
pub async fn stats_settlement(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> ApiResult<web::Json<Settlement>> {
    query.check()?;
    let developer = settlement_scope(&caller, query.developer_id)?;
    let page = PageRequest::parse(query.page, query.per_page)
        .map_err(|e| bad(format!("{} {}", e.field, e.message)))?;
    Ok(web::Json(
        settlement_figures(&state, developer, page).await?,
    ))
}
