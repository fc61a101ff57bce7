//! Terms (学年学期), coded `YYYY-YYYY-N`.

use std::fmt;

use crate::error::ParseError;
use crate::text::nfkc_trimmed;

const FIELD: &str = "学年学期";

/// A term code such as `2022-2023-2`: the school year's two calendar years, then the
/// term number 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermCode {
    first_year: i16,
    number: u8,
}

impl TermCode {
    /// Parses `2022-2023-2`, and also the label forms people type:
    /// `2022-2023学年第二学期` and `2022-2023学年第2学期`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let text = nfkc_trimmed(raw);
        let invalid = || {
            ParseError::new(
                FIELD,
                raw,
                format!(
                    "学年学期“{raw}”格式不正确，请写成 2022-2023-2（2022-2023学年第二学期）的形式。"
                ),
            )
        };
        let (years, number) = if let Some((years, rest)) = text.split_once("学年") {
            let number = rest
                .strip_prefix('第')
                .and_then(|r| r.strip_suffix("学期"))
                .ok_or_else(invalid)?;
            let number = match number {
                "一" | "1" => 1,
                "二" | "2" => 2,
                _ => return Err(invalid()),
            };
            (years.to_owned(), number)
        } else {
            let (years, number) = text.rsplit_once('-').ok_or_else(invalid)?;
            let number: u8 = number.parse().map_err(|_| invalid())?;
            (years.to_owned(), number)
        };
        let (first, second) = years.split_once('-').ok_or_else(invalid)?;
        if first.len() != 4 || second.len() != 4 {
            return Err(invalid());
        }
        let first: i16 = first.parse().map_err(|_| invalid())?;
        let second: i16 = second.parse().map_err(|_| invalid())?;
        if !(1990..=2200).contains(&first) || second != first + 1 || !(1..=2).contains(&number) {
            return Err(invalid());
        }
        Ok(Self {
            first_year: first,
            number,
        })
    }

    pub fn new(first_year: i16, number: u8) -> Option<Self> {
        ((1990..=2200).contains(&first_year) && (1..=2).contains(&number))
            .then_some(Self { first_year, number })
    }

    pub fn first_year(self) -> i16 {
        self.first_year
    }

    pub fn number(self) -> u8 {
        self.number
    }

    /// The school year, e.g. `2022-2023`.
    pub fn school_year(self) -> String {
        format!("{}-{}", self.first_year, self.first_year + 1)
    }

    /// The Chinese label, e.g. `2022-2023学年第二学期`.
    pub fn label(self) -> String {
        let number = if self.number == 1 { "一" } else { "二" };
        format!("{}学年第{number}学期", self.school_year())
    }

    /// Returns the first and last calendar day of the term: September to January for
    /// the first term, February to August for the second.
    pub fn span(self) -> (jiff::civil::Date, jiff::civil::Date) {
        let year = self.first_year;
        let date = |y: i16, m: i8, d: i8| {
            jiff::civil::Date::new(y, m, d).unwrap_or(jiff::civil::Date::MIN)
        };
        if self.number == 1 {
            (date(year, 9, 1), date(year + 1, 1, 31))
        } else {
            (date(year + 1, 2, 1), date(year + 1, 8, 31))
        }
    }

    /// The term before this one.
    pub fn previous(self) -> Self {
        if self.number == 2 {
            Self {
                first_year: self.first_year,
                number: 1,
            }
        } else {
            Self {
                first_year: self.first_year - 1,
                number: 2,
            }
        }
    }

    /// The term after this one.
    pub fn next(self) -> Self {
        if self.number == 1 {
            Self {
                first_year: self.first_year,
                number: 2,
            }
        } else {
            Self {
                first_year: self.first_year + 1,
                number: 1,
            }
        }
    }
}

impl fmt::Display for TermCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{}",
            self.first_year,
            self.first_year + 1,
            self.number
        )
    }
}

impl serde::Serialize for TermCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for TermCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        TermCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_code_and_labels() {
        let code = TermCode::parse("2022-2023-2").unwrap();
        assert_eq!(code.to_string(), "2022-2023-2");
        assert_eq!(TermCode::parse("2022-2023学年第二学期").unwrap(), code);
        assert_eq!(
            TermCode::parse("２０２２-２０２３学年第2学期").unwrap(),
            code
        );
    }

    #[test]
    fn label_and_school_year() {
        let code = TermCode::parse("2025-2026-1").unwrap();
        assert_eq!(code.label(), "2025-2026学年第一学期");
        assert_eq!(code.school_year(), "2025-2026");
    }

    #[test]
    fn rejects_malformed_codes() {
        for raw in [
            "",
            "2022-2024-1",
            "2022-2023-3",
            "2022-2023",
            "22-23-1",
            "2022-2023学年第三学期",
        ] {
            assert!(TermCode::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn orders_and_steps() {
        let code = TermCode::parse("2022-2023-2").unwrap();
        assert_eq!(code.next().to_string(), "2023-2024-1");
        assert_eq!(code.previous().to_string(), "2022-2023-1");
        assert!(code.previous() < code);
        assert!(code < code.next());
    }
}
