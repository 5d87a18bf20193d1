//! Selection at the hall: rounds in order, holds, confirmation, release, cancellation and
//! contracts — every transition and every refusal code, with the database invariants checked.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    assert_error, en_csv, en_row, into_json, spawn_app, spawn_app_with, Developer, TestApp,
    ADMIN_TOKEN,
};
use crate::households::{hh_row, id_number, HH_HEADER_ZH};

/// A household at the kiosk.
pub struct Kiosk {
    pub id: i64,
    pub voucher: String,
    pub pin: String,
    pub token: String,
}

impl TestApp {
    /// `n` hall households (A0 = 80.00 m² in zone 1, signed one second apart in row order),
    /// logged in.
    pub async fn kiosks(&self, n: usize) -> Vec<Kiosk> {
        let mut csv = format!("{HH_HEADER_ZH}\n");
        for i in 0..n {
            let row = hh_row(
                &format!("王{i}华"),
                &id_number("19700101", i as u32 + 100),
                "80.00",
                "1",
                "选购大厅",
            );
            csv.push_str(&row.replace(
                "2026-03-01 09:30:15.123",
                &format!("2026-03-01 09:{:02}:{:02}", i / 60, i % 60),
            ));
            csv.push('\n');
        }
        let (status, body) = self
            .import_households(ADMIN_TOKEN, "text/csv", csv.into_bytes())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let mut out = Vec::new();
        for h in body["households"].as_array().unwrap() {
            let voucher = h["voucher_no"].as_str().unwrap().to_string();
            let pin = h["pin"].as_str().unwrap().to_string();
            let token = self.kiosk_token(&voucher, &pin).await;
            out.push(Kiosk {
                id: h["id"].as_i64().unwrap(),
                voucher,
                pin,
                token,
            });
        }
        out
    }

