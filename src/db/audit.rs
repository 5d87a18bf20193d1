//! Append-only audit events, written in the same transaction as the change they record and
//! chained by hash (`db::audit_chain`); never pruned.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::audit_events;
use super::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Official(i64),
    Developer(i64),
    Household(i64),
    System,
}

impl Actor {
    fn parts(self) -> (&'static str, Option<i64>) {
        match self {
            Actor::Official(id) => ("official", Some(id)),
            Actor::Developer(id) => ("developer", Some(id)),
            Actor::Household(id) => ("household", Some(id)),
            Actor::System => ("system", None),
        }
    }
}

/// Who acts, in which request, at what time: passed to every write.
#[derive(Debug, Clone)]
pub struct AuditCtx {
    pub actor: Actor,
    pub request_id: Option<String>,
    pub now_ms: i64,
}

/// Records `action` on an object. `details` must hold masked personal data only. The event is
/// chained onto the log when the transaction commits (see `db::audit_chain`).
pub fn record(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    action: &str,
    object_kind: &str,
    object_id: Option<i64>,
    details: serde_json::Value,
) -> QueryResult<()> {
    let (actor_kind, actor_id) = ctx.actor.parts();
    super::audit_chain::record(
        conn,
        super::audit_chain::PendingEvent {
            at_ms: ctx.now_ms,
            actor_kind: actor_kind.to_string(),
            actor_id,
            action: action.to_string(),
            object_kind: object_kind.to_string(),
            object_id,
            request_id: ctx.request_id.clone(),
            details: details.to_string(),
        },
    )
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    pub at_ms: i64,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<i64>,
    pub request_id: Option<String>,
    pub details: String,
}

/// Events about one object, oldest first.
pub fn for_object(
    conn: &mut AnyConnection,
    object_kind: &str,
    object_id: i64,
) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::object_kind.eq(object_kind))
        .filter(audit_events::object_id.eq(object_id))
        .order(audit_events::id.asc())
        .select(AuditEvent::as_select())
        .load(conn)
}

/// What officials filter the audit trail by.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `official`, `developer`, `household` or `system`, optionally with `:id`
    pub actor_kind: Option<String>,
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<i64>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// One page of audit events, newest first.
pub fn list(
    conn: &mut AnyConnection,
    f: &AuditFilter,
    page: crate::domain::PageRequest,
) -> QueryResult<(Vec<AuditEvent>, i64)> {
    let query = || {
        let mut q = audit_events::table.into_boxed();
        if let Some(k) = &f.actor_kind {
            q = q.filter(audit_events::actor_kind.eq(k.clone()));
        }
        if let Some(id) = f.actor_id {
            q = q.filter(audit_events::actor_id.eq(id));
        }
        if let Some(a) = &f.action {
            q = q.filter(audit_events::action.eq(a.clone()));
        }
        if let Some(k) = &f.object_kind {
            q = q.filter(audit_events::object_kind.eq(k.clone()));
        }
        if let Some(id) = f.object_id {
            q = q.filter(audit_events::object_id.eq(id));
        }
        if let Some(t) = f.from_ms {
            q = q.filter(audit_events::at_ms.ge(t));
        }
        if let Some(t) = f.to_ms {
            q = q.filter(audit_events::at_ms.le(t));
        }
        q
    };
    super::read_tx(conn, |conn| {
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(audit_events::id.desc())
            .limit(page.per_page())
            .offset(page.offset())
            .select(AuditEvent::as_select())
            .load(conn)?;
        Ok((items, total))
    })
}
