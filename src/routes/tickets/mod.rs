//! Housing tickets (房票) for officials: issue one or import many (numbers and PINs shown once),
//! list and read them with their ledger (holders masked, reads audited), transfer, void and
//! cash out (admin). The kiosk and the developer's side are in `redemption`.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::tickets::{self as store, EntryRow, Ticket, TicketFilter};
use crate::domain::status::TicketStatus;
use crate::domain::ticket::TicketPolicy;
use crate::domain::{FieldError, PageRequest};
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::Page;
use crate::state::AppState;

mod admin;
mod import;
mod redemption;

pub use admin::*;
pub use import::*;
pub use redemption::*;

type Err = crate::error::ErrorBody;

/// One tier of a ticket's incentive schedule, as printed on its slip.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleLine {
    /// the last day (local date) this bonus applies; the ticket's first day is day 0
    pub until: String,
    pub bonus_pct: i64,
}

/// A ticket as officials see it: the holder masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketOut {
    pub id: i64,
    /// 房票号, printed on the ticket
    pub ticket_no: String,
    pub household_id: i64,
    /// the household's, or the transferee's after a transfer (e.g. `张*明`)
    pub holder_name_masked: String,
    pub transferred: bool,
    pub face_value_yuan: i64,
    pub balance_yuan: i64,
    /// Σ debits of confirmed or contracted reservations
    pub debited_yuan: i64,
    pub cashed_out_yuan: i64,
    pub voided_yuan: i64,
    /// RFC 3339
    pub issued_at: String,
    pub valid_until: String,
    /// as of now: a ticket past its validity reads `expired`
    pub status: TicketStatus,
    pub status_reason: Option<String>,
    pub transfers_used: i32,
    /// the speed tiers from the issue date, then the zone bonus added on top (by zone class)
    pub incentive_schedule: Vec<ScheduleLine>,
    #[schema(value_type = Object)]
    pub zone_bonus_pct: std::collections::BTreeMap<String, i64>,
}

impl TicketOut {
    pub fn new(t: &Ticket, household_name_masked: &str, policy: &TicketPolicy, now: i64) -> Self {
        TicketOut {
            id: t.id,
            ticket_no: t.ticket_no.clone(),
            household_id: t.household_id,
            holder_name_masked: t
                .holder_name_masked
                .clone()
                .unwrap_or_else(|| household_name_masked.to_string()),
            transferred: t.transfers_used > 0,
            face_value_yuan: t.face_value_yuan,
            balance_yuan: t.balance_yuan,
            debited_yuan: t.debited_yuan,
            cashed_out_yuan: t.cashed_out_yuan,
            voided_yuan: t.voided_yuan,
            issued_at: rfc3339(t.issued_at_ms),
            valid_until: rfc3339(t.valid_until_ms),
            status: t.status_at(now),
            status_reason: t.status_reason.clone(),
            transfers_used: t.transfers_used,
            incentive_schedule: schedule(t, policy),
            zone_bonus_pct: zone_bonus(policy),
        }
    }
}

/// The speed tiers as dates from the ticket's issue (the last day each applies), within its
/// validity.
pub fn schedule(t: &Ticket, policy: &TicketPolicy) -> Vec<ScheduleLine> {
    use crate::domain::ticket::DAY_MS;
    policy
        .speed_tiers
        .iter()
        .filter(|tier| t.issued_at_ms + tier.within_days * DAY_MS < t.valid_until_ms)
        .map(|tier| ScheduleLine {
            until: day_text(t.issued_at_ms + tier.within_days * DAY_MS),
            bonus_pct: tier.bonus_pct,
        })
        .collect()
}

/// A local date as `YYYY-MM-DD`.
pub fn day_text(ms: i64) -> String {
    let d = crate::domain::periods::local_day(ms);
    format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100)
}

pub fn zone_bonus(policy: &TicketPolicy) -> std::collections::BTreeMap<String, i64> {
    (1..=3)
        .map(|z| (z.to_string(), policy.zone_bonus_pct[z - 1]))
        .collect()
}

/// A ledger line as officials see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    pub id: i64,
    /// issue | debit | bonus | refund | transfer | cash_out | void
    pub kind: String,
    pub amount_yuan: i64,
    pub reservation_id: Option<i64>,
    pub developer_id: Option<i64>,
    pub bonus_pct: Option<i32>,
    /// official | developer | household | system
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub at: String,
}

impl From<EntryRow> for EntryOut {
    fn from(e: EntryRow) -> Self {
        EntryOut {
            id: e.id,
            kind: e.kind,
            amount_yuan: e.amount_yuan,
            reservation_id: e.reservation_id,
            developer_id: e.developer_id,
            bonus_pct: e.bonus_pct,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            details: serde_json::from_str(&e.details).unwrap_or_default(),
            at: rfc3339(e.at_ms),
        }
    }
}

/// One ticket with its whole ledger, oldest line first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketOut,
    pub ledger: Vec<EntryOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// active | exhausted | expired | cashed_out | void (as of now)
    #[param(value_type = Option<TicketStatus>)]
    pub status: Option<String>,
    /// still valid and expiring within this many days
    #[param(minimum = 0, maximum = 3650)]
    pub expiring_within_days: Option<i64>,
    pub household_id: Option<i64>,
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

