//! Households (被征收户): all-or-nothing import, look-up by voucher, officials' search, and the
//! audit trail of every official read. Personal data arrives here already encrypted and masked.

use std::collections::HashSet;

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::schema::households;
use super::{write_tx, AnyConnection};
use crate::domain::household::Method;
use crate::domain::refusal::RefusalKind;
use crate::domain::PageRequest;
use crate::upload::RowError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = households)]
pub struct Household {
    pub id: i64,
    pub name_enc: String,
    pub name_masked: String,
    pub name_hmac: String,
    pub id_number_enc: String,
    pub id_number_masked: String,
    pub id_number_hmac: String,
    pub phone_enc: String,
    pub phone_masked: String,
    pub expropriation_project: String,
    pub origin_area_centi_m2: i64,
    pub remaining_origin_area_centi_m2: i64,
    pub origin_zone: i32,
    pub assessed_price_yuan_per_m2: i64,
    pub signed_at_ms: i64,
    pub family_size: i32,
    pub method: String,
    pub voucher_no: String,
    pub pin_hash: String,
    pub login_failures: i32,
    pub locked_until_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Household {
    /// What the household may still take: its origin zone and remaining origin area.
    pub fn entitlement(&self) -> crate::domain::entitlement::Entitlement {
        crate::domain::entitlement::Entitlement {
            origin_zone: crate::domain::policy::Zone::new(i64::from(self.origin_zone))
                .expect("CHECK keeps zones 1–3"),
            remaining_origin_centi: self.remaining_origin_area_centi_m2,
        }
    }
}

/// A household ready to store: encrypted, masked and keyed-hashed by the caller.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = households)]
pub struct NewHousehold {
    pub name_enc: String,
    pub name_masked: String,
    pub name_hmac: String,
    pub id_number_enc: String,
    pub id_number_masked: String,
    pub id_number_hmac: String,
    pub phone_enc: String,
    pub phone_masked: String,
    pub expropriation_project: String,
    pub origin_area_centi_m2: i64,
    pub remaining_origin_area_centi_m2: i64,
    pub origin_zone: i32,
    pub assessed_price_yuan_per_m2: i64,
    pub signed_at_ms: i64,
    pub family_size: i32,
    pub method: String,
    pub voucher_no: String,
    pub pin_hash: String,
    pub login_failures: i32,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// A row's ID number as the conflict check sees it: its keyed hash and its masked form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdKey {
    pub row: usize,
    /// under the current data key, then the previous one while it is being replaced
    pub hmacs: Vec<String>,
    pub masked: String,
}

/// Stores every household or none. The rejection (422 `upload_rejected`) names every bad row at
/// once: `format_errors` (the table's own problems, when there are any `rows` is empty) together
/// with every row of `keys` whose ID number is already registered, found by one query inside
/// this transaction and reported masked. Returns the new ids in input order.
pub fn import(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    keys: &[IdKey],
    format_errors: &[RowError],
    rows: &[(usize, NewHousehold)],
) -> Result<Vec<i64>, DbError> {
    write_tx(conn, |conn| {
        let mut errors = format_errors.to_vec();
        let hashes: Vec<&str> = keys
            .iter()
            .flat_map(|k| k.hmacs.iter().map(String::as_str))
            .collect();
        let taken: HashSet<String> =
            super::present_values(conn, "households", "id_number_hmac", &hashes)?
                .into_iter()
                .collect();
        for key in keys
            .iter()
            .filter(|k| k.hmacs.iter().any(|h| taken.contains(h)))
        {
            errors.push(RowError::new(
                key.row,
                Some("id_number"),
                format!(
                    "id_number {} is already registered to another household",
                    key.masked
                ),
            ));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row); // stable: a row's format errors come first
            return Err(DbError::upload_rejected(errors));
        }
        let mut ids = Vec::with_capacity(rows.len());
        for (row, h) in rows {
            let inserted = diesel::insert_into(households::table)
                .values(h)
                .returning(households::id)
                .get_result::<i64>(conn);
            let id = inserted.map_err(|e| {
                if super::is_unique_violation(&e) {
                    DbError::new(
                        RefusalKind::DuplicateHousehold,
                        format!(
                            "row {row}: the household was registered meanwhile; nothing was stored"
                        ),
                    )
                } else {
                    e.into()
                }
            })?;
            audit::record(
                conn,
                ctx,
                "household.import",
                "household",
                Some(id),
                serde_json::json!({
                    "row": row,
                    "name": h.name_masked,
                    "id_number": h.id_number_masked,
                    "method": h.method,
                }),
            )?;
            ids.push(id);
        }
        Ok(ids)
    })
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Household>> {
    households::table
        .find(id)
        .select(Household::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_voucher(
    conn: &mut AnyConnection,
    voucher_no: &str,
) -> QueryResult<Option<Household>> {
    households::table
        .filter(households::voucher_no.eq(voucher_no))
        .select(Household::as_select())
        .first(conn)
        .optional()
}

/// What an official searches households by. `q` matches a voucher number prefix, the last
/// characters of the ID number, the full name (through its keyed hash) or the masked name.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub voucher_prefix: Option<String>,
    pub id_suffix: Option<String>,
    /// the full name's look-up hashes (two while a data key is being replaced)
    pub name_hmac: Option<Vec<String>>,
    pub name_masked: Option<String>,
    pub method: Option<Method>,
    pub expropriation_project: Option<String>,
    /// the query as typed, masked (`domain::mask::mask_query`), for the audit trail
    pub query_masked: Option<String>,
}

/// One page of households, an audit event `household.search` for the search itself (the masked
/// query and how many it found, even when it found none) and `household.read` for each one shown.
pub fn search_and_audit(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    filter: &HouseholdFilter,
    page: PageRequest,
) -> Result<(Vec<Household>, i64), DbError> {
    write_tx(conn, |conn| {
        let query = || {
            let mut q = households::table.into_boxed();
            let text = [
                filter.voucher_prefix.is_some(),
                filter.id_suffix.is_some(),
                filter.name_hmac.is_some(),
                filter.name_masked.is_some(),
            ];
            if text.contains(&true) {
                let never = String::from("-"); // matches no voucher, ID, hash or masked name
                let voucher = filter
                    .voucher_prefix
                    .as_ref()
                    .map(|v| format!("{}%", super::like_escape(v)))
                    .unwrap_or_else(|| never.clone());
                let suffix = filter
                    .id_suffix
                    .as_ref()
                    .map(|s| format!("%{}", super::like_escape(s)))
                    .unwrap_or_else(|| never.clone());
                q =
                    q.filter(
                        households::voucher_no
                            .like(voucher)
                            .escape('\\')
                            .or(households::id_number_masked.like(suffix).escape('\\'))
                            .or(households::name_hmac.eq_any(
                                filter
                                    .name_hmac
                                    .clone()
                                    .unwrap_or_else(|| vec![never.clone()]),
                            ))
                            .or(households::name_masked
                                .eq(filter.name_masked.clone().unwrap_or(never))),
                    );
            }
            if let Some(m) = filter.method {
                q = q.filter(households::method.eq(m.as_str()));
            }
            if let Some(p) = &filter.expropriation_project {
                q = q.filter(households::expropriation_project.eq(p.clone()));
            }
            q
        };
        let total: i64 = query().count().get_result(conn)?;
        let items = query()
            .order(households::id.asc())
            .limit(page.per_page())
            .offset(page.offset())
            .select(Household::as_select())
            .load(conn)?;
        audit::record(
            conn,
            ctx,
            "household.search",
            "household",
            None,
            serde_json::json!({
                "q": filter.query_masked,
                "method": filter.method.map(|m| m.as_str()),
                "expropriation_project": filter.expropriation_project,
                "total": total,
                "shown": items.len(),
            }),
        )?;
        for h in &items {
            record_read(conn, ctx, h, "list")?;
        }
        Ok((items, total))
    })
}

/// One household for an official, with its `household.read` audit event.
pub fn get_and_audit(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
) -> Result<Household, DbError> {
    write_tx(conn, |conn| {
        let h = get(conn, id)?.ok_or_else(|| DbError::not_found("household"))?;
        record_read(conn, ctx, &h, "detail")?;
        Ok(h)
    })
}

fn record_read(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    h: &Household,
    view: &str,
) -> QueryResult<()> {
    audit::record(
        conn,
        ctx,
        "household.read",
        "household",
        Some(h.id),
        serde_json::json!({ "view": view, "name": h.name_masked }),
    )
}
