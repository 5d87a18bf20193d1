//! Developers (进厅企业), their status changes and API keys.

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::listings::{self, ListingChange};
use super::schema::{developer_keys, developers};
use super::{write_tx, AnyConnection};
use crate::crypto::DataCipher;
use crate::domain::developer::NewDeveloper;
use crate::domain::mask::{mask_name, mask_phone};
use crate::domain::refusal::RefusalKind;
use crate::domain::status::DeveloperStatus;
use crate::domain::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = developers)]
pub struct Developer {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub contact_name_enc: String,
    pub contact_name_masked: String,
    pub contact_phone_enc: String,
    pub contact_phone_masked: String,
    pub status: DeveloperStatus,
    pub status_reason: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Developer {
    pub fn status(&self) -> DeveloperStatus {
        self.status
    }
}

#[derive(Insertable)]
#[diesel(table_name = developers)]
pub struct NewDeveloperRow<'a> {
    pub name: &'a str,
    pub credit_code: &'a str,
    pub contact_name_enc: String,
    pub contact_name_masked: String,
    pub contact_phone_enc: String,
    pub contact_phone_masked: String,
    pub status: &'a str,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl<'a> NewDeveloperRow<'a> {
    /// A validated registration as stored: pending, its contact person's name and phone
    /// encrypted and masked.
    pub fn pending(new: &'a NewDeveloper, cipher: &DataCipher, now_ms: i64) -> Self {
        NewDeveloperRow {
            name: new.name(),
            credit_code: new.credit_code(),
            contact_name_enc: cipher.encrypt(new.contact_name()),
            contact_name_masked: mask_name(new.contact_name()),
            contact_phone_enc: cipher.encrypt(new.contact_phone()),
            contact_phone_masked: mask_phone(new.contact_phone()),
            status: DeveloperStatus::Pending.as_str(),
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }
    }
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Developer>> {
    let found = developers::table
        .find(id)
        .select(Developer::as_select())
        .first(conn)
        .optional();
    crate::db::in_row(found, "developers", id)
}

pub fn create(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    new: NewDeveloperRow<'_>,
) -> Result<Developer, DbError> {
    write_tx(conn, |conn| {
        let taken: i64 = developers::table
            .filter(developers::credit_code.eq(new.credit_code))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(DbError::new(
                RefusalKind::DuplicateCreditCode,
                "a developer with this credit code is already registered",
            ));
        }
        let id: i64 = (diesel::insert_into(developers::table)
            .values(&new)
            .returning(developers::id)
            .get_result(conn))?;
        audit::record(
            conn,
            ctx,
            "developer.register",
            "developer",
            Some(id),
            serde_json::json!({ "name": new.name }),
        )?;
        Ok(get(conn, id)?.expect("just inserted"))
    })
}

pub fn list(
    conn: &mut AnyConnection,
    status: Option<DeveloperStatus>,
    page: PageRequest,
) -> QueryResult<(Vec<Developer>, i64)> {
    super::read_tx(conn, |conn| {
        let mut q = developers::table.into_boxed();
        let mut count = developers::table.into_boxed();
        if let Some(s) = status {
            q = q.filter(developers::status.eq(s.as_str()));
            count = count.filter(developers::status.eq(s.as_str()));
        }
        let total = count.count().get_result(conn)?;
        let items = q
            .order(developers::id.asc())
            .limit(page.per_page())
            .offset(page.offset())
            .select(Developer::as_select())
            .load(conn)?;
        Ok((items, total))
    })
}

/// Moves a developer to `to` if its current status allows it; the update is conditional on the
/// status read, so two officials acting at once cannot both succeed from a stale state.
pub fn set_status(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    to: DeveloperStatus,
    reason: Option<&str>,
) -> Result<Developer, DbError> {
    write_tx(conn, |conn| {
        let current = get(conn, id)?.ok_or_else(|| DbError::not_found("developer"))?;
        let from = current.status();
        if !from.can_become(to) {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                format!(
                    "a {} developer cannot become {}",
                    from.as_str(),
                    to.as_str()
                ),
            ));
        }
        let changed = diesel::update(
            developers::table
                .find(id)
                .filter(developers::status.eq(from.as_str())),
        )
        .set((
            developers::status.eq(to.as_str()),
            developers::status_reason.eq(reason),
            developers::updated_at_ms.eq(ctx.now_ms),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "the developer changed meanwhile; retry",
            ));
        }
        let action = match to {
            DeveloperStatus::Approved => "developer.approve",
            DeveloperStatus::Suspended => "developer.suspend",
            DeveloperStatus::Pending => "developer.reset",
        };
        audit::record(
            conn,
            ctx,
            action,
            "developer",
            Some(id),
            serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason }),
        )?;
        listings::record(conn, ListingChange::Developer(id), ctx.now_ms)?;
        Ok(get(conn, id)?.expect("exists"))
    })
}

#[derive(Insertable)]
#[diesel(table_name = developer_keys)]
struct NewKey<'a> {
    developer_id: i64,
    key_hash: &'a str,
    key_prefix: &'a str,
    created_at_ms: i64,
}

/// Stores a new key's hash for an approved developer; returns the key row id.
pub fn add_key(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    key_hash: &str,
    key_prefix: &str,
) -> Result<i64, DbError> {
    write_tx(conn, |conn| {
        add_key_in(conn, ctx, developer_id, key_hash, key_prefix)
    })
}

/// [`add_key`] within the caller's transaction.
pub(super) fn add_key_in(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    key_hash: &str,
    key_prefix: &str,
) -> Result<i64, DbError> {
    let dev = get(conn, developer_id)?.ok_or_else(|| DbError::not_found("developer"))?;
    if dev.status() != DeveloperStatus::Approved {
        return Err(DbError::new(
            RefusalKind::DeveloperNotApproved,
            format!(
                "keys are issued only to approved developers; this one is {}",
                dev.status
            ),
        ));
    }
    let new = NewKey {
        developer_id,
        key_hash,
        key_prefix,
        created_at_ms: ctx.now_ms,
    };
    let id: i64 = (diesel::insert_into(developer_keys::table)
        .values(&new)
        .returning(developer_keys::id)
        .get_result(conn))?;
    audit::record(
        conn,
        ctx,
        "developer.key_issue",
        "developer",
        Some(developer_id),
        serde_json::json!({ "key_id": id, "key_prefix": key_prefix }),
    )?;
    Ok(id)
}

/// The developer behind an unrevoked key: `(key id, developer id, developer status)`.
pub fn find_by_key_hash(
    conn: &mut AnyConnection,
    key_hash: &str,
) -> QueryResult<Option<(i64, i64, String)>> {
    developer_keys::table
        .inner_join(developers::table)
        .filter(developer_keys::key_hash.eq(key_hash))
        .filter(developer_keys::revoked_at_ms.is_null())
        .select((developer_keys::id, developers::id, developers::status))
        .first(conn)
        .optional()
}
