//! The OpenAPI document served at `/openapi.json`: every route, every body.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "official token ot_…, developer key dk_… or kiosk session ks_…",
                    ))
                    .build(),
            ),
        );
    }
}

/// States each operation's access (`routes::table`, enforced by `routes::access`) as its bearer
/// scopes, and the 401 and 403 answers every operation that is not public can give.
struct AccessScopes;

impl Modify for AccessScopes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::SecurityRequirement;
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                let access = operation
                    .operation_id
                    .as_deref()
                    .and_then(routes::table::access_of)
                    .unwrap_or(routes::access::Access::Admin);
                let scopes = access.scopes();
                if scopes.is_empty() {
                    operation.security = None;
                    continue;
                }
                operation.security = Some(vec![SecurityRequirement::new(
                    "bearer",
                    scopes.iter().copied(),
                )]);
                for (status, meaning) in [
                    (
                        "401",
                        "unauthorized: no token, or one that is unknown or has ended",
                    ),
                    ("403", "forbidden: this caller may not use this route"),
                ] {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(meaning));
                }
            }
        }
    }
}

/// The answers an operation gives because of its shape, whatever it does: 400 `invalid_query`
/// for a malformed query parameter or header, 400 `malformed_body` / 413 `payload_too_large` /
/// 415 `unsupported_media_type` for a request body, 404 `not_found` for a malformed path
/// parameter. Added where the operation has such a part and does not document the status
/// itself; and every answer gets a description (OpenAPI requires one).
struct ShapeStatuses;

impl Modify for ShapeStatuses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::RefOr;
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                let params = operation.parameters.as_deref().unwrap_or_default();
                let takes = |place: ParameterIn| {
                    params
                        .iter()
                        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
                };
                let mut shape: Vec<(&str, &str)> = Vec::new();
                if takes(ParameterIn::Query) || takes(ParameterIn::Header) {
                    shape.push((
                        "400",
                        "invalid_query: a malformed query parameter or header",
                    ));
                }
                if operation.request_body.is_some() {
                    shape.extend([
                        ("400", "malformed_body: not the JSON this route takes (unknown fields included)"),
                        ("413", "payload_too_large: the body is over the limit"),
                        ("415", "unsupported_media_type: the body is not in a format this route takes"),
                    ]);
                }
                if takes(ParameterIn::Path) {
                    shape.push((
                        "404",
                        "not_found: no such object, or a malformed path parameter",
                    ));
                }
                let responses = &mut operation.responses.responses;
                for (status, meaning) in shape {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(meaning));
                }
                for (status, response) in responses.iter_mut() {
                    if let RefOr::T(response) = response {
                        if response.description.is_empty() {
                            response.description = reason_phrase(status);
                        }
                    }
                }
            }
        }
    }
}

/// Every operation of a path item.
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// The standard reason phrase of a status code the API gives (`"404"` → `Not Found`).
fn reason_phrase(status: &str) -> String {
    match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "No Content",
        "400" => "Bad Request",
        "401" => "Unauthorized",
        "403" => "Forbidden",
        "404" => "Not Found",
        "409" => "Conflict",
        "413" => "Content Too Large",
        "415" => "Unsupported Media Type",
        "422" => "Unprocessable Content",
        "423" => "Locked",
        "429" => "Too Many Requests",
        "503" => "Service Unavailable",
        _ => "answer",
    }
    .to_string()
}

/// A documented error answer: an `ErrorBody` as JSON.
fn error_response(
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::response::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

// `ApiDoc`'s paths are the API's route table (`routes::table::api_table`), the list actix registers.
macro_rules! api_doc {
    ($($module:ident::$handler:ident: $access:ident),* $(,)?) => {
        #[derive(OpenApi)]
        #[openapi(
            info(title = "anju 安居", description = "Relocation housing marketplace (异地安置商品房选购大厅) API"),
            paths($(routes::$module::$handler),*),
            components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::domain::FieldError, crate::upload::RowError)),
            modifiers(&BearerAuth, &AccessScopes, &ShapeStatuses),
            tags(
                (name = "service", description = "health and documentation"),
                (name = "officials", description = "officials and their tokens"),
                (name = "developers", description = "developer admission: registration, vetting, API keys"),
                (name = "projects", description = "projects (楼盘)"),
                (name = "units", description = "units (房源): uploads, listing, edits"),
                (name = "search", description = "the hall's listings: full text (words, fragments, pinyin), filters, facets"),
                (name = "policy", description = "the hall's policy: zone ratios, reward, hold and log-in limits; versioned"),
                (name = "households", description = "households (被征收户): import with vouchers and PINs, masked search; every read audited"),
                (name = "tickets", description = "housing tickets (房票): issue and import, ledger, transfer, void, cash-out; redemption codes and redemption at a developer's office"),
                (name = "kiosk", description = "a household at a kiosk: log-in, own entitlement, quotes and matches"),
                (name = "webhooks", description = "notices to developers' sales systems: signed POSTs of holds, confirmations, cancellations, contracts; delivery log"),
                (name = "selection", description = "holds, confirmation, reservations, contracts"),
                (name = "stats", description = "officials' monitoring: destocking, monetization, rankings, settlement, exports, charts, audit trail"),
                (name = "rounds", description = "selection rounds: order, lottery draw, call-up; the public hall board"),
            )
        )]
        pub struct ApiDoc;
    };
}
crate::routes::table::api_table!(api_doc);
