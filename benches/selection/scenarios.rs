//! The five scenarios, each seeding its own households and units through the API, running, and
//! returning its table line.

use std::time::Duration;

use tokio::time::Instant;

use super::api::Api;
use super::drive::{self, Pace};
use super::report::{load_average, ms, secs, Row};
use super::seed::{self, Hall};
use super::{bell, stages, two, Knobs};

/// Paced rate: one hold every 4 ms overall (250 confirmed selections/s), across 50 kiosks.
const INTERVAL: Duration = Duration::from_millis(4);
/// Refused holds beside it: 50/s, by 10 kiosks of their own.
const REFUSAL_INTERVAL: Duration = Duration::from_millis(20);
const REFUSERS: usize = 10;

/// 1. Closed loop: 50 kiosks, no pause, hold + confirm per household.
pub async fn closed_loop(
    api: &Api,
    hall: &mut Hall,
    k: &Knobs,
    backend: &'static str,
) -> anyhow::Result<Row> {
    let n = k.households;
    let units = hall.take_units(n)?;
    let bases = [api.base.clone()];
    let (hs, import, login) = seed::households(api, hall, &bases, n, "闭环批次").await?;
    let load = load_average();
    let before = stages::read(&api.base).await?;
    let run = drive::closed_loop(&bases, &hs, &units, 50).await?;
    print!(
        "  stages, closed loop:\n{}",
        stages::render(&before, &stages::read(&api.base).await?)
    );
    Ok(Row {
        backend,
        scenario: "1 closed loop, 50 kiosks".into(),
        rate: format!(
            "**{:.0} confirmed/s** ({} in {})",
            run.per_sec(),
            run.confirmed,
            secs(run.wall)
        ),
        hold: run.hold.summary(),
        confirm: run.confirm.summary(),
        refusal: "–".into(),
        statuses: run.answers.render(),
        notes: format!(
            "{n} households: import {}, log-ins {}; load before {load}",
            secs(import),
            secs(login)
        ),
    })
}

/// 2 and 3. Paced open loop at 250 holds/s (each confirmed at once) with 50 refused holds/s;
/// with `upload_rows`, while the developer uploads that many units into another project.
pub async fn paced(
    api: &Api,
    hall: &mut Hall,
    k: &Knobs,
    backend: &'static str,
    upload_rows: Option<usize>,
) -> anyhow::Result<Row> {
    let wanted = (k.secs / INTERVAL.as_secs_f64()).round() as usize;
    let n = k.households.min(wanted);
    let units = hall.take_units(n)?;
    let targets = hall.take_units(REFUSERS)?;
    let bases = [api.base.clone()];
    let label = if upload_rows.is_some() {
        "上传批次"
    } else {
        "匀速批次"
    };
    let (hs, import, login) = seed::households(api, hall, &bases, n + REFUSERS, label).await?;
    let (kiosks, refusers) = hs.split_at(n);
    drive::reserve_targets(&api.base, refusers, &targets).await?;
    let upload = match upload_rows {
        Some(rows) => {
            let body = seed::units_csv(rows);
            let (api, key, project) = (api.clone(), hall.dev_key.clone(), hall.upload_project);
            let started = Instant::now();
            let task = tokio::spawn(async move {
                let r = api
                    .upload(
                        &key,
                        &format!("/projects/{project}/units/import"),
                        "text/csv",
                        body,
                    )
                    .await;
                (r.status, r.body, started.elapsed())
            });
            // the body is on the wire and the server parsing when the paced run starts
            tokio::time::sleep(Duration::from_millis(300)).await;
            Some((task, started, rows))
        }
        None => None,
    };
    let load = load_average();
    let pace = Pace {
        interval: INTERVAL,
        workers: 50,
        refusal_interval: REFUSAL_INTERVAL,
        refusal_workers: REFUSERS,
    };
    let paced_from = Instant::now();
    let run = drive::paced(&api.base, kiosks, &units, refusers, &targets, &pace).await?;
    let paced_took = paced_from.elapsed();
    let mut notes = format!(
        "{n} holds over {} scheduled (ANJU_BENCH_SECS={} × 250/s would be {wanted}; one household per hold); selection (scheduled start → confirmed) p50/p99/max {} ms; import {}, log-ins {}; load before {load}",
        secs(INTERVAL * n as u32),
        k.secs,
        run.selection.summary(),
        secs(import),
        secs(login)
    );
    if let Some((task, started, rows)) = upload {
        let (status, body, took) = task.await?;
        anyhow::ensure!(
            status == 200,
            "the {rows}-unit upload answered {status}: {body}"
        );
        let overlap = (took.saturating_sub(paced_from - started)).min(paced_took);
        notes = format!(
            "**upload of {rows} units: {} ({:.0} units/s)**, in flight for the first {} of the {} paced run; {notes}",
            secs(took),
            rows as f64 / took.as_secs_f64(),
            secs(overlap),
            secs(paced_took)
        );
    }
    Ok(Row {
        backend,
        scenario: match upload_rows {
            Some(rows) => format!("3 paced 250/s + 50 refusals/s during a {rows}-unit upload"),
            None => "2 paced 250/s + 50 refusals/s".into(),
        },
        rate: format!(
            "{:.0} confirmed/s ({} of {n})",
            run.per_sec(),
            run.confirmed
        ),
        hold: format!("**{}**", run.hold.summary()),
        confirm: run.confirm.summary(),
        refusal: run.refusal.summary(),
        statuses: run.answers.render(),
        notes,
    })
}

