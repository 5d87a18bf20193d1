//! JSON uploads: an array of objects, or an object holding such an array under a key.
//!
//! Read as a stream with serde visitors: each row object is handed on as soon as it is parsed,
//! and values that are neither text nor numbers are skipped without being built, so memory stays
//! near the body's size whatever the document's shape (`[0,0,…]` as `serde_json::Value` takes 16
//! times its text). Nesting past the depth budget is refused.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::budget::{Budgets, OverBudget};
use super::{match_header, missing_column, ColumnSpec, RawRow, RowError, Table, UploadError};
use crate::domain::unit_fields::normalize_cell;
use values::{CellSeed, CellValue, Skip};

mod values;

/// Why a visitor stopped the parser (a serde error carries only text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Stop {
    Depth,
    DuplicateKey,
}

pub(super) fn read_json(
    bytes: &[u8],
    json_key: &str,
    columns: &[ColumnSpec],
    budgets: &Budgets,
    table: &mut Table<'_>,
) -> Result<(), UploadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = Rows {
        json_key,
        columns,
        budgets,
        table,
        stop: Cell::new(None),
        row_depth: 2,
        elements: 0,
        keys: HashMap::new(),
        present: HashSet::new(),
        reported_unknown: HashSet::new(),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Top(&mut reader)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = parsed {
        return Err(match reader.stop.get() {
            Some(Stop::Depth) => {
                let limit = budgets.max_json_depth;
                UploadError::OverBudget(OverBudget::new("json_depth", limit, limit + 1))
            }
            Some(Stop::DuplicateKey) => {
                UploadError::MalformedJson(format!("the key \"{json_key}\" appears twice"))
            }
            // a visitor met a type it does not take: the document has the wrong shape
            None if e.classify() == serde_json::error::Category::Data => {
                UploadError::MalformedJson(format!(
                    "expected an array, or an object with a \"{json_key}\" array"
                ))
            }
            None => UploadError::MalformedJson(e.to_string()),
        });
    }
    if reader.elements > budgets.max_rows {
        return Err(UploadError::TooManyRows {
            rows: reader.elements,
            limit: budgets.max_rows,
        });
    }
    // A column no element carries is a header problem, reported once rather than per row.
    let mut missing: Vec<RowError> = columns
        .iter()
        .filter(|c| c.required && !reader.present.contains(c.key))
        .map(|c| RowError::new(1, Some(c.key), missing_column(c)))
        .collect();
    if reader.table.rows > 0 && !missing.is_empty() {
        missing.append(&mut reader.table.errors);
        return Err(UploadError::Rejected(missing));
    }
    Ok(())
}

/// The reading state: where rows go and what the header checks have seen.
struct Rows<'r, 't> {
    json_key: &'r str,
    columns: &'r [ColumnSpec],
    budgets: &'r Budgets,
    table: &'r mut Table<'t>,
    stop: Cell<Option<Stop>>,
    /// Nesting depth of the row objects (2 in a bare array, 3 under a key).
    row_depth: usize,
    /// Elements of the rows array seen so far, rows or not.
    elements: usize,
    keys: HashMap<String, Option<&'static str>>,
    present: HashSet<&'static str>,
    reported_unknown: HashSet<String>,
}

