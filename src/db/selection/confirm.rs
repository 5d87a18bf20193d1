//! Confirming a live hold into a reservation (by the area entitlement or by a housing ticket),
//! and releasing a hold: conditional writes on the state read, in the caller's transaction.

use diesel::prelude::*;

use super::{free_unit, get, record, unit_info, Reservation, UnitInfo};
use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::listings::{self, ListingChange};
use crate::db::policy::PolicyVersion;
use crate::db::schema::{households, reservations, units};
use crate::db::AnyConnection;
use crate::domain::entitlement::quote;
use crate::domain::hold::{changed_meanwhile, check_consumes, decide_confirm, decide_release};
use crate::domain::selection::ReservationStatus;
use crate::domain::status::UnitStatus;

fn own_hold(
    conn: &mut AnyConnection,
    household_id: i64,
    hold_id: i64,
) -> Result<Reservation, DbError> {
    get(conn, hold_id)?
        .filter(|r| r.household_id == household_id)
        .ok_or_else(|| DbError::not_found("hold"))
}

/// Turns a live hold into a confirmed reservation: freezes the quote and the policy version and
/// takes the consumed origin area off the household, all in the caller's transaction.
pub fn confirm(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    hold_id: i64,
) -> Result<Reservation, DbError> {
    let now = ctx.now_ms;
    let h = crate::db::kiosk::lock_by_id(conn, household_id)?
        .ok_or_else(|| DbError::unauthorized("the household no longer exists"))?;
    let r = own_hold(conn, household_id, hold_id)?;
    decide_confirm(r.status, r.expires_at_ms, now)?;
    let version = crate::db::policy::in_force(conn, now)?;
    let unit = unit_info(conn, r.unit_id)?.ok_or_else(|| DbError::not_found("unit"))?;
    if let Some(ticket_id) = r.ticket_id {
        return confirm_by_ticket(conn, ctx, r, ticket_id, &unit, &version);
    }
    let q = quote(h.entitlement(), unit.terms(), &version.policy);
    check_consumes(&q)?;
    let debited =
        diesel::update(households::table.find(household_id).filter(
            households::remaining_origin_area_centi_m2.eq(h.remaining_origin_area_centi_m2),
        ))
        .set((
            households::remaining_origin_area_centi_m2
                .eq(h.remaining_origin_area_centi_m2 - q.origin_consumed_centi),
            households::updated_at_ms.eq(now),
        ))
        .execute(conn)?;
    let reserved = reserve_unit(conn, r.unit_id, now)?;
    let confirmed = diesel::update(
        reservations::table
            .find(r.id)
            .filter(reservations::status.eq(ReservationStatus::Held)),
    )
    .set((
        reservations::status.eq(ReservationStatus::Confirmed),
        reservations::confirmed_at_ms.eq(now),
        reservations::confirmed_day.eq(crate::domain::periods::local_day(now)),
        reservations::policy_version.eq(version.version),
        reservations::entitled_centi_m2.eq(q.entitled_centi),
        reservations::covered_centi_m2.eq(q.covered_centi),
        reservations::origin_consumed_centi_m2.eq(q.origin_consumed_centi),
        reservations::gov_pays_yuan.eq(q.gov_pays_yuan),
        reservations::top_up_yuan.eq(q.top_up_yuan),
        reservations::reward_yuan.eq(q.reward_yuan),
        reservations::updated_at_ms.eq(now),
    ))
    .execute(conn)?;
    if (debited, reserved, confirmed) != (1, 1, 1) {
        return Err(DbError::broken(anyhow::anyhow!(
            "confirm of hold {hold_id} raced: {debited}/{reserved}/{confirmed} rows"
        )));
    }
    let r = Reservation {
        status: ReservationStatus::Confirmed,
        confirmed_at_ms: Some(now),
        confirmed_day: Some(crate::domain::periods::local_day(now)),
        policy_version: Some(version.version),
        entitled_centi_m2: Some(q.entitled_centi),
        covered_centi_m2: Some(q.covered_centi),
        origin_consumed_centi_m2: Some(q.origin_consumed_centi),
        gov_pays_yuan: Some(q.gov_pays_yuan),
        top_up_yuan: Some(q.top_up_yuan),
        reward_yuan: Some(q.reward_yuan),
        updated_at_ms: now,
        ..r
    };
    listings::record(conn, ListingChange::Unit(r.unit_id), now)?;
    record(
        conn,
        ctx,
        "reservation.confirmed",
        &r,
        &unit,
        serde_json::json!({ "policy_version": version.version, "gov_pays_yuan": q.gov_pays_yuan,
                            "top_up_yuan": q.top_up_yuan, "origin_area_consumed_centi_m2": q.origin_consumed_centi }),
        None,
    )?;
    Ok(r)
}

