//! The generated marketplace: sizes from the environment and the rows written straight into
//! the schema.

use super::*;

pub(crate) fn env_num(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ' '], "").parse().ok())
        .unwrap_or(default)
}

pub(crate) struct Sizes {
    pub(crate) units: i64,
    pub(crate) reservations: i64,
    pub(crate) households: i64,
    pub(crate) audit: i64,
}

/// `a⁻¹ mod m` (a and m coprime).
fn inverse(a: i64, m: i64) -> i64 {
    let (mut t, mut new_t, mut r, mut new_r) = (0i128, 1i128, m as i128, a as i128);
    while new_r != 0 {
        let q = r / new_r;
        (t, new_t) = (new_t, t - q * new_t);
        (r, new_r) = (new_r, r - q * new_r);
    }
    assert_eq!(r, 1, "not coprime");
    (t.rem_euclid(m as i128)) as i64
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// 1..=n as a row source `g(i)` of 64-bit integers on either backend.
fn series(pg: bool, n: i64) -> String {
    if pg {
        format!("generate_series(1::bigint, {n}::bigint) AS g(i)")
    } else {
        format!(
            "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) \
             SELECT i FROM s) AS g"
        )
    }
}

pub(crate) fn exec(conn: &mut AnyConnection, sql: &str) {
    let r = diesel::sql_query(sql).execute(conn);
    if let Err(e) = r {
        panic!("{e}: {}", &sql[..sql.len().min(300)]);
    }
}

/// Generates the marketplace. Reservation r sits on unit `(r-1)·M mod U + 1` (M coprime to U, so
/// every reservation has its own unit, spread over all projects); a unit's status follows its
/// reservation: confirmed → reserved, contracted → sold, cancelled → available, held → held.
/// Confirmations run over the 365 local days ending today in reservation-id order.
pub(crate) fn load(conn: &mut AnyConnection, pg: bool, s: &Sizes, now_ms: i64) {
    let (u, r, h) = (s.units, s.reservations, s.households);
    assert!(r <= u, "more reservations than units");
    let per_project = (u + PROJECTS - 1) / PROJECTS;
    let mult = [7919i64, 104_729, 15_485_863]
        .into_iter()
        .find(|m| gcd(*m, u) == 1)
        .expect("a multiplier coprime to the unit count");
    let minv = inverse(mult % u, u);
    let t = |name: &str, start: Instant| {
        println!("  {name:<13} {:>7.1} s", start.elapsed().as_secs_f64())
    };

    let start = Instant::now();
    let devs: Vec<String> = (1..=DEVELOPERS)
        .map(|d| {
            format!(
                "({d}, '基准{d:02}置业有限公司', 'BENCH{d:013}', 'x', '张*', 'x', '138****0000', \
                 'approved', {now_ms}, {now_ms})"
            )
        })
        .collect();
    exec(
        conn,
        &format!(
            "INSERT INTO developers (id, name, credit_code, contact_name_enc, contact_name_masked, \
             contact_phone_enc, contact_phone_masked, status, created_at_ms, updated_at_ms) VALUES {}",
            devs.join(", ")
        ),
    );
    // 1 000 approved projects with units, and 20 pending ones without
    let projects: Vec<String> = (1..=PROJECTS + 20)
        .map(|p| {
            let (district, zone) = DISTRICTS[((p * 7) % 15) as usize];
            let status = if p > PROJECTS { "pending" } else { "approved" };
            format!(
                "({p}, {dev}, '基准楼盘{p:04}', '{district}', {zone}, '{district}解放大道{p}号', \
                 '2026预字第{p:04}号', 'ready', '[]', '', '{status}', {now_ms}, {now_ms})",
                dev = (p - 1) % DEVELOPERS + 1
            )
        })
        .collect();
    exec(
        conn,
        &format!(
            "INSERT INTO projects (id, developer_id, name, district, zone_class, address, \
             presale_permit_no, delivery, amenities, description, status, created_at_ms, \
             updated_at_ms) VALUES {}",
            projects.join(", ")
        ),
    );
    t("developers, projects", start);

    let start = Instant::now();
    let res_of = format!("(((i - 1) * {minv}) % {u})");
    exec(
        conn,
        &format!(
            "INSERT INTO units (id, project_id, building, unit, room, floor, layout, rooms, halls, \
             baths, area_centi_m2, price_per_m2_yuan, total_price_yuan, orientation, decoration, \
             description, status, created_at_ms, updated_at_ms) \
             SELECT i, (i - 1) / {per_project} + 1, \
             CAST(((i - 1) % {per_project}) / 100 + 1 AS TEXT), \
             CAST(((i - 1) % 100) / 50 + 1 AS TEXT), CAST((i - 1) % 50 + 101 AS TEXT), \
             (i - 1) % 50 / 2 + 1, CAST(i % 4 + 1 AS TEXT) || '室2厅1卫', i % 4 + 1, 2, 1, \
             4500 + (i * 7919) % 12000, 6000 + (i * 104729) % 14000, \
             (4500 + (i * 7919) % 12000) * (6000 + (i * 104729) % 14000) / 100, '南北', 'basic', \
             '南北通透 近地铁', \
             CASE WHEN {res_of} < {r} THEN \
               CASE WHEN {res_of} % 20 < 10 THEN 'reserved' WHEN {res_of} % 20 < 16 THEN 'sold' \
               WHEN {res_of} % 20 < 19 THEN 'available' ELSE 'held' END \
             WHEN i % 97 = 0 THEN 'withdrawn' ELSE 'available' END, {now_ms}, {now_ms} \
             FROM {}",
            series(pg, u)
        ),
    );
    t("units", start);

    let start = Instant::now();
    exec(
        conn,
        &format!(
            "INSERT INTO households (id, name_enc, name_masked, name_hmac, id_number_enc, \
             id_number_masked, id_number_hmac, phone_enc, phone_masked, expropriation_project, \
             origin_area_centi_m2, remaining_origin_area_centi_m2, origin_zone, \
             assessed_price_yuan_per_m2, signed_at_ms, family_size, method, voucher_no, pin_hash, \
             created_at_ms, updated_at_ms) \
             SELECT i, 'x', '张*', 'n' || CAST(i AS TEXT), 'x', '4201**********0000', \
             'id' || CAST(i AS TEXT), 'x', '138****0000', '棚改' || CAST(i % 5 AS TEXT), \
             8000 + i % 4000, 8000 + i % 4000, 1 + i % 3, 12000, {signed}, 1 + i % 5, \
             CASE WHEN (i - 1) % 20 < 12 THEN 'hall' WHEN (i - 1) % 20 < 17 THEN 'in_kind' \
             ELSE 'cash' END, 'V' || CAST(i AS TEXT), 'x', {now_ms}, {now_ms} FROM {}",
            series(pg, h),
            signed = now_ms - 300 * 86_400_000,
        ),
    );
    t("households", start);

    // the 365 local days ending today: index, YYYYMMDD, noon Shanghai as UTC ms
    let start = Instant::now();
    let today = anju::domain::periods::local_day(now_ms);
    let today = NaiveDate::from_ymd_opt(
        today / 10_000,
        (today / 100 % 100) as u32,
        (today % 100) as u32,
    )
    .expect("today");
    let days: Vec<String> = (0..365)
        .map(|d| {
            let date = today - Days::days(364 - d);
            let ms = date
                .and_time(NaiveTime::from_hms_opt(4, 0, 0).expect("time"))
                .and_utc()
                .timestamp_millis();
            format!("({d}, {}, {ms})", anju::domain::periods::day_of(date))
        })
        .collect();
    exec(
        conn,
        "CREATE TEMPORARY TABLE bench_days (d BIGINT PRIMARY KEY, day BIGINT NOT NULL, ms BIGINT NOT NULL)",
    );
    exec(
        conn,
        &format!(
            "INSERT INTO bench_days (d, day, ms) VALUES {}",
            days.join(", ")
        ),
    );
    let hall_blocks = h / 20 * 12;
    assert!(hall_blocks > 0, "too few households");
    let st = "(i - 1) % 20";
    exec(
        conn,
        &format!(
            "INSERT INTO reservations (id, household_id, unit_id, status, held_at_ms, expires_at_ms, \
             confirmed_at_ms, confirmed_day, contracted_at_ms, ended_at_ms, policy_version, \
             entitled_centi_m2, covered_centi_m2, origin_consumed_centi_m2, gov_pays_yuan, \
             top_up_yuan, reward_yuan, contract_no, cancel_reason, updated_at_ms) \
             SELECT i, ((i - 1) % {hall_blocks}) / 12 * 20 + ((i - 1) % {hall_blocks}) % 12 + 1, \
             ((i - 1) * {mult}) % {u} + 1, \
             CASE WHEN {st} < 10 THEN 'confirmed' WHEN {st} < 16 THEN 'contracted' \
               WHEN {st} < 19 THEN 'cancelled' ELSE 'held' END, \
             CASE WHEN {st} < 19 THEN d.ms - 600000 ELSE {now_ms} - 60000 END, \
             CASE WHEN {st} < 19 THEN d.ms + 300000 ELSE {far} END, \
             CASE WHEN {st} < 19 THEN d.ms END, CASE WHEN {st} < 19 THEN d.day END, \
             CASE WHEN {st} >= 10 AND {st} < 16 THEN d.ms + 86400000 END, \
             CASE WHEN {st} >= 16 AND {st} < 19 THEN d.ms + 172800000 END, \
             CASE WHEN {st} < 19 THEN 1 END, CASE WHEN {st} < 19 THEN 9000 END, \
             CASE WHEN {st} < 19 THEN 8500 END, CASE WHEN {st} < 19 THEN 7000 END, \
             CASE WHEN {st} < 19 THEN 300000 + (i * 7919) % 500000 END, \
             CASE WHEN {st} < 19 THEN (i * 104729) % 80000 END, \
             CASE WHEN {st} < 19 THEN 21000 END, \
             CASE WHEN {st} >= 10 AND {st} < 16 THEN 'HT' || CAST(i AS TEXT) END, \
             CASE WHEN {st} >= 16 AND {st} < 19 THEN '基准撤销' END, d.ms \
             FROM {} JOIN bench_days d ON d.d = ((i - 1) * 365) / {r}",
            series(pg, r),
            far = now_ms + 3650 * 86_400_000i64,
        ),
    );
    exec(conn, "DROP TABLE bench_days");
    t("reservations", start);

    let start = Instant::now();
    let a = s.audit.max(1);
    // numbered after what is there (the chain assigns ids and sequence numbers), hashed below
    let (last_id, last_seq): (Option<i64>, Option<i64>) = {
        use anju::db::schema::audit_events as e;
        use diesel::dsl::max;
        use diesel::prelude::*;
        e::table
            .select((max(e::id), max(e::seq)))
            .first(conn)
            .expect("audit head")
    };
    exec(
        conn,
        &format!(
            "INSERT INTO audit_events (id, seq, at_ms, actor_kind, actor_id, action, object_kind, \
             object_id, request_id, details) \
             SELECT {last_id} + i, {last_seq} + i, {first} + (i - 1) * {gap}, \
             CASE i % 4 WHEN 0 THEN 'household' WHEN 1 THEN 'official' WHEN 2 THEN 'developer' \
               ELSE 'system' END, CASE WHEN i % 4 < 3 THEN i % 1000 + 1 END, \
             CASE i % 4 WHEN 0 THEN 'reservation.confirmed' WHEN 1 THEN 'household.read' \
               WHEN 2 THEN 'unit.updated' ELSE 'hold.expired' END, \
             CASE i % 4 WHEN 1 THEN 'household' WHEN 2 THEN 'unit' ELSE 'reservation' END, \
             i % 100000 + 1, NULL, '{{}}' FROM {}",
            series(pg, s.audit),
            first = now_ms - 365 * 86_400_000i64,
            gap = 365 * 86_400_000i64 / a,
            last_id = last_id.unwrap_or(0),
            last_seq = last_seq.unwrap_or(0),
        ),
    );
    anju::db::audit_chain::seal_unchained(conn, 10_000).expect("audit events chained");
    t("audit events", start);

    if pg {
        for table in [
            "developers",
            "projects",
            "units",
            "households",
            "reservations",
        ] {
            let col = "id";
            exec(
                conn,
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{col}'), \
                     (SELECT MAX({col}) FROM {table}))"
                ),
            );
        }
    }
}
