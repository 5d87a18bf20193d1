//! A household at the kiosk: log-in with voucher + PIN, lock-out and throttling, sessions that
//! time out or end, its own entitlement, exact quotes in every zone class, and matches ranked by
//! fit within the filters and the top-up limit.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    assert_error, en_csv, into_json, spawn_app, spawn_app_with, TestApp, ADMIN_TOKEN,
};

impl TestApp {
    pub async fn login(&self, voucher: &str, pin: &str) -> (StatusCode, Value) {
        self.post_json(
            "",
            "/api/v1/kiosk/login",
            &json!({ "voucher_no": voucher, "pin": pin }),
        )
        .await
    }

    /// Logs in and returns the session token.
    pub async fn kiosk_token(&self, voucher: &str, pin: &str) -> String {
        let (status, body) = self.login(voucher, pin).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_string()
    }
}

fn wrong(pin: &str) -> &'static str {
    if pin == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// Three approved projects, one per zone class, with units whose quotes for A0 = 80.00 m² from
/// zone 1 are known; returns unit ids by `building-room`.
async fn hall(app: &TestApp) -> HashMap<String, i64> {
    let dev = app.approved_developer(1).await;
    let units = [
        (
            1,
            vec![
                ("1", "101", "3室2厅2卫", "80.00", 20_000),
                ("1", "102", "2室1厅1卫", "60.00", 20_000),
                ("1", "103", "2室1厅1卫", "90.00", 20_000),
            ],
        ),
        (
            2,
            vec![
                ("2", "101", "2室1厅1卫", "100.00", 9_000),
                ("2", "102", "2室1厅1卫", "95.00", 9_000),
            ],
        ),
        (
            3,
            vec![
                ("3", "101", "2室1厅1卫", "120.00", 7_000),
                ("3", "102", "2室1厅1卫", "130.00", 7_000),
            ],
        ),
    ];
    let mut ids = HashMap::new();
    for (zone, rows) in units {
        let project = app
            .project_in_zone(&dev, &format!("{zone}区花园"), zone, true)
            .await;
        let rows: Vec<String> = rows
            .iter()
            .map(|(b, r, layout, area, price)| {
                format!("{b},1,{r},5,{layout},{area},,{price},,南,fine,,available")
            })
            .collect();
        let (status, body) = app
            .upload(&dev.key, project, "text/csv", en_csv(&rows))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, list) = app
            .get(
                &dev.key,
                &format!("/api/v1/projects/{project}/units?per_page=100"),
            )
            .await;
        for u in list["items"].as_array().unwrap() {
            let key = format!(
                "{}-{}",
                u["building"].as_str().unwrap(),
                u["room"].as_str().unwrap()
            );
            ids.insert(key, u["id"].as_i64().unwrap());
        }
    }
    ids
}

