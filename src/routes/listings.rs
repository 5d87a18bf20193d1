//! The hall's listings: `GET /api/v1/listings` (search with filters, sorts, facets) and
//! `GET /api/v1/listings/{unit_id}`; public, no personal data.

use std::collections::BTreeMap;
use std::time::Instant;

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::area_m2;
use super::listing_query::bad;
pub use super::listing_query::{ListingFilters, SearchParams};
use crate::domain::usage::Usage;
use crate::error::{ApiError, ApiResult};
use crate::search::{Facets, ListingDoc, SearchError, SortBy};
use crate::state::AppState;

type Err = crate::error::ErrorBody;

/// A unit as the hall lists it (docs/api.md `listing`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Listing {
    pub unit_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub developer_id: i64,
    pub developer_name: String,
    pub district: String,
    pub zone_class: i64,
    pub address: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub floor: i64,
    /// 用途: `residential` (住宅), `commercial` (商业), `office` (办公) or `parking` (车位)
    #[schema(value_type = Usage)]
    pub usage: String,
    /// canonical `3室2厅2卫`; empty for a unit without a layout (only one that is not residential)
    pub layout: String,
    /// `null` for a unit without a layout (only one that is not residential)
    pub rooms: Option<i64>,
    /// `null` for a unit without a layout (only one that is not residential)
    pub halls: Option<i64>,
    /// `null` when the uploaded layout named no bathrooms (`3房2厅`), or there is no layout
    pub baths: Option<i64>,
    pub area_m2: f64,
    pub price_per_m2_yuan: i64,
    pub total_price_yuan: i64,
    pub orientation: Option<String>,
    pub decoration: Option<String>,
    pub delivery: String,
    pub amenities: Vec<String>,
    pub status: &'static str,
    /// snippet with the match in `<em>…</em>`, when `q` was given
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

impl Listing {
    pub(crate) fn new(d: ListingDoc, highlight: Option<String>) -> Self {
        Listing {
            unit_id: d.unit_id,
            project_id: d.project_id,
            project_name: d.project_name,
            developer_id: d.developer_id,
            developer_name: d.developer_name,
            district: d.district,
            zone_class: d.zone_class,
            address: d.address,
            building: d.building,
            unit: d.unit,
            room: d.room,
            floor: d.floor,
            usage: d.usage,
            layout: d.layout,
            rooms: d.rooms,
            halls: d.halls,
            baths: d.baths,
            area_m2: area_m2(d.area_centi_m2),
            price_per_m2_yuan: d.price_per_m2_yuan,
            total_price_yuan: d.total_price_yuan,
            orientation: d.orientation,
            decoration: d.decoration,
            delivery: d.delivery,
            amenities: d.amenities,
            status: "available",
            highlight,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCounts {
    pub district: BTreeMap<String, u64>,
    pub zone_class: BTreeMap<String, u64>,
    /// units without rooms (no layout) are not counted here
    pub rooms: BTreeMap<String, u64>,
    /// keyed by usage code (`residential`, `commercial`, `office`, `parking`)
    pub usage: BTreeMap<String, u64>,
    /// keyed by developer id
    pub developer: BTreeMap<String, u64>,
}

impl From<Facets> for FacetCounts {
    fn from(f: Facets) -> Self {
        FacetCounts {
            district: f.district,
            zone_class: f.zone_class,
            rooms: f.rooms,
            usage: f.usage,
            developer: f.developer,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingPage {
    pub items: Vec<Listing>,
    pub total: usize,
    pub page: i64,
    pub per_page: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<FacetCounts>,
    pub took_ms: f64,
}

fn search_error(e: SearchError) -> ApiError {
    match e {
        SearchError::BadQuery(m) => bad(m),
        other => ApiError::internal(other),
    }
}

#[utoipa::path(get, path = "/api/v1/listings", tag = "search", params(SearchParams, ListingFilters),
    responses((status = 200, body = ListingPage), (status = 400, body = Err, description = "invalid_query")))]
#[get("/api/v1/listings")]
pub async fn search_listings(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
    filters: web::Query<ListingFilters>,
) -> ApiResult<web::Json<ListingPage>> {
    let started = Instant::now();
    let params = params.into_inner();
    let page = super::page_request(params.page, params.per_page)?;
    let sort = params
        .sort
        .map_or(Ok(SortBy::Relevance), |s| s.word().parse())
        .map_err(search_error)?;
    filters.check()?;
    let query =
        filters
            .into_inner()
            .into_query(params.q, sort, page, params.facets.unwrap_or(false))?;
    let (page, per_page) = (page.page(), page.per_page());
    let result = state
        .search(move |index| index.search(&query).map_err(search_error))
        .await?;
    Ok(web::Json(ListingPage {
        items: result
            .hits
            .into_iter()
            .map(|h| Listing::new(h.doc, h.highlight))
            .collect(),
        total: result.total,
        page,
        per_page,
        facets: result.facets.map(FacetCounts::from),
        took_ms: (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSummary {
    pub id: i64,
    pub name: String,
    pub district: String,
    pub zone_class: i64,
    pub address: String,
    pub delivery: String,
    pub amenities: Vec<String>,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeveloperSummary {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingDetail {
    #[serde(flatten)]
    pub listing: Listing,
    pub description: String,
    pub project: ProjectSummary,
    pub developer: DeveloperSummary,
}

#[utoipa::path(get, path = "/api/v1/listings/{unit_id}", tag = "search",
    params(("unit_id" = i64, Path, description = "unit id")),
    responses((status = 200, body = ListingDetail), (status = 404, body = Err, description = "not listed")))]
#[get("/api/v1/listings/{unit_id}")]
pub async fn get_listing(
    state: web::Data<AppState>,
    unit_id: web::Path<i64>,
) -> ApiResult<web::Json<ListingDetail>> {
    let id = unit_id.into_inner();
    // read from the database, the truth: a unit taken a moment ago is not shown as listed
    let doc = state
        .db(move |c| Ok(crate::db::listings::load_listed(c, &[id])?))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("listing"))?;
    let project = ProjectSummary {
        id: doc.project_id,
        name: doc.project_name.clone(),
        district: doc.district.clone(),
        zone_class: doc.zone_class,
        address: doc.address.clone(),
        delivery: doc.delivery.clone(),
        amenities: doc.amenities.clone(),
        description: doc.project_description.clone(),
    };
    let developer = DeveloperSummary {
        id: doc.developer_id,
        name: doc.developer_name.clone(),
    };
    let description = doc.description.clone();
    Ok(web::Json(ListingDetail {
        listing: Listing::new(doc, None),
        description,
        project,
        developer,
    }))
}
