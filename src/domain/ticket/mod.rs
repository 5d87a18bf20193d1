//! Housing-ticket (房票) arithmetic of the spec's "Ticket arithmetic", on exact integers: money in
//! whole yuan, percents as integers, `round` half up, products in i128.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::usage::Usage;
use super::zone::Zone;

#[cfg(test)]
mod tests;

pub const DAY_MS: i64 = 86_400_000;

/// e = floor((at − issued) / 86 400 s); None when at < issued
pub fn elapsed_days(issued_at_ms: i64, at_ms: i64) -> Option<i64> {
    (at_ms >= issued_at_ms).then(|| (at_ms - issued_at_ms) / DAY_MS)
}

/// valid until = issued + validity_days × 24 h
pub fn valid_until_ms(issued_at_ms: i64, validity_days: i64) -> i64 {
    issued_at_ms + validity_days * DAY_MS
}

/// round(amount × pct / 100) half-up, amount ≥ 0, pct ≥ 0
pub fn pct_of(amount_yuan: i64, pct: i64) -> i64 {
    debug_assert!(amount_yuan >= 0 && pct >= 0);
    ((i128::from(amount_yuan) * i128::from(pct) + 50) / 100) as i64
}

/// What one use of a ticket costs whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketQuote {
    /// taken from the ticket's balance
    pub debit_yuan: i64,
    /// added by the city on top of the debit
    pub bonus_yuan: i64,
    /// paid by the holder
    pub top_up_yuan: i64,
    pub bonus_pct: i64,
    pub balance_after_yuan: i64,
}

/// `d + round(d·r/100)`: what a debit of `d` buys. In i128 so that no balance can overflow it.
fn power_of(d: i64, r: i64) -> i128 {
    i128::from(d) + i128::from(pct_of(d, r))
}

/// steps 2–5 of the spec for a balance B > 0, a total price T ≥ 0 and a rate r ≥ 0.
/// The "smallest d with d + round(d·r/100) ≥ T" must be computed exactly (closed form
/// then adjust ±1..2 and verify, or a binary search — no floats).
pub fn quote(balance_yuan: i64, total_price_yuan: i64, bonus_pct: i64) -> TicketQuote {
    debug_assert!(balance_yuan >= 0 && total_price_yuan >= 0 && bonus_pct >= 0);
    let (b, t, r) = (balance_yuan, total_price_yuan, bonus_pct);
    if i128::from(t) <= power_of(b, r) {
        // `power_of` grows by at least 1 per yuan, so the smallest d is found by bisection
        // over [0, B], where power_of(B) ≥ T holds.
        let (mut lo, mut hi) = (0, b);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if power_of(mid, r) >= i128::from(t) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        TicketQuote {
            debit_yuan: lo,
            bonus_yuan: t - lo,
            top_up_yuan: 0,
            bonus_pct: r,
            balance_after_yuan: b - lo,
        }
    } else {
        let bonus = pct_of(b, r);
        TicketQuote {
            debit_yuan: b,
            bonus_yuan: bonus,
            top_up_yuan: t - b - bonus,
            bonus_pct: r,
            balance_after_yuan: 0,
        }
    }
}

/// Why a ticket cannot be spent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpendRefusal {
    Expired,
    Exhausted,
    NotYetIssued,
}

/// One step of the speed bonus: `bonus_pct` applies while at most `within_days` have elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeedTier {
    pub within_days: i64,
    pub bonus_pct: i64,
}

/// The ticket part of a policy version, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPolicy {
    /// `ticket_validity_days`
    pub validity_days: i64,
    /// `ticket_speed_tiers`, strictly increasing `within_days`
    pub speed_tiers: Vec<SpeedTier>,
    /// `ticket_zone_bonus_pct` for zones 1, 2, 3
    pub zone_bonus_pct: [i64; 3],
    pub transfers_allowed: i64,
    pub usages_allowed: Vec<Usage>,
    pub cash_out_bonus: bool,
    /// `ticket_open_selection`: a holder in no round may hold a unit
    pub open_selection: bool,
}

