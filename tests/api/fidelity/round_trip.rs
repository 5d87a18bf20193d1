//! Every character class round-trips through CSV (UTF-8 and GB18030), XLSX and JSON uploads and
//! the JSON routes; only numbers and codes fold; a layout without 卫 keeps baths unknown.

use super::*;
use crate::households::id_number;

const UNIT_HEADER: [&str; 8] = [
    "building",
    "unit",
    "room",
    "floor",
    "layout",
    "area_m2",
    "price_per_m2_yuan",
    "description",
];

fn unit_row(room: String, layout: &str) -> Vec<String> {
    // full-width digits in the building code, floor and area: those fold
    [
        "１号楼",
        "",
        &room,
        "１２",
        layout,
        "８９．５",
        "15000",
        TEXT,
    ]
    .map(str::to_string)
    .to_vec()
}

#[tokio::test]
async fn unit_and_project_text_round_trips_byte_for_byte_in_every_format() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let name = "阳光花园（二期）😀𠀾";
    let (status, project) = app
        .post_json(
            &dev.key,
            "/api/v1/projects",
            &json!({"name": name, "district": "高新区（东）", "zone_class": 2, "address": TEXT,
                    "presale_permit_no": "２０２６预字第００１号", "delivery": "ready",
                    "amenities": ["地铁（2号线）"], "description": TEXT}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let pid = project["id"].as_i64().unwrap();
    let (_, project) = app.get(&dev.key, &format!("/api/v1/projects/{pid}")).await;
    assert_eq!(
        [
            &project["name"],
            &project["district"],
            &project["address"],
            &project["description"]
        ],
        [
            &json!(name),
            &json!("高新区（东）"),
            &json!(TEXT),
            &json!(TEXT)
        ]
    );
    assert_eq!(project["amenities"], json!(["地铁（2号线）"]));
    assert_eq!(
        project["presale_permit_no"], "2026预字第001号",
        "a code folds"
    );
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/projects/{pid}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for (i, format) in FORMATS.into_iter().enumerate() {
        let rows = [
            unit_row(format!("{i}01"), "3房2厅"),
            unit_row(format!("{i}02"), "3室2厅1卫"),
        ];
        let (content_type, body) = table(format, "units", &UNIT_HEADER, &rows);
        let (status, reply) = app.upload(&dev.key, pid, content_type, body).await;
        assert_eq!(status, StatusCode::OK, "{format:?}: {reply}");
        assert_eq!(reply["created"], 2, "{format:?}");
    }
    let (_, units) = app
        .get(
            &dev.key,
            &format!("/api/v1/projects/{pid}/units?per_page=100"),
        )
        .await;
    let units = units["items"].as_array().unwrap();
    assert_eq!(units.len(), 8);
    for u in units {
        assert_eq!(u["description"].as_str(), Some(TEXT), "{u}");
        assert_eq!(u["building"], "1号楼", "{u}");
        assert_eq!((&u["floor"], &u["area_m2"]), (&json!(12), &json!(89.5)));
        let (layout, baths) = if u["room"].as_str().unwrap().ends_with("01") {
            ("3室2厅", Value::Null) // 3房2厅 names no bathrooms: unknown, not 1
        } else {
            ("3室2厅1卫", json!(1))
        };
        assert_eq!(
            (u["layout"].as_str(), &u["baths"]),
            (Some(layout), &baths),
            "{u}"
        );
        assert_eq!((&u["rooms"], &u["halls"]), (&json!(3), &json!(2)));
    }

    // the listings show the same text; search folds only its index and query, so ASCII
    // parentheses find the full-width ones
    assert!(app.index_caught_up(std::time::Duration::from_secs(5)).await);
    let (status, found) = app.listings(&format!("q={}", urlencode("(二期)"))).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["total"], 8, "{found}");
    for l in found["items"].as_array().unwrap() {
        assert_eq!(
            (l["project_name"].as_str(), l["address"].as_str()),
            (Some(name), Some(TEXT))
        );
        assert!(
            l["highlight"].as_str().unwrap().contains("<em>二期</em>"),
            "{l}"
        );
        let unknown = l["layout"] == "3室2厅";
        assert_eq!(l["baths"].is_null(), unknown, "{l}");
    }
    let (_, found) = app.listings(&format!("q={}", urlencode("二期）"))).await;
    assert_eq!(found["total"], 8, "{found}");
}

const HOUSEHOLD_HEADER: [&str; 9] = [
    "name",
    "id_number",
    "phone",
    "expropriation_project",
    "origin_area_m2",
    "origin_zone",
    "assessed_price_yuan_per_m2",
    "signed_at",
    "method",
];

/// Full-width digits, as a Chinese input method types them.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | 'X' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            _ => c,
        })
        .collect()
}

#[tokio::test]
async fn household_text_round_trips_in_every_format_and_codes_fold() {
    let app = spawn_app().await;
    let name = "𠀾（小）😀";
    for (i, format) in FORMATS.into_iter().enumerate() {
        let id = id_number("19800101", i as u32 + 1);
        let row = [
            name,
            &full_width(&id),
            &full_width("13812345678"),
            TEXT,
            "８０．５",
            "一类区",
            "１５０００",
            "2026-03-01 09:30",
            "选购大厅",
        ]
        .map(str::to_string)
        .to_vec();
        let (content_type, body) = table(format, "households", &HOUSEHOLD_HEADER, &[row]);
        let (status, reply) = app.import_households(ADMIN_TOKEN, content_type, body).await;
        assert_eq!(status, StatusCode::CREATED, "{format:?}: {reply}");
    }
    // the full name is stored as given: its keyed hash finds all four
    let (status, found) = app
        .get(
            ADMIN_TOKEN,
            &format!("/api/v1/households?q={}", urlencode(name)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["total"], 4, "{found}");
    for h in found["items"].as_array().unwrap() {
        assert_eq!(h["name_masked"], "𠀾***😀", "{h}");
        assert_eq!(h["expropriation_project"].as_str(), Some(TEXT), "{h}");
        assert_eq!(h["phone_masked"], "138****5678", "{h}");
        assert_eq!(h["origin_area_m2"], 80.5, "{h}");
    }
    let (_, found) = app
        .get(
            ADMIN_TOKEN,
            &format!(
                "/api/v1/households?expropriation_project={}",
                urlencode(TEXT)
            ),
        )
        .await;
    assert_eq!(found["total"], 4, "{found}");
}
