//! The hall's listings: `GET /api/v1/listings` (search with filters, sorts, facets) and
//! `GET /api/v1/listings/{unit_id}`; public, no personal data.

use std::collections::BTreeMap;
use std::time::Instant;

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::area_m2;
use crate::domain::status::Delivery;
use crate::domain::PageRequest;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::params::query_words;
use crate::search::{Facets, ListingDoc, ListingQuery, SearchError, SortBy};
use crate::state::AppState;

type Err = crate::error::ErrorBody;

query_words!(
    /// 东 南 西 北 东南 东北 西南 西北 南北 东西
    OrientationWord {
        East = "东", South = "南", West = "西", North = "北", SouthEast = "东南",
        NorthEast = "东北", SouthWest = "西南", NorthWest = "西北", NorthSouth = "南北",
        EastWest = "东西",
    }
);

query_words!(
    /// rough | basic | fine, or 毛坯 / 简装 / 精装
    DecorationWord {
        Rough = "rough", Basic = "basic", Fine = "fine", RoughZh = "毛坯", BasicZh = "简装",
        FineZh = "精装",
    }
);

query_words!(
    /// relevance (default) | price_asc | price_desc | area_asc | area_desc | price_per_m2_asc
    SortWord {
        Relevance = "relevance", PriceAsc = "price_asc", PriceDesc = "price_desc",
        AreaAsc = "area_asc", AreaDesc = "area_desc", PricePerM2Asc = "price_per_m2_asc",
    }
);

/// The listing filters, shared by the search and the kiosk's matches.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListingFilters {
    pub district: Option<String>,
    /// 1, 2 or 3
    #[param(minimum = 1, maximum = 3)]
    pub zone_class: Option<i64>,
    #[param(minimum = 0)]
    pub rooms: Option<i64>,
    #[param(minimum = 0, maximum = 100_000)]
    pub min_area_m2: Option<f64>,
    #[param(minimum = 0, maximum = 100_000)]
    pub max_area_m2: Option<f64>,
    #[param(minimum = 0)]
    pub min_price_yuan: Option<i64>,
    #[param(minimum = 0)]
    pub max_price_yuan: Option<i64>,
    #[param(minimum = 0)]
    pub max_price_per_m2_yuan: Option<i64>,
    #[param(minimum = 0)]
    pub min_floor: Option<i64>,
    #[param(minimum = 0)]
    pub max_floor: Option<i64>,
    #[param(inline)]
    pub orientation: Option<OrientationWord>,
    #[param(inline)]
    pub decoration: Option<DecorationWord>,
    /// ready | off_plan
    #[param(inline)]
    pub delivery: Option<Delivery>,
    #[param(minimum = 0)]
    pub developer_id: Option<i64>,
    #[param(minimum = 0)]
    pub project_id: Option<i64>,
    /// comma-separated; every one must be present (地铁,学校)
    pub amenities: Option<String>,
}

/// What the search takes beside the filters: text, order, page, facets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// words, any part of a name / address / description, or pinyin (full or initials: `jyhy`)
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(inline)]
    pub sort: Option<SortWord>,
    /// 1-based page, default 1
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// items per page, 1–100, default 20
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// include facet counts over the whole filtered set
    pub facets: Option<bool>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(RefusalKind::InvalidQuery, message)
}

fn centi(v: Option<f64>) -> Option<i64> {
    v.map(|x| (x * 100.0).round() as i64)
}

fn area_in_range(field: &str, v: Option<f64>) -> ApiResult<Option<f64>> {
    match v {
        Some(x) if !(x.is_finite() && (0.0..=100_000.0).contains(&x)) => Err(bad(format!(
            "{field} must be a number of m² from 0 to 100000"
        ))),
        other => Ok(other),
    }
}

impl ListingFilters {
    /// The search of these filters with `q`, `sort`, the page and `facets`.
    pub(crate) fn into_query(
        self,
        q: Option<String>,
        sort: SortBy,
        page: PageRequest,
        facets: bool,
    ) -> ApiResult<ListingQuery> {
        let decoration = self.decoration.map(|d| {
            crate::domain::unit_fields::Decoration::parse(d.word())
                .expect("every decoration word parses")
                .as_str()
                .to_string()
        });
        Ok(ListingQuery {
            q: q.map(|q| q.trim().to_string()).filter(|q| !q.is_empty()),
            district: self
                .district
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
            zone_class: self.zone_class,
            rooms: self.rooms,
            min_area_centi: centi(area_in_range("min_area_m2", self.min_area_m2)?),
            max_area_centi: centi(area_in_range("max_area_m2", self.max_area_m2)?),
            min_price_yuan: self.min_price_yuan,
            max_price_yuan: self.max_price_yuan,
            max_price_per_m2_yuan: self.max_price_per_m2_yuan,
            min_floor: self.min_floor,
            max_floor: self.max_floor,
            orientation: self.orientation.map(|o| o.word().to_string()),
            decoration,
            delivery: self.delivery.map(|d| d.as_str().to_string()),
            developer_id: self.developer_id,
            project_id: self.project_id,
            amenities: self
                .amenities
                .map(|a| {
                    a.split([',', '，'])
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            sort,
            offset: page.offset() as usize,
            limit: page.per_page() as usize,
            facets,
        })
    }

    /// Refuses a zone class other than 1, 2 or 3, and negative numbers.
    pub(crate) fn check(&self) -> ApiResult<()> {
        if self.zone_class.is_some_and(|z| !(1..=3).contains(&z)) {
            return Err(bad("zone_class must be 1, 2 or 3"));
        }
        let numbers = [
            ("rooms", self.rooms),
            ("min_price_yuan", self.min_price_yuan),
            ("max_price_yuan", self.max_price_yuan),
            ("max_price_per_m2_yuan", self.max_price_per_m2_yuan),
            ("min_floor", self.min_floor),
            ("max_floor", self.max_floor),
            ("developer_id", self.developer_id),
            ("project_id", self.project_id),
        ];
        match numbers.iter().find(|(_, v)| v.is_some_and(|v| v < 0)) {
            Some((name, _)) => Err(bad(format!("{name} must not be negative"))),
            None => Ok(()),
        }
    }
}

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
    pub layout: String,
    pub rooms: i64,
    pub halls: i64,
    /// `null` when the uploaded layout named no bathrooms (`3房2厅`)
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
    pub rooms: BTreeMap<String, u64>,
    /// keyed by developer id
    pub developer: BTreeMap<String, u64>,
}

impl From<Facets> for FacetCounts {
    fn from(f: Facets) -> Self {
        FacetCounts {
            district: f.district,
            zone_class: f.zone_class,
            rooms: f.rooms,
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
