//! The training ledger pages: filing, who may file for which organizer, the late badge,
//! filters and edits, and the attendance import from sign-in sheets with its preview.

mod common;

use axum::http::StatusCode;
use common::{Browser, PASSWORD, TestApp};
use xueshi_core::unit::OrgName;
use xueshi_core::{Role, RoleKind, TermCode, UnitKind};
use xueshi_store::activities::{self, ActivityFilter};
use xueshi_store::audit::{self, Actor};
use xueshi_store::testing::TestDb;
use xueshi_store::{db_test, units};
use xueshi_web::import::attendance::{
    AttendanceOptions, AttendanceReport, MatchedBy, RowOutcome, import_attendance,
};
use xueshi_web::terms::{TermInput, create_term, today};

/// A school with a term around today, two units and a reviewer for the first.
struct School {
    app: TestApp,
    term: TermCode,
    music: String,
    finance: String,
}

impl School {
    async fn new(test_db: &TestDb) -> Self {
        let app = TestApp::new(test_db).await;
        let today = today();
        let first_year = today.year() - 1;
        let input = TermInput {
            code: format!("{first_year}-{}-2", first_year + 1),
            window_start: today.saturating_sub(jiff::Span::new().days(60)).to_string(),
            window_end: today.saturating_add(jiff::Span::new().days(30)).to_string(),
            review_deadline: today.saturating_add(jiff::Span::new().days(60)).to_string(),
            required_hours: "24".into(),
        };
        let (term, _) = create_term(&app.db, &Actor::system(), &input)
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
        Self {
            app,
            term: term.code,
            music,
            finance,
        }
    }

    async fn reviewer(&self) -> Browser {
        self.app.sign_in("9001", PASSWORD).await
    }

    async fn activity_count(&self) -> usize {
        let filter = ActivityFilter {
            term: self.term,
            organizer: None,
            category_id: None,
        };
        activities::list(&mut self.app.db.conn().await.unwrap(), &filter)
            .await
            .unwrap()
            .len()
    }

    /// Files an activity through the form and returns its id.
    async fn file(&self, browser: &mut Browser, fields: &[(&str, &str)]) -> String {
        let response = self.app.post_form(browser, "/ledger", fields).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{}",
            response.text()
        );
        let location = response.location().unwrap();
        location.strip_prefix("/ledger/").unwrap().to_owned()
    }
}

/// Returns the date `days` days before today, as the form sends it.
fn days_ago(days: i64) -> String {
    today()
        .saturating_sub(jiff::Span::new().days(days))
        .to_string()
}

/// The fields of a valid filing by the music unit; tests replace some of them.
fn filing<'a>(term: &'a str, unit: &'a str, end: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("term", term),
        ("category", "3"),
        ("title", "声乐教学法专题培训"),
        ("unit_id", unit),
        ("start_date", end),
        ("end_date", end),
        ("place", "音乐厅"),
        ("mode", "offline"),
        ("hours", "4"),
        ("speaker", "周教授"),
        ("description", "<b>声乐</b>教学方法"),
    ]
}

