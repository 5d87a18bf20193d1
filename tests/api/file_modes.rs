//! The files the service creates are its user's only: the SQLite database with its `-wal` and
//! `-shm` files 0600, the search index's directory 0700.

use std::os::unix::fs::PermissionsExt;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn mode(path: &std::path::Path) -> u32 {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    meta.permissions().mode() & 0o777
}

#[tokio::test]
async fn the_database_and_index_are_created_private() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "统计科", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(mode(&app.state.index_dir), 0o700, "index directory");
    if let Some(db) = app.database_url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{db}{suffix}"));
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}
