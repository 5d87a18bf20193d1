//! Percentiles from sorted durations, status tallies, and the result table (one line per
//! scenario as it ends, all of it as markdown at the end).

use std::collections::BTreeMap;
use std::time::Duration;

/// Latencies of one kind of request.
#[derive(Default)]
pub struct Lat(pub Vec<Duration>);

impl Lat {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Lat) {
        self.0.extend(other.0);
    }

    /// Nearest-rank percentile (`p` in 0..=1) of the sorted samples.
    pub fn pct(&self, p: f64) -> Duration {
        let mut v = self.0.clone();
        v.sort_unstable();
        if v.is_empty() {
            return Duration::ZERO;
        }
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    }

    /// `p50 / p99 / max` in ms, or `–` without samples.
    pub fn summary(&self) -> String {
        if self.0.is_empty() {
            return "–".into();
        }
        format!(
            "{} / {} / {}",
            ms(self.pct(0.5)),
            ms(self.pct(0.99)),
            ms(self.pct(1.0))
        )
    }
}

pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Counts of answers by `what status code`, e.g. `hold 201`, `hold 409 unit_not_available`.
#[derive(Default)]
pub struct Tally(pub BTreeMap<String, usize>);

impl Tally {
    pub fn add(&mut self, what: &str, status: u16, code: &str) {
        let key = if code.is_empty() || status < 300 {
            format!("{what} {status}")
        } else {
            format!("{what} {status} {code}")
        };
        *self.0.entry(key).or_default() += 1;
    }

    pub fn merge(&mut self, other: Tally) {
        for (k, v) in other.0 {
            *self.0.entry(k).or_default() += v;
        }
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }

    pub fn render(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One line of the result table.
pub struct Row {
    pub backend: &'static str,
    pub scenario: String,
    pub rate: String,
    pub hold: String,
    pub confirm: String,
    pub refusal: String,
    pub statuses: String,
    pub notes: String,
}

const HEADER: &str = "| backend | scenario | throughput / time | hold p50 / p99 / max (ms) | confirm p50 / p99 / max (ms) | refusal p50 / p99 / max (ms) | answers | notes |\n|---|---|---|---|---|---|---|---|";

impl Row {
    pub fn line(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            self.backend,
            self.scenario,
            self.rate,
            self.hold,
            self.confirm,
            self.refusal,
            self.statuses,
            self.notes
        )
    }

    /// Prints the line as the scenario ends (with the header, so it pastes on its own).
    pub fn print(&self) {
        println!("\n{HEADER}\n{}\n", self.line());
    }
}

pub fn table(rows: &[Row]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(&r.line());
    }
    s
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
