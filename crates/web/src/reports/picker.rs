//! What every report page shares: the term and unit pickers, the tabs between the
//! report pages, and the unit whose figures a person may see.

use xueshi_core::RoleKind;
use xueshi_store::Conn as AnyConnection;
use xueshi_store::units;

use super::term::TermSelection;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The query string of every report page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportQuery {
    /// A term code such as `2022-2023-2`; the current term when missing.
    pub term: Option<String>,
    /// A unit id; the whole school when missing or empty.
    pub unit: Option<String>,
}

/// The units whose figures a page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    School,
    Unit { id: String, name: String },
}

impl Scope {
    pub fn unit_id(&self) -> Option<&str> {
        match self {
            Scope::School => None,
            Scope::Unit { id, .. } => Some(id),
        }
    }

    pub fn unit_name(&self) -> Option<&str> {
        match self {
            Scope::School => None,
            Scope::Unit { name, .. } => Some(name),
        }
    }
}

/// Returns the units a person may pick: every unit for a center administrator, the
/// units they review for a unit reviewer.
async fn visible_units(
    conn: &mut AnyConnection,
    user: &CurrentUser,
) -> AppResult<Vec<(String, String)>> {
    let all = units::list(conn).await?;
    if user.has(RoleKind::CenterAdmin) {
        return Ok(all.into_iter().map(|unit| (unit.id, unit.name)).collect());
    }
    let reviewed = user.scopes(RoleKind::UnitReviewer);
    Ok(all
        .into_iter()
        .filter(|unit| reviewed.contains(&unit.id))
        .map(|unit| (unit.id, unit.name))
        .collect())
}

/// Decides which units a page shows. A center administrator sees the whole school or the
/// unit requested; a unit reviewer always sees one unit they review, the requested one
/// when it is theirs.
pub async fn scope_for(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    requested: Option<&str>,
) -> AppResult<(Scope, Vec<(String, String)>)> {
    let units = visible_units(conn, user).await?;
    let requested = requested.map(str::trim).filter(|id| !id.is_empty());
    let chosen = match requested {
        Some(id) => units.iter().find(|(unit_id, _)| unit_id == id),
        None => None,
    };
    if requested.is_some() && chosen.is_none() {
        return Err(AppError::invalid(
            "所选单位不存在或不在您的权限范围内，请从列表中重新选择单位。",
        ));
    }
    let scope = match chosen {
        Some((id, name)) => Scope::Unit {
            id: id.clone(),
            name: name.clone(),
        },
        None if user.has(RoleKind::CenterAdmin) => Scope::School,
        None => {
            let (id, name) = units.first().ok_or_else(AppError::forbidden)?;
            Scope::Unit {
                id: id.clone(),
                name: name.clone(),
            }
        }
    };
    Ok((scope, units))
}

/// One option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A link to another report page for the same term and unit.
#[derive(Debug, Clone)]
pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// The pickers and tabs at the top of a report page.
#[derive(Debug, Clone)]
pub struct Picker {
    /// The page the picker form submits to.
    pub action: &'static str,
    pub terms: Vec<Choice>,
    /// The selected term's code.
    pub term: String,
    /// The selected term's label, e.g. 2022-2023学年第二学期.
    pub term_label: String,
    /// Units to choose from; empty when the page is not scoped by unit.
    pub units: Vec<Choice>,
    /// Whether the unit picker offers the whole school.
    pub whole_school: bool,
    /// The unit shown, or `None` for the whole school.
    pub unit_name: Option<String>,
    pub tabs: Vec<Tab>,
}

/// The report pages: path, tab label, and whether unit reviewers may open them.
const PAGES: [(&str, &str, bool); 8] = [
    ("/reports", "一览表", false),
    ("/reports/dashboard", "统计图", false),
    ("/reports/reasons", "未通过原因", true),
    ("/reports/categories", "培训类别", true),
    ("/reports/review", "审核把关", true),
    ("/reports/ledger", "台账备案", true),
    ("/reports/hours", "教师学时", true),
    ("/reports/exports", "申报明细", true),
];

impl Picker {
    /// Builds the picker of the page at `action` for the selected term and scope. With
    /// `units` empty the page shows no unit picker.
    pub fn new(
        user: &CurrentUser,
        action: &'static str,
        selection: &TermSelection,
        scope: &Scope,
        units: &[(String, String)],
    ) -> Self {
        let is_center = user.has(RoleKind::CenterAdmin);
        let term = selection.term.code.to_string();
        let unit_id = scope.unit_id().unwrap_or_default();
        let query = match scope.unit_id() {
            Some(unit) => serde_urlencoded::to_string([("term", term.as_str()), ("unit", unit)]),
            None => serde_urlencoded::to_string([("term", term.as_str())]),
        }
        .unwrap_or_default();
        let tabs = PAGES
            .iter()
            .filter(|(_, _, for_units)| is_center || *for_units)
            .map(|(path, label, for_units)| Tab {
                // The center-only pages cover the whole school, so they drop the unit.
                href: if *for_units {
                    format!("{path}?{query}")
                } else {
                    format!("{path}?term={term}")
                },
                label,
                active: *path == action,
            })
            .collect();
        Self {
            action,
            terms: selection
                .all
                .iter()
                .map(|option| Choice {
                    value: option.code.to_string(),
                    label: option.code.label(),
                    selected: option.code == selection.term.code,
                })
                .collect(),
            term_label: selection.term.code.label(),
            term,
            units: units
                .iter()
                .map(|(id, name)| Choice {
                    value: id.clone(),
                    label: name.clone(),
                    selected: id == unit_id,
                })
                .collect(),
            whole_school: is_center,
            unit_name: scope.unit_name().map(str::to_owned),
            tabs,
        }
    }
}
