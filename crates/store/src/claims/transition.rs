//! The one function through which every state change of a claim goes.

use sqlx::AnyConnection;
use xueshi_core::claim::{
    DecisionInput, DecisionLimits, TransitionContext, TransitionError, apply,
};
use xueshi_core::text::trim_spaces;
use xueshi_core::{
    ClaimAction, ClaimState, ClaimStatus, Hours, ParseError, ReviewChain, ReviewLevel, RoleKind,
};

use crate::audit::{self, Actor, AuditEntry};
use crate::columns;
use crate::notifications::{self, kinds};
use crate::{Result, StoreError, new_id, now_ms};

/// The reason [`transition`] changed nothing. The caller rolls the transaction back.
#[derive(Debug, thiserror::Error)]
pub enum TransitionFailure {
    /// The state machine does not allow the action now. The message is Chinese.
    #[error(transparent)]
    NotAllowed(#[from] TransitionError),
    /// The decision failed `DecisionInput::validate`. Each message is Chinese.
    #[error("{}", .0.iter().map(|error| error.message.as_str()).collect::<Vec<_>>().join(""))]
    InvalidDecision(Vec<ParseError>),
    /// The reviewer is the claim's teacher.
    #[error("审核人不能审核本人的申报，请由其他审核人处理。")]
    OwnClaim,
    /// `StoreError::Conflict` when the claim's version is not the expected one, which
    /// includes losing a race against another decision, and `NotFound` for a missing
    /// claim.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TransitionFailure {
    fn from(error: sqlx::Error) -> Self {
        TransitionFailure::Store(error.into())
    }
}

/// The columns of a claim that a transition reads.
struct Current {
    teacher_id: String,
    unit_id: String,
    office_id: Option<String>,
    topic: String,
    claimed_hours: Hours,
    category_name: String,
    category_cap: Option<Hours>,
    state: ClaimState,
    round: i64,
    version: i64,
}

async fn load_current(conn: &mut AnyConnection, claim_id: &str) -> Result<Current> {
    let row = sqlx::query(
        "SELECT c.teacher_id, c.unit_id, c.office_id, c.topic, c.claimed_hours, c.status, c.level, c.round, \
         c.version, g.name AS category_name, g.max_hours_per_claim \
         FROM claims c JOIN categories g ON g.id = c.category_id WHERE c.id = $1",
    )
    .bind(claim_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(Current {
        teacher_id: columns::text(&row, "teacher_id")?,
        unit_id: columns::text(&row, "unit_id")?,
        office_id: columns::opt_text(&row, "office_id")?,
        topic: columns::text(&row, "topic")?,
        claimed_hours: columns::hours(&row, "claimed_hours")?,
        category_name: columns::text(&row, "category_name")?,
        category_cap: columns::opt_hours(&row, "max_hours_per_claim")?,
        state: ClaimState {
            status: columns::parsed(&row, "status")?,
            level: columns::opt_parsed(&row, "level")?,
        },
        round: columns::int(&row, "round")?,
        version: columns::int(&row, "version")?,
    })
}

/// Applies one action to a claim, inside the caller's write transaction.
///
/// The caller opens the transaction with `Db::begin_write` (on SQLite that takes the
/// write lock first), commits on `Ok` and rolls back on `Err`. In that transaction this
/// function
/// 1. reads the claim and fails with `StoreError::Conflict` unless its version is
///    `expected_version`;
/// 2. computes the new state with `xueshi_core::claim::apply` from the unit's review
///    chain and the levels this claim skips (see [`skipped_levels`]);
/// 3. writes it with an UPDATE guarded by the version, so of two concurrent decisions
///    one updates a row and the other gets `StoreError::Conflict`;
/// 4. for approve, return and reject: writes the decision row (validated with
///    `DecisionInput::validate` first), and for a school rejection the overturn rows of
///    the lower levels' approvals in the same round;
/// 5. appends the audit row, and notifies the teacher when the claim is returned,
///    rejected or accredited.
///
/// Submit increments `round`, sets `submitted_at` and moves the claim to the teacher's
/// current unit and office (it keeps its unit when the teacher has none now). Submit
/// does not run the checks: run `xueshi_core::check_claim` first in the same
/// transaction, call this only when nothing blocks, then store the flags with
/// [`super::replace_flags`].
///
/// `decision` is required for approve, return and reject, must match the action, and
/// must be `None` for submit and withdraw. The caller checks who may act: the teacher
/// for submit and withdraw, a reviewer of the claim's level and scope for decisions.
/// This function only refuses a decision on the reviewer's own claim.
pub async fn transition(
    conn: &mut AnyConnection,
    claim_id: &str,
    expected_version: i64,
    action: ClaimAction,
    actor: &Actor,
    decision: Option<&DecisionInput>,
) -> Result<ClaimState, TransitionFailure> {
    let current = load_current(conn, claim_id).await?;
    if current.version != expected_version {
        return Err(StoreError::Conflict.into());
    }
    let acting_level = reviewer_level(action);
    check_decision_matches(action, decision)?;
    if acting_level.is_some() && actor.person_id.as_deref() == Some(current.teacher_id.as_str()) {
        return Err(TransitionFailure::OwnClaim);
    }

    let (unit_id, office_id) = if action == ClaimAction::Submit {
        teacher_placement(conn, &current).await?
    } else {
        (current.unit_id.clone(), current.office_id.clone())
    };
    let chain = review_chain(conn, &unit_id).await?;
    let skipped = skipped_levels(conn, &current.teacher_id, &unit_id, office_id.as_deref()).await?;
    let has_decision = has_decision_in_round(conn, claim_id, current.round).await?;
    let context = TransitionContext {
        chain: &chain,
        skipped_levels: &skipped,
        has_decision,
    };
    let next = apply(current.state, action, &context)?;
    // Validated after `apply`, so a claim that moved on reports that, not the form's
    // mistakes.
    if let Some(decision) = decision {
        validate_decision(conn, &current, decision).await?;
    }

    let now = now_ms();
    let round = if action == ClaimAction::Submit {
        current.round + 1
    } else {
        current.round
    };
    let outcome = Outcome::of(next, decision);
    write_state(
        conn,
        claim_id,
        expected_version,
        &StateColumns {
            state: next,
            round,
            unit_id: &unit_id,
            office_id: office_id.as_deref(),
            submitted: action == ClaimAction::Submit,
            outcome: &outcome,
            now,
        },
    )
    .await?;

    let mut comment = None;
    if let (Some(level), Some(decision)) = (acting_level, decision) {
        let decision_id =
            insert_decision(conn, claim_id, round, level, actor, decision, now).await?;
        if level == ReviewLevel::School && matches!(decision, DecisionInput::Reject { .. }) {
            insert_overturns(conn, &decision_id, claim_id, round).await?;
        }
        comment = Some(decision_comment(decision));
    }

    audit::append(
        conn,
        actor,
        &AuditEntry {
            entity: "claim",
            entity_id: claim_id,
            action: action_name(action),
            before: Some(state_json(
                current.state,
                current.version,
                current.round,
                None,
            )),
            after: Some(state_json(
                next,
                expected_version + 1,
                round,
                outcome.accredited_hours,
            )),
            reason_code: outcome.reason_code.as_deref(),
            comment: comment.filter(|text| !text.is_empty()),
        },
    )
    .await?;

    notify_teacher(conn, claim_id, &current, acting_level, next, decision).await?;
    Ok(next)
}

/// Withdraws a claim that is pending at its first level with no decision yet, back to a
/// draft, through [`transition`].
pub async fn withdraw(
    conn: &mut AnyConnection,
    claim_id: &str,
    expected_version: i64,
    actor: &Actor,
) -> Result<ClaimState, TransitionFailure> {
    transition(
        conn,
        claim_id,
        expected_version,
        ClaimAction::Withdraw,
        actor,
        None,
    )
    .await
}

fn reviewer_level(action: ClaimAction) -> Option<ReviewLevel> {
    match action {
        ClaimAction::Submit | ClaimAction::Withdraw => None,
        ClaimAction::Approve { level }
        | ClaimAction::Return { level }
        | ClaimAction::Reject { level } => Some(level),
    }
}

fn action_name(action: ClaimAction) -> &'static str {
    match action {
        ClaimAction::Submit => "submit",
        ClaimAction::Withdraw => "withdraw",
        ClaimAction::Approve { .. } => "approve",
        ClaimAction::Return { .. } => "return",
        ClaimAction::Reject { .. } => "reject",
    }
}

/// Fails when the decision does not fit the action: that is a bug of the caller, not
/// something a user can fix.
fn check_decision_matches(
    action: ClaimAction,
    decision: Option<&DecisionInput>,
) -> Result<(), TransitionFailure> {
    let fits = match (reviewer_level(action), decision) {
        (None, None) => true,
        (Some(level), Some(decision)) => decision.action(level) == action,
        _ => false,
    };
    if fits {
        return Ok(());
    }
    Err(StoreError::Other(anyhow::anyhow!(
        "the decision {decision:?} does not fit the claim action {action:?}"
    ))
    .into())
}

async fn validate_decision(
    conn: &mut AnyConnection,
    current: &Current,
    decision: &DecisionInput,
) -> Result<(), TransitionFailure> {
    let reasons = crate::reasons::list_active(conn).await?;
    let limits = DecisionLimits {
        claimed_hours: current.claimed_hours,
        category_name: &current.category_name,
        category_cap: current.category_cap,
        reasons: &reasons,
    };
    decision
        .validate(&limits)
        .map_err(TransitionFailure::InvalidDecision)
}

/// Returns the teacher's current unit and office. A teacher without a unit now keeps
/// the claim's unit and office.
async fn teacher_placement(
    conn: &mut AnyConnection,
    current: &Current,
) -> Result<(String, Option<String>)> {
    let row = sqlx::query("SELECT unit_id, office_id FROM people WHERE id = $1")
        .bind(&current.teacher_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    match columns::opt_text(&row, "unit_id")? {
        Some(unit_id) => Ok((unit_id, columns::opt_text(&row, "office_id")?)),
        None => Ok((current.unit_id.clone(), current.office_id.clone())),
    }
}

async fn review_chain(conn: &mut AnyConnection, unit_id: &str) -> Result<ReviewChain> {
    let row = sqlx::query("SELECT review_chain FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let text = columns::text(&row, "review_chain")?;
    ReviewChain::parse(&text).map_err(|error| columns::corrupt("review_chain", &text, error))
}

/// Counts the active holders of a role for a scope, the teacher excepted.
async fn reviewers_other_than(
    conn: &mut AnyConnection,
    role: RoleKind,
    scope_id: &str,
    teacher_id: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM role_grants g JOIN people p ON p.id = g.person_id \
         WHERE g.role = $1 AND g.scope_id = $2 AND p.active = 1 AND p.id <> $3",
    )
    .bind(role.as_str())
    .bind(scope_id)
    .bind(teacher_id)
    .fetch_one(&mut *conn)
    .await?;
    columns::int(&row, "n")
}

/// Returns the levels a teacher's claim skips because nobody but the teacher could
/// review it there: the office level when the claim has no office or the office has no
/// active director besides the teacher, and the unit level when the unit has no active
/// unit reviewer besides the teacher.
///
/// The levels are computed again at every transition, so a reviewer appointed or
/// removed during review changes where the claim goes next.
pub async fn skipped_levels(
    conn: &mut AnyConnection,
    teacher_id: &str,
    unit_id: &str,
    office_id: Option<&str>,
) -> Result<Vec<ReviewLevel>> {
    let mut skipped = Vec::new();
    let office_reviewed = match office_id {
        Some(office_id) => {
            reviewers_other_than(conn, RoleKind::OfficeDirector, office_id, teacher_id).await? > 0
        }
        None => false,
    };
    if !office_reviewed {
        skipped.push(ReviewLevel::Office);
    }
    if reviewers_other_than(conn, RoleKind::UnitReviewer, unit_id, teacher_id).await? == 0 {
        skipped.push(ReviewLevel::Unit);
    }
    // TODO: a claimant who is the only active center admin has no school reviewer, so
    // the claim waits at school level until another admin is appointed.
    Ok(skipped)
}

async fn has_decision_in_round(
    conn: &mut AnyConnection,
    claim_id: &str,
    round: i64,
) -> Result<bool> {
    let row =
        sqlx::query("SELECT 1 AS one FROM decisions WHERE claim_id = $1 AND round = $2 LIMIT 1")
            .bind(claim_id)
            .bind(round)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

/// The outcome columns a transition sets beside the state.
struct Outcome {
    /// Set when the claim ends accredited.
    accredited_hours: Option<Hours>,
    /// Set when the claim ends rejected.
    reason_code: Option<String>,
}

impl Outcome {
    fn of(next: ClaimState, decision: Option<&DecisionInput>) -> Self {
        match (next.status, decision) {
            (
                ClaimStatus::Accredited,
                Some(DecisionInput::Approve {
                    accredited_hours, ..
                }),
            ) => Self {
                accredited_hours: Some(*accredited_hours),
                reason_code: None,
            },
            (ClaimStatus::Rejected, Some(DecisionInput::Reject { reason_code, .. })) => Self {
                accredited_hours: None,
                reason_code: Some(reason_code.clone()),
            },
            _ => Self {
                accredited_hours: None,
                reason_code: None,
            },
        }
    }

    fn is_final(&self) -> bool {
        self.accredited_hours.is_some() || self.reason_code.is_some()
    }
}

struct StateColumns<'a> {
    state: ClaimState,
    round: i64,
    unit_id: &'a str,
    office_id: Option<&'a str>,
    submitted: bool,
    outcome: &'a Outcome,
    now: i64,
}

/// Writes the new state, guarded by the version the caller read.
async fn write_state(
    conn: &mut AnyConnection,
    claim_id: &str,
    expected_version: i64,
    columns: &StateColumns<'_>,
) -> Result<()> {
    let result = sqlx::query(
        "UPDATE claims SET status = $3, level = $4, version = version + 1, round = $5, unit_id = $6, \
         office_id = $7, submitted_at = CASE WHEN $8 = 1 THEN $11 ELSE submitted_at END, \
         accredited_hours = $9, reason_code = $10, \
         decided_at = CASE WHEN $12 = 1 THEN $11 ELSE NULL END, updated_at = $11 \
         WHERE id = $1 AND version = $2",
    )
    .bind(claim_id)
    .bind(expected_version)
    .bind(columns.state.status.as_str())
    .bind(columns.state.level.map(ReviewLevel::as_str))
    .bind(columns.round)
    .bind(columns.unit_id)
    .bind(columns.office_id)
    .bind(crate::columns::flag_value(columns.submitted))
    .bind(columns.outcome.accredited_hours.map(Hours::tenths))
    .bind(columns.outcome.reason_code.as_deref())
    .bind(columns.now)
    .bind(crate::columns::flag_value(columns.outcome.is_final()))
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

fn decision_comment(decision: &DecisionInput) -> &str {
    match decision {
        DecisionInput::Approve { comment, .. }
        | DecisionInput::Return { comment }
        | DecisionInput::Reject { comment, .. } => trim_spaces(comment),
    }
}

async fn insert_decision(
    conn: &mut AnyConnection,
    claim_id: &str,
    round: i64,
    level: ReviewLevel,
    actor: &Actor,
    decision: &DecisionInput,
    now: i64,
) -> Result<String> {
    let (kind, hours, reason) = match decision {
        DecisionInput::Approve {
            accredited_hours, ..
        } => ("approve", Some(accredited_hours.tenths()), None),
        DecisionInput::Return { .. } => ("return", None, None),
        DecisionInput::Reject { reason_code, .. } => ("reject", None, Some(reason_code.as_str())),
    };
    let id = new_id();
    sqlx::query(
        "INSERT INTO decisions (id, claim_id, round, level, decision, reviewer_id, accredited_hours, \
         reason_code, comment, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(claim_id)
    .bind(round)
    .bind(level.as_str())
    .bind(kind)
    .bind(&actor.person_id)
    .bind(hours)
    .bind(reason)
    .bind(decision_comment(decision))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Links a school rejection to the approvals of lower levels in the same round.
async fn insert_overturns(
    conn: &mut AnyConnection,
    school_decision_id: &str,
    claim_id: &str,
    round: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO overturns (school_decision_id, approval_decision_id) \
         SELECT $1, d.id FROM decisions d WHERE d.claim_id = $2 AND d.round = $3 \
         AND d.decision = 'approve' AND d.level <> 'school'",
    )
    .bind(school_decision_id)
    .bind(claim_id)
    .bind(round)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn state_json(
    state: ClaimState,
    version: i64,
    round: i64,
    accredited_hours: Option<Hours>,
) -> serde_json::Value {
    let mut value = serde_json::json!({
        "status": state.status.as_str(),
        "level": state.level.map(ReviewLevel::as_str),
        "version": version,
        "round": round,
    });
    if let Some(hours) = accredited_hours {
        value["accredited_hours"] = serde_json::Value::String(hours.to_string());
    }
    value
}

/// Tells the teacher that the claim was returned, rejected or accredited.
async fn notify_teacher(
    conn: &mut AnyConnection,
    claim_id: &str,
    current: &Current,
    acting_level: Option<ReviewLevel>,
    next: ClaimState,
    decision: Option<&DecisionInput>,
) -> Result<()> {
    let (Some(level), Some(decision)) = (acting_level, decision) else {
        return Ok(());
    };
    let topic = &current.topic;
    let comment = decision_comment(decision);
    let comment_sentence = if comment.is_empty() {
        String::new()
    } else {
        format!("审核意见：{comment}")
    };
    let (kind, message) = match decision {
        DecisionInput::Return { .. } => (
            kinds::CLAIM_RETURNED,
            format!(
                "您的申报“{topic}”被{}审核退回修改，请修改后重新提交。{comment_sentence}",
                level.label()
            ),
        ),
        DecisionInput::Reject { reason_code, .. } => {
            let label = crate::reasons::label(conn, reason_code).await?;
            (
                kinds::CLAIM_REJECTED,
                format!(
                    "您的申报“{topic}”未通过{}审核，原因：{label}。{comment_sentence}",
                    level.label()
                ),
            )
        }
        DecisionInput::Approve {
            accredited_hours, ..
        } if next.status == ClaimStatus::Accredited => (
            kinds::CLAIM_ACCREDITED,
            format!(
                "您的申报“{topic}”已通过审核，认定 {accredited_hours} 学时。{comment_sentence}"
            ),
        ),
        DecisionInput::Approve { .. } => return Ok(()),
    };
    notifications::create(conn, &current.teacher_id, Some(claim_id), kind, &message).await?;
    Ok(())
}
