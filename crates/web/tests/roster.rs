//! The roster import on real spreadsheets the tests write: header detection, staff IDs,
//! spaces, skipped rows, sheets, upserts, invalid rows and files that are no
//! spreadsheet, through the import service and through the administrator's page.

mod common;

// The sheets crate's test builders: .xlsx through rust_xlsxwriter and a minimal .xls writer.
#[path = "../../sheets/tests/support/mod.rs"]
mod sheet_files;

use axum::http::StatusCode;
use common::TestApp;
use rust_xlsxwriter::{Format, Workbook};
use sheet_files::biff::{CellValue, SheetSpec, Visibility};
use xueshi_core::{StaffId, UnitKind};
use xueshi_store::audit::Actor;
use xueshi_store::people::{self, PeopleFilter};
use xueshi_store::testing::TestDb;
use xueshi_store::{Db, db_test, units};
use xueshi_web::import::roster::{ImportError, RosterOptions, RosterReport, import_roster};

/// The header every roster below uses unless a test says otherwise.
const HEADER: [&str; 6] = ["职工号", "姓名", "所在单位", "教研室", "职称", "角色"];

/// Builds an .xlsx roster with a merged title row above the header.
fn roster_xlsx(rows: &[&[&str]]) -> Vec<u8> {
    sheet_files::xlsx(|workbook: &mut Workbook| {
        let sheet = workbook.add_worksheet().set_name("教职工").unwrap();
        sheet
            .merge_range(0, 0, 0, 5, "2025年教职工名单", &Format::new())
            .unwrap();
        sheet_files::write_rows(sheet, 1, &[&HEADER]);
        sheet_files::write_rows(sheet, 2, rows);
    })
}

async fn run(db: &Db, bytes: Vec<u8>, options: RosterOptions) -> RosterReport {
    import_roster(db, bytes, "名单.xlsx", &options, &Actor::system())
        .await
        .unwrap()
}

async fn staff(db: &Db, staff_id: &str) -> Option<people::Person> {
    people::find_by_staff_id(
        &mut db.conn().await.unwrap(),
        &StaffId::parse(staff_id).unwrap(),
    )
    .await
    .unwrap()
}

async fn header_below_title_with_aliases(test_db: &TestDb) {
    let db = &test_db.db;
    let bytes = roster_xlsx(&[&[
        "2019001",
        "王芳",
        "音乐学院",
        "声乐教研室",
        "讲师",
        "教师、教研室主任",
    ]]);
    let report = run(db, bytes, RosterOptions::default()).await;
    assert_eq!(report.header_row, 2);
    assert_eq!(report.sheet.as_deref(), Some("教职工"));
    assert_eq!(report.created, 1);
    assert!(report.written);
    let person = staff(db, "2019001").await.unwrap();
    assert_eq!(person.unit_name.as_deref(), Some("音乐学院"));
    assert_eq!(person.office_name.as_deref(), Some("声乐教研室"));
    assert_eq!(person.title, "讲师");
    let grants = people::grants(&mut db.conn().await.unwrap(), &person.id)
        .await
        .unwrap();
    let labels: Vec<String> = grants.iter().map(|g| g.label()).collect();
    assert_eq!(labels, ["教师", "教研室主任（声乐教研室）"]);
}
db_test!(header_below_title_with_aliases);

async fn staff_ids_stay_text(test_db: &TestDb) {
    let db = &test_db.db;
    let bytes = sheet_files::xlsx(|workbook: &mut Workbook| {
        let sheet = workbook.add_worksheet();
        sheet_files::write_rows(sheet, 0, &[&["工号", "姓名", "单位"]]);
        sheet.write_string(1, 0, "00123").unwrap();
        sheet.write_string(1, 1, "甲").unwrap();
        sheet.write_string(1, 2, "音乐学院").unwrap();
        sheet.write_number(2, 0, 2019001.0).unwrap();
        sheet.write_string(2, 1, "乙").unwrap();
        sheet.write_string(2, 2, "音乐学院").unwrap();
        sheet.write_string(3, 0, "２０１９００２").unwrap();
        sheet.write_string(3, 1, "丙").unwrap();
        sheet.write_string(3, 2, "音乐学院").unwrap();
    });
    let report = run(db, bytes, RosterOptions::default()).await;
    assert_eq!(report.created, 3, "{:?}", report.errors);
    assert!(staff(db, "00123").await.is_some(), "leading zeros are kept");
    assert!(staff(db, "123").await.is_none());
    assert!(
        staff(db, "2019001").await.is_some(),
        "a number cell reads without .0"
    );
    assert!(
        staff(db, "2019002").await.is_some(),
        "full-width digits are normalized"
    );
}
db_test!(staff_ids_stay_text);

