//! `POST /api/v1/officials`: an admin creates another official; the token is shown once.

use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::domain::status::OfficialRole;
use crate::domain::token::{hash_token, TokenKind};
use crate::domain::{text_field, FieldError};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOfficialRequest {
    /// 1–50 characters
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// `admin` or `viewer`
    #[schema(schema_with = role_schema)]
    pub role: String,
}

fn role_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::routes::params::words_schema(&["admin", "viewer"])
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialCreated {
    pub id: i64,
    pub name: String,
    pub role: OfficialRole,
    /// bearer token (`ot_…`), shown only in this response
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/officials", tag = "officials", request_body = CreateOfficialRequest,
    security(("bearer" = [])),
    responses((status = 201, body = OfficialCreated), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
#[post("/api/v1/officials")]
pub async fn create_official(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<CreateOfficialRequest>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let mut errors = Vec::new();
    let name = text_field(&mut errors, "name", &body.name, 1, 50);
    let role = OfficialRole::parse(&body.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "must be admin or viewer"));
    }
    let role = match role {
        Some(role) if errors.is_empty() => role,
        _ => return Err(ApiError::validation(errors)),
    };
    let token = TokenKind::Official.generate();
    let token_hash = hash_token(&token);
    let ctx = caller.audit(state.now_ms());
    let official = state
        .db(move |c| {
            Ok(crate::db::officials::create(
                c,
                &ctx,
                &name,
                role,
                &token_hash,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(OfficialCreated {
        id: official.id,
        name: official.name,
        role,
        token,
    }))
}
