//! The report pages, downloads, the detail export job and the table's API, on the real
//! term's 4,018 finished claims and both databases.

mod common;

use std::io::{Cursor, Read};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use common::{Browser, PASSWORD, TestApp, TestResponse};
use xueshi_core::{ClaimStatus, Hours, Role, RoleKind};
use xueshi_store::report_fixture::{self, BulkClaim, RealTerm};
use xueshi_store::testing::TestDb;
use xueshi_store::{auth, db_test};

/// The table's rows in the published order, with their cells as the page prints them.
const NOTICE_ROWS: [(&str, u64, u64, u64, &str); 11] = [
    ("音乐学院", 406, 365, 41, "90%"),
    ("思政部", 330, 295, 35, "89%"),
    ("管理学院", 732, 639, 93, "87%"),
    ("建工学院", 292, 235, 57, "80%"),
    ("基础教学部", 248, 180, 68, "73%"),
    ("文化传媒学院", 586, 410, 176, "70%"),
    ("动力与电气工程学院", 52, 36, 16, "69%"),
    ("美术学院", 366, 235, 131, "64%"),
    ("财经学院", 542, 339, 203, "63%"),
    ("信息工程学院", 460, 241, 219, "52%"),
    ("其他单位", 4, 4, 0, "100%"),
];

const TERM: &str = "2022-2023-2";

async fn setup(test_db: &TestDb) -> (TestApp, RealTerm, Browser) {
    let app = TestApp::new(test_db).await;
    let fixture = report_fixture::real_term(&test_db.db).await.unwrap();
    let admin = app.admin().await;
    (app, fixture, admin)
}

/// Sends a GET with extra headers, as `browser`.
async fn get_with(
    app: &TestApp,
    browser: &Browser,
    path: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let cookie = browser
        .cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut builder = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header(header::COOKIE, cookie);
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    app.send(builder.body(Body::empty()).unwrap()).await
}

async fn api_token(app: &TestApp, person_id: &str) -> String {
    let token = xueshi_web::auth::token::random_token();
    let mut conn = app.db.conn().await.unwrap();
    auth::create_api_token(
        &mut conn,
        &xueshi_web::auth::token::hash_token(&token),
        person_id,
        i64::MAX / 2,
    )
    .await
    .unwrap();
    token
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> TestResponse {
    let request = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    app.send(request).await
}

fn zip_text(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    text
}

fn positions(text: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|needle| {
            text.find(&format!("<td>{needle}</td>"))
                .unwrap_or_else(|| panic!("{needle} is missing from the page"))
        })
        .collect()
}

async fn table_page_matches_notice(test_db: &TestDb) {
    let (app, _, mut admin) = setup(test_db).await;

    let response = app.get(&mut admin, &format!("/reports?term={TERM}")).await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let page = response.text();
    let units: Vec<&str> = NOTICE_ROWS.iter().map(|row| row.0).collect();
    let found = positions(&page, &units);
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(found, sorted, "rows are in the notice's order");
    for (unit, submitted, passed, rejected, rate) in NOTICE_ROWS {
        let row = format!(
            "<td>{unit}</td><td class=\"num\">{submitted}</td><td class=\"num\">{passed}</td><td class=\"num\">{rejected}</td><td class=\"num\">{rate}</td>"
        );
        assert!(page.contains(&row), "row of {unit} is missing or wrong");
    }
    assert!(page.contains(
        "<td>合计</td><td class=\"num\">4018</td><td class=\"num\">2979</td><td class=\"num\">1039</td><td class=\"num\">74%</td>"
    ));
    assert!(page.contains("注：其他单位包括教务处、图书馆。"));
    // Claims still in review are shown apart: 财经学院 has 2 + 1 + 1 pending and 1 returned.
    assert!(page.contains(
        "<td>财经学院</td><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">5</td>"
    ));
    assert!(
        page.contains("统计报表"),
        "the navigation links the reports"
    );
}
db_test!(table_page_matches_notice);

