//! The spec's worked examples, the ±3 % boundary, rounding of halves, the rescission deadline, and
//! properties over random areas and prices.

use proptest::prelude::*;

use super::*;

/// A = 100.00 m², P = 9 000 yuan/m², as in the spec's worked examples.
const A: i64 = 10_000;
const P: i64 = 9_000;

fn at(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

#[test]
fn the_spec_worked_examples_settle_exactly() {
    let s = settle(A, 10_200, P);
    assert_eq!(
        (s.case, s.household_pays_yuan),
        (AreaCase::Within3Pct, 18_000)
    );
    assert_eq!((s.developer_absorbs_yuan, s.developer_penalty_yuan), (0, 0));
    assert_eq!(s.difference_centi, 200);
    assert!(!s.may_rescind);

    let s = settle(A, 9_700, P);
    assert_eq!(
        (s.case, s.household_pays_yuan),
        (AreaCase::Within3Pct, -27_000)
    );
    assert!(!s.may_rescind);

    let s = settle(A, 10_500, P);
    assert_eq!(s.case, AreaCase::LargerBeyond3Pct);
    assert_eq!(s.household_pays_yuan, 27_000);
    assert_eq!(s.developer_absorbs_yuan, 18_000);
    assert_eq!(s.developer_penalty_yuan, 0);
    assert!(s.may_rescind);

    // 27 000 + 2 × 18 000
    let s = settle(A, 9_500, P);
    assert_eq!(s.case, AreaCase::SmallerBeyond3Pct);
    assert_eq!(s.household_pays_yuan, -63_000);
    assert_eq!(s.developer_absorbs_yuan, 0);
    assert_eq!(s.developer_penalty_yuan, 18_000);
    assert!(s.may_rescind);

    // 27 000 + 2 × 4 500
    let s = settle(A, 9_650, P);
    assert_eq!(s.case, AreaCase::SmallerBeyond3Pct);
    assert_eq!(s.household_pays_yuan, -36_000);
    assert_eq!(s.developer_penalty_yuan, 4_500);
    assert_eq!(s.difference_centi, -350);
}

#[test]
fn exactly_three_percent_is_within_and_one_hundredth_more_is_beyond() {
    assert_eq!(settle(A, 10_300, P).case, AreaCase::Within3Pct);
    assert_eq!(settle(A, 10_300, P).household_pays_yuan, 27_000);
    assert_eq!(settle(A, 9_700, P).case, AreaCase::Within3Pct);

    let larger = settle(A, 10_301, P);
    assert_eq!(larger.case, AreaCase::LargerBeyond3Pct);
    // 27 000 paid; 0.01 m² × 9 000 = 90 absorbed
    assert_eq!(
        (larger.household_pays_yuan, larger.developer_absorbs_yuan),
        (27_000, 90)
    );
    let smaller = settle(A, 9_699, P);
    assert_eq!(smaller.case, AreaCase::SmallerBeyond3Pct);
    assert_eq!(
        (smaller.household_pays_yuan, smaller.developer_penalty_yuan),
        (-27_180, 90)
    );
    assert!(larger.may_rescind && smaller.may_rescind);
    // the test is 100·|D| ≤ 3·A on hundredths, not a rounded percentage: 3 % of 33.33 m² is
    // 0.9999 m², so 1.00 m² more is already beyond
    assert_eq!(settle(3_333, 3_432, P).case, AreaCase::Within3Pct);
    assert_eq!(settle(3_333, 3_433, P).case, AreaCase::LargerBeyond3Pct);
}

#[test]
fn halves_round_away_from_zero_on_both_signs() {
    // 0.01 m² × 50 yuan = 0.5 yuan
    assert_eq!(settle(A, A + 1, 50).household_pays_yuan, 1);
    assert_eq!(settle(A, A - 1, 50).household_pays_yuan, -1);
    // just under a half rounds down on both signs: 0.01 × 49 = 0.49
    assert_eq!(settle(A, A + 1, 49).household_pays_yuan, 0);
    assert_eq!(settle(A, A - 1, 49).household_pays_yuan, 0);
    // 0.03 × 50.00 m² × 9 001 = 13 501.5 → 13 502; 2.00 m² × 9 001 = 18 002
    let s = settle(5_000, 5_200, 9_001);
    assert_eq!(s.case, AreaCase::LargerBeyond3Pct);
    assert_eq!(
        (s.household_pays_yuan, s.developer_absorbs_yuan),
        (13_502, 4_500)
    );
    // case 3: 13 502 + 2 × round(0.5 m² × 9 001 = 4 500.5 → 4 501)
    let s = settle(5_000, 4_800, 9_001);
    assert_eq!(s.household_pays_yuan, -(13_502 + 2 * 4_501));
    assert_eq!(s.developer_penalty_yuan, 4_501);
}

#[test]
fn no_difference_settles_nothing() {
    let s = settle(A, A, P);
    assert_eq!(
        s,
        AreaSettlement {
            contracted_centi: A,
            measured_centi: A,
            difference_centi: 0,
            case: AreaCase::Within3Pct,
            household_pays_yuan: 0,
            developer_absorbs_yuan: 0,
            developer_penalty_yuan: 0,
            may_rescind: false,
        }
    );
}

#[test]
fn a_refund_rounded_in_two_terms_can_fall_one_yuan_short_of_the_plain_price() {
    // A = 1 986.33 m², |D| = 59.59 m² (3.0000503 %), P = 3 359: the part beyond 3 % is worth
    // 0.3359 yuan and rounds to 0, while round(0.03·A·P) = round(200 162.4741) = 200 162 and
    // round(|D| × P) = round(200 162.81) = 200 163. The spec's formula is kept as written.
    let s = settle(198_633, 198_633 - 5_959, 3_359);
    assert_eq!(s.case, AreaCase::SmallerBeyond3Pct);
    assert_eq!(s.household_pays_yuan, -200_162);
    assert_eq!(s.developer_penalty_yuan, 0);
}

#[test]
fn rescission_is_open_through_the_last_local_day_inclusive() {
    let beyond = settle(A, 9_500, P);
    // handover 2026-03-01, 30 days: the last day is 2026-03-31 (Asia/Shanghai)
    assert_eq!(rescind_deadline_day(20_260_301, 30), Some(20_260_331));
    assert!(may_rescind(
        &beyond,
        20_260_301,
        30,
        at("2026-03-01T00:00:00+08:00")
    ));
    assert!(may_rescind(
        &beyond,
        20_260_301,
        30,
        at("2026-03-31T23:59:59.999+08:00")
    ));
    assert!(!may_rescind(
        &beyond,
        20_260_301,
        30,
        at("2026-04-01T00:00:00+08:00")
    ));
    // 16:00 UTC on the 31st is already 1 April in the hall
    assert!(!may_rescind(
        &beyond,
        20_260_301,
        30,
        at("2026-03-31T16:00:00Z")
    ));
    assert!(may_rescind(
        &beyond,
        20_260_301,
        30,
        at("2026-03-31T15:59:59Z")
    ));
    // before the handover date too: the settlement is already filed
    assert!(may_rescind(
        &beyond,
        20_260_301,
        30,
        at("2026-02-20T10:00:00+08:00")
    ));
    // across a month and a leap day
    assert_eq!(rescind_deadline_day(20_280_215, 30), Some(20_280_316));
    assert_eq!(rescind_deadline_day(20_261_215, 30), Some(20_270_114));
}

#[test]
fn rescission_is_refused_within_three_percent_or_for_a_bad_day() {
    let within = settle(A, 9_700, P);
    assert!(!may_rescind(
        &within,
        20_260_301,
        30,
        at("2026-03-02T09:00:00+08:00")
    ));
    let beyond = settle(A, 10_500, P);
    let now = at("2026-03-02T09:00:00+08:00");
    assert!(may_rescind(&beyond, 20_260_301, 30, now));
    assert!(!may_rescind(&beyond, 20_260_230, 30, now), "no 30 February");
    assert!(!may_rescind(&beyond, 20_260_301, -1, now));
    assert_eq!(rescind_deadline_day(0, 30), None);
}

proptest! {
    #[test]
    fn settlements_follow_the_rules(
        a in 1i64..=10_000_000,
        m in 0i64..=20_000_000,
        p in 1i64..=1_000_000,
    ) {
        let s = settle(a, m, p);
        let d = i128::from(m - a);
        let price_of_d = round_div(d * i128::from(p), 100);
        prop_assert_eq!(s.difference_centi, m - a);
        let within = 100 * d.abs() <= 3 * i128::from(a);
        prop_assert_eq!(s.case == AreaCase::Within3Pct, within);
        prop_assert_eq!(s.may_rescind, !within);
        match s.case {
            AreaCase::Within3Pct | AreaCase::LargerBeyond3Pct => {
                prop_assert_eq!(s.household_pays_yuan + s.developer_absorbs_yuan, price_of_d);
                prop_assert_eq!(s.developer_penalty_yuan, 0);
                prop_assert!(s.developer_absorbs_yuan >= 0);
            }
            AreaCase::SmallerBeyond3Pct => {
                prop_assert!(d < 0);
                prop_assert_eq!(s.developer_absorbs_yuan, 0);
                let refund = -s.household_pays_yuan;
                // at least the plain price of the missing area, bar the one-yuan shortfall of
                // two separately rounded terms when the penalty rounds to nothing
                if s.developer_penalty_yuan >= 1 {
                    prop_assert!(refund >= price_of_d.abs());
                } else {
                    prop_assert!(refund >= price_of_d.abs() - 1);
                }
                // never more than twice the missing area's price, plus rounding
                prop_assert!(refund <= 2 * price_of_d.abs() + 1);
            }
        }
        if s.case == AreaCase::LargerBeyond3Pct {
            prop_assert!(d > 0);
            prop_assert!(s.household_pays_yuan <= price_of_d);
        }
    }

    #[test]
    fn the_household_pays_no_less_for_a_larger_measured_area(
        a in 1i64..=10_000_000,
        m in 0i64..=20_000_000,
        step in 1i64..=500_000,
        p in 1i64..=1_000_000,
    ) {
        let smaller = settle(a, m, p);
        let larger = settle(a, m + step, p);
        prop_assert!(smaller.household_pays_yuan <= larger.household_pays_yuan,
            "{smaller:?} then {larger:?}");
        // and one hundredth at a time across both boundaries
        let edge = 3 * a / 100;
        for mm in [a - edge - 1, a - edge, a - edge + 1, a + edge - 1, a + edge, a + edge + 1] {
            prop_assert!(settle(a, mm, p).household_pays_yuan <= settle(a, mm + 1, p).household_pays_yuan);
        }
    }

    #[test]
    fn the_within_case_is_symmetric_in_sign(a in 1i64..=10_000_000, d in 0i64..=300_000, p in 1i64..=1_000_000) {
        let up = settle(a, a + d, p);
        let down = settle(a, a - d, p);
        if up.case == AreaCase::Within3Pct {
            prop_assert_eq!(down.case, AreaCase::Within3Pct);
            prop_assert_eq!(up.household_pays_yuan, -down.household_pays_yuan);
        }
    }
}

#[test]
fn measured_areas_parse_to_hundredths_and_refuse_more_decimals() {
    assert_eq!(parse_measured_area(102.0), Ok(10_200));
    assert_eq!(parse_measured_area(96.5), Ok(9_650));
    assert_eq!(parse_measured_area(0.01), Ok(1));
    assert!(parse_measured_area(96.505).is_err());
    assert!(parse_measured_area(0.0).is_err());
    assert!(parse_measured_area(-1.0).is_err());
    assert!(parse_measured_area(10_000.01).is_err());
    assert!(parse_measured_area(f64::NAN).is_err());
    assert!(plausible(10_000, 5_000) && plausible(10_000, 20_000));
    assert!(!plausible(10_000, 4_999) && !plausible(10_000, 20_001));
}
