//! Kiosk search through HTTP against a real index kept in step by the indexer: words, fragments,
//! pinyin, every filter and sort, facets, pagination, visibility rules, live updates, crash
//! safety, reindex, two instances on one database, and bad queries.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// One stored unit with its project, as the truth says (read back through the API).
#[derive(Debug, Clone)]
struct Fx {
    id: i64,
    project_id: i64,
    developer_id: i64,
    district: String,
    zone_class: i64,
    delivery: String,
    amenities: Vec<String>,
    floor: i64,
    rooms: i64,
    area_centi: i64,
    total: i64,
    price_per_m2: i64,
    orientation: Option<String>,
    decoration: Option<String>,
    texts: Vec<String>,
}

struct Hall {
    app: TestApp,
    listed: Vec<Fx>,
    a: Developer,
    hidden_ids: Vec<i64>,
}

async fn create_project(app: &TestApp, dev: &Developer, body: Value, approve: bool) -> i64 {
    let (status, p) = app.post_json(&dev.key, "/api/v1/projects", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    if approve {
        let (status, _) = app
            .post_json(
                ADMIN_TOKEN,
                &format!("/api/v1/projects/{id}/approve"),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    id
}

const LAYOUTS: [&str; 4] = ["3室2厅2卫", "2室1厅1卫", "三室两厅一卫", "4室2厅2卫"];
const ORIENT: [&str; 4] = ["南", "南北", "东", "西南"];
const DECO: [&str; 3] = ["毛坯", "简装", "精装"];
const DESC: [&str; 6] = [
    "湖景房 视野开阔",
    "南北通透 采光好",
    "近地铁 出行方便",
    "大三室 适合三代同堂",
    "安静 小区中心",
    "湖景 南北通透",
];

fn units_json(seed: usize, n: usize) -> Value {
    let units: Vec<Value> = (0..n)
        .map(|i| {
            let k = seed * 7 + i;
            json!({"building": format!("{}号楼", i / 4 + 1), "room": format!("{}0{}", i % 9 + 1, i % 4 + 1), "floor": i % 9 + 1,
                   "layout": LAYOUTS[k % 4], "area_m2": format!("{}.{:02}", 60 + (k * 13) % 90, (k * 7) % 100),
                   "price_per_m2_yuan": 9000 + (k * 1700) % 15000, "orientation": ORIENT[k % 4],
                   "decoration": DECO[k % 3], "description": DESC[k % 6]})
        })
        .collect();
    json!({ "units": units })
}

async fn upload_json(app: &TestApp, dev: &Developer, pid: i64, body: &Value) {
    let (status, reply) = app
        .upload(
            &dev.key,
            pid,
            "application/json",
            serde_json::to_vec(body).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

async fn units_of(app: &TestApp, key: &str, pid: i64) -> Vec<Value> {
    let (status, body) = app
        .get(key, &format!("/api/v1/projects/{pid}/units?per_page=100"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Three listed projects of two developers, a pending project and a suspended developer's project.
async fn hall() -> Hall {
    let app = spawn_app().await;
    let a = app.approved_developer(1).await;
    let b = app.approved_developer(2).await;
    let c = app.approved_developer(3).await;
    let projects = [
        (
            &a,
            json!({"name": "锦园华苑", "district": "高新区", "zone_class": 2, "address": "重庆路88号", "presale_permit_no": "p1",
                    "delivery": "ready", "amenities": ["地铁", "学校"], "description": "近地铁 南北通透"}),
            9,
        ),
        (
            &a,
            json!({"name": "君江华府", "district": "市南区", "zone_class": 1, "address": "香港中路18号", "presale_permit_no": "p2",
                    "delivery": "off_plan", "delivery_date": "2027-06-30", "amenities": ["商场"], "description": "海景 精装修"}),
            8,
        ),
        (
            &b,
            json!({"name": "青山湖苑", "district": "城阳区", "zone_class": 3, "address": "长江路9号", "presale_permit_no": "p3",
                    "delivery": "ready", "amenities": ["学校", "医院"], "description": "湖景 大社区"}),
            10,
        ),
    ];
    let mut listed = Vec::new();
    for (seed, (dev, body, n)) in projects.iter().enumerate() {
        let pid = create_project(&app, dev, body.clone(), true).await;
        upload_json(&app, dev, pid, &units_json(seed, *n)).await;
        let (_, project) = app.get(&dev.key, &format!("/api/v1/projects/{pid}")).await;
        for u in units_of(&app, &dev.key, pid).await {
            let amenities: Vec<String> = project["amenities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            let mut texts: Vec<String> = [
                "name",
                "developer_name",
                "district",
                "address",
                "description",
            ]
            .iter()
            .map(|f| project[f].as_str().unwrap().to_string())
            .collect();
            texts.extend(amenities.iter().cloned());
            texts.push(u["layout"].as_str().unwrap().to_string());
            texts.push(u["description"].as_str().unwrap().to_string());
            listed.push(Fx {
                id: u["id"].as_i64().unwrap(),
                project_id: pid,
                developer_id: dev.id,
                district: project["district"].as_str().unwrap().into(),
                zone_class: project["zone_class"].as_i64().unwrap(),
                delivery: project["delivery"].as_str().unwrap().into(),
                amenities,
                floor: u["floor"].as_i64().unwrap(),
                rooms: u["rooms"].as_i64().unwrap(),
                area_centi: (u["area_m2"].as_f64().unwrap() * 100.0).round() as i64,
                total: u["total_price_yuan"].as_i64().unwrap(),
                price_per_m2: u["price_per_m2_yuan"].as_i64().unwrap(),
                orientation: u["orientation"].as_str().map(str::to_string),
                decoration: u["decoration"].as_str().map(str::to_string),
                texts,
            });
        }
    }
    // never listed: a pending project's units and a suspended developer's units
    let mut hidden_ids = Vec::new();
    let pending = create_project(&app, &b, json!({"name": "待审湖景花园", "district": "高新区", "zone_class": 2, "address": "重庆路1号",
        "presale_permit_no": "p4", "delivery": "ready", "description": "湖景房"}), false).await;
    upload_json(&app, &b, pending, &units_json(7, 3)).await;
    hidden_ids.extend(
        units_of(&app, &b.key, pending)
            .await
            .iter()
            .map(|u| u["id"].as_i64().unwrap()),
    );
    let gone = create_project(
        &app,
        &c,
        json!({"name": "停业湖景苑", "district": "高新区", "zone_class": 2, "address": "重庆路2号",
        "presale_permit_no": "p5", "delivery": "ready", "description": "湖景房"}),
        true,
    )
    .await;
    upload_json(&app, &c, gone, &units_json(8, 3)).await;
    hidden_ids.extend(
        units_of(&app, &c.key, gone)
            .await
            .iter()
            .map(|u| u["id"].as_i64().unwrap()),
    );
    let (status, _) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{}/suspend", c.id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        app.index_caught_up(Duration::from_secs(5)).await,
        "indexer did not catch up"
    );
    Hall {
        app,
        listed,
        a,
        hidden_ids,
    }
}

fn ids(fx: impl Iterator<Item = impl std::borrow::Borrow<Fx>>) -> BTreeSet<i64> {
    fx.map(|f| f.borrow().id).collect()
}

fn set(v: Vec<i64>) -> BTreeSet<i64> {
    let n = v.len();
    let s: BTreeSet<i64> = v.into_iter().collect();
    assert_eq!(s.len(), n, "no listing appears twice");
    s
}

fn containing<'a>(listed: &'a [Fx], needle: &'a str) -> impl Iterator<Item = &'a Fx> + 'a {
    listed
        .iter()
        .filter(move |f| f.texts.iter().any(|t| t.contains(needle)))
}

#[tokio::test]
async fn text_queries_find_words_fragments_names_and_pinyin() {
    let h = hall().await;
    let app = &h.app;
    // words
    for word in ["地铁", "南北通透"] {
        let got = set(app.listing_ids(&format!("q={word}")).await);
        assert_eq!(got, ids(containing(&h.listed, word)), "q={word}");
        assert!(!got.is_empty());
    }
    let got = set(app.listing_ids("q=三室").await);
    let want = ids(h
        .listed
        .iter()
        .filter(|f| f.rooms == 3 || f.texts.iter().any(|t| t.contains("三室"))));
    assert_eq!(got, want, "三室 finds three-room flats");
    // fragments jieba does not cut out: totals equal a plain substring count
    for fragment in ["湖景", "江华", "锦园华苑", "华苑", "88号"] {
        let (status, body) = app.listings(&format!("q={fragment}&per_page=1")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body["total"].as_u64().unwrap() as usize,
            containing(&h.listed, fragment).count(),
            "q={fragment}"
        );
        assert_eq!(
            set(app.listing_ids(&format!("q={fragment}")).await),
            ids(containing(&h.listed, fragment)),
            "q={fragment}"
        );
    }
    // pinyin, full and initials, prefixes, a polyphone (重庆 is chong qing)
    let jinyuan = ids(containing(&h.listed, "锦园华苑"));
    for q in [
        "jyhy",
        "jy",
        "jinyuan",
        "JinYuanHuaYuan",
        "cq",
        "chongqing",
        "chongqinglu",
    ] {
        assert_eq!(
            set(app.listing_ids(&format!("q={q}")).await),
            jinyuan,
            "q={q}"
        );
    }
    // highlight when q is given
    let (_, body) = app.listings("q=湖景").await;
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["highlight"].as_str().is_some_and(|h| h.contains("<em>"))),
        "{body}"
    );
    assert!(body["took_ms"].as_f64().is_some());
}

#[tokio::test]
async fn pending_projects_and_suspended_developers_are_never_listed() {
    let h = hall().await;
    let all = set(h.app.listing_ids("").await);
    assert_eq!(all, ids(h.listed.iter()));
    for id in &h.hidden_ids {
        assert!(!all.contains(id));
        let (status, _) = h
            .app
            .get(ADMIN_TOKEN, &format!("/api/v1/listings/{id}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let got = set(h.app.listing_ids("q=湖景").await);
    assert!(h.hidden_ids.iter().all(|id| !got.contains(id)));
    let (status, one) = h
        .app
        .get(ADMIN_TOKEN, &format!("/api/v1/listings/{}", h.listed[0].id))
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["project"]["name"], "锦园华苑");
    assert_eq!(one["developer"]["id"], h.a.id);
    assert_eq!(one["status"], "available");
}

#[tokio::test]
async fn every_filter_matches_the_truth() {
    let h = hall().await;
    let f = &h.listed;
    let mid_area = {
        let mut a: Vec<i64> = f.iter().map(|x| x.area_centi).collect();
        a.sort();
        a[a.len() / 2]
    };
    let mid_total = {
        let mut a: Vec<i64> = f.iter().map(|x| x.total).collect();
        a.sort();
        a[a.len() / 2]
    };
    let cases: Vec<(String, Box<dyn Fn(&Fx) -> bool>)> = vec![
        (
            "district=高新区".into(),
            Box::new(|x: &Fx| x.district == "高新区"),
        ),
        ("zone_class=1".into(), Box::new(|x: &Fx| x.zone_class == 1)),
        ("rooms=3".into(), Box::new(|x: &Fx| x.rooms == 3)),
        (
            format!("min_area_m2={}", mid_area as f64 / 100.0),
            Box::new(move |x: &Fx| x.area_centi >= mid_area),
        ),
        (
            format!("max_area_m2={}", mid_area as f64 / 100.0),
            Box::new(move |x: &Fx| x.area_centi <= mid_area),
        ),
        (
            format!("min_price_yuan={mid_total}"),
            Box::new(move |x: &Fx| x.total >= mid_total),
        ),
        (
            format!("max_price_yuan={mid_total}"),
            Box::new(move |x: &Fx| x.total <= mid_total),
        ),
        (
            "max_price_per_m2_yuan=15000".into(),
            Box::new(|x: &Fx| x.price_per_m2 <= 15000),
        ),
        (
            "min_floor=3&max_floor=5".into(),
            Box::new(|x: &Fx| (3..=5).contains(&x.floor)),
        ),
        (
            "orientation=南北".into(),
            Box::new(|x: &Fx| x.orientation.as_deref() == Some("南北")),
        ),
        (
            "decoration=fine".into(),
            Box::new(|x: &Fx| x.decoration.as_deref() == Some("fine")),
        ),
        (
            "decoration=毛坯".into(),
            Box::new(|x: &Fx| x.decoration.as_deref() == Some("rough")),
        ),
        (
            "delivery=off_plan".into(),
            Box::new(|x: &Fx| x.delivery == "off_plan"),
        ),
        (
            format!("developer_id={}", h.a.id),
            Box::new(|x: &Fx| x.developer_id == 1),
        ),
        (
            format!("project_id={}", f[0].project_id),
            Box::new(|x: &Fx| x.project_id == 1),
        ),
        (
            "amenities=学校".into(),
            Box::new(|x: &Fx| x.amenities.iter().any(|a| a == "学校")),
        ),
        (
            "amenities=学校,地铁".into(),
            Box::new(|x: &Fx| {
                x.amenities.iter().any(|a| a == "学校") && x.amenities.iter().any(|a| a == "地铁")
            }),
        ),
        (
            "q=湖景&rooms=3&zone_class=3".into(),
            Box::new(|x: &Fx| {
                x.rooms == 3 && x.zone_class == 3 && x.texts.iter().any(|t| t.contains("湖景"))
            }),
        ),
    ];
    assert_eq!((h.a.id, f[0].project_id), (1, 1), "fixture ids");
    for (query, keep) in cases {
        let want = ids(f.iter().filter(|x| keep(x)));
        assert!(!want.is_empty(), "{query} selects something");
        assert_eq!(set(h.app.listing_ids(&query).await), want, "{query}");
    }
}

#[tokio::test]
async fn every_sort_orders_the_whole_result_and_pages_are_stable() {
    let h = hall().await;
    let by = |key: &dyn Fn(&Fx) -> (i64, i64)| {
        let mut v = h.listed.clone();
        v.sort_by_key(|x| key(x));
        v.into_iter().map(|x| x.id).collect::<Vec<_>>()
    };
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("price_asc", by(&|x| (x.total, x.id))),
        ("price_desc", by(&|x| (-x.total, x.id))),
        ("area_asc", by(&|x| (x.area_centi, x.id))),
        ("area_desc", by(&|x| (-x.area_centi, x.id))),
        ("price_per_m2_asc", by(&|x| (x.price_per_m2, x.id))),
    ];
    for (sort, want) in cases {
        let mut got = Vec::new();
        for page in 1..=4 {
            let (status, body) = h
                .app
                .listings(&format!("sort={sort}&per_page=7&page={page}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["total"].as_u64().unwrap() as usize, want.len());
            got.extend(
                body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["unit_id"].as_i64().unwrap()),
            );
        }
        assert_eq!(got, want, "sort={sort}");
    }
    // relevance paging: the pages concatenated are the full result, each listing once
    let full = h.app.listing_ids("q=湖景").await;
    let mut paged = Vec::new();
    for page in 1..=10 {
        let (_, body) = h
            .app
            .listings(&format!("q=湖景&per_page=3&page={page}"))
            .await;
        paged.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["unit_id"].as_i64().unwrap()),
        );
    }
    assert_eq!(paged, full);
}

#[tokio::test]
async fn facets_count_the_whole_filtered_set() {
    let h = hall().await;
    for query in [
        "",
        "q=湖景",
        "rooms=3",
        "zone_class=2&decoration=fine",
        "q=南北通透&max_price_yuan=2000000",
    ] {
        let (status, body) = h
            .app
            .listings(&format!("{query}&facets=true&per_page=2"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let matching: Vec<i64> = h.app.listing_ids(query).await;
        let fx: Vec<&Fx> = h
            .listed
            .iter()
            .filter(|f| matching.contains(&f.id))
            .collect();
        let count = |key: &dyn Fn(&Fx) -> String| {
            let mut m = BTreeMap::new();
            for f in &fx {
                *m.entry(key(f)).or_insert(0u64) += 1;
            }
            serde_json::to_value(m).unwrap()
        };
        assert_eq!(
            body["facets"]["district"],
            count(&|f| f.district.clone()),
            "{query}"
        );
        assert_eq!(
            body["facets"]["zone_class"],
            count(&|f| f.zone_class.to_string()),
            "{query}"
        );
        assert_eq!(
            body["facets"]["rooms"],
            count(&|f| f.rooms.to_string()),
            "{query}"
        );
        assert_eq!(
            body["facets"]["developer"],
            count(&|f| f.developer_id.to_string()),
            "{query}"
        );
        assert_eq!(body["total"].as_u64().unwrap() as usize, fx.len());
    }
}

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

#[tokio::test]
async fn bad_queries_get_400_with_a_stable_code() {
    let app = spawn_app().await;
    let long = "x".repeat(10_000);
    for query in [
        format!("q={long}"),
        "min_price_yuan=-5".to_string(),
        "min_area_m2=-1".to_string(),
        "min_price_yuan=500&max_price_yuan=100".to_string(),
        "min_floor=9&max_floor=2".to_string(),
        "sort=cheapest".to_string(),
        "per_page=10000".to_string(),
        "page=0".to_string(),
        "zone_class=abc".to_string(),
        "decoration=豪装".to_string(),
    ] {
        let (status, body) = app.listings(&query).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    }
    // unbalanced quotes and operators are plain text, not errors
    for query in ["q=%22湖景", "q=a%20AND%20(", "q=*", "q=%5B%7B"] {
        let (status, body) = app.listings(query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
    }
}
