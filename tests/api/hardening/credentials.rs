//! Developer keys and officials' tokens are listed without their secrets, revoked (401 at once,
//! on every instance) and rotated (the old one stops, the new one works).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_developer_key_revoked_or_rotated_stops_working_on_every_instance() {
    let app = spawn_app().await;
    let other = spawn_second_instance(&app, |_| {}).await;
    let dev = app.approved_developer(1).await;
    let rival = app.approved_developer(2).await;
    let (status, _) = other.get(&dev.key, "/api/v1/projects").await;
    assert_eq!(status, StatusCode::OK);

    // listed without the key itself; a rival sees none of them
    let path = format!("/api/v1/developers/{}/keys", dev.id);
    let (status, keys) = app.get(&dev.key, &path).await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    let key_id = keys[0]["id"].as_i64().unwrap();
    assert!(!keys.to_string().contains(&dev.key));
    assert!(dev.key.starts_with(keys[0]["key_prefix"].as_str().unwrap()));
    let (status, body) = app.get(&rival.key, &path).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // rotation: a new key works at once, the old one is refused by both instances
    let (status, rotated) = app
        .post_json(&dev.key, &format!("{path}/{key_id}/rotate"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rotated}");
    let new_key = rotated["key"].as_str().unwrap().to_string();
    for instance in [&app, &other] {
        let (status, body) = instance.get(&dev.key, "/api/v1/projects").await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        let (status, _) = instance.get(&new_key, "/api/v1/projects").await;
        assert_eq!(status, StatusCode::OK);
    }
    // a revoked key cannot be rotated again
    let (status, body) = app
        .post_json(&new_key, &format!("{path}/{key_id}/rotate"), &json!({}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");

    // an admin revokes the new key; a viewer may not
    let new_id = rotated["id"].as_i64().unwrap();
    let (_, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "孙科员", "role": "viewer"}),
        )
        .await;
    let viewer = viewer["token"].as_str().unwrap().to_string();
    let revoke = |token: String| {
        app.client
            .delete(app.url(&format!("{path}/{new_id}")))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        revoke(viewer).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        revoke(ADMIN_TOKEN.into()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        revoke(ADMIN_TOKEN.into()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (status, _) = other.get(&new_key, "/api/v1/projects").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, keys) = app.get(ADMIN_TOKEN, &path).await;
    assert!(keys
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["revoked_at"].is_string()));
    assert_eq!(app.audit_count("developer.key_revoke"), 2);
}

#[tokio::test]
async fn an_officials_token_is_revoked_and_rotated_but_the_bootstrap_admins_is_configured() {
    let app = spawn_app().await;
    let (_, official) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "李科长", "role": "admin"}),
        )
        .await;
    let (id, token) = (
        official["id"].as_i64().unwrap(),
        official["token"].as_str().unwrap().to_string(),
    );
    let (status, list) = app.get(ADMIN_TOKEN, "/api/v1/officials").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(!list.to_string().contains(&token));
    let bootstrap = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["is_bootstrap"] == true)
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let (status, rotated) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/officials/{id}/token"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rotated}");
    let new_token = rotated["token"].as_str().unwrap().to_string();
    let (status, _) = app.get(&token, "/api/v1/officials").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get(&new_token, "/api/v1/officials").await;
    assert_eq!(status, StatusCode::OK);

    let delete = |path: String| {
        app.client
            .delete(app.url(&path))
            .bearer_auth(ADMIN_TOKEN)
            .send()
    };
    let res = delete(format!("/api/v1/officials/{id}")).await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, body) = app.get(&new_token, "/api/v1/officials").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = into_json(
        delete(format!("/api/v1/officials/{bootstrap}"))
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/officials/{bootstrap}/token"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = into_json(delete("/api/v1/officials/999".into()).await.unwrap()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.audit_count("official.revoke"), 1);
    assert_eq!(app.audit_count("official.token_rotate"), 1);
}
