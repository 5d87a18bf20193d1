//! Real concurrency against one running server: many households racing for the same units, one
//! household firing at once, and replays of one Idempotency-Key. After each race the invariants
//! are checked in the database and against search.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, ADMIN_TOKEN};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_households_racing_for_ten_units_get_exactly_ten_holds() {
    let app = spawn_app().await;
    let (_dev, units) = app.units_for_sale(10).await;
    let ks = app.kiosks(50).await;
    let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
    app.open_round(&ids, 50).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(ks.len()));
    let mut tasks = Vec::new();
    for (n, k) in ks.iter().enumerate() {
        let (client, url, token, units, barrier) = (
            app.client.clone(),
            app.url("/api/v1/kiosk/holds"),
            k.token.clone(),
            units.clone(),
            barrier.clone(),
        );
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            // each client tries the ten units, starting at a different one, until one is held
            let mut statuses = Vec::new();
            for i in 0..units.len() {
                let unit = units[(n + i) % units.len()];
                let res = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"unit_id": unit}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let body: serde_json::Value = res.json().await.unwrap();
                statuses.push((
                    status,
                    body["error"]["code"].as_str().unwrap_or("").to_string(),
                ));
                if status == StatusCode::CREATED {
                    return (Some(unit), statuses);
                }
            }
            (None, statuses)
        }));
    }
    let mut held = Vec::new();
    for t in tasks {
        let (unit, statuses) = t.await.unwrap();
        for (status, code) in &statuses {
            assert!(
                *status == StatusCode::CREATED
                    || (*status == StatusCode::CONFLICT && code == "unit_not_available"),
                "{status} {code}"
            );
        }
        held.extend(unit);
    }
    assert_eq!(held.len(), 10, "exactly ten holds");
    assert_eq!(
        held.iter().collect::<HashSet<_>>().len(),
        10,
        "on ten different units"
    );
    app.assert_invariants();
    app.assert_search_agrees().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_household_firing_twenty_holds_and_confirms_never_overspends() {
    let app = spawn_app().await;
    let (status, body) = app
        .put_json(
            ADMIN_TOKEN.into(),
            "/api/v1/policy",
            json!({"max_active_holds": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_dev, units) = app.units_for_sale(20).await;
    let k = app.kiosks(1).await.remove(0);
    app.open_round(&[k.id], 1).await;
    // twenty holds at once: at most max_active_holds succeed
    let mut tasks = Vec::new();
    for unit in units.clone() {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/kiosk/holds"),
            k.token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({"unit_id": unit}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body: serde_json::Value = res.json().await.unwrap();
            (status, body)
        }));
    }
    let mut holds = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => holds.push(body["id"].as_i64().unwrap()),
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "hold_limit_reached", "{body}")
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(holds.len(), 10);
    // twenty confirms at once (each hold twice): 80.00 m² covers one 89.50 m² unit (74.59) and
    // part of a second (5.41); then the entitlement is exhausted
    let mut tasks = Vec::new();
    for &hold in holds.iter().chain(holds.iter()) {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/kiosk/holds/{hold}/confirm")),
            k.token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let res = client.post(&url).bearer_auth(&token).send().await.unwrap();
            let status = res.status();
            let body: serde_json::Value = res.json().await.unwrap();
            (status, body)
        }));
    }
    let mut consumed = 0.0;
    let mut confirmed = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => {
                confirmed += 1;
                consumed += body["quote"]["origin_area_consumed_m2"].as_f64().unwrap();
            }
            StatusCode::CONFLICT => {
                let code = body["error"]["code"].as_str().unwrap();
                assert!(
                    matches!(code, "entitlement_exhausted" | "invalid_transition"),
                    "{body}"
                );
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(confirmed, 2);
    assert!((consumed - 80.0_f64).abs() < 1e-9, "consumed {consumed}");
    let (_, me) = app.get(&k.token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 0.0);
    app.assert_invariants();
    app.assert_search_agrees().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_replays_of_one_idempotency_key_create_one_hold() {
    let app = spawn_app().await;
    let (_dev, units) = app.units_for_sale(2).await;
    let k = app.kiosks(1).await.remove(0);
    app.open_round(&[k.id], 1).await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (client, url, token, unit) = (
            app.client.clone(),
            app.url("/api/v1/kiosk/holds"),
            k.token.clone(),
            units[0],
        );
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(&url)
                .bearer_auth(&token)
                .header("Idempotency-Key", "kiosk-7-tap-1")
                .json(&json!({"unit_id": unit}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let replayed = res.headers().contains_key("idempotent-replayed");
            (status, replayed, res.text().await.unwrap())
        }));
    }
    let mut bodies = HashSet::new();
    let mut fresh = 0;
    for t in tasks {
        let (status, replayed, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        fresh += usize::from(!replayed);
        bodies.insert(body);
    }
    assert_eq!(bodies.len(), 1, "every replay returns the first response");
    assert_eq!(fresh, 1);
    use anju::db::schema::reservations;
    use diesel::prelude::*;
    let holds: i64 = reservations::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(holds, 1);
    app.assert_invariants();
    app.assert_search_agrees().await;
}

