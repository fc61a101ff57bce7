//! Changes to a teacher's claims, shared by the pages and the API: drafts, submission with
//! the checks, withdrawal. Each function checks that the caller is the claim's teacher and
//! returns errors that carry the Chinese message for the person.

use jiff::civil::Date;
use xueshi_core::checks::{CheckConfig, check_claim, check_claim_dates, has_blocking};
use xueshi_core::date::school_date;
use xueshi_core::{ClaimAction, ClaimState, ClaimStatus, Finding, Severity};
use xueshi_store::audit::Actor;
use xueshi_store::claims::{self, ClaimDetail, TransitionFailure};
use xueshi_store::terms::{self, Term};
use xueshi_store::{Conn, StoreError, evidence};

use super::input::{ClaimInput, parse_claim};
use super::messages;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// Builds the audit actor of a teacher acting on their claim, with their address.
pub fn teacher_actor(user: &CurrentUser, ip: &str) -> Actor {
    Actor::person(&user.person_id, Some(ip.to_owned()))
}

/// Loads a claim that `user` acts on as its teacher: 404 when it does not exist, 403 when
/// it is someone else's.
pub async fn load_own(
    conn: &mut Conn,
    user: &CurrentUser,
    claim_id: &str,
) -> AppResult<ClaimDetail> {
    let claim = claims::get(conn, claim_id).await?;
    if claim.teacher_id != user.person_id {
        return Err(AppError::Forbidden(messages::NOT_OWNER.into()));
    }
    Ok(claim)
}

/// Creates a draft from the input and returns its id and whether it is new.
///
/// The same `form_token` (a form sent twice, an API call repeated with its
/// `Idempotency-Key`) or an identical draft created within seconds returns the claim
/// created first.
pub async fn create_claim(
    state: &AppState,
    user: &CurrentUser,
    input: &ClaimInput,
    form_token: Option<&str>,
) -> AppResult<(String, bool)> {
    let unit_id = user
        .unit_id
        .as_deref()
        .ok_or_else(|| AppError::Conflict(messages::NO_UNIT.into()))?;
    let mut conn = state.db.conn().await?;
    let parsed = parse_claim(&mut conn, input).await?;
    let created = claims::create_draft(
        &mut conn,
        &user.person_id,
        unit_id,
        user.office_id.as_deref(),
        &parsed.draft,
        form_token,
    )
    .await;
    match created {
        Ok(created) => Ok(created),
        Err(StoreError::Unique(_)) => Err(AppError::Conflict(messages::TOKEN_TAKEN.into())),
        Err(error) => Err(error.into()),
    }
}

/// Replaces the fields of the teacher's draft or returned claim and returns the new
/// version. Without `expected_version` the claim's current version is used, so the
/// last save wins.
pub async fn update_claim(
    state: &AppState,
    user: &CurrentUser,
    claim_id: &str,
    expected_version: Option<i64>,
    input: &ClaimInput,
) -> AppResult<i64> {
    let mut conn = state.db.conn().await?;
    let claim = load_own(&mut conn, user, claim_id).await?;
    if !claim.status.is_editable() {
        return Err(AppError::Conflict(messages::NOT_EDITABLE.into()));
    }
    let parsed = parse_claim(&mut conn, input).await?;
    let version = expected_version.unwrap_or(claim.version);
    claims::update_draft(&mut conn, claim_id, &user.person_id, version, &parsed.draft)
        .await
        .map_err(|error| match error {
            StoreError::Conflict => AppError::Conflict(messages::CHANGED_ELSEWHERE.into()),
            other => other.into(),
        })
}

/// Deletes the teacher's draft, and the stored files that no other claim uses.
pub async fn delete_claim(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    claim_id: &str,
    expected_version: Option<i64>,
) -> AppResult<()> {
    let mut conn = state.db.conn().await?;
    let claim = load_own(&mut conn, user, claim_id).await?;
    if claim.status != ClaimStatus::Draft {
        return Err(AppError::Conflict(messages::ONLY_DRAFTS_DELETED.into()));
    }
    let version = expected_version.unwrap_or(claim.version);
    let unreferenced = claims::delete_draft(
        &mut conn,
        claim_id,
        &user.person_id,
        version,
        &teacher_actor(user, ip),
    )
    .await
    .map_err(|error| match error {
        StoreError::Conflict => AppError::Conflict(messages::CANNOT_DELETE.into()),
        other => other.into(),
    })?;
    for sha256 in unreferenced {
        forget_file(state, &mut conn, &sha256).await;
    }
    Ok(())
}

