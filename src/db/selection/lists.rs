//! Reservations listed with their unit and the household's masked name: a developer's list,
//! the hall board, a household's own.

use diesel::prelude::*;

use super::{unit_info_columns, Reservation, UnitInfo};
use crate::db::schema::{households, projects, reservations, units};
use crate::db::AnyConnection;
use crate::domain::selection::ReservationStatus;

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
                unit_info_columns!(),
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
    crate::db::read_tx(conn, |conn| {
        let mut q = reservation_rows!().into_boxed();
        let mut count = reservations::table
            .inner_join(units::table.inner_join(projects::table))
            .into_boxed();
        if let Some(d) = developer_id {
            q = q.filter(projects::developer_id.eq(d));
            count = count.filter(projects::developer_id.eq(d));
        }
        if let Some(s) = status {
            q = q.filter(reservations::status.eq(s));
            count = count.filter(reservations::status.eq(s));
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
        .filter(reservations::status.eq_any([
            ReservationStatus::Confirmed.as_str(),
            ReservationStatus::Contracted.as_str(),
        ]))
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
        .filter(reservations::status.eq(ReservationStatus::Held))
        .filter(reservations::expires_at_ms.gt(now_ms))
        .count()
        .get_result(conn)?;
    let by = |status: ReservationStatus, conn: &mut AnyConnection| -> QueryResult<i64> {
        reservations::table
            .filter(reservations::status.eq(status))
            .count()
            .get_result(conn)
    };
    Ok((
        holds,
        by(ReservationStatus::Confirmed, conn)?,
        by(ReservationStatus::Contracted, conn)?,
    ))
}
