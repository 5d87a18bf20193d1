//! `anju rotate-data-key` re-encrypts every piece of personal data under the new key while a
//! service with both keys keeps answering; afterwards the new key alone reads everything.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use anju::crypto::DataCipher;

use crate::helpers::*;
use crate::households::{hh_row, id_number, HH_HEADER_ZH};

const OLD: [u8; 32] = [42u8; 32]; // the test config's key
const NEW: [u8; 32] = [43u8; 32];

/// Runs the real binary's `rotate-data-key` against the test database; its stderr.
fn rotate(app: &TestApp) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
        .args(["rotate-data-key", "--batch", "2"])
        .env("ANJU_DATABASE_URL", &app.database_url)
        .env("ANJU_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("ANJU_DATA_KEY", hex::encode(NEW))
        .env("ANJU_DATA_KEY_PREVIOUS", hex::encode(OLD))
        .env("ANJU_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the anju binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// Every encrypted value in the database, as stored.
fn ciphertexts(app: &TestApp) -> Vec<String> {
    use anju::db::schema::{developer_webhooks as w, developers as d, households as h};
    let mut conn = app.conn();
    let mut all = Vec::new();
    for (a, b, c) in h::table
        .select((h::name_enc, h::id_number_enc, h::phone_enc))
        .load::<(String, String, String)>(&mut *conn)
        .unwrap()
    {
        all.extend([a, b, c]);
    }
    for (a, b) in d::table
        .select((d::contact_name_enc, d::contact_phone_enc))
        .load::<(String, String)>(&mut *conn)
        .unwrap()
    {
        all.extend([a, b]);
    }
    all.extend(
        w::table
            .select(w::secret_enc)
            .load::<String>(&mut *conn)
            .unwrap(),
    );
    all
}

async fn found_by_name(app: &TestApp, name: &str) -> i64 {
    let q: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, page) = app
        .get(ADMIN_TOKEN, &format!("/api/v1/households?q={q}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["total"].as_i64().unwrap()
}

#[tokio::test]
async fn rotating_the_data_key_re_encrypts_everything_while_the_service_runs() {
    let app = spawn_app().await;
    for n in 1..=3 {
        app.household(n, "80.00", 1).await;
    }
    let dev = app.approved_developer(1).await;
    let (status, body) = app
        .put_json(
            dev.key.clone(),
            &format!("/api/v1/developers/{}/webhook", dev.id),
            json!({"url": "http://127.0.0.1:9/anju"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = ciphertexts(&app);
    assert_eq!(before.len(), 3 * 3 + 2 + 1);

    // the service restarted with both keys answers before, during and after the rotation
    let both = spawn_second_instance(&app, |c| {
        c.data_key = NEW;
        c.data_key_previous = Some(OLD);
    })
    .await;
    assert_eq!(found_by_name(&both, "张小2").await, 1);
    // a household registered under the old key is still a duplicate for the new one
    let again = format!(
        "{HH_HEADER_ZH}\n{}\n",
        hh_row("张小2", &id_number("19800101", 2), "80.00", "1", "选购大厅")
    );
    let (status, body) = both
        .import_households(ADMIN_TOKEN, "text/csv", again.clone().into_bytes())
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    );
    let stderr = rotate(&app);
    assert!(stderr.contains("5 re-encrypted"), "{stderr}");
    assert_eq!(found_by_name(&both, "张小2").await, 1);

    // now the new key alone opens every value, and the old one none
    let after = ciphertexts(&app);
    let (new, old) = (DataCipher::new(&NEW), DataCipher::new(&OLD));
    assert!(after.iter().all(|c| new.decrypt(c).is_ok()));
    assert!(after.iter().all(|c| old.decrypt(c).is_err()));
    let opened: Vec<String> = before.iter().map(|c| old.decrypt(c).unwrap()).collect();
    let reopened: Vec<String> = after.iter().map(|c| new.decrypt(c).unwrap()).collect();
    assert_eq!(opened, reopened);
    let only_new = spawn_second_instance(&app, |c| c.data_key = NEW).await;
    assert_eq!(found_by_name(&only_new, "张小3").await, 1);
    let (status, body) = only_new
        .import_households(ADMIN_TOKEN, "text/csv", again.into_bytes())
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload_rejected",
    );

    // running it again changes nothing
    assert!(rotate(&app).contains("0 re-encrypted"));
    assert_eq!(app.audit_count("data_key.rotated"), 2);
}
