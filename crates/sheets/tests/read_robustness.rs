//! Damaged files of every supported format give an error or a table instead of a panic.

mod support;

use support::biff::{self, CellValue, SheetSpec, Visibility};
use support::{write_rows, xlsx};
use xueshi_sheets::{HISTORY_FIELDS, ROSTER_FIELDS, ReadOptions, read_table};

/// A linear congruential generator, which gives the same numbers on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }
}

/// Reads every variant; a panic anywhere fails the test with the variant's description.
fn read_all(variants: impl Iterator<Item = (String, Vec<u8>)>) {
    for (description, bytes) in variants {
        for fields in [ROSTER_FIELDS, HISTORY_FIELDS] {
            let outcome = std::panic::catch_unwind(|| {
                let _ = read_table(&bytes, "名单.xlsx", fields, &ReadOptions::default());
            });
            assert!(outcome.is_ok(), "panicked on {description}");
        }
    }
}

/// Yields copies of `bytes` with a few bytes overwritten, and copies cut short.
fn damaged(bytes: Vec<u8>, seed: u64, count: usize) -> impl Iterator<Item = (String, Vec<u8>)> {
    let mut random = Lcg(seed);
    (0..count).map(move |n| {
        let mut copy = bytes.clone();
        if n % 4 == 0 {
            let cut = random.next() % copy.len();
            copy.truncate(cut);
            return (format!("cut at {cut}"), copy);
        }
        let mut changes = Vec::new();
        for _ in 0..1 + random.next() % 8 {
            let at = random.next() % copy.len();
            copy[at] = random.next() as u8;
            changes.push(at);
        }
        (format!("bytes changed at {changes:?}"), copy)
    })
}

#[test]
fn damaged_xlsx_never_panics() {
    let bytes = xlsx(|workbook| {
        let sheet = workbook.add_worksheet();
        write_rows(
            sheet,
            0,
            &[&["工号", "姓名", "单位"], &["2019001", "张三", "音乐学院"]],
        );
        sheet.write_number(2, 0, 1.5).unwrap();
    });
    read_all(damaged(bytes, 1, 300));
}

#[test]
fn damaged_xls_never_panics() {
    let bytes = biff::xls(&[SheetSpec {
        name: "名单",
        visibility: Visibility::Visible,
        cells: vec![
            (0, 0, CellValue::Text("工号")),
            (0, 1, CellValue::Text("姓名")),
            (0, 2, CellValue::Text("单位")),
            (1, 0, CellValue::Number(2019001.0)),
            (1, 1, CellValue::Text("张三")),
            (1, 2, CellValue::Date(45000.0)),
        ],
        merged: vec![(1, 2, 2, 2)],
    }]);
    read_all(damaged(bytes, 2, 300));
}

#[test]
fn damaged_csv_never_panics() {
    let bytes = "工号,姓名,单位\r\n2019001,\"张三\",音乐学院\r\n"
        .as_bytes()
        .to_vec();
    read_all(damaged(bytes, 3, 300));
}
