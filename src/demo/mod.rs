//! `anju demo`: loads a realistic demo marketplace through the code paths the API uses (domain
//! parsing, the upload tables, enrolment, the `db` functions with their audit events and search
//! outbox rows). Deterministic and idempotent: each step looks for what it would create first, so
//! a second run writes nothing and an interrupted run is completed by the next one.

mod aftercare;
pub mod console;
mod data;
mod report;
mod round;
mod tickets;

use std::collections::HashMap;

use anyhow::Context;
use diesel::prelude::*;
use indicatif::ProgressBar;

use crate::crypto::DataCipher;
use crate::db::audit::{Actor, AuditCtx};
use crate::db::schema::{developers, households, projects, units};
use crate::db::{AnyConnection, DbError};
use crate::domain::developer::NewDeveloper;
use crate::domain::household::shanghai;
use crate::domain::project::{NewProject, ProjectInput};
use crate::domain::status::{DeveloperStatus, ProjectStatus};
use crate::upload::UploadFormat;
use report::report;
use round::{ensure_round, ensure_selections};

/// How many households to enrol (each PIN costs an argon2id hash); everything else is fixed.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub households: usize,
}

impl DemoSize {
    pub const FULL: DemoSize = DemoSize { households: 300 };
}

pub const ROUND_NAME: &str = "第一批异地安置选房（演示）";
/// The call-up pointer the demo round is moved to.
pub const CALL_UP_TO: i64 = 40;
/// Round positions of the households that have already chosen a flat today. (Contracts wait for
/// the round's public notice: the demo's contracts are those of its closed round, `aftercare`.)
const CHOSEN_POSITIONS: [i64; 10] = [2, 4, 7, 11, 14, 18, 23, 27, 31, 36];

/// What a household is given once, for the slips file.
#[derive(Debug, Clone)]
pub struct DemoSlip {
    pub name_masked: String,
    pub voucher_no: String,
    pub pin: String,
    pub method: String,
    pub expropriation_project: String,
}

/// What the database holds of the demo after a run.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    pub developers: i64,
    pub projects_by_zone: [i64; 3],
    pub units: i64,
    pub withdrawn_units: i64,
    pub households: i64,
    pub round_id: i64,
    pub round_size: i64,
    pub called_up_to: i32,
    pub confirmed: i64,
    pub contracted: i64,
    /// households enrolled by this run (their PINs went to `write_slips`); 0 on a second run
    pub enrolled_now: usize,
    /// vouchers of called households with nothing chosen yet, in call order: ones to try
    pub vouchers_to_try: Vec<String>,
    /// the demo's housing tickets, by status as of the load (`households` counts their households)
    pub tickets: i64,
    pub tickets_active: i64,
    pub tickets_exhausted: i64,
    pub tickets_expired: i64,
    pub tickets_transferred: i64,
    /// confirmed purchases paid by the demo's tickets
    pub ticket_purchases: i64,
    /// numbers of unused tickets in their first speed tier, newest first: ones to try
    pub tickets_to_try: Vec<String>,
    /// the closed round of the demo's history, its public notices, handovers, rescissions and
    /// move-ins
    pub history_round_id: i64,
    pub notices: i64,
    pub handovers: i64,
    pub rescinded: i64,
    pub moved_in: i64,
}

impl DemoReport {
    pub fn projects(&self) -> i64 {
        self.projects_by_zone.iter().sum()
    }
}

/// `ctx` at another time: the demo's history is written as it happened.
fn audit_at(ctx: &AuditCtx, at_ms: i64) -> AuditCtx {
    AuditCtx {
        now_ms: at_ms,
        ..ctx.clone()
    }
}

