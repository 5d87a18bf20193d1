//! Connections that stall or pile up cannot hold the hall: a body that stops arriving answers 408
//! and the connection closes, a head that never ends is closed, and one address cannot hold more
//! than its share of connections. Raw TCP to the test server on loopback.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

async fn connect(app: &TestApp) -> TcpStream {
    let addr = app.address.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap()
}

/// Everything the server sends until it closes the connection; panics if it is still open
/// after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut got)).await;
    assert!(
        read.is_ok(),
        "still open after {within:?}: {:?}",
        String::from_utf8_lossy(&got)
    );
    String::from_utf8_lossy(&got).into_owned()
}

/// The status line of one answer to a plain GET on `stream`.
async fn status_of_get(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: hall\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    text.lines().next().unwrap_or("").to_string()
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408_and_the_connection_closes() {
    let app = spawn_app_with(|c| c.http.body_idle_ms = 300).await;
    let mut stream = connect(&app).await;
    let head = format!(
        "PUT /api/v1/policy HTTP/1.1\r\nHost: hall\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"login_"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    // the hall still answers
    let (status, _) = app.get("", "/healthz").await;
    assert_eq!(status, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_head_that_never_ends_is_closed() {
    let app = spawn_app_with(|c| c.http.header_timeout_ms = 300).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: ha")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test]
async fn one_address_cannot_hold_more_connections_than_its_limit() {
    let app = spawn_app_with(|c| c.http.max_per_peer = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect(&app).await;
        assert_eq!(
            status_of_get(&mut stream, "/healthz").await,
            "HTTP/1.1 200 OK"
        );
        held.push(stream);
    }
    let mut fourth = connect(&app).await;
    assert_eq!(
        status_of_get(&mut fourth, "/healthz").await,
        "HTTP/1.1 429 Too Many Requests"
    );
    let rest = read_until_closed(&mut fourth, Duration::from_secs(5)).await;
    assert!(!rest.starts_with("HTTP/1.1 200"), "{rest}");
    // a closed connection frees its place
    drop(held.pop());
    let mut freed = false;
    for _ in 0..40 {
        let mut stream = connect(&app).await;
        if status_of_get(&mut stream, "/healthz").await == "HTTP/1.1 200 OK" {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(freed, "the freed place was never given back");
}
