//! Reading `.xls` (BIFF8) files that the tests build record by record.

mod support;

use support::biff::{self, CellValue, SheetSpec, Visibility};
use xueshi_sheets::{ROSTER_FIELDS, ReadOptions, SheetError, read_table};

/// Builds a hidden template sheet first, then the visible roster with a merged title row.
fn two_sheets() -> Vec<u8> {
    biff::xls(&[
        SheetSpec {
            name: "模板",
            visibility: Visibility::Hidden,
            cells: vec![
                (0, 0, CellValue::Text("工号")),
                (0, 1, CellValue::Text("姓名")),
                (0, 2, CellValue::Text("单位")),
                (1, 0, CellValue::Text("示例")),
                (1, 1, CellValue::Text("模板人")),
                (1, 2, CellValue::Text("示例学院")),
            ],
            merged: vec![],
        },
        SheetSpec {
            name: "名单",
            visibility: Visibility::Visible,
            cells: vec![
                (0, 0, CellValue::Text("2023年教职工名单")),
                (1, 0, CellValue::Text("工号")),
                (1, 1, CellValue::Text("姓名")),
                (1, 2, CellValue::Text("单位")),
                (1, 3, CellValue::Text("入职日期")),
                (2, 0, CellValue::Number(2019001.0)),
                (2, 1, CellValue::Text("张三")),
                (2, 2, CellValue::Text("音乐学院\u{3000}")),
                (2, 3, CellValue::Date(45000.0)),
                (3, 0, CellValue::Text("000102")),
                (3, 1, CellValue::Text("李四")),
            ],
            merged: vec![(0, 0, 0, 3), (2, 3, 2, 2)],
        },
    ])
}

fn read(bytes: &[u8], options: &ReadOptions) -> Result<xueshi_sheets::Table, SheetError> {
    read_table(bytes, "名单.xls", ROSTER_FIELDS, options)
}

#[test]
fn xls_default_sheet_skips_hidden() {
    let table = read(&two_sheets(), &ReadOptions::default()).unwrap();

    assert_eq!(table.sheet_name.as_deref(), Some("名单"));
    assert_eq!(table.visible_sheets, vec!["名单".to_owned()]);
    assert_eq!(table.header_row, 2);
}

#[test]
fn xls_cells_read_as_shown() {
    let table = read(&two_sheets(), &ReadOptions::default()).unwrap();

    assert_eq!(table.rows[0].text("staff_id"), Some("2019001"));
    assert_eq!(table.rows[0].text("unit"), Some("音乐学院"));
    assert_eq!(table.rows[1].text("staff_id"), Some("000102"));
    assert_eq!(table.rows[1].text("name"), Some("李四"));
}

#[test]
fn xls_merged_unit_fills_rows() {
    let table = read(&two_sheets(), &ReadOptions::default()).unwrap();

    assert_eq!(table.rows[1].text("unit"), Some("音乐学院"));
}

#[test]
fn xls_hidden_sheet_read_when_named() {
    let options = ReadOptions {
        sheet: Some("模板".to_owned()),
        ..ReadOptions::default()
    };
    let table = read(&two_sheets(), &options).unwrap();

    assert_eq!(table.sheet_name.as_deref(), Some("模板"));
    assert_eq!(table.rows[0].text("name"), Some("模板人"));
}

#[test]
fn xls_date_cell_reads_as_date() {
    const DATED_FIELDS: &[xueshi_sheets::FieldSpec] = &[
        xueshi_sheets::FieldSpec {
            key: "staff_id",
            label: "工号",
            aliases: &["工号"],
            required: true,
        },
        xueshi_sheets::FieldSpec {
            key: "hired",
            label: "入职日期",
            aliases: &["入职日期"],
            required: true,
        },
    ];
    let table = read_table(
        &two_sheets(),
        "名单.xls",
        DATED_FIELDS,
        &ReadOptions::default(),
    )
    .unwrap();
    let cell = table.rows[0].get("hired").cloned().unwrap();

    assert_eq!(cell.text, "2023-03-15");
    assert_eq!(cell.date, Some(jiff::civil::date(2023, 3, 15)));
}

#[test]
fn office_file_without_workbook_is_rejected() {
    let bytes = biff::compound_file(&[("/WordDocument", b"not a workbook".as_slice())]);
    let error = read(&bytes, &ReadOptions::default()).unwrap_err();

    assert!(matches!(error, SheetError::NotAWorkbookOle), "{error:?}");
}

#[test]
fn encrypted_xlsx_is_reported_as_password_protected() {
    let bytes = biff::compound_file(&[
        ("/EncryptionInfo", [4u8, 0, 4, 0].as_slice()),
        ("/EncryptedPackage", [0u8; 64].as_slice()),
    ]);
    let error = read(&bytes, &ReadOptions::default()).unwrap_err();

    assert!(matches!(error, SheetError::Encrypted), "{error:?}");
}

/// Builds an `.xls` whose one sheet has a DIMENSIONS record declaring the given box.
fn sheet_with_dimensions(
    first_row: u32,
    row_end: u32,
    first_column: u16,
    column_end: u16,
) -> Vec<u8> {
    let mut globals = biff::bof(0x0005);
    let mut bound = 0u32.to_le_bytes().to_vec();
    bound.extend_from_slice(&[0, 0, 1, 0, b'S']);
    // The sheet's BOF follows this BOUNDSHEET record (4 + 7 bytes) and EOF (4 bytes).
    let offset = (globals.len() + 4 + bound.len() + 4) as u32;
    bound[..4].copy_from_slice(&offset.to_le_bytes());
    globals.extend(biff::record(biff::BOUNDSHEET, &bound));
    globals.extend(biff::record(biff::EOF, &[]));

    let mut dimensions = first_row.to_le_bytes().to_vec();
    dimensions.extend_from_slice(&row_end.to_le_bytes());
    dimensions.extend_from_slice(&first_column.to_le_bytes());
    dimensions.extend_from_slice(&column_end.to_le_bytes());
    dimensions.extend_from_slice(&[0, 0]);

    let mut stream = globals;
    stream.extend(biff::bof(0x0010));
    stream.extend(biff::record(biff::DIMENSIONS, &dimensions));
    stream.extend(biff::record(biff::EOF, &[]));
    biff::compound_file(&[("/Workbook", &stream)])
}

#[test]
fn oversized_declared_grid_is_rejected() {
    let bytes = sheet_with_dimensions(0, 4_000_000_000, 0, 255);
    let error = read(&bytes, &ReadOptions::default()).unwrap_err();

    assert!(
        matches!(error, SheetError::TooManyCells { .. }),
        "{error:?}"
    );
}

#[test]
fn inverted_dimensions_are_corrupt() {
    let bytes = sheet_with_dimensions(9, 3, 0, 2);
    let error = read(&bytes, &ReadOptions::default()).unwrap_err();

    assert!(matches!(error, SheetError::Corrupt { .. }), "{error:?}");
}

#[test]
fn parser_panic_becomes_corrupt_error() {
    // A BOUNDSHEET record shorter than its fixed fields makes calamine 0.38 index out of
    // bounds while parsing.
    let mut stream = biff::bof(0x0005);
    stream.extend(biff::record(biff::BOUNDSHEET, &[0, 0, 0]));
    stream.extend(biff::record(biff::EOF, &[]));
    let bytes = biff::compound_file(&[("/Workbook", &stream)]);
    let error = read(&bytes, &ReadOptions::default()).unwrap_err();

    assert!(matches!(error, SheetError::Corrupt { .. }), "{error:?}");
}
