//! The unit table a developer uploads: columns, per-row validation and duplicate detection.

use std::collections::HashMap;

use super::table::{
    column, for_each_row, ColumnSpec, RowCheck, RowError, UploadError, UploadFormat,
};
use crate::domain::unit_fields::{
    area_in_range, centi_text, check_total, normalize_cell, parse_area_centi, parse_floor,
    parse_orientation, parse_yuan, total_from_area_price, Decoration, Layout, ListedStatus,
    UsageLayout,
};
use crate::domain::usage::Usage;

/// Columns of the unit table, as in docs/api.md, "Uploads".
pub const UNIT_COLUMNS: &[ColumnSpec] = &[
    column("building", &["楼栋", "楼号"], true),
    column("unit", &["单元"], false),
    column("room", &["房号"], true),
    column("floor", &["楼层", "所在层"], true),
    // the column is always there; its cell may be empty for a unit that is not residential
    column("layout", &["户型"], true),
    column("area_m2", &["建筑面积"], true),
    column("inner_area_m2", &["套内面积"], false),
    column("price_per_m2_yuan", &["单价", "备案单价"], true),
    column("total_price_yuan", &["总价"], false),
    column("orientation", &["朝向"], false),
    column("decoration", &["装修", "装修标准"], false),
    column("description", &["描述", "备注"], false),
    column("status", &["状态"], false),
    column("usage", &["用途"], false),
];

const MIN_AREA_CENTI: i64 = 1_000; // 10.00 m²
const MAX_AREA_CENTI: i64 = 100_000; // 1000.00 m²
const MIN_PRICE_YUAN: i64 = 1_000;
const MAX_PRICE_YUAN: i64 = 300_000;

/// A validated unit row, ready to be upserted by its natural key.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    pub building: String,
    pub unit: String,
    pub room: String,
    pub floor: i32,
    /// The usage (住宅 when the row names none) and the layout a flat always has.
    pub usage_layout: UsageLayout,
    pub area_centi: i64,
    pub inner_area_centi: Option<i64>,
    pub price_per_m2_yuan: i64,
    /// The stated total when given (and within 1%), otherwise area × price rounded.
    pub total_price_yuan: i64,
    pub orientation: Option<String>,
    pub decoration: Option<Decoration>,
    pub description: String,
    pub status: ListedStatus,
}

impl UnitRow {
    /// The natural key (building, unit, room).
    pub fn key(&self) -> (String, String, String) {
        (self.building.clone(), self.unit.clone(), self.room.clone())
    }
}

/// A valid unit with the spreadsheet row it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedUnit {
    pub row: usize,
    pub unit: UnitRow,
}

/// How an upload treats a row whose (building, unit, room) is already stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// Update the stored unit (unless a household holds, reserved or bought it).
    #[default]
    Upsert,
    /// Only new units: a stored key is a conflict.
    Create,
}

impl ImportMode {
    /// `upsert` or `create`.
    pub fn parse(s: &str) -> Option<ImportMode> {
        match s {
            "upsert" => Some(ImportMode::Upsert),
            "create" => Some(ImportMode::Create),
            _ => None,
        }
    }
}

/// A checked unit table: the valid rows, every format error, and the natural key of every row
/// that names one, valid or not, so that conflicts with stored units are found for all of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitTable {
    pub units: Vec<ParsedUnit>,
    /// Format errors and duplicates within the file, in row order.
    pub errors: Vec<RowError>,
    /// (row, [building, unit, room]) in row order.
    pub keys: Vec<(usize, [String; 3])>,
}

impl UnitTable {
    /// The valid rows, or every format error.
    pub fn into_units(self) -> Result<Vec<ParsedUnit>, UploadError> {
        if self.errors.is_empty() {
            Ok(self.units)
        } else {
            Err(UploadError::Rejected(self.errors))
        }
    }
}

/// Reads and validates a unit table; any bad row rejects the whole upload with every error.
pub fn parse_units(
    bytes: &[u8],
    format: UploadFormat,
    budgets: impl Into<super::table::Budgets>,
) -> Result<Vec<ParsedUnit>, UploadError> {
    check_units(bytes, format, budgets)?.into_units()
}

/// Reads and validates a unit table, collecting every row's problems instead of stopping; only
/// a file that cannot be read as a table (encoding, header, size) is an `Err`.
pub fn check_units(
    bytes: &[u8],
    format: UploadFormat,
    budgets: impl Into<super::table::Budgets>,
) -> Result<UnitTable, UploadError> {
    let mut units = Vec::new();
    let mut errors = Vec::new();
    let mut keys: Vec<(usize, [String; 3])> = Vec::new();
    let table_errors = for_each_row(bytes, format, "units", UNIT_COLUMNS, budgets, |raw| {
        let mut check = RowCheck::new(&raw, &mut errors);
        match (check.unit(), check.ok) {
            (Some(unit), true) => {
                let key = [&unit.building, &unit.unit, &unit.room].map(String::clone);
                keys.push((raw.row, key));
                units.push(ParsedUnit { row: raw.row, unit });
            }
            _ => {
                // an invalid row's key still takes part in the duplicate and conflict checks
                if let (Some(building), Some(room)) = (raw.get("building"), raw.get("room")) {
                    let unit = raw.get("unit").unwrap_or("");
                    let key = [building, unit, room].map(normalize_cell);
                    keys.push((raw.row, key));
                }
            }
        }
    })?;
    errors.extend(table_errors);
    keys.sort_by_key(|(row, _)| *row);
    report_duplicates(&keys, &mut errors);
    errors.sort_by_key(|e| e.row); // stable: a row's errors keep column order
    Ok(UnitTable {
        units,
        errors,
        keys,
    })
}