/// The officials' running totals (migration 000007) stay exact while 32 households at once hold,
/// confirm, release, have confirmations cancelled and contracts filed, with the compactor
/// folding deltas in a loop beside them; then the figures equal a recount.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn running_totals_stay_exact_under_concurrent_selections_and_compaction() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let app = spawn_app().await;
    let (dev, units) = app.units_for_sale(32).await;
    let ks = app.kiosks(32).await;
    let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
    app.open_round(&ids, 32).await;
    app.contracts_without_notice().await;
    let stop = Arc::new(AtomicBool::new(false));
    let compactor = {
        let (stop, pool) = (Arc::clone(&stop), app.state.pool.clone());
        std::thread::spawn(move || {
            let mut rounds = 0;
            while !stop.load(Ordering::SeqCst) {
                anju::db::stats::compact(&mut pool.get().unwrap()).unwrap();
                rounds += 1;
            }
            rounds
        })
    };
    let barrier = Arc::new(tokio::sync::Barrier::new(ks.len()));
    let mut tasks = Vec::new();
    for (n, k) in ks.iter().enumerate() {
        let (client, base, token, unit, barrier, dev_key) = (
            app.client.clone(),
            app.url(""),
            k.token.clone(),
            units[n],
            barrier.clone(),
            dev.key.clone(),
        );
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let post = |token: String, path: String, body: serde_json::Value| {
                let req = client
                    .post(format!("{base}{path}"))
                    .bearer_auth(token)
                    .json(&body);
                async move {
                    let res = req.send().await.unwrap();
                    let status = res.status();
                    let body: serde_json::Value = res.json().await.unwrap();
                    (status, body)
                }
            };
            let (status, hold) = post(
                token.clone(),
                "/api/v1/kiosk/holds".into(),
                json!({"unit_id": unit}),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{hold}");
            let hold_id = hold["id"].as_i64().unwrap();
            if n % 4 == 2 {
                let res = client
                    .delete(format!("{base}/api/v1/kiosk/holds/{hold_id}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::NO_CONTENT);
                return;
            }
            let (status, r) = post(
                token,
                format!("/api/v1/kiosk/holds/{hold_id}/confirm"),
                json!({}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{r}");
            let rid = r["id"].as_i64().unwrap();
            let (status, body) = match n % 4 {
                1 => {
                    post(
                        ADMIN_TOKEN.into(),
                        format!("/api/v1/reservations/{rid}/cancel"),
                        json!({"reason": "家庭变故"}),
                    )
                    .await
                }
                3 => {
                    post(
                        dev_key,
                        format!("/api/v1/reservations/{rid}/contract"),
                        json!({"contract_no": format!("WQ-{n}")}),
                    )
                    .await
                }
                _ => (StatusCode::OK, json!({})),
            };
            assert_eq!(status, StatusCode::OK, "{body}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    let rounds = compactor.join().unwrap();
    assert!(rounds > 0);
    app.assert_invariants();
    // 8 confirmed, 8 cancelled, 8 released, 8 contracted
    let (status, o) = app.get(ADMIN_TOKEN, "/api/v1/stats/overview").await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(
        (
            o["stock_units"].as_i64(),
            o["available_units"].as_i64(),
            o["held_units"].as_i64(),
            o["reserved_units"].as_i64(),
            o["sold_units"].as_i64()
        ),
        (Some(32), Some(16), Some(0), Some(8), Some(8))
    );
    let (status, d) = app
        .get(
            ADMIN_TOKEN,
            "/api/v1/stats/destocking?group_by=project&from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["rows"][0]["confirmed_in_period"], 16, "{d}");
    assert_eq!(d["rows"][0]["absorption_rate"], 0.5, "{d}");
}
