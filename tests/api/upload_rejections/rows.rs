//! Rows that break a rule: one rule at a time, every bad row, duplicates, locked units.

use super::*;

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
