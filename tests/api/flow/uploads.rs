//! A developer admitted and its units uploaded in every format, as multipart, and again.

use super::*;

#[tokio::test]
async fn admin_admits_a_developer_whose_uploads_in_every_format_are_stored_field_by_field() {
    let app = spawn_app().await;

    // the bootstrap admin creates a viewer official; the token is shown once
    let (status, viewer) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/officials",
            &json!({"name": "王科长", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{viewer}");
    assert!(viewer["token"].as_str().unwrap().starts_with("ot_"));
    assert_eq!(viewer["role"], "viewer");

    // registration: pending, contact person masked
    let (status, dev) = app
        .post_json(
            ADMIN_TOKEN,
            "/api/v1/developers",
            &json!({"name": "锦园置业有限公司", "credit_code": credit_code(1), "contact_name": "张小明", "contact_phone": "13812345678"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dev}");
    assert_eq!(dev["status"], "pending");
    assert_eq!(dev["contact_name_masked"], "张*明");
    assert_eq!(dev["contact_phone_masked"], "138****5678");
    assert!(!dev.to_string().contains("13812345678") && !dev.to_string().contains("张小明"));
    let dev_id = dev["id"].as_i64().unwrap();

    // no key before approval
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{dev_id}/keys"),
            &json!({}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "developer_not_approved",
    );

    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{dev_id}/approve"),
            &json!({"reason": "材料齐全"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "approved");
    let (status, key) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/developers/{dev_id}/keys"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let key = key["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("dk_"));

    // the viewer reads the list of developers
    let (status, list) = app
        .get(
            viewer["token"].as_str().unwrap(),
            "/api/v1/developers?status=approved",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);

    // project: pending until approved
    let (status, project) = app
        .post_json(
            &key,
            "/api/v1/projects",
            &json!({"name": "锦园华苑", "district": "高新区", "zone_class": 2, "address": "重庆路88号",
                    "lat": 36.07, "lng": 120.38, "presale_permit_no": "青房预字2026第018号", "delivery": "off_plan",
                    "delivery_date": "2027-06-30", "amenities": ["地铁", "学校", "地铁"], "description": "近地铁，南北通透"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    assert_eq!(project["status"], "pending");
    assert_eq!(project["amenities"], json!(["地铁", "学校"]));
    assert_eq!(project["developer_name"], "锦园置业有限公司");
    let pid = project["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json(
            ADMIN_TOKEN,
            &format!("/api/v1/projects/{pid}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "approved");

    // 1. GB18030 CSV with Chinese headers, in another column order, as Chinese Excel saves it
    let zh =
        "楼号,单元,房号,所在层,户型,建筑面积,套内面积,备案单价,总价,朝向,装修标准,备注,状态\r\n\
              3号楼,2,1201,12,两室一厅一卫,89.55,70.10,12000,,南北,精装,湖景房,可售\r\n\
              3号楼,2,1202,１２,3房2厅,120.00,,15000,1800000,南,毛坯,,不可售\r\n";
    let (gb, _, _) = encoding_rs::GB18030.encode(zh);
    let (status, body) = app.upload(&key, pid, "text/csv", gb.into_owned()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"created": 2, "updated": 0, "unchanged": 0}));

    // 2. UTF-8 CSV with English headers (with a BOM)
    let mut en = b"\xEF\xBB\xBF".to_vec();
    en.extend(en_csv(&[
        "A座,,0101,1,1室,45.5,,9800,,东南,basic,一楼带院,available".to_string(),
        "A座,,0102,1,4室2厅3卫,188.88,150,10000,1888000,north-south,rough,,".to_string(),
    ]));
    let (status, body) = app.upload(&key, pid, "text/csv; charset=utf-8", en).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);

    // 3. XLSX with numeric cells
    let book = xlsx(&[
        &["楼栋", "房号", "楼层", "户型", "建筑面积", "单价", "朝向"],
        &["5", "501", "5", "三室两厅两卫", "130.25", "21000", "西南"],
    ]);
    let (status, body) = app
        .upload(
            &key,
            pid,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            book,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1);

    // 4. JSON body; also updates 3号楼-2-1201 (price) and repeats 5-501 unchanged
    let json_body = json!({"units": [
        {"building": "6", "unit": "1", "room": "601", "floor": 6, "layout": "2室1厅1卫", "area_m2": 76.4, "price_per_m2_yuan": 13500,
         "decoration": "简装", "description": "电梯房"},
        {"楼栋": "3号楼", "单元": "2", "房号": "1201", "楼层": "12", "户型": "两室一厅一卫", "建筑面积": "89.55", "套内面积": "70.10",
         "备案单价": "12500", "朝向": "南北", "装修": "精装", "备注": "湖景房"},
        {"building": "5", "room": "501", "floor": 5, "layout": "三室两厅两卫", "area_m2": 130.25, "price_per_m2_yuan": 21000, "orientation": "西南"}
    ]});
    let (status, body) = app
        .upload(
            &key,
            pid,
            "application/json",
            serde_json::to_vec(&json_body).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"created": 1, "updated": 1, "unchanged": 1}));

    let units = all_units(&app, &key, pid).await;
    assert_eq!(units.len(), 6);

    let u = unit(&units, "3号楼", "1201");
    assert_eq!(u["unit"], "2");
    assert_eq!(u["floor"], 12);
    assert_eq!(
        (u["layout"].as_str(), &u["rooms"], &u["halls"], &u["baths"]),
        (Some("2室1厅1卫"), &json!(2), &json!(1), &json!(1))
    );
    assert_eq!(u["area_m2"], 89.55);
    assert_eq!(u["inner_area_m2"], 70.1);
    assert_eq!(u["price_per_m2_yuan"], 12500);
    assert_eq!(u["total_price_yuan"], 1_119_375); // 89.55 × 12 500
    assert_eq!(u["orientation"], "南北");
    assert_eq!(u["decoration"], "fine");
    assert_eq!(u["description"], "湖景房");
    assert_eq!(u["status"], "available");

    let u = unit(&units, "3号楼", "1202");
    assert_eq!(
        (u["floor"].as_i64(), u["layout"].as_str(), &u["baths"]),
        (Some(12), Some("3室2厅"), &Value::Null) // 3房2厅 names no bathrooms
    );
    assert_eq!(u["total_price_yuan"], 1_800_000); // given total is authoritative
    assert_eq!(u["inner_area_m2"], Value::Null);
    assert_eq!(u["decoration"], "rough");
    assert_eq!(u["status"], "withdrawn");

    let u = unit(&units, "A座", "0101");
    assert_eq!(
        (
            u["unit"].as_str(),
            u["layout"].as_str(),
            u["area_m2"].as_f64()
        ),
        (Some(""), Some("1室0厅"), Some(45.5))
    );
    assert_eq!(
        (
            u["total_price_yuan"].as_i64(),
            u["orientation"].as_str(),
            u["decoration"].as_str()
        ),
        (Some(445_900), Some("东南"), Some("basic"))
    );

    let u = unit(&units, "A座", "0102");
    assert_eq!(
        (
            u["orientation"].as_str(),
            u["total_price_yuan"].as_i64(),
            u["status"].as_str()
        ),
        (Some("南北"), Some(1_888_000), Some("available"))
    );
    assert_eq!(u["area_m2"], 188.88);

    let u = unit(&units, "5", "501");
    assert_eq!(
        (
            u["floor"].as_i64(),
            u["rooms"].as_i64(),
            u["area_m2"].as_f64(),
            u["total_price_yuan"].as_i64()
        ),
        (Some(5), Some(3), Some(130.25), Some(2_735_250))
    );
    assert_eq!(u["decoration"], Value::Null);

    let u = unit(&units, "6", "601");
    assert_eq!(
        (
            u["unit"].as_str(),
            u["area_m2"].as_f64(),
            u["decoration"].as_str(),
            u["total_price_yuan"].as_i64()
        ),
        (Some("1"), Some(76.4), Some("basic"), Some(1_031_400))
    );

    // the status filter, and a developer's edit: price, withdraw, relist
    let (_, withdrawn) = app
        .get(
            &key,
            &format!("/api/v1/projects/{pid}/units?status=withdrawn"),
        )
        .await;
    assert_eq!(withdrawn["total"], 1);
    let id = unit(&units, "6", "601")["id"].as_i64().unwrap();
    let (status, body) = app
        .patch_json(
            &key,
            &format!("/api/v1/units/{id}"),
            &json!({"price_per_m2_yuan": 14000, "description": "电梯房 精装"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["price_per_m2_yuan"].as_i64(),
            body["total_price_yuan"].as_i64()
        ),
        (Some(14000), Some(1_069_600))
    );
    let (_, body) = app
        .patch_json(
            &key,
            &format!("/api/v1/units/{id}"),
            &json!({"status": "withdrawn"}),
        )
        .await;
    assert_eq!(body["status"], "withdrawn");
    let (_, body) = app
        .patch_json(
            &key,
            &format!("/api/v1/units/{id}"),
            &json!({"status": "available"}),
        )
        .await;
    assert_eq!(body["status"], "available");

    // every state change left an audit event
    let mut c = app.conn();
    let events = anju::db::audit::for_object(&mut c, "unit", id).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unit.edit", "unit.withdraw", "unit.relist"]);
    assert!(events
        .iter()
        .all(|e| e.request_id.is_some() && e.actor_kind == "developer"));
    let events = anju::db::audit::for_object(&mut c, "project", pid).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "project.create",
            "project.approve",
            "units.import",
            "units.import",
            "units.import",
            "units.import"
        ]
    );
    let events = anju::db::audit::for_object(&mut c, "developer", dev_id).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "developer.register",
            "developer.approve",
            "developer.key_issue"
        ]
    );
}

#[tokio::test]
async fn multipart_upload_with_a_file_part_is_accepted() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let pid = app.project(&dev, "君江华府", true).await;
    let part = reqwest::multipart::Part::bytes(en_csv(&[en_row("1", "101"), en_row("1", "102")]))
        .file_name("房源.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/projects/{pid}/units/import")))
        .bearer_auth(&dev.key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = into_json(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);
    assert_eq!(app.unit_count(pid), 2);
}

#[tokio::test]
async fn reuploading_the_same_file_changes_nothing_and_says_so() {
    let app = spawn_app().await;
    let dev = app.approved_developer(1).await;
    let pid = app.project(&dev, "君江华府", false).await;
    let file = en_csv(&[en_row("1", "101"), en_row("1", "102")]);
    let (status, body) = app.upload(&dev.key, pid, "text/csv", file.clone()).await;
    assert_eq!(
        (status, body["created"].as_i64()),
        (StatusCode::OK, Some(2))
    );
    let (status, body) = app.upload(&dev.key, pid, "text/csv", file).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"created": 0, "updated": 0, "unchanged": 2}));
}
