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

#[test]
fn the_demo_tickets_cover_every_tier_and_every_fate() {
    let plans = ticket_plans();
    assert_eq!(plans, ticket_plans());
    assert_eq!(plans.len(), TICKETS);
    let policy = crate::domain::ticket::TicketPolicy::default();
    // live tickets issued over ten months, unused ones in every speed tier
    let unused = |p: &&TicketPlan| p.spends.is_empty() && p.transfer_after_days.is_none();
    for tier in &policy.speed_tiers {
        assert!(
            plans
                .iter()
                .filter(unused)
                .any(|p| policy.tier_pct(p.days_ago) == tier.bonus_pct),
            "no unused ticket in the {}% tier",
            tier.bonus_pct
        );
    }
    assert!(plans.iter().filter(unused).any(|p| p.days_ago <= 7));
    let expired: Vec<_> = plans
        .iter()
        .filter(|p| p.days_ago >= policy.validity_days)
        .collect();
    assert_eq!(expired.len(), 1);
    assert!(expired[0].spends.iter().all(|s| s.share_pct < 100));
    assert!(plans.iter().all(|p| p.days_ago <= 300 || p.days_ago >= 540));
    assert_eq!(
        plans
            .iter()
            .filter(|p| p.spends.iter().any(|s| s.share_pct > 100))
            .count(),
        1
    );
    assert_eq!(
        plans
            .iter()
            .filter(|p| p.transfer_after_days.is_some())
            .count(),
        1
    );
    assert!(plans.iter().filter(|p| !p.spends.is_empty()).count() >= 20);
    // every purchase falls after the issue and before the load
    assert!(plans.iter().all(|p| p
        .spends
        .iter()
        .all(|s| s.after_days >= 1 && s.after_days < p.days_ago)));
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let csv = ticket_households_csv(today);
    assert_eq!(csv, ticket_households_csv(today));
    let table = crate::upload::tickets::check_ticket_households(
        &csv,
        crate::upload::UploadFormat::Csv,
        100_000,
        today,
    )
    .unwrap();
    assert!(
        table.households.errors.is_empty(),
        "{:?}",
        table.households.errors
    );
    assert_eq!(
        table.face_values,
        plans.iter().map(|p| p.face_value_yuan).collect::<Vec<_>>()
    );
    // no ticket household is also an area household, nor the transferee
    let area = households_csv(300, today);
    let area = String::from_utf8(area).unwrap();
    let (_, transferee_id, _) = transferee();
    for h in &table.households.households {
        assert!(!area.contains(h.household.id_number.as_str()));
        assert_ne!(h.household.id_number.as_str(), transferee_id);
    }
}
