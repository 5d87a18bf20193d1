//! Registering and removing a webhook, its URL rules, and who reads the delivery log.

use super::*;

#[tokio::test]
async fn the_delivery_log_is_the_developer_s_own_and_readable_by_officials() {
    let app = spawn_app().await;
    let a = app.approved_developer(1).await;
    let b = app.approved_developer(2).await;
    let rx = Receiver::start(0).await;
    register(&app, &a, &rx.url).await;
    enqueue(&app, a.id, "hold.created", &payload(1));
    enqueue(&app, a.id, "hold.expired", &payload(1));
    rx.wait_for(2, Duration::from_secs(5)).await;
    let delivered = format!(
        "/api/v1/developers/{}/webhook/deliveries?status=delivered",
        a.id
    );
    let started = Instant::now();
    while app.get(&a.key, &delivered).await.1["total"] != 2 {
        assert!(started.elapsed() < Duration::from_secs(3), "both delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let own = deliveries(&app, &a.key, a.id).await;
    assert_eq!(own["total"], 2);
    assert_eq!(own["items"][0]["event"], "hold.expired", "newest first");
    let official = deliveries(&app, ADMIN_TOKEN, a.id).await;
    assert_eq!(official["total"], 2);
    let (status, body) = app
        .get(
            &a.key,
            &format!(
                "/api/v1/developers/{}/webhook/deliveries?status=pending",
                a.id
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 0, "{body}");
    let (status, body) = app
        .get(
            &a.key,
            &format!("/api/v1/developers/{}/webhook/deliveries?status=lost", a.id),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");

    // another developer: not found, whether it reads or writes
    let a_log = format!("/api/v1/developers/{}/webhook/deliveries", a.id);
    let a_hook = format!("/api/v1/developers/{}/webhook", a.id);
    let (status, body) = app.get(&b.key, &a_log).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.get(&b.key, &a_hook).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app
        .put_json(
            b.key.clone(),
            &a_hook,
            json!({ "url": "https://evil.example/" }),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let res = app
        .client
        .delete(app.url(&a_hook))
        .bearer_auth(&b.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // officials read but do not set a developer's webhook; no token at all is 401
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.into(),
            &a_hook,
            json!({ "url": "https://x.example/" }),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .get(ADMIN_TOKEN, "/api/v1/developers/999/webhook/deliveries")
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let res = app.client.get(app.url(&a_log)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_a_webhook_nothing_is_queued_and_removing_one_ends_its_pending_deliveries() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    enqueue(&app, dev.id, "hold.created", &payload(1));
    assert_eq!(delivery_rows(&app), 0);
    assert_eq!(deliveries(&app, &dev.key, dev.id).await["total"], 0);
    let hook = format!("/api/v1/developers/{}/webhook", dev.id);
    let (status, body) = app.get(&dev.key, &hook).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // a receiver that refuses: the delivery waits for its retry
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    register(&app, &dev, &format!("http://127.0.0.1:{closed_port}/x")).await;
    enqueue(&app, dev.id, "hold.created", &payload(2));
    assert_eq!(delivery_rows(&app), 1);
    wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| d["attempts"] == 1).await;

    let res = app
        .client
        .delete(app.url(&hook))
        .bearer_auth(&dev.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let d = deliveries(&app, &dev.key, dev.id).await["items"][0].clone();
    assert_eq!(d["status"], "failed", "{d}");
    assert_eq!(d["last_error"], "webhook_removed");
    enqueue(&app, dev.id, "hold.released", &payload(2));
    assert_eq!(delivery_rows(&app), 1, "nothing queued once removed");
    let res = app
        .client
        .delete(app.url(&hook))
        .bearer_auth(&dev.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_webhook_url_must_be_http_or_https() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let hook = format!("/api/v1/developers/{}/webhook", dev.id);
    for bad in [
        "ftp://sales.example.com/",
        "sales.example.com/hook",
        "https://user:pw@sales.example.com/",
        "",
    ] {
        let (status, body) = app
            .put_json(dev.key.clone(), &hook, json!({ "url": bad }))
            .await;
        let details = assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert_eq!(details["fields"][0]["field"], "url", "{bad}: {body}");
    }
    let (status, body) = app
        .put_json(
            dev.key.clone(),
            &hook,
            json!({ "url": "https://sales.example.com/", "secret": "mine" }),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_body");
    // the routes are in the OpenAPI document
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/developers/{id}/webhook"]["put"].is_object());
    assert!(doc["paths"]["/api/v1/developers/{id}/webhook/deliveries"]["get"].is_object());
}
