//! Contracts wait for a final notice unless the policy says otherwise.

use reqwest::StatusCode;
use serde_json::json;

use super::*;

#[tokio::test]
async fn a_contract_waits_for_a_final_notice_unless_the_policy_says_otherwise() {
    let mut fx = Fx::new(2, 2).await;
    let (status, body) = fx.contract(0).await;
    assert_error(status, &body, StatusCode::CONFLICT, "notice_pending");
    let (_, n) = fx.publish().await;
    let notice = n["id"].as_i64().unwrap();
    let (status, body) = fx.contract(0).await;
    assert_error(status, &body, StatusCode::CONFLICT, "notice_pending");
    let (_, o) = fx.object(notice, Some(2), "异议").await;
    fx.app.clock.advance(7 * DAY);
    let (status, body) = fx.contract(0).await;
    assert_error(status, &body, StatusCode::CONFLICT, "notice_pending");
    assert_eq!(fx.reservation_status(fx.rids[0]), "confirmed");
    let (status, _) = fx
        .resolve(
            o["id"].as_i64().unwrap(),
            json!({"outcome": "dismissed", "response": "不成立"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, one) = fx.public(&format!("/api/v1/notices/{notice}"), None).await;
    assert_eq!(one["status"], "final");
    let (status, c) = fx.contract(0).await;
    assert_eq!(
        (status, c["status"].as_str()),
        (StatusCode::OK, Some("contracted")),
        "{c}"
    );
    // with the key false a reservation in no notice is contracted as before
    let mut other = Fx::new(1, 1).await;
    other.app.contracts_without_notice().await;
    let (status, c) = other.contract(0).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    fx.assert_no_personal_data();
    other.assert_no_personal_data();
}
