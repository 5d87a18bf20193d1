//! Public notices of a round's results (公示): publishing one with its lines frozen and masked,
//! reading them with their objections' counts, and what a contract's check needs. Objections are in
//! `objections`; the rules in `domain::notice`.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::db::audit::{self, AuditCtx};
use crate::db::error::DbError;
use crate::db::schema::{
    households, notice_lines, notices, objections as objection_rows, projects, proxies,
    reservations, round_members, rounds, units,
};
use crate::db::{write_tx, AnyConnection};
use crate::domain::refusal::{Refusal, RefusalKind};
use crate::domain::selection::ReservationStatus;
use crate::domain::PageRequest;

mod objections;
pub use objections::{
    file_objection, get_objection, list_objections, resolve_objection, NewObjection, Objection,
    ObjectionFilter,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notices)]
pub struct Notice {
    pub id: i64,
    pub round_id: i64,
    pub title: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub policy_version: Option<i64>,
    pub created_by_official_id: Option<i64>,
    pub created_at_ms: i64,
}

/// One line of a notice, frozen at publication: masked data only.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notice_lines)]
pub struct NoticeLine {
    pub notice_id: i64,
    pub position: i32,
    pub reservation_id: i64,
    pub household_id: i64,
    pub name_masked: String,
    pub id_number_masked: String,
    pub expropriation_project: String,
    pub origin_area_centi_m2: i64,
    pub project_id: i64,
    pub project_name: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub area_centi_m2: i64,
    pub origin_consumed_centi_m2: i64,
    pub selected_by: String,
    pub proxy_name_masked: Option<String>,
    pub proxy_relation: Option<String>,
}

/// How many of a notice's objections are open, upheld, dismissed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ObjectionCounts {
    pub open: i64,
    pub upheld: i64,
    pub dismissed: i64,
}

type Candidate = (
    (i64, i64, Option<i64>, Option<i64>),
    (String, String, String, i64),
    (String, String, String, i64, i64),
    String,
);

