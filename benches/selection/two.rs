//! Two service instances on one PostgreSQL database (each with its own index directory and
//! port): the kiosks split between them in a closed loop, and a visibility probe — after a hold
//! answered by instance A, how long until instance B's search no longer lists the unit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::api;
use super::drive::{self, Run};
use super::seed::Household;

/// `anju_index_applied_seq` from an instance's `/metrics`.
pub async fn applied_seq(base: &str) -> anyhow::Result<i64> {
    let text = api::client()
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|l| l.strip_prefix("anju_index_applied_seq "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as i64)
        .ok_or_else(|| anyhow::anyhow!("no anju_index_applied_seq in /metrics"))
}

/// Waits until `base`'s index has applied `seq`; returns the wait.
pub async fn caught_up(base: &str, seq: i64, within: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    loop {
        if applied_seq(base).await? >= seq {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < within,
            "instance {base} did not catch up with seq {seq} within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether `GET /listings?project_id=` on `base` lists `unit`.
async fn listed(
    http: &reqwest::Client,
    base: &str,
    project: i64,
    unit: i64,
) -> anyhow::Result<bool> {
    let r = api::send(
        "GET /listings",
        http.get(format!(
            "{base}/api/v1/listings?project_id={project}&per_page=100"
        )),
    )
    .await;
    anyhow::ensure!(
        r.status == 200,
        "GET /listings on {base}: {} {}",
        r.status,
        r.body
    );
    Ok(r.body["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i["unit_id"].as_i64() == Some(unit))))
}

/// Holds `unit` on `a` and polls `b`'s search every 5 ms until the unit is gone; the delay from
/// the hold's answer.
pub async fn probe(
    a: &str,
    b: &str,
    h: &Household,
    project: i64,
    unit: i64,
) -> anyhow::Result<Duration> {
    let http = api::client();
    let started = Instant::now();
    while !listed(&http, b, project, unit).await? {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(10),
            "probe unit {unit} is not listed on instance B"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let held = api::hold(&http, a, &h.token, unit).await;
    anyhow::ensure!(
        held.status == 201,
        "probe hold: {} {}",
        held.status,
        held.body
    );
    let answered = Instant::now();
    loop {
        if !listed(&http, b, project, unit).await? {
            return Ok(answered.elapsed());
        }
        anyhow::ensure!(
            answered.elapsed() < Duration::from_secs(30),
            "unit {unit} still listed on instance B 30 s after its hold on A"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The closed loop over both instances with the probes running beside it, one every 300 ms;
/// each probe's delay, and whether the loop was still running when it ended.
pub async fn run(
    bases: [String; 2],
    kiosks: &[Household],
    units: &[i64],
    probers: Vec<Household>,
    probe_project: i64,
    probe_units: Vec<i64>,
) -> anyhow::Result<(Run, Vec<(Duration, bool)>)> {
    let [a, b] = bases.clone();
    let loading = Arc::new(AtomicBool::new(true));
    let during = loading.clone();
    let probes = tokio::spawn(async move {
        let mut delays = Vec::new();
        for (h, unit) in probers.iter().zip(probe_units) {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let delay = probe(&a, &b, h, probe_project, unit).await?;
            delays.push((delay, during.load(Ordering::SeqCst)));
        }
        anyhow::Ok(delays)
    });
    let run = drive::closed_loop(&bases, kiosks, units, 50).await;
    loading.store(false, Ordering::SeqCst);
    let delays = probes.await??;
    Ok((run?, delays))
}
