//! The demo's housing tickets (房票) in the database, through the API's code paths: the ticket
//! households read by the ticket import's checks, enrolled, and each given a ticket issued on its
//! plan's day (an audit context set back to that time), one of them transferred; then the
//! purchases the plans say, held and confirmed at a sales office on their days. Idempotent like
//! the rest of the demo: households are found by their ID number, purchases counted per ticket.

use std::collections::HashMap;

use anyhow::Context;
use diesel::prelude::*;
use indicatif::ProgressBar;

use super::data::{self, TicketPlan};
use super::{api, audit_at, DemoSlip};
use crate::crypto::DataCipher;
use crate::db::audit::AuditCtx;
use crate::db::schema::{households, projects, reservations, tickets, units};
use crate::db::tickets::{self as store, NewHolder, TicketSeal};
use crate::db::{selection, write_tx, AnyConnection, DbError};
use crate::domain::household::{generate_pin, generate_voucher, shanghai, IdNumber};
use crate::domain::policy::Zone;
use crate::domain::selection::ReservationStatus;
use crate::domain::status::ProjectStatus;
use crate::domain::ticket::DAY_MS;
use crate::domain::usage::Usage;
use crate::upload::UploadFormat;

const MINUTE_MS: i64 = 60_000;
const TRANSFER_REASON: &str = "原持有人申请转让给亲属（演示数据）";

/// A demo ticket as stored, with the plan it follows.
pub(super) struct DemoTicket {
    pub household_id: i64,
    pub ticket_id: i64,
    pub issued_at_ms: i64,
    pub plan: TicketPlan,
}

