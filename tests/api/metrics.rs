//! `/metrics`: counters and latencies per route pattern and standard method, never per raw path
//! or per made-up method, so a client cannot grow the series without bound.

use reqwest::{Method, StatusCode};

use crate::helpers::*;

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

/// A request with a method of the client's choosing to `path`; its status.
async fn send(app: &TestApp, method: &str, path: &str) -> StatusCode {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    app.client
        .request(method, app.url(path))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn made_up_methods_and_unknown_paths_are_labelled_by_fixed_names() {
    let app = spawn_app().await;
    for i in 1..=5 {
        send(&app, &format!("FOO{i}"), "/api/v1/listings").await;
        send(&app, &format!("BAR{i}"), &format!("/no/such/path/{i}x")).await;
    }
    send(&app, "DELETE", "/api/v1/listings").await;
    let text = app.get_text("/metrics").await;
    assert!(!text.contains("FOO") && !text.contains("BAR"), "{text}");
    assert!(!text.contains("/no/such") && !text.contains("3x"), "{text}");
    assert!(
        text.contains(r#"anju_http_requests_total{method="other",route="/api/v1/listings","#),
        "{text}"
    );
    assert!(
        text.contains(r#"anju_http_requests_total{method="other",route="(unmatched)","#),
        "{text}"
    );
    assert!(
        text.contains(r#"anju_http_requests_total{method="DELETE",route="/api/v1/listings","#),
        "{text}"
    );
    let other_series = text
        .lines()
        .filter(|l| l.starts_with("anju_http_requests_total{method=\"other\""))
        .count();
    assert_eq!(other_series, 2, "{text}");
}
