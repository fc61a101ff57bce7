//! The claim page: the claim, its status and flags, its files with the upload form, the
//! teacher's actions (submit, withdraw, delete) and the review history.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xueshi_core::{ClaimStatus, EvidenceKind, Finding, Severity};
use xueshi_store::claims::{self, ClaimDetail, DecisionRow};
use xueshi_store::evidence::EvidenceRow;
use xueshi_store::terms;

use super::evidence::{ACCEPT, accepted_types, has_thumbnail, receive_upload, size_text};
use super::service::{
    SubmitError, SubmitOutcome, WithdrawOutcome, delete_claim, run_checks, submit_claim,
    withdraw_claim,
};
use super::view::{WindowView, dates_text, flag_text, rules_text, time_text, today};
use super::{evidence, scope_of, state_text, status_badge, status_text};
use crate::AppState;
use crate::auth::{ClientInfo, CurrentUser};
use crate::claim_access::can_view;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Multipart};
use crate::page::{FlashKind, Page, redirect_with_flash};

/// Most files one upload form may carry: the chosen files and the camera's photo.
const MAX_FILES_PER_UPLOAD: usize = 10;

/// A file in the evidence list.
pub struct FileView {
    pub row: EvidenceRow,
    pub kind_label: &'static str,
    pub size: String,
    pub uploaded: String,
    pub thumbnail: bool,
}

/// A flag as the viewer may read it.
pub struct FlagView {
    pub message: String,
}

/// One decision of the review history.
pub struct DecisionView {
    pub row: DecisionRow,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "claims/claim.html")]
pub struct ClaimPage {
    page: Page,
    claim: ClaimDetail,
    status: String,
    badge: &'static str,
    dates: String,
    rules: Vec<String>,
    is_owner: bool,
    editable: bool,
    can_delete: bool,
    can_withdraw: bool,
    window: Option<WindowView>,
    files: Vec<FileView>,
    flags: Vec<FlagView>,
    history: Vec<DecisionView>,
    /// Findings that stopped a submission just now.
    blocking: Vec<Finding>,
    /// Findings that a submission now would raise, for the teacher's draft.
    preview: Vec<Finding>,
    error: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    accept: &'static str,
    accepted_types: &'static str,
    max_bytes: u64,
    max_mb: u64,
}

impl ClaimPage {
    pub fn preview_blocking(&self) -> Vec<&Finding> {
        self.preview
            .iter()
            .filter(|finding| finding.severity == Severity::Blocking)
            .collect()
    }

    pub fn preview_flags(&self) -> Vec<&Finding> {
        self.preview
            .iter()
            .filter(|finding| finding.severity == Severity::Flag)
            .collect()
    }
}

/// The findings and message of a rejected action, shown beside the claim.
#[derive(Default)]
struct Rejection {
    blocking: Vec<Finding>,
    error: Option<String>,
}

/// Loads the claim page for someone who may see the claim (403 otherwise).
async fn claim_page(
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    claim_id: &str,
    rejection: Rejection,
) -> AppResult<ClaimPage> {
    let mut conn = state.db.conn().await?;
    let claim = claims::get(&mut conn, claim_id).await?;
    if !can_view(user, &scope_of(&claim)) {
        return Err(AppError::forbidden());
    }

    let is_owner = claim.teacher_id == user.person_id;
    let editable = is_owner && claim.status.is_editable();
    let decisions = claims::history(&mut conn, claim_id).await?;
    let decided_this_round = decisions
        .iter()
        .any(|decision| decision.round == claim.round);
    let category = xueshi_store::categories::get(&mut conn, &claim.category_id).await?;

    let window = if editable {
        let term = terms::get(&mut conn, claim.term_code).await?;
        Some(WindowView::of(&term, today()))
    } else {
        None
    };
    let preview = if editable && rejection.blocking.is_empty() {
        run_checks(&mut conn, &claim, &state.config.checks).await?
    } else {
        Vec::new()
    };
    let mut flags = Vec::new();
    for flag in &claim.flags {
        flags.push(FlagView {
            message: flag_text(&mut conn, user, is_owner, flag).await?,
        });
    }

    Ok(ClaimPage {
        page: page.titled(claim.topic.clone()),
        status: status_text(claim.status, claim.level),
        badge: status_badge(claim.status),
        dates: dates_text(claim.start_date, claim.end_date),
        rules: rules_text(&category),
        can_delete: is_owner && claim.status == ClaimStatus::Draft && decisions.is_empty(),
        can_withdraw: is_owner && claim.status == ClaimStatus::Pending && !decided_this_round,
        is_owner,
        editable,
        window,
        files: claim.evidence.iter().cloned().map(file_view).collect(),
        flags,
        history: decisions
            .into_iter()
            .map(|row| DecisionView {
                when: time_text(row.decided_at),
                row,
            })
            .collect(),
        blocking: rejection.blocking,
        preview,
        error: rejection.error,
        kinds: EvidenceKind::ALL
            .iter()
            .map(|kind| (kind.as_str(), kind.label()))
            .collect(),
        accept: ACCEPT,
        accepted_types: accepted_types(),
        max_bytes: state.config.max_upload_bytes,
        max_mb: state.config.max_upload_bytes / 1024 / 1024,
        claim,
    })
}

