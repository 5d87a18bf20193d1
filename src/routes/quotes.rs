//! The response shapes of a quote and of a unit's fit, shared by the kiosk and the holds.

use serde::Serialize;
use utoipa::ToSchema;

use super::area_m2;
use crate::domain::entitlement::Quote;
use crate::domain::matching::Fit;

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
