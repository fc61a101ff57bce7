//! Review for scripts and apps: a reviewer's queue with the page's filters, and decisions
//! on claims. Both share the review pages' code, so scope, own-claim and version checks
//! are the same as in the browser.

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use xueshi_store::claims::{self, QueueRow};

use super::ApiJson;
use crate::AppState;
use crate::access::Route;
use crate::auth::{ClientInfo, CurrentUser};
use crate::claims::{state_text, status_text};
use crate::error::AppResult;
use crate::extract::Query;
use crate::review::REVIEWERS;
use crate::review::decide::{self, DecideOptions, Proposal};
use crate::review::queue::QueueParams;

/// Rows per page of the API's queue when `page_size` is left out.
const API_PAGE_SIZE: i64 = 50;

pub fn routes() -> Vec<Route> {
    vec![
        Route::post(
            "/api/v1/claims/{id}/decisions",
            REVIEWERS,
            post(create_decision),
        ),
        Route::get("/api/v1/reviews/queue", REVIEWERS, get(queue)),
    ]
}

/// A reviewer's decision on a claim at its current level.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionBody {
    /// `approve`, `return` (退回修改) or `reject` (未通过).
    decision: String,
    /// For `approve`: decimal string in 0.5 steps, at most the claimed hours and the
    /// category's cap. Left out, the claimed hours are accredited. A JSON number is
    /// accepted too.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "12.5")]
    accredited_hours: Option<serde_json::Value>,
    /// Required for `reject`: a rejection reason code such as `insufficient_evidence`.
    #[serde(default)]
    reason_code: Option<String>,
    /// Required for `return`, optional otherwise. The teacher reads it.
    #[serde(default)]
    comment: Option<String>,
    /// The claim's `version` as last read. A claim changed since then gives 409.
    version: i64,
}

impl DecisionBody {
    fn proposal(&self) -> AppResult<Proposal> {
        let hours = match &self.accredited_hours {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(other) => Some(other.to_string()),
        };
        Proposal::parse(
            &self.decision,
            hours.as_deref(),
            self.reason_code.as_deref(),
            self.comment.as_deref(),
        )
    }
}

/// The claim after a decision.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionResult {
    claim_id: String,
    /// `approve`, `return` or `reject`.
    decision: String,
    /// The level the decision was taken at: `office`, `unit` or `school`.
    decided_level: String,
    /// The claim's new status: pending, returned, accredited or rejected.
    status: String,
    /// The next level while the claim is still pending.
    level: Option<String>,
    /// e.g. 待院（部）审核 or 已认定.
    status_label: String,
    /// The claim's new version, for a later request.
    version: i64,
    /// The accredited hours when the claim ended accredited.
    #[schema(value_type = Option<String>)]
    accredited_hours: Option<String>,
    /// Chinese sentence reporting the outcome.
    message: String,
}

/// Takes a decision on a claim at its current level, as its own audited transaction.
/// Nothing is written when the response is not 200.
#[utoipa::path(post, path = "/api/v1/claims/{id}/decisions", request_body = DecisionBody,
    params(("id" = String, Path)),
    responses((status = 200, body = DecisionResult),
        (status = 403, body = super::ErrorBody, description = "不在审核范围内、本人的申报或不是当前级别的审核人"),
        (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "version 已过期（其他审核人已先处理）或申报不在审核中"),
        (status = 422, body = super::ErrorBody, description = "认定学时超过申报学时或类别上限、未通过缺少原因、退回缺少意见")))]
pub async fn create_decision(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> AppResult<Json<DecisionResult>> {
    let proposal = body.proposal()?;
    let options = DecideOptions::default();
    let decided = decide::decide(
        &state.db,
        &user,
        &client.ip,
        &id,
        body.version,
        proposal,
        options,
    )
    .await?;
    Ok(Json(DecisionResult {
        message: decided.summary(),
        decision: decided.kind.as_str().to_owned(),
        decided_level: decided.level.as_str().to_owned(),
        status: decided.state.status.as_str().to_owned(),
        level: decided.state.level.map(|level| level.as_str().to_owned()),
        status_label: state_text(decided.state),
        version: decided.version,
        accredited_hours: decided.accredited_hours.map(|hours| hours.to_string()),
        claim_id: decided.claim_id,
    }))
}

/// A claim in a reviewer's queue.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct QueueClaim {
    id: String,
    term: String,
    category: u8,
    category_name: String,
    topic: String,
    teacher_staff_id: String,
    teacher_name: String,
    unit: String,
    office: Option<String>,
    /// `YYYY-MM-DD`.
    start_date: String,
    /// `YYYY-MM-DD`.
    end_date: String,
    #[schema(value_type = String)]
    claimed_hours: String,
    #[schema(value_type = Option<String>)]
    accredited_hours: Option<String>,
    status: String,
    level: Option<String>,
    status_label: String,
    /// The claim's version, to send back with a decision.
    version: i64,
    /// Milliseconds since the Unix epoch.
    submitted_at: Option<i64>,
    /// Number of flags the checks raised. Batch approval takes only claims without flags.
    flag_count: i64,
}

impl QueueClaim {
    fn of(row: QueueRow) -> Self {
        Self {
            term: row.term_code.to_string(),
            category: row.category_code,
            status: row.status.as_str().to_owned(),
            level: row.level.map(|level| level.as_str().to_owned()),
            status_label: status_text(row.status, row.level),
            start_date: row.start_date.to_string(),
            end_date: row.end_date.to_string(),
            claimed_hours: row.claimed_hours.to_string(),
            accredited_hours: row.accredited_hours.map(|hours| hours.to_string()),
            id: row.id,
            category_name: row.category_name,
            topic: row.topic,
            teacher_staff_id: row.teacher_staff_id,
            teacher_name: row.teacher_name,
            unit: row.unit_name,
            office: row.office_name,
            version: row.version,
            submitted_at: row.submitted_at,
            flag_count: row.flag_count,
        }
    }
}

/// One page of a reviewer's queue.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct QueueResponse {
    /// The level listed: `office`, `unit` or `school`.
    level: String,
    /// Claims on all pages.
    total: i64,
    page: i64,
    page_size: i64,
    claims: Vec<QueueClaim>,
}

/// Lists the claims waiting at one of the caller's levels, or the scope's claims in a
/// status, with the review page's filters. The caller's own claims are never listed.
#[utoipa::path(get, path = "/api/v1/reviews/queue", params(QueueParams),
    responses((status = 200, body = QueueResponse),
        (status = 403, body = super::ErrorBody, description = "不是所请求级别的审核人"),
        (status = 422, body = super::ErrorBody, description = "筛选条件无效")))]
pub async fn queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<QueueParams>,
) -> AppResult<Json<QueueResponse>> {
    let parsed = params.parse(&user, API_PAGE_SIZE)?;
    let page = claims::queue(&mut *state.db.conn().await?, &parsed.filter).await?;
    Ok(Json(QueueResponse {
        level: parsed.level.as_str().to_owned(),
        total: page.total,
        page: parsed.filter.page,
        page_size: parsed.filter.page_size,
        claims: page.rows.into_iter().map(QueueClaim::of).collect(),
    }))
}
