//! Selection benchmark: the kiosk selection path over real HTTP, from outside, against the real
//! release binary (`target/release/anju serve` as child processes, in a temp dir), on SQLite and,
//! when `ANJU_BENCH_POSTGRES_URL` is set, on a scratch PostgreSQL database as well.
//!
//! Run: `cargo bench --bench selection`
//! (`ANJU_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench selection`
//! for both backends). Environment:
//! `ANJU_BENCH_SCENARIOS` comma list of 1–5 or closed,paced,upload,bell,two (default all);
//! `ANJU_BENCH_HOUSEHOLDS` households per scenario (1 000); `ANJU_BENCH_UNITS` seeded units
//! (10 000); `ANJU_BENCH_UPLOAD_ROWS` scenario 3's upload (100 000); `ANJU_BENCH_SECS` longest
//! paced run in seconds (10; at 250/s a run also ends when its households are used up).
//!
//! Scenarios: 1 closed loop (50 kiosks, hold + confirm); 2 paced 250 holds/s + 50 refused/s,
//! latencies from the scheduled start; 3 the same during a 100 000-unit upload; 4 the opening
//! bell (2 000 households, 200 flats, ≤ 200 connections); 5 two instances on one PostgreSQL
//! database with a search visibility probe (PostgreSQL only). After each: invariants by SQL.
//!
//! What the API taught while writing this (surprises first):
//! - A household with area left may hold again after a confirmation (`max_active_holds` = 1
//!   counts live holds only; docs/domain.md: "may confirm several units while R > 0"). The
//!   driver still gives each household exactly one hold + confirm, on a unit of its own.
//! - 250 confirmed/s for 10 s needs 2 500 households, but each scenario has 1 000: a paced run
//!   lasts min(ANJU_BENCH_SECS, households / 250/s) = 4 s by default. Set
//!   ANJU_BENCH_HOUSEHOLDS=2500 for 10 s (each household costs a log-in, below).
//! - Log-ins are the expensive part of seeding: one argon2id check each on a hash pool of
//!   cores − 1 threads (`ANJU_HASH_THREADS`; one thread on a 2-core machine), so about 50/s
//!   however many kiosks ask; the household import hashes the PINs on every core instead.
//! - `GET /listings/{unit_id}` reads the database, not the index: it cannot show how far the
//!   search index lags. The visibility probe polls `GET /listings?project_id=` (the index) on
//!   a small project of its own.
//! - Refusals are decided from reads before the write queue (`precheck_hold`), so a hold of a
//!   reserved unit is cheap; but an `Idempotency-Key` that once answered 201 replays that 201
//!   for the same body, so a kiosk retrying the same unit with the same key would not be
//!   refused: every request here gets a fresh key, as the kiosk page does.
//! - The confirm route takes no body; the idempotency hash covers method, path and body.
//! - Vouchers expire `voucher_validity_days` (365) after *signing*: households signed on a
//!   fixed date (the tests use 2026-03-01 under a manual clock) would be refused with
//!   `voucher_expired` against the real clock a year later, so signing times here are recent.
//! - `POST /rounds/{id}/call {up_to}` refuses more than the round's size (422) and never moves
//!   back; a household may be in several open rounds, so each scenario has a round of its own.
//! - Two instances share nothing but the database: the second's index starts empty and
//!   catches up from the listing-change outbox (`anju_index_applied_seq` in `/metrics`). Its
//!   `/healthz` answers 200 with `"index":"ok"` at once, while that catch-up is still running
//!   (56.6 s for the ~110 000 units here, measured 2026-12-04): a load balancer would send
//!   searches to an index that is a minute behind. Scenario 5 therefore waits for the metric.

mod api;
mod bell;
mod check;
mod drive;
mod report;
mod scenarios;
mod seed;
mod server;
mod stages;
mod two;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use report::Row;
use server::{ScratchDb, Server};

pub struct Knobs {
    scenarios: Vec<u8>,
    households: usize,
    units: usize,
    upload_rows: usize,
    secs: f64,
}

fn env_num(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.trim().replace(['_', ' '], "").parse().ok())
        .unwrap_or(default)
}

