//! The webhook delivery worker: a thread with its own small tokio runtime that claims due rows of
//! the delivery outbox, POSTs them signed to the developers' URLs with reqwest, and records the
//! outcome, retrying failures with exponential backoff. Requests never wait for it. Every request
//! goes through the outbound guard (`crate::outbound`); the log records only an error class.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::clock::{rfc3339, Clock};
use crate::config::WebhookSettings;
use crate::crypto::DataCipher;
use crate::db::webhooks::{self as store, AttemptOutcome, Claimed, Delivery};
use crate::db::DbPool;
use crate::domain::webhook::{retry_delay_ms, signature};
use crate::outbound::client::{self as outbound_client, ErrorClass};
use crate::outbound::OutboundGuard;

/// Requests in flight at once, in all.
const MAX_IN_FLIGHT: usize = 32;
/// Requests in flight for one developer: a receiver that hangs until the time limit holds at most
/// this many slots, so other developers' notices keep flowing.
const PER_DEVELOPER_IN_FLIGHT: usize = 8;
/// Rows claimed per database round.
const CLAIM_BATCH: usize = 8;
/// How long a claim lasts beyond the request's time limit: only a worker that died mid-request
/// leaves a row claimed, and another instance takes it over after this.
const LEASE_MARGIN_MS: i64 = 30_000;

pub const HEADER_EVENT: &str = "X-Anju-Event";
pub const HEADER_DELIVERY: &str = "X-Anju-Delivery";
pub const HEADER_TIMESTAMP: &str = "X-Anju-Timestamp";
pub const HEADER_SIGNATURE: &str = "X-Anju-Signature";

pub struct WebhookWorker {
    pool: DbPool,
    cipher: DataCipher,
    clock: Arc<dyn Clock>,
    settings: WebhookSettings,
    guard: OutboundGuard,
    wake: Notify,
    stop: AtomicBool,
    /// requests in flight per developer
    busy: Mutex<HashMap<i64, usize>>,
}

impl std::fmt::Debug for WebhookWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookWorker")
            .field("settings", &self.settings)
            .finish()
    }
}

/// Stops the worker when dropped (with the `Application` that started it).
#[derive(Debug)]
pub struct WorkerGuard(Arc<WebhookWorker>);

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.0.stop();
    }
}

impl WebhookWorker {
    pub fn new(
        pool: DbPool,
        cipher: DataCipher,
        clock: Arc<dyn Clock>,
        settings: WebhookSettings,
        guard: OutboundGuard,
    ) -> Arc<WebhookWorker> {
        Arc::new(WebhookWorker {
            pool,
            cipher,
            clock,
            settings,
            guard,
            wake: Notify::new(),
            stop: AtomicBool::new(false),
            busy: Mutex::new(HashMap::new()),
        })
    }

