//! Selection at the hall: rounds in order, holds, confirmation, release, cancellation and
//! contracts — every transition and every refusal code, with the database invariants checked.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    assert_error, en_csv, en_row, into_json, spawn_app, spawn_app_with, Developer, TestApp,
    ADMIN_TOKEN,
};
use crate::households::{hh_row, id_number, HH_HEADER_ZH};

/// A household at the kiosk.
pub struct Kiosk {
    pub id: i64,
    pub voucher: String,
    pub pin: String,
    pub token: String,
}

impl TestApp {
    /// `n` hall households (A0 = 80.00 m² in zone 1, signed one second apart in row order),
    /// logged in.
    pub async fn kiosks(&self, n: usize) -> Vec<Kiosk> {
        let mut csv = format!("{HH_HEADER_ZH}\n");
        for i in 0..n {
            let row = hh_row(
                &format!("王{i}华"),
                &id_number("19700101", i as u32 + 100),
                "80.00",
                "1",
                "选购大厅",
            );
            csv.push_str(&row.replace(
                "2026-03-01 09:30:15.123",
                &format!("2026-03-01 09:{:02}:{:02}", i / 60, i % 60),
            ));
            csv.push('\n');
        }
        let (status, body) = self
            .import_households(ADMIN_TOKEN, "text/csv", csv.into_bytes())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let mut out = Vec::new();
        for h in body["households"].as_array().unwrap() {
            let voucher = h["voucher_no"].as_str().unwrap().to_string();
            let pin = h["pin"].as_str().unwrap().to_string();
            let token = self.kiosk_token(&voucher, &pin).await;
            out.push(Kiosk {
                id: h["id"].as_i64().unwrap(),
                voucher,
                pin,
                token,
            });
        }
        out
    }

    /// An approved zone-2 project with `n` listed units (89.50 m² at 15 000 yuan/m²); their ids.
    pub async fn units_for_sale(&self, n: usize) -> (Developer, Vec<i64>) {
        let dev = self.approved_developer(7).await;
        let project = self.project(&dev, "锦园华苑", true).await;
        let rows: Vec<String> = (0..n)
            .map(|i| en_row("1", &format!("{}", 101 + i)))
            .collect();
        let (status, body) = self
            .upload(&dev.key, project, "text/csv", en_csv(&rows))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, list) = self
            .get(
                &dev.key,
                &format!("/api/v1/projects/{project}/units?per_page=100"),
            )
            .await;
        let mut ids: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        (dev, ids)
    }

    /// A signing-time round of `households`, open, called up to `up_to`.
    pub async fn open_round(&self, households: &[i64], up_to: usize) -> i64 {
        let (status, round) = self
            .post_json(
                ADMIN_TOKEN,
                "/api/v1/rounds",
                &json!({"name": "第一批", "household_ids": households, "ordering": "signing_time"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{round}");
        let id = round["id"].as_i64().unwrap();
        let (status, body) = self
            .post_json(
                ADMIN_TOKEN,
                &format!("/api/v1/rounds/{id}/open"),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if up_to > 0 {
            let (status, body) = self
                .post_json(
                    ADMIN_TOKEN,
                    &format!("/api/v1/rounds/{id}/call"),
                    &json!({"up_to": up_to}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        id
    }

    pub async fn hold(&self, token: &str, unit_id: i64, key: Option<&str>) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(self.url("/api/v1/kiosk/holds"))
            .bearer_auth(token)
            .json(&json!({"unit_id": unit_id}));
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        into_json(req.send().await.expect("request")).await
    }

    pub async fn confirm(&self, token: &str, hold_id: i64) -> (StatusCode, Value) {
        self.post_json(
            token,
            &format!("/api/v1/kiosk/holds/{hold_id}/confirm"),
            &json!({}),
        )
        .await
    }

    /// The invariants of docs/domain.md, read straight from the database.
    pub fn assert_invariants(&self) {
        use anju::db::schema::{households, reservations, units};
        let mut c = self.conn();
        // at most one active reservation per unit
        let active: Vec<i64> = reservations::table
            .filter(reservations::status.eq_any(["held", "confirmed", "contracted"]))
            .select(reservations::unit_id)
            .load(&mut *c)
            .unwrap();
        let mut dedup = active.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(
            dedup.len(),
            active.len(),
            "a unit with two active reservations"
        );
        // A0 = remaining + Σ consumed of confirmed and contracted reservations; never negative
        let hs: Vec<(i64, i64, i64)> = households::table
            .select((
                households::id,
                households::origin_area_centi_m2,
                households::remaining_origin_area_centi_m2,
            ))
            .load(&mut *c)
            .unwrap();
        for (id, a0, remaining) in hs {
            let consumed: Vec<Option<i64>> = reservations::table
                .filter(reservations::household_id.eq(id))
                .filter(reservations::status.eq_any(["confirmed", "contracted"]))
                .select(reservations::origin_consumed_centi_m2)
                .load(&mut *c)
                .unwrap();
            let sum: i64 = consumed.into_iter().map(|x| x.unwrap()).sum();
            assert!(remaining >= 0, "household {id} remaining {remaining}");
            assert_eq!(
                a0,
                remaining + sum,
                "household {id}: A0 = remaining + Σ consumed"
            );
        }
        // unit statuses agree with reservations
        let statuses: Vec<(i64, String)> = units::table
            .select((units::id, units::status))
            .load(&mut *c)
            .unwrap();
        for (unit, status) in statuses {
            let r: Vec<String> = reservations::table
                .filter(reservations::unit_id.eq(unit))
                .filter(reservations::status.eq_any(["held", "confirmed", "contracted"]))
                .select(reservations::status)
                .load(&mut *c)
                .unwrap();
            let expected = match r.first().map(String::as_str) {
                Some("held") => "held",
                Some("confirmed") => "reserved",
                Some("contracted") => "sold",
                _ => {
                    if status == "withdrawn" {
                        "withdrawn"
                    } else {
                        "available"
                    }
                }
            };
            assert_eq!(status, expected, "unit {unit}");
        }
        // the officials' running totals agree with a recount, before and after compaction
        let drift = anju::db::stats::totals_differences(&mut c).unwrap();
        assert!(drift.is_empty(), "running totals drifted: {drift:#?}");
        anju::db::stats::compact(&mut c).unwrap();
        let drift = anju::db::stats::totals_differences(&mut c).unwrap();
        assert!(
            drift.is_empty(),
            "running totals drifted after compaction: {drift:#?}"
        );
    }

    /// Search lists exactly the units the database says are listed.
    pub async fn assert_search_agrees(&self) {
        assert!(
            self.index_caught_up(std::time::Duration::from_secs(5))
                .await,
            "index caught up"
        );
        let mut listed = anju::db::listings::listed_ids(&mut self.conn()).unwrap();
        listed.sort_unstable();
        let mut found = self.listing_ids("").await;
        found.sort_unstable();
        assert_eq!(found, listed, "search agrees with the database");
    }
}

mod entitlement;
mod holds;
mod rounds;