fn knobs() -> anyhow::Result<Knobs> {
    let list = std::env::var("ANJU_BENCH_SCENARIOS").unwrap_or_else(|_| "1,2,3,4,5".into());
    let mut scenarios = Vec::new();
    for s in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        scenarios.push(match s {
            "1" | "closed" => 1,
            "2" | "paced" => 2,
            "3" | "upload" => 3,
            "4" | "bell" => 4,
            "5" | "two" => 5,
            other => anyhow::bail!("ANJU_BENCH_SCENARIOS: unknown scenario {other:?}"),
        });
    }
    Ok(Knobs {
        scenarios,
        households: env_num("ANJU_BENCH_HOUSEHOLDS", 1_000),
        units: env_num("ANJU_BENCH_UNITS", 10_000),
        upload_rows: env_num("ANJU_BENCH_UPLOAD_ROWS", 100_000),
        secs: std::env::var("ANJU_BENCH_SECS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(10.0),
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            println!("\nFAILED: an invariant was violated or a scenario failed (see above)");
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("\nselection benchmark failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let k = knobs()?;
    let bin = server::binary()?;
    println!(
        "selection benchmark: {} cores, load {}, binary {}, scenarios {:?}, {} households per scenario, {} units, upload {} rows, paced ≤ {} s",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        report::load_average(),
        bin.display(),
        k.scenarios,
        k.households,
        k.units,
        k.upload_rows,
        k.secs
    );
    let mut rows = Vec::new();
    let mut ok = backend("SQLite", &bin, &k, None, &mut rows)?;
    if let Some(url) = std::env::var("ANJU_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        ok &= backend("PostgreSQL", &bin, &k, Some(&url), &mut rows)?;
    }
    println!("\n## Selection benchmark (cargo bench --bench selection)\n");
    println!("{}", report::table(&rows));
    Ok(ok)
}

/// Every chosen scenario on one backend; `false` when an invariant broke or a scenario failed.
fn backend(
    name: &'static str,
    bin: &std::path::Path,
    k: &Knobs,
    postgres: Option<&str>,
    rows: &mut Vec<Row>,
) -> anyhow::Result<bool> {
    let started = Instant::now();
    println!("\n=== {name} ===");
    let dir = tempfile::Builder::new()
        .prefix("anju-bench-selection-")
        .tempdir()?;
    let db = match postgres {
        Some(url) => ScratchDb::postgres(url)?,
        None => ScratchDb::sqlite(dir.path()),
    };
    let a = Server::start(bin, dir.path(), "a", &db.url)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let api = api::Api::new(&a.base);
    api::take_failures();
    let (mut hall, note) = rt.block_on(seed::hall(&api, k.units))?;
    println!("  {note}");
    let mut ok = true;
    for &s in &k.scenarios {
        let result = match s {
            1 => rt.block_on(scenarios::closed_loop(&api, &mut hall, k, name)),
            2 => rt.block_on(scenarios::paced(&api, &mut hall, k, name, None)),
            3 => rt.block_on(scenarios::paced(
                &api,
                &mut hall,
                k,
                name,
                Some(k.upload_rows),
            )),
            4 => rt.block_on(scenarios::opening_bell(&api, &mut hall, name)),
            5 if postgres.is_some() => {
                two_instances(&rt, bin, dir.path(), &db, &api, &mut hall, k, name)
            }
            _ => {
                println!("  scenario 5 (two instances) needs PostgreSQL: skipped on {name}");
                continue;
            }
        };
        match result {
            Ok(row) => {
                row.print();
                rows.push(row);
            }
            Err(e) => {
                ok = false;
                println!("  scenario {s} FAILED on {name}: {e:#}");
                println!("  server log (last lines):\n{}", a.log_tail(15));
            }
        }
        ok &= invariants(&db.url, &a, s)?;
    }
    println!(
        "  {name}: all scenarios in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ok)
}

/// Prints the invariants after scenario `s`; `false` when one is violated.
fn invariants(url: &str, a: &Server, s: u8) -> anyhow::Result<bool> {
    let (server_errors, broken, evidence) = api::take_failures();
    let checks = check::invariants(url, server_errors, broken)?;
    println!("  invariants after scenario {s}:");
    let mut ok = true;
    for c in &checks {
        println!(
            "    [{}] {}: {}",
            if c.ok { "ok" } else { "VIOLATED" },
            c.what,
            c.detail
        );
        ok &= c.ok;
    }
    for e in evidence {
        println!("    evidence: {e}");
    }
    if !ok {
        for w in a.warnings() {
            println!("    server: {w}");
        }
    }
    Ok(ok)
}

/// Scenario 5: a second instance on the same database, caught up, then the split closed loop.
#[allow(clippy::too_many_arguments)]
fn two_instances(
    rt: &tokio::runtime::Runtime,
    bin: &std::path::Path,
    dir: &std::path::Path,
    db: &ScratchDb,
    api: &api::Api,
    hall: &mut seed::Hall,
    k: &Knobs,
    name: &'static str,
) -> anyhow::Result<Row> {
    let b = Server::start(bin, dir, "b", &db.url)?;
    let seq = check::max_seq(&db.url)?;
    let catch_up = rt.block_on(two::caught_up(&b.base, seq, Duration::from_secs(300)))?;
    println!(
        "  instance B (pid {}) caught up with listing change {seq} in {:.1} s",
        b.pid(),
        catch_up.as_secs_f64()
    );
    let row = rt.block_on(scenarios::two_instances(
        api, &b.base, hall, k, name, catch_up,
    ));
    if row.is_err() {
        println!("  instance B log (last lines):\n{}", b.log_tail(15));
    }
    row
}
