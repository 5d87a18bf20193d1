//! Authorization by actor and ownership: developers see and change only their own objects,
//! viewers only read, a suspended developer's key stops working.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn developer_b_can_neither_read_nor_change_developer_a_s_projects_or_units() {
    let app = spawn_app().await;
    let a = app.approved_developer(1).await;
    let b = app.approved_developer(2).await;
    let pa = app.project(&a, "锦园华苑", true).await;
    let pb = app.project(&b, "君江华府", true).await;
    let (status, _) = app
        .upload(&a.key, pa, "text/csv", en_csv(&[en_row("1", "101")]))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, units) = app
        .get(&a.key, &format!("/api/v1/projects/{pa}/units"))
        .await;
    let unit_a = units["items"][0]["id"].as_i64().unwrap();
    let before = app.snapshot(pa);

    // B's list holds only B's project; officials see both
    let (_, list) = app.get(&b.key, "/api/v1/projects").await;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![pb]);
    assert_eq!(list["total"], 1);
    let (_, all) = app.get(ADMIN_TOKEN, "/api/v1/projects").await;
    assert_eq!(all["total"], 2);

    for path in [
        format!("/api/v1/projects/{pa}"),
        format!("/api/v1/projects/{pa}/units"),
        format!("/api/v1/units/{unit_a}"),
        format!("/api/v1/developers/{}", a.id),
    ] {
        let (status, body) = app.get(&b.key, &path).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, body) = app
        .patch_json(
            &b.key,
            &format!("/api/v1/units/{unit_a}"),
            &json!({"status": "withdrawn"}),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app
        .upload(&b.key, pa, "text/csv", en_csv(&[en_row("1", "101")]))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.snapshot(pa), before);

    // A still reads its own
    let (status, _) = app.get(&a.key, &format!("/api/v1/units/{unit_a}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, me) = app
        .get(&a.key, &format!("/api/v1/developers/{}", a.id))
        .await;
    assert_eq!((status, me["id"].as_i64()), (StatusCode::OK, Some(a.id)));
}

#[tokio::test]
async fn developers_cannot_act_as_officials() {
    let app = spawn_app().await;
    let a = app.approved_developer(1).await;
    let pa = app.project(&a, "锦园华苑", false).await;
    for (path, body) in [
        (format!("/api/v1/projects/{pa}/approve"), json!({})),
        (format!("/api/v1/developers/{}/keys", a.id), json!({})),
        (
            "/api/v1/officials".to_string(),
            json!({"name": "x", "role": "admin"}),
        ),
    ] {
        let (status, reply) = app.post_json(&a.key, &path, &body).await;
        assert_error(status, &reply, StatusCode::FORBIDDEN, "forbidden");
    }
    let (status, reply) = app.get(&a.key, "/api/v1/developers").await;
    assert_error(status, &reply, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_approve_or_write() {
    let app = spawn_app().await;
    let a = app.approved_developer(1).await;
    let pa = app.project(&a, "锦园华苑", false).await;
    let (_, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "赵科员", "role": "viewer"}),
        )
        .await;
    let token = viewer["token"].as_str().unwrap().to_string();

    let (status, body) = app
        .post_json(
            &token,
            &format!("/api/v1/projects/{pa}/approve"),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .post_json(
            &token,
            &format!("/api/v1/developers/{}/suspend", a.id),
            &json!({}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .post_json(&token, "/api/v1/developers", &json!({"name": "某公司", "credit_code": credit_code(9), "contact_name": "李四", "contact_phone": "13912345678"}))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .post_json(
            &token,
            "/api/v1/officials",
            &json!({"name": "x", "role": "admin"}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app
        .upload(&token, pa, "text/csv", en_csv(&[en_row("1", "101")]))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let (status, project) = app.get(&token, &format!("/api/v1/projects/{pa}")).await;
    assert_eq!(
        (status, project["status"].as_str()),
        (StatusCode::OK, Some("pending"))
    );
    let (status, _) = app
        .get(&token, &format!("/api/v1/projects/{pa}/units"))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_suspended_developer_s_key_stops_working_and_works_again_after_reapproval() {
    let app = spawn_app().await;
    let a = app.approved_developer(1).await;
    let pa = app.project(&a, "锦园华苑", true).await;
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{}/suspend", a.id),
            &json!({"reason": "虚假房源"}),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("suspended")),
        "{body}"
    );

    let (status, body) = app.get(&a.key, "/api/v1/projects").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "developer_suspended");
    let (status, body) = app
        .upload(&a.key, pa, "text/csv", en_csv(&[en_row("1", "101")]))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "developer_suspended");
    assert_eq!(app.unit_count(pa), 0);
    // no new key while suspended
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{}/keys", a.id),
            &json!({}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "developer_not_approved",
    );

    let (status, _) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{}/approve", a.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(&a.key, "/api/v1/projects").await;
    assert_eq!(status, StatusCode::OK);
}
