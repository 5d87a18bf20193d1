//! Reporting periods in Asia/Shanghai local dates: 旬 (days 1–10, 11–20, 21–end), month, quarter
//! and year. A date is kept as the integer YYYYMMDD, so every period key is integer arithmetic
//! that SQLite and PostgreSQL compute alike.

use chrono::{Datelike, NaiveDate};

use super::household::shanghai;

/// The local date (YYYYMMDD) of an instant.
pub fn local_day(ms: i64) -> i32 {
    let d = chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&shanghai())
        .date_naive();
    day_of(d)
}

pub fn day_of(d: NaiveDate) -> i32 {
    d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32
}

/// `YYYY-MM-DD` → YYYYMMDD.
pub fn parse_day(s: &str) -> Option<i32> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .map(day_of)
}

/// `YYYY-MM` → (first day, last day) as YYYYMMDD.
pub fn parse_month(s: &str) -> Option<(i32, i32)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()?;
    Some(month_bounds(first))
}

fn month_bounds(first: NaiveDate) -> (i32, i32) {
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("dates in range");
    (
        day_of(first),
        day_of(next.pred_opt().expect("dates in range")),
    )
}

/// The month before the one starting on `first` (YYYYMM01).
pub fn previous_month(first_day: i32) -> (i32, i32) {
    let d = NaiveDate::from_ymd_opt(first_day / 10_000, (first_day / 100 % 100) as u32, 1)
        .expect("a valid first day");
    month_bounds(
        d.checked_sub_months(chrono::Months::new(1))
            .expect("dates in range"),
    )
}

/// The first day of the 旬 of a YYYYMMDD `{day}` column, as SQL (the same text as the migration's
/// triggers use).
pub const XUN_START_SQL: &str = "(({day} / 100) * 100 + CASE WHEN {day} % 100 <= 10 THEN 1 \
     WHEN {day} % 100 <= 20 THEN 11 ELSE 21 END)";

fn date(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(day / 10_000, (day / 100 % 100) as u32, (day % 100) as u32)
}

/// The first day of the 旬 of `day`.
pub fn xun_start(day: i32) -> i32 {
    let d = day % 100;
    (day / 100) * 100
        + if d <= 10 {
            1
        } else if d <= 20 {
            11
        } else {
            21
        }
}

/// The day before `day` (both YYYYMMDD); 0 stays 0.
pub fn day_before(day: i32) -> i32 {
    date(day)
        .and_then(|d| d.pred_opt())
        .map(day_of)
        .unwrap_or(0)
}

/// Days `from..=to` split into whole 旬 (by their first days, inclusive) and the days left over
/// at either end, so a sum over the range can read per-旬 totals for most of it. `from` below
/// year 1000 means "from the start".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XunSplit {
    pub xuns: Option<(i32, i32)>,
    pub days: Vec<(i32, i32)>,
}

