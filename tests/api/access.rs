//! Authorisation comes before any parsing: for every operation of `/openapi.json` that is not
//! public, a caller without a token gets 401 and every kind of caller the operation is not for gets
//! 403, whatever query and body it sends — malformed JSON, unknown fields, garbage parameters.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

/// The callers a test can be: (name, token, the bearer scopes it holds).
async fn callers(app: &TestApp) -> Vec<(&'static str, String, Vec<&'static str>)> {
    let (_, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "赵科员", "role": "viewer"}),
        )
        .await;
    let developer = app.approved_developer(1).await;
    let (_, voucher, pin) = app.household(1, "80.00", 1).await;
    let kiosk = app.kiosk_token(&voucher, &pin).await;
    vec![
        ("nobody", String::new(), vec![]),
        ("admin", ADMIN_TOKEN.to_string(), vec!["official", "admin"]),
        (
            "viewer",
            viewer["token"].as_str().unwrap().to_string(),
            vec!["official"],
        ),
        ("developer", developer.key, vec!["developer"]),
        ("kiosk", kiosk, vec!["household"]),
    ]
}

/// Every (method, path with parameters filled, scopes, takes a body) of the document.
fn operations(doc: &Value) -> Vec<(Method, String, Vec<String>, bool)> {
    let mut found = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
                continue;
            };
            let scopes: Vec<String> = op["security"]
                .as_array()
                .map(|reqs| {
                    reqs.iter()
                        .flat_map(|r| r["bearer"].as_array().cloned().unwrap_or_default())
                        .map(|s| s.as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let path = template
                .split('/')
                .map(|s| if s.starts_with('{') { "1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            found.push((method, path, scopes, op.get("requestBody").is_some()));
        }
    }
    found
}

#[tokio::test]
async fn callers_a_route_is_not_for_get_401_or_403_before_the_body_is_read() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let (status, doc) = app.get("", "/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let operations = operations(&doc);
    let mut guarded = 0;
    let mut with_body = 0;
    for (method, path, scopes, takes_body) in &operations {
        if scopes.is_empty() {
            continue;
        }
        guarded += 1;
        with_body += usize::from(*takes_body);
        for (name, token, held) in &callers {
            if held.iter().any(|h| scopes.iter().any(|s| s == h)) {
                continue;
            }
            // garbage in the query and, where a body is taken, malformed JSON with unknown fields
            let url = app.url(&format!("{path}?page=zero&per_page=-5&from=someday"));
            let mut req = app
                .client
                .request(method.clone(), url)
                .header("content-type", "application/json")
                .body("{\"no_such_field\": [1, 2,");
            if !token.is_empty() {
                req = req.bearer_auth(token);
            }
            let (status, body) = into_json(req.send().await.unwrap()).await;
            let (expected, code) = if token.is_empty() {
                (StatusCode::UNAUTHORIZED, "unauthorized")
            } else {
                (StatusCode::FORBIDDEN, "forbidden")
            };
            assert_eq!(status, expected, "{name} {method} {path}: {body}");
            assert_eq!(
                body["error"]["code"], code,
                "{name} {method} {path}: {body}"
            );
        }
    }
    // the walk covered the guarded routes, those that take bodies among them
    assert!(guarded >= 40, "{guarded} guarded operations");
    assert!(with_body >= 12, "{with_body} operations with bodies");
    let public = operations.iter().filter(|o| o.2.is_empty()).count();
    assert!((5..=10).contains(&public), "{public} public operations");
}

#[tokio::test]
async fn a_viewers_malformed_policy_change_is_refused_as_forbidden() {
    let app = spawn_app().await;
    let (_, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "钱科员", "role": "viewer"}),
        )
        .await;
    let token = viewer["token"].as_str().unwrap().to_string();
    for body in [json!({"no_such_key": 1}), json!("not an object")] {
        let (status, reply) = app.put_json(token.clone(), "/api/v1/policy", body).await;
        assert_error(status, &reply, StatusCode::FORBIDDEN, "forbidden");
    }
    // the admin's malformed change is still a validation error, as before
    let (status, reply) = app
        .put_json(
            ADMIN_TOKEN.to_string(),
            "/api/v1/policy",
            json!({"no_such_key": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
}
