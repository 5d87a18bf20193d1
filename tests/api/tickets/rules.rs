//! A ticket's rules one by one: its household's voucher no longer opens the kiosk, a usage the
//! policy does not allow, redemption codes (one use, wrong ones lock), transfer and void.

use super::*;

async fn redemption_code(app: &TestApp, token: &str) -> String {
    let (status, body) = app
        .post_json(token, "/api/v1/kiosk/ticket/redemption-codes", &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let code = body["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    code
}

async fn redeem(
    app: &TestApp,
    dev: &Developer,
    slip: &Slip,
    code: &str,
    unit: i64,
) -> (StatusCode, Value) {
    app.post_json(
        &dev.key,
        "/api/v1/tickets/redeem",
        &json!({"ticket_no": slip.ticket_no, "code": code, "unit_id": unit}),
    )
    .await
}

#[tokio::test]
async fn a_code_redeems_once_at_the_developers_office_and_wrong_codes_lock_the_ticket() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(8).await;
    let other = app.approved_developer(9).await;
    let shop = app.unit_of(&dev, 3, "40.00", 12_000, "商业").await;
    let theirs = app.unit_of(&other, 3, "40.00", 12_000, "住宅").await;
    let mut slips = app.ticket_holders(&[600_000, 600_000]).await;
    let (slip, second) = (slips.remove(0), slips.remove(0));
    let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let code = redemption_code(&app, &token).await;
    // not the developer's own unit
    let (status, body) = redeem(&app, &dev, &slip, &code, theirs).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    // a shop: 480 000 at day 0, 20 % + 4 % (zone 3) → debit 387 097 (387 097 + 92 903 = 480 000)
    let (status, r) = redeem(&app, &dev, &slip, &code, shop).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "confirmed");
    assert_eq!(r["quote"]["debit_yuan"], 387_097, "{r}");
    assert_eq!(r["quote"]["bonus_yuan"], 92_903);
    // the code is spent: a second use is a wrong code
    let flat = app.unit_of(&dev, 2, "30.00", 5_000, "住宅").await;
    let (status, body) = redeem(&app, &dev, &slip, &code, flat).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "redemption_code_invalid",
    );
    // wrong codes count against the ticket like wrong PINs: the fifth locks it, PIN and all
    let code2 = redemption_code(&app, &second.ticket_no_token(&app).await).await;
    for _ in 0..4 {
        let (status, body) = redeem(&app, &dev, &second, "00000000", flat).await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "redemption_code_invalid",
        );
    }
    let (status, body) = redeem(&app, &dev, &second, "00000000", flat).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    let (status, body) = redeem(&app, &dev, &second, &code2, flat).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    let (status, body) = app.login(&second.ticket_no, &second.pin).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    app.assert_ticket_invariants();
}

impl Slip {
    async fn ticket_no_token(&self, app: &TestApp) -> String {
        app.kiosk_token(&self.ticket_no, &self.pin).await
    }
}

