//! The hall, seeded through the HTTP API only: an approved developer with a key (as the admin),
//! approved projects in the three zone classes with their units uploaded as CSV (as the
//! developer), households imported, a signing-time round opened and called to its end, and
//! every household logged in at a kiosk.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::api::{self, Api, ADMIN};

const DISTRICTS: [&str; 8] = [
    "江岸区",
    "江汉区",
    "硚口区",
    "汉阳区",
    "武昌区",
    "青山区",
    "洪山区",
    "东西湖区",
];

/// Units per seeded project.
const PER_PROJECT: usize = 1_000;

/// A household at a kiosk.
#[derive(Clone)]
pub struct Household {
    pub token: String,
}

/// What the seeding left: the developer's key, the units still free to hand out, and the
/// projects the later scenarios use.
pub struct Hall {
    pub dev_key: String,
    free: Vec<i64>,
    /// an approved project without units: scenario 3 uploads into it
    pub upload_project: i64,
    /// a small approved project: the visibility probe looks for its units in search
    pub probe_project: i64,
    pub probe_units: Vec<i64>,
    /// households enrolled so far (ID numbers and names are derived from it)
    enrolled: usize,
}

impl Hall {
    /// The next `n` free units (never handed out twice), or an error naming the knob.
    pub fn take_units(&mut self, n: usize) -> anyhow::Result<Vec<i64>> {
        anyhow::ensure!(
            n <= self.free.len(),
            "{n} more units needed but only {} left: raise ANJU_BENCH_UNITS",
            self.free.len()
        );
        Ok(self.free.drain(..n).collect())
    }
}

/// A unit table with Chinese headers (like `benches/upload.rs`): floor areas 60.00–95.99 m²,
/// so a household with 100.00 m² from zone 1 is covered fully in every zone and keeps some area.
pub fn units_csv(rows: usize) -> Vec<u8> {
    let layouts = ["2室1厅1卫", "3室2厅2卫", "两室两厅一卫", "3房2厅"];
    let orient = ["南", "南北", "东南", "西", "北"];
    let deco = ["毛坯", "简装", "精装"];
    let mut s = String::from("楼栋,单元,房号,楼层,户型,建筑面积,备案单价,朝向,装修标准,备注\n");
    for i in 0..rows {
        let building = i / 100 + 1;
        let floor = (i / 4) % 25 + 1;
        let area = 6000 + (i * 37) % 3600;
        s.push_str(&format!(
            "{building}号楼,1,{floor}{:02},{floor},{},{}.{:02},{},{},{},南北通透 近地铁\n",
            i % 4 + 1,
            layouts[i % layouts.len()],
            area / 100,
            area % 100,
            8000 + (i * 13) % 12000,
            orient[i % orient.len()],
            deco[i % deco.len()],
        ));
    }
    s.into_bytes()
}

async fn project(api: &Api, key: &str, k: usize, zone: usize, name: &str) -> anyhow::Result<i64> {
    let p = api
        .post(
            key,
            "/projects",
            &json!({ "name": name, "district": DISTRICTS[k % DISTRICTS.len()], "zone_class": zone,
                     "address": format!("解放大道{}号", 100 + k), "presale_permit_no": format!("武房预售{k}号"),
                     "delivery": "ready", "amenities": ["地铁", "学校"], "description": "选房基准" }),
        )
        .await
        .expect(201, "POST /projects")?;
    let id = p["id"].as_i64().unwrap_or_default();
    api.post(ADMIN, &format!("/projects/{id}/approve"), &json!({}))
        .await
        .expect(200, "approve project")?;
    Ok(id)
}

