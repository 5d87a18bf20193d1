//! Text queries, filters, sorts, pages and facets against the known hall; bad queries.

use super::*;

/// A query string and the predicate its results must satisfy.
type FilterCase = (String, Box<dyn Fn(&Fx) -> bool>);

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
    let cases: Vec<FilterCase> = vec![
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
