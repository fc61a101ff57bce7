//! Writing `.xlsx` workbooks and reading them back with calamine and with read_table.

mod support;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use support::zip_entry;
use xueshi_sheets::{Value, XlsxWriter};

fn open(bytes: &[u8]) -> Xlsx<Cursor<&[u8]>> {
    Xlsx::new(Cursor::new(bytes)).expect("calamine opens the workbook")
}

fn unit_report() -> Vec<u8> {
    let mut writer = XlsxWriter::new();
    let rows = vec![
        vec![
            Value::from("音乐学院"),
            Value::Integer(406),
            Value::tenths(3655),
            Value::Percent(90),
            Value::Date(jiff::civil::date(2023, 9, 1)),
        ],
        vec![
            Value::from("=1+1"),
            Value::Integer(-5),
            Value::Empty,
            Value::Percent(63),
        ],
    ];
    writer
        .add_sheet(
            "统计",
            &["单位", "申报项数", "认定学时", "通过率", "统计日期"],
            rows,
        )
        .unwrap();
    writer.finish().unwrap()
}

#[test]
fn typed_cells_read_back() {
    let bytes = unit_report();
    let range = open(&bytes).worksheet_range("统计").unwrap();

    assert_eq!(range.get((0, 0)), Some(&Data::String("单位".to_owned())));
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::String("音乐学院".to_owned()))
    );
    assert_eq!(range.get((1, 1)), Some(&Data::Float(406.0)));
    assert_eq!(range.get((1, 2)), Some(&Data::Float(365.5)));
    assert_eq!(range.get((1, 3)), Some(&Data::Float(0.9)));
    assert!(
        matches!(range.get((1, 4)), Some(Data::DateTime(_))),
        "{:?}",
        range.get((1, 4))
    );
    assert_eq!(range.get((2, 2)), Some(&Data::Empty));
}

