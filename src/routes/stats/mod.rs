//! Officials' monitoring: overview, destocking, rankings, settlement, housing tickets, exports,
//! charts and the audit trail. Viewers read all of it; a developer reads only its own
//! settlement; kiosks nothing.

mod aftercare;
mod audit;
mod charts;
mod export;
mod figures;
mod tickets;

pub use aftercare::*;
pub use audit::*;
pub use charts::*;
pub use export::*;
pub use figures::*;
pub use tickets::*;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::stats::GroupBy;
use crate::domain::periods::Period;
use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::routes::params::{self, query_words};

type Err = crate::error::ErrorBody;

fn bad(m: impl Into<String>) -> ApiError {
    ApiError::new(RefusalKind::InvalidQuery, m)
}

query_words!(
    /// developer | project (default) | district | zone
    GroupByWord { Developer = "developer", Project = "project", District = "district", Zone = "zone" }
);
query_words!(
    /// xun (旬) | month | quarter | year
    PeriodWord { Xun = "xun", Month = "month", Quarter = "quarter", Year = "year" }
);
query_words!(
    /// district (default) | project
    LevelWord { District = "district", Project = "project" }
);
query_words!(
    /// csv (default) | xlsx
    FormatWord { Csv = "csv", Xlsx = "xlsx" }
);
query_words!(
    /// destocking (default) | rankings | settlement | tickets
    ReportWord {
        Destocking = "destocking",
        Rankings = "rankings",
        Settlement = "settlement",
        Tickets = "tickets",
    }
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// destocking: how the rows are grouped
    #[param(inline)]
    pub group_by: Option<GroupByWord>,
    /// destocking: one row per group and period; without it, one row per group
    #[param(inline)]
    pub period: Option<PeriodWord>,
    /// first local date (Asia/Shanghai), YYYY-MM-DD (default 2000-01-01); not after `to`
    #[param(format = Date)]
    pub from: Option<String>,
    /// last local date, YYYY-MM-DD (default today)
    #[param(format = Date)]
    pub to: Option<String>,
    /// rankings: what is ranked
    #[param(inline)]
    pub level: Option<LevelWord>,
    /// rankings: YYYY-MM (default this month)
    #[param(pattern = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$")]
    pub month: Option<String>,
    /// settlement: one developer (a developer: only its own id)
    pub developer_id: Option<i64>,
    /// export: the file's format
    #[param(inline)]
    pub format: Option<FormatWord>,
    /// export: which report
    #[param(inline)]
    pub report: Option<ReportWord>,
    /// settlement: 1-based page, default 1
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// settlement: rows per page, 1–100, default 20
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

struct DestockingArgs {
    by: GroupBy,
    period: Option<Period>,
    from: i32,
    to: i32,
}

impl StatsQuery {
    /// Refuses a malformed value of any parameter, whether or not this route reads it: every
    /// route of the figures takes the whole query the document lists.
    pub(super) fn check(&self) -> ApiResult<()> {
        for (name, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(value) = value {
                params::date(name, value)?;
            }
        }
        if let Some(month) = &self.month {
            params::month("month", month)?;
        }
        crate::routes::page_request(self.page, self.per_page).map(drop)
    }

    fn destocking(&self, today: i32) -> ApiResult<DestockingArgs> {
        let by = GroupBy::parse(self.group_by.map_or("project", GroupByWord::word))
            .expect("every group_by word parses");
        let period = self
            .period
            .map(|p| Period::parse(p.word()).expect("every period word parses"));
        let day = |v: &Option<String>, default: i32, name: &str| match v.as_deref() {
            None => Ok(default),
            Some(s) => params::date(name, s),
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
        let by = match self.level.unwrap_or(LevelWord::District) {
            LevelWord::District => GroupBy::District,
            LevelWord::Project => GroupBy::Project,
        };
        let month = self
            .month
            .clone()
            .unwrap_or_else(|| format!("{}-{:02}", today / 10_000, today / 100 % 100));
        let bounds = params::month("month", &month)?;
        Ok((by, bounds, month))
    }
}

fn day_text(day: i32) -> String {
    format!("{}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100)
}
