//! The command line against real databases: roster import with --json, people and unit
//! listings, unit changes, passwords from standard input and role grants.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use xueshi_store::db_test;
use xueshi_store::testing::TestDb;

fn xueshi(test_db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let data_dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_xueshi"));
    command
        .args(["--database-url", &test_db.url, "--data-dir"])
        .arg(data_dir.path())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            stdout(output),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Writes a roster .xlsx with a title row and returns its path.
fn roster_file(dir: &tempfile::TempDir, rows: &[[&str; 5]]) -> std::path::PathBuf {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name("名单").unwrap();
    sheet.write_string(0, 0, "教职工名单").unwrap();
    for (column, header) in ["工号", "姓名", "单位", "教研室", "角色"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, column as u16, *header).unwrap();
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            sheet
                .write_string(index as u32 + 2, column as u16, *value)
                .unwrap();
        }
    }
    let path = dir.path().join("roster.xlsx");
    workbook.save(&path).unwrap();
    path
}

async fn import_roster_json(test_db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = roster_file(
        &dir,
        &[
            ["00123", "王芳", "音乐学院", "声乐教研室", "教研室主任"],
            ["10 2", "坏行", "音乐学院", "", ""],
        ],
    );
    let path = file.to_str().unwrap();

    let blocked = xueshi(test_db, &["import", "roster", path, "--json"], None);
    assert!(!blocked.status.success(), "invalid rows fail the command");
    let report = json(&blocked);
    assert_eq!(report["written"], false);
    assert_eq!(report["errors"][0]["row"], 4);
    assert_eq!(report["errors"][0]["column"], "A");
    assert_eq!(report["errors"][0]["value"], "10 2");

    let dry = xueshi(
        test_db,
        &[
            "import",
            "roster",
            path,
            "--json",
            "--dry-run",
            "--skip-invalid",
        ],
        None,
    );
    assert!(dry.status.success());
    assert_eq!(json(&dry)["created"], 1);
    assert_eq!(json(&dry)["written"], false);

    let written = xueshi(
        test_db,
        &[
            "import",
            "roster",
            path,
            "--json",
            "--skip-invalid",
            "--sheet",
            "名单",
        ],
        None,
    );
    assert!(written.status.success());
    let report = json(&written);
    assert_eq!(report["created"], 1);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["unchanged"], 0);
    assert_eq!(report["written"], true);
    assert!(report["skipped"].as_array().unwrap().is_empty());

    let again = xueshi(test_db, &["import", "roster", path, "--skip-invalid"], None);
    assert!(
        stdout(&again).contains("没有需要更新的内容"),
        "{}",
        stdout(&again)
    );

    let people = xueshi(
        test_db,
        &["people", "list", "--unit", "音乐学院", "--json"],
        None,
    );
    let list = json(&people);
    assert_eq!(list[0]["staff_id"], "00123");
    assert_eq!(list[0]["office"], "声乐教研室");
    assert_eq!(list[0]["roles"][0], "office-director");
}
db_test!(import_roster_json);

async fn units_are_added_and_set(test_db: &TestDb) {
    assert!(
        xueshi(test_db, &["unit", "add", "教务处", "--kind", "other"], None)
            .status
            .success()
    );
    assert!(
        xueshi(
            test_db,
            &["unit", "add", "音乐学院", "--kind", "teaching"],
            None
        )
        .status
        .success()
    );
    let duplicate = xueshi(
        test_db,
        &["unit", "add", "教务处\u{3000}", "--kind", "other"],
        None,
    );
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("已存在"));
    assert!(
        xueshi(
            test_db,
            &["unit", "set", "音乐学院", "--kind", "other"],
            None
        )
        .status
        .success()
    );
    let list = json(&xueshi(test_db, &["unit", "list", "--json"], None));
    let kinds: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap(), u["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("音乐学院", "other")), "{kinds:?}");
    let unknown = xueshi(
        test_db,
        &["unit", "set", "不存在学院", "--kind", "other"],
        None,
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("没有名为"));
}
db_test!(units_are_added_and_set);

async fn passwords_and_grants(test_db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = roster_file(
        &dir,
        &[
            ["2019001", "李雷", "管理学院", "会计教研室", ""],
            ["2019002", "韩梅梅", "财经学院", "会计教研室", ""],
        ],
    );
    assert!(
        xueshi(test_db, &["import", "roster", file.to_str().unwrap()], None)
            .status
            .success()
    );

    let weak = xueshi(
        test_db,
        &["user", "set-password", "2019001"],
        Some("short\n"),
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("至少需要 8 个字符"));
    let set = xueshi(
        test_db,
        &["user", "set-password", "2019001"],
        Some("Teach2025ok\n"),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );

    let mut conn = test_db.db.conn().await.unwrap();
    let staff_id = xueshi_core::StaffId::parse("2019001").unwrap();
    let credentials = xueshi_store::people::credentials(&mut conn, &staff_id)
        .await
        .unwrap()
        .unwrap();
    let verified =
        xueshi_web::auth::password::verify("Teach2025ok".into(), credentials.password_hash)
            .await
            .unwrap();
    assert!(verified, "the password read from standard input is stored");

    let ambiguous = xueshi(
        test_db,
        &[
            "user",
            "grant",
            "2019002",
            "office-director",
            "--scope",
            "会计教研室",
        ],
        None,
    );
    assert!(
        ambiguous.status.success(),
        "the person's own unit settles the ambiguity: {}",
        String::from_utf8_lossy(&ambiguous.stderr)
    );
    let qualified = xueshi(
        test_db,
        &[
            "user",
            "grant",
            "2019001",
            "office-director",
            "--scope",
            "管理学院/会计教研室",
        ],
        None,
    );
    assert!(qualified.status.success());
    let reviewer = xueshi(
        test_db,
        &[
            "user",
            "grant",
            "2019001",
            "unit-reviewer",
            "--scope",
            "财经学院",
        ],
        None,
    );
    assert!(reviewer.status.success());
    let bad_role = xueshi(test_db, &["user", "grant", "2019001", "dean"], None);
    assert!(!bad_role.status.success());

    let list = json(&xueshi(test_db, &["people", "list", "--json"], None));
    let lei = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["staff_id"] == "2019001")
        .unwrap();
    let roles: Vec<&str> = lei["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(roles, ["teacher", "office-director", "unit-reviewer"]);
    let person_id = person_id(&mut conn, "2019001").await;
    let grants = xueshi_store::people::grants(&mut conn, &person_id)
        .await
        .unwrap();
    let labels: Vec<String> = grants.iter().map(|g| g.label()).collect();
    assert!(
        labels.contains(&"院（部）审核人（财经学院）".to_owned()),
        "{labels:?}"
    );
}
db_test!(passwords_and_grants);

