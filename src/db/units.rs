//! Units (房源): the all-or-nothing upsert of an upload, listing, and a developer's edits.

use std::collections::HashMap;

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::listings::{self, ListingChange};
use super::schema::units;
use super::{write_tx, AnyConnection};
use crate::domain::refusal::RefusalKind;
use crate::domain::status::UnitStatus;
use crate::domain::usage::Usage;
use crate::domain::PageRequest;
use crate::upload::units::{ImportMode, UnitRow, UnitTable};
use crate::upload::RowError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: i64,
    pub project_id: i64,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub floor: i32,
    /// Empty for a unit without a layout (only one that is not residential).
    pub layout: String,
    /// `None` for a unit without a layout (only one that is not residential).
    pub rooms: Option<i32>,
    pub halls: Option<i32>,
    /// `None` when the uploaded layout named no bathrooms, or there is no layout.
    pub baths: Option<i32>,
    pub area_centi_m2: i64,
    pub inner_area_centi_m2: Option<i64>,
    pub price_per_m2_yuan: i64,
    pub total_price_yuan: i64,
    pub orientation: Option<String>,
    pub decoration: Option<String>,
    pub description: String,
    pub status: UnitStatus,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub usage: Usage,
}

impl Unit {
    pub fn status(&self) -> UnitStatus {
        self.status
    }
}

/// The stored columns an upload row sets (everything but ids, status history and times).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = units, treat_none_as_null = true, treat_none_as_default_value = false)]
struct UnitFields<'a> {
    building: &'a str,
    unit: &'a str,
    room: &'a str,
    floor: i32,
    layout: String,
    rooms: Option<i32>,
    halls: Option<i32>,
    baths: Option<i32>,
    area_centi_m2: i64,
    inner_area_centi_m2: Option<i64>,
    price_per_m2_yuan: i64,
    total_price_yuan: i64,
    orientation: Option<&'a str>,
    decoration: Option<&'a str>,
    description: &'a str,
    status: &'a str,
    usage: &'static str,
}

impl<'a> UnitFields<'a> {
    fn from_row(r: &'a UnitRow) -> Self {
        UnitFields {
            building: &r.building,
            unit: &r.unit,
            room: &r.room,
            floor: r.floor,
            layout: r.usage_layout.layout_text(),
            rooms: r.usage_layout.rooms().map(i32::from),
            halls: r.usage_layout.halls().map(i32::from),
            baths: r.usage_layout.baths().map(i32::from),
            area_centi_m2: r.area_centi,
            inner_area_centi_m2: r.inner_area_centi,
            price_per_m2_yuan: r.price_per_m2_yuan,
            total_price_yuan: r.total_price_yuan,
            orientation: r.orientation.as_deref(),
            decoration: r.decoration.as_ref().map(|d| d.as_str()),
            description: &r.description,
            status: r.status.as_str(),
            usage: r.usage_layout.usage().as_str(),
        }
    }

