//! The breakdown pages of a term: rejection reasons per unit, outcomes per category, lax
//! lower-level review and ledger timeliness. Each can be scoped to one unit.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use xueshi_core::report::{
    LaxReviewShare, LowerApprovalCounts, OTHER_UNITS_ROW, lax_review_shares_from_counts,
};
use xueshi_core::{ReviewLevel, UnitKind};
use xueshi_store::reports::{self, ReasonCount};

use super::percent;
use super::picker::{Picker, ReportQuery, Scope, scope_for};
use super::term::{TermSelection, select_term};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Query;
use crate::page::Page;

/// Label of rejections without a recorded reason.
const NO_REASON: &str = "未注明原因";

/// Everything a breakdown page starts from: the term, the scope and the picker.
struct Context {
    selection: TermSelection,
    scope: Scope,
    picker: Picker,
}

async fn context(
    state: &AppState,
    user: &CurrentUser,
    action: &'static str,
    query: &ReportQuery,
) -> AppResult<Context> {
    let mut conn = state.db.conn().await?;
    let selection = select_term(&mut conn, query.term.as_deref()).await?;
    let (scope, units) = scope_for(&mut conn, user, query.unit.as_deref()).await?;
    let picker = Picker::new(user, action, &selection, &scope, &units);
    Ok(Context {
        selection,
        scope,
        picker,
    })
}

/// Returns the row name a unit counts under: its own, or 其他单位 for units of kind
/// `other` when the whole school is shown, as in the per-unit table.
fn row_name(name: &str, kind: UnitKind, scope: &Scope) -> String {
    if kind == UnitKind::Other && *scope == Scope::School {
        OTHER_UNITS_ROW.to_owned()
    } else {
        name.to_owned()
    }
}

/// Rejected claims per unit (rows) and reason (columns).
pub struct ReasonMatrix {
    pub reasons: Vec<String>,
    pub rows: Vec<MatrixRow>,
    /// Column sums, one per reason.
    pub totals: Vec<u64>,
    pub total: u64,
}

/// One unit's rejected claims per reason.
pub struct MatrixRow {
    pub unit: String,
    pub counts: Vec<u64>,
    pub total: u64,
}

