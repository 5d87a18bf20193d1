//! `GET /healthz`: the database answers and the index directory is usable.

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
