//! The service under test and the timed stats routes.

use super::*;

pub(crate) fn config(dir: &std::path::Path, database_url: String) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        database_url,
        index_dir: dir.join("index"),
        admin_token: Secret::new(ADMIN),
        data_key: [7u8; 32],
        data_key_previous: None,
        log: "warn".into(),
        db_pool_size: 4,
        upload: UploadLimits::default(),
        // holds in the data expire in ten years; nothing to sweep
        kiosk: KioskSettings {
            hold_sweep_ms: 0,
            ..KioskSettings::default()
        },
        webhooks: Default::default(),
        outbound: Default::default(),
        security: anju::config::SecuritySettings::default(),
        http: anju::config::HttpLimits::default(),
        retention: anju::config::RetentionSettings::default(),
        secrets_dir: dir.to_path_buf(),
        admin_token_generated: false,
    }
}

/// The variants timed: every stats route with the parameters officials use.
fn variants(month: &str) -> Vec<String> {
    let mut v = vec!["/api/v1/stats/overview".to_string()];
    for by in ["developer", "project", "district", "zone"] {
        v.push(format!("/api/v1/stats/destocking?group_by={by}"));
        for p in ["xun", "month", "quarter", "year"] {
            v.push(format!("/api/v1/stats/destocking?group_by={by}&period={p}"));
        }
    }
    v.push("/api/v1/stats/destocking?group_by=district&from=2026-04-01&to=2026-06-30".into());
    v.push(
        "/api/v1/stats/destocking?group_by=project&period=month&from=2026-07-01&to=2026-09-30"
            .into(),
    );
    for level in ["district", "project"] {
        v.push(format!("/api/v1/stats/rankings?level={level}"));
        v.push(format!(
            "/api/v1/stats/rankings?level={level}&month={month}"
        ));
    }
    v.push("/api/v1/stats/settlement".into());
    v.push("/api/v1/stats/settlement?developer_id=5".into());
    v.push("/api/v1/stats/settlement?developer_id=5&page=20".into());
    for report in ["destocking", "rankings", "settlement"] {
        for format in ["csv", "xlsx"] {
            v.push(format!(
                "/api/v1/stats/export?report={report}&format={format}"
            ));
        }
    }
    v.push(
        "/api/v1/stats/export?report=destocking&group_by=project&period=month&format=xlsx".into(),
    );
    v.push("/api/v1/stats/charts/selections-trend.svg".into());
    v.push("/api/v1/stats/charts/selections-trend.svg?period=month".into());
    v.push("/api/v1/stats/charts/absorption-by-district.svg".into());
    v.push("/api/v1/audit".into());
    v.push("/api/v1/audit?action=reservation.confirmed".into());
    v.push("/api/v1/audit?actor=official:6".into());
    v.push("/api/v1/audit?object_kind=reservation&object_id=4244".into());
    v.push("/api/v1/audit?from=2026-06-01&to=2026-06-30&page=50".into());
    v
}

pub(crate) struct Timing {
    pub(crate) variant: String,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    pub(crate) max: Duration,
    pub(crate) bytes: usize,
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

pub(crate) async fn time_routes(port: u16, requests: usize, only: Option<&str>) -> Vec<Timing> {
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let month = {
        let d = anju::domain::periods::local_day(chrono::Utc::now().timestamp_millis());
        let prev = anju::domain::periods::previous_month(d / 100 * 100 + 1).0;
        format!("{}-{:02}", prev / 10_000, prev / 100 % 100)
    };
    let mut out = Vec::new();
    for variant in variants(&month) {
        if only.is_some_and(|o| !variant.contains(o)) {
            continue;
        }
        let get = || async {
            let t = Instant::now();
            let res = client
                .get(format!("{base}{variant}"))
                .bearer_auth(ADMIN)
                .send()
                .await
                .expect("request");
            let status = res.status();
            let body = res.bytes().await.expect("body");
            assert!(
                status.is_success(),
                "{variant}: {status} {}",
                String::from_utf8_lossy(&body)
            );
            (t.elapsed(), body.len())
        };
        for _ in 0..3 {
            get().await;
        }
        let mut times = Vec::with_capacity(requests);
        let mut bytes = 0;
        for _ in 0..requests {
            let (d, n) = get().await;
            times.push(d);
            bytes = n;
        }
        times.sort_unstable();
        let timing = Timing {
            variant: variant.clone(),
            p50: pct(&times, 0.50),
            p99: pct(&times, 0.99),
            max: *times.last().expect("timed"),
            bytes,
        };
        println!(
            "  {:<88} p50 {:>7.1} ms  p99 {:>7.1} ms",
            timing.variant,
            ms(timing.p50),
            ms(timing.p99)
        );
        out.push(timing);
    }
    out
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub(crate) fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
