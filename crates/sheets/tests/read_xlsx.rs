//! Reading `.xlsx` files that the tests build with rust_xlsxwriter.

mod support;

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use support::{write_rows, xlsx};
use xueshi_sheets::{
    FieldSpec, HISTORY_FIELDS, ROSTER_FIELDS, ReadOptions, SheetError, SkipReason, Table,
    read_table,
};

const ROSTER_HEADER: &[&str] = &["序号", "工号", "姓名", "单位", "教研室", "职称"];

fn read_roster(bytes: &[u8]) -> Table {
    read_table(bytes, "名单.xlsx", ROSTER_FIELDS, &ReadOptions::default()).unwrap()
}

/// Writes a roster with a merged title in row 1, the header in row 2 and two data rows.
fn titled_roster(workbook: &mut Workbook) {
    let sheet = workbook.add_worksheet().set_name("教职工").unwrap();
    sheet
        .merge_range(0, 0, 0, 5, "2023年教职工名单", &Format::new())
        .unwrap();
    write_rows(
        sheet,
        1,
        &[
            ROSTER_HEADER,
            &["1", "2019001", "张三", "音乐学院", "声乐教研室", "讲师"],
            &["2", "2019002", "李四", "财经学院", "", "副教授"],
        ],
    );
}

#[test]
fn header_found_below_merged_title() {
    let table = read_roster(&xlsx(titled_roster));

    assert_eq!(table.header_row, 2);
    assert_eq!(table.sheet_name.as_deref(), Some("教职工"));
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].number, 3);
    assert_eq!(table.rows[0].text("name"), Some("张三"));
    assert_eq!(
        table.column("staff_id").map(|c| c.column_letter.as_str()),
        Some("B")
    );
}

#[test]
fn unmatched_header_cells_are_reported() {
    let table = read_roster(&xlsx(titled_roster));

    assert_eq!(table.ignored_columns, vec!["序号".to_owned()]);
    assert_eq!(table.column("roles"), None);
}

#[test]
fn blank_optional_cell_is_absent() {
    let table = read_roster(&xlsx(titled_roster));

    assert_eq!(table.rows[1].get("office"), None);
    assert_eq!(
        table.rows[1].get("title").map(|c| c.column.as_str()),
        Some("F")
    );
}

/// A field set with one required text column and one optional value column.
const VALUE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "staff_id",
        label: "工号",
        aliases: &["工号"],
        required: true,
    },
    FieldSpec {
        key: "value",
        label: "数值",
        aliases: &["数值"],
        required: false,
    },
];

fn read_values(bytes: &[u8]) -> Table {
    read_table(bytes, "数值.xlsx", VALUE_FIELDS, &ReadOptions::default()).unwrap()
}

#[test]
fn integral_number_has_no_decimal_tail() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(sheet, 0, &[&["工号", "数值"]]);
        sheet.write_number(1, 0, 2019001.0).unwrap();
    });
    assert_eq!(
        read_values(&bytes).rows[0].text("staff_id"),
        Some("2019001")
    );
}

#[test]
fn fractional_numbers_read_as_shown() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(sheet, 0, &[&["工号", "数值"], &["1"], &["2"]]);
        sheet.write_number(1, 1, 1.5).unwrap();
        sheet.write_number(2, 1, 0.1 + 0.2).unwrap();
    });
    let table = read_values(&bytes);

    assert_eq!(table.rows[0].text("value"), Some("1.5"));
    assert_eq!(table.rows[1].text("value"), Some("0.3"));
}

#[test]
fn text_number_keeps_leading_zeros() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(sheet, 0, &[&["工号", "数值"], &["000102", "1"]]);
    });
    assert_eq!(read_values(&bytes).rows[0].text("staff_id"), Some("000102"));
}

#[test]
fn date_cell_reads_as_iso_date() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(sheet, 0, &[&["工号", "数值"], &["1"]]);
        let date = ExcelDateTime::from_ymd(2023, 3, 15).unwrap();
        let format = Format::new().set_num_format("yyyy/m/d");
        sheet
            .write_datetime_with_format(1, 1, &date, &format)
            .unwrap();
    });
    let cell = read_values(&bytes).rows[0].get("value").cloned().unwrap();

    assert_eq!(cell.text, "2023-03-15");
    assert_eq!(cell.date, Some(jiff::civil::date(2023, 3, 15)));
}

