//! Handover (交房) of a contracted reservation: the measured area and the frozen settlement of the
//! area difference (`domain::handover`), an admin's correction, rescission (退房) and move-in (入住).

use diesel::prelude::*;

use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::schema::{handovers, households, reservations};
use crate::db::selection::{self, record, Reservation, UnitInfo};
use crate::db::{lock_row, write_tx, AnyConnection};
use crate::domain::handover::{self as rule, AreaCase, AreaSettlement};
use crate::domain::periods::local_day;
use crate::domain::refusal::{Refusal, RefusalKind};
use crate::domain::selection::ReservationStatus;
use crate::domain::status::UnitStatus;

/// A filed handover, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = handovers)]
pub struct Handover {
    pub reservation_id: i64,
    pub contracted_area_centi_m2: i64,
    pub measured_area_centi_m2: i64,
    pub price_per_m2_yuan: i64,
    pub area_case: String,
    pub household_pays_yuan: i64,
    pub developer_absorbs_yuan: i64,
    pub developer_penalty_yuan: i64,
    pub survey_report_no: String,
    pub handover_day: i32,
    pub filed_at_ms: i64,
    pub filed_by_developer_id: Option<i64>,
    pub corrected_at_ms: Option<i64>,
    pub corrected_by_official_id: Option<i64>,
    pub correction_reason: Option<String>,
    pub rescinded_at_ms: Option<i64>,
    pub rescind_reason: Option<String>,
    pub moved_in_day: Option<i32>,
    pub moved_in_at_ms: Option<i64>,
}

impl Handover {
    pub fn case(&self) -> AreaCase {
        AreaCase::parse(&self.area_case).expect("the CHECK keeps the case one of three")
    }
}

/// What a developer (or an admin correcting) files: measured area, survey report, handover day.
#[derive(Debug, Clone)]
pub struct HandoverInput {
    pub measured_centi_m2: i64,
    pub survey_report_no: String,
    /// local date, YYYYMMDD
    pub handover_day: i32,
}

/// Who files: the unit's developer, or an admin correcting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filer {
    Developer(i64),
    Admin(i64),
}

pub fn get(conn: &mut AnyConnection, reservation_id: i64) -> QueryResult<Option<Handover>> {
    handovers::table
        .find(reservation_id)
        .select(Handover::as_select())
        .first(conn)
        .optional()
}

/// The reservation and its unit, a developer seeing only its own (another's answers 404).
fn load(
    conn: &mut AnyConnection,
    reservation_id: i64,
    developer: Option<i64>,
) -> Result<(Reservation, UnitInfo), DbError> {
    let r =
        selection::get(conn, reservation_id)?.ok_or_else(|| DbError::not_found("reservation"))?;
    let unit = selection::unit_info(conn, r.unit_id)?
        .filter(|u| developer.is_none_or(|d| d == u.developer_id))
        .ok_or_else(|| DbError::not_found("reservation"))?;
    Ok((r, unit))
}

fn refuse(kind: RefusalKind, message: &str) -> DbError {
    Refusal::new(kind, message).into()
}

/// Checks the input against the reservation and computes the settlement it would freeze.
fn settle(
    r: &Reservation,
    unit: &UnitInfo,
    input: &HandoverInput,
) -> Result<AreaSettlement, DbError> {
    if r.status() != ReservationStatus::Contracted {
        return Err(refuse(
            RefusalKind::InvalidTransition,
            "only a contracted reservation is handed over",
        ));
    }
    let mut errors = Vec::new();
    if !rule::plausible(unit.area_centi_m2, input.measured_centi_m2) {
        errors.push(crate::domain::FieldError::new(
            "measured_area_m2",
            "must be within half and twice the contracted area; check the survey report",
        ));
    }
    let contract_day = r.contracted_at_ms.map(local_day).unwrap_or(0);
    if input.handover_day < contract_day {
        errors.push(crate::domain::FieldError::new(
            "handover_date",
            "must not be before the contract was filed",
        ));
    }
    if !errors.is_empty() {
        return Err(Refusal::validation(errors).into());
    }
    Ok(rule::settle(
        unit.area_centi_m2,
        input.measured_centi_m2,
        unit.price_per_m2_yuan,
    ))
}

/// The settlement a filing would freeze, writing nothing.
pub fn preview(
    conn: &mut AnyConnection,
    developer_id: i64,
    reservation_id: i64,
    input: &HandoverInput,
) -> Result<AreaSettlement, DbError> {
    let (r, unit) = load(conn, reservation_id, Some(developer_id))?;
    settle(&r, &unit, input)
}

