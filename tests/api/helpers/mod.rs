//! Spawns the real application on port 0 with its own fresh database (a SQLite file in a temp
//! dir, or a new PostgreSQL database when ANJU_TEST_POSTGRES_URL is set) and a temp index.

use anju::clock::ManualClock;
use anju::config::{Config, KioskSettings, Secret, UploadLimits};
use anju::db::AnyConnection;
use anju::state::AppState;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const ADMIN_TOKEN: &str = "ot_test_bootstrap_admin_token_0001";

/// 2026-03-02 09:00:00 UTC
pub const START_MS: i64 = 1_772_442_000_000;

enum TestDb {
    Sqlite,
    /// another instance's database: not ours to drop
    Shared,
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            if let Ok(mut c) = diesel::PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub database_url: String,
    /// the app's time source: tests move it instead of sleeping
    pub clock: std::sync::Arc<ManualClock>,
    /// the app's name resolver: answers only the names a test sets, never asks the network
    pub resolver: std::sync::Arc<anju::outbound::FixedResolver>,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

fn fresh_database(dir: &std::path::Path) -> (String, TestDb) {
    match std::env::var("ANJU_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        None => (
            format!("sqlite://{}", dir.join("anju.db").display()),
            TestDb::Sqlite,
        ),
        Some(admin_url) => {
            let name = format!("anju_t_{}", uuid::Uuid::new_v4().simple());
            let mut c = diesel::PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("ANJU_TEST_POSTGRES_URL is set but unreachable: {e}"));
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .expect("create test database");
            let (base, query) = match admin_url.split_once('?') {
                Some((b, q)) => (b.to_string(), format!("?{q}")),
                None => (admin_url.clone(), String::new()),
            };
            let prefix = base
                .rsplit_once('/')
                .map(|(p, _)| p.to_string())
                .unwrap_or(base.clone());
            (
                format!("{prefix}/{name}{query}"),
                TestDb::Postgres { admin_url, name },
            )
        }
    }
}

pub fn test_config(dir: &std::path::Path, database_url: String) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        database_url,
        index_dir: dir.join("index"),
        admin_token: Secret::new(ADMIN_TOKEN),
        data_key: [42u8; 32],
        data_key_previous: None,
        log: "warn".into(),
        db_pool_size: 8,
        upload: UploadLimits::default(),
        kiosk: KioskSettings::default(),
        webhooks: anju::config::WebhookSettings::default(),
        security: anju::config::SecuritySettings::default(),
        http: anju::config::HttpLimits::default(),
        // the tests' receivers listen on loopback: admitted here, as an operator would admit an
        // on-premises sales system
        outbound: anju::config::OutboundSettings {
            allow: anju::domain::outbound::OutboundPolicy::parse("127.0.0.1/32").unwrap(),
        },
        retention: anju::config::RetentionSettings::default(),
        secrets_dir: dir.to_path_buf(),
        admin_token_generated: false,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A second service instance on `other`'s database, with its own index directory.
pub async fn spawn_second_instance(other: &TestApp, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let url = other.database_url.clone();
    spawn(move |_| (url, TestDb::Shared), adjust).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(fresh_database, adjust).await
}

async fn spawn(
    database: impl FnOnce(&std::path::Path) -> (String, TestDb),
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    anju::telemetry::init("warn");
    let dir = tempfile::tempdir().expect("temp dir");
    let (database_url, db) = database(dir.path());
    let mut config = test_config(dir.path(), database_url.clone());
    adjust(&mut config);
    let clock = ManualClock::new(START_MS);
    let resolver = anju::outbound::FixedResolver::new();
    let app = anju::startup::Application::build_with(&config, clock.clone(), resolver.clone())
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        state,
        database_url,
        clock,
        resolver,
        _db: db,
        _dir: dir,
    }
}

/// A unified social credit code with a valid check character, different for each `n`.
pub fn credit_code(n: u32) -> String {
    let first17 = format!("91350100M{:08}", n);
    anju::domain::credit_code::with_check_char(&first17).expect("valid prefix")
}

pub struct Developer {
    pub id: i64,
    pub key: String,
}

pub async fn into_json(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    assert!(
        res.headers().contains_key("x-request-id"),
        "every response carries X-Request-Id"
    );
    let text = res.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// Asserts an error envelope with `code` and returns its details.
pub fn assert_error(
    status: StatusCode,
    body: &Value,
    expected_status: StatusCode,
    code: &str,
) -> Value {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["error"]["details"].clone()
}

pub const EN_HEADER: &str = "building,unit,room,floor,layout,area_m2,inner_area_m2,price_per_m2_yuan,total_price_yuan,orientation,decoration,description,status";

/// A valid English-header CSV row for room `room` of building `b`.
pub fn en_row(b: &str, room: &str) -> String {
    format!("{b},1,{room},12,3室2厅2卫,89.50,72.30,15000,,南,fine,南北通透,available")
}

pub fn en_csv(rows: &[String]) -> Vec<u8> {
    let mut s = String::from(EN_HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

mod requests;