/// Every unit id of a project, from its unit list (100 a page).
async fn unit_ids(api: &Api, key: &str, project: i64) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::new();
    for page in 1.. {
        let body = api
            .get(
                Some(key),
                &format!("/projects/{project}/units?per_page=100&page={page}"),
            )
            .await
            .expect(200, "GET /projects/{id}/units")?;
        let items = body["items"].as_array().cloned().unwrap_or_default();
        ids.extend(items.iter().filter_map(|u| u["id"].as_i64()));
        if items.len() < 100 {
            break;
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// The developer, its projects and `units` units; returns the hall and a note of the timings.
pub async fn hall(api: &Api, units: usize) -> anyhow::Result<(Hall, String)> {
    let started = Instant::now();
    let code = anju::domain::credit_code::with_check_char("91420100M00000077")
        .ok_or_else(|| anyhow::anyhow!("credit code"))?;
    let dev = api
        .post(
            ADMIN,
            "/developers",
            &json!({ "name": "基准选房置业有限公司", "credit_code": code,
                     "contact_name": "李小龙", "contact_phone": "13912345678" }),
        )
        .await
        .expect(201, "POST /developers")?;
    let dev_id = dev["id"].as_i64().unwrap_or_default();
    api.post(ADMIN, &format!("/developers/{dev_id}/approve"), &json!({}))
        .await
        .expect(200, "approve developer")?;
    let key = api
        .post(ADMIN, &format!("/developers/{dev_id}/keys"), &json!({}))
        .await
        .expect(201, "developer key")?["key"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let mut per_project = Vec::new();
    let mut upload_time = Duration::ZERO;
    for k in 0..units.div_ceil(PER_PROJECT) {
        let n = PER_PROJECT.min(units - k * PER_PROJECT);
        let pid = project(api, &key, k, k % 3 + 1, &format!("基准花园{}期", k + 1)).await?;
        let t = Instant::now();
        api.upload(
            &key,
            &format!("/projects/{pid}/units/import"),
            "text/csv",
            units_csv(n),
        )
        .await
        .expect(200, "units upload")?;
        upload_time += t.elapsed();
        per_project.push(unit_ids(api, &key, pid).await?);
    }
    // round robin over the projects, so every scenario's units span the three zone classes
    let mut free = Vec::with_capacity(units);
    for i in 0..PER_PROJECT {
        free.extend(per_project.iter().filter_map(|ids| ids.get(i)));
    }
    let upload_project = project(api, &key, 90, 3, "基准新城（大批上传）").await?;
    let probe_project = project(api, &key, 91, 2, "基准探针苑").await?;
    api.upload(
        &key,
        &format!("/projects/{probe_project}/units/import"),
        "text/csv",
        units_csv(20),
    )
    .await
    .expect(200, "probe units upload")?;
    let probe_units = unit_ids(api, &key, probe_project).await?;
    let note = format!(
        "seed: {} units in {} uploads {} ({:.0} units/s), seeding in all {}",
        free.len(),
        per_project.len(),
        super::report::secs(upload_time),
        free.len() as f64 / upload_time.as_secs_f64(),
        super::report::secs(started.elapsed())
    );
    Ok((
        Hall {
            dev_key: key,
            free,
            upload_project,
            probe_project,
            probe_units,
            enrolled: 0,
        },
        note,
    ))
}

/// A valid ID number, different for every `n` (birth dates from 1950 on, 1 000 a day).
fn id_number(n: usize) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).expect("date")
        + chrono::Days::new((n / 1000) as u64);
    let first17 = format!("420102{}{:03}", birth.format("%Y%m%d"), n % 1000);
    let check = anju::domain::household::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// Imports `n` hall households (A0 = 100.00 m² in zone 1, signed in the last 30 days so their
/// vouchers are valid); returns `(id, voucher, pin)` of each and the time of the import.
pub async fn enrol(
    api: &Api,
    hall: &mut Hall,
    n: usize,
) -> anyhow::Result<(Vec<(i64, String, String)>, Duration)> {
    let signed = chrono::Utc::now() - chrono::Duration::days(30);
    let mut csv = String::from("name,id_number,phone,expropriation_project,origin_area_m2,origin_zone,assessed_price_yuan_per_m2,signed_at,family_size,method\n");
    for i in 0..n {
        let k = hall.enrolled + i;
        let at = signed + chrono::Duration::milliseconds(k as i64 * 1_000);
        csv.push_str(&format!(
            "王{k}华,{},138{:08},汉正街片区,100.00,1,15000,{},3,hall\n",
            id_number(k),
            k,
            at.format("%Y-%m-%dT%H:%M:%S%.3fZ")
        ));
    }
    hall.enrolled += n;
    let t = Instant::now();
    let body = api
        .upload(ADMIN, "/households/import", "text/csv", csv.into_bytes())
        .await
        .expect(201, "POST /households/import")?;
    let took = t.elapsed();
    let out: Vec<_> = body["households"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|h| {
            (
                h["id"].as_i64().unwrap_or_default(),
                h["voucher_no"].as_str().unwrap_or_default().to_string(),
                h["pin"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    anyhow::ensure!(out.len() == n, "imported {} of {n} households", out.len());
    Ok((out, took))
}

/// A signing-time round of `ids`, opened and called up to its last position.
pub async fn open_round(api: &Api, name: &str, ids: &[i64]) -> anyhow::Result<i64> {
    let round = api
        .post(
            ADMIN,
            "/rounds",
            &json!({ "name": name, "household_ids": ids, "ordering": "signing_time" }),
        )
        .await
        .expect(201, "POST /rounds")?;
    let id = round["id"].as_i64().unwrap_or_default();
    api.post(ADMIN, &format!("/rounds/{id}/open"), &json!({}))
        .await
        .expect(200, "open round")?;
    api.post(
        ADMIN,
        &format!("/rounds/{id}/call"),
        &json!({ "up_to": ids.len() }),
    )
    .await
    .expect(200, "call round")?;
    Ok(id)
}

/// Logs every household in (`POST /kiosk/login`) over `clients` connections, spread over the
/// `bases` in turn; returns them in the given order and the wall time of all log-ins.
pub async fn log_in(
    bases: &[String],
    households: &[(i64, String, String)],
    clients: usize,
) -> anyhow::Result<(Vec<Household>, Duration)> {
    let work = Arc::new(households.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (work, next, base) = (work.clone(), next.clone(), bases[c % bases.len()].clone());
            tokio::spawn(async move {
                let http = api::client();
                let mut out = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((id, voucher, pin)) = work.get(i) else {
                        break;
                    };
                    let req = http
                        .post(format!("{base}/api/v1/kiosk/login"))
                        .json(&json!({ "voucher_no": voucher, "pin": pin }));
                    let reply = api::send("POST /kiosk/login", req).await;
                    let token = reply.body["token"].as_str().map(str::to_string);
                    out.push((i, *id, token, reply.status));
                }
                out
            })
        })
        .collect();
    let mut all = Vec::with_capacity(households.len());
    for t in tasks {
        all.extend(t.await?);
    }
    let took = started.elapsed();
    all.sort_unstable_by_key(|x| x.0);
    let mut out = Vec::with_capacity(all.len());
    for (_, id, token, status) in all {
        let token =
            token.ok_or_else(|| anyhow::anyhow!("log-in of household {id} answered {status}"))?;
        out.push(Household { token });
    }
    Ok((out, took))
}

/// Enrols `n` households, puts them in an open round called to the end and logs them in;
/// returns them with a note of the import and log-in times.
pub async fn households(
    api: &Api,
    hall: &mut Hall,
    bases: &[String],
    n: usize,
    label: &str,
) -> anyhow::Result<(Vec<Household>, Duration, Duration)> {
    let (enrolled, import) = enrol(api, hall, n).await?;
    let ids: Vec<i64> = enrolled.iter().map(|h| h.0).collect();
    open_round(api, label, &ids).await?;
    let (logged, login) = log_in(bases, &enrolled, 50).await?;
    println!(
        "  {label}: imported {n} households in {} ({:.0}/s), {n} log-ins in {} ({:.0}/s)",
        super::report::secs(import),
        n as f64 / import.as_secs_f64(),
        super::report::secs(login),
        n as f64 / login.as_secs_f64()
    );
    Ok((logged, import, login))
}
