//! Data fidelity: text comes back byte for byte through every upload format and the JSON
//! routes, a bathroom count nobody gave stays unknown, every bad row is named in one answer
//! (format errors and conflicts with stored rows together), and the migration that made the
//! bathroom count nullable keeps what was stored.

use reqwest::StatusCode;
use serde_json::{json, Map, Value};

use crate::helpers::*;

/// Full-width punctuation, an emoji and a supplementary-plane ideograph (U+2003E).
pub const TEXT: &str = "阳光花园（二期），南向！？：；😀𠀾";

/// The encodings a table may arrive in.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    CsvUtf8,
    CsvGb18030,
    Xlsx,
    Json,
}

pub const FORMATS: [Format; 4] = [
    Format::CsvUtf8,
    Format::CsvGb18030,
    Format::Xlsx,
    Format::Json,
];

/// (content type, body) of a table of text cells in `format`; JSON wraps it under `key`.
pub fn table(
    format: Format,
    key: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> (&'static str, Vec<u8>) {
    let csv = || {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header).unwrap();
        for row in rows {
            w.write_record(row).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    match format {
        Format::CsvUtf8 => ("text/csv", csv().into_bytes()),
        Format::CsvGb18030 => {
            // GB18030 covers all of Unicode: emoji and U+2003E take four bytes each
            let text = csv();
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
            assert!(!unmappable, "GB18030 encodes every character");
            assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
            ("text/csv", bytes.into_owned())
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (r, cells) in std::iter::once(header.iter().map(|h| h.to_string()).collect())
                .chain(rows.iter().cloned())
                .enumerate()
            {
                let cells: Vec<String> = cells;
                for (c, cell) in cells.iter().enumerate() {
                    sheet.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                book.save_to_buffer().unwrap(),
            )
        }
        Format::Json => {
            let items: Vec<Value> = rows
                .iter()
                .map(|row| {
                    let object: Map<String, Value> = header
                        .iter()
                        .zip(row)
                        .filter(|(_, cell)| !cell.is_empty())
                        .map(|(h, cell)| (h.to_string(), json!(cell)))
                        .collect();
                    Value::Object(object)
                })
                .collect();
            (
                "application/json",
                serde_json::to_vec(&json!({ key: items })).unwrap(),
            )
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl TestApp {
    /// `POST /projects/{id}/units/import?mode={mode}`.
    pub async fn upload_mode(
        &self,
        token: &str,
        project_id: i64,
        mode: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(&format!(
                "/api/v1/projects/{project_id}/units/import?mode={mode}"
            )))
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        into_json(res).await
    }
}

/// `(row, field)` of every reported row of an `upload_rejected` answer.
pub fn rejected_rows(details: &Value) -> Vec<(u64, String)> {
    details["rows"]
        .as_array()
        .expect("details.rows")
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

mod every_bad_row;
mod migration;
mod round_trip;
