//! The hall's own events (holds, confirmations, cancellations) reach the developer.

use super::*;

#[tokio::test]
async fn holds_confirmations_and_cancellations_reach_the_developer_signed_and_without_personal_data(
) {
    let app = spawn_app().await;
    let (dev, units) = app.units_for_sale(2).await;
    let rx = Receiver::start(0).await;
    let secret = register(&app, &dev, &rx.url).await;
    let kiosks = app.kiosks(1).await;
    let k = &kiosks[0];
    app.open_round(&[k.id], 1).await;

    let (status, hold) = app.hold(&k.token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let hold_id = hold["id"].as_i64().unwrap();
    let (status, confirmed) = app.confirm(&k.token, hold_id).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let rid = confirmed["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({ "reason": "材料核查未通过" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut got = rx.wait_for(3, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 3);
    got.sort_by_key(|r| r.delivery.parse::<i64>().unwrap());
    let events: Vec<_> = got.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "hold.created",
            "reservation.confirmed",
            "reservation.cancelled"
        ]
    );
    for r in &got {
        assert!(r.signed_with(&secret), "{r:?}");
        let body = r.json();
        assert_eq!(body["event"], r.event.as_str());
        assert_eq!(body["data"]["unit_id"], units[0]);
        assert_eq!(body["data"]["reservation_id"], rid);
        let text = String::from_utf8(r.body.clone()).unwrap();
        let voucher = k.voucher.replace('-', "");
        assert!(
            !text.contains("王0华") && !text.contains(&k.voucher) && !text.contains(&voucher),
            "personal data in a notice: {text}"
        );
    }
    assert_eq!(got[2].json()["data"]["status"], "cancelled");
}

#[tokio::test]
async fn a_dead_receiver_never_slows_a_hold_or_a_confirmation() {
    let app = spawn_app().await;
    let (dev, units) = app.units_for_sale(2).await;
    // accepts connections and never answers: every request waits for the 5 s time limit
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    register(
        &app,
        &dev,
        &format!("http://{}/x", black_hole.local_addr().unwrap()),
    )
    .await;
    for i in 0..8 {
        enqueue(&app, dev.id, "hold.created", &payload(i));
    }
    app.state.webhooks.notify();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let kiosks = app.kiosks(1).await;
    let k = &kiosks[0];
    app.open_round(&[k.id], 1).await;

    let started = Instant::now();
    let (status, hold) = app.hold(&k.token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, body) = app.confirm(&k.token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "hold + confirm took {elapsed:?} with a hanging receiver"
    );
    let list = deliveries(&app, &dev.key, dev.id).await;
    assert_eq!(list["total"], 10);
    assert_eq!(list["items"][0]["event"], "reservation.confirmed");
    assert_eq!(list["items"][0]["status"], "pending");
    drop(black_hole);
}
