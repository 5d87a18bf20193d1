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

fn env_num(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ' '], "").parse().ok())
        .unwrap_or(default)
}

struct Sizes {
    units: i64,
    reservations: i64,
    households: i64,
    audit: i64,
}

/// `a⁻¹ mod m` (a and m coprime).
fn inverse(a: i64, m: i64) -> i64 {
    let (mut t, mut new_t, mut r, mut new_r) = (0i128, 1i128, m as i128, a as i128);
    while new_r != 0 {
        let q = r / new_r;
        (t, new_t) = (new_t, t - q * new_t);
        (r, new_r) = (new_r, r - q * new_r);
    }
    assert_eq!(r, 1, "not coprime");
    (t.rem_euclid(m as i128)) as i64
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// 1..=n as a row source `g(i)` of 64-bit integers on either backend.
fn series(pg: bool, n: i64) -> String {
    if pg {
        format!("generate_series(1::bigint, {n}::bigint) AS g(i)")
    } else {
        format!(
            "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) \
             SELECT i FROM s) AS g"
        )
    }
}

fn exec(conn: &mut AnyConnection, sql: &str) {
    let r = anju::with_backend!(conn, c => diesel::sql_query(sql).execute(c));
    if let Err(e) = r {
        panic!("{e}: {}", &sql[..sql.len().min(300)]);
    }
}

/// Generates the marketplace. Reservation r sits on unit `(r-1)·M mod U + 1` (M coprime to U, so
/// every reservation has its own unit, spread over all projects); a unit's status follows its
/// reservation: confirmed → reserved, contracted → sold, cancelled → available, held → held.
/// Confirmations run over the 365 local days ending today in reservation-id order.
fn load(conn: &mut AnyConnection, pg: bool, s: &Sizes, now_ms: i64) {
    let (u, r, h) = (s.units, s.reservations, s.households);
    assert!(r <= u, "more reservations than units");
    let per_project = (u + PROJECTS - 1) / PROJECTS;
    let mult = [7919i64, 104_729, 15_485_863]
        .into_iter()
        .find(|m| gcd(*m, u) == 1)
        .expect("a multiplier coprime to the unit count");
    let minv = inverse(mult % u, u);
    let t = |name: &str, start: Instant| {
        println!("  {name:<13} {:>7.1} s", start.elapsed().as_secs_f64())
    };

    let start = Instant::now();
    let devs: Vec<String> = (1..=DEVELOPERS)
        .map(|d| {
            format!(
                "({d}, '基准{d:02}置业有限公司', 'BENCH{d:013}', 'x', '张*', 'x', '138****0000', \
                 'approved', {now_ms}, {now_ms})"
            )
        })
        .collect();
    exec(
        conn,
        &format!(
            "INSERT INTO developers (id, name, credit_code, contact_name_enc, contact_name_masked, \
             contact_phone_enc, contact_phone_masked, status, created_at_ms, updated_at_ms) VALUES {}",
            devs.join(", ")
        ),
    );
    // 1 000 approved projects with units, and 20 pending ones without
    let projects: Vec<String> = (1..=PROJECTS + 20)
        .map(|p| {
            let (district, zone) = DISTRICTS[((p * 7) % 15) as usize];
            let status = if p > PROJECTS { "pending" } else { "approved" };
            format!(
                "({p}, {dev}, '基准楼盘{p:04}', '{district}', {zone}, '{district}解放大道{p}号', \
                 '2026预字第{p:04}号', 'ready', '[]', '', '{status}', {now_ms}, {now_ms})",
                dev = (p - 1) % DEVELOPERS + 1
            )
        })
        .collect();
    exec(
        conn,
        &format!(
            "INSERT INTO projects (id, developer_id, name, district, zone_class, address, \
             presale_permit_no, delivery, amenities, description, status, created_at_ms, \
             updated_at_ms) VALUES {}",
            projects.join(", ")
        ),
    );
    t("developers, projects", start);

    let start = Instant::now();
    let res_of = format!("(((i - 1) * {minv}) % {u})");
    exec(
        conn,
        &format!(
            "INSERT INTO units (id, project_id, building, unit, room, floor, layout, rooms, halls, \
             baths, area_centi_m2, price_per_m2_yuan, total_price_yuan, orientation, decoration, \
             description, status, created_at_ms, updated_at_ms) \
             SELECT i, (i - 1) / {per_project} + 1, \
             CAST(((i - 1) % {per_project}) / 100 + 1 AS TEXT), \
             CAST(((i - 1) % 100) / 50 + 1 AS TEXT), CAST((i - 1) % 50 + 101 AS TEXT), \
             (i - 1) % 50 / 2 + 1, CAST(i % 4 + 1 AS TEXT) || '室2厅1卫', i % 4 + 1, 2, 1, \
             4500 + (i * 7919) % 12000, 6000 + (i * 104729) % 14000, \
             (4500 + (i * 7919) % 12000) * (6000 + (i * 104729) % 14000) / 100, '南北', 'basic', \
             '南北通透 近地铁', \
             CASE WHEN {res_of} < {r} THEN \
               CASE WHEN {res_of} % 20 < 10 THEN 'reserved' WHEN {res_of} % 20 < 16 THEN 'sold' \
               WHEN {res_of} % 20 < 19 THEN 'available' ELSE 'held' END \
             WHEN i % 97 = 0 THEN 'withdrawn' ELSE 'available' END, {now_ms}, {now_ms} \
             FROM {}",
            series(pg, u)
        ),
    );
    t("units", start);

    let start = Instant::now();
    exec(
        conn,
        &format!(
            "INSERT INTO households (id, name_enc, name_masked, name_hmac, id_number_enc, \
             id_number_masked, id_number_hmac, phone_enc, phone_masked, expropriation_project, \
             origin_area_centi_m2, remaining_origin_area_centi_m2, origin_zone, \
             assessed_price_yuan_per_m2, signed_at_ms, family_size, method, voucher_no, pin_hash, \
             created_at_ms, updated_at_ms) \
             SELECT i, 'x', '张*', 'n' || CAST(i AS TEXT), 'x', '4201**********0000', \
             'id' || CAST(i AS TEXT), 'x', '138****0000', '棚改' || CAST(i % 5 AS TEXT), \
             8000 + i % 4000, 8000 + i % 4000, 1 + i % 3, 12000, {signed}, 1 + i % 5, \
             CASE WHEN (i - 1) % 20 < 12 THEN 'hall' WHEN (i - 1) % 20 < 17 THEN 'in_kind' \
             ELSE 'cash' END, 'V' || CAST(i AS TEXT), 'x', {now_ms}, {now_ms} FROM {}",
            series(pg, h),
            signed = now_ms - 300 * 86_400_000,
        ),
    );
    t("households", start);

    // the 365 local days ending today: index, YYYYMMDD, noon Shanghai as UTC ms
    let start = Instant::now();
    let today = anju::domain::periods::local_day(now_ms);
    let today = NaiveDate::from_ymd_opt(
        today / 10_000,
        (today / 100 % 100) as u32,
        (today % 100) as u32,
    )
    .expect("today");
    let days: Vec<String> = (0..365)
        .map(|d| {
            let date = today - Days::days(364 - d);
            let ms = date
                .and_time(NaiveTime::from_hms_opt(4, 0, 0).expect("time"))
                .and_utc()
                .timestamp_millis();
            format!("({d}, {}, {ms})", anju::domain::periods::day_of(date))
        })
        .collect();
    exec(
        conn,
        "CREATE TEMPORARY TABLE bench_days (d BIGINT PRIMARY KEY, day BIGINT NOT NULL, ms BIGINT NOT NULL)",
    );
    exec(
        conn,
        &format!(
            "INSERT INTO bench_days (d, day, ms) VALUES {}",
            days.join(", ")
        ),
    );
    let hall_blocks = h / 20 * 12;
    assert!(hall_blocks > 0, "too few households");
    let st = "(i - 1) % 20";
    exec(
        conn,
        &format!(
            "INSERT INTO reservations (id, household_id, unit_id, status, held_at_ms, expires_at_ms, \
             confirmed_at_ms, confirmed_day, contracted_at_ms, ended_at_ms, policy_version, \
             entitled_centi_m2, covered_centi_m2, origin_consumed_centi_m2, gov_pays_yuan, \
             top_up_yuan, reward_yuan, contract_no, cancel_reason, updated_at_ms) \
             SELECT i, ((i - 1) % {hall_blocks}) / 12 * 20 + ((i - 1) % {hall_blocks}) % 12 + 1, \
             ((i - 1) * {mult}) % {u} + 1, \
             CASE WHEN {st} < 10 THEN 'confirmed' WHEN {st} < 16 THEN 'contracted' \
               WHEN {st} < 19 THEN 'cancelled' ELSE 'held' END, \
             CASE WHEN {st} < 19 THEN d.ms - 600000 ELSE {now_ms} - 60000 END, \
             CASE WHEN {st} < 19 THEN d.ms + 300000 ELSE {far} END, \
             CASE WHEN {st} < 19 THEN d.ms END, CASE WHEN {st} < 19 THEN d.day END, \
             CASE WHEN {st} >= 10 AND {st} < 16 THEN d.ms + 86400000 END, \
             CASE WHEN {st} >= 16 AND {st} < 19 THEN d.ms + 172800000 END, \
             CASE WHEN {st} < 19 THEN 1 END, CASE WHEN {st} < 19 THEN 9000 END, \
             CASE WHEN {st} < 19 THEN 8500 END, CASE WHEN {st} < 19 THEN 7000 END, \
             CASE WHEN {st} < 19 THEN 300000 + (i * 7919) % 500000 END, \
             CASE WHEN {st} < 19 THEN (i * 104729) % 80000 END, \
             CASE WHEN {st} < 19 THEN 21000 END, \
             CASE WHEN {st} >= 10 AND {st} < 16 THEN 'HT' || CAST(i AS TEXT) END, \
             CASE WHEN {st} >= 16 AND {st} < 19 THEN '基准撤销' END, d.ms \
             FROM {} JOIN bench_days d ON d.d = ((i - 1) * 365) / {r}",
            series(pg, r),
            far = now_ms + 3650 * 86_400_000i64,
        ),
    );
    exec(conn, "DROP TABLE bench_days");
    t("reservations", start);

    let start = Instant::now();
    let a = s.audit.max(1);
    exec(
        conn,
        &format!(
            "INSERT INTO audit_events (at_ms, actor_kind, actor_id, action, object_kind, object_id, \
             request_id, details) \
             SELECT {first} + (i - 1) * {gap}, \
             CASE i % 4 WHEN 0 THEN 'household' WHEN 1 THEN 'official' WHEN 2 THEN 'developer' \
               ELSE 'system' END, CASE WHEN i % 4 < 3 THEN i % 1000 + 1 END, \
             CASE i % 4 WHEN 0 THEN 'reservation.confirmed' WHEN 1 THEN 'household.read' \
               WHEN 2 THEN 'unit.updated' ELSE 'hold.expired' END, \
             CASE i % 4 WHEN 1 THEN 'household' WHEN 2 THEN 'unit' ELSE 'reservation' END, \
             i % 100000 + 1, NULL, '{{}}' FROM {}",
            series(pg, s.audit),
            first = now_ms - 365 * 86_400_000i64,
            gap = 365 * 86_400_000i64 / a,
        ),
    );
    t("audit events", start);

    if pg {
        for table in [
            "developers",
            "projects",
            "units",
            "households",
            "reservations",
            "audit_events",
        ] {
            let col = "id";
            exec(
                conn,
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{col}'), \
                     (SELECT MAX({col}) FROM {table}))"
                ),
            );
        }
    }
}

fn config(dir: &std::path::Path, database_url: String) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        database_url,
        index_dir: dir.join("index"),
        admin_token: Secret::new(ADMIN),
        data_key: [7u8; 32],
        log: "warn".into(),
        db_pool_size: 4,
        upload: UploadLimits::default(),
        // holds in the data expire in ten years; nothing to sweep
        kiosk: KioskSettings {
            hold_sweep_ms: 0,
            ..KioskSettings::default()
        },
        webhooks: Default::default(),
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

struct Timing {
    variant: String,
    p50: Duration,
    p99: Duration,
    max: Duration,
    bytes: usize,
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

async fn time_routes(port: u16, requests: usize, only: Option<&str>) -> Vec<Timing> {
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

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
