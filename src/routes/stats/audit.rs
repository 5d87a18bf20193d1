//! The audit trail, filtered by actor, action, object and time.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{bad, Err};
use crate::auth::Caller;
use crate::db::audit::{AuditEvent, AuditFilter};
use crate::domain::PageRequest;
use crate::error::ApiResult;
use crate::routes::Page;
use crate::state::AppState;

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