fn quote_of(v: &Value) -> (f64, f64, f64, i64, i64, i64) {
    let q = &v["quote"];
    (
        q["entitled_area_m2"].as_f64().unwrap(),
        q["covered_area_m2"].as_f64().unwrap(),
        q["origin_area_consumed_m2"].as_f64().unwrap(),
        q["gov_pays_yuan"].as_i64().unwrap(),
        q["top_up_yuan"].as_i64().unwrap(),
        q["reward_yuan"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_household_logs_in_and_sees_its_entitlement_and_exact_quotes_in_every_zone() {
    let app = spawn_app().await;
    let units = hall(&app).await;
    let (id, voucher, pin) = app.household(1, "80.00", 1).await;
    // voucher typed loosely: lower case, no dashes
    let (status, login) = app
        .login(&voucher.to_lowercase().replace('-', ""), &pin)
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert!(login["token"].as_str().unwrap().starts_with("ks_"));
    assert_eq!(login["household"]["id"], id);
    assert_eq!(login["household"]["name_masked"], "张*1");
    assert_eq!(
        login["expires_at"], "2026-03-02T09:05:00.000Z",
        "idle timeout of 300 s"
    );
    let token = login["token"].as_str().unwrap();

    let (status, me) = app.get(token, "/api/v1/kiosk/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["household"]["voucher_no"], voucher.as_str());
    assert_eq!(
        (me["origin_zone"].as_i64(), me["origin_area_m2"].as_f64()),
        (Some(1), Some(80.0))
    );
    assert_eq!(me["remaining_origin_area_m2"], 80.0);
    assert_eq!(
        me["entitled_area_m2_by_zone"],
        json!({"1": 80.0, "2": 96.0, "3": 120.0})
    );
    assert_eq!(me["cash_out_yuan"], 1_200_000);
    assert_eq!(me["active_hold"], Value::Null);
    assert!(!me.to_string().contains("张小1"), "only the masked name");

    let expected = [
        // domain.md's worked example
        ("2-101", (96.0, 96.0, 80.0, 864_000, 36_000, 24_000)),
        ("2-102", (96.0, 95.0, 79.17, 855_000, 0, 23_751)),
        ("1-101", (80.0, 80.0, 80.0, 1_600_000, 0, 0)),
        ("1-103", (80.0, 80.0, 80.0, 1_600_000, 200_000, 0)),
        ("3-101", (120.0, 120.0, 80.0, 840_000, 0, 24_000)),
        ("3-102", (120.0, 120.0, 80.0, 840_000, 70_000, 24_000)),
    ];
    for (key, want) in expected {
        let (status, q) = app
            .get(token, &format!("/api/v1/kiosk/quote/{}", units[key]))
            .await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert_eq!(quote_of(&q), want, "{key}: {q}");
        assert_eq!(q["policy_version"], 1);
        assert_eq!(q["listing"]["unit_id"], units[key]);
    }
    let (_, q) = app
        .get(token, &format!("/api/v1/kiosk/quote/{}", units["2-101"]))
        .await;
    assert_eq!(q["fit"]["kind"], "top_up");
    assert_eq!(q["fit"]["over_entitlement_m2"], 4.0);
    // a withdrawn unit has no quote
    let (status, body) = app.get(token, "/api/v1/kiosk/quote/999999").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // a household from zone 3 gets less in the core: its own figures, not the first one's
    let (_, v2, p2) = app.household(2, "100.00", 3).await;
    let other = app.kiosk_token(&v2, &p2).await;
    let (_, q) = app
        .get(&other, &format!("/api/v1/kiosk/quote/{}", units["1-101"]))
        .await;
    assert_eq!(quote_of(&q), (60.0, 60.0, 100.0, 1_200_000, 400_000, 0));
}

#[tokio::test]
async fn matches_rank_by_fit_within_the_filters_and_never_exceed_the_top_up_limit() {
    let app = spawn_app().await;
    let units = hall(&app).await;
    let (_, voucher, pin) = app.household(1, "80.00", 1).await;
    let token = app.kiosk_token(&voucher, &pin).await;
    let name_of: HashMap<i64, String> = units.iter().map(|(k, v)| (*v, k.clone())).collect();
    let matches = |query: &'static str| {
        let (app, token, name_of) = (&app, token.clone(), &name_of);
        async move {
            let (status, body) = app
                .get(&token, &format!("/api/v1/kiosk/matches{query}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            let names: Vec<String> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| name_of[&i["unit_id"].as_i64().unwrap()].clone())
                .collect();
            (names, body)
        }
    };
    // fully covered first, closest to the entitled area first (3-101 and 1-101 use it all; the
    // reward breaks their tie), then top-ups from the smallest
    let (all, body) = matches("").await;
    assert_eq!(
        all,
        ["3-101", "1-101", "2-102", "1-102", "2-101", "3-102", "1-103"]
    );
    assert_eq!(body["total"], 7);
    assert_eq!(body["items"][0]["fit"]["kind"], "fully_covered");
    assert_eq!(body["items"][0]["fit"]["unused_entitlement_m2"], 0.0);
    assert_eq!(body["items"][2]["fit"]["unused_entitlement_m2"], 1.0);
    assert_eq!(
        quote_of(&body["items"][4]),
        (96.0, 96.0, 80.0, 864_000, 36_000, 24_000)
    );
    assert!(body["items"][4]["fit"]["summary"]
        .as_str()
        .unwrap()
        .contains("4.00 m²"));
    assert_eq!(body["items"][0]["project_name"], "3区花园");

    let (capped, body) = matches("?max_top_up_yuan=36000").await;
    assert_eq!(
        capped,
        ["3-101", "1-101", "2-102", "1-102", "2-101"],
        "36 000 is within the limit"
    );
    assert_eq!(body["total"], 5);
    let (capped, _) = matches("?max_top_up_yuan=35999").await;
    assert_eq!(capped, ["3-101", "1-101", "2-102", "1-102"]);
    let (none, body) = matches("?max_top_up_yuan=0").await;
    assert_eq!(none.len(), 4);
    for item in body["items"].as_array().unwrap() {
        assert_eq!(item["quote"]["top_up_yuan"], 0);
    }
    let (zone2, _) = matches("?zone_class=2").await;
    assert_eq!(zone2, ["2-102", "2-101"]);
    let (three_rooms, _) = matches("?rooms=3").await;
    assert_eq!(three_rooms, ["1-101"]);
    let (big, _) =
        matches("?min_area_m2=95&max_price_per_m2_yuan=9000&max_top_up_yuan=50000").await;
    assert_eq!(big, ["3-101", "2-102", "2-101"]);
    let (page2, body) = matches("?per_page=2&page=2").await;
    assert_eq!(page2, ["2-102", "1-102"]);
    assert_eq!(
        (body["total"].as_i64(), body["page"].as_i64()),
        (Some(7), Some(2))
    );
    let (page4, _) = matches("?per_page=2&page=4").await;
    assert_eq!(page4, ["1-103"]);

    for bad in [
        "?max_top_up_yuan=-1",
        "?q=花园",
        "?sort=price_asc",
        "?zone_class=4",
        "?per_page=1000",
    ] {
        let (status, body) = app
            .get(&token, &format!("/api/v1/kiosk/matches{bad}"))
            .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    }
}

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
    app.clock.advance(299_000);
    let (status, _) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(status, StatusCode::OK, "activity moves the deadline");
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
