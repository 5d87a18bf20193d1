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

// `ApiDoc`'s paths are the API's route table (`routes::table::api_table`), the list actix registers.
macro_rules! api_doc {
    ($($module:ident::$handler:ident),* $(,)?) => {
        #[derive(OpenApi)]
        #[openapi(
            info(title = "anju 安居", description = "Relocation housing marketplace (异地安置商品房选购大厅) API"),
            paths($(routes::$module::$handler),*),
            components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::domain::FieldError, crate::upload::RowError)),
            modifiers(&BearerAuth),
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
