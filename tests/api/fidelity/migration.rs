//! The migration that made `units.baths` nullable (and the later ones that build on it), run down
//! and up again on a database with
//! units, a confirmed reservation and running totals: rows, ids, foreign keys, indexes and the
//! totals triggers all survive (on SQLite the table is rebuilt).

use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;

use super::*;

const MIGRATION: &str = "unit_baths_unknown";

/// Reverts the migration and applies it again on a connection of its own, as `anju migrate`
/// would (the app keeps running on its pool meanwhile).
fn down_and_up(database_url: &str) {
    let url = anju::db::connection_url(database_url).unwrap();
    fn again<DB, C>(conn: &mut C, source: impl MigrationSource<DB>)
    where
        DB: diesel::backend::Backend,
        C: MigrationHarness<DB>,
    {
        let mut all = source.migrations().unwrap();
        all.sort_by_key(|m| m.name().to_string());
        let at = all
            .iter()
            .position(|m| m.name().to_string().contains(MIGRATION))
            .expect("the migration is embedded");
        // the later migrations build on it: down newest first to it, then up again in order
        for m in all[at..].iter().rev() {
            conn.revert_migration(m.as_ref()).expect("down");
        }
        for m in &all[at..] {
            conn.run_migration(m.as_ref()).expect("up");
        }
    }
    if anju::db::is_postgres(database_url) {
        let mut c = diesel::PgConnection::establish(&url).unwrap();
        again(&mut c, anju::db::POSTGRES_MIGRATIONS);
    } else {
        let mut c = diesel::SqliteConnection::establish(&url).unwrap();
        diesel::sql_query("PRAGMA busy_timeout = 10000")
            .execute(&mut c)
            .unwrap();
        diesel::sql_query("PRAGMA foreign_keys = ON")
            .execute(&mut c)
            .unwrap();
        again(&mut c, anju::db::SQLITE_MIGRATIONS);
    }
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// The indexes and triggers on `units`, and the foreign-key violations (SQLite only).
fn sqlite_schema(app: &TestApp) -> (Vec<Name>, i64) {
    let mut c = app.conn();
    let objects = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE tbl_name = 'units' AND type IN ('index', 'trigger') \
         ORDER BY name",
    )
    .load(&mut *c)
    .unwrap();
    let violations: Vec<Name> =
        diesel::sql_query("SELECT \"table\" AS name FROM pragma_foreign_key_check")
            .load(&mut *c)
            .unwrap();
    (objects, violations.len() as i64)
}

#[tokio::test]
async fn making_baths_nullable_keeps_units_reservations_indexes_and_totals() {
    let app = spawn_app().await;
    let kiosks = app.kiosks(1).await;
    let (dev, units) = app.units_for_sale(3).await;
    app.open_round(&[kiosks[0].id], 1).await;
    let (status, hold) = app.hold(&kiosks[0].token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, body) = app
        .confirm(&kiosks[0].token, hold["id"].as_i64().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, unit) = app
        .get(&dev.key, &format!("/api/v1/units/{}", units[1]))
        .await;
    let pid = unit["project_id"].as_i64().unwrap();
    let file = en_csv(&[en_row("9", "901").replace("3室2厅2卫", "3房2厅")]);
    let (status, body) = app.upload(&dev.key, pid, "text/csv", file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.assert_invariants();
    let before = app.snapshot(pid);
    let schema = (!app.state.pool.get().unwrap().is_postgres()).then(|| sqlite_schema(&app));
    let (_, figures) = app.get(ADMIN_TOKEN, "/api/v1/stats/overview").await;

    down_and_up(&app.database_url);

    // down gave the unknown bathroom count the old default; everything else is as it was
    let after = app.snapshot(pid);
    let old_default = before
        .replace("layout: \"3室2厅\"", "layout: \"3室2厅1卫\"")
        .replace("baths: None", "baths: Some(1)");
    assert_eq!(after, old_default);
    if let Some((objects, violations)) = schema {
        assert_eq!(sqlite_schema(&app), (objects, violations));
        assert_eq!(violations, 0);
        let (objects, _) = sqlite_schema(&app);
        let names: Vec<&str> = objects.iter().map(|o| o.name.as_str()).collect();
        for expected in [
            "units_project_status",
            "units_status",
            "units_stock",
            "units_stock_insert",
            "units_stock_update",
            "units_stock_delete",
        ] {
            assert!(names.contains(&expected), "{expected} missing: {names:?}");
        }
    }
    let (_, again) = app.get(ADMIN_TOKEN, "/api/v1/stats/overview").await;
    assert_eq!(again, figures);
    app.assert_invariants();

    // the triggers still keep the totals, and a bathroom count can be unknown again
    let file = en_csv(&[en_row("9", "902").replace("3室2厅2卫", "3房2厅")]);
    let (status, body) = app.upload(&dev.key, pid, "text/csv", file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.force_unit_status(units[2], "withdrawn");
    app.assert_invariants();
    let (_, listed) = app
        .get(
            &dev.key,
            &format!("/api/v1/projects/{pid}/units?per_page=100"),
        )
        .await;
    let new = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["room"] == "902")
        .unwrap();
    assert_eq!(
        (&new["layout"], &new["baths"]),
        (&json!("3室2厅"), &Value::Null)
    );
}