async fn person_id(conn: &mut xueshi_store::Conn, staff_id: &str) -> String {
    let staff_id = xueshi_core::StaffId::parse(staff_id).unwrap();
    xueshi_store::people::find_by_staff_id(conn, &staff_id)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn migrate_reports_success(test_db: &TestDb) {
    let output = xueshi(test_db, &["migrate"], None);
    assert!(output.status.success());
    assert!(stdout(&output).contains("数据库迁移完成"));
}
db_test!(migrate_reports_success);

/// Writes a history .xlsx (title row, header, rows, 合计 footer) and returns its path.
fn history_file(dir: &tempfile::TempDir, rows: &[[&str; 9]]) -> std::path::PathBuf {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name("认定明细").unwrap();
    sheet
        .write_string(0, 0, "2022-2023学年第二学期教师培训学时认定明细")
        .unwrap();
    let header = [
        "工号",
        "姓名",
        "所在单位",
        "培训类别",
        "培训主题",
        "开始时间",
        "学时数",
        "审核结果",
        "未通过原因",
    ];
    for (column, text) in header.iter().enumerate() {
        sheet.write_string(1, column as u16, *text).unwrap();
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            sheet
                .write_string(index as u32 + 2, column as u16, *value)
                .unwrap();
        }
    }
    sheet
        .write_string(rows.len() as u32 + 2, 0, "合计")
        .unwrap();
    let path = dir.path().join("history.xlsx");
    workbook.save(&path).unwrap();
    path
}

async fn import_history_json(test_db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = history_file(
        &dir,
        &[
            [
                "2000104",
                "姚勇",
                "财经学院",
                "校外培训",
                "新工科建设研讨",
                "2023.3.15",
                "4",
                "通过",
                "",
            ],
            [
                "000102",
                "金华",
                "音乐学院",
                "社会实践",
                "企业实践锻炼",
                "2023年4月2日",
                "8",
                "驳回",
                "佐证不足",
            ],
            [
                "2000105",
                "史燕",
                "信息工程学院",
                "科研",
                "学术讲座",
                "2023/05/10",
                "2",
                "通过",
                "",
            ],
        ],
    );
    let path = file.to_str().unwrap();

    let blocked = xueshi(
        test_db,
        &["import", "history", path, "--term", "2022-2023-2", "--json"],
        None,
    );
    assert!(!blocked.status.success(), "invalid rows fail the command");
    let report = json(&blocked);
    assert_eq!(report["written"], false);
    assert_eq!(report["errors"][0]["row"], 5);
    assert_eq!(report["errors"][0]["column"], "D");
    assert_eq!(report["errors"][0]["value"], "科研");

    let dry = xueshi(
        test_db,
        &[
            "import",
            "history",
            path,
            "--term",
            "2022-2023学年第二学期",
            "--json",
            "--dry-run",
            "--skip-invalid",
        ],
        None,
    );
    assert!(dry.status.success());
    let report = json(&dry);
    assert_eq!(report["term"], "2022-2023-2");
    assert_eq!(report["created"], 2);
    assert_eq!(report["written"], false);
    assert_eq!(report["header_row"], 2);

    let written = xueshi(
        test_db,
        &[
            "import",
            "history",
            path,
            "--term",
            "2022-2023-2",
            "--json",
            "--skip-invalid",
            "--sheet",
            "认定明细",
        ],
        None,
    );
    assert!(written.status.success());
    let report = json(&written);
    assert_eq!(report["created"], 2);
    assert_eq!(report["accredited"], 1);
    assert_eq!(report["rejected"], 1);
    assert_eq!(report["duplicates_skipped"], 0);
    assert_eq!(report["people_created"], 2);
    assert_eq!(report["units_created"], 2);
    assert_eq!(report["term_created"], true);
    assert_eq!(report["skipped"][0]["row"], 6);
    assert_eq!(report["written"], true);

    let again = xueshi(
        test_db,
        &[
            "import",
            "history",
            path,
            "--term",
            "2022-2023-2",
            "--skip-invalid",
        ],
        None,
    );
    assert!(again.status.success());
    assert!(stdout(&again).contains("均已导入"), "{}", stdout(&again));

    let bad_term = xueshi(
        test_db,
        &["import", "history", path, "--term", "下学期"],
        None,
    );
    assert!(!bad_term.status.success());
    let stderr = String::from_utf8_lossy(&bad_term.stderr);
    assert!(stderr.contains("学年学期"), "{stderr}");
}
db_test!(import_history_json);
