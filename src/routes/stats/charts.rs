//! The figures as SVG charts.

use actix_web::{get, web, HttpResponse};

use super::figures::destocking_figures;
use super::{Err, GroupByWord, PeriodWord, StatsQuery};
use crate::auth::Caller;
use crate::db::stats::GroupBy;
use crate::domain::periods::local_day;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::stats;

#[utoipa::path(get, path = "/api/v1/stats/charts/{name}", tag = "stats", security(("bearer" = [])),
    params(("name" = String, Path, description = "selections-trend.svg (confirmed per period and cumulative 去化率) or absorption-by-district.svg"), StatsQuery),
    responses((status = 200, description = "image/svg+xml"), (status = 400, body = Err), (status = 401, body = Err),
        (status = 403, body = Err), (status = 404, body = Err)))]
#[get("/api/v1/stats/charts/{name}")]
pub async fn stats_chart(
    caller: Caller,
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    caller.official()?;
    query.check()?;
    let svg = match name.as_str() {
        "selections-trend.svg" => {
            let mut q = web::Query::into_inner(query);
            q.group_by = Some(GroupByWord::Project);
            q.period = Some(q.period.unwrap_or(PeriodWord::Xun));
            let args = q.destocking(local_day(state.now_ms()))?;
            let period = args.period.expect("set above");
            let (from, to) = (args.from, args.to);
            let series = state
                .db(move |c| {
                    crate::db::read_tx(c, |c| {
                        stats::destocking(c, GroupBy::All, Some(period), from, to)
                    })
                    .map_err(ApiError::from)
                })
                .await?;
            let series = stats::fill_periods(period, series);
            let labels: Vec<String> = series.iter().filter_map(|r| r.period.clone()).collect();
            let bars: Vec<f64> = series
                .iter()
                .map(|r| r.confirmed_in_period as f64)
                .collect();
            let line: Vec<f64> = series.iter().map(|r| r.absorption_rate).collect();
            crate::stats::chart::bars_and_line(
                "认购趋势与累计去化率",
                "认购套数",
                &labels,
                &bars,
                Some(("累计去化率", &line)),
            )
        }
        "absorption-by-district.svg" => {
            let d = {
                let mut q = web::Query::into_inner(query);
                q.group_by = Some(GroupByWord::District);
                q.period = None;
                destocking_figures(&state, &q).await?
            };
            let labels: Vec<String> = d.rows.iter().map(|r| r.label.clone()).collect();
            let bars: Vec<f64> = d
                .rows
                .iter()
                .map(|r| (r.absorption_rate * 1000.0).round() / 10.0)
                .collect();
            crate::stats::chart::bars_and_line(
                "各区县去化率（%）",
                "去化率（%）",
                &labels,
                &bars,
                None,
            )
        }
        _ => return Err(ApiError::not_found("chart")),
    };
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .body(svg))
}
