//! Officials' figures over a known history built through the API with the clock set (no
//! sleeping): confirmations on both sides of 旬 and month boundaries (February's end included),
//! a cancellation, contracts; every figure asserted exactly, exports read back, charts parsed.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, en_csv, en_row, spawn_app, Developer, TestApp, ADMIN_TOKEN};
use crate::households::{hh_row, id_number, HH_HEADER_ZH};

/// Milliseconds of a Shanghai local time.
fn local(y: i32, m: u32, d: u32, h: u32, mi: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
        - 8 * 3_600_000
}

struct History {
    dev1: Developer,
    dev2: Developer,
    viewer: String,
    kiosk_token: String,
}

async fn project_in(
    app: &TestApp,
    dev: &Developer,
    name: &str,
    district: &str,
    zone: i64,
    units: usize,
) -> Vec<i64> {
    let (status, p) = app
        .post_json(&dev.key, "/api/v1/projects", &json!({ "name": name, "district": district, "zone_class": zone,
            "address": "解放大道1号", "presale_permit_no": "2026预字第009号", "delivery": "ready", "amenities": [], "description": "" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    app.post_json(
        ADMIN_TOKEN,
        &format!("/api/v1/projects/{id}/approve"),
        &json!({}),
    )
    .await;
    let rows: Vec<String> = (0..units)
        .map(|i| en_row("1", &format!("{}", 101 + i)))
        .collect();
    let (status, body) = app.upload(&dev.key, id, "text/csv", en_csv(&rows)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = app
        .get(&dev.key, &format!("/api/v1/projects/{id}/units"))
        .await;
    let mut ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// 江岸区 (zone 1, 4 units, developer 1), 武昌区 (zone 2, 4 units, developer 1), 洪山区 (zone 3,
/// 2 units, developer 2); nine hall households, one cash, one in kind; confirmations at set
/// local times; one cancelled; three contracted; one unit left held.
async fn history(app: &TestApp) -> History {
    let dev1 = app.approved_developer(1).await;
    let dev2 = app.approved_developer(2).await;
    let a = project_in(app, &dev1, "江岸花园", "江岸区", 1, 4).await;
    let b = project_in(app, &dev1, "武昌名邸", "武昌区", 2, 4).await;
    let c = project_in(app, &dev2, "洪山新城", "洪山区", 3, 2).await;
    let ks = app.kiosks(9).await;
    let others = format!(
        "{HH_HEADER_ZH}\n{}\n{}\n",
        hh_row("钱一", &id_number("19600101", 901), "50", "1", "货币补偿"),
        hh_row("孙二", &id_number("19600101", 902), "50", "1", "产权调换"),
    );
    let (status, body) = app
        .import_households(ADMIN_TOKEN, "text/csv", others.into_bytes())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
    app.open_round(&ids, 9).await;

    let mut confirmed = Vec::new();
    let plan = [
        (local(2026, 2, 28, 12, 0), c[0]), // 2026-02 下旬 (February's last day)
        (local(2026, 3, 10, 23, 59), a[0]), // 上旬, the last minute of the 10th
        (local(2026, 3, 11, 0, 0), a[1]),  // 中旬, the first minute of the 11th
        (local(2026, 3, 20, 9, 0), b[0]),  // 中旬
        (local(2026, 3, 21, 9, 0), b[1]),  // 下旬
        (local(2026, 3, 31, 17, 0), a[2]), // 下旬, month end
        (local(2026, 4, 15, 10, 0), b[2]), // 2026-04 中旬
        (local(2026, 4, 16, 10, 0), a[3]), // cancelled below
    ];
    for (k, (at, unit)) in ks.iter().zip(plan) {
        app.clock.set(at);
        let token = app.kiosk_token(&k.voucher, &k.pin).await;
        let (status, hold) = app.hold(&token, unit, None).await;
        assert_eq!(status, StatusCode::CREATED, "{hold}");
        let (status, r) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        confirmed.push(r["id"].as_i64().unwrap());
    }
    app.clock.set(local(2026, 4, 20, 9, 0));
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{}/cancel", confirmed[7]),
            &json!({"reason": "退房"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.contracts_without_notice().await;
    for (dev, r) in [
        (&dev2, confirmed[0]),
        (&dev1, confirmed[1]),
        (&dev1, confirmed[3]),
    ] {
        let (status, body) = app
            .post_json(
                &dev.key,
                &format!("/api/v1/reservations/{r}/contract"),
                &json!({"contract_no": format!("WQ-{r}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // the ninth household holds 洪山新城's second unit and does not confirm
    let kiosk_token = app.kiosk_token(&ks[8].voucher, &ks[8].pin).await;
    let (status, hold) = app.hold(&kiosk_token, c[1], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "统计科", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    History {
        dev1,
        dev2,
        viewer: viewer["token"].as_str().unwrap().to_string(),
        kiosk_token,
    }
}

fn rows_by<'a>(body: &'a Value, field: &str) -> Vec<(&'a str, &'a Value)> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[field].as_str().unwrap(), r))
        .collect()
}

mod exports;
mod figures;
mod tickets;