fn file_view(row: EvidenceRow) -> FileView {
    FileView {
        kind_label: row.kind.label(),
        size: size_text(row.size),
        uploaded: time_text(row.uploaded_at),
        thumbnail: has_thumbnail(&row.file_type),
        row,
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<ClaimPage> {
    let shown = claim_page(&state, page, &user, &id, Rejection::default()).await?;
    // Opening the claim counts as reading the reviewers' notices about it.
    let mut conn = state.db.conn().await?;
    let read =
        xueshi_store::notifications::mark_read_for_claim(&mut conn, &user.person_id, &id).await?;
    Ok(if read > 0 {
        ClaimPage {
            page: shown.page.notifications_read(read),
            ..shown
        }
    } else {
        shown
    })
}

/// Shows the claim page with a rejection and the status that names it.
async fn show_rejected(
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    claim_id: &str,
    status: StatusCode,
    rejection: Rejection,
) -> AppResult<Response> {
    let shown = claim_page(state, page, user, claim_id, rejection).await?;
    Ok((status, shown).into_response())
}

/// Returns the status of an error the person can fix from the claim page, or `None` for
/// errors that need the error page (403, 404, internal).
fn fixable_status(error: &AppError) -> Option<StatusCode> {
    match error {
        AppError::TooLarge(_) => Some(StatusCode::PAYLOAD_TOO_LARGE),
        AppError::Invalid { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
        AppError::BadRequest(_) => Some(StatusCode::BAD_REQUEST),
        AppError::Conflict(_) => Some(StatusCode::CONFLICT),
        _ => None,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

impl VersionForm {
    fn version(&self) -> Option<i64> {
        self.version.trim().parse().ok()
    }
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let location = format!("/claims/{id}");
    let outcome = submit_claim(&state, &user, &client.ip, &id, form.version()).await;
    let rejection = match outcome {
        Ok(SubmitOutcome::Submitted { state: next, flags }) => {
            let mut text = format!("已提交，{}。", state_text(next));
            let flagged = flags
                .iter()
                .filter(|finding| finding.severity == Severity::Flag)
                .count();
            if flagged > 0 {
                text.push_str(&format!(
                    "系统提示了 {flagged} 项需要注意的问题（见下方“系统提示”），审核人也会看到。"
                ));
            }
            return Ok(redirect_with_flash(&location, FlashKind::Success, text));
        }
        Ok(SubmitOutcome::AlreadySubmitted { state: current }) => {
            let text = format!(
                "该申报已提交过，当前状态为“{}”，无需重复提交。",
                state_text(current)
            );
            return Ok(redirect_with_flash(&location, FlashKind::Warning, text));
        }
        Err(SubmitError::Blocked(findings)) => Rejection {
            blocking: findings,
            error: Some(
                "申报未提交：有以下问题需要先处理。草稿和已上传的文件都已保留。".to_owned(),
            ),
        },
        Err(SubmitError::OutsideWindow(message)) => Rejection {
            blocking: Vec::new(),
            error: Some(message),
        },
        Err(SubmitError::Other(error)) => {
            let Some(status) = fixable_status(&error) else {
                return Err(error);
            };
            return show_rejected(
                &state,
                page,
                &user,
                &id,
                status,
                Rejection {
                    blocking: Vec::new(),
                    error: error.user_message(),
                },
            )
            .await;
        }
    };
    show_rejected(
        &state,
        page,
        &user,
        &id,
        StatusCode::UNPROCESSABLE_ENTITY,
        rejection,
    )
    .await
}

pub async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let location = format!("/claims/{id}");
    match withdraw_claim(&state, &user, &client.ip, &id).await {
        Ok(WithdrawOutcome::Withdrawn) => Ok(redirect_with_flash(
            &location,
            FlashKind::Success,
            "已撤回，申报回到草稿，可以修改后重新提交。",
        )),
        Ok(WithdrawOutcome::AlreadyDraft) => Ok(redirect_with_flash(
            &location,
            FlashKind::Warning,
            "该申报已是草稿，无需撤回。",
        )),
        Err(error) => flash_error(&location, error),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    match delete_claim(&state, &user, &client.ip, &id, form.version()).await {
        Ok(()) => Ok(redirect_with_flash(
            "/claims",
            FlashKind::Success,
            "草稿已删除。",
        )),
        Err(error) => flash_error(&format!("/claims/{id}"), error),
    }
}

/// Returns to the claim page with the message of an error the person can act on.
fn flash_error(location: &str, error: AppError) -> AppResult<Response> {
    match fixable_status(&error) {
        Some(_) => Ok(redirect_with_flash(
            location,
            FlashKind::Error,
            error.user_message().unwrap_or_default(),
        )),
        None => Err(error),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Path(id): Path<String>,
    Multipart(multipart): Multipart,
) -> AppResult<Response> {
    match receive_upload(&state, &user, &id, multipart, MAX_FILES_PER_UPLOAD).await {
        Ok(files) => Ok(redirect_with_flash(
            &format!("/claims/{id}"),
            FlashKind::Success,
            format!("已上传 {} 个文件。", files.len()),
        )),
        Err(error) => {
            let Some(status) = fixable_status(&error) else {
                return Err(error);
            };
            let rejection = Rejection {
                blocking: Vec::new(),
                error: error.user_message().map(|message| {
                    format!("{message}（本次未上传任何文件，之前的文件都已保留。）")
                }),
            };
            show_rejected(&state, page, &user, &id, status, rejection).await
        }
    }
}

pub async fn delete_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(evidence_id): Path<String>,
) -> AppResult<Response> {
    match evidence::delete_file(&state, &user, &evidence_id).await {
        Ok(claim_id) => Ok(redirect_with_flash(
            &format!("/claims/{claim_id}"),
            FlashKind::Success,
            "文件已删除。",
        )),
        Err(AppError::Conflict(message)) => {
            let mut conn = state.db.conn().await?;
            let claim_id = xueshi_store::evidence::get(&mut conn, &evidence_id)
                .await?
                .evidence
                .claim_id;
            Ok(redirect_with_flash(
                &format!("/claims/{claim_id}"),
                FlashKind::Error,
                message,
            ))
        }
        Err(error) => Err(error),
    }
}
