//! `xueshi report units` against real databases: the real term's table as JSON (the same
//! as the API's), CSV and `.xlsx`, and the messages for an unknown term.

use std::io::Cursor;
use std::process::{Command, Output, Stdio};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use tower::ServiceExt;
use xueshi_core::{Role, RoleKind, StaffId};
use xueshi_store::people::{self, PersonFields};
use xueshi_store::report_fixture;
use xueshi_store::testing::TestDb;
use xueshi_store::{auth, db_test};

fn xueshi(test_db: &TestDb, args: &[&str]) -> Output {
    let data_dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xueshi"))
        .args(["--database-url", &test_db.url, "--data-dir"])
        .arg(data_dir.path())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Calls `GET /api/v1/reports/units` through the application's router as a center
/// administrator and returns the JSON.
async fn api_table(test_db: &TestDb, term: &str) -> serde_json::Value {
    let mut conn = test_db.db.conn().await.unwrap();
    let admin = people::create(
        &mut conn,
        &StaffId::parse("admin9").unwrap(),
        &PersonFields {
            name: "管理员".to_owned(),
            unit_id: None,
            office_id: None,
            title: String::new(),
        },
    )
    .await
    .unwrap();
    people::grant(&mut conn, &admin, &Role::unscoped(RoleKind::CenterAdmin))
        .await
        .unwrap();
    // A settled password: people who must still change theirs may not use the API.
    people::set_password_hash(&mut conn, &admin, "not-a-real-hash", false)
        .await
        .unwrap();
    let token = xueshi_web::auth::token::random_token();
    auth::create_api_token(
        &mut conn,
        &xueshi_web::auth::token::hash_token(&token),
        &admin,
        i64::MAX / 2,
    )
    .await
    .unwrap();
    drop(conn);

    let data_dir = tempfile::tempdir().unwrap();
    let state = xueshi_web::AppState::new(
        test_db.db.clone(),
        xueshi_web::Config::for_data_dir(data_dir.path().to_path_buf()),
    )
    .unwrap();
    let request = Request::builder()
        .uri(format!("/api/v1/reports/units?term={term}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = xueshi_web::build_app(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

async fn units_json_matches_api(test_db: &TestDb) {
    report_fixture::real_term(&test_db.db).await.unwrap();

    let output = xueshi(test_db, &["report", "units", "--term", "2022-2023-2"]);

    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["term"], "2022-2023-2");
    let units: Vec<&str> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["unit"].as_str().unwrap())
        .collect();
    assert_eq!(
        units,
        vec![
            "音乐学院",
            "思政部",
            "管理学院",
            "建工学院",
            "基础教学部",
            "文化传媒学院",
            "动力与电气工程学院",
            "美术学院",
            "财经学院",
            "信息工程学院",
            "其他单位",
        ]
    );
    assert_eq!(
        json["rows"][8],
        serde_json::json!({"unit": "财经学院", "submitted": 542, "passed": 339, "rejected": 203, "pass_rate_percent": 63})
    );
    assert_eq!(
        json["rows"][10],
        serde_json::json!({"unit": "其他单位", "submitted": 4, "passed": 4, "rejected": 0, "pass_rate_percent": 100})
    );
    assert_eq!(
        json["total"],
        serde_json::json!({"unit": "合计", "submitted": 4018, "passed": 2979, "rejected": 1039, "pass_rate_percent": 74})
    );
    assert_eq!(json, api_table(test_db, "2022-2023-2").await);
}
db_test!(units_json_matches_api);

async fn units_csv_and_xlsx(test_db: &TestDb) {
    report_fixture::real_term(&test_db.db).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let xlsx_path = dir.path().join("一览表.xlsx");

    let csv = xueshi(
        test_db,
        &[
            "report",
            "units",
            "--term",
            "2022-2023学年第二学期",
            "--format",
            "csv",
        ],
    );
    let xlsx = xueshi(
        test_db,
        &[
            "report",
            "units",
            "--term",
            "2022-2023-2",
            "--format",
            "xlsx",
            "--output",
            xlsx_path.to_str().unwrap(),
        ],
    );
    let xlsx_without_output = xueshi(
        test_db,
        &[
            "report",
            "units",
            "--term",
            "2022-2023-2",
            "--format",
            "xlsx",
        ],
    );

    assert!(csv.status.success(), "{}", stderr(&csv));
    assert!(csv.stdout.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv.stdout[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "单位,申报认定项目总数,通过认定数量,未通过认定数量,通过率"
    );
    assert_eq!(lines[1], "音乐学院,406,365,41,90%");
    assert_eq!(lines[12], "合计,4018,2979,1039,74%");
    assert!(xlsx.status.success(), "{}", stderr(&xlsx));
    let bytes = std::fs::read(&xlsx_path).unwrap();
    let range = Xlsx::new(Cursor::new(bytes))
        .unwrap()
        .worksheet_range("一览表")
        .unwrap();
    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("音乐学院".to_owned()))
    );
    assert_eq!(range.get((13, 1)), Some(&Data::Float(4018.0)));
    assert!(!xlsx_without_output.status.success());
    assert!(stderr(&xlsx_without_output).contains("--output"));
}
db_test!(units_csv_and_xlsx);

async fn unknown_term_names_known_ones(test_db: &TestDb) {
    report_fixture::real_term(&test_db.db).await.unwrap();

    let unknown = xueshi(test_db, &["report", "units", "--term", "2030-2031-1"]);
    let malformed = xueshi(test_db, &["report", "units", "--term", "去年"]);

    assert!(!unknown.status.success());
    assert!(unknown.stdout.is_empty());
    assert!(
        stderr(&unknown).contains(
            "没有学年学期“2030-2031-1”的数据。已有的学年学期：2022-2023-2（2022-2023学年第二学期）"
        ),
        "{}",
        stderr(&unknown)
    );
    assert!(!malformed.status.success());
    assert!(stderr(&malformed).contains("2022-2023-2"));
}
db_test!(unknown_term_names_known_ones);