/// Files the handover (the developer, once) or corrects it (an admin, with a reason): the
/// settlement is computed and frozen on the reservation.
pub fn file(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    filer: Filer,
    reservation_id: i64,
    input: &HandoverInput,
    reason: Option<&str>,
) -> Result<Handover, DbError> {
    write_tx(conn, |conn| {
        lock_row(conn, "reservations", reservation_id)?;
        let developer = match filer {
            Filer::Developer(d) => Some(d),
            Filer::Admin(_) => None,
        };
        let (r, unit) = load(conn, reservation_id, developer)?;
        let before = get(conn, reservation_id)?;
        if let Some(b) = &before {
            if b.rescinded_at_ms.is_some() {
                return Err(refuse(
                    RefusalKind::InvalidTransition,
                    "the handover was rescinded",
                ));
            }
        }
        let s = settle(&r, &unit, input)?;
        let now = ctx.now_ms;
        match (filer, &before) {
            (Filer::Developer(d), None) => {
                diesel::insert_into(handovers::table)
                    .values((
                        handovers::reservation_id.eq(reservation_id),
                        handovers::contracted_area_centi_m2.eq(s.contracted_centi),
                        handovers::measured_area_centi_m2.eq(s.measured_centi),
                        handovers::price_per_m2_yuan.eq(unit.price_per_m2_yuan),
                        handovers::area_case.eq(s.case.as_str()),
                        handovers::household_pays_yuan.eq(s.household_pays_yuan),
                        handovers::developer_absorbs_yuan.eq(s.developer_absorbs_yuan),
                        handovers::developer_penalty_yuan.eq(s.developer_penalty_yuan),
                        handovers::survey_report_no.eq(&input.survey_report_no),
                        handovers::handover_day.eq(input.handover_day),
                        handovers::filed_at_ms.eq(now),
                        handovers::filed_by_developer_id.eq(d),
                    ))
                    .execute(conn)?;
            }
            (Filer::Developer(_), Some(_)) => {
                return Err(refuse(
                    RefusalKind::AlreadyHandedOver,
                    "the handover is already filed; an admin corrects it",
                ))
            }
            (Filer::Admin(_), None) => {
                return Err(refuse(
                    RefusalKind::NotHandedOver,
                    "no handover is filed yet",
                ))
            }
            (Filer::Admin(official), Some(b)) => {
                if b.moved_in_day.is_some_and(|m| m < input.handover_day) {
                    return Err(Refusal::validation(vec![crate::domain::FieldError::new(
                        "handover_date",
                        "must not be after the recorded move-in",
                    )])
                    .into());
                }
                diesel::update(handovers::table.find(reservation_id))
                    .set((
                        handovers::measured_area_centi_m2.eq(s.measured_centi),
                        handovers::area_case.eq(s.case.as_str()),
                        handovers::household_pays_yuan.eq(s.household_pays_yuan),
                        handovers::developer_absorbs_yuan.eq(s.developer_absorbs_yuan),
                        handovers::developer_penalty_yuan.eq(s.developer_penalty_yuan),
                        handovers::survey_report_no.eq(&input.survey_report_no),
                        handovers::handover_day.eq(input.handover_day),
                        handovers::corrected_at_ms.eq(now),
                        handovers::corrected_by_official_id.eq(official),
                        handovers::correction_reason.eq(reason.unwrap_or("")),
                    ))
                    .execute(conn)?;
            }
        }
        let h = get(conn, reservation_id)?.expect("written just now");
        let event = if before.is_some() {
            "reservation.handover_corrected"
        } else {
            "reservation.handed_over"
        };
        let details = serde_json::json!({
            "measured_area_centi_m2": h.measured_area_centi_m2,
            "survey_report_no": h.survey_report_no,
            "handover_day": h.handover_day,
            "area_case": h.area_case,
            "household_pays_yuan": h.household_pays_yuan,
            "developer_absorbs_yuan": h.developer_absorbs_yuan,
            "developer_penalty_yuan": h.developer_penalty_yuan,
            "before": before.as_ref().map(|b| serde_json::json!({
                "measured_area_centi_m2": b.measured_area_centi_m2,
                "household_pays_yuan": b.household_pays_yuan,
                "handover_day": b.handover_day,
            })),
        });
        record(conn, ctx, event, &r, &unit, details, reason)?;
        Ok(h)
    })
}

