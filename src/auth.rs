//! Who is calling: the request id and the principal behind `Authorization: Bearer …` (official
//! token, developer key or kiosk session), with the actor checks every handler starts with.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use crate::db::audit::{Actor, AuditCtx};
use crate::domain::status::{DeveloperStatus, OfficialRole};
use crate::domain::token::{hash_token, TokenKind};
use crate::error::{ApiError, RefusalKind};
use crate::state::AppState;

/// The id of this request (set by the request-id middleware, echoed in `X-Request-Id`).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Official {
        id: i64,
        role: OfficialRole,
    },
    Developer {
        developer_id: i64,
        key_id: i64,
    },
    /// a kiosk session; `ticket_id` when it was opened with a housing ticket's number,
    /// `proxy_id` when with a proxy's PIN (委托代选)
    Household {
        household_id: i64,
        session_id: i64,
        ticket_id: Option<i64>,
        proxy_id: Option<i64>,
    },
}

/// An authenticated caller of this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub request_id: Option<String>,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        match self.principal {
            Principal::Official { id, .. } => Actor::Official(id),
            Principal::Developer { developer_id, .. } => Actor::Developer(developer_id),
            Principal::Household { household_id, .. } => Actor::Household(household_id),
        }
    }

    pub fn audit(&self, now_ms: i64) -> AuditCtx {
        AuditCtx {
            actor: self.actor(),
            request_id: self.request_id.clone(),
            now_ms,
        }
    }

    /// Any official (admin or viewer): read access.
    pub fn official(&self) -> Result<i64, ApiError> {
        match self.principal {
            Principal::Official { id, .. } => Ok(id),
            _ => Err(ApiError::forbidden("this route is for officials")),
        }
    }

    /// An official with role admin: write access.
    pub fn admin(&self) -> Result<i64, ApiError> {
        match self.principal {
            Principal::Official {
                id,
                role: OfficialRole::Admin,
            } => Ok(id),
            Principal::Official { .. } => {
                Err(ApiError::forbidden("a viewer official can only read"))
            }
            _ => Err(ApiError::forbidden("this route is for officials")),
        }
    }

    pub fn developer(&self) -> Result<i64, ApiError> {
        match self.principal {
            Principal::Developer { developer_id, .. } => Ok(developer_id),
            _ => Err(ApiError::forbidden("this route is for developers")),
        }
    }

    /// `Some(developer id)` for a developer, `None` for an official: whose objects it may see.
    /// A kiosk session sees none of them.
    pub fn owner_scope(&self) -> Result<Option<i64>, ApiError> {
        match self.principal {
            Principal::Developer { developer_id, .. } => Ok(Some(developer_id)),
            Principal::Official { .. } => Ok(None),
            Principal::Household { .. } => Err(ApiError::forbidden(
                "this route is for officials and developers",
            )),
        }
    }

    /// A household at a kiosk: `(household id, session id)`.
    pub fn household(&self) -> Result<(i64, i64), ApiError> {
        match self.principal {
            Principal::Household {
                household_id,
                session_id,
                ..
            } => Ok((household_id, session_id)),
            _ => Err(ApiError::forbidden(
                "this route is for households at a kiosk",
            )),
        }
    }
}

impl Caller {
    /// A kiosk session as the payer of a hold: the household, or the ticket it was opened with.
    pub fn payer(&self) -> Result<crate::db::selection::Payer, ApiError> {
        match self.principal {
            Principal::Household {
                household_id,
                session_id,
                ticket_id,
                proxy_id,
            } => Ok(crate::db::selection::Payer {
                proxy_id,
                ..crate::db::selection::Payer::kiosk(household_id, ticket_id, session_id)
            }),
            _ => Err(ApiError::forbidden(
                "this route is for households at a kiosk",
            )),
        }
    }

    /// The proxy a kiosk session acts as (`None`: the household itself).
    pub fn proxy(&self) -> Option<i64> {
        match self.principal {
            Principal::Household { proxy_id, .. } => proxy_id,
            _ => None,
        }
    }

    /// The ticket of a kiosk session opened with a ticket number.
    pub fn ticket(&self) -> Result<i64, ApiError> {
        match self.principal {
            Principal::Household {
                ticket_id: Some(id),
                ..
            } => Ok(id),
            _ => Err(ApiError::forbidden(
                "this route is for a housing ticket's holder at a kiosk",
            )),
        }
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer token"))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or_else(|| {
            ApiError::unauthorized("malformed Authorization header: expected Bearer token")
        })?;
    Ok(token.to_string())
}

pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|r| r.0.clone())
}

async fn resolve(state: web::Data<AppState>, token: String) -> Result<Principal, ApiError> {
    let kind = TokenKind::of(&token).ok_or_else(|| ApiError::unauthorized("unknown token"))?;
    let hash = hash_token(&token);
    match kind {
        TokenKind::Official => {
            let found = state
                .db(move |c| Ok(crate::db::officials::find_by_token_hash(c, &hash)?))
                .await?;
            let o = found.ok_or_else(|| ApiError::unauthorized("unknown token"))?;
            Ok(Principal::Official {
                id: o.id,
                role: o.role(),
            })
        }
        TokenKind::Developer => {
            let found = state
                .db(move |c| Ok(crate::db::developers::find_by_key_hash(c, &hash)?))
                .await?;
            let (key_id, developer_id, status) =
                found.ok_or_else(|| ApiError::unauthorized("unknown token"))?;
            match DeveloperStatus::parse(&status) {
                Some(DeveloperStatus::Approved) => Ok(Principal::Developer {
                    developer_id,
                    key_id,
                }),
                Some(DeveloperStatus::Suspended) => Err(ApiError::new(
                    RefusalKind::DeveloperSuspended,
                    "this developer is suspended from the hall",
                )),
                _ => Err(ApiError::new(
                    RefusalKind::DeveloperNotApproved,
                    "this developer is not approved",
                )),
            }
        }
        TokenKind::Kiosk => {
            let now = state.now_ms();
            let idle_ms = state.kiosk.idle_timeout_ms();
            let found = state
                .db(move |c| Ok(crate::db::kiosk::find_session(c, &hash, now, idle_ms)?))
                .await?;
            let session = found.ok_or_else(|| {
                ApiError::new(
                    RefusalKind::SessionExpired,
                    "the kiosk session has ended or timed out; log in again",
                )
            })?;
            if session.touch_due {
                state.touch_session(session.id, now, idle_ms);
            }
            Ok(Principal::Household {
                household_id: session.household_id,
                session_id: session.id,
                ticket_id: session.ticket_id,
                proxy_id: session.proxy_id,
            })
        }
    }
}

impl Caller {
    /// The caller of `req`: its bearer token resolved against the database.
    pub async fn resolve(req: &HttpRequest) -> Result<Caller, ApiError> {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = request_id(req);
        let state =
            state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
        let principal = resolve(state, token?).await?;
        Ok(Caller {
            principal,
            request_id,
        })
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    /// The caller the access middleware (`routes::access`) resolved, or resolves it now.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(caller) = req.extensions().get::<Caller>().cloned() {
            return Box::pin(async move { Ok(caller) });
        }
        let req = req.clone();
        Box::pin(async move { Caller::resolve(&req).await })
    }
}
