//! Transactions: `write_tx` (SQLite's writer queue and `BEGIN IMMEDIATE`, savepoints inside a
//! group commit, the audit chain at commit, stage timings) and `read_tx`.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::Error as DieselError;

use super::{audit_chain, timing, AnyConnection};

/// The queue of this process's SQLite writers. SQLite lets one writer in at a time per database
/// file; without a queue, the others poll on `busy_timeout` with growing sleeps (1, 2, 5 … 100 ms),
/// so under load the cores sit idle while writers sleep and the unlucky ones wait for seconds.
/// A fair (first come, first served) mutex in front of `BEGIN IMMEDIATE` makes them queue and
/// hands the lock over the moment it is released. It guards the process's one database, like
/// SQLite's own lock guards the file; another process still meets `busy_timeout`.
static SQLITE_WRITERS: parking_lot::FairMutex<()> = parking_lot::const_fair_mutex(());

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (so a transaction that reads
/// before it writes takes the write lock up front and never fails with SQLITE_BUSY on upgrade),
/// after queueing behind this process's other SQLite writers (`SQLITE_WRITERS`); a plain `BEGIN`
/// on PostgreSQL. Commits on `Ok` (after chaining the audit events `f` recorded), rolls back on
/// `Err`. Inside a transaction already (a `group::GroupWriter` batch), it is a savepoint: `Err`
/// undoes only `f`'s work and its audit events. The time of each stage is added to `timing`.
pub fn write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    E: From<DieselError>,
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
{
    let started = std::time::Instant::now();
    let nested = super::depth::in_transaction(conn)?;
    let _queued = match conn {
        // inside a transaction already (a group commit's): a savepoint, the lock is held
        _ if nested => {
            with_backend!(&mut *conn, c => AnsiTransactionManager::begin_transaction(c))?;
            None
        }
        AnyConnection::Sqlite(c) => {
            let turn = SQLITE_WRITERS.lock();
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(turn)
        }
        AnyConnection::Postgresql(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    if !nested {
        timing::add(|s| &mut s.lock_wait, started);
    }
    // the audit events `f` records are chained and inserted last, just before COMMIT
    let audit = audit_chain::Collector::begin(conn);
    let done = f(conn).and_then(|value| {
        let chaining = std::time::Instant::now();
        audit_chain::append(conn, &audit.finish())?;
        if !nested {
            timing::add(|s| &mut s.audit, chaining);
        }
        Ok(value)
    });
    let result = match done {
        Ok(value) => {
            let committing = std::time::Instant::now();
            with_backend!(conn, c => AnsiTransactionManager::commit_transaction(c))?;
            if !nested {
                timing::add(|s| &mut s.commit, committing);
            }
            Ok(value)
        }
        Err(e) => {
            let rolled_back =
                with_backend!(conn, c => AnsiTransactionManager::rollback_transaction(c));
            if let Err(rollback_error) = rolled_back {
                tracing::error!(error = %rollback_error, "rollback failed");
            }
            Err(e)
        }
    };
    if !nested {
        timing::finished(started);
    }
    result
}

/// Runs `f` in a read transaction, so several reads see one snapshot.
pub fn read_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    E: From<DieselError>,
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
{
    use diesel::Connection;
    conn.transaction(f)
}
