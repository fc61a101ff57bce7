//! Roles a person holds, some scoped to an office or a unit.

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;

/// The kinds of role. One person may hold several.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RoleKind {
    Teacher,
    /// 教研室主任: reviews first, scoped to one office.
    OfficeDirector,
    /// 院（部）审核人: reviews second, scoped to one unit.
    UnitReviewer,
    /// 教师发展中心管理员: reviews last and runs the term.
    CenterAdmin,
    /// 系统管理员: runs the installation.
    SystemAdmin,
}

impl RoleKind {
    pub const ALL: [RoleKind; 5] = [
        RoleKind::Teacher,
        RoleKind::OfficeDirector,
        RoleKind::UnitReviewer,
        RoleKind::CenterAdmin,
        RoleKind::SystemAdmin,
    ];

    /// The name used on the command line, in the database and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Teacher => "teacher",
            RoleKind::OfficeDirector => "office-director",
            RoleKind::UnitReviewer => "unit-reviewer",
            RoleKind::CenterAdmin => "center-admin",
            RoleKind::SystemAdmin => "system-admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoleKind::Teacher => "教师",
            RoleKind::OfficeDirector => "教研室主任",
            RoleKind::UnitReviewer => "院（部）审核人",
            RoleKind::CenterAdmin => "教师发展中心管理员",
            RoleKind::SystemAdmin => "系统管理员",
        }
    }

    /// What the role's scope names, if it has one.
    pub fn scope(self) -> Option<ScopeKind> {
        match self {
            RoleKind::OfficeDirector => Some(ScopeKind::Office),
            RoleKind::UnitReviewer => Some(ScopeKind::Unit),
            _ => None,
        }
    }

    /// Parses the role names a roster's 角色 column holds, in Chinese or English.
    pub fn parse_label(raw: &str) -> Result<Self, ParseError> {
        let key = crate::text::name_key(raw).replace(['(', ')', '（', '）'], "");
        let kind = match key.as_str() {
            "teacher" | "教师" | "专任教师" => RoleKind::Teacher,
            "office-director" | "教研室主任" | "主任" => RoleKind::OfficeDirector,
            "unit-reviewer" | "院部审核人" | "院系审核人" | "学院审核人" | "审核人" => {
                RoleKind::UnitReviewer
            }
            "center-admin" | "教师发展中心管理员" | "中心管理员" | "管理员" => {
                RoleKind::CenterAdmin
            }
            "system-admin" | "系统管理员" => RoleKind::SystemAdmin,
            _ => {
                return Err(ParseError::new(
                    "角色",
                    raw,
                    format!(
                        "角色“{raw}”无法识别，可填写：教师、教研室主任、院（部）审核人、教师发展中心管理员、系统管理员。"
                    ),
                ));
            }
        };
        Ok(kind)
    }

    /// Parses a list such as "教师、教研室主任" (separators 、,，;；/ and spaces).
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, ParseError> {
        let mut kinds = Vec::new();
        for part in raw.split(['、', ',', '，', ';', '；', '/', ' ', '\u{3000}']) {
            if crate::text::trim_spaces(part).is_empty() {
                continue;
            }
            let kind = Self::parse_label(part)?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok(kinds)
    }
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RoleKind {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        RoleKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| {
                ParseError::new(
                    "角色",
                    raw,
                    format!("角色“{raw}”无效，可选：teacher、office-director、unit-reviewer、center-admin、system-admin。"),
                )
            })
    }
}

/// What a scoped role is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Office,
    Unit,
}

/// A role held by a person: the kind and, for scoped kinds, the office or unit id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Role {
    pub kind: RoleKind,
    /// Office id for office directors, unit id for unit reviewers, `None` otherwise.
    pub scope_id: Option<String>,
}

impl Role {
    pub fn unscoped(kind: RoleKind) -> Self {
        Self {
            kind,
            scope_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_names_round_trip() {
        for kind in RoleKind::ALL {
            assert_eq!(kind.as_str().parse::<RoleKind>().unwrap(), kind);
        }
    }

    #[test]
    fn roster_labels_parse_as_list() {
        let kinds = RoleKind::parse_list("教师、教研室主任，院（部）审核人").unwrap();
        assert_eq!(
            kinds,
            vec![
                RoleKind::Teacher,
                RoleKind::OfficeDirector,
                RoleKind::UnitReviewer
            ]
        );
    }

    #[test]
    fn unknown_label_is_named() {
        let error = RoleKind::parse_list("教师、校长").unwrap_err();
        assert!(error.message.contains("校长"));
    }
}
