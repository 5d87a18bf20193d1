//! Personalised matches: the order in which a household's candidate units are shown, and the
//! short explanation of each one's fit. The rule (docs/selection.md, "Matches"):
//!
//! 1. units the entitlement covers fully (area ≤ entitled area, no top-up) come first, the one whose area is closest
//!    to the entitled area in its zone first (least entitlement left unused);
//! 2. then units that need a top-up, the smallest top-up first;
//! 3. ties: the larger relocation reward, then the lower price per m², then the lower unit id.

use std::cmp::Ordering;

use super::entitlement::{Quote, UnitTerms};
use super::unit_fields::centi_text;

/// How a unit fits a household's entitlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// `fully_covered` or `top_up`
    pub kind: &'static str,
    /// Entitled area the unit leaves unused (fully covered units), in hundredths of m².
    pub unused_entitlement_centi: i64,
    /// Area beyond the entitlement, paid by the household, in hundredths of m².
    pub over_entitlement_centi: i64,
    /// One line in plain Chinese for the kiosk.
    pub summary: String,
}

/// The fit of one quoted unit.
pub fn fit(quote: &Quote, unit: &UnitTerms) -> Fit {
    let over = unit.area_centi - quote.covered_centi;
    let unused = quote.entitled_centi - quote.covered_centi;
    let fully_covered = over == 0;
    let mut summary = if fully_covered {
        if unused == 0 {
            "全额抵扣，正好用完可安置面积".to_string()
        } else {
            format!("全额抵扣，可安置面积尚余 {} m²", centi_text(unused))
        }
    } else {
        format!(
            "超出可安置面积 {} m²，需补差价 {} 元",
            centi_text(over),
            quote.top_up_yuan
        )
    };
    if quote.reward_yuan > 0 {
        summary.push_str(&format!("；异地安置奖励 {} 元", quote.reward_yuan));
    }
    Fit {
        kind: if fully_covered {
            "fully_covered"
        } else {
            "top_up"
        },
        unused_entitlement_centi: if fully_covered { unused } else { 0 },
        over_entitlement_centi: over,
        summary,
    }
}

/// A candidate with what ranking needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub unit_id: i64,
    pub terms: UnitTerms,
    pub quote: Quote,
}

impl Ranked {
    /// The entitlement covers the whole area (a unit a hundredth of a m² over is not covered,
    /// even when its top-up rounds to 0 yuan).
    pub fn fully_covered(&self) -> bool {
        self.quote.covered_centi == self.terms.area_centi
    }

    /// The uncovered value before rounding (centi-m² × yuan/m²), so ties in the rounded top-up
    /// still order the same way as the database's `ORDER BY`.
    fn uncovered_value(&self) -> i128 {
        i128::from(self.terms.area_centi - self.quote.covered_centi)
            * i128::from(self.terms.price_per_m2_yuan)
    }
}

/// The order of the rule above.
pub fn compare(a: &Ranked, b: &Ranked) -> Ordering {
    let tier = |r: &Ranked| !r.fully_covered();
    tier(a)
        .cmp(&tier(b))
        .then_with(|| {
            if a.fully_covered() {
                let unused = |r: &Ranked| r.quote.entitled_centi - r.quote.covered_centi;
                unused(a).cmp(&unused(b))
            } else {
                a.uncovered_value().cmp(&b.uncovered_value())
            }
        })
        .then_with(|| b.quote.reward_yuan.cmp(&a.quote.reward_yuan))
        .then_with(|| a.terms.price_per_m2_yuan.cmp(&b.terms.price_per_m2_yuan))
        .then_with(|| a.unit_id.cmp(&b.unit_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entitlement::{quote, Entitlement};
    use crate::domain::policy::{Policy, Zone};

    fn ranked(id: i64, zone: i64, area: i64, price: i64) -> Ranked {
        let e = Entitlement {
            origin_zone: Zone::new(1).unwrap(),
            remaining_origin_centi: 8_000,
        };
        let terms = UnitTerms {
            zone: Zone::new(zone).unwrap(),
            area_centi: area,
            price_per_m2_yuan: price,
        };
        Ranked {
            unit_id: id,
            terms,
            quote: quote(e, terms, &Policy::default()),
        }
    }

    #[test]
    fn fully_covered_closest_to_the_entitled_area_comes_first() {
        // A0 80.00 in zone 1: entitled 80.00 in zone 1, 96.00 in zone 2
        let mut v = [
            ranked(1, 1, 6_000, 10_000), // covered, 20.00 unused
            ranked(2, 1, 7_900, 10_000), // covered, 1.00 unused
            ranked(3, 1, 8_100, 10_000), // 1.00 over: top-up 10 000
            ranked(4, 2, 9_600, 9_000),  // covered, 0.00 unused, reward
            ranked(5, 1, 7_900, 9_000),  // like 2 but cheaper per m²
            ranked(6, 2, 10_000, 9_000), // 4.00 over: 36 000
        ];
        v.sort_by(compare);
        let order: Vec<i64> = v.iter().map(|r| r.unit_id).collect();
        assert_eq!(order, [4, 5, 2, 1, 3, 6]);
        let f = fit(&v[0].quote, &v[0].terms);
        assert_eq!((f.kind, f.unused_entitlement_centi), ("fully_covered", 0));
        assert_eq!(
            f.summary,
            "全额抵扣，正好用完可安置面积；异地安置奖励 24000 元"
        );
        let f = fit(&v[5].quote, &v[5].terms);
        assert_eq!((f.kind, f.over_entitlement_centi), ("top_up", 400));
        assert_eq!(
            f.summary,
            "超出可安置面积 4.00 m²，需补差价 36000 元；异地安置奖励 24000 元"
        );
    }
}
