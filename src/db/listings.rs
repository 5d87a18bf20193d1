//! What search lists, read from the truth: the listing-change outbox and the listed units
//! (available units of approved projects of approved developers) as search documents.

use crate::domain::status::{DeveloperStatus, ProjectStatus, UnitStatus};
use crate::domain::usage::Usage;
use diesel::prelude::*;

use super::schema::{developers, listing_changes, projects, units};
use super::AnyConnection;
use crate::search::ListingDoc;

/// What changed: one unit, every unit of a project, or every unit of a developer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingChange {
    Unit(i64),
    Project(i64),
    Developer(i64),
}

#[derive(Insertable)]
#[diesel(table_name = listing_changes)]
struct NewChange {
    unit_id: Option<i64>,
    project_id: Option<i64>,
    developer_id: Option<i64>,
    created_at_ms: i64,
}

/// Records a change; call it as the last statement of the transaction that made the change, so
/// the sequence number is taken just before the commit.
pub fn record(conn: &mut AnyConnection, change: ListingChange, now_ms: i64) -> QueryResult<()> {
    let (unit_id, project_id, developer_id) = match change {
        ListingChange::Unit(id) => (Some(id), None, None),
        ListingChange::Project(id) => (None, Some(id), None),
        ListingChange::Developer(id) => (None, None, Some(id)),
    };
    diesel::insert_into(listing_changes::table)
        .values(NewChange {
            unit_id,
            project_id,
            developer_id,
            created_at_ms: now_ms,
        })
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct ChangeRow {
    pub seq: i64,
    pub unit_id: Option<i64>,
    pub project_id: Option<i64>,
    pub developer_id: Option<i64>,
}

impl ChangeRow {
    pub fn change(&self) -> Option<ListingChange> {
        match (self.unit_id, self.project_id, self.developer_id) {
            (Some(u), _, _) => Some(ListingChange::Unit(u)),
            (_, Some(p), _) => Some(ListingChange::Project(p)),
            (_, _, Some(d)) => Some(ListingChange::Developer(d)),
            _ => None,
        }
    }
}

pub fn changes_after(
    conn: &mut AnyConnection,
    seq: i64,
    limit: i64,
) -> QueryResult<Vec<ChangeRow>> {
    listing_changes::table
        .filter(listing_changes::seq.gt(seq))
        .order(listing_changes::seq.asc())
        .limit(limit)
        .select((
            listing_changes::seq,
            listing_changes::unit_id,
            listing_changes::project_id,
            listing_changes::developer_id,
        ))
        .load(conn)
}

pub fn max_seq(conn: &mut AnyConnection) -> QueryResult<i64> {
    let max: Option<i64> = listing_changes::table
        .select(diesel::dsl::max(listing_changes::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// The unit ids a change touches.
pub fn affected_unit_ids(conn: &mut AnyConnection, change: ListingChange) -> QueryResult<Vec<i64>> {
    match change {
        ListingChange::Unit(id) => Ok(vec![id]),
        ListingChange::Project(pid) => units::table
            .filter(units::project_id.eq(pid))
            .select(units::id)
            .load(conn),
        ListingChange::Developer(did) => units::table
            .inner_join(projects::table)
            .filter(projects::developer_id.eq(did))
            .select(units::id)
            .load(conn),
    }
}

type ListingRow = (
    (
        i64,
        i64,
        String,
        String,
        String,
        i32,
        String,
        Option<i32>,
        Option<i32>,
        Option<i32>,
    ),
    (i64, i64, i64, Option<String>, Option<String>, String, Usage),
    (String, String, i32, String, String, String, String),
    (i64, String),
);

macro_rules! listed_units {
    () => {
        units::table
            .inner_join(projects::table.inner_join(developers::table))
            .filter(units::status.eq(UnitStatus::Available))
            .filter(projects::status.eq(ProjectStatus::Approved))
            .filter(developers::status.eq(DeveloperStatus::Approved))
            .select((
                (
                    units::id,
                    units::project_id,
                    units::building,
                    units::unit,
                    units::room,
                    units::floor,
                    units::layout,
                    units::rooms,
                    units::halls,
                    units::baths,
                ),
                (
                    units::area_centi_m2,
                    units::price_per_m2_yuan,
                    units::total_price_yuan,
                    units::orientation,
                    units::decoration,
                    units::description,
                    units::usage,
                ),
                (
                    projects::name,
                    projects::district,
                    projects::zone_class,
                    projects::address,
                    projects::delivery,
                    projects::amenities,
                    projects::description,
                ),
                (developers::id, developers::name),
            ))
    };
}

fn to_doc(row: ListingRow) -> ListingDoc {
    let (
        (unit_id, project_id, building, unit, room, floor, layout, rooms, halls, baths),
        u2,
        p,
        (developer_id, developer_name),
    ) = row;
    let (
        area_centi_m2,
        price_per_m2_yuan,
        total_price_yuan,
        orientation,
        decoration,
        description,
        usage,
    ) = u2;
    let (project_name, district, zone_class, address, delivery, amenities, project_description) = p;
    ListingDoc {
        unit_id,
        project_id,
        project_name,
        developer_id,
        developer_name,
        district,
        zone_class: i64::from(zone_class),
        address,
        building,
        unit,
        room,
        floor: i64::from(floor),
        usage: usage.as_str().to_string(),
        layout,
        rooms: rooms.map(i64::from),
        halls: halls.map(i64::from),
        baths: baths.map(i64::from),
        area_centi_m2,
        price_per_m2_yuan,
        total_price_yuan,
        orientation,
        decoration,
        delivery,
        amenities: serde_json::from_str(&amenities).unwrap_or_default(),
        description,
        project_description,
    }
}

/// The listed units among `ids` (ids not returned are not listed).
pub fn load_listed(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<ListingDoc>> {
    let mut docs = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<ListingRow> = listed_units!().filter(units::id.eq_any(chunk)).load(conn)?;
        docs.extend(rows.into_iter().map(to_doc));
    }
    Ok(docs)
}

/// Listed units with id > `after_id`, ascending, for a rebuild in batches.
pub fn listed_after(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<ListingDoc>> {
    let rows: Vec<ListingRow> = listed_units!()
        .filter(units::id.gt(after_id))
        .order(units::id.asc())
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(to_doc).collect())
}

pub fn count_listed(conn: &mut AnyConnection) -> QueryResult<i64> {
    units::table
        .inner_join(projects::table.inner_join(developers::table))
        .filter(units::status.eq(UnitStatus::Available))
        .filter(projects::status.eq(ProjectStatus::Approved))
        .filter(developers::status.eq(DeveloperStatus::Approved))
        .count()
        .get_result(conn)
}

/// Ids of every listed unit, ascending (consistency checks).
pub fn listed_ids(conn: &mut AnyConnection) -> QueryResult<Vec<i64>> {
    units::table
        .inner_join(projects::table.inner_join(developers::table))
        .filter(units::status.eq(UnitStatus::Available))
        .filter(projects::status.eq(ProjectStatus::Approved))
        .filter(developers::status.eq(DeveloperStatus::Approved))
        .order(units::id.asc())
        .select(units::id)
        .load(conn)
}
