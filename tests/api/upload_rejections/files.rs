//! Files that are wrong as a whole (columns, encoding, size, format), and uploads without the right.

use super::*;

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
async fn a_body_past_the_configured_cap_is_rejected_with_413() {
    let (app, dev, pid) = seeded_with(|c| c.upload.max_body_bytes = 1024 * 1024).await;
    let mut body = en_csv(&[en_row("2", "201")]);
    body.resize(1024 * 1024 + 1, b' ');
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
async fn more_rows_than_the_configured_limit_is_rejected_with_413() {
    let (app, dev, pid) = seeded_with(|c| c.upload.max_rows = 1_000).await;
    let mut s = String::from("building,room,floor,layout,area_m2,price_per_m2_yuan\n");
    for i in 0..1_001 {
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