fn api(e: DbError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Loads whatever part of the demo is missing. `write_slips(slips, append)` receives the new
/// households' vouchers and PINs before they are stored (so a failed write stores nothing);
/// `append` is false when no demo household existed before, i.e. older slips are stale.
pub fn load(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    now_ms: i64,
    size: DemoSize,
    bar: &ProgressBar,
    write_slips: &mut dyn FnMut(&[DemoSlip], bool) -> anyhow::Result<()>,
) -> anyhow::Result<DemoReport> {
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: None,
        now_ms,
    };
    let demo_developers = data::developers();
    let demo_projects = data::projects();
    bar.set_length(
        (demo_developers.len()
            + demo_projects.len()
            + size.households
            + CHOSEN_POSITIONS.len()
            + data::TICKETS
            + tickets::planned_spends(data::TICKETS)) as u64,
    );
    bar.set_message("developers");
    let mut developer_ids = Vec::new();
    for d in &demo_developers {
        developer_ids.push(ensure_developer(conn, cipher, &ctx, d)?);
        bar.inc(1);
    }
    bar.set_message("projects and units");
    for p in &demo_projects {
        ensure_project(conn, &ctx, developer_ids[p.developer], p)?;
        bar.inc(1);
    }
    bar.set_message("households: vouchers and PINs");
    let (household_ids, enrolled_now) =
        ensure_households(conn, cipher, &ctx, size, bar, write_slips)?;
    bar.set_message("selection round");
    let round = ensure_round(conn, &ctx, &household_ids)?;
    bar.set_message("selections");
    ensure_selections(conn, &ctx, &round, &developer_ids, bar)?;
    bar.set_message("housing tickets");
    let append = !household_ids.is_empty();
    let (demo_tickets, tickets_now) =
        tickets::ensure_tickets(conn, cipher, &ctx, bar, write_slips, append)?;
    bar.set_message("housing tickets: purchases");
    tickets::ensure_spends(conn, &ctx, &demo_tickets, &developer_ids, bar)?;
    bar.set_message("history: a closed round, its notice and handovers");
    let history = aftercare::ensure_history(conn, cipher, &ctx, &developer_ids)?;
    let mut everyone = household_ids.clone();
    everyone.extend(&history.household_ids);
    let mut report = report(conn, &developer_ids, &everyone, round.id)?;
    // the history's households chose long ago: they are counted in the selections, not given slips
    report.households = household_ids.len() as i64;
    report::history(conn, &mut report, history.round_id)?;
    report::tickets(conn, &mut report, &demo_tickets, ctx.now_ms)?;
    report.enrolled_now = enrolled_now + tickets_now;
    Ok(report)
}

fn ensure_developer(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    ctx: &AuditCtx,
    d: &data::DemoDeveloper,
) -> anyhow::Result<i64> {
    let existing: Option<(i64, DeveloperStatus)> = developers::table
        .filter(developers::credit_code.eq(&d.credit_code))
        .select((developers::id, developers::status))
        .first(conn)
        .optional()?;
    let (id, status) = match existing {
        Some(found) => found,
        None => {
            let new =
                NewDeveloper::parse(d.name, &d.credit_code, &d.contact_name, &d.contact_phone)
                    .map_err(|e| anyhow::anyhow!("demo developer {}: {e:?}", d.name))?;
            let row = crate::db::developers::NewDeveloperRow::pending(&new, cipher, ctx.now_ms);
            let dev = crate::db::developers::create(conn, ctx, row).map_err(api)?;
            (dev.id, dev.status)
        }
    };
    if d.approve && status == DeveloperStatus::Pending {
        crate::db::developers::set_status(conn, ctx, id, DeveloperStatus::Approved, None)
            .map_err(api)?;
    }
    Ok(id)
}

