//! The household at a kiosk: log in with voucher number + PIN, log out, its own summary, the
//! quote for one unit and personalised matches.

mod quotes;
mod session;

pub use quotes::*;
pub use session::*;

use crate::domain::selection::{ReservationStatus, RoundStatus};

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::domain::entitlement::cash_out_yuan;
use crate::error::{ApiError, ApiResult};
use crate::routes::area_m2;
use crate::routes::households::{entitled_by_zone, ByZone};
use crate::state::AppState;

type Err = crate::error::ErrorBody;

/// The household's own summary (docs/api.md `GET /kiosk/me`).
#[derive(Debug, Serialize, ToSchema)]
pub struct KioskMe {
    pub household: KioskHousehold,
    pub origin_zone: i64,
    pub origin_area_m2: f64,
    pub remaining_origin_area_m2: f64,
    /// what the remaining origin area buys in each zone class
    #[schema(value_type = Object)]
    pub entitled_area_m2_by_zone: ByZone,
    /// the remaining origin area taken as cash at the assessed price
    pub cash_out_yuan: i64,
    pub relocation_reward_yuan_per_m2: i64,
    /// the live hold, if any: `{id, unit_id, project_name, building, unit, room, expires_at, expires_in_s}`
    #[schema(value_type = Option<Object>)]
    pub active_hold: Option<serde_json::Value>,
    /// confirmed and contracted reservations with their frozen quotes
    #[schema(value_type = Vec<Object>)]
    pub reservations: Vec<serde_json::Value>,
    /// the household's place in its open round (else its latest):
    /// `{id, name, position, called_up_to, open, your_turn}`
    #[schema(value_type = Option<Object>)]
    pub round: Option<serde_json::Value>,
    pub policy_version: i64,
    /// set for a housing ticket's holder (docs/tickets.md)
    pub ticket: Option<KioskTicket>,
}

/// A ticket as its holder's kiosk shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct KioskTicket {
    pub ticket_no: String,
    pub face_value_yuan: i64,
    pub balance_yuan: i64,
    /// RFC 3339
    pub valid_until: String,
    /// as of now: active | exhausted | expired | cashed_out | void
    pub status: crate::domain::status::TicketStatus,
    /// today's bonus in whole percent by zone class ("1", "2", "3"): speed tier + zone bonus
    #[schema(value_type = Object)]
    pub bonus_pct_by_zone: std::collections::BTreeMap<String, i64>,
    /// when the speed bonus next drops (`on`: the local date from which the lower rate applies)
    #[schema(value_type = Option<Object>)]
    pub next_drop: Option<serde_json::Value>,
    /// one line for the screen, e.g. `再过 12 天，奖励比例将由 20% 降为 16%`
    pub notice: String,
}

