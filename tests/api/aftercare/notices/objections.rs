//! Objections: by the public and a kiosk, refusals, throttle, period's end, resolution, overdue.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use super::*;

#[tokio::test]
async fn the_public_and_a_kiosk_session_object_and_bad_objections_are_refused() {
    let mut fx = Fx::new(2, 2).await;
    let (_, n) = fx.publish().await;
    let notice = n["id"].as_i64().unwrap();
    let (status, o) = fx.object(notice, Some(1), "该户面积有误").await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    let receipt = o["receipt_no"].as_str().unwrap();
    assert_eq!(receipt, format!("26{notice:04}-0001"));
    assert_eq!(
        (o["status"].as_str(), o["line"].as_i64()),
        (Some("open"), Some(1))
    );
    assert_eq!(o["review_deadline"], "2026-03-12T09:00:00.000Z");
    // a kiosk session need not give a contact: its household's is taken and recorded
    let token = fx.ks[1].token.clone();
    let path = format!("/api/v1/notices/{notice}/objections");
    let (status, k) = fx
        .post(&token, &path, json!({"text": "对公示无异议但请核实"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    let (status, got) = fx
        .get(ADMIN_TOKEN, &format!("/api/v1/objections/{}", k["id"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(
        (
            got["household_id"].as_i64(),
            got["contact_name_masked"].as_str()
        ),
        (Some(fx.ks[1].id), Some("王*华"))
    );
    assert_eq!(got["contact_phone_masked"], "138****5678");
    let (_, list) = fx
        .get(
            ADMIN_TOKEN,
            &format!("/api/v1/objections?notice_id={notice}"),
        )
        .await;
    assert_eq!(list["total"], 2);
    assert_eq!(
        (
            list["items"][0]["contact_name_masked"].as_str(),
            list["items"][0]["overdue"].as_bool()
        ),
        (Some("李*远"), Some(false))
    );
    let (status, body) = fx.public("/api/v1/objections", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    // refusals write nothing
    let (status, body) = fx.object(notice, Some(99), "第99行").await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, body) = fx.object(notice, None, &"长".repeat(2001)).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, body) = fx.public(&path, Some(json!({"text": "无联系方式"}))).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, body) = fx.object(999_999, None, "无此公示").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(fx.count("objections"), 2);
    let (_, one) = fx.public(&format!("/api/v1/notices/{notice}"), None).await;
    assert_eq!(one["objections"]["open"], 2);
    let events =
        anju::db::audit::for_object(&mut fx.app.conn(), "objection", k["id"].as_i64().unwrap())
            .unwrap();
    assert_eq!(
        (events[0].action.as_str(), events[0].actor_kind.as_str()),
        ("objection.filed", "household")
    );
    assert!(!events[0].details.contains(CONTACT_PHONE) && !events[0].details.contains("王1华"));
    fx.assert_no_personal_data();
}

#[tokio::test]
async fn objections_are_throttled_per_address_and_closed_after_the_notice_ends() {
    let mut fx = Fx::new(1, 1).await;
    let (_, n) = fx.publish().await;
    let notice = n["id"].as_i64().unwrap();
    for i in 0..5 {
        let (status, o) = fx.object(notice, None, &format!("第{i}条")).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
    }
    let (status, body) = fx.object(notice, None, "第六条").await;
    assert_error(
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "objection_throttled",
    );
    assert_eq!(fx.count("objections"), 5);
    fx.app.clock.advance(600_000);
    let (status, o) = fx.object(notice, None, "十分钟后").await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    assert_eq!(o["receipt_no"], format!("26{notice:04}-0006"));
    fx.app.clock.set(crate::helpers::START_MS + 7 * DAY);
    let (status, body) = fx.object(notice, None, "过期").await;
    assert_error(status, &body, StatusCode::CONFLICT, "notice_closed");
    assert_eq!(fx.count("objections"), 6);
    let (_, one) = fx.public(&format!("/api/v1/notices/{notice}"), None).await;
    assert_eq!(one["status"], "reviewing");
    fx.assert_no_personal_data();
}

#[tokio::test]
async fn an_upheld_objection_cancels_its_line_and_an_objection_resolves_once() {
    let mut fx = Fx::new(2, 2).await;
    let (_, n) = fx.publish().await;
    let notice = n["id"].as_i64().unwrap();
    let mut ids = vec![];
    for line in [Some(1), Some(2), None] {
        let (status, o) = fx.object(notice, line, "异议").await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        ids.push(o["id"].as_i64().unwrap());
    }
    let cancel = |outcome: &str| json!({"outcome": outcome, "response": "经复核", "cancel_reservation": true});
    let (status, body) = fx.resolve(ids[2], cancel("upheld")).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, body) = fx.resolve(ids[1], cancel("dismissed")).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (_, open) = fx.get(ADMIN_TOKEN, "/api/v1/objections?status=open").await;
    assert_eq!(open["total"], 3, "refusals changed nothing");
    let (status, o) = fx.resolve(ids[0], cancel("upheld")).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(
        (o["status"].as_str(), o["cancelled_reservation_id"].as_i64()),
        (Some("upheld"), Some(fx.rids[0]))
    );
    assert_eq!(fx.reservation_status(fx.rids[0]), "cancelled");
    let reason: Option<String> = {
        use anju::db::schema::reservations;
        reservations::table
            .find(fx.rids[0])
            .select(reservations::cancel_reason)
            .first(&mut *fx.app.conn())
            .unwrap()
    };
    assert!(reason.unwrap().contains(o["receipt_no"].as_str().unwrap()));
    let token = fx.app.kiosk_token(&fx.ks[0].voucher, &fx.ks[0].pin).await;
    let (_, me) = fx.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 80.0, "entitlement restored");
    let (_, unit) = fx
        .get(
            &fx.dev.key.clone(),
            &format!("/api/v1/units/{}", fx.units[0]),
        )
        .await;
    assert_eq!(unit["status"], "available");
    fx.app.assert_invariants();
    let (status, body) = fx
        .resolve(ids[0], json!({"outcome": "dismissed", "response": "再次"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "objection_resolved");
    let (status, d) = fx
        .resolve(
            ids[1],
            json!({"outcome": "dismissed", "response": "不成立"}),
        )
        .await;
    assert_eq!(
        (status, d["status"].as_str()),
        (StatusCode::OK, Some("dismissed")),
        "{d}"
    );
    assert_eq!(fx.reservation_status(fx.rids[1]), "confirmed");
    let (_, one) = fx.public(&format!("/api/v1/notices/{notice}"), None).await;
    assert_eq!(
        (
            one["lines"][0]["withdrawn"].as_bool(),
            one["lines"][1]["withdrawn"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(
        one["objections"],
        json!({"open": 1, "upheld": 1, "dismissed": 1})
    );
    let events = anju::db::audit::for_object(&mut fx.app.conn(), "objection", ids[0]).unwrap();
    assert_eq!(events.last().unwrap().action, "objection.resolved");
    fx.assert_no_personal_data();
}

#[tokio::test]
async fn an_open_objection_past_its_review_deadline_is_overdue() {
    let mut fx = Fx::new(1, 1).await;
    let (_, n) = fx.publish().await;
    let notice = n["id"].as_i64().unwrap();
    let (_, o) = fx.object(notice, None, "异议").await;
    let path = |q: &str| format!("/api/v1/objections?notice_id={notice}&{q}");
    fx.app.clock.advance(10 * DAY);
    let (_, list) = fx.get(ADMIN_TOKEN, &path("overdue=true")).await;
    assert_eq!(list["total"], 0, "due today is not overdue");
    fx.app.clock.advance(1_000);
    let (_, list) = fx.get(ADMIN_TOKEN, &path("overdue=true")).await;
    assert_eq!(
        (
            list["total"].as_i64(),
            list["items"][0]["overdue"].as_bool()
        ),
        (Some(1), Some(true))
    );
    let (_, list) = fx.get(ADMIN_TOKEN, &path("overdue=false")).await;
    assert_eq!(list["total"], 0);
    let (status, body) = fx.get(ADMIN_TOKEN, &path("status=lost")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    let (_, r) = fx
        .resolve(
            o["id"].as_i64().unwrap(),
            json!({"outcome": "dismissed", "response": "迟复"}),
        )
        .await;
    assert_eq!(r["overdue"], false);
    fx.assert_no_personal_data();
}
