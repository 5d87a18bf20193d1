//! The officials' figures after the pick: handovers and their area differences by developer or
//! project (`/stats/handover`), and move-ins (入住率) by project and district with the overdue
//! list (`/stats/occupancy`). Read from the reservations and their handovers.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::db::schema::{developers, handovers, households, projects, reservations, units};
use crate::db::AnyConnection;
use crate::domain::handover::{rescind_deadline_day, AreaCase};

/// One reservation that reached a contract, with its handover if filed.
struct Row {
    developer_id: i64,
    developer_name: String,
    project_id: i64,
    project_name: String,
    district: String,
    status: String,
    h: Option<HandoverFacts>,
    reservation_id: i64,
    place: String,
    household_name_masked: String,
}

#[derive(Clone, Copy)]
struct HandoverFacts {
    case: AreaCase,
    household_pays_yuan: i64,
    developer_absorbs_yuan: i64,
    developer_penalty_yuan: i64,
    handover_day: i32,
    moved_in: bool,
    rescinded: bool,
}

type Loaded = (
    (i64, String, i64, String, String, String, i64),
    (String, String, String, String),
    Option<(String, i64, i64, i64, i32, Option<i32>, Option<i64>)>,
);

fn rows(conn: &mut AnyConnection) -> QueryResult<Vec<Row>> {
    let loaded: Vec<Loaded> = reservations::table
        .inner_join(units::table.inner_join(projects::table.inner_join(developers::table)))
        .inner_join(households::table)
        .left_join(handovers::table)
        .filter(
            reservations::status
                .eq("contracted")
                .or(reservations::status.eq("rescinded")),
        )
        .order(reservations::id.asc())
        .select((
            (
                developers::id,
                developers::name,
                projects::id,
                projects::name,
                projects::district,
                reservations::status,
                reservations::id,
            ),
            (
                units::building,
                units::unit,
                units::room,
                households::name_masked,
            ),
            (
                handovers::area_case,
                handovers::household_pays_yuan,
                handovers::developer_absorbs_yuan,
                handovers::developer_penalty_yuan,
                handovers::handover_day,
                handovers::moved_in_day,
                handovers::rescinded_at_ms,
            )
                .nullable(),
        ))
        .load(conn)?;
    Ok(loaded
        .into_iter()
        .map(
            |((did, dname, pid, pname, district, status, rid), (b, u, r, name), h)| Row {
                developer_id: did,
                developer_name: dname,
                project_id: pid,
                project_name: pname,
                district,
                status,
                reservation_id: rid,
                place: [b, u, r]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("-"),
                household_name_masked: name,
                h: h.map(
                    |(case, pays, absorbs, penalty, day, moved, rescinded)| HandoverFacts {
                        case: AreaCase::parse(&case)
                            .expect("the CHECK keeps the case one of three"),
                        household_pays_yuan: pays,
                        developer_absorbs_yuan: absorbs,
                        developer_penalty_yuan: penalty,
                        handover_day: day,
                        moved_in: moved.is_some(),
                        rescinded: rescinded.is_some(),
                    },
                ),
            },
        )
        .collect())
}

/// One group's handovers.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct HandoverRow {
    /// developer or project id; 0 in the total row
    pub id: i64,
    pub name: String,
    pub handed_over: i64,
    /// contracted, not yet handed over
    pub pending: i64,
    pub within_3pct: i64,
    pub beyond_3pct: i64,
    pub rescinded: i64,
    /// Σ of positive payments by households
    pub household_pays_yuan: i64,
    /// Σ of refunds to households, as positive numbers
    pub refunds_yuan: i64,
    pub developer_absorbs_yuan: i64,
    pub developer_penalty_yuan: i64,
}

impl HandoverRow {
    fn add(&mut self, r: &Row) {
        match (r.status.as_str(), &r.h) {
            ("rescinded", _) => self.rescinded += 1,
            (_, None) => self.pending += 1,
            (_, Some(h)) => {
                self.handed_over += 1;
                if h.case == AreaCase::Within3Pct {
                    self.within_3pct += 1;
                } else {
                    self.beyond_3pct += 1;
                }
                self.household_pays_yuan += h.household_pays_yuan.max(0);
                self.refunds_yuan += (-h.household_pays_yuan).max(0);
                self.developer_absorbs_yuan += h.developer_absorbs_yuan;
                self.developer_penalty_yuan += h.developer_penalty_yuan;
            }
        }
    }
}

