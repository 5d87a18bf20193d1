//! Objections to a notice (异议 / 复核): filed during the notice period with a receipt number,
//! resolved once by an admin (upheld on a line may cancel its reservation in the same
//! transaction), listed for officials with the overdue flag read from the clock.

use diesel::prelude::*;

use crate::db::audit::{self, AuditCtx};
use crate::db::error::DbError;
use crate::db::schema::{households, notice_lines, objections, proxies};
use crate::db::{lock_row, write_tx, AnyConnection};
use crate::domain::notice::{self as rules, Outcome};
use crate::domain::{FieldError, PageRequest};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = objections)]
pub struct Objection {
    pub id: i64,
    pub receipt_no: String,
    pub notice_id: i64,
    pub line_position: Option<i32>,
    pub text: String,
    pub contact_name_enc: String,
    pub contact_name_masked: String,
    pub contact_phone_enc: String,
    pub contact_phone_masked: String,
    pub household_id: Option<i64>,
    pub proxy_id: Option<i64>,
    pub status: String,
    pub review_deadline_ms: i64,
    pub response: Option<String>,
    pub resolved_at_ms: Option<i64>,
    pub resolved_by_official_id: Option<i64>,
    pub cancelled_reservation_id: Option<i64>,
    pub created_at_ms: i64,
}

/// An objection as filed: the contact already encrypted and masked by the caller, or `None` for
/// a kiosk session's household (its own contact, or its proxy's, is taken).
#[derive(Debug, Clone)]
pub struct NewObjection {
    pub line: Option<i32>,
    pub text: String,
    /// `(name_enc, name_masked, phone_enc, phone_masked)`
    pub contact: Option<(String, String, String, String)>,
    pub household_id: Option<i64>,
    pub proxy_id: Option<i64>,
}

fn kiosk_contact(
    conn: &mut AnyConnection,
    household_id: i64,
    proxy_id: Option<i64>,
) -> Result<(String, String, String, String), DbError> {
    let found = match proxy_id {
        Some(p) => proxies::table
            .find(p)
            .select((
                proxies::name_enc,
                proxies::name_masked,
                proxies::phone_enc,
                proxies::phone_masked,
            ))
            .first(conn)
            .optional()?,
        None => households::table
            .find(household_id)
            .select((
                households::name_enc,
                households::name_masked,
                households::phone_enc,
                households::phone_masked,
            ))
            .first(conn)
            .optional()?,
    };
    found.ok_or_else(|| DbError::not_found("household"))
}

fn no_line(position: i32) -> DbError {
    DbError::validation(vec![FieldError::new(
        "line",
        format!("this notice has no line {position}"),
    )])
}

/// Files an objection while the notice is open: `notice_closed` after its end.
pub fn file_objection(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    notice_id: i64,
    new: &NewObjection,
) -> Result<Objection, DbError> {
    write_tx(conn, |conn| {
        let now = ctx.now_ms;
        lock_row(conn, "notices", notice_id)?;
        let notice = super::get(conn, notice_id)?.ok_or_else(|| DbError::not_found("notice"))?;
        rules::decide_objection(notice.ends_at_ms, now)?;
        if let Some(p) = new.line {
            let exists: bool = diesel::select(diesel::dsl::exists(
                notice_lines::table
                    .filter(notice_lines::notice_id.eq(notice_id))
                    .filter(notice_lines::position.eq(p)),
            ))
            .get_result(conn)?;
            if !exists {
                return Err(no_line(p));
            }
        }
        let (name_enc, name_masked, phone_enc, phone_masked) =
            match (&new.contact, new.household_id) {
                (Some(c), _) => c.clone(),
                (None, Some(h)) => kiosk_contact(conn, h, new.proxy_id)?,
                (None, None) => {
                    return Err(DbError::validation(vec![FieldError::new(
                        "contact_name",
                        "a contact name and phone are required",
                    )]))
                }
            };
        let review_days = crate::db::policy::in_force(conn, now)?
            .policy
            .aftercare
            .review_days;
        let filed: i64 = objections::table
            .filter(objections::notice_id.eq(notice_id))
            .count()
            .get_result(conn)?;
        let receipt = rules::receipt_no(now, notice_id, filed + 1);
        let id: i64 = diesel::insert_into(objections::table)
            .values((
                objections::receipt_no.eq(&receipt),
                objections::notice_id.eq(notice_id),
                objections::line_position.eq(new.line),
                objections::text.eq(&new.text),
                objections::contact_name_enc.eq(&name_enc),
                objections::contact_name_masked.eq(&name_masked),
                objections::contact_phone_enc.eq(&phone_enc),
                objections::contact_phone_masked.eq(&phone_masked),
                objections::household_id.eq(new.household_id),
                objections::proxy_id.eq(new.proxy_id),
                objections::status.eq("open"),
                objections::review_deadline_ms.eq(rules::review_deadline_ms(now, review_days)),
                objections::created_at_ms.eq(now),
            ))
            .returning(objections::id)
            .get_result(conn)?;
        audit::record(
            conn,
            ctx,
            "objection.filed",
            "objection",
            Some(id),
            serde_json::json!({ "notice_id": notice_id, "receipt_no": receipt,
                "line": new.line, "contact_name": name_masked, "contact_phone": phone_masked,
                "household_id": new.household_id, "proxy_id": new.proxy_id }),
        )?;
        get_objection(conn, id)?.ok_or_else(|| DbError::not_found("objection"))
    })
}

