//! Shared application state handed to every handler: pool, cipher, clock, limits.

use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{KioskSettings, UploadLimits};
use crate::crypto::DataCipher;
use crate::db::{DbConn, DbPool};
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
    /// One permit per upload being parsed (`UploadLimits::max_parallel`).
    pub upload_gate: Arc<tokio::sync::Semaphore>,
    pub kiosk: KioskSettings,
    pub security: crate::config::SecuritySettings,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub login_throttle: Arc<LoginThrottle>,
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
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
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
