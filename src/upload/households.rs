//! The household table an official imports (docs/api.md, "Uploads"): columns, per-row
//! validation, and duplicate ID numbers within the file.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::table::{
    column, for_each_row, ColumnSpec, RowCheck, RowError, UploadError, UploadFormat,
};
use crate::domain::household::{parse_signed_at, parse_zone, IdNumber, Method};
use crate::domain::mask::parse_phone;
use crate::domain::policy::Zone;
use crate::domain::unit_fields::{area_in_range, normalize_cell, parse_area_centi, parse_yuan};

/// Columns of the household table, as in docs/api.md, "Uploads".
pub const HOUSEHOLD_COLUMNS: &[ColumnSpec] = &[
    column("name", &["户主姓名", "姓名"], true),
    column("id_number", &["身份证号", "身份证号码"], true),
    column("phone", &["联系电话", "手机号"], true),
    column("expropriation_project", &["征收项目"], true),
    column("origin_area_m2", &["被征收面积", "合法面积"], true),
    column("origin_zone", &["区位类别", "区位"], true),
    column("assessed_price_yuan_per_m2", &["评估单价"], true),
    column("signed_at", &["签约时间"], true),
    column("family_size", &["家庭人口"], false),
    column("method", &["安置方式"], true),
];

/// A validated household row. `Debug` shows personal data masked.
#[derive(Clone, PartialEq)]
pub struct HouseholdRow {
    pub name: String,
    pub id_number: IdNumber,
    pub phone: String,
    pub expropriation_project: String,
    pub origin_area_centi: i64,
    pub origin_zone: Zone,
    pub assessed_price_yuan_per_m2: i64,
    pub signed_at_ms: i64,
    pub family_size: i32,
    pub method: Method,
}

impl std::fmt::Debug for HouseholdRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HouseholdRow")
            .field("name", &crate::domain::mask::mask_name(&self.name))
            .field("id_number", &self.id_number)
            .field("origin_area_centi", &self.origin_area_centi)
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

/// A valid household with the spreadsheet row it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedHousehold {
    pub row: usize,
    pub household: HouseholdRow,
}

/// A checked household table: the valid rows, every format error (duplicate ID numbers within
/// the file included), and the ID number of every row whose number parsed, valid row or not, so
/// that numbers already registered are found for all of them.
#[derive(Debug, Clone, Default)]
pub struct HouseholdTable {
    pub households: Vec<ParsedHousehold>,
    /// In row order.
    pub errors: Vec<RowError>,
    /// (row, ID number) in row order.
    pub ids: Vec<(usize, IdNumber)>,
}

/// Reads and validates a household table; any bad row rejects the whole import with every
/// error. `today` bounds birth dates.
pub fn parse_households(
    bytes: &[u8],
    format: UploadFormat,
    budgets: impl Into<super::table::Budgets>,
    today: NaiveDate,
) -> Result<Vec<ParsedHousehold>, UploadError> {
    let table = check_households(bytes, format, budgets, today)?;
    if table.errors.is_empty() {
        Ok(table.households)
    } else {
        Err(UploadError::Rejected(table.errors))
    }
}

/// Reads and validates a household table, collecting every row's problems instead of stopping;
/// only a file that cannot be read as a table (encoding, header, size) is an `Err`.
pub fn check_households(
    bytes: &[u8],
    format: UploadFormat,
    budgets: impl Into<super::table::Budgets>,
    today: NaiveDate,
) -> Result<HouseholdTable, UploadError> {
    let (table, _) = check_rows(
        bytes,
        format,
        "households",
        HOUSEHOLD_COLUMNS,
        budgets,
        today,
        |_, _| Some(()),
    )?;
    Ok(table)
}

