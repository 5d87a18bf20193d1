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

#[derive(OpenApi)]
#[openapi(
    info(title = "anju 安居", description = "Relocation housing marketplace (异地安置商品房选购大厅) API"),
    paths(
        routes::health::healthz,
        routes::health::metrics,
        routes::officials::create_official,
        routes::developers::register_developer,
        routes::developers::list_developers,
        routes::developers::get_developer,
        routes::developers::approve_developer,
        routes::developers::suspend_developer,
        routes::developers::issue_developer_key,
        routes::projects::create_project,
        routes::projects::list_projects,
        routes::projects::get_project,
        routes::projects::approve_project,
        routes::projects::reject_project,
        routes::units::import_units,
        routes::units::list_units,
        routes::units::get_unit,
        routes::units::update_unit,
        routes::listings::search_listings,
        routes::listings::get_listing,
        routes::policy::get_policy,
        routes::policy::list_policy_versions,
        routes::policy::put_policy,
        routes::households::import_households,
        routes::households::list_households,
        routes::households::get_household,
        routes::kiosk::kiosk_login,
        routes::kiosk::kiosk_logout,
        routes::kiosk::kiosk_me,
        routes::kiosk::kiosk_quote,
        routes::kiosk::kiosk_matches,
        routes::holds::create_hold,
        routes::holds::confirm_hold,
        routes::holds::release_hold,
        routes::reservations::list_reservations,
        routes::reservations::cancel_reservation,
        routes::reservations::file_contract,
        routes::rounds::create_round,
        routes::rounds::list_rounds,
        routes::rounds::get_round,
        routes::rounds::draw_round,
        routes::rounds::call_round,
        routes::rounds::open_round,
        routes::rounds::close_round,
        routes::rounds::hall_board,
        routes::stats::stats_overview,
        routes::stats::stats_destocking,
        routes::stats::stats_rankings,
        routes::stats::stats_settlement,
        routes::stats::stats_export,
        routes::stats::stats_chart,
        routes::stats::list_audit,
        routes::webhooks::set_webhook,
        routes::webhooks::get_webhook,
        routes::webhooks::delete_webhook,
        routes::webhooks::list_deliveries,
    ),
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
