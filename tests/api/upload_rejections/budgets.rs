//! Files made to exhaust the reader (a huge declared dimension, a far cell, a zip bomb, a
//! shared-string bomb, a giant CSV record, deep JSON): each is refused with 422
//! `upload_rejected` naming the budget it broke, nothing is stored, and the server still answers.

use std::time::{Duration, Instant};

use super::crafted::{shared_strings, workbook, XLSX};
use super::*;

/// Uploads `file`, expects 422 `upload_rejected` naming `budget`, and checks that `/healthz`
/// still answers; returns the details.
async fn refused_for(
    app: &TestApp,
    key: &str,
    pid: i64,
    (content_type, file): (&str, Vec<u8>),
    budget: &str,
) -> Value {
    let code = "upload_rejected";
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let details = rejected(app, key, pid, content_type, file, status, code).await;
    assert_eq!(details["budget"], budget, "{details}");
    assert!(
        details["found"].as_u64() > details["limit"].as_u64(),
        "{details}"
    );
    assert_eq!(details["rows"], json!([]));
    let (status, _) = app.get("", "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    details
}

#[tokio::test]
async fn a_crafted_workbook_within_every_budget_is_imported() {
    let (app, dev, pid) = seeded().await;
    let file = workbook(Some("A1:F2"), "", Some(&shared_strings(10)), &[]);
    let (status, body) = app.upload(&dev.key, pid, XLSX, file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1);
}

#[tokio::test]
async fn an_xlsx_declaring_a_huge_dimension_is_refused_naming_the_columns_budget() {
    let (app, dev, pid) = seeded().await;
    let file = workbook(Some("A1:XFD1048576"), "", None, &[]);
    let details = refused_for(&app, &dev.key, pid, (XLSX, file), "columns").await;
    assert_eq!(
        (details["limit"].as_u64(), details["found"].as_u64()),
        (Some(64), Some(16_384))
    );
}

#[tokio::test]
async fn an_xlsx_with_a_far_cell_is_refused_before_allocating_for_it() {
    let (app, dev, pid) = seeded().await;
    let corner = r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    let file = workbook(None, corner, None, &[]);
    refused_for(&app, &dev.key, pid, (XLSX, file), "columns").await;
    let bottom = r#"<row r="1048576"><c r="A1048576"><v>1</v></c></row>"#;
    let file = workbook(None, bottom, None, &[]);
    let details = refused_for(&app, &dev.key, pid, (XLSX, file), "sheet_rows").await;
    assert_eq!(details["limit"], 201_001);
}

#[tokio::test]
async fn zip_bombs_are_refused_in_bounded_time() {
    let (app, dev, pid) = seeded().await;
    let zeros = vec![0u8; 300 * 1024 * 1024];
    let bomb = |mib: usize| {
        workbook(
            None,
            "",
            None,
            &[("xl/media/image1.png", &zeros[..mib << 20])],
        )
    };
    let (honest, hidden) = (bomb(300), bomb(200));
    drop(zeros);
    let started = Instant::now();
    // 300 MiB declared in its headers: refused without inflating anything
    refused_for(&app, &dev.key, pid, (XLSX, honest), "inflated_bytes").await;
    // 200 MiB, within the size budget, deflated to about 200 KiB: reading stops 200 times past
    // the compressed size
    let details = refused_for(&app, &dev.key, pid, (XLSX, hidden), "compression_ratio").await;
    assert!(details["found"].as_u64() > Some(500), "{details}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_xlsx_inflating_past_the_configured_budget_is_refused() {
    let (app, dev, pid) = seeded_with(|c| c.upload.max_inflated_bytes = 1024 * 1024).await;
    // text that compresses about 2:1, so only the size can refuse it
    let text: String = (0..400_000u64)
        .map(|i| format!("{:x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40))
        .collect();
    let file = workbook(None, "", None, &[("docProps/notes.txt", text.as_bytes())]);
    refused_for(&app, &dev.key, pid, (XLSX, file), "inflated_bytes").await;
}

#[tokio::test]
async fn a_shared_string_bomb_is_refused_before_calamine_reads_it() {
    // 100 rows allow 1 010 shared strings
    let (app, dev, pid) = seeded_with(|c| c.upload.max_rows = 100).await;
    let file = workbook(None, "", Some(&shared_strings(50_000)), &[]);
    let details = refused_for(&app, &dev.key, pid, (XLSX, file), "shared_strings").await;
    assert_eq!(details["limit"], 1_010);
}

#[tokio::test]
async fn a_household_import_has_the_same_budgets() {
    let app = spawn_app().await;
    // refused on the sheet's dimension, before its (unit) header is read
    let file = workbook(Some("A1:XFD3"), "", None, &[]);
    let (status, body) = app.import_households(ADMIN_TOKEN, XLSX, file).await;
    let details = assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    );
    assert_eq!(details["budget"], "columns");
    assert_eq!(app.get("", "/healthz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_csv_record_past_64_kib_or_64_fields_is_refused_naming_the_budget() {
    let (app, dev, pid) = seeded().await;
    let long = format!(
        "{EN_HEADER}\n{}\n9,\"{}\"\n",
        en_row("9", "901"),
        "x".repeat(70_000)
    );
    let details = refused_for(
        &app,
        &dev.key,
        pid,
        ("text/csv", long.into_bytes()),
        "record_bytes",
    )
    .await;
    assert_eq!(details["limit"], 65_536);
    let wide = format!("{EN_HEADER}\n{}{}\n", en_row("9", "901"), ",1".repeat(100));
    refused_for(
        &app,
        &dev.key,
        pid,
        ("text/csv", wide.into_bytes()),
        "columns",
    )
    .await;
}

#[tokio::test]
async fn json_nested_past_the_depth_budget_is_refused_not_a_server_error() {
    let (app, dev, pid) = seeded().await;
    let deep = format!(
        r#"{{"units": [{{"building": {}1{}}}]}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let details = refused_for(
        &app,
        &dev.key,
        pid,
        ("application/json", deep.into_bytes()),
        "json_depth",
    )
    .await;
    assert_eq!(details["limit"], 32);
}