#[tokio::test]
async fn the_households_voucher_no_longer_opens_the_kiosk_and_usages_follow_the_policy() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(10).await;
    let office = app.unit_of(&dev, 1, "60.00", 10_000, "办公").await;
    let (household, voucher, pin) = app.household(1, "80.00", 1).await;
    let (status, t) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/tickets",
            &json!({"household_id": household, "face_value_yuan": 800_000}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let (status, again) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/tickets",
            &json!({"household_id": household, "face_value_yuan": 800_000}),
        )
        .await;
    assert_error(status, &again, StatusCode::CONFLICT, "ticket_exists");
    let (status, body) = app.login(&voucher, &pin).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "ticket_household");
    let ticket_no = t["ticket_no"].as_str().unwrap();
    let token = app.kiosk_token(ticket_no, t["pin"].as_str().unwrap()).await;
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.to_string(),
            "/api/v1/policy",
            json!({"ticket_usages_allowed": ["residential"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.hold(&token, office, None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "usage_not_allowed");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/tickets",
            &json!({"household_id": household, "face_value_yuan": 0}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    app.assert_ticket_invariants();
}

#[tokio::test]
async fn a_transfer_gives_a_new_number_and_pin_and_ends_the_old_ones_at_once() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(11).await;
    let flat = app.unit_of(&dev, 2, "50.00", 10_000, "住宅").await;
    let slip = app.ticket_holders(&[700_000]).await.remove(0);
    let old_token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let path = format!("/api/v1/tickets/{}/transfer", slip.id);
    let to = json!({"name": "钱多多", "id_number": id_number("19900101", 901),
                    "phone": "13900001111", "reason": "亲属受让"});
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &path,
            &json!({"name": "", "id_number": "1",
        "phone": "2", "reason": ""}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, moved) = app.post_json(ADMIN_TOKEN, &path, &to).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_ne!(moved["ticket_no"], slip.ticket_no.as_str());
    assert_eq!(moved["holder_name_masked"], "钱*多");
    assert_eq!(moved["balance_yuan"], 700_000);
    assert!(
        !moved.to_string().contains("13900001111"),
        "no clear phone: {moved}"
    );
    let (status, body) = app.get(&old_token, "/api/v1/kiosk/me").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "session_expired");
    let (status, body) = app.login(&slip.ticket_no, &slip.pin).await;
    assert_error(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    let token = app
        .kiosk_token(
            moved["ticket_no"].as_str().unwrap(),
            moved["pin"].as_str().unwrap(),
        )
        .await;
    let (_, me) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(me["household"]["name_masked"], "钱*多", "{me}");
    // one transfer is allowed by default, and a used ticket cannot move
    let (_, hold) = app.hold(&token, flat, None).await;
    let (status, body) = app.post_json(ADMIN_TOKEN, &path, &to).await;
    assert_error(
        status,
        &body,
        StatusCode::CONFLICT,
        "ticket_transfer_not_allowed",
    );
    let (status, _) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/tickets/{}/void", slip.id),
            &json!({"reason": "错发"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let t = app.ticket(slip.id).await;
    let kinds: Vec<&str> = t["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["issue", "transfer", "debit", "bonus"]);
    app.assert_ticket_invariants();
}

#[tokio::test]
async fn an_unused_ticket_is_voided_and_a_cancelled_reservation_refunds_its_debit() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(12).await;
    let flat = app.unit_of(&dev, 2, "50.00", 10_000, "住宅").await;
    let mut slips = app.ticket_holders(&[300_000, 300_000]).await;
    let (used, unused) = (slips.remove(0), slips.remove(0));
    let (status, v) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/tickets/{}/void", unused.id),
            &json!({"reason": "错发"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["voided_yuan"].as_i64()),
        (Some("void"), Some(300_000))
    );
    let token = app.kiosk_token(&used.ticket_no, &used.pin).await;
    let (_, hold) = app.hold(&token, flat, None).await;
    let (status, r) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(app.ticket(used.id).await["status"], "exhausted");
    let (status, c) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{}/cancel", r["id"]),
            &json!({"reason": "复核撤销"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let t = app.ticket(used.id).await;
    assert_eq!(
        (t["status"].as_str(), t["balance_yuan"].as_i64()),
        (Some("active"), Some(300_000))
    );
    let (status, list) = app.get(ADMIN_TOKEN, "/api/v1/tickets?status=void").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1, "{list}");
    app.assert_ticket_invariants();
}

#[tokio::test]
async fn matches_rank_a_tickets_units_by_its_buying_power_in_each_zone() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(16).await;
    // day 0: zone 1 at 20 % (power 600 000), zone 2 at 22 % (power 610 000)
    let small = app.unit_of(&dev, 2, "40.00", 10_000, "住宅").await; // 400 000
    let close = app.unit_of(&dev, 2, "60.00", 10_000, "住宅").await; // 600 000
    let over = app.unit_of(&dev, 1, "70.00", 10_000, "住宅").await; // 700 000: top-up 100 000
    let parking = app.unit_of(&dev, 1, "20.00", 10_000, "车位").await; // 200 000
    let slip = app.ticket_holders(&[500_000]).await.remove(0);
    let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let ids = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["unit_id"].as_i64().unwrap())
            .collect()
    };
    let (status, page) = app.get(&token, "/api/v1/kiosk/matches").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(ids(&page), [close, small, parking, over], "{page}");
    assert_eq!(page["total"], 4);
    assert_eq!(
        page["items"][3]["quote"],
        json!({"debit_yuan": 500_000, "bonus_yuan": 100_000, "top_up_yuan": 100_000,
               "bonus_pct": 20, "balance_after_yuan": 0})
    );
    assert_eq!(page["items"][3]["fit"]["kind"], "top_up");
    let (_, page) = app
        .get(&token, "/api/v1/kiosk/matches?max_top_up_yuan=99999")
        .await;
    assert_eq!(ids(&page), [close, small, parking]);
    // usages the policy does not let a ticket buy are not matched
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.to_string(),
            "/api/v1/policy",
            json!({"ticket_usages_allowed": ["residential"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = app.get(&token, "/api/v1/kiosk/matches").await;
    assert_eq!(ids(&page), [close, small, over]);
}
