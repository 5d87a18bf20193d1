//! Keeps this instance's search index in step with the database: applies the listing-change
//! outbox in sequence order on its own thread, catching up from the last applied sequence on
//! start; `rebuild` recreates the index from scratch.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::db::listings;
use crate::db::DbPool;
use crate::search::SearchIndex;

/// A gap in the sequence (a transaction that took a number and has not committed, or rolled
/// back) holds the checkpoint back for this long; after it the gap is taken as a rollback.
const GAP_PATIENCE: Duration = Duration::from_secs(10);
const BATCH: i64 = 5_000;
/// After applying changes, the indexer waits this long before the next round, so a busy hall's
/// holds reach search in a few commits a second instead of one commit per hold.
const COALESCE: Duration = Duration::from_millis(50);

pub struct Indexer {
    index: Arc<SearchIndex>,
    pool: DbPool,
    poll: Duration,
    wake: Mutex<bool>,
    wakeup: Condvar,
    stop: AtomicBool,
    paused: AtomicBool,
    gaps: Mutex<HashMap<i64, Instant>>,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer")
            .field("applied_seq", &self.index.applied_seq())
            .finish()
    }
}

impl Indexer {
    pub fn new(index: Arc<SearchIndex>, pool: DbPool, poll: Duration) -> Arc<Indexer> {
        Arc::new(Indexer {
            index,
            pool,
            poll,
            wake: Mutex::new(false),
            wakeup: Condvar::new(),
            stop: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            gaps: Mutex::new(HashMap::new()),
        })
    }

    /// Starts the background thread: catch up at once, then apply changes as they come.
    pub fn spawn(self: &Arc<Self>) -> std::thread::JoinHandle<()> {
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name("anju-indexer".into())
            .spawn(move || me.run())
            .expect("spawn indexer thread")
    }

    fn run(&self) {
        while !self.stop.load(Ordering::SeqCst) {
            if !self.paused.load(Ordering::SeqCst) {
                match self.apply_pending() {
                    Ok(n) if n as i64 >= BATCH => continue,
                    Ok(n) if n > 0 => {
                        // let the changes of the next moment gather: one commit (and fsync)
                        // for all of them instead of one per hold
                        std::thread::sleep(COALESCE);
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = format!("{e:#}"), "indexer round failed"),
                }
            }
            let mut woken = self.wake.lock().expect("indexer wake lock");
            if !*woken {
                woken = self
                    .wakeup
                    .wait_timeout(woken, self.poll)
                    .expect("indexer wait")
                    .0;
            }
            *woken = false;
        }
    }

    /// Asks the thread to look at the outbox now (after a local write).
    pub fn notify(&self) {
        *self.wake.lock().expect("indexer wake lock") = true;
        self.wakeup.notify_one();
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// Test hook: a paused indexer applies nothing, as if it had died after the database commit.
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
        self.notify();
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// Applies one batch of pending changes; returns how many changes it read.
    pub fn apply_pending(&self) -> anyhow::Result<usize> {
        let started = Instant::now();
        let applied = self.index.applied_seq();
        let mut conn = self.pool.get()?;
        let changes = listings::changes_after(&mut conn, applied, BATCH)?;
        if changes.is_empty() {
            return Ok(0);
        }
        let checkpoint = self.checkpoint(applied, changes.iter().map(|c| c.seq));
        let mut ids = BTreeSet::new();
        for change in changes.iter().filter_map(|c| c.change()) {
            ids.extend(listings::affected_unit_ids(&mut conn, change)?);
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        let docs = listings::load_listed(&mut conn, &ids)?;
        drop(conn);
        let listed: BTreeSet<i64> = docs.iter().map(|d| d.unit_id).collect();
        let deletes: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !listed.contains(id))
            .collect();
        self.index.apply(&docs, &deletes, checkpoint)?;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        if elapsed_ms > 500 {
            tracing::warn!(
                elapsed_ms,
                changes = changes.len(),
                upserts = docs.len(),
                "slow index round"
            );
        }
        tracing::debug!(
            changes = changes.len(),
            upserts = docs.len(),
            deletes = deletes.len(),
            checkpoint,
            "index updated"
        );
        // when held back by a young gap, the same changes are read again next round (harmless:
        // applying a change reloads the current state); wait for the poll before retrying
        Ok(if checkpoint > applied {
            changes.len()
        } else {
            0
        })
    }

    /// The highest sequence number below which nothing can still appear.
    fn checkpoint(&self, applied: i64, seqs: impl Iterator<Item = i64>) -> i64 {
        let mut gaps = self.gaps.lock().expect("gap lock");
        let mut expected = applied + 1;
        let mut checkpoint = applied;
        let mut blocked = false;
        for seq in seqs {
            while !blocked && expected < seq {
                let first_seen = *gaps.entry(expected).or_insert_with(Instant::now);
                if first_seen.elapsed() < GAP_PATIENCE {
                    blocked = true;
                } else {
                    expected += 1;
                }
            }
            if blocked {
                break;
            }
            checkpoint = seq;
            expected = seq + 1;
        }
        gaps.retain(|s, _| *s > checkpoint);
        checkpoint
    }

    /// Rebuilds the index from the database; `progress` gets the number of documents so far.
    pub fn rebuild(
        index: &SearchIndex,
        pool: &DbPool,
        progress: &dyn Fn(u64),
    ) -> anyhow::Result<u64> {
        let mut conn = pool.get()?;
        // changes after this point are applied again by the incremental indexer (idempotent)
        let checkpoint = listings::max_seq(&mut conn)?;
        let mut after = 0;
        let mut error = None;
        let mut count = 0u64;
        let docs = std::iter::from_fn(|| loop {
            if error.is_some() {
                return None;
            }
            match listings::listed_after(&mut conn, after, 2_000) {
                Ok(batch) if batch.is_empty() => return None,
                Ok(batch) => {
                    after = batch.last().map(|d| d.unit_id).unwrap_or(after);
                    return Some(batch);
                }
                Err(e) => error = Some(e),
            }
        })
        .flatten()
        .inspect(|_| count += 1);
        index.clear_and_rebuild(docs, checkpoint, progress)?;
        if let Some(e) = error {
            return Err(e.into());
        }
        Ok(count)
    }
}