#[test]
fn date_like_text_stays_text() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[
                &["工号", "数值"],
                &["1", "2023.3.15"],
                &["2", "2023年3月15日"],
            ],
        );
    });
    let table = read_values(&bytes);

    assert_eq!(table.rows[0].text("value"), Some("2023.3.15"));
    assert_eq!(table.rows[0].get("value").and_then(|c| c.date), None);
    assert_eq!(table.rows[1].text("value"), Some("2023年3月15日"));
}

#[test]
fn formula_reads_cached_value() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(sheet, 0, &[&["工号", "数值"], &["1"]]);
        sheet
            .write_formula(1, 1, Formula::new("=2+1.5").set_result("3.5"))
            .unwrap();
    });
    assert_eq!(read_values(&bytes).rows[0].text("value"), Some("3.5"));
}

#[test]
fn boolean_reads_true_false() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(sheet, 0, &[&["工号", "数值"], &["1"], &["2"]]);
        sheet.write_boolean(1, 1, true).unwrap();
        sheet.write_boolean(2, 1, false).unwrap();
    });
    let table = read_values(&bytes);

    assert_eq!(table.rows[0].text("value"), Some("TRUE"));
    assert_eq!(table.rows[1].text("value"), Some("FALSE"));
}

#[test]
fn unicode_spaces_are_trimmed() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[
                &["工号", "数值"],
                &["\u{FEFF}2019001\u{200B}", "音乐学院\u{3000}"],
                &["2019002", "\u{00A0}张 三\t"],
            ],
        );
    });
    let table = read_values(&bytes);

    assert_eq!(table.rows[0].text("staff_id"), Some("2019001"));
    assert_eq!(table.rows[0].text("value"), Some("音乐学院"));
    assert_eq!(table.rows[1].text("value"), Some("张 三"));
}

#[test]
fn header_aliases_and_markers_match() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[
                &["职工号*", "姓 名（必填）", " 院（部） ", "ＩＤ"],
                &["2019001", "张三", "音乐学院", "x"],
            ],
        );
    });
    let table = read_roster(&bytes);
    let keys: Vec<&str> = table.columns.iter().map(|c| c.key).collect();

    assert_eq!(keys, vec!["staff_id", "name", "unit"]);
    assert_eq!(table.columns[1].header_text, "姓 名（必填）");
    assert_eq!(table.rows[0].text("unit"), Some("音乐学院"));
}

#[test]
fn missing_header_names_required_columns() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[&["工号", "姓名", "备用"], &["2019001", "张三", "x"]],
        );
    });
    let error =
        read_table(&bytes, "名单.xlsx", ROSTER_FIELDS, &ReadOptions::default()).unwrap_err();
    let message = error.to_string();

    assert!(
        matches!(error, SheetError::HeaderNotFound { .. }),
        "{error:?}"
    );
    assert!(message.contains("工号、姓名、单位"), "{message}");
    assert!(message.contains("“所在单位”"), "{message}");
    assert!(
        !message.contains("“姓名”列"),
        "only the missing column is detailed: {message}"
    );
}

#[test]
fn blank_and_footer_rows_are_skipped() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[
                &["工号", "姓名", "单位"],
                &["2019001", "张三", "音乐学院"],
                &[],
                &["2019002", "李四", "财经学院"],
                &["合　计", "", "2"],
                &["", "制表人：王五"],
                &["注：本表由教师发展中心提供"],
            ],
        );
    });
    let table = read_roster(&bytes);

    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[1].number, 4);
    assert_eq!(table.skipped.len(), 4);
    assert_eq!(table.skipped[0].row, 3);
    assert_eq!(table.skipped[0].reason, SkipReason::Empty);
    assert_eq!(
        table.skipped[1].reason,
        SkipReason::Footer("合　计".to_owned())
    );
    assert_eq!(
        table.skipped[2].reason,
        SkipReason::Footer("制表人：王五".to_owned())
    );
    assert_eq!(table.skipped[3].row, 7);
}

#[test]
fn vertically_merged_unit_fills_rows() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[
                &["工号", "姓名"],
                &["2019001", "张三"],
                &["2019002", "李四"],
            ],
        );
        sheet.write_string(0, 2, "单位").unwrap();
        sheet
            .merge_range(1, 2, 2, 2, "音乐学院", &Format::new())
            .unwrap();
    });
    let table = read_roster(&bytes);

    assert_eq!(table.rows[1].text("unit"), Some("音乐学院"));
    assert_eq!(
        table.rows[1].get("unit").map(|c| c.column.as_str()),
        Some("C")
    );
}

