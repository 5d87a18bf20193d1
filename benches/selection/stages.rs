//! Where a request's time went, from the server's own profile: the `anju_stage_duration_seconds`
//! histograms of `/metrics` (queue, pool_wait, group_wait, group_run, work, lock_wait, audit,
//! commit, transaction, hash), read before and after a scenario; the difference gives the mean time per
//! request of each stage for the hold and confirm routes during that scenario.

use std::collections::BTreeMap;

/// (route, stage) → (sum of seconds, count).
#[derive(Debug, Default, Clone)]
pub struct StageSums(BTreeMap<(String, String), (f64, u64)>);

fn label<'a>(labels: &'a str, name: &str) -> Option<&'a str> {
    let start = labels.find(&format!("{name}=\""))? + name.len() + 2;
    let end = labels[start..].find('"')? + start;
    Some(&labels[start..end])
}

/// The stage sums and counts the server at `base` reports now.
pub async fn read(base: &str) -> anyhow::Result<StageSums> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await?
        .text()
        .await?;
    let mut sums = StageSums::default();
    for line in text.lines() {
        let (is_sum, rest) = if let Some(r) = line.strip_prefix("anju_stage_duration_seconds_sum{")
        {
            (true, r)
        } else if let Some(r) = line.strip_prefix("anju_stage_duration_seconds_count{") {
            (false, r)
        } else {
            continue;
        };
        let Some((labels, value)) = rest.split_once("} ") else {
            continue;
        };
        let (Some(route), Some(stage)) = (label(labels, "route"), label(labels, "stage")) else {
            continue;
        };
        let value: f64 = value.trim().parse().unwrap_or(0.0);
        let entry = sums.0.entry((route.into(), stage.into())).or_default();
        if is_sum {
            entry.0 = value;
        } else {
            entry.1 = value as u64;
        }
    }
    Ok(sums)
}

const ROUTES: [(&str, &str); 2] = [
    ("/api/v1/kiosk/holds", "hold"),
    ("/api/v1/kiosk/holds/{id}/confirm", "confirm"),
];
const ORDER: [&str; 10] = [
    "queue",
    "pool_wait",
    "group_wait",
    "group_run",
    "work",
    "lock_wait",
    "audit",
    "commit",
    "transaction",
    "hash",
];

/// One line per route: the mean milliseconds per request of each stage between `before` and
/// `after` (a stage a request did not pass through counts as 0 for it).
pub fn render(before: &StageSums, after: &StageSums) -> String {
    let mut out = String::new();
    for (route, name) in ROUTES {
        let requests = after
            .0
            .iter()
            .filter(|((r, s), _)| r == route && (s == "queue" || s == "group_wait"))
            .map(|(k, (_, c))| c - before.0.get(k).map_or(0, |b| b.1))
            .max()
            .unwrap_or(0);
        if requests == 0 {
            continue;
        }
        let parts: Vec<String> = ORDER
            .iter()
            .filter_map(|stage| {
                let key = (route.to_string(), stage.to_string());
                let (sum, count) = after.0.get(&key)?;
                let (sum0, count0) = before.0.get(&key).copied().unwrap_or_default();
                (count > &count0)
                    .then(|| format!("{stage} {:.2}", (sum - sum0) * 1000.0 / requests as f64))
            })
            .collect();
        out.push_str(&format!(
            "    {name} ({requests} requests), mean ms per request: {}\n",
            parts.join(", ")
        ));
    }
    out
}
