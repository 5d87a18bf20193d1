//! Cell parsers (layout, usage with layout, area, money, floor, orientation, decoration), folding
//! and trimming.

mod labels;
mod layout;
mod numbers;
#[cfg(test)]
mod tests;
mod usage_layout;

pub use labels::{parse_orientation, Decoration, ListedStatus};
pub use layout::Layout;
pub use numbers::{
    area_in_range, centi_text, check_total, parse_area_centi, parse_floor, parse_yuan,
    total_from_area_price,
};
pub use usage_layout::UsageLayout;

/// Folds a header, number or code cell: full-width ASCII (U+FF01–FF5E) becomes ASCII, the
/// ideographic space and NBSP become spaces, zero-width characters and stray BOMs vanish, then
/// it is trimmed. Free text never goes through this: it keeps every character (see [`trim_cell`]).
pub fn normalize_cell(s: &str) -> String {
    if s.is_ascii() {
        return s.trim().to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{FF01}'..='\u{FF5E}' => {
                out.push(char::from_u32(c as u32 - 0xFEE0).expect("maps into ascii"))
            }
            '\u{3000}' | '\u{00A0}' => out.push(' '),
            '\u{200B}' | '\u{FEFF}' => {}
            _ => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

/// A text cell as given, without the blank around it: leading and trailing whitespace (the
/// ideographic space and NBSP included), zero-width spaces and stray BOMs go; every character
/// inside stays, full-width punctuation, emoji and supplementary-plane CJK included.
pub fn trim_cell(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}'))
}