fn three_sheets(workbook: &mut Workbook) {
    let hidden = workbook.add_worksheet().set_name("隐藏模板").unwrap();
    write_rows(
        hidden,
        0,
        &[&["工号", "姓名", "单位"], &["0", "模板", "模板"]],
    );
    hidden.set_hidden(true);
    let roster = workbook.add_worksheet().set_name("名单").unwrap();
    write_rows(
        roster,
        0,
        &[&["工号", "姓名", "单位"], &["2019001", "张三", "音乐学院"]],
    );
    roster.set_active(true);
    let notes = workbook.add_worksheet().set_name("说明").unwrap();
    write_rows(notes, 0, &[&["填表说明"]]);
}

#[test]
fn hidden_sheet_is_not_default() {
    let table = read_roster(&xlsx(three_sheets));

    assert_eq!(table.sheet_name.as_deref(), Some("名单"));
    assert_eq!(
        table.visible_sheets,
        vec!["名单".to_owned(), "说明".to_owned()]
    );
    assert_eq!(table.rows[0].text("name"), Some("张三"));
}

#[test]
fn hidden_sheet_read_when_named() {
    let options = ReadOptions {
        sheet: Some("隐藏模板".to_owned()),
        ..ReadOptions::default()
    };
    let table = read_table(&xlsx(three_sheets), "名单.xlsx", ROSTER_FIELDS, &options).unwrap();

    assert_eq!(table.sheet_name.as_deref(), Some("隐藏模板"));
    assert_eq!(table.rows[0].text("name"), Some("模板"));
}

#[test]
fn unknown_sheet_lists_visible_sheets() {
    let options = ReadOptions {
        sheet: Some("Sheet9".to_owned()),
        ..ReadOptions::default()
    };
    let error = read_table(&xlsx(three_sheets), "名单.xlsx", ROSTER_FIELDS, &options).unwrap_err();

    assert!(
        matches!(error, SheetError::SheetNotFound { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("名单、说明"), "{error}");
    assert!(!error.to_string().contains("隐藏模板"), "{error}");
}

#[test]
fn all_sheets_hidden_is_an_error() {
    let bytes = xlsx(|workbook| {
        workbook.add_worksheet().set_name("甲").unwrap();
        workbook
            .add_worksheet()
            .set_name("乙")
            .unwrap()
            .set_hidden(true);
    });
    // rust_xlsxwriter keeps the first sheet visible, so hide it by editing its XML.
    let bytes = support::rewrite_entry(&bytes, "xl/workbook.xml", |xml| {
        xml.replace(r#"<sheet name="甲""#, r#"<sheet name="甲" state="hidden""#)
    });
    let error = read_table(&bytes, "空.xlsx", ROSTER_FIELDS, &ReadOptions::default()).unwrap_err();

    assert!(matches!(error, SheetError::NoVisibleSheet), "{error:?}");
}

#[test]
fn rows_over_limit_are_rejected() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(sheet, 0, &[&["工号", "姓名", "单位"]]);
        for row in 1..=100 {
            sheet.write_number(row, 0, f64::from(row)).unwrap();
        }
    });
    let options = ReadOptions {
        max_rows: 50,
        ..ReadOptions::default()
    };
    let error = read_table(&bytes, "名单.xlsx", ROSTER_FIELDS, &options).unwrap_err();

    assert!(
        matches!(error, SheetError::TooManyRows { limit: 50 }),
        "{error:?}"
    );
}

