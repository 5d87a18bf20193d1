//! Housing tickets (房票) over HTTP: the spec's worked example to the yuan, log-in and lock-out,
//! redemption at a developer's office, transfer, void, cash-out, and the races; the ledger and
//! the face-value identity checked in SQL after each.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, into_json, spawn_app, Developer, TestApp, ADMIN_TOKEN};
use crate::households::{hh_row, id_number, HH_HEADER_ZH};

mod example;
mod property;
mod races;
mod rules;

/// 2026-01-10T00:00:00Z, the worked example's issue time.
pub const ISSUED_MS: i64 = 1_768_003_200_000;
pub const DAY_MS: i64 = 86_400_000;

/// A ticket holder's slip.
pub struct Slip {
    pub id: i64,
    pub ticket_no: String,
    pub pin: String,
}

impl TestApp {
    /// Imports `faces.len()` ticket households (one ticket each, of the given face values).
    pub async fn ticket_holders(&self, faces: &[i64]) -> Vec<Slip> {
        let mut csv = format!("{HH_HEADER_ZH},房票面额\n");
        for (i, face) in faces.iter().enumerate() {
            let row = hh_row(
                &format!("赵{i}华"),
                &id_number("19650101", i as u32 + 500),
                "60.00",
                "2",
                "房票",
            );
            csv.push_str(&format!("{row},{face}\n"));
        }
        let (status, body) = self.import_tickets("text/csv", csv.into_bytes()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| Slip {
                id: t["id"].as_i64().unwrap(),
                ticket_no: t["ticket_no"].as_str().unwrap().to_string(),
                pin: t["pin"].as_str().unwrap().to_string(),
            })
            .collect()
    }

    pub async fn import_tickets(&self, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url("/api/v1/tickets/import"))
            .bearer_auth(ADMIN_TOKEN)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        crate::helpers::into_json(res).await
    }

    /// One listed unit of `area` m² at `price` yuan/m² and usage `usage` (用途) in a new project
    /// of zone `zone`: its id.
    pub async fn unit_of(
        &self,
        dev: &Developer,
        zone: i64,
        area: &str,
        price: i64,
        usage: &str,
    ) -> i64 {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let project = self
            .project_in_zone(dev, &format!("{zone}区{usage}花园{n}"), zone, true)
            .await;
        let layout = if usage == "住宅" {
            "2室1厅1卫"
        } else {
            ""
        };
        let csv = format!(
            "楼栋,房号,楼层,户型,建筑面积,单价,用途\n1,101,1,{layout},{area},{price},{usage}\n"
        );
        let (status, body) = self
            .upload(&dev.key, project, "text/csv", csv.into_bytes())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, list) = self
            .get(&dev.key, &format!("/api/v1/projects/{project}/units"))
            .await;
        list["items"][0]["id"].as_i64().unwrap()
    }

    /// The ticket invariants, read straight from the database: the ledger adds up to the balance,
    /// and face value = balance + Σ debits of confirmed or contracted reservations + cashed out
    /// + voided; nothing negative.
    pub fn assert_ticket_invariants(&self) {
        use anju::db::schema::{reservations, ticket_entries, tickets};
        let mut c = self.conn();
        let all: Vec<(i64, i64, i64, i64, i64, i64)> = tickets::table
            .select((
                tickets::id,
                tickets::face_value_yuan,
                tickets::balance_yuan,
                tickets::debited_yuan,
                tickets::cashed_out_yuan,
                tickets::voided_yuan,
            ))
            .load(&mut *c)
            .unwrap();
        for (id, face, balance, debited, cashed, voided) in all {
            let lines: Vec<(String, i64)> = ticket_entries::table
                .filter(ticket_entries::ticket_id.eq(id))
                .select((ticket_entries::kind, ticket_entries::amount_yuan))
                .load(&mut *c)
                .unwrap();
            let sum: i64 = lines
                .iter()
                .map(|(k, a)| match k.as_str() {
                    "issue" | "refund" => *a,
                    "debit" | "cash_out" | "void" => -*a,
                    _ => 0,
                })
                .sum();
            assert_eq!(
                sum, balance,
                "ticket {id}: ledger {lines:?} against balance"
            );
            let active: Vec<Option<i64>> = reservations::table
                .filter(reservations::ticket_id.eq(id))
                .filter(reservations::status.eq_any(["confirmed", "contracted"]))
                .select(reservations::ticket_debit_yuan)
                .load(&mut *c)
                .unwrap();
            let spent: i64 = active.iter().map(|d| d.expect("a frozen debit")).sum();
            assert_eq!(spent, debited, "ticket {id}: debited column");
            assert_eq!(
                face,
                balance + spent + cashed + voided,
                "ticket {id}: face value identity"
            );
            assert!(balance >= 0 && debited >= 0 && cashed >= 0 && voided >= 0);
        }
        drop(c);
        self.assert_invariants();
    }

    pub async fn ticket(&self, id: i64) -> Value {
        let (status, t) = self
            .get(ADMIN_TOKEN, &format!("/api/v1/tickets/{id}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{t}");
        t
    }
}

pub async fn spawn_at_issue() -> TestApp {
    let app = spawn_app().await;
    app.clock.set(ISSUED_MS);
    app
}
