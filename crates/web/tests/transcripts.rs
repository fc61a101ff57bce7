//! Transcripts (个人培训学时证明): the statement of a term or a school year, issuing
//! with a verification code, the printable page and the .xlsx. The tests also check who
//! may see what, and that the public verification page shows the totals only.

mod common;

use axum::http::{StatusCode, header};
use common::{Browser, PASSWORD, TestApp};
use jiff::civil::date;
use xueshi_core::claim::Outcome;
use xueshi_core::unit::OrgName;
use xueshi_core::{HistoryRow, Hours, Role, RoleKind, StaffId, TermCode, UnitKind};
use xueshi_sheets::{FieldSpec, ReadOptions};
use xueshi_store::activities::{self, NewActivity, TrainingMode};
use xueshi_store::audit::Actor;
use xueshi_store::terms::Term;
use xueshi_store::testing::TestDb;
use xueshi_store::{categories, db_test, history_import, terms, units};

const SPRING: &str = "2022-2023-2";
const AUTUMN: &str = "2022-2023-1";

/// A unit with two teachers and their hours in the school year 2022-2023.
///
/// In the second term 罗跃敏 (2000101) has claims of 4 and 3.5 hours accredited, one
/// rejected claim and a school-credited activity of 2 hours: 9.5 hours against 24
/// required. In the first term 罗跃敏 has a claim of 6 hours, which meets the 6 required.
/// 金华 (2000102) has one claim of 2 hours in the second term.
async fn school(app: &TestApp) {
    let mut conn = app.db.conn().await.unwrap();
    for (code, required) in [(AUTUMN, 6), (SPRING, 24)] {
        let code = TermCode::parse(code).unwrap();
        let term = Term {
            required_hours: Hours::from_whole(required),
            ..history_import::past_term(code)
        };
        terms::create(&mut conn, &term).await.unwrap();
    }
    let unit = units::create(
        &mut conn,
        &OrgName::parse("单位", "音乐学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    drop(conn);
    let teacher = app
        .person(
            "2000101",
            "罗跃敏",
            Some(&unit),
            None,
            &[Role::unscoped(RoleKind::Teacher)],
        )
        .await;
    app.person(
        "2000102",
        "金华",
        Some(&unit),
        None,
        &[Role::unscoped(RoleKind::Teacher)],
    )
    .await;

    let spring = vec![
        row(
            "2000101",
            "罗跃敏",
            5,
            "新工科建设研讨",
            "2023-04-23",
            40,
            Outcome::Accredited,
        ),
        row(
            "2000101",
            "罗跃敏",
            6,
            "人文社科学术研讨会",
            "2023-05-10",
            35,
            Outcome::Accredited,
        ),
        row(
            "2000101",
            "罗跃敏",
            8,
            "企业实践锻炼",
            "2023-07-12",
            160,
            Outcome::Rejected,
        ),
        row(
            "2000102",
            "金华",
            4,
            "教研室集体备课",
            "2023-03-20",
            20,
            Outcome::Accredited,
        ),
    ];
    let autumn = vec![row(
        "2000101",
        "罗跃敏",
        3,
        "专业认证标准解读培训",
        "2022-10-10",
        60,
        Outcome::Accredited,
    )];
    let mut conn = app.db.conn().await.unwrap();
    for (code, rows) in [(SPRING, spring), (AUTUMN, autumn)] {
        let term = history_import::past_term(TermCode::parse(code).unwrap());
        history_import::insert(&mut conn, &term, &rows, &Actor::system())
            .await
            .unwrap();
    }

    let spring = TermCode::parse(SPRING).unwrap();
    let center_training = categories::find_by_code(&mut conn, spring, 1)
        .await
        .unwrap()
        .unwrap();
    let activity = NewActivity {
        term: spring,
        category_id: center_training.id,
        title: "教师发展中心专题讲座".into(),
        unit_id: None,
        start_date: date(2023, 3, 8),
        end_date: date(2023, 3, 8),
        place: "图书馆报告厅".into(),
        mode: TrainingMode::Offline,
        hours: Hours::from_whole(2),
        speaker: "张教授".into(),
        description: String::new(),
    };
    let filed_at = jiff::Timestamp::from_second(1_678_300_000)
        .unwrap()
        .as_millisecond();
    let activity_id = activities::file(&mut conn, &activity, None, filed_at, 7)
        .await
        .unwrap();
    activities::add_attendance(&mut conn, &activity_id, &[teacher], None)
        .await
        .unwrap();
}

fn row(
    staff_id: &str,
    name: &str,
    category_code: u8,
    topic: &str,
    start: &str,
    claimed_tenths: i64,
    outcome: Outcome,
) -> HistoryRow {
    let start = start.parse().unwrap();
    let claimed = Hours::from_tenths(claimed_tenths);
    HistoryRow {
        staff_id: StaffId::parse(staff_id).unwrap(),
        name: name.into(),
        unit: OrgName::parse("单位", "音乐学院").unwrap(),
        category_code,
        topic: topic.into(),
        start_date: start,
        end_date: start,
        claimed_hours: claimed,
        accredited_hours: match outcome {
            Outcome::Accredited => claimed,
            Outcome::Rejected => Hours::ZERO,
        },
        outcome,
        reason_code: (outcome == Outcome::Rejected).then(|| "out_of_scope".into()),
        reason_note: None,
    }
}

/// Issues a transcript as `browser` and returns its page path.
async fn issue(app: &TestApp, browser: &mut Browser, staff_id: &str, period: &str) -> String {
    let response = app
        .post_form(
            browser,
            "/transcripts/issue",
            &[("staff_id", staff_id), ("period", period)],
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    let location = response.location().unwrap();
    assert!(location.starts_with("/transcripts/"), "{location}");
    location
}

/// Reads the verification code printed on a transcript page.
fn printed_code(page: &str) -> String {
    let marker = "验证码：<b class=\"mono\">";
    let start = page.find(marker).expect("the page prints a code") + marker.len();
    page[start..start + 14].to_owned()
}

async fn teacher_sees_own_statement(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    school(&app).await;
    let mut teacher = app.sign_in("2000101", PASSWORD).await;

    let term = app
        .get(&mut teacher, &format!("/transcripts?period={SPRING}"))
        .await;
    assert_eq!(term.status, StatusCode::OK);
    let text = term.text();
    assert!(text.contains("2022-2023学年第二学期"));
    assert!(text.contains("新工科建设研讨"));
    assert!(text.contains("人文社科学术研讨会"));
    assert!(
        text.contains("教师发展中心专题讲座"),
        "school credits are listed"
    );
    assert!(
        !text.contains("企业实践锻炼"),
        "rejected claims are not listed"
    );
    assert!(
        !text.contains("教研室集体备课"),
        "another teacher's claims are not listed"
    );
    assert!(text.contains("<div class=\"value\">9.5</div>"), "{text}");
    assert!(text.contains("尚差 14.5 学时"));

    let year = app
        .get(&mut teacher, "/transcripts?period=2022-2023学年")
        .await;
    assert_eq!(year.status, StatusCode::OK);
    let text = year.text();
    assert!(text.contains("专业认证标准解读培训"));
    assert!(text.contains("<div class=\"value\">15.5</div>"), "{text}");
    assert!(
        text.contains("<div class=\"value\">30</div>"),
        "the year requires both terms' hours"
    );

    let own_by_id = app.get(&mut teacher, "/transcripts?staff_id=2000101").await;
    assert_eq!(own_by_id.status, StatusCode::OK);

    let other = app.get(&mut teacher, "/transcripts?staff_id=2000102").await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(other.text().contains("本人"));
    let issue_other = app
        .post_form(
            &mut teacher,
            "/transcripts/issue",
            &[("staff_id", "2000102"), ("period", SPRING)],
        )
        .await;
    assert_eq!(issue_other.status, StatusCode::FORBIDDEN);
}
db_test!(teacher_sees_own_statement);

async fn issued_transcript_verifies_totals_only(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    school(&app).await;
    let mut teacher = app.sign_in("2000101", PASSWORD).await;
    let path = issue(&app, &mut teacher, "", SPRING).await;

    let page = app.get(&mut teacher, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("个人培训学时证明"));
    assert!(text.contains("新工科建设研讨"));
    assert!(text.contains("教师发展中心（盖章）"));
    let code = printed_code(&text);
    assert_eq!(code.len(), 14);
    assert_eq!(code.matches('-').count(), 2, "{code}");
    assert!(text.contains(&format!("/verify/{code}")));

    // Anyone with the code gets the totals and nothing of the claims.
    let mut visitor = Browser::default();
    let verified = app.get(&mut visitor, &format!("/verify/{code}")).await;
    assert_eq!(verified.status, StatusCode::OK);
    let text = verified.text();
    assert!(text.contains("验证通过"));
    assert!(text.contains("罗跃敏"));
    assert!(text.contains("音乐学院"));
    assert!(text.contains("2022-2023学年第二学期"));
    assert!(text.contains("<dd>9.5</dd>"), "{text}");
    assert!(text.contains("出具日期"));
    for detail in [
        "新工科建设研讨",
        "人文社科学术研讨会",
        "教师发展中心专题讲座",
        "2000101",
        "3.5",
    ] {
        assert!(!text.contains(detail), "the public page shows {detail}");
    }

    // The form accepts the code in lower case with spaces.
    let typed = code.to_lowercase().replace('-', " ");
    let query = serde_urlencoded::to_string([("code", typed.as_str())]).unwrap();
    let from_form = app.get(&mut visitor, &format!("/verify?{query}")).await;
    assert_eq!(from_form.status, StatusCode::OK);
    assert!(from_form.text().contains("罗跃敏"));

    let unknown = app.get(&mut visitor, "/verify/ABCD-EFGH-JKMN").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown
            .text()
            .contains("没有找到验证码为 ABCD-EFGH-JKMN 的学时证明")
    );
    let malformed = app.get(&mut visitor, "/verify/12345").await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    assert!(malformed.text().contains("格式不正确"));
    let empty_form = app.get(&mut visitor, "/verify").await;
    assert_eq!(empty_form.status, StatusCode::OK);
    assert!(empty_form.text().contains("学时证明验证"));

    // Another teacher cannot open it; a later claim does not change it.
    let mut colleague = app.sign_in("2000102", PASSWORD).await;
    assert_eq!(
        app.get(&mut colleague, &path).await.status,
        StatusCode::FORBIDDEN
    );
    let xlsx_path = format!("{path}/xlsx");
    assert_eq!(
        app.get(&mut colleague, &xlsx_path).await.status,
        StatusCode::FORBIDDEN
    );
    let later = row(
        "2000101",
        "罗跃敏",
        5,
        "暑期研修",
        "2023-07-20",
        80,
        Outcome::Accredited,
    );
    let term = history_import::past_term(TermCode::parse(SPRING).unwrap());
    history_import::insert(
        &mut app.db.conn().await.unwrap(),
        &term,
        &[later],
        &Actor::system(),
    )
    .await
    .unwrap();
    let reprint = app.get(&mut teacher, &path).await.text();
    assert!(
        !reprint.contains("暑期研修"),
        "an issued transcript keeps its lines"
    );
    let statement = app
        .get(&mut teacher, &format!("/transcripts?period={SPRING}"))
        .await
        .text();
    assert!(
        statement.contains("暑期研修"),
        "the live statement shows the new claim"
    );
    assert!(statement.contains(&code), "the issued transcript is listed");
}
db_test!(issued_transcript_verifies_totals_only);

/// Columns of the transcript's detail sheet that the test reads back.
const DETAIL_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "topic",
        label: "培训主题或活动",
        aliases: &["培训主题或活动"],
        required: true,
    },
    FieldSpec {
        key: "hours",
        label: "认定学时",
        aliases: &["认定学时"],
        required: true,
    },
];

