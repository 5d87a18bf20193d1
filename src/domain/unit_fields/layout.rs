//! The layout cell: rooms, halls and bathrooms (3室2厅2卫).

use std::fmt;

/// A flat's layout: rooms (室), living rooms (厅) and bathrooms (卫). The bathroom count is
/// unknown (`None`) when the layout does not name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    rooms: u8,
    halls: u8,
    baths: Option<u8>,
}

impl Layout {
    /// Builds a layout from stored counts: rooms 1–20, halls 0–10, baths 0–10 or unknown.
    pub fn new(rooms: u8, halls: u8, baths: Option<u8>) -> Result<Layout, String> {
        if !(1..=20).contains(&rooms) {
            return Err("must have from 1 to 20 rooms".to_owned());
        }
        if halls > 10 {
            return Err("must have at most 10 halls".to_owned());
        }
        if baths.is_some_and(|b| b > 10) {
            return Err("must have at most 10 bathrooms".to_owned());
        }
        Ok(Layout {
            rooms,
            halls,
            baths,
        })
    }

    /// Parses `3室2厅2卫`, `两室一厅一卫`, `3房2厅`, `1室`. 室 (or 房) is required; a missing
    /// 厅 means none (a studio says `1室`); a missing 卫 leaves the bathroom count unknown,
    /// because nobody stated it.
    pub fn parse(s: &str) -> Result<Layout, String> {
        const SHAPE: &str = "must look like 3室2厅2卫";
        let mut chars = s.chars().filter(|c| !c.is_whitespace()).peekable();
        let (mut rooms, mut halls, mut baths) = (None, None, None);
        while chars.peek().is_some() {
            let n = take_number(&mut chars).ok_or(SHAPE)?;
            let slot = match chars.next() {
                Some('室' | '房') if rooms.is_none() => &mut rooms,
                Some('厅') if rooms.is_some() && halls.is_none() && baths.is_none() => &mut halls,
                Some('卫') if rooms.is_some() && baths.is_none() => &mut baths,
                _ => return Err(SHAPE.to_owned()),
            };
            *slot = Some(n);
        }
        let rooms = rooms.ok_or(SHAPE)?;
        let small = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
        Layout::new(small(rooms), small(halls.unwrap_or(0)), baths.map(small))
    }

    pub fn rooms(&self) -> u8 {
        self.rooms
    }
    pub fn halls(&self) -> u8 {
        self.halls
    }
    /// The number of bathrooms, `None` when the layout did not say.
    pub fn baths(&self) -> Option<u8> {
        self.baths
    }

    /// Canonical text, e.g. "3室2厅2卫", or "3室2厅" when the bathrooms are unknown.
    pub fn text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}室{}厅", self.rooms, self.halls)?;
        match self.baths {
            Some(baths) => write!(f, "{baths}卫"),
            None => Ok(()),
        }
    }
}

/// Reads an Arabic number (up to 3 digits) or a Chinese one up to 九十九 (一, 十, 十二, 二十一).
fn take_number(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) -> Option<u32> {
    let zh_digit = |c: char| match c {
        '零' | '〇' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    let first = *chars.peek()?;
    if first.is_ascii_digit() {
        let mut n = 0u32;
        let mut len = 0;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            chars.next();
            len += 1;
            if len > 3 {
                return None;
            }
            n = n * 10 + d;
        }
        return Some(n);
    }
    let tens = if first == '十' {
        1
    } else {
        let d = zh_digit(first)?;
        chars.next();
        if chars.peek() != Some(&'十') {
            return Some(d);
        }
        d
    };
    chars.next(); // the 十
    let ones = chars.peek().and_then(|c| zh_digit(*c));
    if ones.is_some() {
        chars.next();
    }
    Some(tens * 10 + ones.unwrap_or(0))
}
