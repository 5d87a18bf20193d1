//! Request counters and latency histograms for `GET /metrics` (Prometheus text format), kept in
//! memory per instance; holds and reservations are counted from the database at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default)]
struct Series {
    count: u64,
    sum_s: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Upper bounds of the stage buckets, in seconds: a stage of a hold takes well under a
/// millisecond when nothing waits.
const STAGE_BUCKETS: [f64; 10] = [
    0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5,
];

/// Per (method, route pattern, status) request counts and latencies, and per (route pattern,
/// stage) the time of each stage of the requests' work (`profile`).
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
    stages: Mutex<BTreeMap<(String, &'static str), Series>>,
}

fn add(s: &mut Series, bounds: &[f64], elapsed_s: f64) {
    s.count += 1;
    s.sum_s += elapsed_s;
    for (i, bound) in bounds.iter().enumerate() {
        if elapsed_s <= *bound {
            s.buckets[i] += 1;
        }
    }
}

/// The methods that get their own label; any other (a client may send `FOO`, or a new name on
/// every request) counts as `other`, so made-up methods cannot grow the label sets.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The method label of a request: the method itself when it is one of `KNOWN_METHODS`, else
/// `other`.
pub fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("other")
}

fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Records one request; `route` is the matched pattern (`/api/v1/units/{id}`), never the raw
    /// path, so ids and query strings do not become labels; `method` is labelled by
    /// `method_label`.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed_s: f64) {
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let s = map
            .entry((method_label(method).to_string(), route.to_string(), status))
            .or_default();
        add(s, &BUCKETS, elapsed_s);
    }

    /// Records the stages of one request to `route` (its matched pattern).
    pub fn observe_stages(&self, route: &str, stages: &crate::profile::Stages) {
        if stages.is_empty() {
            return;
        }
        let mut map = self.stages.lock().unwrap_or_else(|e| e.into_inner());
        for (stage, took) in stages {
            let s = map.entry((route.to_string(), stage.as_str())).or_default();
            add(s, &STAGE_BUCKETS, took.as_secs_f64());
        }
    }

    fn render_stages(&self, out: &mut String) {
        out.push_str("# HELP anju_stage_duration_seconds Time per request in each stage of its work (queue, pool_wait, group_wait, group_run, work, lock_wait, audit, commit, transaction, hash)\n");
        out.push_str("# TYPE anju_stage_duration_seconds histogram\n");
        let map = self.stages.lock().unwrap_or_else(|e| e.into_inner());
        for ((route, stage), s) in map.iter() {
            let r = label(route);
            let labels = format!("route=\"{r}\",stage=\"{stage}\"");
            for (bound, n) in STAGE_BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(
                    out,
                    "anju_stage_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "anju_stage_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "anju_stage_duration_seconds_sum{{{labels}}} {}",
                s.sum_s
            );
            let _ = writeln!(
                out,
                "anju_stage_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
    }

    /// The text exposition, with `gauges` (name, help, value) appended.
    pub fn render(&self, gauges: &[(&str, &str, i64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP anju_http_requests_total HTTP requests by method, route and status\n");
        out.push_str("# TYPE anju_http_requests_total counter\n");
        let map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        for ((method, route, status), s) in map.iter() {
            let _ = writeln!(
                out,
                "anju_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
                label(method),
                label(route),
                s.count
            );
        }
        out.push_str("# HELP anju_http_request_duration_seconds HTTP request latency\n");
        out.push_str("# TYPE anju_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), s) in map.iter() {
            let agg = by_route.entry((method, route)).or_default();
            agg.count += s.count;
            agg.sum_s += s.sum_s;
            for (a, b) in agg.buckets.iter_mut().zip(s.buckets) {
                *a += b;
            }
        }
        for ((method, route), s) in by_route {
            let (m, r) = (label(method), label(route));
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(out, "anju_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"{bound}\"}} {n}");
            }
            let _ = writeln!(out, "anju_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(
                out,
                "anju_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\"}} {}",
                s.sum_s
            );
            let _ = writeln!(
                out,
                "anju_http_request_duration_seconds_count{{method=\"{m}\",route=\"{r}\"}} {}",
                s.count
            );
        }
        drop(map);
        self.render_stages(&mut out);
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/listings", 200, 0.003);
        m.observe("GET", "/api/v1/listings", 200, 0.2);
        m.observe("GET", "/api/v1/listings", 400, 0.001);
        let text = m.render(&[("anju_holds_active", "live holds", 3)]);
        assert!(text.contains(
            r#"anju_http_requests_total{method="GET",route="/api/v1/listings",status="200"} 2"#
        ));
        assert!(text.contains(r#"anju_http_request_duration_seconds_bucket{method="GET",route="/api/v1/listings",le="0.005"} 2"#));
        assert!(text.contains(
            r#"anju_http_request_duration_seconds_count{method="GET",route="/api/v1/listings"} 3"#
        ));
        assert!(text.contains("anju_holds_active 3"));
    }

    #[test]
    fn renders_stage_histograms_by_route_and_stage() {
        use crate::profile::Stage;
        use std::time::Duration;
        let m = Metrics::default();
        let route = "/api/v1/kiosk/holds";
        m.observe_stages(route, &vec![(Stage::LockWait, Duration::from_micros(300))]);
        m.observe_stages(route, &vec![(Stage::LockWait, Duration::from_millis(20))]);
        let text = m.render(&[]);
        let labels = r#"route="/api/v1/kiosk/holds",stage="lock_wait""#;
        assert!(
            text.contains(&format!(
                r#"anju_stage_duration_seconds_bucket{{{labels},le="0.0005"}} 1"#
            )),
            "{text}"
        );
        assert!(text.contains(&format!(
            r#"anju_stage_duration_seconds_bucket{{{labels},le="0.025"}} 2"#
        )));
        assert!(text.contains(&format!("anju_stage_duration_seconds_count{{{labels}}} 2")));
    }

    #[test]
    fn made_up_methods_share_one_label() {
        let m = Metrics::default();
        for i in 0..300 {
            m.observe(&format!("FOO{i}"), "/api/v1/listings", 404, 0.001);
        }
        m.observe("get", "/api/v1/listings", 404, 0.001);
        m.observe("DELETE", "/api/v1/listings", 404, 0.001);
        let text = m.render(&[]);
        assert!(text.contains(
            r#"anju_http_requests_total{method="other",route="/api/v1/listings",status="404"} 301"#
        ));
        assert!(text.contains(r#"{method="DELETE",route="/api/v1/listings",status="404"} 1"#));
        assert!(!text.contains("FOO"), "{text}");
        assert_eq!(method_label("OPTIONS"), "OPTIONS");
        assert_eq!(method_label("TRACE"), "other");
    }
}
