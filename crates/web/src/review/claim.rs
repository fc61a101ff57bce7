//! The review page of one claim. It shows the claim with its flags, evidence, ledger
//! activity and attendance, the teacher's other claims of the term, the decisions and the
//! audit log. The reviewer of the claim's current level also gets the decision forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use xueshi_core::{ClaimStatus, Hours, RejectionReason, ReviewLevel, RoleKind};
use xueshi_store::activities::{self, Activity, Attendee};
use xueshi_store::blobs::BlobError;
use xueshi_store::claims::{self, ClaimDetail, ClaimRow, DecisionRow, QueueFilter};
use xueshi_store::{Conn, audit, categories, evidence, reasons};

use super::decide::{self, DecideOptions, Decided, Proposal};
use super::queue::QueueParams;
use super::{scope, view};
use crate::AppState;
use crate::auth::{ClientInfo, CurrentUser};
use crate::claim_access::{ClaimScope, can_view};
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Query};
use crate::page::{FlashKind, Page, redirect_with_flash};

/// Attendees listed on the page. The rest are only counted.
const ATTENDEES_SHOWN: usize = 50;

/// A flag with its label and the claim it concerns.
pub struct FlagView {
    pub label: String,
    pub message: String,
    pub related_href: Option<String>,
}

/// The kind of preview an evidence file gets on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    /// A thumbnail linking to the original.
    Image,
    /// A HEIC photo: a converted thumbnail when there is one, and the original to download.
    Heic,
    /// Embedded in the page.
    Pdf,
    /// A download link only.
    Download,
}

/// An evidence file as the page shows it.
pub struct EvidenceView {
    pub file_name: String,
    pub kind_label: &'static str,
    pub size_label: String,
    pub preview: Preview,
    pub download_href: String,
    pub thumb_href: String,
    pub inline_href: String,
}

/// The claim's ledger activity and whether the teacher is on its attendance.
pub struct ActivityView {
    pub activity: Activity,
    pub teacher_attended: bool,
    pub attendees: Vec<Attendee>,
    pub more_attendees: usize,
}

/// Another claim of the same teacher in the same term.
pub struct OtherClaim {
    pub row: ClaimRow,
    pub href: String,
    pub status_label: String,
    pub status_badge: &'static str,
}

/// A decision with its time and whether the school overturned it.
pub struct DecisionView {
    pub row: DecisionRow,
    pub at: String,
    pub overturned: bool,
}

/// One audit row as the page shows it.
pub struct AuditView {
    pub at: String,
    pub actor: String,
    /// Shown to center administrators only.
    pub ip: Option<String>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    pub comment: Option<String>,
}

/// The values of the decision forms, kept when a form comes back with an error.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub decision: String,
    pub accredited_hours: String,
    pub reason_code: String,
    pub comment: String,
}

/// A message above the decision forms.
pub struct Notice {
    pub css: &'static str,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "review/claim.html")]
pub struct ReviewPage {
    page: Page,
    claim: ClaimDetail,
    state_label: String,
    status_badge: &'static str,
    category_cap: Option<Hours>,
    submitted_at: String,
    waiting_days: i64,
    flags: Vec<FlagView>,
    evidence: Vec<EvidenceView>,
    activity: Option<ActivityView>,
    other_claims: Vec<OtherClaim>,
    decisions: Vec<DecisionView>,
    overturned: usize,
    audit: Vec<AuditView>,
    reasons: Vec<RejectionReason>,
    /// The level at which the person may decide now, if any.
    level: Option<ReviewLevel>,
    /// The reason the person cannot decide now, when they cannot.
    read_only: Option<String>,
    form: FormValues,
    notice: Option<Notice>,
    queue_query: String,
    back_href: String,
}

impl ReviewPage {
    fn reason_selected(&self, code: &str) -> bool {
        self.form.reason_code == code
    }

    fn comment_for(&self, decision: &str) -> &str {
        if self.form.decision == decision {
            &self.form.comment
        } else {
            ""
        }
    }