    fn from_unit(u: &'a Unit) -> Self {
        UnitFields {
            building: &u.building,
            unit: &u.unit,
            room: &u.room,
            floor: u.floor,
            layout: u.layout.clone(),
            rooms: u.rooms,
            halls: u.halls,
            baths: u.baths,
            area_centi_m2: u.area_centi_m2,
            inner_area_centi_m2: u.inner_area_centi_m2,
            price_per_m2_yuan: u.price_per_m2_yuan,
            total_price_yuan: u.total_price_yuan,
            orientation: u.orientation.as_deref(),
            decoration: u.decoration.as_deref(),
            description: &u.description,
            status: u.status.as_str(),
            usage: u.usage.as_str(),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = units)]
struct NewUnit<'a> {
    project_id: i64,
    #[diesel(embed)]
    fields: UnitFields<'a>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Rows per INSERT statement: 21 columns × 500 rows stays under both backends' bind limits.
const INSERT_CHUNK: usize = 500;

/// Stores an upload all-or-nothing: new keys are inserted, changed ones updated, identical ones
/// left alone. The rejection names every bad row at once: the table's format errors together
/// with every row that conflicts with a stored unit — one held, reserved or sold (either mode),
/// or any stored unit in `Create` mode. Invalid rows take part in the conflict check too.
pub fn import(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    project_id: i64,
    mode: ImportMode,
    table: &UnitTable,
) -> Result<ImportOutcome, DbError> {
    write_tx(conn, |conn| {
        // one query for every key of the file: the project's stored units
        let existing: Vec<Unit> = units::table
            .filter(units::project_id.eq(project_id))
            .select(Unit::as_select())
            .load(conn)?;
        let by_key: HashMap<(&str, &str, &str), &Unit> = existing
            .iter()
            .map(|u| ((u.building.as_str(), u.unit.as_str(), u.room.as_str()), u))
            .collect();
        let mut errors = table.errors.clone();
        for (row, [b, u, r]) in &table.keys {
            match by_key.get(&(b.as_str(), u.as_str(), r.as_str())) {
                Some(u) if u.status().is_locked() => errors.push(RowError::new(
                    *row,
                    Some("room"),
                    format!(
                        "unit {} is {} by a household and cannot be changed by an upload",
                        unit_label(u),
                        u.status
                    ),
                )),
                Some(u) if mode == ImportMode::Create => errors.push(RowError::new(
                    *row,
                    Some("room"),
                    format!("unit {} already exists (id {})", unit_label(u), u.id),
                )),
                _ => {}
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row); // stable: a row's format errors come first
            return Err(DbError::upload_rejected(errors));
        }

        let mut creates = Vec::new();
        let mut updates = Vec::new();
        let mut outcome = ImportOutcome::default();
        for parsed in &table.units {
            let r = &parsed.unit;
            let fields = UnitFields::from_row(r);
            match by_key.get(&(r.building.as_str(), r.unit.as_str(), r.room.as_str())) {
                Some(u) if UnitFields::from_unit(u) == fields => outcome.unchanged += 1,
                Some(u) => updates.push((u.id, fields)),
                None => creates.push(NewUnit {
                    project_id,
                    fields,
                    created_at_ms: ctx.now_ms,
                    updated_at_ms: ctx.now_ms,
                }),
            }
        }
        for chunk in creates.chunks(INSERT_CHUNK) {
            super::insert_rows(conn, units::table, chunk)?;
        }
        outcome.created = creates.len();
        for (id, fields) in &updates {
            let changed = diesel::update(units::table.find(id).filter(units::status.eq_any([
                UnitStatus::Available.as_str(),
                UnitStatus::Withdrawn.as_str(),
            ])))
            .set((fields, units::updated_at_ms.eq(ctx.now_ms)))
            .execute(conn)?;
            if changed != 1 {
                return Err(DbError::new(
                    RefusalKind::UnitLocked,
                    "a unit was taken by a household during the upload; upload again",
                ));
            }
        }
        outcome.updated = updates.len();
        if outcome.created + outcome.updated > 0 {
            listings::record(conn, ListingChange::Project(project_id), ctx.now_ms)?;
        }
        audit::record(
            conn,
            ctx,
            "units.import",
            "project",
            Some(project_id),
            serde_json::json!({ "rows": table.units.len(), "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged }),
        )?;
        Ok(outcome)
    })
}

/// `3号楼-2单元-1201` as a clerk writes it.
pub fn unit_label(u: &Unit) -> String {
    if u.unit.is_empty() {
        format!("{}-{}", u.building, u.room)
    } else {
        format!("{}-{}-{}", u.building, u.unit, u.room)
    }
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Unit>> {
    let found = units::table
        .find(id)
        .select(Unit::as_select())
        .first(conn)
        .optional();
    crate::db::in_row(found, "units", id)
}

pub fn list(
    conn: &mut AnyConnection,
    project_id: i64,
    status: Option<UnitStatus>,
    page: PageRequest,
) -> QueryResult<(Vec<Unit>, i64)> {
    super::read_tx(conn, |conn| {
        let mut q = units::table
            .filter(units::project_id.eq(project_id))
            .into_boxed();
        let mut count = units::table
            .filter(units::project_id.eq(project_id))
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(units::status.eq(s.as_str()));
            count = count.filter(units::status.eq(s.as_str()));
        }
        let total = count.count().get_result(conn)?;
        let items = q
            .order((
                units::building.asc(),
                units::unit.asc(),
                units::room.asc(),
                units::id.asc(),
            ))
            .limit(page.per_page())
            .offset(page.offset())
            .select(Unit::as_select())
            .load(conn)?;
        Ok((items, total))
    })
}

/// A developer's edit of one unit, already validated.
#[derive(Debug, Clone, Default)]
pub struct UnitEdit {
    pub price_per_m2_yuan: Option<i64>,
    pub status: Option<UnitStatus>,
    pub description: Option<String>,
}

/// Applies an edit to an available or withdrawn unit; the update is conditional on that status
/// so a unit a household holds is never changed underneath it.
pub fn edit(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    e: &UnitEdit,
) -> Result<Unit, DbError> {
    write_tx(conn, |conn| {
        let u = get(conn, id)?.ok_or_else(|| DbError::not_found("unit"))?;
        if u.status().is_locked() {
            return Err(DbError::new(
                RefusalKind::UnitLocked,
                format!(
                    "unit {} is {} and cannot be changed",
                    unit_label(&u),
                    u.status
                ),
            ));
        }
        let price = e.price_per_m2_yuan.unwrap_or(u.price_per_m2_yuan);
        let total = if e.price_per_m2_yuan.is_some() {
            crate::domain::unit_fields::total_from_area_price(u.area_centi_m2, price)
        } else {
            u.total_price_yuan
        };
        let status = e.status.unwrap_or(u.status());
        let description = e
            .description
            .clone()
            .unwrap_or_else(|| u.description.clone());
        let changed = diesel::update(units::table.find(id).filter(units::status.eq(&u.status)))
            .set((
                units::price_per_m2_yuan.eq(price),
                units::total_price_yuan.eq(total),
                units::status.eq(status.as_str()),
                units::description.eq(&description),
                units::updated_at_ms.eq(ctx.now_ms),
            ))
            .execute(conn)?;
        if changed != 1 {
            return Err(DbError::new(
                RefusalKind::UnitLocked,
                "the unit changed meanwhile; retry",
            ));
        }
        let action = match (u.status(), status) {
            (UnitStatus::Available, UnitStatus::Withdrawn) => "unit.withdraw",
            (UnitStatus::Withdrawn, UnitStatus::Available) => "unit.relist",
            _ => "unit.edit",
        };
        audit::record(
            conn,
            ctx,
            action,
            "unit",
            Some(id),
            serde_json::json!({
                "price_per_m2_yuan": { "from": u.price_per_m2_yuan, "to": price },
                "status": { "from": u.status, "to": status.as_str() },
                "description_changed": description != u.description,
            }),
        )?;
        listings::record(conn, ListingChange::Unit(id), ctx.now_ms)?;
        Ok(get(conn, id)?.expect("exists"))
    })
}
