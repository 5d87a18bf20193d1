use super::*;

/// Milliseconds of a Shanghai local time.
fn local(y: i32, m: u32, d: u32, h: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
        - 8 * 3_600_000
}

fn flow(period: i64, kind: &str, developer_id: Option<i64>, lines: i64, amount: i64) -> FlowRow {
    FlowRow {
        period,
        kind: kind.into(),
        developer_id,
        lines,
        amount_yuan: amount,
    }
}

fn step(ticket_id: i64, valid_until_ms: i64, period: i64, delta: i64, closes: i64) -> BalanceStep {
    BalanceStep {
        ticket_id,
        valid_until_ms,
        period,
        delta_yuan: delta,
        closes,
    }
}

#[test]
fn a_period_ends_at_the_last_millisecond_of_its_last_local_day() {
    assert_eq!(
        period_end_ms(Period::Month, 202602),
        local(2026, 3, 1, 0) - 1
    );
    assert_eq!(
        period_end_ms(Period::Xun, 2026031),
        local(2026, 3, 11, 0) - 1
    );
    assert_eq!(period_end_ms(Period::Year, 2026), local(2027, 1, 1, 0) - 1);
}

#[test]
fn flows_add_up_by_kind_and_developer() {
    let rows = [
        flow(0, "issue", None, 3, 1_500_000),
        flow(0, "debit", Some(7), 2, 800_000),
        flow(0, "bonus", Some(7), 2, 160_000),
        flow(0, "debit", Some(3), 1, 100_000),
        flow(0, "bonus", Some(3), 1, 0),
        flow(0, "cash_out", None, 1, 50_000),
    ];
    let positions = Positions {
        outstanding_yuan: 1,
        expiring_count: 2,
        expiring_yuan: 3,
        expired_unpaid_yuan: 4,
    };
    let f = figures(None, rows.iter(), positions);
    assert_eq!(
        f,
        TicketFigures {
            period: None,
            issued_count: 3,
            issued_yuan: 1_500_000,
            debited_yuan: 900_000,
            bonus_yuan: 160_000,
            outstanding_yuan: 1,
            expiring_30d_count: 2,
            expiring_30d_yuan: 3,
            expired_unpaid_yuan: 4,
            cashed_out_yuan: 50_000,
            by_developer: vec![
                DeveloperTicketFlows {
                    developer_id: 3,
                    debit_yuan: 100_000,
                    bonus_yuan: 0
                },
                DeveloperTicketFlows {
                    developer_id: 7,
                    debit_yuan: 800_000,
                    bonus_yuan: 160_000
                },
            ],
        }
    );
    let json = serde_json::to_value(&f).unwrap();
    assert!(json.get("period").is_none(), "{json}");
}

/// Two tickets: A issued in January, valid until 2026-03-20, partly spent in February; B issued
/// in February, cashed out... never: voided in March. Positions at each month's end follow the
/// ledger; the month not yet over takes the positions of now.
#[test]
fn period_rows_carry_the_positions_at_each_period_end() {
    let a_until = local(2026, 3, 20, 0);
    let b_until = local(2027, 8, 1, 0);
    let steps = [
        step(1, a_until, 202601, 100_000, 0),
        step(1, a_until, 202602, -30_000, 0),
        step(2, b_until, 202602, 200_000, 0),
        step(2, b_until, 202603, -200_000, 1),
    ];
    let flows = [
        flow(202601, "issue", None, 1, 100_000),
        flow(202602, "issue", None, 1, 200_000),
        flow(202602, "debit", Some(5), 1, 30_000),
        flow(202602, "bonus", Some(5), 1, 6_000),
    ];
    let now = Positions {
        outstanding_yuan: 11,
        expiring_count: 12,
        expiring_yuan: 13,
        expired_unpaid_yuan: 14,
    };
    let now_ms = local(2026, 4, 15, 9);
    let rows = period_rows(
        Period::Month,
        20000101,
        20260415,
        now_ms,
        &flows,
        &steps,
        now,
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.period.clone().unwrap(),
                r.issued_count,
                r.debited_yuan,
                r.outstanding_yuan,
                r.expiring_30d_count,
                r.expiring_30d_yuan,
                r.expired_unpaid_yuan,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // A expires 2026-03-20: not within 30 days of 01-31
            ("2026-01".to_string(), 1, 0, 100_000, 0, 0, 0),
            // at 02-28 A (70 000) expires within 30 days; B is far off
            ("2026-02".to_string(), 1, 30_000, 270_000, 1, 70_000, 0),
            // B voided; A expired, unpaid
            ("2026-03".to_string(), 0, 0, 0, 0, 0, 70_000),
            // April is not over: the positions of now
            ("2026-04".to_string(), 0, 0, 11, 12, 13, 14),
        ]
    );
    assert_eq!(rows[1].by_developer.len(), 1);
    // a range starting later starts there; nothing issued yet: no rows
    let rows = period_rows(
        Period::Month,
        20260301,
        20260415,
        now_ms,
        &flows,
        &steps,
        now,
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].expired_unpaid_yuan, 70_000);
    assert!(period_rows(Period::Month, 20000101, 20260415, now_ms, &flows, &[], now).is_empty());
}

#[test]
fn a_ticket_past_its_validity_reads_as_expired() {
    let until = local(2027, 7, 4, 0);
    assert_eq!(
        status_at(TicketStatus::Active, until, until - 1),
        TicketStatus::Active
    );
    assert_eq!(
        status_at(TicketStatus::Active, until, until),
        TicketStatus::Expired
    );
    assert_eq!(
        status_at(TicketStatus::Exhausted, until, until + 1),
        TicketStatus::Expired
    );
    assert_eq!(
        status_at(TicketStatus::CashedOut, until, until + 1),
        TicketStatus::CashedOut
    );
    assert_eq!(status_label(TicketStatus::Expired), "已过期");
}