/// [`check_households`] over `columns` (the household columns and more): `extra` checks a row's
/// other cells after its household fields and gives the value kept beside each valid household.
pub(crate) fn check_rows<X>(
    bytes: &[u8],
    format: UploadFormat,
    kind: &str,
    columns: &[ColumnSpec],
    budgets: impl Into<super::table::Budgets>,
    today: NaiveDate,
    mut extra: impl FnMut(&mut RowCheck<'_>, Option<&HouseholdRow>) -> Option<X>,
) -> Result<(HouseholdTable, Vec<X>), UploadError> {
    let mut households = Vec::new();
    let mut extras = Vec::new();
    let mut errors = Vec::new();
    let mut ids = Vec::new();
    let table_errors = for_each_row(bytes, format, kind, columns, budgets, |raw| {
        let mut check = RowCheck::new(&raw, &mut errors);
        let (id, household) = check.household(today);
        let more = extra(&mut check, household.as_ref());
        if let (Some(household), Some(more), true) = (household, more, check.ok) {
            households.push(ParsedHousehold {
                row: raw.row,
                household,
            });
            extras.push(more);
        }
        if let Some(id) = id {
            ids.push((raw.row, id));
        }
    })?;
    errors.extend(table_errors);
    ids.sort_by_key(|(row, _)| *row);
    let mut first_row: HashMap<&str, usize> = HashMap::new();
    for (row, id) in &ids {
        if let Some(first) = first_row.get(id.as_str()) {
            let masked = id.masked();
            for (row, other) in [(*first, *row), (*row, *first)] {
                errors.push(RowError::new(
                    row,
                    Some("id_number"),
                    format!("id_number {masked} appears in rows {row} and {other}"),
                ));
            }
        } else {
            first_row.insert(id.as_str(), *row);
        }
    }
    errors.sort_by_key(|e| e.row);
    Ok((
        HouseholdTable {
            households,
            errors,
            ids,
        },
        extras,
    ))
}

impl RowCheck<'_> {
    /// The row's ID number when it parsed (even if another cell is bad), and the row when
    /// every cell is good.
    fn household(&mut self, today: NaiveDate) -> (Option<IdNumber>, Option<HouseholdRow>) {
        let name = self.text("name", 30, true);
        // an ID number's digits are personal data: report the problem, never echo the value
        let id_number = match self.raw.get("id_number").map(normalize_cell) {
            None => {
                self.fail("id_number", "id_number is required".into());
                None
            }
            Some(text) => match IdNumber::parse(&text, today) {
                Ok(id) => Some(id),
                Err(message) => {
                    self.fail("id_number", format!("id_number {message}"));
                    None
                }
            },
        };
        let phone = match self.raw.get("phone").map(normalize_cell) {
            None => {
                self.fail("phone", "phone is required".into());
                None
            }
            Some(text) => match parse_phone(&text) {
                Ok(p) => Some(p),
                Err(message) => {
                    self.fail("phone", format!("phone {message}"));
                    None
                }
            },
        };
        let project = self.text("expropriation_project", 100, true);
        let area = self.required("origin_area_m2", |s| {
            area_in_range(parse_area_centi(s)?, 100, 200_000)
        });
        let zone = self.required("origin_zone", parse_zone);
        let price = self.required("assessed_price_yuan_per_m2", |s| {
            let p = parse_yuan(s)?;
            if (100..=300_000).contains(&p) {
                Ok(p)
            } else {
                Err("must be from 100 to 300000 yuan per m²".into())
            }
        });
        let signed_at = self.required("signed_at", parse_signed_at);
        let family_size = self
            .parse("family_size", |s| {
                match s.trim_end_matches('人').parse::<i32>() {
                    Ok(n) if (1..=20).contains(&n) => Ok(n),
                    _ => Err("must be a whole number from 1 to 20".into()),
                }
            })
            .unwrap_or(1);
        let method = self.required("method", Method::parse);
        let row = (|| {
            Some(HouseholdRow {
                name,
                id_number: id_number.clone()?,
                phone: phone?,
                expropriation_project: project,
                origin_area_centi: area?,
                origin_zone: zone?,
                assessed_price_yuan_per_m2: price?,
                signed_at_ms: signed_at?,
                family_size,
                method: method?,
            })
        })();
        (id_number, row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::household::id_check_char;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn id(first17: &str) -> String {
        format!("{first17}{}", id_check_char(first17).unwrap())
    }

    #[test]
    fn a_chinese_sheet_is_read_field_by_field() {
        let csv = format!(
            "户主姓名,身份证号码,手机号,征收项目,合法面积,区位,评估单价,签约时间,家庭人口,安置方式\n\
             张小明,{},13812345678,汉正街片区,80.00,一类区,15000,2026-03-01 09:30:15.123,4,选购大厅\n\
             李四,{},027-87654321,汉正街片区,１２０．５,2,12000,2026-03-02T08:00:00+08:00,,货币补偿\n",
            id("42010219800101001"),
            id("42010219751231002")
        );
        let rows = parse_households(csv.as_bytes(), UploadFormat::Csv, 100, today()).unwrap();
        assert_eq!(rows.len(), 2);
        let a = &rows[0].household;
        assert_eq!(
            (rows[0].row, a.name.as_str(), a.phone.as_str()),
            (2, "张小明", "13812345678")
        );
        assert_eq!((a.origin_area_centi, a.origin_zone.get()), (8_000, 1));
        assert_eq!(
            (a.assessed_price_yuan_per_m2, a.family_size, a.method),
            (15_000, 4, Method::Hall)
        );
        let b = &rows[1].household;
        assert_eq!(
            (b.origin_area_centi, b.family_size, b.method),
            (12_050, 1, Method::Cash)
        );
        assert_eq!(b.phone, "027-87654321");
        assert!(!format!("{a:?}").contains("张小明"));
    }

    #[test]
    fn every_bad_row_is_reported_without_echoing_id_numbers() {
        let dup = id("42010219800101001");
        let csv = format!(
            "name,id_number,phone,expropriation_project,origin_area_m2,origin_zone,assessed_price_yuan_per_m2,signed_at,method\n\
             A,{dup},13812345678,P,80,1,15000,2026-03-01 09:30,hall\n\
             B,420102198001010010,13812345678,P,80,1,15000,2026-03-01 09:30,hall\n\
             C,{dup},12345,P,0.5,4,50,someday,other\n"
        );
        let Err(UploadError::Rejected(errors)) =
            parse_households(csv.as_bytes(), UploadFormat::Csv, 100, today())
        else {
            panic!("must be rejected")
        };
        let got: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.row, e.field.as_deref().unwrap_or("")))
            .collect();
        // row 4's ID number is well formed but repeats row 2's: both rows say so, although
        // row 4 is bad in other cells too
        assert_eq!(
            got,
            [
                (2, "id_number"),
                (3, "id_number"),
                (4, "phone"),
                (4, "origin_area_m2"),
                (4, "origin_zone"),
                (4, "assessed_price_yuan_per_m2"),
                (4, "signed_at"),
                (4, "method"),
                (4, "id_number"),
            ]
        );
        for e in &errors {
            assert!(!e.message.contains("42010219800101001"), "{}", e.message);
        }
    }

    #[test]
    fn duplicate_id_numbers_in_one_file_reject_both_rows() {
        let dup = id("42010219800101001");
        let csv = format!(
            "name,id_number,phone,expropriation_project,origin_area_m2,origin_zone,assessed_price_yuan_per_m2,signed_at,method\n\
             A,{dup},13812345678,P,80,1,15000,2026-03-01 09:30,hall\n\
             B,{},13812345678,P,80,1,15000,2026-03-01 09:30,hall\n\
             C,{},13812345678,P,80,1,15000,2026-03-01 09:30,hall\n",
            dup.to_lowercase(),
            id("42010219800101002")
        );
        let Err(UploadError::Rejected(errors)) =
            parse_households(csv.as_bytes(), UploadFormat::Csv, 100, today())
        else {
            panic!("must be rejected")
        };
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [2, 3]);
        assert!(errors[0].message.contains("420102********"));
    }
}