/// Resolves an open objection once; upheld with `cancel` on a line-bound objection cancels that
/// line's reservation (`db::selection::cancel`, its reason naming the receipt) in this transaction.
pub fn resolve_objection(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    outcome: Outcome,
    response: &str,
    cancel: bool,
    official_id: i64,
) -> Result<Objection, DbError> {
    write_tx(conn, |conn| {
        let now = ctx.now_ms;
        lock_row(conn, "objections", id)?;
        let o = get_objection(conn, id)?.ok_or_else(|| DbError::not_found("objection"))?;
        rules::decide_resolve(&o.status)?;
        let mut cancelled = None;
        if cancel {
            rules::cancel_allowed(outcome, o.line_position)
                .map_err(|m| DbError::validation(vec![FieldError::new("cancel_reservation", m)]))?;
            let position = o.line_position.unwrap_or_default();
            let rid: i64 = notice_lines::table
                .filter(notice_lines::notice_id.eq(o.notice_id))
                .filter(notice_lines::position.eq(position))
                .select(notice_lines::reservation_id)
                .first(conn)
                .optional()?
                .ok_or_else(|| no_line(position))?;
            let reason = format!("异议复核成立（受理编号 {}）", o.receipt_no);
            crate::db::selection::cancel(conn, ctx, rid, &reason)?;
            cancelled = Some(rid);
        }
        let changed = diesel::update(
            objections::table
                .find(id)
                .filter(objections::status.eq("open")),
        )
        .set((
            objections::status.eq(outcome.as_str()),
            objections::response.eq(response),
            objections::resolved_at_ms.eq(now),
            objections::resolved_by_official_id.eq(official_id),
            objections::cancelled_reservation_id.eq(cancelled),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(rules::decide_resolve("resolved").unwrap_err().into());
        }
        audit::record(
            conn,
            ctx,
            "objection.resolved",
            "objection",
            Some(id),
            serde_json::json!({ "notice_id": o.notice_id, "receipt_no": o.receipt_no,
                "outcome": outcome.as_str(), "cancelled_reservation_id": cancelled }),
        )?;
        get_objection(conn, id)?.ok_or_else(|| DbError::not_found("objection"))
    })
}

pub fn get_objection(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Objection>> {
    objections::table
        .find(id)
        .select(Objection::as_select())
        .first(conn)
        .optional()
}

/// What officials filter objections by.
#[derive(Debug, Clone, Default)]
pub struct ObjectionFilter {
    pub notice_id: Option<i64>,
    pub status: Option<String>,
    /// open and past the review deadline (true), or not (false)
    pub overdue: Option<bool>,
}

/// One page of objections, oldest first (the review queue's order), as of `now_ms`.
pub fn list_objections(
    conn: &mut AnyConnection,
    f: &ObjectionFilter,
    now_ms: i64,
    page: PageRequest,
) -> QueryResult<(Vec<Objection>, i64)> {
    let query = || {
        let mut q = objections::table.into_boxed();
        if let Some(n) = f.notice_id {
            q = q.filter(objections::notice_id.eq(n));
        }
        if let Some(s) = &f.status {
            q = q.filter(objections::status.eq(s.clone()));
        }
        match f.overdue {
            Some(true) => {
                q = q
                    .filter(objections::status.eq("open"))
                    .filter(objections::review_deadline_ms.lt(now_ms))
            }
            Some(false) => {
                q = q.filter(
                    objections::status
                        .ne("open")
                        .or(objections::review_deadline_ms.ge(now_ms)),
                )
            }
            None => {}
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(objections::id.asc())
        .offset(page.offset())
        .limit(page.per_page())
        .select(Objection::as_select())
        .load(conn)?;
    Ok((items, total))
}
