//! The history import on spreadsheets the tests write. They cover a merged title row,
//! header aliases, date cells and dates written as text, staff IDs as numbers and text,
//! a footer row, unit names with trailing spaces and every written outcome. Unknown
//! units and people, repeated rows, re-imports, invalid rows and .xls files follow, then
//! the center's page, the API, and the real sample file against its per-unit table.

mod common;

// The sheets crate's test builders: .xlsx through rust_xlsxwriter and a minimal .xls writer.
#[path = "../../sheets/tests/support/mod.rs"]
mod sheet_files;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestApp};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sheet_files::biff::{CellValue, SheetSpec, Visibility};
use xueshi_core::report::{UnitRow, unit_table};
use xueshi_core::unit::OrgName;
use xueshi_core::{ClaimStatus, Hours, Role, RoleKind, StaffId, TermCode, UnitKind};
use xueshi_store::audit::Actor;
use xueshi_store::claims::{self, ClaimRow};
use xueshi_store::people::{self, Person};
use xueshi_store::testing::TestDb;
use xueshi_store::{Db, categories, db_test, history_import, terms, units};
use xueshi_web::import::history::{
    HistoryImportError, HistoryOptions, HistoryReport, import_history,
};

const TERM: &str = "2022-2023-2";

fn term() -> TermCode {
    TermCode::parse(TERM).unwrap()
}

/// One cell of a test row.
#[derive(Clone, Copy)]
enum C {
    T(&'static str),
    N(f64),
    /// A date-formatted cell.
    D(u16, u8, u8),
    E,
}

/// A header with aliases of every field: 职工号, 院部, 开始日期, 学时, 认定结果, 原因.
const HEADER: [&str; 12] = [
    "序号",
    "职工号",
    "姓名",
    "院部",
    "培训类别",
    "培训主题",
    "开始日期",
    "结束日期",
    "学时",
    "认定学时",
    "认定结果",
    "原因",
];

/// Builds an .xlsx with a merged title row, the header, the rows and a 合计 footer.
fn history_xlsx(rows: &[[C; 12]]) -> Vec<u8> {
    sheet_files::xlsx(|workbook: &mut Workbook| {
        let date_format = Format::new().set_num_format("yyyy-mm-dd");
        let sheet = workbook.add_worksheet().set_name("认定明细").unwrap();
        sheet
            .merge_range(
                0,
                0,
                0,
                11,
                "2022-2023学年第二学期教师培训学时认定明细",
                &Format::new(),
            )
            .unwrap();
        sheet_files::write_rows(sheet, 1, &[&HEADER]);
        for (index, row) in rows.iter().enumerate() {
            let r = index as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match *cell {
                    C::T(text) => {
                        sheet.write_string(r, c, text).unwrap();
                    }
                    C::N(number) => {
                        sheet.write_number(r, c, number).unwrap();
                    }
                    C::D(y, m, d) => {
                        let date = ExcelDateTime::from_ymd(y, m, d).unwrap();
                        sheet
                            .write_datetime_with_format(r, c, &date, &date_format)
                            .unwrap();
                    }
                    C::E => {}
                }
            }
        }
        let footer = rows.len() as u32 + 2;
        sheet.write_string(footer, 0, "合计").unwrap();
        sheet.write_number(footer, 8, 99.0).unwrap();
    })
}

