//! The outbound guard at registration: the table of refused and admitted URLs, decided on
//! addresses from a resolver the test controls, so nothing here connects anywhere.

use super::*;

async fn put_url(app: &TestApp, dev: &Developer, url: &str) -> (StatusCode, Value) {
    app.put_json(
        dev.key.clone(),
        &format!("/api/v1/developers/{}/webhook", dev.id),
        json!({ "url": url }),
    )
    .await
}

/// Names the resolver answers: internal ones, a public one, and a name with one public and one
/// private address.
fn seed_names(app: &TestApp) {
    app.resolver.set("intranet.example", &["10.0.0.5"]);
    app.resolver.set("metadata.example", &["169.254.169.254"]);
    app.resolver
        .set("split.example", &["93.184.215.14", "192.168.1.20"]);
    app.resolver.set("ula.example", &["fd00::1"]);
    app.resolver.set("mapped.example", &["::ffff:127.0.0.1"]);
    app.resolver.set("cgnat.example", &["100.64.1.1"]);
    app.resolver
        .set("sales.example", &["93.184.215.14", "2606:4700::1111"]);
}

/// Every URL here is refused with 422 `outbound_refused` and this `details.reason`.
const REFUSED: &[(&str, &str)] = &[
    // loopback, however spelled
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://127.0.0.2/", "loopback"),
    ("http://localhost:8080/hook", "localhost"),
    ("http://LOCALHOST./", "localhost"),
    ("http://api.localhost/", "localhost"),
    ("http://[::1]:8080/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://0x7f.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://127.0.0.1./", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[2002:7f00:1::1]/", "loopback"),
    ("http://[64:ff9b::7f00:1]/", "loopback"),
    // unspecified
    ("http://0.0.0.0:9/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    // private, CGNAT, link-local (cloud metadata), multicast, reserved
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("https://192.168.1.1/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://100.64.0.1/", "shared_cgnat"),
    ("http://169.254.169.254/latest/meta-data/", "link_local"),
    ("http://0xa9fea9fe/", "link_local"),
    ("http://[::ffff:169.254.169.254]/", "link_local"),
    ("http://[fe80::1]/", "link_local"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://192.0.2.1/", "documentation"),
    // names, judged on every address they resolve to
    ("https://intranet.example/hook", "private"),
    ("https://Intranet.Example./hook", "private"),
    ("https://metadata.example/", "link_local"),
    ("https://split.example/", "private"),
    ("https://ula.example/", "private"),
    ("https://mapped.example/", "loopback"),
    ("https://cgnat.example/", "shared_cgnat"),
    ("https://unknown.example/", "unresolvable"),
];

#[tokio::test]
async fn the_ssrf_guard_refuses_internal_addresses_at_registration_and_admits_public_ones() {
    // the allow-list of the other tests (loopback) is off here: the rule as shipped
    let app = spawn_app_with(|c| c.outbound = Default::default()).await;
    seed_names(&app);
    let dev = app.approved_developer(1).await;
    for (url, reason) in REFUSED {
        let (status, body) = put_url(&app, &dev, url).await;
        let details = assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outbound_refused",
        );
        assert_eq!(details["field"], "url", "{url}: {body}");
        assert_eq!(details["reason"], *reason, "{url}: {body}");
    }
    // what a name resolves to is not told back
    let (_, body) = put_url(&app, &dev, "https://split.example/").await;
    assert!(!body.to_string().contains("192.168.1.20"), "{body}");

    // a public name is admitted (decided only: nothing is queued, so nothing is sent)
    let (status, body) = put_url(&app, &dev, "https://sales.example/hooks/anju").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = put_url(&app, &dev, "https://93.184.215.14/hooks").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // a refused URL leaves the registered one as it was
    let (status, _) = put_url(&app, &dev, "http://10.0.0.1/").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let hook = format!("/api/v1/developers/{}/webhook", dev.id);
    let (status, shown) = app.get(&dev.key, &hook).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["url"], "https://93.184.215.14/hooks");
    assert_eq!(delivery_rows(&app), 0);
    // a malformed URL is still `validation_failed`, decided before the guard
    let (status, body) = put_url(&app, &dev, "ftp://10.0.0.1/").await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
}

#[tokio::test]
async fn the_allow_list_admits_named_networks_and_hosts_and_nothing_beside_them() {
    let app = spawn_app_with(|c| {
        c.outbound.allow =
            anju::domain::outbound::OutboundPolicy::parse("10.20.0.0/16, fd00:1::/32, sales.corp")
                .unwrap();
    })
    .await;
    app.resolver.set("erp.corp", &["10.20.3.4"]);
    app.resolver.set("other.corp", &["10.21.0.1"]);
    let dev = app.approved_developer(1).await;
    for url in [
        "http://10.20.0.9:8080/anju",
        "http://[fd00:1::5]/anju",
        "https://erp.corp/anju",
        // an allowed name is admitted whatever it resolves to, even before it resolves
        "https://sales.corp/anju",
        "https://SALES.corp./anju",
    ] {
        let (status, body) = put_url(&app, &dev, url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
    }
    for (url, reason) in [
        ("http://10.21.0.1/", "private"),
        ("https://other.corp/", "private"),
        ("http://[fd00:2::1]/", "private"),
        ("http://127.0.0.1:8080/", "loopback"),
        ("https://api.sales.corp/", "unresolvable"),
    ] {
        let (status, body) = put_url(&app, &dev, url).await;
        let details = assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outbound_refused",
        );
        assert_eq!(details["reason"], reason, "{url}: {body}");
    }
}

#[tokio::test]
async fn a_stored_url_the_guard_refuses_is_refused_at_delivery_without_connecting() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let rx = Receiver::start(0).await;
    register(&app, &dev, &rx.url).await;
    // a URL stored before the guard existed, or before the operator narrowed the allow-list:
    // the receiver's port on another loopback address (never a routed one, even if it failed)
    let port = rx.url.split(':').nth(2).unwrap().split('/').next().unwrap();
    let old = format!("http://127.0.0.2:{port}/hooks/anju");
    {
        use anju::db::schema::developer_webhooks as w;
        use diesel::prelude::*;
        diesel::update(w::table.find(dev.id))
            .set(w::url.eq(&old))
            .execute(&mut app.conn())
            .unwrap();
    }
    enqueue(&app, dev.id, "hold.created", &payload(1));
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["attempts"] == 1 && d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["last_error"], "refused_address", "{d}");
    assert_eq!(d["status"], "pending", "a failed attempt, retried: {d}");
    assert_eq!(d["last_status_code"], Value::Null);
    assert!(rx.received().is_empty());
}
