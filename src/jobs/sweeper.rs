//! The hold sweeper: flips holds past their expiry to `expired` every interval, so their units
//! come back into search by themselves. Correctness never depends on it: a hold past its expiry
//! is free for everyone whether or not the sweeper has run (see `db::selection::expire_due`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::indexer::Indexer;
use crate::clock::Clock;
use crate::db::DbPool;

#[derive(Debug, Default)]
pub struct HoldSweeper {
    stop: AtomicBool,
}

impl HoldSweeper {
    /// Starts the sweeper thread over the database, on `clock`'s time; wakes `indexer` when it
    /// freed units.
    pub fn spawn(
        pool: DbPool,
        clock: Arc<dyn Clock>,
        indexer: Arc<Indexer>,
        every: Duration,
    ) -> Arc<HoldSweeper> {
        let sweeper = Arc::new(HoldSweeper::default());
        let me = Arc::clone(&sweeper);
        std::thread::Builder::new()
            .name("hold-sweeper".into())
            .spawn(move || {
                while !me.stop.load(Ordering::SeqCst) {
                    std::thread::sleep(every);
                    if let Err(e) = sweep_once(&pool, clock.as_ref(), &indexer) {
                        tracing::warn!(error = format!("{e:#}"), "hold sweep failed");
                    }
                }
            })
            .expect("spawn hold sweeper thread");
        sweeper
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Expires every due hold, in batches; returns how many.
pub fn sweep_once(pool: &DbPool, clock: &dyn Clock, indexer: &Indexer) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let now = clock.now_ms();
        let mut conn = pool.get()?;
        let n = crate::db::write_tx(&mut conn, |c| {
            crate::db::selection::expire_due(c, now, None, None, 200)
        })?;
        total += n;
        if n > 0 {
            indexer.notify();
            tracing::info!(expired = n, "holds expired");
        }
        if n < 200 {
            return Ok(total);
        }
    }
}
