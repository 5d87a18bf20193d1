//! The audit trail, filtered by actor, action, object and time.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{bad, Err};
use crate::auth::Caller;
use crate::db::audit::{AuditEvent, AuditFilter};
use crate::error::ApiResult;
use crate::routes::Page;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `official`, `developer`, `household`, `system`, or with an id: `official:3`
    #[param(pattern = "^((official|developer|household|system)(:[0-9]{1,18})?)?$")]
    pub actor: Option<String>,
    /// e.g. `household.read`, `reservation.confirmed`
    pub action: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<i64>,
    /// RFC 3339 or YYYY-MM-DD (local day start)
    #[param(schema_with = time_schema)]
    pub from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (local day end)
    #[param(schema_with = time_schema)]
    pub to: Option<String>,
    /// 1-based page, default 1
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// items per page, 1–100, default 20
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// `from` and `to`: an RFC 3339 time, a local date, or empty (no bound).
fn time_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let format = |f| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(f)))
            .build()
    };
    let empty = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0))
        .build();
    AnyOfBuilder::new()
        .item(format(KnownFormat::DateTime))
        .item(format(KnownFormat::Date))
        .item(empty)
        .description(Some(
            "RFC 3339, or YYYY-MM-DD (a local day); empty: no bound",
        ))
        .into()
}

fn time_param(s: &str, end_of_day: bool) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let day = crate::routes::params::date("day", s).ok()?;
    let day = chrono::NaiveDate::from_ymd_opt(
        day / 10_000,
        (day / 100 % 100) as u32,
        (day % 100) as u32,
    )?;
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
    let page = crate::routes::page_request(query.page, query.per_page)?;
    let mut f = AuditFilter::default();
    if let Some(actor) = query.actor.as_deref().filter(|a| !a.is_empty()) {
        let (kind, id) = match actor.split_once(':') {
            Some((k, id)) => (
                k,
                Some(
                    Some(id)
                        .filter(|id| (1..=18).contains(&id.len()))
                        .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|id| id.parse::<i64>().ok())
                        .ok_or_else(|| bad("actor id must be a number"))?,
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
