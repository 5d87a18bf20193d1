//! The demo's past (`data::history`): a round called 230 days ago and closed, played through the
//! `db` functions at the times it happened — call-ups, selections (one household late, one
//! never), a public notice with an objection upheld and one dismissed,
//! contracts, handovers within and beyond ±3 % (one rescinded) and move-ins. All of it is one
//! transaction: a run finds the round and stops, or writes the whole history.

use std::collections::HashMap;

use anyhow::Context;
use diesel::prelude::*;

use super::data::{self, AfterHandover};
use super::{api, audit_at};
use crate::crypto::DataCipher;
use crate::db::aftercare::notices::{self as notice_store, NewObjection};
use crate::db::audit::AuditCtx;
use crate::db::schema::{officials, projects, reservations, rounds, units};
use crate::db::{rounds as round_store, selection, write_tx, AnyConnection, DbError};
use crate::domain::mask::{mask_name, mask_phone};
use crate::domain::notice::Outcome;
use crate::domain::policy::Zone;
use crate::domain::selection::{Ordering, RoundStatus};
use crate::domain::status::ProjectStatus;
use crate::domain::ticket::DAY_MS;
use crate::upload::UploadFormat;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

/// What the history left, for the report.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub round_id: i64,
    pub household_ids: Vec<i64>,
}

/// 09:00 Beijing time, `days` days before `now_ms`.
fn morning(now_ms: i64, days: i64) -> i64 {
    let local = crate::domain::periods::local_day(now_ms - days * DAY_MS);
    let date = chrono::NaiveDate::from_ymd_opt(
        local / 10_000,
        (local / 100 % 100) as u32,
        (local % 100) as u32,
    )
    .expect("a local day");
    let at = date
        .and_hms_opt(1, 0, 0)
        .expect("09:00 +08:00 is 01:00 UTC");
    at.and_utc().timestamp_millis()
}

