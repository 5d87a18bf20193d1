//! Unit usage (用途): flats, shops and parking spaces uploaded together, listed with their usage
//! and without rooms where they have no layout, filtered by usage through the search index and
//! the kiosk's matches, and every bad row or filter refused.

use std::collections::BTreeSet;
use std::time::Duration;

use super::*;

/// A flat, a shop without a layout, a parking space (用途 车位) and an office with one, as a
/// Chinese sheet names them.
const MIXED_CSV: &str = "楼栋,单元,房号,楼层,户型,建筑面积,单价,朝向,用途\n\
                         1号楼,1,101,1,3室2厅2卫,89.50,15000,南,住宅\n\
                         1号楼,1,S01,1,,45.00,30000,,商业\n\
                         地下车库,,P001,1,,12.50,8000,,车位\n\
                         2号楼,,501,5,2室1厅,120.00,20000,南北,办公\n";

struct Mixed {
    app: TestApp,
    dev: Developer,
    project: i64,
    /// unit ids by room
    ids: std::collections::HashMap<String, i64>,
}

async fn mixed() -> Mixed {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let project = app.project(&dev, "君江华府", true).await;
    let (status, body) = app
        .upload(&dev.key, project, "text/csv", MIXED_CSV.as_bytes().to_vec())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 4, "{body}");
    let ids = all_units(&app, &dev.key, project)
        .await
        .iter()
        .map(|u| {
            let room = u["room"].as_str().unwrap().to_string();
            (room, u["id"].as_i64().unwrap())
        })
        .collect();
    assert!(app.index_caught_up(Duration::from_secs(10)).await);
    Mixed {
        app,
        dev,
        project,
        ids,
    }
}

fn ids_of(body: &Value) -> BTreeSet<i64> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {body}"))
        .iter()
        .map(|i| i["unit_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn usage_flat_shop_and_parking_space_upload_and_list_with_usage_and_null_rooms() {
    let m = mixed().await;
    let units = all_units(&m.app, &m.dev.key, m.project).await;
    let facts = |room: &str| {
        let u = unit(&units, u_building(room), room);
        (
            u["usage"].clone(),
            u["layout"].clone(),
            u["rooms"].clone(),
            u["halls"].clone(),
            u["baths"].clone(),
        )
    };
    assert_eq!(
        facts("101"),
        (
            json!("residential"),
            json!("3室2厅2卫"),
            json!(3),
            json!(2),
            json!(2)
        )
    );
    for (room, usage) in [("S01", "commercial"), ("P001", "parking")] {
        let none = (
            json!(usage),
            json!(""),
            Value::Null,
            Value::Null,
            Value::Null,
        );
        assert_eq!(facts(room), none, "{room}");
    }
    assert_eq!(
        facts("501"),
        (
            json!("office"),
            json!("2室1厅"),
            json!(2),
            json!(1),
            Value::Null
        )
    );

    // listed through the search index, each with its usage
    let (status, body) = m
        .app
        .listings(&format!("project_id={}&facets=true", m.project))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 4, "{body}");
    let parking = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["unit_id"] == m.ids["P001"])
        .expect("the parking space is listed");
    assert_eq!(
        (
            &parking["usage"],
            &parking["layout"],
            &parking["rooms"],
            &parking["halls"]
        ),
        (&json!("parking"), &json!(""), &Value::Null, &Value::Null)
    );
    assert_eq!(
        body["facets"]["usage"],
        json!({"residential": 1, "commercial": 1, "office": 1, "parking": 1})
    );
    assert_eq!(
        body["facets"]["rooms"],
        json!({"3": 1, "2": 1}),
        "a unit without rooms is in no rooms facet"
    );

    // one listing, read from the database
    let (status, one) = m
        .app
        .get("", &format!("/api/v1/listings/{}", m.ids["S01"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(
        (&one["usage"], &one["rooms"]),
        (&json!("commercial"), &Value::Null)
    );
}

/// The building of a room in `MIXED_CSV`.
fn u_building(room: &str) -> &'static str {
    match room {
        "101" | "S01" => "1号楼",
        "P001" => "地下车库",
        _ => "2号楼",
    }
}

#[tokio::test]
async fn usage_filter_selects_through_search_and_rooms_never_match_a_unit_without_them() {
    let m = mixed().await;
    let search = |query: String| {
        let app = &m.app;
        async move {
            let (status, body) = app.listings(&query).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            ids_of(&body)
        }
    };
    let p = m.project;
    let ids = |rooms: &[&str]| rooms.iter().map(|r| m.ids[*r]).collect::<BTreeSet<_>>();
    assert_eq!(
        search(format!("project_id={p}&usage=parking")).await,
        ids(&["P001"])
    );
    assert_eq!(
        search(format!("project_id={p}&usage=commercial,parking")).await,
        ids(&["S01", "P001"])
    );
    assert_eq!(
        search(format!("project_id={p}&usage=residential")).await,
        ids(&["101"])
    );
    assert_eq!(
        search(format!("project_id={p}&usage=office&rooms=2")).await,
        ids(&["501"])
    );
    assert_eq!(
        search(format!("project_id={p}&rooms=3")).await,
        ids(&["101"])
    );
    // with words too: the filter narrows a text search
    assert_eq!(
        search(format!("project_id={p}&q=君江&usage=parking,office")).await,
        ids(&["P001", "501"])
    );
}

#[tokio::test]
async fn usage_filter_with_an_unknown_or_misspelt_value_is_400_invalid_query() {
    let app = spawn_app().await;
    for query in [
        "usage=boat",
        "usage=",
        "usage=parking,",
        "usage=Parking",
        "usage=parking,boat",
        "usage=%E8%BD%A6%E4%BD%8D",
    ] {
        let (status, body) = app.listings(query).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    }
}

#[tokio::test]
async fn usage_residential_row_without_layout_and_unknown_usage_are_rejected_by_row_and_field() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let project = app.project(&dev, "君江华府", true).await;
    let csv = "楼栋,房号,楼层,户型,建筑面积,单价,用途\n\
               1,101,1,3室2厅,89.50,15000,\n\
               1,102,1,,89.50,15000,\n\
               1,103,1,,89.50,15000,住宅\n\
               1,104,1,,30.00,15000,仓库\n\
               1,105,1,,12.50,8000,车位\n";
    let before = app.snapshot(project);
    let (status, body) = app
        .upload(&dev.key, project, "text/csv", csv.as_bytes().to_vec())
        .await;
    let details = assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    );
    let rows: Vec<(u64, &str)> = details["rows"]
        .as_array()
        .expect("details.rows")
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [(3, "layout"), (4, "layout"), (5, "usage")], "{body}");
    assert!(
        details["rows"][0]["message"]
            .as_str()
            .unwrap()
            .contains("residential"),
        "{body}"
    );
    assert_eq!(app.snapshot(project), before, "nothing stored");
}