async fn reviewer_files_only_for_own_unit(test_db: &TestDb) {
    let school = School::new(test_db).await;
    let app = &school.app;
    let mut reviewer = school.reviewer().await;
    let term = school.term.to_string();
    let yesterday = days_ago(1);

    let page = app.get(&mut reviewer, "/ledger/new").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("音乐学院"));
    assert!(!text.contains("财经学院"), "other units are not offered");
    assert!(
        !text.contains("教师发展中心组织的培训"),
        "school-accredited categories are not offered"
    );
    assert!(text.contains("培训台账"), "the navigation links the ledger");

    let other_unit = filing(&term, &school.finance, &yesterday);
    let refused = app.post_form(&mut reviewer, "/ledger", &other_unit).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("只能为本单位组织的活动备案"));

    let center = filing(&term, "", &yesterday);
    let refused = app.post_form(&mut reviewer, "/ledger", &center).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut accredited = filing(&term, &school.music, &yesterday);
    accredited[1] = ("category", "1");
    let refused = app.post_form(&mut reviewer, "/ledger", &accredited).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("只能由教师发展中心备案"));
    assert_eq!(school.activity_count().await, 0, "nothing was written");

    let id = school
        .file(&mut reviewer, &filing(&term, &school.music, &yesterday))
        .await;
    let detail = app.get(&mut reviewer, &format!("/ledger/{id}")).await;
    let text = detail.text();
    assert!(text.contains("已备案“声乐教学法专题培训”"));
    assert!(
        text.contains("&#60;b&#62;声乐&#60;/b&#62;"),
        "the description is escaped"
    );
    assert_eq!(school.activity_count().await, 1);

    // Moving the activity to another unit is refused as well, and nothing changes.
    let moved = app
        .post_form(
            &mut reviewer,
            &format!("/ledger/{id}"),
            &filing(&term, &school.finance, &yesterday),
        )
        .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);
    let stored = activities::get(&mut app.db.conn().await.unwrap(), &id)
        .await
        .unwrap();
    assert_eq!(stored.unit_id.as_deref(), Some(school.music.as_str()));
}
db_test!(reviewer_files_only_for_own_unit);