/// Releases the household's own hold: the unit is available again at once.
pub fn release(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    hold_id: i64,
) -> Result<(), DbError> {
    let r = own_hold(conn, household_id, hold_id)?;
    let status = decide_release(r.status, r.expires_at_ms, ctx.now_ms)?;
    let changed = diesel::update(
        reservations::table
            .find(r.id)
            .filter(reservations::status.eq(ReservationStatus::Held)),
    )
    .set((
        reservations::status.eq(status),
        reservations::ended_at_ms.eq(ctx.now_ms),
        reservations::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(changed_meanwhile("hold").into());
    }
    free_unit(conn, r.unit_id, UnitStatus::Held, ctx.now_ms)?;
    let r = get(conn, r.id)?.expect("exists");
    if let Some(unit) = unit_info(conn, r.unit_id)? {
        record(
            conn,
            ctx,
            &format!("hold.{}", status.as_str()),
            &r,
            &unit,
            serde_json::json!({}),
            None,
        )?;
    }
    Ok(())
}

/// The unit of a held reservation becomes reserved and the reservation confirmed; false when
/// either changed meanwhile.
fn reserve_unit(conn: &mut AnyConnection, unit_id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(
        units::table
            .find(unit_id)
            .filter(units::status.eq(UnitStatus::Held)),
    )
    .set((
        units::status.eq(UnitStatus::Reserved),
        units::updated_at_ms.eq(now),
    ))
    .execute(conn)
}

/// Confirms a hold a housing ticket pays for: the ticket is debited at this moment's rate
/// (`db::tickets::debit_on_confirm`), the ticket quote frozen; no area is taken off.
fn confirm_by_ticket(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    r: Reservation,
    ticket_id: i64,
    unit: &UnitInfo,
    version: &PolicyVersion,
) -> Result<Reservation, DbError> {
    let now = ctx.now_ms;
    let q =
        crate::db::tickets::debit_on_confirm(conn, ctx, ticket_id, r.id, unit, &version.policy)?;
    let reserved = reserve_unit(conn, r.unit_id, now)?;
    let day = crate::domain::periods::local_day(now);
    let confirmed = diesel::update(
        reservations::table
            .find(r.id)
            .filter(reservations::status.eq(ReservationStatus::Held)),
    )
    .set((
        reservations::status.eq(ReservationStatus::Confirmed),
        reservations::confirmed_at_ms.eq(now),
        reservations::confirmed_day.eq(day),
        reservations::policy_version.eq(version.version),
        reservations::entitled_centi_m2.eq(0),
        reservations::covered_centi_m2.eq(0),
        reservations::origin_consumed_centi_m2.eq(0),
        // the city pays the developer the debit and the bonus; the holder pays the top-up
        reservations::gov_pays_yuan.eq(q.debit_yuan + q.bonus_yuan),
        reservations::top_up_yuan.eq(q.top_up_yuan),
        reservations::reward_yuan.eq(0),
        reservations::ticket_debit_yuan.eq(q.debit_yuan),
        reservations::ticket_bonus_yuan.eq(q.bonus_yuan),
        reservations::ticket_bonus_pct.eq(q.bonus_pct as i32),
        reservations::ticket_balance_after_yuan.eq(q.balance_after_yuan),
        reservations::updated_at_ms.eq(now),
    ))
    .execute(conn)?;
    if (reserved, confirmed) != (1, 1) {
        return Err(DbError::broken(anyhow::anyhow!(
            "ticket confirm of hold {} raced: {reserved}/{confirmed} rows",
            r.id
        )));
    }
    let r = Reservation {
        status: ReservationStatus::Confirmed,
        confirmed_at_ms: Some(now),
        confirmed_day: Some(day),
        policy_version: Some(version.version),
        entitled_centi_m2: Some(0),
        covered_centi_m2: Some(0),
        origin_consumed_centi_m2: Some(0),
        gov_pays_yuan: Some(q.debit_yuan + q.bonus_yuan),
        top_up_yuan: Some(q.top_up_yuan),
        reward_yuan: Some(0),
        ticket_debit_yuan: Some(q.debit_yuan),
        ticket_bonus_yuan: Some(q.bonus_yuan),
        ticket_bonus_pct: Some(q.bonus_pct as i32),
        ticket_balance_after_yuan: Some(q.balance_after_yuan),
        updated_at_ms: now,
        ..r
    };
    crate::db::listings::record(
        conn,
        crate::db::listings::ListingChange::Unit(r.unit_id),
        now,
    )?;
    record(
        conn,
        ctx,
        "reservation.confirmed",
        &r,
        unit,
        serde_json::json!({ "policy_version": version.version, "ticket_id": ticket_id,
                            "debit_yuan": q.debit_yuan, "bonus_yuan": q.bonus_yuan,
                            "top_up_yuan": q.top_up_yuan, "bonus_pct": q.bonus_pct }),
        None,
    )?;
    Ok(r)
}