/// Builds the matrix of rejection reasons. Rows follow `unit_order` (names of the rows
/// in the order wanted) and then the store's unit order; reasons follow their pick-list
/// order.
pub fn reason_matrix(counts: &[ReasonCount], scope: &Scope, unit_order: &[String]) -> ReasonMatrix {
    let mut reasons: Vec<(i64, String, String)> = Vec::new();
    for count in counts {
        let code = count.reason_code.clone().unwrap_or_default();
        if !reasons.iter().any(|(_, known, _)| *known == code) {
            let label = count
                .reason_label
                .clone()
                .unwrap_or_else(|| NO_REASON.to_owned());
            reasons.push((count.reason_order, code, label));
        }
    }
    reasons.sort();

    let mut names: Vec<String> = unit_order.to_vec();
    let mut cells: BTreeMap<(String, String), u64> = BTreeMap::new();
    for count in counts {
        let name = row_name(&count.unit_name, count.kind, scope);
        if !names.contains(&name) {
            names.push(name.clone());
        }
        let code = count.reason_code.clone().unwrap_or_default();
        *cells.entry((name, code)).or_default() += count.claims;
    }

    let rows: Vec<MatrixRow> = names
        .into_iter()
        .map(|unit| {
            let counts: Vec<u64> = reasons
                .iter()
                .map(|(_, code, _)| {
                    cells
                        .get(&(unit.clone(), code.clone()))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            MatrixRow {
                total: counts.iter().sum(),
                unit,
                counts,
            }
        })
        .filter(|row| row.total > 0)
        .collect();
    let totals: Vec<u64> = (0..reasons.len())
        .map(|column| rows.iter().map(|row| row.counts[column]).sum())
        .collect();
    ReasonMatrix {
        total: totals.iter().sum(),
        totals,
        reasons: reasons.into_iter().map(|(_, _, label)| label).collect(),
        rows,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/reasons.html")]
pub struct ReasonsPage {
    page: Page,
    picker: Picker,
    matrix: ReasonMatrix,
}

/// Shows the rejected claims of a term per unit and reason.
pub async fn reasons(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<ReasonsPage> {
    let context = context(&state, &user, "/reports/reasons", &query).await?;
    let mut conn = state.db.conn().await?;
    let counts = reports::rejection_reasons(
        &mut conn,
        context.selection.term.code,
        context.scope.unit_id(),
    )
    .await?;
    Ok(ReasonsPage {
        page: page.titled("未通过原因统计"),
        matrix: reason_matrix(&counts, &context.scope, &[]),
        picker: context.picker,
    })
}

/// One category's claims as the page shows them.
pub struct CategoryView {
    pub name: String,
    pub submitted: u64,
    pub passed: u64,
    pub rejected: u64,
    pub rate: String,
    pub in_review: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/categories.html")]
pub struct CategoriesPage {
    page: Page,
    picker: Picker,
    rows: Vec<CategoryView>,
    total: CategoryView,
}

/// Shows the claims of a term per category.
pub async fn categories(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<CategoriesPage> {
    let context = context(&state, &user, "/reports/categories", &query).await?;
    let mut conn = state.db.conn().await?;
    let outcomes = reports::category_outcomes(
        &mut conn,
        context.selection.term.code,
        context.scope.unit_id(),
    )
    .await?;
    let rows: Vec<CategoryView> = outcomes
        .iter()
        .map(|category| CategoryView {
            name: format!("{}. {}", category.code, category.name),
            submitted: category.submitted(),
            passed: category.accredited,
            rejected: category.rejected,
            rate: percent(category.pass_rate_percent()),
            in_review: category.in_review,
        })
        .collect();
    let passed: u64 = rows.iter().map(|row| row.passed).sum();
    let submitted: u64 = rows.iter().map(|row| row.submitted).sum();
    let total = CategoryView {
        name: xueshi_core::report::TOTAL_ROW.to_owned(),
        submitted,
        passed,
        rejected: rows.iter().map(|row| row.rejected).sum(),
        rate: percent(xueshi_core::report::pass_rate_percent(passed, submitted)),
        in_review: rows.iter().map(|row| row.in_review).sum(),
    };
    Ok(CategoriesPage {
        page: page.titled("培训类别统计"),
        picker: context.picker,
        rows,
        total,
    })
}

/// One group's share of lower-level approvals that school rejected, for display.
pub struct ShareView {
    pub group: String,
    pub decided: u64,
    pub rejected: u64,
    pub rate: String,
}

impl From<LaxReviewShare> for ShareView {
    fn from(share: LaxReviewShare) -> Self {
        Self {
            group: share.group,
            decided: share.decided_at_school,
            rejected: share.rejected_at_school,
            rate: percent(share.percent),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/review.html")]
pub struct ReviewPage {
    page: Page,
    picker: Picker,
    units: Vec<ShareView>,
    offices: Vec<ShareView>,
}

/// Shows, per unit and per office, how many approvals of the lower review levels school
/// then rejected.
pub async fn review(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<ReviewPage> {
    let context = context(&state, &user, "/reports/review", &query).await?;
    let mut conn = state.db.conn().await?;
    let groups = reports::lower_approvals(
        &mut conn,
        context.selection.term.code,
        context.scope.unit_id(),
    )
    .await?;
    let counts_at = |level: ReviewLevel| -> Vec<LowerApprovalCounts> {
        groups
            .iter()
            .filter(|group| group.level == level)
            .map(|group| LowerApprovalCounts {
                group: match (level, &group.office_name) {
                    (ReviewLevel::Office, Some(office)) => format!("{}·{office}", group.unit_name),
                    (ReviewLevel::Office, None) => format!("{}·（无教研室）", group.unit_name),
                    _ => group.unit_name.clone(),
                },
                decided_at_school: group.decided_at_school,
                rejected_at_school: group.rejected_at_school,
            })
            .collect()
    };
    let units = lax_review_shares_from_counts(&counts_at(ReviewLevel::Unit));
    let offices = lax_review_shares_from_counts(&counts_at(ReviewLevel::Office));
    Ok(ReviewPage {
        page: page.titled("审核把关情况"),
        picker: context.picker,
        units: units.into_iter().map(ShareView::from).collect(),
        offices: offices.into_iter().map(ShareView::from).collect(),
    })
}

/// One organizer's ledger filings as the page shows them.
pub struct LedgerView {
    pub organizer: String,
    pub filed: u64,
    pub late: u64,
    pub late_rate: String,
    /// Empty when nothing was filed.
    pub median_days: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/ledger.html")]
pub struct LedgerPage {
    page: Page,
    picker: Picker,
    rows: Vec<LedgerView>,
    late_after_days: i64,
}

/// Shows how many activities each organizer filed in the ledger, how many late, and the
/// median filing delay.
pub async fn ledger(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<LedgerPage> {
    let context = context(&state, &user, "/reports/ledger", &query).await?;
    let mut conn = state.db.conn().await?;
    let timeliness = reports::ledger_timeliness(
        &mut conn,
        context.selection.term.code,
        context.scope.unit_id(),
    )
    .await?;
    let rows = timeliness
        .into_iter()
        .map(|row| LedgerView {
            organizer: row.unit_name.unwrap_or_else(|| "教师发展中心".to_owned()),
            filed: row.filed,
            late: row.late,
            late_rate: percent(xueshi_core::report::pass_rate_percent(row.late, row.filed)),
            median_days: row
                .median_delay_days
                .map(|days| days.to_string())
                .unwrap_or_default(),
        })
        .collect();
    Ok(LedgerPage {
        page: page.titled("台账备案及时性"),
        picker: context.picker,
        rows,
        late_after_days: state.config.ledger_late_days,
    })
}
