//! The figures as a CSV or XLSX report with a title row and Chinese headers.

use actix_web::{get, http::header, web, HttpResponse};

use super::figures::{
    destocking_figures, ranking_figures, settlement_figures, settlement_scope, Settlement,
};
use super::{Err, FormatWord, ReportWord, StatsQuery};
use crate::auth::Caller;
use crate::domain::PageRequest;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::stats::export::{Cell, Report};
use crate::stats::tickets::{self, TicketLine};
use crate::stats::{Destocking, Rankings};

/// `2026-03-31 18:00`, Asia/Shanghai.
fn local_minute(ms: i64) -> String {
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
    query.check()?;
    let report_word = query.report.unwrap_or(ReportWord::Destocking);
    if report_word != ReportWord::Settlement {
        caller.official()?;
    }
    let xlsx = query.format == Some(FormatWord::Xlsx);
    let generated = local_minute(state.now_ms());
    let report = match report_word {
        ReportWord::Destocking => {
            destocking_report(destocking_figures(&state, &query).await?, generated)
        }
        ReportWord::Rankings => rankings_report(ranking_figures(&state, &query).await?, generated),
        ReportWord::Settlement => {
            let developer = settlement_scope(&caller, query.developer_id)?;
            let page = PageRequest::parse(Some(1), Some(1)).expect("valid page");
            settlement_report(
                settlement_figures(&state, developer, page).await?,
                generated,
            )
        }
        ReportWord::Tickets => {
            let now = state.now_ms();
            let lines = state
                .db(move |c| {
                    crate::db::read_tx(c, |c| tickets::lines(c, now)).map_err(ApiError::from)
                })
                .await?;
            tickets_report(lines, generated)
        }
    };
    let report_name = report_word.word();
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
            "其中房票网签套数",
            "其中房票抵扣（元）",
            "其中房票奖励（元）",
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
                    r.ticket_reservations.into(),
                    r.ticket_debit_yuan.into(),
                    r.ticket_bonus_yuan.into(),
                ]
            })
            .collect(),
    }
}

/// The tickets export's columns.
const TICKET_HEADERS: [&str; 9] = [
    "房票号",
    "持票人",
    "面额（元）",
    "发放时间",
    "有效期至",
    "余额（元）",
    "已抵扣（元）",
    "已兑付（元）",
    "状态",
];

/// One row per ticket: masked holder only, times in local time, the status as of now.
fn tickets_report(lines: Vec<TicketLine>, generated_at: String) -> Report {
    Report {
        title: "房票台账".into(),
        period: "截至生成时间".into(),
        generated_at,
        headers: TICKET_HEADERS.to_vec(),
        rows: lines
            .into_iter()
            .map(|t| {
                vec![
                    t.ticket_no.into(),
                    t.holder_masked.into(),
                    t.face_value_yuan.into(),
                    local_minute(t.issued_at_ms).into(),
                    local_minute(t.valid_until_ms).into(),
                    t.balance_yuan.into(),
                    t.debited_yuan.into(),
                    t.cashed_out_yuan.into(),
                    tickets::status_label(t.status).into(),
                ]
            })
            .collect(),
    }
}
