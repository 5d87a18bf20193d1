//! Handover (交房): the area difference settled by rule through HTTP (the spec's five examples),
//! preview, one filing, the admin's correction, rescission (退房) by the deadline on the manual
//! clock, move-in (入住) — on both backends, with the selection invariants after each change.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, en_csv, spawn_app, Developer, TestApp, ADMIN_TOKEN};
use crate::selection::Kiosk;

const DAY_MS: i64 = 86_400_000;

/// A contracted reservation: its id and the household's kiosk.
pub(super) struct Bought {
    pub id: i64,
    pub kiosk: Kiosk,
}

/// `n` households each contracted for a unit of 100.00 m² at 9 000 yuan/m² (the spec's A and P).
pub(super) async fn contracted(app: &TestApp, n: usize) -> (Developer, Vec<Bought>) {
    app.contracts_without_notice().await;
    let kiosks = app.kiosks(n).await;
    let dev = app.approved_developer(7).await;
    let project = app.project(&dev, "江岸雅苑", true).await;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "1,1,{},12,3室2厅2卫,100.00,80.00,9000,,南,fine,南北通透,available",
                101 + i
            )
        })
        .collect();
    let (status, body) = app
        .upload(&dev.key, project, "text/csv", en_csv(&rows))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = app
        .get(
            &dev.key,
            &format!("/api/v1/projects/{project}/units?per_page=100"),
        )
        .await;
    let mut units: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    units.sort_unstable();
    let ids: Vec<i64> = kiosks.iter().map(|k| k.id).collect();
    app.open_round(&ids, n).await;
    let mut out = Vec::new();
    for (k, unit) in kiosks.into_iter().zip(units) {
        let (status, hold) = app.hold(&k.token, unit, None).await;
        assert_eq!(status, StatusCode::CREATED, "{hold}");
        let (status, r) = app.confirm(&k.token, hold["id"].as_i64().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let id = r["id"].as_i64().unwrap();
        let (status, c) = app
            .post_json(
                &dev.key,
                &format!("/api/v1/reservations/{id}/contract"),
                &json!({"contract_no": format!("网签-{id}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{c}");
        out.push(Bought { id, kiosk: k });
    }
    (dev, out)
}

pub(super) fn filing(measured: f64, date: &str) -> Value {
    json!({"measured_area_m2": measured, "survey_report_no": "鄂测2026-0001", "handover_date": date})
}

fn remaining(app: &TestApp, household_id: i64) -> i64 {
    use anju::db::schema::households;
    households::table
        .find(household_id)
        .select(households::remaining_origin_area_centi_m2)
        .first(&mut app.conn())
        .unwrap()
}

fn handovers(app: &TestApp) -> i64 {
    anju::db::schema::handovers::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_specs_five_worked_examples_settle_to_the_yuan_and_are_frozen_once() {
    let app = spawn_app().await;
    let (dev, bought) = contracted(&app, 5).await;
    let today = "2026-03-02";
    // preview first: the amounts, and nothing written
    let path = |id: i64| format!("/api/v1/reservations/{id}/handover");
    let (status, p) = app
        .post_json(
            &dev.key,
            &format!("{}/preview", path(bought[0].id)),
            &filing(102.0, today),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        (p["area_case"].as_str(), p["household_pays_yuan"].as_i64()),
        (Some("within_3pct"), Some(18_000))
    );
    assert_eq!(handovers(&app), 0);

    // (measured, case, household pays, developer absorbs, developer penalty, may rescind)
    let cases = [
        (102.0, "within_3pct", 18_000, 0, 0, false),
        (97.0, "within_3pct", -27_000, 0, 0, false),
        (105.0, "larger_beyond_3pct", 27_000, 18_000, 0, true),
        (95.0, "smaller_beyond_3pct", -63_000, 0, 18_000, true),
        (96.5, "smaller_beyond_3pct", -36_000, 0, 4_500, true),
    ];
    for (b, (m, case, pays, absorbs, penalty, may)) in bought.iter().zip(cases) {
        let (status, h) = app
            .post_json(&dev.key, &path(b.id), &filing(m, today))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{h}");
        assert_eq!(h["area_case"], case, "{h}");
        assert_eq!(h["household_pays_yuan"], pays, "{h}");
        assert_eq!(h["developer_absorbs_yuan"], absorbs, "{h}");
        assert_eq!(h["developer_penalty_yuan"], penalty, "{h}");
        assert_eq!(h["may_rescind"], may, "{h}");
        assert_eq!(h["contracted_area_m2"], 100.0);
        assert_eq!(h["rescind_until"].is_string(), may, "{h}");
    }
    assert_eq!(handovers(&app), 5);

    // once; another developer's reservation is not found; bad input named
    let (status, body) = app
        .post_json(&dev.key, &path(bought[0].id), &filing(101.0, today))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "already_handed_over");
    let other = app.approved_developer(8).await;
    let (status, body) = app
        .post_json(&other.key, &path(bought[0].id), &filing(101.0, today))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    for bad in [
        filing(96.505, today),
        filing(100.0, "2026-03-03"),
        filing(250.0, today),
        filing(100.0, "03/02/2026"),
    ] {
        let (status, body) = app
            .post_json(&dev.key, &format!("{}/preview", path(bought[0].id)), &bad)
            .await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
    }

    // the admin corrects with a reason: recomputed and frozen again
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.into(),
            &path(bought[0].id),
            filing(103.5, today),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let mut fix = filing(103.5, today);
    fix["reason"] = json!("测绘报告更正");
    let (status, h) = app
        .put_json(ADMIN_TOKEN.into(), &path(bought[0].id), fix.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{h}");
    assert_eq!(
        (h["area_case"].as_str(), h["household_pays_yuan"].as_i64()),
        (Some("larger_beyond_3pct"), Some(27_000))
    );
    assert_eq!(h["developer_absorbs_yuan"], 4_500);
    assert_eq!(h["correction_reason"], "测绘报告更正");
    let (status, body) = app
        .put_json(dev.key.clone(), &path(bought[0].id), fix)
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    app.assert_invariants();
}

#[tokio::test]
async fn a_rescission_is_allowed_beyond_3pct_until_the_deadline_day_and_restores_the_entitlement() {
    let app = spawn_app().await;
    let (dev, bought) = contracted(&app, 3).await;
    let day0 = "2026-03-02";
    let path = |id: i64, what: &str| format!("/api/v1/reservations/{id}/{what}");
    let reason = json!({"reason": "实测面积比合同约定面积小超过3%，书面申请退房"});
    // before a handover: nothing to rescind
    let (status, body) = app
        .post_json(
            &bought[0].kiosk.token,
            &path(bought[0].id, "rescind"),
            &reason,
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "not_handed_over");
    for (b, m) in bought.iter().zip([98.0, 95.0, 95.0]) {
        let (status, h) = app
            .post_json(&dev.key, &path(b.id, "handover"), &filing(m, day0))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{h}");
    }
    // within ±3 %: never
    let (status, body) = app
        .post_json(
            &bought[0].kiosk.token,
            &path(bought[0].id, "rescind"),
            &reason,
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "rescind_not_allowed");
    // another household's kiosk does not see it
    let (status, body) = app
        .post_json(
            &bought[2].kiosk.token,
            &path(bought[1].id, "rescind"),
            &reason,
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // the last day (2026-03-02 + 30 days = 2026-04-01, Beijing time) at 23:59: allowed
    let before = remaining(&app, bought[1].kiosk.id);
    app.clock
        .set(crate::helpers::START_MS + 30 * DAY_MS + 6 * 3_600_000 + 59 * 60_000);
    let token = app
        .kiosk_token(&bought[1].kiosk.voucher, &bought[1].kiosk.pin)
        .await;
    let (status, h) = app
        .post_json(&token, &path(bought[1].id, "rescind"), &reason)
        .await;
    assert_eq!(status, StatusCode::OK, "{h}");
    assert!(h["rescinded_at"].is_string(), "{h}");
    let (status, unit_id): (String, i64) = {
        use anju::db::schema::reservations;
        reservations::table
            .find(bought[1].id)
            .select((reservations::status, reservations::unit_id))
            .first(&mut app.conn())
            .unwrap()
    };
    assert_eq!(status, "rescinded");
    let (_, me) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(me["reservations"], json!([]), "{me}");
    assert_eq!(me["remaining_origin_area_m2"], 80.0, "{me}");
    assert!(
        remaining(&app, bought[1].kiosk.id) > before,
        "the consumed area came back"
    );
    let (_, unit) = app.get(&dev.key, &format!("/api/v1/units/{unit_id}")).await;
    assert_eq!(unit["status"], "withdrawn", "{unit}");
    app.index_caught_up(std::time::Duration::from_secs(10))
        .await;
    let (_, listing) = app.get("", &format!("/api/v1/listings/{unit_id}")).await;
    assert_eq!(listing["error"]["code"], "not_found", "{listing}");
    app.assert_invariants();
    // twice: no
    let (status, body) = app
        .post_json(ADMIN_TOKEN, &path(bought[1].id, "rescind"), &reason)
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    // a move-in after a rescission: no
    let (status, body) = app
        .post_json(
            &dev.key,
            &path(bought[1].id, "move-in"),
            &json!({"date": "2026-03-05"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");

    // the day after the deadline: too late, even for an admin
    app.clock.advance(2 * 60_000);
    let (status, body) = app
        .post_json(ADMIN_TOKEN, &path(bought[2].id, "rescind"), &reason)
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "rescind_not_allowed");
}

#[tokio::test]
async fn a_move_in_is_recorded_once_after_the_handover_by_the_developer_or_an_admin() {
    let app = spawn_app().await;
    let (dev, bought) = contracted(&app, 2).await;
    let path = |id: i64, what: &str| format!("/api/v1/reservations/{id}/{what}");
    let (status, body) = app
        .post_json(
            &dev.key,
            &path(bought[0].id, "move-in"),
            &json!({"date": "2026-03-02"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "not_handed_over");
    let (status, h) = app
        .post_json(
            &dev.key,
            &path(bought[0].id, "handover"),
            &filing(100.5, "2026-03-02"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    assert_eq!(h["household_pays_yuan"], 4_500);
    app.clock.advance(3 * DAY_MS);
    for bad in ["2026-03-01", "2026-03-09", "soon"] {
        let (status, body) = app
            .post_json(
                &dev.key,
                &path(bought[0].id, "move-in"),
                &json!({"date": bad}),
            )
            .await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
    }
    let (status, h) = app
        .post_json(
            &dev.key,
            &path(bought[0].id, "move-in"),
            &json!({"date": "2026-03-04"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{h}");
    assert_eq!(h["moved_in_on"], "2026-03-04");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &path(bought[0].id, "move-in"),
            &json!({"date": "2026-03-04"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "already_moved_in");
    // another developer: not found; an admin records the second
    let other = app.approved_developer(8).await;
    let (status, h) = app
        .post_json(
            &dev.key,
            &path(bought[1].id, "handover"),
            &filing(99.0, "2026-03-03"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    let (status, body) = app
        .post_json(
            &other.key,
            &path(bought[1].id, "move-in"),
            &json!({"date": "2026-03-04"}),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, h) = app
        .post_json(
            ADMIN_TOKEN,
            &path(bought[1].id, "move-in"),
            &json!({"date": "2026-03-05"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{h}");
    app.assert_invariants();
}
