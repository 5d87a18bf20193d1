//! Holds and reservations: the state changes of selection, each in one transaction with its
//! audit event, its listing change (search) and its notice to the developer (webhook outbox).
//! Every check that guards an invariant is also a conditional UPDATE or a database constraint.

use diesel::prelude::*;

use crate::db::audit::{self, Actor, AuditCtx};
use crate::db::listings::{self, ListingChange};
use crate::db::schema::{projects, reservations, units};
use crate::db::AnyConnection;
use crate::domain::entitlement::{Quote, UnitTerms};
use crate::domain::policy::Zone;
use crate::domain::selection::ReservationStatus;
use crate::domain::status::UnitStatus;
use crate::domain::ticket::TicketQuote;

mod after;
mod confirm;
mod hold;
mod lists;

pub use after::{cancel, contract};
pub use confirm::{confirm, release};
pub(crate) use hold::memberships;
pub use hold::{place_hold, precheck_hold, HoldQuote, Payer};
pub use lists::{list, of_household, recent_selections, status_counts, ReservationRow};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = reservations)]
pub struct Reservation {
    pub id: i64,
    pub household_id: i64,
    pub unit_id: i64,
    pub round_id: Option<i64>,
    pub status: ReservationStatus,
    pub held_at_ms: i64,
    pub expires_at_ms: i64,
    pub confirmed_at_ms: Option<i64>,
    pub confirmed_day: Option<i32>,
    pub contracted_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    pub policy_version: Option<i64>,
    pub entitled_centi_m2: Option<i64>,
    pub covered_centi_m2: Option<i64>,
    pub origin_consumed_centi_m2: Option<i64>,
    pub gov_pays_yuan: Option<i64>,
    pub top_up_yuan: Option<i64>,
    pub reward_yuan: Option<i64>,
    pub contract_no: Option<String>,
    pub cancel_reason: Option<String>,
    pub updated_at_ms: i64,
    /// set when a housing ticket pays: the ticket and its terms frozen at confirmation
    pub ticket_id: Option<i64>,
    pub ticket_debit_yuan: Option<i64>,
    pub ticket_bonus_yuan: Option<i64>,
    pub ticket_bonus_pct: Option<i32>,
    pub ticket_balance_after_yuan: Option<i64>,
}

impl Reservation {
    pub fn status(&self) -> ReservationStatus {
        self.status
    }

    /// The ticket quote frozen at confirmation of a reservation a ticket paid for.
    pub fn frozen_ticket_quote(&self) -> Option<TicketQuote> {
        self.ticket_id?;
        Some(TicketQuote {
            debit_yuan: self.ticket_debit_yuan?,
            bonus_yuan: self.ticket_bonus_yuan?,
            top_up_yuan: self.top_up_yuan?,
            bonus_pct: i64::from(self.ticket_bonus_pct?),
            balance_after_yuan: self.ticket_balance_after_yuan?,
        })
    }

    /// The area quote frozen at confirmation (none for a ticket's reservation).
    pub fn frozen_quote(&self) -> Option<Quote> {
        if self.ticket_id.is_some() {
            return None;
        }
        Some(Quote {
            entitled_centi: self.entitled_centi_m2?,
            covered_centi: self.covered_centi_m2?,
            origin_consumed_centi: self.origin_consumed_centi_m2?,
            gov_pays_yuan: self.gov_pays_yuan?,
            top_up_yuan: self.top_up_yuan?,
            reward_yuan: self.reward_yuan?,
        })
    }
}

/// A unit's place and terms, for quotes and notices.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct UnitInfo {
    pub unit_id: i64,
    pub project_id: i64,
    pub developer_id: i64,
    pub project_name: String,
    pub zone_class: i32,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub area_centi_m2: i64,
    pub price_per_m2_yuan: i64,
}

impl UnitInfo {
    pub fn terms(&self) -> UnitTerms {
        UnitTerms {
            zone: Zone::new(i64::from(self.zone_class)).expect("CHECK keeps zones 1–3"),
            area_centi: self.area_centi_m2,
            price_per_m2_yuan: self.price_per_m2_yuan,
        }
    }
}

