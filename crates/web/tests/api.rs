//! The JSON API: tokens, the caller's identity, administrators' actions and the OpenAPI
//! document.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestApp, TestResponse};
use xueshi_core::unit::OrgName;
use xueshi_core::{Role, RoleKind, UnitKind};
use xueshi_store::testing::TestDb;
use xueshi_store::{db_test, units};

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

async fn token(app: &TestApp, staff_id: &str) -> String {
    let body = serde_json::json!({ "staff_id": staff_id, "password": PASSWORD });
    let response = call(app, Method::POST, "/api/v1/auth/token", None, Some(body)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["token"].as_str().unwrap().to_owned()
}

async fn token_and_me(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut conn = app.db.conn().await.unwrap();
    let unit = units::create(
        &mut conn,
        &OrgName::parse("单位", "音乐学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    drop(conn);
    app.person(
        "2019001",
        "张老师",
        Some(&unit),
        None,
        &[
            Role::unscoped(RoleKind::Teacher),
            Role {
                kind: RoleKind::UnitReviewer,
                scope_id: Some(unit.clone()),
            },
        ],
    )
    .await;

    let token = token(&app, "2019001").await;
    let me = call(&app, Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(me.status, StatusCode::OK);
    let json = me.json();
    assert_eq!(json["staff_id"], "2019001");
    assert_eq!(json["unit"], "音乐学院");
    let roles: Vec<&str> = json["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["teacher", "unit-reviewer"]);
    assert_eq!(json["roles"][1]["scope_name"], "音乐学院");

    let revoked = call(
        &app,
        Method::DELETE,
        "/api/v1/auth/token",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = call(&app, Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.json()["code"], "unauthorized");
}
db_test!(token_and_me);

async fn bad_credentials_and_bodies(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person("2019001", "张老师", None, None, &[]).await;
    let wrong = call(
        &app,
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(serde_json::json!({ "staff_id": "2019001", "password": "nope" })),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json()["message"], "工号或密码不正确。");
    let missing = call(
        &app,
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(serde_json::json!({ "staff_id": "2019001" })),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.json()["message"]
            .as_str()
            .unwrap()
            .contains("字段不符合要求")
    );
    let garbage = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{oops"))
                .unwrap(),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert!(
        garbage.json()["message"]
            .as_str()
            .unwrap()
            .contains("不是有效的 JSON")
    );
}
db_test!(bad_credentials_and_bodies);

async fn one_time_password_gets_no_token(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let admin = xueshi_web::bootstrap::create_first_admin(&app.db)
        .await
        .unwrap()
        .unwrap();
    let body = serde_json::json!({ "staff_id": "admin", "password": admin.password });
    let response = call(&app, Method::POST, "/api/v1/auth/token", None, Some(body)).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(
        response.json()["message"]
            .as_str()
            .unwrap()
            .contains("修改密码")
    );
}
db_test!(one_time_password_gets_no_token);

async fn administrators_manage_people(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person(
        "admin1",
        "管理员",
        None,
        None,
        &[Role::unscoped(RoleKind::CenterAdmin)],
    )
    .await;
    app.person(
        "2019001",
        "张老师",
        None,
        None,
        &[Role::unscoped(RoleKind::Teacher)],
    )
    .await;
    let admin = token(&app, "admin1").await;
    let teacher = token(&app, "2019001").await;

    let denied = call(&app, Method::GET, "/api/v1/people", Some(&teacher), None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let created = call(
        &app,
        Method::POST,
        "/api/v1/units",
        Some(&admin),
        Some(serde_json::json!({ "name": "教务处", "kind": "other" })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let unit_id = created.json()["id"].as_str().unwrap().to_owned();
    let again = call(
        &app,
        Method::POST,
        "/api/v1/units",
        Some(&admin),
        Some(serde_json::json!({ "name": "教务处 ", "kind": "other" })),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let bad_kind = call(
        &app,
        Method::POST,
        "/api/v1/units",
        Some(&admin),
        Some(serde_json::json!({ "name": "x", "kind": "college" })),
    )
    .await;
    assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);

    let grant = serde_json::json!({ "role": "unit-reviewer", "scope_id": unit_id });
    let granted = call(
        &app,
        Method::POST,
        "/api/v1/people/2019001/roles",
        Some(&admin),
        Some(grant),
    )
    .await;
    assert_eq!(granted.json()["changed"], true);
    let person = call(
        &app,
        Method::GET,
        "/api/v1/people/2019001",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(person.json()["roles"][1]["scope_name"], "教务处");

    let reset = call(
        &app,
        Method::POST,
        "/api/v1/people/2019001/password",
        Some(&admin),
        None,
    )
    .await;
    let one_time = reset.json()["one_time_password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(one_time.len(), 14);
    let old_token = call(&app, Method::GET, "/api/v1/me", Some(&teacher), None).await;
    assert_eq!(
        old_token.status,
        StatusCode::UNAUTHORIZED,
        "a reset ends the person's tokens"
    );

    let left = call(
        &app,
        Method::POST,
        "/api/v1/people/2019001/active",
        Some(&admin),
        Some(serde_json::json!({ "active": false })),
    )
    .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT);
    let listed = call(
        &app,
        Method::GET,
        "/api/v1/people?include_inactive=true",
        Some(&admin),
        None,
    )
    .await;
    let entry = listed.json()["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["staff_id"] == "2019001")
        .cloned()
        .unwrap();
    assert_eq!(entry["active"], false);
    let self_leave = call(
        &app,
        Method::POST,
        "/api/v1/people/admin1/active",
        Some(&admin),
        Some(serde_json::json!({ "active": false })),
    )
    .await;
    assert_eq!(self_leave.status, StatusCode::FORBIDDEN);
}
db_test!(administrators_manage_people);

async fn roster_import_over_api(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person(
        "admin1",
        "管理员",
        None,
        None,
        &[Role::unscoped(RoleKind::CenterAdmin)],
    )
    .await;
    let admin = token(&app, "admin1").await;
    let csv = "工号,姓名,单位\n00123,王芳,音乐学院\n,缺工号,音乐学院\n";
    let boundary = "b0undary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/import/roster")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let json = response.json();
    assert_eq!(json["created"], 1);
    assert_eq!(json["written"], false);
    assert_eq!(json["errors"][0]["row"], 3);
    assert_eq!(json["errors"][0]["column"], "A");
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("工号")
    );
}
db_test!(roster_import_over_api);

async fn openapi_document_lists_paths(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let response = call(&app, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    let json = response.json();
    assert!(json["openapi"].as_str().unwrap().starts_with("3."));
    let paths = json["paths"].as_object().unwrap();
    for path in [
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/people",
        "/api/v1/import/roster",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
    // Every API route of the application is documented.
    for route in xueshi_web::routes()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
    {
        let documented = paths
            .get(route.path)
            .and_then(|p| p.get(route.method.as_str().to_lowercase()));
        assert!(
            documented.is_some(),
            "{} {} is not in openapi.json",
            route.method,
            route.path
        );
    }
}
db_test!(openapi_document_lists_paths);