async fn reviewer_sees_only_own_unit(test_db: &TestDb) {
    let school = School::new(test_db).await;
    let app = &school.app;
    let mut admin = app.admin().await;
    let term = school.term.to_string();
    let yesterday = days_ago(1);
    let mut center_fields = filing(&term, "", &yesterday);
    center_fields[1] = ("category", "1");
    center_fields[2] = ("title", "中心新教师培训");
    let center_id = school.file(&mut admin, &center_fields).await;
    let mut finance_fields = filing(&term, &school.finance, &yesterday);
    finance_fields[2] = ("title", "财经学院教研活动");
    school.file(&mut admin, &finance_fields).await;
    let music_id = school
        .file(&mut admin, &filing(&term, &school.music, &yesterday))
        .await;

    let mut reviewer = school.reviewer().await;
    let list = app.get(&mut reviewer, "/ledger").await.text();
    assert!(list.contains("声乐教学法专题培训"));
    assert!(!list.contains("中心新教师培训"));
    assert!(!list.contains("财经学院教研活动"));

    let other = app
        .get(&mut reviewer, &format!("/ledger/{center_id}"))
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let own = app.get(&mut reviewer, &format!("/ledger/{music_id}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text().contains("导入签到表"));

    let all = app.get(&mut admin, "/ledger").await.text();
    assert!(all.contains("中心新教师培训"));
    assert!(all.contains("财经学院教研活动"));
    let center_only = app
        .get(&mut admin, &format!("/ledger?term={term}&organizer=center"))
        .await
        .text();
    assert!(center_only.contains("中心新教师培训"));
    assert!(!center_only.contains("声乐教学法专题培训"));
    let by_category = app
        .get(&mut admin, &format!("/ledger?term={term}&category=3"))
        .await
        .text();
    assert!(by_category.contains("声乐教学法专题培训"));
    assert!(!by_category.contains("中心新教师培训"));
}
db_test!(reviewer_sees_only_own_unit);

async fn late_filing_is_badged(test_db: &TestDb) {
    let school = School::new(test_db).await;
    let app = &school.app;
    let mut admin = app.admin().await;
    let term = school.term.to_string();

    let long_ago = days_ago(30);
    let mut late = filing(&term, &school.music, &long_ago);
    late[2] = ("title", "补备案的讲座");
    let response = app.post_form(&mut admin, "/ledger", &late).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let detail = app.get(&mut admin, &response.location().unwrap()).await;
    assert!(
        detail.text().contains("已标记为逾期备案"),
        "{}",
        detail.text()
    );

    let recent = days_ago(2);
    school
        .file(&mut admin, &filing(&term, &school.music, &recent))
        .await;

    let list = app.get(&mut admin, "/ledger").await.text();
    assert_eq!(
        list.matches("逾期备案 · 结束后 30 天备案").count(),
        1,
        "{list}"
    );
    assert!(list.contains("结束后 2 天备案"));
}
db_test!(late_filing_is_badged);

async fn invalid_filings_are_explained(test_db: &TestDb) {
    let school = School::new(test_db).await;
    let app = &school.app;
    let mut admin = app.admin().await;
    let term = school.term.to_string();
    let yesterday = days_ago(1);
    let before = days_ago(3);
    let cases: [(&str, &str, &str); 5] = [
        ("start_date", &yesterday, "早于开始日期"),
        ("hours", "20", "活动共 1 天，本类别每天最多 8 学时"),
        ("hours", "1.2", "请填写大于 0 的整数或半小时"),
        ("title", "  ", "活动名称不能为空"),
        ("category", "9", "的培训类别（1 到 8）"),
    ];
    for (field, value, expected) in cases {
        let mut fields = filing(&term, &school.music, &before);
        if field == "start_date" {
            // The end date lies before the start date.
            fields.retain(|(name, _)| *name != "end_date");
            fields.push(("end_date", &before));
            fields.retain(|(name, _)| *name != "start_date");
            fields.push(("start_date", value));
        } else {
            fields.retain(|(name, _)| *name != field);
            fields.push((field, value));
        }
        let response = app.post_form(&mut admin, "/ledger", &fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{expected}"
        );
        let text = response.text();
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        assert!(
            text.contains("value=\"周教授\""),
            "the form keeps what was typed"
        );
    }
    assert_eq!(school.activity_count().await, 0);

    let id = school
        .file(&mut admin, &filing(&term, &school.music, &yesterday))
        .await;
    let mut edited = filing(&term, &school.music, &yesterday);
    edited[2] = ("title", "声乐教学法专题培训（第二期）");
    let saved = app
        .post_form(&mut admin, &format!("/ledger/{id}"), &edited)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = app.get(&mut admin, &format!("/ledger/{id}")).await.text();
    assert!(page.contains("声乐教学法专题培训（第二期）"));

    let mut broken = edited.clone();
    broken.retain(|(name, _)| *name != "hours");
    broken.push(("hours", "0"));
    let rejected = app
        .post_form(&mut admin, &format!("/ledger/{id}"), &broken)
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stored = activities::get(&mut app.db.conn().await.unwrap(), &id)
        .await
        .unwrap();
    assert_eq!(stored.hours.to_string(), "4", "the stored hours stay");
    let history = audit::for_entity(&mut app.db.conn().await.unwrap(), "activity", &id)
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|row| row.action.as_str()).collect();
    assert_eq!(actions, ["file", "update"]);
}
db_test!(invalid_filings_are_explained);

/// The people sign-in sheets are matched against.
async fn staff(school: &School) {
    let app = &school.app;
    let teacher = [Role::unscoped(RoleKind::Teacher)];
    for (staff_id, name, unit) in [
        ("1001", "张三", &school.music),
        ("1002", "李四", &school.music),
        ("1003", "王五", &school.music),
        ("2001", "王五", &school.finance),
        ("2002", "赵六", &school.finance),
    ] {
        app.person(staff_id, name, Some(unit), None, &teacher).await;
    }
}

const SHEET_WITHOUT_UNIT: &str = "声乐教学法专题培训签到表\n\
工号,姓名,签到时间\n\
1001,张三,08:30\n\
,李四,08:31\n\
,王五,08:32\n\
,钱七,08:33\n\
9999,赵六,08:34\n\
1001,张三,08:35\n\
1002,王五,08:36\n";

async fn run_import(
    school: &School,
    activity_id: &str,
    sheet: &str,
    dry_run: bool,
) -> AttendanceReport {
    let options = AttendanceOptions {
        dry_run,
        sheet: None,
    };
    import_attendance(
        &school.app.db,
        activity_id,
        sheet.as_bytes().to_vec(),
        "签到表.csv",
        &options,
        &Actor::system(),
    )
    .await
    .unwrap()
}

async fn attendance_rows_match_by_id_or_name(test_db: &TestDb) {
    let school = School::new(test_db).await;
    staff(&school).await;
    let mut admin = school.app.admin().await;
    let term = school.term.to_string();
    let id = school
        .file(&mut admin, &filing(&term, &school.music, &days_ago(1)))
        .await;

    let preview = run_import(&school, &id, SHEET_WITHOUT_UNIT, true).await;
    assert!(!preview.written);
    assert!(!preview.has_unit_column);
    assert_eq!(preview.header_row, 2);
    assert_eq!(preview.matched, 4, "{preview:?}");
    assert_eq!(preview.added, 3);
    assert_eq!(preview.already_present, 0);
    assert_eq!(preview.repeated, 1);

    let matched: Vec<(u32, &str, MatchedBy, RowOutcome)> = preview
        .matches
        .iter()
        .map(|m| (m.row, m.staff_id.as_str(), m.matched_by, m.outcome))
        .collect();
    assert_eq!(
        matched,
        [
            (3, "1001", MatchedBy::StaffId, RowOutcome::Added),
            (4, "1002", MatchedBy::Name, RowOutcome::Added),
            (7, "2002", MatchedBy::Name, RowOutcome::Added),
            (8, "1001", MatchedBy::StaffId, RowOutcome::Repeated),
        ]
    );
    assert!(preview.matches[2].note.as_deref().unwrap().contains("9999"));

    assert_eq!(preview.ambiguous.len(), 1);
    let ambiguous = &preview.ambiguous[0];
    assert_eq!(ambiguous.row, 5);
    assert_eq!(ambiguous.column, "B");
    assert_eq!(ambiguous.value, "王五");
    assert!(
        ambiguous.message.contains("有 2 人名为“王五”"),
        "{}",
        ambiguous.message
    );
    assert!(ambiguous.message.contains("1003、2001"));

    let unmatched: Vec<(u32, &str)> = preview
        .unmatched
        .iter()
        .map(|problem| (problem.row, problem.value.as_str()))
        .collect();
    assert_eq!(unmatched, [(6, "钱七"), (9, "1002")]);
    assert!(preview.unmatched[0].message.contains("没有名为“钱七”的人"));
    assert!(
        preview.unmatched[1]
            .message
            .contains("与表中姓名“王五”不符")
    );
    let stored = activities::attendance(&mut school.app.db.conn().await.unwrap(), &id)
        .await
        .unwrap();
    assert!(stored.is_empty(), "a dry run writes nothing");

    let written = run_import(&school, &id, SHEET_WITHOUT_UNIT, false).await;
    assert!(written.written);
    assert_eq!(written.added, 3);
    let names: Vec<String> = activities::attendance(&mut school.app.db.conn().await.unwrap(), &id)
        .await
        .unwrap()
        .into_iter()
        .map(|attendee| attendee.staff_id)
        .collect();
    assert_eq!(names, ["1001", "1002", "2002"]);

    let again = run_import(&school, &id, SHEET_WITHOUT_UNIT, false).await;
    assert!(!again.written, "nothing new to write");
    assert_eq!(again.added, 0);
    assert_eq!(again.already_present, 3);
    assert!(again.message.contains("都已在签到名单中"));
    let count = activities::get(&mut school.app.db.conn().await.unwrap(), &id)
        .await
        .unwrap()
        .attendance_count;
    assert_eq!(count, 3, "re-importing adds nobody twice");

    let history = audit::for_entity(&mut school.app.db.conn().await.unwrap(), "activity", &id)
        .await
        .unwrap();
    let imports: Vec<&str> = history
        .iter()
        .filter(|row| row.action == "import_attendance")
        .map(|row| row.after_json.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(imports.len(), 1);
    assert!(imports[0].contains("\"added\":3"), "{}", imports[0]);
}
db_test!(attendance_rows_match_by_id_or_name);

async fn unit_column_narrows_name_matches(test_db: &TestDb) {
    let school = School::new(test_db).await;
    staff(&school).await;
    let mut admin = school.app.admin().await;
    let term = school.term.to_string();
    let id = school
        .file(&mut admin, &filing(&term, &school.music, &days_ago(1)))
        .await;
    let sheet = "姓名,所在单位,工号\n\
王五,音乐学院,\n\
王五,财经 学院,\n\
王五,美术学院,\n\
王五,,\n";
    let report = run_import(&school, &id, sheet, true).await;
    assert!(report.has_unit_column);
    let staff_ids: Vec<&str> = report.matches.iter().map(|m| m.staff_id.as_str()).collect();
    assert_eq!(staff_ids, ["1003", "2001"]);
    assert_eq!(report.unmatched.len(), 1);
    assert_eq!(report.unmatched[0].row, 4);
    assert_eq!(report.unmatched[0].column, "B");
    assert!(report.unmatched[0].message.contains("单位“美术学院”不存在"));
    assert_eq!(
        report.ambiguous.len(),
        1,
        "a blank unit searches the whole school"
    );
    assert_eq!(report.ambiguous[0].row, 5);
}
db_test!(unit_column_narrows_name_matches);

async fn attendance_import_page_previews_then_applies(test_db: &TestDb) {
    let school = School::new(test_db).await;
    staff(&school).await;
    let app = &school.app;
    let mut admin = app.admin().await;
    let term = school.term.to_string();
    let id = school
        .file(&mut admin, &filing(&term, &school.music, &days_ago(1)))
        .await;
    let mut reviewer = school.reviewer().await;
    let preview_path = format!("/ledger/{id}/attendance/preview");

    let preview = app
        .post_file(
            &mut reviewer,
            &preview_path,
            "签到表.csv",
            SHEET_WITHOUT_UNIT.as_bytes(),
            &[],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let text = preview.text();
    assert!(text.contains("预览：签到表.csv"));
    assert!(text.contains("确认导入 3 人"));
    assert!(text.contains("钱七"));
    assert!(text.contains("无法确定的行（1）"));
    let upload = text
        .split("name=\"upload\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    let applied = app
        .post_form(
            &mut reviewer,
            &format!("/ledger/{id}/attendance/apply"),
            &[("upload", &upload), ("sheet", "")],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.text());
    let page = app
        .get(&mut reviewer, &format!("/ledger/{id}"))
        .await
        .text();
    assert!(page.contains("导入完成"));
    assert!(page.contains("签到名单（3 人）"));
    assert!(page.contains("赵六"));
    let list = app.get(&mut reviewer, "/ledger").await.text();
    assert!(
        list.contains("<td class=\"num\">3</td>"),
        "the list shows the count"
    );

    let not_a_sheet = app
        .post_file(
            &mut reviewer,
            &preview_path,
            "签到表.xlsx",
            b"PK\x03\x04broken",
            &[],
        )
        .await;
    assert_eq!(not_a_sheet.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_a_sheet.text().contains("notice error"));

    let no_id_column = app
        .post_file(
            &mut reviewer,
            &preview_path,
            "签到表.csv",
            "姓名\n张三\n".as_bytes(),
            &[],
        )
        .await;
    assert_eq!(no_id_column.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_id_column.text().contains("工号"));

    // A reviewer of another unit may not import into this activity.
    app.person(
        "9002",
        "财经审核人",
        Some(&school.finance),
        None,
        &[Role {
            kind: RoleKind::UnitReviewer,
            scope_id: Some(school.finance.clone()),
        }],
    )
    .await;
    let mut other = app.sign_in("9002", PASSWORD).await;
    let refused = app
        .post_file(
            &mut other,
            &preview_path,
            "签到表.csv",
            SHEET_WITHOUT_UNIT.as_bytes(),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
db_test!(attendance_import_page_previews_then_applies);
