//! The outbound guard at delivery, against loopback receivers admitted by the test app's
//! allow-list: the address checked is the one connected to (DNS rebinding), redirects are not
//! followed, and the receiver's answer never reaches the delivery log.

use std::convert::Infallible;

use super::*;

/// A loopback receiver answering every request with `answer()`, counting requests and keeping
/// the `Host` header of the last one and the client ports (one per connection).
#[derive(Clone)]
struct Scripted {
    url: String,
    port: u16,
    hits: Arc<AtomicUsize>,
    host: Arc<Mutex<String>>,
    connections: Arc<Mutex<BTreeSet<u16>>>,
}

impl Scripted {
    async fn start(answer: fn() -> HttpResponse) -> Scripted {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let me = Scripted {
            url: format!("http://127.0.0.1:{port}/hooks/anju"),
            port,
            hits: Arc::default(),
            host: Arc::default(),
            connections: Arc::default(),
        };
        let seen = me.clone();
        let server = HttpServer::new(move || {
            let seen = seen.clone();
            App::new().default_service(web::to(move |req: HttpRequest| {
                seen.hits.fetch_add(1, Ordering::SeqCst);
                let host = req.headers().get("host").and_then(|h| h.to_str().ok());
                *seen.host.lock().unwrap() = host.unwrap_or_default().to_string();
                let peer = req.peer_addr().map_or(0, |a| a.port());
                seen.connections.lock().unwrap().insert(peer);
                async move { answer() }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        me
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn ok() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// Text a receiver must never be able to put into the delivery log.
const INTERNALS: &str = "postgres://admin:hunter2@10.1.2.3:5432 stack trace";

fn error_page() -> HttpResponse {
    HttpResponse::InternalServerError().body(format!("<h1>Error</h1><pre>{INTERNALS}</pre>"))
}

/// A 200 whose body never ends.
fn endless() -> HttpResponse {
    let chunk = web::Bytes::from(vec![b'x'; 64 * 1024]);
    HttpResponse::Ok().streaming(futures_util::stream::repeat_with(move || {
        Ok::<_, Infallible>(chunk.clone())
    }))
}

#[tokio::test]
async fn a_name_that_rebinds_to_a_refused_address_after_registration_is_refused_at_delivery() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let rx = Scripted::start(ok).await;
    // at registration the name is the receiver's allowed address
    app.resolver.set("sales.example", &["127.0.0.1"]);
    let url = format!("http://sales.example:{}/hooks/anju", rx.port);
    register(&app, &dev, &url).await;
    enqueue(&app, dev.id, "hold.created", &payload(1));
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["status"] == "delivered"
    })
    .await;
    assert_eq!(d["status"], "delivered", "{d}");
    // connected to the address checked, and asked for the name
    assert_eq!(
        *rx.host.lock().unwrap(),
        format!("sales.example:{}", rx.port)
    );
    // each delivery opens its own connection, so each looks the name up and decides afresh
    enqueue(&app, dev.id, "reservation.confirmed", &payload(1));
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["event"] == "reservation.confirmed" && d["status"] == "delivered"
    })
    .await;
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(rx.hits(), 2);
    assert_eq!(
        rx.connections.lock().unwrap().len(),
        2,
        "a pooled connection"
    );

    // then it answers with an address outside the allow-list (loopback still, so that even a
    // broken guard sends nothing off this machine): refused before connecting
    app.resolver.set("sales.example", &["127.0.0.2"]);
    enqueue(&app, dev.id, "hold.released", &payload(1));
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["event"] == "hold.released" && d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["last_error"], "refused_address", "{d}");
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["last_status_code"], Value::Null);
    assert_eq!(rx.hits(), 2, "nothing sent");

    // one allowed and one refused address: refused as well
    app.resolver
        .set("sales.example", &["127.0.0.1", "127.0.0.3"]);
    app.clock.advance(1_000);
    app.state.webhooks.notify();
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["next_attempt_at"] == "2026-03-02T09:00:03.000Z"
    })
    .await;
    assert_eq!(d["last_error"], "refused_address", "{d}");
    // and no answer at all is its own class
    app.resolver.set("sales.example", &[]);
    app.clock.advance(2_000);
    app.state.webhooks.notify();
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["next_attempt_at"] == "2026-03-02T09:00:07.000Z"
    })
    .await;
    assert_eq!(d["last_error"], "dns_failed", "{d}");
    assert_eq!(rx.hits(), 2);
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_recorded_as_its_status() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let target = Scripted::start(ok).await;
    static TARGET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TARGET.set(target.url.clone()).unwrap();
    let redirecting = Scripted::start(|| {
        HttpResponse::TemporaryRedirect()
            .insert_header(("Location", TARGET.get().unwrap().as_str()))
            .finish()
    })
    .await;
    register(&app, &dev, &redirecting.url).await;
    enqueue(&app, dev.id, "hold.created", &payload(1));
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["last_status_code"], 307, "{d}");
    assert_eq!(d["last_error"], "http_status_307", "{d}");
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(redirecting.hits(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(target.hits(), 0, "the redirect was followed");
}

#[tokio::test]
async fn the_receivers_answer_never_reaches_the_delivery_log_and_a_huge_body_is_not_read() {
    let app = spawn_app_with(|c| c.webhooks.timeout_ms = 3_000).await;
    let failing = app.approved_developer(1).await;
    let streaming = app.approved_developer(2).await;
    let page = Scripted::start(error_page).await;
    let endless_rx = Scripted::start(endless).await;
    register(&app, &failing, &page.url).await;
    register(&app, &streaming, &endless_rx.url).await;

    enqueue(&app, failing.id, "hold.created", &payload(1));
    let d = wait_for_delivery(&app, &failing, Duration::from_secs(5), |d| {
        d["attempts"] == 1 && d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["last_error"], "http_status_500", "{d}");
    assert_eq!(d["last_status_code"], 500);
    for token in [failing.key.as_str(), ADMIN_TOKEN] {
        let log = deliveries(&app, token, failing.id).await.to_string();
        assert!(
            !log.contains("hunter2") && !log.contains("10.1.2.3"),
            "{log}"
        );
    }

    // a 2xx is delivered at once; the endless body is never waited for
    let started = Instant::now();
    enqueue(&app, streaming.id, "hold.created", &payload(2));
    let d = wait_for_delivery(&app, &streaming, Duration::from_secs(5), |d| {
        d["status"] != "pending"
    })
    .await;
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(d["last_error"], Value::Null);
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "took {:?}, the time limit is 3 s",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_failed_tls_handshake_is_recorded_as_tls() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    // a plain-HTTP receiver behind an https:// URL
    let rx = Scripted::start(ok).await;
    register(&app, &dev, &rx.url.replace("http://", "https://")).await;
    enqueue(&app, dev.id, "hold.created", &payload(1));
    let d = wait_for_delivery(&app, &dev, Duration::from_secs(5), |d| {
        d["last_error"].is_string()
    })
    .await;
    assert_eq!(d["last_error"], "tls", "{d}");
    assert_eq!(d["status"], "pending", "{d}");
}
