//! The API's route table: every API handler named once, with who may call it. actix registers it
//! (`api`), the OpenAPI document lists it (`openapi::ApiDoc`, with each operation's access as its
//! security scopes), the access middleware (`routes::access`) enforces it, and the route test
//! compares them.

use actix_web::web;

use super::access::Access;

/// The API's route table: each handler once, by module and name, with its `Access` (who may call
/// it; decided before the handler's extractors read the query or the body). It is registered with actix by
/// `api` (in this order), listed as the paths of `openapi::ApiDoc`, and named by `API_HANDLERS`;
/// each handler's method and path are those of its actix attribute (`#[get("/api/v1/…")]`),
/// and the test `openapi_document_lists_every_route_with_its_bodies` checks that `/openapi.json`
/// says the same. Called with the name of a macro that takes the list.
macro_rules! api_table {
    ($then:ident) => {
        $then! {
            health::healthz: Public,
            health::metrics: Public,
            officials::create_official: Admin,
            credentials::list_officials: Admin,
            credentials::revoke_official: Admin,
            credentials::rotate_official_token: Admin,
            developers::register_developer: Admin,
            developers::list_developers: Official,
            developers::get_developer: OfficialOrDeveloper,
            developers::approve_developer: Admin,
            developers::suspend_developer: Admin,
            developers::issue_developer_key: Admin,
            credentials::list_developer_keys: OfficialOrDeveloper,
            credentials::revoke_developer_key: OfficialOrDeveloper,
            credentials::rotate_developer_key: OfficialOrDeveloper,
            projects::create_project: Developer,
            projects::list_projects: OfficialOrDeveloper,
            projects::get_project: OfficialOrDeveloper,
            projects::approve_project: Admin,
            projects::reject_project: Admin,
            units::import_units: Developer,
            units::list_units: OfficialOrDeveloper,
            units::get_unit: OfficialOrDeveloper,
            units::update_unit: Developer,
            listings::search_listings: Public,
            listings::get_listing: Public,
            policy::get_policy: Public,
            policy::list_policy_versions: Official,
            policy::put_policy: Admin,
            households::import_households: Admin,
            households::list_households: Official,
            households::get_household: Official,
            kiosk::kiosk_login: Public,
            kiosk::kiosk_logout: Household,
            kiosk::kiosk_me: Household,
            kiosk::kiosk_quote: Household,
            kiosk::kiosk_matches: Household,
            holds::create_hold: Household,
            holds::confirm_hold: Household,
            holds::release_hold: Household,
            tickets::issue_ticket: Admin,
            tickets::import_tickets: Admin,
            tickets::list_tickets: Official,
            tickets::get_ticket: Official,
            tickets::transfer_ticket: Admin,
            tickets::cash_out_ticket: Admin,
            tickets::void_ticket: Admin,
            tickets::create_redemption_code: Household,
            tickets::redeem_ticket: Developer,
            reservations::list_reservations: OfficialOrDeveloper,
            reservations::cancel_reservation: Admin,
            handover::file_handover: Developer,
            handover::preview_handover: Developer,
            handover::correct_handover: Admin,
            handover::rescind_reservation: AdminOrHousehold,
            handover::record_move_in: OfficialOrDeveloper,
            reservations::file_contract: Developer,
            notices::publish_notice: Admin,
            notices::list_notices: Public,
            notices::get_notice: Public,
            notices::file_objection: Public,
            notices::list_objections: Official,
            notices::get_objection: Official,
            notices::resolve_objection: Admin,
            rounds::create_round: Admin,
            rounds::list_rounds: Official,
            rounds::get_round: Official,
            rounds::draw_round: Admin,
            rounds::call_round: Admin,
            rounds::open_round: Admin,
            rounds::close_round: Admin,
            rounds::hall_board: Public,
            stats::stats_overview: Official,
            stats::stats_destocking: Official,
            stats::stats_rankings: Official,
            stats::stats_settlement: OfficialOrDeveloper,
            stats::stats_tickets: Official,
            stats::stats_handover: Official,
            stats::stats_occupancy: Official,
            stats::stats_export: OfficialOrDeveloper,
            stats::stats_chart: Official,
            stats::list_audit: Official,
            webhooks::set_webhook: Developer,
            webhooks::get_webhook: OfficialOrDeveloper,
            webhooks::delete_webhook: Developer,
            webhooks::list_deliveries: OfficialOrDeveloper,
        }
    };
}
pub(crate) use api_table;

macro_rules! api_service {
    ($($module:ident::$handler:ident: $access:ident),* $(,)?) => {
        /// Registers the API's routes: the route table (`api_table`), in its order.
        pub fn api(cfg: &mut web::ServiceConfig) {
            cfg$(.service(super::$module::$handler))*;
        }

        /// The names of the API's handlers, in the route table's order: also the names of their
        /// actix resources (`HttpRequest::match_name`, `url_for`).
        pub const API_HANDLERS: &[&str] = &[$(stringify!($handler)),*];

        /// Who may call each handler of the route table, by handler name.
        pub const API_ACCESS: &[(&str, Access)] =
            &[$((stringify!($handler), Access::$access)),*];
    };
}
api_table!(api_service);

/// The access the route table declares for `handler` (its operation id in the OpenAPI document).
pub fn access_of(handler: &str) -> Option<Access> {
    API_ACCESS
        .iter()
        .find(|(name, _)| *name == handler)
        .map(|(_, access)| *access)
}
