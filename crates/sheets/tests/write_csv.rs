//! Writing CSV files that Excel and WPS open as UTF-8 without evaluating formulas.

use xueshi_sheets::{CsvWriter, ROSTER_FIELDS, ReadOptions, Value, read_table, write_csv};

fn roster_csv() -> Vec<u8> {
    let rows = vec![
        vec![
            Value::from("2019001"),
            Value::from("张三"),
            Value::from("音乐学院"),
        ],
        vec![
            Value::from("000102"),
            Value::from("李四，\"小李\""),
            Value::from("财经学院,\n声乐"),
        ],
    ];
    write_csv(Vec::new(), &["工号", "姓名", "单位"], rows).unwrap()
}

#[test]
fn output_starts_with_bom() {
    assert!(roster_csv().starts_with("\u{FEFF}工号,姓名,单位\r\n".as_bytes()));
}

#[test]
fn lines_end_with_crlf() {
    let text = String::from_utf8(roster_csv()).unwrap();

    assert!(text.contains("2019001,张三,音乐学院\r\n"), "{text}");
    // Three records end in CRLF; the line break inside the quoted unit stays as typed.
    assert_eq!(text.matches("\r\n").count(), 3);
}

#[test]
fn formula_like_text_gets_apostrophe() {
    let rows = vec![vec![
        Value::from("=SUM(A1:A9)"),
        Value::from("+86 123"),
        Value::from("-5"),
        Value::from("@cmd"),
        Value::from("\tx"),
        Value::from("a=b"),
    ]];
    let bytes = write_csv(Vec::new(), &["甲", "乙", "丙", "丁", "戊", "己"], rows).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let data_line = text.lines().nth(1).unwrap();

    assert_eq!(data_line, "'=SUM(A1:A9),'+86 123,'-5,'@cmd,'\tx,a=b");
}

#[test]
fn numbers_and_dates_are_not_guarded() {
    let rows = vec![vec![
        Value::Integer(-5),
        Value::tenths(25),
        Value::Decimal(3.0),
        Value::Percent(63),
        Value::Date(jiff::civil::date(2023, 3, 15)),
        Value::Empty,
    ]];
    let bytes = write_csv(Vec::new(), &["甲", "乙", "丙", "丁", "戊", "己"], rows).unwrap();
    let text = String::from_utf8(bytes).unwrap();

    assert_eq!(text.lines().nth(1), Some("-5,2.5,3.0,63%,2023-03-15,"));
}

#[test]
fn output_reads_back_through_read_table() {
    let table = read_table(
        &roster_csv(),
        "名单.csv",
        ROSTER_FIELDS,
        &ReadOptions::default(),
    )
    .unwrap();

    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[1].text("staff_id"), Some("000102"));
    assert_eq!(table.rows[1].text("name"), Some("李四，\"小李\""));
    assert_eq!(table.rows[1].text("unit"), Some("财经学院,\n声乐"));
}

#[test]
fn rows_stream_to_any_writer() {
    let file = std::io::BufWriter::new(Vec::new());
    let mut csv = CsvWriter::new(file, &["工号"]).unwrap();
    for n in 0..1000 {
        csv.write_row([Value::Integer(n)]).unwrap();
    }
    let bytes = csv.finish().unwrap().into_inner().unwrap();

    assert_eq!(String::from_utf8(bytes).unwrap().lines().count(), 1001);
}