/// Removes a stored file that no evidence row uses any more. A failure leaves an unused
/// file behind, which costs space but no data, so it is logged and not returned.
pub async fn forget_file(state: &AppState, conn: &mut Conn, sha256: &str) {
    match evidence::forget_blob(conn, sha256).await {
        Ok(true) => {
            if let Err(error) = state.blobs.delete(sha256).await {
                tracing::warn!(blob.sha256 = sha256, error = %error, "failed to delete an unused evidence file");
            }
        }
        Ok(false) => {}
        Err(error) => {
            tracing::warn!(blob.sha256 = sha256, error = %error, "failed to forget an unused evidence file");
        }
    }
}

/// The outcome of a submission.
#[derive(Debug)]
pub enum SubmitOutcome {
    /// The claim went to review; `flags` are the non-blocking findings now stored on it.
    Submitted {
        state: ClaimState,
        flags: Vec<Finding>,
    },
    /// The claim had been submitted already (a double click, a second tab), so nothing
    /// changed.
    AlreadySubmitted { state: ClaimState },
}

/// The reason a submission was rejected. The draft is unchanged in every case.
#[derive(Debug)]
pub enum SubmitError {
    /// Today (in Asia/Shanghai) is outside the term's submission window. The message
    /// names the day it opens or closed.
    OutsideWindow(String),
    /// Blocking findings of the checks, each naming its rule.
    Blocked(Vec<Finding>),
    Other(AppError),
}

impl From<AppError> for SubmitError {
    fn from(error: AppError) -> Self {
        SubmitError::Other(error)
    }
}

impl From<StoreError> for SubmitError {
    fn from(error: StoreError) -> Self {
        SubmitError::Other(error.into())
    }
}

/// Returns the message that rejects a submission on `today`, or `None` inside the
/// term's window. Both ends of the window are submission days.
pub fn window_problem(term: &Term, today: Date) -> Option<String> {
    let label = term.code.label();
    let (start, end) = (term.window_start, term.window_end);
    if today < start {
        return Some(format!(
            "{label}的申报尚未开放，开放时间为 {start} 至 {end}，请在 {start} 当天或之后提交。草稿已保存，可以继续修改。"
        ));
    }
    if today > end {
        return Some(format!(
            "{label}的申报已于 {end} 截止（开放时间 {start} 至 {end}），不能再提交。如有特殊情况，请联系教师发展中心。"
        ));
    }
    None
}

/// Submits the teacher's claim: checks the window, runs the checks on the stored claim and
/// its files, and when nothing blocks, moves it to review and stores its flags in the same
/// transaction. A claim that is no longer a draft or returned is left as it is and
/// reported as already submitted.
///
/// With `expected_version`, a claim whose fields changed since the teacher's page loaded
/// is a conflict, so that a teacher never submits contents they have not seen.
pub async fn submit_claim(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    claim_id: &str,
    expected_version: Option<i64>,
) -> Result<SubmitOutcome, SubmitError> {
    let mut conn = state.db.conn().await?;
    let claim = load_own(&mut conn, user, claim_id).await?;
    if !claim.status.is_editable() {
        return Ok(SubmitOutcome::AlreadySubmitted {
            state: claim.state(),
        });
    }
    if expected_version.is_some_and(|version| version != claim.version) {
        return Err(AppError::Conflict(messages::CHANGED_ELSEWHERE.into()).into());
    }
    let term = terms::get(&mut conn, claim.term_code).await?;
    if let Some(message) = window_problem(&term, school_date(jiff::Timestamp::now())) {
        return Err(SubmitError::OutsideWindow(message));
    }
    drop(conn);

    let mut tx = state.db.begin_write().await?;
    let claim = claims::get(&mut tx, claim_id).await?;
    if !claim.status.is_editable() {
        return Ok(SubmitOutcome::AlreadySubmitted {
            state: claim.state(),
        });
    }
    let actor = teacher_actor(user, ip);
    match check_and_submit(&mut tx, &claim, &actor, &state.config.checks).await? {
        Checked::Blocked(findings) => Err(SubmitError::Blocked(findings)),
        Checked::Submitted { state: next, flags } => {
            xueshi_store::commit(tx).await?;
            tracing::info!(claim.id = claim_id, "claim submitted");
            Ok(SubmitOutcome::Submitted { state: next, flags })
        }
        Checked::Raced => {
            drop(tx);
            // Another request changed the claim between this read and this write. When that
            // request submitted the claim (a second tab), this one is a repeat.
            let mut conn = state.db.conn().await?;
            let claim = claims::get(&mut conn, claim_id).await?;
            if claim.status.is_editable() {
                return Err(AppError::Conflict(messages::CHANGED_ELSEWHERE.into()).into());
            }
            Ok(SubmitOutcome::AlreadySubmitted {
                state: claim.state(),
            })
        }
    }
}

