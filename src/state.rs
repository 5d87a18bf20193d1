//! Shared application state handed to every handler: pool, cipher, clock, limits.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::clock::Clock;
use crate::config::{KioskSettings, UploadLimits};
use crate::crypto::DataCipher;
use crate::db::group::GroupWriter;
use crate::db::{AnyConnection, DbConn, DbPool};
use crate::error::ApiError;
use crate::jobs::delivery::WebhookWorker;
use crate::jobs::indexer::Indexer;
use crate::search::SearchIndex;
use crate::throttle::LoginThrottle;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub cipher: DataCipher,
    pub clock: Arc<dyn Clock>,
    pub upload: UploadLimits,
    /// SQLite only: the writer that commits selection writes in groups (`write_grouped`).
    pub group: Option<Arc<GroupWriter>>,
    /// One permit per argon2 hash or check running (`SecuritySettings::hash_threads`).
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// One permit per upload being parsed (`UploadLimits::max_parallel`).
    pub upload_gate: Arc<tokio::sync::Semaphore>,
    pub kiosk: KioskSettings,
    pub security: crate::config::SecuritySettings,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub login_throttle: Arc<LoginThrottle>,
    /// objections filed per address (`KioskSettings::objection_max_per_window`)
    pub objection_throttle: Arc<LoginThrottle>,
    pub index_dir: PathBuf,
    pub search: Arc<SearchIndex>,
    pub indexer: Arc<Indexer>,
    /// sends the webhook outbox; `write` wakes it
    pub webhooks: Arc<WebhookWorker>,
    /// decides every URL the service will call (webhooks): at registration and at each delivery
    pub outbound: crate::outbound::OutboundGuard,
}

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Runs blocking database work off the async workers.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let asked = Instant::now();
        let (result, queued, pool_wait, work, tx) = actix_web::web::block(move || {
            let queued = asked.elapsed();
            let connecting = Instant::now();
            let conn = pool.get();
            let pool_wait = connecting.elapsed();
            crate::db::timing::take();
            let working = Instant::now();
            let result = conn
                .map_err(ApiError::from)
                .and_then(|mut conn| f(&mut conn));
            let tx = crate::db::timing::take();
            (result, queued, pool_wait, working.elapsed(), tx)
        })
        .await?;
        crate::profile::note_db(queued, pool_wait, work, tx);
        result
    }

    /// Like `write`, for the selection writes (holds, confirms, releases): on SQLite they go to
    /// the group writer (`db::group`), which commits the writes waiting at the same moment
    /// together, each in its own savepoint with its own outcome; on PostgreSQL, which takes
    /// concurrent writers, they run as `write` does.
    pub async fn write_grouped<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let Some(group) = &self.group else {
            return self.write(move |c| f(c)).await;
        };
        let (result, times) = group
            .submit(f)
            .await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("the group writer has stopped")))?;
        crate::profile::note(crate::profile::Stage::GroupWait, times.waited);
        crate::profile::note(crate::profile::Stage::GroupRun, times.ran);
        if result.is_ok() {
            self.indexer.notify();
            self.webhooks.notify();
        }
        result
    }

    /// Moves a kiosk session's idle deadline beside the request, which does not wait for it:
    /// through the group writer on SQLite (so the write queues with the others instead of
    /// polling for the lock), on a pooled connection on PostgreSQL. A failure is logged; the
    /// session then ends a little earlier, never later.
    pub fn touch_session(&self, session_id: i64, now_ms: i64, idle_ms: i64) {
        let touch = move |c: &mut AnyConnection| {
            crate::db::kiosk::touch_session(c, session_id, now_ms, idle_ms)
        };
        match &self.group {
            Some(group) => {
                // the request does not wait for the answer; a task beside it logs a failure
                let answer = group.submit::<bool, diesel::result::Error, _>(touch);
                actix_web::rt::spawn(async move {
                    if let Ok((Err(e), _)) = answer.await {
                        tracing::warn!(error = %e, "kiosk session touch failed");
                    }
                });
            }
            None => {
                let state = self.clone();
                actix_web::rt::spawn(async move {
                    if let Err(e) = state.db(move |c| Ok(touch(c)?)).await {
                        tracing::warn!(error = %e, "kiosk session touch failed");
                    }
                });
            }
        }
    }

    /// Runs argon2 work (a PIN's hash or check) on a blocking thread once a hashing permit is
    /// free: at most `SecuritySettings::hash_threads` at once, so a rush of log-ins leaves cores
    /// for the holds.
    pub async fn hash<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let asked = Instant::now();
        let permit = Arc::clone(&self.hashing)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let out = actix_web::web::block(move || {
            let out = f();
            drop(permit);
            out
        })
        .await?;
        crate::profile::note(crate::profile::Stage::Hash, asked.elapsed());
        Ok(out)
    }

    /// Like `db`, for work that may change what search lists: wakes the indexer afterwards.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let result = self.db(f).await;
        if result.is_ok() {
            self.indexer.notify();
            self.webhooks.notify();
        }
        result
    }

    /// Runs blocking search work off the async workers.
    pub async fn search<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&SearchIndex) -> Result<T, ApiError> + Send + 'static,
    {
        let index = Arc::clone(&self.search);
        actix_web::web::block(move || f(&index)).await?
    }
}
