//! The tickets export, and the settlement export's ticket columns.

use super::*;

#[tokio::test]
async fn the_tickets_export_has_one_masked_row_per_ticket() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let res = app
        .client
        .get(app.url("/api/v1/stats/export?report=tickets&format=csv"))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"anju-tickets.csv\""
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 6, "{text}");
    assert!(
        lines[0].starts_with("房票台账（截至生成时间），生成时间 2026-03-25 12:00"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "房票号,持票人,面额（元）,发放时间,有效期至,余额（元）,已抵扣（元）,已兑付（元）,状态"
    );
    assert_eq!(
        lines[2..],
        [
            "FP0000000001,张*明,1000000,2026-01-10 10:00,2027-07-04 10:00,262295,737705,0,有效",
            "FP0000000002,李*红,300000,2025-12-01 10:00,2026-02-20 10:00,0,0,300000,已兑付",
            "FP0000000003,王*山,200000,2026-02-10 10:00,2026-04-10 10:00,200000,0,0,有效",
            "FP0000000004,赵*海,150000,2026-01-05 10:00,2026-02-28 00:00,150000,0,0,已过期",
            "FP0000000005,周*,400000,2026-03-01 10:00,2027-07-04 10:00,400000,0,0,有效",
            "FP0000000006,孙*顺,100000,2026-02-01 10:00,2027-07-04 10:00,0,0,0,已作废",
        ]
    );
    for name in ["张小明", "李小红", "钱五福", "13812345678"] {
        assert!(!text.contains(name), "no unmasked personal data: {name}");
    }

    let res = app
        .client
        .get(app.url("/api/v1/stats/export?report=tickets&format=xlsx"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    use calamine::Reader;
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.rows().count(), 2 + 6);
    assert_eq!(sheet.get_value((1, 8)).unwrap().to_string(), "状态");
    assert_eq!(sheet.get_value((5, 1)).unwrap().to_string(), "赵*海");
    assert_eq!(sheet.get_value((5, 5)).unwrap().to_string(), "150000");

    // the settlement export carries the ticket part after the total
    let res = app
        .client
        .get(app.url("/api/v1/stats/export?report=settlement&format=csv"))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "开发企业编号,开发企业,已网签套数,政府应付金额（元）,其中房票网签套数,其中房票抵扣（元）,其中房票奖励（元）");
    assert_eq!(
        lines[2],
        format!("{},开发商1置业有限公司,1,900000,1,737705,162295", s.dev1.id)
    );

    // a developer reads its settlement, never the tickets
    let (status, body) = app
        .get(&s.dev1.key, "/api/v1/stats/export?report=tickets")
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}
