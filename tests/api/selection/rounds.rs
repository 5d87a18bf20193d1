//! Selection rounds: ordered by signing time or by a verifiable lottery.

use super::*;

#[tokio::test]
async fn rounds_order_by_signing_time_or_by_a_verifiable_lottery() {
    let app = spawn_app().await;
    let ks = app.kiosks(5).await;
    let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
    // signed one second apart in id order: the signing-time order is the id order
    let (status, r) = app
        .post_json(ADMIN_TOKEN, "/api/v1/rounds", &json!({"name": "按签约", "expropriation_project": "汉正街片区", "ordering": "signing_time"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["order"], json!(ids));
    assert_eq!(
        (r["status"].as_str(), r["size"].as_i64()),
        (Some("created"), Some(5))
    );

    let seed = "2026-03-02 公证处 7f3a";
    let commitment = anju::domain::selection::seed_commitment(seed);
    let (status, lot) = app
        .post_json(ADMIN_TOKEN, "/api/v1/rounds", &json!({"name": "摇号", "household_ids": ids, "ordering": "lottery", "seed_sha256": commitment}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lot}");
    assert_eq!(lot["order"], Value::Null);
    let lid = lot["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/open"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/draw"),
            &json!({"seed": "guess"}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "seed_mismatch",
    );
    let (status, drawn) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/draw"),
            &json!({"seed": seed}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{drawn}");
    assert_eq!(drawn["seed"], seed);
    assert_eq!(
        drawn["order"],
        json!(anju::domain::selection::lottery_order(seed, &ids))
    );
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/draw"),
            &json!({"seed": seed}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");

    // the call-up pointer only moves forward, within the round
    let (status, _) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 2}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 6}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, opened) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/open"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, opened["status"].as_str()),
        (StatusCode::OK, Some("open"))
    );
    // the third in the drawn order may hold, the fourth not yet
    let order: Vec<i64> = serde_json::from_value(drawn["order"].clone()).unwrap();
    let token_of = |id: i64| ks.iter().find(|k| k.id == id).unwrap().token.clone();
    let (_, me) = app.get(&token_of(order[2]), "/api/v1/kiosk/me").await;
    assert_eq!(
        (
            me["round"]["position"].as_i64(),
            me["round"]["your_turn"].as_bool()
        ),
        (Some(3), Some(true))
    );
    let (_, me) = app.get(&token_of(order[3]), "/api/v1/kiosk/me").await;
    assert_eq!(me["round"]["your_turn"], false);

    // bad requests and the wrong actors
    for body in [
        json!({"name": "x", "household_ids": ids, "ordering": "lottery"}),
        json!({"name": "x", "household_ids": ids, "ordering": "lottery", "seed_sha256": "abc"}),
        json!({"name": "x", "household_ids": [], "ordering": "signing_time"}),
        json!({"name": "x", "household_ids": [999999], "ordering": "signing_time"}),
        json!({"name": "x", "household_ids": ids, "ordering": "random"}),
    ] {
        let (status, resp) = app.post_json(ADMIN_TOKEN, "/api/v1/rounds", &body).await;
        assert_error(
            status,
            &resp,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
    }
    let (status, body) = app
        .post_json(
            &ks[0].token,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 5}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.get(&ks[0].token, "/api/v1/rounds").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, list) = app.get(ADMIN_TOKEN, "/api/v1/rounds").await;
    assert_eq!(
        (status, list.as_array().map(Vec::len)),
        (StatusCode::OK, Some(2))
    );
}
