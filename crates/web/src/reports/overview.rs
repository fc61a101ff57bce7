//! The per-unit table page (一览表) and its `.xlsx` and CSV downloads.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use xueshi_core::report::{UnitRow, UnitTable};
use xueshi_store::reports::{self, UnitInReview};

use super::picker::{Picker, ReportQuery, Scope};
use super::term::select_term;
use super::{percent, table};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::page::Page;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";

/// One row of the per-unit table as the page shows it.
pub struct RowView {
    pub unit: String,
    pub submitted: u64,
    pub passed: u64,
    pub rejected: u64,
    pub rate: String,
}

impl From<&UnitRow> for RowView {
    fn from(row: &UnitRow) -> Self {
        Self {
            unit: row.unit.clone(),
            submitted: row.submitted,
            passed: row.passed,
            rejected: row.rejected,
            rate: percent(row.pass_rate_percent),
        }
    }
}

/// The claims of one unit still in review, as the page shows them.
pub struct InReviewView {
    pub unit: String,
    pub at_office: u64,
    pub at_unit: u64,
    pub at_school: u64,
    pub returned: u64,
    pub total: u64,
}

impl From<&UnitInReview> for InReviewView {
    fn from(unit: &UnitInReview) -> Self {
        Self {
            unit: unit.unit_name.clone(),
            at_office: unit.at_office,
            at_unit: unit.at_unit,
            at_school: unit.at_school,
            returned: unit.returned,
            total: unit.total(),
        }
    }
}

/// Builds the rows of the claims-in-review table and its total row.
pub fn in_review_views(units: &[UnitInReview]) -> (Vec<InReviewView>, InReviewView) {
    let rows: Vec<InReviewView> = table::in_review_rows(units)
        .iter()
        .map(InReviewView::from)
        .collect();
    let total = InReviewView {
        unit: xueshi_core::report::TOTAL_ROW.to_owned(),
        at_office: rows.iter().map(|row| row.at_office).sum(),
        at_unit: rows.iter().map(|row| row.at_unit).sum(),
        at_school: rows.iter().map(|row| row.at_school).sum(),
        returned: rows.iter().map(|row| row.returned).sum(),
        total: rows.iter().map(|row| row.total).sum(),
    };
    (rows, total)
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/index.html")]
pub struct IndexPage {
    page: Page,
    picker: Picker,
    headers: [&'static str; 5],
    rows: Vec<RowView>,
    total: RowView,
    other_units_note: Option<String>,
    in_review: Vec<InReviewView>,
    in_review_total: InReviewView,
}

/// Shows the per-unit table of a term, the claims still in review, and the downloads.
pub async fn index(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<IndexPage> {
    let mut conn = state.db.conn().await?;
    let selection = select_term(&mut conn, query.term.as_deref()).await?;
    let unit_table = table::load(&mut conn, selection.term.code).await?;
    let in_review = reports::in_review_by_unit(&mut conn, selection.term.code).await?;

    let (in_review, in_review_total) = in_review_views(&in_review);
    let picker = Picker::new(&user, "/reports", &selection, &Scope::School, &[]);
    Ok(IndexPage {
        page: page.titled(format!("{}统计", picker.term_label)),
        headers: table::HEADERS,
        rows: unit_table.rows.iter().map(RowView::from).collect(),
        total: RowView::from(&unit_table.total),
        other_units_note: table::other_units_note(&unit_table),
        in_review,
        in_review_total,
        picker,
    })
}

/// Loads the table of the term the query names, or of the current term.
async fn table_of(
    state: &AppState,
    query: &ReportQuery,
) -> AppResult<(xueshi_core::TermCode, UnitTable)> {
    let mut conn = state.db.conn().await?;
    let selection = select_term(&mut conn, query.term.as_deref()).await?;
    let unit_table = table::load(&mut conn, selection.term.code).await?;
    Ok((selection.term.code, unit_table))
}

/// Builds a download response with its type and Chinese file name.
pub fn download(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                CONTENT_TYPE,
                axum::http::HeaderValue::from_static(content_type),
            ),
            (
                CONTENT_DISPOSITION,
                crate::files::content_disposition("attachment", file_name),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Sends the per-unit table as `.xlsx`.
pub async fn units_xlsx(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let (term, unit_table) = table_of(&state, &query).await?;
    let bytes = tokio::task::spawn_blocking(move || table::xlsx(term, &unit_table))
        .await
        .map_err(|error| AppError::Internal(error.into()))?
        .map_err(|error| AppError::Internal(error.into()))?;
    Ok(download(XLSX_TYPE, &table::file_name(term, "xlsx"), bytes))
}

/// Sends the per-unit table as CSV in UTF-8 with BOM.
pub async fn units_csv(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let (term, unit_table) = table_of(&state, &query).await?;
    let bytes = table::csv(&unit_table).map_err(|error| AppError::Internal(error.into()))?;
    Ok(download(CSV_TYPE, &table::file_name(term, "csv"), bytes))
}
