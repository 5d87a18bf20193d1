//! PIN lock-outs escalate: each lock-out of the same voucher doubles the last (up to 24 h), at
//! most 10 wrong PINs count within 24 hours, and every 423 says when to come back.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const MIN: i64 = 60_000;

fn wrong(pin: &str) -> &'static str {
    if pin == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// Logs in with `pin`; the status, body and `Retry-After` in seconds.
async fn try_pin(app: &TestApp, voucher: &str, pin: &str) -> (StatusCode, Value, Option<i64>) {
    let res = app
        .client
        .post(app.url("/api/v1/kiosk/login"))
        .json(&json!({ "voucher_no": voucher, "pin": pin }))
        .send()
        .await
        .unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let (status, body) = into_json(res).await;
    (status, body, retry)
}

/// `n` wrong PINs: all 401 but the last, which locks; returns its `Retry-After`.
async fn lock_with(app: &TestApp, voucher: &str, pin: &str, n: usize) -> i64 {
    for _ in 1..n {
        let (status, body, _) = try_pin(app, voucher, wrong(pin)).await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    let (status, body, retry) = try_pin(app, voucher, wrong(pin)).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    retry.expect("a 423 carries Retry-After")
}

#[tokio::test]
async fn each_lockout_doubles_and_ten_wrong_pins_a_day_lock_until_the_day_ends() {
    let app = spawn_app().await;
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.into(),
            "/api/v1/policy",
            json!({"login_max_failures": 3, "login_lockout_minutes": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, voucher, pin) = app.household(1, "80.00", 1).await;

    // first lock-out: 10 minutes; while it lasts even the right PIN is refused, with Retry-After
    assert_eq!(lock_with(&app, &voucher, &pin, 3).await, 600);
    app.clock.advance(4 * MIN);
    let (status, body, retry) = try_pin(&app, &voucher, &pin).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    assert_eq!(retry, Some(360));
    // second: 20 minutes; third: 40 (9 wrong PINs so far)
    app.clock.advance(6 * MIN);
    assert_eq!(lock_with(&app, &voucher, &pin, 3).await, 1200);
    app.clock.advance(20 * MIN);
    assert_eq!(lock_with(&app, &voucher, &pin, 3).await, 2400);
    // the tenth wrong PIN of the day locks until 24 hours after the first
    app.clock.advance(40 * MIN);
    let retry = lock_with(&app, &voucher, &pin, 1).await;
    assert_eq!(retry, 24 * 3600 - 70 * 60);
    app.clock.advance(retry * 1000 - MIN);
    let (status, _, _) = try_pin(&app, &voucher, &pin).await;
    assert_eq!(status, StatusCode::LOCKED);
    // after the day the right PIN works, and ends the escalation
    app.clock.advance(MIN);
    let (status, body, _) = try_pin(&app, &voucher, &pin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(lock_with(&app, &voucher, &pin, 3).await, 600);
    assert_eq!(app.audit_count("kiosk.login_locked"), 5);
}

#[tokio::test]
async fn unknown_and_known_vouchers_get_the_same_answer() {
    let app = spawn_app().await;
    let (_, voucher, pin) = app.household(1, "80.00", 1).await;
    let (status, known, _) = try_pin(&app, &voucher, wrong(&pin)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // a well-formed voucher number that nobody holds
    let mut other = voucher.clone().into_bytes();
    let last = other.len() - 1;
    other[last] = if other[last] == b'A' { b'B' } else { b'A' };
    let other = String::from_utf8(other).unwrap();
    let (status, unknown, _) = try_pin(&app, &other, &pin).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(known["error"]["code"], unknown["error"]["code"]);
    assert_eq!(known["error"]["message"], unknown["error"]["message"]);
}
