//! The one error type of the HTTP layer: stable error codes, their HTTP statuses, the JSON
//! envelope `{"error": {code, message, details}}`, and the mapping from lower layers' errors.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldError;
use crate::upload::{RowError, UploadError};

use crate::db::DbError;
pub use crate::domain::refusal::{Refusal, RefusalKind};

/// The one table from a refusal kind to its HTTP status and the stable code clients match on.
pub fn http_of(kind: RefusalKind) -> (StatusCode, &'static str) {
    use RefusalKind::*;
    use StatusCode as S;
    match kind {
        Unauthorized => (S::UNAUTHORIZED, "unauthorized"),
        SessionExpired => (S::UNAUTHORIZED, "session_expired"),
        InvalidCredentials => (S::UNAUTHORIZED, "invalid_credentials"),
        // one code for both: the voucher is locked (423) or this kiosk's address has failed too
        // often (429); either way the household must wait
        LoginLocked => (S::LOCKED, "login_locked"),
        LoginThrottled => (S::TOO_MANY_REQUESTS, "login_locked"),
        Forbidden => (S::FORBIDDEN, "forbidden"),
        DeveloperSuspended => (S::FORBIDDEN, "developer_suspended"),
        DeveloperNotApproved => (S::FORBIDDEN, "developer_not_approved"),
        ProjectNotApproved => (S::FORBIDDEN, "project_not_approved"),
        NotYourTurn => (S::FORBIDDEN, "not_your_turn"),
        VoucherExpired => (S::FORBIDDEN, "voucher_expired"),
        NotFound => (S::NOT_FOUND, "not_found"),
        MethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed"),
        RequestTimeout => (S::REQUEST_TIMEOUT, "request_timeout"),
        TooManyConnections => (S::TOO_MANY_REQUESTS, "too_many_connections"),
        MalformedBody => (S::BAD_REQUEST, "malformed_body"),
        MalformedJson => (S::BAD_REQUEST, "malformed_json"),
        InvalidQuery => (S::BAD_REQUEST, "invalid_query"),
        ValidationFailed => (S::UNPROCESSABLE_ENTITY, "validation_failed"),
        OutboundRefused => (S::UNPROCESSABLE_ENTITY, "outbound_refused"),
        UploadRejected => (S::UNPROCESSABLE_ENTITY, "upload_rejected"),
        EmptyUpload => (S::UNPROCESSABLE_ENTITY, "empty_upload"),
        BadEncoding => (S::UNPROCESSABLE_ENTITY, "bad_encoding"),
        BadSpreadsheet => (S::UNPROCESSABLE_ENTITY, "bad_spreadsheet"),
        SeedMismatch => (S::UNPROCESSABLE_ENTITY, "seed_mismatch"),
        InvalidTransition => (S::CONFLICT, "invalid_transition"),
        DuplicateCreditCode => (S::CONFLICT, "duplicate_credit_code"),
        DuplicateProject => (S::CONFLICT, "duplicate_project"),
        DuplicateHousehold => (S::CONFLICT, "duplicate_household"),
        UnitLocked => (S::CONFLICT, "unit_locked"),
        RoundNotOpen => (S::CONFLICT, "round_not_open"),
        UnitNotAvailable => (S::CONFLICT, "unit_not_available"),
        HoldLimitReached => (S::CONFLICT, "hold_limit_reached"),
        HoldExpired => (S::CONFLICT, "hold_expired"),
        EntitlementExhausted => (S::CONFLICT, "entitlement_exhausted"),
        // a ticket past its validity is like an expired voucher: not a state to wait out
        TicketExpired => (S::FORBIDDEN, "ticket_expired"),
        TicketExhausted => (S::CONFLICT, "ticket_exhausted"),
        TicketClosed => (S::FORBIDDEN, "ticket_closed"),
        TicketHousehold => (S::FORBIDDEN, "ticket_household"),
        TicketNotExpired => (S::CONFLICT, "ticket_not_expired"),
        TicketTransferNotAllowed => (S::CONFLICT, "ticket_transfer_not_allowed"),
        TicketExists => (S::CONFLICT, "ticket_exists"),
        UsageNotAllowed => (S::CONFLICT, "usage_not_allowed"),
        RedemptionCodeInvalid => (S::UNPROCESSABLE_ENTITY, "redemption_code_invalid"),
        NoticeClosed => (S::CONFLICT, "notice_closed"),
        NoticePending => (S::CONFLICT, "notice_pending"),
        NoticeEmpty => (S::CONFLICT, "notice_empty"),
        ObjectionResolved => (S::CONFLICT, "objection_resolved"),
        ObjectionThrottled => (S::TOO_MANY_REQUESTS, "objection_throttled"),
        AlreadyHandedOver => (S::CONFLICT, "already_handed_over"),
        NotHandedOver => (S::CONFLICT, "not_handed_over"),
        RescindNotAllowed => (S::CONFLICT, "rescind_not_allowed"),
        AlreadyMovedIn => (S::CONFLICT, "already_moved_in"),
        IdempotencyKeyReused => (S::CONFLICT, "idempotency_key_reused"),
        ProjectClosed => (S::CONFLICT, "project_closed"),
        PayloadTooLarge => (S::PAYLOAD_TOO_LARGE, "payload_too_large"),
        TooManyRows => (S::PAYLOAD_TOO_LARGE, "too_many_rows"),
        UnsupportedMediaType => (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ServiceUnavailable => (S::SERVICE_UNAVAILABLE, "service_unavailable"),
        Internal => (S::INTERNAL_SERVER_ERROR, "internal_error"),
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub code: RefusalKind,
    pub message: String,
    pub details: Option<serde_json::Value>,
    /// The cause of a 500, logged and never sent.
    source: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: RefusalKind, message: impl Into<String>) -> Self {
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
            code: RefusalKind::Internal,
            message: "internal error; the request id identifies it in the log".into(),
            details: None,
            source: Some(cause.into()),
        }
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Unauthorized, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Forbidden, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(RefusalKind::NotFound, format!("{what} not found"))
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Refusal::validation(errors).into()
    }
    pub fn upload_rejected(rows: Vec<RowError>) -> Self {
        let n = rows
            .iter()
            .map(|r| r.row)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        Self::new(
            RefusalKind::UploadRejected,
            format!("the upload was rejected: {n} bad rows; nothing was stored"),
        )
        .with_details(serde_json::json!({ "rows": rows }))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", http_of(self.code).1, self.message)
    }
}

