//! Staff IDs (工号).

use std::fmt;

use crate::error::ParseError;
use crate::text::nfkc_trimmed;

const FIELD: &str = "工号";
/// Longest staff ID accepted; real ones are 4 to 12 characters.
pub const MAX_LEN: usize = 32;

/// A staff ID: text, never a number, so "00123" keeps its zeros.
///
/// Parsing applies NFKC (full-width digits become ASCII) and trims spaces. Letters, digits,
/// `-` and `_` are accepted; ASCII letters are kept as typed.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct StaffId(String);

impl StaffId {
    /// Parses a staff ID typed in a form or read from a spreadsheet cell's text.
    ///
    /// A spreadsheet number such as "2019001.0" is accepted as "2019001" because Excel
    /// stores typed IDs as numbers; any other fraction is an error.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let mut value = nfkc_trimmed(raw);
        if value.is_empty() {
            return Err(ParseError::new(FIELD, raw, "工号不能为空，请填写工号。"));
        }
        if let Some(integer) = value.strip_suffix(".0")
            && !integer.is_empty()
            && integer.chars().all(|c| c.is_ascii_digit())
        {
            value = integer.to_owned();
        }
        if value.chars().count() > MAX_LEN {
            return Err(ParseError::new(
                FIELD,
                raw,
                format!("工号“{value}”过长，最多 {MAX_LEN} 个字符。"),
            ));
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(ParseError::new(
                FIELD,
                raw,
                format!("工号“{value}”含有不允许的字符“{bad}”，工号只能包含字母、数字、“-”和“_”。"),
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StaffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StaffId {
    type Error = ParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StaffId> for String {
    fn from(value: StaffId) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_leading_zeros() {
        assert_eq!(StaffId::parse("00123").unwrap().as_str(), "00123");
    }

    #[test]
    fn drops_spreadsheet_integer_fraction() {
        assert_eq!(StaffId::parse("2019001.0").unwrap().as_str(), "2019001");
    }

    #[test]
    fn normalizes_full_width_digits_and_spaces() {
        assert_eq!(
            StaffId::parse("\u{3000}２０１９００１\u{00A0}")
                .unwrap()
                .as_str(),
            "2019001"
        );
    }

    #[test]
    fn rejects_empty_inner_space_and_fraction() {
        for raw in ["", "  ", "2019 001", "2019001.5", "a/b"] {
            let error = StaffId::parse(raw).unwrap_err();
            assert_eq!(error.field, "工号", "{raw:?}");
        }
    }

    #[test]
    fn rejects_overlong() {
        assert!(StaffId::parse(&"1".repeat(MAX_LEN + 1)).is_err());
    }
}
