//! What a database operation returns when it does not succeed: a typed refusal decided by the
//! rules (`Refused`), a rejected upload with every bad row, or a failure of the database itself.
//! (A pool that cannot hand out a connection is the caller's `PoolError`, before any query runs.)
//! The HTTP layer maps each to a status and code; nothing here knows about HTTP.

use crate::domain::refusal::{Refusal, RefusalKind};
use crate::upload::{RowError, UploadError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A rule refused the operation; nothing was written.
    #[error("{0}")]
    Refused(Refusal),
    /// An upload or import row conflicts with what is stored (e.g. an ID already registered).
    #[error("{0}")]
    Upload(#[from] UploadError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// An invariant did not hold (a stored value that cannot be read, a raced conditional
    /// write): a bug or corruption, reported as an internal error.
    #[error("{0:#}")]
    Broken(anyhow::Error),
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        DbError::Refused(Refusal::new(kind, message))
    }
    pub fn not_found(what: &str) -> Self {
        DbError::Refused(Refusal::not_found(what))
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        DbError::Refused(Refusal::unauthorized(message))
    }
    pub fn validation(errors: Vec<crate::domain::FieldError>) -> Self {
        DbError::Refused(Refusal::validation(errors))
    }
    pub fn upload_rejected(rows: Vec<RowError>) -> Self {
        DbError::Upload(UploadError::Rejected(rows))
    }
    pub fn broken(cause: impl Into<anyhow::Error>) -> Self {
        DbError::Broken(cause.into())
    }
}

impl From<Refusal> for DbError {
    fn from(r: Refusal) -> Self {
        DbError::Refused(r)
    }
}
