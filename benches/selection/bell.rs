//! The opening bell: every household of a big round at once for a few "most wanted" flats, over
//! a bounded number of kiosk connections. A refused household waits a second and tries another
//! flat it believes free (not one it was refused, not one the hall board shows taken), at most
//! `tries` times, until every flat is held.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::api;
use super::report::{Lat, Tally};
use super::seed::Household;

pub struct Bell {
    pub hold: Lat,
    pub refusal: Lat,
    pub answers: Tally,
    /// from the bell to the answer that took the last flat; `None` when some stayed free
    pub all_held: Option<Duration>,
    pub held: usize,
    /// households that gave up after `tries` refusals
    pub gave_up: usize,
}

struct Shared {
    flats: Vec<i64>,
    /// what the hall board shows: flats held so far
    taken: Mutex<HashSet<i64>>,
    held: AtomicUsize,
    last: Mutex<Option<Duration>>,
    /// the kiosk connections; a household takes one for each request
    clients: Mutex<Vec<reqwest::Client>>,
    gate: Semaphore,
}

pub async fn run(
    base: &str,
    households: &[Household],
    flats: &[i64],
    connections: usize,
    tries: usize,
) -> anyhow::Result<Bell> {
    let shared = Arc::new(Shared {
        flats: flats.to_vec(),
        taken: Mutex::new(HashSet::new()),
        held: AtomicUsize::new(0),
        last: Mutex::new(None),
        clients: Mutex::new((0..connections).map(|_| api::client()).collect()),
        gate: Semaphore::new(connections),
    });
    let bell = Instant::now();
    let tasks: Vec<_> = households
        .iter()
        .enumerate()
        .map(|(n, h)| {
            let (shared, base, token) = (shared.clone(), base.to_string(), h.token.clone());
            tokio::spawn(
                async move { household(&shared, &base, &token, n as u64, tries, bell).await },
            )
        })
        .collect();
    let mut out = Bell {
        hold: Lat::default(),
        refusal: Lat::default(),
        answers: Tally::default(),
        all_held: None,
        held: 0,
        gave_up: 0,
    };
    for t in tasks {
        let (hold, refusal, answers, gave_up) = t.await?;
        out.hold.extend(hold);
        out.refusal.extend(refusal);
        out.answers.merge(answers);
        out.gave_up += usize::from(gave_up);
    }
    out.held = shared.held.load(Ordering::SeqCst);
    out.all_held = if out.held == flats.len() {
        *shared.last.lock().expect("last")
    } else {
        None
    };
    Ok(out)
}

/// One household: up to `tries` holds of flats it believes free, a second apart.
async fn household(
    shared: &Shared,
    base: &str,
    token: &str,
    seed: u64,
    tries: usize,
    bell: Instant,
) -> (Lat, Lat, Tally, bool) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let (mut hold, mut refusal, mut answers) = (Lat::default(), Lat::default(), Tally::default());
    let mut refused: HashSet<i64> = HashSet::new();
    for attempt in 0..tries {
        if shared.held.load(Ordering::SeqCst) >= shared.flats.len() {
            return (hold, refusal, answers, false);
        }
        if attempt > 0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let believed: Vec<i64> = {
            let taken = shared.taken.lock().expect("taken");
            shared
                .flats
                .iter()
                .copied()
                .filter(|f| !taken.contains(f) && !refused.contains(f))
                .collect()
        };
        let Some(&flat) = believed.choose(&mut rng) else {
            return (hold, refusal, answers, false);
        };
        let permit = shared.gate.acquire().await.expect("gate");
        let http = shared
            .clients
            .lock()
            .expect("clients")
            .pop()
            .expect("a client");
        let r = api::hold(&http, base, token, flat).await;
        shared.clients.lock().expect("clients").push(http);
        drop(permit);
        answers.add("hold", r.status, r.code());
        if r.status == 201 {
            hold.push(r.took);
            shared.taken.lock().expect("taken").insert(flat);
            if shared.held.fetch_add(1, Ordering::SeqCst) + 1 == shared.flats.len() {
                *shared.last.lock().expect("last") = Some(bell.elapsed());
            }
            return (hold, refusal, answers, false);
        }
        refusal.push(r.took);
        refused.insert(flat);
    }
    (hold, refusal, answers, true)
}
