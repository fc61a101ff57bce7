//! The teacher's claims for scripts and apps: drafts, evidence uploads, submission with
//! the checks, withdrawal, and reading one's own claims. Hours are decimal strings such as
//! `"12.5"` and dates `YYYY-MM-DD`.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use xueshi_core::{Finding, Severity};
use xueshi_store::Conn;
use xueshi_store::claims::{self, ClaimDetail, ClaimRow};
use xueshi_store::evidence::EvidenceRow;

use super::ApiJson;
use crate::AppState;
use crate::access::{Access, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::claim_access::can_view;
use crate::claims::evidence::receive_upload;
use crate::claims::input::ClaimInput;
use crate::claims::service::{
    SubmitError, SubmitOutcome, WithdrawOutcome, create_claim, delete_claim, load_own, run_checks,
    submit_claim, update_claim, withdraw_claim,
};
use crate::claims::view::{flag_text, resolve_term};
use crate::claims::{TEACHER, scope_of, state_text};
use crate::error::{AppError, AppResult};
use crate::extract::{Multipart, Query};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/v1/claims", TEACHER, get(list_claims)),
        Route::post("/api/v1/claims", TEACHER, post(create)),
        Route::get("/api/v1/claims/{id}", Access::SignedIn, get(get_claim)),
        Route {
            method: Method::PUT,
            path: "/api/v1/claims/{id}",
            access: TEACHER,
            handler: put(update),
        },
        Route {
            method: Method::DELETE,
            path: "/api/v1/claims/{id}",
            access: TEACHER,
            handler: delete(remove),
        },
        Route::post(
            "/api/v1/claims/{id}/evidence",
            TEACHER,
            post(upload).layer(DefaultBodyLimit::disable()),
        ),
        Route::post("/api/v1/claims/{id}/submit", TEACHER, post(submit)),
        Route::post("/api/v1/claims/{id}/withdraw", TEACHER, post(withdraw)),
        Route::get("/api/v1/evidence/{id}", Access::SignedIn, get(download)),
    ]
}

/// A claim's fields, for creating and updating a draft.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ClaimBody {
    /// Term code, e.g. `2025-2026-1`.
    term: String,
    /// Category code, 1 to 8.
    category: u8,
    topic: String,
    /// The organizing body; may be left out with `activity_id`, which fills it.
    #[serde(default)]
    organizer: String,
    /// `YYYY-MM-DD`.
    start_date: String,
    /// `YYYY-MM-DD`.
    end_date: String,
    /// `offline` (default) or `online`.
    #[serde(default)]
    mode: String,
    /// Decimal string in 0.5 steps, e.g. `"12.5"`; a JSON number is accepted too.
    #[schema(value_type = String, example = "12.5")]
    claimed_hours: serde_json::Value,
    /// Training notes as typed.
    #[serde(default)]
    notes: String,
    /// The date on the certificate, `YYYY-MM-DD`.
    #[serde(default)]
    certificate_date: Option<String>,
    /// The ledger activity the claim is for; required in categories 1 to 4.
    #[serde(default)]
    activity_id: Option<String>,
    /// For updates: the version read with the claim; a claim changed since is a 409.
    #[serde(default)]
    version: Option<i64>,
}

impl ClaimBody {
    fn input(&self) -> ClaimInput {
        let claimed_hours = match &self.claimed_hours {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        ClaimInput {
            term: self.term.clone(),
            category: self.category.to_string(),
            activity_id: self.activity_id.clone().unwrap_or_default(),
            topic: self.topic.clone(),
            organizer: self.organizer.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            mode: self.mode.clone(),
            claimed_hours,
            notes: self.notes.clone(),
            certificate_date: self.certificate_date.clone().unwrap_or_default(),
        }
    }
}

/// One finding of the checks.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CheckView {
    /// Stable code of the rule, e.g. `hours_over_daily_max`.
    code: String,
    /// Chinese message naming the rule and what to do.
    message: String,
}

impl CheckView {
    fn of(finding: &Finding) -> Self {
        Self {
            code: finding.code.to_owned(),
            message: finding.message.clone(),
        }
    }
}

fn split_findings(findings: &[Finding]) -> (Vec<CheckView>, Vec<CheckView>) {
    let (blocking, flags): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .partition(|finding| finding.severity == Severity::Blocking);
    (
        flags.into_iter().map(CheckView::of).collect(),
        blocking.into_iter().map(CheckView::of).collect(),
    )
}

/// A saved draft with what the checks would find if it were submitted now.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DraftSaved {
    id: String,
    /// False when the same `Idempotency-Key`, or an identical draft saved seconds ago,
    /// returned the claim created first.
    created: bool,
    version: i64,
    /// Flags a submission now would raise; they do not stop it.
    flags: Vec<CheckView>,
    /// Problems that would stop a submission now, such as missing evidence.
    blocking: Vec<CheckView>,
}