async fn unknown_term_lists_known_terms(test_db: &TestDb) {
    let (app, _, mut admin) = setup(test_db).await;

    let page = app.get(&mut admin, "/reports?term=2030-2031-1").await;
    let malformed = app.get(&mut admin, "/reports/reasons?term=abc").await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("没有学年学期“2030-2031-1”的数据"));
    assert!(page.text().contains("2022-2023-2（2022-2023学年第二学期）"));
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(malformed.text().contains("2022-2023-2"));
}
db_test!(unknown_term_lists_known_terms);

async fn api_returns_the_table(test_db: &TestDb) {
    let (app, _, _) = setup(test_db).await;
    let admin_id = app
        .person(
            "admin2",
            "管理员乙",
            None,
            None,
            &[Role::unscoped(RoleKind::CenterAdmin)],
        )
        .await;
    let token = api_token(&app, &admin_id).await;

    let response = api_get(&app, &token, &format!("/api/v1/reports/units?term={TERM}")).await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let json = response.json();
    assert_eq!(json["term"], TERM);
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), NOTICE_ROWS.len());
    for (row, (unit, submitted, passed, rejected, rate)) in rows.iter().zip(NOTICE_ROWS) {
        let expected = serde_json::json!({
            "unit": unit,
            "submitted": submitted,
            "passed": passed,
            "rejected": rejected,
            "pass_rate_percent": rate.trim_end_matches('%').parse::<u64>().unwrap(),
        });
        assert_eq!(row, &expected);
    }
    assert_eq!(
        json["total"],
        serde_json::json!({"unit": "合计", "submitted": 4018, "passed": 2979, "rejected": 1039, "pass_rate_percent": 74})
    );

    let unknown = api_get(&app, &token, "/api/v1/reports/units?term=2030-2031-1").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.json()["message"]
            .as_str()
            .unwrap()
            .contains("2022-2023-2")
    );
    let missing = api_get(&app, &token, "/api/v1/reports/units").await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let openapi = app
        .send(
            Request::builder()
                .uri("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(openapi.json()["paths"]["/api/v1/reports/units"]["get"].is_object());
}
db_test!(api_returns_the_table);

fn unit_fields() -> Vec<xueshi_sheets::FieldSpec> {
    vec![
        xueshi_sheets::FieldSpec {
            key: "unit",
            label: "单位",
            aliases: &["单位"],
            required: true,
        },
        xueshi_sheets::FieldSpec {
            key: "submitted",
            label: "申报认定项目总数",
            aliases: &["申报认定项目总数"],
            required: true,
        },
        xueshi_sheets::FieldSpec {
            key: "rate",
            label: "通过率",
            aliases: &["通过率"],
            required: true,
        },
    ]
}

async fn table_csv_reads_back(test_db: &TestDb) {
    let (app, _, mut admin) = setup(test_db).await;

    let response = app
        .get(&mut admin, &format!("/reports/units.csv?term={TERM}"))
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.body.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 BOM first"
    );
    let disposition = response.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.contains("filename*=UTF-8''2022-2023"),
        "{disposition}"
    );
    let table = xueshi_sheets::read_table(
        &response.body,
        "一览表.csv",
        &unit_fields(),
        &xueshi_sheets::ReadOptions::default(),
    )
    .unwrap();
    let units: Vec<&str> = table
        .rows
        .iter()
        .map(|row| row.text("unit").unwrap())
        .collect();
    let expected: Vec<&str> = NOTICE_ROWS.iter().map(|row| row.0).collect();
    assert_eq!(units, expected, "合计 is read as a footer");
    assert_eq!(table.rows[8].text("rate"), Some("63%"));
    assert!(response.text().contains("合计,4018,2979,1039,74%"));
}
db_test!(table_csv_reads_back);