impl TicketQuery {
    fn filter(&self) -> ApiResult<(TicketFilter, PageRequest)> {
        let bad = |m: String| ApiError::new(RefusalKind::InvalidQuery, m);
        let page = super::page_request(self.page, self.per_page)?;
        let status = match self.status.as_deref() {
            None | Some("") => None,
            Some(s) => Some(TicketStatus::parse(s).ok_or_else(|| {
                bad("status must be active, exhausted, expired, cashed_out or void".into())
            })?),
        };
        if self
            .expiring_within_days
            .is_some_and(|d| !(0..=3650).contains(&d))
        {
            return Err(bad("expiring_within_days must be from 0 to 3650".into()));
        }
        Ok((
            TicketFilter {
                status,
                expiring_within_days: self.expiring_within_days,
                household_id: self.household_id,
            },
            page,
        ))
    }
}

/// Loads tickets with their households' masked names and records the official's read.
fn with_holders(
    c: &mut crate::db::AnyConnection,
    tickets: &[Ticket],
) -> Result<Vec<String>, ApiError> {
    tickets
        .iter()
        .map(|t| {
            Ok(crate::db::households::get(c, t.household_id)?
                .map(|h| h.name_masked)
                .unwrap_or_default())
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    params(TicketQuery),
    responses((status = 200, body = Page<TicketOut>, description = "soonest expiry first"),
        (status = 400, body = Err), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/tickets")]
pub async fn list_tickets(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<TicketQuery>,
) -> ApiResult<web::Json<Page<TicketOut>>> {
    caller.official()?;
    let (filter, page) = query.filter()?;
    let now = state.now_ms();
    let ctx = caller.audit(now);
    let (items, total, names, policy) = state
        .db(move |c| {
            let (items, total) = store::list(c, &filter, now, page)?;
            let names = with_holders(c, &items)?;
            let policy = crate::db::policy::in_force(c, now)?.policy;
            crate::db::write_tx(c, |c| {
                crate::db::audit::record(
                    c,
                    &ctx,
                    "ticket.search",
                    "ticket",
                    None,
                    serde_json::json!({ "results": items.len(), "total": total }),
                )
            })?;
            Ok((items, total, names, policy))
        })
        .await?;
    let items = items
        .iter()
        .zip(&names)
        .map(|(t, n)| TicketOut::new(t, n, &policy.ticket, now))
        .collect();
    Ok(web::Json(Page::new(items, total, page)))
}

#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ticket id")),
    responses((status = 200, body = TicketDetail), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err)))]
#[get("/api/v1/tickets/{id}")]
pub async fn get_ticket(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<TicketDetail>> {
    caller.official()?;
    let id = id.into_inner();
    let now = state.now_ms();
    let ctx = caller.audit(now);
    let (t, name, ledger, policy) = state
        .db(move |c| {
            let t = store::get(c, id)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            let name = with_holders(c, std::slice::from_ref(&t))?.remove(0);
            let ledger = store::entries(c, id)?;
            let policy = crate::db::policy::in_force(c, now)?.policy;
            crate::db::write_tx(c, |c| {
                crate::db::audit::record(
                    c,
                    &ctx,
                    "ticket.read",
                    "ticket",
                    Some(id),
                    serde_json::json!({}),
                )
            })?;
            Ok((t, name, ledger, policy))
        })
        .await?;
    Ok(web::Json(TicketDetail {
        ticket: TicketOut::new(&t, &name, &policy.ticket, now),
        ledger: ledger.into_iter().map(EntryOut::from).collect(),
    }))
}

/// A face value: whole yuan from 1 to 100 000 000.
pub fn face_value(v: i64) -> Result<i64, FieldError> {
    if (1..=100_000_000).contains(&v) {
        Ok(v)
    } else {
        Err(FieldError::new(
            "face_value_yuan",
            "must be a whole number of yuan from 1 to 100000000",
        ))
    }
}

/// The slip's answer to an issue: the ticket and its PIN, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedTicketOut {
    #[serde(flatten)]
    pub ticket: TicketOut,
    /// 6 digits, shown only in this response: print it on the slip
    pub pin: String,
}

/// Draws a new ticket number (the voucher generator: one namespace) and PIN, and hashes the PIN
/// on the hashing pool.
pub async fn seal(state: &AppState) -> ApiResult<(store::TicketSeal, String)> {
    let mut rng = rand::rngs::OsRng;
    let ticket_no = crate::domain::household::generate_voucher(&mut rng);
    let pin = crate::domain::household::generate_pin(&mut rng);
    let p = pin.clone();
    let pin_hash = state.hash(move || crate::crypto::hash_pin(&p)).await?;
    Ok((
        store::TicketSeal {
            ticket_no,
            pin_hash,
        },
        pin,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueTicketRequest {
    pub household_id: i64,
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub face_value_yuan: i64,
}

#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    request_body = IssueTicketRequest,
    responses((status = 201, body = IssuedTicketOut), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err), (status = 409, body = Err, description = "ticket_exists; invalid_transition: the household already used its area entitlement"),
        (status = 422, body = Err, description = "validation_failed")))]
#[post("/api/v1/tickets")]
pub async fn issue_ticket(
    caller: Caller,
    state: web::Data<AppState>,
    body: crate::routes::body::JsonBody<IssueTicketRequest>,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let body = body.into_inner();
    let face = face_value(body.face_value_yuan).map_err(|e| ApiError::validation(vec![e]))?;
    let (seal, pin) = seal(&state).await?;
    let ctx = caller.audit(state.now_ms());
    let now = ctx.now_ms;
    let (t, name, policy) = state
        .db(move |c| {
            let t = store::issue(c, &ctx, body.household_id, face, &seal)?;
            let name = with_holders(c, std::slice::from_ref(&t))?.remove(0);
            Ok((t, name, crate::db::policy::in_force(c, now)?.policy))
        })
        .await?;
    Ok(HttpResponse::Created().json(IssuedTicketOut {
        ticket: TicketOut::new(&t, &name, &policy.ticket, now),
        pin,
    }))
}
