//! Issue 14's hash-chained audit log: activity verifies, an event edited or deleted in SQL is
//! named, by the library and by the real `anju audit verify`; concurrent writers never fork the
//! chain; a log written before the chain is chained on the first start.

use anju::db::audit_chain::{verify, Verification};
use diesel::prelude::*;

use crate::helpers::{TestApp, ADMIN_TOKEN};

mod chain;
mod concurrency;
mod upgrade;

impl TestApp {
    /// The chain as `anju audit verify` checks it, read in small batches (so batch ends are
    /// crossed).
    pub fn verify_audit(&self) -> Verification {
        verify(&mut self.conn(), 7, &mut |_| {}).expect("verify reads the log")
    }

    /// Events in the log.
    pub fn audit_total(&self) -> i64 {
        use anju::db::schema::audit_events;
        audit_events::table
            .count()
            .get_result(&mut *self.conn())
            .expect("count")
    }

    /// Runs the real binary's `audit verify` against the test database: (exit success, stdout,
    /// stderr).
    pub fn run_audit_verify(&self) -> (bool, String, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
            .args(["audit", "verify", "--batch", "5"])
            .env("ANJU_DATABASE_URL", &self.database_url)
            .env("ANJU_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("ANJU_DATA_KEY", hex::encode([42u8; 32]))
            .env("ANJU_LOG", "warn")
            .current_dir(std::env::temp_dir())
            .output()
            .expect("the anju binary runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Ids of the log's events in chain order.
    pub fn audit_ids(&self) -> Vec<i64> {
        use anju::db::schema::audit_events as a;
        a::table
            .order(a::seq.asc())
            .select(a::id)
            .load(&mut *self.conn())
            .expect("ids")
    }
}
