//! A developer's webhook to its own sales system: register (new signing secret each time; the
//! URL must pass the outbound guard), remove, and read the delivery log (the developer its own,
//! officials any).

use actix_web::{delete, get, put, web, HttpResponse};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ListQuery, Page};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::developers;
use crate::db::webhooks::{self as store, Delivery, Webhook};
use crate::domain::outbound::OutboundRefusal;
use crate::domain::webhook::{generate_secret, DeliveryStatus, WebhookUrl};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetWebhookRequest {
    /// `https://…` (or `http://…`) endpoint of the developer's sales system
    pub url: String,
}

/// The registered webhook; `secret` only in the answer to `PUT`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    pub developer_id: i64,
    pub url: String,
    /// signing secret (`whsec_…`), shown only once, when set; a new one on every `PUT`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl WebhookOut {
    fn new(w: Webhook, secret: Option<String>) -> Self {
        WebhookOut {
            developer_id: w.developer_id,
            url: w.url,
            secret,
            created_at: rfc3339(w.created_at_ms),
            updated_at: rfc3339(w.updated_at_ms),
        }
    }
}

/// One notice to the developer's sales system and how its delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    /// also sent as `id` in the body and in `X-Anju-Delivery`: the same on every retry
    pub id: i64,
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// HTTP status of the last answer (none if the receiver was not reached)
    pub last_status_code: Option<i32>,
    /// the class of the last failure, never the receiver's answer: `refused_address`,
    /// `dns_failed`, `connect_failed`, `tls`, `timeout`, `http_status_<code>`, `request_failed`,
    /// `webhook_removed`
    pub last_error: Option<String>,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    /// when the next attempt is due (pending deliveries only)
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    /// the event's `data`, as sent
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<Delivery> for DeliveryOut {
    fn from(d: Delivery) -> Self {
        let status = d.status();
        DeliveryOut {
            id: d.id,
            data: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            event: d.event,
            status,
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: rfc3339(d.created_at_ms),
            last_attempt_at: d.last_attempt_at_ms.map(rfc3339),
            next_attempt_at: (status == DeliveryStatus::Pending)
                .then(|| rfc3339(d.next_attempt_at_ms)),
            delivered_at: d.delivered_at_ms.map(rfc3339),
        }
    }
}

type Err = crate::error::ErrorBody;

/// The developer itself (another developer's id answers 404, as its existence must not leak).
fn own_developer(caller: &Caller, id: i64) -> ApiResult<i64> {
    let own = caller.developer()?;
    if own != id {
        return Err(ApiError::not_found("developer"));
    }
    Ok(own)
}

/// The developer itself or any official; a developer that does not exist answers 404.
async fn readable_developer(caller: &Caller, state: &AppState, id: i64) -> ApiResult<i64> {
    match caller.owner_scope()? {
        Some(own) if own == id => Ok(id),
        Some(_) => Err(ApiError::not_found("developer")),
        None => state
            .db(move |c| Ok(developers::get(c, id)?))
            .await?
            .map(|d| d.id)
            .ok_or_else(|| ApiError::not_found("developer")),
    }
}

/// How long registration waits for the URL's host name to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The outbound guard's decision on a URL about to be registered: its host (resolved now if it
/// is a name) must be a public address or on the allow-list; else 422 `outbound_refused`.
async fn check_outbound(state: &AppState, url: &WebhookUrl) -> ApiResult<()> {
    let guard = state.outbound.clone();
    let text = url.as_str().to_string();
    let checked = tokio::time::timeout(RESOLVE_TIMEOUT, web::block(move || guard.check_url(&text)))
        .await
        .unwrap_or_else(|_| {
            Ok(Err(OutboundRefusal {
                reason: "unresolvable",
                message: "the host name did not resolve in time".into(),
            }))
        })?;
    checked.map_err(|refused| ApiError::from(refused.into_refusal("url")))
}

#[utoipa::path(put, path = "/api/v1/developers/{id}/webhook", tag = "webhooks", request_body = SetWebhookRequest,
    security(("bearer" = [])), params(("id" = i64, Path, description = "developer id (the caller's own)")),
    responses((status = 200, body = WebhookOut, description = "registered; `secret` shown only here"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 422, body = Err, description = "`validation_failed` (not an http(s) URL), or `outbound_refused`: its host is or resolves to a loopback, private, link-local … address (`details.reason`)")))]
#[put("/api/v1/developers/{id}/webhook")]
pub async fn set_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<SetWebhookRequest>,
) -> ApiResult<web::Json<WebhookOut>> {
    let developer_id = own_developer(&caller, id.into_inner())?;
    let url = WebhookUrl::parse(&body.url).map_err(|e| ApiError::validation(vec![e]))?;
    check_outbound(&state, &url).await?;
    let secret = generate_secret();
    let secret_enc = state.cipher.encrypt(&secret);
    let ctx = caller.audit(state.now_ms());
    let webhook = state
        .db(move |c| {
            store::set_webhook(c, &ctx, developer_id, url.as_str(), &secret_enc)
                .map_err(ApiError::from)
        })
        .await?;
    Ok(web::Json(WebhookOut::new(webhook, Some(secret))))
}

#[utoipa::path(get, path = "/api/v1/developers/{id}/webhook", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "developer id")),
    responses((status = 200, body = WebhookOut, description = "without the secret"), (status = 401, body = Err),
        (status = 403, body = Err), (status = 404, body = Err, description = "no such developer, or no webhook")))]
#[get("/api/v1/developers/{id}/webhook")]
pub async fn get_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<WebhookOut>> {
    let developer_id = readable_developer(&caller, &state, id.into_inner()).await?;
    let webhook = state
        .db(move |c| Ok(store::get_webhook(c, developer_id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(web::Json(WebhookOut::new(webhook, None)))
}

#[utoipa::path(delete, path = "/api/v1/developers/{id}/webhook", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "developer id (the caller's own)")),
    responses((status = 204, description = "removed; pending deliveries end `failed`"), (status = 401, body = Err),
        (status = 403, body = Err), (status = 404, body = Err)))]
#[delete("/api/v1/developers/{id}/webhook")]
pub async fn delete_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let developer_id = own_developer(&caller, id.into_inner())?;
    let ctx = caller.audit(state.now_ms());
    state
        .db(move |c| store::delete_webhook(c, &ctx, developer_id).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/developers/{id}/webhook/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "developer id"), ListQuery<DeliveryStatus>),
    responses((status = 200, body = Page<DeliveryOut>, description = "newest first; `status` = pending | delivered | failed"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err)))]
#[get("/api/v1/developers/{id}/webhook/deliveries")]
pub async fn list_deliveries(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<ListQuery<DeliveryStatus>>,
) -> ApiResult<web::Json<Page<DeliveryOut>>> {
    let page = query.page()?;
    let status = query.status();
    let developer_id = readable_developer(&caller, &state, id.into_inner()).await?;
    let (items, total) = state
        .db(move |c| Ok(store::list_deliveries(c, developer_id, status, page)?))
        .await?;
    Ok(web::Json(Page::new(
        items.into_iter().map(DeliveryOut::from).collect(),
        total,
        page,
    )))
}
