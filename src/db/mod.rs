//! Database access: one connection type over SQLite and PostgreSQL, the pool, pragmas, embedded
//! migrations, the write-transaction helper and one file of queries per table group.

pub mod aftercare;
pub mod audit;
pub mod audit_chain;
pub mod credentials;
mod depth;
pub mod developers;
pub mod error;
pub mod group;
pub mod households;
pub mod idempotency;
pub mod kiosk;
pub mod listings;
pub mod matches;
pub mod officials;
pub mod policy;
pub mod projects;
pub mod rekey;
pub mod retention;
pub mod rounds;
pub mod schema;
pub mod selection;
mod sql_enum;
pub mod stats;
pub mod tickets;
pub mod timing;
pub mod units;
pub mod webhooks;

use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::result::{Error as DieselError, QueryResult};
use diesel::RunQueryDsl;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use error::{DbError, DbResult};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection over either backend. Queries are written once against it; the few things
/// diesel's multi-backend cannot express (SQLite's batch insert, `BEGIN IMMEDIATE`, PostgreSQL's
/// row and advisory locks) are the helpers below, the only code that looks at the variant.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<AnyConnection>>;
pub type DbConn = PooledConnection<ConnectionManager<AnyConnection>>;

/// Runs `$body` with `$c` bound to the concrete connection of either backend (this module only).
macro_rules! with_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Sqlite($c) => $body,
            $crate::db::AnyConnection::Postgresql($c) => $body,
        }
    };
}

mod tx;
pub use tx::{read_tx, write_tx};

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("unsupported database url (expected sqlite://PATH or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("cannot open database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("cannot create the database file {0}: {1}")]
    CreateFile(String, std::io::Error),
}

/// Pragmas every SQLite connection needs: WAL for concurrent readers, a busy timeout instead of
/// SQLITE_BUSY, and enforced foreign keys; reads through a memory map (up to 1 GiB of address
/// space, shared with the OS page cache) instead of a `read` call per page, which the officials'
/// figures over a million units need.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA mmap_size = 1073741824;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Turns `sqlite://PATH` into the path diesel opens, or keeps a postgres URL (with a connect
/// timeout, so a server that is down fails fast instead of blocking for 30 s).
pub fn connection_url(database_url: &str) -> Result<String, PoolError> {
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        Ok(path.to_string())
    } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        if database_url.contains("connect_timeout=") {
            Ok(database_url.to_string())
        } else if database_url.contains('?') {
            Ok(format!("{database_url}&connect_timeout=5"))
        } else {
            Ok(format!("{database_url}?connect_timeout=5"))
        }
    } else {
        Err(PoolError::UnsupportedUrl(database_url.to_string()))
    }
}

pub fn is_postgres(database_url: &str) -> bool {
    database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")
}

/// Creates a missing SQLite database file empty and readable by its owner only (0600) before
/// SQLite opens it: SQLite gives the `-wal` and `-shm` files the main file's permissions, so the
/// households' data never sits in a world-readable file. An existing file, an in-memory database
/// and a `file:` URI are left alone.
fn create_private_sqlite_file(path: &str) -> Result<(), PoolError> {
    if path.is_empty() || path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(PoolError::CreateFile(path.to_string(), e)),
    }
}

pub fn build_pool(database_url: &str, max_size: u32) -> Result<DbPool, PoolError> {
    let url = connection_url(database_url)?;
    if !is_postgres(database_url) {
        create_private_sqlite_file(&url)?;
    }
    let manager = ConnectionManager::<AnyConnection>::new(url);
    let pool = Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)?;
    Ok(pool)
}

/// One connection outside the pool, set up as the pool's are.
pub fn open_connection(database_url: &str) -> anyhow::Result<AnyConnection> {
    use diesel::Connection;
    let mut conn = AnyConnection::establish(&connection_url(database_url)?)?;
    SqlitePragmas
        .on_acquire(&mut conn)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(conn)
}

pub fn run_migrations(conn: &mut AnyConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.len())
}

