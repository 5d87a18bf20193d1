//! The API's route table: every API handler named once. actix registers it (`api`), the OpenAPI
//! document lists it (`openapi::ApiDoc`), and the route test compares the two.

use actix_web::web;

/// The API's route table: each handler once, by module and name. It is registered with actix by
/// `api` (in this order), listed as the paths of `openapi::ApiDoc`, and named by `API_HANDLERS`;
/// each handler's method and path are those of its actix attribute (`#[get("/api/v1/…")]`),
/// and the test `openapi_document_lists_every_route_with_its_bodies` checks that `/openapi.json`
/// says the same. Called with the name of a macro that takes the list.
macro_rules! api_table {
    ($then:ident) => {
        $then! {
            health::healthz,
            health::metrics,
            officials::create_official,
            developers::register_developer,
            developers::list_developers,
            developers::get_developer,
            developers::approve_developer,
            developers::suspend_developer,
            developers::issue_developer_key,
            projects::create_project,
            projects::list_projects,
            projects::get_project,
            projects::approve_project,
            projects::reject_project,
            units::import_units,
            units::list_units,
            units::get_unit,
            units::update_unit,
            listings::search_listings,
            listings::get_listing,
            policy::get_policy,
            policy::list_policy_versions,
            policy::put_policy,
            households::import_households,
            households::list_households,
            households::get_household,
            kiosk::kiosk_login,
            kiosk::kiosk_logout,
            kiosk::kiosk_me,
            kiosk::kiosk_quote,
            kiosk::kiosk_matches,
            holds::create_hold,
            holds::confirm_hold,
            holds::release_hold,
            reservations::list_reservations,
            reservations::cancel_reservation,
            reservations::file_contract,
            rounds::create_round,
            rounds::list_rounds,
            rounds::get_round,
            rounds::draw_round,
            rounds::call_round,
            rounds::open_round,
            rounds::close_round,
            rounds::hall_board,
            stats::stats_overview,
            stats::stats_destocking,
            stats::stats_rankings,
            stats::stats_settlement,
            stats::stats_export,
            stats::stats_chart,
            stats::list_audit,
            webhooks::set_webhook,
            webhooks::get_webhook,
            webhooks::delete_webhook,
            webhooks::list_deliveries,
        }
    };
}
pub(crate) use api_table;

macro_rules! api_service {
    ($($module:ident::$handler:ident),* $(,)?) => {
        /// Registers the API's routes: the route table (`api_table`), in its order.
        pub fn api(cfg: &mut web::ServiceConfig) {
            cfg$(.service(super::$module::$handler))*;
        }

        /// The names of the API's handlers, in the route table's order: also the names of their
        /// actix resources (`HttpRequest::match_name`, `url_for`).
        pub const API_HANDLERS: &[&str] = &[$(stringify!($handler)),*];
    };
}
api_table!(api_service);
