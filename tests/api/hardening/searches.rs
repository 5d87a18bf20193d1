//! Every household search leaves an audit event with the masked query and what it found — a
//! search that finds nothing too — and answers no sooner than the look-up floor either way.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn search_events(app: &TestApp) -> Vec<(String, Option<i64>, Value)> {
    use anju::db::schema::audit_events as a;
    a::table
        .filter(a::action.eq("household.search"))
        .order(a::id.asc())
        .select((a::actor_kind, a::actor_id, a::details))
        .load::<(String, Option<i64>, String)>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .map(|(kind, id, details)| (kind, id, serde_json::from_str(&details).unwrap()))
        .collect()
}

#[tokio::test]
async fn household_searches_are_audited_with_the_masked_query_and_take_the_floor_time() {
    let floor = Duration::from_millis(150);
    let app = spawn_app_with(|c| c.security.lookup_floor_ms = 150).await;
    let (_, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "周科员", "role": "viewer"}),
        )
        .await;
    let (viewer_id, viewer) = (
        viewer["id"].as_i64().unwrap(),
        viewer["token"].as_str().unwrap().to_string(),
    );
    let (id, _, _) = app.household(7, "80.00", 1).await;
    let (_, household) = app
        .get(ADMIN_TOKEN, &format!("/api/v1/households/{id}"))
        .await;
    let masked_id = household["id_number_masked"].as_str().unwrap().to_string();
    let ending = &masked_id[masked_id.len() - 4..];
    let miss = if ending == "0000" { "1111" } else { "0000" };

    for (q, expected) in [(ending, 1), (miss, 0), ("张小7", 1), ("王五", 0)] {
        let started = Instant::now();
        let (status, page) = app
            .get(&viewer, &format!("/api/v1/households?q={}", urlencode(q)))
            .await;
        let took = started.elapsed();
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], expected, "{q}");
        assert!(took >= floor, "{q} answered in {took:?}, under the floor");
    }
    let events = search_events(&app);
    assert_eq!(events.len(), 4);
    let queries: Vec<&str> = events.iter().map(|e| e.2["q"].as_str().unwrap()).collect();
    assert_eq!(queries, [ending, miss, "张*7", "王*"]);
    let totals: Vec<i64> = events
        .iter()
        .map(|e| e.2["total"].as_i64().unwrap())
        .collect();
    assert_eq!(totals, [1, 0, 1, 0]);
    assert!(events
        .iter()
        .all(|e| e.0 == "official" && e.1 == Some(viewer_id)));
    // no full name reaches the audit trail
    assert!(!events.iter().any(|e| e.2.to_string().contains("张小7")));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
