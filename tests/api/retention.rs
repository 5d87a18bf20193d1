//! Issue 14's retention: finished webhook deliveries, idempotency keys and ended or expired
//! kiosk sessions go after their configured days, on the app's clock, in batches; recent and
//! pending rows stay, and the audit log is never pruned.

use std::time::{Duration, Instant};

use anju::clock::Clock as _;
use anju::config::RetentionSettings;
use anju::db::schema::{idempotency_keys as k, kiosk_sessions as s, webhook_deliveries as d};
use anju::jobs::pruner::{prune_once, Pruned};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{spawn_app_with, TestApp, ADMIN_TOKEN, START_MS};

const DAY: i64 = 86_400_000;

impl TestApp {
    fn delivery(&self, developer_id: i64, status: &str, created_at_ms: i64) -> i64 {
        diesel::insert_into(d::table)
            .values((
                d::developer_id.eq(developer_id),
                d::event.eq("hold.created"),
                d::payload.eq("{}"),
                d::status.eq(status),
                d::attempts.eq(1),
                // a pending one waits for a retry beyond the test (the worker leaves it alone)
                d::next_attempt_at_ms.eq(if status == "pending" {
                    START_MS + 365 * DAY
                } else {
                    created_at_ms
                }),
                d::created_at_ms.eq(created_at_ms),
            ))
            .returning(d::id)
            .get_result(&mut *self.conn())
            .unwrap()
    }

    fn idempotency_key(&self, key: &str, created_at_ms: i64) {
        diesel::insert_into(k::table)
            .values((
                k::scope.eq("household:1"),
                k::idem_key.eq(key),
                k::request_hash.eq("h"),
                k::status_code.eq(201),
                k::response_body.eq("{}"),
                k::created_at_ms.eq(created_at_ms),
            ))
            .execute(&mut *self.conn())
            .unwrap();
    }

    fn session(&self, household_id: i64, expires_at_ms: i64, ended: bool) -> i64 {
        diesel::insert_into(s::table)
            .values((
                s::household_id.eq(household_id),
                s::token_hash.eq(uuid::Uuid::new_v4().to_string()),
                s::created_at_ms.eq(expires_at_ms - 600_000),
                s::last_seen_ms.eq(expires_at_ms - 300_000),
                s::expires_at_ms.eq(expires_at_ms),
                s::ended_at_ms.eq(ended.then_some(expires_at_ms - 200_000)),
            ))
            .returning(s::id)
            .get_result(&mut *self.conn())
            .unwrap()
    }

    fn prune(&self) -> Pruned {
        prune_once(
            &self.state.pool,
            self.clock.now_ms(),
            &RetentionSettings::default(),
        )
        .unwrap()
    }

    fn remaining(&self) -> (Vec<i64>, Vec<String>, Vec<i64>) {
        let mut c = self.conn();
        let mut deliveries: Vec<i64> = d::table.select(d::id).load(&mut *c).unwrap();
        let mut keys: Vec<String> = k::table.select(k::idem_key).load(&mut *c).unwrap();
        let mut sessions: Vec<i64> = s::table.select(s::id).load(&mut *c).unwrap();
        deliveries.sort_unstable();
        keys.sort_unstable();
        sessions.sort_unstable();
        (deliveries, keys, sessions)
    }
}

