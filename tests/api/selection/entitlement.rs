//! What a household's entitlement allows at hold time: a hold that could never be confirmed is
//! refused when it is asked for.

use super::*;

/// One listed unit of `area` m² in a new project of zone `zone`: its id.
async fn unit_in_zone(app: &TestApp, dev: &Developer, zone: i64, area: &str) -> i64 {
    let project = app
        .project_in_zone(dev, &format!("{zone}区花园"), zone, true)
        .await;
    let row = format!("1,1,101,5,2室1厅1卫,{area},,9000,,南,fine,,available");
    let (status, body) = app
        .upload(&dev.key, project, "text/csv", en_csv(&[row]))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = app
        .get(&dev.key, &format!("/api/v1/projects/{project}/units"))
        .await;
    list["items"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_household_too_small_to_take_anything_off_is_refused_at_hold_not_at_confirm() {
    let app = spawn_app().await;
    let dev = app.approved_developer(3).await;
    let first = unit_in_zone(&app, &dev, 3, "89.99").await;
    let wanted = unit_in_zone(&app, &dev, 2, "89.50").await;
    // 90.00 m² from zone 3 takes an 89.99 m² flat of its own zone and keeps 0.01 m², which
    // covers 0.008 m² in zone 2: nothing at the hundredth. A hold would end in a confirm that
    // can never succeed, so the hold itself is refused.
    let (tiny, voucher, pin) = app.household(1, "90.00", 3).await;
    let k = app.kiosks(1).await.remove(0);
    app.open_round(&[tiny, k.id], 2).await;
    let token = app.kiosk_token(&voucher, &pin).await;
    let (status, hold) = app.hold(&token, first, None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    let (status, r) = app.confirm(&token, hold["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (_, me) = app.get(&token, "/api/v1/kiosk/me").await;
    assert_eq!(me["remaining_origin_area_m2"], 0.01, "{me}");
    let (_, quote) = app
        .get(&token, &format!("/api/v1/kiosk/quote/{wanted}"))
        .await;
    assert_eq!(quote["quote"]["origin_area_consumed_m2"], 0.0, "{quote}");
    for key in [None, Some("tiny-1")] {
        let (status, body) = app.hold(&token, wanted, key).await;
        assert_error(status, &body, StatusCode::CONFLICT, "entitlement_exhausted");
    }
    assert!(app.index_caught_up(std::time::Duration::from_secs(5)).await);
    assert!(
        app.listing_ids("").await.contains(&wanted),
        "the unit stays listed"
    );
    let (_, me) = app.get(&token, "/api/v1/kiosk/me").await;
    assert!(me["active_hold"].is_null(), "{me}");
    // the flat is still there for a household that can take it
    let (status, hold) = app.hold(&k.token, wanted, None).await;
    assert_eq!(status, StatusCode::CREATED, "{hold}");
    app.assert_invariants();
}
