//! Transcripts (个人培训学时证明): the period one covers and the verification code that
//! anyone can check it by.

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::term::TermCode;
use crate::text::nfkc_trimmed;

const PERIOD_FIELD: &str = "证明期间";

/// The period a transcript covers: one term, or a school year with both its terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Term(TermCode),
    /// The school year that starts in September of this calendar year.
    SchoolYear(i16),
}

impl Period {
    /// Parses a term (`2022-2023-2`, `2022-2023学年第二学期`) or a school year
    /// (`2022-2023`, `2022-2023学年`).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let text = nfkc_trimmed(raw);
        let invalid = || {
            ParseError::new(
                PERIOD_FIELD,
                raw,
                format!(
                    "证明期间“{raw}”格式不正确，请选择一个学期（如 2022-2023-2）或一个学年（如 2022-2023）。"
                ),
            )
        };
        let year_text = text.strip_suffix("学年").unwrap_or(&text);
        let is_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if let Some((first, second)) = year_text.split_once('-')
            && is_digits(first)
            && is_digits(second)
        {
            if first.len() != 4 || second.len() != 4 {
                return Err(invalid());
            }
            let first: i16 = first.parse().map_err(|_| invalid())?;
            let second: i16 = second.parse().map_err(|_| invalid())?;
            if second != first.saturating_add(1) || TermCode::new(first, 1).is_none() {
                return Err(invalid());
            }
            return Ok(Period::SchoolYear(first));
        }
        TermCode::parse(&text)
            .map(Period::Term)
            .map_err(|_| invalid())
    }

    /// Returns the school year a term belongs to.
    pub fn school_year_of(term: TermCode) -> Self {
        Period::SchoolYear(term.first_year())
    }

    /// Lists the terms of the period in order.
    pub fn terms(self) -> Vec<TermCode> {
        match self {
            Period::Term(term) => vec![term],
            Period::SchoolYear(first_year) => [1, 2]
                .into_iter()
                .filter_map(|number| TermCode::new(first_year, number))
                .collect(),
        }
    }

    /// Returns the Chinese label, e.g. `2022-2023学年第二学期` or `2022-2023学年`.
    pub fn label(self) -> String {
        match self {
            Period::Term(term) => term.label(),
            Period::SchoolYear(first_year) => {
                format!("{first_year}-{}学年", i32::from(first_year) + 1)
            }
        }
    }
}

impl fmt::Display for Period {
    /// Writes the code form: `2022-2023-2` for a term, `2022-2023` for a school year.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Term(term) => write!(f, "{term}"),
            Period::SchoolYear(first_year) => {
                write!(f, "{first_year}-{}", i32::from(*first_year) + 1)
            }
        }
    }
}

impl FromStr for Period {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Period::parse(raw)
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Characters of a verification code: digits and capital letters without 0, 1, I, L
/// and O, which people confuse when they read a printed code and type it in.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Characters in a verification code. 31 symbols to the 12th power is about 2^59
/// codes: with 100,000 codes issued, 1,000 guesses a second would take about 180 years
/// on average to hit one (an estimate from those two assumed rates).
pub const CODE_LEN: usize = 12;

/// Random bytes at or above this value are discarded, so that every symbol of
/// [`CODE_ALPHABET`] is equally likely: 248 is the largest multiple of 31 up to 256.
const UNBIASED_LIMIT: u8 = 248;

/// Builds a verification code from random bytes, discarding those that would bias the
/// choice. Returns `None` when the bytes run out first; 32 bytes suffice except with
/// a probability below 10^-12.
pub fn code_from_random_bytes(bytes: &[u8]) -> Option<String> {
    let alphabet_len = CODE_ALPHABET.len() as u8;
    let code: String = bytes
        .iter()
        .filter(|byte| **byte < UNBIASED_LIMIT)
        .take(CODE_LEN)
        .map(|byte| char::from(CODE_ALPHABET[usize::from(byte % alphabet_len)]))
        .collect();
    (code.len() == CODE_LEN).then_some(code)
}

/// Normalizes a code as a person typed it: full-width forms, lower case, spaces and
/// hyphens are accepted. Returns `None` when the result is not a well-formed code.
pub fn normalize_code(raw: &str) -> Option<String> {
    let code: String = nfkc_trimmed(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let well_formed =
        code.len() == CODE_LEN && code.bytes().all(|byte| CODE_ALPHABET.contains(&byte));
    well_formed.then_some(code)
}

/// Formats a code in groups of four for printing: `ABCD-EFGH-JKMN`.
pub fn format_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_parses_terms_and_years() {
        let term = Period::parse("2022-2023-2").unwrap();
        assert_eq!(term, Period::Term(TermCode::parse("2022-2023-2").unwrap()));
        assert_eq!(Period::parse("2022-2023学年第二学期").unwrap(), term);
        assert_eq!(
            Period::parse("2022-2023").unwrap(),
            Period::SchoolYear(2022)
        );
        assert_eq!(
            Period::parse(" 2022-2023学年 ").unwrap(),
            Period::SchoolYear(2022)
        );
    }

    #[test]
    fn period_rejects_malformed_text() {
        for raw in ["", "2022", "2022-2024", "22-23", "2022-2023-3", "明年"] {
            let error = Period::parse(raw).unwrap_err();
            assert_eq!(error.field, PERIOD_FIELD, "{raw:?}");
        }
    }

    #[test]
    fn period_labels_codes_and_terms() {
        let year = Period::SchoolYear(2022);
        assert_eq!(year.to_string(), "2022-2023");
        assert_eq!(year.label(), "2022-2023学年");
        let codes: Vec<String> = year.terms().iter().map(ToString::to_string).collect();
        assert_eq!(codes, ["2022-2023-1", "2022-2023-2"]);
        let term = Period::parse("2022-2023-2").unwrap();
        assert_eq!(term.label(), "2022-2023学年第二学期");
        assert_eq!(term.terms().len(), 1);
        assert_eq!(
            Period::school_year_of(TermCode::parse("2022-2023-1").unwrap()),
            year
        );
    }

    #[test]
    fn code_uses_only_unambiguous_characters() {
        let bytes: Vec<u8> = (0..=255).collect();
        let code = code_from_random_bytes(&bytes).unwrap();
        assert_eq!(code.len(), CODE_LEN);
        for confusing in ['0', '1', 'I', 'L', 'O'] {
            assert!(!CODE_ALPHABET.contains(&(confusing as u8)), "{confusing}");
        }
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
    }

    #[test]
    fn code_skips_biased_bytes() {
        let mut bytes = vec![250u8; 20];
        bytes.extend([0u8; 12]);
        assert_eq!(code_from_random_bytes(&bytes).unwrap(), "222222222222");
        assert_eq!(code_from_random_bytes(&[255u8; 64]), None);
    }

    #[test]
    fn typed_codes_normalize() {
        assert_eq!(
            normalize_code("abcd-efgh-jkmn").as_deref(),
            Some("ABCDEFGHJKMN")
        );
        assert_eq!(
            normalize_code(" ＡＢＣＤ ＥＦＧＨ ＪＫＭＮ ").as_deref(),
            Some("ABCDEFGHJKMN")
        );
        for raw in [
            "",
            "ABCD",
            "ABCD-EFGH-JKM0",
            "ABCDEFGHJKMNP",
            "ABCD/EFGH/JKMN",
        ] {
            assert_eq!(normalize_code(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn code_prints_in_groups_of_four() {
        assert_eq!(format_code("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
    }
}
