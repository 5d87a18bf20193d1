//! Policy versions: every version kept, the one in force at a time is the newest whose
//! `effective_from` has passed.

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::schema::policy_versions;
use super::{write_tx, AnyConnection};
use crate::domain::policy::{Policy, PolicyChange};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = policy_versions)]
pub struct PolicyVersionRow {
    pub version: i64,
    pub effective_from_ms: i64,
    pub body: String,
    pub created_by_official_id: Option<i64>,
    pub created_at_ms: i64,
}

/// A stored version with its values validated.
#[derive(Debug, Clone)]
pub struct PolicyVersion {
    pub version: i64,
    pub effective_from_ms: i64,
    pub created_by_official_id: Option<i64>,
    pub created_at_ms: i64,
    pub policy: Policy,
}

impl TryFrom<PolicyVersionRow> for PolicyVersion {
    type Error = DbError;

    fn try_from(row: PolicyVersionRow) -> Result<Self, DbError> {
        let policy = Policy::from_stored(&row.body)
            .map_err(|e| DbError::broken(anyhow::anyhow!("policy v{}: {e}", row.version)))?;
        Ok(PolicyVersion {
            version: row.version,
            effective_from_ms: row.effective_from_ms,
            created_by_official_id: row.created_by_official_id,
            created_at_ms: row.created_at_ms,
            policy,
        })
    }
}

/// The version in force at `at_ms`.
pub fn in_force(conn: &mut AnyConnection, at_ms: i64) -> Result<PolicyVersion, DbError> {
    let row = policy_versions::table
        .filter(policy_versions::effective_from_ms.le(at_ms))
        .order((
            policy_versions::effective_from_ms.desc(),
            policy_versions::version.desc(),
        ))
        .select(PolicyVersionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| DbError::broken(anyhow::anyhow!("no policy version in force")))?;
    row.try_into()
}

/// Every version, newest first.
pub fn all(conn: &mut AnyConnection) -> Result<Vec<PolicyVersion>, DbError> {
    policy_versions::table
        .order(policy_versions::version.desc())
        .select(PolicyVersionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PolicyVersion::try_from)
        .collect()
}

#[derive(Insertable)]
#[diesel(table_name = policy_versions)]
struct NewVersion {
    effective_from_ms: i64,
    body: String,
    created_by_official_id: Option<i64>,
    created_at_ms: i64,
}

/// Applies `change` to the newest version and stores the result as a new version in force from
/// `effective_from_ms`; read and write in one transaction, so concurrent changes do not lose
/// each other's fields.
pub fn add(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    official_id: i64,
    change: &PolicyChange,
    effective_from_ms: i64,
) -> Result<PolicyVersion, DbError> {
    write_tx(conn, |conn| {
        let newest: PolicyVersion = policy_versions::table
            .order(policy_versions::version.desc())
            .select(PolicyVersionRow::as_select())
            .first(conn)?
            .try_into()?;
        let policy = newest.policy.changed(change).map_err(DbError::validation)?;
        let new = NewVersion {
            effective_from_ms,
            body: policy.to_stored(),
            created_by_official_id: Some(official_id),
            created_at_ms: ctx.now_ms,
        };
        let version: i64 = (diesel::insert_into(policy_versions::table)
            .values(&new)
            .returning(policy_versions::version)
            .get_result(conn))?;
        audit::record(
            conn,
            ctx,
            "policy.update",
            "policy",
            Some(version),
            serde_json::json!({ "effective_from_ms": effective_from_ms, "values": policy.values() }),
        )?;
        Ok(PolicyVersion {
            version,
            effective_from_ms,
            created_by_official_id: Some(official_id),
            created_at_ms: ctx.now_ms,
            policy,
        })
    })
}