/// Rows with every quirk; row numbers in the file are 3 to 10, and 11 is the footer.
fn quirk_rows() -> Vec<[C; 12]> {
    use C::{D, E, N, T};
    vec![
        // Number staff ID, date cell and a dotted text date.
        [
            N(1.0),
            N(2000104.0),
            T("姚勇"),
            T("财经学院"),
            T("校外培训"),
            T("新工科建设研讨"),
            D(2023, 3, 15),
            T("2023.3.16"),
            N(4.0),
            N(4.0),
            T("通过"),
            E,
        ],
        // Text staff ID with leading zeros, slashed date, no end date, no accredited hours.
        [
            N(2.0),
            T("000102"),
            T("金华"),
            T("音乐学院"),
            T("教师发展中心组织的培训"),
            T("智慧教学工具应用"),
            T("2023/03/15"),
            E,
            N(3.0),
            E,
            T("已通过"),
            E,
        ],
        // The same unit with a trailing U+3000 and a date in Chinese.
        [
            N(3.0),
            N(2000104.0),
            T("姚勇"),
            T("财经学院\u{3000}"),
            T("社会实践"),
            T("企业实践锻炼"),
            T("2023年3月15日"),
            T("2023-03-17"),
            N(16.0),
            N(0.0),
            T("未通过"),
            T("佐证不足"),
        ],
        // An unknown unit and an unknown person.
        [
            N(4.0),
            T("2000201"),
            T("李新"),
            T("马克思主义学院"),
            T("院（部）组织的培训"),
            T("课程思政研讨"),
            T("2023-03-15"),
            D(2023, 3, 15),
            N(2.0),
            N(0.0),
            T("不通过"),
            T("学校认定项目"),
        ],
        // A unit that exists as a non-teaching unit.
        [
            N(5.0),
            N(2000107.0),
            T("易瑞"),
            T("教务处"),
            T("院（部）组织的教师发展活动"),
            T("数字媒体艺术专业系列讲座"),
            D(2023, 4, 1),
            D(2023, 4, 1),
            N(3.0),
            N(3.0),
            T("通过"),
            E,
        ],
        // A known person, 驳回, and a reason that matches no known one.
        [
            N(6.0),
            N(2000105.0),
            T("史燕"),
            T("信息工程学院"),
            T("校内组织的其他学术活动"),
            T("人文社科学术研讨会"),
            D(2023, 5, 10),
            E,
            N(1.5),
            N(0.0),
            T("驳回"),
            T("材料提交超过截止时间"),
        ],
        // Two identical rows: two claims.
        [
            N(7.0),
            N(2000105.0),
            T("史燕"),
            T("信息工程学院"),
            T("教师发展中心组织的教师发展活动"),
            T("名师示范课观摩"),
            D(2023, 6, 1),
            E,
            N(2.0),
            N(2.0),
            T("通过"),
            E,
        ],
        [
            N(7.0),
            N(2000105.0),
            T("史燕"),
            T("信息工程学院"),
            T("教师发展中心组织的教师发展活动"),
            T("名师示范课观摩"),
            D(2023, 6, 1),
            E,
            N(2.0),
            N(2.0),
            T("通过"),
            E,
        ],
    ]
}

fn options() -> HistoryOptions {
    HistoryOptions {
        term: term(),
        dry_run: false,
        skip_invalid: false,
        sheet: None,
    }
}

async fn run(db: &Db, bytes: Vec<u8>, options: HistoryOptions) -> HistoryReport {
    import_history(db, bytes, "认定明细.xlsx", &options, &Actor::system())
        .await
        .unwrap()
}

async fn person(db: &Db, staff_id: &str) -> Option<Person> {
    people::find_by_staff_id(
        &mut db.conn().await.unwrap(),
        &StaffId::parse(staff_id).unwrap(),
    )
    .await
    .unwrap()
}

/// Lists a person's claims of the test term by start date, then end date.
async fn claims_of(db: &Db, staff_id: &str) -> Vec<ClaimRow> {
    let person = person(db, staff_id).await.expect("the person exists");
    let mut rows = claims::list_for_teacher(&mut db.conn().await.unwrap(), &person.id, term())
        .await
        .unwrap();
    rows.sort_by_key(|row| (row.start_date, row.end_date));
    rows
}

async fn unit_kind(db: &Db, name: &str) -> Option<UnitKind> {
    let key = OrgName::parse("单位", name).unwrap().key;
    units::find_by_key(&mut db.conn().await.unwrap(), &key)
        .await
        .unwrap()
        .map(|unit| unit.kind)
}

