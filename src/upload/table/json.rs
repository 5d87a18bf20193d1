//! JSON uploads: an array of objects, or an object holding such an array under a key.

use std::collections::{HashMap, HashSet};

use super::{match_header, missing_column, ColumnSpec, RawRow, RowError, Table, UploadError};
use crate::domain::unit_fields::{normalize_cell, trim_cell};

pub(super) fn read_json(
    bytes: &[u8],
    json_key: &str,
    columns: &[ColumnSpec],
    max_rows: usize,
    table: &mut Table<'_>,
) -> Result<(), UploadError> {
    use serde_json::Value;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| UploadError::MalformedJson(e.to_string()))?;
    let shape = || {
        UploadError::MalformedJson(format!(
            "expected an array, or an object with a \"{json_key}\" array"
        ))
    };
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut object) => match object.remove(json_key) {
            Some(Value::Array(items)) => items,
            _ => return Err(shape()),
        },
        _ => return Err(shape()),
    };
    if items.len() > max_rows {
        return Err(UploadError::TooManyRows {
            rows: items.len(),
            limit: max_rows,
        });
    }
    let mut keys: HashMap<String, Option<&'static str>> = HashMap::new();
    let mut present: HashSet<&'static str> = HashSet::new();
    let mut reported_unknown: HashSet<String> = HashSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let row = i + 1;
        let Value::Object(object) = item else {
            table.errors.push(RowError::new(
                row,
                None,
                "row must be an object of column names and values",
            ));
            continue;
        };
        let mut cells = HashMap::with_capacity(columns.len());
        let mut named: Vec<(&'static str, &str)> = Vec::with_capacity(object.len());
        for (name, value) in &object {
            let key = match keys.get(name.as_str()) {
                Some(key) => *key,
                None => {
                    let key = match_header(&normalize_cell(name), columns);
                    keys.insert(name.clone(), key);
                    key
                }
            };
            let Some(key) = key else {
                if reported_unknown.insert(name.clone()) {
                    let message = format!("unknown column \"{name}\"");
                    table.errors.push(RowError::new(row, Some(name), message));
                }
                continue;
            };
            present.insert(key);
            if let Some((_, first)) = named.iter().find(|(k, _)| *k == key) {
                let message = format!("columns \"{first}\" and \"{name}\" both mean {key}");
                table.errors.push(RowError::new(row, Some(key), message));
            }
            named.push((key, name));
            let text = match value {
                Value::Null => continue,
                Value::String(s) => trim_cell(s).to_owned(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    let message = "value must be text or a number";
                    table.errors.push(RowError::new(row, Some(key), message));
                    continue;
                }
            };
            if !text.is_empty() {
                cells.insert(key, text);
            }
        }
        if !cells.is_empty() {
            table.emit(RawRow { row, cells });
        }
    }
    // A column no element carries is a header problem, reported once rather than per row.
    let mut missing: Vec<RowError> = columns
        .iter()
        .filter(|c| c.required && !present.contains(c.key))
        .map(|c| RowError::new(1, Some(c.key), missing_column(c)))
        .collect();
    if table.rows > 0 && !missing.is_empty() {
        missing.append(&mut table.errors);
        return Err(UploadError::Rejected(missing));
    }
    Ok(())
}
