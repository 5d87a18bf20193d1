//! The contract of `/openapi.json` (docs/api.md, "The contract and how CI checks it"): every
//! status an operation's shape gives is documented, request bodies and query words are read
//! exactly as documented, and answers are served as their schemas say. schemathesis checks the
//! same against a demo server in CI (`.ci/schemathesis`); these tests hold the rules it relies on.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn document(app: &TestApp) -> Value {
    let (status, doc) = into_json(
        app.client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    doc
}

/// Every operation of the document, as (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    found
}

#[tokio::test]
async fn every_operation_documents_the_statuses_its_shape_gives() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert!(ops.len() >= 60, "{} operations", ops.len());
    for (method, path, op) in ops {
        let documented: Vec<&str> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let takes = |place: &str| params.iter().any(|p| p["in"] == place);
        let mut expected = Vec::new();
        if takes("query") || takes("header") {
            expected.push("400");
        }
        if takes("path") {
            expected.push("404");
        }
        if op.get("requestBody").is_some() {
            expected.extend(["400", "413", "415"]);
        }
        if op.get("security").is_some() {
            expected.extend(["401", "403"]);
        }
        for status in expected {
            assert!(
                documented.contains(&status),
                "{method} {path} does not document {status}: {documented:?}"
            );
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            let description = response["description"].as_str().unwrap_or_default();
            assert!(
                !description.is_empty(),
                "{method} {path} {status} has no description"
            );
        }
    }
}

#[tokio::test]
async fn every_json_body_refuses_unknown_fields_and_every_query_word_is_an_enum() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    for (method, path, op) in operations(&doc) {
        // the uploads (CSV, XLSX, JSON or multipart) are open tables, checked cell by cell
        let content = &op["requestBody"]["content"];
        if content.as_object().is_none_or(|c| c.len() != 1) {
            continue;
        }
        let Some(schema) = content["application/json"]["schema"].as_object() else {
            continue;
        };
        let reference = schema
            .get("$ref")
            .or_else(|| schema.get("oneOf").and_then(|o| o[0].get("$ref")))
            .and_then(Value::as_str);
        let Some(reference) = reference else {
            panic!("{method} {path}: the body is not a named schema")
        };
        let name = reference.rsplit('/').next().unwrap();
        assert_eq!(
            schemas[name]["additionalProperties"],
            json!(false),
            "{method} {path}: {name} must refuse unknown fields"
        );
    }
    // list statuses are enums of the list's own statuses
    let developers = &doc["paths"]["/api/v1/developers"]["get"]["parameters"];
    let status = developers
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "status")
        .unwrap();
    assert_eq!(
        status["schema"]["enum"],
        json!(["pending", "approved", "suspended"])
    );
}

#[tokio::test]
async fn a_malformed_body_is_400_a_missing_content_type_415_and_whole_floats_are_integers() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let suspend = app.url(&format!("/api/v1/developers/{}/suspend", dev.id));
    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut req = app.client.post(&suspend).bearer_auth(ADMIN_TOKEN);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let req = req.body(body);
        async move { into_json(req.send().await.unwrap()).await }
    };
    for garbage in [
        r#"{"reason": false}"#,
        r#"{"reason": "audit", "extra": 1}"#,
        "\u{0}",
        "[1, 2]",
        "not json",
    ] {
        let (status, body) = send(garbage, Some("application/json")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_body");
    }
    let (status, body) = send(r#"{"reason": "audit"}"#, None).await;
    assert_error(
        status,
        &body,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // the reason is optional: no body at all, or JSON null
    let (status, body) = send("null", Some("application/json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let approve = app.url(&format!("/api/v1/developers/{}/approve", dev.id));
    let res = app.client.post(&approve).bearer_auth(ADMIN_TOKEN).send();
    let (status, body) = into_json(res.await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // JSON Schema counts 30.0 as the integer 30
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.into(),
            "/api/v1/policy",
            json!({"hold_minutes": 30.0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["hold_minutes"], 30);
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.into(),
            "/api/v1/policy",
            json!({"hold_minutes": 30.5}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_body");
}

#[tokio::test]
async fn query_words_dates_and_pages_are_taken_exactly_as_documented() {
    let app = spawn_app().await;
    for query in [
        "sort=price_asc",
        "decoration=毛坯",
        "orientation=南北",
        "delivery=off_plan",
        "zone_class=3&per_page=100",
    ] {
        let (status, body) = app.listings(query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
    }
    for query in [
        "sort=%20price_asc",
        "sort=",
        "decoration=Fine",
        "orientation=朝南",
        "zone_class=0",
        "per_page=0",
        "page=100001",
    ] {
        let (status, body) = app.listings(query).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    }
    for path in [
        "/api/v1/developers?status=",
        "/api/v1/developers?status=%20pending",
        "/api/v1/stats/settlement?to=",
        "/api/v1/stats/destocking?per_page=0",
        "/api/v1/stats/destocking?from=2026-3-1",
        "/api/v1/stats/rankings?month=0999-01",
        "/api/v1/audit?actor=official:%2B3",
    ] {
        let (status, body) = app.get(ADMIN_TOKEN, path).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    }
    for path in [
        "/api/v1/developers?status=pending",
        "/api/v1/stats/destocking?from=2026-03-01&period=xun",
        "/api/v1/audit?actor=official:1&from=2026-03-01&to=",
    ] {
        let (status, body) = app.get(ADMIN_TOKEN, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
}

#[tokio::test]
async fn a_literal_path_refuses_a_method_only_a_template_beside_it_takes_with_405() {
    let app = spawn_app().await;
    for method in [reqwest::Method::GET, reqwest::Method::OPTIONS] {
        let res = app
            .client
            .request(method.clone(), app.url("/api/v1/households/import"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        let allow = res.headers().get("allow").cloned();
        let (status, body) = into_json(res).await;
        assert_error(
            status,
            &body,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        );
        assert_eq!(allow.unwrap(), "POST", "{method}");
    }
    let (status, body) = app.get(ADMIN_TOKEN, "/api/v1/households/abc").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_policy_is_served_with_exactly_the_fields_its_schema_names() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schema = &doc["components"]["schemas"]["PolicyOut"];
    let mut documented: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    documented.sort();
    let (status, policy) = app.get(ADMIN_TOKEN, "/api/v1/policy").await;
    assert_eq!(status, StatusCode::OK);
    let mut served: Vec<&String> = policy.as_object().unwrap().keys().collect();
    served.sort();
    assert_eq!(served, documented);
    assert!(policy["created_by_official_id"].is_null());
    assert!(schema["properties"]["created_by_official_id"]["type"]
        .as_array()
        .is_some_and(|t| t.contains(&json!("null"))));
}
