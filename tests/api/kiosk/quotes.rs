//! A household's entitlement, exact quotes in every zone, and ranked matches.

use super::*;

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
        // docs/domain.md's worked example
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
