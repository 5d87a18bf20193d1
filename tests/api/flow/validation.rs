//! Officials' decisions follow the status rules; bad bodies name every bad field.

use super::*;

#[tokio::test]
async fn official_decisions_follow_the_status_rules() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let pid = app.project(&dev, "君江华府", false).await;
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/projects/{pid}/reject"),
            &json!({"reason": "预售证过期"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["status_reason"].as_str()),
        (Some("rejected"), Some("预售证过期"))
    );
    // a rejected project takes no uploads
    let (status, body) = app
        .upload(&dev.key, pid, "text/csv", en_csv(&[en_row("1", "101")]))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "project_closed");
    // approving twice is refused
    let (status, _) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/projects/{pid}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/projects/{pid}/approve"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    // a developer cannot be suspended before approval, nor registered twice
    let (status, body) = app
        .post_json(ADMIN_TOKEN, "/api/v1/developers", &json!({"name": "重复公司", "credit_code": credit_code(1), "contact_name": "王五", "contact_phone": "0532-83881234"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "duplicate_credit_code");
    let (status, d2) = app
        .post_json(ADMIN_TOKEN, "/api/v1/developers", &json!({"name": "新公司", "credit_code": credit_code(2), "contact_name": "王五", "contact_phone": "0532-83881234"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d2}");
    assert_eq!(d2["contact_phone_masked"], "053******1234");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{}/suspend", d2["id"]),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
}

#[tokio::test]
async fn bad_registration_and_project_bodies_name_every_bad_field() {
    let app = spawn_app().await;
    let mut bad_code = credit_code(1);
    bad_code.replace_range(17.., if bad_code.ends_with('0') { "1" } else { "0" });
    let (status, body) = app
        .post_json(ADMIN_TOKEN, "/api/v1/developers", &json!({"name": "", "credit_code": bad_code, "contact_name": "李四", "contact_phone": "123"}))
        .await;
    let details = assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let fields: Vec<&str> = details["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "credit_code", "contact_phone"]);

    let dev = app.approved_developer(3).await;
    let (status, body) = app
        .post_json(
            &dev.key,
            "/api/v1/projects",
            &json!({"name": "x", "district": "高新区", "zone_class": 4, "address": "路",
            "presale_permit_no": "p", "delivery": "off_plan"}),
        )
        .await;
    let details = assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let fields: Vec<&str> = details["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["zone_class", "delivery_date"]);

    let (status, body) = app
        .post_json(
            &dev.key,
            "/api/v1/projects",
            &json!({"name": "x", "surprise": 1}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_body");
}
