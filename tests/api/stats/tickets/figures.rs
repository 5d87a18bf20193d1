//! `GET /stats/tickets` over the seeded ledger, and settlement's ticket part.

use super::*;

/// The nine figures in the response's order, and `by_developer` as (id, debit, bonus).
fn figures(v: &Value) -> ([i64; 9], Vec<(i64, i64, i64)>) {
    let names = [
        "issued_count",
        "issued_yuan",
        "debited_yuan",
        "bonus_yuan",
        "outstanding_yuan",
        "expiring_30d_count",
        "expiring_30d_yuan",
        "expired_unpaid_yuan",
        "cashed_out_yuan",
    ];
    let by = v["by_developer"].as_array().unwrap().iter().map(|d| {
        (
            d["developer_id"].as_i64().unwrap(),
            d["debit_yuan"].as_i64().unwrap(),
            d["bonus_yuan"].as_i64().unwrap(),
        )
    });
    (
        names.map(|n| v[n].as_i64().unwrap_or_else(|| panic!("{n} in {v}"))),
        by.collect(),
    )
}

#[tokio::test]
async fn ticket_figures_follow_the_ledger_net_of_cancellations() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let v = s.viewer.as_str();
    let dev1 = (s.dev1.id, 737_705, 162_295);
    // now: outstanding 262 295 + 200 000 + 400 000; ticket 3 expiring; ticket 4 expired
    let now = [862_295, 1, 200_000, 150_000];
    let with_now = |flows: [i64; 4], cashed: i64| {
        [
            flows[0], flows[1], flows[2], flows[3], now[0], now[1], now[2], now[3], cashed,
        ]
    };
    let (status, all) = app.get(v, "/api/v1/stats/tickets").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        all.as_object().unwrap().len(),
        10,
        "exactly the spec's fields: {all}"
    );
    assert_eq!(
        figures(&all),
        (
            with_now([6, 2_150_000, 737_705, 162_295], 300_000),
            vec![dev1]
        )
    );
    let (_, march) = app
        .get(v, "/api/v1/stats/tickets?from=2026-03-01&to=2026-03-31")
        .await;
    assert_eq!(
        figures(&march),
        (with_now([1, 400_000, 737_705, 162_295], 0), vec![dev1])
    );
    let (_, feb) = app
        .get(
            &s.viewer,
            "/api/v1/stats/tickets?from=2026-02-01&to=2026-02-28",
        )
        .await;
    assert_eq!(
        figures(&feb),
        (with_now([2, 300_000, 0, 0], 300_000), vec![])
    );

    // per month: flows of each month, positions at each month's end (March: now)
    let (status, months) = app.get(v, "/api/v1/stats/tickets?period=month").await;
    assert_eq!(status, StatusCode::OK, "{months}");
    assert_eq!(months.as_object().unwrap().len(), 1, "{months}");
    let rows = months["rows"].as_array().unwrap();
    let got: Vec<(&str, [i64; 9], usize)> = rows
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap(),
                figures(r).0,
                figures(r).1.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2025-12", [1, 300_000, 0, 0, 300_000, 0, 0, 0, 0], 0),
            (
                "2026-01",
                [2, 1_150_000, 0, 0, 1_450_000, 2, 450_000, 0, 0],
                0
            ),
            (
                "2026-02",
                [2, 300_000, 0, 0, 1_200_000, 0, 0, 150_000, 300_000],
                0
            ),
            ("2026-03", with_now([1, 400_000, 737_705, 162_295], 0), 1),
        ]
    );
    assert_eq!(figures(&rows[3]).1, [dev1]);
    // the months up to a day in February: its flows stop there, the positions at its end
    let (_, early) = app
        .get(v, "/api/v1/stats/tickets?period=month&to=2026-02-15")
        .await;
    let rows = early["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        figures(&rows[2]).0,
        [2, 300_000, 0, 0, 1_200_000, 0, 0, 150_000, 0]
    );
    // per 旬: 2025-12 上旬 to 2026-03 下旬, every issue counted once
    let (_, xun) = app.get(v, "/api/v1/stats/tickets?period=xun").await;
    let rows = xun["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    assert_eq!(
        (rows[0]["period"].as_str(), rows[11]["period"].as_str()),
        (Some("2025-12 上旬"), Some("2026-03 下旬"))
    );
    let issued: i64 = rows
        .iter()
        .map(|r| r["issued_count"].as_i64().unwrap())
        .sum();
    assert_eq!(issued, 6);
    for (q, years) in [
        ("quarter", ["2025-Q4", "2026-Q1"]),
        ("year", ["2025", "2026"]),
    ] {
        let (_, b) = app
            .get(v, &format!("/api/v1/stats/tickets?period={q}"))
            .await;
        let labels: Vec<&str> = b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["period"].as_str().unwrap())
            .collect();
        assert_eq!(labels, years);
    }

    // settlement: the contracted ticket reservation is in gov_pays, and shown as its parts
    let (status, st) = app.get(v, "/api/v1/stats/settlement").await;
    assert_eq!(status, StatusCode::OK, "{st}");
    assert_eq!(
        st["rows"],
        json!([{"developer_id": s.dev1.id, "developer_name": "开发商1置业有限公司",
            "contracted_reservations": 1, "gov_pays_yuan": 900_000, "ticket_reservations": 1,
            "ticket_debit_yuan": 737_705, "ticket_bonus_yuan": 162_295}])
    );

    // bad queries, and who may read
    for q in [
        "period=week",
        "from=2026-3-1",
        "from=2026-03-02&to=2026-03-01",
    ] {
        let (status, body) = app.get(v, &format!("/api/v1/stats/tickets?{q}")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let (status, body) = app.get(&s.dev2.key, "/api/v1/stats/tickets").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}