    fn hours_value(&self) -> String {
        if self.form.decision == "approve" && !self.form.accredited_hours.is_empty() {
            self.form.accredited_hours.clone()
        } else {
            self.claim.claimed_hours.to_string()
        }
    }
}

/// Loads a claim for a reviewer: a draft or a missing claim is `NotFound`, the person's
/// own claim or one outside their scope `Forbidden`.
async fn load_claim(conn: &mut Conn, user: &CurrentUser, id: &str) -> AppResult<ClaimDetail> {
    let claim = claims::get(conn, id).await?;
    if claim.status == ClaimStatus::Draft {
        return Err(AppError::NotFound);
    }
    if claim.teacher_id == user.person_id {
        return Err(AppError::Forbidden(
            "这是您本人的申报。审核人不能审核本人的申报，请在“我的申报”中查看它的进度。".into(),
        ));
    }
    if !scope::reviews_claim(user, &claim) {
        return Err(AppError::Forbidden("这条申报不在您的审核范围内。".into()));
    }
    Ok(claim)
}

fn evidence_views(claim: &ClaimDetail) -> Vec<EvidenceView> {
    claim
        .evidence
        .iter()
        .map(|file| {
            let preview = match file.file_type.as_str() {
                "jpeg" | "png" | "webp" => Preview::Image,
                "heic" => Preview::Heic,
                "pdf" => Preview::Pdf,
                _ => Preview::Download,
            };
            EvidenceView {
                file_name: file.file_name.clone(),
                kind_label: file.kind.label(),
                size_label: size_label(file.size),
                preview,
                // NOTE: `/evidence/{id}` and `/evidence/{id}/thumb` belong to the teacher's
                // claim pages. This page only links to them.
                download_href: format!("/evidence/{}", file.id),
                thumb_href: format!("/evidence/{}/thumb", file.id),
                inline_href: format!("/reviews/{}/evidence/{}/inline", claim.id, file.id),
            }
        })
        .collect()
}

fn size_label(bytes: i64) -> String {
    const KIB: i64 = 1024;
    if bytes < KIB * KIB {
        format!("{} KB", (bytes + KIB - 1) / KIB)
    } else {
        format!("{:.1} MB", bytes as f64 / (KIB * KIB) as f64)
    }
}

async fn activity_view(conn: &mut Conn, claim: &ClaimDetail) -> AppResult<Option<ActivityView>> {
    let Some(activity_id) = &claim.activity_id else {
        return Ok(None);
    };
    let activity = activities::get(conn, activity_id).await?;
    let attendees = activities::attendance(conn, activity_id).await?;
    let teacher_attended = attendees
        .iter()
        .any(|attendee| attendee.person_id == claim.teacher_id);
    let more_attendees = attendees.len().saturating_sub(ATTENDEES_SHOWN);
    Ok(Some(ActivityView {
        activity,
        teacher_attended,
        attendees: attendees.into_iter().take(ATTENDEES_SHOWN).collect(),
        more_attendees,
    }))
}

async fn audit_views(conn: &mut Conn, claim_id: &str, show_ip: bool) -> AppResult<Vec<AuditView>> {
    let rows = audit::for_entity(conn, "claim", claim_id).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let reason = match &row.reason_code {
            Some(code) => Some(reasons::label(conn, code).await.unwrap_or(code.clone())),
            None => None,
        };
        views.push(AuditView {
            at: view::format_time(row.at),
            actor: row.actor_name.unwrap_or_else(|| "系统".to_owned()),
            ip: row.actor_ip.filter(|_| show_ip),
            action: view::audit_action_label(&row.action).to_owned(),
            before: view::audit_state_label(row.before_json.as_deref()),
            after: view::audit_state_label(row.after_json.as_deref()),
            reason,
            comment: row.comment,
        });
    }
    Ok(views)
}

/// Builds the review page for the claim as it is now.
async fn build_page(
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    id: &str,
    queue: &QueueParams,
    form: FormValues,
    notice: Option<Notice>,
) -> AppResult<ReviewPage> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let claim = load_claim(conn, user, id).await?;
    let category = categories::get(conn, &claim.category_id).await?;
    let activity = activity_view(conn, &claim).await?;
    let queue_query = queue.to_query(None);

    let other_claims = claims::list_for_teacher(conn, &claim.teacher_id, claim.term_code)
        .await?
        .into_iter()
        .filter(|row| row.id != claim.id && row.status != ClaimStatus::Draft)
        .map(|row| OtherClaim {
            href: format!("/reviews/{}?{queue_query}", row.id),
            status_label: view::state_label(row.status, row.level),
            status_badge: view::status_badge(row.status),
            row,
        })
        .collect();
    let overturned_ids = claims::overturned_approvals(conn, &claim.id).await?;
    let decisions: Vec<DecisionView> = claims::history(conn, &claim.id)
        .await?
        .into_iter()
        .map(|row| DecisionView {
            at: view::format_time(row.decided_at),
            overturned: overturned_ids.contains(&row.id),
            row,
        })
        .collect();
    let audit = audit_views(conn, &claim.id, user.has(RoleKind::CenterAdmin)).await?;
    let reasons = reasons::list_active(conn).await?;

    let level = scope::decision_level(user, &claim);
    let read_only = match (level, claim.status, claim.level) {
        (Some(_), _, _) => None,
        (None, ClaimStatus::Pending, Some(current)) => Some(format!(
            "这条申报当前在{}审核，您不是该级审核人，只能查看。",
            current.label()
        )),
        (None, status, _) => Some(format!("这条申报当前为“{}”，不在审核中。", status.label())),
    };
    let flags = claim
        .flags
        .iter()
        .map(|flag| FlagView {
            label: view::flag_label(&flag.code).to_owned(),
            message: flag.message.clone(),
            related_href: flag
                .related_claim_id
                .as_ref()
                .map(|related| format!("/reviews/{related}")),
        })
        .collect();

    Ok(ReviewPage {
        page: page.titled(format!("审核：{}", claim.topic)),
        state_label: claim.state().label(),
        status_badge: view::status_badge(claim.status),
        category_cap: category.rules.max_hours_per_claim,
        submitted_at: claim
            .submitted_at
            .map(view::format_time)
            .unwrap_or_default(),
        waiting_days: view::days_since(claim.submitted_at, view::today()),
        flags,
        evidence: evidence_views(&claim),
        activity,
        other_claims,
        overturned: overturned_ids.len(),
        decisions,
        audit,
        reasons,
        level,
        read_only,
        form,
        notice,
        back_href: format!("/reviews?{queue_query}"),
        queue_query,
        claim,
    })
}