/// Validates one row's cells, recording every problem rather than stopping at the first.
impl RowCheck<'_> {
    fn unit(&mut self) -> Option<UnitRow> {
        let building = self.code("building", 50, true);
        let unit = self.code("unit", 20, false);
        let room = self.code("room", 20, true);
        let floor = self.required("floor", parse_floor);
        let usage_layout = self.usage_layout();
        let area = self.required("area_m2", |s| {
            area_in_range(parse_area_centi(s)?, MIN_AREA_CENTI, MAX_AREA_CENTI)
        });
        let inner_area = self.parse("inner_area_m2", |s| {
            let inner = parse_area_centi(s)?;
            match area {
                _ if inner == 0 => Err("must be more than 0".to_owned()),
                Some(area) if inner > area => {
                    Err(format!("must not exceed area_m2 ({})", centi_text(area)))
                }
                _ => Ok(inner),
            }
        });
        let price = self.required("price_per_m2_yuan", |s| {
            let price = parse_yuan(s)?;
            if (MIN_PRICE_YUAN..=MAX_PRICE_YUAN).contains(&price) {
                Ok(price)
            } else {
                Err(format!(
                    "must be from {MIN_PRICE_YUAN} to {MAX_PRICE_YUAN} yuan per m²"
                ))
            }
        });
        let total = self.parse("total_price_yuan", |s| {
            let given = parse_yuan(s)?;
            match (area, price) {
                (Some(area), Some(price)) => check_total(given, area, price),
                _ => Ok(given), // cannot compare; the area or price error is reported already
            }
        });
        let orientation = self.parse("orientation", parse_orientation);
        let decoration = self.parse("decoration", Decoration::parse);
        let status = self
            .parse("status", ListedStatus::parse)
            .unwrap_or_default();
        let description = self.text("description", 2000, false);
        let (area_centi, price_per_m2_yuan) = (area?, price?);
        Some(UnitRow {
            building,
            unit,
            room,
            floor: floor?,
            usage_layout: usage_layout?,
            area_centi,
            inner_area_centi: inner_area,
            price_per_m2_yuan,
            total_price_yuan: total
                .unwrap_or_else(|| total_from_area_price(area_centi, price_per_m2_yuan)),
            orientation,
            decoration,
            description,
            status,
        })
    }

    /// The usage (residential when the cell is empty) and the layout, which a residential unit
    /// must have and the others may leave empty. A bad usage cell is reported alone: whether the
    /// layout was required is then unknown.
    fn usage_layout(&mut self) -> Option<UsageLayout> {
        let usage = match self.raw.get("usage") {
            None => Some(Usage::Residential),
            Some(_) => self.parse("usage", |s| {
                Usage::parse(s).map_err(|_| {
                    "must be 住宅, 商业, 办公 or 车位 (residential, commercial, office, parking)"
                        .to_owned()
                })
            }),
        };
        let layout_given = self.raw.get("layout").is_some();
        let layout = self.parse("layout", Layout::parse);
        if layout_given && layout.is_none() {
            return None; // the layout's own error is reported
        }
        match UsageLayout::new(usage?, layout) {
            Ok(usage_layout) => Some(usage_layout),
            Err(message) => {
                self.fail("layout", format!("layout {message}"));
                None
            }
        }
    }
}

/// Rejects every row whose (building, unit, room) appears more than once: later copies name
/// the first, and the first names the second. `keys` are in row order.
fn report_duplicates(keys: &[(usize, [String; 3])], errors: &mut Vec<RowError>) {
    let mut first_row: HashMap<&[String; 3], usize> = HashMap::with_capacity(keys.len());
    let mut first_copy: HashMap<usize, usize> = HashMap::new();
    for (row, key) in keys {
        let first = *first_row.entry(key).or_insert(*row);
        if first != *row {
            errors.push(duplicate(*row, key, first));
            first_copy.entry(first).or_insert(*row);
        }
    }
    for (row, key) in keys {
        if let Some(other) = first_copy.get(row) {
            errors.push(duplicate(*row, key, *other));
        }
    }
}

fn duplicate(row: usize, [building, unit, room]: &[String; 3], other: usize) -> RowError {
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(", unit {unit}")
    };
    let message = format!("building {building}{unit}, room {room} also appears in row {other}");
    RowError::new(row, Some("room"), message)
}

#[cfg(test)]
mod tests;