impl Default for TicketPolicy {
    /// The spec's defaults, after Taizhou Hailing's 20 / 16 / 12 % over 18 months.
    fn default() -> Self {
        TicketPolicy {
            validity_days: 540,
            speed_tiers: vec![
                SpeedTier {
                    within_days: 90,
                    bonus_pct: 20,
                },
                SpeedTier {
                    within_days: 180,
                    bonus_pct: 16,
                },
                SpeedTier {
                    within_days: 540,
                    bonus_pct: 12,
                },
            ],
            zone_bonus_pct: [0, 2, 4],
            transfers_allowed: 1,
            usages_allowed: Usage::ALL.to_vec(),
            cash_out_bonus: false,
            open_selection: true,
        }
    }
}

/// When the speed bonus next changes, and from what to what (the zone part does not change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextDrop {
    pub at_ms: i64,
    pub from_pct: i64,
    pub to_pct: i64,
}

impl TicketPolicy {
    /// first tier whose within_days ≥ e; none → 0
    pub fn tier_pct(&self, elapsed_days: i64) -> i64 {
        self.speed_tiers
            .iter()
            .find(|t| t.within_days >= elapsed_days)
            .map_or(0, |t| t.bonus_pct)
    }

    /// tier_pct(e) + zone_bonus_pct[zone]
    pub fn bonus_pct(&self, elapsed_days: i64, zone: Zone) -> i64 {
        // Zone::get is 1..=3 by construction
        self.tier_pct(elapsed_days) + self.zone_bonus_pct[(zone.get() - 1) as usize]
    }

    pub fn valid_until_ms(&self, issued_at_ms: i64) -> i64 {
        valid_until_ms(issued_at_ms, self.validity_days)
    }

    /// Step 1 of the spec, then the quote. A time before the issue is refused first (a clock
    /// or a caller is wrong, and nothing else can be judged); an expired ticket is refused as
    /// expired even when its balance is 0, since expiry is what the holder must act on.
    pub fn quote_at(
        &self,
        issued_at_ms: i64,
        balance_yuan: i64,
        at_ms: i64,
        zone: Zone,
        total_price_yuan: i64,
    ) -> Result<TicketQuote, SpendRefusal> {
        let e = elapsed_days(issued_at_ms, at_ms).ok_or(SpendRefusal::NotYetIssued)?;
        if at_ms >= self.valid_until_ms(issued_at_ms) {
            return Err(SpendRefusal::Expired);
        }
        if balance_yuan <= 0 {
            return Err(SpendRefusal::Exhausted);
        }
        Ok(quote(
            balance_yuan,
            total_price_yuan,
            self.bonus_pct(e, zone),
        ))
    }

    /// The next drop: the first instant at which e passes the current tier's within_days, i.e.
    /// issued + (within_days + 1) days, with the speed part before and after; None when the
    /// ticket is not yet issued, already past its tiers, or expires first. After the last tier the
    /// rate goes to 0, which is a drop when it comes before valid until. Boundaries at which the
    /// next tier has the same rate are passed over: nothing changes there for the holder.
    pub fn next_drop(&self, issued_at_ms: i64, at_ms: i64) -> Option<NextDrop> {
        let e = elapsed_days(issued_at_ms, at_ms)?;
        let valid_until = self.valid_until_ms(issued_at_ms);
        let from_pct = self.tier_pct(e);
        self.speed_tiers
            .iter()
            .filter(|t| t.within_days >= e)
            .map(|t| t.within_days + 1)
            .map(|day| (issued_at_ms + day * DAY_MS, self.tier_pct(day)))
            .take_while(|(at, _)| *at < valid_until)
            .find(|(_, to_pct)| *to_pct != from_pct)
            .map(|(at_ms, to_pct)| NextDrop {
                at_ms,
                from_pct,
                to_pct,
            })
    }
}
