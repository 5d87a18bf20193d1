//! Where a write transaction's time goes, per stage, for the profile in `/metrics`: waiting for
//! the write lock (the in-process writer queue plus `BEGIN`), chaining the audit events, and the
//! `COMMIT`. Each blocking thread keeps its own running totals; the caller that ran the database
//! work on that thread (`AppState::db`) takes them when the work is done, so no lock is shared.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The stages of the write transactions run on one thread since the last `take`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct TxStages {
    /// waiting for the writer queue (SQLite) and `BEGIN`
    pub lock_wait: Duration,
    /// chaining and inserting the audit events (PostgreSQL: includes the chain lock's wait)
    pub audit: Duration,
    pub commit: Duration,
    /// the whole of each transaction, from asking for the lock to the end of `COMMIT`
    pub total: Duration,
    pub transactions: u32,
}

thread_local! {
    static STAGES: Cell<TxStages> = Cell::new(TxStages::default());
}

/// Adds one stage's time to this thread's totals.
pub(super) fn add(stage: fn(&mut TxStages) -> &mut Duration, since: Instant) {
    STAGES.with(|s| {
        let mut v = s.get();
        *stage(&mut v) += since.elapsed();
        s.set(v);
    });
}

/// Counts a finished transaction that began at `since`.
pub(super) fn finished(since: Instant) {
    STAGES.with(|s| {
        let mut v = s.get();
        v.total += since.elapsed();
        v.transactions += 1;
        s.set(v);
    });
}

/// This thread's totals since the last call, reset to zero.
pub fn take() -> TxStages {
    STAGES.with(|s| s.replace(TxStages::default()))
}
