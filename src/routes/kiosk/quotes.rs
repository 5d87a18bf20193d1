//! What one unit, or the best-fitting listed units, would cost this household.

use std::time::Instant;

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::db::matches;
use crate::domain::entitlement::{quote, UnitTerms};
use crate::domain::matching::fit;
use crate::domain::policy::Zone;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::listings::{Listing, ListingFilters};
use crate::search::{ListingDoc, SortBy, MAX_OFFSET};
use crate::state::AppState;

use crate::routes::quotes::{ticket_fit, AnyQuote, FitOut};
type Err = crate::error::ErrorBody;

/// A listed unit with what it would cost this household.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotedListing {
    #[serde(flatten)]
    pub listing: Listing,
    pub quote: AnyQuote,
    pub fit: FitOut,
}

fn terms(doc: &ListingDoc) -> ApiResult<UnitTerms> {
    Ok(UnitTerms {
        zone: Zone::new(doc.zone_class)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unit {} zone", doc.unit_id)))?,
        area_centi: doc.area_centi_m2,
        price_per_m2_yuan: doc.price_per_m2_yuan,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteResult {
    pub unit_id: i64,
    /// in area terms, or in ticket terms for a housing ticket's holder
    pub quote: AnyQuote,
    pub fit: FitOut,
    /// the policy version the quote was computed under
    pub policy_version: i64,
    pub listing: Listing,
}

#[utoipa::path(get, path = "/api/v1/kiosk/quote/{unit_id}", tag = "kiosk", security(("bearer" = [])),
    params(("unit_id" = i64, Path, description = "a listed unit")),
    responses((status = 200, body = QuoteResult), (status = 401, body = Err), (status = 403, body = Err),
        (status = 404, body = Err, description = "the unit is not listed")))]
#[get("/api/v1/kiosk/quote/{unit_id}")]
pub async fn kiosk_quote(
    caller: Caller,
    state: web::Data<AppState>,
    unit_id: web::Path<i64>,
) -> ApiResult<web::Json<QuoteResult>> {
    let payer = caller.payer()?;
    let hid = payer.household_id;
    let now = state.now_ms();
    let unit_id = unit_id.into_inner();
    let (h, version, doc, ticket_quote) = state
        .db(move |c| {
            let doc = crate::db::listings::load_listed(c, &[unit_id])?
                .pop()
                .ok_or_else(|| ApiError::not_found("listing"))?;
            let h = crate::db::households::get(c, hid)?
                .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
            let version = crate::db::policy::in_force(c, now)?;
            let ticket_quote = match payer.ticket_id {
                None => None,
                Some(id) => {
                    let t = crate::db::tickets::get(c, id)?
                        .ok_or_else(|| ApiError::not_found("ticket"))?;
                    let info = crate::db::selection::unit_info(c, unit_id)?
                        .ok_or_else(|| ApiError::not_found("listing"))?;
                    let facts = crate::db::tickets::TicketFacts::load(c, unit_id)?;
                    Some(crate::db::tickets::quote_unit(
                        &t,
                        &info,
                        facts,
                        &version.policy,
                        now,
                    )?)
                }
            };
            Ok((h, version, doc, ticket_quote))
        })
        .await?;
    if let Some(q) = ticket_quote {
        return Ok(web::Json(QuoteResult {
            unit_id,
            quote: AnyQuote::Ticket(q.into()),
            fit: ticket_fit(&q),
            policy_version: version.version,
            listing: Listing::new(doc, None),
        }));
    }
    let unit = terms(&doc)?;
    let q = quote(h.entitlement(), unit, &version.policy);
    Ok(web::Json(QuoteResult {
        unit_id,
        quote: q.into(),
        fit: fit(&q, &unit).into(),
        policy_version: version.version,
        listing: Listing::new(doc, None),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// leave out units whose top-up would exceed this many yuan (default: no limit)
    #[param(minimum = 0)]
    pub max_top_up_yuan: Option<i64>,
    /// 1-based page, default 1
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// items per page, 1–100, default 20
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// the search's text and order, which matches do not take: refused with a pointer to the
    /// search (not in the document, which lists what a route takes)
    #[param(ignore)]
    pub q: Option<String>,
    #[param(ignore)]
    pub sort: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchPage {
    pub items: Vec<QuotedListing>,
    /// units that match the filters and the top-up limit
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub max_top_up_yuan: Option<i64>,
    pub policy_version: i64,
    pub took_ms: f64,
}

#[utoipa::path(get, path = "/api/v1/kiosk/matches", tag = "kiosk", security(("bearer" = [])),
    params(MatchParams, ListingFilters),
    responses((status = 200, body = MatchPage, description = "ranked by fit: fully covered units closest to the entitled area first, then the smallest top-up"),
        (status = 400, body = Err, description = "invalid_query"), (status = 401, body = Err), (status = 403, body = Err)))]
#[get("/api/v1/kiosk/matches")]
pub async fn kiosk_matches(
    caller: Caller,
    state: web::Data<AppState>,
    filters: web::Query<ListingFilters>,
    params: web::Query<MatchParams>,
) -> ApiResult<web::Json<MatchPage>> {
    let started = Instant::now();
    let payer = caller.payer()?;
    let hid = payer.household_id;
    let bad = |m: &str| ApiError::new(RefusalKind::InvalidQuery, m.to_string());
    if params.q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
        return Err(bad(
            "matches take the listing filters, not q; search text with /api/v1/listings",
        ));
    }
    if params.sort.as_deref().is_some_and(|s| s != "relevance") {
        return Err(bad("matches are ranked by fit; sort is not supported"));
    }
    let page = crate::routes::page_request(params.page, params.per_page)?;
    filters.check()?;
    let query = filters
        .into_inner()
        .into_query(None, SortBy::Relevance, page, false)?;
    let (page, per_page) = (page.page(), page.per_page());
    if query.offset + query.limit > MAX_OFFSET {
        return Err(bad("page too deep: narrow the filters"));
    }
    let zones: Vec<Zone> = match query.zone_class {
        None => Zone::ALL.to_vec(),
        Some(z) => vec![Zone::new(z).ok_or_else(|| bad("zone_class must be 1, 2 or 3"))?],
    };
    let max_top_up = params.max_top_up_yuan;
    if max_top_up.is_some_and(|m| m < 0) {
        return Err(bad("max_top_up_yuan must not be negative"));
    }
    let now = state.now_ms();
    if let Some(ticket_id) = payer.ticket_id {
        let (items, total, version) = state
            .db(move |c| ticket_matches(c, ticket_id, query, &zones, max_top_up, now))
            .await?;
        return Ok(web::Json(MatchPage {
            items,
            total,
            page,
            per_page,
            max_top_up_yuan: max_top_up,
            policy_version: version,
            took_ms: (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
        }));
    }
    let (ranked, total, docs, version) = state
        .db(move |c| {
            let h = crate::db::households::get(c, hid)?
                .ok_or_else(|| ApiError::unauthorized("the household no longer exists"))?;
            let version = crate::db::policy::in_force(c, now)?;
            let page = matches::ranked_page(
                c,
                &query,
                h.entitlement(),
                &zones,
                &version.policy,
                max_top_up,
            )?;
            let ids: Vec<i64> = page.items.iter().map(|r| r.unit_id).collect();
            let docs = crate::db::listings::load_listed(c, &ids)?;
            Ok((page.items, page.total, docs, version))
        })
        .await?;
    let mut docs: std::collections::HashMap<i64, ListingDoc> =
        docs.into_iter().map(|d| (d.unit_id, d)).collect();
    let items = ranked
        .into_iter()
        .filter_map(|r| {
            let doc = docs.remove(&r.unit_id)?;
            Some(QuotedListing {
                listing: Listing::new(doc, None),
                quote: r.quote.into(),
                fit: fit(&r.quote, &r.terms).into(),
            })
        })
        .collect();
    Ok(web::Json(MatchPage {
        items,
        total,
        page,
        per_page,
        max_top_up_yuan: max_top_up,
        policy_version: version.version,
        took_ms: (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
    }))
}

/// A ticket holder's matches: in the zones asked for, at today's rate of each, among the usages
/// the policy lets a ticket buy (and the ones asked for), each with its ticket quote.
fn ticket_matches(
    c: &mut crate::db::AnyConnection,
    ticket_id: i64,
    mut query: crate::search::ListingQuery,
    zones: &[Zone],
    max_top_up: Option<i64>,
    now: i64,
) -> ApiResult<(Vec<QuotedListing>, i64, i64)> {
    let t = crate::db::tickets::get(c, ticket_id)?.ok_or_else(|| ApiError::not_found("ticket"))?;
    t.check_spendable(now)?;
    let version = crate::db::policy::in_force(c, now)?;
    let allowed: Vec<String> = version
        .policy
        .ticket
        .usages_allowed
        .iter()
        .map(|u| u.as_str().to_string())
        .collect();
    query.usages = if query.usages.is_empty() {
        allowed
    } else {
        query
            .usages
            .into_iter()
            .filter(|u| allowed.contains(u))
            .collect()
    };
    let e = crate::domain::ticket::elapsed_days(t.issued_at_ms, now).unwrap_or(0);
    let rates: Vec<(Zone, i64)> = zones
        .iter()
        .map(|z| (*z, version.policy.ticket.bonus_pct(e, *z)))
        .collect();
    let (ranked, total) = if query.usages.is_empty() {
        (Vec::new(), 0)
    } else {
        matches::ranked_ticket_page(c, &query, t.balance_yuan, &rates, max_top_up)?
    };
    let ids: Vec<i64> = ranked.iter().map(|r| r.unit_id).collect();
    let mut docs: std::collections::HashMap<i64, ListingDoc> =
        crate::db::listings::load_listed(c, &ids)?
            .into_iter()
            .map(|d| (d.unit_id, d))
            .collect();
    let items = ranked
        .into_iter()
        .filter_map(|r| {
            Some(QuotedListing {
                listing: Listing::new(docs.remove(&r.unit_id)?, None),
                quote: AnyQuote::Ticket(r.quote.into()),
                fit: ticket_fit(&r.quote),
            })
        })
        .collect();
    Ok((items, total, version.version))
}
