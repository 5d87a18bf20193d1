//! Delivery: signed JSON, retries with backoff, dead receivers, two instances sending once.

use super::*;

#[tokio::test]
async fn an_enqueued_event_reaches_the_receiver_as_signed_json() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let rx = Receiver::start(0).await;
    let secret = register(&app, &dev, &rx.url).await;

    enqueue(&app, dev.id, "hold.created", &payload(7));
    let got = rx.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1, "delivered within 5 s");
    let r = &got[0];
    assert!(r.signed_with(&secret), "signature verifies: {r:?}");
    assert!(!r.signed_with("whsec_other"));
    assert_eq!(r.event, "hold.created");
    assert_eq!(r.content_type, "application/json");
    let body = r.json();
    assert_eq!(body["event"], "hold.created");
    assert_eq!(body["developer_id"], dev.id);
    assert_eq!(body["data"], payload(7));
    assert_eq!(
        body["id"].to_string(),
        r.delivery,
        "event id = X-Anju-Delivery"
    );
    assert_eq!(r.timestamp, (app.clock.now_ms() / 1000).to_string());

    let d = wait_for_delivery(&app, &dev, Duration::from_secs(3), |d| {
        d["status"] == "delivered"
    })
    .await;
    assert_eq!(d["id"], body["id"]);
    assert_eq!(d["event"], "hold.created");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status_code"], 200);
    assert_eq!(d["last_error"], Value::Null);
    assert_eq!(d["data"], payload(7));
    assert!(d["delivered_at"].is_string(), "{d}");
    assert_eq!(d["next_attempt_at"], Value::Null);

    // the developer sees its webhook without the secret; a new PUT gives a new secret at once
    let path = format!("/api/v1/developers/{}/webhook", dev.id);
    let (status, shown) = app.get(&dev.key, &path).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["url"], rx.url.as_str());
    assert!(shown.get("secret").is_none(), "{shown}");
    let rotated = register(&app, &dev, &rx.url).await;
    assert_ne!(rotated, secret);
    enqueue(&app, dev.id, "reservation.confirmed", &payload(8));
    let got = rx.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2);
    assert!(got[1].signed_with(&rotated) && !got[1].signed_with(&secret));
    assert_eq!(got[1].event, "reservation.confirmed");
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_event_again_with_backoff_until_it_answers_2xx() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let rx = Receiver::start(2).await;
    let secret = register(&app, &dev, &rx.url).await;
    enqueue(&app, dev.id, "reservation.cancelled", &payload(3));

    // attempt 1 answered 500: pending, due again 1 s later (app clock)
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["attempts"] == 1 && d["last_status_code"] == 500
    })
    .await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(
        d["last_error"], "http_status_500",
        "a class, never the answer"
    );
    assert_eq!(d["next_attempt_at"], "2026-03-02T09:00:01.000Z", "{d}");
    // not before it is due
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.received().len(), 1, "no retry before the backoff");

    // attempt 2, after 1 s: 500 again; the next wait doubles
    app.clock.advance(1_000);
    app.state.webhooks.notify();
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["attempts"] == 2 && d["next_attempt_at"] == "2026-03-02T09:00:03.000Z"
    })
    .await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["last_status_code"], 500, "{d}");
    assert_eq!(rx.received().len(), 2);

    // attempt 3, after 2 s more: delivered
    app.clock.advance(2_000);
    app.state.webhooks.notify();
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["status"] == "delivered"
    })
    .await;
    assert_eq!(d["attempts"], 3, "{d}");
    assert_eq!(d["last_status_code"], 200);
    assert_eq!(d["last_error"], Value::Null);

    // three requests, one event: same id and same bytes, each signed; the receiver can
    // de-duplicate by id
    let got = rx.received();
    assert_eq!(got.len(), 3);
    let ids: BTreeSet<_> = got.iter().map(|r| r.delivery.clone()).collect();
    assert_eq!(ids.len(), 1);
    assert!(got.iter().all(|r| r.body == got[0].body));
    assert!(got.iter().all(|r| r.signed_with(&secret)));
    assert_eq!(got[0].json()["id"].to_string(), got[0].delivery);
}

#[tokio::test]
async fn a_dead_receiver_leaves_deliveries_pending_and_slows_nothing() {
    let app = spawn_app_with(|c| c.webhooks.timeout_ms = 1_000).await;
    let refused = app.approved_developer(1).await;
    let hanging = app.approved_developer(2).await;
    let rx = Receiver::start(0).await;
    let healthy = app.approved_developer(3).await;

    // nothing listens on a port just released; a listener that never accepts hangs every request
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    register(&app, &refused, &format!("http://127.0.0.1:{closed_port}/x")).await;
    register(
        &app,
        &hanging,
        &format!("http://{}/x", black_hole.local_addr().unwrap()),
    )
    .await;
    register(&app, &healthy, &rx.url).await;

    // enqueueing is a local insert, whatever the receivers do
    let started = Instant::now();
    for i in 0..10 {
        enqueue(&app, hanging.id, "hold.created", &payload(i));
    }
    enqueue(&app, refused.id, "hold.created", &payload(20));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "enqueue took {:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;

    // while the hanging receiver holds requests open, the API answers and others are served
    let started = Instant::now();
    let list = deliveries(&app, &hanging.key, hanging.id).await;
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(list["total"], 10);
    enqueue(&app, healthy.id, "hold.released", &payload(30));
    let got = rx.wait_for(1, Duration::from_secs(3)).await;
    assert_eq!(
        got.len(),
        1,
        "another developer's notice is not stuck behind a dead receiver"
    );

    let d = wait_for_delivery(&app, &refused, Duration::from_secs(5), |d| {
        d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status_code"], Value::Null);
    assert_eq!(d["last_error"], "connect_failed", "{d}");
    assert!(d["next_attempt_at"].is_string());

    let d = wait_for_delivery(&app, &hanging, Duration::from_secs(5), |d| {
        d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_error"], "timeout", "{d}");
    drop(black_hole);
}

#[tokio::test]
async fn two_instances_on_one_database_never_send_a_delivery_twice() {
    let app = spawn_app().await;
    let other = spawn_second_instance(&app, |_| {}).await;
    let dev = app.approved_developer(1).await;
    let rx = Receiver::start(0).await;
    register(&app, &dev, &rx.url).await;
    for i in 0..40 {
        enqueue(&app, dev.id, "hold.created", &payload(i));
    }
    app.state.webhooks.notify();
    other.state.webhooks.notify();
    let got = rx.wait_for(40, Duration::from_secs(8)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_after = rx.received();
    assert_eq!(got.len(), 40);
    assert_eq!(got_after.len(), 40, "nothing sent twice");
    let ids: BTreeSet<_> = got_after.iter().map(|r| r.delivery.clone()).collect();
    assert_eq!(ids.len(), 40);
    let (status, list) = app
        .get(
            &dev.key,
            &format!(
                "/api/v1/developers/{}/webhook/deliveries?status=delivered&per_page=100",
                dev.id
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 40, "{list}");
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["attempts"] == 1));
}