/// Creates 教务处 as a non-teaching unit, 信息工程学院, and 史燕 with a password.
async fn existing_school(app: &TestApp) {
    let mut conn = app.db.conn().await.unwrap();
    units::create(
        &mut conn,
        &OrgName::parse("单位", "教务处").unwrap(),
        UnitKind::Other,
    )
    .await
    .unwrap();
    let unit = units::create(
        &mut conn,
        &OrgName::parse("单位", "信息工程学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    drop(conn);
    app.person(
        "2000105",
        "史燕",
        Some(&unit),
        None,
        &[Role::unscoped(RoleKind::Teacher)],
    )
    .await;
}

async fn quirks_become_claims(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    existing_school(&app).await;
    let db = &app.db;

    let report = run(db, history_xlsx(&quirk_rows()), options()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.written, "{}", report.message);
    assert_eq!(report.header_row, 2);
    assert_eq!(report.sheet.as_deref(), Some("认定明细"));
    assert_eq!(report.term, TERM);
    assert!(report.term_created);
    assert_eq!(report.created, 8);
    assert_eq!((report.accredited, report.rejected), (5, 3));
    assert_eq!(report.people_created, 4);
    assert_eq!(report.new_units, ["财经学院", "音乐学院", "马克思主义学院"]);
    assert_eq!(report.units_created, 3);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].row, 11);
    assert!(report.skipped[0].reason.contains("合计"));
    assert!(report.message.starts_with("导入完成"), "{}", report.message);

    // Number and text staff IDs, dates in every form, default hours.
    let yao = claims_of(db, "2000104").await;
    assert_eq!(yao.len(), 2);
    assert_eq!(yao[0].status, ClaimStatus::Accredited);
    assert_eq!(yao[0].accredited_hours, Some(Hours::from_whole(4)));
    assert_eq!(yao[0].start_date.to_string(), "2023-03-15");
    assert_eq!(yao[0].end_date.to_string(), "2023-03-16");
    assert_eq!(yao[0].category_code, 5);
    assert_eq!(yao[1].status, ClaimStatus::Rejected);
    assert_eq!(yao[1].accredited_hours, None);
    assert_eq!(yao[1].reason_code.as_deref(), Some("insufficient_evidence"));
    assert_eq!(yao[1].start_date.to_string(), "2023-03-15");
    assert_eq!(yao[1].end_date.to_string(), "2023-03-17");

    let jin = claims_of(db, "000102").await;
    assert_eq!(jin.len(), 1, "the staff ID keeps its leading zeros");
    assert!(person(db, "102").await.is_none());
    assert_eq!(jin[0].accredited_hours, Some(Hours::from_whole(3)));
    assert_eq!(jin[0].end_date, jin[0].start_date);

    // One unit for "财经学院" and "财经学院\u{3000}"; units created as teaching units.
    assert_eq!(unit_kind(db, "财经学院").await, Some(UnitKind::Teaching));
    assert_eq!(
        unit_kind(db, "马克思主义学院").await,
        Some(UnitKind::Teaching)
    );
    assert_eq!(
        unit_kind(db, "教务处").await,
        Some(UnitKind::Other),
        "an existing unit keeps its kind"
    );
    let all_units = units::list(&mut db.conn().await.unwrap()).await.unwrap();
    assert_eq!(all_units.len(), 5);

    // A created person has no password and the teacher role.
    let li = person(db, "2000201").await.unwrap();
    assert_eq!(li.name, "李新");
    assert_eq!(li.unit_name.as_deref(), Some("马克思主义学院"));
    assert!(!li.has_password);
    let grants = people::grants(&mut db.conn().await.unwrap(), &li.id)
        .await
        .unwrap();
    assert_eq!(
        grants.iter().map(|g| g.role).collect::<Vec<_>>(),
        [RoleKind::Teacher]
    );
    assert_eq!(
        claims_of(db, "2000201").await[0].reason_code.as_deref(),
        Some("school_accredited")
    );

    // A known person keeps their password; identical rows stay two claims.
    let shi = person(db, "2000105").await.unwrap();
    assert!(shi.has_password);
    let shi_claims = claims_of(db, "2000105").await;
    assert_eq!(shi_claims.len(), 3);
    assert_eq!(shi_claims[0].reason_code.as_deref(), Some("other"));
    assert_eq!(shi_claims[0].claimed_hours, Hours::from_tenths(15));
    assert_eq!(shi_claims[1].topic, shi_claims[2].topic);

    // Each claim has one school decision without a reviewer; the unknown reason is kept.
    let mut conn = db.conn().await.unwrap();
    let detail = claims::get(&mut conn, &shi_claims[0].id).await.unwrap();
    assert_eq!(detail.source, "history");
    assert_eq!(detail.unit_name, "信息工程学院");
    let decisions = claims::history(&mut conn, &shi_claims[0].id).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].level, xueshi_core::ReviewLevel::School);
    assert_eq!(decisions[0].reviewer_id, None);
    assert_eq!(decisions[0].comment, "材料提交超过截止时间");
    let accredited = claims::history(&mut conn, &yao[0].id).await.unwrap();
    assert_eq!(accredited[0].accredited_hours, Some(Hours::from_whole(4)));

    // The term was created with its categories.
    let created = terms::get(&mut conn, term()).await.unwrap();
    assert_eq!(created.window_start.to_string(), "2023-02-01");
    assert_eq!(
        categories::list_for_term(&mut conn, term())
            .await
            .unwrap()
            .len(),
        8
    );
    drop(conn);

    // The per-unit table counts every imported claim once.
    let counts = history_import::finished_counts_by_unit(&mut db.conn().await.unwrap(), term())
        .await
        .unwrap();
    let table = unit_table(&counts);
    assert_eq!(table.total.submitted, 8);
    assert_eq!(table.total.passed, 5);
    let other = table.rows.last().unwrap();
    assert_eq!((other.unit.as_str(), other.submitted), ("其他单位", 1));
}
db_test!(quirks_become_claims);

