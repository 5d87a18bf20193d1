//! Folds the running totals' deltas into the totals (PostgreSQL; see migration 000007) every
//! interval, so the figures keep reading a few thousand rows however busy the hall is. The
//! figures are exact whether or not it has run: they read totals plus deltas.

use std::time::Duration;

use crate::db::DbPool;

/// How often the deltas are folded in.
pub const EVERY: Duration = Duration::from_secs(1);

/// Folds the deltas in once.
pub fn compact_once(pool: &DbPool) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    Ok(crate::db::stats::compact(&mut conn)?)
}

/// Starts the compactor thread (PostgreSQL only: SQLite's triggers write the totals directly).
pub fn spawn(pool: DbPool, every: Duration) {
    std::thread::Builder::new()
        .name("stats-compactor".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            if let Err(e) = compact_once(&pool) {
                tracing::warn!(error = format!("{e:#}"), "stats compaction failed");
            }
        })
        .expect("spawn stats compactor thread");
}
