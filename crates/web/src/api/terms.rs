//! Terms and their categories, readable by every signed-in person.

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;
use xueshi_core::{CategoryRules, EvidenceRule};
use xueshi_store::categories;

use crate::AppState;
use crate::access::{Access, Route};
use crate::error::AppResult;
use crate::terms::categories::evidence_in_words;
use crate::terms::{find_term, list_terms, today};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/v1/terms", Access::SignedIn, get(list)),
        Route::get(
            "/api/v1/terms/{code}/categories",
            Access::SignedIn,
            get(list_categories),
        ),
    ]
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TermView {
    /// e.g. `2025-2026-1`.
    code: String,
    /// e.g. `2025-2026学年第一学期`.
    label: String,
    /// First day of the submission window, `YYYY-MM-DD`.
    window_start: String,
    /// Last day of the submission window.
    window_end: String,
    review_deadline: String,
    /// Decimal string such as "24" or "12.5", or "0" when the term sets none.
    required_hours: String,
    /// Whether this is the term in effect today (Asia/Shanghai).
    current: bool,
}

/// Lists the terms, newest first.
#[utoipa::path(get, path = "/api/v1/terms", responses((status = 200, body = Vec<TermView>), (status = 401, body = super::ErrorBody)))]
pub async fn list(State(state): State<AppState>) -> AppResult<Json<Vec<TermView>>> {
    let listings = list_terms(&mut *state.db.conn().await?, today()).await?;
    let views = listings
        .into_iter()
        .map(|listing| {
            let term = listing.term;
            TermView {
                code: term.code.to_string(),
                label: term.code.label(),
                window_start: term.window_start.to_string(),
                window_end: term.window_end.to_string(),
                review_deadline: term.review_deadline.to_string(),
                required_hours: term.required_hours.to_string(),
                current: listing.current,
            }
        })
        .collect();
    Ok(Json(views))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    /// The rule's text form: groups separated by `;`, kinds of a group by `|`, e.g.
    /// `certificate|notes|sign_in;screenshot`.
    text: String,
    /// Every group must be met, and one kind of a group meets it. Kinds are `certificate`,
    /// `notes`, `sign_in`, `screenshot`, `photo`, `notice` and `other`.
    groups: Vec<Vec<String>>,
    /// The rule in Chinese.
    description: String,
}

impl From<&EvidenceRule> for EvidenceView {
    fn from(rule: &EvidenceRule) -> Self {
        Self {
            text: rule.to_string(),
            groups: rule
                .groups
                .iter()
                .map(|group| group.iter().map(|kind| kind.as_str().to_owned()).collect())
                .collect(),
            description: evidence_in_words(rule),
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RulesView {
    /// Decimal string, or null for no cap per claim.
    max_hours_per_claim: Option<String>,
    /// Decimal string: the maximum hours of one day of a claim's date span.
    max_hours_per_day: String,
    evidence: EvidenceView,
    /// Whether a claim must point at a ledger activity.
    requires_activity: bool,
    /// Whether the center credits attendance itself, so teachers must not claim it.
    school_accredited: bool,
    /// Characters of typed training notes that stand in for a notes file.
    min_notes_chars: u32,
    /// Words of which a topic in this category usually contains one.
    scope_words: Vec<String>,
}

impl From<&CategoryRules> for RulesView {
    fn from(rules: &CategoryRules) -> Self {
        Self {
            max_hours_per_claim: rules.max_hours_per_claim.map(|hours| hours.to_string()),
            max_hours_per_day: rules.max_hours_per_day.to_string(),
            evidence: EvidenceView::from(&rules.evidence),
            requires_activity: rules.requires_activity,
            school_accredited: rules.school_accredited,
            min_notes_chars: rules.min_notes_chars,
            scope_words: rules.scope_words.clone(),
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    /// 1 to 8, in the order the center publishes the categories.
    code: u8,
    name: String,
    /// The category's scope, in Chinese.
    scope: String,
    rules: RulesView,
}

/// Lists the eight categories of a term with their rules, by code.
#[utoipa::path(get, path = "/api/v1/terms/{code}/categories", params(("code" = String, Path, description = "学年学期，如 2025-2026-1")),
    responses((status = 200, body = Vec<CategoryView>), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn list_categories(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<Vec<CategoryView>>> {
    let mut conn = state.db.conn().await?;
    let term = find_term(&mut conn, &code).await?;
    let views = categories::list_for_term(&mut conn, term.code)
        .await?
        .into_iter()
        .map(|category| CategoryView {
            code: category.code,
            rules: RulesView::from(&category.rules),
            name: category.name,
            scope: category.scope,
        })
        .collect();
    Ok(Json(views))
}
