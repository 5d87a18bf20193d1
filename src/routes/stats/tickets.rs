//! The housing-ticket figures as JSON: issued, spent, bonus, cashed out within a date range
//! (or per period), and what is outstanding, expiring and expired now.

use actix_web::{get, web};

use super::{DestockingArgs, Err, StatsQuery};
use crate::auth::Caller;
use crate::domain::periods::local_day;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::stats::tickets::{self, TicketPeriods, TicketStats};

#[utoipa::path(get, path = "/api/v1/stats/tickets", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = TicketStats, description = "without `period`: the figures of `from..to` (default all time); with it: `{rows}`, one per period. Amounts net of cancellations; outstanding, expiring (within 30 days) and expired-unpaid as of now, or in a period row as of the period's end"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/tickets")]
pub async fn stats_tickets(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> ApiResult<web::Json<TicketStats>> {
    caller.official()?;
    query.check()?;
    let now = state.now_ms();
    let DestockingArgs {
        period, from, to, ..
    } = query.destocking(local_day(now))?;
    let figures = state
        .db(move |c| {
            crate::db::read_tx(c, |c| match period {
                None => tickets::range(c, from, to, now).map(TicketStats::Range),
                Some(p) => tickets::periods(c, p, from, to, now)
                    .map(|rows| TicketStats::Periods(TicketPeriods { rows })),
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(web::Json(figures))
}