#[tokio::test]
async fn usage_filters_a_households_matches_too() {
    let m = mixed().await;
    let (_, voucher, pin) = m.app.household(1, "80.00", 2).await;
    let token = m.app.kiosk_token(&voucher, &pin).await;
    let (status, body) = m
        .app
        .get(&token, "/api/v1/kiosk/matches?usage=parking&per_page=100")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids_of(&body), BTreeSet::from([m.ids["P001"]]));
    let (status, body) = m
        .app
        .get(&token, "/api/v1/kiosk/matches?rooms=2&per_page=100")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids_of(&body), BTreeSet::from([m.ids["501"]]));
    let (status, body) = m.app.get(&token, "/api/v1/kiosk/matches?usage=boat").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn usage_is_in_the_openapi_document_as_a_listing_field_and_a_filter() {
    let app = spawn_app().await;
    let doc: Value = serde_json::from_str(&app.get_text("/openapi.json").await).unwrap();
    let params = doc["paths"]["/api/v1/listings"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let usage = params
        .iter()
        .find(|p| p["name"] == "usage")
        .expect("usage filter documented");
    assert_eq!(usage["in"], "query");
    let pattern = usage["schema"]["pattern"].as_str().unwrap();
    assert!(pattern.contains("parking"), "{pattern}");
    let schemas = &doc["components"]["schemas"];
    for ty in ["Listing", "UnitOut"] {
        let field = &schemas[ty]["properties"]["usage"];
        assert!(!field.is_null(), "{ty}.usage documented");
        let required = schemas[ty]["required"].as_array().unwrap();
        assert!(required.contains(&json!("usage")), "{ty}.usage required");
    }
    assert_eq!(
        schemas["Usage"]["enum"],
        json!(["residential", "commercial", "office", "parking"])
    );
    assert!(!schemas["FacetCounts"]["properties"]["usage"].is_null());
}
