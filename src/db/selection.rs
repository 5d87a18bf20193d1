//! Holds and reservations: the state changes of selection, each in one transaction with its
//! audit event, its listing change (search) and its notice to the developer (webhook outbox).
//! Every check that guards an invariant is also a conditional UPDATE or a database constraint.

use diesel::prelude::*;

use super::audit::{self, Actor, AuditCtx};
use super::listings::{self, ListingChange};
use super::schema::{households, projects, reservations, units};
use super::AnyConnection;
use crate::domain::entitlement::{quote, Quote, UnitTerms};
use crate::domain::policy::Zone;
use crate::domain::selection::{
    hold_expired, voucher_valid_until_ms, ReservationStatus, RoundStatus,
};
use crate::error::{ApiError, ErrorCode};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = reservations)]
pub struct Reservation {
    pub id: i64,
    pub household_id: i64,
    pub unit_id: i64,
    pub round_id: Option<i64>,
    pub status: String,
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
}

impl Reservation {
    pub fn status(&self) -> ReservationStatus {
        ReservationStatus::parse(&self.status).unwrap_or(ReservationStatus::Cancelled)
    }

    /// The quote frozen at confirmation.
    pub fn frozen_quote(&self) -> Option<Quote> {
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

pub fn unit_info(conn: &mut AnyConnection, unit_id: i64) -> QueryResult<Option<UnitInfo>> {
    units::table
        .inner_join(projects::table)
        .filter(units::id.eq(unit_id))
        .select((
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
        ))
        .first(conn)
        .optional()
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Reservation>> {
    reservations::table
        .find(id)
        .select(Reservation::as_select())
        .first(conn)
        .optional()
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// Tells the unit's developer (webhook outbox) and records the audit event; `audit_note` (an
/// official's free text, which may name people) goes to the audit trail only.
fn record(
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
    super::webhooks::enqueue(conn, unit.developer_id, event, &payload, ctx.now_ms)
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
        .filter(reservations::status.eq("held"))
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
                .filter(reservations::status.eq("held")),
        )
        .set((
            reservations::status.eq("expired"),
            reservations::ended_at_ms.eq(now_ms),
            reservations::updated_at_ms.eq(now_ms),
        ))
        .execute(conn)?;
        if changed == 0 {
            continue;
        }
        r.status = "expired".into();
        free_unit(conn, r.unit_id, "held", now_ms)?;
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
fn free_unit(conn: &mut AnyConnection, unit_id: i64, from: &str, now_ms: i64) -> QueryResult<()> {
    diesel::update(units::table.find(unit_id).filter(units::status.eq(from)))
        .set((
            units::status.eq("available"),
            units::updated_at_ms.eq(now_ms),
        ))
        .execute(conn)?;
    listings::record(conn, ListingChange::Unit(unit_id), now_ms)
}

/// A new hold and the quote it shows. Runs inside the caller's write transaction.
pub fn place_hold(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    unit_id: i64,
) -> Result<(Reservation, Quote, i64), ApiError> {
    let now = ctx.now_ms;
    let h = super::kiosk::lock_by_id(conn, household_id)?
        .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
    let version = super::policy::in_force(conn, now)?;
    let policy = &version.policy;
    if now > voucher_valid_until_ms(h.signed_at_ms, policy.voucher_validity_days) {
        return Err(refuse(
            ErrorCode::VoucherExpired,
            "the voucher has expired: no new holds; ask the hall staff",
        ));
    }
    let places = super::rounds::memberships(conn, household_id)?;
    let open: Vec<_> = places
        .iter()
        .filter(|(r, _)| r.status() == RoundStatus::Open)
        .collect();
    if open.is_empty() {
        return Err(refuse(
            ErrorCode::RoundNotOpen,
            "no selection round of this household is open now",
        ));
    }
    let Some((round, _)) = open
        .iter()
        .find(|(r, pos)| pos.is_some_and(|p| p <= r.called_up_to))
    else {
        return Err(refuse(
            ErrorCode::NotYourTurn,
            "it is not this household's turn yet; please wait to be called",
        ));
    };
    if h.remaining_origin_area_centi_m2 == 0 {
        return Err(refuse(
            ErrorCode::EntitlementExhausted,
            "the household's entitlement is used up",
        ));
    }
    expire_due(conn, now, Some(unit_id), Some(household_id), 100)?;
    let active: i64 = reservations::table
        .filter(reservations::household_id.eq(household_id))
        .filter(reservations::status.eq("held"))
        .count()
        .get_result(conn)?;
    if active >= policy.max_active_holds {
        return Err(refuse(
            ErrorCode::HoldLimitReached,
            format!(
                "a household may hold {} unit(s) at once; confirm or release the hold first",
                policy.max_active_holds
            ),
        ));
    }
    let unit = unit_info(conn, unit_id)?.ok_or_else(|| ApiError::not_found("unit"))?;
    let listed = !listings::load_listed(conn, &[unit_id])?.is_empty();
    let taken = listed
        && diesel::update(
            units::table
                .find(unit_id)
                .filter(units::status.eq("available")),
        )
        .set((units::status.eq("held"), units::updated_at_ms.eq(now)))
        .execute(conn)?
            == 1;
    if !taken {
        return Err(refuse(
            ErrorCode::UnitNotAvailable,
            "this unit is not available",
        ));
    }
    let new = NewHold {
        household_id,
        unit_id,
        round_id: Some(round.id),
        status: "held",
        held_at_ms: now,
        expires_at_ms: now + policy.hold_minutes * 60_000,
        updated_at_ms: now,
    };
    let inserted = crate::with_backend!(conn, c => diesel::insert_into(reservations::table)
        .values(&new)
        .returning(reservations::id)
        .get_result::<i64>(c));
    let id = inserted.map_err(|e| {
        if super::is_unique_violation(&e) {
            refuse(ErrorCode::UnitNotAvailable, "this unit is not available")
        } else {
            e.into()
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
struct NewHold<'a> {
    household_id: i64,
    unit_id: i64,
    round_id: Option<i64>,
    status: &'a str,
    held_at_ms: i64,
    expires_at_ms: i64,
    updated_at_ms: i64,
}

fn own_hold(
    conn: &mut AnyConnection,
    household_id: i64,
    hold_id: i64,
) -> Result<Reservation, ApiError> {
    get(conn, hold_id)?
        .filter(|r| r.household_id == household_id)
        .ok_or_else(|| ApiError::not_found("hold"))
}

/// Turns a live hold into a confirmed reservation: freezes the quote and the policy version and
/// takes the consumed origin area off the household, all in the caller's transaction.
pub fn confirm(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_id: i64,
    hold_id: i64,
) -> Result<Reservation, ApiError> {
    let now = ctx.now_ms;
    let h = super::kiosk::lock_by_id(conn, household_id)?
        .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
    let r = own_hold(conn, household_id, hold_id)?;
    match r.status() {
        ReservationStatus::Held if !hold_expired(r.expires_at_ms, now) => {}
        ReservationStatus::Held | ReservationStatus::Expired => {
            return Err(refuse(
                ErrorCode::HoldExpired,
                "the hold has expired; the unit may be taken by another household",
            ))
        }
        other => {
            return Err(refuse(
                ErrorCode::InvalidTransition,
                format!("the reservation is {}, not a live hold", other.as_str()),
            ))
        }
    }
    let version = super::policy::in_force(conn, now)?;
    let unit = unit_info(conn, r.unit_id)?.ok_or_else(|| ApiError::not_found("unit"))?;
    let q = quote(h.entitlement(), unit.terms(), &version.policy);
    if q.origin_consumed_centi == 0 {
        return Err(refuse(
            ErrorCode::EntitlementExhausted,
            "the household's entitlement is used up",
        ));
    }
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
            .filter(units::status.eq("held")),
    )
    .set((units::status.eq("reserved"), units::updated_at_ms.eq(now)))
    .execute(conn)?;
    let confirmed = diesel::update(
        reservations::table
            .find(r.id)
            .filter(reservations::status.eq("held")),
    )
    .set((
        reservations::status.eq("confirmed"),
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
        return Err(ApiError::internal(anyhow::anyhow!(
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
) -> Result<(), ApiError> {
    let r = own_hold(conn, household_id, hold_id)?;
    if r.status() != ReservationStatus::Held {
        return Err(refuse(
            ErrorCode::InvalidTransition,
            format!("the reservation is {}, not a hold", r.status),
        ));
    }
    let status = if hold_expired(r.expires_at_ms, ctx.now_ms) {
        "expired"
    } else {
        "released"
    };
    let changed = diesel::update(
        reservations::table
            .find(r.id)
            .filter(reservations::status.eq("held")),
    )
    .set((
        reservations::status.eq(status),
        reservations::ended_at_ms.eq(ctx.now_ms),
        reservations::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(refuse(
            ErrorCode::InvalidTransition,
            "the hold changed meanwhile",
        ));
    }
    free_unit(conn, r.unit_id, "held", ctx.now_ms)?;
    let r = get(conn, r.id)?.expect("exists");
    if let Some(unit) = unit_info(conn, r.unit_id)? {
        record(
            conn,
            ctx,
            &format!("hold.{status}"),
            &r,
            &unit,
            serde_json::json!({}),
            None,
        )?;
    }
    Ok(())
}

/// An official cancels a confirmed reservation: the unit is available again and the consumed
/// origin area goes back to the household.
pub fn cancel(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    reason: &str,
) -> Result<Reservation, ApiError> {
    let r = get(conn, id)?.ok_or_else(|| ApiError::not_found("reservation"))?;
    super::kiosk::lock_by_id(conn, r.household_id)?;
    if r.status() != ReservationStatus::Confirmed {
        return Err(refuse(
            ErrorCode::InvalidTransition,
            format!(
                "only a confirmed reservation can be cancelled; this one is {}",
                r.status
            ),
        ));
    }
    let consumed = r.origin_consumed_centi_m2.unwrap_or(0);
    let changed = diesel::update(
        reservations::table
            .find(id)
            .filter(reservations::status.eq("confirmed")),
    )
    .set((
        reservations::status.eq("cancelled"),
        reservations::cancel_reason.eq(reason),
        reservations::ended_at_ms.eq(ctx.now_ms),
        reservations::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(refuse(
            ErrorCode::InvalidTransition,
            "the reservation changed meanwhile",
        ));
    }
    diesel::update(households::table.find(r.household_id))
        .set((
            households::remaining_origin_area_centi_m2
                .eq(households::remaining_origin_area_centi_m2 + consumed),
            households::updated_at_ms.eq(ctx.now_ms),
        ))
        .execute(conn)?;
    free_unit(conn, r.unit_id, "reserved", ctx.now_ms)?;
    let r = get(conn, id)?.expect("exists");
    if let Some(unit) = unit_info(conn, r.unit_id)? {
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
) -> Result<Reservation, ApiError> {
    let r = get(conn, id)?.ok_or_else(|| ApiError::not_found("reservation"))?;
    let unit = unit_info(conn, r.unit_id)?
        .filter(|u| u.developer_id == developer_id)
        .ok_or_else(|| ApiError::not_found("reservation"))?;
    if r.status() != ReservationStatus::Confirmed {
        return Err(refuse(
            ErrorCode::InvalidTransition,
            format!(
                "only a confirmed reservation takes a contract; this one is {}",
                r.status
            ),
        ));
    }
    let changed = diesel::update(
        reservations::table
            .find(id)
            .filter(reservations::status.eq("confirmed")),
    )
    .set((
        reservations::status.eq("contracted"),
        reservations::contract_no.eq(contract_no),
        reservations::contracted_at_ms.eq(ctx.now_ms),
        reservations::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    let sold = diesel::update(
        units::table
            .find(r.unit_id)
            .filter(units::status.eq("reserved")),
    )
    .set((
        units::status.eq("sold"),
        units::updated_at_ms.eq(ctx.now_ms),
    ))
    .execute(conn)?;
    if (changed, sold) != (1, 1) {
        return Err(refuse(
            ErrorCode::InvalidTransition,
            "the reservation changed meanwhile",
        ));
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

/// A reservation with the unit and the household's masked name, for lists and the board.
#[derive(Debug, Clone, Queryable)]
pub struct ReservationRow {
    pub reservation: Reservation,
    pub unit: UnitInfo,
    pub name_masked: String,
}

macro_rules! reservation_rows {
    () => {
        reservations::table
            .inner_join(units::table.inner_join(projects::table))
            .inner_join(households::table)
            .select((
                Reservation::as_select(),
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
                ),
                households::name_masked,
            ))
    };
}

/// Reservations of `developer_id`'s units (all for `None`), newest first.
pub fn list(
    conn: &mut AnyConnection,
    developer_id: Option<i64>,
    status: Option<ReservationStatus>,
    page: crate::domain::PageRequest,
) -> QueryResult<(Vec<ReservationRow>, i64)> {
    super::read_tx(conn, |conn| {
        let mut q = reservation_rows!().into_boxed();
        let mut count = reservations::table
            .inner_join(units::table.inner_join(projects::table))
            .into_boxed();
        if let Some(d) = developer_id {
            q = q.filter(projects::developer_id.eq(d));
            count = count.filter(projects::developer_id.eq(d));
        }
        if let Some(s) = status {
            q = q.filter(reservations::status.eq(s.as_str()));
            count = count.filter(reservations::status.eq(s.as_str()));
        }
        let total = count.count().get_result(conn)?;
        let rows = q
            .order(reservations::id.desc())
            .limit(page.per_page())
            .offset(page.offset())
            .load(conn)?;
        Ok((rows, total))
    })
}

/// The most recent confirmations (confirmed or since contracted), for the hall board.
pub fn recent_selections(
    conn: &mut AnyConnection,
    round_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ReservationRow>> {
    let mut q = reservation_rows!()
        .filter(reservations::status.eq_any(["confirmed", "contracted"]))
        .into_boxed();
    if let Some(r) = round_id {
        q = q.filter(reservations::round_id.eq(r));
    }
    q.order(reservations::confirmed_at_ms.desc())
        .limit(limit)
        .load(conn)
}

/// A household's reservations (all states), newest first.
pub fn of_household(
    conn: &mut AnyConnection,
    household_id: i64,
) -> QueryResult<Vec<ReservationRow>> {
    reservation_rows!()
        .filter(reservations::household_id.eq(household_id))
        .order(reservations::id.desc())
        .limit(100)
        .load(conn)
}

/// (live holds, confirmed, contracted) for the metrics endpoint.
pub fn status_counts(conn: &mut AnyConnection, now_ms: i64) -> QueryResult<(i64, i64, i64)> {
    let holds = reservations::table
        .filter(reservations::status.eq("held"))
        .filter(reservations::expires_at_ms.gt(now_ms))
        .count()
        .get_result(conn)?;
    let by = |status: &'static str, conn: &mut AnyConnection| -> QueryResult<i64> {
        reservations::table
            .filter(reservations::status.eq(status))
            .count()
            .get_result(conn)
    };
    Ok((holds, by("confirmed", conn)?, by("contracted", conn)?))
}