async fn draft_saved(state: &AppState, id: String, created: bool) -> AppResult<DraftSaved> {
    let mut conn = state.db.conn().await?;
    let claim = claims::get(&mut conn, &id).await?;
    let findings = run_checks(&mut conn, &claim, &state.config.checks).await?;
    let (flags, blocking) = split_findings(&findings);
    Ok(DraftSaved {
        id,
        created,
        version: claim.version,
        flags,
        blocking,
    })
}

/// The header that makes a repeated create return the first claim.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Creates a draft claim. An `Idempotency-Key` header makes a repeated request return the
/// claim that the first one created.
#[utoipa::path(post, path = "/api/v1/claims", request_body = ClaimBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "任意唯一字符串；重复请求返回首次创建的申报")),
    responses((status = 201, body = DraftSaved), (status = 200, body = DraftSaved, description = "重复请求，返回已创建的申报"),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ClaimBody>,
) -> AppResult<(StatusCode, Json<DraftSaved>)> {
    // Keys are scoped to the caller, so two teachers' keys never collide.
    let token = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(|key| format!("api:{}:{key}", user.person_id));
    let (id, created) = create_claim(&state, &user, &body.input(), token.as_deref()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(draft_saved(&state, id, created).await?)))
}

/// Replaces the fields of the caller's draft or returned claim.
#[utoipa::path(put, path = "/api/v1/claims/{id}", request_body = ClaimBody, params(("id" = String, Path)),
    responses((status = 200, body = DraftSaved), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClaimBody>,
) -> AppResult<Json<DraftSaved>> {
    update_claim(&state, &user, &id, body.version, &body.input()).await?;
    Ok(Json(draft_saved(&state, id, false).await?))
}

/// Deletes the caller's draft and its files that no other claim uses.
#[utoipa::path(delete, path = "/api/v1/claims/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    delete_claim(&state, &user, &client.ip, &id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An evidence file of a claim.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    id: String,
    /// certificate, notes, sign_in, screenshot, photo, notice or other.
    kind: String,
    kind_label: String,
    file_name: String,
    /// Size in bytes.
    size: i64,
    /// The type judged from the bytes: jpeg, png, webp, heic, pdf, docx, xlsx, pptx, doc,
    /// xls or ppt.
    file_type: String,
    sha256: String,
    /// Milliseconds since the Unix epoch.
    uploaded_at: i64,
    /// Bearer download of the file as an attachment.
    download_url: String,
}

impl EvidenceView {
    fn of(row: &EvidenceRow) -> Self {
        Self {
            id: row.id.clone(),
            kind: row.kind.as_str().to_owned(),
            kind_label: row.kind.label().to_owned(),
            file_name: row.file_name.clone(),
            size: row.size,
            file_type: row.file_type.clone(),
            sha256: row.sha256.clone(),
            uploaded_at: row.uploaded_at,
            download_url: format!("/api/v1/evidence/{}", row.id),
        }
    }
}

/// Downloads an evidence file as an attachment under its original name, for the claim's
/// teacher and reviewers.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", params(("id" = String, Path)),
    responses((status = 200, description = "文件内容，Content-Type 为上传时按内容判断的类型", content_type = "application/octet-stream"),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn download(
    state: State<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> AppResult<Response> {
    crate::claims::evidence::download(state, user, id).await
}

/// The multipart form of an evidence upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// One file: JPEG, PNG, WebP, HEIC, PDF or an Office document, judged from its bytes.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// certificate, notes, sign_in, screenshot, photo, notice or other.
    kind: String,
}

/// Uploads one evidence file to the caller's draft or returned claim.
#[utoipa::path(post, path = "/api/v1/claims/{id}/evidence", params(("id" = String, Path)),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = EvidenceView), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Multipart(multipart): Multipart,
) -> AppResult<(StatusCode, Json<EvidenceView>)> {
    let rows = receive_upload(&state, &user, &id, multipart, 1).await?;
    let row = rows.first().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("an accepted upload attached no file"))
    })?;
    Ok((StatusCode::CREATED, Json(EvidenceView::of(row))))
}

/// A flag the checks stored on a claim.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FlagView {
    code: String,
    message: String,
}

/// The claim's state after a submission.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SubmitResult {
    /// draft, pending, returned, accredited or rejected.
    status: String,
    /// office, unit or school while pending.
    level: Option<String>,
    /// e.g. 待教研室审核.
    status_label: String,
    /// False when nothing changed: the claim had been submitted (or withdrawn) already.
    submitted: bool,
    flags: Vec<FlagView>,
}