impl AnyConnection {
    pub fn is_postgres(&self) -> bool {
        matches!(self, AnyConnection::Postgresql(_))
    }
}

/// Locks row `id` of `table` for the rest of the write transaction: `SELECT … FOR UPDATE` on
/// PostgreSQL; on SQLite `BEGIN IMMEDIATE` already holds the whole database's write lock.
pub fn lock_row(conn: &mut AnyConnection, table: &'static str, id: i64) -> QueryResult<()> {
    if conn.is_postgres() {
        diesel::sql_query(format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(conn)?;
    }
    Ok(())
}

/// The id of the row of `table` whose text `column` equals `value`, locked for the rest of the
/// write transaction like `lock_row`, in one statement: `… FOR UPDATE` on PostgreSQL, a plain
/// read on SQLite (whose `BEGIN IMMEDIATE` holds the lock already).
pub fn lock_id_where(
    conn: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    value: &str,
) -> QueryResult<Option<i64>> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let lock = if conn.is_postgres() {
        " FOR UPDATE"
    } else {
        ""
    };
    let found: Vec<Id> =
        diesel::sql_query(format!("SELECT id FROM {table} WHERE {column} = $1{lock}"))
            .bind::<diesel::sql_types::Text, _>(value)
            .load(conn)?;
    Ok(found.first().map(|row| row.id))
}

/// The values of text `column` in `table` that are among `values`, in one query however many
/// there are: the list travels as a single JSON text bind (`json_each` on SQLite,
/// `jsonb_array_elements_text` on PostgreSQL), so no bind-parameter limit applies.
pub fn present_values(
    conn: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    values: &[&str],
) -> QueryResult<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let list = if conn.is_postgres() {
        "SELECT jsonb_array_elements_text($1::jsonb)"
    } else {
        "SELECT value FROM json_each($1)"
    };
    let json = serde_json::to_string(values).expect("a list of strings serialises");
    let found: Vec<Found> = diesel::sql_query(format!(
        "SELECT {column} AS value FROM {table} WHERE {column} IN ({list})"
    ))
    .bind::<diesel::sql_types::Text, _>(json)
    .load(conn)?;
    Ok(found.into_iter().map(|f| f.value).collect())
}

/// Serialises write transactions that share `key` (PostgreSQL: a transaction-scoped advisory
/// lock on its hash); on SQLite `BEGIN IMMEDIATE` already serialises every writer.
pub fn lock_key(conn: &mut AnyConnection, key: &str) -> QueryResult<()> {
    if conn.is_postgres() {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(conn)?;
    }
    Ok(())
}

/// Inserts many rows in one statement. Diesel's multi-backend connection cannot express SQLite's
/// batch insert (no `DEFAULT` keyword), so this is the one query that runs on the concrete
/// connection of either backend; every other query is written once against `AnyConnection`.
pub fn insert_rows<T, V>(conn: &mut AnyConnection, table: T, rows: V) -> QueryResult<usize>
where
    T: diesel::Table,
    V: diesel::Insertable<T>,
    diesel::query_builder::InsertStatement<T, V::Values>:
        ExecuteDsl<SqliteConnection> + ExecuteDsl<PgConnection>,
{
    let statement = diesel::insert_into(table).values(rows);
    with_backend!(conn, c => ExecuteDsl::execute(statement, c))
}

/// `s` for a `LIKE … ESCAPE '\\'` pattern: `%`, `_` and `\\` match only themselves.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Names the row in an error reading it back — a status no variant knows, say — so the log says
/// `units row 42: … field 'status': units.status holds an unknown value "gone"`, not a bare
/// decoding error.
pub fn in_row<T>(result: QueryResult<T>, table: &str, id: i64) -> QueryResult<T> {
    result.map_err(|e| match e {
        DieselError::DeserializationError(cause) => {
            let mut message = format!("{table} row {id}: {cause}");
            let mut source = cause.source();
            while let Some(inner) = source {
                message.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            DieselError::DeserializationError(message.into())
        }
        other => other,
    })
}

/// `true` when the error is a unique-constraint violation.
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
