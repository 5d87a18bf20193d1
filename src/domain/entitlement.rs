//! The entitlement arithmetic of docs/domain.md, implemented once, on exact integers: areas in
//! hundredths of m² ("centi"), money in whole yuan, zone ratios in ten-thousandths.

use super::policy::{Policy, Zone, RATIO_SCALE};

/// What one unit would cost a household, and what it would use of its entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    pub entitled_centi: i64,
    pub covered_centi: i64,
    pub origin_consumed_centi: i64,
    /// 安置补偿抵扣: paid to the developer by the city.
    pub gov_pays_yuan: i64,
    /// 差价: paid by the household.
    pub top_up_yuan: i64,
    /// 异地安置奖励: for moving outward (unit zone > origin zone).
    pub reward_yuan: i64,
}

/// The unit side of a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitTerms {
    pub zone: Zone,
    pub area_centi: i64,
    pub price_per_m2_yuan: i64,
}

/// The household side of a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entitlement {
    pub origin_zone: Zone,
    pub remaining_origin_centi: i64,
}

/// `round(centi × yuan_per_m2 / 100)`, half up (inputs are never negative).
pub fn yuan_of(centi: i64, yuan_per_m2: i64) -> i64 {
    let product = i128::from(centi) * i128::from(yuan_per_m2);
    ((product + 50) / 100) as i64
}

/// Step 1: `floor₀.₀₁(remaining × ratio)`.
pub fn entitled_area(e: Entitlement, zone: Zone, policy: &Policy) -> i64 {
    let ratio = i128::from(policy.ratio(e.origin_zone, zone));
    (i128::from(e.remaining_origin_centi) * ratio / i128::from(RATIO_SCALE)) as i64
}

/// Steps 1–6 of docs/domain.md for one unit.
pub fn quote(e: Entitlement, unit: UnitTerms, policy: &Policy) -> Quote {
    let ratio = i128::from(policy.ratio(e.origin_zone, unit.zone));
    let entitled = entitled_area(e, unit.zone, policy);
    let covered = unit.area_centi.min(entitled);
    // ceil(covered ÷ ratio) in hundredths
    let scale = i128::from(RATIO_SCALE);
    let back = (i128::from(covered) * scale + ratio - 1) / ratio;
    let consumed = e.remaining_origin_centi.min(back as i64);
    let reward = if unit.zone > e.origin_zone {
        yuan_of(consumed, policy.relocation_reward_yuan_per_m2)
    } else {
        0
    };
    Quote {
        entitled_centi: entitled,
        covered_centi: covered,
        origin_consumed_centi: consumed,
        gov_pays_yuan: yuan_of(covered, unit.price_per_m2_yuan),
        top_up_yuan: yuan_of(unit.area_centi - covered, unit.price_per_m2_yuan),
        reward_yuan: reward,
    }
}