async fn unit_names_match_on_normalized_key(test_db: &TestDb) {
    let db = &test_db.db;
    let bytes = roster_xlsx(&[
        &[
            "1001",
            "\u{00A0}王芳\u{3000}",
            "财经学院\u{3000}",
            "",
            "",
            "",
        ],
        &["1002", "李雷", "财经 学院", "", "", ""],
        &["1003", "韩梅梅", " 财经学院", "", "", ""],
    ]);
    let report = run(db, bytes, RosterOptions::default()).await;
    assert_eq!(report.created, 3);
    assert_eq!(
        report.new_units,
        ["财经学院"],
        "one unit, displayed with its first spelling trimmed"
    );
    let units = units::list(&mut db.conn().await.unwrap()).await.unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].name, "财经学院");
    assert_eq!(units[0].people_count, 3);
    assert_eq!(staff(db, "1001").await.unwrap().name, "王芳");
}
db_test!(unit_names_match_on_normalized_key);

async fn empty_and_footer_rows_are_skipped(test_db: &TestDb) {
    let db = &test_db.db;
    let bytes = roster_xlsx(&[
        &["1001", "王芳", "音乐学院", "", "", ""],
        &["", "", "", "", "", ""],
        &["1002", "李雷", "音乐学院", "", "", ""],
        &["合计", "2人", "", "", "", ""],
        &["制表人：张三", "", "", "", "", ""],
    ]);
    let report = run(db, bytes, RosterOptions::default()).await;
    assert_eq!(report.created, 2);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let rows: Vec<u32> = report.skipped.iter().map(|s| s.row).collect();
    assert_eq!(rows, [4, 6, 7]);
    assert_eq!(report.skipped[0].reason, "空行");
    assert!(report.skipped[1].reason.contains("合计"));
}
db_test!(empty_and_footer_rows_are_skipped);

