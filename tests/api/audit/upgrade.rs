//! A database from before the chain: the migration numbers its events in id order and the first
//! start hashes them, so `verify` passes after the upgrade and new events chain on.

use anju::db::AnyConnection;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;

use crate::helpers::{spawn_app_with, test_config, TestApp};

/// Runs the down.sql of this migrations, newest first: the schema an older version left.
fn back_to_before_the_chain(conn: &mut AnyConnection) {
    fn revert<DB: diesel::backend::Backend>(
        c: &mut impl MigrationHarness<DB>,
        source: &impl MigrationSource<DB>,
    ) {
        let mut ours: Vec<_> = source
            .migrations()
            .unwrap()
            .into_iter()
            .filter(|m| {
                let name = m.name().to_string();
                name.ends_with("_audit_chain") || name.ends_with("_retention")
            })
            .collect();
        assert_eq!(ours.len(), 2);
        ours.sort_by_key(|m| std::cmp::Reverse(m.name().to_string()));
        for m in ours {
            c.revert_migration(m.as_ref()).unwrap();
        }
    }
    match conn {
        AnyConnection::Sqlite(c) => revert(c, &anju::db::SQLITE_MIGRATIONS),
        AnyConnection::Postgresql(c) => revert(c, &anju::db::POSTGRES_MIGRATIONS),
    }
}

/// An insert as the old code made it: no chain columns, the id from the database.
fn old_insert(app: &TestApp, action: &str) {
    diesel::sql_query(format!(
        "INSERT INTO audit_events (at_ms, actor_kind, actor_id, action, object_kind, object_id, \
         request_id, details) VALUES (1000, 'system', NULL, '{action}', 'thing', 7, 'req-1', \
         '{{\"n\":1}}')"
    ))
    .execute(&mut *app.conn())
    .unwrap();
}

#[tokio::test]
async fn a_log_written_before_the_chain_verifies_after_the_upgrade_and_grows_on() {
    let app = spawn_app_with(|c| {
        c.retention.every_secs = 0;
        c.kiosk.hold_sweep_ms = 0;
    })
    .await;
    app.approved_developer(1).await;
    back_to_before_the_chain(&mut app.conn());
    old_insert(&app, "legacy.first");
    old_insert(&app, "legacy.second");
    // a gap in the ids, as rolled-back transactions leave on PostgreSQL
    diesel::sql_query(
        "INSERT INTO audit_events (id, at_ms, actor_kind, action, object_kind, details) \
         SELECT MAX(id) + 5, 2000, 'system', 'legacy.last', 'thing', '{}' FROM audit_events",
    )
    .execute(&mut *app.conn())
    .unwrap();
    let before = app.audit_total();

    // the new version starts: migrations, then the old events are chained
    let dir = tempfile::tempdir().unwrap();
    anju::startup::open_database(&test_config(dir.path(), app.database_url.clone()), 0).unwrap();
    let found = app.verify_audit();
    assert_eq!((found.verified as i64, found.broken), (before, None));
    use anju::db::schema::audit_events as a;
    let last: (i64, String) = a::table
        .order(a::seq.desc())
        .select((a::seq, a::action))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        last,
        (before, "legacy.last".to_string()),
        "numbered in id order"
    );

    // a second start has nothing to chain; new events follow the old ones
    assert_eq!(
        anju::db::audit_chain::seal_unchained(&mut app.conn(), 10).unwrap(),
        0
    );
    app.approved_developer(2).await;
    let found = app.verify_audit();
    assert!(found.verified as i64 > before);
    assert_eq!(found.broken, None);
    assert_eq!(found.verified as i64, app.audit_total());
}
