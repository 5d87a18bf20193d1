//! Bad uploads: every rule of the unit table broken, bad files, limits, credentials. Each gets
//! its documented status and code, and the database is unchanged afterwards.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// An app with an approved developer, an approved project holding two units (1-1-101, 1-1-102).
async fn seeded() -> (TestApp, Developer, i64) {
    seeded_with(|_| {}).await
}

/// `seeded`, with the configuration adjusted first.
async fn seeded_with(adjust: impl FnOnce(&mut anju::config::Config)) -> (TestApp, Developer, i64) {
    let app = spawn_app_with(adjust).await;
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

mod budgets;
mod crafted;
mod files;
mod rows;