impl KioskTicket {
    pub fn new(
        t: &crate::db::tickets::Ticket,
        policy: &crate::domain::ticket::TicketPolicy,
        now: i64,
    ) -> Self {
        use crate::domain::ticket::{elapsed_days, DAY_MS};
        let status = t.status_at(now);
        let live = status == crate::domain::status::TicketStatus::Active;
        let e = elapsed_days(t.issued_at_ms, now).unwrap_or(0);
        let bonus_pct_by_zone = crate::domain::policy::Zone::ALL
            .iter()
            .map(|z| {
                (
                    z.get().to_string(),
                    if live { policy.bonus_pct(e, *z) } else { 0 },
                )
            })
            .collect();
        let drop = policy.next_drop(t.issued_at_ms, now).filter(|_| live);
        let notice = match (&drop, status) {
            (Some(d), _) => format!(
                "再过 {} 天，奖励比例将由 {}% 降为 {}%",
                (d.at_ms - now + DAY_MS - 1) / DAY_MS,
                d.from_pct,
                d.to_pct
            ),
            (None, crate::domain::status::TicketStatus::Active) => format!(
                "房票有效期至 {}，请在有效期内使用",
                crate::routes::tickets::day_text(t.valid_until_ms - 1)
            ),
            (None, crate::domain::status::TicketStatus::Exhausted) => "房票余额已用完".to_string(),
            (None, crate::domain::status::TicketStatus::Expired) => {
                "房票已过有效期，剩余金额将以货币结算，请咨询大厅工作人员".to_string()
            }
            (None, _) => "房票已结清".to_string(),
        };
        KioskTicket {
            ticket_no: t.ticket_no.clone(),
            face_value_yuan: t.face_value_yuan,
            balance_yuan: t.balance_yuan,
            valid_until: rfc3339(t.valid_until_ms),
            status,
            bonus_pct_by_zone,
            next_drop: drop.map(|d| {
                serde_json::json!({ "on": crate::routes::tickets::day_text(d.at_ms),
                                    "from_pct": d.from_pct, "to_pct": d.to_pct })
            }),
            notice,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/kiosk/me", tag = "kiosk", security(("bearer" = [])),
    responses((status = 200, body = KioskMe), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/kiosk/me")]
pub async fn kiosk_me(caller: Caller, state: web::Data<AppState>) -> ApiResult<web::Json<KioskMe>> {
    let payer = caller.payer()?;
    let hid = payer.household_id;
    let now = state.now_ms();
    let (h, version, reservations, places, ticket) = state
        .db(move |c| {
            let h = crate::db::households::get(c, hid)?
                .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
            let version = crate::db::policy::in_force(c, now)?;
            let reservations = crate::db::selection::of_household(c, hid)?;
            let places = crate::db::rounds::memberships(c, hid)?;
            let ticket = match payer.ticket_id {
                Some(id) => crate::db::tickets::get(c, id)?,
                None => None,
            };
            Ok((h, version, reservations, places, ticket))
        })
        .await?;
    let active_hold = reservations
        .iter()
        .find(|r| {
            r.reservation.status == ReservationStatus::Held && r.reservation.expires_at_ms > now
        })
        .map(|r| {
            serde_json::json!({
                "id": r.reservation.id,
                "unit_id": r.reservation.unit_id,
                "project_name": r.unit.project_name,
                "building": r.unit.building, "unit": r.unit.unit, "room": r.unit.room,
                "expires_at": rfc3339(r.reservation.expires_at_ms),
                "expires_in_s": (r.reservation.expires_at_ms - now) / 1000,
            })
        });
    let round = places
        .iter()
        .find(|(r, _)| r.status == RoundStatus::Open)
        .or(places.first())
        .map(|(r, position)| {
            serde_json::json!({
                "id": r.id, "name": r.name, "position": position,
                "called_up_to": r.called_up_to, "open": r.status == RoundStatus::Open,
                "your_turn": r.status == RoundStatus::Open && position.is_some_and(|p| p <= r.called_up_to),
            })
        });
    let reservations = reservations
        .into_iter()
        .filter(|r| {
            matches!(
                r.reservation.status,
                ReservationStatus::Confirmed | ReservationStatus::Contracted
            )
        })
        .map(|r| serde_json::to_value(crate::routes::holds::ReservationDetail::from(r)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::internal)?;
    Ok(web::Json(KioskMe {
        entitled_area_m2_by_zone: entitled_by_zone(&h, &version.policy),
        cash_out_yuan: cash_out_yuan(
            h.remaining_origin_area_centi_m2,
            h.assessed_price_yuan_per_m2,
        ),
        relocation_reward_yuan_per_m2: version.policy.relocation_reward_yuan_per_m2,
        origin_zone: i64::from(h.origin_zone),
        origin_area_m2: area_m2(h.origin_area_centi_m2),
        remaining_origin_area_m2: area_m2(h.remaining_origin_area_centi_m2),
        household: KioskHousehold::of(&h, ticket.as_ref()),
        ticket: ticket
            .as_ref()
            .map(|t| KioskTicket::new(t, &version.policy.ticket, now)),
        active_hold,
        reservations,
        round,
        policy_version: version.version,
    }))
}