/// Leftover origin area taken as cash at the assessed price P0.
pub fn cash_out_yuan(remaining_origin_centi: i64, assessed_price_yuan_per_m2: i64) -> i64 {
    yuan_of(remaining_origin_centi, assessed_price_yuan_per_m2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn z(n: i64) -> Zone {
        Zone::new(n).unwrap()
    }

    fn ent(zone: i64, remaining: i64) -> Entitlement {
        Entitlement {
            origin_zone: z(zone),
            remaining_origin_centi: remaining,
        }
    }

    fn unit(zone: i64, area: i64, price: i64) -> UnitTerms {
        UnitTerms {
            zone: z(zone),
            area_centi: area,
            price_per_m2_yuan: price,
        }
    }

    #[test]
    fn domain_md_worked_example() {
        let q = quote(ent(1, 8_000), unit(2, 10_000, 9_000), &Policy::default());
        assert_eq!(
            q,
            Quote {
                entitled_centi: 9_600,
                covered_centi: 9_600,
                origin_consumed_centi: 8_000,
                gov_pays_yuan: 864_000,
                top_up_yuan: 36_000,
                reward_yuan: 24_000,
            }
        );
        assert_eq!(8_000 - q.origin_consumed_centi, 0, "remaining 0.00");
    }

    #[test]
    fn every_zone_pair_with_the_default_ratios() {
        // A0 = 100.00 m², a 200 m² unit at 10 000 yuan/m²: entitled = 100 × ratio
        let p = Policy::default();
        let expected = [
            // (z0, z, entitled, reward)
            (1, 1, 10_000, 0),
            (1, 2, 12_000, 30_000),
            (1, 3, 15_000, 30_000),
            (2, 1, 8_000, 0),
            (2, 2, 10_000, 0),
            (2, 3, 12_000, 30_000),
            (3, 1, 6_000, 0),
            (3, 2, 8_000, 0),
            (3, 3, 10_000, 0),
        ];
        for (z0, zu, entitled, reward) in expected {
            let q = quote(ent(z0, 10_000), unit(zu, 20_000, 10_000), &p);
            assert_eq!(q.entitled_centi, entitled, "{z0}→{zu}");
            assert_eq!(q.covered_centi, entitled, "{z0}→{zu}");
            assert_eq!(q.origin_consumed_centi, 10_000, "{z0}→{zu}: all of A0");
            assert_eq!(q.gov_pays_yuan, entitled * 100, "{z0}→{zu}");
            assert_eq!(q.top_up_yuan, (20_000 - entitled) * 100, "{z0}→{zu}");
            assert_eq!(q.reward_yuan, reward, "{z0}→{zu}");
        }
    }

    #[test]
    fn a_smaller_unit_consumes_only_what_it_needs_rounded_up() {
        // 1 → 2 at 1.2: a 50.00 m² unit consumes ceil(50 / 1.2) = 41.67 of origin area
        let q = quote(ent(1, 8_000), unit(2, 5_000, 9_000), &Policy::default());
        assert_eq!(q.covered_centi, 5_000);
        assert_eq!(q.origin_consumed_centi, 4_167);
        assert_eq!(q.top_up_yuan, 0);
        assert_eq!(q.reward_yuan, 12_501); // 41.67 × 300 = 12 501
                                           // 3 → 1 at 0.6: 30.00 m² needs 50.00 of origin area exactly
        let q = quote(ent(3, 8_000), unit(1, 3_000, 20_000), &Policy::default());
        assert_eq!((q.covered_centi, q.origin_consumed_centi), (3_000, 5_000));
    }

    #[test]
    fn entitled_area_rounds_down_to_the_hundredth() {
        // 33.33 × 1.2 = 39.996 → 39.99; 33.33 × 1.5 = 49.995 → 49.99 (an x.xx5 boundary)
        let p = Policy::default();
        assert_eq!(entitled_area(ent(1, 3_333), z(2), &p), 3_999);
        assert_eq!(entitled_area(ent(1, 3_333), z(3), &p), 4_999);
        // 0.01 × 0.6 = 0.006 → 0.00: nothing left to cover
        let q = quote(ent(3, 1), unit(1, 5_000, 10_000), &p);
        assert_eq!((q.entitled_centi, q.covered_centi), (0, 0));
        assert_eq!(q.origin_consumed_centi, 0);
        assert_eq!(q.top_up_yuan, 500_000);
        // consumed is ceil(39.99 / 1.2) = ceil(33.325) = 33.33, capped by what remains
        let q = quote(ent(1, 3_333), unit(2, 10_000, 10_000), &p);
        assert_eq!(q.origin_consumed_centi, 3_333);
    }

    #[test]
    fn money_rounds_half_up_to_the_yuan() {
        assert_eq!(yuan_of(1, 50), 1, "0.01 × 50 = 0.5 → 1");
        assert_eq!(yuan_of(1, 49), 0, "0.49 → 0");
        assert_eq!(yuan_of(3, 50), 2, "1.5 → 2");
        assert_eq!(yuan_of(5, 10_001), 500, "500.05 → 500");
        assert_eq!(cash_out_yuan(1_050, 15_000), 157_500);
        // a unit whose uncovered part is 0.01 m² at 1 050 yuan: 10.5 → 11
        let q = quote(ent(1, 1_000), unit(1, 1_001, 1_050), &Policy::default());
        assert_eq!((q.top_up_yuan, q.gov_pays_yuan), (11, 10_500));
    }

    #[test]
    fn several_units_consume_the_entitlement_down_to_zero() {
        let p = Policy::default();
        let a0 = 10_000;
        let mut remaining = a0;
        let mut consumed = Vec::new();
        for u in [
            unit(2, 4_000, 9_000),
            unit(3, 6_000, 8_000),
            unit(1, 9_000, 20_000),
        ] {
            let q = quote(ent(1, remaining), u, &p);
            remaining -= q.origin_consumed_centi;
            consumed.push(q.origin_consumed_centi);
        }
        // 40 / 1.2 = 33.34 (rounded up); 66.66 × 1.5 = 99.99 ≥ 60 → 40.00; the rest 26.66
        assert_eq!(consumed, [3_334, 4_000, 2_666]);
        assert_eq!(remaining, 0);
        let q = quote(ent(1, remaining), unit(2, 5_000, 9_000), &p);
        assert_eq!(q.origin_consumed_centi, 0);
        assert_eq!(q.top_up_yuan, 450_000);
    }

    proptest! {
        #[test]
        fn consumption_adds_up_and_nothing_is_negative(
            a0 in 100i64..=200_000,
            z0 in 1i64..=3,
            units in prop::collection::vec((1i64..=3, 1_000i64..=100_000, 1_000i64..=300_000), 1..8),
            ratios in prop::collection::vec(1i64..=100_000, 9),
        ) {
            let mut p = Policy::default();
            let change = crate::domain::policy::PolicyChange {
                zone_ratio: Some((1..=3).map(|f| (f.to_string(), (1..=3).map(|t| {
                    (t.to_string(), ratios[((f - 1) * 3 + t - 1) as usize] as f64 / 10_000.0)
                }).collect())).collect()),
                ..Default::default()
            };
            p = p.changed(&change).unwrap();
            let mut remaining = a0;
            let mut total = 0;
            for (zu, area, price) in units {
                let q = quote(ent(z0, remaining), unit(zu, area, price), &p);
                prop_assert!(q.entitled_centi >= 0 && q.covered_centi >= 0);
                prop_assert!(q.covered_centi <= area && q.covered_centi <= q.entitled_centi);
                prop_assert!(q.origin_consumed_centi >= 0 && q.origin_consumed_centi <= remaining);
                prop_assert!(q.gov_pays_yuan >= 0 && q.top_up_yuan >= 0 && q.reward_yuan >= 0);
                // covering never takes more origin area than the ratio allows
                prop_assert!(i128::from(q.covered_centi) * 10_000
                    <= i128::from(q.origin_consumed_centi) * i128::from(p.ratio(z(z0), z(zu))));
                remaining -= q.origin_consumed_centi;
                total += q.origin_consumed_centi;
                prop_assert!(remaining >= 0);
                prop_assert_eq!(total + remaining, a0);
            }
        }
    }
}
