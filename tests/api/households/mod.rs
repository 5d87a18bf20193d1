//! Policy versions and household import: every format, personal data protected at rest and
//! masked in every response, every official read audited, bad rows rejecting the whole file.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, into_json, spawn_app, TestApp, ADMIN_TOKEN};

pub const HH_HEADER_ZH: &str =
    "户主姓名,身份证号码,手机号,征收项目,合法面积,区位,评估单价,签约时间,家庭人口,安置方式";

/// A valid ID number born on `birth` (YYYYMMDD), distinct per `n`.
pub fn id_number(birth: &str, n: u32) -> String {
    let first17 = format!("420102{birth}{:03}", n % 1000);
    let check = anju::domain::household::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// One Chinese-header CSV row: `name, id, A0 m², zone, method`.
pub fn hh_row(name: &str, id: &str, area: &str, zone: &str, method: &str) -> String {
    format!(
        "{name},{id},13812345678,汉正街片区,{area},{zone},15000,2026-03-01 09:30:15.123,3,{method}"
    )
}

impl TestApp {
    pub async fn import_households(
        &self,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url("/api/v1/households/import"))
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        into_json(res).await
    }

    /// Imports one hall household with origin area `a0` in zone `z0`; returns (id, voucher, pin).
    pub async fn household(&self, n: u32, a0: &str, z0: u32) -> (i64, String, String) {
        let csv = format!(
            "{HH_HEADER_ZH}\n{}\n",
            hh_row(
                &format!("张小{n}"),
                &id_number("19800101", n),
                a0,
                &z0.to_string(),
                "选购大厅"
            )
        );
        let (status, body) = self
            .import_households(ADMIN_TOKEN, "text/csv", csv.into_bytes())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let h = &body["households"][0];
        (
            h["id"].as_i64().unwrap(),
            h["voucher_no"].as_str().unwrap().to_string(),
            h["pin"].as_str().unwrap().to_string(),
        )
    }

    pub fn household_count(&self) -> i64 {
        use anju::db::schema::households;
        households::table
            .count()
            .get_result(&mut *self.conn())
            .expect("count")
    }

    pub fn audit_count(&self, action: &str) -> i64 {
        use anju::db::schema::audit_events;
        audit_events::table
            .filter(audit_events::action.eq(action))
            .count()
            .get_result(&mut *self.conn())
            .expect("count")
    }
}

mod import;
mod policy;
