//! Hours (学时) as exact decimals with one decimal place.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use crate::error::ParseError;
use crate::text::nfkc_trimmed;

/// The largest number of hours any single value may hold; far above any real claim, it
/// keeps typing mistakes such as "16000" from passing as numbers.
pub const MAX_TENTHS: i64 = 100_000;

/// A number of hours stored as integer tenths: 12.5 hours is `Hours(125)`.
///
/// No floating point is involved anywhere, so sums and comparisons are exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hours(i64);

impl Hours {
    pub const ZERO: Hours = Hours(0);

    pub const fn from_tenths(tenths: i64) -> Self {
        Self(tenths)
    }

    pub const fn from_whole(hours: i64) -> Self {
        Self(hours * 10)
    }

    pub const fn tenths(self) -> i64 {
        self.0
    }

    /// Parses text such as "12.5", "12", "１２．５" or "12.50" (a trailing zero is fine).
    ///
    /// `field` is the Chinese field name used in the error message. Negative numbers,
    /// more than one significant decimal place and values over 10,000 hours are errors.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ParseError> {
        let text = nfkc_trimmed(raw).replace('。', ".");
        let text = text
            .strip_suffix("学时")
            .or(text.strip_suffix('h'))
            .unwrap_or(&text)
            .trim();
        if text.is_empty() {
            return Err(ParseError::new(
                field,
                raw,
                format!("{field}不能为空，请填写数字，如 2 或 1.5。"),
            ));
        }
        let invalid = || {
            ParseError::new(
                field,
                raw,
                format!(
                    "{field}“{raw}”不是有效的学时数，请填写不小于 0 的数字，最多一位小数，如 2 或 1.5。"
                ),
            )
        };
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (text, ""),
        };
        if whole.is_empty() && fraction.is_empty() {
            return Err(invalid());
        }
        if !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(invalid());
        }
        let fraction = fraction.trim_end_matches('0');
        if fraction.len() > 1 {
            return Err(ParseError::new(
                field,
                raw,
                format!("{field}“{raw}”最多保留一位小数，如 1.5。"),
            ));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let tenth: i64 = fraction.parse().unwrap_or(0);
        let tenths = whole
            .checked_mul(10)
            .and_then(|w| w.checked_add(tenth))
            .ok_or_else(invalid)?;
        if tenths > MAX_TENTHS {
            return Err(ParseError::new(
                field,
                raw,
                format!(
                    "{field}“{raw}”超过 {} 学时，请检查是否多输入了数字。",
                    MAX_TENTHS / 10
                ),
            ));
        }
        Ok(Self(tenths))
    }

    /// Returns whether the value is a multiple of half an hour, the step claims use.
    pub const fn is_half_step(self) -> bool {
        self.0 % 5 == 0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_mul(self, factor: i64) -> Option<Self> {
        self.0.checked_mul(factor).map(Self)
    }

    pub fn min(self, other: Self) -> Self {
        Self(self.0.min(other.0))
    }

    pub fn saturating_sub(self, other: Self) -> Self {
        Self((self.0 - other.0).max(0))
    }
}

impl fmt::Display for Hours {
    /// Writes "12.5", or "12" for whole hours.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        if abs.is_multiple_of(10) {
            write!(f, "{sign}{}", abs / 10)
        } else {
            write!(f, "{sign}{}.{}", abs / 10, abs % 10)
        }
    }
}

impl Add for Hours {
    type Output = Hours;

    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl Sub for Hours {
    type Output = Hours;

    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Self {
        Self(iter.map(|h| h.0).sum())
    }
}

impl serde::Serialize for Hours {
    /// Serializes as a decimal string ("12.5") so no client reads a float.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Hours {
    /// Accepts a decimal string or a JSON number with at most one decimal place.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Integer(i64),
            Number(f64),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Text(text) => text,
            Raw::Integer(value) => value.to_string(),
            Raw::Number(value) => value.to_string(),
        };
        Hours::parse("学时", &text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Hours, ParseError> {
        Hours::parse("申报学时", raw)
    }

    #[test]
    fn parses_decimals_exactly() {
        assert_eq!(parse("12.5").unwrap().tenths(), 125);
        assert_eq!(parse("12").unwrap().tenths(), 120);
        assert_eq!(parse("12.50").unwrap().tenths(), 125);
        assert_eq!(parse(".5").unwrap().tenths(), 5);
        assert_eq!(parse("0").unwrap().tenths(), 0);
    }

    #[test]
    fn parses_full_width_and_unit_suffix() {
        assert_eq!(parse("１２．５").unwrap().tenths(), 125);
        assert_eq!(parse("8学时").unwrap().tenths(), 80);
    }

    #[test]
    fn rejects_bad_values_naming_the_field() {
        for raw in ["", "abc", "-1", "1.25", "1..5", ".", "1e3", "100001"] {
            let error = parse(raw).unwrap_err();
            assert!(
                error.message.contains("申报学时"),
                "{raw:?}: {}",
                error.message
            );
        }
    }

    #[test]
    fn displays_without_trailing_zero() {
        assert_eq!(Hours::from_tenths(125).to_string(), "12.5");
        assert_eq!(Hours::from_tenths(120).to_string(), "12");
        assert_eq!(Hours::from_tenths(5).to_string(), "0.5");
    }

    #[test]
    fn half_steps() {
        assert!(Hours::from_tenths(15).is_half_step());
        assert!(!Hours::from_tenths(12).is_half_step());
    }

    #[test]
    fn serializes_as_decimal_string() {
        let json = serde_json::to_string(&Hours::from_tenths(125)).unwrap();
        assert_eq!(json, "\"12.5\"");
    }

    #[test]
    fn deserializes_string_and_number() {
        let from_text: Hours = serde_json::from_str("\"12.5\"").unwrap();
        let from_number: Hours = serde_json::from_str("12.5").unwrap();
        assert_eq!(from_text.tenths(), 125);
        assert_eq!(from_number.tenths(), 125);
        assert!(serde_json::from_str::<Hours>("1.25").is_err());
    }
}
