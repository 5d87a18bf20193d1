//! Why a request is refused: one crate-wide kind per reason, with a message for people and
//! optional structured details. `domain/` and `db/` return these; only the HTTP layer
//! (`error.rs`) knows which status and stable code each kind becomes.

/// Declares `RefusalKind` and `RefusalKind::ALL` from one list.
macro_rules! refusal_kinds {
    ($($kind:ident),+ $(,)?) => {
        /// Every reason the service refuses or fails a request. The HTTP status and the stable
        /// snake_case code of each kind are in one table: `crate::error::http_of`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RefusalKind {
            $($kind),+
        }

        impl RefusalKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [RefusalKind] = &[$(RefusalKind::$kind),+];
        }
    };
}

refusal_kinds!(
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
    MethodNotAllowed,
    RequestTimeout,
    TooManyConnections,
    MalformedBody,
    InvalidQuery,
    ValidationFailed,
    OutboundRefused,
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
    TicketExpired,
    TicketExhausted,
    TicketClosed,
    TicketHousehold,
    TicketNotExpired,
    TicketTransferNotAllowed,
    TicketExists,
    UsageNotAllowed,
    RedemptionCodeInvalid,
    NoticeClosed,
    NoticePending,
    NoticeEmpty,
    ObjectionResolved,
    ObjectionThrottled,
    AlreadyHandedOver,
    NotHandedOver,
    RescindNotAllowed,
    AlreadyMovedIn,
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
);

/// A typed refusal: the kind, a message a hall officer or a clerk can act on, and details
/// (`{fields:[…]}`, `{rows:[…]}`, …) where a client needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
    pub details: Option<serde_json::Value>,
}

impl Refusal {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Refusal {
            kind,
            message: message.into(),
            details: None,
        }
    }
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(RefusalKind::NotFound, format!("{what} not found"))
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Unauthorized, message)
    }
    pub fn validation(errors: Vec<super::FieldError>) -> Self {
        Self::new(RefusalKind::ValidationFailed, "some fields are invalid")
            .with_details(serde_json::json!({ "fields": errors }))
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Refusal {}