/// Loads the history unless its round exists; returns its round and households either way.
pub(super) fn ensure_history(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    ctx: &AuditCtx,
    developer_ids: &[i64],
) -> anyhow::Result<History> {
    let existing: Option<i64> = rounds::table
        .filter(rounds::name.eq(data::HISTORY_ROUND_NAME))
        .select(rounds::id)
        .first(conn)
        .optional()?;
    if let Some(round_id) = existing {
        return Ok(History {
            round_id,
            household_ids: round_store::order(conn, round_id)?,
        });
    }
    let t0 = morning(ctx.now_ms, data::ROUND_DAYS_AGO);
    let today = chrono::DateTime::from_timestamp_millis(ctx.now_ms)
        .context("clock out of range")?
        .with_timezone(&crate::domain::household::shanghai())
        .date_naive();
    let table = data::history_households_csv(today);
    let rows =
        crate::upload::households::parse_households(&table, UploadFormat::Csv, 100_000, today)
            .map_err(|e| anyhow::anyhow!("demo history households: {e:?}"))?;
    let (sealed, _slips) = crate::enrolment::seal(&rows, cipher, t0, 1, &|_| {});
    let numbers: Vec<_> = rows
        .iter()
        .map(|r| (r.row, r.household.id_number.clone()))
        .collect();
    let keys = crate::enrolment::id_keys(&numbers, cipher);
    let official: i64 = officials::table
        .filter(officials::is_bootstrap.eq(true))
        .select(officials::id)
        .first(conn)?;
    let history = write_tx(conn, |c| {
        let at = |ms| audit_at(ctx, ms);
        let ids = crate::db::households::import(c, &at(t0 - 2 * DAY_MS), &keys, &[], &sealed)?;
        let round = round_store::create(
            c,
            &at(t0 - DAY_MS),
            official,
            data::HISTORY_ROUND_NAME,
            Ordering::SigningTime,
            None,
            &round_store::Members::Households(ids.clone()),
        )?;
        round_store::set_status(c, &at(t0 - DAY_MS), round.id, RoundStatus::Open)?;
        let order = round_store::order(c, round.id)?;
        let half = (order.len() / 2) as i64;
        round_store::call(c, &at(t0), round.id, half)?;
        round_store::call(c, &at(t0 + HOUR_MS), round.id, order.len() as i64)?;
        let chosen = choose(c, ctx, t0, half, &order, developer_ids)?;
        round_store::set_status(c, &at(t0 + DAY_MS), round.id, RoundStatus::Closed)?;
        let (notice, lines) =
            notice_store::publish(c, &at(t0 + 2 * DAY_MS), round.id, None, official)?;
        let contact = |name: &str, phone: &str| {
            Some((
                cipher.encrypt(name),
                mask_name(name),
                cipher.encrypt(phone),
                mask_phone(phone),
            ))
        };
        let upheld = notice_store::file_objection(
            c,
            &at(t0 + 3 * DAY_MS),
            notice.id,
            &NewObjection {
                line: Some(data::UPHELD_LINE as i32),
                text: "该户已于上月另行签订货币补偿协议，不应再参加本批选房。".into(),
                contact: contact("周建华", "13871234567"),
                household_id: None,
                proxy_id: None,
            },
        )?;
        let dismissed = notice_store::file_objection(
            c,
            &at(t0 + 4 * DAY_MS),
            notice.id,
            &NewObjection {
                line: Some(data::DISMISSED_LINE as i32),
                text: "该户选房顺序靠前，是否按签约时间排序？".into(),
                contact: contact("李桂芳", "13907151234"),
                household_id: None,
                proxy_id: None,
            },
        )?;
        let (resolve_at, response_up, response_down) = (
            at(t0 + 8 * DAY_MS),
            "经核查，该户已领取货币补偿，选房结果撤销，房源退回。",
            "经核查，选房顺序按签约时间排列，符合本批方案。",
        );
        notice_store::resolve_objection(
            c,
            &resolve_at,
            upheld.id,
            Outcome::Upheld,
            response_up,
            true,
            official,
        )?;
        notice_store::resolve_objection(
            c,
            &resolve_at,
            dismissed.id,
            Outcome::Dismissed,
            response_down,
            false,
            official,
        )?;
        let contract_at = at(t0 + 12 * DAY_MS);
        let mut contracted = HashMap::new();
        for line in &lines {
            let Some(&(position, unit_id)) = chosen.get(&line.reservation_id) else {
                continue;
            };
            let status: String = reservations::table
                .find(line.reservation_id)
                .select(reservations::status)
                .first(c)?;
            if status != "confirmed" {
                continue;
            }
            let unit = selection::unit_info(c, unit_id)?.expect("a chosen unit");
            let no = format!("武房网签〔2026〕{:06}号", 500 + line.reservation_id);
            selection::contract(c, &contract_at, unit.developer_id, line.reservation_id, &no)?;
            contracted.insert(position, (line.reservation_id, unit.developer_id));
        }
        hand_over(c, ctx, &contracted)?;
        Ok::<_, DbError>(History {
            round_id: round.id,
            household_ids: ids,
        })
    })
    .map_err(api)?;
    Ok(history)
}

