//! What the database holds of the demo after a run.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use diesel::prelude::*;

use super::DemoReport;
use crate::db::schema::{households, projects, reservations, units};
use crate::db::{rounds as round_store, AnyConnection};

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
