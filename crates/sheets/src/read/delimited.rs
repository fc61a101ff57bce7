//! Reading CSV text: encoding, delimiter and records.

use encoding_rs::{Encoding, GB18030, UTF_8};

use crate::error::SheetError;
use crate::read::ReadOptions;
use crate::read::grid::{Grid, GridBuilder};
use crate::read::value;

/// How many leading lines are looked at to choose the delimiter.
const DELIMITER_SCAN_LINES: usize = 30;

/// Decodes and parses CSV bytes into a grid, one record per row.
pub(crate) fn load_csv(bytes: &[u8], options: &ReadOptions) -> Result<Grid, SheetError> {
    let text = decode(bytes)?;
    let delimiter = choose_delimiter(&text);

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let mut builder = GridBuilder::new(options.max_rows);
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => return Err(csv_error(&error)),
        }
        for (column, field) in record.iter().enumerate() {
            let column = u32::try_from(column).unwrap_or(u32::MAX);
            builder.push(row, column, value::from_text(field))?;
        }
        row = row.saturating_add(1);
    }
    Ok(builder.finish(Vec::new()))
}

/// Decodes CSV bytes: a UTF-8 or UTF-16 byte-order mark decides; without one, strict UTF-8
/// is tried first and GB18030 (a superset of GBK) second.
fn decode(bytes: &[u8]) -> Result<String, SheetError> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        return decode_strict(encoding, &bytes[bom_length..]);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    decode_strict(GB18030, bytes)
}

fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, SheetError> {
    if encoding == UTF_8 {
        return std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| SheetError::UnknownEncoding);
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or(SheetError::UnknownEncoding)
}

/// Chooses comma unless the first lines use tabs or semicolons more: the candidate with
/// the most occurrences on any one of those lines wins, and comma wins ties.
fn choose_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().take(DELIMITER_SCAN_LINES).collect();
    let most_on_a_line = |delimiter: char| {
        lines
            .iter()
            .map(|line| line.matches(delimiter).count())
            .max()
            .unwrap_or(0)
    };

    let commas = most_on_a_line(',');
    let tabs = most_on_a_line('\t');
    let semicolons = most_on_a_line(';');
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas && semicolons > tabs {
        b';'
    } else {
        b','
    }
}

fn csv_error(error: &csv::Error) -> SheetError {
    let line = error.position().map_or(0, csv::Position::line);
    let reason = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "含有无法识别的字符".to_owned(),
        _ => "无法按 CSV 格式解析".to_owned(),
    };
    SheetError::Csv { line, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_header_picks_tab() {
        assert_eq!(
            choose_delimiter("工号\t姓名\t单位\n1\t张三,李四\t音乐学院\n"),
            b'\t'
        );
    }

    #[test]
    fn semicolon_header_picks_semicolon() {
        assert_eq!(choose_delimiter("工号;姓名;单位\n"), b';');
    }

    #[test]
    fn single_column_picks_comma() {
        assert_eq!(choose_delimiter("工号\n2019001\n"), b',');
    }
}