async fn importing_again_adds_nothing(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    existing_school(&app).await;
    let db = &app.db;
    let rows = quirk_rows();
    run(db, history_xlsx(&rows), options()).await;

    let again = run(db, history_xlsx(&rows), options()).await;
    assert!(!again.written);
    assert_eq!(again.created, 0);
    assert_eq!(again.duplicates_skipped, 8);
    assert_eq!(again.duplicate_rows, [3, 4, 5, 6, 7, 8, 9, 10]);
    assert!(!again.term_created);
    assert!(again.message.contains("均已导入"), "{}", again.message);

    // A third copy of the repeated row is a new claim; the two before it are not.
    let mut more = rows.clone();
    more.push(rows[7]);
    let third = run(db, history_xlsx(&more), options()).await;
    assert_eq!(third.created, 1);
    assert_eq!(third.duplicates_skipped, 8);
    assert_eq!(claims_of(db, "2000105").await.len(), 4);

    // The same rows for another term are other claims.
    let next_term = HistoryOptions {
        term: TermCode::parse("2023-2024学年第一学期").unwrap(),
        ..options()
    };
    let other_term = run(db, history_xlsx(&rows), next_term).await;
    assert_eq!(other_term.created, 8);
    assert_eq!(other_term.people_created, 0);
    assert!(
        !other_term.warnings.is_empty(),
        "dates outside the term are pointed out"
    );
}
db_test!(importing_again_adds_nothing);

async fn invalid_rows_write_nothing(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let db = &app.db;
    use C::{E, N, T};
    let mut rows = quirk_rows();
    rows.push([
        N(8.0),
        T("10 02"),
        T("王芳"),
        T("音乐学院"),
        T("科研项目"),
        T("声乐研讨"),
        T("2023-02-30"),
        E,
        T("四"),
        E,
        T("待定"),
        E,
    ]);
    rows.push([
        N(9.0),
        N(2000301.0),
        T("赵敏"),
        T("美术学院"),
        T("校外培训"),
        T("写生研修"),
        T("2023-05-02"),
        T("2023-05-01"),
        N(8.0),
        N(10.0),
        T("通过"),
        E,
    ]);
    let report = run(db, history_xlsx(&rows), options()).await;
    assert!(!report.written);
    assert!(
        report.message.contains("未导入任何数据"),
        "{}",
        report.message
    );
    assert!(person(db, "2000104").await.is_none(), "nothing is written");
    let errors: Vec<(u32, &str, &str)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (11, "B", "10 02"),
            (11, "E", "科研项目"),
            (11, "G", "2023-02-30"),
            (11, "I", "四"),
            (11, "K", "待定"),
            (12, "H", "2023-05-01"),
            (12, "J", "10"),
        ]
    );
    for error in &report.errors {
        assert!(
            error
                .message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}",
            error.message
        );
    }
    assert!(report.errors[5].message.contains("早于开始日期"));

    let dry = run(
        db,
        history_xlsx(&rows),
        HistoryOptions {
            skip_invalid: true,
            dry_run: true,
            ..options()
        },
    )
    .await;
    assert!(!dry.written);
    assert_eq!(dry.created, 8);
    assert!(dry.message.starts_with("预览"), "{}", dry.message);
    assert!(
        person(db, "2000104").await.is_none(),
        "a dry run writes nothing"
    );

    let skipping = run(
        db,
        history_xlsx(&rows),
        HistoryOptions {
            skip_invalid: true,
            ..options()
        },
    )
    .await;
    assert!(skipping.written);
    assert_eq!(skipping.created, 8);
    assert!(person(db, "2000104").await.is_some());
    assert!(person(db, "2000301").await.is_none());
}
db_test!(invalid_rows_write_nothing);

