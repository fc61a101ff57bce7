//! Reading CSV text in the encodings and delimiters that staff spreadsheets are saved in.

use xueshi_sheets::{ROSTER_FIELDS, ReadOptions, SheetError, SkipReason, Table, read_table};

const ROSTER: &str = "工号,姓名,单位\r\n2019001,张三,音乐学院\r\n000102,李四,财经学院\r\n";

fn read(bytes: &[u8]) -> Table {
    read_table(bytes, "名单.csv", ROSTER_FIELDS, &ReadOptions::default()).unwrap()
}

fn names(table: &Table) -> Vec<&str> {
    table
        .rows
        .iter()
        .filter_map(|row| row.text("name"))
        .collect()
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        let pair = if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}

#[test]
fn utf8_csv_reads_rows() {
    let table = read(ROSTER.as_bytes());

    assert_eq!(table.sheet_name, None);
    assert_eq!(table.header_row, 1);
    assert_eq!(names(&table), vec!["张三", "李四"]);
    assert_eq!(table.rows[1].text("staff_id"), Some("000102"));
}

#[test]
fn utf8_bom_is_not_part_of_header() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(ROSTER.as_bytes());

    assert_eq!(
        read(&bytes)
            .column("staff_id")
            .map(|c| c.header_text.as_str()),
        Some("工号")
    );
}

#[test]
fn gbk_csv_is_decoded() {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(ROSTER);
    assert!(!unmappable);

    assert_eq!(names(&read(&bytes)), vec!["张三", "李四"]);
}

#[test]
fn utf16_le_csv_is_decoded() {
    assert_eq!(names(&read(&utf16(ROSTER, true))), vec!["张三", "李四"]);
}

#[test]
fn utf16_be_csv_is_decoded() {
    assert_eq!(names(&read(&utf16(ROSTER, false))), vec!["张三", "李四"]);
}

#[test]
fn tab_delimited_text_is_split_on_tabs() {
    let text = "工号\t姓名\t单位\n2019001\t张三\t音乐学院,声乐\n";
    let table = read(text.as_bytes());

    assert_eq!(table.rows[0].text("unit"), Some("音乐学院,声乐"));
}

#[test]
fn semicolon_delimited_text_is_split() {
    let table = read("工号;姓名;单位\n2019001;张三;音乐学院\n".as_bytes());

    assert_eq!(table.rows[0].text("unit"), Some("音乐学院"));
}

#[test]
fn quoted_fields_keep_commas_and_newlines() {
    let text =
        "工号,姓名,单位\n2019001,\"张三\",\"音乐学院,\n声乐教研室\"\n2019002,李四,财经学院\n";
    let table = read(text.as_bytes());

    assert_eq!(table.rows[0].text("unit"), Some("音乐学院,\n声乐教研室"));
    assert_eq!(table.rows[1].number, 3);
}

#[test]
fn title_rows_and_footer_are_handled() {
    let text = "2023年教职工名单,,\n,,\n工号,姓名,单位\n2019001,张三,音乐学院\u{3000}\n合计,1人,\n";
    let table = read(text.as_bytes());

    assert_eq!(table.header_row, 3);
    assert_eq!(table.rows[0].text("unit"), Some("音乐学院"));
    assert_eq!(table.skipped.len(), 1);
    assert_eq!(
        table.skipped[0].reason,
        SkipReason::Footer("合计".to_owned())
    );
}

#[test]
fn undecodable_text_is_rejected() {
    let error = read_table(
        b"\x80\x80,\xFF\xFF\n",
        "名单.csv",
        ROSTER_FIELDS,
        &ReadOptions::default(),
    )
    .unwrap_err();

    assert!(matches!(error, SheetError::UnknownEncoding), "{error:?}");
}

#[test]
fn csv_rows_over_limit_are_rejected() {
    let mut text = String::from("工号,姓名,单位\n");
    for n in 0..20 {
        text.push_str(&format!("{n},姓名{n},单位\n"));
    }
    let options = ReadOptions {
        max_rows: 10,
        ..ReadOptions::default()
    };
    let error = read_table(text.as_bytes(), "名单.csv", ROSTER_FIELDS, &options).unwrap_err();

    assert!(
        matches!(error, SheetError::TooManyRows { limit: 10 }),
        "{error:?}"
    );
}
