//! Policy versions: validated, kept, and in effect from their date.

use super::*;

#[tokio::test]
async fn policy_versions_are_validated_kept_and_take_effect_when_dated() {
    let app = spawn_app().await;
    let (status, p) = app.get("", "/api/v1/policy").await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["version"], 1);
    assert_eq!(p["zone_ratio"]["1"]["3"], 1.5);
    assert_eq!(p["zone_ratio"]["3"]["1"], 0.6);
    assert_eq!(
        (
            p["hold_minutes"].as_i64(),
            p["login_max_failures"].as_i64(),
            p["monetization_target_pct"].as_i64()
        ),
        (Some(15), Some(5), Some(60))
    );

    let put = |token: String, body: Value| app.put_json(token, "/api/v1/policy", body);
    let admin = || ADMIN_TOKEN.to_string();
    let (status, body) = put(
        admin(),
        json!({"hold_minutes": 0, "zone_ratio": {"1": {"2": -1}}}),
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["zone_ratio.1.2", "hold_minutes"]);
    let (status, body) = put(admin(), json!({"effective_from": "2020-01-01T00:00:00Z"})).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, body) = put(admin(), json!({"hold_minute": 5})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_body");

    let (status, v2) = put(
        admin(),
        json!({"hold_minutes": 10, "zone_ratio": {"1": {"2": 1.25}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v2}");
    assert_eq!(
        (v2["version"].as_i64(), v2["hold_minutes"].as_i64()),
        (Some(2), Some(10))
    );
    assert_eq!(v2["zone_ratio"]["1"]["2"], 1.25);
    assert_eq!(
        v2["zone_ratio"]["1"]["3"], 1.5,
        "pairs left out keep their value"
    );
    // a version dated tomorrow is kept but not yet in force
    let (status, v3) = put(
        admin(),
        json!({"effective_from": "2026-03-03T09:00:00Z", "max_active_holds": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v3}");
    let (_, now) = app.get("", "/api/v1/policy").await;
    assert_eq!(
        (now["version"].as_i64(), now["max_active_holds"].as_i64()),
        (Some(2), Some(1))
    );
    app.clock.advance(24 * 3_600_000);
    let (_, later) = app.get("", "/api/v1/policy").await;
    assert_eq!(
        (
            later["version"].as_i64(),
            later["max_active_holds"].as_i64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(later["hold_minutes"], 10, "v3 builds on v2");

    let (status, all) = app.get(ADMIN_TOKEN, "/api/v1/policy/versions").await;
    assert_eq!(status, StatusCode::OK);
    let versions: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [3, 2, 1]);
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "观察员", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let viewer = body["token"].as_str().unwrap().to_string();
    let (status, body) = put(viewer, json!({"hold_minutes": 20})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.audit_count("policy.update"), 2);
}
