//! The retention job: every interval, deletes finished webhook deliveries, idempotency keys and
//! ended or expired kiosk sessions older than their configured number of days, in batches of
//! `BATCH` rows per transaction. The audit log is never pruned. `prune_once` is also what
//! `anju prune` runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::RetentionSettings;
use crate::db::{retention, AnyConnection, DbPool};

/// Rows deleted per transaction.
pub const BATCH: i64 = 500;
const DAY_MS: i64 = 86_400_000;
/// Pause between two full batches, so other writers get the SQLite write lock in between.
const BREATHER: Duration = Duration::from_millis(20);

/// What one pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub deliveries: usize,
    pub idempotency_keys: usize,
    pub kiosk_sessions: usize,
}

/// Deletes everything past its retention at `now_ms`, batch by batch.
pub fn prune_once(
    pool: &DbPool,
    now_ms: i64,
    settings: &RetentionSettings,
) -> anyhow::Result<Pruned> {
    let mut conn = pool.get()?;
    let c = &mut *conn;
    Ok(Pruned {
        deliveries: in_batches(
            c,
            now_ms,
            settings.deliveries_days,
            retention::delete_deliveries,
        )?,
        idempotency_keys: in_batches(
            c,
            now_ms,
            settings.idempotency_days,
            retention::delete_idempotency_keys,
        )?,
        kiosk_sessions: in_batches(
            c,
            now_ms,
            settings.sessions_days,
            retention::delete_kiosk_sessions,
        )?,
    })
}

/// Runs `delete` until a batch comes back short; 0 days keeps everything.
fn in_batches(
    conn: &mut AnyConnection,
    now_ms: i64,
    days: i64,
    delete: fn(&mut AnyConnection, i64, i64) -> diesel::QueryResult<usize>,
) -> anyhow::Result<usize> {
    if days <= 0 {
        return Ok(0);
    }
    let cutoff_ms = now_ms - days * DAY_MS;
    let mut total = 0;
    loop {
        let n = delete(conn, cutoff_ms, BATCH)?;
        total += n;
        if (n as i64) < BATCH {
            return Ok(total);
        }
        std::thread::sleep(BREATHER);
    }
}

#[derive(Debug, Default)]
pub struct Pruner {
    stop: AtomicBool,
}

impl Pruner {
    /// Starts the pruning thread on `clock`'s time: a pass at once, then one every
    /// `settings.every_secs`.
    pub fn spawn(pool: DbPool, clock: Arc<dyn Clock>, settings: RetentionSettings) -> Arc<Pruner> {
        let pruner = Arc::new(Pruner::default());
        let me = Arc::clone(&pruner);
        let every = Duration::from_secs(settings.every_secs.max(1));
        std::thread::Builder::new()
            .name("pruner".into())
            .spawn(move || {
                while !me.stop.load(Ordering::SeqCst) {
                    match prune_once(&pool, clock.now_ms(), &settings) {
                        Ok(p) if p != Pruned::default() => tracing::info!(
                            deliveries = p.deliveries,
                            idempotency_keys = p.idempotency_keys,
                            kiosk_sessions = p.kiosk_sessions,
                            "old rows pruned"
                        ),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = format!("{e:#}"), "pruning failed"),
                    }
                    std::thread::sleep(every);
                }
            })
            .expect("spawn pruner thread");
        pruner
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}
