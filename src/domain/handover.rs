//! The area difference at handover (交房 / 面积差, docs: spec "Handover and the area difference"):
//! who pays what when the measured area differs from the contracted one, and whether the household
//! may still rescind. Integers only: areas in hundredths of m², prices and money in whole yuan.

use chrono::{Days, NaiveDate};

use super::periods::{day_of, local_day};

/// Where the measured area falls against the contracted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub enum AreaCase {
    /// 100·|D| ≤ 3·A: the difference is paid or refunded at the unit price
    #[serde(rename = "within_3pct")]
    Within3Pct,
    /// M > A by more than 3 %: the household pays up to 3 %, the developer absorbs the rest
    #[serde(rename = "larger_beyond_3pct")]
    LargerBeyond3Pct,
    /// M < A by more than 3 %: the part beyond 3 % is refunded twice over
    #[serde(rename = "smaller_beyond_3pct")]
    SmallerBeyond3Pct,
}

impl AreaCase {
    pub const ALL: [AreaCase; 3] = [
        AreaCase::Within3Pct,
        AreaCase::LargerBeyond3Pct,
        AreaCase::SmallerBeyond3Pct,
    ];

    /// The stored and JSON form (the `handovers.area_case` CHECK lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            AreaCase::Within3Pct => "within_3pct",
            AreaCase::LargerBeyond3Pct => "larger_beyond_3pct",
            AreaCase::SmallerBeyond3Pct => "smaller_beyond_3pct",
        }
    }

    pub fn parse(s: &str) -> Option<AreaCase> {
        AreaCase::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The settlement of one handover, frozen on the reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaSettlement {
    pub contracted_centi: i64,
    pub measured_centi: i64,
    /// M − A
    pub difference_centi: i64,
    pub case: AreaCase,
    /// negative: refunded to the household (by the developer)
    pub household_pays_yuan: i64,
    /// case 2 only (the price of the area beyond +3 %), else 0
    pub developer_absorbs_yuan: i64,
    /// case 3 only, else 0: the second copy of the doubled part (see [`settle`])
    pub developer_penalty_yuan: i64,
    /// beyond ±3 %: the household may rescind (退房) within the policy's `rescind_days`
    pub may_rescind: bool,
}

/// hundredths of m² × yuan per m² over this = yuan
const CENTI: i128 = 100;

/// `n / d` rounded half-up on its magnitude, so a negative amount rounds like its positive twin
/// (round(-0.5) = -1); `d` > 0. Saturates at the ends of i64, which no accepted input reaches.
fn round_div(n: i128, d: i128) -> i64 {
    debug_assert!(d > 0);
    let magnitude = (2 * n.unsigned_abs() + d.unsigned_abs()) / (2 * d.unsigned_abs());
    let magnitude = i64::try_from(magnitude).unwrap_or(i64::MAX);
    if n < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// The spec's rules 1–3 for contracted area `A`, measured area `M` (both in hundredths of m²) and
/// price `P` per m²; `D` = M − A. Each amount is computed exactly in i128 and rounded once:
///
/// 1. within ±3 % (100·|D| ≤ 3·A): `household_pays = round(D × P)`;
/// 2. larger beyond 3 %: `household_pays = round(0.03 × A × P)`,
///    `developer_absorbs = round(D × P) − household_pays`;
/// 3. smaller beyond 3 %: `refund = round(0.03 × A × P) + 2 × round((|D| − 0.03 × A) × P)`,
///    `household_pays = −refund`.
///
/// In case 3 the developer pays the whole refund, and `developer_penalty_yuan` is the doubled
/// part's second copy, `round((|D| − 0.03 × A) × P)`: what it pays beyond handing back the price
/// of the missing area (so refund = round(0.03·A·P) + excess + penalty, each term shown once).
/// Because the spec rounds its two terms separately, the refund can fall one yuan short of
/// round(|D| × P) when the part beyond 3 % is worth less than half a yuan (tests show one).
///
/// Areas and prices are expected within what the routes accept (|A|, |M|, P ≤ 10¹²): i128 then
/// never overflows.
pub fn settle(
    contracted_centi: i64,
    measured_centi: i64,
    price_per_m2_yuan: i64,
) -> AreaSettlement {
    let a = i128::from(contracted_centi);
    let p = i128::from(price_per_m2_yuan);
    let d = i128::from(measured_centi) - a;
    // 0.03 × A × P in yuan = 3·A·P / (100 · 100) with A in hundredths
    let three_pct_yuan = || round_div(3 * a * p, 100 * CENTI);
    let within = 100 * d.abs() <= 3 * a;
    let (case, household_pays_yuan, developer_absorbs_yuan, developer_penalty_yuan) = if within {
        (AreaCase::Within3Pct, round_div(d * p, CENTI), 0, 0)
    } else if d > 0 {
        let pays = three_pct_yuan();
        let absorbs = round_div(d * p, CENTI).saturating_sub(pays);
        (AreaCase::LargerBeyond3Pct, pays, absorbs, 0)
    } else {
        // (|D| − 0.03·A) × P = (100·|D| − 3·A) · P / (100 · 100)
        let excess = round_div((100 * d.abs() - 3 * a) * p, 100 * CENTI);
        let refund = three_pct_yuan()
            .saturating_add(excess)
            .saturating_add(excess);
        (AreaCase::SmallerBeyond3Pct, -refund, 0, excess)
    };
    AreaSettlement {
        contracted_centi,
        measured_centi,
        difference_centi: i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX }),
        case,
        household_pays_yuan,
        developer_absorbs_yuan,
        developer_penalty_yuan,
        may_rescind: !within,
    }
}

