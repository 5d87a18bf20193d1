//! The values of a JSON upload that are not rows: a row's cells, read as text, and everything
//! else, skipped without being built, with the nesting-depth budget.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Stop;
use crate::domain::unit_fields::trim_cell;

/// Skips a value without building it, refusing nesting past `limit`; `depth` is the value's own.
#[derive(Clone, Copy)]
pub(super) struct Skip<'s> {
    pub depth: usize,
    pub limit: usize,
    pub stop: &'s Cell<Option<Stop>>,
}

impl<'s> Skip<'s> {
    /// What skips the children of this container; refuses a container past the limit.
    fn children<E: de::Error>(self) -> Result<Skip<'s>, E> {
        if self.depth > self.limit {
            self.stop.set(Some(Stop::Depth));
            return Err(E::custom("nested too deep"));
        }
        Ok(Skip {
            depth: self.depth + 1,
            ..self
        })
    }
}

impl<'de> DeserializeSeed<'de> for Skip<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let child = self.children()?;
        while seq.next_element_seed(child)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let child = self.children()?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(child)?;
        }
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A row's value: its text (numbers as JSON writes them), nothing for null, or a nested value
/// (skipped), which is an error.
pub(super) enum CellValue {
    Text(String),
    Null,
    Nested,
}

/// Reads a row's value; nested values are skipped with the depth budget.
pub(super) struct CellSeed<'s>(pub Skip<'s>);

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = CellValue;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<CellValue, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = CellValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("text or a number")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<CellValue, E> {
        Ok(CellValue::Text(trim_cell(s).to_owned()))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<CellValue, E> {
        Ok(CellValue::Text(n.to_string()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<CellValue, E> {
        Ok(CellValue::Text(n.to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<CellValue, E> {
        // as serde_json writes the number (`1e21`, not 22 digits)
        let text = serde_json::Number::from_f64(n).map_or_else(|| n.to_string(), |n| n.to_string());
        Ok(CellValue::Text(text))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<CellValue, E> {
        Ok(CellValue::Text(b.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<CellValue, E> {
        Ok(CellValue::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<CellValue, A::Error> {
        self.0.visit_seq(seq).map(|()| CellValue::Nested)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CellValue, A::Error> {
        self.0.visit_map(map).map(|()| CellValue::Nested)
    }
}
