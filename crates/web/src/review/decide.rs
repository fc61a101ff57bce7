//! Taking a reviewer's decision on a claim, for the review page, batch approval and the
//! JSON API alike.

use xueshi_core::claim::DecisionInput;
use xueshi_core::{ClaimState, ClaimStatus, Hours, ParseError, ReviewLevel};
use xueshi_store::Db;
use xueshi_store::StoreError;
use xueshi_store::audit::Actor;
use xueshi_store::claims::{self, DecisionKind, TransitionFailure};

use super::scope;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, FieldError};

/// Message when someone else changed the claim after the reviewer loaded it.
pub const STALE_MESSAGE: &str =
    "其他审核人已先处理了这条申报，您的决定未保存。请查看申报的最新状态后再操作。";

fn own_claim_message() -> String {
    "这是您本人的申报。审核人不能审核本人的申报，它将由其他审核人处理。".to_owned()
}

fn out_of_scope_message() -> String {
    "这条申报不在您的审核范围内，您的决定未保存。".to_owned()
}

/// A reviewer's decision as a form or the API sends it, before the claim is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposal {
    /// `hours: None` accredits the claimed hours.
    Approve {
        hours: Option<Hours>,
        comment: String,
    },
    Return {
        comment: String,
    },
    Reject {
        reason_code: String,
        comment: String,
    },
}

impl Proposal {
    /// Parses the decision (`approve`, `return` or `reject`) and its fields. Blank hours
    /// mean the claimed hours. A missing reason or comment is left for the core's
    /// decision rules to report, together with any other mistake.
    pub fn parse(
        decision: &str,
        accredited_hours: Option<&str>,
        reason_code: Option<&str>,
        comment: Option<&str>,
    ) -> AppResult<Self> {
        let comment = comment.unwrap_or_default().to_owned();
        match decision.trim() {
            "approve" => {
                let hours = match accredited_hours.map(str::trim).filter(|h| !h.is_empty()) {
                    Some(raw) => Some(Hours::parse("认定学时", raw)?),
                    None => None,
                };
                Ok(Proposal::Approve { hours, comment })
            }
            "return" => Ok(Proposal::Return { comment }),
            "reject" => Ok(Proposal::Reject {
                reason_code: reason_code.unwrap_or_default().trim().to_owned(),
                comment,
            }),
            other => Err(AppError::Invalid {
                message: format!(
                    "审核决定“{other}”无效，请选择 approve（通过）、return（退回修改）或 reject（未通过）。"
                ),
                fields: vec![FieldError {
                    field: "decision".to_owned(),
                    message: "请选择通过、退回修改或未通过。".to_owned(),
                }],
            }),
        }
    }

    /// Returns the kind of decision.
    pub fn kind(&self) -> DecisionKind {
        match self {
            Proposal::Approve { .. } => DecisionKind::Approve,
            Proposal::Return { .. } => DecisionKind::Return,
            Proposal::Reject { .. } => DecisionKind::Reject,
        }
    }

    fn into_input(self, claimed_hours: Hours) -> DecisionInput {
        match self {
            Proposal::Approve { hours, comment } => DecisionInput::Approve {
                accredited_hours: hours.unwrap_or(claimed_hours),
                comment,
            },
            Proposal::Return { comment } => DecisionInput::Return { comment },
            Proposal::Reject {
                reason_code,
                comment,
            } => DecisionInput::Reject {
                reason_code,
                comment,
            },
        }
    }
}

/// A decision taken: the claim's new state and version.
#[derive(Debug, Clone)]
pub struct Decided {
    pub claim_id: String,
    pub topic: String,
    pub kind: DecisionKind,
    /// The level the reviewer decided at.
    pub level: ReviewLevel,
    pub state: ClaimState,
    pub version: i64,
    /// The accredited hours when the claim ended accredited.
    pub accredited_hours: Option<Hours>,
}

impl Decided {
    /// Returns the sentence that reports the outcome to the reviewer.
    pub fn summary(&self) -> String {
        let topic = &self.topic;
        match (self.kind, self.state.status, self.state.level) {
            (DecisionKind::Approve, ClaimStatus::Accredited, _) => format!(
                "已通过“{topic}”，认定 {} 学时。",
                self.accredited_hours.unwrap_or_default()
            ),
            (DecisionKind::Approve, _, Some(next)) => {
                format!("已通过“{topic}”，已转至{}审核。", next.label())
            }
            (DecisionKind::Approve, _, None) => format!("已通过“{topic}”。"),
            (DecisionKind::Return, _, _) => format!("已将“{topic}”退回教师修改。"),
            (DecisionKind::Reject, _, _) => format!("已将“{topic}”审核为未通过。"),
        }
    }
}

/// Extra conditions on a decision.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecideOptions {
    /// Whether to reject a claim that carries any flag, since batch approval takes only
    /// claims without flags.
    pub unflagged_only: bool,
}

