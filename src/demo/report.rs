//! What the database holds of the demo after a run: its marketplace, round and tickets.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use diesel::prelude::*;

use super::tickets::DemoTicket;
use super::DemoReport;
use crate::db::schema::{households, projects, reservations, tickets, units};
use crate::db::tickets::Ticket;
use crate::db::{rounds as round_store, AnyConnection};
use crate::domain::selection::ReservationStatus;
use crate::domain::status::TicketStatus;
use crate::domain::ticket::elapsed_days;

pub(super) fn report(
    conn: &mut AnyConnection,
    developer_ids: &[i64],
    household_ids: &[i64],
    round_id: i64,
) -> anyhow::Result<DemoReport> {
    let mut r = DemoReport {
        developers: developer_ids.len() as i64,
        households: household_ids.len() as i64,
        round_id,
        ..DemoReport::default()
    };
    for zone in 1..=3 {
        r.projects_by_zone[zone as usize - 1] = projects::table
            .filter(projects::developer_id.eq_any(developer_ids))
            .filter(projects::zone_class.eq(zone))
            .count()
            .get_result(conn)?;
    }
    let demo_units = units::table
        .inner_join(projects::table)
        .filter(projects::developer_id.eq_any(developer_ids));
    r.units = demo_units.clone().count().get_result(conn)?;
    r.withdrawn_units = demo_units
        .filter(units::status.eq("withdrawn"))
        .count()
        .get_result(conn)?;
    let round = round_store::get(conn, round_id)?.context("the demo round vanished")?;
    r.called_up_to = round.called_up_to;
    r.round_size = round_store::size(conn, round_id)?;
    let statuses: Vec<String> = reservations::table
        .filter(reservations::household_id.eq_any(household_ids))
        .select(reservations::status)
        .load(conn)?;
    r.confirmed = statuses.iter().filter(|s| *s == "confirmed").count() as i64;
    r.contracted = statuses.iter().filter(|s| *s == "contracted").count() as i64;
    let order = round_store::order(conn, round_id)?;
    let called = &order[..(round.called_up_to.max(0) as usize).min(order.len())];
    let with_reservation: HashSet<i64> = reservations::table
        .filter(reservations::household_id.eq_any(called))
        .select(reservations::household_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let vouchers: HashMap<i64, (String, i64)> = households::table
        .filter(households::id.eq_any(called))
        .select((
            households::id,
            (
                households::voucher_no,
                households::remaining_origin_area_centi_m2,
            ),
        ))
        .load::<(i64, (String, i64))>(conn)?
        .into_iter()
        .collect();
    r.vouchers_to_try = called
        .iter()
        .filter(|id| !with_reservation.contains(id))
        .filter_map(|id| vouchers.get(id))
        .filter(|(_, remaining)| *remaining > 0)
        .map(|(v, _)| v.clone())
        .collect();
    Ok(r)
}

/// The demo's tickets in `r`: how many, by status as of `now_ms`, how many purchases they paid,
/// and the unused ones still in their first speed tier (newest first) to try at the kiosk.
pub(super) fn tickets(
    conn: &mut AnyConnection,
    r: &mut DemoReport,
    demo: &[DemoTicket],
    now_ms: i64,
) -> anyhow::Result<()> {
    let ids: Vec<i64> = demo.iter().map(|t| t.ticket_id).collect();
    let mut stored: Vec<Ticket> = tickets::table
        .filter(tickets::id.eq_any(&ids))
        .select(Ticket::as_select())
        .load(conn)?;
    let used: HashSet<i64> = reservations::table
        .filter(reservations::ticket_id.eq_any(&ids))
        .select(reservations::ticket_id)
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    r.ticket_purchases = reservations::table
        .filter(reservations::ticket_id.eq_any(&ids))
        .filter(
            reservations::status
                .eq(ReservationStatus::Confirmed)
                .or(reservations::status.eq(ReservationStatus::Contracted)),
        )
        .count()
        .get_result(conn)?;
    r.households += demo.len() as i64;
    r.tickets = stored.len() as i64;
    let count = |s: TicketStatus| stored.iter().filter(|t| t.status_at(now_ms) == s).count();
    r.tickets_active = count(TicketStatus::Active) as i64;
    r.tickets_exhausted = count(TicketStatus::Exhausted) as i64;
    r.tickets_expired = count(TicketStatus::Expired) as i64;
    r.tickets_transferred = stored.iter().filter(|t| t.transfers_used > 0).count() as i64;
    let policy = crate::db::policy::in_force(conn, now_ms)
        .map_err(super::api)?
        .policy
        .ticket;
    let first_tier = policy.speed_tiers.first().map_or(0, |t| t.within_days);
    stored.sort_by_key(|t| std::cmp::Reverse(t.issued_at_ms));
    r.tickets_to_try = stored
        .iter()
        .filter(|t| t.status_at(now_ms) == TicketStatus::Active)
        .filter(|t| t.balance_yuan == t.face_value_yuan && !used.contains(&t.id))
        .filter(|t| elapsed_days(t.issued_at_ms, now_ms).is_some_and(|e| e <= first_tier))
        .map(|t| t.ticket_no.clone())
        .collect();
    Ok(())
}

/// The history's closed round, its notices and its handovers.
pub(super) fn history(
    conn: &mut AnyConnection,
    r: &mut DemoReport,
    round_id: i64,
) -> anyhow::Result<()> {
    use crate::db::schema::{handovers, notices};
    r.history_round_id = round_id;
    r.notices = notices::table.count().get_result(conn)?;
    let round_handovers = handovers::table
        .inner_join(reservations::table)
        .filter(reservations::round_id.eq(round_id));
    r.handovers = round_handovers.count().get_result(conn)?;
    r.rescinded = round_handovers
        .filter(handovers::rescinded_at_ms.is_not_null())
        .count()
        .get_result(conn)?;
    r.moved_in = round_handovers
        .filter(handovers::moved_in_day.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(())
}
