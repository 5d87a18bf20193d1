//! One answer names every bad row: format errors together with conflicts with stored rows
//! (registered ID numbers; existing units in create mode; locked units in an upsert).

use super::*;
use crate::households::{hh_row, id_number, HH_HEADER_ZH};

#[tokio::test]
async fn a_household_import_names_a_bad_check_digit_and_a_registered_id_together() {
    let app = spawn_app().await;
    app.household(1, "80", 1).await;
    let registered = id_number("19800101", 1);
    let good = id_number("19900101", 5);
    let wrong_check = if good.ends_with('0') { "1" } else { "0" };
    let bad_check = format!("{}{wrong_check}", &good[..17]);
    for format in [Format::CsvUtf8, Format::Json] {
        let rows = [
            ("甲", id_number("19900101", 4)),
            ("乙", bad_check.clone()), // row 3: check digit
            ("丙", id_number("19900101", 6)),
            ("丁", registered.clone()), // row 5: already registered
        ];
        let header: Vec<&str> = HH_HEADER_ZH.split(',').collect();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|(name, id)| {
                let row = hh_row(name, id, "80", "1", "选购大厅");
                row.split(',').map(str::to_string).collect()
            })
            .collect();
        let (content_type, body) = table(format, "households", &header, &rows);
        let audits = app.audit_count("household.import");
        let (status, reply) = app.import_households(ADMIN_TOKEN, content_type, body).await;
        let details = assert_error(
            status,
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "upload_rejected",
        );
        // JSON numbers rows by array index: the same rows one lower
        let shift = u64::from(matches!(format, Format::Json));
        assert_eq!(
            rejected_rows(&details),
            [
                (3 - shift, "id_number".into()),
                (5 - shift, "id_number".into())
            ],
            "{format:?}: {details}"
        );
        let message = |i: usize| details["rows"][i]["message"].as_str().unwrap().to_string();
        assert!(message(0).contains("check"), "{}", message(0));
        assert!(message(1).contains("already registered"), "{}", message(1));
        assert!(
            !reply.to_string().contains(&registered),
            "ID numbers are masked"
        );
        assert_eq!(app.household_count(), 1, "{format:?}: nothing stored");
        assert_eq!(app.audit_count("household.import"), audits);
    }
}

/// An approved project holding 1-1-101 and 1-1-102.
async fn seeded() -> (TestApp, Developer, i64) {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let pid = app.project(&dev, "君江华府", true).await;
    let file = en_csv(&[en_row("1", "101"), en_row("1", "102")]);
    let (status, body) = app.upload(&dev.key, pid, "text/csv", file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (app, dev, pid)
}

#[tokio::test]
async fn a_create_mode_import_names_format_errors_and_existing_units_together() {
    let (app, dev, pid) = seeded().await;
    let file = en_csv(&[
        en_row("1", "201"),                         // row 2: new, fine
        en_row("1", "202").replace(",12,", ",0,"),  // row 3: floor
        en_row("1", "101"),                         // row 4: exists
        en_row("1", "102").replace("15000", "999"), // row 5: price, and exists
    ]);
    let before = app.snapshot(pid);
    let (status, reply) = app
        .upload_mode(&dev.key, pid, "create", "text/csv", file)
        .await;
    let details = assert_error(
        status,
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    );
    assert_eq!(
        rejected_rows(&details),
        [
            (3, "floor".into()),
            (4, "room".into()),
            (5, "price_per_m2_yuan".into()),
            (5, "room".into()),
        ],
        "{details}"
    );
    assert!(details["rows"][1]["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));
    assert_eq!(app.snapshot(pid), before, "nothing stored");

    // only new units: created; an unknown mode is a bad query
    let file = en_csv(&[en_row("1", "201"), en_row("1", "202")]);
    let (status, reply) = app
        .upload_mode(&dev.key, pid, "create", "text/csv", file)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply, json!({"created": 2, "updated": 0, "unchanged": 0}));
    let file = en_csv(&[en_row("1", "203")]);
    let (status, reply) = app
        .upload_mode(&dev.key, pid, "replace", "text/csv", file)
        .await;
    assert_error(status, &reply, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn an_upsert_names_format_errors_and_held_units_together() {
    let (app, dev, pid) = seeded().await;
    let (_, units) = app
        .get(&dev.key, &format!("/api/v1/projects/{pid}/units"))
        .await;
    let held = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["room"] == "102")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.force_unit_status(held, "held");
    let file = en_csv(&[
        en_row("1", "102").replace("15000", "15500"), // row 2: held
        en_row("1", "301").replace("89.50", "5"),     // row 3: area
    ]);
    let before = app.snapshot(pid);
    let (status, reply) = app
        .upload_mode(&dev.key, pid, "upsert", "text/csv", file)
        .await;
    let details = assert_error(
        status,
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    );
    assert_eq!(
        rejected_rows(&details),
        [(2, "room".into()), (3, "area_m2".into())],
        "{details}"
    );
    assert_eq!(app.snapshot(pid), before, "nothing stored");
}
