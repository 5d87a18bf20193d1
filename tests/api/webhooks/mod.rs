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

mod delivery;
mod events;
mod guarded;
mod outbound;
mod registration;
