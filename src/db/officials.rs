//! Officials (主管部门) and their bearer tokens (stored hashed).

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::schema::officials;
use super::AnyConnection;
use crate::domain::status::OfficialRole;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officials)]
pub struct Official {
    pub id: i64,
    pub name: String,
    pub role: OfficialRole,
    pub token_hash: String,
    pub is_bootstrap: bool,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

impl Official {
    pub fn role(&self) -> OfficialRole {
        self.role
    }
}

#[derive(Insertable)]
#[diesel(table_name = officials)]
struct NewOfficial<'a> {
    name: &'a str,
    role: &'a str,
    token_hash: &'a str,
    is_bootstrap: bool,
    created_at_ms: i64,
}

fn insert(conn: &mut AnyConnection, new: NewOfficial<'_>) -> QueryResult<i64> {
    diesel::insert_into(officials::table)
        .values(&new)
        .returning(officials::id)
        .get_result(conn)
}

/// Makes the configured admin token valid: one bootstrap official whose hash follows the config.
pub fn ensure_bootstrap(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
) -> QueryResult<()> {
    super::write_tx(conn, |conn| {
        let existing: Option<Official> = officials::table
            .filter(officials::is_bootstrap.eq(true))
            .select(Official::as_select())
            .first(conn)
            .optional()?;
        match existing {
            Some(o) if o.token_hash == token_hash => Ok(()),
            Some(o) => {
                diesel::update(officials::table.find(o.id))
                    .set(officials::token_hash.eq(token_hash))
                    .execute(conn)?;
                Ok(())
            }
            None => {
                insert(
                    conn,
                    NewOfficial {
                        name: "bootstrap admin",
                        role: OfficialRole::Admin.as_str(),
                        token_hash,
                        is_bootstrap: true,
                        created_at_ms: now_ms,
                    },
                )?;
                Ok(())
            }
        }
    })
}

pub fn create(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    name: &str,
    role: OfficialRole,
    token_hash: &str,
) -> QueryResult<Official> {
    super::write_tx(conn, |conn| {
        let id = insert(
            conn,
            NewOfficial {
                name,
                role: role.as_str(),
                token_hash,
                is_bootstrap: false,
                created_at_ms: ctx.now_ms,
            },
        )?;
        audit::record(
            conn,
            ctx,
            "official.create",
            "official",
            Some(id),
            serde_json::json!({ "role": role.as_str() }),
        )?;
        officials::table
            .find(id)
            .select(Official::as_select())
            .first(conn)
    })
}

/// The official behind an unrevoked token.
pub fn find_by_token_hash(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> QueryResult<Option<Official>> {
    officials::table
        .filter(officials::token_hash.eq(token_hash))
        .filter(officials::revoked_at_ms.is_null())
        .select(Official::as_select())
        .first(conn)
        .optional()
}