async fn hidden_sheets_are_ignored_unless_named(test_db: &TestDb) {
    let db = &test_db.db;
    let bytes = sheet_files::xlsx(|workbook: &mut Workbook| {
        let hidden = workbook.add_worksheet().set_name("旧名单").unwrap();
        sheet_files::write_rows(
            hidden,
            0,
            &[&["工号", "姓名", "单位"], &["9001", "旧人", "音乐学院"]],
        );
        hidden.set_hidden(true);
        let current = workbook.add_worksheet().set_name("在职").unwrap();
        sheet_files::write_rows(
            current,
            0,
            &[&["工号", "姓名", "单位"], &["1001", "王芳", "音乐学院"]],
        );
        // Excel cannot hide the active sheet, so the visible one must be active.
        current.set_active(true);
        let retired = workbook.add_worksheet().set_name("退休").unwrap();
        sheet_files::write_rows(
            retired,
            0,
            &[&["工号", "姓名", "单位"], &["8001", "老张", "财经学院"]],
        );
    });
    let first = run(
        db,
        bytes.clone(),
        RosterOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(first.sheet.as_deref(), Some("在职"));
    assert_eq!(first.visible_sheets, ["在职", "退休"]);
    assert_eq!(first.changes[0].staff_id, "1001");
    let named = run(
        db,
        bytes.clone(),
        RosterOptions {
            sheet: Some("退休".into()),
            dry_run: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(named.changes[0].staff_id, "8001");
    let missing = import_roster(
        db,
        bytes,
        "x.xlsx",
        &RosterOptions {
            sheet: Some("不存在".into()),
            ..Default::default()
        },
        &Actor::system(),
    )
    .await;
    match missing {
        Err(ImportError::File(message)) => assert!(message.contains("在职"), "{message}"),
        other => panic!("expected a file error, got {other:?}"),
    }
}
db_test!(hidden_sheets_are_ignored_unless_named);

async fn importing_again_changes_nothing(test_db: &TestDb) {
    let db = &test_db.db;
    let rows: &[&[&str]] = &[
        &["1001", "王芳", "音乐学院", "声乐教研室", "讲师", ""],
        &["1002", "王芳", "音乐学院", "声乐教研室", "教授", ""],
    ];
    let first = run(db, roster_xlsx(rows), RosterOptions::default()).await;
    assert_eq!(
        first.created, 2,
        "two people with one name and different IDs are two people"
    );
    let second = run(db, roster_xlsx(rows), RosterOptions::default()).await;
    assert_eq!(
        (second.created, second.updated, second.unchanged),
        (0, 0, 2)
    );
    assert!(!second.written);
    assert!(
        second.message.contains("没有需要更新的内容"),
        "{}",
        second.message
    );

    let changed: &[&[&str]] = &[&["1001", "王芳", "财经学院", "", "副教授", ""]];
    let third = run(db, roster_xlsx(changed), RosterOptions::default()).await;
    assert_eq!(third.updated, 1);
    assert_eq!(third.changes[0].changed, ["单位", "教研室", "职称"]);
    let person = staff(db, "1001").await.unwrap();
    assert_eq!(person.unit_name.as_deref(), Some("财经学院"));
    assert_eq!(person.office_id, None);
}
db_test!(importing_again_changes_nothing);

async fn invalid_rows_write_nothing_by_default(test_db: &TestDb) {
    let db = &test_db.db;
    let rows: &[&[&str]] = &[
        &["1001", "王芳", "音乐学院", "", "", ""],
        &["10 02", "李雷", "音乐学院", "", "", ""],
        &["1003", "", "音乐学院", "", "", "校长"],
        &["1001", "王芳", "音乐学院", "", "", ""],
    ];
    let report = run(db, roster_xlsx(rows), RosterOptions::default()).await;
    assert!(!report.written);
    assert!(
        staff(db, "1001").await.is_none(),
        "nothing is written while a row is invalid"
    );
    let errors: Vec<(u32, &str, &str)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (4, "A", "10 02"),
            (5, "B", ""),
            (5, "F", "校长"),
            (6, "A", "1001")
        ]
    );
    assert!(report.errors[0].message.contains("工号"));
    assert!(
        report.errors[3].message.contains("第 3 行重复"),
        "{}",
        report.errors[3].message
    );
    assert!(report.message.contains("未导入任何数据"));

    let skipping = run(
        db,
        roster_xlsx(rows),
        RosterOptions {
            skip_invalid: true,
            ..Default::default()
        },
    )
    .await;
    assert!(skipping.written);
    assert_eq!(skipping.created, 1);
    assert!(staff(db, "1001").await.is_some());
}
db_test!(invalid_rows_write_nothing_by_default);

async fn csv_in_every_encoding(test_db: &TestDb) {
    let db = &test_db.db;
    let text = "教师名单\n工号,姓名,院部,职称\n00501,赵敏,美术学院,讲师\n合计,1,,\n";
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(text.as_bytes());
    let gbk_text = text.replace("00501", "00502").replace("赵敏", "钱多");
    let (gbk, _, _) = encoding_rs::GBK.encode(&gbk_text);
    for (label, bytes) in [
        ("utf-8", text.as_bytes().to_vec()),
        ("bom", with_bom),
        ("gbk", gbk.into_owned()),
    ] {
        let report = import_roster(
            db,
            bytes,
            "名单.csv",
            &RosterOptions::default(),
            &Actor::system(),
        )
        .await
        .unwrap();
        assert!(report.errors.is_empty(), "{label}: {:?}", report.errors);
        assert_eq!(report.header_row, 2, "{label}");
        assert_eq!(report.skipped.len(), 1, "{label}");
    }
    assert_eq!(staff(db, "00501").await.unwrap().name, "赵敏");
    assert_eq!(staff(db, "00502").await.unwrap().name, "钱多");
    assert_eq!(
        staff(db, "00502").await.unwrap().unit_name.as_deref(),
        Some("美术学院")
    );
}
db_test!(csv_in_every_encoding);

async fn xls_with_hidden_sheet(test_db: &TestDb) {
    let db = &test_db.db;
    let header = |row: u16| {
        vec![
            (row, 0, CellValue::Text("人员编号")),
            (row, 1, CellValue::Text("姓名")),
            (row, 2, CellValue::Text("部门")),
        ]
    };
    let mut hidden_cells = header(0);
    hidden_cells.extend([
        (1, 0, CellValue::Number(9001.0)),
        (1, 1, CellValue::Text("旧人")),
        (1, 2, CellValue::Text("教务处")),
    ]);
    let mut cells = vec![(0, 0, CellValue::Text("教职工名单"))];
    cells.extend(header(1));
    cells.extend([
        (2, 0, CellValue::Number(2019001.0)),
        (2, 1, CellValue::Text("孙悟")),
        (2, 2, CellValue::Text("教务处")),
    ]);
    let bytes = sheet_files::biff::xls(&[
        SheetSpec {
            name: "old",
            visibility: Visibility::Hidden,
            cells: hidden_cells,
            merged: vec![],
        },
        SheetSpec {
            name: "名单",
            visibility: Visibility::Visible,
            cells,
            merged: vec![(0, 0, 0, 2)],
        },
    ]);
    let report = import_roster(
        db,
        bytes,
        "roster.xls",
        &RosterOptions::default(),
        &Actor::system(),
    )
    .await
    .unwrap();
    assert_eq!(report.sheet.as_deref(), Some("名单"));
    assert_eq!(report.created, 1, "{:?}", report.errors);
    assert!(staff(db, "2019001").await.is_some());
    assert!(
        staff(db, "9001").await.is_none(),
        "the hidden sheet is not read"
    );
}
db_test!(xls_with_hidden_sheet);

async fn files_that_are_no_spreadsheet(test_db: &TestDb) {
    let db = &test_db.db;
    let valid = roster_xlsx(&[&["1001", "王芳", "音乐学院", "", "", ""]]);
    let truncated = valid[..valid.len() / 2].to_vec();
    let html = "<html><body><table><tr><td>工号</td></tr></table></body></html>"
        .as_bytes()
        .to_vec();
    let zeros = vec![0u8; 300 * 1024 * 1024 / 64];
    let bomb = sheet_files::zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/worksheets/sheet1.xml", &zeros.repeat(64)),
    ]);
    for (label, name, bytes) in [
        ("empty", "a.xlsx", Vec::new()),
        ("html", "a.xls", html),
        ("truncated", "a.xlsx", truncated),
        ("bomb", "a.xlsx", bomb),
    ] {
        match import_roster(db, bytes, name, &RosterOptions::default(), &Actor::system()).await {
            Err(ImportError::File(message)) => {
                assert!(
                    message
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{label}: {message}"
                );
            }
            other => panic!("{label}: expected a clear file error, got {other:?}"),
        }
    }
    assert_eq!(
        people::list(&mut db.conn().await.unwrap(), &PeopleFilter::default())
            .await
            .unwrap()
            .1,
        0
    );
}
db_test!(files_that_are_no_spreadsheet);