    /// An approved zone-2 project with `n` listed units (89.50 m² at 15 000 yuan/m²); their ids.
    pub async fn units_for_sale(&self, n: usize) -> (Developer, Vec<i64>) {
        let dev = self.approved_developer(7).await;
        let project = self.project(&dev, "锦园华苑", true).await;
        let rows: Vec<String> = (0..n)
            .map(|i| en_row("1", &format!("{}", 101 + i)))
            .collect();
        let (status, body) = self
            .upload(&dev.key, project, "text/csv", en_csv(&rows))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, list) = self
            .get(
                &dev.key,
                &format!("/api/v1/projects/{project}/units?per_page=100"),
            )
            .await;
        let mut ids: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        (dev, ids)
    }

    /// A signing-time round of `households`, open, called up to `up_to`.
    pub async fn open_round(&self, households: &[i64], up_to: usize) -> i64 {
        let (status, round) = self
            .post_json(
                ADMIN_TOKEN,
                "/api/v1/rounds",
                &json!({"name": "第一批", "household_ids": households, "ordering": "signing_time"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{round}");
        let id = round["id"].as_i64().unwrap();
        let (status, body) = self
            .post_json(
                ADMIN_TOKEN,
                &format!("/api/v1/rounds/{id}/open"),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if up_to > 0 {
            let (status, body) = self
                .post_json(
                    ADMIN_TOKEN,
                    &format!("/api/v1/rounds/{id}/call"),
                    &json!({"up_to": up_to}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        id
    }

    pub async fn hold(&self, token: &str, unit_id: i64, key: Option<&str>) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(self.url("/api/v1/kiosk/holds"))
            .bearer_auth(token)
            .json(&json!({"unit_id": unit_id}));
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        into_json(req.send().await.expect("request")).await
    }

    pub async fn confirm(&self, token: &str, hold_id: i64) -> (StatusCode, Value) {
        self.post_json(
            token,
            &format!("/api/v1/kiosk/holds/{hold_id}/confirm"),
            &json!({}),
        )
        .await
    }

    /// The invariants of domain.md, read straight from the database.
    pub fn assert_invariants(&self) {
        use anju::db::schema::{households, reservations, units};
        let mut c = self.conn();
        // at most one active reservation per unit
        let active: Vec<i64> = reservations::table
            .filter(reservations::status.eq_any(["held", "confirmed", "contracted"]))
            .select(reservations::unit_id)
            .load(&mut *c)
            .unwrap();
        let mut dedup = active.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(
            dedup.len(),
            active.len(),
            "a unit with two active reservations"
        );
        // A0 = remaining + Σ consumed of confirmed and contracted reservations; never negative
        let hs: Vec<(i64, i64, i64)> = households::table
            .select((
                households::id,
                households::origin_area_centi_m2,
                households::remaining_origin_area_centi_m2,
            ))
            .load(&mut *c)
            .unwrap();
        for (id, a0, remaining) in hs {
            let consumed: Vec<Option<i64>> = reservations::table
                .filter(reservations::household_id.eq(id))
                .filter(reservations::status.eq_any(["confirmed", "contracted"]))
                .select(reservations::origin_consumed_centi_m2)
                .load(&mut *c)
                .unwrap();
            let sum: i64 = consumed.into_iter().map(|x| x.unwrap()).sum();
            assert!(remaining >= 0, "household {id} remaining {remaining}");
            assert_eq!(
                a0,
                remaining + sum,
                "household {id}: A0 = remaining + Σ consumed"
            );
        }
        // unit statuses agree with reservations
        let statuses: Vec<(i64, String)> = units::table
            .select((units::id, units::status))
            .load(&mut *c)
            .unwrap();
        for (unit, status) in statuses {
            let r: Vec<String> = reservations::table
                .filter(reservations::unit_id.eq(unit))
                .filter(reservations::status.eq_any(["held", "confirmed", "contracted"]))
                .select(reservations::status)
                .load(&mut *c)
                .unwrap();
            let expected = match r.first().map(String::as_str) {
                Some("held") => "held",
                Some("confirmed") => "reserved",
                Some("contracted") => "sold",
                _ => {
                    if status == "withdrawn" {
                        "withdrawn"
                    } else {
                        "available"
                    }
                }
            };
            assert_eq!(status, expected, "unit {unit}");
        }
        // the officials' running totals agree with a recount, before and after compaction
        let drift = anju::db::stats::totals_differences(&mut c).unwrap();
        assert!(drift.is_empty(), "running totals drifted: {drift:#?}");
        anju::db::stats::compact(&mut c).unwrap();
        let drift = anju::db::stats::totals_differences(&mut c).unwrap();
        assert!(
            drift.is_empty(),
            "running totals drifted after compaction: {drift:#?}"
        );
    }

    /// Search lists exactly the units the database says are listed.
    pub async fn assert_search_agrees(&self) {
        assert!(
            self.index_caught_up(std::time::Duration::from_secs(5))
                .await,
            "index caught up"
        );
        let mut listed = anju::db::listings::listed_ids(&mut self.conn()).unwrap();
        listed.sort_unstable();
        let mut found = self.listing_ids("").await;
        found.sort_unstable();
        assert_eq!(found, listed, "search agrees with the database");
    }
}

#[tokio::test]
async fn a_household_holds_confirms_and_the_developer_files_the_contract() {
    let app = spawn_app().await;
    let (dev, units) = app.units_for_sale(3).await;
    let k = app.kiosks(1).await.remove(0);
    let round = app.open_round(&[k.id], 1).await;
    let (status, hold) = app.hold(&k.token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    assert_eq!(hold["status"], "held");
    assert_eq!(hold["expires_at"], "2026-03-02T09:15:00.000Z");
    assert_eq!(hold["expires_in_s"], 900);
    // A0 80 from zone 1 into zone 2: entitled 96, the 89.50 m² unit is covered
    assert_eq!(hold["quote"]["covered_area_m2"], 89.5);
    assert_eq!(hold["quote"]["origin_area_consumed_m2"], 74.59);
    assert_eq!(hold["quote"]["gov_pays_yuan"], 1_342_500);
    assert_eq!(hold["quote"]["top_up_yuan"], 0);
    let hold_id = hold["id"].as_i64().unwrap();
    app.assert_search_agrees().await;
    assert!(
        !app.listing_ids("").await.contains(&units[0]),
        "a held unit leaves search"
    );
    let (_, me) = app.get(&k.token, "/api/v1/kiosk/me").await;
    assert_eq!(me["active_hold"]["id"], hold_id);
    assert_eq!(me["round"]["your_turn"], true);

    let (status, r) = app.confirm(&k.token, hold_id).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["policy_version"].as_i64()),
        (Some("confirmed"), Some(1))
    );
    assert_eq!(r["quote"]["origin_area_consumed_m2"], 74.59);
    assert_eq!(r["round_id"], round);
    let (_, me) = app.get(&k.token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 5.41);
    assert_eq!(me["active_hold"], Value::Null);
    assert_eq!(me["reservations"][0]["status"], "confirmed");
    app.assert_invariants();

    // the developer sees it, household masked, and files the contract
    let (status, list) = app.get(&dev.key, "/api/v1/reservations").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["household_name_masked"], "王*华");
    assert!(!list.to_string().contains("王0华"));
    let other = app.approved_developer(8).await;
    let (_, none) = app.get(&other.key, "/api/v1/reservations").await;
    assert_eq!(none["total"], 0);
    let rid = r["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            &other.key,
            &format!("/api/v1/reservations/{rid}/contract"),
            &json!({"contract_no": "X"}),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app
        .post_json(
            &dev.key,
            &format!("/api/v1/reservations/{rid}/contract"),
            &json!({"contract_no": ""}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, c) = app
        .post_json(
            &dev.key,
            &format!("/api/v1/reservations/{rid}/contract"),
            &json!({"contract_no": "WQ2026-000123"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["contract_no"].as_str()),
        (Some("contracted"), Some("WQ2026-000123"))
    );
    let (_, unit) = app
        .get(&dev.key, &format!("/api/v1/units/{}", units[0]))
        .await;
    assert_eq!(unit["status"], "sold");
    // a contracted reservation is not cancelled any more
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");

    // the public board shows the selection, masked
    let (status, board) = app
        .get("", &format!("/api/v1/board?round_id={round}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(
        (board["called_up_to"].as_i64(), board["size"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        board["recent_selections"][0]["household_name_masked"],
        "王*华"
    );
    assert_eq!(board["recent_selections"][0]["room"], "101");
    let (_, default_board) = app.get("", "/api/v1/board").await;
    assert_eq!(default_board["round_id"], round);
    for action in [
        "hold.created",
        "reservation.confirmed",
        "reservation.contracted",
    ] {
        assert_eq!(app.audit_count(action), 1, "{action}");
    }
    app.assert_invariants();
    app.assert_search_agrees().await;
}

#[tokio::test]
async fn release_and_cancellation_give_the_unit_back_and_restore_the_entitlement() {
    let app = spawn_app().await;
    let (_dev, units) = app.units_for_sale(2).await;
    let k = app.kiosks(1).await.remove(0);
    app.open_round(&[k.id], 1).await;
    let (_, hold) = app.hold(&k.token, units[0], None).await;
    let hold_id = hold["id"].as_i64().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/kiosk/holds/{hold_id}")))
        .bearer_auth(&k.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/kiosk/holds/{hold_id}")))
        .bearer_auth(&k.token)
        .send()
        .await
        .unwrap();
    let (status, body) = into_json(res).await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    app.assert_search_agrees().await;
    assert!(
        app.listing_ids("").await.contains(&units[0]),
        "released: back in search"
    );

    let (_, hold) = app.hold(&k.token, units[0], None).await;
    let (status, r) = app.confirm(&k.token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_body");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({"reason": " "}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, c) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/reservations/{rid}/cancel"),
            &json!({"reason": "家庭变故，申请退房"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["cancel_reason"].as_str()),
        (Some("cancelled"), Some("家庭变故，申请退房"))
    );
    let (_, me) = app.get(&k.token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 80.0, "entitlement restored");
    app.assert_invariants();
    app.assert_search_agrees().await;
    assert!(
        app.listing_ids("").await.contains(&units[0]),
        "cancelled: back in search"
    );
    assert_eq!(app.audit_count("reservation.cancelled"), 1);
    assert_eq!(app.audit_count("hold.released"), 1);
}

#[tokio::test]
async fn every_refusal_has_its_own_code() {
    let app = spawn_app().await;
    let (_dev, units) = app.units_for_sale(4).await;
    let ks = app.kiosks(3).await;
    let (a, b, c) = (&ks[0], &ks[1], &ks[2]);

    // no round open yet
    let (status, body) = app.hold(&a.token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "round_not_open");
    let round = app.open_round(&[a.id, b.id], 1).await;
    // c is in no round, b is not called yet
    let (status, body) = app.hold(&c.token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "round_not_open");
    let (status, body) = app.hold(&b.token, units[0], None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "not_your_turn");
    let (status, hold) = app.hold(&a.token, units[0], Some("k-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    // the same key with another body; a second hold; a taken unit
    let (status, body) = app.hold(&a.token, units[1], Some("k-1")).await;
    assert_error(
        status,
        &body,
        StatusCode::CONFLICT,
        "idempotency_key_reused",
    );
    let (status, body) = app.hold(&a.token, units[1], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "hold_limit_reached");
    app.post_json(
        ADMIN_TOKEN,
        &format!("/api/v1/rounds/{round}/call"),
        &json!({"up_to": 2}),
    )
    .await;
    let (status, body) = app.hold(&b.token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "unit_not_available");
    let (status, body) = app.hold(&b.token, 999_999, None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    // a replay of the first request returns the first response
    let (status, replay) = app.hold(&a.token, units[0], Some("k-1")).await;
    assert_eq!(
        (status, replay["id"].clone()),
        (StatusCode::CREATED, hold["id"].clone())
    );

    // confirming after expiry
    app.clock.advance(15 * 60_000);
    let a_token = app.kiosk_token(&a.voucher, &a.pin).await;
    let (status, body) = app.confirm(&a_token, hold["id"].as_i64().unwrap()).await;
    assert_error(status, &body, StatusCode::CONFLICT, "hold_expired");
    // another household's hold is not found
    let b_token = app.kiosk_token(&b.voucher, &b.pin).await;
    let (status, body) = app.confirm(&b_token, hold["id"].as_i64().unwrap()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // entitlement exhausted: a takes 89.50 m² (74.59 of 80.00) then 5.41 more, then nothing left
    for unit in [units[1], units[2]] {
        let (status, h) = app.hold(&a_token, unit, None).await;
        assert_eq!(status, StatusCode::CREATED, "{h}");
        let (status, r) = app.confirm(&a_token, h["id"].as_i64().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }
    let (_, me) = app.get(&a_token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 0.0);
    let (status, body) = app.hold(&a_token, units[3], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "entitlement_exhausted");

    // a closed round takes no holds; the voucher runs out after voucher_validity_days
    app.post_json(
        ADMIN_TOKEN,
        &format!("/api/v1/rounds/{round}/close"),
        &json!({}),
    )
    .await;
    let (status, body) = app.hold(&b_token, units[3], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "round_not_open");
    app.post_json(
        ADMIN_TOKEN,
        &format!("/api/v1/rounds/{round}/open"),
        &json!({}),
    )
    .await;
    app.clock.advance(366 * 86_400_000);
    let b_token = app.kiosk_token(&b.voucher, &b.pin).await;
    let (status, body) = app.hold(&b_token, units[3], None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "voucher_expired");
    // officials and developers do not hold
    let (status, body) = app.hold(ADMIN_TOKEN, units[3], None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    app.assert_invariants();
}

#[tokio::test]
async fn an_expired_hold_frees_the_unit_at_once_even_without_a_sweeper() {
    let app = spawn_app_with(|c| c.kiosk.hold_sweep_ms = 0).await;
    let (_dev, units) = app.units_for_sale(1).await;
    let ks = app.kiosks(2).await;
    app.open_round(&[ks[0].id, ks[1].id], 2).await;
    let (status, hold) = app.hold(&ks[0].token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, body) = app.hold(&ks[1].token, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "unit_not_available");
    app.clock.advance(15 * 60_000 - 1);
    // kiosk sessions time out after 5 idle minutes: the households log in again
    let first = app.kiosk_token(&ks[0].voucher, &ks[0].pin).await;
    let other = app.kiosk_token(&ks[1].voucher, &ks[1].pin).await;
    let (status, body) = app.hold(&other, units[0], None).await;
    assert_error(status, &body, StatusCode::CONFLICT, "unit_not_available");
    app.clock.advance(1);
    let (status, second) = app.hold(&other, units[0], None).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{second}: free at the expiry instant, no sweeper"
    );
    let (status, body) = app.confirm(&first, hold["id"].as_i64().unwrap()).await;
    assert_error(status, &body, StatusCode::CONFLICT, "hold_expired");
    let (status, r) = app.confirm(&other, second["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    app.assert_invariants();
    app.assert_search_agrees().await;
}

#[tokio::test]
async fn the_sweeper_puts_an_expired_hold_s_unit_back_into_search() {
    let app = spawn_app_with(|c| c.kiosk.hold_sweep_ms = 100).await;
    let (_dev, units) = app.units_for_sale(1).await;
    let k = app.kiosks(1).await.remove(0);
    app.open_round(&[k.id], 1).await;
    let (status, _) = app.hold(&k.token, units[0], None).await;
    assert_eq!(status, StatusCode::CREATED);
    app.assert_search_agrees().await;
    assert!(app.listing_ids("").await.is_empty());
    app.clock.advance(15 * 60_000);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while app.listing_ids("").await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the unit came back into search"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.audit_count("hold.expired"), 1);
    app.assert_invariants();
}

#[tokio::test]
async fn rounds_order_by_signing_time_or_by_a_verifiable_lottery() {
    let app = spawn_app().await;
    let ks = app.kiosks(5).await;
    let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
    // signed one second apart in id order: the signing-time order is the id order
    let (status, r) = app
        .post_json(ADMIN_TOKEN, "/api/v1/rounds", &json!({"name": "按签约", "expropriation_project": "汉正街片区", "ordering": "signing_time"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["order"], json!(ids));
    assert_eq!(
        (r["status"].as_str(), r["size"].as_i64()),
        (Some("created"), Some(5))
    );

    let seed = "2026-03-02 公证处 7f3a";
    let commitment = anju::domain::selection::seed_commitment(seed);
    let (status, lot) = app
        .post_json(ADMIN_TOKEN, "/api/v1/rounds", &json!({"name": "摇号", "household_ids": ids, "ordering": "lottery", "seed_sha256": commitment}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lot}");
    assert_eq!(lot["order"], Value::Null);
    let lid = lot["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/open"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/draw"),
            &json!({"seed": "guess"}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "seed_mismatch",
    );
    let (status, drawn) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/draw"),
            &json!({"seed": seed}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{drawn}");
    assert_eq!(drawn["seed"], seed);
    assert_eq!(
        drawn["order"],
        json!(anju::domain::selection::lottery_order(seed, &ids))
    );
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/draw"),
            &json!({"seed": seed}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");

    // the call-up pointer only moves forward, within the round
    let (status, _) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 2}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 6}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (status, opened) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/rounds/{lid}/open"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, opened["status"].as_str()),
        (StatusCode::OK, Some("open"))
    );
    // the third in the drawn order may hold, the fourth not yet
    let order: Vec<i64> = serde_json::from_value(drawn["order"].clone()).unwrap();
    let token_of = |id: i64| ks.iter().find(|k| k.id == id).unwrap().token.clone();
    let (_, me) = app.get(&token_of(order[2]), "/api/v1/kiosk/me").await;
    assert_eq!(
        (
            me["round"]["position"].as_i64(),
            me["round"]["your_turn"].as_bool()
        ),
        (Some(3), Some(true))
    );
    let (_, me) = app.get(&token_of(order[3]), "/api/v1/kiosk/me").await;
    assert_eq!(me["round"]["your_turn"], false);

    // bad requests and the wrong actors
    for body in [
        json!({"name": "x", "household_ids": ids, "ordering": "lottery"}),
        json!({"name": "x", "household_ids": ids, "ordering": "lottery", "seed_sha256": "abc"}),
        json!({"name": "x", "household_ids": [], "ordering": "signing_time"}),
        json!({"name": "x", "household_ids": [999999], "ordering": "signing_time"}),
        json!({"name": "x", "household_ids": ids, "ordering": "random"}),
    ] {
        let (status, resp) = app.post_json(ADMIN_TOKEN, "/api/v1/rounds", &body).await;
        assert_error(
            status,
            &resp,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
    }
    let (status, body) = app
        .post_json(
            &ks[0].token,
            &format!("/api/v1/rounds/{lid}/call"),
            &json!({"up_to": 5}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.get(&ks[0].token, "/api/v1/rounds").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, list) = app.get(ADMIN_TOKEN, "/api/v1/rounds").await;
    assert_eq!(
        (status, list.as_array().map(Vec::len)),
        (StatusCode::OK, Some(2))
    );
}
