//! The JSON API of terms, categories and the training ledger: response shapes, who may
//! file for which unit, validation errors and the attendance import.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestApp, TestResponse};
use xueshi_core::unit::OrgName;
use xueshi_core::{Role, RoleKind, UnitKind};
use xueshi_store::audit::Actor;
use xueshi_store::testing::TestDb;
use xueshi_store::{db_test, units};
use xueshi_web::terms::{TermInput, create_term};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> TestResponse {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    app.send(builder.body(body).unwrap()).await
}

/// Posts a multipart form with one file and text fields, with a bearer token.
async fn upload(
    app: &TestApp,
    path: &str,
    token: &str,
    file_name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> TestResponse {
    let boundary = "xueshi-api-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

async fn token(app: &TestApp, staff_id: &str) -> String {
    let body = serde_json::json!({ "staff_id": staff_id, "password": PASSWORD });
    let response = call(app, Method::POST, "/api/v1/auth/token", None, Some(body)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["token"].as_str().unwrap().to_owned()
}

/// Creates the term 2025-2026-1, two units and three people: a center administrator
/// (`admin1`), a reviewer of the first unit (`9001`) and a teacher of it (`1001`).
/// Returns the ids of the two units.
async fn school(app: &TestApp) -> (String, String) {
    let input = TermInput {
        code: "2025-2026-1".into(),
        window_start: "2025-09-01".into(),
        window_end: "2025-12-31".into(),
        review_deadline: "2026-01-15".into(),
        required_hours: "24".into(),
    };
    create_term(&app.db, &Actor::system(), &input)
        .await
        .unwrap();

    let mut conn = app.db.conn().await.unwrap();
    let music = units::create(
        &mut conn,
        &OrgName::parse("单位", "音乐学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    let finance = units::create(
        &mut conn,
        &OrgName::parse("单位", "财经学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    drop(conn);

    app.person(
        "admin1",
        "管理员甲",
        None,
        None,
        &[Role::unscoped(RoleKind::CenterAdmin)],
    )
    .await;
    app.person(
        "9001",
        "音乐审核人",
        Some(&music),
        None,
        &[Role {
            kind: RoleKind::UnitReviewer,
            scope_id: Some(music.clone()),
        }],
    )
    .await;
    app.person(
        "1001",
        "张三",
        Some(&music),
        None,
        &[Role::unscoped(RoleKind::Teacher)],
    )
    .await;
    (music, finance)
}

async fn terms_and_categories_have_documented_shape(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    school(&app).await;
    let teacher = token(&app, "1001").await;

    let anonymous = call(&app, Method::GET, "/api/v1/terms", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let response = call(&app, Method::GET, "/api/v1/terms", Some(&teacher), None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let terms = response.json();
    let term = &terms[0];
    assert_eq!(term["code"], "2025-2026-1");
    assert_eq!(term["label"], "2025-2026学年第一学期");
    assert_eq!(term["window_start"], "2025-09-01");
    assert_eq!(term["window_end"], "2025-12-31");
    assert_eq!(term["review_deadline"], "2026-01-15");
    assert_eq!(term["required_hours"], "24");
    assert!(term["current"].is_boolean());

    let response = call(
        &app,
        Method::GET,
        "/api/v1/terms/2025-2026-1/categories",
        Some(&teacher),
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let categories = response.json();
    let codes: Vec<u64> = categories
        .as_array()
        .unwrap()
        .iter()
        .map(|category| category["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [1, 2, 3, 4, 5, 6, 7, 8]);
    let first = &categories[0];
    assert_eq!(first["name"], "教师发展中心组织的培训");
    assert!(first["scope"].as_str().unwrap().contains("教师发展中心"));
    let rules = &first["rules"];
    assert_eq!(rules["max_hours_per_claim"], "48");
    assert_eq!(rules["max_hours_per_day"], "8");
    assert_eq!(rules["evidence"]["text"], "certificate|notes|sign_in");
    assert_eq!(
        rules["evidence"]["groups"],
        serde_json::json!([["certificate", "notes", "sign_in"]])
    );
    assert_eq!(
        rules["evidence"]["description"],
        "结业证书/证书、培训记录或签到表"
    );
    assert_eq!(rules["requires_activity"], true);
    assert_eq!(rules["school_accredited"], true);
    assert_eq!(rules["min_notes_chars"], 200);
    assert!(
        rules["scope_words"]
            .as_array()
            .unwrap()
            .contains(&"培训".into())
    );
    let study = &categories[6]["rules"];
    assert!(study["max_hours_per_claim"].is_null(), "no cap is null");
    assert_eq!(study["evidence"]["groups"].as_array().unwrap().len(), 2);

    // The label form of the code is accepted in the path too.
    let by_label = call(
        &app,
        Method::GET,
        "/api/v1/terms/2025-2026学年第一学期/categories",
        Some(&teacher),
        None,
    )
    .await;
    assert_eq!(by_label.status, StatusCode::OK);
    let missing = call(
        &app,
        Method::GET,
        "/api/v1/terms/2030-2031-1/categories",
        Some(&teacher),
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["code"], "not_found");
}
db_test!(terms_and_categories_have_documented_shape);

fn activity_body(unit_id: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "term": "2025-2026-1",
        "category": 3,
        "title": "声乐教学法专题培训",
        "unit_id": unit_id,
        "start_date": "2025-10-11",
        "end_date": "2025-10-12",
        "place": "音乐厅",
        "mode": "online",
        "hours": "12.5",
        "speaker": "周教授",
        "description": "两天的专题培训",
    })
}

async fn activities_are_filed_and_listed(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let (music, finance) = school(&app).await;
    let admin = token(&app, "admin1").await;
    let reviewer = token(&app, "9001").await;
    let teacher = token(&app, "1001").await;

    let created = call(
        &app,
        Method::POST,
        "/api/v1/activities",
        Some(&reviewer),
        Some(activity_body(Some(&music))),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let activity = created.json();
    let id = activity["id"].as_str().unwrap().to_owned();
    assert_eq!(activity["term"], "2025-2026-1");
    assert_eq!(activity["category"], 3);
    assert_eq!(activity["unit_id"], music.as_str());
    assert_eq!(activity["organizer"], "音乐学院");
    assert_eq!(activity["start_date"], "2025-10-11");
    assert_eq!(activity["end_date"], "2025-10-12");
    assert_eq!(activity["mode"], "online");
    assert_eq!(activity["hours"], "12.5");
    assert_eq!(activity["attendance_count"], 0);
    assert!(activity["late"].is_boolean());
    assert!(activity["filing_delay_days"].is_i64());

    // A reviewer cannot file for another unit or for the center, and nothing is written.
    for unit in [Some(finance.as_str()), None] {
        let refused = call(
            &app,
            Method::POST,
            "/api/v1/activities",
            Some(&reviewer),
            Some(activity_body(unit)),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{unit:?}");
        assert_eq!(refused.json()["code"], "forbidden");
    }
    let by_teacher = call(
        &app,
        Method::POST,
        "/api/v1/activities",
        Some(&teacher),
        Some(activity_body(Some(&music))),
    )
    .await;
    assert_eq!(by_teacher.status, StatusCode::FORBIDDEN);

    let mut invalid = activity_body(None);
    invalid["end_date"] = "2025-10-01".into();
    invalid["hours"] = "1.25".into();
    let rejected = call(
        &app,
        Method::POST,
        "/api/v1/activities",
        Some(&admin),
        Some(invalid),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = rejected.json()["errors"].clone();
    let fields: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["每人学时", "结束日期"]);
    let mut untyped = activity_body(None);
    untyped["category"] = "三".into();
    let rejected = call(
        &app,
        Method::POST,
        "/api/v1/activities",
        Some(&admin),
        Some(untyped),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);

    let center = call(
        &app,
        Method::POST,
        "/api/v1/activities",
        Some(&admin),
        Some(activity_body(None)),
    )
    .await;
    assert_eq!(center.status, StatusCode::CREATED, "{}", center.text());
    let center_id = center.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(center.json()["organizer"], "教师发展中心");

    let all = call(
        &app,
        Method::GET,
        "/api/v1/activities?term=2025-2026-1",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(all.json().as_array().unwrap().len(), 2);
    let own = call(
        &app,
        Method::GET,
        "/api/v1/activities?term=2025-2026-1",
        Some(&reviewer),
        None,
    )
    .await;
    let own = own.json();
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["id"], id.as_str());
    let center_only = call(
        &app,
        Method::GET,
        "/api/v1/activities?term=2025-2026-1&organizer=center",
        Some(&reviewer),
        None,
    )
    .await;
    assert_eq!(center_only.status, StatusCode::FORBIDDEN);
    let bad_term = call(
        &app,
        Method::GET,
        "/api/v1/activities?term=2025",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(bad_term.status, StatusCode::UNPROCESSABLE_ENTITY);

    let hidden = call(
        &app,
        Method::GET,
        &format!("/api/v1/activities/{center_id}"),
        Some(&reviewer),
        None,
    )
    .await;
    assert_eq!(hidden.status, StatusCode::FORBIDDEN);
    let shown = call(
        &app,
        Method::GET,
        &format!("/api/v1/activities/{id}"),
        Some(&reviewer),
        None,
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.json()["title"], "声乐教学法专题培训");
}
db_test!(activities_are_filed_and_listed);

async fn attendance_is_imported_over_api(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let (music, _) = school(&app).await;
    let reviewer = token(&app, "9001").await;
    let created = call(
        &app,
        Method::POST,
        "/api/v1/activities",
        Some(&reviewer),
        Some(activity_body(Some(&music))),
    )
    .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/activities/{id}/attendance");
    let sheet = "工号,姓名\n1001,张三\n,李雷\n".as_bytes();

    let dry = upload(
        &app,
        &path,
        &reviewer,
        "签到表.csv",
        sheet,
        &[("dry_run", "true")],
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["written"], false);
    assert_eq!(report["matched"], 1);
    assert_eq!(report["added"], 1);
    assert_eq!(report["already_present"], 0);
    assert_eq!(report["unmatched"][0]["row"], 3);
    assert_eq!(report["unmatched"][0]["value"], "李雷");
    assert!(
        report["unmatched"][0]["message"]
            .as_str()
            .unwrap()
            .contains("李雷")
    );
    assert!(report["ambiguous"].as_array().unwrap().is_empty());

    let written = upload(&app, &path, &reviewer, "签到表.csv", sheet, &[]).await;
    assert_eq!(written.json()["written"], true);
    let again = upload(&app, &path, &reviewer, "签到表.csv", sheet, &[]).await;
    assert_eq!(again.json()["added"], 0);
    assert_eq!(again.json()["already_present"], 1);

    let shown = call(
        &app,
        Method::GET,
        &format!("/api/v1/activities/{id}"),
        Some(&reviewer),
        None,
    )
    .await;
    assert_eq!(shown.json()["attendance_count"], 1);

    let empty = upload(&app, &path, &reviewer, "签到表.csv", b"", &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["code"], "invalid");
    let unknown = upload(
        &app,
        "/api/v1/activities/0190-missing/attendance",
        &reviewer,
        "签到表.csv",
        sheet,
        &[],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
db_test!(attendance_is_imported_over_api);
