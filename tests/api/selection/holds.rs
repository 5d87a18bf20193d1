//! Holds, confirmations, contracts, releases and cancellations; every refusal; expired holds.

use super::*;

#[tokio::test]
async fn a_household_holds_confirms_and_the_developer_files_the_contract() {
    let app = spawn_app().await;
    let (dev, units) = app.units_for_sale(3).await;
    let k = app.kiosks(1).await.remove(0);
    let round = app.open_round(&[k.id], 1).await;
    let (status, hold) = app.hold(&k.token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    assert_eq!(hold["status"], "held");
    assert_eq!(hold["expires_at"], "2026-03-02T09:15:00.000Z");
    assert_eq!(hold["expires_in_s"], 900);
    // A0 80 from zone 1 into zone 2: entitled 96, the 89.50 m² unit is covered
    assert_eq!(hold["quote"]["covered_area_m2"], 89.5);
    assert_eq!(hold["quote"]["origin_area_consumed_m2"], 74.59);
    assert_eq!(hold["quote"]["gov_pays_yuan"], 1_342_500);
    assert_eq!(hold["quote"]["top_up_yuan"], 0);
    let hold_id = hold["id"].as_i64().unwrap();
    app.assert_search_agrees().await;
    assert!(
        !app.listing_ids("").await.contains(&units[0]),
        "a held unit leaves search"
    );
    let (_, me) = app.get(&k.token, "/api/v1/kiosk/me").await;
    assert_eq!(me["active_hold"]["id"], hold_id);
    assert_eq!(me["round"]["your_turn"], true);

    let (status, r) = app.confirm(&k.token, hold_id).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["policy_version"].as_i64()),
        (Some("confirmed"), Some(1))
    );
    assert_eq!(r["quote"]["origin_area_consumed_m2"], 74.59);
    assert_eq!(r["round_id"], round);
    let (_, me) = app.get(&k.token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 5.41);
    assert_eq!(me["active_hold"], Value::Null);
    assert_eq!(me["reservations"][0]["status"], "confirmed");
    app.assert_invariants();

    // the developer sees it, household masked, and files the contract (no notice required here)
    app.contracts_without_notice().await;
    let (status, list) = app.get(&dev.key, "/api/v1/reservations").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["household_name_masked"], "王*华");
    assert!(!list.to_string().contains("王0华"));
    let other = app.approved_developer(8).await;
    let (_, none) = app.get(&other.key, "/api/v1/reservations").await;
    assert_eq!(none["total"], 0);
    let rid = r["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            &other.key,
            &format!("/api/v1/reservations/{rid}/contract"),
            &json!({"contract_no": "X"}),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app
        .post_json(
            &dev.key,
            &format!("/api/v1/reservations/{rid}/contract"),
            &json!({"contract_no": ""}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, c) = app
        .post_json(
            &dev.key,
            &format!("/api/v1/reservations/{rid}/contract"),
            &json!({"contract_no": "WQ2026-000123"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["contract_no"].as_str()),
        (Some("contracted"), Some("WQ2026-000123"))
    );
    let (_, unit) = app
        .get(&dev.key, &format!("/api/v1/units/{}", units[0]))
        .await;
    assert_eq!(unit["status"], "sold");
    // a contracted reservation is not cancelled any more
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");

    // the public board shows the selection, masked
    let (status, board) = app
        .get("", &format!("/api/v1/board?round_id={round}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(
        (board["called_up_to"].as_i64(), board["size"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        board["recent_selections"][0]["household_name_masked"],
        "王*华"
    );
    assert_eq!(board["recent_selections"][0]["room"], "101");
    let (_, default_board) = app.get("", "/api/v1/board").await;
    assert_eq!(default_board["round_id"], round);
    for action in [
        "hold.created",
        "reservation.confirmed",
        "reservation.contracted",
    ] {
        assert_eq!(app.audit_count(action), 1, "{action}");
    }
    app.assert_invariants();
    app.assert_search_agrees().await;
}

#[tokio::test]
async fn release_and_cancellation_give_the_unit_back_and_restore_the_entitlement() {
    let app = spawn_app().await;
    let (_dev, units) = app.units_for_sale(2).await;
    let k = app.kiosks(1).await.remove(0);
    app.open_round(&[k.id], 1).await;
    let (_, hold) = app.hold(&k.token, units[0], None).await;
    let hold_id = hold["id"].as_i64().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/kiosk/holds/{hold_id}")))
        .bearer_auth(&k.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/kiosk/holds/{hold_id}")))
        .bearer_auth(&k.token)
        .send()
        .await
        .unwrap();
    let (status, body) = into_json(res).await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    app.assert_search_agrees().await;
    assert!(
        app.listing_ids("").await.contains(&units[0]),
        "released: back in search"
    );

    let (_, hold) = app.hold(&k.token, units[0], None).await;
    let (status, r) = app.confirm(&k.token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_body");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({"reason": " "}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, c) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({"reason": "家庭变故，申请退房"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["cancel_reason"].as_str()),
        (Some("cancelled"), Some("家庭变故，申请退房"))
    );
    let (_, me) = app.get(&k.token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 80.0, "entitlement restored");
    app.assert_invariants();
    app.assert_search_agrees().await;
    assert!(
        app.listing_ids("").await.contains(&units[0]),
        "cancelled: back in search"
    );
    assert_eq!(app.audit_count("reservation.cancelled"), 1);
    assert_eq!(app.audit_count("hold.released"), 1);
}

#[tokio::test]
async fn every_refusal_has_its_own_code() {
    let app = spawn_app().await;
    let (_dev, units) = app.units_for_sale(4).await;
    let ks = app.kiosks(3).await;
    let (a, b, c) = (&ks[0], &ks[1], &ks[2]);

    // no round open yet
    let (status, body) = app.hold(&a.token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "round_not_open");
    let round = app.open_round(&[a.id, b.id], 1).await;
    // c is in no round, b is not called yet
    let (status, body) = app.hold(&c.token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "round_not_open");
    let (status, body) = app.hold(&b.token, units[0], None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "not_your_turn");
    let (status, hold) = app.hold(&a.token, units[0], Some("k-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    // the same key with another body; a second hold; a taken unit
    let (status, body) = app.hold(&a.token, units[1], Some("k-1")).await;
    assert_error(
        status,
        &body,
        StatusCode::CONFLICT,
        "idempotency_key_reused",
    );
    let (status, body) = app.hold(&a.token, units[1], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "hold_limit_reached");
    app.post_json(
        ADMIN_TOKEN,
        &format!("/api/v1/rounds/{round}/call"),
        &json!({"up_to": 2}),
    )
    .await;
    let (status, body) = app.hold(&b.token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "unit_not_available");
    let (status, body) = app.hold(&b.token, 999_999, None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    // a replay of the first request returns the first response
    let (status, replay) = app.hold(&a.token, units[0], Some("k-1")).await;
    assert_eq!(
        (status, replay["id"].clone()),
        (StatusCode::CREATED, hold["id"].clone())
    );

    // confirming after expiry
    app.clock.advance(15 * 60_000);
    let a_token = app.kiosk_token(&a.voucher, &a.pin).await;
    let (status, body) = app.confirm(&a_token, hold["id"].as_i64().unwrap()).await;
    assert_error(status, &body, StatusCode::CONFLICT, "hold_expired");
    // another household's hold is not found
    let b_token = app.kiosk_token(&b.voucher, &b.pin).await;
    let (status, body) = app.confirm(&b_token, hold["id"].as_i64().unwrap()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // entitlement exhausted: a takes 89.50 m² (74.59 of 80.00) then 5.41 more, then nothing left
    for unit in [units[1], units[2]] {
        let (status, h) = app.hold(&a_token, unit, None).await;
        assert_eq!(status, StatusCode::CREATED, "{h}");
        let (status, r) = app.confirm(&a_token, h["id"].as_i64().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }
    let (_, me) = app.get(&a_token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 0.0);
    let (status, body) = app.hold(&a_token, units[3], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "entitlement_exhausted");

    // a closed round takes no holds; the voucher runs out after voucher_validity_days
    app.post_json(
        ADMIN_TOKEN,
        &format!("/api/v1/rounds/{round}/close"),
        &json!({}),
    )
    .await;
    let (status, body) = app.hold(&b_token, units[3], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "round_not_open");
    app.post_json(
        ADMIN_TOKEN,
        &format!("/api/v1/rounds/{round}/open"),
        &json!({}),
    )
    .await;
    app.clock.advance(366 * 86_400_000);
    let b_token = app.kiosk_token(&b.voucher, &b.pin).await;
    let (status, body) = app.hold(&b_token, units[3], None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "voucher_expired");
    // officials and developers do not hold
    let (status, body) = app.hold(ADMIN_TOKEN, units[3], None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    app.assert_invariants();
}

#[tokio::test]
async fn an_expired_hold_frees_the_unit_at_once_even_without_a_sweeper() {
    let app = spawn_app_with(|c| c.kiosk.hold_sweep_ms = 0).await;
    let (_dev, units) = app.units_for_sale(1).await;
    let ks = app.kiosks(2).await;
    app.open_round(&[ks[0].id, ks[1].id], 2).await;
    let (status, hold) = app.hold(&ks[0].token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, body) = app.hold(&ks[1].token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "unit_not_available");
    app.clock.advance(15 * 60_000 - 1);
    // kiosk sessions time out after 5 idle minutes: the households log in again
    let first = app.kiosk_token(&ks[0].voucher, &ks[0].pin).await;
    let other = app.kiosk_token(&ks[1].voucher, &ks[1].pin).await;
    let (status, body) = app.hold(&other, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "unit_not_available");
    app.clock.advance(1);
    let (status, second) = app.hold(&other, units[0], None).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{second}: free at the expiry instant, no sweeper"
    );
    let (status, body) = app.confirm(&first, hold["id"].as_i64().unwrap()).await;
    assert_error(status, &body, StatusCode::CONFLICT, "hold_expired");
    let (status, r) = app.confirm(&other, second["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    app.assert_invariants();
    app.assert_search_agrees().await;
}

#[tokio::test]
async fn the_sweeper_puts_an_expired_hold_s_unit_back_into_search() {
    let app = spawn_app_with(|c| c.kiosk.hold_sweep_ms = 100).await;
    let (_dev, units) = app.units_for_sale(1).await;
    let k = app.kiosks(1).await.remove(0);
    app.open_round(&[k.id], 1).await;
    let (status, _) = app.hold(&k.token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED);
    app.assert_search_agrees().await;
    assert!(app.listing_ids("").await.is_empty());
    app.clock.advance(15 * 60_000);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while app.listing_ids("").await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the unit came back into search"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.audit_count("hold.expired"), 1);
    app.assert_invariants();
}