/// Writes a sheet shaped like a real history export. It has a merged title, the header in
/// row 2, staff IDs as numbers and as text, and dates as date cells and as text in several
/// forms. A unit name ends in U+3000, and a 合计 footer closes the table.
fn history_like(workbook: &mut Workbook) {
    let sheet = workbook.add_worksheet().set_name("认定明细").unwrap();
    let title = "2022-2023学年第二学期教师培训学时认定明细";
    sheet
        .merge_range(0, 0, 0, 11, title, &Format::new())
        .unwrap();
    write_rows(
        sheet,
        1,
        &[&[
            "序号",
            "工号",
            "姓名",
            "所在单位",
            "培训类别",
            "培训主题",
            "开始时间",
            "结束时间",
            "学时数",
            "认定学时",
            "审核结果",
            "未通过原因",
        ]],
    );
    let date_format = Format::new().set_num_format("yyyy/m/d");
    sheet.write_number(2, 0, 1.0).unwrap();
    sheet.write_number(2, 1, 2000104.0).unwrap();
    write_rows(
        sheet,
        2,
        &[&[
            "",
            "",
            "姚勇",
            "财经学院\u{3000}",
            "校外培训",
            "新工科建设研讨",
        ]],
    );
    let date = ExcelDateTime::from_ymd(2023, 3, 15).unwrap();
    sheet
        .write_datetime_with_format(2, 6, &date, &date_format)
        .unwrap();
    sheet.write_string(2, 7, "2023.3.15").unwrap();
    sheet.write_number(2, 8, 16.0).unwrap();
    sheet.write_number(2, 9, 16.0).unwrap();
    sheet.write_string(2, 10, "通过").unwrap();

    sheet.write_number(3, 0, 2.0).unwrap();
    write_rows(
        sheet,
        3,
        &[&[
            "",
            "000102",
            "史燕",
            "信息工程学院",
            "校外培训",
            "人文社科学术研讨会",
            "2023/03/15",
            "2023年3月15日",
        ]],
    );
    sheet.write_number(3, 8, 2.5).unwrap();
    sheet.write_number(3, 9, 0.0).unwrap();
    write_rows(
        sheet,
        3,
        &[&[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "未通过",
            "不在认定范围",
        ]],
    );

    sheet.write_string(4, 0, "合计").unwrap();
    sheet.write_number(4, 8, 18.5).unwrap();
    sheet.write_number(4, 9, 16.0).unwrap();
}

#[test]
fn history_export_reads_every_row() {
    let table = read_table(
        &xlsx(history_like),
        "明细.xlsx",
        HISTORY_FIELDS,
        &ReadOptions::default(),
    )
    .unwrap();
    let first = &table.rows[0];
    let second = &table.rows[1];

    assert_eq!(table.header_row, 2);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(first.text("staff_id"), Some("2000104"));
    assert_eq!(second.text("staff_id"), Some("000102"));
    assert_eq!(first.text("unit"), Some("财经学院"));
    assert_eq!(
        first.get("start_date").and_then(|c| c.date),
        Some(jiff::civil::date(2023, 3, 15))
    );
    assert_eq!(first.text("end_date"), Some("2023.3.15"));
    assert_eq!(second.text("start_date"), Some("2023/03/15"));
    assert_eq!(second.text("claimed_hours"), Some("2.5"));
    assert_eq!(second.text("accredited_hours"), Some("0"));
    assert_eq!(second.text("reason"), Some("不在认定范围"));
    assert_eq!(table.skipped.len(), 1);
    assert_eq!(table.skipped[0].row, 5);
    assert_eq!(
        table.skipped[0].reason,
        SkipReason::Footer("合计".to_owned())
    );
}

/// A real export kept outside the repository; the test is skipped where it is absent.
const SAMPLE_PATH: &str = "/work/shared/samples/history-sample.xlsx";

#[test]
fn real_history_sample_reads_when_present() {
    let Ok(bytes) = std::fs::read(SAMPLE_PATH) else {
        eprintln!("skipped: {SAMPLE_PATH} is absent");
        return;
    };
    let table = read_table(
        &bytes,
        "history-sample.xlsx",
        HISTORY_FIELDS,
        &ReadOptions::default(),
    )
    .unwrap();

    assert_eq!(table.sheet_name.as_deref(), Some("认定明细"));
    assert_eq!(table.header_row, 2);
    assert_eq!(table.rows.len(), 41);
    assert_eq!(table.rows[0].text("staff_id"), Some("2000104"));
    assert_eq!(
        table.rows[0].get("end_date").and_then(|c| c.date),
        Some(jiff::civil::date(2023, 4, 3))
    );
    assert!(
        table
            .rows
            .iter()
            .all(|row| row.text("unit").is_some_and(|u| !u.ends_with('\u{3000}')))
    );
    assert_eq!(
        table.skipped.last().map(|s| &s.reason),
        Some(&SkipReason::Footer("合计".to_owned()))
    );
}
