//! The index follows the database: withdrawals and relistings, a crash between the two commits,
//! and a second instance on the same database.

use super::*;

async fn eventually(within: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < within {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn a_withdrawn_unit_leaves_search_and_a_relisted_one_returns_within_a_second() {
    let h = hall().await;
    let app = &h.app;
    let id = h.listed[0].id;
    withdraw(app, &h.a.key, id).await;
    assert!(
        eventually(Duration::from_secs(1), async || !app
            .listing_ids("")
            .await
            .contains(&id))
        .await,
        "withdrawn unit still listed after 1 s"
    );
    let (status, _) = app
        .patch_json(
            &h.a.key,
            &format!("/api/v1/units/{id}"),
            &json!({"status": "available", "price_per_m2_yuan": 30000}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        eventually(Duration::from_secs(1), async || app
            .listing_ids("")
            .await
            .contains(&id))
        .await,
        "relisted unit missing after 1 s"
    );
    let (_, body) = app
        .listings(&format!(
            "project_id={}&sort=price_per_m2_asc&per_page=100",
            h.listed[0].project_id
        ))
        .await;
    let last = body["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["unit_id"].as_i64(), last["price_per_m2_yuan"].as_i64()),
        (Some(id), Some(30000))
    );
    // a developer's suspension hides all its units; its approval brings them back
    let (status, _) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{}/suspend", h.a.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let of_a = ids(h.listed.iter().filter(|f| f.developer_id == h.a.id));
    assert!(
        eventually(Duration::from_secs(1), async || app
            .listing_ids("")
            .await
            .iter()
            .all(|i| !of_a.contains(i)))
        .await
    );
}

#[tokio::test]
async fn after_a_crash_between_database_and_index_commits_the_restarted_index_agrees_with_the_database(
) {
    let h = hall().await;
    let app = &h.app;
    // the indexer "dies": changes reach the database but not the index
    app.state.indexer.set_paused(true);
    let stale_seq = app.state.search.applied_seq();
    // a unit of another project than the upload below (whose rows would relist it)
    let withdrawn = h
        .listed
        .iter()
        .find(|f| f.developer_id == h.a.id && f.project_id != h.listed[0].project_id)
        .unwrap();
    let id = withdrawn.id;
    withdraw(app, &h.a.key, id).await;
    let (status, _) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/projects/{}/reject", 99_999),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let extra = units_json(5, 4);
    upload_json(app, &h.a, h.listed[0].project_id, &extra).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.state.search.applied_seq(), stale_seq);
    assert!(
        app.listing_ids("").await.contains(&id),
        "the dead indexer did not apply the change"
    );

    // what is on disk at the crash: the index as last committed; restart on it
    let crashed = tempfile::tempdir().unwrap();
    copy_dir(&app.state.index_dir, crashed.path());
    let restarted =
        spawn_second_instance(app, |c| c.index_dir = crashed.path().to_path_buf()).await;
    assert!(restarted.index_caught_up(Duration::from_secs(5)).await);
    let truth: Vec<i64> = anju::db::listings::listed_ids(&mut app.conn()).unwrap();
    let restarted_ids = restarted.listing_ids("").await;
    assert_eq!(set(restarted_ids.clone()), truth.iter().copied().collect());
    assert!(!restarted_ids.contains(&id));

    // `anju reindex` equals the incrementally maintained index
    let fresh = tempfile::tempdir().unwrap();
    let rebuilt = anju::search::SearchIndex::open_or_create(fresh.path()).unwrap();
    let n = anju::jobs::indexer::Indexer::rebuild(&rebuilt, &app.state.pool, &|_| {}).unwrap();
    assert_eq!(n as usize, truth.len());
    assert_eq!(
        rebuilt.all_unit_ids().unwrap(),
        restarted.state.search.all_unit_ids().unwrap()
    );
    assert_eq!(rebuilt.num_docs(), restarted.state.search.num_docs());
    for q in ["湖景", "jyhy", "三室"] {
        let query = anju::search::ListingQuery {
            q: Some(q.into()),
            limit: 100,
            facets: true,
            ..Default::default()
        };
        let a = rebuilt.search(&query).unwrap();
        let b = restarted.state.search.search(&query).unwrap();
        assert_eq!((a.total, a.facets), (b.total, b.facets), "q={q}");
    }
}

/// The developer takes a unit off the hall.
async fn withdraw(app: &TestApp, key: &str, id: i64) {
    let (status, body) = app
        .patch_json(
            key,
            &format!("/api/v1/units/{id}"),
            &json!({"status": "withdrawn"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[tokio::test]
async fn a_withdraw_through_one_instance_disappears_from_another_instance_s_search() {
    let h = hall().await;
    let b = spawn_second_instance(&h.app, |_| {}).await;
    assert!(b.index_caught_up(Duration::from_secs(5)).await);
    let id = h.listed[2].id;
    assert!(b.listing_ids("").await.contains(&id));
    withdraw(&h.app, &h.a.key, id).await;
    assert!(
        eventually(Duration::from_secs(2), async || !b
            .listing_ids("")
            .await
            .contains(&id))
        .await,
        "instance B still lists it after 2 s"
    );
}