/// Each called household chooses ten minutes after its call-up, in its own zone or one further
/// out, the area nearest its entitlement; [`data::CAME_LATE`] three hours later (过号, then
/// selected), [`data::NEVER_CAME`] never. Returns the
/// reservations by id with their position and unit.
fn choose(
    c: &mut AnyConnection,
    ctx: &AuditCtx,
    t0: i64,
    half: i64,
    order: &[i64],
    developer_ids: &[i64],
) -> Result<HashMap<i64, (i64, i64)>, DbError> {
    let mut candidates: Vec<(i64, i32, i64)> = units::table
        .inner_join(projects::table)
        .filter(projects::developer_id.eq_any(developer_ids))
        .filter(projects::status.eq(ProjectStatus::Approved.as_str()))
        .filter(units::status.eq("available"))
        .select((units::id, projects::zone_class, units::area_centi_m2))
        .order(units::id.desc())
        .load(c)?;
    let policy = crate::db::policy::in_force(c, t0)?.policy;
    let mut chosen = HashMap::new();
    for (k, &household_id) in order.iter().enumerate() {
        let position = k as i64 + 1;
        if position == data::NEVER_CAME {
            continue;
        }
        let called_at = if position <= half { t0 } else { t0 + HOUR_MS };
        let hold_at = called_at
            + if position == data::CAME_LATE {
                3 * HOUR_MS
            } else {
                10 * MINUTE_MS
            };
        let h = crate::db::households::get(c, household_id)?
            .ok_or_else(|| DbError::not_found("household"))?;
        let from = Zone::new(i64::from(h.origin_zone)).expect("a stored zone");
        let to = Zone::new((i64::from(h.origin_zone) + (position % 2)).min(3)).expect("1..=3");
        let entitled = h.remaining_origin_area_centi_m2 * policy.ratio(from, to) / 10_000;
        let Some(best) = candidates
            .iter()
            .enumerate()
            .filter(|(_, (_, zone, _))| i64::from(*zone) == to.get())
            .min_by_key(|(_, (_, _, area))| (area - entitled).abs())
            .map(|(i, _)| i)
        else {
            continue;
        };
        let (unit_id, _, _) = candidates.remove(best);
        let payer = selection::Payer {
            household_id,
            ticket_id: None,
            session_id: None,
            at_sales_office: false,
            proxy_id: None,
        };
        let (hold, _, _) = selection::place_hold(c, &audit_at(ctx, hold_at), payer, unit_id)?;
        let r = selection::confirm(
            c,
            &audit_at(ctx, hold_at + 4 * MINUTE_MS),
            household_id,
            hold.id,
        )?;
        chosen.insert(r.id, (position, unit_id));
    }
    Ok(chosen)
}

/// The handovers of [`data::handovers`] and what followed them, each at 09:00 of its day.
/// `contracted`: by round position, the reservation and its developer.
fn hand_over(
    c: &mut AnyConnection,
    ctx: &AuditCtx,
    contracted: &HashMap<i64, (i64, i64)>,
) -> Result<(), DbError> {
    use crate::db::aftercare::handover::{self as store, Filer, HandoverInput};
    for plan in data::handovers() {
        let Some(&(reservation_id, developer_id)) = contracted.get(&plan.position) else {
            continue;
        };
        let r =
            selection::get(c, reservation_id)?.ok_or_else(|| DbError::not_found("reservation"))?;
        let unit = selection::unit_info(c, r.unit_id)?.ok_or_else(|| DbError::not_found("unit"))?;
        let at = morning(ctx.now_ms, plan.days_ago);
        let day = crate::domain::periods::local_day(at);
        let input = HandoverInput {
            measured_centi_m2: unit.area_centi_m2 * plan.measured_permille / 1_000,
            survey_report_no: format!("鄂测房〔2026〕{:04}号", 100 + plan.position),
            handover_day: day,
        };
        let filer = Filer::Developer(developer_id);
        store::file(c, &audit_at(ctx, at), filer, reservation_id, &input, None)?;
        match plan.then {
            AfterHandover::MovedIn(days) => {
                let when = at + days * DAY_MS;
                let moved = crate::domain::periods::local_day(when);
                store::move_in(
                    c,
                    &audit_at(ctx, when),
                    Some(developer_id),
                    reservation_id,
                    moved,
                )?;
            }
            AfterHandover::Rescinded(days) => {
                let reason = "实测面积比合同约定面积小超过3%，户主书面申请退房";
                store::rescind(
                    c,
                    &audit_at(ctx, at + days * DAY_MS),
                    None,
                    reservation_id,
                    reason,
                )?;
            }
            AfterHandover::Nothing => {}
        }
    }
    Ok(())
}
