//! The policy's validation, storage and defaults; the ticket keys' own tests are at the end.

use super::*;

#[test]
fn defaults_round_trip_through_storage() {
    let p = Policy::default();
    assert_eq!(Policy::from_stored(&p.to_stored()).unwrap(), p);
    assert_eq!(
        p.ratio(Zone::new(1).unwrap(), Zone::new(3).unwrap()),
        15_000
    );
    assert_eq!(p.ratio(Zone::new(3).unwrap(), Zone::new(1).unwrap()), 6_000);
}

#[test]
fn the_migration_inserts_the_defaults() {
    let sql = include_str!("../../../migrations/sqlite/2026-11-27-000003_households/up.sql");
    let start = sql.find("'{").unwrap() + 1;
    let end = sql[start..].find("}'").unwrap() + start + 1;
    assert_eq!(
        Policy::from_stored(&sql[start..end]).unwrap(),
        Policy::default()
    );
}

#[test]
fn changes_are_validated_field_by_field() {
    let p = Policy::default();
    let mut ratios = BTreeMap::new();
    ratios.insert(
        "1".to_string(),
        BTreeMap::from([("2".to_string(), 1.25), ("3".to_string(), 0.0)]),
    );
    ratios.insert("4".to_string(), BTreeMap::from([("1".to_string(), 1.0)]));
    let change = PolicyChange {
        zone_ratio: Some(ratios),
        hold_minutes: Some(0),
        login_max_failures: Some(3),
        ..Default::default()
    };
    let errors = p.changed(&change).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["zone_ratio.1.3", "zone_ratio.4.1", "hold_minutes"]);

    let ok = p
        .changed(&PolicyChange {
            zone_ratio: Some(BTreeMap::from([(
                "1".to_string(),
                BTreeMap::from([("2".to_string(), 1.25)]),
            )])),
            login_max_failures: Some(3),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        ok.ratio(Zone::new(1).unwrap(), Zone::new(2).unwrap()),
        12_500
    );
    assert_eq!(ok.login_max_failures, 3);
    assert_eq!(ok.hold_minutes, 15, "fields left out keep their value");
    assert!(parse_ratio(1.23456).is_err());
    assert!(parse_ratio(10.5).is_err());
}

fn field_names(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn a_version_stored_before_tickets_reads_with_the_ticket_defaults() {
    let sql = include_str!("../../../migrations/sqlite/2026-11-27-000003_households/up.sql");
    let start = sql.find("'{").unwrap() + 1;
    let body = &sql[start..sql[start..].find("}'").unwrap() + start + 1];
    assert!(
        !body.contains("ticket_"),
        "the old body names no ticket key"
    );
    assert_eq!(
        Policy::from_stored(body).unwrap().ticket,
        TicketPolicy::default()
    );
    // and every version written from now on names them all
    let p = Policy::default();
    let stored: serde_json::Value = serde_json::from_str(&p.to_stored()).unwrap();
    assert_eq!(stored["ticket_validity_days"], 540);
    assert_eq!(
        stored["ticket_speed_tiers"],
        serde_json::json!([{"within_days":90,"bonus_pct":20},{"within_days":180,"bonus_pct":16},{"within_days":540,"bonus_pct":12}])
    );
    assert_eq!(
        stored["ticket_zone_bonus_pct"],
        serde_json::json!({"1":0,"2":2,"3":4})
    );
    assert_eq!(stored["ticket_transfers_allowed"], 1);
    assert_eq!(
        stored["ticket_usages_allowed"],
        serde_json::json!(["residential", "commercial", "office", "parking"])
    );
    assert_eq!(stored["ticket_cash_out_bonus"], false);
    assert_eq!(stored["ticket_open_selection"], true);
}

#[test]
fn every_bad_ticket_key_is_named_by_its_path() {
    let tier = |within_days, bonus_pct| SpeedTier {
        within_days,
        bonus_pct,
    };
    let change = PolicyChange {
        hold_minutes: Some(0),
        ticket_validity_days: Some(0),
        ticket_speed_tiers: Some(vec![
            tier(90, 20),
            tier(90, 101),
            tier(-1, 5),
            tier(4_000, 0),
        ]),
        ticket_zone_bonus_pct: Some(BTreeMap::from([
            ("2".to_string(), -1),
            ("4".to_string(), 1),
        ])),
        ticket_transfers_allowed: Some(11),
        ticket_usages_allowed: Some(["parking", "shop", "parking"].map(String::from).to_vec()),
        ..Default::default()
    };
    let errors = Policy::default().changed(&change).unwrap_err();
    assert_eq!(
        field_names(&errors),
        [
            "hold_minutes",
            "ticket_validity_days",
            "ticket_speed_tiers[1].within_days",
            "ticket_speed_tiers[1].bonus_pct",
            "ticket_speed_tiers[2].within_days",
            "ticket_speed_tiers[3].within_days",
            "ticket_zone_bonus_pct.2",
            "ticket_zone_bonus_pct.4",
            "ticket_transfers_allowed",
            "ticket_usages_allowed[1]",
            "ticket_usages_allowed[2]",
        ]
    );

    let too_many = PolicyChange {
        ticket_validity_days: Some(3_651),
        ticket_speed_tiers: Some((0..11).map(|d| tier(d, 1)).collect()),
        ticket_usages_allowed: Some(vec![]),
        ..Default::default()
    };
    let errors = Policy::default().changed(&too_many).unwrap_err();
    assert_eq!(
        field_names(&errors),
        [
            "ticket_validity_days",
            "ticket_speed_tiers",
            "ticket_usages_allowed"
        ]
    );
}

#[test]
fn a_partial_ticket_change_keeps_the_rest() {
    let p = Policy::default();
    let change: PolicyChange = serde_json::from_str(
        r#"{"ticket_zone_bonus_pct": {"3": 6}, "ticket_usages_allowed": ["residential", "parking"],
            "ticket_open_selection": false}"#,
    )
    .unwrap();
    let changed = p.changed(&change).unwrap();
    assert_eq!(changed.ticket.zone_bonus_pct, [0, 2, 6]);
    assert_eq!(
        changed.ticket.usages_allowed,
        [Usage::Residential, Usage::Parking]
    );
    assert!(!changed.ticket.open_selection);
    assert_eq!(changed.ticket.validity_days, 540, "left out, kept");
    assert_eq!(changed.ticket.speed_tiers, p.ticket.speed_tiers);
    assert_eq!(changed.hold_minutes, p.hold_minutes);
    assert_eq!(Policy::from_stored(&changed.to_stored()).unwrap(), changed);

    let none: PolicyChange = serde_json::from_str(r#"{"ticket_speed_tiers": []}"#).unwrap();
    let no_tiers = changed.changed(&none).unwrap();
    assert!(
        no_tiers.ticket.speed_tiers.is_empty(),
        "no speed bonus at all"
    );
    assert_eq!(no_tiers.ticket.zone_bonus_pct, [0, 2, 6]);
    assert!(
        serde_json::from_str::<PolicyChange>(r#"{"ticket_speed_tiers": [{"within_days": 1}]}"#)
            .is_err(),
        "a tier names both its fields"
    );
}