#[tokio::test]
async fn old_finished_rows_are_pruned_while_recent_and_pending_ones_and_the_audit_log_stay() {
    let app = spawn_app_with(|c| c.retention.every_secs = 0).await;
    let dev = app.approved_developer(1).await;
    let (household, _, _) = app.household(1, "80.00", 1).await;
    let now = START_MS;
    let _delivered_old = app.delivery(dev.id, "delivered", now - 31 * DAY);
    let _failed_old = app.delivery(dev.id, "failed", now - 31 * DAY);
    let pending_old = app.delivery(dev.id, "pending", now - 31 * DAY);
    let delivered_recent = app.delivery(dev.id, "delivered", now - 29 * DAY);
    app.idempotency_key("old", now - 8 * DAY);
    app.idempotency_key("recent", now - 6 * DAY);
    let _ended_old = app.session(household, now - 31 * DAY, true);
    let expired_recent = app.session(household, now - 29 * DAY, false);
    let live = app.session(household, now + 60_000, false);
    let audit_before = app.audit_total();

    let keep_all = RetentionSettings {
        deliveries_days: 0,
        idempotency_days: 0,
        sessions_days: 0,
        ..RetentionSettings::default()
    };
    assert_eq!(
        prune_once(&app.state.pool, now, &keep_all).unwrap(),
        Pruned::default(),
        "0 days keeps everything"
    );

    let pruned = app.prune();
    assert_eq!(
        pruned,
        Pruned {
            deliveries: 2,
            idempotency_keys: 1,
            kiosk_sessions: 1
        }
    );
    assert_eq!(
        app.remaining(),
        (
            vec![pending_old, delivered_recent],
            vec!["recent".to_string()],
            vec![expired_recent, live]
        )
    );

    // two days on, the recent ones are old too; pending deliveries and live sessions stay
    app.clock.advance(2 * DAY);
    let pruned = app.prune();
    assert_eq!(
        pruned,
        Pruned {
            deliveries: 1,
            idempotency_keys: 1,
            kiosk_sessions: 1
        }
    );
    assert_eq!(app.remaining(), (vec![pending_old], vec![], vec![live]));

    assert_eq!(
        app.audit_total(),
        audit_before,
        "the audit log is never pruned"
    );
    assert_eq!(app.verify_audit().broken, None);
}

#[tokio::test]
async fn an_idempotency_key_replays_for_its_whole_retention_and_is_pruned_after() {
    let app = spawn_app_with(|c| c.retention.every_secs = 0).await;
    let (_dev, units) = app.units_for_sale(1).await;
    let kiosk = app.kiosks(1).await.remove(0);
    app.open_round(&[kiosk.id], 1).await;
    let (status, first) = app.hold(&kiosk.token, units[0], Some("tap-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");

    app.clock.advance(7 * DAY - 60_000);
    assert_eq!(app.prune().idempotency_keys, 0);
    // the session timed out long ago: a new one, the same household, the same key
    let token = app.kiosk_token(&kiosk.voucher, &kiosk.pin).await;
    let res = app
        .client
        .post(app.url("/api/v1/kiosk/holds"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "tap-1")
        .json(&serde_json::json!({ "unit_id": units[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers().contains_key("idempotent-replayed"));
    let replayed: serde_json::Value = res.json().await.unwrap();
    assert_eq!(replayed["id"], first["id"]);

    app.clock.advance(2 * 60_000);
    assert_eq!(app.prune().idempotency_keys, 1);
    assert_eq!(app.remaining().1, Vec::<String>::new());
}

#[tokio::test]
async fn the_pruning_job_runs_on_its_interval_in_batches() {
    let app = spawn_app_with(|c| c.retention.every_secs = 1).await;
    // more than two batches' worth, stored a month before the app's clock
    let old = START_MS - 30 * DAY;
    let rows: Vec<_> = (0..1_200)
        .map(|n| {
            (
                k::scope.eq("household:1"),
                k::idem_key.eq(format!("old-{n}")),
                k::request_hash.eq("h"),
                k::status_code.eq(201),
                k::response_body.eq("{}"),
                k::created_at_ms.eq(old + n),
            )
        })
        .collect();
    for chunk in rows.chunks(200) {
        anju::db::insert_rows(&mut app.conn(), k::table, chunk).unwrap();
    }
    app.idempotency_key("fresh", START_MS);
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.remaining().1.len() > 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.remaining().1, vec!["fresh".to_string()]);
}

#[tokio::test]
async fn anju_prune_deletes_once_from_the_command_line() {
    let app = spawn_app_with(|c| c.retention.every_secs = 0).await;
    let dev = app.approved_developer(1).await;
    let (household, _, _) = app.household(1, "80.00", 1).await;
    // 1970: past any retention on the real clock the command uses
    app.delivery(dev.id, "failed", 1_000);
    app.idempotency_key("ancient", 1_000);
    app.session(household, 1_000_000, true);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("prune")
        .env("ANJU_DATABASE_URL", &app.database_url)
        .env("ANJU_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("ANJU_DATA_KEY", hex::encode([42u8; 32]))
        .env("ANJU_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the anju binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("pruned 1 webhook deliveries, 1 idempotency keys, 1 kiosk sessions"),
        "{stderr}"
    );
    assert_eq!(app.remaining(), (vec![], vec![], vec![]));
}