async fn files_that_are_no_history_sheet(test_db: &TestDb) {
    let db = &test_db.db;
    let roster = sheet_files::xlsx(|workbook: &mut Workbook| {
        let sheet = workbook.add_worksheet();
        sheet_files::write_rows(sheet, 0, &[&["工号", "姓名", "单位"], &["1", "甲", "乙"]]);
    });
    for (label, bytes) in [
        ("empty", Vec::new()),
        ("html", b"<html><body>x</body></html>".to_vec()),
        ("roster", roster),
    ] {
        match import_history(db, bytes, "a.xlsx", &options(), &Actor::system()).await {
            Err(HistoryImportError::File(message)) => assert!(
                message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{label}: {message}"
            ),
            other => panic!("{label}: expected a file error, got {other:?}"),
        }
    }
}
db_test!(files_that_are_no_history_sheet);

async fn xls_with_date_cells(test_db: &TestDb) {
    let db = &test_db.db;
    let header = [
        "工号",
        "姓名",
        "所在单位",
        "培训类别",
        "培训主题",
        "开始时间",
        "结束时间",
        "学时数",
        "审核结果",
    ];

    let mut cells: Vec<(u16, u16, CellValue)> =
        vec![(0, 0, CellValue::Text("2022-2023学年第二学期认定明细"))];
    for (column, text) in header.iter().enumerate() {
        cells.push((1, column as u16, CellValue::Text(text)));
    }
    // 45000 is 2023-03-15 and 45001 is 2023-03-16 in the 1900 date system.
    cells.extend([
        (2, 0, CellValue::Number(2000104.0)),
        (2, 1, CellValue::Text("姚勇")),
        (2, 2, CellValue::Text("财经学院")),
        (2, 3, CellValue::Text("校外培训")),
        (2, 4, CellValue::Text("新工科建设研讨")),
        (2, 5, CellValue::Date(45000.0)),
        (2, 6, CellValue::Date(45001.0)),
        (2, 7, CellValue::Number(6.0)),
        (2, 8, CellValue::Text("认定通过")),
        (3, 0, CellValue::Text("合计")),
        (3, 7, CellValue::Number(6.0)),
    ]);
    let bytes = sheet_files::biff::xls(&[SheetSpec {
        name: "明细",
        visibility: Visibility::Visible,
        cells,
        merged: vec![(0, 0, 0, 8)],
    }]);

    let report = import_history(db, bytes, "明细.xls", &options(), &Actor::system())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.created, 1);
    assert_eq!(report.skipped.len(), 1);
    let claims = claims_of(db, "2000104").await;
    assert_eq!(claims[0].start_date.to_string(), "2023-03-15");
    assert_eq!(claims[0].end_date.to_string(), "2023-03-16");
    assert_eq!(claims[0].accredited_hours, Some(Hours::from_whole(6)));
}
db_test!(xls_with_date_cells);

/// The sample a center kept by hand, read where the shared samples live.
const SAMPLE: &str = "/work/shared/samples/history-sample.xlsx";
const SAMPLE_EXPECTED: &str = "/work/shared/samples/history-sample.expected.json";

#[derive(serde::Deserialize)]
struct ExpectedTable {
    rows: Vec<UnitRow>,
    total: UnitRow,
}

async fn sample_gives_expected_table(test_db: &TestDb) {
    let (Ok(bytes), Ok(expected)) = (std::fs::read(SAMPLE), std::fs::read(SAMPLE_EXPECTED)) else {
        eprintln!("{SAMPLE} or its expected table is missing: the sample test is skipped");
        return;
    };
    let expected: ExpectedTable = serde_json::from_slice(&expected).unwrap();
    let db = &test_db.db;
    xueshi_web::bootstrap::seed_reference_data(db)
        .await
        .unwrap();

    let report = import_history(
        db,
        bytes,
        "history-sample.xlsx",
        &options(),
        &Actor::system(),
    )
    .await
    .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.written, "{}", report.message);
    assert_eq!(report.sheet.as_deref(), Some("认定明细"));
    assert_eq!(report.header_row, 2);
    assert_eq!(report.created as u64, expected.total.submitted);
    assert!(report.skipped.iter().any(|s| s.reason.contains("合计")));

    // The center files 教务处 under other units, so it counts in 其他单位.
    let mut conn = db.conn().await.unwrap();
    let key = OrgName::parse("单位", "教务处").unwrap().key;
    let registry = units::find_by_key(&mut conn, &key).await.unwrap().unwrap();
    units::set_kind(&mut conn, &registry.id, UnitKind::Other)
        .await
        .unwrap();
    let counts = history_import::finished_counts_by_unit(&mut conn, term())
        .await
        .unwrap();
    let table = unit_table(&counts);
    assert_eq!(table.rows, expected.rows);
    assert_eq!(table.total, expected.total);

    // Importing the sample again adds nothing.
    drop(conn);
    let again = import_history(
        db,
        std::fs::read(SAMPLE).unwrap(),
        "history-sample.xlsx",
        &options(),
        &Actor::system(),
    )
    .await
    .unwrap();
    assert_eq!(again.created, 0);
    assert_eq!(again.duplicates_skipped as u64, expected.total.submitted);
}
db_test!(sample_gives_expected_table);

