//! The one error type of the HTTP layer: stable error codes, their HTTP statuses, the JSON
//! envelope `{"error": {code, message, details}}`, and the mapping from lower layers' errors.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldError;
use crate::upload::{RowError, UploadError};

/// Every failure kind the API reports; `as_str` is the stable code clients match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthorized,
    SessionExpired,
    InvalidCredentials,
    LoginLocked,
    LoginThrottled,
    Forbidden,
    DeveloperSuspended,
    DeveloperNotApproved,
    ProjectNotApproved,
    NotFound,
    MalformedBody,
    InvalidQuery,
    ValidationFailed,
    ProjectClosed,
    InvalidTransition,
    DuplicateCreditCode,
    DuplicateProject,
    DuplicateHousehold,
    UnitLocked,
    NotYourTurn,
    VoucherExpired,
    RoundNotOpen,
    UnitNotAvailable,
    HoldLimitReached,
    HoldExpired,
    EntitlementExhausted,
    IdempotencyKeyReused,
    SeedMismatch,
    UploadRejected,
    EmptyUpload,
    BadEncoding,
    MalformedJson,
    BadSpreadsheet,
    PayloadTooLarge,
    TooManyRows,
    UnsupportedMediaType,
    ServiceUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            Unauthorized => "unauthorized",
            SessionExpired => "session_expired",
            InvalidCredentials => "invalid_credentials",
            // api.md names one code for both: the voucher is locked (423) or this kiosk's
            // address has failed too often (429); either way the household must wait
            LoginLocked | LoginThrottled => "login_locked",
            Forbidden => "forbidden",
            DeveloperSuspended => "developer_suspended",
            DeveloperNotApproved => "developer_not_approved",
            ProjectNotApproved => "project_not_approved",
            NotFound => "not_found",
            MalformedBody => "malformed_body",
            InvalidQuery => "invalid_query",
            ProjectClosed => "project_closed",
            ValidationFailed => "validation_failed",
            InvalidTransition => "invalid_transition",
            DuplicateCreditCode => "duplicate_credit_code",
            DuplicateProject => "duplicate_project",
            DuplicateHousehold => "duplicate_household",
            NotYourTurn => "not_your_turn",
            VoucherExpired => "voucher_expired",
            RoundNotOpen => "round_not_open",
            UnitNotAvailable => "unit_not_available",
            HoldLimitReached => "hold_limit_reached",
            HoldExpired => "hold_expired",
            EntitlementExhausted => "entitlement_exhausted",
            IdempotencyKeyReused => "idempotency_key_reused",
            SeedMismatch => "seed_mismatch",
            UnitLocked => "unit_locked",
            UploadRejected => "upload_rejected",
            EmptyUpload => "empty_upload",
            BadEncoding => "bad_encoding",
            MalformedJson => "malformed_json",
            BadSpreadsheet => "bad_spreadsheet",
            PayloadTooLarge => "payload_too_large",
            TooManyRows => "too_many_rows",
            UnsupportedMediaType => "unsupported_media_type",
            ServiceUnavailable => "service_unavailable",
            Internal => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        use ErrorCode::*;
        match self {
            Unauthorized | SessionExpired | InvalidCredentials => StatusCode::UNAUTHORIZED,
            LoginLocked => StatusCode::LOCKED,
            LoginThrottled => StatusCode::TOO_MANY_REQUESTS,
            Forbidden | DeveloperSuspended | DeveloperNotApproved | ProjectNotApproved
            | NotYourTurn | VoucherExpired => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            MalformedBody | MalformedJson | InvalidQuery => StatusCode::BAD_REQUEST,
            ValidationFailed | UploadRejected | EmptyUpload | BadEncoding | BadSpreadsheet
            | SeedMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            InvalidTransition | DuplicateCreditCode | DuplicateProject | DuplicateHousehold
            | UnitLocked | RoundNotOpen | UnitNotAvailable | HoldLimitReached | HoldExpired
            | EntitlementExhausted | IdempotencyKeyReused | ProjectClosed => StatusCode::CONFLICT,
            PayloadTooLarge | TooManyRows => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<serde_json::Value>,
    /// The cause of a 500, logged and never sent.
    source: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            details: None,
            source: None,
        }
    }
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        ApiError {
            code: ErrorCode::Internal,
            message: "internal error; the request id identifies it in the log".into(),
            details: None,
            source: Some(cause.into()),
        }
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::new(ErrorCode::ValidationFailed, "some fields are invalid")
            .with_details(serde_json::json!({ "fields": errors }))
    }
    pub fn upload_rejected(rows: Vec<RowError>) -> Self {
        let n = rows
            .iter()
            .map(|r| r.row)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        Self::new(
            ErrorCode::UploadRejected,
            format!("the upload was rejected: {n} bad rows; nothing was stored"),
        )
        .with_details(serde_json::json!({ "rows": rows }))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

/// The error envelope of api.md.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// stable snake_case code, e.g. `upload_rejected`
    pub code: String,
    pub message: String,
    /// `{rows:[{row, field, message}]}` for uploads, `{fields:[{field, message}]}` for bodies
    #[schema(value_type = Object)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.source {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        HttpResponse::build(self.status_code()).json(ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str().to_string(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        })
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %e, "no database connection");
        ApiError::new(
            ErrorCode::ServiceUnavailable,
            "the database is unavailable, try again",
        )
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        let message = e.to_string();
        match e {
            UploadError::Rejected(rows) => ApiError::upload_rejected(rows),
            UploadError::Empty => ApiError::new(ErrorCode::EmptyUpload, message),
            UploadError::BadEncoding => ApiError::new(
                ErrorCode::BadEncoding,
                format!(
                    "{message}; save the sheet as CSV UTF-8 or as CSV from Chinese Excel (GB18030)"
                ),
            ),
            UploadError::TooManyRows { .. } => ApiError::new(ErrorCode::TooManyRows, message),
            UploadError::MalformedJson(_) => ApiError::new(ErrorCode::MalformedJson, message),
            UploadError::BadSpreadsheet(_) => ApiError::new(ErrorCode::BadSpreadsheet, message),
        }
    }
}

/// Turns actix's JSON / query / path extractor failures into the envelope (400 with a stable code).
pub fn json_error_handler(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match &err {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
        }
        J::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "expected Content-Type: application/json",
        ),
        _ => ApiError::new(
            ErrorCode::MalformedBody,
            format!("malformed JSON body: {err}"),
        ),
    };
    api.into()
}

pub fn query_error_handler(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::new(ErrorCode::InvalidQuery, format!("bad query string: {err}")).into()
}

pub fn path_error_handler(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::new(ErrorCode::NotFound, format!("bad path: {err}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_and_map_to_4xx_or_5xx() {
        use ErrorCode::*;
        for code in [
            Unauthorized,
            Forbidden,
            NotFound,
            ValidationFailed,
            UploadRejected,
            UnitLocked,
            Internal,
        ] {
            assert!(code
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
        assert_eq!(UploadRejected.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(TooManyRows.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
