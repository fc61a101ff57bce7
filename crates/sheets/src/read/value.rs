//! Turning a spreadsheet value into the text a user sees in the cell.

use calamine::{CellErrorType, Data, DataRef, ExcelDateTime};
use jiff::civil::Date;

use crate::fields::is_blank_char;

/// A cell's text and, for a date cell, its calendar date.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellValue {
    pub text: String,
    pub date: Option<Date>,
}

/// A borrowed view of the value kinds that calamine's `Data` and `DataRef` share.
enum Value<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
    Bool(bool),
    DateTime(&'a ExcelDateTime),
    DateTimeIso(&'a str),
    DurationIso(&'a str),
    Error(&'a CellErrorType),
    Empty,
}

/// Converts a value from a streamed `.xlsx` sheet; `None` when the cell is blank.
pub(crate) fn from_data_ref(value: &DataRef<'_>) -> Option<CellValue> {
    let value = match value {
        DataRef::Int(i) => Value::Int(*i),
        DataRef::Float(f) => Value::Float(*f),
        DataRef::String(s) => Value::Text(s),
        DataRef::SharedString(s) => Value::Text(s),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => Value::DateTime(d),
        DataRef::DateTimeIso(s) => Value::DateTimeIso(s),
        DataRef::DurationIso(s) => Value::DurationIso(s),
        DataRef::Error(e) => Value::Error(e),
        DataRef::Empty => Value::Empty,
    };
    convert(value)
}

/// Converts a value from an `.xls` sheet; `None` when the cell is blank.
pub(crate) fn from_data(value: &Data) -> Option<CellValue> {
    let value = match value {
        Data::Int(i) => Value::Int(*i),
        Data::Float(f) => Value::Float(*f),
        Data::String(s) => Value::Text(s),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(d) => Value::DateTime(d),
        Data::DateTimeIso(s) => Value::DateTimeIso(s),
        Data::DurationIso(s) => Value::DurationIso(s),
        Data::Error(e) => Value::Error(e),
        Data::Empty => Value::Empty,
    };
    convert(value)
}

/// Converts a CSV field; `None` when it is blank.
pub(crate) fn from_text(text: &str) -> Option<CellValue> {
    convert(Value::Text(text))
}

fn convert(value: Value<'_>) -> Option<CellValue> {
    let plain = |text: String| CellValue { text, date: None };
    let cell = match value {
        Value::Empty => return None,
        Value::Text(s) => plain(trim_blank(s).to_owned()),
        Value::Int(i) => plain(i.to_string()),
        Value::Float(f) => plain(format_number(f)),
        // Excel and WPS show TRUE/FALSE in a Chinese interface as well, so the text matches
        // what the user sees in the cell.
        Value::Bool(b) => plain(if b { "TRUE" } else { "FALSE" }.to_owned()),
        Value::DateTime(d) => from_excel_datetime(d),
        Value::DateTimeIso(s) => from_iso_datetime(trim_blank(s)),
        Value::DurationIso(s) => plain(trim_blank(s).to_owned()),
        Value::Error(e) => plain(e.to_string()),
    };
    if cell.text.is_empty() {
        None
    } else {
        Some(cell)
    }
}

/// Removes whitespace and zero-width characters from both ends, keeping inner text as typed.
pub(crate) fn trim_blank(text: &str) -> &str {
    text.trim_matches(is_blank_char)
}

/// Formats a number as Excel's General format shows it: integers without ".0", at most
/// 15 significant digits, and no trailing zeros, so 2019001.0 reads "2019001" and
/// 0.1 + 0.2 (0.30000000000000004) reads "0.3".
pub(crate) fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // The guard above keeps the value inside i64's range, so the cast is exact.
        return (value as i64).to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = 14 - magnitude;
    if decimals < 0 {
        return value.to_string();
    }
    // Beyond 30 decimals the value is below 1e-15, which Excel shows in scientific notation.
    let decimals = decimals.min(30) as usize;
    let fixed = format!("{value:.decimals$}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Renders an Excel serial date-time. A date reads `YYYY-MM-DD`, followed by ` HH:MM`
/// (or ` HH:MM:SS`) unless the time is midnight. A time-only value (serial below 1) reads
/// `HH:MM`, and a duration reads as hours and minutes, `H:MM`.
fn from_excel_datetime(value: &ExcelDateTime) -> CellValue {
    if value.is_duration() {
        let total_minutes = (value.as_f64() * 24.0 * 60.0).round() as i64;
        let text = format!("{}:{:02}", total_minutes / 60, (total_minutes % 60).abs());
        return CellValue { text, date: None };
    }

    let (year, month, day, hour, minute, second, _milli) = value.to_ymd_hms_milli();
    let time = format_time(hour, minute, second);
    if value.as_f64() < 1.0 {
        return CellValue {
            text: time.unwrap_or_else(|| "00:00".to_owned()),
            date: None,
        };
    }

    // Excel's serial 60 is the non-existent 1900-02-29, which keeps its text but gets no date.
    let date = i16::try_from(year)
        .ok()
        .and_then(|y| Date::new(y, month as i8, day as i8).ok());
    let mut text = format!("{year:04}-{month:02}-{day:02}");
    if let Some(time) = time {
        text.push(' ');
        text.push_str(&time);
    }
    CellValue { text, date }
}

/// Returns `None` at midnight so a plain date shows no time.
fn format_time(hour: u8, minute: u8, second: u8) -> Option<String> {
    match (hour, minute, second) {
        (0, 0, 0) => None,
        (h, m, 0) => Some(format!("{h:02}:{m:02}")),
        (h, m, s) => Some(format!("{h:02}:{m:02}:{s:02}")),
    }
}

/// Renders an ISO 8601 value such as `2023-03-15T00:00:00` the way [`from_excel_datetime`]
/// renders a serial date. Text that does not start with a date is kept as it is.
fn from_iso_datetime(text: &str) -> CellValue {
    let Some(date) = text
        .get(..10)
        .and_then(|prefix| prefix.parse::<Date>().ok())
    else {
        return CellValue {
            text: text.to_owned(),
            date: None,
        };
    };
    let time = text
        .get(11..)
        .and_then(|rest| rest.get(..8).or(Some(rest)))
        .and_then(|t| t.parse::<jiff::civil::Time>().ok())
        .and_then(|t| format_time(t.hour() as u8, t.minute() as u8, t.second() as u8));
    let mut rendered = date.to_string();
    if let Some(time) = time {
        rendered.push(' ');
        rendered.push_str(&time);
    }
    CellValue {
        text: rendered,
        date: Some(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(format_number(2019001.0), "2019001");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-0.25), "-0.25");
        assert_eq!(format_number(0.0000001), "0.0000001");
        assert_eq!(format_number(-0.0), "0");
    }

    #[test]
    fn trim_removes_wide_and_invisible_spaces() {
        assert_eq!(trim_blank("\u{3000}音乐学院\u{3000}"), "音乐学院");
        assert_eq!(trim_blank("\u{00A0}\u{200B}张 三\u{FEFF}\t"), "张 三");
    }

    #[test]
    fn blank_text_is_no_cell() {
        assert_eq!(from_text(" \u{3000}\u{200B}"), None);
    }

    #[test]
    fn serial_date_reads_as_iso_date() {
        let value = ExcelDateTime::new(45000.0, ExcelDateTimeType::DateTime, false);
        let cell = from_excel_datetime(&value);
        assert_eq!(cell.text, "2023-03-15");
        assert_eq!(cell.date, Some(jiff::civil::date(2023, 3, 15)));
    }

    #[test]
    fn serial_datetime_keeps_time_of_day() {
        let value = ExcelDateTime::new(45000.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(from_excel_datetime(&value).text, "2023-03-15 12:00");
    }

    #[test]
    fn iso_datetime_reads_as_date() {
        let cell = from_iso_datetime("2023-03-15T00:00:00");
        assert_eq!(cell.text, "2023-03-15");
        assert_eq!(cell.date, Some(jiff::civil::date(2023, 3, 15)));
    }
}