#[test]
fn number_formats_show_decimal_and_percent() {
    let styles = zip_entry(&unit_report(), "xl/styles.xml").unwrap();

    assert!(styles.contains(r#"formatCode="0.0""#), "{styles}");
    assert!(styles.contains(r#"formatCode="0%""#), "{styles}");
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#), "{styles}");
}

#[test]
fn formula_like_text_is_a_string_cell() {
    let bytes = unit_report();
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml").unwrap();
    let cell_start = sheet.find(r#"r="A3""#).expect("cell A3 is written");
    let cell = &sheet[cell_start..sheet[cell_start..].find("</c>").unwrap() + cell_start];

    assert!(
        cell.contains(r#"t="inlineStr""#) || cell.contains(r#"t="s""#),
        "{cell}"
    );
    assert!(!cell.contains("<f>"), "{cell}");
    assert!(open(&bytes).worksheet_formula("统计").unwrap().is_empty());
}

#[test]
fn sheet_names_are_cleaned_and_unique() {
    let mut writer = XlsxWriter::new();
    let long = "信息工程学院".repeat(6);
    let first = writer
        .add_sheet("2023/2024:汇总", &["单位"], Vec::<Vec<Value>>::new())
        .unwrap();
    let second = writer
        .add_sheet("2023/2024:汇总", &["单位"], Vec::<Vec<Value>>::new())
        .unwrap();
    let third = writer
        .add_sheet(&long, &["单位"], Vec::<Vec<Value>>::new())
        .unwrap();
    let bytes = writer.finish().unwrap();

    assert_eq!(first, "20232024汇总");
    assert_eq!(second, "20232024汇总 (2)");
    assert_eq!(third.chars().count(), 31);
    assert_eq!(open(&bytes).sheet_names(), vec![first, second, third]);
}

#[test]
fn rows_stream_from_an_iterator() {
    const ROWS: i64 = 20_000;
    let rows = (0..ROWS).map(|n| {
        vec![
            Value::Integer(2_019_000 + n),
            Value::from(format!("教师{n}")),
        ]
    });
    let mut writer = XlsxWriter::new();
    writer.add_sheet("名单", &["工号", "姓名"], rows).unwrap();
    let bytes = writer.finish().unwrap();
    let range = open(&bytes).worksheet_range("名单").unwrap();

    assert_eq!(range.height(), ROWS as usize + 1);
    assert_eq!(
        range.get((ROWS as usize, 1)),
        Some(&Data::String("教师19999".to_owned()))
    );
    // Constant-memory mode writes strings inline instead of into a shared-string table.
    assert_eq!(zip_entry(&bytes, "xl/sharedStrings.xml"), None);
}

#[test]
fn columns_fit_chinese_text() {
    let mut writer = XlsxWriter::new();
    let rows = vec![vec![Value::from("动力与电气工程学院"), Value::from("12")]];
    writer.add_sheet("统计", &["单位", "序号"], rows).unwrap();
    let sheet = zip_entry(&writer.finish().unwrap(), "xl/worksheets/sheet1.xml").unwrap();

    // Nine CJK characters are 18 display columns, plus a margin of 2.
    assert!(
        sheet.contains(r#"<col min="1" max="1" width="20.7"#),
        "{sheet}"
    );
    assert!(
        sheet.contains(r#"<col min="2" max="2" width="6.7"#),
        "{sheet}"
    );
}

#[test]
fn header_row_is_frozen() {
    let sheet = zip_entry(&unit_report(), "xl/worksheets/sheet1.xml").unwrap();

    assert!(
        sheet.contains(r#"<pane ySplit="1" topLeftCell="A2""#),
        "{sheet}"
    );
}

#[test]
fn workbook_reads_back_through_read_table() {
    let fields = &[xueshi_sheets::FieldSpec {
        key: "unit",
        label: "单位",
        aliases: &["单位"],
        required: true,
    }];
    let table = xueshi_sheets::read_table(
        &unit_report(),
        "统计.xlsx",
        fields,
        &xueshi_sheets::ReadOptions::default(),
    )
    .unwrap();

    assert_eq!(table.rows[0].text("unit"), Some("音乐学院"));
    assert_eq!(table.rows[1].text("unit"), Some("=1+1"));
}

fn titled_report() -> Vec<u8> {
    let mut writer = XlsxWriter::new();
    let rows = vec![
        vec![
            Value::from("音乐学院"),
            Value::Integer(406),
            Value::Percent(90),
        ],
        vec![Value::from("合计"), Value::Integer(406), Value::Percent(90)],
    ];
    writer
        .add_titled_sheet(
            "一览表",
            "2022-2023学年第二学期教师培训学时认定情况一览表",
            &["单位", "申报认定项目总数", "通过率"],
            rows,
        )
        .unwrap();
    writer.finish().unwrap()
}

#[test]
fn title_row_sits_above_header() {
    let bytes = titled_report();
    let range = open(&bytes).worksheet_range("一览表").unwrap();

    assert_eq!(
        range.get((0, 0)),
        Some(&Data::String(
            "2022-2023学年第二学期教师培训学时认定情况一览表".to_owned()
        ))
    );
    assert_eq!(range.get((1, 0)), Some(&Data::String("单位".to_owned())));
    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("音乐学院".to_owned()))
    );
    assert_eq!(range.get((2, 2)), Some(&Data::Float(0.9)));
}

#[test]
fn title_row_is_merged_and_frozen_above() {
    let sheet = zip_entry(&titled_report(), "xl/worksheets/sheet1.xml").unwrap();

    assert!(sheet.contains(r#"<mergeCell ref="A1:C1"/>"#), "{sheet}");
    assert!(
        sheet.contains(r#"<pane ySplit="2" topLeftCell="A3""#),
        "{sheet}"
    );
}

#[test]
fn titled_sheet_reads_back_through_read_table() {
    let fields = &[xueshi_sheets::FieldSpec {
        key: "unit",
        label: "单位",
        aliases: &["单位"],
        required: true,
    }];
    let table = xueshi_sheets::read_table(
        &titled_report(),
        "一览表.xlsx",
        fields,
        &xueshi_sheets::ReadOptions::default(),
    )
    .unwrap();

    assert_eq!(table.header_row, 2);
    assert_eq!(table.rows[0].text("unit"), Some("音乐学院"));
}

#[test]
fn prints_one_page_wide_on_a4() {
    let bytes = titled_report();
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml").unwrap();
    assert!(sheet.contains(r#"paperSize="9""#), "{sheet}");
    assert!(sheet.contains(r#"fitToHeight="0""#), "{sheet}");
    assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{sheet}");
    let workbook = zip_entry(&bytes, "xl/workbook.xml").unwrap();
    assert!(
        workbook.contains("_xlnm.Print_Titles"),
        "the title and header rows repeat on every printed page: {workbook}"
    );
}
