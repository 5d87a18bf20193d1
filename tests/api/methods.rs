//! A known API path with a method it does not take answers 405 with `Allow`; an unknown path 404.

use reqwest::{Method, StatusCode};

use crate::helpers::*;

#[tokio::test]
async fn undeclared_methods_on_api_paths_answer_405_with_allow() {
    let app = spawn_app().await;
    let cases = [
        ("DELETE", "/api/v1/policy", "GET, PUT"),
        ("PUT", "/api/v1/kiosk/login", "POST"),
        ("PATCH", "/api/v1/rounds/1/open", "POST"),
        ("POST", "/api/v1/units/12", "GET, PATCH"),
        ("HEAD", "/api/v1/listings", "GET"),
        (
            "OPTIONS",
            "/api/v1/developers/3/webhook",
            "GET, PUT, DELETE",
        ),
        ("FOO1", "/api/v1/policy", "GET, PUT"),
    ];
    for (method, path, allow) in cases {
        let req = app.client.request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            app.url(path),
        );
        let res = req.send().await.unwrap();
        assert_eq!(
            res.headers().get("allow").map(|v| v.to_str().unwrap()),
            Some(allow),
            "{method} {path}"
        );
        let head = method == "HEAD";
        let (status, body) = into_json(res).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        if !head {
            assert_error(status, &body, status, "method_not_allowed");
        }
    }
    // the declared methods still reach their handlers
    let (status, _) = app.get(ADMIN_TOKEN, "/api/v1/policy").await;
    assert_eq!(status, StatusCode::OK);
    // unknown paths, and the pages (not API paths), stay 404
    for (method, path) in [
        ("GET", "/api/v1/nothing-here"),
        ("DELETE", "/api/v1/policy/"),
        ("GET", "/api/v1/units/1/2"),
        ("POST", "/kiosk"),
    ] {
        let req = app.client.request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            app.url(path),
        );
        let (status, body) = into_json(req.send().await.unwrap()).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}
