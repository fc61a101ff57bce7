//! A whole past term kept in a spreadsheet, with the quirks schools' sheets have, goes in
//! through `xueshi import history` and comes out of `xueshi report units` as the table
//! of the center's feedback notice, with 其他单位 and 合计 reconciled.

use std::process::{Command, Output, Stdio};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use xueshi_store::db_test;
use xueshi_store::testing::TestDb;
use xueshi_web::demo_history::{NOTICE_RESULTS, OTHER_UNIT_PASSED};

const TERM: &str = "2022-2023-2";

/// Header aliases a school might use: 教工号, 所在单位, 学时数, 认定学时, 审核结果, 未通过原因.
const HEADER: [&str; 11] = [
    "序号",
    "教工号",
    "姓名",
    "所在单位",
    "培训类别",
    "培训主题",
    "开始日期",
    "结束日期",
    "学时数",
    "认定学时",
    "审核结果",
];
const REASON_COLUMN: u16 = 11;

const PASSED_WORDS: [&str; 3] = ["通过", "已通过", "认定通过"];
const REJECTED_WORDS: [&str; 3] = ["未通过", "不通过", "驳回"];
const REASONS: [&str; 4] = ["不在认定范围", "佐证不足", "学时填写有误", "重复填报"];
const CATEGORIES: [&str; 4] = [
    "校外培训",
    "院（部）组织的培训",
    "校内组织的其他学术活动",
    "社会实践",
];

fn xueshi(test_db: &TestDb, data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xueshi"))
        .args(["--database-url", &test_db.url, "--data-dir"])
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Writes a date in one of the forms sheets use: a date cell or text such as
/// 2023.3.15, 2023/03/15, 2023年3月15日 or 2023-03-15.
fn write_date(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    column: u16,
    (month, day): (u8, u8),
    form: usize,
    date_format: &Format,
) {
    let text = match form % 5 {
        0 => {
            let date = ExcelDateTime::from_ymd(2023, month, day).unwrap();
            sheet
                .write_datetime_with_format(row, column, &date, date_format)
                .unwrap();
            return;
        }
        1 => format!("2023.{month}.{day}"),
        2 => format!("2023/{month:02}/{day:02}"),
        3 => format!("2023年{month}月{day}日"),
        _ => format!("2023-{month:02}-{day:02}"),
    };
    sheet.write_string(row, column, text).unwrap();
}

/// Builds the term's sheet: a merged title row, the header, one row per claim with the
/// notice's outcomes per unit, and a 合计 footer. Returns the file's bytes.
fn whole_term_xlsx() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet().set_name("认定结果").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            REASON_COLUMN,
            "2022-2023学年第二学期教师培训学时认定结果汇总表",
            &Format::new(),
        )
        .unwrap();
    for (column, title) in HEADER.iter().enumerate() {
        sheet.write_string(1, column as u16, *title).unwrap();
    }
    sheet.write_string(1, REASON_COLUMN, "未通过原因").unwrap();

    let units = NOTICE_RESULTS.iter().copied().chain(
        OTHER_UNIT_PASSED
            .iter()
            .map(|&(unit, passed)| (unit, passed, 0)),
    );
    let mut row = 2u32;
    for (unit_index, (unit, passed, rejected)) in units.enumerate() {
        for claim in 0..(passed + rejected) as usize {
            let is_passed = claim < passed as usize;
            let teacher = claim % 9;
            let staff_number = 2_100_000 + unit_index as u32 * 100 + teacher as u32;
            let serial = row - 1;
            sheet.write_number(row, 0, f64::from(serial)).unwrap();
            // Staff IDs come as number cells and as text.
            if claim % 2 == 0 {
                sheet.write_number(row, 1, f64::from(staff_number)).unwrap();
            } else {
                sheet
                    .write_string(row, 1, staff_number.to_string())
                    .unwrap();
            }
            sheet
                .write_string(row, 2, format!("{unit}教师{teacher}"))
                .unwrap();
            // Unit names with stray spaces, as typed.
            let unit_cell = if claim % 7 == 0 {
                format!(" {unit}\u{3000}")
            } else {
                unit.to_owned()
            };
            sheet.write_string(row, 3, unit_cell).unwrap();
            sheet
                .write_string(row, 4, CATEGORIES[claim % CATEGORIES.len()])
                .unwrap();
            sheet
                .write_string(row, 5, format!("{unit}第{claim}次专题培训"))
                .unwrap();
            let month = 3 + (claim % 5) as u8;
            let day = 1 + (claim % 27) as u8;
            write_date(sheet, row, 6, (month, day), claim, &date_format);
            write_date(sheet, row, 7, (month, day + 1), claim + 1, &date_format);
            sheet.write_number(row, 8, 8.0).unwrap();
            if is_passed {
                sheet.write_number(row, 9, 8.0).unwrap();
                sheet
                    .write_string(row, 10, PASSED_WORDS[claim % PASSED_WORDS.len()])
                    .unwrap();
            } else {
                sheet
                    .write_string(row, 10, REJECTED_WORDS[claim % REJECTED_WORDS.len()])
                    .unwrap();
                sheet
                    .write_string(row, REASON_COLUMN, REASONS[claim % REASONS.len()])
                    .unwrap();
            }
            row += 1;
        }
    }
    sheet.write_string(row, 0, "合计").unwrap();
    sheet.write_number(row, 8, 32144.0).unwrap();
    workbook.save_to_buffer().unwrap()
}

