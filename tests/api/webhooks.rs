//! Webhooks to developers' sales systems, against a real local HTTP receiver: signed delivery,
//! retries with backoff, dead receivers, who may see the delivery log, no rows without a webhook,
//! and two instances on one database never sending a row twice.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use anju::clock::Clock;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{
    assert_error, spawn_app, spawn_app_with, spawn_second_instance, Developer, TestApp, ADMIN_TOKEN,
};

#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    timestamp: String,
    signature: String,
    content_type: String,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("json body")
    }

    /// The check a developer's receiver makes: HMAC-SHA256(secret, "{timestamp}.{body}").
    fn signed_with(&self, secret: &str) -> bool {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(self.timestamp.as_bytes());
        mac.update(b".");
        mac.update(&self.body);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        expected == self.signature
    }
}

/// A developer's sales system: records every POST; answers 500 to the first `fail_first`.
#[derive(Clone)]
struct Receiver {
    url: String,
    log: Arc<Mutex<Vec<Received>>>,
    failures_left: Arc<AtomicUsize>,
}

async fn receive(req: HttpRequest, body: web::Bytes, rx: web::Data<Receiver>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    rx.log.lock().unwrap().push(Received {
        event: header("x-anju-event"),
        delivery: header("x-anju-delivery"),
        timestamp: header("x-anju-timestamp"),
        signature: header("x-anju-signature"),
        content_type: header("content-type"),
        body: body.to_vec(),
    });
    let fail = rx
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if fail {
        HttpResponse::InternalServerError().body("down for maintenance")
    } else {
        HttpResponse::Ok().json(json!({"ok": true}))
    }
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hooks/anju",
            listener.local_addr().unwrap().port()
        );
        let rx = Receiver {
            url,
            log: Arc::default(),
            failures_left: Arc::new(AtomicUsize::new(fail_first)),
        };
        let data = web::Data::new(rx.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        rx
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n || started.elapsed() > within {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Registers `url` as the developer's webhook; returns the signing secret.
async fn register(app: &TestApp, dev: &Developer, url: &str) -> String {
    let (status, body) = app
        .put_json(
            dev.key.clone(),
            &format!("/api/v1/developers/{}/webhook", dev.id),
            json!({ "url": url }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["url"], url);
    let secret = body["secret"].as_str().expect("secret shown once");
    assert!(secret.starts_with("whsec_"), "{body}");
    secret.to_string()
}

fn payload(unit_id: i64) -> Value {
    json!({ "unit_id": unit_id, "project_id": 1, "building": "3", "unit": "1", "room": "1201",
            "reservation_id": 40 + unit_id, "status": "held", "at": "2026-03-02T09:00:00.000Z" })
}

/// What a selection transaction does: `enqueue` inside the caller's write transaction.
fn enqueue(app: &TestApp, developer_id: i64, event: &str, payload: &Value) {
    let mut conn = app.conn();
    let now = app.clock.now_ms();
    anju::db::write_tx(&mut conn, |c| {
        anju::db::webhooks::enqueue(c, developer_id, event, payload, now)
    })
    .expect("enqueue");
}

async fn deliveries(app: &TestApp, token: &str, developer_id: i64) -> Value {
    let (status, body) = app
        .get(
            token,
            &format!("/api/v1/developers/{developer_id}/webhook/deliveries"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Polls the delivery log until the newest delivery satisfies `done`.
async fn wait_for_delivery(
    app: &TestApp,
    dev: &Developer,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let list = deliveries(app, &dev.key, dev.id).await;
        let newest = list["items"][0].clone();
        if done(&newest) || started.elapsed() > within {
            return newest;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn delivery_rows(app: &TestApp) -> i64 {
    use anju::db::schema::webhook_deliveries;
    use diesel::prelude::*;
    webhook_deliveries::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

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
        d["last_error"],
        "receiver answered 500 Internal Server Error"
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
    assert!(
        d["last_error"]
            .as_str()
            .unwrap()
            .starts_with("cannot connect"),
        "{d}"
    );
    assert!(d["next_attempt_at"].is_string());

    let d = wait_for_delivery(&app, &hanging, Duration::from_secs(5), |d| {
        d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["attempts"], 1);
    assert!(
        d["last_error"].as_str().unwrap().starts_with("timed out"),
        "{d}"
    );
    drop(black_hole);
}

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
    assert_eq!(d["last_error"], "webhook removed");
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
