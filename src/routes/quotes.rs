//! The response shapes of a quote and of a unit's fit, shared by the kiosk and the holds.

use serde::Serialize;
use utoipa::ToSchema;

use super::area_m2;
use crate::db::selection::HoldQuote;
use crate::domain::entitlement::Quote;
use crate::domain::matching::Fit;
use crate::domain::ticket::TicketQuote;

/// A quote in docs/api.md's units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteOut {
    pub entitled_area_m2: f64,
    pub covered_area_m2: f64,
    pub origin_area_consumed_m2: f64,
    pub gov_pays_yuan: i64,
    pub top_up_yuan: i64,
    pub reward_yuan: i64,
}

impl From<Quote> for QuoteOut {
    fn from(q: Quote) -> Self {
        QuoteOut {
            entitled_area_m2: area_m2(q.entitled_centi),
            covered_area_m2: area_m2(q.covered_centi),
            origin_area_consumed_m2: area_m2(q.origin_consumed_centi),
            gov_pays_yuan: q.gov_pays_yuan,
            top_up_yuan: q.top_up_yuan,
            reward_yuan: q.reward_yuan,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FitOut {
    /// `fully_covered` or `top_up`
    pub kind: String,
    pub unused_entitlement_m2: f64,
    pub over_entitlement_m2: f64,
    /// one line in plain Chinese, e.g. `超出可安置面积 4.00 m²，需补差价 36000 元`
    pub summary: String,
}

impl From<Fit> for FitOut {
    fn from(f: Fit) -> Self {
        FitOut {
            kind: f.kind.to_string(),
            unused_entitlement_m2: area_m2(f.unused_entitlement_centi),
            over_entitlement_m2: area_m2(f.over_entitlement_centi),
            summary: f.summary,
        }
    }
}

/// What a housing ticket would pay for a unit (docs/tickets.md): the debit from the balance, the
/// city's bonus, the holder's top-up, the bonus rate (integer percent) and the balance after.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketQuoteOut {
    pub debit_yuan: i64,
    pub bonus_yuan: i64,
    pub top_up_yuan: i64,
    pub bonus_pct: i64,
    pub balance_after_yuan: i64,
}

impl From<TicketQuote> for TicketQuoteOut {
    fn from(q: TicketQuote) -> Self {
        TicketQuoteOut {
            debit_yuan: q.debit_yuan,
            bonus_yuan: q.bonus_yuan,
            top_up_yuan: q.top_up_yuan,
            bonus_pct: q.bonus_pct,
            balance_after_yuan: q.balance_after_yuan,
        }
    }
}

/// A quote in area terms for a household, in ticket terms for a ticket holder.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnyQuote {
    Area(QuoteOut),
    Ticket(TicketQuoteOut),
}

impl From<HoldQuote> for AnyQuote {
    fn from(q: HoldQuote) -> Self {
        match q {
            HoldQuote::Area(q) => AnyQuote::Area(q.into()),
            HoldQuote::Ticket(q) => AnyQuote::Ticket(q.into()),
        }
    }
}

impl From<Quote> for AnyQuote {
    fn from(q: Quote) -> Self {
        AnyQuote::Area(q.into())
    }
}

/// A ticket quote's fit, in the shape of an area fit: fully covered or with a top-up.
pub fn ticket_fit(q: &TicketQuote) -> FitOut {
    let (kind, summary) = if q.top_up_yuan == 0 {
        (
            "fully_covered",
            format!(
                "房票抵扣 {} 元，奖励 {} 元（{}%），无需补差价",
                q.debit_yuan, q.bonus_yuan, q.bonus_pct
            ),
        )
    } else {
        (
            "top_up",
            format!(
                "房票抵扣 {} 元，奖励 {} 元（{}%），需补差价 {} 元",
                q.debit_yuan, q.bonus_yuan, q.bonus_pct, q.top_up_yuan
            ),
        )
    };
    FitOut {
        kind: kind.to_string(),
        unused_entitlement_m2: 0.0,
        over_entitlement_m2: 0.0,
        summary,
    }
}
