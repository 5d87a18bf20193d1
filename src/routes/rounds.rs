//! Selection rounds for officials (create, draw, open, close, call up) and the public hall board.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::rounds::{self as store, Members, Round};
use crate::domain::selection::{parse_commitment, Ordering, RoundStatus};
use crate::domain::{text_field, FieldError};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::state::AppState;

type Err = crate::error::ErrorBody;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoundRequest {
    /// 1–100 characters
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// the round's households (hall households only) …
    #[schema(min_items = 1, max_items = 100_000)]
    pub household_ids: Option<Vec<i64>>,
    /// … or every hall household of this expropriation project
    pub expropriation_project: Option<String>,
    /// `signing_time` (先签约先选房) or `lottery`
    #[schema(schema_with = ordering_schema)]
    pub ordering: String,
    /// lottery: hex of sha256(seed), committed now and checked at the draw
    pub seed_sha256: Option<String>,
}

fn ordering_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::routes::params::words_schema(&["signing_time", "lottery"])
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOut {
    pub id: i64,
    pub name: String,
    pub ordering: String,
    pub seed_sha256: Option<String>,
    /// revealed at the draw; anyone can recompute the order from it (docs/domain.md, "Selection order")
    pub seed: Option<String>,
    pub status: RoundStatus,
    /// households called so far: positions 1 ..= called_up_to may select
    pub called_up_to: i32,
    pub size: i64,
    /// household ids in call-up order (after the draw for a lottery)
    pub order: Option<Vec<i64>>,
    pub created_at: String,
}

fn round_out(r: Round, size: i64, order: Vec<i64>) -> RoundOut {
    RoundOut {
        order: r.ordered.then_some(order),
        id: r.id,
        name: r.name,
        ordering: r.ordering,
        seed_sha256: r.seed_sha256,
        seed: r.seed,
        status: r.status,
        called_up_to: r.called_up_to,
        size,
        created_at: rfc3339(r.created_at_ms),
    }
}

async fn with_order(state: &AppState, r: Round) -> ApiResult<RoundOut> {
    let id = r.id;
    let (size, order) = state
        .db(move |c| Ok((store::size(c, id)?, store::order(c, id)?)))
        .await?;
    Ok(round_out(r, size, order))
}

#[utoipa::path(post, path = "/api/v1/rounds", tag = "rounds", security(("bearer" = [])),
    request_body = CreateRoundRequest,
    responses((status = 201, body = RoundOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 422, body = Err)))]
