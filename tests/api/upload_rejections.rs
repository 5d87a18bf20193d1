//! Bad uploads: every rule of the unit table broken, bad files, limits, credentials. Each gets
//! its documented status and code, and the database is unchanged afterwards.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// An app with an approved developer, an approved project holding two units (1-1-101, 1-1-102).
async fn seeded() -> (TestApp, Developer, i64) {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let pid = app.project(&dev, "君江华府", true).await;
    let (status, body) = app
        .upload(
            &dev.key,
            pid,
            "text/csv",
            en_csv(&[en_row("1", "101"), en_row("1", "102")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (app, dev, pid)
}

/// Uploads `body`, expects `status`/`code`, and checks that nothing changed.
async fn rejected(
    app: &TestApp,
    key: &str,
    pid: i64,
    content_type: &str,
    body: Vec<u8>,
    status: StatusCode,
    code: &str,
) -> Value {
    let before = app.snapshot(pid);
    let (got, reply) = app.upload(key, pid, content_type, body).await;
    let details = assert_error(got, &reply, status, code);
    assert_eq!(
        app.snapshot(pid),
        before,
        "the database must be unchanged after a rejected upload"
    );
    details
}

/// A CSV upload expected to be refused with 422 `upload_rejected`; returns the error details.
async fn csv_rejected(app: &TestApp, key: &str, pid: i64, file: Vec<u8>) -> Value {
    rejected(
        app,
        key,
        pid,
        "text/csv",
        file,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    )
    .await
}

fn rows_of(details: &Value) -> Vec<(u64, String)> {
    details["rows"]
        .as_array()
        .expect("details.rows")
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// One test per rule: a valid row (row 2, also an update of 1-1-101), the bad row (row 3, a new
/// room 1-1-199 with `field` set to `value`) and another valid row (row 4).
macro_rules! rule_test {
    ($name:ident, $field:literal, $value:literal) => {
        #[tokio::test]
        async fn $name() {
            let (app, dev, pid) = seeded().await;
            let header: Vec<&str> = EN_HEADER.split(',').collect();
            let mut bad: Vec<String> = en_row("1", "199").split(',').map(str::to_string).collect();
            let col = header
                .iter()
                .position(|h| *h == $field)
                .expect("known column");
            bad[col] = $value.to_string();
            let mut changed = en_row("1", "101");
            changed = changed.replace("15000", "16000");
            let file = en_csv(&[changed, bad.join(","), en_row("2", "201")]);
            let details = csv_rejected(&app, &dev.key, pid, file).await;
            assert_eq!(
                rows_of(&details),
                vec![(3, $field.to_string())],
                "{details}"
            );
            assert!(details["rows"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
    };
}

rule_test!(missing_building_is_rejected, "building", "");
rule_test!(missing_room_is_rejected, "room", "");
rule_test!(floor_zero_is_rejected, "floor", "0");
rule_test!(floor_above_200_is_rejected, "floor", "201");
rule_test!(fractional_floor_is_rejected, "floor", "3.5");
rule_test!(unparseable_layout_is_rejected, "layout", "大平层");
rule_test!(missing_layout_is_rejected, "layout", "");
rule_test!(area_below_10_is_rejected, "area_m2", "9.99");
rule_test!(area_above_1000_is_rejected, "area_m2", "1000.01");
rule_test!(area_with_three_decimals_is_rejected, "area_m2", "89.505");
rule_test!(missing_area_is_rejected, "area_m2", "");
rule_test!(inner_area_above_area_is_rejected, "inner_area_m2", "90.00");
rule_test!(price_below_1000_is_rejected, "price_per_m2_yuan", "999");
rule_test!(
    price_above_300000_is_rejected,
    "price_per_m2_yuan",
    "300001"
);
rule_test!(fractional_price_is_rejected, "price_per_m2_yuan", "15000.5");
rule_test!(missing_price_is_rejected, "price_per_m2_yuan", "");
rule_test!(
    total_more_than_one_percent_off_is_rejected,
    "total_price_yuan",
    "1400000"
);
rule_test!(unknown_orientation_is_rejected, "orientation", "朝天");
rule_test!(unknown_decoration_is_rejected, "decoration", "豪装");
rule_test!(unknown_status_is_rejected, "status", "已售");

#[tokio::test]
async fn description_over_2000_characters_is_rejected() {
    let (app, dev, pid) = seeded().await;
    let long = "湖".repeat(2001);
    let row = format!("1,1,199,12,3室2厅2卫,89.50,,15000,,南,fine,{long},available");
    let details = rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        en_csv(&[row]),
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    )
    .await;
    assert_eq!(rows_of(&details), vec![(2, "description".to_string())]);
}

#[tokio::test]
async fn every_bad_row_is_reported_not_just_the_first() {
    let (app, dev, pid) = seeded().await;
    let rows = [
        "1,1,301,0,3室2厅2卫,89.50,,15000,,南,fine,,available".to_string(),
        en_row("1", "302"),
        "1,1,303,5,3室2厅2卫,5,,500,,南,fine,,available".to_string(),
    ];
    let details = rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        en_csv(&rows),
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    )
    .await;
    assert_eq!(
        rows_of(&details),
        vec![
            (2, "floor".into()),
            (4, "area_m2".into()),
            (4, "price_per_m2_yuan".into())
        ]
    );
}

#[tokio::test]
async fn duplicate_keys_within_one_file_reject_both_rows() {
    let (app, dev, pid) = seeded().await;
    let file = en_csv(&[en_row("2", "201"), en_row("2", "202"), en_row("2", "201")]);
    let details = csv_rejected(&app, &dev.key, pid, file).await;
    let rows: Vec<u64> = rows_of(&details).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rows, vec![2, 4]);
}

async fn locked_unit_rejects_the_upsert(status: &str) {
    let (app, dev, pid) = seeded().await;
    let (_, units) = app
        .get(&dev.key, &format!("/api/v1/projects/{pid}/units"))
        .await;
    let target = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["room"] == "102")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.force_unit_status(target, status);
    let file = en_csv(&[
        en_row("3", "301"),
        en_row("1", "102").replace("15000", "15500"),
    ]);
    let details = csv_rejected(&app, &dev.key, pid, file).await;
    assert_eq!(rows_of(&details), vec![(3, "room".to_string())]);
    assert!(
        details["rows"][0]["message"]
            .as_str()
            .unwrap()
            .contains(status),
        "{details}"
    );
    // and the developer cannot edit it either
    let (code, body) = app
        .patch_json(
            &dev.key,
            &format!("/api/v1/units/{target}"),
            &json!({"status": "withdrawn"}),
        )
        .await;
    assert_error(code, &body, StatusCode::CONFLICT, "unit_locked");
}

#[tokio::test]
async fn a_held_unit_in_an_upsert_rejects_the_upload() {
    locked_unit_rejects_the_upsert("held").await;
}

#[tokio::test]
async fn a_reserved_unit_in_an_upsert_rejects_the_upload() {
    locked_unit_rejects_the_upsert("reserved").await;
}

#[tokio::test]
async fn a_sold_unit_in_an_upsert_rejects_the_upload() {
    locked_unit_rejects_the_upsert("sold").await;
}

#[tokio::test]
async fn unknown_column_is_rejected_naming_it() {
    let (app, dev, pid) = seeded().await;
    let file = format!("{EN_HEADER},colour\n{},red\n", en_row("2", "201")).into_bytes();
    let details = csv_rejected(&app, &dev.key, pid, file).await;
    assert_eq!(rows_of(&details), vec![(1, "colour".to_string())]);
}

#[tokio::test]
async fn missing_required_column_is_rejected() {
    let (app, dev, pid) = seeded().await;
    let file = "building,room,floor,layout,area_m2\n1,101,3,3室2厅2卫,89.5\n"
        .as_bytes()
        .to_vec();
    let details = csv_rejected(&app, &dev.key, pid, file).await;
    assert_eq!(
        rows_of(&details),
        vec![(1, "price_per_m2_yuan".to_string())]
    );
}

#[tokio::test]
async fn empty_file_is_rejected() {
    let (app, dev, pid) = seeded().await;
    rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        Vec::new(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_upload",
    )
    .await;
    rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        format!("{EN_HEADER}\n").into_bytes(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_upload",
    )
    .await;
    rejected(
        &app,
        &dev.key,
        pid,
        "application/json",
        b"{\"units\": []}".to_vec(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_upload",
    )
    .await;
}

#[tokio::test]
async fn wrong_encoding_is_rejected() {
    let (app, dev, pid) = seeded().await;
    // UTF-16LE with BOM, as Excel's "Unicode text" saves it
    let mut utf16 = vec![0xFF, 0xFE];
    for u in format!("{EN_HEADER}\n{}\n", en_row("2", "201")).encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        utf16,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_encoding",
    )
    .await;
    // bytes that are neither UTF-8 nor GB18030
    let mut garbage = format!("{EN_HEADER}\n").into_bytes();
    garbage.extend_from_slice(&[0x31, 0x2C, 0x81, 0x20, 0xFF, 0x0A]);
    rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        garbage,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_encoding",
    )
    .await;
}

#[tokio::test]
async fn over_size_body_is_rejected_with_413() {
    let (app, dev, pid) = seeded().await;
    let mut body = en_csv(&[en_row("2", "201")]);
    body.resize(20 * 1024 * 1024 + 1, b' ');
    rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn more_than_100000_rows_is_rejected_with_413() {
    let (app, dev, pid) = seeded().await;
    let mut s = String::from("building,room,floor,layout,area_m2,price_per_m2_yuan\n");
    for i in 0..100_001 {
        s.push_str(&format!("9,{i},1,1室,50,9000\n"));
    }
    rejected(
        &app,
        &dev.key,
        pid,
        "text/csv",
        s.into_bytes(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_many_rows",
    )
    .await;
}

#[tokio::test]
async fn malformed_json_is_rejected_with_400() {
    let (app, dev, pid) = seeded().await;
    rejected(
        &app,
        &dev.key,
        pid,
        "application/json",
        b"{\"units\": [{\"building\": \"1\",".to_vec(),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
}

#[tokio::test]
async fn json_rows_are_numbered_by_array_index() {
    let (app, dev, pid) = seeded().await;
    let body = json!({"units": [
        {"building": "2", "room": "201", "floor": 2, "layout": "2室1厅1卫", "area_m2": 70, "price_per_m2_yuan": 9000},
        {"building": "2", "room": "202", "floor": 2, "layout": "2室1厅1卫", "area_m2": 70, "price_per_m2_yuan": 9000, "colour": "red"},
        "not an object"
    ]});
    let details = rejected(
        &app,
        &dev.key,
        pid,
        "application/json",
        serde_json::to_vec(&body).unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    )
    .await;
    let rows: Vec<u64> = rows_of(&details).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rows, vec![2, 3]);
}

#[tokio::test]
async fn unsupported_content_type_is_rejected_with_415() {
    let (app, dev, pid) = seeded().await;
    rejected(
        &app,
        &dev.key,
        pid,
        "image/png",
        vec![1, 2, 3],
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn a_broken_xlsx_is_rejected() {
    let (app, dev, pid) = seeded().await;
    rejected(
        &app,
        &dev.key,
        pid,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04 not really".to_vec(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_spreadsheet",
    )
    .await;
}

#[tokio::test]
async fn missing_or_wrong_token_gets_401() {
    let (app, _dev, pid) = seeded().await;
    let before = app.snapshot(pid);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/projects/{pid}/units/import")))
        .header("Content-Type", "text/csv")
        .body(en_csv(&[en_row("2", "201")]))
        .send()
        .await
        .unwrap();
    let (status, body) = into_json(res).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    for token in [
        "dk_0000000000000000000000000000000000000000",
        "ot_nope",
        "garbage",
    ] {
        let (status, body) = app
            .upload(token, pid, "text/csv", en_csv(&[en_row("2", "201")]))
            .await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert_eq!(app.snapshot(pid), before);
}

#[tokio::test]
async fn uploading_into_another_developers_project_is_not_found() {
    let (app, _dev, pid) = seeded().await;
    let other = app.approved_developer(2).await;
    rejected(
        &app,
        &other.key,
        pid,
        "text/csv",
        en_csv(&[en_row("2", "201")]),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn officials_do_not_upload_units() {
    let (app, _dev, pid) = seeded().await;
    rejected(
        &app,
        ADMIN_TOKEN,
        pid,
        "text/csv",
        en_csv(&[en_row("2", "201")]),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}
