//! "我的申报": a teacher's claims of one term, the hours the school credited from
//! attendance, and the total against the term's required hours.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use xueshi_core::{ClaimStatus, Hours};
use xueshi_store::activities::{self, CreditedActivity};
use xueshi_store::claims::{self, ClaimRow, DecisionKind, HoursSummary};
use xueshi_store::terms::Term;
use xueshi_store::{Conn, evidence};

use super::view::{WindowView, dates_text, resolve_term, today};
use super::{status_badge, status_text};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Query;
use crate::page::Page;

#[derive(Debug, Default, serde::Deserialize)]
pub struct TermQuery {
    term: Option<String>,
}

/// One claim in the list.
pub struct ListRow {
    pub row: ClaimRow,
    pub dates: String,
    pub status: String,
    pub badge: &'static str,
}

/// A draft or returned claim at the top of the page, with what to do next.
pub struct TodoRow {
    pub id: String,
    pub topic: String,
    pub status: String,
    pub badge: &'static str,
    pub next_step: String,
    /// The reviewer's comment of the latest return.
    pub comment: Option<String>,
}

/// The credited hours against the term's requirement, for the progress bar.
pub struct Progress {
    pub credited: Hours,
    pub required: Hours,
    /// Value and maximum of the `<progress>` element, in tenths of an hour.
    pub value: i64,
    pub max: i64,
    pub remaining: Hours,
}

impl Progress {
    fn new(summary: &HoursSummary, required: Hours) -> Self {
        let credited = summary.credited_total();
        let max = required.tenths().max(1);
        Self {
            credited,
            required,
            value: credited.tenths().clamp(0, max),
            max,
            remaining: required.saturating_sub(credited),
        }
    }

    pub fn reached(&self) -> bool {
        self.remaining.is_zero()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "claims/list.html")]
pub struct ListPage {
    page: Page,
    term: Option<Term>,
    terms: Vec<Term>,
    window: Option<WindowView>,
    todo: Vec<TodoRow>,
    rows: Vec<ListRow>,
    credits: Vec<CreditedActivity>,
    summary: HoursSummary,
    progress: Option<Progress>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<TermQuery>,
) -> AppResult<ListPage> {
    let mut conn = state.db.conn().await?;
    let (term, terms) = resolve_term(&mut conn, query.term.as_deref()).await?;
    let Some(term) = term else {
        return Ok(ListPage {
            page: page.titled("我的申报"),
            term: None,
            terms,
            window: None,
            todo: Vec::new(),
            rows: Vec::new(),
            credits: Vec::new(),
            summary: HoursSummary::default(),
            progress: None,
        });
    };

    let claim_rows = claims::list_for_teacher(&mut conn, &user.person_id, term.code).await?;
    let todo = todo_rows(&mut conn, &claim_rows).await?;
    let summary = claims::hours_summary(&mut conn, &user.person_id, term.code).await?;
    let credits = activities::school_credits_for(&mut conn, &user.person_id, term.code).await?;
    let rows = claim_rows
        .into_iter()
        .map(|row| ListRow {
            dates: dates_text(row.start_date, row.end_date),
            status: status_text(row.status, row.level),
            badge: status_badge(row.status),
            row,
        })
        .collect();
    Ok(ListPage {
        page: page.titled("我的申报"),
        window: Some(WindowView::of(&term, today())),
        progress: Some(Progress::new(&summary, term.required_hours)),
        term: Some(term),
        terms,
        todo,
        rows,
        credits,
        summary,
    })
}

/// Lists the drafts and returned claims with the next step for each.
async fn todo_rows(conn: &mut Conn, rows: &[ClaimRow]) -> AppResult<Vec<TodoRow>> {
    let mut todo = Vec::new();
    for row in rows.iter().filter(|row| row.status.is_editable()) {
        let files = evidence::list(conn, &row.id).await?.len();
        let (next_step, comment) = if row.status == ClaimStatus::Returned {
            let comment = claims::history(conn, &row.id)
                .await?
                .into_iter()
                .rev()
                .find(|decision| decision.decision == DecisionKind::Return)
                .map(|decision| decision.comment)
                .filter(|comment| !comment.is_empty());
            ("按审核意见修改后重新提交。".to_owned(), comment)
        } else if files == 0 {
            (
                "上传佐证材料（如结业证书、学习截图），然后提交。".to_owned(),
                None,
            )
        } else {
            (format!("已上传 {files} 个文件，检查无误后提交。"), None)
        };
        todo.push(TodoRow {
            id: row.id.clone(),
            topic: row.topic.clone(),
            status: status_text(row.status, row.level),
            badge: status_badge(row.status),
            next_step,
            comment,
        });
    }
    Ok(todo)
}

/// The figures of the teacher's section of the home page, for the current term.
pub struct TeacherSummary {
    pub term_label: String,
    pub credited: Hours,
    pub required: Hours,
    pub drafts: usize,
    pub returned: usize,
    pub pending: usize,
    pub accredited: usize,
}

/// Sums up the teacher's current term; `None` when no term exists yet.
pub async fn teacher_summary(
    state: &AppState,
    user: &CurrentUser,
) -> AppResult<Option<TeacherSummary>> {
    let mut conn = state.db.conn().await?;
    let (Some(term), _) = resolve_term(&mut conn, None).await? else {
        return Ok(None);
    };
    let rows = claims::list_for_teacher(&mut conn, &user.person_id, term.code).await?;
    let summary = claims::hours_summary(&mut conn, &user.person_id, term.code).await?;
    let count = |status: ClaimStatus| rows.iter().filter(|row| row.status == status).count();
    Ok(Some(TeacherSummary {
        term_label: term.code.label(),
        credited: summary.credited_total(),
        required: term.required_hours,
        drafts: count(ClaimStatus::Draft),
        returned: count(ClaimStatus::Returned),
        pending: count(ClaimStatus::Pending),
        accredited: count(ClaimStatus::Accredited),
    }))
}
