//! Upload throughput: a 100 000-unit CSV parsed, stored all-or-nothing (SQLite, and PostgreSQL
//! when ANJU_BENCH_POSTGRES_URL is set), and once end to end over HTTP.
//! Run: `cargo bench --bench upload` (ANJU_BENCH_ROWS overrides the row count).

use std::sync::Arc;
use std::time::Instant;

use anju::clock::{Clock, SystemClock};
use anju::config::{Config, Secret, UploadLimits};
use anju::db::audit::{Actor, AuditCtx};
use anju::db::developers::NewDeveloperRow;
use anju::domain::project::{NewProject, ProjectInput};
use anju::domain::status::DeveloperStatus;
use anju::upload::UploadFormat;

const ADMIN: &str = "ot_bench_admin_token_000000000001";

fn csv(rows: usize) -> Vec<u8> {
    let layouts = [
        "1室1厅1卫",
        "2室1厅1卫",
        "3室2厅2卫",
        "两室两厅一卫",
        "4房2厅2卫",
    ];
    let orient = ["南", "南北", "东南", "西", "北"];
    let deco = ["毛坯", "简装", "精装"];
    let mut s =
        String::from("楼栋,单元,房号,楼层,户型,建筑面积,套内面积,备案单价,朝向,装修标准,备注\n");
    for i in 0..rows {
        let building = i / 2000 + 1;
        let unit = (i / 200) % 10 + 1;
        let floor = (i / 4) % 50 + 1;
        let area = 4500 + (i * 37) % 12000;
        s.push_str(&format!(
            "{building}号楼,{unit},{floor}{:02},{floor},{},{}.{:02},,{},{},{},南北通透 近地铁\n",
            i % 4 + 1,
            layouts[i % layouts.len()],
            area / 100,
            area % 100,
            9000 + (i * 13) % 20000,
            orient[i % orient.len()],
            deco[i % deco.len()],
        ));
    }
    s.into_bytes()
}

fn config(dir: &std::path::Path, database_url: String) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        database_url,
        index_dir: dir.join("index"),
        admin_token: Secret::new(ADMIN),
        data_key: [1u8; 32],
        data_key_previous: None,
        log: "warn".into(),
        db_pool_size: 4,
        upload: UploadLimits::default(),
        kiosk: Default::default(),
        webhooks: Default::default(),
        outbound: Default::default(),
        security: anju::config::SecuritySettings::default(),
        http: anju::config::HttpLimits::default(),
        retention: anju::config::RetentionSettings::default(),
        secrets_dir: dir.to_path_buf(),
        admin_token_generated: false,
    }
}

/// A developer and a project, straight through the store.
fn seed(state: &anju::state::AppState) -> i64 {
    let mut c = state.pool.get().unwrap();
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: None,
        now_ms: SystemClock.now_ms(),
    };
    let code = anju::domain::credit_code::with_check_char("91350100M00000001").unwrap();
    let dev = anju::db::developers::create(
        &mut c,
        &ctx,
        NewDeveloperRow {
            name: "基准置业",
            credit_code: &code,
            contact_name_enc: state.cipher.encrypt("李四"),
            contact_name_masked: "李*".into(),
            contact_phone_enc: state.cipher.encrypt("13900000000"),
            contact_phone_masked: "139****0000".into(),
            status: "pending",
            created_at_ms: ctx.now_ms,
            updated_at_ms: ctx.now_ms,
        },
    )
    .unwrap();
    anju::db::developers::set_status(&mut c, &ctx, dev.id, DeveloperStatus::Approved, None)
        .unwrap();
    let p = NewProject::parse(ProjectInput {
        name: "基准楼盘",
        district: "高新区",
        zone_class: 2,
        address: "重庆路1号",
        lat: None,
        lng: None,
        presale_permit_no: "p-1",
        delivery: "ready",
        delivery_date: None,
        amenities: &[],
        description: "",
    })
    .unwrap();
    anju::db::projects::create(&mut c, &ctx, dev.id, &p)
        .unwrap()
        .0
        .id
}

fn store(label: &str, database_url: String, body: &[u8], rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let state =
        anju::startup::prepare_state(&config(dir.path(), database_url), Arc::new(SystemClock))
            .unwrap();
    let pid = seed(&state);
    let t = Instant::now();
    let parsed = anju::upload::units::check_units(body, UploadFormat::Csv, 100_000).unwrap();
    assert!(parsed.errors.is_empty());
    let mode = anju::upload::units::ImportMode::Upsert;
    let parse = t.elapsed();
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: None,
        now_ms: SystemClock.now_ms(),
    };
    let mut c = state.pool.get().unwrap();
    let t = Instant::now();
    let out = anju::db::units::import(&mut c, &ctx, pid, mode, &parsed).unwrap();
    let insert = t.elapsed();
    assert_eq!(out.created, rows);
    // the same file again: every row compared and left unchanged
    let t = Instant::now();
    let again = anju::db::units::import(&mut c, &ctx, pid, mode, &parsed).unwrap();
    let unchanged = t.elapsed();
    assert_eq!(again.unchanged, rows);
    println!(
        "{label}: parse {rows} rows {:.0} ms ({:.0} rows/s); store (insert) {:.0} ms = {:.0} units/s; re-upload unchanged {:.0} ms = {:.0} units/s",
        parse.as_secs_f64() * 1e3,
        rows as f64 / parse.as_secs_f64(),
        insert.as_secs_f64() * 1e3,
        rows as f64 / insert.as_secs_f64(),
        unchanged.as_secs_f64() * 1e3,
        rows as f64 / unchanged.as_secs_f64()
    );
}

async fn http(body: Vec<u8>, rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        format!("sqlite://{}", dir.path().join("anju.db").display()),
    );
    let app = anju::startup::Application::build(&cfg).unwrap();
    let pid = seed(&app.state);
    let key = {
        let k = anju::domain::token::TokenKind::Developer.generate();
        let mut c = app.state.pool.get().unwrap();
        let ctx = AuditCtx {
            actor: Actor::System,
            request_id: None,
            now_ms: SystemClock.now_ms(),
        };
        anju::db::developers::add_key(
            &mut c,
            &ctx,
            1,
            &anju::domain::token::hash_token(&k),
            "dk_bench",
        )
        .unwrap();
        k
    };
    let url = format!(
        "http://127.0.0.1:{}/api/v1/projects/{pid}/units/import",
        app.port()
    );
    tokio::spawn(app.run_until_stopped());
    let t = Instant::now();
    let res = reqwest::Client::new()
        .post(url)
        .bearer_auth(key)
        .header("Content-Type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let took = t.elapsed();
    println!(
        "sqlite HTTP end to end: {rows} units in {:.0} ms = {:.0} units/s",
        took.as_secs_f64() * 1e3,
        rows as f64 / took.as_secs_f64()
    );
}

fn main() {
    let rows: usize = std::env::var("ANJU_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let body = csv(rows);
    println!(
        "upload benchmark: {rows} rows, {:.1} MiB CSV",
        body.len() as f64 / 1048576.0
    );
    let dir = tempfile::tempdir().unwrap();
    store(
        "sqlite",
        format!("sqlite://{}", dir.path().join("bench.db").display()),
        &body,
        rows,
    );
    if let Ok(url) = std::env::var("ANJU_BENCH_POSTGRES_URL") {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("anju_bench_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&url).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap();
        let prefix = url.rsplit_once('/').unwrap().0;
        store("postgres", format!("{prefix}/{name}"), &body, rows);
        diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .unwrap();
    }
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(http(body, rows));
}
