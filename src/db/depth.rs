//! Whether a transaction is open on a connection: asked by the write helper (a savepoint inside
//! one), the audit chain (events wait for the COMMIT) and the group writer (a job left one open).

use diesel::connection::TransactionManager;
use diesel::result::QueryResult;

use super::AnyConnection;

/// Whether a transaction (or a savepoint in one) is open on `conn`.
pub(crate) fn in_transaction(conn: &mut AnyConnection) -> QueryResult<bool> {
    use diesel::Connection;
    let depth =
        <AnyConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth()?;
    Ok(depth.is_some())
}
