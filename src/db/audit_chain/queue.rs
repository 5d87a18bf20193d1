//! The queue of audit events a write transaction has recorded and not yet chained.

use std::cell::RefCell;

use crate::db::AnyConnection;

/// An event recorded in a transaction that has not committed yet; chained at commit.
#[derive(Debug, Clone)]
pub(crate) struct PendingEvent {
    pub at_ms: i64,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<i64>,
    pub request_id: Option<String>,
    pub details: String,
}

thread_local! {
    /// The events of the write transactions open on this thread, by connection. A transaction runs
    /// on one thread from `write_tx`'s BEGIN to its COMMIT, and every `record` in it is handed the
    /// same connection, so the connection's address finds its queue.
    static PENDING: RefCell<Vec<(usize, Vec<PendingEvent>)>> = const { RefCell::new(Vec::new()) };
}

fn conn_key(conn: &AnyConnection) -> usize {
    conn as *const AnyConnection as usize
}

/// The queue of one `write_tx`: opened at BEGIN, emptied into the chain at COMMIT, dropped (with
/// its events) on rollback or panic. A nested `write_tx` on the same connection (a savepoint)
/// leaves its events to the outer one and takes them back if it rolls back.
pub(crate) struct Collector {
    key: usize,
    outer: bool,
    mark: usize,
    finished: bool,
}

impl Collector {
    pub(crate) fn begin(conn: &AnyConnection) -> Collector {
        let key = conn_key(conn);
        PENDING.with(|p| {
            let mut p = p.borrow_mut();
            match p.iter().find(|(k, _)| *k == key) {
                Some((_, events)) => Collector {
                    key,
                    outer: false,
                    mark: events.len(),
                    finished: false,
                },
                None => {
                    p.push((key, Vec::new()));
                    Collector {
                        key,
                        outer: true,
                        mark: 0,
                        finished: false,
                    }
                }
            }
        })
    }

    /// The events to chain before this transaction commits (none for a nested one).
    pub(crate) fn finish(mut self) -> Vec<PendingEvent> {
        self.finished = true;
        if !self.outer {
            return Vec::new();
        }
        PENDING.with(|p| {
            let mut p = p.borrow_mut();
            match p.iter().position(|(k, _)| *k == self.key) {
                Some(i) => p.swap_remove(i).1,
                None => Vec::new(),
            }
        })
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        PENDING.with(|p| {
            let mut p = p.borrow_mut();
            if let Some(i) = p.iter().position(|(k, _)| *k == self.key) {
                if self.outer {
                    p.swap_remove(i);
                } else {
                    p[i].1.truncate(self.mark);
                }
            }
        });
    }
}

/// Queues `event` in the write transaction open on `conn`; hands it back when there is none.
pub(super) fn push(conn: &AnyConnection, event: PendingEvent) -> Option<PendingEvent> {
    let key = conn_key(conn);
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        match p.iter_mut().find(|(k, _)| *k == key) {
            Some((_, events)) => {
                events.push(event);
                None
            }
            None => Some(event),
        }
    })
}
