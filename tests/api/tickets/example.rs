//! docs/tickets.md's worked example through the HTTP API: a 1 000 000 yuan ticket issued on
//! 2026-01-10, a zone-2 flat of 900 000 on day 50 and a zone-1 parking space of 400 000 on day 212.

use super::*;

#[tokio::test]
async fn the_worked_example_to_the_yuan() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(5).await;
    let flat = app.unit_of(&dev, 2, "90.00", 10_000, "住宅").await;
    let parking = app.unit_of(&dev, 1, "20.00", 20_000, "车位").await;
    let slip = app.ticket_holders(&[1_000_000]).await.remove(0);
    let t = app.ticket(slip.id).await;
    assert_eq!(t["valid_until"], "2027-07-04T00:00:00.000Z", "{t}");
    assert_eq!(
        t["incentive_schedule"][0],
        json!({"until": "2026-04-10", "bonus_pct": 20})
    );

    // day 50: 20 % + 2 % for zone 2
    app.clock.set(ISSUED_MS + 50 * DAY_MS + 3_600_000);
    let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let (status, me) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["household"]["method"], "ticket");
    assert_eq!(me["ticket"]["balance_yuan"], 1_000_000);
    assert_eq!(
        me["ticket"]["bonus_pct_by_zone"],
        json!({"1": 20, "2": 22, "3": 24})
    );
    assert_eq!(
        me["ticket"]["next_drop"],
        json!({"on": "2026-04-11", "from_pct": 20, "to_pct": 16})
    );
    assert_eq!(
        me["ticket"]["notice"],
        "再过 41 天，奖励比例将由 20% 降为 16%"
    );
    let expected = json!({"debit_yuan": 737_705, "bonus_yuan": 162_295, "top_up_yuan": 0,
                          "bonus_pct": 22, "balance_after_yuan": 262_295});
    let (status, quote) = app
        .get(&token, &format!("/api/v1/kiosk/quote/{flat}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_eq!(quote["quote"], expected);
    let (status, hold) = app.hold(&token, flat, None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    assert_eq!(hold["quote"], expected);
    let (status, r) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["quote"], expected);
    assert_eq!(r["ticket_id"], slip.id);
    app.assert_ticket_invariants();

    // day 212: the last tier, 12 %, and zone 1 adds nothing; the balance is not enough
    app.clock.set(ISSUED_MS + 212 * DAY_MS + 3_600_000);
    let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let (status, hold) = app.hold(&token, parking, None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, r) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        r["quote"],
        json!({"debit_yuan": 262_295, "bonus_yuan": 31_475, "top_up_yuan": 106_230,
               "bonus_pct": 12, "balance_after_yuan": 0})
    );
    let t = app.ticket(slip.id).await;
    assert_eq!(
        (t["balance_yuan"].as_i64(), t["status"].as_str()),
        (Some(0), Some("exhausted"))
    );
    let ledger: Vec<(String, i64)> = t["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["amount_yuan"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("issue", 1_000_000),
        ("debit", 737_705),
        ("bonus", 162_295),
        ("debit", 262_295),
        ("bonus", 31_475),
    ];
    assert_eq!(ledger, want.map(|(k, a)| (k.to_string(), a)));
    // an exhausted ticket holds nothing more
    let other = app.unit_of(&dev, 3, "50.00", 10_000, "住宅").await;
    let (status, body) = app.hold(&token, other, None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "ticket_exhausted");
    app.assert_ticket_invariants();
}

#[tokio::test]
async fn a_ticket_past_its_validity_is_refused_at_once_and_cashed_out_without_bonus() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(6).await;
    let flat = app.unit_of(&dev, 2, "50.00", 19_000, "住宅").await;
    let slip = app.ticket_holders(&[1_000_000]).await.remove(0);
    // 950 000 at 20 % + 2 %: debit 778 689 (778 689 + 171 312 = 950 001 ≥ 950 000)
    app.clock.set(ISSUED_MS + DAY_MS);
    let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let (_, hold) = app.hold(&token, flat, None).await;
    let (status, r) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let left = 1_000_000 - r["quote"]["debit_yuan"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/tickets/{}/cash-out", slip.id),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "ticket_not_expired");
    // 2027-07-04T00:00:00Z: no longer spendable, the balance is due in cash
    app.clock.set(ISSUED_MS + 540 * DAY_MS);
    let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let (_, me) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(me["ticket"]["status"], "expired", "{me}");
    let other = app.unit_of(&dev, 1, "30.00", 5_000, "住宅").await;
    let (status, body) = app.hold(&token, other, None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "ticket_expired");
    let (status, paid) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/tickets/{}/cash-out", slip.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["amount_yuan"], left);
    assert_eq!(paid["status"], "cashed_out");
    assert_eq!(paid["cashed_out_yuan"], left);
    let res = app
        .client
        .post(app.url("/api/v1/kiosk/login"))
        .json(&json!({"voucher_no": slip.ticket_no, "pin": slip.pin}))
        .send()
        .await
        .unwrap();
    let (status, body) = into_json(res).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "ticket_closed");
    app.assert_ticket_invariants();
}
