//! Races on one ticket, with real concurrency against one server: redemptions and a kiosk
//! confirmation never debit more than the balance, two kiosks of one ticket cannot both hold, and
//! a transfer racing a hold leaves exactly one of them done.

use super::*;

#[tokio::test]
async fn concurrent_redemptions_and_a_confirmation_never_debit_more_than_the_balance() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(13).await;
    let mut units = Vec::new();
    for _ in 0..21 {
        // 300 000 each; at 20 % + 2 % a debit of 245 902 — four fit in 1 000 000, the fifth
        // takes the rest with a top-up, the others find the ticket exhausted
        units.push(app.unit_of(&dev, 2, "30.00", 10_000, "住宅").await);
    }
    let slip = app.ticket_holders(&[1_000_000]).await.remove(0);
    let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
    let mut codes = Vec::new();
    for _ in 0..20 {
        let (status, c) = app
            .post_json(&token, "/api/v1/kiosk/ticket/redemption-codes", &json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        codes.push(c["code"].as_str().unwrap().to_string());
    }
    let (status, hold) = app.hold(&token, units[20], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let hold_id = hold["id"].as_i64().unwrap();
    let mut tasks = Vec::new();
    for (code, unit) in codes.iter().zip(&units) {
        let (client, url, key) = (
            app.client.clone(),
            app.url("/api/v1/tickets/redeem"),
            dev.key.clone(),
        );
        let body = json!({"ticket_no": slip.ticket_no, "code": code, "unit_id": unit});
        tasks.push(tokio::spawn(async move {
            into_json(
                client
                    .post(url)
                    .bearer_auth(key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }));
    }
    let (client, url, t) = (
        app.client.clone(),
        app.url(&format!("/api/v1/kiosk/holds/{hold_id}/confirm")),
        token.clone(),
    );
    tasks.push(tokio::spawn(async move {
        into_json(
            client
                .post(url)
                .bearer_auth(t)
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
        )
        .await
    }));
    let mut debited = 0;
    let mut done = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::CREATED | StatusCode::OK => {
                done += 1;
                debited += body["quote"]["debit_yuan"].as_i64().unwrap();
            }
            StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "ticket_exhausted", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(done, 5, "four whole debits and the rest");
    assert_eq!(debited, 1_000_000, "exactly the balance, never more");
    let t = app.ticket(slip.id).await;
    assert_eq!(
        (t["balance_yuan"].as_i64(), t["status"].as_str()),
        (Some(0), Some("exhausted"))
    );
    app.assert_ticket_invariants();
}

#[tokio::test]
async fn two_kiosks_of_one_ticket_cannot_both_hold() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(14).await;
    let a = app.unit_of(&dev, 2, "40.00", 10_000, "住宅").await;
    let b = app.unit_of(&dev, 3, "40.00", 10_000, "住宅").await;
    let slip = app.ticket_holders(&[500_000]).await.remove(0);
    for round in 0..5 {
        let t1 = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
        let t2 = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
        let (r1, r2) = tokio::join!(app.hold(&t1, a, None), app.hold(&t2, b, None));
        let won: Vec<_> = [&r1, &r2]
            .into_iter()
            .filter(|r| r.0 == StatusCode::CREATED)
            .collect();
        assert_eq!(won.len(), 1, "round {round}: {r1:?} {r2:?}");
        let lost = if r1.0 == StatusCode::CREATED {
            &r2
        } else {
            &r1
        };
        assert_error(lost.0, &lost.1, StatusCode::CONFLICT, "hold_limit_reached");
        let token = if r1.0 == StatusCode::CREATED {
            &t1
        } else {
            &t2
        };
        let id = won[0].1["id"].as_i64().unwrap();
        let res = app
            .client
            .delete(app.url(&format!("/api/v1/kiosk/holds/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    app.assert_ticket_invariants();
}

#[tokio::test]
async fn a_transfer_racing_a_hold_leaves_exactly_one_of_them_done() {
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(15).await;
    let slips = app.ticket_holders(&[400_000; 6]).await;
    for (i, slip) in slips.iter().enumerate() {
        let unit = app
            .unit_of(&dev, 2, &format!("{}.00", 30 + i), 10_000, "住宅")
            .await;
        let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
        let to = json!({"name": "孙受让", "id_number": id_number("19880101", 700 + i as u32),
                        "phone": "13700001111", "reason": "转让"});
        let path = format!("/api/v1/tickets/{}/transfer", slip.id);
        let (hold, transfer) = tokio::join!(
            app.hold(&token, unit, None),
            app.post_json(ADMIN_TOKEN, &path, &to)
        );
        match (hold.0, transfer.0) {
            (StatusCode::CREATED, StatusCode::CONFLICT) => {
                assert_eq!(
                    transfer.1["error"]["code"], "ticket_transfer_not_allowed",
                    "{}",
                    transfer.1
                )
            }
            (StatusCode::UNAUTHORIZED, StatusCode::OK) => {
                assert_eq!(hold.1["error"]["code"], "session_expired", "{}", hold.1)
            }
            other => panic!(
                "ticket {i}: both or neither: {other:?} {} {}",
                hold.1, transfer.1
            ),
        }
    }
    app.assert_ticket_invariants();
}
