//! Projects (楼盘): creation by developers, approval by officials, listing with ownership.

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::listings::{self, ListingChange};
use super::schema::{developers, projects};
use super::{write_tx, AnyConnection};
use crate::domain::project::NewProject;
use crate::domain::refusal::RefusalKind;
use crate::domain::status::ProjectStatus;
use crate::domain::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: i64,
    pub developer_id: i64,
    pub name: String,
    pub district: String,
    pub zone_class: i32,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub presale_permit_no: String,
    pub delivery: String,
    pub delivery_date: Option<String>,
    pub amenities: String,
    pub description: String,
    pub status: ProjectStatus,
    pub status_reason: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Project {
    pub fn status(&self) -> ProjectStatus {
        self.status
    }
    pub fn amenities(&self) -> Vec<String> {
        serde_json::from_str(&self.amenities).unwrap_or_default()
    }
}

/// A project together with its developer's name.
pub type ProjectWithDeveloper = (Project, String);

#[derive(Insertable)]
#[diesel(table_name = projects)]
struct NewProjectRow<'a> {
    developer_id: i64,
    name: &'a str,
    district: &'a str,
    zone_class: i32,
    address: &'a str,
    lat: Option<f64>,
    lng: Option<f64>,
    presale_permit_no: &'a str,
    delivery: &'a str,
    delivery_date: Option<&'a str>,
    amenities: String,
    description: &'a str,
    status: &'a str,
    created_at_ms: i64,
    updated_at_ms: i64,
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<ProjectWithDeveloper>> {
    let found = projects::table
        .inner_join(developers::table)
        .filter(projects::id.eq(id))
        .select((Project::as_select(), developers::name))
        .first(conn)
        .optional();
    crate::db::in_row(found, "projects", id)
}

pub fn create(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    p: &NewProject,
) -> Result<ProjectWithDeveloper, DbError> {
    write_tx(conn, |conn| {
        let taken: i64 = projects::table
            .filter(projects::developer_id.eq(developer_id))
            .filter(projects::name.eq(&p.name))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(DbError::new(
                RefusalKind::DuplicateProject,
                "you already have a project with this name",
            ));
        }
        let row = NewProjectRow {
            developer_id,
            name: &p.name,
            district: &p.district,
            zone_class: p.zone_class,
            address: &p.address,
            lat: p.lat,
            lng: p.lng,
            presale_permit_no: &p.presale_permit_no,
            delivery: p.delivery.as_str(),
            delivery_date: p.delivery_date.as_deref(),
            amenities: serde_json::to_string(&p.amenities).expect("strings serialize"),
            description: &p.description,
            status: ProjectStatus::Pending.as_str(),
            created_at_ms: ctx.now_ms,
            updated_at_ms: ctx.now_ms,
        };
        let id: i64 = (diesel::insert_into(projects::table)
            .values(&row)
            .returning(projects::id)
            .get_result(conn))?;
        audit::record(
            conn,
            ctx,
            "project.create",
            "project",
            Some(id),
            serde_json::json!({ "name": p.name }),
        )?;
        Ok(get(conn, id)?.expect("just inserted"))
    })
}

/// Projects visible to the caller: one developer's (`Some`) or all (`None`, officials).
pub fn list(
    conn: &mut AnyConnection,
    developer_id: Option<i64>,
    status: Option<ProjectStatus>,
    page: PageRequest,
) -> QueryResult<(Vec<ProjectWithDeveloper>, i64)> {
    super::read_tx(conn, |conn| {
        let mut q = projects::table.inner_join(developers::table).into_boxed();
        let mut count = projects::table.into_boxed();
        if let Some(d) = developer_id {
            q = q.filter(projects::developer_id.eq(d));
            count = count.filter(projects::developer_id.eq(d));
        }
        if let Some(s) = status {
            q = q.filter(projects::status.eq(s.as_str()));
            count = count.filter(projects::status.eq(s.as_str()));
        }
        let total = count.count().get_result(conn)?;
        let items = q
            .order(projects::id.asc())
            .limit(page.per_page())
            .offset(page.offset())
            .select((Project::as_select(), developers::name))
            .load(conn)?;
        Ok((items, total))
    })
}

pub fn set_status(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    to: ProjectStatus,
    reason: Option<&str>,
) -> Result<ProjectWithDeveloper, DbError> {
    write_tx(conn, |conn| {
        let (current, _) = get(conn, id)?.ok_or_else(|| DbError::not_found("project"))?;
        let from = current.status();
        if !from.can_become(to) {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                format!("a {} project cannot become {}", from.as_str(), to.as_str()),
            ));
        }
        let changed = diesel::update(
            projects::table
                .find(id)
                .filter(projects::status.eq(from.as_str())),
        )
        .set((
            projects::status.eq(to.as_str()),
            projects::status_reason.eq(reason),
            projects::updated_at_ms.eq(ctx.now_ms),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "the project changed meanwhile; retry",
            ));
        }
        let action = match to {
            ProjectStatus::Approved => "project.approve",
            ProjectStatus::Rejected => "project.reject",
            ProjectStatus::Closed => "project.close",
            ProjectStatus::Pending => "project.reset",
        };
        audit::record(
            conn,
            ctx,
            action,
            "project",
            Some(id),
            serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason }),
        )?;
        listings::record(conn, ListingChange::Project(id), ctx.now_ms)?;
        Ok(get(conn, id)?.expect("exists"))
    })
}
