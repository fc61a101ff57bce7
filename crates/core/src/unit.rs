//! Units (院部) and their kinds.

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;

/// Whether a unit teaches (it gets its own row in the per-unit table) or not (its claims
/// are summed in one row, 其他单位).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Teaching,
    Other,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Teaching => "teaching",
            UnitKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Teaching => "教学单位",
            UnitKind::Other => "非教学单位",
        }
    }

    /// Guesses the kind of a unit first met in a spreadsheet from the end of its name:
    /// offices (处、办), libraries (馆), centers (中心) and committees are `Other`,
    /// everything else (学院、系、部 …) is `Teaching`. An administrator can change it later.
    pub fn guess_from_name(name: &str) -> UnitKind {
        const OTHER_ENDINGS: [&str; 8] =
            ["处", "办", "办公室", "馆", "中心", "委员会", "党委", "工会"];
        let name = name.trim();
        if OTHER_ENDINGS.iter().any(|ending| name.ends_with(ending)) {
            UnitKind::Other
        } else {
            UnitKind::Teaching
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UnitKind {
    type Err = ParseError;

    /// Parses `teaching`/`other` and the Chinese labels.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match crate::text::nfkc_trimmed(raw).as_str() {
            "teaching" | "教学单位" | "教学" => Ok(UnitKind::Teaching),
            "other" | "非教学单位" | "其他" | "其他单位" => Ok(UnitKind::Other),
            _ => Err(ParseError::new(
                "单位类型",
                raw,
                format!("单位类型“{raw}”无效，请填写 teaching（教学单位）或 other（非教学单位）。"),
            )),
        }
    }
}

/// The name a unit or office is displayed with, and the key it matches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName {
    pub display: String,
    pub key: String,
}

impl OrgName {
    /// Parses a unit or office name: trimmed for display, NFKC without spaces for matching.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ParseError> {
        let display = crate::text::clean_name(raw);
        if display.is_empty() {
            return Err(ParseError::new(field, raw, format!("{field}不能为空。")));
        }
        if display.chars().count() > 60 {
            return Err(ParseError::new(
                field,
                raw,
                format!("{field}“{display}”过长，最多 60 个字符。"),
            ));
        }
        Ok(Self {
            key: crate::text::name_key(&display),
            display,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_parses_codes_and_labels() {
        assert_eq!("teaching".parse::<UnitKind>().unwrap(), UnitKind::Teaching);
        assert_eq!("其他".parse::<UnitKind>().unwrap(), UnitKind::Other);
        assert!("college".parse::<UnitKind>().is_err());
    }

    #[test]
    fn org_name_trims_and_keys() {
        let name = OrgName::parse("单位", "\u{3000}财经学院 ").unwrap();
        assert_eq!(name.display, "财经学院");
        assert_eq!(name.key, OrgName::parse("单位", "财经 学院").unwrap().key);
    }

    #[test]
    fn kind_guessed_from_name() {
        for name in ["音乐学院", "思政部", "基础教学部", "数学系"] {
            assert_eq!(
                UnitKind::guess_from_name(name),
                UnitKind::Teaching,
                "{name}"
            );
        }
        for name in ["教务处", "教师发展中心", "图书馆", "校长办公室", "招生办"]
        {
            assert_eq!(UnitKind::guess_from_name(name), UnitKind::Other, "{name}");
        }
    }
}
