//! The ticket households table an official imports (docs/tickets.md): the household columns and
//! the face value (房票面额), every row settled by ticket (安置方式 房票).

use chrono::NaiveDate;

use super::households::{check_rows, HouseholdTable, HOUSEHOLD_COLUMNS};
use super::table::{column, ColumnSpec, UploadError, UploadFormat};
use crate::domain::household::Method;
use crate::domain::unit_fields::parse_yuan;

/// The household columns and `face_value_yuan` / 房票面额.
pub fn ticket_columns() -> Vec<ColumnSpec> {
    let mut columns = HOUSEHOLD_COLUMNS.to_vec();
    columns.push(column("face_value_yuan", &["房票面额", "面额"], true));
    columns
}

/// A checked ticket table: the households as the households import checks them, and the face
/// value of each valid row (in the same order).
#[derive(Debug, Clone, Default)]
pub struct TicketTable {
    pub households: HouseholdTable,
    pub face_values: Vec<i64>,
}

/// Reads and validates a ticket table, collecting every row's problems; a row whose method is
/// not 房票 / ticket is an error (the households import takes the others).
pub fn check_ticket_households(
    bytes: &[u8],
    format: UploadFormat,
    budgets: impl Into<super::table::Budgets>,
    today: NaiveDate,
) -> Result<TicketTable, UploadError> {
    let columns = ticket_columns();
    let (households, face_values) = check_rows(
        bytes,
        format,
        "households",
        &columns,
        budgets,
        today,
        |check, household| {
            if household.is_some_and(|h| h.method != Method::Ticket) {
                check.fail(
                    "method",
                    "method must be 房票 / ticket in a ticket import; import other households with /api/v1/households/import".into(),
                );
            }
            check.required("face_value_yuan", |s| {
                let v = parse_yuan(s)?;
                if (1..=100_000_000).contains(&v) {
                    Ok(v)
                } else {
                    Err("must be a whole number of yuan from 1 to 100000000".into())
                }
            })
        },
    )?;
    Ok(TicketTable {
        households,
        face_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::household::id_check_char;

    fn id(first17: &str) -> String {
        format!("{first17}{}", id_check_char(first17).unwrap())
    }

    #[test]
    fn every_bad_row_is_named_and_good_rows_keep_their_face_value() {
        let csv = format!(
            "户主姓名,身份证号码,手机号,征收项目,合法面积,区位,评估单价,签约时间,安置方式,房票面额\n\
             张小明,{},13812345678,汉正街片区,80.00,1,15000,2026-03-01 09:30,房票,1000000\n\
             李四,{},13812345679,汉正街片区,60.00,2,12000,2026-03-02 08:00,选购大厅,500000\n\
             王五,{},13812345670,汉正街片区,60.00,2,12000,2026-03-02 08:00,房票,0\n",
            id("42010219800101001"),
            id("42010219751231002"),
            id("42010219751231003")
        );
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let t = check_ticket_households(csv.as_bytes(), UploadFormat::Csv, 100, today).unwrap();
        assert_eq!(t.face_values, [1_000_000]);
        assert_eq!(t.households.households.len(), 1);
        let bad: Vec<(usize, Option<&str>)> = t
            .households
            .errors
            .iter()
            .map(|e| (e.row, e.field.as_deref()))
            .collect();
        assert_eq!(bad, [(3, Some("method")), (4, Some("face_value_yuan"))]);
    }
}
