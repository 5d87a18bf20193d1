//! Every figure over a known history, checked exactly.

use super::*;

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
        "households_total": 11, "households_by_method": {"hall": 9, "in_kind": 1, "cash": 1, "ticket": 0},
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
            {"developer_id": h.dev1.id, "developer_name": "开发商1置业有限公司", "contracted_reservations": 2, "gov_pays_yuan": 2_542_500,
                "ticket_reservations": 0, "ticket_debit_yuan": 0, "ticket_bonus_yuan": 0},
            {"developer_id": h.dev2.id, "developer_name": "开发商2置业有限公司", "contracted_reservations": 1, "gov_pays_yuan": 1_342_500,
                "ticket_reservations": 0, "ticket_debit_yuan": 0, "ticket_bonus_yuan": 0},
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