/// Publishes the round's confirmed and contracted reservations that are in no earlier notice
/// (a later notice of a round is a supplementary one, 补充公示). None left → `notice_empty`.
pub fn publish(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    round_id: i64,
    title: Option<&str>,
    official_id: i64,
) -> Result<(Notice, Vec<NoticeLine>), DbError> {
    write_tx(conn, |conn| {
        let now = ctx.now_ms;
        // two admins publishing at once: the second waits and finds the lines taken
        crate::db::lock_row(conn, "rounds", round_id)?;
        let round_name: String = rounds::table
            .find(round_id)
            .select(rounds::name)
            .first(conn)
            .optional()?
            .ok_or_else(|| DbError::not_found("round"))?;
        let version = crate::db::policy::in_force(conn, now)?;
        let published: HashSet<i64> = notice_lines::table
            .inner_join(notices::table)
            .filter(notices::round_id.eq(round_id))
            .select(notice_lines::reservation_id)
            .load::<i64>(conn)?
            .into_iter()
            .collect();
        let rows: Vec<Candidate> = reservations::table
            .inner_join(households::table)
            .inner_join(units::table.inner_join(projects::table))
            .filter(reservations::round_id.eq(round_id))
            .filter(
                reservations::status
                    .eq(ReservationStatus::Confirmed)
                    .or(reservations::status.eq(ReservationStatus::Contracted)),
            )
            .select((
                (
                    reservations::id,
                    reservations::household_id,
                    reservations::origin_consumed_centi_m2,
                    reservations::proxy_id,
                ),
                (
                    households::name_masked,
                    households::id_number_masked,
                    households::expropriation_project,
                    households::origin_area_centi_m2,
                ),
                (
                    units::building,
                    units::unit,
                    units::room,
                    units::area_centi_m2,
                    projects::id,
                ),
                projects::name,
            ))
            .load(conn)?;
        let mut rows: Vec<Candidate> = rows
            .into_iter()
            .filter(|r| !published.contains(&r.0 .0))
            .collect();
        if rows.is_empty() {
            return Err(Refusal::new(
                RefusalKind::NoticeEmpty,
                "no confirmed or contracted reservation of this round is left to publish",
            )
            .into());
        }
        let positions: HashMap<i64, i32> = round_members::table
            .filter(round_members::round_id.eq(round_id))
            .select((round_members::household_id, round_members::position))
            .load::<(i64, Option<i32>)>(conn)?
            .into_iter()
            .filter_map(|(h, p)| Some((h, p?)))
            .collect();
        rows.sort_by_key(|r| (positions.get(&r.0 .1).copied().unwrap_or(i32::MAX), r.0 .0));
        let title = title
            .map(str::to_string)
            .unwrap_or_else(|| format!("{round_name} 选房结果公示"));
        let starts = now;
        let ends = crate::domain::notice::ends_at_ms(starts, version.policy.aftercare.notice_days);
        let notice_id: i64 = diesel::insert_into(notices::table)
            .values((
                notices::round_id.eq(round_id),
                notices::title.eq(&title),
                notices::starts_at_ms.eq(starts),
                notices::ends_at_ms.eq(ends),
                notices::policy_version.eq(version.version),
                notices::created_by_official_id.eq(official_id),
                notices::created_at_ms.eq(now),
            ))
            .returning(notices::id)
            .get_result(conn)?;
        let mut lines = Vec::with_capacity(rows.len());
        for (
            i,
            (
                (rid, hid, consumed, proxy),
                (name, idm, exprop, origin),
                (b, u, room, area, pid),
                pname,
            ),
        ) in rows.into_iter().enumerate()
        {
            let proxy: Option<(String, String)> = match proxy {
                Some(p) => proxies::table
                    .find(p)
                    .select((proxies::name_masked, proxies::relation))
                    .first(conn)
                    .optional()?,
                None => None,
            };
            let line = NoticeLine {
                notice_id,
                position: i as i32 + 1,
                reservation_id: rid,
                household_id: hid,
                name_masked: name,
                id_number_masked: idm,
                expropriation_project: exprop,
                origin_area_centi_m2: origin,
                project_id: pid,
                project_name: pname,
                building: b,
                unit: u,
                room,
                area_centi_m2: area,
                origin_consumed_centi_m2: consumed.unwrap_or(0),
                selected_by: if proxy.is_some() { "proxy" } else { "self" }.to_string(),
                proxy_name_masked: proxy.as_ref().map(|p| p.0.clone()),
                proxy_relation: proxy.map(|p| p.1),
            };
            diesel::insert_into(notice_lines::table)
                .values(&line)
                .execute(conn)?;
            lines.push(line);
        }
        let supplementary = !published.is_empty();
        audit::record(
            conn,
            ctx,
            "notice.published",
            "notice",
            Some(notice_id),
            serde_json::json!({ "round_id": round_id, "lines": lines.len(),
                "supplementary": supplementary, "ends_at_ms": ends }),
        )?;
        let notice = get(conn, notice_id)?.ok_or_else(|| DbError::not_found("notice"))?;
        Ok((notice, lines))
    })
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Notice>> {
    notices::table
        .find(id)
        .select(Notice::as_select())
        .first(conn)
        .optional()
}

/// A notice's lines in order, each with whether its reservation was cancelled since.
pub fn lines(conn: &mut AnyConnection, notice_id: i64) -> QueryResult<Vec<(NoticeLine, bool)>> {
    let rows: Vec<(NoticeLine, ReservationStatus)> = notice_lines::table
        .inner_join(reservations::table)
        .filter(notice_lines::notice_id.eq(notice_id))
        .order(notice_lines::position.asc())
        .select((NoticeLine::as_select(), reservations::status))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(l, s)| {
            let live = matches!(
                s,
                ReservationStatus::Confirmed | ReservationStatus::Contracted
            );
            (l, !live)
        })
        .collect())
}

/// One page of notices, newest first, optionally of one round.
pub fn list(
    conn: &mut AnyConnection,
    round_id: Option<i64>,
    page: PageRequest,
) -> QueryResult<(Vec<Notice>, i64)> {
    let query = || {
        let mut q = notices::table.into_boxed();
        if let Some(r) = round_id {
            q = q.filter(notices::round_id.eq(r));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(notices::id.desc())
        .offset(page.offset())
        .limit(page.per_page())
        .select(Notice::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn counts(conn: &mut AnyConnection, notice_id: i64) -> QueryResult<ObjectionCounts> {
    let rows: Vec<String> = objection_rows::table
        .filter(objection_rows::notice_id.eq(notice_id))
        .select(objection_rows::status)
        .load(conn)?;
    let mut c = ObjectionCounts::default();
    for s in rows {
        match s.as_str() {
            "open" => c.open += 1,
            "upheld" => c.upheld += 1,
            _ => c.dismissed += 1,
        }
    }
    Ok(c)
}

/// The notice a reservation was published in, as `(ends_at_ms, open objections)`, for
/// `domain::notice::decide_contract`.
pub fn finality_facts(
    conn: &mut AnyConnection,
    reservation_id: i64,
) -> QueryResult<Option<(i64, i64)>> {
    let found: Option<(i64, i64)> = notice_lines::table
        .inner_join(notices::table)
        .filter(notice_lines::reservation_id.eq(reservation_id))
        .select((notices::id, notices::ends_at_ms))
        .first(conn)
        .optional()?;
    let Some((notice_id, ends)) = found else {
        return Ok(None);
    };
    Ok(Some((ends, counts(conn, notice_id)?.open)))
}