/// Columns of the transcript's facts sheet.
const FACT_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "item",
        label: "项目",
        aliases: &["项目"],
        required: true,
    },
    FieldSpec {
        key: "value",
        label: "内容",
        aliases: &["内容"],
        required: true,
    },
];

async fn xlsx_opens_back(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    school(&app).await;
    let mut teacher = app.sign_in("2000101", PASSWORD).await;
    let path = issue(&app, &mut teacher, "", SPRING).await;
    let code = printed_code(&app.get(&mut teacher, &path).await.text());

    let download = app.get(&mut teacher, &format!("{path}/xlsx")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = download.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(disposition.starts_with("attachment; "), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");

    let options = ReadOptions {
        sheet: Some("学时明细".into()),
        ..ReadOptions::default()
    };
    let detail =
        xueshi_sheets::read_table(&download.body, "t.xlsx", DETAIL_FIELDS, &options).unwrap();
    let lines: Vec<(&str, &str)> = detail
        .rows
        .iter()
        .map(|row| (row.text("topic").unwrap(), row.text("hours").unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            ("教师发展中心专题讲座", "2"),
            ("新工科建设研讨", "4"),
            ("人文社科学术研讨会", "3.5"),
        ]
    );
    assert_eq!(detail.skipped.len(), 1, "the 合计 row closes the sheet");

    let options = ReadOptions {
        sheet: Some("证明信息".into()),
        ..ReadOptions::default()
    };
    let facts = xueshi_sheets::read_table(&download.body, "t.xlsx", FACT_FIELDS, &options).unwrap();
    let fact = |item: &str| {
        facts
            .rows
            .iter()
            .find(|row| row.text("item") == Some(item))
            .and_then(|row| row.text("value"))
            .map(str::to_owned)
    };
    assert_eq!(fact("姓名").as_deref(), Some("罗跃敏"));
    assert_eq!(fact("证明期间").as_deref(), Some("2022-2023学年第二学期"));
    assert_eq!(fact("总学时").as_deref(), Some("9.5"));
    assert_eq!(fact("要求学时").as_deref(), Some("24"));
    assert_eq!(fact("验证码").as_deref(), Some(code.as_str()));
}
db_test!(xlsx_opens_back);

async fn center_admin_issues_for_anyone(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    school(&app).await;
    let mut admin = app.admin().await;

    let statement = app
        .get(
            &mut admin,
            &format!("/transcripts?staff_id=2000101&period={AUTUMN}"),
        )
        .await;
    assert_eq!(statement.status, StatusCode::OK);
    let text = statement.text();
    assert!(text.contains("罗跃敏"));
    assert!(text.contains("专业认证标准解读培训"));
    assert!(text.contains("已达到该期间要求的 6 学时"), "{text}");

    let path = issue(&app, &mut admin, "2000101", AUTUMN).await;
    let page = app.get(&mut admin, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("罗跃敏"));

    let mut teacher = app.sign_in("2000101", PASSWORD).await;
    let own = app.get(&mut teacher, &path).await;
    assert_eq!(
        own.status,
        StatusCode::OK,
        "the teacher sees what the center issued"
    );
    let list = app
        .get(&mut teacher, &format!("/transcripts?period={AUTUMN}"))
        .await;
    assert!(list.text().contains(&format!("href=\"{path}\"")));

    let unknown = app.get(&mut admin, "/transcripts?staff_id=9999999").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().contains("找不到工号为 9999999 的人员"));
}
db_test!(center_admin_issues_for_anyone);

async fn bad_periods_are_explained(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    school(&app).await;
    let mut teacher = app.sign_in("2000101", PASSWORD).await;

    let missing = app
        .get(&mut teacher, "/transcripts?period=2030-2031-1")
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing
            .text()
            .contains("系统中没有2030-2031学年第一学期的学期")
    );

    let malformed = app.get(&mut teacher, "/transcripts?period=明年").await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(malformed.text().contains("格式不正确"));

    let empty = app
        .post_form(&mut teacher, "/transcripts/issue", &[("period", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().contains("请选择"));

    let no_such = app.get(&mut teacher, "/transcripts/no-such-id").await;
    assert_eq!(no_such.status, StatusCode::NOT_FOUND);
}
db_test!(bad_periods_are_explained);
