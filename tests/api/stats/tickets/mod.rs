//! The housing-ticket figures, settlement's ticket part and the tickets export, over a ledger
//! written straight into the database (the ticket routes are not needed): an issue, a debit and
//! bonus on a contracted reservation, a debit and bonus refunded by a cancellation, a cash-out,
//! a ticket expiring within 30 days, an expired one never paid, a transfer and a void.

use anju::db::schema::{reservations, ticket_entries, tickets};
use anju::db::AnyConnection;
use anju::domain::periods::local_day;
use diesel::prelude::*;

use super::*;

struct Seeded {
    dev1: Developer,
    dev2: Developer,
    viewer: String,
}

/// A day of Shanghai local time at 10:00.
fn day(y: i32, m: u32, d: u32) -> i64 {
    local(y, m, d, 10, 0)
}

/// `(kind, amount, reservation, developer, at)`
type Line = (&'static str, i64, Option<i64>, Option<i64>, i64);

/// One ticket with its ledger. `amounts` are (balance, debited, cashed out, voided).
fn ticket(
    c: &mut AnyConnection,
    household_id: i64,
    no: &str,
    face: i64,
    (issued, until): (i64, i64),
    (amounts, status, transferee): ((i64, i64, i64, i64), &str, Option<&str>),
) -> i64 {
    let (balance, debited, cashed, voided) = amounts;
    diesel::insert_into(tickets::table)
        .values((
            tickets::household_id.eq(household_id),
            tickets::ticket_no.eq(no),
            tickets::pin_hash.eq("x"),
            tickets::holder_name_masked.eq(transferee),
            tickets::face_value_yuan.eq(face),
            tickets::issued_at_ms.eq(issued),
            tickets::valid_until_ms.eq(until),
            tickets::balance_yuan.eq(balance),
            tickets::debited_yuan.eq(debited),
            tickets::cashed_out_yuan.eq(cashed),
            tickets::voided_yuan.eq(voided),
            tickets::status.eq(status),
            tickets::policy_version.eq(1i64),
            tickets::created_at_ms.eq(issued),
            tickets::updated_at_ms.eq(issued),
        ))
        .returning(tickets::id)
        .get_result(c)
        .expect("insert ticket")
}

fn ledger(c: &mut AnyConnection, ticket_id: i64, lines: &[Line]) {
    for &(kind, amount, reservation, developer, at) in lines {
        diesel::insert_into(ticket_entries::table)
            .values((
                ticket_entries::ticket_id.eq(ticket_id),
                ticket_entries::kind.eq(kind),
                ticket_entries::amount_yuan.eq(amount),
                ticket_entries::reservation_id.eq(reservation),
                ticket_entries::developer_id.eq(developer),
                ticket_entries::actor_kind.eq("official"),
                ticket_entries::at_ms.eq(at),
                ticket_entries::entry_day.eq(local_day(at)),
            ))
            .execute(c)
            .expect("insert entry");
    }
}

/// A reservation of `unit` paid by `ticket` with (debit, bonus), confirmed at `at`.
fn reservation(
    c: &mut AnyConnection,
    (household_id, unit_id, ticket_id): (i64, i64, i64),
    status: &str,
    (debit, bonus): (i64, i64),
    at: i64,
) -> i64 {
    diesel::insert_into(reservations::table)
        .values((
            reservations::household_id.eq(household_id),
            reservations::unit_id.eq(unit_id),
            reservations::status.eq(status),
            reservations::held_at_ms.eq(at - 60_000),
            reservations::expires_at_ms.eq(at + 600_000),
            reservations::confirmed_at_ms.eq(Some(at)),
            reservations::confirmed_day.eq(Some(local_day(at))),
            reservations::origin_consumed_centi_m2.eq(Some(0i64)),
            reservations::gov_pays_yuan.eq(Some(debit + bonus)),
            reservations::top_up_yuan.eq(Some(0i64)),
            reservations::ticket_id.eq(Some(ticket_id)),
            reservations::ticket_debit_yuan.eq(Some(debit)),
            reservations::ticket_bonus_yuan.eq(Some(bonus)),
            reservations::ticket_bonus_pct.eq(Some(22)),
            reservations::updated_at_ms.eq(at),
        ))
        .returning(reservations::id)
        .get_result(c)
        .expect("insert reservation")
}

async fn unit_of(app: &TestApp, dev: &Developer, name: &str) -> i64 {
    let project = app.project(dev, name, true).await;
    let (status, body) = app
        .upload(&dev.key, project, "text/csv", en_csv(&[en_row("1", "101")]))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = app
        .get(&dev.key, &format!("/api/v1/projects/{project}/units"))
        .await;
    list["items"][0]["id"].as_i64().unwrap()
}

/// Six tickets (docs: housing-tickets.md's worked example for the first), now 2026-03-25 12:00.
async fn seed(app: &TestApp) -> Seeded {
    let dev1 = app.approved_developer(1).await;
    let dev2 = app.approved_developer(2).await;
    let (u1, u2) = (
        unit_of(app, &dev1, "江岸花园").await,
        unit_of(app, &dev2, "洪山新城").await,
    );
    let names = ["张小明", "李小红", "王大山", "赵四海", "钱五福", "孙六顺"];
    let mut csv = format!("{HH_HEADER_ZH}\n");
    for (i, name) in names.iter().enumerate() {
        let id = id_number("19700101", 300 + i as u32);
        csv.push_str(&hh_row(name, &id, "80.00", "1", "选购大厅"));
        csv.push('\n');
    }
    let (status, body) = app
        .import_households(ADMIN_TOKEN, "text/csv", csv.into_bytes())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hh: Vec<i64> = body["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    app.force_unit_status(u1, "sold");

    let mut conn = app.conn();
    let c: &mut AnyConnection = &mut conn;
    let far = day(2027, 7, 4);
    // 1: the worked example: 737 705 + 162 295 on a contracted unit of developer 1; then a
    // debit on developer 2's unit, cancelled (refunded) five days later
    let t1 = ticket(
        c,
        hh[0],
        "FP0000000001",
        1_000_000,
        (day(2026, 1, 10), far),
        ((262_295, 737_705, 0, 0), "active", None),
    );
    let r1 = reservation(
        c,
        (hh[0], u1, t1),
        "contracted",
        (737_705, 162_295),
        day(2026, 3, 1),
    );
    let r2 = reservation(
        c,
        (hh[0], u2, t1),
        "cancelled",
        (100_000, 20_000),
        day(2026, 3, 15),
    );
    let (d1, d2) = (Some(dev1.id), Some(dev2.id));
    ledger(
        c,
        t1,
        &[
            ("issue", 1_000_000, None, None, day(2026, 1, 10)),
            ("debit", 737_705, Some(r1), d1, day(2026, 3, 1)),
            ("bonus", 162_295, Some(r1), d1, day(2026, 3, 1)),
            ("debit", 100_000, Some(r2), d2, day(2026, 3, 15)),
            ("bonus", 20_000, Some(r2), d2, day(2026, 3, 15)),
            ("refund", 100_000, Some(r2), d2, day(2026, 3, 20)),
        ],
    );
    // 2: expired 2026-02-20, cashed out on the 25th
    let t2 = ticket(
        c,
        hh[1],
        "FP0000000002",
        300_000,
        (day(2025, 12, 1), day(2026, 2, 20)),
        ((0, 0, 300_000, 0), "cashed_out", None),
    );
    ledger(
        c,
        t2,
        &[
            ("issue", 300_000, None, None, day(2025, 12, 1)),
            ("cash_out", 300_000, None, None, day(2026, 2, 25)),
        ],
    );
    // 3: expires within 30 days of now
    let t3 = ticket(
        c,
        hh[2],
        "FP0000000003",
        200_000,
        (day(2026, 2, 10), day(2026, 4, 10)),
        ((200_000, 0, 0, 0), "active", None),
    );
    ledger(c, t3, &[("issue", 200_000, None, None, day(2026, 2, 10))]);
    // 4: expired on 2026-02-28 and not paid out
    let t4 = ticket(
        c,
        hh[3],
        "FP0000000004",
        150_000,
        (day(2026, 1, 5), local(2026, 2, 28, 0, 0)),
        ((150_000, 0, 0, 0), "active", None),
    );
    ledger(c, t4, &[("issue", 150_000, None, None, day(2026, 1, 5))]);
    // 5: transferred (not an issue): the transferee's mask is shown
    let t5 = ticket(
        c,
        hh[4],
        "FP0000000005",
        400_000,
        (day(2026, 3, 1), far),
        ((400_000, 0, 0, 0), "active", Some("周*")),
    );
    ledger(
        c,
        t5,
        &[
            ("issue", 400_000, None, None, day(2026, 3, 1)),
            ("transfer", 0, None, None, day(2026, 3, 2)),
        ],
    );
    // 6: voided the day after its issue
    let t6 = ticket(
        c,
        hh[5],
        "FP0000000006",
        100_000,
        (day(2026, 2, 1), far),
        ((0, 0, 0, 100_000), "void", None),
    );
    ledger(
        c,
        t6,
        &[
            ("issue", 100_000, None, None, day(2026, 2, 1)),
            ("void", 100_000, None, None, day(2026, 2, 2)),
        ],
    );
    drop(conn);
    app.clock.set(local(2026, 3, 25, 12, 0));
    let (status, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "统计科", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    Seeded {
        dev1,
        dev2,
        viewer: viewer["token"].as_str().unwrap().to_string(),
    }
}

mod export;
mod figures;
