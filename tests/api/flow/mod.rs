//! The whole admission and inventory flow: admin → developer → approve → key → project →
//! approve → uploads in every format, checked field by field.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn unit<'a>(units: &'a [Value], building: &str, room: &str) -> &'a Value {
    units
        .iter()
        .find(|u| u["building"] == building && u["room"] == room)
        .unwrap_or_else(|| panic!("unit {building}-{room} not stored"))
}

async fn all_units(app: &TestApp, key: &str, project: i64) -> Vec<Value> {
    let (status, body) = app
        .get(
            key,
            &format!("/api/v1/projects/{project}/units?per_page=100"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // numbers go in as numeric cells, as Excel stores them
            match cell.parse::<f64>() {
                Ok(n) if !cell.is_empty() => ws.write_number(r as u32, c as u16, n).unwrap(),
                _ => ws.write_string(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

mod uploads;
mod usage;
mod validation;
