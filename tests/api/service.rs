//! The service routes: health, OpenAPI document, offline docs, request ids, error envelope.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn healthz_reports_database_and_index() {
    let app = spawn_app().await;
    let (status, body) = into_json(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        serde_json::json!({"status": "ok", "db": "ok", "index": "ok"})
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_selection_state() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.client
            .get(app.url("/api/v1/listings?q=锦园"))
            .send()
            .await
            .unwrap();
    }
    app.client
        .get(app.url("/api/v1/listings/12345"))
        .send()
        .await
        .unwrap();
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            r#"anju_http_requests_total{method="GET",route="/api/v1/listings",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/listings/{unit_id}",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"anju_http_request_duration_seconds_count{method="GET",route="/api/v1/listings"} 3"#
    ));
    assert!(
        !text.contains("锦园") && !text.contains("12345"),
        "no raw paths or queries as labels"
    );
    assert!(
        text.contains("anju_holds_active 0") && text.contains("anju_reservations_contracted 0")
    );
}

#[tokio::test]
async fn openapi_document_lists_every_route_with_its_bodies() {
    let app = spawn_app().await;
    let (status, doc) = into_json(
        app.client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/healthz", "get"),
        ("/api/v1/officials", "post"),
        ("/api/v1/developers", "post"),
        ("/api/v1/developers", "get"),
        ("/api/v1/developers/{id}", "get"),
        ("/api/v1/developers/{id}/approve", "post"),
        ("/api/v1/developers/{id}/suspend", "post"),
        ("/api/v1/developers/{id}/keys", "post"),
        ("/api/v1/projects", "post"),
        ("/api/v1/projects", "get"),
        ("/api/v1/projects/{id}", "get"),
        ("/api/v1/projects/{id}/approve", "post"),
        ("/api/v1/projects/{id}/reject", "post"),
        ("/api/v1/projects/{id}/units/import", "post"),
        ("/api/v1/projects/{id}/units", "get"),
        ("/api/v1/units/{id}", "get"),
        ("/api/v1/units/{id}", "patch"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from /openapi.json"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ErrorBody",
        "DeveloperOut",
        "ProjectOut",
        "UnitOut",
        "ImportResult",
        "CreateProjectRequest",
        "UpdateUnitRequest",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
}

#[tokio::test]
async fn docs_are_served_from_the_binary() {
    let app = spawn_app().await;
    for path in [
        "/docs",
        "/docs/",
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let html = app
        .client
        .get(app.url("/docs/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("swagger"), "{html}");
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "kiosk-7-abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "kiosk-7-abc");
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 36);
}

#[tokio::test]
async fn unknown_routes_and_bad_queries_use_the_error_envelope() {
    let app = spawn_app().await;
    let (status, body) = into_json(
        app.client
            .get(app.url("/api/v1/nothing-here"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app
        .get(ADMIN_TOKEN, "/api/v1/projects?per_page=10000")
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    let (status, body) = app.get(ADMIN_TOKEN, "/api/v1/projects?status=bogus").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    let (status, body) = app.get(ADMIN_TOKEN, "/api/v1/projects?page=abc").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    let (status, body) = app.get(ADMIN_TOKEN, "/api/v1/projects/abc").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let _: Value = body;
}

#[tokio::test]
async fn the_admin_token_from_config_is_the_bootstrap_admin() {
    let app = spawn_app().await;
    let (status, _) = app.get(ADMIN_TOKEN, "/api/v1/developers").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .get("ot_someone_else_entirely_0000", "/api/v1/developers")
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}
