//! Many writers at once — holds, confirmations, holds that expire inside other holds'
//! transactions and in the sweeper, audited reads — and still one unbroken chain.

use std::time::Instant;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app_with, ADMIN_TOKEN};

const HOUSEHOLDS: usize = 40;
const UNITS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_holds_confirms_expiries_and_reads_never_fork_the_chain() {
    let app = spawn_app_with(|c| c.kiosk.hold_sweep_ms = 50).await;
    let (_dev, units) = app.units_for_sale(UNITS).await;
    let ks = app.kiosks(HOUSEHOLDS).await;
    let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
    app.open_round(&ids, HOUSEHOLDS).await;

    // the first half holds every unit at once
    let mut tasks = Vec::new();
    for (k, unit) in ks[..UNITS].iter().zip(&units) {
        let (client, url, token, unit) = (
            app.client.clone(),
            app.url("/api/v1/kiosk/holds"),
            k.token.clone(),
            *unit,
        );
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({ "unit_id": unit }))
                .send()
                .await
                .unwrap();
            res.status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }

    // their holds run out; the second half holds and confirms the same units at once, expiring
    // the old holds inside its own transactions while the sweeper expires them too, and an
    // official reads households meanwhile
    app.clock.advance(16 * 60_000);
    let mut tokens = Vec::new();
    for k in &ks[UNITS..] {
        tokens.push(app.kiosk_token(&k.voucher, &k.pin).await);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, unit) in tokens.into_iter().zip(&units) {
        let (client, base, unit) = (app.client.clone(), app.url(""), *unit);
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/kiosk/holds"))
                .bearer_auth(&token)
                .json(&json!({ "unit_id": unit }))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let hold: serde_json::Value = res.json().await.unwrap();
            if status != StatusCode::CREATED {
                return vec![(status, hold)];
            }
            let res = client
                .post(format!(
                    "{base}/api/v1/kiosk/holds/{}/confirm",
                    hold["id"].as_i64().unwrap()
                ))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            vec![(status, hold), (res.status(), res.json().await.unwrap())]
        }));
    }
    for id in ids.iter().take(UNITS) {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/v1/households/{id}")),
        );
        tasks.push(tokio::spawn(async move {
            let res = client
                .get(&url)
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            vec![(res.status(), res.json().await.unwrap())]
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::OK || *status == StatusCode::CREATED,
            "{status}: {body}"
        );
    }
    eprintln!(
        "{} requests (holds, confirms, reads) at once in {elapsed:.2?}",
        answers.len()
    );
    assert_eq!(
        app.audit_count("hold.created"),
        HOUSEHOLDS as i64,
        "one event per hold"
    );
    assert_eq!(app.audit_count("hold.expired"), UNITS as i64);
    assert_eq!(app.audit_count("reservation.confirmed"), UNITS as i64);

    let found = app.verify_audit();
    assert_eq!(found.broken, None);
    assert_eq!(found.verified as i64, app.audit_total());
}
