//! A fresh app's activity verifies; editing or deleting a row behind the service's back is found
//! and named, by the library function and by the real subcommand.

use anju::clock::Clock as _;
use anju::domain::audit_chain::Problem;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use reqwest::StatusCode;

use crate::helpers::{spawn_app, TestApp};

/// Units, households, a round, a hold and its confirmation: a few dozen audit events.
async fn some_activity(app: &TestApp) {
    let (_dev, units) = app.units_for_sale(3).await;
    let ks = app.kiosks(3).await;
    let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
    app.open_round(&ids, 3).await;
    let (status, hold) = app.hold(&ks[0].token, units[0], Some("k-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, body) = app
        .confirm(&ks[0].token, hold["id"].as_i64().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_busy_log_verifies_and_an_event_edited_in_sql_is_named() {
    let app = spawn_app().await;
    some_activity(&app).await;
    let total = app.audit_total();
    assert!(total >= 10, "{total}");
    let found = app.verify_audit();
    assert_eq!(found.broken, None);
    assert_eq!(found.verified as i64, total);
    let (seq, hash) = found.head.expect("a head");
    assert_eq!((seq, hash.len()), (total, 64));

    let ids = app.audit_ids();
    let target = ids[ids.len() / 2];
    diesel::sql_query(
        "UPDATE audit_events SET details = '{\"note\":\"nothing happened\"}' WHERE id = $1",
    )
    .bind::<BigInt, _>(target)
    .execute(&mut *app.conn())
    .unwrap();
    let found = app.verify_audit();
    let broken = found.broken.expect("the edit is found");
    assert_eq!(broken.id, target);
    assert_eq!(broken.problem, Problem::ContentMismatch);
    assert_eq!(
        found.verified as usize,
        ids.len() / 2,
        "the events before it hold"
    );
}

#[tokio::test]
async fn a_deleted_event_is_found_by_its_missing_sequence_number() {
    let app = spawn_app().await;
    some_activity(&app).await;
    let ids = app.audit_ids();
    let (target, after) = (ids[4], ids[5]);
    diesel::sql_query("DELETE FROM audit_events WHERE id = $1")
        .bind::<BigInt, _>(target)
        .execute(&mut *app.conn())
        .unwrap();
    let broken = app.verify_audit().broken.expect("the deletion is found");
    assert_eq!(broken.problem, Problem::Missing { from: 5, to: 5 });
    assert_eq!(broken.id, after);
    assert!(broken.to_string().contains("seq 5 is missing"), "{broken}");
}

#[tokio::test]
async fn an_event_rehashed_in_sql_breaks_the_link_to_the_next_one() {
    let app = spawn_app().await;
    some_activity(&app).await;
    let ids = app.audit_ids();
    // a forger who recomputes the edited event's own hash still cannot fix the next prev_hash
    use anju::db::schema::audit_events as a;
    let mut conn = app.conn();
    let (e, prev): (anju::db::audit::AuditEvent, Option<String>) = a::table
        .find(ids[2])
        .select((anju::db::audit::AuditEvent::as_select(), a::prev_hash))
        .first(&mut *conn)
        .unwrap();
    let forged = anju::domain::audit_chain::event_hash(
        &anju::domain::audit_chain::EventFields {
            seq: 3,
            id: e.id,
            at_ms: e.at_ms,
            actor_kind: &e.actor_kind,
            actor_id: e.actor_id,
            action: &e.action,
            object_kind: &e.object_kind,
            object_id: e.object_id,
            request_id: e.request_id.as_deref(),
            details: r#"{"forged":true}"#,
        },
        prev.as_deref().unwrap(),
    );
    diesel::update(a::table.find(ids[2]))
        .set((a::details.eq(r#"{"forged":true}"#), a::hash.eq(forged)))
        .execute(&mut *conn)
        .unwrap();
    drop(conn);
    let broken = app.verify_audit().broken.expect("the forgery is found");
    assert_eq!((broken.id, broken.problem), (ids[3], Problem::PrevMismatch));
}

#[tokio::test]
async fn anju_audit_verify_exits_zero_on_an_intact_log_and_names_an_edited_event() {
    let app = spawn_app().await;
    some_activity(&app).await;
    let total = app.audit_total();
    let (ok, stdout, stderr) = app.run_audit_verify();
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "audit chain intact: {total} events verified; head seq {total}"
        )),
        "{stdout}"
    );

    let target = app.audit_ids()[3];
    diesel::sql_query("UPDATE audit_events SET at_ms = at_ms + 1 WHERE id = $1")
        .bind::<BigInt, _>(target)
        .execute(&mut *app.conn())
        .unwrap();
    let (ok, stdout, stderr) = app.run_audit_verify();
    assert!(!ok, "a broken chain fails: {stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("after 3 intact events: event {target} (seq 4,")),
        "{stderr}"
    );
    assert!(stderr.contains("changed after it was written"), "{stderr}");
}

#[tokio::test]
async fn events_recorded_outside_a_write_transaction_and_rolled_back_ones_keep_the_chain() {
    use anju::db::audit::{record, Actor, AuditCtx};
    let app = spawn_app().await;
    let before = app.audit_total();
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: Some("r-1".into()),
        now_ms: app.clock.now_ms(),
    };
    let mut conn = app.conn();
    // no transaction: the event gets one of its own
    record(
        &mut conn,
        &ctx,
        "test.bare",
        "thing",
        Some(1),
        serde_json::json!({}),
    )
    .unwrap();
    // another kind of transaction: chained at once, inside it
    conn.transaction(|c| {
        record(
            c,
            &ctx,
            "test.in_tx",
            "thing",
            None,
            serde_json::json!({"a": 1}),
        )
    })
    .unwrap();
    // a rolled-back write transaction leaves nothing, and the next one chains on
    let refused: Result<(), diesel::result::Error> = anju::db::write_tx(&mut conn, |c| {
        record(
            c,
            &ctx,
            "test.rolled_back",
            "thing",
            None,
            serde_json::json!({}),
        )?;
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(refused.is_err());
    anju::db::write_tx(&mut conn, |c| {
        record(c, &ctx, "test.first", "thing", None, serde_json::json!({}))?;
        record(c, &ctx, "test.second", "thing", None, serde_json::json!({}))
    })
    .unwrap();
    drop(conn);
    assert_eq!(app.audit_total(), before + 4);
    assert_eq!(app.audit_count("test.rolled_back"), 0);
    let found = app.verify_audit();
    assert_eq!((found.verified as i64, found.broken), (before + 4, None));
}