/// The result of [`check_and_submit`].
#[derive(Debug)]
pub enum Checked {
    Submitted {
        state: ClaimState,
        flags: Vec<Finding>,
    },
    /// The blocking findings; nothing was written.
    Blocked(Vec<Finding>),
    /// The claim's version moved on before the transition wrote; nothing was written.
    Raced,
}

/// Runs the checks on `claim` and, when none blocks, submits it through the claim
/// transition and replaces its flags. Call it inside a write transaction and commit only
/// on `Checked::Submitted`.
pub async fn check_and_submit(
    conn: &mut Conn,
    claim: &ClaimDetail,
    actor: &Actor,
    checks: &CheckConfig,
) -> AppResult<Checked> {
    let findings = run_checks(conn, claim, checks).await?;
    if has_blocking(&findings) {
        return Ok(Checked::Blocked(
            findings
                .into_iter()
                .filter(|finding| finding.severity == Severity::Blocking)
                .collect(),
        ));
    }
    let transition = claims::transition(
        conn,
        &claim.id,
        claim.version,
        ClaimAction::Submit,
        actor,
        None,
    )
    .await;
    let next = match transition {
        Ok(next) => next,
        Err(TransitionFailure::Store(StoreError::Conflict)) => return Ok(Checked::Raced),
        Err(failure) => return Err(transition_error(failure)),
    };
    claims::replace_flags(conn, &claim.id, &findings).await?;
    Ok(Checked::Submitted {
        state: next,
        flags: findings,
    })
}

/// Runs every check on the stored claim and its files without changing anything: what
/// a submission now would find.
pub async fn run_checks(
    conn: &mut Conn,
    claim: &ClaimDetail,
    checks: &CheckConfig,
) -> AppResult<Vec<Finding>> {
    let inputs = claims::check_inputs(conn, claim).await?;
    let neighbors = claims::neighbors(conn, claim).await?;
    let mut findings = check_claim(&inputs.facts(claim), &neighbors, checks);
    findings.extend(check_claim_dates(
        claim.start_date,
        claim.end_date,
        school_date(jiff::Timestamp::now()),
        claim.term_code,
    ));
    Ok(findings)
}

/// Maps a rejected transition of the teacher's own action to an error.
fn transition_error(failure: TransitionFailure) -> AppError {
    match failure {
        TransitionFailure::NotAllowed(error) => AppError::Conflict(error.to_string()),
        TransitionFailure::Store(StoreError::Conflict) => {
            AppError::Conflict(messages::CHANGED_ELSEWHERE.into())
        }
        TransitionFailure::Store(error) => error.into(),
        // Teachers' actions carry no decision, so these mean a bug here.
        other @ (TransitionFailure::InvalidDecision(_) | TransitionFailure::OwnClaim) => {
            AppError::Internal(anyhow::anyhow!(
                "a teacher's action was rejected as a reviewer's decision: {other}"
            ))
        }
    }
}

/// The outcome of a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawOutcome {
    Withdrawn,
    /// The claim was a draft already (withdrawn from another tab).
    AlreadyDraft,
}

/// Takes the teacher's pending claim back to a draft, allowed until the first reviewer
/// decides.
pub async fn withdraw_claim(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    claim_id: &str,
) -> AppResult<WithdrawOutcome> {
    let mut tx = state.db.begin_write().await?;
    let claim = load_own(&mut tx, user, claim_id).await?;
    if claim.status == ClaimStatus::Draft {
        return Ok(WithdrawOutcome::AlreadyDraft);
    }
    claims::withdraw(&mut tx, claim_id, claim.version, &teacher_actor(user, ip))
        .await
        .map_err(transition_error)?;
    xueshi_store::commit(tx).await?;
    tracing::info!(claim.id = claim_id, "claim withdrawn");
    Ok(WithdrawOutcome::Withdrawn)
}
