//! `anju demo`'s loader against a fresh database: what it holds, search lists it, a slip's
//! voucher and PIN log in at the kiosk, a second run writes nothing, and `anju audit verify`
//! passes on it.

use std::time::{Duration, Instant};

use anju::demo::{DemoReport, DemoSize, DemoSlip};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

/// The full demo's developers, projects and units, but fewer households: each PIN is an argon2id
/// hash, and the full 300 take most of the loader's time in a debug build.
const TEST_SIZE: DemoSize = DemoSize { households: 200 };

/// Runs the loader on a blocking thread (as the command does, outside any request) and keeps
/// the slips it hands out.
async fn load_demo(app: &TestApp, size: DemoSize) -> (DemoReport, Vec<DemoSlip>) {
    let pool = app.state.pool.clone();
    let cipher = app.state.cipher.clone();
    let now = app.state.now_ms();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let mut slips = Vec::new();
        let report = anju::demo::load(
            &mut conn,
            &cipher,
            now,
            size,
            &indicatif::ProgressBar::hidden(),
            &mut |new: &[DemoSlip], _append| {
                slips.extend_from_slice(new);
                Ok(())
            },
        )
        .unwrap();
        (report, slips)
    })
    .await
    .unwrap()
}

/// Row counts of every table the demo writes, the search outbox and the audit log included.
fn table_counts(app: &TestApp) -> Vec<i64> {
    use anju::db::schema::*;
    let mut c = app.conn();
    vec![
        developers::table.count().get_result(&mut *c).unwrap(),
        projects::table.count().get_result(&mut *c).unwrap(),
        units::table.count().get_result(&mut *c).unwrap(),
        households::table.count().get_result(&mut *c).unwrap(),
        rounds::table.count().get_result(&mut *c).unwrap(),
        round_members::table.count().get_result(&mut *c).unwrap(),
        reservations::table.count().get_result(&mut *c).unwrap(),
        listing_changes::table.count().get_result(&mut *c).unwrap(),
        audit_events::table.count().get_result(&mut *c).unwrap(),
    ]
}

#[tokio::test]
async fn the_demo_loads_a_searchable_marketplace_whose_slips_log_in_and_loads_only_once() {
    let app = spawn_app().await;
    let started = Instant::now();
    let (report, slips) = load_demo(&app, TEST_SIZE).await;
    eprintln!("demo loaded in {:.1?}: {report:?}", started.elapsed());

    assert_eq!(report.developers, 12);
    assert_eq!(report.projects(), 50);
    assert!(report.projects_by_zone.iter().all(|n| *n > 0), "{report:?}");
    assert!(report.units >= 2_000, "{report:?}");
    assert!(report.withdrawn_units > 0, "{report:?}");
    assert!(report.households >= 200, "{report:?}");
    assert_eq!(slips.len() as i64, report.households);
    assert_eq!(report.called_up_to, 40);
    assert!(report.confirmed + report.contracted >= 5, "{report:?}");
    assert!(report.contracted > 0, "{report:?}");
    // the history: a closed round with its public notice, handovers, a rescission, move-ins
    assert!(report.history_round_id > report.round_id, "{report:?}");
    assert_eq!(report.notices, 1, "{report:?}");
    assert!(report.handovers >= 6, "{report:?}");
    assert_eq!(report.rescinded, 1, "{report:?}");
    assert!(report.moved_in >= 3, "{report:?}");

    let (status, rounds) = app.get(crate::helpers::ADMIN_TOKEN, "/api/v1/rounds").await;
    assert_eq!(status, StatusCode::OK, "{rounds}");
    let open: Vec<_> = rounds
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "open")
        .collect();
    assert_eq!(open.len(), 1, "{rounds}");
    assert_eq!(open[0]["called_up_to"], 40);

    // search lists exactly the database's listed units once the indexer has caught up
    app.state.indexer.notify();
    assert!(app.index_caught_up(Duration::from_secs(30)).await);
    let listed = anju::db::listings::count_listed(&mut app.conn()).unwrap();
    assert!(listed >= 2_000, "{listed}");
    let (status, all) = app.listings("per_page=1&facets=true").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"].as_i64(), Some(listed));
    for zone in ["1", "2", "3"] {
        assert!(
            all["facets"]["zone_class"][zone].as_i64() > Some(0),
            "{all}"
        );
    }
    let (_, subway) = app.listings("q=地铁&per_page=1").await;
    assert!(subway["total"].as_i64() > Some(0), "{subway}");

    // the voucher the console would print logs in with the PIN from its slip
    let voucher = report
        .vouchers_to_try
        .first()
        .expect("a called household to try");
    let slip = slips.iter().find(|s| &s.voucher_no == voucher).unwrap();
    let (status, session) = app
        .post_json(
            "",
            "/api/v1/kiosk/login",
            &json!({ "voucher_no": slip.voucher_no, "pin": slip.pin }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let token = session["token"].as_str().unwrap();
    let (status, me) = app.get(token, "/api/v1/kiosk/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["round"]["open"], true, "{me}");

    // a second run finds everything in place: no new row anywhere, no new PIN
    let before = table_counts(&app);
    let (again, new_slips) = load_demo(&app, TEST_SIZE).await;
    assert_eq!(table_counts(&app), before);
    assert!(new_slips.is_empty());
    assert_eq!(again.enrolled_now, 0);
    assert_eq!(again.units, report.units);
    assert_eq!(again.vouchers_to_try, report.vouchers_to_try);

    // the real `anju audit verify` passes on the demo, and names an event edited in SQL
    let total = before[8];
    let (ok, stdout, stderr) = app.run_audit_verify();
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("{total} events verified")),
        "{stdout}"
    );
    let edited = app.audit_ids()[total as usize / 2];
    diesel::sql_query("UPDATE audit_events SET details = '{\"edited\":true}' WHERE id = $1")
        .bind::<diesel::sql_types::BigInt, _>(edited)
        .execute(&mut *app.conn())
        .unwrap();
    let (ok, stdout, stderr) = app.run_audit_verify();
    assert!(!ok, "{stdout}\n{stderr}");
    assert!(stderr.contains(&format!("event {edited} (seq")), "{stderr}");
}
