//! The service routes: health, OpenAPI document, offline docs, request ids, error envelope.

use std::collections::BTreeSet;

use anju::routes::table::API_HANDLERS;
use reqwest::StatusCode;
use serde_json::Value;
use utoipa::OpenApi;

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

/// Routes the application serves outside its API, so not in `/openapi.json`: the documentation
/// (Swagger UI, its files, the document itself) and the hall's pages with their assets. Each is
/// checked to be served and undocumented, so the list cannot go stale. (method, path template)
const NOT_API: [(&str, &str); 7] = [
    ("get", "/docs"),
    ("get", "/docs/{_:.*}"),
    ("get", "/openapi.json"),
    ("get", "/kiosk"),
    ("get", "/dashboard"),
    ("get", "/board"),
    ("get", "/assets/{name}"),
];

/// Known differences between the app and its document, (method, path template) served but not
/// documented or documented but not served. Each entry must still differ, so a fixed one has to
/// leave the list.
const KNOWN_DIFFERENCES: [(&str, &str); 0] = [];

/// The methods each route is tried with.
const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

/// Headers through which the probe app reports the resource actix routed a request to.
const ROUTE_NAME: &str = "x-test-route-name";
const ROUTE_PATTERN: &str = "x-test-route-pattern";
const UNROUTED: &str = "x-test-unrouted";

type Route = (String, String);

/// What actix itself serves, as (lower-case method, path template): every route of the app
/// (`startup::app_routes`) without state, so no handler gets past its extractors. Each API handler
/// of the route table (`routes::table::API_HANDLERS`, also its resource name) is found by name
/// (`url_for`) and requested with every method; the methods actix routes to it are kept, with
/// the pattern it matched. Panics when a handler is reachable by no method (shadowed).
async fn served_routes() -> (BTreeSet<Route>, BTreeSet<Route>) {
    use actix_web::dev::Service;
    use actix_web::http::header::{HeaderName, HeaderValue};
    use actix_web::{test, web, App, HttpRequest};

    let app = test::init_service(
        App::new()
            .wrap_fn(|req, srv| {
                let res = srv.call(req);
                async move {
                    let mut res = res.await?;
                    let name = res.request().match_name().map(str::to_string);
                    let pattern = res.request().match_pattern();
                    for (header, value) in [(ROUTE_NAME, name), (ROUTE_PATTERN, pattern)] {
                        if let Some(value) = value {
                            res.headers_mut().insert(
                                HeaderName::from_static(header),
                                HeaderValue::from_str(&value).unwrap(),
                            );
                        }
                    }
                    Ok(res)
                }
            })
            .configure(|cfg| anju::startup::app_routes(cfg, anju::openapi::ApiDoc::openapi()))
            // what no resource routes: `match_name` then falls back to the first pattern
            // matching the path whatever its method, so it says nothing
            .default_service(web::to(|| async {
                actix_web::HttpResponse::NotFound()
                    .insert_header((UNROUTED, "1"))
                    .finish()
            }))
            // each API handler's path with its parameters filled in, by its resource name
            .route(
                "/__test_paths",
                web::get().to(|req: HttpRequest| async move {
                    let paths: Vec<(String, Result<String, String>)> = API_HANDLERS
                        .iter()
                        .map(|name| {
                            let path = req
                                .url_for(name, ["0"; 8])
                                .map(|url| url.path().to_string())
                                .map_err(|e| e.to_string());
                            (name.to_string(), path)
                        })
                        .collect();
                    web::Json(paths)
                }),
            ),
    )
    .await;

    let call = |method: &str, path: &str| {
        let req = test::TestRequest::default()
            .method(method.parse().unwrap())
            .uri(path)
            .to_request();
        let app = &app;
        async move {
            let res = test::call_service(app, req).await;
            let header = |h: &str| {
                res.headers()
                    .get(h)
                    .map(|v| v.to_str().unwrap().to_string())
            };
            if header(UNROUTED).is_some() {
                (None, None)
            } else {
                (header(ROUTE_NAME), header(ROUTE_PATTERN))
            }
        }
    };

    let req = test::TestRequest::get().uri("/__test_paths").to_request();
    let paths: Vec<(String, Result<String, String>)> =
        test::call_and_read_body_json(&app, req).await;
    let mut api = BTreeSet::new();
    let mut unreachable = Vec::new();
    for (name, path) in paths {
        let path = path.unwrap_or_else(|e| panic!("no path for the API handler {name}: {e}"));
        let mut reached = false;
        for method in METHODS {
            if let (Some(routed), Some(pattern)) = call(method, &path).await {
                if routed == name {
                    reached = true;
                    api.insert((method.to_lowercase(), pattern));
                }
            }
        }
        if !reached {
            unreachable.push(format!("{name} ({path})"));
        }
    }
    assert!(
        unreachable.is_empty(),
        "API handlers no request reaches: {unreachable:?}"
    );

    let mut not_api = BTreeSet::new();
    for (method, template) in NOT_API {
        let path = template
            .replace("{_:.*}", "index.html")
            .replace("{name}", "0");
        let (_, pattern) = call(&method.to_uppercase(), &path).await;
        assert_eq!(
            pattern.as_deref(),
            Some(template),
            "{method} {template} (allow-listed outside the API) is not served"
        );
        not_api.insert((method.to_string(), template.to_string()));
    }
    (api, not_api)
}

/// (lower-case method, path template) of every operation in an OpenAPI document.
fn documented_routes(doc: &Value) -> BTreeSet<Route> {
    const OPERATIONS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if OPERATIONS.contains(&method.as_str()) {
                routes.insert((method.clone(), path.clone()));
            }
        }
    }
    routes
}

fn listed(routes: &[&Route]) -> String {
    routes
        .iter()
        .map(|(m, p)| format!("\n  {} {p}", m.to_uppercase()))
        .collect()
}

/// Every route the app serves is in `/openapi.json` with the same method and path, and every
/// operation there is served; the pages and the documentation (`NOT_API`) are served and not
/// documented.
#[actix_web::test]
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

    let documented = documented_routes(&doc);
    let (served, not_api) = served_routes().await;
    assert!(served.len() >= API_HANDLERS.len(), "{served:?}");
    let known: BTreeSet<Route> = KNOWN_DIFFERENCES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let undocumented: Vec<&Route> = served
        .difference(&documented)
        .filter(|r| !known.contains(*r))
        .collect();
    let unserved: Vec<&Route> = documented
        .difference(&served)
        .filter(|r| !known.contains(*r))
        .collect();
    let settled: Vec<&Route> = known
        .iter()
        .filter(|r| served.contains(*r) == documented.contains(*r))
        .collect();
    let documented_pages: Vec<&Route> = not_api.intersection(&documented).collect();
    assert!(
        undocumented.is_empty()
            && unserved.is_empty()
            && settled.is_empty()
            && documented_pages.is_empty(),
        "the app ({} API routes) and /openapi.json ({} operations) differ\n\
         served, not in /openapi.json:{}\n\
         in /openapi.json, not served:{}\n\
         in KNOWN_DIFFERENCES but no longer different (remove them):{}\n\
         outside the API (NOT_API) but documented:{}",
        served.len(),
        documented.len(),
        listed(&undocumented),
        listed(&unserved),
        listed(&settled),
        listed(&documented_pages),
    );

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
    let html = app.get_text("/docs/").await;
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
