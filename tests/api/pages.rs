//! The hall's pages: served from the binary with a self-only Content-Security-Policy, their
//! scripts and styles under /assets/, nothing else.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn kiosk_dashboard_and_board_are_served_with_a_self_only_csp() {
    let app = spawn_app().await;
    for (path, marker) in [
        ("/kiosk", "安居 · 异地安置选房"),
        ("/dashboard", "异地安置管理台"),
        ("/board", "选房大厅"),
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "text/html; charset=utf-8", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        let body = res.text().await.unwrap();
        assert!(body.contains(marker), "{path}");
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path} loads nothing from elsewhere"
        );
    }
}

#[tokio::test]
async fn assets_have_their_content_types_and_unknown_assets_are_404() {
    let app = spawn_app().await;
    for (path, content_type) in [
        ("/assets/kiosk.js", "text/javascript; charset=utf-8"),
        ("/assets/kiosk-core.js", "text/javascript; charset=utf-8"),
        ("/assets/kiosk-browse.js", "text/javascript; charset=utf-8"),
        ("/assets/kiosk-hold.js", "text/javascript; charset=utf-8"),
        ("/assets/common.css", "text/css; charset=utf-8"),
        ("/assets/favicon.svg", "image/svg+xml; charset=utf-8"),
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["content-type"], content_type, "{path}");
        assert!(res.headers().contains_key("content-security-policy"));
    }
    let (status, body) = into_json(
        app.client
            .get(app.url("/assets/../Cargo.toml"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let res = app
        .client
        .get(app.url("/assets/secret.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