    /// Starts the delivery thread; it runs until `stop` or until the guard is dropped.
    pub fn spawn(self: &Arc<Self>) -> std::io::Result<WorkerGuard> {
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name("anju-webhooks".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tracing::error!(error = %e, "webhook worker cannot start its runtime");
                        return;
                    }
                };
                runtime.block_on(Arc::clone(&me).run());
                runtime.shutdown_timeout(Duration::from_secs(1));
                tracing::debug!("webhook worker stopped");
            })?;
        Ok(WorkerGuard(Arc::clone(self)))
    }

    /// Asks the worker to look for due deliveries now (after a local write).
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    async fn run(self: Arc<Self>) {
        let client = match outbound_client::client(
            &self.guard,
            Duration::from_millis(self.settings.timeout_ms),
            concat!("anju-webhooks/", env!("CARGO_PKG_VERSION")),
        ) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhook worker cannot build its http client");
                return;
            }
        };
        let poll = Duration::from_millis(self.settings.poll_ms.max(10));
        let mut tasks = JoinSet::new();
        while !self.stop.load(Ordering::SeqCst) {
            while tasks.try_join_next().is_some() {}
            let free = MAX_IN_FLIGHT.saturating_sub(tasks.len()).min(CLAIM_BATCH);
            if free > 0 {
                match self.claim(free).await {
                    Ok((token, batch)) => {
                        let full = batch.len() == free;
                        for claimed in batch {
                            self.mark_busy(claimed.delivery.developer_id, true);
                            let me = Arc::clone(&self);
                            tasks.spawn(me.attempt(client.clone(), token.clone(), claimed));
                        }
                        if full {
                            continue;
                        }
                    }
                    Err(e) => tracing::error!(error = format!("{e:#}"), "webhook claim failed"),
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
    }

    fn mark_busy(&self, developer_id: i64, started: bool) {
        let mut busy = self.busy.lock().expect("webhook busy map");
        let n = busy.entry(developer_id).or_insert(0);
        if started {
            *n += 1;
        } else {
            *n = n.saturating_sub(1);
            if *n == 0 {
                busy.remove(&developer_id);
            }
        }
    }

    async fn claim(self: &Arc<Self>, limit: usize) -> anyhow::Result<(String, Vec<Claimed>)> {
        let me = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let skip: Vec<i64> = me
                .busy
                .lock()
                .expect("webhook busy map")
                .iter()
                .filter(|(_, n)| **n >= PER_DEVELOPER_IN_FLIGHT)
                .map(|(id, _)| *id)
                .collect();
            let token = uuid::Uuid::new_v4().simple().to_string();
            let lease_ms = me.settings.timeout_ms as i64 + LEASE_MARGIN_MS;
            let mut conn = me.pool.get()?;
            let batch = store::claim_due(
                &mut conn,
                &token,
                me.clock.now_ms(),
                lease_ms,
                limit as i64,
                &skip,
            )?;
            Ok((token, batch))
        })
        .await?
    }

    /// One attempt at one delivery: send it, then record how it went.
    async fn attempt(self: Arc<Self>, client: reqwest::Client, token: String, claimed: Claimed) {
        let Claimed { delivery, webhook } = claimed;
        let outcome = match webhook {
            // removed after the claim: nothing to send to
            None => AttemptOutcome::Failed {
                status_code: None,
                error: "webhook_removed".into(),
                retry_at_ms: None,
            },
            Some(webhook) => self.send(&client, &delivery, &webhook).await,
        };
        let (id, developer_id, attempt) = (delivery.id, delivery.developer_id, delivery.attempts);
        match &outcome {
            AttemptOutcome::Delivered { status_code } => {
                tracing::debug!(
                    delivery_id = id,
                    developer_id,
                    attempt,
                    status_code,
                    "webhook delivered"
                )
            }
            AttemptOutcome::Failed {
                status_code,
                error,
                retry_at_ms,
            } => tracing::warn!(
                delivery_id = id,
                developer_id,
                attempt,
                status_code,
                error = %error,
                will_retry = retry_at_ms.is_some(),
                "webhook attempt failed"
            ),
        }
        let me = Arc::clone(&self);
        let recorded = tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
            let mut conn = me.pool.get()?;
            Ok(store::record_attempt(
                &mut conn,
                id,
                &token,
                &outcome,
                me.clock.now_ms(),
            )?)
        })
        .await;
        match recorded {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::info!(delivery_id = id, "webhook claim lost meanwhile"),
            Ok(Err(e)) => tracing::error!(
                delivery_id = id,
                error = format!("{e:#}"),
                "webhook outcome not recorded"
            ),
            Err(e) => tracing::error!(delivery_id = id, error = %e, "webhook outcome not recorded"),
        }
        self.mark_busy(developer_id, false);
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        delivery: &Delivery,
        webhook: &store::Webhook,
    ) -> AttemptOutcome {
        let failed = |status_code: Option<u16>, error: String| AttemptOutcome::Failed {
            status_code: status_code.map(i32::from),
            error,
            retry_at_ms: retry_delay_ms(
                delivery.attempts,
                self.settings.backoff_base_ms,
                self.settings.backoff_cap_ms,
                self.settings.max_attempts,
            )
            .map(|delay| self.clock.now_ms() + delay),
        };
        let secret = match self.cipher.decrypt(&webhook.secret_enc) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(delivery_id = delivery.id, error = %e, "webhook secret unreadable");
                return failed(None, "secret_unreadable".into());
            }
        };
        let body = envelope(delivery);
        let timestamp = self.clock.now_ms().div_euclid(1000);
        let request = client
            .post(&webhook.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(HEADER_EVENT, &delivery.event)
            .header(HEADER_DELIVERY, delivery.id.to_string())
            .header(HEADER_TIMESTAMP, timestamp.to_string())
            .header(HEADER_SIGNATURE, signature(&secret, timestamp, &body))
            .body(body)
            .build();
        let request = match request {
            Ok(r) => r,
            Err(_) => return failed(None, ErrorClass::RequestFailed.to_string()),
        };
        match outbound_client::send(client, &self.guard, request).await {
            Ok(code) => AttemptOutcome::Delivered {
                status_code: i32::from(code),
            },
            Err(failure) => {
                // the cause, for the operator only; the record keeps the class
                tracing::info!(
                    delivery_id = delivery.id,
                    class = %failure.class,
                    detail = %failure.detail,
                    "webhook request failed"
                );
                failed(failure.status, failure.class.to_string())
            }
        }
    }
}

/// The body sent for a delivery: the same bytes on every attempt (serde_json writes object keys
/// in sorted order), so a receiver can de-duplicate by `id`.
pub fn envelope(delivery: &Delivery) -> Vec<u8> {
    let data: serde_json::Value = serde_json::from_str(&delivery.payload)
        .unwrap_or_else(|_| serde_json::Value::String(delivery.payload.clone()));
    serde_json::to_vec(&serde_json::json!({
        "id": delivery.id,
        "event": delivery.event,
        "developer_id": delivery.developer_id,
        "created_at": rfc3339(delivery.created_at_ms),
        "data": data,
    }))
    .expect("json values serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(payload: &str) -> Delivery {
        Delivery {
            id: 7,
            developer_id: 3,
            event: "hold.created".into(),
            payload: payload.into(),
            status: crate::domain::webhook::DeliveryStatus::Pending,
            attempts: 1,
            next_attempt_at_ms: 0,
            last_attempt_at_ms: None,
            last_status_code: None,
            last_error: None,
            created_at_ms: 0,
            delivered_at_ms: None,
        }
    }

    #[test]
    fn the_envelope_is_stable_and_carries_the_delivery_id() {
        let d = delivery(r#"{"unit_id":5,"status":"held"}"#);
        let body = envelope(&d);
        assert_eq!(body, envelope(&d));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["event"], "hold.created");
        assert_eq!(v["developer_id"], 3);
        assert_eq!(v["created_at"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["data"]["unit_id"], 5);
    }
}