/// The last local day (YYYYMMDD) on which a handover on `handover_day` may be rescinded:
/// `handover_day + rescind_days`. `None` for an invalid day or a negative count.
pub fn rescind_deadline_day(handover_day: i32, rescind_days: i64) -> Option<i32> {
    let day = NaiveDate::from_ymd_opt(
        handover_day / 10_000,
        u32::try_from(handover_day / 100 % 100).ok()?,
        u32::try_from(handover_day % 100).ok()?,
    )?;
    let last = day.checked_add_days(Days::new(u64::try_from(rescind_days).ok()?))?;
    Some(day_of(last))
}

/// May a rescission be filed at `now_ms` for a handover on local date `handover_day` (YYYYMMDD,
/// Asia/Shanghai) with the policy's `rescind_days`? Only beyond ±3 %, and only until the end of
/// local day `handover_day + rescind_days` — the deadline is inclusive: a handover on 1 March
/// with 30 days may be rescinded through 31 March 23:59:59.999 (+08:00), as "within 30 days" is
/// read in the hall. The window has no start: a settlement exists only once the measured area is
/// filed, and a household that learns of a shortfall before the keys change hands need not wait
/// for the handover date to rescind. An invalid day or a negative count fails closed (false).
pub fn may_rescind(s: &AreaSettlement, handover_day: i32, rescind_days: i64, now_ms: i64) -> bool {
    s.may_rescind
        && rescind_deadline_day(handover_day, rescind_days)
            .is_some_and(|last| local_day(now_ms) <= last)
}

/// A measured area in m² as a JSON number (at most two decimals, more than 0, at most 10 000 m²)
/// in hundredths of m².
pub fn parse_measured_area(m2: f64) -> Result<i64, String> {
    let scaled = m2 * 100.0;
    let rounded = scaled.round();
    if !m2.is_finite() || (scaled - rounded).abs() > 1e-6 {
        return Err("must be a number of m² with at most two decimals".into());
    }
    if rounded <= 0.0 || rounded > 1_000_000.0 {
        return Err("must be more than 0 and at most 10000.00 m²".into());
    }
    Ok(rounded as i64)
}

/// Whether a measured area is plausible for a contracted one: within half to twice of it (a
/// typing mistake, such as 1020.00 for 102.00, is refused rather than settled).
pub fn plausible(contracted_centi: i64, measured_centi: i64) -> bool {
    2 * measured_centi >= contracted_centi && measured_centi <= 2 * contracted_centi
}

#[cfg(test)]
mod tests;
