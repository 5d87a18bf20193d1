//! An admin's acts on a ticket: transfer (a new number and PIN, shown once), void, cash-out.

use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{seal, with_holders, Err, IssuedTicketOut, TicketOut};
use crate::auth::Caller;
use crate::db::tickets::{self as store, NewHolder};
use crate::domain::household::{shanghai, IdNumber};
use crate::domain::mask::parse_phone;
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult};
use crate::routes::body::JsonBody;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// the transferee's name, 1–30 characters
    pub name: String,
    /// 18 characters, GB 11643
    pub id_number: String,
    pub phone: String,
    /// why (kept in the audit trail)
    pub reason: String,
}

/// A reason an official gives: 1–500 characters.
fn reason(field: &str, text: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 500 {
        return Err(FieldError::new(field, "must be 1 to 500 characters"));
    }
    Ok(t.to_string())
}

impl TransferRequest {
    /// The transferee checked field by field, every bad field reported.
    fn parse(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<(String, IdNumber, String, String), ApiError> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 30 {
            errors.push(FieldError::new("name", "must be 1 to 30 characters"));
        }
        let id = IdNumber::parse(&self.id_number, today)
            .map_err(|m| errors.push(FieldError::new("id_number", format!("id_number {m}"))))
            .ok();
        let phone = parse_phone(&self.phone)
            .map_err(|m| errors.push(FieldError::new("phone", format!("phone {m}"))))
            .ok();
        let why = reason("reason", &self.reason)
            .map_err(|e| errors.push(e))
            .ok();
        match (id, phone, why) {
            (Some(id), Some(phone), Some(why)) if errors.is_empty() => Ok((name, id, phone, why)),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/transfer", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ticket id")), request_body = TransferRequest,
    responses((status = 200, body = IssuedTicketOut, description = "the ticket with its new number and PIN (shown once); the old ones stop working at once"),
        (status = 401, body = Err), (status = 403, body = Err), (status = 404, body = Err),
        (status = 409, body = Err, description = "ticket_transfer_not_allowed: used, holding a unit, or no transfers left"),
        (status = 422, body = Err, description = "validation_failed")))]
#[post("/api/v1/tickets/{id}/transfer")]
pub async fn transfer_ticket(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<TransferRequest>,
) -> ApiResult<web::Json<IssuedTicketOut>> {
    caller.admin()?;
    let now = state.now_ms();
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&shanghai())
        .date_naive();
    let (name, id_number, phone, why) = body.parse(today)?;
    let (seal, pin) = seal(&state).await?;
    let to = NewHolder::seal(&state.cipher, &name, &id_number, &phone, seal);
    let ctx = caller.audit(now);
    let id = id.into_inner();
    let (t, holder, policy) = state
        .db(move |c| {
            let t = store::transfer(c, &ctx, id, &to, &why)?;
            let holder = with_holders(c, std::slice::from_ref(&t))?.remove(0);
            Ok((t, holder, crate::db::policy::in_force(c, now)?.policy))
        })
        .await?;
    Ok(web::Json(IssuedTicketOut {
        ticket: TicketOut::new(&t, &holder, &policy.ticket, now),
        pin,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/void", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ticket id")), request_body = VoidRequest,
    responses((status = 200, body = TicketOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err), (status = 409, body = Err, description = "invalid_transition: used or holding a unit"),
        (status = 422, body = Err, description = "validation_failed")))]
#[post("/api/v1/tickets/{id}/void")]
pub async fn void_ticket(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<VoidRequest>,
) -> ApiResult<web::Json<TicketOut>> {
    caller.admin()?;
    let why = reason("reason", &body.reason).map_err(|e| ApiError::validation(vec![e]))?;
    let ctx = caller.audit(state.now_ms());
    let (now, id) = (ctx.now_ms, id.into_inner());
    let (t, holder, policy) = state
        .db(move |c| {
            let t = store::void(c, &ctx, id, &why)?;
            let holder = with_holders(c, std::slice::from_ref(&t))?.remove(0);
            Ok((t, holder, crate::db::policy::in_force(c, now)?.policy))
        })
        .await?;
    Ok(web::Json(TicketOut::new(&t, &holder, &policy.ticket, now)))
}

/// A cash-out: the ticket and what is paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct CashOutOut {
    #[serde(flatten)]
    pub ticket: TicketOut,
    pub amount_yuan: i64,
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/cash-out", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ticket id")),
    responses((status = 200, body = CashOutOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err), (status = 409, body = Err, description = "ticket_not_expired; invalid_transition: already cashed out or void")))]
#[post("/api/v1/tickets/{id}/cash-out")]
pub async fn cash_out_ticket(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let ctx = caller.audit(state.now_ms());
    let (now, id) = (ctx.now_ms, id.into_inner());
    let (t, amount, holder, policy) = state
        .db(move |c| {
            let (t, amount) = store::cash_out(c, &ctx, id)?;
            let holder = with_holders(c, std::slice::from_ref(&t))?.remove(0);
            Ok((
                t,
                amount,
                holder,
                crate::db::policy::in_force(c, now)?.policy,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(CashOutOut {
        ticket: TicketOut::new(&t, &holder, &policy.ticket, now),
        amount_yuan: amount,
    }))
}
