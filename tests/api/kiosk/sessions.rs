//! Log-in limits, throttling, session expiry, and a session's reach.

use super::*;

#[tokio::test]
async fn a_voucher_locks_after_the_configured_failures_even_for_the_right_pin() {
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
    for _ in 0..2 {
        let (status, body) = app.login(&voucher, wrong(&pin)).await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    let (status, body) = app.login(&voucher, wrong(&pin)).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    assert_eq!(
        body["error"]["details"]["locked_until"],
        "2026-03-02T09:10:00.000Z"
    );
    let (status, body) = app.login(&voucher, &pin).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    app.clock.advance(9 * 60_000);
    let (status, body) = app.login(&voucher, &pin).await;
    assert_error(status, &body, StatusCode::LOCKED, "login_locked");
    app.clock.advance(60_000);
    let (status, body) = app.login(&voucher, &pin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // a success clears the count: two more failures do not lock
    for _ in 0..2 {
        let (status, _) = app.login(&voucher, wrong(&pin)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = app.login(&voucher, &pin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.audit_count("kiosk.login_locked"), 1);
    assert_eq!(app.audit_count("kiosk.login_failed"), 4);
    // malformed input is a plain failure, not a 500
    for (v, p) in [
        ("", ""),
        ("AAAA-BBBB-CCCC", "12345"),
        (voucher.as_str(), "12345x"),
    ] {
        let (status, body) = app.login(v, p).await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled() {
    let app = spawn_app_with(|c| c.kiosk.address_max_failures = 4).await;
    let (_, voucher, pin) = app.household(1, "80.00", 1).await;
    for i in 0..4 {
        let (status, body) = app
            .login(&format!("AAAA-BBBB-CC{:02}", 22 + i), "123456")
            .await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    let res = app
        .client
        .post(app.url("/api/v1/kiosk/login"))
        .json(&json!({ "voucher_no": voucher, "pin": pin }))
        .send()
        .await
        .unwrap();
    let retry_after: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
    let (status, body) = into_json(res).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "login_locked");
    app.clock.advance(600_000);
    let (status, body) = app.login(&voucher, &pin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_idle_or_logged_out_session_gets_401() {
    let app = spawn_app().await;
    let (_, voucher, pin) = app.household(1, "80.00", 1).await;
    let token = app.kiosk_token(&voucher, &pin).await;
    let (logged_in, _) = session_stamp(&app);
    app.clock.advance(299_000);
    let (status, _) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(status, StatusCode::OK, "activity moves the deadline");
    // the deadline is written beside the request: wait for it before the clock jumps again
    touched_at(&app, logged_in + 299_000).await;
    app.clock.advance(299_000);
    let (status, _) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(status, StatusCode::OK);
    app.clock.advance(300_000);
    let (status, body) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "session_expired");

    let token = app.kiosk_token(&voucher, &pin).await;
    let (status, _) = app
        .post_json(&token, "/api/v1/kiosk/logout", &json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "session_expired");
    let (status, body) = app
        .post_json(&token, "/api/v1/kiosk/logout", &json!({}))
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "session_expired");
    let (status, body) = app.get("ks_0000", "/api/v1/kiosk/me").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "session_expired");
    let (status, body) = app.get("", "/api/v1/kiosk/me").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_kiosk_session_reaches_only_its_own_household() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let project = app.project(&dev, "锦园华苑", true).await;
    let (other_id, _, _) = app.household(2, "50.00", 2).await;
    let (own_id, voucher, pin) = app.household(1, "80.00", 1).await;
    let token = app.kiosk_token(&voucher, &pin).await;
    let (_, me) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(me["household"]["id"], own_id);
    for path in [
        "/api/v1/households".to_string(),
        format!("/api/v1/households/{other_id}"),
        format!("/api/v1/households/{own_id}"),
        "/api/v1/developers".to_string(),
        format!("/api/v1/developers/{}", dev.id),
        "/api/v1/projects".to_string(),
        format!("/api/v1/projects/{project}"),
        format!("/api/v1/projects/{project}/units"),
        "/api/v1/policy/versions".to_string(),
    ] {
        let (status, body) = app.get(&token, &path).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let (status, body) = app
        .post_json(
            &token,
            &format!("/api/v1/projects/{project}/approve"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .put_json(token.clone(), "/api/v1/policy", json!({"hold_minutes": 1}))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .import_households(&token, "text/csv", b"x".to_vec())
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.upload(&token, project, "text/csv", en_csv(&[])).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    // and officials and developers are not households
    for key in [ADMIN_TOKEN, dev.key.as_str()] {
        let (status, body) = app.get(key, "/api/v1/kiosk/me").await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = app.get(key, "/api/v1/kiosk/matches").await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
}

/// `(last_seen_ms, expires_at_ms)` of the only kiosk session.
fn session_stamp(app: &TestApp) -> (i64, i64) {
    use anju::db::schema::kiosk_sessions;
    use diesel::prelude::*;
    kiosk_sessions::table
        .select((kiosk_sessions::last_seen_ms, kiosk_sessions::expires_at_ms))
        .first(&mut *app.conn())
        .unwrap()
}

/// Waits (up to 2 s) until the only session's last use is recorded as `at_ms`.
async fn touched_at(app: &TestApp, at_ms: i64) {
    for _ in 0..200 {
        if session_stamp(app).0 == at_ms {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "the session's deadline did not move: {:?}",
        session_stamp(app)
    );
}

#[tokio::test]
async fn a_session_check_writes_nothing_until_the_idle_deadline_is_due_to_move() {
    let app = spawn_app().await;
    let (_, voucher, pin) = app.household(1, "80.00", 1).await;
    let token = app.kiosk_token(&voucher, &pin).await;
    let (logged_in, expires) = session_stamp(&app);
    assert_eq!(expires, logged_in + 300_000);
    app.clock.advance(14_999);
    for _ in 0..5 {
        let (status, _) = app.get(&token, "/api/v1/kiosk/me").await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        session_stamp(&app),
        (logged_in, expires),
        "within 15 s of the last write a request only reads"
    );
    app.clock.advance(1);
    let (status, _) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(status, StatusCode::OK);
    // the due write is made beside the request: it lands shortly after
    touched_at(&app, logged_in + 15_000).await;
    assert_eq!(
        session_stamp(&app),
        (logged_in + 15_000, logged_in + 15_000 + 300_000)
    );
}