async fn page_previews_then_imports(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let form = app.get(&mut admin, "/admin/import/roster").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("导入教职工名单"));

    let bytes = roster_xlsx(&[
        &[
            "00123",
            "王芳",
            "音乐学院\u{3000}",
            "声乐教研室",
            "讲师",
            "",
        ],
        &["合计", "", "", "", "", ""],
    ]);
    let preview = app
        .post_file(
            &mut admin,
            "/admin/import/roster/preview",
            "名单.xlsx",
            &bytes,
            &[],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let text = preview.text();
    assert!(text.contains("预览"));
    assert!(text.contains("工作表“教职工”"));
    assert!(text.contains("表尾行（合计）"));
    assert!(
        staff(&app.db, "00123").await.is_none(),
        "the preview writes nothing"
    );

    let marker = "name=\"upload\" value=\"";
    let start = text.find(marker).expect("the confirmation form") + marker.len();
    let upload = text[start..start + text[start..].find('"').unwrap()].to_owned();
    let applied = app
        .post_form(
            &mut admin,
            "/admin/import/roster/apply",
            &[("upload", &upload), ("sheet", "")],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER);
    let people_page = app.get(&mut admin, "/admin/people").await;
    assert!(people_page.text().contains("导入完成：新增 1 人"));
    assert!(people_page.text().contains("00123"));
    let unit = units::list(&mut app.db.conn().await.unwrap())
        .await
        .unwrap()
        .remove(0);
    let by_unit = app
        .get(&mut admin, &format!("/admin/people?unit={}", unit.id))
        .await;
    assert!(by_unit.text().contains("王芳"));
}
db_test!(page_previews_then_imports);

async fn page_explains_bad_files(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let html = b"<html><body>not a sheet</body></html>";
    let response = app
        .post_file(
            &mut admin,
            "/admin/import/roster/preview",
            "export.xls",
            html,
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("网页"), "{}", response.text());

    let huge = vec![b'a'; xueshi_web::import::MAX_IMPORT_BYTES + 100 * 1024];
    let too_large = app
        .post_file(
            &mut admin,
            "/admin/import/roster/preview",
            "big.csv",
            &huge,
            &[],
        )
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_large.text().contains("MB"), "{}", too_large.text());
}
db_test!(page_explains_bad_files);

async fn new_units_get_a_kind_from_their_name(test_db: &TestDb) {
    let db = &test_db.db;
    let bytes = roster_xlsx(&[
        &["2019001", "王芳", "音乐学院", "声乐教研室", "讲师", "教师"],
        &["2019002", "李明", "教务处", "", "", ""],
        &["2019003", "赵丽", "教师发展中心", "", "", ""],
    ]);
    let report = run(db, bytes, RosterOptions::default()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    let listed = units::list(&mut db.conn().await.unwrap()).await.unwrap();
    let kind_of = |name: &str| {
        listed
            .iter()
            .find(|unit| unit.name == name)
            .map(|unit| unit.kind)
    };
    assert_eq!(kind_of("音乐学院"), Some(UnitKind::Teaching));
    assert_eq!(kind_of("教务处"), Some(UnitKind::Other));
    assert_eq!(kind_of("教师发展中心"), Some(UnitKind::Other));
}
db_test!(new_units_get_a_kind_from_their_name);
