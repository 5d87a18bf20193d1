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

mod quotes;
mod sessions;
