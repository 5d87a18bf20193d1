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

mod freshness;
mod queries;
