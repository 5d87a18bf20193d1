//! Latency of the officials' figures at city scale: generates a marketplace straight into the real
//! schema (the app's migrations), starts the real service on port 0 and times every stats route
//! over HTTP, one client, on SQLite and (with ANJU_BENCH_POSTGRES_URL) on PostgreSQL.
//!
//! Run: `ANJU_BENCH_UNITS=1000000 ANJU_BENCH_RESERVATIONS=200000 cargo bench --bench stats`
//! (those are the defaults). Also: ANJU_BENCH_HOUSEHOLDS (150 000), ANJU_BENCH_AUDIT (200 000
//! audit events), ANJU_BENCH_REQUESTS (timed requests per variant, 100), ANJU_BENCH_ONLY (time only
//! variants whose name contains it), ANJU_BENCH_ANALYZE=0 (skip `ANALYZE` after the load),
//! ANJU_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (adds PostgreSQL, in a scratch
//! database created and dropped here), ANJU_BENCH_KEEP=1 (keep and reuse the generated databases:
//! /tmp/anju-bench-stats/anju.db and PostgreSQL database `anju_bench_stats`).

use std::time::{Duration, Instant};

use anju::config::{Config, KioskSettings, Secret, UploadLimits};
use anju::db::AnyConnection;
use chrono::{Duration as Days, NaiveDate, NaiveTime};
use diesel::{Connection, RunQueryDsl};

mod generate;
mod timing;

use generate::{env_num, exec, load, Sizes};
use timing::{config, ms, time_routes, uptime, Timing};

const ADMIN: &str = "ot_bench_stats_admin_token_000000001";
const PROJECTS: i64 = 1_000;
const DEVELOPERS: i64 = 12;
const DISTRICTS: [(&str, i64); 15] = [
    ("江岸区", 1),
    ("江汉区", 1),
    ("硚口区", 1),
    ("武昌区", 1),
    ("汉阳区", 2),
    ("青山区", 2),
    ("洪山区", 2),
    ("东西湖区", 2),
    ("汉南区", 3),
    ("蔡甸区", 3),
    ("江夏区", 3),
    ("黄陂区", 3),
    ("新洲区", 3),
    ("东湖高新区", 2),
    ("经开区", 3),
];

/// Loads (unless kept from an earlier run), serves and times one backend.
fn run_backend(
    name: &str,
    url: String,
    dir: &std::path::Path,
    s: &Sizes,
    fresh: bool,
) -> Vec<Timing> {
    let pg = anju::db::is_postgres(&url);
    let cfg = config(dir, url);
    let now_ms = chrono::Utc::now().timestamp_millis();
    let pool = anju::startup::open_database(&cfg, now_ms).expect("database opens");
    {
        let mut conn = pool.get().expect("connection");
        if fresh {
            println!(
                "{name}: generating {} units, {} reservations, {} households, {} audit events",
                s.units, s.reservations, s.households, s.audit
            );
            let t = Instant::now();
            load(&mut conn, pg, s, now_ms);
            println!("  load total    {:>7.1} s", t.elapsed().as_secs_f64());
            if std::env::var("ANJU_BENCH_ANALYZE").as_deref() != Ok("0") {
                let t = Instant::now();
                exec(&mut conn, if pg { "VACUUM ANALYZE" } else { "ANALYZE" });
                println!(
                    "  {:<13} {:>7.1} s",
                    if pg { "VACUUM ANALYZE" } else { "ANALYZE" },
                    t.elapsed().as_secs_f64()
                );
            }
        } else {
            println!("{name}: reusing the generated data");
        }
    }
    drop(pool);
    let requests = env_num("ANJU_BENCH_REQUESTS", 100) as usize;
    let only = std::env::var("ANJU_BENCH_ONLY").ok();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let app = anju::startup::Application::build(&cfg).expect("app builds");
        let port = app.port();
        let handle = tokio::spawn(app.run_until_stopped());
        println!(
            "{name}: timing {requests} requests per variant (load average {})",
            uptime()
        );
        let timings = time_routes(port, requests, only.as_deref()).await;
        println!("{name}: done (load average {})", uptime());
        handle.abort();
        timings
    })
}

fn print_table(results: &[(&str, Vec<Timing>)]) {
    println!();
    println!("| route and parameters | backend | p50 | p99 | max | response |");
    println!("|---|---|---|---|---|---|");
    for (backend, timings) in results {
        for t in timings {
            let miss = if t.p99 > Duration::from_millis(200) {
                " ✗"
            } else {
                ""
            };
            println!(
                "| `{}` | {backend} | {:.1} ms | {:.1} ms{miss} | {:.1} ms | {:.1} KiB |",
                t.variant.trim_start_matches("/api/v1"),
                ms(t.p50),
                ms(t.p99),
                ms(t.max),
                t.bytes as f64 / 1024.0
            );
        }
    }
}

fn main() {
    anju::telemetry::init("warn");
    let sizes = Sizes {
        units: env_num("ANJU_BENCH_UNITS", 1_000_000),
        reservations: env_num("ANJU_BENCH_RESERVATIONS", 200_000),
        households: env_num("ANJU_BENCH_HOUSEHOLDS", 150_000),
        audit: env_num("ANJU_BENCH_AUDIT", 200_000),
    };
    let keep = std::env::var("ANJU_BENCH_KEEP").as_deref() == Ok("1");
    let mut results = Vec::new();

    let kept_dir = std::path::PathBuf::from("/tmp/anju-bench-stats");
    let temp = tempfile::Builder::new()
        .prefix("anju-bench-stats-")
        .tempdir_in("/tmp")
        .expect("temp dir");
    let dir = if keep {
        kept_dir.as_path()
    } else {
        temp.path()
    };
    std::fs::create_dir_all(dir).expect("bench dir");
    let db = dir.join("anju.db");
    let fresh = !(keep && db.exists());
    let sqlite = run_backend(
        "SQLite",
        format!("sqlite://{}", db.display()),
        dir,
        &sizes,
        fresh,
    );
    results.push(("SQLite", sqlite));

    if let Ok(admin_url) = std::env::var("ANJU_BENCH_POSTGRES_URL") {
        let name = if keep {
            "anju_bench_stats".to_string()
        } else {
            format!("anju_bench_stats_{}", std::process::id())
        };
        let mut admin = diesel::PgConnection::establish(&admin_url).expect("postgres reachable");
        let exists = diesel::sql_query(format!(
            "SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"
        ))
        .execute(&mut admin)
        .expect("pg_database")
            > 0;
        if !exists {
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .expect("create scratch database");
        }
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b.to_string(), format!("?{q}")),
            None => (admin_url.clone(), String::new()),
        };
        let prefix = base
            .rsplit_once('/')
            .map(|(p, _)| p.to_string())
            .unwrap_or(base);
        let pg_dir = dir.join("pg");
        std::fs::create_dir_all(&pg_dir).expect("pg dir");
        let timings = run_backend(
            "PostgreSQL",
            format!("{prefix}/{name}{query}"),
            &pg_dir,
            &sizes,
            !exists,
        );
        if !keep {
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .expect("drop scratch database");
        }
        results.push(("PostgreSQL", timings));
    }
    print_table(&results);
}
