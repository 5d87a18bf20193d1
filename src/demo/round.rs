//! The demo's selection round: created, opened and called up, then a few households choose.

use std::collections::HashSet;

use anyhow::Context;
use diesel::prelude::*;
use indicatif::ProgressBar;

use super::{api, CALL_UP_TO, CHOSEN_POSITIONS, ROUND_NAME};
use crate::db::audit::AuditCtx;
use crate::db::schema::{households, officials, projects, reservations, rounds, units};
use crate::db::{rounds as round_store, selection, write_tx, AnyConnection};
use crate::domain::policy::Zone;
use crate::domain::selection::{Ordering, RoundStatus};
use crate::domain::status::ProjectStatus;

/// The demo round of the hall households, ordered by signing time, open, called up to 40.
pub(super) fn ensure_round(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    household_ids: &[i64],
) -> anyhow::Result<round_store::Round> {
    let existing: Option<i64> = rounds::table
        .filter(rounds::name.eq(ROUND_NAME))
        .select(rounds::id)
        .order(rounds::id.asc())
        .first(conn)
        .optional()?;
    let id = match existing {
        Some(id) => id,
        None => {
            let hall: Vec<i64> = households::table
                .filter(households::id.eq_any(household_ids))
                .filter(households::method.eq("hall"))
                .select(households::id)
                .load(conn)?;
            // rounds are created by an official: the bootstrap admin
            let official: i64 = officials::table
                .filter(officials::is_bootstrap.eq(true))
                .select(officials::id)
                .first(conn)?;
            round_store::create(
                conn,
                ctx,
                official,
                ROUND_NAME,
                Ordering::SigningTime,
                None,
                &round_store::Members::Households(hall),
            )
            .map_err(api)?
            .id
        }
    };
    let mut round = round_store::get(conn, id)?.context("the demo round vanished")?;
    if round.status() == RoundStatus::Created {
        round = round_store::set_status(conn, ctx, id, RoundStatus::Open).map_err(api)?;
    }
    let target = CALL_UP_TO.min(round_store::size(conn, id)?);
    if i64::from(round.called_up_to) < target {
        round = round_store::call(conn, ctx, id, target).map_err(api)?;
    }
    Ok(round)
}

/// A few called households hold and confirm a flat (the kiosk's own `place_hold` and `confirm`),
/// each in the zone of its old home or one further out, the area nearest to its entitlement.
pub(super) fn ensure_selections(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    round: &round_store::Round,
    developer_ids: &[i64],
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    if round.status() != RoundStatus::Open {
        return Ok(());
    }
    let order = round_store::order(conn, round.id)?;
    let chosen: HashSet<i64> = reservations::table
        .filter(reservations::household_id.eq_any(&order))
        .select(reservations::household_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let mut candidates: Vec<(i64, i32, i64)> = units::table
        .inner_join(projects::table)
        .filter(projects::developer_id.eq_any(developer_ids))
        .filter(projects::status.eq(ProjectStatus::Approved.as_str()))
        .filter(units::status.eq("available"))
        .select((units::id, projects::zone_class, units::area_centi_m2))
        .order(units::id.asc())
        .load(conn)?;
    let policy = crate::db::policy::in_force(conn, ctx.now_ms)
        .map_err(api)?
        .policy;
    for (i, position) in CHOSEN_POSITIONS.iter().enumerate() {
        bar.inc(1);
        let Some(&household_id) = order.get(*position as usize - 1) else {
            continue;
        };
        if *position > i64::from(round.called_up_to) || chosen.contains(&household_id) {
            continue;
        }
        let h = crate::db::households::get(conn, household_id)?.context("household vanished")?;
        let from = Zone::new(i64::from(h.origin_zone)).context("origin zone")?;
        let to = Zone::new((i64::from(h.origin_zone) + (i as i64 % 2)).min(3)).expect("1..=3");
        let entitled = h.remaining_origin_area_centi_m2 * policy.ratio(from, to) / 10_000;
        let Some(best) = candidates
            .iter()
            .enumerate()
            .filter(|(_, (_, zone, _))| i64::from(*zone) == to.get())
            .min_by_key(|(_, (_, _, area))| (area - entitled).abs())
            .map(|(k, _)| k)
        else {
            continue;
        };
        let (unit_id, _, _) = candidates.remove(best);
        let reservation = write_tx(conn, |c| {
            let payer = selection::Payer {
                household_id,
                ticket_id: None,
                session_id: None,
                at_sales_office: false,
                proxy_id: None,
            };
            let (hold, _, _) = selection::place_hold(c, ctx, payer, unit_id)?;
            selection::confirm(c, ctx, household_id, hold.id)
        })
        .map_err(api)?;
        tracing::debug!(reservation = reservation.id, position, "demo selection");
    }
    Ok(())
}