pub fn split_by_xun(from: i32, to: i32) -> XunSplit {
    // before 1000-01-01: "from the start"
    let open_start = from < 10_000_101;
    if date(to).is_none() || from > to {
        return XunSplit {
            xuns: None,
            days: Vec::new(),
        };
    }
    // the first whole 旬 starts on `from` or on the first day of the next 旬
    let first_full = if open_start {
        0
    } else if xun_start(from) == from {
        from
    } else {
        let last = Period::Xun.last_day(Period::Xun.key(from));
        date(last)
            .and_then(|d| d.succ_opt())
            .map(day_of)
            .expect("dates in range")
    };
    // the last whole 旬 ends on `to` or on the day before `to`'s 旬 starts
    let last_full_end = if Period::Xun.last_day(Period::Xun.key(to)) == to {
        to
    } else {
        day_before(xun_start(to))
    };
    if first_full > last_full_end {
        return XunSplit {
            xuns: None,
            days: vec![(from, to)],
        };
    }
    let mut days = Vec::new();
    if !open_start && from < first_full {
        days.push((from, day_before(first_full)));
    }
    if last_full_end < to {
        days.push((xun_start(to), to));
    }
    XunSplit {
        xuns: Some((first_full, xun_start(last_full_end))),
        days,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Xun,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "xun" => Some(Period::Xun),
            "month" => Some(Period::Month),
            "quarter" => Some(Period::Quarter),
            "year" => Some(Period::Year),
            _ => None,
        }
    }

    /// The period key of a YYYYMMDD day column, as SQL both backends evaluate the same way:
    /// xun YYYYMMn (n = 1, 2, 3), month YYYYMM, quarter YYYYq, year YYYY.
    pub fn sql_key(self, day: &str) -> String {
        match self {
            Period::Xun => format!(
                "(({day} / 100) * 10 + CASE WHEN {day} % 100 <= 10 THEN 1 WHEN {day} % 100 <= 20 THEN 2 ELSE 3 END)"
            ),
            Period::Month => format!("({day} / 100)"),
            Period::Quarter => format!("(({day} / 10000) * 10 + (({day} / 100) % 100 - 1) / 3 + 1)"),
            Period::Year => format!("({day} / 10000)"),
        }
    }

    /// The same key computed in Rust (tests and bucketing).
    pub fn key(self, day: i32) -> i64 {
        let day = i64::from(day);
        match self {
            Period::Xun => {
                let d = day % 100;
                (day / 100) * 10
                    + if d <= 10 {
                        1
                    } else if d <= 20 {
                        2
                    } else {
                        3
                    }
            }
            Period::Month => day / 100,
            Period::Quarter => (day / 10_000) * 10 + ((day / 100) % 100 - 1) / 3 + 1,
            Period::Year => day / 10_000,
        }
    }

    /// A key as people read it: `2026-03 上旬`, `2026-03`, `2026-Q1`, `2026`.
    pub fn label(self, key: i64) -> String {
        match self {
            Period::Xun => {
                let xun = ["上旬", "中旬", "下旬"][((key % 10).clamp(1, 3) - 1) as usize];
                format!("{}-{:02} {xun}", key / 1_000, key / 10 % 100)
            }
            Period::Month => format!("{}-{:02}", key / 100, key % 100),
            Period::Quarter => format!("{}-Q{}", key / 10, key % 10),
            Period::Year => key.to_string(),
        }
    }

    /// The key of the period after `key`.
    pub fn next_key(self, key: i64) -> i64 {
        let last = self.last_day(key);
        let d = NaiveDate::from_ymd_opt(
            last / 10_000,
            (last / 100 % 100) as u32,
            (last % 100) as u32,
        )
        .and_then(|d| d.succ_opt())
        .expect("dates in range");
        self.key(day_of(d))
    }

    /// The last day (YYYYMMDD) of the period `key`.
    pub fn last_day(self, key: i64) -> i32 {
        let (year, month) = match self {
            Period::Xun | Period::Month => {
                let ym = if self == Period::Xun { key / 10 } else { key };
                (ym / 100, ym % 100)
            }
            Period::Quarter => (key / 10, (key % 10) * 3),
            Period::Year => (key, 12),
        };
        let first = NaiveDate::from_ymd_opt(year as i32, month as u32, 1).expect("valid period");
        let (_, last) = month_bounds(first);
        match self {
            Period::Xun if key % 10 == 1 => (last / 100) * 100 + 10,
            Period::Xun if key % 10 == 2 => (last / 100) * 100 + 20,
            _ => last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_days_are_shanghai_dates() {
        // 2026-03-10 16:00 UTC is already the 11th in Shanghai
        let ms = chrono::DateTime::parse_from_rfc3339("2026-03-10T16:00:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(local_day(ms), 20260311);
        assert_eq!(local_day(ms - 1), 20260310);
    }

    #[test]
    fn xun_boundaries_fall_on_the_10th_20th_and_month_end() {
        let p = Period::Xun;
        assert_eq!((p.key(20260310), p.key(20260311)), (2026031, 2026032));
        assert_eq!((p.key(20260320), p.key(20260321)), (2026032, 2026033));
        assert_eq!((p.key(20260228), p.key(20260301)), (2026023, 2026031));
        assert_eq!(p.label(2026023), "2026-02 下旬");
        assert_eq!(p.last_day(2026023), 20260228, "February 2026 has 28 days");
        assert_eq!(p.last_day(2028023), 20280229, "2028 is a leap year");
        assert_eq!(p.last_day(2026031), 20260310);
        assert_eq!(p.last_day(2026032), 20260320);
        assert_eq!(Period::Quarter.key(20260331), 20261);
        assert_eq!(Period::Quarter.key(20260401), 20262);
        assert_eq!(Period::Quarter.label(20264), "2026-Q4");
        assert_eq!(Period::Quarter.last_day(20261), 20260331);
        assert_eq!(Period::Month.last_day(202602), 20260228);
        assert_eq!(Period::Year.key(20261231), 2026);
        assert_eq!(parse_month("2026-02"), Some((20260201, 20260228)));
        assert_eq!(previous_month(20260301), (20260201, 20260228));
        assert_eq!(previous_month(20260101), (20251201, 20251231));
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(Period::Xun.next_key(2026023), 2026031);
        assert_eq!(Period::Xun.next_key(2026031), 2026032);
        assert_eq!(Period::Month.next_key(202612), 202701);
        assert_eq!(Period::Quarter.next_key(20264), 20271);
    }

    #[test]
    fn ranges_split_into_whole_xun_and_the_days_left_over() {
        let split = |from, to| {
            let s = split_by_xun(from, to);
            (s.xuns, s.days)
        };
        // whole months are whole 旬
        assert_eq!(
            split(20260201, 20260331),
            (Some((20260201, 20260321)), vec![])
        );
        // ragged ends on both sides
        assert_eq!(
            split(20260205, 20260315),
            (
                Some((20260211, 20260301)),
                vec![(20260205, 20260210), (20260311, 20260315)]
            )
        );
        // February's last 旬 ends on the 28th (2026) and 29th (2028)
        assert_eq!(
            split(20260222, 20260228),
            (None, vec![(20260222, 20260228)])
        );
        assert_eq!(
            split(20260221, 20260228),
            (Some((20260221, 20260221)), vec![])
        );
        assert_eq!(
            split(20280221, 20280229),
            (Some((20280221, 20280221)), vec![])
        );
        assert_eq!(
            split(20280221, 20280228),
            (None, vec![(20280221, 20280228)])
        );
        // within one 旬, and the 10th/11th and 20th/21st boundaries
        assert_eq!(
            split(20260303, 20260307),
            (None, vec![(20260303, 20260307)])
        );
        assert_eq!(
            split(20260310, 20260311),
            (None, vec![(20260310, 20260311)])
        );
        assert_eq!(
            split(20260311, 20260320),
            (Some((20260311, 20260311)), vec![])
        );
        assert_eq!(
            split(20260309, 20260321),
            (
                Some((20260311, 20260311)),
                vec![(20260309, 20260310), (20260321, 20260321)]
            )
        );
        // from the start, up to a day
        assert_eq!(
            split(0, 20260315),
            (Some((0, 20260301)), vec![(20260311, 20260315)])
        );
        assert_eq!(split(0, 0), (None, vec![]));
        assert_eq!(split(20260316, 20260315), (None, vec![]));
        assert_eq!(day_before(20260301), 20260228);
        assert_eq!(day_before(20280301), 20280229);
    }

    /// Every day of a range is counted exactly once, whichever way it is split.
    #[test]
    fn a_split_covers_each_day_of_the_range_once() {
        let first = NaiveDate::from_ymd_opt(2027, 12, 20).expect("date");
        let days: Vec<i32> = (0..80)
            .map(|i| day_of(first + chrono::Days::new(i)))
            .collect();
        for (i, &from) in days.iter().enumerate() {
            for &to in &days[i..] {
                let s = split_by_xun(from, to);
                for &d in &days {
                    let by_xun = s
                        .xuns
                        .map(|(a, b)| (a..=b).contains(&xun_start(d)))
                        .unwrap_or(false);
                    let by_day = s
                        .days
                        .iter()
                        .filter(|(a, b)| (*a..=*b).contains(&d))
                        .count();
                    let want = usize::from(from <= d && d <= to);
                    assert_eq!(usize::from(by_xun) + by_day, want, "{from}..{to} day {d}");
                }
            }
        }
    }
}