/// The ticket households and their tickets; returns them with how many were enrolled now (each
/// with a slip handed to `write_slips` before anything is stored).
pub(super) fn ensure_tickets(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    ctx: &AuditCtx,
    bar: &ProgressBar,
    write_slips: &mut dyn FnMut(&[DemoSlip], bool) -> anyhow::Result<()>,
    append: bool,
) -> anyhow::Result<(Vec<DemoTicket>, usize)> {
    let today = chrono::DateTime::from_timestamp_millis(ctx.now_ms)
        .context("clock out of range")?
        .with_timezone(&shanghai())
        .date_naive();
    let csv = data::ticket_households_csv(today);
    let table =
        crate::upload::tickets::check_ticket_households(&csv, UploadFormat::Csv, 100_000, today)
            .map_err(|e| anyhow::anyhow!("demo ticket households: {e:?}"))?;
    anyhow::ensure!(
        table.households.errors.is_empty(),
        "demo ticket households: {:?}",
        table.households.errors
    );
    let rows = table.households.households;
    let plans = data::ticket_plans();
    anyhow::ensure!(rows.len() == plans.len(), "one ticket plan per household");
    let hashes: Vec<String> = rows
        .iter()
        .map(|r| cipher.lookup_hash("id_number", r.household.id_number.as_str()))
        .collect();
    let mut known: HashMap<String, i64> = households::table
        .filter(households::id_number_hmac.eq_any(&hashes))
        .select((households::id_number_hmac, households::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let missing: Vec<usize> = (0..rows.len())
        .filter(|i| !known.contains_key(&hashes[*i]))
        .collect();
    bar.inc((rows.len() - missing.len()) as u64);
    if !missing.is_empty() {
        // earlier slips are stale only when no demo household at all was there before
        let append = append || missing.len() < rows.len();
        let ids = enrol(
            conn,
            cipher,
            ctx,
            bar,
            write_slips,
            append,
            &rows,
            &plans,
            &missing,
        )?;
        for (i, id) in missing.iter().zip(ids) {
            known.insert(hashes[*i].clone(), id);
        }
    }
    let household_ids: Vec<i64> = hashes.iter().map(|h| known[h]).collect();
    let stored: HashMap<i64, (i64, i64)> = tickets::table
        .filter(tickets::household_id.eq_any(&household_ids))
        .select((tickets::household_id, (tickets::id, tickets::issued_at_ms)))
        .load::<(i64, (i64, i64))>(conn)?
        .into_iter()
        .collect();
    let demo = household_ids
        .iter()
        .zip(plans)
        .map(|(hid, plan)| {
            let (ticket_id, issued_at_ms) = *stored
                .get(hid)
                .with_context(|| format!("demo household {hid} has no ticket"))?;
            Ok(DemoTicket {
                household_id: *hid,
                ticket_id,
                issued_at_ms,
                plan,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((demo, missing.len()))
}

/// Enrols the households `missing` (indices into `rows`) and issues their tickets, all in one
/// transaction with the planned transfer; returns the new household ids in the same order.
#[allow(clippy::too_many_arguments)]
fn enrol(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    ctx: &AuditCtx,
    bar: &ProgressBar,
    write_slips: &mut dyn FnMut(&[DemoSlip], bool) -> anyhow::Result<()>,
    append: bool,
    rows: &[crate::upload::households::ParsedHousehold],
    plans: &[TicketPlan],
    missing: &[usize],
) -> anyhow::Result<Vec<i64>> {
    let new_rows: Vec<_> = missing.iter().map(|i| rows[*i].clone()).collect();
    let done = bar.position();
    // the PIN hashed for the household is its ticket's (as the ticket import does): its own
    // voucher never opens the kiosk once it is settled by ticket
    let (sealed, slips) = crate::enrolment::seal(
        &new_rows,
        cipher,
        ctx.now_ms,
        crate::enrolment::all_cores(),
        &|n| bar.set_position(done + n),
    );
    let mut rng = rand::rngs::OsRng;
    let seals: Vec<TicketSeal> = sealed
        .iter()
        .map(|(_, h)| TicketSeal {
            ticket_no: generate_voucher(&mut rng),
            pin_hash: h.pin_hash.clone(),
        })
        .collect();
    // the transferee's new number and PIN, made before anything is stored like the others
    let transfer = match missing
        .iter()
        .position(|i| plans[*i].transfer_after_days.is_some())
    {
        Some(k) => Some((k, new_holder(cipher, today_of(ctx)?)?)),
        None => None,
    };
    let demo_slips: Vec<DemoSlip> = missing
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let mut slip = DemoSlip {
                name_masked: slips[k].name_masked.clone(),
                voucher_no: seals[k].ticket_no.clone(),
                pin: slips[k].pin.clone(),
                method: "ticket".to_string(),
                expropriation_project: rows[*i].household.expropriation_project.clone(),
            };
            if let Some((t, (holder, pin))) = &transfer {
                if *t == k {
                    slip.name_masked = holder.name_masked.clone();
                    slip.voucher_no = holder.seal.ticket_no.clone();
                    slip.pin = pin.clone();
                }
            }
            slip
        })
        .collect();
    write_slips(&demo_slips, append)?;
    let numbers: Vec<_> = new_rows
        .iter()
        .map(|r| (r.row, r.household.id_number.clone()))
        .collect();
    let keys = crate::enrolment::id_keys(&numbers, cipher);
    let ids = write_tx(conn, |c| {
        let ids = crate::db::households::import(c, ctx, &keys, &[], &sealed)?;
        for (k, (i, id)) in missing.iter().zip(&ids).enumerate() {
            let plan = &plans[*i];
            let issued_at = ctx.now_ms - plan.days_ago * DAY_MS - plan.minutes_earlier * MINUTE_MS;
            let face = plan.face_value_yuan;
            let ticket = store::issue(c, &audit_at(ctx, issued_at), *id, face, &seals[k])?;
            if let (Some((t, (holder, _))), Some(after)) = (&transfer, plan.transfer_after_days) {
                if *t == k {
                    let at = audit_at(ctx, issued_at + after * DAY_MS + 150 * MINUTE_MS);
                    store::transfer(c, &at, ticket.id, holder, TRANSFER_REASON)?;
                }
            }
        }
        Ok::<_, DbError>(ids)
    })
    .map_err(api)?;
    Ok(ids)
}

fn today_of(ctx: &AuditCtx) -> anyhow::Result<chrono::NaiveDate> {
    Ok(chrono::DateTime::from_timestamp_millis(ctx.now_ms)
        .context("clock out of range")?
        .with_timezone(&shanghai())
        .date_naive())
}

/// The transferee of the demo's transferred ticket, sealed as the transfer route does, and the
/// new PIN.
fn new_holder(
    cipher: &DataCipher,
    today: chrono::NaiveDate,
) -> anyhow::Result<(NewHolder, String)> {
    let (name, id_number, phone) = data::transferee();
    let id_number =
        IdNumber::parse(&id_number, today).map_err(|e| anyhow::anyhow!("demo transferee: {e}"))?;
    let mut rng = rand::rngs::OsRng;
    let pin = generate_pin(&mut rng);
    let seal = TicketSeal {
        ticket_no: generate_voucher(&mut rng),
        pin_hash: crate::crypto::hash_pin(&pin),
    };
    let holder = NewHolder::seal(cipher, &name, &id_number, &phone, seal);
    Ok((holder, pin))
}

/// How many purchases each plan has.
pub(super) fn planned_spends(tickets: usize) -> usize {
    data::ticket_plans()
        .iter()
        .take(tickets)
        .map(|p| p.spends.len())
        .sum()
}

/// The purchases of the plans not made yet: each a hold at a sales office and its confirmation
/// on the planned day, on the available unit whose ticket quote comes nearest the plan.
pub(super) fn ensure_spends(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    demo: &[DemoTicket],
    developer_ids: &[i64],
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let ids: Vec<i64> = demo.iter().map(|t| t.ticket_id).collect();
    let made: Vec<Option<i64>> = reservations::table
        .filter(reservations::ticket_id.eq_any(&ids))
        .filter(
            reservations::status
                .eq(ReservationStatus::Confirmed)
                .or(reservations::status.eq(ReservationStatus::Contracted)),
        )
        .select(reservations::ticket_id)
        .load(conn)?;
    let mut made_by: HashMap<i64, usize> = HashMap::new();
    for id in made.into_iter().flatten() {
        *made_by.entry(id).or_default() += 1;
    }
    let mut candidates: Option<Vec<(i64, i32, i64, String)>> = None;
    for t in demo {
        let done = made_by.get(&t.ticket_id).copied().unwrap_or(0);
        bar.inc(done.min(t.plan.spends.len()) as u64);
        for spend in t.plan.spends.iter().skip(done) {
            let at = t.issued_at_ms + spend.after_days * DAY_MS + 120 * MINUTE_MS;
            if at >= ctx.now_ms {
                continue;
            }
            let list = match &mut candidates {
                Some(list) => list,
                None => candidates.insert(available_units(conn, developer_ids)?),
            };
            let ticket = store::get(conn, t.ticket_id)?.context("demo ticket vanished")?;
            let policy = crate::db::policy::in_force(conn, at).map_err(api)?.policy;
            let Some(k) = choose_unit(list, &policy.ticket, &ticket, at, spend.share_pct) else {
                continue;
            };
            let (unit_id, ..) = list.remove(k);
            let reservation = write_tx(conn, |c| {
                let payer = selection::Payer {
                    household_id: t.household_id,
                    ticket_id: Some(t.ticket_id),
                    session_id: None,
                    at_sales_office: true,
                    proxy_id: None,
                };
                let (hold, _, _) = selection::place_hold(c, &audit_at(ctx, at), payer, unit_id)?;
                let confirm_at = audit_at(ctx, at + 4 * MINUTE_MS);
                selection::confirm(c, &confirm_at, t.household_id, hold.id)
            })
            .map_err(api)?;
            tracing::debug!(
                reservation = reservation.id,
                ticket = t.ticket_id,
                "demo ticket purchase"
            );
            bar.inc(1);
        }
    }
    Ok(())
}

/// Available units of the demo's approved projects: id, zone class, total price, usage.
fn available_units(
    conn: &mut AnyConnection,
    developer_ids: &[i64],
) -> anyhow::Result<Vec<(i64, i32, i64, String)>> {
    Ok(units::table
        .inner_join(projects::table)
        .filter(projects::developer_id.eq_any(developer_ids))
        .filter(projects::status.eq(ProjectStatus::Approved.as_str()))
        .filter(units::status.eq("available"))
        .select((
            units::id,
            projects::zone_class,
            units::total_price_yuan,
            units::usage,
        ))
        .order(units::id.asc())
        .load(conn)?)
}

/// The unit of `list` whose quote at `at` comes nearest `share_pct` of the balance without
/// using it up, or (over 100) the one that uses it up with the smallest top-up.
fn choose_unit(
    list: &[(i64, i32, i64, String)],
    policy: &crate::domain::ticket::TicketPolicy,
    ticket: &store::Ticket,
    at: i64,
    share_pct: i64,
) -> Option<usize> {
    let balance = ticket.balance_yuan;
    let aim = balance * share_pct.min(100) / 100;
    list.iter()
        .enumerate()
        .filter_map(|(k, (_, zone, total, usage))| {
            let usage = Usage::parse(usage).ok()?;
            if !policy.usages_allowed.contains(&usage) {
                return None;
            }
            let zone = Zone::new(i64::from(*zone))?;
            let q = policy
                .quote_at(ticket.issued_at_ms, balance, at, zone, *total)
                .ok()?;
            let score = if share_pct > 100 {
                (q.top_up_yuan > 0).then_some(q.top_up_yuan)?
            } else {
                (q.top_up_yuan == 0 && q.balance_after_yuan > 0)
                    .then_some((q.debit_yuan - aim).abs())?
            };
            Some((score, k))
        })
        .min()
        .map(|(_, k)| k)
}