async fn table_xlsx_reads_back(test_db: &TestDb) {
    let (app, _, mut admin) = setup(test_db).await;

    let response = app
        .get(&mut admin, &format!("/reports/units.xlsx?term={TERM}"))
        .await;

    assert_eq!(response.status, StatusCode::OK);
    let mut workbook = Xlsx::new(Cursor::new(response.body.clone())).unwrap();
    let range = workbook.worksheet_range("一览表").unwrap();
    assert_eq!(
        range.get((0, 0)),
        Some(&Data::String(
            "2022-2023学年第二学期各单位教师培训学时认定情况一览表".to_owned()
        ))
    );
    assert_eq!(
        range.get((1, 1)),
        Some(&Data::String("申报认定项目总数".to_owned()))
    );
    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("音乐学院".to_owned()))
    );
    assert_eq!(range.get((2, 4)), Some(&Data::Float(0.9)));
    assert_eq!(
        range.get((12, 0)),
        Some(&Data::String("其他单位".to_owned()))
    );
    assert_eq!(range.get((13, 0)), Some(&Data::String("合计".to_owned())));
    assert_eq!(range.get((13, 1)), Some(&Data::Float(4018.0)));
    assert_eq!(range.get((13, 3)), Some(&Data::Float(1039.0)));
    assert_eq!(
        range.get((14, 0)),
        Some(&Data::String("注：其他单位包括教务处、图书馆。".to_owned()))
    );
}
db_test!(table_xlsx_reads_back);

async fn notice_draft_has_table_and_problems(test_db: &TestDb) {
    let (app, _, mut admin) = setup(test_db).await;

    let response = app
        .get(&mut admin, &format!("/reports/notice.docx?term={TERM}"))
        .await;

    assert_eq!(response.status, StatusCode::OK);
    let xml = zip_text(&response.body, "word/document.xml");
    for text in [
        "关于2022-2023学年第二学期教师培训学时认定情况的反馈",
        "本学期共申报认定项目4018项，通过认定2979项（不含学校认定项目），未通过认定1039项，总体通过率为74%。",
        "另有6项申报仍在审核中，未计入统计。",
        "通过率在80%及以上的单位：音乐学院（90%）、思政部（89%）、管理学院（87%）、建工学院（80%）。",
        "通过率低于80%的单位：基础教学部（73%）、文化传媒学院（70%）",
        "注：其他单位包括教务处、图书馆。",
        "（一）不在认定范围（",
        "（四）重复填报（",
        "【请填写：",
        "教师发展中心",
    ] {
        assert!(xml.contains(text), "the notice lacks {text}");
    }
    // The table: its header and the rows in order, each cell its own run.
    for cell in [
        "申报认定项目总数",
        "动力与电气工程学院",
        "52",
        "69%",
        "4018",
    ] {
        assert!(
            xml.contains(&format!(">{cell}</w:t>")),
            "the table lacks {cell}"
        );
    }
    // The teachers concerned are named with their unit.
    let music = report_fixture::teacher_name(3 * report_fixture::TEACHERS_PER_UNIT);
    assert!(
        xml.contains(&format!("音乐学院：{music}")),
        "{music} of 音乐学院 is not named"
    );
}
db_test!(notice_draft_has_table_and_problems);

