//! The invariants, read straight from the database after a run (diesel over the app's own
//! pool and schema, nothing through the service): no unit with two live reservations, no
//! household below zero, A0 = remaining + Σ consumed, and no 5xx or broken request seen.

use std::collections::HashMap;

use anju::db::schema::{households, reservations};
use diesel::prelude::*;

/// One check's outcome, printed as a line.
pub struct Check {
    pub what: &'static str,
    pub ok: bool,
    pub detail: String,
}

pub fn invariants(
    database_url: &str,
    server_errors: usize,
    transport_errors: usize,
) -> anyhow::Result<Vec<Check>> {
    let pool = anju::db::build_pool(database_url, 1)?;
    let mut c = pool.get()?;
    let live: Vec<i64> = reservations::table
        .filter(reservations::status.eq_any(["held", "confirmed", "contracted"]))
        .select(reservations::unit_id)
        .load(&mut *c)?;
    let mut per_unit: HashMap<i64, usize> = HashMap::new();
    for u in &live {
        *per_unit.entry(*u).or_default() += 1;
    }
    let doubled: Vec<i64> = per_unit
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(u, _)| *u)
        .collect();
    let negative: i64 = households::table
        .filter(households::remaining_origin_area_centi_m2.lt(0))
        .count()
        .get_result(&mut *c)?;
    let consumed: Vec<(i64, Option<i64>)> = reservations::table
        .filter(reservations::status.eq_any(["confirmed", "contracted"]))
        .select((
            reservations::household_id,
            reservations::origin_consumed_centi_m2,
        ))
        .load(&mut *c)?;
    let mut sum: HashMap<i64, i64> = HashMap::new();
    for (h, k) in consumed {
        *sum.entry(h).or_default() += k.unwrap_or(0);
    }
    let areas: Vec<(i64, i64, i64)> = households::table
        .select((
            households::id,
            households::origin_area_centi_m2,
            households::remaining_origin_area_centi_m2,
        ))
        .load(&mut *c)?;
    let off: Vec<i64> = areas
        .iter()
        .filter(|(id, a0, rem)| *a0 != rem + sum.get(id).copied().unwrap_or(0))
        .map(|(id, _, _)| *id)
        .collect();
    Ok(vec![
        Check {
            what: "no unit with two live (held/confirmed/contracted) reservations",
            ok: doubled.is_empty(),
            detail: format!(
                "{} live reservations on {} units; doubled: {:?}",
                live.len(),
                per_unit.len(),
                &doubled[..doubled.len().min(10)]
            ),
        },
        Check {
            what: "no household with negative remaining area",
            ok: negative == 0,
            detail: format!("{negative} negative of {} households", areas.len()),
        },
        Check {
            what: "A0 = remaining + Σ consumed for every household",
            ok: off.is_empty(),
            detail: format!(
                "{} households off: {:?}",
                off.len(),
                &off[..off.len().min(10)]
            ),
        },
        Check {
            what: "0 × 5xx and 0 broken requests",
            ok: server_errors == 0 && transport_errors == 0,
            detail: format!("{server_errors} × 5xx, {transport_errors} broken"),
        },
    ])
}

/// The newest listing-change sequence in the database (what a caught-up index has applied).
pub fn max_seq(database_url: &str) -> anyhow::Result<i64> {
    let pool = anju::db::build_pool(database_url, 1)?;
    let mut c = pool.get()?;
    Ok(anju::db::listings::max_seq(&mut c)?)
}