/// Handovers by developer (`by_developer`) or by project, and the total.
pub fn handover(
    conn: &mut AnyConnection,
    by_developer: bool,
) -> QueryResult<(Vec<HandoverRow>, HandoverRow)> {
    let mut groups: BTreeMap<i64, HandoverRow> = BTreeMap::new();
    let mut total = HandoverRow {
        name: "合计".into(),
        ..HandoverRow::default()
    };
    for r in rows(conn)? {
        let (id, name) = if by_developer {
            (r.developer_id, &r.developer_name)
        } else {
            (r.project_id, &r.project_name)
        };
        groups
            .entry(id)
            .or_insert_with(|| HandoverRow {
                id,
                name: name.clone(),
                ..HandoverRow::default()
            })
            .add(&r);
        total.add(&r);
    }
    Ok((groups.into_values().collect(), total))
}

/// One project's or district's move-ins.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OccupancyRow {
    /// the project id (0 for a district row)
    pub id: i64,
    pub name: String,
    /// handed over and not rescinded
    pub handed_over: i64,
    pub moved_in: i64,
    /// 入住率: moved in ÷ handed over, in percent, one decimal rounded down; null when none is
    /// handed over
    pub occupancy_pct: Option<f64>,
    pub overdue: i64,
}

/// A household not moved in `move_in_deadline_days` after its handover (name masked).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OverdueMoveIn {
    pub reservation_id: i64,
    pub project_name: String,
    pub district: String,
    /// building-unit-room
    pub place: String,
    pub household_name_masked: String,
    pub handover_day: i32,
    pub days_overdue: i64,
}

/// Move-ins by project and by district on local day `today`, and the overdue list.
pub fn occupancy(
    conn: &mut AnyConnection,
    deadline_days: i64,
    today: i32,
) -> QueryResult<(Vec<OccupancyRow>, Vec<OccupancyRow>, Vec<OverdueMoveIn>)> {
    let mut projects: BTreeMap<i64, OccupancyRow> = BTreeMap::new();
    let mut districts: BTreeMap<String, OccupancyRow> = BTreeMap::new();
    let mut overdue = Vec::new();
    for r in rows(conn)? {
        let Some(h) = r.h.filter(|h| !h.rescinded) else {
            continue;
        };
        let last = rescind_deadline_day(h.handover_day, deadline_days).unwrap_or(i32::MAX);
        let late = !h.moved_in && today > last;
        for row in [
            projects
                .entry(r.project_id)
                .or_insert_with(|| OccupancyRow {
                    id: r.project_id,
                    name: r.project_name.clone(),
                    ..OccupancyRow::default()
                }),
            districts
                .entry(r.district.clone())
                .or_insert_with(|| OccupancyRow {
                    name: r.district.clone(),
                    ..OccupancyRow::default()
                }),
        ] {
            row.handed_over += 1;
            row.moved_in += i64::from(h.moved_in);
            row.overdue += i64::from(late);
        }
        if late {
            overdue.push(OverdueMoveIn {
                reservation_id: r.reservation_id,
                project_name: r.project_name.clone(),
                district: r.district.clone(),
                place: r.place.clone(),
                household_name_masked: r.household_name_masked.clone(),
                handover_day: h.handover_day,
                days_overdue: days_between(last, today),
            });
        }
    }
    let pct = |mut row: OccupancyRow| {
        row.occupancy_pct =
            (row.handed_over > 0).then(|| (row.moved_in * 1000 / row.handed_over) as f64 / 10.0);
        row
    };
    Ok((
        projects.into_values().map(pct).collect(),
        districts.into_values().map(pct).collect(),
        overdue,
    ))
}

fn days_between(from: i32, to: i32) -> i64 {
    let date = |d: i32| {
        chrono::NaiveDate::from_ymd_opt(d / 10_000, (d / 100 % 100) as u32, (d % 100) as u32)
    };
    match (date(from), date(to)) {
        (Some(a), Some(b)) => (b - a).num_days(),
        _ => 0,
    }
}
