//! Where a request's time goes: the stages of its database work (waiting for a blocking thread,
//! for a pooled connection, for the write lock; the work itself; the audit chain; the commit) and
//! of its PIN hashing, collected per request and added to `/metrics` as histograms by route and
//! stage (`anju_stage_duration_seconds`). The figures in docs/benchmarks.md were read from them.

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use crate::db::timing::TxStages;

/// One stage of a request's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// from handing the work to a blocking thread until it starts
    Queue,
    /// waiting for a pooled database connection
    PoolWait,
    /// SQLite: waiting for the group writer to take this write (`db::group`)
    GroupWait,
    /// SQLite: this write's own time inside its group (its savepoint)
    GroupRun,
    /// the database work on a pooled connection, transactions included
    Work,
    /// waiting for the write lock (SQLite: the writer queue and `BEGIN IMMEDIATE`)
    LockWait,
    /// chaining the audit events (PostgreSQL: with the chain lock's wait)
    Audit,
    Commit,
    /// whole write transactions, from asking for the lock to the end of the commit
    Transaction,
    /// argon2 work, with the wait for a hashing permit
    Hash,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Queue => "queue",
            Stage::PoolWait => "pool_wait",
            Stage::GroupWait => "group_wait",
            Stage::GroupRun => "group_run",
            Stage::Work => "work",
            Stage::LockWait => "lock_wait",
            Stage::Audit => "audit",
            Stage::Commit => "commit",
            Stage::Transaction => "transaction",
            Stage::Hash => "hash",
        }
    }
}

/// The stages of one request, summed per stage.
pub type Stages = Vec<(Stage, Duration)>;

tokio::task_local! {
    static CURRENT: RefCell<Stages>;
}

/// Runs `fut` (a request) and returns what its stages took.
pub async fn collect<F: Future>(fut: F) -> (F::Output, Stages) {
    CURRENT
        .scope(RefCell::new(Vec::new()), async move {
            let out = fut.await;
            let stages = CURRENT.with(|s| std::mem::take(&mut *s.borrow_mut()));
            (out, stages)
        })
        .await
}

/// Adds `took` to the request's `stage`; outside a request (a background job) it is dropped.
pub fn note(stage: Stage, took: Duration) {
    let _ = CURRENT.try_with(|s| {
        let mut stages = s.borrow_mut();
        match stages.iter_mut().find(|(st, _)| *st == stage) {
            Some((_, total)) => *total += took,
            None => stages.push((stage, took)),
        }
    });
}

/// Notes the stages of database work run on a blocking thread (see `AppState::db`).
pub fn note_db(queued: Duration, pool_wait: Duration, work: Duration, tx: TxStages) {
    note(Stage::Queue, queued);
    note(Stage::PoolWait, pool_wait);
    note(Stage::Work, work);
    if tx.transactions > 0 {
        note(Stage::LockWait, tx.lock_wait);
        note(Stage::Audit, tx.audit);
        note(Stage::Commit, tx.commit);
        note(Stage::Transaction, tx.total);
    }
}
