//! The kiosks' load: a closed loop (each kiosk takes the next household as soon as it is done)
//! and a paced open loop (holds at fixed times, each latency counted from its scheduled start,
//! so a late kiosk's lateness counts), with a paced stream of refused holds beside it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::api::{self, Reply};
use super::report::{Lat, Tally};
use super::seed::Household;

/// What one run of selections measured.
#[derive(Default)]
pub struct Run {
    pub hold: Lat,
    pub confirm: Lat,
    /// scheduled start (or send of the hold) to the confirmation's answer
    pub selection: Lat,
    pub refusal: Lat,
    pub answers: Tally,
    pub confirmed: usize,
    /// first send to last answer
    pub wall: Duration,
}

impl Run {
    fn merge(&mut self, other: Run) {
        self.hold.extend(other.hold);
        self.confirm.extend(other.confirm);
        self.selection.extend(other.selection);
        self.refusal.extend(other.refusal);
        self.answers.merge(other.answers);
        self.confirmed += other.confirmed;
    }

    pub fn per_sec(&self) -> f64 {
        self.confirmed as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// One household's selection: hold its unit, then confirm the hold at once.
async fn select(
    http: &reqwest::Client,
    base: &str,
    h: &Household,
    unit: i64,
    run: &mut Run,
    hold_from: Instant,
) {
    let held: Reply = api::hold(http, base, &h.token, unit).await;
    run.hold.push(hold_from.elapsed());
    run.answers.add("hold", held.status, held.code());
    let (201, Some(hold_id)) = (held.status, held.id()) else {
        return;
    };
    let confirmed = api::confirm(http, base, &h.token, hold_id).await;
    run.confirm.push(confirmed.took);
    run.selection.push(hold_from.elapsed());
    run.answers
        .add("confirm", confirmed.status, confirmed.code());
    if confirmed.status == 200 {
        run.confirmed += 1;
    }
}

/// `clients` kiosks (one connection each, spread over `bases`), no pause: each takes the next
/// household and selects its own unit (`units[i]` for household `i`, so kiosks do not collide).
pub async fn closed_loop(
    bases: &[String],
    households: &[Household],
    units: &[i64],
    clients: usize,
) -> anyhow::Result<Run> {
    let work: Arc<Vec<(Household, i64)>> = Arc::new(
        households
            .iter()
            .cloned()
            .zip(units.iter().copied())
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (work, next, base) = (work.clone(), next.clone(), bases[c % bases.len()].clone());
            tokio::spawn(async move {
                let http = api::client();
                let mut run = Run::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((h, unit)) = work.get(i) else {
                        break;
                    };
                    select(&http, &base, h, *unit, &mut run, Instant::now()).await;
                }
                run
            })
        })
        .collect();
    let mut run = Run::default();
    for t in tasks {
        run.merge(t.await?);
    }
    run.wall = started.elapsed();
    Ok(run)
}

/// The paced run's shape.
pub struct Pace {
    /// holds, one every `interval` overall; household `k` holds `units[k]` at `k × interval`
    pub interval: Duration,
    pub workers: usize,
    /// refused holds: one every `refusal_interval`, by `refusal_workers` kiosks of their own
    pub refusal_interval: Duration,
    pub refusal_workers: usize,
}

/// Holds scheduled `pace.interval` apart (slot `k` goes to worker `k mod workers`), each
/// confirmed right after; latencies of holds and refusals are counted from the scheduled start.
/// Beside them, refused holds of `targets` (units already reserved) by `refusers`.
pub async fn paced(
    base: &str,
    households: &[Household],
    units: &[i64],
    refusers: &[Household],
    targets: &[i64],
    pace: &Pace,
) -> anyhow::Result<Run> {
    let slots = households.len().min(units.len());
    let span = pace.interval * slots as u32;
    let refusals = (span.as_nanos() / pace.refusal_interval.as_nanos().max(1)) as usize;
    let work: Arc<Vec<(Household, i64)>> = Arc::new(
        households
            .iter()
            .cloned()
            .zip(units.iter().copied())
            .collect(),
    );
    let t0 = Instant::now() + Duration::from_millis(100);
    let mut tasks = Vec::new();
    for w in 0..pace.workers {
        let (work, base, interval, workers) =
            (work.clone(), base.to_string(), pace.interval, pace.workers);
        tasks.push(tokio::spawn(async move {
            let http = api::client();
            let mut run = Run::default();
            for k in (w..slots).step_by(workers) {
                let at = t0 + interval * k as u32;
                tokio::time::sleep_until(at).await;
                let (h, unit) = &work[k];
                select(&http, &base, h, *unit, &mut run, at).await;
            }
            run
        }));
    }
    if !refusers.is_empty() && !targets.is_empty() {
        let shared = Arc::new((refusers.to_vec(), targets.to_vec()));
        for w in 0..pace.refusal_workers {
            let (shared, base, interval, workers) = (
                shared.clone(),
                base.to_string(),
                pace.refusal_interval,
                pace.refusal_workers,
            );
            tasks.push(tokio::spawn(async move {
                let http = api::client();
                let mut run = Run::default();
                let (refusers, targets) = &*shared;
                let h = &refusers[w % refusers.len()];
                for j in (w..refusals).step_by(workers) {
                    let at = t0 + interval * j as u32;
                    tokio::time::sleep_until(at).await;
                    let r = api::hold(&http, &base, &h.token, targets[j % targets.len()]).await;
                    run.refusal.push(at.elapsed());
                    run.answers.add("refused hold", r.status, r.code());
                }
                run
            }));
        }
    }
    let mut run = Run::default();
    for t in tasks {
        run.merge(t.await?);
    }
    run.wall = t0.elapsed();
    Ok(run)
}

/// Each of `refusers` holds and confirms one of `targets` (set-up, not measured): afterwards
/// the targets are reserved, and every hold of them is refused.
pub async fn reserve_targets(
    base: &str,
    refusers: &[Household],
    targets: &[i64],
) -> anyhow::Result<()> {
    let http = api::client();
    for (h, &unit) in refusers.iter().zip(targets) {
        let held = api::hold(&http, base, &h.token, unit).await;
        anyhow::ensure!(
            held.status == 201,
            "set-up hold: {} {}",
            held.status,
            held.body
        );
        let id = held.id().unwrap_or_default();
        let c = api::confirm(&http, base, &h.token, id).await;
        anyhow::ensure!(c.status == 200, "set-up confirm: {} {}", c.status, c.body);
    }
    Ok(())
}
