use chrono::NaiveDate;

use super::*;

#[test]
fn the_demo_is_the_same_every_time_and_covers_every_zone() {
    let a = projects();
    let b = projects();
    assert_eq!(a.len(), 50);
    assert!(a
        .iter()
        .zip(&b)
        .all(|(x, y)| x.units_csv == y.units_csv && x.name == y.name));
    for zone in 1..=3 {
        assert!(a.iter().any(|p| p.zone_class == zone && p.approve));
    }
    let codes: Vec<String> = developers().into_iter().map(|d| d.credit_code).collect();
    assert!(codes
        .iter()
        .all(|c| crate::domain::credit_code::CreditCode::parse(c).is_ok()));
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    assert_eq!(households_csv(20, today), households_csv(20, today));
}

#[test]
fn a_smaller_demo_is_a_prefix_of_the_full_one() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let small = households_csv(10, today);
    let full = households_csv(300, today);
    assert!(full.starts_with(&small));
}