/// Rescinds (退房) a handover beyond ±3 % within the policy's `rescind_days`: the reservation is
/// `rescinded`, the consumed area (or the ticket's debit) goes back, the unit is withdrawn.
/// `household`: the kiosk's own household, which sees only its own reservations.
pub fn rescind(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household: Option<i64>,
    reservation_id: i64,
    reason: &str,
) -> Result<Handover, DbError> {
    write_tx(conn, |conn| {
        let (r, unit) = load(conn, reservation_id, None)?;
        if household.is_some_and(|h| h != r.household_id) {
            return Err(DbError::not_found("reservation"));
        }
        crate::db::kiosk::lock_by_id(conn, r.household_id)?;
        lock_row(conn, "reservations", reservation_id)?;
        let h = get(conn, reservation_id)?
            .ok_or_else(|| refuse(RefusalKind::NotHandedOver, "no handover is filed yet"))?;
        if h.rescinded_at_ms.is_some() || h.moved_in_day.is_some() {
            return Err(refuse(
                RefusalKind::InvalidTransition,
                "the handover is already rescinded or moved into",
            ));
        }
        let s = rule::settle(
            h.contracted_area_centi_m2,
            h.measured_area_centi_m2,
            h.price_per_m2_yuan,
        );
        let days = crate::db::policy::in_force(conn, ctx.now_ms)?
            .policy
            .aftercare
            .rescind_days;
        if !rule::may_rescind(&s, h.handover_day, days, ctx.now_ms) {
            return Err(refuse(
                RefusalKind::RescindNotAllowed,
                "a handover may be rescinded only beyond ±3 % and within the rescission period",
            ));
        }
        let now = ctx.now_ms;
        let changed = diesel::update(
            reservations::table
                .find(reservation_id)
                .filter(reservations::status.eq(ReservationStatus::Contracted)),
        )
        .set((
            reservations::status.eq(ReservationStatus::Rescinded),
            reservations::cancel_reason.eq(reason),
            reservations::ended_at_ms.eq(now),
            reservations::updated_at_ms.eq(now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(refuse(
                RefusalKind::InvalidTransition,
                "the reservation is no longer contracted",
            ));
        }
        diesel::update(handovers::table.find(reservation_id))
            .set((
                handovers::rescinded_at_ms.eq(now),
                handovers::rescind_reason.eq(reason),
            ))
            .execute(conn)?;
        let consumed = r.origin_consumed_centi_m2.unwrap_or(0);
        diesel::update(households::table.find(r.household_id))
            .set((
                households::remaining_origin_area_centi_m2
                    .eq(households::remaining_origin_area_centi_m2 + consumed),
                households::updated_at_ms.eq(now),
            ))
            .execute(conn)?;
        // sold → withdrawn, not back on sale by itself; the listing outbox records the change
        diesel::update(
            crate::db::schema::units::table
                .find(r.unit_id)
                .filter(crate::db::schema::units::status.eq(UnitStatus::Sold)),
        )
        .set((
            crate::db::schema::units::status.eq(UnitStatus::Withdrawn),
            crate::db::schema::units::updated_at_ms.eq(now),
        ))
        .execute(conn)?;
        crate::db::listings::record(
            conn,
            crate::db::listings::ListingChange::Unit(r.unit_id),
            now,
        )?;
        let r = selection::get(conn, reservation_id)?.expect("exists");
        crate::db::tickets::refund_on_cancel(conn, ctx, &r, unit.developer_id)?;
        let details =
            serde_json::json!({ "by": if household.is_some() { "household" } else { "admin" } });
        record(
            conn,
            ctx,
            "reservation.rescinded",
            &r,
            &unit,
            details,
            Some(reason),
        )?;
        Ok(get(conn, reservation_id)?.expect("exists"))
    })
}

/// Records the move-in day of a handed-over reservation (the unit's developer, or an admin).
pub fn move_in(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer: Option<i64>,
    reservation_id: i64,
    day: i32,
) -> Result<Handover, DbError> {
    write_tx(conn, |conn| {
        lock_row(conn, "reservations", reservation_id)?;
        let (r, unit) = load(conn, reservation_id, developer)?;
        let h = get(conn, reservation_id)?
            .ok_or_else(|| refuse(RefusalKind::NotHandedOver, "no handover is filed yet"))?;
        if h.rescinded_at_ms.is_some() {
            return Err(refuse(
                RefusalKind::InvalidTransition,
                "the handover was rescinded",
            ));
        }
        if h.moved_in_day.is_some() {
            return Err(refuse(
                RefusalKind::AlreadyMovedIn,
                "the move-in is already recorded",
            ));
        }
        if day < h.handover_day || day > local_day(ctx.now_ms) {
            return Err(Refusal::validation(vec![crate::domain::FieldError::new(
                "date",
                "must be from the handover date to today",
            )])
            .into());
        }
        diesel::update(handovers::table.find(reservation_id))
            .set((
                handovers::moved_in_day.eq(day),
                handovers::moved_in_at_ms.eq(ctx.now_ms),
            ))
            .execute(conn)?;
        record(
            conn,
            ctx,
            "reservation.moved_in",
            &r,
            &unit,
            serde_json::json!({ "moved_in_day": day }),
            None,
        )?;
        Ok(get(conn, reservation_id)?.expect("exists"))
    })
}
