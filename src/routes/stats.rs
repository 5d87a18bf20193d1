//! Officials' monitoring: overview, destocking, rankings, settlement, exports, charts and the
//! audit trail. Viewers read all of it; a developer reads only its own settlement; kiosks nothing.

use actix_web::{get, http::header, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Page;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::audit::{AuditEvent, AuditFilter};
use crate::db::stats::GroupBy;
use crate::domain::periods::{local_day, parse_day, parse_month, Period};
use crate::domain::PageRequest;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::state::AppState;
use crate::stats::export::{Cell, Report};
use crate::stats::{self, Destocking, Overview, Rankings};

type Err = crate::error::ErrorBody;

fn bad(m: impl Into<String>) -> ApiError {
    ApiError::new(RefusalKind::InvalidQuery, m)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// destocking: developer | project (default) | district | zone
    pub group_by: Option<String>,
    /// destocking: xun | month | quarter | year; without it, one row per group
    pub period: Option<String>,
    /// first local date (Asia/Shanghai), YYYY-MM-DD (default 2000-01-01)
    pub from: Option<String>,
    /// last local date, YYYY-MM-DD (default today)
    pub to: Option<String>,
    /// rankings: district (default) | project
    pub level: Option<String>,
    /// rankings: YYYY-MM (default this month)
    pub month: Option<String>,
    /// settlement: one developer
    pub developer_id: Option<i64>,
    /// export: csv | xlsx
    pub format: Option<String>,
    /// export: destocking | rankings | settlement
    pub report: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

struct DestockingArgs {
    by: GroupBy,
    period: Option<Period>,
    from: i32,
    to: i32,
}

impl StatsQuery {
    fn destocking(&self, today: i32) -> ApiResult<DestockingArgs> {
        let by = match self.group_by.as_deref() {
            None | Some("") => GroupBy::Project,
            Some(g) => GroupBy::parse(g)
                .ok_or_else(|| bad("group_by must be developer, project, district or zone"))?,
        };
        let period = match self.period.as_deref() {
            None | Some("") => None,
            Some(p) => Some(
                Period::parse(p)
                    .ok_or_else(|| bad("period must be xun, month, quarter or year"))?,
            ),
        };
        let day = |v: &Option<String>, default: i32, name: &str| match v.as_deref() {
            None | Some("") => Ok(default),
            Some(s) => parse_day(s).ok_or_else(|| bad(format!("{name} must be a date YYYY-MM-DD"))),
        };
        let (from, to) = (
            day(&self.from, 20000101, "from")?,
            day(&self.to, today, "to")?,
        );
        if from > to {
            return Err(bad("from must not be after to"));
        }
        Ok(DestockingArgs {
            by,
            period,
            from,
            to,
        })
    }

    fn rankings(&self, today: i32) -> ApiResult<(GroupBy, (i32, i32), String)> {
        let by = match self.level.as_deref() {
            None | Some("") | Some("district") => GroupBy::District,
            Some("project") => GroupBy::Project,
            Some(_) => return Err(bad("level must be district or project")),
        };
        let month = self
            .month
            .clone()
            .unwrap_or_else(|| format!("{}-{:02}", today / 10_000, today / 100 % 100));
        let bounds = parse_month(&month).ok_or_else(|| bad("month must be YYYY-MM"))?;
        Ok((by, bounds, month))
    }
}

fn day_text(day: i32) -> String {
    format!("{}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100)
}

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

async fn destocking_figures(state: &AppState, query: &StatsQuery) -> ApiResult<Destocking> {
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
        period: query.period.clone().filter(|p| !p.is_empty()),
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
    Ok(web::Json(destocking_figures(&state, &query).await?))
}

async fn ranking_figures(state: &AppState, query: &StatsQuery) -> ApiResult<Rankings> {
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
    /// Σ gov_pays_yuan of contracted reservations: what the city owes the developer
    pub gov_pays_yuan: i64,
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
fn settlement_scope(caller: &Caller, asked: Option<i64>) -> ApiResult<Option<i64>> {
    match caller.owner_scope()? {
        None => Ok(asked),
        Some(own) if asked.is_none_or(|a| a == own) => Ok(Some(own)),
        Some(_) => Err(ApiError::forbidden(
            "a developer sees only its own settlement",
        )),
    }
}

async fn settlement_figures(
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
                let rows = rows
                    .into_iter()
                    .map(|r| SettlementRowOut {
                        developer_id: r.developer_id,
                        developer_name: r.developer_name,
                        contracted_reservations: r.reservations,
                        gov_pays_yuan: r.gov_pays_yuan.unwrap_or(0),
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
    let developer = settlement_scope(&caller, query.developer_id)?;
    let page = PageRequest::parse(query.page, query.per_page)
        .map_err(|e| bad(format!("{} {}", e.field, e.message)))?;
    Ok(web::Json(
        settlement_figures(&state, developer, page).await?,
    ))
}

fn generated_at(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&crate::domain::household::shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[utoipa::path(get, path = "/api/v1/stats/export", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, description = "the report as text/csv (UTF-8 with BOM) or XLSX, with a title row and Chinese headers"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/stats/export")]
pub async fn stats_export(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let report_name = query.report.as_deref().unwrap_or("destocking");
    if report_name != "settlement" {
        caller.official()?;
    }
    let xlsx = match query.format.as_deref().unwrap_or("csv") {
        "csv" => false,
        "xlsx" => true,
        _ => return Err(bad("format must be csv or xlsx")),
    };
    let generated = generated_at(state.now_ms());
    let report = match report_name {
        "destocking" => destocking_report(destocking_figures(&state, &query).await?, generated),
        "rankings" => rankings_report(ranking_figures(&state, &query).await?, generated),
        "settlement" => {
            let developer = settlement_scope(&caller, query.developer_id)?;
            let page = PageRequest::parse(Some(1), Some(1)).expect("valid page");
            settlement_report(
                settlement_figures(&state, developer, page).await?,
                generated,
            )
        }
        _ => return Err(bad("report must be destocking, rankings or settlement")),
    };
    let (bytes, mime, ext) = if xlsx {
        let bytes = report.to_xlsx().map_err(ApiError::internal)?;
        (
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (report.to_csv(), "text/csv; charset=utf-8", "csv")
    };
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"anju-{report_name}.{ext}\""),
        ))
        .body(bytes))
}

fn destocking_report(d: Destocking, generated_at: String) -> Report {
    let by = match d.group_by.as_str() {
        "developer" => "开发企业",
        "district" => "区县",
        "zone" => "区位类别",
        _ => "楼盘",
    };
    Report {
        title: "去化统计".into(),
        period: format!("{} 至 {}", d.from, d.to),
        generated_at,
        headers: vec![
            by,
            "统计期",
            "存量套数",
            "已认购套数",
            "已网签套数",
            "期内认购套数",
            "存量面积（㎡）",
            "去化面积（㎡）",
            "存量货值（元）",
            "去化货值（元）",
            "去化率",
        ],
        rows: d
            .rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::from(r.label),
                    Cell::from(r.period.unwrap_or_else(|| "全期".into())),
                    r.stock_units.into(),
                    r.reserved_units.into(),
                    r.sold_units.into(),
                    r.confirmed_in_period.into(),
                    r.stock_area_m2.into(),
                    r.absorbed_area_m2.into(),
                    r.stock_value_yuan.into(),
                    r.absorbed_value_yuan.into(),
                    r.absorption_rate.into(),
                ]
            })
            .collect(),
    }
}

fn rankings_report(r: Rankings, generated_at: String) -> Report {
    Report {
        title: if r.level == "project" {
            "楼盘去化排名"
        } else {
            "区县去化排名"
        }
        .into(),
        period: r.month,
        generated_at,
        headers: vec![
            "名次",
            "名称",
            "存量套数",
            "当月认购套数",
            "当月去化率",
            "连续末位月数",
            "连续两个月排名最后",
        ],
        rows: r
            .rows
            .into_iter()
            .map(|row| {
                vec![
                    Cell::Int(row.rank as i64),
                    row.label.into(),
                    row.stock_units.into(),
                    row.confirmed_in_month.into(),
                    row.absorption_rate.into(),
                    Cell::Int(i64::from(row.consecutive_last_months)),
                    Cell::from(if row.flagged { "是" } else { "否" }),
                ]
            })
            .collect(),
    }
}

fn settlement_report(s: Settlement, generated_at: String) -> Report {
    Report {
        title: "安置补偿结算".into(),
        period: "截至生成时间".into(),
        generated_at,
        headers: vec![
            "开发企业编号",
            "开发企业",
            "已网签套数",
            "政府应付金额（元）",
        ],
        rows: s
            .rows
            .into_iter()
            .map(|r| {
                vec![
                    r.developer_id.into(),
                    r.developer_name.into(),
                    r.contracted_reservations.into(),
                    r.gov_pays_yuan.into(),
                ]
            })
            .collect(),
    }
}

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
    let svg = match name.as_str() {
        "selections-trend.svg" => {
            let mut q = web::Query::into_inner(query);
            q.group_by = Some("project".into());
            q.period = Some(
                q.period
                    .clone()
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "xun".into()),
            );
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
                q.group_by = Some("district".into());
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `official`, `developer`, `household`, `system`, or with an id: `official:3`
    pub actor: Option<String>,
    /// e.g. `household.read`, `reservation.confirmed`
    pub action: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<i64>,
    /// RFC 3339 or YYYY-MM-DD (local day start)
    pub from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (local day end)
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn time_param(s: &str, end_of_day: bool) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let start = day
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(crate::domain::household::shanghai())
        .single()?
        .timestamp_millis();
    Some(if end_of_day {
        start + 86_400_000 - 1
    } else {
        start
    })
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "stats", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditEvent>), (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/audit")]
pub async fn list_audit(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Page<AuditEvent>>> {
    caller.official()?;
    let page = PageRequest::parse(query.page, query.per_page)
        .map_err(|e| bad(format!("{} {}", e.field, e.message)))?;
    let mut f = AuditFilter::default();
    if let Some(actor) = query.actor.as_deref().filter(|a| !a.is_empty()) {
        let (kind, id) = match actor.split_once(':') {
            Some((k, id)) => (
                k,
                Some(
                    id.parse::<i64>()
                        .map_err(|_| bad("actor id must be a number"))?,
                ),
            ),
            None => (actor, None),
        };
        if !matches!(kind, "official" | "developer" | "household" | "system") {
            return Err(bad(
                "actor must be official, developer, household or system (optionally :id)",
            ));
        }
        f.actor_kind = Some(kind.to_string());
        f.actor_id = id;
    }
    f.action = query.action.clone().filter(|a| !a.is_empty());
    f.object_kind = query.object_kind.clone().filter(|a| !a.is_empty());
    f.object_id = query.object_id;
    f.from_ms = match query.from.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(time_param(s, false).ok_or_else(|| bad("from must be RFC 3339 or YYYY-MM-DD"))?)
        }
    };
    f.to_ms = match query.to.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(time_param(s, true).ok_or_else(|| bad("to must be RFC 3339 or YYYY-MM-DD"))?)
        }
    };
    let (items, total) = state
        .db(move |c| Ok(crate::db::audit::list(c, &f, page)?))
        .await?;
    Ok(web::Json(Page::new(items, total, page)))
}
