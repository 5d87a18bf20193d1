//! The bulk import of ticket households: the households table with a face value per row; every
//! bad row named and nothing stored, or every household and its ticket stored at once.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Err, ScheduleLine};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::tickets::{self as store, TicketSeal};
use crate::domain::household::shanghai;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// One printed slip (as Guangzhou's ticket shows: type, origin, face value, incentive, period).
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSlip {
    /// the row of the uploaded table
    pub row: usize,
    /// the ticket's id
    pub id: i64,
    pub household_id: i64,
    pub ticket_no: String,
    /// 6 digits, shown only in this response: print it on the slip
    pub pin: String,
    pub holder_name_masked: String,
    /// 征收项目: where the ticket comes from
    pub expropriation_project: String,
    pub face_value_yuan: i64,
    pub issued_at: String,
    pub valid_until: String,
    pub incentive_schedule: Vec<ScheduleLine>,
    #[schema(value_type = Object)]
    pub zone_bonus_pct: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketImportResult {
    pub imported: usize,
    pub tickets: Vec<TicketSlip>,
}

#[utoipa::path(post, path = "/api/v1/tickets/import", tag = "tickets", security(("bearer" = [])),
    request_body(description = "the household table (docs/api.md, Uploads) with 安置方式 房票 and a column \
        face_value_yuan / 房票面额, as text/csv (UTF-8 or GB18030), an XLSX workbook, JSON {\"households\":[…]}, \
        or multipart/form-data with a part named file",
        content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (crate::routes::households::HouseholdTableJson = "application/json"),
            (crate::routes::households::TableMultipart = "multipart/form-data"))),
    responses((status = 201, body = TicketImportResult), (status = 400, body = Err), (status = 401, body = Err),
        (status = 403, body = Err), (status = 409, body = Err, description = "duplicate_household (registered concurrently)"),
        (status = 413, body = Err), (status = 415, body = Err),
        (status = 422, body = Err, description = "upload_rejected with details.rows, empty_upload, bad_encoding")))]
#[post("/api/v1/tickets/import")]
pub async fn import_tickets(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.admin()?;
    let limits = state.upload;
    let (format, body) =
        crate::routes::upload_body::read_upload(&req, payload, limits.max_body_bytes).await?;
    let now = state.now_ms();
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&shanghai())
        .date_naive();
    let budgets = limits.budgets();
    let table = crate::routes::upload_body::parse(&state, move || {
        crate::upload::tickets::check_ticket_households(&body, format, budgets, today)
    })
    .await??;
    let cipher = state.cipher.clone();
    let threads = crate::enrolment::all_cores();
    let faces = table.face_values;
    let enrolment = web::block(move || {
        crate::enrolment::prepare(table.households, &cipher, now, threads, &|_| {})
    })
    .await?;
    // the ticket's PIN is the one hashed for the row (the household's own voucher never opens
    // the kiosk once it is settled by ticket); the number is a new one from the same generator
    let mut rng = rand::rngs::OsRng;
    let seals: Vec<(i64, TicketSeal)> = enrolment
        .sealed
        .iter()
        .zip(&faces)
        .map(|((_, h), face)| {
            let seal = TicketSeal {
                ticket_no: crate::domain::household::generate_voucher(&mut rng),
                pin_hash: h.pin_hash.clone(),
            };
            (*face, seal)
        })
        .collect();
    let ctx = caller.audit(now);
    let (issued, enrolment, policy) = state
        .db(move |c| {
            let issued = store::import(
                c,
                &ctx,
                &enrolment.keys,
                &enrolment.errors,
                &enrolment.sealed,
                &seals,
            )
            .map_err(ApiError::from)?;
            Ok((
                issued,
                enrolment,
                crate::db::policy::in_force(c, now)?.policy,
            ))
        })
        .await?;
    tracing::info!(imported = issued.len(), "ticket households imported");
    let tickets: Vec<TicketSlip> = issued
        .iter()
        .zip(&enrolment.slips)
        .zip(&enrolment.sealed)
        .map(|((i, slip), (_, h))| TicketSlip {
            row: i.row,
            id: i.ticket.id,
            household_id: i.ticket.household_id,
            ticket_no: i.ticket.ticket_no.clone(),
            pin: slip.pin.clone(),
            holder_name_masked: slip.name_masked.clone(),
            expropriation_project: h.expropriation_project.clone(),
            face_value_yuan: i.ticket.face_value_yuan,
            issued_at: rfc3339(i.ticket.issued_at_ms),
            valid_until: rfc3339(i.ticket.valid_until_ms),
            incentive_schedule: super::schedule(&i.ticket, &policy.ticket),
            zone_bonus_pct: super::zone_bonus(&policy.ticket),
        })
        .collect();
    Ok(HttpResponse::Created().json(TicketImportResult {
        imported: tickets.len(),
        tickets,
    }))
}