impl Rows<'_, '_> {
    fn skip(&self, depth: usize) -> Skip<'_> {
        Skip {
            depth,
            limit: self.budgets.max_json_depth,
            stop: &self.stop,
        }
    }

    fn read_rows<'de, A: SeqAccess<'de>>(&mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Element(self))?.is_some() {}
        Ok(())
    }

    /// One row object: every column it names, cells as text.
    fn read_row<'de, A: MapAccess<'de>>(&mut self, row: usize, mut map: A) -> Result<(), A::Error> {
        let mut cells = HashMap::with_capacity(self.columns.len());
        let mut named: Vec<(&'static str, String)> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(CellSeed(self.skip(self.row_depth + 1)))?;
            let key = match self.keys.get(name.as_str()) {
                Some(key) => *key,
                None => {
                    let key = match_header(&normalize_cell(&name), self.columns);
                    self.keys.insert(name.clone(), key);
                    key
                }
            };
            let errors = &mut self.table.errors;
            let Some(key) = key else {
                if self.reported_unknown.insert(name.clone()) {
                    let message = format!("unknown column \"{name}\"");
                    errors.push(RowError::new(row, Some(&name), message));
                }
                continue;
            };
            self.present.insert(key);
            if let Some((_, first)) = named.iter().find(|(k, _)| *k == key) {
                let message = format!("columns \"{first}\" and \"{name}\" both mean {key}");
                errors.push(RowError::new(row, Some(key), message));
            }
            named.push((key, name));
            match value {
                CellValue::Text(text) if !text.is_empty() => {
                    cells.insert(key, text);
                }
                CellValue::Text(_) | CellValue::Null => {}
                CellValue::Nested => {
                    let message = "value must be text or a number";
                    errors.push(RowError::new(row, Some(key), message));
                }
            }
        }
        if !cells.is_empty() {
            self.table.emit(RawRow { row, cells });
        }
        Ok(())
    }
}

/// The whole document: the rows array, or an object holding it under `json_key`.
struct Top<'a, 'r, 't>(&'a mut Rows<'r, 't>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "an array, or an object with a \"{}\" array",
            self.0.json_key
        )
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.0.read_rows(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let rows = self.0;
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != rows.json_key {
                map.next_value_seed(rows.skip(2))?;
                continue;
            }
            if found {
                rows.stop.set(Some(Stop::DuplicateKey));
                return Err(de::Error::custom("duplicate key"));
            }
            found = true;
            rows.row_depth = 3;
            map.next_value_seed(RowsArray(&mut *rows))?;
        }
        if !found {
            return Err(de::Error::custom("no rows array"));
        }
        Ok(())
    }
}

/// The value under `json_key`: must be the rows array.
struct RowsArray<'a, 'r, 't>(&'a mut Rows<'r, 't>);

impl<'de> DeserializeSeed<'de> for RowsArray<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowsArray<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.0.read_rows(seq)
    }
}

/// One element of the rows array: a row object, or something reported as not one.
struct Element<'a, 'r, 't>(&'a mut Rows<'r, 't>);

impl<'de> DeserializeSeed<'de> for Element<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let rows = self.0;
        rows.elements += 1;
        // past the limit the rest is only counted, so the message can say how many
        if rows.elements > rows.budgets.max_rows {
            return rows.skip(rows.row_depth).deserialize(d);
        }
        let row = rows.elements;
        d.deserialize_any(ElementVisitor { rows, row })
    }
}

struct ElementVisitor<'a, 'r, 't> {
    rows: &'a mut Rows<'r, 't>,
    row: usize,
}

impl ElementVisitor<'_, '_, '_> {
    fn not_a_row<E>(&mut self) -> Result<(), E> {
        let message = "row must be an object of column names and values";
        let error = RowError::new(self.row, None, message);
        self.rows.table.errors.push(error);
        Ok(())
    }
}

impl<'de> Visitor<'de> for ElementVisitor<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.rows.read_row(self.row, map)
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, seq: A) -> Result<(), A::Error> {
        self.not_a_row::<A::Error>()?;
        self.rows.skip(self.rows.row_depth).visit_seq(seq)
    }
    fn visit_bool<E: de::Error>(mut self, _: bool) -> Result<(), E> {
        self.not_a_row()
    }
    fn visit_i64<E: de::Error>(mut self, _: i64) -> Result<(), E> {
        self.not_a_row()
    }
    fn visit_u64<E: de::Error>(mut self, _: u64) -> Result<(), E> {
        self.not_a_row()
    }
    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        self.not_a_row()
    }
    fn visit_str<E: de::Error>(mut self, _: &str) -> Result<(), E> {
        self.not_a_row()
    }
    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.not_a_row()
    }
}
