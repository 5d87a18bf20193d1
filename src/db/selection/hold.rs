//! A household's own selection: hold, confirm, release. The rules are decided in
//! `domain::hold` over facts loaded here; the writes are conditional on the state read.

use diesel::prelude::*;

use super::{
    expire_due, free_unit, get, record, unit_info, unit_info_columns, Reservation, UnitInfo,
};
use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::households::Household;
use crate::db::listings::{self, ListingChange};
use crate::db::policy::PolicyVersion;
use crate::db::schema::{developers, households, projects, reservations, units};
use crate::db::AnyConnection;
use crate::domain::entitlement::{quote, Quote};
use crate::domain::hold::{
    changed_meanwhile, check_consumes, check_hold_limit, decide_confirm, decide_release,
    decide_turn, hold_expires_at_ms, unit_not_available, Membership, TurnFacts,
};
use crate::domain::selection::ReservationStatus;
use crate::domain::status::UnitStatus;
use crate::domain::status::{DeveloperStatus, ProjectStatus};

/// The unit a hold asks for: its place and terms, its status, and whether search lists it
/// (an approved project of an approved developer), in one read.
struct UnitFacts {
    info: UnitInfo,
    status: UnitStatus,
    listed: bool,
}

fn unit_facts(conn: &mut AnyConnection, unit_id: i64) -> Result<UnitFacts, DbError> {
    let (info, status, project_ok, developer_ok) = units::table
        .inner_join(projects::table.inner_join(developers::table))
        .filter(units::id.eq(unit_id))
        .select((
            unit_info_columns!(),
            units::status,
            projects::status.eq(ProjectStatus::Approved),
            developers::status.eq(DeveloperStatus::Approved),
        ))
        .first::<(UnitInfo, UnitStatus, bool, bool)>(conn)
        .optional()?
        .ok_or_else(|| DbError::not_found("unit"))?;
    Ok(UnitFacts {
        info,
        status,
        listed: project_ok && developer_ok,
    })
}

/// The policy in force and the round in which the household may hold now (`decide_turn`).
fn turn(
    conn: &mut AnyConnection,
    h: &Household,
    now: i64,
) -> Result<(PolicyVersion, i64), DbError> {
    let version = crate::db::policy::in_force(conn, now)?;
    let memberships: Vec<Membership> = crate::db::rounds::memberships(conn, h.id)?
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
        voucher_validity_days: version.policy.voucher_validity_days,
        remaining_origin_centi: h.remaining_origin_area_centi_m2,
        memberships: &memberships,
    })?;
    Ok((version, round_id))
}

fn live_holds(conn: &mut AnyConnection, household_id: i64, now: i64) -> QueryResult<i64> {
    reservations::table
        .filter(reservations::household_id.eq(household_id))
        .filter(reservations::status.eq(ReservationStatus::Held))
        .filter(reservations::expires_at_ms.gt(now))
        .count()
        .get_result(conn)
}

/// Decides from reads alone, before any write lock is asked for, whether a hold would be refused:
/// the same rules `place_hold` applies, so a refusal ("this flat is taken", "not your turn")
/// costs a few indexed reads on a connection of its own instead of a place in the writers'
/// queue. `Ok` is no promise: `place_hold` decides again under the lock and writes conditionally.
pub fn precheck_hold(
    conn: &mut AnyConnection,
    household_id: i64,
    unit_id: i64,
    now: i64,
) -> Result<(), DbError> {
    // plain reads, no transaction: each answer stands on its own, and the write decides again
    {
        let h = crate::db::households::get(conn, household_id)?
            .ok_or_else(|| DbError::unauthorized("the household no longer exists"))?;
        let (version, _) = turn(conn, &h, now)?;
        check_hold_limit(
            live_holds(conn, household_id, now)?,
            version.policy.max_active_holds,
        )?;
        let unit = unit_facts(conn, unit_id)?;
        let free = match unit.status {
            UnitStatus::Available => true,
            // a hold past its end frees the unit when the next hold comes
            UnitStatus::Held => diesel::select(diesel::dsl::exists(
                reservations::table
                    .filter(reservations::unit_id.eq(unit_id))
                    .filter(reservations::status.eq(ReservationStatus::Held))
                    .filter(reservations::expires_at_ms.le(now)),
            ))
            .get_result(conn)?,
            _ => false,
        };
        if !(unit.listed && free) {
            return Err(unit_not_available().into());
        }
        check_consumes(&quote(h.entitlement(), unit.info.terms(), &version.policy))?;
        Ok(())
    }
}

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
    let (version, round_id) = turn(conn, &h, now)?;
    let policy = &version.policy;
    check_hold_limit(
        live_holds(conn, household_id, now)?,
        policy.max_active_holds,
    )?;
    let mut facts = unit_facts(conn, unit_id)?;
    // a hold of this unit past its end frees it now, sweeper or not
    if facts.status == UnitStatus::Held && expire_due(conn, now, Some(unit_id), None, 100)? > 0 {
        facts = unit_facts(conn, unit_id)?;
    }
    let UnitFacts {
        info: unit,
        status,
        listed,
    } = facts;
    if !(listed && status == UnitStatus::Available) {
        return Err(unit_not_available().into());
    }
    // a household with too little left to take anything off is refused now, not at confirm
    let q = quote(h.entitlement(), unit.terms(), policy);
    check_consumes(&q)?;
    let taken = diesel::update(
        units::table
            .find(unit_id)
            .filter(units::status.eq(UnitStatus::Available)),
    )
    .set((
        units::status.eq(UnitStatus::Held),
        units::updated_at_ms.eq(now),
    ))
    .execute(conn)?;
    if taken != 1 {
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
    let r = new.stored(id);
    listings::record(conn, ListingChange::Unit(unit_id), now)?;
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

impl NewHold {
    /// The row as stored under `id` (what reading it back would give).
    fn stored(&self, id: i64) -> Reservation {
        Reservation {
            id,
            household_id: self.household_id,
            unit_id: self.unit_id,
            round_id: self.round_id,
            status: self.status,
            held_at_ms: self.held_at_ms,
            expires_at_ms: self.expires_at_ms,
            confirmed_at_ms: None,
            confirmed_day: None,
            contracted_at_ms: None,
            ended_at_ms: None,
            policy_version: None,
            entitled_centi_m2: None,
            covered_centi_m2: None,
            origin_consumed_centi_m2: None,
            gov_pays_yuan: None,
            top_up_yuan: None,
            reward_yuan: None,
            contract_no: None,
            cancel_reason: None,
            updated_at_ms: self.updated_at_ms,
        }
    }
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