/// Creates the project, uploads its unit table while it is pending (as a developer would), then
/// approves it, which puts its units into search.
fn ensure_project(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    p: &data::DemoProject,
) -> anyhow::Result<()> {
    let existing: Option<(i64, ProjectStatus)> = projects::table
        .filter(projects::developer_id.eq(developer_id))
        .filter(projects::name.eq(&p.name))
        .select((projects::id, projects::status))
        .first(conn)
        .optional()?;
    let (id, status) = match existing {
        Some(found) => found,
        None => {
            let new = NewProject::parse(ProjectInput {
                name: &p.name,
                district: p.district,
                zone_class: p.zone_class,
                address: &p.address,
                lat: Some(p.lat),
                lng: Some(p.lng),
                presale_permit_no: &p.presale_permit_no,
                delivery: p.delivery,
                delivery_date: p.delivery_date,
                amenities: &p.amenities,
                description: &p.description,
            })
            .map_err(|e| anyhow::anyhow!("demo project {}: {e:?}", p.name))?;
            let (project, _) =
                crate::db::projects::create(conn, ctx, developer_id, &new).map_err(api)?;
            (project.id, project.status)
        }
    };
    let stored: i64 = units::table
        .filter(units::project_id.eq(id))
        .count()
        .get_result(conn)?;
    if stored == 0 {
        let table = crate::upload::units::check_units(&p.units_csv, UploadFormat::Csv, 100_000)
            .map_err(|e| anyhow::anyhow!("demo units of {}: {e:?}", p.name))?;
        let mode = crate::upload::units::ImportMode::Upsert;
        crate::db::units::import(conn, ctx, id, mode, &table).map_err(api)?;
    }
    if p.approve && status == ProjectStatus::Pending {
        crate::db::projects::set_status(conn, ctx, id, ProjectStatus::Approved, None)
            .map_err(api)?;
    }
    Ok(())
}

/// Enrols the demo households not yet registered (found by the keyed hash of their ID number);
/// returns the ids of all of them and how many were enrolled now.
fn ensure_households(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    ctx: &AuditCtx,
    size: DemoSize,
    bar: &ProgressBar,
    write_slips: &mut dyn FnMut(&[DemoSlip], bool) -> anyhow::Result<()>,
) -> anyhow::Result<(Vec<i64>, usize)> {
    let today = chrono::DateTime::from_timestamp_millis(ctx.now_ms)
        .context("clock out of range")?
        .with_timezone(&shanghai())
        .date_naive();
    let table = data::households_csv(size.households, today);
    let rows =
        crate::upload::households::parse_households(&table, UploadFormat::Csv, 100_000, today)
            .map_err(|e| anyhow::anyhow!("demo households: {e:?}"))?;
    let hashes: Vec<String> = rows
        .iter()
        .map(|r| cipher.lookup_hash("id_number", r.household.id_number.as_str()))
        .collect();
    let mut known: HashMap<String, i64> = HashMap::new();
    for chunk in hashes.chunks(500) {
        let found: Vec<(String, i64)> = households::table
            .filter(households::id_number_hmac.eq_any(chunk))
            .select((households::id_number_hmac, households::id))
            .load(conn)?;
        known.extend(found);
    }
    let missing: Vec<_> = rows
        .iter()
        .zip(&hashes)
        .filter(|(_, h)| !known.contains_key(*h))
        .map(|(r, _)| r.clone())
        .collect();
    let base = bar.position();
    bar.set_position(base + (rows.len() - missing.len()) as u64);
    if !missing.is_empty() {
        let done = bar.position();
        let (sealed, slips) = crate::enrolment::seal(
            &missing,
            cipher,
            ctx.now_ms,
            crate::enrolment::all_cores(),
            &|n| bar.set_position(done + n),
        );
        let demo_slips: Vec<DemoSlip> = missing
            .iter()
            .zip(&slips)
            .map(|(r, s)| DemoSlip {
                name_masked: s.name_masked.clone(),
                voucher_no: s.voucher_no.clone(),
                pin: s.pin.clone(),
                method: r.household.method.as_str().to_string(),
                expropriation_project: r.household.expropriation_project.clone(),
            })
            .collect();
        write_slips(&demo_slips, !known.is_empty())?;
        let numbers: Vec<_> = missing
            .iter()
            .map(|r| (r.row, r.household.id_number.clone()))
            .collect();
        let keys = crate::enrolment::id_keys(&numbers, cipher);
        let ids = crate::db::households::import(conn, ctx, &keys, &[], &sealed).map_err(api)?;
        for ((_, h), id) in sealed.iter().zip(ids) {
            known.insert(h.id_number_hmac.clone(), id);
        }
    }
    Ok((hashes.iter().map(|h| known[h]).collect(), missing.len()))
}
