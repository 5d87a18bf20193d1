//! Who may call each API route, decided before the handler runs: the route table
//! (`routes::table`) declares an `Access` per handler, and the `authorise` middleware resolves the
//! bearer token and refuses a caller the route is not for with 401/403 before any extractor reads
//! the query or the body. A viewer's malformed `PUT /api/v1/policy` is therefore 403, not 400.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::allowed::KnownRoutes;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// anyone, without a token
    Public,
    /// an official, admin or viewer
    Official,
    /// an official with role admin
    Admin,
    /// an approved developer (its key)
    Developer,
    /// a household at a kiosk (its session)
    Household,
    /// an official or a developer; the handler narrows a developer to its own objects
    OfficialOrDeveloper,
    /// an admin, or a household at a kiosk acting for itself (a rescission: 退房)
    AdminOrHousehold,
}

impl Access {
    /// The bearer scopes the OpenAPI document names for this access: any one of them suffices.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Access::Public => &[],
            Access::Official => &["official"],
            Access::Admin => &["admin"],
            Access::Developer => &["developer"],
            Access::Household => &["household"],
            Access::OfficialOrDeveloper => &["official", "developer"],
            Access::AdminOrHousehold => &["admin", "household"],
        }
    }

    /// `Ok` when `caller` may call a route of this access; the same refusal its handler gives.
    pub fn check(self, caller: &Caller) -> Result<(), ApiError> {
        match self {
            Access::Public => Ok(()),
            Access::Official => caller.official().map(drop),
            Access::Admin => caller.admin().map(drop),
            Access::Developer => caller.developer().map(drop),
            Access::Household => caller.household().map(drop),
            Access::OfficialOrDeveloper => caller.owner_scope().map(drop),
            Access::AdminOrHousehold => match caller.household() {
                Ok(_) => Ok(()),
                Err(_) => caller.admin().map(drop),
            },
        }
    }
}

/// Resolves and checks the caller of every API route that is not public, before routing: a
/// refused caller never reaches the handler's extractors. The resolved `Caller` is kept in the
/// request's extensions, where the `Caller` extractor finds it without a second look-up.
pub async fn authorise(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let access = req
        .app_data::<web::Data<KnownRoutes>>()
        .and_then(|routes| routes.access(req.method().as_str(), req.path()));
    let Some(access) = access.filter(|a| *a != Access::Public) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let checked = match Caller::resolve(req.request()).await {
        Ok(caller) => access.check(&caller).map(|()| caller),
        Err(e) => Err(e),
    };
    match checked {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(refusal) => {
            let response = refusal.error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}