/// The columns of a `UnitInfo`, from `units` joined with `projects`.
macro_rules! unit_info_columns {
    () => {
        (
            units::id,
            projects::id,
            projects::developer_id,
            projects::name,
            projects::zone_class,
            units::building,
            units::unit,
            units::room,
            units::area_centi_m2,
            units::price_per_m2_yuan,
        )
    };
}
use unit_info_columns;

pub fn unit_info(conn: &mut AnyConnection, unit_id: i64) -> QueryResult<Option<UnitInfo>> {
    units::table
        .inner_join(projects::table)
        .filter(units::id.eq(unit_id))
        .select(unit_info_columns!())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Reservation>> {
    let found = reservations::table
        .find(id)
        .select(Reservation::as_select())
        .first(conn)
        .optional();
    crate::db::in_row(found, "reservations", id)
}

/// Tells the unit's developer (webhook outbox) and records the audit event; `audit_note` (an
/// official's free text, which may name people) goes to the audit trail only.
pub(crate) fn record(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    event: &str,
    r: &Reservation,
    unit: &UnitInfo,
    extra: serde_json::Value,
    audit_note: Option<&str>,
) -> QueryResult<()> {
    let payload = serde_json::json!({
        "event": event,
        "reservation_id": r.id,
        "status": r.status,
        "unit_id": unit.unit_id,
        "project_id": unit.project_id,
        "project_name": unit.project_name,
        "building": unit.building,
        "unit": unit.unit,
        "room": unit.room,
        "at": crate::clock::rfc3339(ctx.now_ms),
        "details": extra,
    });
    let mut audited = payload.clone();
    if let Some(note) = audit_note {
        audited["note"] = serde_json::Value::from(note);
    }
    audit::record(conn, ctx, event, "reservation", Some(r.id), audited)?;
    crate::db::webhooks::enqueue(conn, unit.developer_id, event, &payload, ctx.now_ms)
}

/// Flips holds past their expiry to `expired` and frees their units: for one unit and one
/// household before a hold (`unit_id` / `household_id`), or up to `limit` of them (the sweeper).
pub fn expire_due(
    conn: &mut AnyConnection,
    now_ms: i64,
    unit_id: Option<i64>,
    household_id: Option<i64>,
    limit: i64,
) -> QueryResult<usize> {
    let mut q = reservations::table
        .filter(reservations::status.eq(ReservationStatus::Held))
        .filter(reservations::expires_at_ms.le(now_ms))
        .into_boxed();
    match (unit_id, household_id) {
        (Some(u), Some(h)) => {
            q = q.filter(
                reservations::unit_id
                    .eq(u)
                    .or(reservations::household_id.eq(h)),
            )
        }
        (Some(u), None) => q = q.filter(reservations::unit_id.eq(u)),
        (None, Some(h)) => q = q.filter(reservations::household_id.eq(h)),
        (None, None) => {}
    }
    let due: Vec<Reservation> = q
        .order(reservations::expires_at_ms.asc())
        .limit(limit)
        .select(Reservation::as_select())
        .load(conn)?;
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: None,
        now_ms,
    };
    let mut expired = 0;
    for mut r in due {
        let changed = diesel::update(
            reservations::table
                .find(r.id)
                .filter(reservations::status.eq(ReservationStatus::Held)),
        )
        .set((
            reservations::status.eq(ReservationStatus::Expired),
            reservations::ended_at_ms.eq(now_ms),
            reservations::updated_at_ms.eq(now_ms),
        ))
        .execute(conn)?;
        if changed == 0 {
            continue;
        }
        r.status = ReservationStatus::Expired;
        free_unit(conn, r.unit_id, UnitStatus::Held, now_ms)?;
        if let Some(unit) = unit_info(conn, r.unit_id)? {
            record(
                conn,
                &ctx,
                "hold.expired",
                &r,
                &unit,
                serde_json::json!({}),
                None,
            )?;
        }
        expired += 1;
    }
    Ok(expired)
}

/// `from` → available, and back into search.
pub(super) fn free_unit(
    conn: &mut AnyConnection,
    unit_id: i64,
    from: UnitStatus,
    now_ms: i64,
) -> QueryResult<()> {
    diesel::update(units::table.find(unit_id).filter(units::status.eq(from)))
        .set((
            units::status.eq(UnitStatus::Available),
            units::updated_at_ms.eq(now_ms),
        ))
        .execute(conn)?;
    listings::record(conn, ListingChange::Unit(unit_id), now_ms)
}
