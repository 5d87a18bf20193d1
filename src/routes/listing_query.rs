//! The listings' query parameters: the filters shared by the search and the kiosk's matches,
//! and what the search takes beside them.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::status::Delivery;
use crate::domain::usage::Usage;
use crate::domain::PageRequest;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::params::query_words;
use crate::search::{ListingQuery, SortBy};

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
    /// 用途, one or a comma list, any of them: residential (住宅), commercial (商业), office (办公),
    /// parking (车位); e.g. `commercial,office`
    #[param(
        pattern = "^(residential|commercial|office|parking)(,(residential|commercial|office|parking))*$"
    )]
    pub usage: Option<String>,
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

pub(super) fn bad(message: impl Into<String>) -> ApiError {
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
        let usages = self.usages()?;
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
            usages,
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

    /// The usage codes of `usage`, exactly as its pattern says: codes only, separated by single
    /// commas, nothing trimmed; anything else is 400.
    fn usages(&self) -> ApiResult<Vec<String>> {
        let Some(list) = &self.usage else {
            return Ok(Vec::new());
        };
        list.split(',')
            .map(|code| {
                Usage::from_code(code)
                    .map(|u| u.as_str().to_string())
                    .ok_or_else(|| {
                        bad(format!(
                            "usage must be residential, commercial, office or parking \
                             (one, or several separated by commas), not `{code}`"
                        ))
                    })
            })
            .collect()
    }

    /// Refuses a zone class other than 1, 2 or 3, an unknown usage, and negative numbers.
    pub(crate) fn check(&self) -> ApiResult<()> {
        if self.zone_class.is_some_and(|z| !(1..=3).contains(&z)) {
            return Err(bad("zone_class must be 1, 2 or 3"));
        }
        self.usages()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn usages(query: &str) -> Option<Vec<String>> {
        let filters = actix_web::web::Query::<ListingFilters>::from_query(query).ok()?;
        filters.check().ok()?;
        filters.usages().ok()
    }

    #[test]
    fn usage_takes_one_code_or_a_comma_list_exactly() {
        assert_eq!(usages(""), Some(vec![]));
        assert_eq!(usages("usage=parking"), Some(vec!["parking".to_string()]));
        assert_eq!(
            usages("usage=commercial,office"),
            Some(vec!["commercial".to_string(), "office".to_string()])
        );
        for bad in [
            "usage=",
            "usage=boat",
            "usage=parking,",
            "usage=%20parking",
            "usage=Parking",
            "usage=%E8%BD%A6%E4%BD%8D",
            "usage=parking,,office",
        ] {
            assert_eq!(usages(bad), None, "{bad}");
        }
    }
}
