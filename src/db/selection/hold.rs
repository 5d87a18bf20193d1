//! A household's own selection: hold, confirm, release. The rules are decided in
//! `domain::hold` over facts loaded here; the writes are conditional on the state read.

use diesel::prelude::*;

use super::{expire_due, record, unit_info_columns, Reservation, UnitInfo};
use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::households::Household;
use crate::db::listings::{self, ListingChange};
use crate::db::policy::PolicyVersion;
use crate::db::schema::{developers, projects, reservations, units};
use crate::db::tickets::{self, Ticket, TicketFacts};
use crate::db::AnyConnection;
use crate::domain::entitlement::{quote, Quote};
use crate::domain::hold::{
    check_consumes, check_hold_limit, decide_turn, hold_expires_at_ms, unit_not_available,
    Membership, TurnFacts,
};
use crate::domain::policy::Policy;
use crate::domain::selection::ReservationStatus;
use crate::domain::status::UnitStatus;
use crate::domain::status::{DeveloperStatus, ProjectStatus};
use crate::domain::ticket::TicketQuote;

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
    ticket: Option<&Ticket>,
    now: i64,
) -> Result<(PolicyVersion, Option<i64>), DbError> {
    let version = crate::db::policy::in_force(conn, now)?;
    if let Some(t) = ticket {
        let round = tickets::ticket_turn(conn, t, &version.policy, now)?;
        return Ok((version, round));
    }
    let memberships = memberships(conn, h.id)?;
    let round_id = decide_turn(&TurnFacts {
        now_ms: now,
        signed_at_ms: h.signed_at_ms,
        voucher_validity_days: version.policy.voucher_validity_days,
        remaining_origin_centi: h.remaining_origin_area_centi_m2,
        memberships: &memberships,
    })?;
    Ok((version, Some(round_id)))
}

/// The household's rounds with its place in each, as `domain::hold` takes them.
pub(crate) fn memberships(
    conn: &mut AnyConnection,
    household_id: i64,
) -> QueryResult<Vec<Membership>> {
    Ok(crate::db::rounds::memberships(conn, household_id)?
        .into_iter()
        .map(|(round, position)| Membership {
            round_id: round.id,
            status: round.status,
            called_up_to: round.called_up_to,
            position,
        })
        .collect())
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
    payer: Payer,
    unit_id: i64,
    now: i64,
) -> Result<(), DbError> {
    let household_id = payer.household_id;
    // plain reads, no transaction: each answer stands on its own, and the write decides again
    {
        let h = crate::db::households::get(conn, household_id)?
            .ok_or_else(|| DbError::unauthorized("the household no longer exists"))?;
        let ticket = match payer.ticket_id {
            Some(id) => Some(tickets::get(conn, id)?.ok_or_else(|| DbError::not_found("ticket"))?),
            None => None,
        };
        let (version, _) = turn(conn, &h, ticket.as_ref(), now)?;
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
        check_pays(conn, &h, ticket.as_ref(), &unit.info, &version.policy, now)?;
        Ok(())
    }
}

/// Who pays for a hold: the household's area entitlement, or the ticket its session stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payer {
    pub household_id: i64,
    pub ticket_id: Option<i64>,
    /// the kiosk session placing the hold: a ticket's session ends when the ticket is
    /// transferred, and a hold that waited for that transfer must not go on with the new holder
    pub session_id: Option<i64>,
    /// a ticket redeemed at a developer's sales office (no round, no hold limit)
    pub at_sales_office: bool,
    /// the proxy (委托代选) acting for the household, recorded on the reservation
    pub proxy_id: Option<i64>,
}

impl Payer {
    /// The payer a kiosk session stands for.
    pub fn kiosk(household_id: i64, ticket_id: Option<i64>, session_id: i64) -> Payer {
        Payer {
            household_id,
            ticket_id,
            session_id: Some(session_id),
            at_sales_office: false,
            proxy_id: None,
        }
    }
}

/// What a hold shows: the area quote, or the ticket quote for a ticket holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldQuote {
    Area(Quote),
    Ticket(TicketQuote),
}

/// Refuses a hold that could never be confirmed: an area household with nothing left to take
/// off, or a ticket that cannot pay for this unit (usage, expiry, balance).
fn check_pays(
    conn: &mut AnyConnection,
    h: &Household,
    ticket: Option<&Ticket>,
    unit: &UnitInfo,
    policy: &Policy,
    now: i64,
) -> Result<HoldQuote, DbError> {
    match ticket {
        None => {
            let q = quote(h.entitlement(), unit.terms(), policy);
            check_consumes(&q)?;
            Ok(HoldQuote::Area(q))
        }
        Some(t) => {
            let facts = TicketFacts::load(conn, unit.unit_id)?;
            Ok(HoldQuote::Ticket(tickets::quote_unit(
                t, unit, facts, policy, now,
            )?))
        }
    }
}

/// A new hold and the quote it shows. Runs inside the caller's write transaction.
pub fn place_hold(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    payer: Payer,
    unit_id: i64,
) -> Result<(Reservation, HoldQuote, i64), DbError> {
    let now = ctx.now_ms;
    let household_id = payer.household_id;
    let h = crate::db::kiosk::lock_by_id(conn, household_id)?
        .ok_or_else(|| DbError::unauthorized("the household no longer exists"))?;
    let ticket = match payer.ticket_id {
        Some(id) => Some(tickets::lock(conn, id)?),
        None => None,
    };
    if let (Some(_), Some(session)) = (&ticket, payer.session_id) {
        // read under the ticket's lock: a transfer that ended this session has committed
        if !crate::db::kiosk::session_open(conn, session)? {
            return Err(DbError::new(
                crate::domain::refusal::RefusalKind::SessionExpired,
                "the kiosk session has ended; log in again",
            ));
        }
    }
    let (version, round_id) = if payer.at_sales_office {
        // a redemption at a developer's office: no round, no hold limit; the ticket decides
        (crate::db::policy::in_force(conn, now)?, None)
    } else {
        turn(conn, &h, ticket.as_ref(), now)?
    };
    let policy = &version.policy;
    if !payer.at_sales_office {
        check_hold_limit(
            live_holds(conn, household_id, now)?,
            policy.max_active_holds,
        )?;
    }
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
    let q = check_pays(conn, &h, ticket.as_ref(), &unit, policy, now)?;
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
        round_id,
        status: ReservationStatus::Held,
        held_at_ms: now,
        expires_at_ms: hold_expires_at_ms(now, policy.hold_minutes),
        updated_at_ms: now,
        ticket_id: payer.ticket_id,
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
    ticket_id: Option<i64>,
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
            ticket_id: self.ticket_id,
            ticket_debit_yuan: None,
            ticket_bonus_yuan: None,
            ticket_bonus_pct: None,
            ticket_balance_after_yuan: None,
        }
    }
}
