//! The requests and database shortcuts the tests reach the application through.

use super::*;

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        into_json(res).await
    }

    pub async fn put_json(&self, token: String, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .client
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        into_json(res).await
    }

    pub async fn patch_json(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        into_json(res).await
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        into_json(res).await
    }

    /// The body of an unauthenticated `GET path` as text (metrics, docs, pages).
    pub async fn get_text(&self, path: &str) -> String {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        res.text().await.expect("text body")
    }

    /// `GET /api/v1/listings?{query}` (public).
    pub async fn listings(&self, query: &str) -> (StatusCode, Value) {
        let res = self
            .client
            .get(self.url(&format!("/api/v1/listings?{query}")))
            .send()
            .await
            .expect("request");
        into_json(res).await
    }

    /// Unit ids of every listing matching `query` (all pages).
    pub async fn listing_ids(&self, query: &str) -> Vec<i64> {
        let mut ids = Vec::new();
        for page in 1.. {
            let (status, body) = self
                .listings(&format!("{query}&per_page=100&page={page}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let items = body["items"].as_array().unwrap();
            ids.extend(items.iter().map(|i| i["unit_id"].as_i64().unwrap()));
            if items.len() < 100 {
                break;
            }
        }
        ids
    }

    /// Waits until the indexer has applied every change in the database (at most `within`).
    pub async fn index_caught_up(&self, within: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        loop {
            let max = anju::db::listings::max_seq(&mut self.conn()).unwrap();
            if self.state.search.applied_seq() >= max {
                return true;
            }
            if started.elapsed() > within {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    pub async fn upload(
        &self,
        token: &str,
        project_id: i64,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(&format!("/api/v1/projects/{project_id}/units/import")))
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        into_json(res).await
    }

    /// Registers, approves and keys a developer.
    pub async fn approved_developer(&self, n: u32) -> Developer {
        self.approved_developer_named(n, &format!("开发商{n}置业有限公司"))
            .await
    }

    /// Registers, approves and keys developer `n` under `name`.
    pub async fn approved_developer_named(&self, n: u32, name: &str) -> Developer {
        let (status, dev) = self
            .post_json(
                ADMIN_TOKEN,
                "/api/v1/developers",
                &json!({ "name": name, "credit_code": credit_code(n),
                         "contact_name": "李小龙", "contact_phone": "13912345678" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{dev}");
        let id = dev["id"].as_i64().unwrap();
        let (status, body) = self
            .post_json(
                ADMIN_TOKEN,
                &format!("/api/v1/developers/{id}/approve"),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, key) = self
            .post_json(
                ADMIN_TOKEN,
                &format!("/api/v1/developers/{id}/keys"),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{key}");
        Developer {
            id,
            key: key["key"].as_str().unwrap().to_string(),
        }
    }

    /// A project of `dev` in zone class 2, approved when `approve`.
    pub async fn project(&self, dev: &Developer, name: &str, approve: bool) -> i64 {
        self.project_in_zone(dev, name, 2, approve).await
    }

    /// A project of `dev` in `zone_class`, approved when `approve`.
    pub async fn project_in_zone(
        &self,
        dev: &Developer,
        name: &str,
        zone_class: i64,
        approve: bool,
    ) -> i64 {
        let (status, p) = self
            .post_json(
                &dev.key,
                "/api/v1/projects",
                &json!({ "name": name, "district": "高新区", "zone_class": zone_class, "address": "重庆路88号",
                         "presale_permit_no": "2026预字第001号", "delivery": "ready", "amenities": ["地铁", "学校"],
                         "description": "南北通透 湖景房" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let id = p["id"].as_i64().unwrap();
        if approve {
            let (status, body) = self
                .post_json(
                    ADMIN_TOKEN,
                    &format!("/api/v1/projects/{id}/approve"),
                    &json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        id
    }

    pub fn conn(&self) -> anju::db::DbConn {
        self.state.pool.get().expect("db connection")
    }

    /// Every stored unit of a project and the number of audit events: what "unchanged" compares.
    pub fn snapshot(&self, project_id: i64) -> String {
        use anju::db::schema::{audit_events, units};
        let mut c = self.conn();
        let rows: Vec<anju::db::units::Unit> = units::table
            .filter(units::project_id.eq(project_id))
            .order(units::id.asc())
            .select(anju::db::units::Unit::as_select())
            .load(&mut *c)
            .expect("load units");
        let audits: i64 = audit_events::table
            .count()
            .get_result(&mut *c)
            .expect("count audit");
        format!("{rows:?} audit={audits}")
    }

    pub fn unit_count(&self, project_id: i64) -> i64 {
        use anju::db::schema::units;
        let mut c = self.conn();
        units::table
            .filter(units::project_id.eq(project_id))
            .count()
            .get_result(&mut *c)
            .expect("count")
    }

    /// Puts a unit into a status directly (holds and reservations come with selection rounds).
    pub fn force_unit_status(&self, unit_id: i64, status: &str) {
        use anju::db::schema::units;
        let mut c = self.conn();
        let conn: &mut AnyConnection = &mut c;
        diesel::update(units::table.find(unit_id))
            .set(units::status.eq(status))
            .execute(conn)
            .expect("update");
    }
}