async fn whole_term_gives_notice_table(test_db: &TestDb) {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("2022-2023-2认定结果.xlsx");
    std::fs::write(&file, whole_term_xlsx()).unwrap();
    let data_dir = folder.path().join("data");
    let file_arg = file.to_str().unwrap();

    let imported = xueshi(
        test_db,
        &data_dir,
        &["import", "history", file_arg, "--term", TERM, "--json"],
    );
    let stderr = String::from_utf8_lossy(&imported.stderr);
    assert!(imported.status.success(), "import failed: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&imported.stdout).unwrap();
    assert_eq!(report["created"], 4018, "{report}");
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(report["skipped"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(
        report["new_other_units"],
        serde_json::json!(["教务处", "教师发展中心"])
    );

    let printed = xueshi(
        test_db,
        &data_dir,
        &["report", "units", "--term", TERM, "--format", "json"],
    );
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let table: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    let rows: Vec<(String, u64, u64, u64, u64)> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["unit"].as_str().unwrap().to_owned(),
                row["submitted"].as_u64().unwrap(),
                row["passed"].as_u64().unwrap(),
                row["rejected"].as_u64().unwrap(),
                row["pass_rate_percent"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64, u64, u64, u64)> = [
        ("音乐学院", 406, 365, 41, 90),
        ("思政部", 330, 295, 35, 89),
        ("管理学院", 732, 639, 93, 87),
        ("建工学院", 292, 235, 57, 80),
        ("基础教学部", 248, 180, 68, 73),
        ("文化传媒学院", 586, 410, 176, 70),
        ("动力与电气工程学院", 52, 36, 16, 69),
        ("美术学院", 366, 235, 131, 64),
        ("财经学院", 542, 339, 203, 63),
        ("信息工程学院", 460, 241, 219, 52),
        ("其他单位", 4, 4, 0, 100),
    ]
    .into_iter()
    .map(|(unit, s, p, r, rate)| (unit.to_owned(), s, p, r, rate))
    .collect();
    assert_eq!(rows, expected);
    let total = &table["total"];
    assert_eq!(total["unit"], "合计");
    assert_eq!(total["submitted"], 4018);
    assert_eq!(total["passed"], 2979);
    assert_eq!(total["rejected"], 1039);
    assert_eq!(total["pass_rate_percent"], 74);
}
db_test!(whole_term_gives_notice_table);
