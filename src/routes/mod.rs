//! HTTP handlers, one file per resource, with their request and response types.

pub mod access;
pub mod allowed;
pub mod body;
pub mod credentials;
pub mod developers;
pub mod handover;
pub mod health;
pub mod holds;
pub mod households;
pub mod kiosk;
pub mod listing_query;
pub mod listings;
pub mod notices;
pub mod officials;
pub mod pages;
pub mod params;
pub mod policy;
pub mod projects;
pub mod quotes;
pub mod reservations;
pub mod rounds;
pub mod stats;
pub mod table;
pub mod tickets;
pub mod units;
pub mod upload_body;
pub mod webhooks;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::PageRequest;
use crate::error::{ApiError, RefusalKind};

/// `?page=&per_page=` plus an optional status filter `S` (one of the list's status names, exactly),
/// shared by the list routes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery<S: ToSchema> {
    /// 1-based page, default 1
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// items per page, 1–100, default 20
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// only items in this status
    #[param(inline)]
    pub status: Option<S>,
}

impl<S: Copy + ToSchema> ListQuery<S> {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        page_request(self.page, self.per_page)
    }

    pub fn status(&self) -> Option<S> {
        self.status
    }
}

/// `?page=&per_page=` as a `PageRequest`, or 400 `invalid_query`.
pub fn page_request(page: Option<i64>, per_page: Option<i64>) -> Result<PageRequest, ApiError> {
    PageRequest::parse(page, per_page).map_err(|e| {
        ApiError::new(
            RefusalKind::InvalidQuery,
            format!("{} {}", e.field, e.message),
        )
    })
}

/// A page of a list: `{items, total, page, per_page}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T: ToSchema> Page<T> {
    pub fn new(items: Vec<T>, total: i64, page: PageRequest) -> Self {
        Page {
            items,
            total,
            page: page.page(),
            per_page: page.per_page(),
        }
    }
}

/// Optional reason of an official's decision.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// at most 500 characters
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

impl ReasonRequest {
    pub fn reason(&self) -> Result<Option<String>, ApiError> {
        let r = self
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if r.as_ref().is_some_and(|r| r.chars().count() > 500) {
            return Err(ApiError::validation(vec![crate::domain::FieldError::new(
                "reason",
                "must be at most 500 characters",
            )]));
        }
        Ok(r)
    }
}

pub fn area_m2(centi: i64) -> f64 {
    centi as f64 / 100.0
}
