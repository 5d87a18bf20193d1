//! Publication: masked lines, supplementary notices, public reads, the printable page.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;

#[tokio::test]
async fn publication_masks_lines_and_a_supplementary_notice_lists_only_new_ones() {
    let mut fx = Fx::new(3, 2).await;
    let (status, n) = fx.publish().await;
    assert_eq!(status, StatusCode::CREATED, "{n}");
    assert_eq!(
        (n["status"].as_str(), n["round_id"].as_i64()),
        (Some("open"), Some(fx.round))
    );
    assert_eq!(n["title"], "第一批 选房结果公示");
    let ends = START_PLUS_7;
    assert_eq!(n["ends_at"], ends);
    let lines = n["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["position"], 1);
    assert_eq!(lines[0]["name_masked"], "王*华");
    assert!(lines[0]["id_number_masked"].as_str().unwrap().contains('*'));
    assert_eq!(lines[0]["expropriation_project"], "汉正街片区");
    assert_eq!(
        (
            lines[0]["origin_area_m2"].as_f64(),
            lines[0]["area_m2"].as_f64()
        ),
        (Some(80.0), Some(89.5))
    );
    assert_eq!(lines[0]["project_name"], "锦园华苑");
    assert_eq!(
        (
            lines[0]["selected_by"].as_str(),
            lines[0]["withdrawn"].as_bool()
        ),
        (Some("self"), Some(false))
    );
    assert_eq!(lines[0]["proxy_name_masked"], Value::Null);
    // nothing new: refused, nothing written
    let (status, body) = fx.publish().await;
    assert_error(status, &body, StatusCode::CONFLICT, "notice_empty");
    assert_eq!((fx.count("notices"), fx.count("notice_lines")), (1, 2));
    // a third household confirms: the supplementary notice holds only its line
    let third = fx.confirm(2).await;
    let (status, s) = fx.publish().await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(s["lines"].as_array().unwrap().len(), 1);
    let (first, second) = (n["id"].as_i64().unwrap(), s["id"].as_i64().unwrap());
    let line: i64 = {
        use anju::db::schema::notice_lines;
        notice_lines::table
            .filter(notice_lines::notice_id.eq(second))
            .select(notice_lines::reservation_id)
            .first(&mut *fx.app.conn())
            .unwrap()
    };
    assert_eq!(line, third);
    // anyone reads them, without a token; newest first
    let (status, list) = fx
        .public(&format!("/api/v1/notices?round_id={}", fx.round), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 2);
    assert_eq!(
        (
            list["items"][0]["id"].as_i64(),
            list["items"][1]["id"].as_i64()
        ),
        (Some(second), Some(first))
    );
    let (status, one) = fx.public(&format!("/api/v1/notices/{first}"), None).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["lines"].as_array().unwrap().len(), 2);
    assert_eq!(
        one["objections"],
        json!({"open": 0, "upheld": 0, "dismissed": 0})
    );
    let (status, body) = fx.public("/api/v1/notices/999999", None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = fx
        .post(ADMIN_TOKEN, "/api/v1/rounds/999999/notices", json!({}))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let events = anju::db::audit::for_object(&mut fx.app.conn(), "notice", first).unwrap();
    assert_eq!(events[0].action, "notice.published");
    fx.assert_no_personal_data();
}

/// RFC 3339 of the test clock's start plus seven days.
const START_PLUS_7: &str = "2026-03-09T09:00:00.000Z";

#[tokio::test]
async fn the_printable_notice_page_needs_no_sign_in() {
    let app = spawn_app().await;
    for path in ["/notices", "/notices/1"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'"));
        let html = res.text().await.unwrap();
        assert!(html.contains("lang=\"zh-CN\"") && html.contains("/assets/notice.js"));
    }
    assert!(app
        .get_text("/assets/notice.js")
        .await
        .contains("/objections"));
    assert!(app
        .get_text("/assets/notice.css")
        .await
        .contains("@media print"));
}

/// A reservation made in a proxy's session shows `selected_by: proxy` with the proxy masked (the
/// proxy is written straight to the database here; its routes are tested in `proxies`).
#[tokio::test]
async fn a_line_chosen_by_a_proxy_names_the_proxy_masked() {
    use anju::db::schema::{proxies, reservations};
    let mut fx = Fx::new(1, 1).await;
    let proxy: i64 = diesel::insert_into(proxies::table)
        .values((
            proxies::household_id.eq(fx.ks[0].id),
            proxies::name_enc.eq("x"),
            proxies::name_masked.eq("赵*"),
            proxies::id_number_enc.eq("x"),
            proxies::id_number_masked.eq("420102********0011"),
            proxies::id_number_hmac.eq("x"),
            proxies::phone_enc.eq("x"),
            proxies::phone_masked.eq("139****2222"),
            proxies::relation.eq("co_applicant"),
            proxies::pin_hash.eq("x"),
            proxies::status.eq("active"),
            proxies::created_at_ms.eq(crate::helpers::START_MS),
        ))
        .returning(proxies::id)
        .get_result(&mut *fx.app.conn())
        .unwrap();
    diesel::update(reservations::table.find(fx.rids[0]))
        .set(reservations::proxy_id.eq(proxy))
        .execute(&mut *fx.app.conn())
        .unwrap();
    let (status, n) = fx.publish().await;
    assert_eq!(status, StatusCode::CREATED, "{n}");
    let line = &n["lines"][0];
    assert_eq!(
        (
            line["selected_by"].as_str(),
            line["proxy_name_masked"].as_str(),
            line["proxy_relation"].as_str()
        ),
        (Some("proxy"), Some("赵*"), Some("co_applicant"))
    );
    fx.assert_no_personal_data();
}