/// The 422 body of a rejected submission.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SubmitRejected {
    /// `checks_failed` or `outside_window`.
    code: String,
    message: String,
    /// Each blocking rule with its Chinese message; empty for `outside_window`.
    errors: Vec<CheckView>,
}

impl IntoResponse for SubmitRejected {
    fn into_response(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, Json(self)).into_response()
    }
}

/// Submits the caller's claim after the checks. A claim submitted already is returned
/// unchanged with `submitted: false`.
#[utoipa::path(post, path = "/api/v1/claims/{id}/submit", params(("id" = String, Path)),
    responses((status = 200, body = SubmitResult), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = SubmitRejected, description = "检查未通过或不在申报时间内，申报保持草稿")))]
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<Json<SubmitResult>, Response> {
    let outcome = submit_claim(&state, &user, &client.ip, &id, None).await;
    let (next, submitted) = match outcome {
        Ok(SubmitOutcome::Submitted { state: next, .. }) => (next, true),
        Ok(SubmitOutcome::AlreadySubmitted { state: current }) => (current, false),
        Err(SubmitError::Blocked(findings)) => {
            let errors: Vec<CheckView> = findings.iter().map(CheckView::of).collect();
            return Err(SubmitRejected {
                code: "checks_failed".to_owned(),
                message: format!(
                    "申报未提交：有 {} 项问题需要先处理，见 errors。",
                    errors.len()
                ),
                errors,
            }
            .into_response());
        }
        Err(SubmitError::OutsideWindow(message)) => {
            return Err(SubmitRejected {
                code: "outside_window".to_owned(),
                message,
                errors: Vec::new(),
            }
            .into_response());
        }
        Err(SubmitError::Other(error)) => return Err(error.into_response()),
    };
    let flags = own_flags(&state, &user, &id)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(Json(SubmitResult {
        status: next.status.as_str().to_owned(),
        level: next.level.map(|level| level.as_str().to_owned()),
        status_label: state_text(next),
        submitted,
        flags,
    }))
}

/// Returns the flags of the caller's claim as the caller may read them.
async fn own_flags(
    state: &AppState,
    user: &CurrentUser,
    claim_id: &str,
) -> AppResult<Vec<FlagView>> {
    let mut conn = state.db.conn().await?;
    let claim = load_own(&mut conn, user, claim_id).await?;
    flag_views(&mut conn, user, &claim).await
}

async fn flag_views(
    conn: &mut Conn,
    user: &CurrentUser,
    claim: &ClaimDetail,
) -> AppResult<Vec<FlagView>> {
    let is_owner = claim.teacher_id == user.person_id;
    let mut views = Vec::with_capacity(claim.flags.len());
    for flag in &claim.flags {
        views.push(FlagView {
            code: flag.code.clone(),
            message: flag_text(conn, user, is_owner, flag).await?,
        });
    }
    Ok(views)
}

/// Takes the caller's pending claim back to a draft, allowed until the first reviewer decides.
#[utoipa::path(post, path = "/api/v1/claims/{id}/withdraw", params(("id" = String, Path)),
    responses((status = 200, body = SubmitResult), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "已有审核意见，不能撤回")))]
pub async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Json<SubmitResult>> {
    let outcome = withdraw_claim(&state, &user, &client.ip, &id).await?;
    let mut conn = state.db.conn().await?;
    let claim = load_own(&mut conn, &user, &id).await?;
    Ok(Json(SubmitResult {
        status: claim.status.as_str().to_owned(),
        level: None,
        status_label: state_text(claim.state()),
        submitted: outcome == WithdrawOutcome::Withdrawn,
        flags: flag_views(&mut conn, &user, &claim).await?,
    }))
}

/// A claim with its files and flags.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    id: String,
    term: String,
    category: u8,
    category_name: String,
    topic: String,
    organizer: String,
    start_date: String,
    end_date: String,
    /// offline or online.
    mode: String,
    #[schema(value_type = String)]
    claimed_hours: String,
    #[schema(value_type = Option<String>)]
    accredited_hours: Option<String>,
    notes: String,
    certificate_date: Option<String>,
    activity_id: Option<String>,
    activity_title: Option<String>,
    status: String,
    level: Option<String>,
    status_label: String,
    reason: Option<String>,
    teacher_staff_id: String,
    teacher_name: String,
    unit: String,
    office: Option<String>,
    version: i64,
    round: i64,
    /// Milliseconds since the Unix epoch.
    created_at: i64,
    submitted_at: Option<i64>,
    evidence: Vec<EvidenceView>,
    flags: Vec<FlagView>,
}

