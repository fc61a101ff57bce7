//! File-type detection from the bytes, and the limits on oversized or malicious files.

mod support;

use support::{write_rows, xlsx, xlsx_parts, zip};
use xueshi_sheets::{ROSTER_FIELDS, ReadOptions, SheetError, read_table};

fn read_error(bytes: &[u8], file_name: &str) -> SheetError {
    read_table(bytes, file_name, ROSTER_FIELDS, &ReadOptions::default()).unwrap_err()
}

fn small_roster() -> Vec<u8> {
    xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[&["工号", "姓名", "单位"], &["2019001", "张三", "音乐学院"]],
        );
    })
}

#[test]
fn empty_file_is_rejected() {
    let error = read_error(b"", "名单.xlsx");

    assert!(matches!(error, SheetError::EmptyFile), "{error:?}");
}

#[test]
fn blank_text_file_is_empty() {
    let error = read_error(b"\xEF\xBB\xBF \r\n\t\r\n", "名单.csv");

    assert!(matches!(error, SheetError::EmptyFile), "{error:?}");
}

#[test]
fn html_named_xls_is_rejected() {
    let page = "\u{FEFF}\r\n  <html><head><meta charset=\"utf-8\"></head><body><table><tr><td>工号</td></tr></table></body></html>";
    let error = read_error(page.as_bytes(), "导出.xls");

    assert!(matches!(error, SheetError::HtmlPage), "{error:?}");
    assert_eq!(
        error.to_string(),
        "该文件实际是网页（HTML）格式，不是 Excel 表格。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    );
}

#[test]
fn xml_spreadsheet_is_rejected() {
    let document = r#"<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>"#;
    let error = read_error(document.as_bytes(), "导出.xls");

    assert!(matches!(error, SheetError::XmlDocument), "{error:?}");
}

#[test]
fn truncated_xlsx_is_corrupt() {
    let bytes = small_roster();
    let error = read_error(&bytes[..bytes.len() / 2], "名单.xlsx");

    assert!(matches!(error, SheetError::Corrupt { .. }), "{error:?}");
}

#[test]
fn random_binary_is_unknown_format() {
    // A linear congruential generator gives the same "random" bytes on every run.
    let mut state: u32 = 12345;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        })
        .collect();
    let error = read_error(&bytes, "名单.xlsx");

    assert!(matches!(error, SheetError::UnknownFormat), "{error:?}");
}

#[test]
fn zip_of_other_files_is_rejected() {
    let bytes = zip(&[
        ("照片/1.jpg", b"\xFF\xD8\xFF".as_slice()),
        ("说明.txt", b"hello"),
    ]);
    let error = read_error(&bytes, "名单.xlsx");

    assert!(matches!(error, SheetError::NotAWorkbookZip), "{error:?}");
}

#[test]
fn docx_is_not_a_workbook() {
    let bytes = zip(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", b"<w:document/>".as_slice()),
    ]);
    let error = read_error(&bytes, "名单.xlsx");

    assert!(matches!(error, SheetError::NotAWorkbookZip), "{error:?}");
}

#[test]
fn xlsb_is_rejected_with_advice() {
    let bytes = zip(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("xl/workbook.bin", b"\x83\x01\x00".as_slice()),
    ]);
    let error = read_error(&bytes, "名单.xlsb");

    assert!(matches!(error, SheetError::Xlsb), "{error:?}");
}

/// Builds an `.xlsx`-shaped archive whose worksheet XML ends in a long run of zeros.
fn zero_bomb(zero_bytes: usize) -> Vec<u8> {
    let mut sheet = br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData></sheetData></worksheet>"#.to_vec();
    sheet.resize(sheet.len() + zero_bytes, 0);
    let parts = xlsx_parts(&sheet);
    let entries: Vec<(&str, &[u8])> = parts.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    zip(&entries)
}

#[test]
fn zip_bomb_ratio_is_rejected() {
    let bytes = zero_bomb(20_000_000);
    let error = read_error(&bytes, "名单.xlsx");

    assert!(
        matches!(error, SheetError::SuspiciousCompression { .. }),
        "{error:?}"
    );
}

#[test]
fn uncompressed_total_over_limit_is_rejected() {
    let bytes = zero_bomb(3_000_000);
    let options = ReadOptions {
        max_uncompressed_bytes: 2_000_000,
        max_compression_ratio: u64::MAX,
        ..ReadOptions::default()
    };
    let error = read_table(&bytes, "名单.xlsx", ROSTER_FIELDS, &options).unwrap_err();

    assert!(matches!(error, SheetError::TooLarge { .. }), "{error:?}");
    assert!(error.to_string().contains("上限 2 MB"), "{error}");
}

#[test]
fn type_comes_from_bytes_not_name() {
    let table = read_table(
        &small_roster(),
        "名单.csv",
        ROSTER_FIELDS,
        &ReadOptions::default(),
    )
    .unwrap();

    assert_eq!(table.sheet_name.as_deref(), Some("Sheet1"));
    assert_eq!(table.rows[0].text("name"), Some("张三"));
}

#[test]
fn every_error_is_a_chinese_sentence() {
    let errors = [
        SheetError::EmptyFile,
        SheetError::HtmlPage,
        SheetError::XmlDocument,
        SheetError::UnknownFormat,
        SheetError::Corrupt {
            detail: "eocd not found".to_owned(),
        },
        SheetError::NotAWorkbookZip,
        SheetError::Xlsb,
        SheetError::NotAWorkbookOle,
        SheetError::Encrypted,
        SheetError::TooLarge {
            uncompressed_bytes: 300_000_000,
            limit_bytes: 200_000_000,
        },
        SheetError::SuspiciousCompression {
            entry: "xl/worksheets/sheet1.xml".to_owned(),
            ratio: 1000,
        },
        SheetError::TooManyRows { limit: 200_000 },
        SheetError::TooManyCells {
            cells: 20_000_000,
            limit: 10_000_000,
        },
        SheetError::SheetNotFound {
            requested: "Sheet9".to_owned(),
            visible: vec![],
        },
        SheetError::NoVisibleSheet,
        SheetError::UnknownEncoding,
    ];
    for error in errors {
        let message = error.to_string();
        assert!(message.ends_with('。'), "{error:?} reads {message}");
        assert!(
            message.contains("请"),
            "{error:?} gives no next step: {message}"
        );
        assert!(
            !message.contains("eocd"),
            "{error:?} leaks its detail: {message}"
        );
    }
}
