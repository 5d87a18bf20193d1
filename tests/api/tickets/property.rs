//! Random sequences of uses, cancellations, clock moves and a final cash-out on real tickets over
//! HTTP, with the ledger and face-value identities checked in SQL after every step.

use rand::{Rng, SeedableRng};

use super::*;

async fn one_sequence(seed: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let app = spawn_at_issue().await;
    let dev = app.approved_developer(20 + seed as u32).await;
    let face = rng.gen_range(200_000..=2_000_000);
    let slip = app.ticket_holders(&[face]).await.remove(0);
    let mut confirmed: Vec<i64> = Vec::new();
    let mut day = 0;
    for step in 0..10 {
        day += rng.gen_range(0..60);
        app.clock.set(ISSUED_MS + day * DAY_MS + 3_600_000);
        let cancel = !confirmed.is_empty() && rng.gen_bool(0.3);
        if cancel {
            let r = confirmed.swap_remove(rng.gen_range(0..confirmed.len()));
            let (status, body) = app
                .post_json(
                    ADMIN_TOKEN,
                    &format!("/api/v1/reservations/{r}/cancel"),
                    &json!({"reason": "复核撤销"}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "seed {seed} step {step}: {body}");
        } else {
            let zone = rng.gen_range(1..=3);
            let area = format!("{}.{:02}", rng.gen_range(20..120), rng.gen_range(0..100));
            let unit = app
                .unit_of(&dev, zone, &area, rng.gen_range(3_000..30_000), "住宅")
                .await;
            let token = app.kiosk_token(&slip.ticket_no, &slip.pin).await;
            let (status, hold) = app.hold(&token, unit, None).await;
            match status {
                StatusCode::CREATED => {
                    let (status, r) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
                    assert_eq!(status, StatusCode::OK, "seed {seed} step {step}: {r}");
                    let q = &r["quote"];
                    let (d, b, t) = (
                        q["debit_yuan"].as_i64().unwrap(),
                        q["bonus_yuan"].as_i64().unwrap(),
                        q["top_up_yuan"].as_i64().unwrap(),
                    );
                    assert!(d > 0 && b >= 0 && t >= 0, "seed {seed}: {q}");
                    confirmed.push(r["id"].as_i64().unwrap());
                }
                StatusCode::CONFLICT | StatusCode::FORBIDDEN => {
                    let code = hold["error"]["code"].as_str().unwrap();
                    assert!(
                        ["ticket_exhausted", "ticket_expired"].contains(&code),
                        "seed {seed}: {hold}"
                    );
                }
                other => panic!("seed {seed} step {step}: {other} {hold}"),
            }
        }
        app.assert_ticket_invariants();
    }
    // past the validity the balance is paid out, and the identity still holds
    app.clock.set(ISSUED_MS + 541 * DAY_MS);
    let t = app.ticket(slip.id).await;
    let left = t["balance_yuan"].as_i64().unwrap();
    let (status, paid) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/tickets/{}/cash-out", slip.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["amount_yuan"], left);
    app.assert_ticket_invariants();
}

#[tokio::test]
async fn random_uses_and_cancellations_keep_the_ledger_and_the_face_value_identity() {
    for seed in 0..3 {
        one_sequence(seed).await;
    }
}
