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
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
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
            modifiers(&BearerAuth, &AccessScopes),
            tags(
                (name = "service", description = "health and documentation"),
                (name = "officials", description = "officials and their tokens"),
                (name = "developers", description = "developer admission: registration, vetting, API keys"),
                (name = "projects", description = "projects (楼盘)"),
                (name = "units", description = "units (房源): uploads, listing, edits"),
                (name = "search", description = "the hall's listings: full text (words, fragments, pinyin), filters, facets"),
                (name = "policy", description = "the hall's policy: zone ratios, reward, hold and log-in limits; versioned"),
                (name = "households", description = "households (被征收户): import with vouchers and PINs, masked search; every read audited"),
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