/// Reads the value of the hidden input `name` of a page.
fn hidden_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("the hidden input") + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_owned()
}

async fn page_previews_then_imports(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let form = app.get(&mut admin, "/admin/import/history").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("导入历史认定记录"));

    let bytes = history_xlsx(&quirk_rows());
    let missing_term = app
        .post_file(
            &mut admin,
            "/admin/import/history/preview",
            "明细.xlsx",
            &bytes,
            &[],
        )
        .await;
    assert_eq!(missing_term.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing_term.text().contains("请填写这些记录所属的学年学期"));

    let bad_term = app
        .post_file(
            &mut admin,
            "/admin/import/history/preview",
            "明细.xlsx",
            &bytes,
            &[("term", "2022-2024-2")],
        )
        .await;
    assert_eq!(bad_term.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_term.text().contains("格式不正确"));

    let preview = app
        .post_file(
            &mut admin,
            "/admin/import/history/preview",
            "明细.xlsx",
            &bytes,
            &[("term", "2022-2023学年第二学期")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let text = preview.text();
    assert!(text.contains("预览"));
    assert!(text.contains("2022-2023学年第二学期"));
    assert!(text.contains("马克思主义学院"));
    assert!(text.contains("表尾行（合计）"));
    assert!(
        person(&app.db, "2000104").await.is_none(),
        "the preview writes nothing"
    );

    let upload = hidden_value(&text, "upload");
    let term_field = hidden_value(&text, "term");
    assert_eq!(term_field, TERM);
    let applied = app
        .post_form(
            &mut admin,
            "/admin/import/history/apply",
            &[("upload", &upload), ("term", &term_field), ("sheet", "")],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.text());
    let after = app.get(&mut admin, "/admin/import/history").await;
    assert!(after.text().contains("导入完成"), "{}", after.text());
    assert_eq!(claims_of(&app.db, "2000104").await.len(), 2);

    // Confirming twice adds nothing, and the page reports it.
    let twice = app
        .post_form(
            &mut admin,
            "/admin/import/history/apply",
            &[("upload", &upload), ("term", &term_field), ("sheet", "")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::OK);
    assert!(twice.text().contains("均已导入"));
    assert_eq!(claims_of(&app.db, "2000104").await.len(), 2);
}
db_test!(page_previews_then_imports);

async fn teachers_cannot_import(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person(
        "2000001",
        "教师甲",
        None,
        None,
        &[Role::unscoped(RoleKind::Teacher)],
    )
    .await;
    let mut teacher = app.sign_in("2000001", PASSWORD).await;
    let page = app.get(&mut teacher, "/admin/import/history").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let upload = app
        .post_file(
            &mut teacher,
            "/admin/import/history/preview",
            "明细.xlsx",
            &history_xlsx(&quirk_rows()),
            &[("term", TERM)],
        )
        .await;
    assert_eq!(upload.status, StatusCode::FORBIDDEN);
    assert!(person(&app.db, "2000104").await.is_none());
}
db_test!(teachers_cannot_import);

async fn api_reports_like_the_command_line(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person(
        "admin1",
        "管理员甲",
        None,
        None,
        &[Role::unscoped(RoleKind::CenterAdmin)],
    )
    .await;
    let body = serde_json::json!({ "staff_id": "admin1", "password": PASSWORD });
    let token_response = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    let token = token_response.json()["token"].as_str().unwrap().to_owned();

    let boundary = "xueshi-history-boundary";
    let multipart = |term: &str| {
        let mut body = Vec::new();
        for (name, value) in [("term", term), ("dry_run", "true")] {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"h.xlsx\"\r\n\r\n").as_bytes());
        body.extend_from_slice(&history_xlsx(&quirk_rows()));
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/import/history")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let response = app.send(multipart(TERM)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let json = response.json();
    assert_eq!(json["term"], TERM);
    assert_eq!(json["created"], 8);
    assert_eq!(json["people_created"], 5);
    assert_eq!(json["written"], false);

    let bad = app.send(multipart("下学期")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["message"].as_str().unwrap().contains("学年学期"));
}
db_test!(api_reports_like_the_command_line);
