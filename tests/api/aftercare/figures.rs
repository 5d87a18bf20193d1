//! `/stats/handover` and `/stats/occupancy` for a known set of handovers, on the manual clock.

use reqwest::StatusCode;
use serde_json::json;

use super::handover::{contracted, filing};
use crate::helpers::{spawn_app, ADMIN_TOKEN};

const DAY_MS: i64 = 86_400_000;

#[tokio::test]
async fn handover_and_occupancy_figures_add_up_and_mask_the_overdue() {
    let app = spawn_app().await;
    let (dev, bought) = contracted(&app, 4).await;
    let path = |id: i64, what: &str| format!("/api/v1/reservations/{id}/{what}");
    for (b, m) in bought.iter().zip([102.0, 105.0, 95.0]) {
        let (status, h) = app
            .post_json(&dev.key, &path(b.id, "handover"), &filing(m, "2026-03-02"))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{h}");
    }
    let reason = json!({"reason": "书面申请退房"});
    let (status, h) = app
        .post_json(ADMIN_TOKEN, &path(bought[2].id, "rescind"), &reason)
        .await;
    assert_eq!(status, StatusCode::OK, "{h}");
    let (status, h) = app
        .post_json(
            &dev.key,
            &path(bought[0].id, "move-in"),
            &json!({"date": "2026-03-02"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{h}");

    let (status, stats) = app.get(ADMIN_TOKEN, "/api/v1/stats/handover").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let row = &stats["rows"][0];
    assert_eq!(stats["rows"].as_array().unwrap().len(), 1, "{stats}");
    let figures = |r: &serde_json::Value| {
        [
            "handed_over",
            "pending",
            "within_3pct",
            "beyond_3pct",
            "rescinded",
            "household_pays_yuan",
            "refunds_yuan",
            "developer_absorbs_yuan",
            "developer_penalty_yuan",
        ]
        .map(|k| r[k].as_i64().unwrap())
    };
    // 102.00 pays 18 000; 105.00 pays 27 000 and the developer absorbs 18 000; 95.00 rescinded
    assert_eq!(
        figures(row),
        [2, 1, 1, 1, 1, 45_000, 0, 18_000, 0],
        "{stats}"
    );
    assert_eq!(figures(&stats["total"]), figures(row));
    let (_, by_project) = app
        .get(ADMIN_TOKEN, "/api/v1/stats/handover?group_by=project")
        .await;
    assert_eq!(
        figures(&by_project["rows"][0]),
        figures(row),
        "{by_project}"
    );
    let (status, body) = app
        .get(ADMIN_TOKEN, "/api/v1/stats/handover?group_by=zone")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = app.get(&dev.key, "/api/v1/stats/handover").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // 180 days after the handover day nobody is overdue yet; the day after, the 105.00 one is
    app.clock.advance(180 * DAY_MS);
    let (_, occ) = app.get(ADMIN_TOKEN, "/api/v1/stats/occupancy").await;
    assert_eq!(occ["overdue"], json!([]), "{occ}");
    app.clock.advance(DAY_MS);
    let (status, occ) = app.get(ADMIN_TOKEN, "/api/v1/stats/occupancy").await;
    assert_eq!(status, StatusCode::OK, "{occ}");
    for rows in ["by_project", "by_district"] {
        let r = &occ[rows][0];
        assert_eq!(
            (r["handed_over"].as_i64(), r["moved_in"].as_i64()),
            (Some(2), Some(1)),
            "{occ}"
        );
        assert_eq!(
            (r["occupancy_pct"].as_f64(), r["overdue"].as_i64()),
            (Some(50.0), Some(1)),
            "{occ}"
        );
    }
    let late = &occ["overdue"][0];
    assert_eq!(late["reservation_id"], bought[1].id, "{occ}");
    assert_eq!(
        (
            late["household_name_masked"].as_str(),
            late["days_overdue"].as_i64()
        ),
        (Some("王*华"), Some(1))
    );
    for i in 0..4 {
        assert!(
            !occ.to_string().contains(&format!("王{i}华")),
            "full names never shown"
        );
    }
}
