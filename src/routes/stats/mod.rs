//! Officials' monitoring: overview, destocking, rankings, settlement, exports, charts and the
//! audit trail. Viewers read all of it; a developer reads only its own settlement; kiosks nothing.

mod audit;
mod charts;
mod export;
mod figures;

pub use audit::*;
pub use charts::*;
pub use export::*;
pub use figures::*;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::stats::GroupBy;
use crate::domain::periods::{parse_day, parse_month, Period};
use crate::error::{ApiError, ApiResult, RefusalKind};

type Err = crate::error::ErrorBody;

fn bad(m: impl Into<String>) -> ApiError {
    ApiError::new(RefusalKind::InvalidQuery, m)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// destocking: developer | project (default) | district | zone
    pub group_by: Option<String>,
    /// destocking: xun | month | quarter | year; without it, one row per group
    pub period: Option<String>,
    /// first local date (Asia/Shanghai), YYYY-MM-DD (default 2000-01-01)
    pub from: Option<String>,
    /// last local date, YYYY-MM-DD (default today)
    pub to: Option<String>,
    /// rankings: district (default) | project
    pub level: Option<String>,
    /// rankings: YYYY-MM (default this month)
    pub month: Option<String>,
    /// settlement: one developer
    pub developer_id: Option<i64>,
    /// export: csv | xlsx
    pub format: Option<String>,
    /// export: destocking | rankings | settlement
    pub report: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

struct DestockingArgs {
    by: GroupBy,
    period: Option<Period>,
    from: i32,
    to: i32,
}

impl StatsQuery {
    fn destocking(&self, today: i32) -> ApiResult<DestockingArgs> {
        let by = match self.group_by.as_deref() {
            None | Some("") => GroupBy::Project,
            Some(g) => GroupBy::parse(g)
                .ok_or_else(|| bad("group_by must be developer, project, district or zone"))?,
        };
        let period = match self.period.as_deref() {
            None | Some("") => None,
            Some(p) => Some(
                Period::parse(p)
                    .ok_or_else(|| bad("period must be xun, month, quarter or year"))?,
            ),
        };
        let day = |v: &Option<String>, default: i32, name: &str| match v.as_deref() {
            None | Some("") => Ok(default),
            Some(s) => parse_day(s).ok_or_else(|| bad(format!("{name} must be a date YYYY-MM-DD"))),
        };
        let (from, to) = (
            day(&self.from, 20000101, "from")?,
            day(&self.to, today, "to")?,
        );
        if from > to {
            return Err(bad("from must not be after to"));
        }
        Ok(DestockingArgs {
            by,
            period,
            from,
            to,
        })
    }

    fn rankings(&self, today: i32) -> ApiResult<(GroupBy, (i32, i32), String)> {
        let by = match self.level.as_deref() {
            None | Some("") | Some("district") => GroupBy::District,
            Some("project") => GroupBy::Project,
            Some(_) => return Err(bad("level must be district or project")),
        };
        let month = self
            .month
            .clone()
            .unwrap_or_else(|| format!("{}-{:02}", today / 10_000, today / 100 % 100));
        let bounds = parse_month(&month).ok_or_else(|| bad("month must be YYYY-MM"))?;
        Ok((by, bounds, month))
    }
}

fn day_text(day: i32) -> String {
    format!("{}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100)
}