pub async fn review_page(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(queue): Query<QueueParams>,
) -> AppResult<ReviewPage> {
    build_page(
        &state,
        page,
        &user,
        &id,
        &queue,
        FormValues::default(),
        None,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    accredited_hours: String,
    #[serde(default)]
    reason_code: String,
    #[serde(default)]
    comment: String,
    version: i64,
    /// The queue's query string, to return to the same list.
    #[serde(default)]
    queue: String,
}

/// Takes the decision and goes to the next claim waiting in the same queue. A decision
/// that came too late, or a form with mistakes, shows the page again with the message
/// and the claim as it is now.
pub async fn decide_form(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let queue = QueueParams::from_query(&form.queue);
    let result = match Proposal::parse(
        &form.decision,
        Some(&form.accredited_hours),
        Some(&form.reason_code),
        Some(&form.comment),
    ) {
        Ok(proposal) => {
            let options = DecideOptions::default();
            decide::decide(
                &state.db,
                &user,
                &client.ip,
                &id,
                form.version,
                proposal,
                options,
            )
            .await
        }
        Err(error) => Err(error),
    };
    let (status, notice) = match result {
        Ok(decided) => return go_to_next(&state, &user, &queue, &decided).await,
        Err(AppError::Conflict(message)) => (StatusCode::CONFLICT, message),
        Err(error @ AppError::Invalid { .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            error.user_message().unwrap_or_default(),
        ),
        Err(error) => return Err(error),
    };
    let values = FormValues {
        decision: form.decision,
        accredited_hours: form.accredited_hours,
        reason_code: form.reason_code,
        comment: form.comment,
    };
    let notice = Notice {
        css: if status == StatusCode::CONFLICT {
            "warning"
        } else {
            "error"
        },
        text: notice,
    };
    let template = build_page(&state, page, &user, &id, &queue, values, Some(notice)).await?;
    Ok((status, template).into_response())
}

/// Redirects to the next claim waiting at the level just decided, in the queue's order
/// and filters, or back to the queue when none is left.
async fn go_to_next(
    state: &AppState,
    user: &CurrentUser,
    queue: &QueueParams,
    decided: &Decided,
) -> AppResult<Response> {
    let mut params = queue.at_level(decided.level);
    params.status = None;
    let query = params.to_query(None);
    let next = match params.parse(user, 1) {
        Ok(parsed) => next_waiting(state, parsed.filter).await?,
        Err(_) => None,
    };
    let summary = decided.summary();
    Ok(match next {
        Some(next_id) => redirect_with_flash(
            &format!("/reviews/{next_id}?{query}"),
            FlashKind::Success,
            format!("{summary}这是队列中的下一条申报。"),
        ),
        None => redirect_with_flash(
            &format!("/reviews?{query}"),
            FlashKind::Success,
            format!("{summary}本级待审核的申报已全部处理完。"),
        ),
    })
}

async fn next_waiting(state: &AppState, mut filter: QueueFilter) -> AppResult<Option<String>> {
    filter.page = 1;
    filter.page_size = 1;
    let page = claims::queue(&mut *state.db.conn().await?, &filter).await?;
    Ok(page.rows.into_iter().next().map(|row| row.id))
}

/// Sends a PDF of a claim inline, for the review page to embed. Only PDFs are served
/// here: images are shown through their thumbnails and downloads.
pub async fn evidence_inline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((claim_id, evidence_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let access = evidence::get(&mut *state.db.conn().await?, &evidence_id).await?;

    if access.evidence.claim_id != claim_id || access.status == ClaimStatus::Draft {
        return Err(AppError::NotFound);
    }
    let claim_scope = ClaimScope {
        teacher_id: &access.teacher_id,
        unit_id: &access.unit_id,
        office_id: access.office_id.as_deref(),
    };
    if !can_view(&user, &claim_scope) {
        return Err(AppError::forbidden());
    }
    if access.evidence.file_type != "pdf" {
        return Err(AppError::NotFound);
    }

    let stream = match state.blobs.get(&access.evidence.sha256).await {
        Ok(stream) => stream,
        Err(BlobError::NotFound { .. }) => return Err(AppError::NotFound),
        Err(error) => return Err(AppError::Internal(error.into())),
    };

    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(
        CONTENT_DISPOSITION,
        crate::files::content_disposition("inline", &access.evidence.file_name),
    );
    if let Ok(length) = HeaderValue::from_str(&access.evidence.size.to_string()) {
        headers.insert(CONTENT_LENGTH, length);
    }
    // The bytes behind an evidence id never change, but who may see them can, so the
    // copy is private to the browser and kept for an hour at most.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}
