//! What follows a confirmation: an official's cancellation (the unit and the consumed area, or
//! a ticket's debit, go back) and the developer's contract (the unit is sold). Rules in `domain::hold`.

use diesel::prelude::*;

use super::{free_unit, get, record, unit_info, Reservation};
use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::schema::{households, reservations, units};
use crate::db::AnyConnection;
use crate::domain::hold::{changed_meanwhile, decide_cancel, decide_contract};
use crate::domain::selection::ReservationStatus;
use crate::domain::status::UnitStatus;

/// An official cancels a confirmed reservation: the unit is available again and the consumed
/// origin area goes back to the household.
pub fn cancel(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    reason: &str,
) -> Result<Reservation, DbError> {
    let r = get(conn, id)?.ok_or_else(|| DbError::not_found("reservation"))?;
    crate::db::kiosk::lock_by_id(conn, r.household_id)?;
    decide_cancel(r.status)?;
    let consumed = r.origin_consumed_centi_m2.unwrap_or(0);
    let changed = diesel::update(
        reservations::table
            .find(id)
            .filter(reservations::status.eq(ReservationStatus::Confirmed)),
    )
    .set((
        reservations::status.eq(ReservationStatus::Cancelled),
        reservations::cancel_reason.eq(reason),
        reservations::ended_at_ms.eq(ctx.now_ms),
        reservations::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(changed_meanwhile("reservation").into());
    }
    diesel::update(households::table.find(r.household_id))
        .set((
            households::remaining_origin_area_centi_m2
                .eq(households::remaining_origin_area_centi_m2 + consumed),
            households::updated_at_ms.eq(ctx.now_ms),
        ))
        .execute(conn)?;
    free_unit(conn, r.unit_id, UnitStatus::Reserved, ctx.now_ms)?;
    let r = get(conn, id)?.expect("exists");
    let unit = unit_info(conn, r.unit_id)?;
    if let Some(u) = &unit {
        // a ticket gets its debit back, and the bonus is void with the reservation
        crate::db::tickets::refund_on_cancel(conn, ctx, &r, u.developer_id)?;
    }
    if let Some(unit) = unit {
        record(
            conn,
            ctx,
            "reservation.cancelled",
            &r,
            &unit,
            serde_json::json!({}),
            Some(reason),
        )?;
    }
    Ok(r)
}

/// The unit's developer files the contract (网签备案号): reservation `contracted`, unit `sold`.
pub fn contract(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    id: i64,
    contract_no: &str,
) -> Result<Reservation, DbError> {
    let r = get(conn, id)?.ok_or_else(|| DbError::not_found("reservation"))?;
    let unit = unit_info(conn, r.unit_id)?
        .filter(|u| u.developer_id == developer_id)
        .ok_or_else(|| DbError::not_found("reservation"))?;
    decide_contract(r.status)?;
    // 公示: the reservation's notice must be final first, when the policy says so
    let requires = crate::db::policy::in_force(conn, ctx.now_ms)?
        .policy
        .aftercare
        .contract_requires_notice;
    let notice = crate::db::aftercare::notices::finality_facts(conn, id)?;
    crate::domain::notice::decide_contract(requires, notice, ctx.now_ms)?;
    let changed = diesel::update(
        reservations::table
            .find(id)
            .filter(reservations::status.eq(ReservationStatus::Confirmed)),
    )
    .set((
        reservations::status.eq(ReservationStatus::Contracted),
        reservations::contract_no.eq(contract_no),
        reservations::contracted_at_ms.eq(ctx.now_ms),
        reservations::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    let sold = diesel::update(
        units::table
            .find(r.unit_id)
            .filter(units::status.eq(UnitStatus::Reserved)),
    )
    .set((
        units::status.eq(UnitStatus::Sold),
        units::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    if (changed, sold) != (1, 1) {
        return Err(changed_meanwhile("reservation").into());
    }
    let r = get(conn, id)?.expect("exists");
    record(
        conn,
        ctx,
        "reservation.contracted",
        &r,
        &unit,
        serde_json::json!({ "contract_no": contract_no }),
        None,
    )?;
    Ok(r)
}
