//! Public notices and objections (公示 / 复核): publication with masked lines, supplementary
//! notices, objections by the public and a kiosk, the period's end, the throttle, resolution with
//! cancellation, the overdue flag, and contracts waiting for a final notice. No response body
//! ever carries a fixture's full name, ID number or phone.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, into_json, spawn_app, Developer, TestApp, ADMIN_TOKEN};
use crate::households::id_number;
use crate::selection::Kiosk;

mod contracts;
mod objections;
mod publish;

pub(super) const DAY: i64 = 86_400_000;
pub(super) const CONTACT_NAME: &str = "李思远";
pub(super) const CONTACT_PHONE: &str = "13900001111";

impl TestApp {
    /// Contracts no longer wait for a final notice (policy key `contract_requires_notice`).
    pub async fn contracts_without_notice(&self) {
        let (status, body) = self
            .put_json(
                ADMIN_TOKEN.into(),
                "/api/v1/policy",
                json!({"contract_requires_notice": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// A round of `n` households of which the first `confirmed` hold and confirm a unit each.
pub(super) struct Fx {
    app: TestApp,
    ks: Vec<Kiosk>,
    dev: Developer,
    units: Vec<i64>,
    round: i64,
    rids: Vec<i64>,
    /// every response body seen, for the personal-data check
    seen: Vec<String>,
}

impl Fx {
    async fn new(n: usize, confirmed: usize) -> Fx {
        let app = spawn_app().await;
        let (dev, units) = app.units_for_sale(n).await;
        let ks = app.kiosks(n).await;
        let ids: Vec<i64> = ks.iter().map(|k| k.id).collect();
        let round = app.open_round(&ids, n).await;
        let mut fx = Fx {
            app,
            ks,
            dev,
            units,
            round,
            rids: vec![],
            seen: vec![],
        };
        for i in 0..confirmed {
            fx.confirm(i).await;
        }
        fx
    }

    async fn confirm(&mut self, i: usize) -> i64 {
        let (status, hold) = self.app.hold(&self.ks[i].token, self.units[i], None).await;
        assert_eq!(status, StatusCode::CREATED, "{hold}");
        let (status, r) = self
            .app
            .confirm(&self.ks[i].token, hold["id"].as_i64().unwrap())
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let rid = r["id"].as_i64().unwrap();
        self.rids.push(rid);
        rid
    }

    fn keep(&mut self, r: (StatusCode, Value)) -> (StatusCode, Value) {
        self.seen.push(r.1.to_string());
        r
    }

    async fn post(&mut self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.app.post_json(token, path, &body).await;
        self.keep(r)
    }

    /// A request with no Authorization header at all.
    async fn public(&mut self, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let url = self.app.url(path);
        let req = match body {
            Some(b) => self.app.client.post(url).json(&b),
            None => self.app.client.get(url),
        };
        let r = into_json(req.send().await.expect("request")).await;
        self.keep(r)
    }

    async fn get(&mut self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self.app.get(token, path).await;
        self.keep(r)
    }

    async fn publish(&mut self) -> (StatusCode, Value) {
        let path = format!("/api/v1/rounds/{}/notices", self.round);
        self.post(ADMIN_TOKEN, &path, json!({})).await
    }

    async fn object(&mut self, notice: i64, line: Option<i64>, text: &str) -> (StatusCode, Value) {
        let path = format!("/api/v1/notices/{notice}/objections");
        let body = json!({"line": line, "text": text, "contact_name": CONTACT_NAME,
            "contact_phone": CONTACT_PHONE});
        self.public(&path, Some(body)).await
    }

    async fn resolve(&mut self, id: i64, body: Value) -> (StatusCode, Value) {
        self.post(
            ADMIN_TOKEN,
            &format!("/api/v1/objections/{id}/resolve"),
            body,
        )
        .await
    }

    async fn contract(&mut self, i: usize) -> (StatusCode, Value) {
        let (key, rid) = (self.dev.key.clone(), self.rids[i]);
        let path = format!("/api/v1/reservations/{rid}/contract");
        self.post(&key, &path, json!({"contract_no": format!("WQ-{rid}")}))
            .await
    }

    fn count(&self, table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let q = format!("SELECT COUNT(*) AS n FROM {table}");
        diesel::sql_query(q)
            .get_result::<N>(&mut *self.app.conn())
            .unwrap()
            .n
    }

    fn reservation_status(&self, rid: i64) -> String {
        use anju::db::schema::reservations;
        reservations::table
            .find(rid)
            .select(reservations::status)
            .first(&mut *self.app.conn())
            .unwrap()
    }

    /// No body seen carries a fixture's full name, ID number or phone.
    fn assert_no_personal_data(&self) {
        let mut fixtures: Vec<String> = (0..self.ks.len())
            .flat_map(|i| [format!("王{i}华"), id_number("19700101", i as u32 + 100)])
            .collect();
        fixtures.extend(["13812345678", CONTACT_NAME, CONTACT_PHONE].map(String::from));
        for body in &self.seen {
            for f in &fixtures {
                assert!(!body.contains(f.as_str()), "{f} in {body}");
            }
        }
    }
}