async fn breakdown_pages_render(test_db: &TestDb) {
    let (app, fixture, mut admin) = setup(test_db).await;
    let music = fixture.unit_id("音乐学院").to_owned();

    for (path, expected) in [
        ("/reports/reasons", "不在认定范围"),
        ("/reports/categories", "校外培训"),
        ("/reports/review", "院（部）审核"),
        ("/reports/ledger", "未备案"),
        ("/reports/hours", "应达学时"),
        ("/reports/exports", "导出申报明细"),
        ("/reports/dashboard", "chart-pass-rate"),
    ] {
        let response = app.get(&mut admin, &format!("{path}?term={TERM}")).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{path}: {}",
            response.text()
        );
        assert!(
            response.text().contains(expected),
            "{path} lacks {expected}"
        );
    }

    let scoped = app
        .get(
            &mut admin,
            &format!("/reports/reasons?term={TERM}&unit={music}"),
        )
        .await;
    assert!(scoped.text().contains("未通过原因统计（音乐学院）"));
    assert!(!scoped.text().contains("<td>财经学院</td>"));

    let dashboard = app
        .get(&mut admin, &format!("/reports/dashboard?term={TERM}"))
        .await
        .text();
    assert!(dashboard.contains("echarts.min.js"));
    assert!(dashboard.contains("charts.js"));
    assert!(dashboard.contains(r#"<script type="application/json" id="chart-reasons">"#));
    assert!(
        dashboard.contains(r#""labels":["音乐学院","思政部""#),
        "the chart follows the table's order"
    );
    assert!(dashboard.contains("<td>2022-2023学年第二学期</td><td class=\"num\">4018</td>"));
}
db_test!(breakdown_pages_render);

async fn unit_reviewer_sees_own_unit(test_db: &TestDb) {
    let (app, fixture, mut admin) = setup(test_db).await;
    let music = fixture.unit_id("音乐学院").to_owned();
    let finance = fixture.unit_id("财经学院").to_owned();
    app.person(
        "reviewer1",
        "审核人甲",
        Some(&music),
        None,
        &[Role {
            kind: RoleKind::UnitReviewer,
            scope_id: Some(music.clone()),
        }],
    )
    .await;
    let mut reviewer = app.sign_in("reviewer1", PASSWORD).await;

    let reasons = app
        .get(&mut reviewer, &format!("/reports/reasons?term={TERM}"))
        .await;
    let other = app
        .get(
            &mut reviewer,
            &format!("/reports/reasons?term={TERM}&unit={finance}"),
        )
        .await;
    let table = app
        .get(&mut reviewer, &format!("/reports?term={TERM}"))
        .await;

    assert_eq!(reasons.status, StatusCode::OK);
    assert!(reasons.text().contains("<td>音乐学院</td>"));
    assert!(!reasons.text().contains("<td>财经学院</td>"));
    assert!(reasons.text().contains("本单位统计"));
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(table.status, StatusCode::FORBIDDEN);

    // An export without a unit covers the reviewer's own unit only.
    app.get(&mut reviewer, &format!("/reports/exports?term={TERM}"))
        .await;
    let started = app
        .post_form(
            &mut reviewer,
            "/reports/exports",
            &[("term", TERM), ("format", "csv")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    let location = started.location().unwrap();
    let fragment = wait_for_export(&app, &reviewer, &location).await;
    assert!(fragment.contains("已完成，共 406 行。"), "{fragment}");
    let refused = app
        .post_form(
            &mut reviewer,
            "/reports/exports",
            &[("term", TERM), ("format", "csv"), ("unit", &finance)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another person's job is not found.
    let foreign = app.get(&mut admin, &location).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}
db_test!(unit_reviewer_sees_own_unit);

/// Polls a job page the way htmx does until the job ends; returns the last fragment.
/// The export runs on the server's runtime, so the test must wait for it.
async fn wait_for_export(app: &TestApp, browser: &Browser, location: &str) -> String {
    for _ in 0..1200 {
        let response = get_with(app, browser, location, &[("hx-request", "true")]).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let fragment = response.text();
        assert!(!fragment.contains("<html"), "htmx gets the status box only");
        if !fragment.contains("hx-trigger") {
            return fragment;
        }
        assert!(
            fragment.contains("<progress"),
            "a running job shows its progress"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the export did not finish within two minutes");
}

/// Adds `count` accredited claims of the term for the teachers of 音乐学院; the first one's
/// topic starts with "=", as a formula would.
async fn many_claims(test_db: &TestDb, fixture: &RealTerm, count: usize) {
    let unit = fixture.unit_id("音乐学院").to_owned();
    let teachers = &fixture.teachers[3];
    let category = fixture.categories[4].id.clone();
    let claims: Vec<BulkClaim> = (0..count)
        .map(|number| BulkClaim {
            term: fixture.term,
            category_id: category.clone(),
            teacher_id: teachers[number % teachers.len()].clone(),
            unit_id: unit.clone(),
            office_id: None,
            topic: if number == 0 {
                "=HYPERLINK(\"http://127.0.0.1\")".to_owned()
            } else {
                format!("校外培训第{}期", number + 1)
            },
            start_date: jiff::civil::date(2023, 4, 1),
            end_date: jiff::civil::date(2023, 4, 2),
            claimed_hours: Hours::from_tenths(35),
            status: ClaimStatus::Accredited,
            level: None,
            accredited_hours: Some(Hours::from_tenths(35)),
            reason_code: None,
            source: "platform",
        })
        .collect();
    report_fixture::insert_claims(&test_db.db, &claims)
        .await
        .unwrap();
}

async fn large_detail_export_reads_back(test_db: &TestDb) {
    let (app, fixture, mut admin) = setup(test_db).await;
    many_claims(test_db, &fixture, 20_000).await;
    let expected_rows = 4018 + fixture.unfinished as usize + 20_000;

    app.get(&mut admin, &format!("/reports/exports?term={TERM}"))
        .await;
    let started = app
        .post_form(
            &mut admin,
            "/reports/exports",
            &[("term", TERM), ("format", "xlsx"), ("unit", "")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    let location = started.location().unwrap();
    let page = app.get(&mut admin, &location).await;
    assert!(page.text().contains("id=\"export-status\""));
    let fragment = wait_for_export(&app, &admin, &location).await;
    assert!(
        fragment.contains(&format!("已完成，共 {expected_rows} 行。")),
        "{fragment}"
    );

    let file = app.get(&mut admin, &format!("{location}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.contains(".xlsx"), "{disposition}");
    let mut workbook = Xlsx::new(Cursor::new(file.body.clone())).unwrap();
    let range = workbook.worksheet_range("申报明细").unwrap();
    assert_eq!(
        range.height(),
        expected_rows + 2,
        "title, header and one row per claim"
    );
    assert_eq!(range.get((1, 0)), Some(&Data::String("工号".to_owned())));
    let formula_row = (2..range.height())
        .find(|row| matches!(range.get((*row, 5)), Some(Data::String(text)) if text.starts_with("=HYPERLINK")))
        .expect("the topic starting with = is a text cell");
    assert_eq!(
        range.get((formula_row, 10)),
        Some(&Data::String("通过".to_owned()))
    );
    let formulas = workbook.worksheet_formula("申报明细").unwrap();
    assert!(
        formulas
            .used_cells()
            .all(|(_, _, formula)| formula.is_empty()),
        "no cell is a formula"
    );
}
db_test!(large_detail_export_reads_back);

async fn detail_csv_export_reads_back(test_db: &TestDb) {
    let (app, fixture, mut admin) = setup(test_db).await;
    let finance = fixture.unit_id("财经学院").to_owned();

    app.get(&mut admin, &format!("/reports/exports?term={TERM}"))
        .await;
    let started = app
        .post_form(
            &mut admin,
            "/reports/exports",
            &[("term", TERM), ("format", "csv"), ("unit", &finance)],
        )
        .await;
    let location = started.location().unwrap();
    wait_for_export(&app, &admin, &location).await;
    let file = app.get(&mut admin, &format!("{location}/file")).await;

    assert!(file.body.starts_with(b"\xEF\xBB\xBF"));
    let fields = [
        xueshi_sheets::FieldSpec {
            key: "staff_id",
            label: "工号",
            aliases: &["工号"],
            required: true,
        },
        xueshi_sheets::FieldSpec {
            key: "outcome",
            label: "审核结果",
            aliases: &["审核结果"],
            required: true,
        },
        xueshi_sheets::FieldSpec {
            key: "reason",
            label: "未通过原因",
            aliases: &["未通过原因"],
            required: true,
        },
    ];
    let table = xueshi_sheets::read_table(
        &file.body,
        "明细.csv",
        &fields,
        &xueshi_sheets::ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        table.rows.len(),
        542 + 5,
        "finished and in-review claims, no drafts"
    );
    let outcome = |text: &str| {
        table
            .rows
            .iter()
            .filter(|row| row.text("outcome") == Some(text))
            .count()
    };
    assert_eq!(outcome("通过"), 339);
    assert_eq!(outcome("未通过"), 203);
    assert_eq!(outcome("审核中（教研室审核）"), 2);
    assert_eq!(outcome("退回修改"), 1);
    assert!(
        table
            .rows
            .iter()
            .filter(|row| row.text("outcome") == Some("未通过"))
            .all(|row| row.text("reason").is_some())
    );
}
db_test!(detail_csv_export_reads_back);