#[post("/api/v1/rounds")]
pub async fn create_round(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<CreateRoundRequest>,
) -> ApiResult<HttpResponse> {
    let official_id = caller.admin()?;
    let body = body.into_inner();
    let mut errors = Vec::new();
    let name = text_field(&mut errors, "name", &body.name, 1, 100);
    let ordering = Ordering::parse(&body.ordering);
    if ordering.is_none() {
        errors.push(FieldError::new(
            "ordering",
            "must be signing_time or lottery",
        ));
    }
    let commitment = body.seed_sha256.as_deref().map(parse_commitment);
    match (ordering, &commitment) {
        (Some(Ordering::Lottery), None) => errors.push(FieldError::new(
            "seed_sha256",
            "a lottery round needs the sha256 (hex) of its seed, committed now",
        )),
        (_, Some(None)) => errors.push(FieldError::new("seed_sha256", "must be 64 hex characters")),
        (Some(Ordering::SigningTime), Some(_)) => errors.push(FieldError::new(
            "seed_sha256",
            "only a lottery round takes a seed commitment",
        )),
        _ => {}
    }
    let members = match (body.household_ids, body.expropriation_project) {
        (Some(ids), None) if !ids.is_empty() && ids.len() <= 100_000 => {
            Some(Members::Households(ids))
        }
        (None, Some(p)) if !p.trim().is_empty() => {
            Some(Members::ExpropriationProject(p.trim().to_string()))
        }
        _ => {
            errors.push(FieldError::new(
                "household_ids",
                "give either household_ids (1 to 100000) or expropriation_project",
            ));
            None
        }
    };
    let (Some(ordering), Some(members), true) = (ordering, members, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let seed_sha256 = commitment.flatten();
    let ctx = caller.audit(state.now_ms());
    let round = state
        .db(move |c| {
            store::create(
                c,
                &ctx,
                official_id,
                &name,
                ordering,
                seed_sha256.as_deref(),
                &members,
            )
            .map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Created().json(with_order(&state, round).await?))
}

#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds", security(("bearer" = [])),
    responses((status = 200, body = [RoundOut]), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/rounds")]
pub async fn list_rounds(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Vec<RoundOut>>> {
    caller.official()?;
    let rounds = state
        .db(|c| {
            let rounds = store::list(c)?;
            rounds
                .into_iter()
                .map(|r| Ok((store::size(c, r.id)?, r)))
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    Ok(web::Json(
        rounds
            .into_iter()
            .map(|(size, r)| round_out(r, size, Vec::new()))
            .map(|mut r| {
                r.order = None;
                r
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "rounds", security(("bearer" = [])),
    params(("id" = i64, Path, description = "round id")),
    responses((status = 200, body = RoundOut), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err)))]
#[get("/api/v1/rounds/{id}")]
pub async fn get_round(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<RoundOut>> {
    caller.official()?;
    let id = id.into_inner();
    let round = state
        .db(move |c| store::get(c, id)?.ok_or_else(|| ApiError::not_found("round")))
        .await?;
    Ok(web::Json(with_order(&state, round).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    /// the seed whose sha256 was committed at creation, 1–200 bytes
    #[schema(min_length = 1, max_length = 200)]
    pub seed: String,
}

#[utoipa::path(post, path = "/api/v1/rounds/{id}/draw", tag = "rounds", security(("bearer" = [])),
    params(("id" = i64, Path, description = "round id")), request_body = DrawRequest,
    responses((status = 200, body = RoundOut), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition: not a lottery, or drawn already"),
        (status = 422, body = Err, description = "seed_mismatch")))]
#[post("/api/v1/rounds/{id}/draw")]
pub async fn draw_round(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<DrawRequest>,
) -> ApiResult<web::Json<RoundOut>> {
    caller.admin()?;
    if body.seed.is_empty() || body.seed.len() > 200 {
        return Err(ApiError::validation(vec![FieldError::new(
            "seed",
            "must be 1 to 200 bytes",
        )]));
    }
    let ctx = caller.audit(state.now_ms());
    let (id, seed) = (id.into_inner(), body.into_inner().seed);
    let round = state
        .db(move |c| store::draw(c, &ctx, id, &seed).map_err(ApiError::from))
        .await?;
    Ok(web::Json(with_order(&state, round).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// positions 1 ..= up_to may select; never less than before
    pub up_to: i64,
}

#[utoipa::path(post, path = "/api/v1/rounds/{id}/call", tag = "rounds", security(("bearer" = [])),
    params(("id" = i64, Path, description = "round id")), request_body = CallRequest,
    responses((status = 200, body = RoundOut), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition: backwards, or no order yet"), (status = 422, body = Err)))]
#[post("/api/v1/rounds/{id}/call")]
pub async fn call_round(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<CallRequest>,
) -> ApiResult<web::Json<RoundOut>> {
    caller.admin()?;
    let ctx = caller.audit(state.now_ms());
    let (id, up_to) = (id.into_inner(), body.up_to);
    let round = state
        .db(move |c| store::call(c, &ctx, id, up_to).map_err(ApiError::from))
        .await?;
    Ok(web::Json(with_order(&state, round).await?))
}

async fn set_status(
    caller: Caller,
    state: web::Data<AppState>,
    id: i64,
    to: RoundStatus,
) -> ApiResult<web::Json<RoundOut>> {
    caller.admin()?;
    let ctx = caller.audit(state.now_ms());
    let round = state
        .db(move |c| store::set_status(c, &ctx, id, to).map_err(ApiError::from))
        .await?;
    Ok(web::Json(with_order(&state, round).await?))
}

#[utoipa::path(post, path = "/api/v1/rounds/{id}/open", tag = "rounds", security(("bearer" = [])),
    params(("id" = i64, Path, description = "round id")),
    responses((status = 200, body = RoundOut), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition")))]
#[post("/api/v1/rounds/{id}/open")]
pub async fn open_round(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<RoundOut>> {
    set_status(caller, state, id.into_inner(), RoundStatus::Open).await
}

#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", tag = "rounds", security(("bearer" = [])),
    params(("id" = i64, Path, description = "round id")),
    responses((status = 200, body = RoundOut), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "invalid_transition")))]
#[post("/api/v1/rounds/{id}/close")]
pub async fn close_round(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<RoundOut>> {
    set_status(caller, state, id.into_inner(), RoundStatus::Closed).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// default: the open round opened most recently
    pub round_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardSelection {
    pub household_name_masked: String,
    pub project_name: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub confirmed_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    pub round_id: Option<i64>,
    pub round_name: Option<String>,
    pub status: Option<RoundStatus>,
    pub called_up_to: i32,
    pub size: i64,
    /// the most recent selections, newest first (masked names)
    pub recent_selections: Vec<BoardSelection>,
}

#[utoipa::path(get, path = "/api/v1/board", tag = "rounds", params(BoardQuery),
    responses((status = 200, body = Board, description = "public: call-up pointer and recent selections, masked"), (status = 404, body = Err)))]
#[get("/api/v1/board")]
pub async fn hall_board(
    state: web::Data<AppState>,
    query: web::Query<BoardQuery>,
) -> ApiResult<web::Json<Board>> {
    let wanted = query.round_id;
    let board = state
        .db(move |c| {
            let round = match wanted {
                Some(id) => Some(store::get(c, id)?.ok_or_else(|| ApiError::not_found("round"))?),
                None => store::list(c)?
                    .into_iter()
                    .filter(|r| r.status() == RoundStatus::Open)
                    .max_by_key(|r| r.updated_at_ms),
            };
            let size = match &round {
                Some(r) => store::size(c, r.id)?,
                None => 0,
            };
            let recent =
                crate::db::selection::recent_selections(c, round.as_ref().map(|r| r.id), 20)?;
            Ok(Board {
                round_id: round.as_ref().map(|r| r.id),
                round_name: round.as_ref().map(|r| r.name.clone()),
                status: round.as_ref().map(|r| r.status),
                called_up_to: round.as_ref().map(|r| r.called_up_to).unwrap_or(0),
                size,
                recent_selections: recent
                    .into_iter()
                    .map(|row| BoardSelection {
                        household_name_masked: row.name_masked,
                        project_name: row.unit.project_name,
                        building: row.unit.building,
                        unit: row.unit.unit,
                        room: row.unit.room,
                        confirmed_at: row.reservation.confirmed_at_ms.map(rfc3339),
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(web::Json(board))
}
