//! The command line for terms and attendance against real databases: `term add`,
//! `term list` and `import attendance`, with their JSON output and exit status.

use std::process::{Command, Output, Stdio};

use xueshi_core::date::parse_date;
use xueshi_core::unit::OrgName;
use xueshi_core::{Hours, StaffId, TermCode, UnitKind};
use xueshi_store::activities::{self, NewActivity, TrainingMode};
use xueshi_store::people::{self, PersonFields};
use xueshi_store::testing::TestDb;
use xueshi_store::{categories, db_test, units};

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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(output), stderr(output)))
}

fn add_term(test_db: &TestDb, code: &str, start: &str, end: &str, review: &str) -> Output {
    xueshi(
        test_db,
        &[
            "term",
            "add",
            code,
            "--window-start",
            start,
            "--window-end",
            end,
            "--review-deadline",
            review,
            "--json",
        ],
    )
}

async fn terms_are_added_and_listed(test_db: &TestDb) {
    let first = xueshi(
        test_db,
        &[
            "term",
            "add",
            "2025-2026学年第一学期",
            "--window-start",
            "2025-09-01",
            "--window-end",
            "2025-12-31",
            "--review-deadline",
            "2026-01-15",
            "--required-hours",
            "24",
            "--json",
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let created = json(&first);
    assert_eq!(created["code"], "2025-2026-1");
    assert_eq!(created["label"], "2025-2026学年第一学期");
    assert_eq!(created["required_hours"], "24");
    assert_eq!(created["categories_from"], "defaults");

    let second = add_term(
        test_db,
        "2025-2026-2",
        "2026-03-01",
        "2026-06-30",
        "2026-07-15",
    );
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(json(&second)["categories_from"], "2025-2026-1");

    let list = xueshi(test_db, &["term", "list", "--json"]);
    assert!(list.status.success());
    let terms = json(&list);
    let codes: Vec<&str> = terms
        .as_array()
        .unwrap()
        .iter()
        .map(|term| term["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["2025-2026-2", "2025-2026-1"]);
    assert_eq!(terms[0]["required_hours"], "0");
    assert!(terms[0]["current"].is_boolean());

    let text = xueshi(test_db, &["term", "list"]);
    assert!(stdout(&text).contains("2025-2026学年第二学期"));
    assert!(stdout(&text).contains("共 2 个学期"));
}
db_test!(terms_are_added_and_listed);

async fn invalid_terms_exit_with_message(test_db: &TestDb) {
    let backwards = xueshi(
        test_db,
        &[
            "term",
            "add",
            "2025-2026-1",
            "--window-start",
            "2025-12-31",
            "--window-end",
            "2025-09-01",
            "--review-deadline",
            "2026-01-15",
        ],
    );
    assert_eq!(backwards.status.code(), Some(1));
    assert!(
        stderr(&backwards).contains("早于提交开始日期"),
        "{}",
        stderr(&backwards)
    );

    let bad_code = add_term(
        test_db,
        "2025-2027-1",
        "2025-09-01",
        "2025-12-31",
        "2026-01-15",
    );
    assert_eq!(bad_code.status.code(), Some(1));
    assert!(
        json(&bad_code)["error"]
            .as_str()
            .unwrap()
            .contains("格式不正确")
    );

    let bad_hours = xueshi(
        test_db,
        &[
            "term",
            "add",
            "2025-2026-1",
            "--window-start",
            "2025-09-01",
            "--window-end",
            "2025-12-31",
            "--review-deadline",
            "2026-01-15",
            "--required-hours",
            "-3",
        ],
    );
    assert_eq!(bad_hours.status.code(), Some(1));
    assert!(stderr(&bad_hours).contains("每人应完成学时"));

    let created = add_term(
        test_db,
        "2025-2026-1",
        "2025-09-01",
        "2025-12-31",
        "2026-01-15",
    );
    assert!(created.status.success());
    let again = add_term(
        test_db,
        "2025-2026-1",
        "2025-09-01",
        "2025-12-31",
        "2026-01-15",
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(json(&again)["error"].as_str().unwrap().contains("已经建立"));
}
db_test!(invalid_terms_exit_with_message);

/// Creates a unit with three people, two of them named 王五, and files an activity in
/// category 3 of 2025-2026-1. Returns the activity's id.
async fn activity_with_staff(test_db: &TestDb) -> String {
    let mut conn = test_db.db.conn().await.unwrap();
    let unit = units::create(
        &mut conn,
        &OrgName::parse("单位", "音乐学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    for (staff_id, name) in [("1001", "张三"), ("1002", "王五"), ("1003", "王五")] {
        let fields = PersonFields {
            name: name.into(),
            unit_id: Some(unit.clone()),
            office_id: None,
            title: String::new(),
        };
        people::create(&mut conn, &StaffId::parse(staff_id).unwrap(), &fields)
            .await
            .unwrap();
    }

    let term = TermCode::parse("2025-2026-1").unwrap();
    let category = categories::find_by_code(&mut conn, term, 3)
        .await
        .unwrap()
        .unwrap();
    let activity = NewActivity {
        term,
        category_id: category.id,
        title: "声乐教学法专题培训".into(),
        unit_id: Some(unit),
        start_date: parse_date("开始日期", "2025-10-11").unwrap(),
        end_date: parse_date("结束日期", "2025-10-11").unwrap(),
        place: String::new(),
        mode: TrainingMode::Offline,
        hours: Hours::from_whole(4),
        speaker: String::new(),
        description: String::new(),
    };
    activities::file(&mut conn, &activity, None, xueshi_store::now_ms(), 7)
        .await
        .unwrap()
}

async fn attendance_is_imported_with_json(test_db: &TestDb) {
    let created = add_term(
        test_db,
        "2025-2026-1",
        "2025-09-01",
        "2025-12-31",
        "2026-01-15",
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let id = activity_with_staff(test_db).await;
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("签到表.csv");
    std::fs::write(&sheet, "工号,姓名\n1001,张三\n,王五\n,钱七\n").unwrap();
    let path = sheet.to_str().unwrap();

    let dry = xueshi(
        test_db,
        &["import", "attendance", &id, path, "--dry-run", "--json"],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let report = json(&dry);
    assert_eq!(report["written"], false);
    assert_eq!(report["matched"], 1);
    assert_eq!(report["added"], 1);
    assert_eq!(report["already_present"], 0);
    assert_eq!(report["ambiguous"][0]["row"], 3);
    assert_eq!(report["ambiguous"][0]["value"], "王五");
    assert!(
        report["ambiguous"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1002、1003")
    );
    assert_eq!(report["unmatched"][0]["row"], 4);
    assert_eq!(report["unmatched"][0]["value"], "钱七");
    assert!(
        report["unmatched"][0]["message"]
            .as_str()
            .unwrap()
            .contains("钱七")
    );

    let written = xueshi(test_db, &["import", "attendance", &id, path, "--json"]);
    assert!(written.status.success());
    assert_eq!(json(&written)["written"], true);
    assert_eq!(json(&written)["added"], 1);

    let again = xueshi(test_db, &["import", "attendance", &id, path]);
    assert!(again.status.success());
    let text = stdout(&again);
    assert!(text.contains("都已在签到名单中"), "{text}");
    assert!(text.contains("无法确定：第 3 行 B 列（王五）"), "{text}");
    let count = activities::get(&mut test_db.db.conn().await.unwrap(), &id)
        .await
        .unwrap()
        .attendance_count;
    assert_eq!(count, 1);

    let unknown = xueshi(
        test_db,
        &["import", "attendance", "no-such-id", path, "--json"],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        json(&unknown)["error"]
            .as_str()
            .unwrap()
            .contains("no-such-id")
    );
    let missing = xueshi(
        test_db,
        &["import", "attendance", &id, "/nonexistent/签到表.csv"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("找不到文件 /nonexistent/签到表.csv，请检查路径和文件名。"),
        "{}",
        stderr(&missing)
    );
    let not_a_sheet = dir.path().join("notes.csv");
    std::fs::write(&not_a_sheet, "备注\n今天下雨\n").unwrap();
    let rejected = xueshi(
        test_db,
        &["import", "attendance", &id, not_a_sheet.to_str().unwrap()],
    );
    assert_eq!(rejected.status.code(), Some(1));
    assert!(stderr(&rejected).contains("工号"), "{}", stderr(&rejected));
}
db_test!(attendance_is_imported_with_json);
