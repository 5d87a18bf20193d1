//! HTTP plumbing shared by the scenarios: one reqwest client per kiosk connection, every answer's
//! status seen, and every 5xx (or broken connection) kept as evidence with its request id.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The bootstrap admin token the servers are started with (`ANJU_ADMIN_TOKEN`).
pub const ADMIN: &str = "ot_bench_selection_admin_000000000001";

static SERVER_ERRORS: AtomicUsize = AtomicUsize::new(0);
static TRANSPORT_ERRORS: AtomicUsize = AtomicUsize::new(0);
static EVIDENCE: Mutex<Vec<String>> = Mutex::new(Vec::new());
static KEYS: AtomicUsize = AtomicUsize::new(0);

/// 5xx answers and broken requests since the last `take_failures`, with up to 20 descriptions.
pub fn take_failures() -> (usize, usize, Vec<String>) {
    (
        SERVER_ERRORS.swap(0, Ordering::SeqCst),
        TRANSPORT_ERRORS.swap(0, Ordering::SeqCst),
        std::mem::take(&mut *EVIDENCE.lock().expect("evidence")),
    )
}

fn keep(evidence: String) {
    let mut e = EVIDENCE.lock().expect("evidence");
    if e.len() < 20 {
        e.push(evidence);
    }
}

/// An answer: status (0 when the request failed in transport), JSON body (`Null` when empty or
/// not JSON) and the time from send to the last byte.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub took: Duration,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn id(&self) -> Option<i64> {
        self.body["id"].as_i64()
    }

    /// The body when the status is `want`, else an error naming `what`.
    pub fn expect(self, want: u16, what: &str) -> anyhow::Result<Value> {
        anyhow::ensure!(
            self.status == want,
            "{what}: expected {want}, got {} {}",
            self.status,
            self.body
        );
        Ok(self.body)
    }
}

/// One keep-alive connection's client (a kiosk, or the admin's console).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(600))
        .build()
        .expect("reqwest client")
}

/// Sends a request and reads the whole answer.
pub async fn send(label: &str, req: reqwest::RequestBuilder) -> Reply {
    let started = Instant::now();
    match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            let request_id = res
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let bytes = match res.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    TRANSPORT_ERRORS.fetch_add(1, Ordering::SeqCst);
                    keep(format!("{label}: {status}, body broken off: {e}"));
                    return Reply {
                        status: 0,
                        body: Value::Null,
                        took: started.elapsed(),
                    };
                }
            };
            let took = started.elapsed();
            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if status >= 500 {
                SERVER_ERRORS.fetch_add(1, Ordering::SeqCst);
                keep(format!(
                    "{label}: {status} request id {request_id}: {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                ));
            }
            Reply { status, body, took }
        }
        Err(e) => {
            TRANSPORT_ERRORS.fetch_add(1, Ordering::SeqCst);
            keep(format!("{label}: transport error: {e}"));
            Reply {
                status: 0,
                body: Value::Null,
                took: started.elapsed(),
            }
        }
    }
}

/// One server's API (`base` is `http://127.0.0.1:PORT`).
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api {
            base: base.to_string(),
            http: client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Reply {
        let req = self.http.post(self.url(path)).bearer_auth(token).json(body);
        send(&format!("POST {path}"), req).await
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> Reply {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        send(&format!("GET {path}"), req).await
    }

    /// An upload: the file as the raw body with its content type.
    pub async fn upload(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let req = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .body(body);
        send(&format!("POST {path}"), req).await
    }
}

/// A fresh `Idempotency-Key`, as the kiosk page sends with every hold and confirm.
pub fn new_key() -> String {
    format!("bench-{}", KEYS.fetch_add(1, Ordering::Relaxed))
}

/// `POST /kiosk/holds {unit_id}` with an `Idempotency-Key`.
pub async fn hold(http: &reqwest::Client, base: &str, token: &str, unit_id: i64) -> Reply {
    let req = http
        .post(format!("{base}/api/v1/kiosk/holds"))
        .bearer_auth(token)
        .header("Idempotency-Key", new_key())
        .json(&json!({ "unit_id": unit_id }));
    send("POST /kiosk/holds", req).await
}

/// `POST /kiosk/holds/{id}/confirm` (no body) with an `Idempotency-Key`.
pub async fn confirm(http: &reqwest::Client, base: &str, token: &str, hold_id: i64) -> Reply {
    let req = http
        .post(format!("{base}/api/v1/kiosk/holds/{hold_id}/confirm"))
        .bearer_auth(token)
        .header("Idempotency-Key", new_key());
    send("POST /kiosk/holds/{id}/confirm", req).await
}
