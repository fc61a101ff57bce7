//! Calendar dates as people write them, and "today" in the school's time zone.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::error::ParseError;
use crate::text::nfkc_trimmed;

/// The time zone in which "today" and window boundaries are decided, whatever the
/// server's own time zone is.
pub const SCHOOL_TIME_ZONE: &str = "Asia/Shanghai";

/// Returns the school's time zone.
pub fn school_time_zone() -> TimeZone {
    // The bundled tz database always holds Asia/Shanghai; a fixed +08:00 is the same
    // offset (China has kept no daylight saving time since 1991).
    TimeZone::get(SCHOOL_TIME_ZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
}

/// Returns the calendar date at `now` in Asia/Shanghai.
pub fn school_date(now: Timestamp) -> Date {
    now.to_zoned_datetime(school_time_zone()).date()
}

/// Parses a calendar date in the forms found in school spreadsheets and forms:
/// `2023-03-15`, `2023/3/15`, `2023.3.15`, `2023年3月15日`, `20230315`, with an optional
/// time part after a space or `T` that is ignored, and an Excel serial day number
/// (e.g. 45000) as CSV exports write date cells.
pub fn parse_date(field: &'static str, raw: &str) -> Result<Date, ParseError> {
    let text = nfkc_trimmed(raw);
    let invalid = || {
        ParseError::new(
            field,
            raw,
            format!("{field}“{raw}”不是有效的日期，请写成 2023-03-15 的形式。"),
        )
    };
    if text.is_empty() {
        return Err(ParseError::new(
            field,
            raw,
            format!("{field}不能为空，请填写日期，如 2023-03-15。"),
        ));
    }
    let date_part = text.split([' ', 'T']).next().unwrap_or("");
    let date_part = date_part.strip_suffix('日').unwrap_or(date_part);

    if date_part.chars().all(|c| c.is_ascii_digit()) {
        return match date_part.len() {
            8 => {
                let (year, rest) = date_part.split_at(4);
                let (month, day) = rest.split_at(2);
                build(year, month, day).ok_or_else(invalid)
            }
            5 => excel_serial(date_part.parse().map_err(|_| invalid())?).ok_or_else(invalid),
            _ => Err(invalid()),
        };
    }

    let parts: Vec<&str> = date_part.split(['-', '/', '.', '年', '月']).collect();
    match parts.as_slice() {
        [year, month, day] if year.len() == 4 => build(year, month, day).ok_or_else(invalid),
        _ => Err(invalid()),
    }
}

fn build(year: &str, month: &str, day: &str) -> Option<Date> {
    if month.is_empty() || day.is_empty() || month.len() > 2 || day.len() > 2 {
        return None;
    }
    let year: i16 = year.parse().ok()?;
    let month: i8 = month.parse().ok()?;
    let day: i8 = day.parse().ok()?;
    if !(1900..=2200).contains(&year) {
        return None;
    }
    Date::new(year, month, day).ok()
}

/// Converts an Excel serial day number (1900 date system) to a date.
pub fn excel_serial(serial: i64) -> Option<Date> {
    // Serial 25569 is 1970-01-01; Excel's fictitious 1900-02-29 lies before every
    // serial this accepts, so plain day arithmetic is exact.
    if !(1..=109_572).contains(&serial) || serial < 61 {
        return None;
    }
    let epoch = Date::new(1970, 1, 1).ok()?;
    epoch
        .checked_add(jiff::Span::new().days(serial - 25_569))
        .ok()
}

/// Counts the calendar days from `start` to `end`, both included (one day for a
/// one-day training).
pub fn days_inclusive(start: Date, end: Date) -> i64 {
    let span = start.until(end).map(|s| s.get_days() as i64).unwrap_or(0);
    span + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Date {
        parse_date("开始日期", raw).unwrap()
    }

    #[test]
    fn parses_every_written_form() {
        let expected = Date::new(2023, 3, 15).unwrap();
        for raw in [
            "2023-03-15",
            "2023/3/15",
            "2023/03/15",
            "2023.3.15",
            "2023年3月15日",
            "2023年03月15",
            "20230315",
            "2023-03-15 00:00:00",
            "2023-03-15T08:30:00",
            "２０２３－０３－１５",
            "\u{3000}2023.3.15 ",
        ] {
            assert_eq!(parse(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn parses_excel_serials() {
        assert_eq!(parse("45000"), Date::new(2023, 3, 15).unwrap());
        assert_eq!(excel_serial(45019), Date::new(2023, 4, 3).ok());
    }

    #[test]
    fn rejects_impossible_dates() {
        for raw in [
            "",
            "2023-02-30",
            "2023-13-01",
            "15/03/2023",
            "2023",
            "明天",
            "2023-3",
        ] {
            let error = parse_date("开始日期", raw).unwrap_err();
            assert!(error.message.contains("开始日期"), "{raw:?}");
        }
    }

    #[test]
    fn school_date_is_shanghai_date() {
        // 2025-10-11 17:30 UTC is already 2025-10-12 01:30 in Shanghai.
        let now: Timestamp = "2025-10-11T17:30:00Z".parse().unwrap();
        assert_eq!(school_date(now), Date::new(2025, 10, 12).unwrap());
    }

    #[test]
    fn counts_days_inclusively() {
        let day = Date::new(2025, 10, 11).unwrap();
        assert_eq!(days_inclusive(day, day), 1);
        assert_eq!(days_inclusive(day, Date::new(2025, 10, 12).unwrap()), 2);
    }
}
