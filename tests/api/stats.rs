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

#[tokio::test]
async fn figures_over_a_known_history_are_exact() {
    let app = spawn_app().await;
    let h = history(&app).await;
    let v = h.viewer.as_str();

    let (status, o) = app.get(v, "/api/v1/stats/overview").await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let expected = json!({
        "stock_units": 10, "available_units": 2, "held_units": 1, "reserved_units": 4, "sold_units": 3,
        "absorption_rate": 0.7, "absorption_rate_by_area": 0.7, "absorption_rate_by_value": 0.7,
        "stock_area_m2": 895.0, "stock_value_yuan": 13_425_000,
        "households_total": 11, "households_by_method": {"hall": 9, "in_kind": 1, "cash": 1},
        "monetization_target_pct": 60,
    });
    let mut figures = o.clone();
    // JSON parsing may differ in the last bit; these two are checked to 1e-12
    let monetization = figures
        .as_object_mut()
        .unwrap()
        .remove("monetization_rate")
        .unwrap();
    let uptake = figures
        .as_object_mut()
        .unwrap()
        .remove("hall_uptake_rate")
        .unwrap();
    assert_eq!(figures, expected);
    assert!(
        (monetization.as_f64().unwrap() - 10.0 / 11.0).abs() < 1e-12,
        "{monetization}"
    );
    assert!(
        (uptake.as_f64().unwrap() - 7.0 / 9.0).abs() < 1e-12,
        "{uptake}"
    );

    // March by district: current stock and absorption, confirmations in the month
    let (status, d) = app
        .get(
            v,
            "/api/v1/stats/destocking?group_by=district&from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let got: Vec<(&str, i64, i64, i64, i64, f64)> = rows_by(&d, "label")
        .into_iter()
        .map(|(l, r)| {
            (
                l,
                r["stock_units"].as_i64().unwrap(),
                r["reserved_units"].as_i64().unwrap(),
                r["sold_units"].as_i64().unwrap(),
                r["confirmed_in_period"].as_i64().unwrap(),
                r["absorption_rate"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("武昌区", 4, 2, 1, 2, 0.75),
            ("江岸区", 4, 2, 1, 3, 0.75),
            ("洪山区", 2, 0, 1, 0, 0.5)
        ]
    );
    let jiangan = &d["rows"][1];
    assert_eq!(
        (
            jiangan["absorbed_area_m2"].as_f64(),
            jiangan["absorbed_value_yuan"].as_i64()
        ),
        (Some(268.5), Some(4_027_500))
    );

    // by 旬 from February: the 10th/11th, 20th/21st and month-end boundaries, cumulative absorption
    let (status, d) = app
        .get(
            v,
            "/api/v1/stats/destocking?group_by=district&period=xun&from=2026-02-01&to=2026-04-30",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let series = |district: &str| -> Vec<(String, i64, f64)> {
        d["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["label"] == district)
            .map(|r| {
                (
                    r["period"].as_str().unwrap().to_string(),
                    r["confirmed_in_period"].as_i64().unwrap(),
                    r["absorption_rate"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let p = |s: &str, n: i64, r: f64| (s.to_string(), n, r);
    assert_eq!(
        series("江岸区"),
        [
            p("2026-02 下旬", 0, 0.0),
            p("2026-03 上旬", 1, 0.25),
            p("2026-03 中旬", 1, 0.5),
            p("2026-03 下旬", 1, 0.75),
            p("2026-04 中旬", 0, 0.75)
        ]
    );
    assert_eq!(
        series("武昌区"),
        [
            p("2026-02 下旬", 0, 0.0),
            p("2026-03 上旬", 0, 0.0),
            p("2026-03 中旬", 1, 0.25),
            p("2026-03 下旬", 1, 0.5),
            p("2026-04 中旬", 1, 0.75)
        ]
    );
    assert_eq!(
        series("洪山区"),
        [
            p("2026-02 下旬", 1, 0.5),
            p("2026-03 上旬", 0, 0.5),
            p("2026-03 中旬", 0, 0.5),
            p("2026-03 下旬", 0, 0.5),
            p("2026-04 中旬", 0, 0.5)
        ]
    );
    // starting in March, what came before counts toward the cumulative rate
    let (_, d) = app
        .get(
            v,
            "/api/v1/stats/destocking?group_by=zone&period=month&from=2026-03-01&to=2026-04-30",
        )
        .await;
    let zone3: Vec<(&str, f64)> = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["key"] == "3")
        .map(|r| {
            (
                r["period"].as_str().unwrap(),
                r["absorption_rate"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(zone3, [("2026-03", 0.5), ("2026-04", 0.5)]);
    assert_eq!(d["rows"][0]["label"], "一类区");
    let (_, d) = app.get(v, "/api/v1/stats/destocking?group_by=developer&period=quarter&from=2026-01-01&to=2026-06-30").await;
    let quarters: Vec<(&str, &str, i64)> = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["period"].as_str().unwrap(),
                r["confirmed_in_period"].as_i64().unwrap(),
            )
        })
        .collect();
    let (d1, d2) = (h.dev1.id.to_string(), h.dev2.id.to_string());
    assert_eq!(
        quarters,
        [
            (d1.as_str(), "2026-Q1", 5),
            (d1.as_str(), "2026-Q2", 1),
            (d2.as_str(), "2026-Q1", 1),
            (d2.as_str(), "2026-Q2", 0)
        ]
    );
    let (_, d) = app
        .get(v, "/api/v1/stats/destocking?group_by=project&period=year")
        .await;
    assert_eq!(d["rows"].as_array().unwrap().len(), 3);
    assert_eq!(d["rows"][0]["period"], "2026");

    // rankings: March — 洪山区 last; April — 江岸区 and 洪山区 tie last, 洪山区 two months running
    let (status, r) = app
        .get(v, "/api/v1/stats/rankings?level=district&month=2026-03")
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let ranks = |r: &Value| -> Vec<(String, u64, bool, u64, bool)> {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["label"].as_str().unwrap().to_string(),
                    x["rank"].as_u64().unwrap(),
                    x["last"].as_bool().unwrap(),
                    x["consecutive_last_months"].as_u64().unwrap(),
                    x["flagged"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let row = |l: &str, rank, last, n, f| (l.to_string(), rank, last, n, f);
    assert_eq!(
        ranks(&r),
        [
            row("江岸区", 1, false, 0, false),
            row("武昌区", 2, false, 0, false),
            row("洪山区", 3, true, 1, false)
        ]
    );
    let (_, r) = app
        .get(v, "/api/v1/stats/rankings?level=district&month=2026-04")
        .await;
    assert_eq!(
        ranks(&r),
        [
            row("武昌区", 1, false, 0, false),
            row("江岸区", 2, true, 1, false),
            row("洪山区", 2, true, 2, true)
        ]
    );
    assert_eq!(r["rows"][0]["absorption_rate"], 0.25);
    let (_, r) = app
        .get(v, "/api/v1/stats/rankings?level=district&month=2026-02")
        .await;
    assert_eq!(
        ranks(&r),
        [
            row("洪山区", 1, false, 0, false),
            row("武昌区", 2, true, 1, false),
            row("江岸区", 2, true, 1, false)
        ]
    );
    let (_, r) = app
        .get(v, "/api/v1/stats/rankings?level=project&month=2026-04")
        .await;
    assert_eq!(r["rows"][0]["label"], "武昌名邸");

    // settlement: Σ gov_pays of contracted reservations
    let (status, s) = app.get(v, "/api/v1/stats/settlement").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        s["rows"],
        json!([
            {"developer_id": h.dev1.id, "developer_name": "开发商1置业有限公司", "contracted_reservations": 2, "gov_pays_yuan": 2_542_500},
            {"developer_id": h.dev2.id, "developer_name": "开发商2置业有限公司", "contracted_reservations": 1, "gov_pays_yuan": 1_342_500},
        ])
    );
    let (_, s) = app
        .get(
            v,
            &format!("/api/v1/stats/settlement?developer_id={}", h.dev1.id),
        )
        .await;
    let behind: Vec<i64> = s["reservations"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["gov_pays_yuan"].as_i64().unwrap())
        .collect();
    assert_eq!(behind, [1_342_500, 1_200_000]);
    assert_eq!(s["reservations"]["total"], 2);

    // the audit trail
    let (status, a) = app
        .get(v, "/api/v1/audit?action=reservation.confirmed&per_page=100")
        .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["total"], 8);
    let (_, a) = app
        .get(
            v,
            "/api/v1/audit?action=reservation.confirmed&from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(a["total"], 5);
    let (_, a) = app
        .get(
            v,
            &format!(
                "/api/v1/audit?actor=developer:{}&action=reservation.contracted",
                h.dev2.id
            ),
        )
        .await;
    assert_eq!(a["total"], 1);
    let (status, body) = app.get(v, "/api/v1/audit?actor=robot").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    for bad in [
        "group_by=floor",
        "period=week",
        "from=2026-13-01",
        "from=2026-04-01&to=2026-03-01",
    ] {
        let (status, body) = app.get(v, &format!("/api/v1/stats/destocking?{bad}")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let (status, body) = app.get(v, "/api/v1/stats/rankings?month=2026-3x").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    let _ = h.kiosk_token;
}

#[tokio::test]
async fn exports_and_charts_carry_the_same_figures() {
    let app = spawn_app().await;
    let h = history(&app).await;
    let v = h.viewer.as_str();
    let q = "group_by=district&from=2026-03-01&to=2026-03-31";
    let res = app
        .client
        .get(app.url(&format!(
            "/api/v1/stats/export?report=destocking&format=csv&{q}"
        )))
        .bearer_auth(v)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("去化统计（2026-03-01 至 2026-03-31），生成时间 2026-04-20 "),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "区县,统计期,存量套数,已认购套数,已网签套数,期内认购套数,存量面积（㎡）,去化面积（㎡）,存量货值（元）,去化货值（元）,去化率");
    assert_eq!(
        lines[3],
        "江岸区,全期,4,2,1,3,358.0000,268.5000,5370000,4027500,0.7500"
    );
    assert_eq!(lines.len(), 5);

    let res =
        app.client
            .get(app.url(
                "/api/v1/stats/export?report=rankings&format=xlsx&level=district&month=2026-04",
            ))
            .bearer_auth(v)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cell = |r: u32, c: u32| {
        sheet
            .get_value((r, c))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    assert!(cell(0, 0).starts_with("区县去化排名（2026-04）"));
    assert_eq!(
        (cell(1, 0), cell(1, 6)),
        ("名次".to_string(), "连续两个月排名最后".to_string())
    );
    assert_eq!(
        (cell(2, 1), cell(2, 3), cell(2, 4)),
        ("武昌区".to_string(), "1".to_string(), "0.25".to_string())
    );
    assert_eq!(
        (cell(4, 1), cell(4, 5), cell(4, 6)),
        ("洪山区".to_string(), "2".to_string(), "是".to_string())
    );

    let res = app
        .client
        .get(app.url("/api/v1/stats/export?report=settlement&format=xlsx"))
        .bearer_auth(v)
        .send()
        .await
        .unwrap();
    let mut book =
        calamine::Xlsx::new(std::io::Cursor::new(res.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.get_value((2, 3)).unwrap().to_string(), "2542500");
    assert_eq!(
        sheet.get_value((2, 1)).unwrap().to_string(),
        "开发商1置业有限公司"
    );

    // charts: confirmed per 旬 with the cumulative 去化率, absorption by district
    let res = app
        .client
        .get(app.url("/api/v1/stats/charts/selections-trend.svg?from=2026-02-01&to=2026-04-30"))
        .bearer_auth(v)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
    let svg = res.text().await.unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("valid SVG (XML)");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let bars: Vec<(&str, &str)> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("bar"))
        .map(|n| {
            (
                n.attribute("data-label").unwrap(),
                n.attribute("data-value").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bars,
        [
            ("2026-02 下旬", "1"),
            ("2026-03 上旬", "1"),
            ("2026-03 中旬", "2"),
            ("2026-03 下旬", "2"),
            ("2026-04 上旬", "0"),
            ("2026-04 中旬", "1")
        ]
    );
    let line = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("line"))
        .unwrap();
    assert_eq!(
        line.attribute("data-values").unwrap(),
        "0.100000,0.200000,0.400000,0.600000,0.600000,0.700000"
    );
    let svg = app
        .client
        .get(app.url("/api/v1/stats/charts/absorption-by-district.svg"))
        .bearer_auth(v)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("valid SVG");
    let bars: Vec<(&str, &str)> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("bar"))
        .map(|n| {
            (
                n.attribute("data-label").unwrap(),
                n.attribute("data-value").unwrap(),
            )
        })
        .collect();
    assert_eq!(bars, [("武昌区", "75"), ("江岸区", "75"), ("洪山区", "50")]);
    let (status, body) = app.get(v, "/api/v1/stats/charts/pie.svg").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app
        .get(v, "/api/v1/stats/export?report=destocking&format=pdf")
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn viewers_read_every_figure_developers_their_settlement_kiosks_nothing() {
    let app = spawn_app().await;
    let h = history(&app).await;
    let routes = [
        "/api/v1/stats/overview",
        "/api/v1/stats/destocking?group_by=zone",
        "/api/v1/stats/rankings?month=2026-03",
        "/api/v1/stats/settlement",
        "/api/v1/stats/export?report=destocking",
        "/api/v1/stats/export?report=rankings&format=xlsx",
        "/api/v1/stats/export?report=settlement",
        "/api/v1/stats/charts/selections-trend.svg",
        "/api/v1/stats/charts/absorption-by-district.svg",
        "/api/v1/audit",
    ];
    for route in routes {
        for token in [ADMIN_TOKEN, h.viewer.as_str()] {
            let res = app
                .client
                .get(app.url(route))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{route}");
        }
        let (status, body) = app.get(&h.kiosk_token, route).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = app.get("", route).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        let res = app
            .client
            .get(app.url(route))
            .bearer_auth(&h.dev2.key)
            .send()
            .await
            .unwrap();
        let own_settlement = route.contains("settlement");
        assert_eq!(res.status() == StatusCode::OK, own_settlement, "{route}");
        if !own_settlement {
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{route}");
        }
    }
    // a developer sees only its own settlement
    let (status, s) = app.get(&h.dev2.key, "/api/v1/stats/settlement").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["rows"].as_array().unwrap().len(), 1);
    assert_eq!(s["rows"][0]["developer_id"], h.dev2.id);
    assert_eq!(s["reservations"]["total"], 1);
    let (status, body) = app
        .get(
            &h.dev2.key,
            &format!("/api/v1/stats/settlement?developer_id={}", h.dev1.id),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .get(
            &h.dev2.key,
            &format!(
                "/api/v1/stats/export?report=settlement&developer_id={}",
                h.dev1.id
            ),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}
