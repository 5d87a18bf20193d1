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

/// At start: folds in what a bulk load or a previous run left, then refreshes the planner's
/// statistics of the totals and clears the deltas' dead rows, so the first figures are planned
/// on the real sizes (autovacuum keeps them fresh afterwards).
pub fn compact_at_start(pool: &DbPool) -> anyhow::Result<()> {
    compact_once(pool)?;
    let mut conn = pool.get()?;
    crate::db::stats::vacuum_analyze(&mut conn)?;
    Ok(())
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
