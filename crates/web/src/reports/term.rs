//! Choosing the term a report is about, with a Chinese message listing the known terms
//! when the requested one does not exist.

use xueshi_core::TermCode;
use xueshi_store::Conn as AnyConnection;
use xueshi_store::StoreError;
use xueshi_store::terms::{self, Term};

use crate::error::AppError;

/// The error of loading a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The term is missing, malformed or unknown. The message is Chinese and lists the
    /// known terms.
    #[error("{0}")]
    Term(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ReportError> for AppError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Term(message) => AppError::invalid(message),
            ReportError::Store(error) => error.into(),
        }
    }
}

/// Lists the known terms as "2022-2023-2（2022-2023学年第二学期）、…", newest first.
fn known_terms(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|term| format!("{}（{}）", term.code, term.code.label()))
        .collect::<Vec<_>>()
        .join("、")
}

fn no_terms_message() -> String {
    "系统中还没有学年学期，请先创建学年学期并完成审核后再查看统计。".to_owned()
}

/// Finds the term `raw` names (`2022-2023-2` or `2022-2023学年第二学期`).
///
/// # Errors
///
/// [`ReportError::Term`] when `raw` is empty, malformed or names no term in the database.
pub async fn find_term(conn: &mut AnyConnection, raw: &str) -> Result<Term, ReportError> {
    let all = terms::list(conn).await?;
    if all.is_empty() {
        return Err(ReportError::Term(no_terms_message()));
    }
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ReportError::Term(format!(
            "请指定学年学期，如 2022-2023-2。已有的学年学期：{}。",
            known_terms(&all)
        )));
    }
    let found = TermCode::parse(raw)
        .ok()
        .and_then(|code| all.iter().find(|term| term.code == code).cloned());
    found.ok_or_else(|| {
        ReportError::Term(format!(
            "没有学年学期“{raw}”的数据。已有的学年学期：{}。请从中选择一个。",
            known_terms(&all)
        ))
    })
}

/// The term a report page shows and the terms its picker offers.
pub struct TermSelection {
    pub term: Term,
    /// Every term, newest first.
    pub all: Vec<Term>,
}

/// Picks the term of a report page: the one `raw` names, or without `raw` the term in
/// effect today (see `terms::current`), or else the newest term.
pub async fn select_term(
    conn: &mut AnyConnection,
    raw: Option<&str>,
) -> Result<TermSelection, ReportError> {
    let all = terms::list(conn).await?;
    if let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) {
        let term = find_term(conn, raw).await?;
        return Ok(TermSelection { term, all });
    }
    let today = xueshi_core::date::school_date(jiff::Timestamp::now());
    let term = match terms::current(conn, today).await? {
        Some(term) => term,
        None => all
            .first()
            .cloned()
            .ok_or_else(|| ReportError::Term(no_terms_message()))?,
    };
    Ok(TermSelection { term, all })
}