impl ClaimView {
    fn of(claim: &ClaimDetail) -> Self {
        Self {
            id: claim.id.clone(),
            term: claim.term_code.to_string(),
            category: claim.category_code,
            category_name: claim.category_name.clone(),
            topic: claim.topic.clone(),
            organizer: claim.organizer.clone(),
            start_date: claim.start_date.to_string(),
            end_date: claim.end_date.to_string(),
            mode: claim.mode.as_str().to_owned(),
            claimed_hours: claim.claimed_hours.to_string(),
            accredited_hours: claim.accredited_hours.map(|hours| hours.to_string()),
            notes: claim.notes.clone(),
            certificate_date: claim.certificate_date.map(|date| date.to_string()),
            activity_id: claim.activity_id.clone(),
            activity_title: claim.activity_title.clone(),
            status: claim.status.as_str().to_owned(),
            level: claim.level.map(|level| level.as_str().to_owned()),
            status_label: state_text(claim.state()),
            reason: claim.reason_label.clone(),
            teacher_staff_id: claim.teacher_staff_id.clone(),
            teacher_name: claim.teacher_name.clone(),
            unit: claim.unit_name.clone(),
            office: claim.office_name.clone(),
            version: claim.version,
            round: claim.round,
            created_at: claim.created_at,
            submitted_at: claim.submitted_at,
            evidence: claim.evidence.iter().map(EvidenceView::of).collect(),
            flags: Vec::new(),
        }
    }
}

/// One claim with its files and flags, for its teacher and its reviewers.
#[utoipa::path(get, path = "/api/v1/claims/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ClaimView), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn get_claim(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ClaimView>> {
    let mut conn = state.db.conn().await?;
    let claim = claims::get(&mut conn, &id).await?;
    if !can_view(&user, &scope_of(&claim)) {
        return Err(AppError::forbidden());
    }
    let mut view = ClaimView::of(&claim);
    view.flags = flag_views(&mut conn, &user, &claim).await?;
    Ok(Json(view))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ClaimsQuery {
    /// Term code; the current term when left out.
    term: Option<String>,
}

/// A claim in the caller's list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimSummary {
    id: String,
    category: u8,
    category_name: String,
    topic: String,
    start_date: String,
    end_date: String,
    status: String,
    level: Option<String>,
    status_label: String,
    #[schema(value_type = String)]
    claimed_hours: String,
    #[schema(value_type = Option<String>)]
    accredited_hours: Option<String>,
    version: i64,
}

impl ClaimSummary {
    fn of(row: &ClaimRow) -> Self {
        Self {
            id: row.id.clone(),
            category: row.category_code,
            category_name: row.category_name.clone(),
            topic: row.topic.clone(),
            start_date: row.start_date.to_string(),
            end_date: row.end_date.to_string(),
            status: row.status.as_str().to_owned(),
            level: row.level.map(|level| level.as_str().to_owned()),
            status_label: crate::claims::status_text(row.status, row.level),
            claimed_hours: row.claimed_hours.to_string(),
            accredited_hours: row.accredited_hours.map(|hours| hours.to_string()),
            version: row.version,
        }
    }
}

/// The caller's hours in the term.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HoursView {
    /// Claimed hours of submitted claims.
    #[schema(value_type = String)]
    claimed: String,
    /// Hours accredited by review.
    #[schema(value_type = String)]
    accredited: String,
    /// Hours the center credited from attendance.
    #[schema(value_type = String)]
    school_credited: String,
    /// accredited + school_credited.
    #[schema(value_type = String)]
    credited_total: String,
    /// The term's requirement.
    #[schema(value_type = String)]
    required: String,
}

/// The caller's claims of a term with their hours.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimList {
    term: String,
    hours: HoursView,
    claims: Vec<ClaimSummary>,
}

/// Lists the caller's own claims of a term, drafts included, newest first.
#[utoipa::path(get, path = "/api/v1/claims", params(ClaimsQuery),
    responses((status = 200, body = ClaimList), (status = 404, body = super::ErrorBody, description = "学期不存在")))]
pub async fn list_claims(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ClaimsQuery>,
) -> AppResult<Json<ClaimList>> {
    let mut conn = state.db.conn().await?;
    let (term, _) = resolve_term(&mut conn, query.term.as_deref()).await?;
    let term = term.ok_or(AppError::NotFound)?;
    let rows = claims::list_for_teacher(&mut conn, &user.person_id, term.code).await?;
    let summary = claims::hours_summary(&mut conn, &user.person_id, term.code).await?;
    Ok(Json(ClaimList {
        term: term.code.to_string(),
        hours: HoursView {
            claimed: summary.claimed.to_string(),
            accredited: summary.accredited.to_string(),
            school_credited: summary.school_credited.to_string(),
            credited_total: summary.credited_total().to_string(),
            required: term.required_hours.to_string(),
        },
        claims: rows.iter().map(ClaimSummary::of).collect(),
    }))
}