/// Takes one decision on a claim at the claim's current level, in one write transaction
/// that is committed only when everything succeeded.
///
/// Errors, with nothing written:
/// - `NotFound` for a missing claim or a draft, which reviewers never see;
/// - `Forbidden` for the reviewer's own claim, a claim outside their scope, or a claim
///   pending at a level whose role they do not hold;
/// - `Conflict` when `version` is stale, when the claim is no longer pending, or (with
///   `unflagged_only`) when it carries a flag;
/// - `Invalid` when the decision breaks the core's decision rules (hours above the claim
///   or the category's cap, a return without a comment, a rejection without a reason).
pub async fn decide(
    db: &Db,
    user: &CurrentUser,
    ip: &str,
    claim_id: &str,
    version: i64,
    proposal: Proposal,
    options: DecideOptions,
) -> AppResult<Decided> {
    let mut tx = db.begin_write().await?;
    let claim = claims::get(&mut tx, claim_id).await?;
    if claim.status == ClaimStatus::Draft {
        return Err(AppError::NotFound);
    }
    if claim.teacher_id == user.person_id {
        return Err(AppError::Forbidden(own_claim_message()));
    }
    if !scope::reviews_claim(user, &claim) {
        return Err(AppError::Forbidden(out_of_scope_message()));
    }
    if claim.version != version {
        return Err(AppError::Conflict(format!(
            "{STALE_MESSAGE}当前状态：{}。",
            claim.state().label()
        )));
    }
    let Some(level) = claim.level.filter(|_| claim.status == ClaimStatus::Pending) else {
        return Err(AppError::Conflict(format!(
            "这条申报当前为“{}”，不在审核中，您的决定未保存。",
            claim.status.label()
        )));
    };
    if !scope::holds_level(user, &claim, level) {
        return Err(AppError::Forbidden(format!(
            "这条申报当前在{}审核，您不是该级审核人，不能作出决定。",
            level.label()
        )));
    }
    if options.unflagged_only && !claim.flags.is_empty() {
        return Err(AppError::Conflict(format!(
            "这条申报有 {} 个检查标记，不能批量通过，请打开申报逐条审核。",
            claim.flags.len()
        )));
    }

    let kind = proposal.kind();
    let input = proposal.into_input(claim.claimed_hours);
    let actor = Actor::person(&user.person_id, Some(ip.to_owned()));
    let state = claims::transition(
        &mut tx,
        claim_id,
        version,
        input.action(level),
        &actor,
        Some(&input),
    )
    .await
    .map_err(transition_error)?;
    xueshi_store::commit(tx).await?;

    tracing::info!(claim.id = %claim_id, decision = %kind, level = %level, "claim decided");
    let accredited_hours = match (&input, state.status) {
        (
            DecisionInput::Approve {
                accredited_hours, ..
            },
            ClaimStatus::Accredited,
        ) => Some(*accredited_hours),
        _ => None,
    };
    Ok(Decided {
        claim_id: claim_id.to_owned(),
        topic: claim.topic,
        kind,
        level,
        state,
        version: version + 1,
        accredited_hours,
    })
}

/// Maps the store's transition failures to responses.
fn transition_error(failure: TransitionFailure) -> AppError {
    match failure {
        TransitionFailure::NotAllowed(error) => AppError::Conflict(error.to_string()),
        TransitionFailure::InvalidDecision(errors) => invalid_decision(errors),
        TransitionFailure::OwnClaim => AppError::Forbidden(own_claim_message()),
        TransitionFailure::Store(StoreError::Conflict) => AppError::Conflict(STALE_MESSAGE.into()),
        TransitionFailure::Store(error) => error.into(),
    }
}

fn invalid_decision(errors: Vec<ParseError>) -> AppError {
    let message = errors
        .iter()
        .map(|error| error.message.as_str())
        .collect::<Vec<_>>()
        .join("");
    let fields = errors
        .into_iter()
        .map(|error| FieldError {
            field: error.field.to_owned(),
            message: error.message,
        })
        .collect();
    AppError::Invalid { message, fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_hours_mean_claimed() {
        let proposal = Proposal::parse("approve", Some(" "), None, None).unwrap();
        let input = proposal.into_input(Hours::from_whole(12));
        assert_eq!(
            input,
            DecisionInput::Approve {
                accredited_hours: Hours::from_whole(12),
                comment: String::new(),
            }
        );
    }

    #[test]
    fn bad_hours_name_the_field() {
        let error = Proposal::parse("approve", Some("十二"), None, None).unwrap_err();
        let message = error.user_message().unwrap();
        assert!(message.contains("认定学时"), "{message}");
    }

    #[test]
    fn unknown_decision_is_invalid() {
        let error = Proposal::parse("maybe", None, None, None).unwrap_err();
        assert!(matches!(error, AppError::Invalid { .. }), "{error:?}");
    }

    #[test]
    fn reject_keeps_blank_reason_for_rules() {
        let proposal = Proposal::parse("reject", None, None, Some("材料不全")).unwrap();
        assert_eq!(
            proposal,
            Proposal::Reject {
                reason_code: String::new(),
                comment: "材料不全".to_owned(),
            }
        );
    }
}