/// The error envelope of docs/api.md.
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
        http_of(self.code).0
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.source {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        HttpResponse::build(self.status_code()).json(ErrorBody {
            error: ErrorDetail {
                code: http_of(self.code).1.to_string(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        })
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError {
            code: r.kind,
            message: r.message,
            details: r.details,
            source: None,
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Refused(r) => r.into(),
            DbError::Upload(u) => u.into(),
            DbError::Query(q) => q.into(),
            DbError::Broken(cause) => ApiError::internal(cause),
        }
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
            RefusalKind::ServiceUnavailable,
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
            UploadError::Empty => ApiError::new(RefusalKind::EmptyUpload, message),
            UploadError::BadEncoding => ApiError::new(
                RefusalKind::BadEncoding,
                format!(
                    "{message}; save the sheet as CSV UTF-8 or as CSV from Chinese Excel (GB18030)"
                ),
            ),
            UploadError::TooManyRows { .. } => ApiError::new(RefusalKind::TooManyRows, message),
            UploadError::MalformedJson(_) => ApiError::new(RefusalKind::MalformedJson, message),
            UploadError::BadSpreadsheet(_) => ApiError::new(RefusalKind::BadSpreadsheet, message),
            // 422 naming the budget; `rows` stays a list, as for every other upload_rejected
            UploadError::OverBudget(o) => ApiError::new(RefusalKind::UploadRejected, message)
                .with_details(serde_json::json!({
                    "budget": o.budget,
                    "limit": o.limit,
                    "found": o.found,
                    "rows": [],
                })),
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
        J::OverflowKnownLength { .. } | J::Overflow { .. } => ApiError::new(
            RefusalKind::PayloadTooLarge,
            "the request body is too large",
        ),
        J::ContentType => ApiError::new(
            RefusalKind::UnsupportedMediaType,
            "expected Content-Type: application/json",
        ),
        _ => ApiError::new(
            RefusalKind::MalformedBody,
            format!("malformed JSON body: {err}"),
        ),
    };
    api.into()
}

pub fn query_error_handler(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::new(
        RefusalKind::InvalidQuery,
        format!("bad query string: {err}"),
    )
    .into()
}

/// A path parameter that does not parse is 404; but where the path is another route's literal
/// path (`GET /households/import` meets `/households/{id}`), 405 with that route's `Allow`.
pub fn path_error_handler(
    err: actix_web::error::PathError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let known = req.app_data::<actix_web::web::Data<crate::routes::allowed::KnownRoutes>>();
    if let Some(refusal) = known.and_then(|k| k.refuse_method(req.method().as_str(), req.path())) {
        return actix_web::error::InternalError::from_response(err, refusal).into();
    }
    ApiError::new(RefusalKind::NotFound, format!("bad path: {err}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_unique_and_map_to_4xx_or_5xx() {
        let mut seen = std::collections::HashMap::new();
        for &kind in RefusalKind::ALL {
            let (status, code) = http_of(kind);
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(status.is_client_error() || status.is_server_error());
            if let Some(other) = seen.insert(code, kind) {
                // the one documented pair: a locked voucher (423) and a throttled kiosk (429)
                assert_eq!(
                    (other, kind),
                    (RefusalKind::LoginLocked, RefusalKind::LoginThrottled),
                    "code {code} used twice"
                );
            }
        }
        assert_eq!(
            http_of(RefusalKind::UploadRejected).0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            http_of(RefusalKind::TooManyRows).0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
