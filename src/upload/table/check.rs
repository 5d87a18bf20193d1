//! Per-row validation of the cells a table reader produced.

use std::borrow::Cow;

use super::{RawRow, RowError};
use crate::domain::unit_fields::normalize_cell;

/// Validates the cells of one row, collecting every error; `ok` turns false on the first one.
pub struct RowCheck<'a> {
    pub raw: &'a RawRow,
    pub errors: &'a mut Vec<RowError>,
    pub ok: bool,
}

impl<'a> RowCheck<'a> {
    pub fn new(raw: &'a RawRow, errors: &'a mut Vec<RowError>) -> Self {
        RowCheck {
            raw,
            errors,
            ok: true,
        }
    }

    pub fn fail(&mut self, key: &str, message: String) {
        self.ok = false;
        self.errors
            .push(RowError::new(self.raw.row, Some(key), message));
    }

    /// Parses an optional number, code or word cell, folded first (full-width `１２０．５` reads
    /// as `120.5`); a parser's "must …" message is prefixed with the column and followed by the
    /// offending text as given, so the clerk can find it.
    pub fn parse<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.raw.get(key)?;
        match parse(&normalize_cell(text)) {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(key, format!("{key} {message}, got \"{}\"", shorten(text)));
                None
            }
        }
    }

    pub fn required<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.raw.get(key).is_none() {
            self.fail(key, format!("{key} is required"));
            return None;
        }
        self.parse(key, parse)
    }

    /// A free-text cell exactly as given (trimmed only), at most `max_chars` characters.
    pub fn text(&mut self, key: &str, max_chars: usize, required: bool) -> String {
        let Some(text) = self.raw.get(key) else {
            if required {
                self.fail(key, format!("{key} is required"));
            }
            return String::new();
        };
        let count = text.chars().count();
        if count > max_chars {
            self.fail(
                key,
                format!("{key} must be at most {max_chars} characters, got {count}"),
            );
        }
        text.to_owned()
    }

    /// A code cell (building, unit, room): folded like a number, so `１号楼` and `1号楼` are one
    /// building and a re-upload finds the units an earlier one stored.
    pub fn code(&mut self, key: &str, max_chars: usize, required: bool) -> String {
        let text = self.text(key, max_chars, required);
        normalize_cell(&text)
    }
}

/// A cell quoted in an error message, cut at 40 characters.
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(40) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
        None => Cow::Borrowed(text),
    }
}
