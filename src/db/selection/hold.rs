//! A household's own selection: hold, confirm, release. The rules are decided in
//! `domain::hold` over facts loaded here; the writes are conditional on the state read.

use diesel::prelude::*;

use super::{expire_due, free_unit, get, record, unit_info, Reservation};
use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::listings::{self, ListingChange};
use crate::db::schema::{households, reservations, units};
use crate::db::AnyConnection;
use crate::domain::entitlement::{quote, Quote};
use crate::domain::hold::{
    changed_meanwhile, check_consumes, check_hold_limit, decide_confirm, decide_release,
    decide_turn, hold_expires_at_ms, unit_not_available, Membership, TurnFacts,
};
use crate::domain::selection::ReservationStatus;
use crate::domain::status::UnitStatus;

/// A new hold and the quote it shows. Runs inside the caller's write transaction.
pub fn place_hold(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    unit_id: i64,
) -> Result<(Reservation, Quote, i64), DbError> {
    let now = ctx.now_ms;
    let h = crate::db::kiosk::lock_by_id(conn, household_id)?
        .ok_or_else(|| DbError::unauthorized("the household no longer exists"))?;
    let version = crate::db::policy::in_force(conn, now)?;
    let policy = &version.policy;
    let memberships: Vec<Membership> = crate::db::rounds::memberships(conn, household_id)?
        .into_iter()
        .map(|(round, position)| Membership {
            round_id: round.id,
            status: round.status,
            called_up_to: round.called_up_to,
            position,
        })
        .collect();
    let round_id = decide_turn(&TurnFacts {
        now_ms: now,
        signed_at_ms: h.signed_at_ms,
        voucher_validity_days: policy.voucher_validity_days,
        remaining_origin_centi: h.remaining_origin_area_centi_m2,
        memberships: &memberships,
    })?;
    expire_due(conn, now, Some(unit_id), Some(household_id), 100)?;
    let live_holds: i64 = reservations::table
        .filter(reservations::household_id.eq(household_id))
        .filter(reservations::status.eq(ReservationStatus::Held))
        .count()
        .get_result(conn)?;
    check_hold_limit(live_holds, policy.max_active_holds)?;
    let unit = unit_info(conn, unit_id)?.ok_or_else(|| DbError::not_found("unit"))?;
    let listed = !listings::load_listed(conn, &[unit_id])?.is_empty();
    let taken = listed
        && diesel::update(
            units::table
                .find(unit_id)
                .filter(units::status.eq(UnitStatus::Available)),
        )
        .set((
            units::status.eq(UnitStatus::Held),
            units::updated_at_ms.eq(now),
        ))
        .execute(conn)?
            == 1;
    if !taken {
        return Err(unit_not_available().into());
    }
    let new = NewHold {
        household_id,
        unit_id,
        round_id: Some(round_id),
        status: ReservationStatus::Held,
        held_at_ms: now,
        expires_at_ms: hold_expires_at_ms(now, policy.hold_minutes),
        updated_at_ms: now,
    };
    let id = diesel::insert_into(reservations::table)
        .values(&new)
        .returning(reservations::id)
        .get_result::<i64>(conn);
    let id = id.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            unit_not_available().into()
        } else {
            DbError::from(e)
        }
    })?;
    let r = get(conn, id)?.expect("just inserted");
    listings::record(conn, ListingChange::Unit(unit_id), now)?;
    let q = quote(h.entitlement(), unit.terms(), policy);
    record(
        conn,
        ctx,
        "hold.created",
        &r,
        &unit,
        serde_json::json!({ "expires_at": crate::clock::rfc3339(r.expires_at_ms) }),
        None,
    )?;
    Ok((r, q, version.version))
}

#[derive(Insertable)]
#[diesel(table_name = reservations)]
struct NewHold {
    household_id: i64,
    unit_id: i64,
    round_id: Option<i64>,
    status: ReservationStatus,
    held_at_ms: i64,
    expires_at_ms: i64,
    updated_at_ms: i64,
}

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
    let reserved = diesel::update(
        units::table
            .find(r.unit_id)
            .filter(units::status.eq(UnitStatus::Held)),
    )
    .set((
        units::status.eq(UnitStatus::Reserved),
        units::updated_at_ms.eq(now),
    ))
    .execute(conn)?;
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
    let r = get(conn, r.id)?.expect("exists");
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