/// 4. The opening bell: 2 000 households, 200 flats, at most 200 connections.
pub async fn opening_bell(
    api: &Api,
    hall: &mut Hall,
    backend: &'static str,
) -> anyhow::Result<Row> {
    let (households, flats_n, connections, tries) = (2_000, 200, 200, 5);
    let flats = hall.take_units(flats_n)?;
    let bases = [api.base.clone()];
    let (hs, import, login) = seed::households(api, hall, &bases, households, "开门批次").await?;
    let load = load_average();
    let before = stages::read(&api.base).await?;
    let b = bell::run(&api.base, &hs, &flats, connections, tries).await?;
    print!(
        "  stages, opening bell:\n{}",
        stages::render(&before, &stages::read(&api.base).await?)
    );
    let five = b.answers.count("hold 5") + b.answers.count("hold 0");
    Ok(Row {
        backend,
        scenario: "4 opening bell: 2 000 households, 200 flats".into(),
        rate: match b.all_held {
            Some(d) => format!("**all {flats_n} held in {}**", secs(d)),
            None => format!("only {} of {flats_n} held", b.held),
        },
        hold: b.hold.summary(),
        confirm: "–".into(),
        refusal: format!("**{}**", b.refusal.summary()),
        statuses: b.answers.render(),
        notes: format!(
            "**import of {households} households {}**, **{households} log-ins {}** ({:.0}/s); {connections} connections, {tries} tries a second apart; {} households gave up; 5xx or broken: {five}; load before {load}",
            secs(import),
            secs(login),
            households as f64 / login.as_secs_f64(),
            b.gave_up
        ),
    })
}

/// 5. Two instances on one PostgreSQL database: `b` must already be caught up.
pub async fn two_instances(
    api: &Api,
    b_base: &str,
    hall: &mut Hall,
    k: &Knobs,
    backend: &'static str,
    catch_up: Duration,
) -> anyhow::Result<Row> {
    let n = k.households;
    let probes = 5;
    let units = hall.take_units(n)?;
    let bases = [api.base.clone(), b_base.to_string()];
    let (hs, import, login) = seed::households(api, hall, &bases, n + probes, "双实例批次").await?;
    let (kiosks, probers) = hs.split_at(n);
    let load = load_average();
    let probe_units = hall.probe_units[..probes].to_vec();
    let (run, delays) = two::run(
        bases,
        kiosks,
        &units,
        probers.to_vec(),
        hall.probe_project,
        probe_units,
    )
    .await?;
    let mut sorted: Vec<Duration> = delays.iter().map(|d| d.0).collect();
    sorted.sort_unstable();
    let worst = sorted.last().copied().unwrap_or_default();
    let under_load = delays.iter().filter(|d| d.1).count();
    Ok(Row {
        backend,
        scenario: "5 two instances, 25 + 25 kiosks, closed loop".into(),
        rate: format!(
            "**{:.0} confirmed/s** combined ({} in {})",
            run.per_sec(),
            run.confirmed,
            secs(run.wall)
        ),
        hold: run.hold.summary(),
        confirm: run.confirm.summary(),
        refusal: "–".into(),
        statuses: run.answers.render(),
        notes: format!(
            "**visibility A → B search: {} ms** ({probes} probes, {under_load} of them ended while the loop ran; median {} ms, worst {} ms, target < 1 s: {}); B's index caught up in {} before; import {}, log-ins {} (split over A and B); load before {load}",
            delays.iter().map(|d| ms(d.0)).collect::<Vec<_>>().join(", "),
            ms(sorted.get(sorted.len() / 2).copied().unwrap_or_default()),
            ms(worst),
            if worst < Duration::from_secs(1) { "met" } else { "missed" },
            secs(catch_up),
            secs(import),
            secs(login)
        ),
    })
}
