//! Exports and charts carry the figures; who may read which figure.

use super::*;

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

/// Names that a spreadsheet would read as formulas leave in the CSV and the XLSX with a leading
/// `'` (OWASP's CSV-injection advice); numbers stay numbers.
#[tokio::test]
async fn names_beginning_like_formulas_are_exported_as_quoted_text() {
    let app = spawn_app().await;
    let dev = app.approved_developer_named(7, "@SUM(1+1)").await;
    let project = r#"=HYPERLINK("http://x","y")"#;
    project_in(&app, &dev, project, "江岸区", 1, 2).await;

    let export = |query: &str| {
        let url = app.url(&format!("/api/v1/stats/export?report=destocking&{query}"));
        let req = app.client.get(url).bearer_auth(ADMIN_TOKEN);
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.bytes().await.unwrap().to_vec()
        }
    };
    let csv = export("format=csv&group_by=developer").await;
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].starts_with("'@SUM(1+1),全期,2,"), "{text}");
    let csv = export("format=csv&group_by=project").await;
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[2].starts_with(r#""'=HYPERLINK(""http://x"",""y"")",全期,2,"#),
        "{text}"
    );

    use calamine::{Data, Reader};
    for (group_by, name) in [("developer", "@SUM(1+1)"), ("project", project)] {
        let bytes = export(&format!("format=xlsx&group_by={group_by}")).await;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(
            sheet.get_value((2, 0)),
            Some(&Data::String(format!("'{name}")))
        );
        assert_eq!(sheet.get_value((2, 2)), Some(&Data::Float(2.0)));
        let formulas = book.worksheet_formula("去化统计").unwrap();
        assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "{group_by}");
    }
}
