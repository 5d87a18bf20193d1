//! `GET /healthz`: the database answers and the index directory is usable; `GET /metrics`:
//! Prometheus text.

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when every part is ok, else `degraded`
    pub status: &'static str,
    pub db: &'static str,
    pub index: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let db_ok = web::block(move || {
        pool.get()
            .ok()
            .map(|mut c| c.batch_execute("SELECT 1").is_ok())
    })
    .await
    .ok()
    .flatten()
    .unwrap_or(false);
    let index_ok = state.index_dir.is_dir();
    let ok = |b: bool| if b { "ok" } else { "error" };
    let body = Health {
        status: if db_ok && index_ok { "ok" } else { "degraded" },
        db: ok(db_ok),
        index: ok(index_ok),
    };
    if db_ok && index_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text: request counts and latencies by route, live holds, reservations by status", content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, crate::error::ApiError> {
    let now = state.now_ms();
    let counts = state
        .db(move |c| Ok(crate::db::selection::status_counts(c, now)?))
        .await?;
    let gauges: Vec<(&str, &str, i64)> = vec![
        ("anju_holds_active", "holds not yet expired", counts.0),
        (
            "anju_reservations_confirmed",
            "reservations confirmed, not yet contracted",
            counts.1,
        ),
        (
            "anju_reservations_contracted",
            "reservations with a filed contract",
            counts.2,
        ),
        (
            "anju_index_applied_seq",
            "last listing change applied to this instance's index",
            state.search.applied_seq(),
        ),
    ];
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&gauges)))
}
