//! The claim (申报项目) state machine and the validation of a reviewer's decision.
//!
//! Every state change of a claim goes through [`apply`], which the store is to call inside
//! the transaction that writes the new state and the audit row.

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::hours::Hours;
use crate::reason::{RejectionReason, codes};
use crate::text::{char_count, clean_name, trim_spaces};

/// The stage of a claim's life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Being written by the teacher and hidden from reviewers.
    Draft,
    /// Waiting for the reviewer of one level.
    Pending,
    /// Sent back to the teacher for revision; editable and submittable again.
    Returned,
    /// Passed at school level; final.
    Accredited,
    /// Not passed; final.
    Rejected,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 5] = [
        ClaimStatus::Draft,
        ClaimStatus::Pending,
        ClaimStatus::Returned,
        ClaimStatus::Accredited,
        ClaimStatus::Rejected,
    ];

    /// Returns the name used in the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Draft => "draft",
            ClaimStatus::Pending => "pending",
            ClaimStatus::Returned => "returned",
            ClaimStatus::Accredited => "accredited",
            ClaimStatus::Rejected => "rejected",
        }
    }

    /// Returns the Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            ClaimStatus::Draft => "草稿",
            ClaimStatus::Pending => "审核中",
            ClaimStatus::Returned => "退回修改",
            ClaimStatus::Accredited => "已认定",
            ClaimStatus::Rejected => "未通过",
        }
    }

    /// Returns whether the teacher may edit and submit the claim.
    pub fn is_editable(self) -> bool {
        matches!(self, ClaimStatus::Draft | ClaimStatus::Returned)
    }

    /// Returns the final outcome, or `None` while the claim is not finished.
    pub fn outcome(self) -> Option<Outcome> {
        match self {
            ClaimStatus::Accredited => Some(Outcome::Accredited),
            ClaimStatus::Rejected => Some(Outcome::Rejected),
            _ => None,
        }
    }
}

impl fmt::Display for ClaimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ClaimStatus {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        ClaimStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| {
                ParseError::new(
                    "申报状态",
                    raw,
                    format!("申报状态“{raw}”无效，可选：draft、pending、returned、accredited、rejected。"),
                )
            })
    }
}

/// The final outcome of a claim: the two finished statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accredited,
    Rejected,
}

impl Outcome {
    /// Returns the Chinese label used in the center's tables.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Accredited => "通过",
            Outcome::Rejected => "未通过",
        }
    }

    /// Returns the claim status this outcome ends in.
    pub fn status(self) -> ClaimStatus {
        match self {
            Outcome::Accredited => ClaimStatus::Accredited,
            Outcome::Rejected => ClaimStatus::Rejected,
        }
    }
}

/// A review level, ordered as review runs: office first, school last.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ReviewLevel {
    /// 教研室: the office director reviews first.
    Office,
    /// 院（部）: the unit reviewer reviews second.
    Unit,
    /// 学校: the center reviews last and accredits.
    School,
}

impl ReviewLevel {
    pub const ALL: [ReviewLevel; 3] = [ReviewLevel::Office, ReviewLevel::Unit, ReviewLevel::School];

    /// Returns the name used in the database, the API and the chain text.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewLevel::Office => "office",
            ReviewLevel::Unit => "unit",
            ReviewLevel::School => "school",
        }
    }

    /// Returns the Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            ReviewLevel::Office => "教研室",
            ReviewLevel::Unit => "院（部）",
            ReviewLevel::School => "学校",
        }
    }
}

impl fmt::Display for ReviewLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReviewLevel {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        ReviewLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == raw)
            .ok_or_else(|| {
                ParseError::new(
                    "审核级别",
                    raw,
                    format!("审核级别“{raw}”无效，可选：office（教研室）、unit（院（部））、school（学校）。"),
                )
            })
    }
}

/// The review levels a term's claims pass through, in order, ending with school.
///
/// Built only by [`ReviewChain::new`] or parsing, so every value is non-empty, strictly
/// ordered office < unit < school and ends with school.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReviewChain(Vec<ReviewLevel>);

impl ReviewChain {
    /// Builds a chain from levels in review order.
    pub fn new(levels: Vec<ReviewLevel>) -> Result<Self, ParseError> {
        let raw = levels
            .iter()
            .map(|level| level.as_str())
            .collect::<Vec<_>>()
            .join(",");
        if levels.last() != Some(&ReviewLevel::School) {
            return Err(chain_error(
                &raw,
                format!("审核流程“{raw}”必须以 school（学校）结束，如 office,unit,school。"),
            ));
        }
        if levels.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(chain_error(
                &raw,
                format!(
                    "审核流程“{raw}”中的级别重复或顺序有误，请按 office（教研室）、unit（院（部））、school（学校）的顺序各写一次。"
                ),
            ));
        }
        Ok(Self(levels))
    }

    /// Parses the text form `office,unit,school`; Chinese commas and spaces are accepted.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let mut levels = Vec::new();
        for part in raw.split([',', '，', '、']) {
            let part = trim_spaces(part);
            if part.is_empty() {
                continue;
            }
            let level = part
                .parse::<ReviewLevel>()
                .map_err(|error| chain_error(raw, error.message))?;
            levels.push(level);
        }
        Self::new(levels).map_err(|error| chain_error(raw, error.message))
    }

    /// Returns the three-level chain: office, unit, school.
    pub fn full() -> Self {
        Self(ReviewLevel::ALL.to_vec())
    }

    pub fn levels(&self) -> &[ReviewLevel] {
        &self.0
    }

    /// Returns the first level of the chain that is not skipped.
    pub fn first_level(&self, skipped: &[ReviewLevel]) -> Option<ReviewLevel> {
        self.0
            .iter()
            .copied()
            .find(|level| !skipped.contains(level))
    }

    /// Returns the first level after `current` that is not skipped.
    pub fn next_level(&self, current: ReviewLevel, skipped: &[ReviewLevel]) -> Option<ReviewLevel> {
        self.0
            .iter()
            .copied()
            .find(|level| *level > current && !skipped.contains(level))
    }
}

fn chain_error(raw: &str, message: impl Into<String>) -> ParseError {
    ParseError::new("审核流程", raw, message)
}

impl Default for ReviewChain {
    fn default() -> Self {
        Self::full()
    }
}

impl fmt::Display for ReviewChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, level) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            f.write_str(level.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for ReviewChain {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl serde::Serialize for ReviewChain {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ReviewChain {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A claim's status and, while it is pending, the level whose reviewer has it.
///
/// The fields are public so the store can load them from columns.
/// [`ClaimState::is_valid`] checks whether a loaded pair is one the state machine can
/// reach, and [`apply`] rejects any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ClaimState {
    pub status: ClaimStatus,
    /// `Some` exactly when `status` is `Pending`.
    pub level: Option<ReviewLevel>,
}

impl ClaimState {
    pub const DRAFT: ClaimState = ClaimState {
        status: ClaimStatus::Draft,
        level: None,
    };

    pub fn pending(level: ReviewLevel) -> Self {
        Self {
            status: ClaimStatus::Pending,
            level: Some(level),
        }
    }

    fn finished(status: ClaimStatus) -> Self {
        Self {
            status,
            level: None,
        }
    }

    /// Returns whether the level is set exactly when the claim is pending.
    pub fn is_valid(&self) -> bool {
        (self.status == ClaimStatus::Pending) == self.level.is_some()
    }

    /// Returns the Chinese label, naming the level while pending: "审核中（院（部））".
    pub fn label(&self) -> String {
        match self.level {
            Some(level) if self.status == ClaimStatus::Pending => {
                format!("{}（{}）", self.status.label(), level.label())
            }
            _ => self.status.label().to_owned(),
        }
    }
}

/// An action of a teacher or reviewer on a claim. Reviewer actions name the level the
/// reviewer acts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimAction {
    Submit,
    Withdraw,
    Approve { level: ReviewLevel },
    Return { level: ReviewLevel },
    Reject { level: ReviewLevel },
}

/// Facts the store gathers for one transition.
#[derive(Debug, Clone, Copy)]
pub struct TransitionContext<'a> {
    /// The chain of the claim's term.
    pub chain: &'a ReviewChain,
    /// Levels this claim skips: levels where the unit has no office, or where the only
    /// reviewers are the claimant, who never reviews their own claim. Skipping school
    /// makes submission fail, because only school accredits.
    pub skipped_levels: &'a [ReviewLevel],
    /// Whether any reviewer decision is recorded since the latest submission; a claim
    /// with one can no longer be withdrawn.
    pub has_decision: bool,
}

/// The reason a transition is not allowed. `Display` is a Chinese sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("该申报当前为“{}”，不能提交；只有草稿或退回修改的申报可以提交。", .status.label())]
    NotSubmittable { status: ClaimStatus },
    #[error("学校级没有可以审核此申报的人（审核人不能审核本人的申报），请联系教师发展中心。")]
    NoSchoolReviewer,
    #[error("该申报已有审核意见或已进入后续审核，不能撤回；如需修改，请联系当前审核人退回。")]
    NotWithdrawable,
    #[error("该申报已不在本级审核中，可能已被他人处理，请刷新后查看。")]
    NotAtLevel,
    #[error(
        "该申报的状态数据不一致（状态“{}”，审核级别“{}”），请联系系统管理员修复。",
        .status.label(),
        level_label(*.level)
    )]
    InvalidState {
        status: ClaimStatus,
        level: Option<ReviewLevel>,
    },
}

/// Applies one action to a claim's state and returns the new state.
///
/// - `Submit` from draft or returned goes to pending at the first level not skipped.
/// - `Withdraw` from pending at that first level, with no decision yet, goes to draft.
/// - `Approve` at the claim's level goes to the next level not skipped, or to
///   accredited at school.
/// - `Return` at the claim's level goes to returned, and resubmission starts again at
///   the first level.
/// - `Reject` at the claim's level goes to rejected.
pub fn apply(
    state: ClaimState,
    action: ClaimAction,
    context: &TransitionContext<'_>,
) -> Result<ClaimState, TransitionError> {
    if !state.is_valid() {
        return Err(TransitionError::InvalidState {
            status: state.status,
            level: state.level,
        });
    }
    let skipped = context.skipped_levels;

    match action {
        ClaimAction::Submit => {
            if !state.status.is_editable() {
                return Err(TransitionError::NotSubmittable {
                    status: state.status,
                });
            }
            if skipped.contains(&ReviewLevel::School) {
                return Err(TransitionError::NoSchoolReviewer);
            }
            let first = context
                .chain
                .first_level(skipped)
                .ok_or(TransitionError::NoSchoolReviewer)?;
            Ok(ClaimState::pending(first))
        }
        ClaimAction::Withdraw => {
            let first = context.chain.first_level(skipped);
            let withdrawable = state.status == ClaimStatus::Pending
                && state.level.is_some()
                && state.level == first
                && !context.has_decision;
            if withdrawable {
                Ok(ClaimState::DRAFT)
            } else {
                Err(TransitionError::NotWithdrawable)
            }
        }
        ClaimAction::Approve { level } => {
            require_level(state, level)?;
            if level == ReviewLevel::School {
                return Ok(ClaimState::finished(ClaimStatus::Accredited));
            }
            let next = context
                .chain
                .next_level(level, skipped)
                .ok_or(TransitionError::NoSchoolReviewer)?;
            Ok(ClaimState::pending(next))
        }
        ClaimAction::Return { level } => {
            require_level(state, level)?;
            Ok(ClaimState::finished(ClaimStatus::Returned))
        }
        ClaimAction::Reject { level } => {
            require_level(state, level)?;
            Ok(ClaimState::finished(ClaimStatus::Rejected))
        }
    }
}

fn level_label(level: Option<ReviewLevel>) -> &'static str {
    level.map_or("无", ReviewLevel::label)
}

fn require_level(state: ClaimState, acting: ReviewLevel) -> Result<(), TransitionError> {
    if state.status == ClaimStatus::Pending && state.level == Some(acting) {
        Ok(())
    } else {
        Err(TransitionError::NotAtLevel)
    }
}

/// Maximum length of a claim's topic, in characters.
pub const MAX_TOPIC_CHARS: usize = 200;

/// Parses a claim's topic (培训主题): trimmed, inner runs of spaces collapsed, 1 to 200
/// characters.
pub fn parse_topic(raw: &str) -> Result<String, ParseError> {
    let topic = clean_name(raw);
    if topic.is_empty() {
        return Err(ParseError::new(
            "培训主题",
            raw,
            "培训主题不能为空，请填写培训的完整名称。",
        ));
    }
    let chars = char_count(&topic);
    if chars > MAX_TOPIC_CHARS {
        return Err(ParseError::new(
            "培训主题",
            raw,
            format!("培训主题共 {chars} 个字，超过 {MAX_TOPIC_CHARS} 字的上限，请只写培训名称。"),
        ));
    }
    Ok(topic)
}

/// Maximum length of a reviewer comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

/// A reviewer's decision as entered in the review form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DecisionInput {
    Approve {
        accredited_hours: Hours,
        #[serde(default)]
        comment: String,
    },
    Return {
        comment: String,
    },
    Reject {
        reason_code: String,
        #[serde(default)]
        comment: String,
    },
}

/// Facts a decision is validated against.
#[derive(Debug, Clone, Copy)]
pub struct DecisionLimits<'a> {
    pub claimed_hours: Hours,
    /// The category's name, for messages.
    pub category_name: &'a str,
    /// The category's current cap per claim.
    pub category_cap: Option<Hours>,
    /// The rejection reasons currently offered.
    pub reasons: &'a [RejectionReason],
}

impl DecisionInput {
    /// Returns the state-machine action of this decision taken at `level`.
    pub fn action(&self, level: ReviewLevel) -> ClaimAction {
        match self {
            DecisionInput::Approve { .. } => ClaimAction::Approve { level },
            DecisionInput::Return { .. } => ClaimAction::Return { level },
            DecisionInput::Reject { .. } => ClaimAction::Reject { level },
        }
    }

    /// Checks the decision and returns every problem found.
    ///
    /// - Approve: accredited hours are more than zero, because zero hours means the claim
    ///   does not pass and that is a rejection with a reason. They are a multiple of half
    ///   an hour like claimed hours, at most the claimed hours (a reviewer may lower them
    ///   but not raise them) and at most the category's cap.
    /// - Return: a comment telling the teacher what to revise.
    /// - Reject: a reason from the current list, and a comment when the reason is 其他,
    ///   since that label alone gives the teacher no reason.
    /// - Every comment is at most 500 characters.
    pub fn validate(&self, limits: &DecisionLimits<'_>) -> Result<(), Vec<ParseError>> {
        let mut errors = Vec::new();
        let comment = match self {
            DecisionInput::Approve { comment, .. }
            | DecisionInput::Return { comment }
            | DecisionInput::Reject { comment, .. } => comment,
        };
        let comment_chars = char_count(trim_spaces(comment));
        if comment_chars > MAX_COMMENT_CHARS {
            errors.push(ParseError::new(
                "审核意见",
                comment,
                format!(
                    "审核意见共 {comment_chars} 个字，超过 {MAX_COMMENT_CHARS} 字的上限，请精简后再提交。"
                ),
            ));
        }

        match self {
            DecisionInput::Approve {
                accredited_hours, ..
            } => check_accredited_hours(*accredited_hours, limits, &mut errors),
            DecisionInput::Return { .. } => {
                if comment_chars == 0 {
                    errors.push(ParseError::new(
                        "审核意见",
                        comment,
                        "退回修改时请填写审核意见，写明需要教师修改的内容。",
                    ));
                }
            }
            DecisionInput::Reject { reason_code, .. } => {
                let known = limits
                    .reasons
                    .iter()
                    .any(|reason| &reason.code == reason_code);
                if !known {
                    errors.push(ParseError::new(
                        "未通过原因",
                        reason_code,
                        "请从列表中选择未通过原因。",
                    ));
                } else if reason_code == codes::OTHER && comment_chars == 0 {
                    errors.push(ParseError::new(
                        "审核意见",
                        comment,
                        "未通过原因为“其他”时，请在审核意见中写明具体原因。",
                    ));
                }
            }
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_accredited_hours(hours: Hours, limits: &DecisionLimits<'_>, errors: &mut Vec<ParseError>) {
    let field = "认定学时";
    let value = hours.to_string();
    if hours.tenths() <= 0 {
        errors.push(ParseError::new(
            field,
            &value,
            "认定学时为 0 表示不予认定，请改用“驳回”并选择未通过原因；如予通过，请填写大于 0 的学时。",
        ));
        return;
    }
    if !hours.is_half_step() {
        errors.push(ParseError::new(
            field,
            &value,
            format!("认定学时 {hours} 不是 0.5 的整数倍，请填写整数或半小时，如 2 或 1.5。"),
        ));
    }
    if hours > limits.claimed_hours {
        errors.push(ParseError::new(
            field,
            &value,
            format!(
                "认定学时 {hours} 超过申报学时 {}，认定学时只能等于或低于申报学时。",
                limits.claimed_hours
            ),
        ));
    }
    if let Some(cap) = limits.category_cap
        && hours > cap
    {
        errors.push(ParseError::new(
            field,
            &value,
            format!(
                "认定学时 {hours} 超过“{}”每条上限 {cap} 学时，请填写不超过 {cap} 的学时。",
                limits.category_name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewLevel::{Office, School, Unit};
    use proptest::prelude::*;

    fn context<'a>(chain: &'a ReviewChain, skipped: &'a [ReviewLevel]) -> TransitionContext<'a> {
        TransitionContext {
            chain,
            skipped_levels: skipped,
            has_decision: false,
        }
    }

    #[test]
    fn status_names_round_trip() {
        for status in ClaimStatus::ALL {
            assert_eq!(status.as_str().parse::<ClaimStatus>(), Ok(status));
        }
        let json = serde_json::to_string(&ClaimStatus::Accredited).unwrap();
        assert_eq!(json, "\"accredited\"");
    }

    #[test]
    fn status_labels() {
        let labels: Vec<&str> = ClaimStatus::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            labels,
            vec!["草稿", "审核中", "退回修改", "已认定", "未通过"]
        );
    }

    #[test]
    fn level_names_and_labels() {
        for level in ReviewLevel::ALL {
            assert_eq!(level.as_str().parse::<ReviewLevel>(), Ok(level));
        }
        assert_eq!(Unit.label(), "院（部）");
        assert!(Office < Unit);
        assert!(Unit < School);
    }

    #[test]
    fn chain_text_round_trips() {
        for raw in [
            "office,unit,school",
            "unit,school",
            "office,school",
            "school",
        ] {
            assert_eq!(ReviewChain::parse(raw).unwrap().to_string(), raw);
        }
        let spaced = ReviewChain::parse(" office， unit ,school").unwrap();
        assert_eq!(spaced, ReviewChain::full());
    }

    #[test]
    fn chain_must_end_with_school() {
        let error = ReviewChain::parse("office,unit").unwrap_err();
        assert!(error.message.contains("school"), "{}", error.message);
        assert!(ReviewChain::parse("").is_err());
    }

    #[test]
    fn chain_rejects_repeats_and_disorder() {
        assert!(ReviewChain::parse("office,office,school").is_err());
        assert!(ReviewChain::parse("unit,office,school").is_err());
        assert!(ReviewChain::parse("school,unit,school").is_err());
    }

    #[test]
    fn chain_rejects_unknown_level() {
        let error = ReviewChain::parse("office,dean,school").unwrap_err();
        assert!(error.message.contains("dean"), "{}", error.message);
    }

    #[test]
    fn full_chain_runs_to_accredited() {
        let chain = ReviewChain::full();
        let context = context(&chain, &[]);
        let mut state = apply(ClaimState::DRAFT, ClaimAction::Submit, &context).unwrap();
        assert_eq!(state, ClaimState::pending(Office));
        state = apply(state, ClaimAction::Approve { level: Office }, &context).unwrap();
        assert_eq!(state, ClaimState::pending(Unit));
        state = apply(state, ClaimAction::Approve { level: Unit }, &context).unwrap();
        assert_eq!(state, ClaimState::pending(School));
        state = apply(state, ClaimAction::Approve { level: School }, &context).unwrap();
        assert_eq!(state.status, ClaimStatus::Accredited);
        assert_eq!(state.level, None);
    }

    #[test]
    fn submit_skips_missing_office() {
        let chain = ReviewChain::full();
        let state = apply(
            ClaimState::DRAFT,
            ClaimAction::Submit,
            &context(&chain, &[Office]),
        );
        assert_eq!(state, Ok(ClaimState::pending(Unit)));
    }

    #[test]
    fn unit_reviewer_claim_skips_own_level() {
        let chain = ReviewChain::full();
        let skipped = [Unit];
        let context = context(&chain, &skipped);
        let pending = ClaimState::pending(Office);
        let state = apply(pending, ClaimAction::Approve { level: Office }, &context);
        assert_eq!(state, Ok(ClaimState::pending(School)));
    }

    #[test]
    fn submit_fails_when_school_skipped() {
        let chain = ReviewChain::full();
        let result = apply(
            ClaimState::DRAFT,
            ClaimAction::Submit,
            &context(&chain, &[School]),
        );
        assert_eq!(result, Err(TransitionError::NoSchoolReviewer));
    }

    #[test]
    fn finished_claim_submit_names_status() {
        let chain = ReviewChain::full();
        let accredited = ClaimState {
            status: ClaimStatus::Accredited,
            level: None,
        };
        let result = apply(accredited, ClaimAction::Submit, &context(&chain, &[School]));
        assert_eq!(
            result,
            Err(TransitionError::NotSubmittable {
                status: ClaimStatus::Accredited
            })
        );
    }

    #[test]
    fn approve_by_other_level_is_stale() {
        let chain = ReviewChain::full();
        let context = context(&chain, &[]);
        let result = apply(
            ClaimState::pending(Unit),
            ClaimAction::Approve { level: Office },
            &context,
        );
        assert_eq!(result, Err(TransitionError::NotAtLevel));
        assert_eq!(
            TransitionError::NotAtLevel.to_string(),
            "该申报已不在本级审核中，可能已被他人处理，请刷新后查看。"
        );
    }

    #[test]
    fn return_then_resubmit_starts_at_first_level() {
        let chain = ReviewChain::full();
        let context = context(&chain, &[]);
        let returned = apply(
            ClaimState::pending(School),
            ClaimAction::Return { level: School },
            &context,
        )
        .unwrap();
        assert_eq!(returned.status, ClaimStatus::Returned);
        let resubmitted = apply(returned, ClaimAction::Submit, &context);
        assert_eq!(resubmitted, Ok(ClaimState::pending(Office)));
    }

    #[test]
    fn reject_is_final() {
        let chain = ReviewChain::full();
        let context = context(&chain, &[]);
        let rejected = apply(
            ClaimState::pending(Unit),
            ClaimAction::Reject { level: Unit },
            &context,
        )
        .unwrap();
        assert_eq!(rejected.status, ClaimStatus::Rejected);
        let resubmit = apply(rejected, ClaimAction::Submit, &context);
        assert_eq!(
            resubmit,
            Err(TransitionError::NotSubmittable {
                status: ClaimStatus::Rejected
            })
        );
    }

    #[test]
    fn withdraw_at_first_level_returns_draft() {
        let chain = ReviewChain::full();
        let result = apply(
            ClaimState::pending(Office),
            ClaimAction::Withdraw,
            &context(&chain, &[]),
        );
        assert_eq!(result, Ok(ClaimState::DRAFT));
    }

    #[test]
    fn withdraw_after_decision_is_refused() {
        let chain = ReviewChain::full();
        let mut context = context(&chain, &[]);
        context.has_decision = true;
        let result = apply(ClaimState::pending(Office), ClaimAction::Withdraw, &context);
        assert_eq!(result, Err(TransitionError::NotWithdrawable));
    }

    #[test]
    fn withdraw_at_later_level_is_refused() {
        let chain = ReviewChain::full();
        let result = apply(
            ClaimState::pending(Unit),
            ClaimAction::Withdraw,
            &context(&chain, &[]),
        );
        assert_eq!(result, Err(TransitionError::NotWithdrawable));
    }

    #[test]
    fn withdraw_at_first_level_after_skip() {
        let chain = ReviewChain::full();
        let result = apply(
            ClaimState::pending(Unit),
            ClaimAction::Withdraw,
            &context(&chain, &[Office]),
        );
        assert_eq!(result, Ok(ClaimState::DRAFT));
    }

    #[test]
    fn inconsistent_state_is_reported_not_panicked() {
        let chain = ReviewChain::full();
        let broken = ClaimState {
            status: ClaimStatus::Pending,
            level: None,
        };
        let result = apply(
            broken,
            ClaimAction::Approve { level: School },
            &context(&chain, &[]),
        );
        assert!(matches!(result, Err(TransitionError::InvalidState { .. })));
    }

    #[test]
    fn pending_label_names_level() {
        assert_eq!(ClaimState::pending(Unit).label(), "审核中（院（部））");
        assert_eq!(ClaimState::DRAFT.label(), "草稿");
    }

    fn arb_level() -> impl Strategy<Value = ReviewLevel> {
        prop_oneof![Just(Office), Just(Unit), Just(School)]
    }

    fn arb_action() -> impl Strategy<Value = ClaimAction> {
        prop_oneof![
            Just(ClaimAction::Submit),
            Just(ClaimAction::Withdraw),
            arb_level().prop_map(|level| ClaimAction::Approve { level }),
            arb_level().prop_map(|level| ClaimAction::Return { level }),
            arb_level().prop_map(|level| ClaimAction::Reject { level }),
        ]
    }

    fn arb_chain() -> impl Strategy<Value = ReviewChain> {
        (any::<bool>(), any::<bool>()).prop_map(|(office, unit)| {
            let mut levels = Vec::new();
            if office {
                levels.push(Office);
            }
            if unit {
                levels.push(Unit);
            }
            levels.push(School);
            ReviewChain::new(levels).unwrap()
        })
    }

    proptest! {
        #[test]
        fn accredited_only_through_school_approval(
            chain in arb_chain(),
            skipped in proptest::collection::vec(arb_level(), 0..3),
            steps in proptest::collection::vec((arb_action(), any::<bool>()), 0..40),
        ) {
            let mut state = ClaimState::DRAFT;
            for (action, has_decision) in steps {
                let context = TransitionContext {
                    chain: &chain,
                    skipped_levels: &skipped,
                    has_decision,
                };
                let Ok(next) = apply(state, action, &context) else {
                    continue;
                };
                prop_assert!(next.is_valid(), "{next:?}");
                if let Some(level) = next.level {
                    prop_assert!(chain.levels().contains(&level), "{level:?} not in {chain}");
                    prop_assert!(!skipped.contains(&level), "{level:?} is skipped");
                }
                if next.status == ClaimStatus::Accredited {
                    prop_assert_eq!(state, ClaimState::pending(School));
                    prop_assert_eq!(action, ClaimAction::Approve { level: School });
                }
                if state.status.outcome().is_some() {
                    prop_assert!(false, "finished claim changed: {state:?} -> {next:?}");
                }
                state = next;
            }
        }
    }

    fn limits(reasons: &[RejectionReason]) -> DecisionLimits<'_> {
        DecisionLimits {
            claimed_hours: Hours::from_whole(8),
            category_name: "院（部）组织的教师发展活动",
            category_cap: Some(Hours::from_whole(6)),
            reasons,
        }
    }

    fn approve(tenths: i64) -> DecisionInput {
        DecisionInput::Approve {
            accredited_hours: Hours::from_tenths(tenths),
            comment: String::new(),
        }
    }

    #[test]
    fn approve_lower_than_claimed_is_valid() {
        let reasons = crate::reason::default_reasons();
        assert_eq!(approve(45).validate(&limits(&reasons)), Ok(()));
    }

    #[test]
    fn approve_zero_points_to_reject() {
        let reasons = crate::reason::default_reasons();
        let errors = approve(0).validate(&limits(&reasons)).unwrap_err();
        assert!(errors[0].message.contains("驳回"), "{}", errors[0].message);
    }

    #[test]
    fn approve_over_claimed_and_cap() {
        let reasons = crate::reason::default_reasons();
        let limits = DecisionLimits {
            category_cap: Some(Hours::from_whole(16)),
            ..limits(&reasons)
        };
        let errors = approve(90).validate(&limits).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("申报学时 8"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn approve_over_category_cap_names_category() {
        let reasons = crate::reason::default_reasons();
        let errors = approve(70).validate(&limits(&reasons)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .message
                .contains("“院（部）组织的教师发展活动”每条上限 6 学时"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn approve_off_half_step_is_invalid() {
        let reasons = crate::reason::default_reasons();
        let errors = approve(12).validate(&limits(&reasons)).unwrap_err();
        assert!(errors[0].message.contains("0.5"), "{}", errors[0].message);
    }

    #[test]
    fn return_needs_comment() {
        let reasons = crate::reason::default_reasons();
        let blank = DecisionInput::Return {
            comment: " \u{3000}".to_owned(),
        };
        assert!(blank.validate(&limits(&reasons)).is_err());
        let written = DecisionInput::Return {
            comment: "请补充签到表。".to_owned(),
        };
        assert_eq!(written.validate(&limits(&reasons)), Ok(()));
    }

    #[test]
    fn reject_needs_known_reason() {
        let reasons = crate::reason::default_reasons();
        let unknown = DecisionInput::Reject {
            reason_code: "late".to_owned(),
            comment: String::new(),
        };
        assert!(unknown.validate(&limits(&reasons)).is_err());
        let known = DecisionInput::Reject {
            reason_code: codes::DUPLICATE.to_owned(),
            comment: String::new(),
        };
        assert_eq!(known.validate(&limits(&reasons)), Ok(()));
    }

    #[test]
    fn reject_for_other_needs_comment() {
        let reasons = crate::reason::default_reasons();
        let bare = DecisionInput::Reject {
            reason_code: codes::OTHER.to_owned(),
            comment: String::new(),
        };
        let errors = bare.validate(&limits(&reasons)).unwrap_err();
        assert!(errors[0].message.contains("其他"), "{}", errors[0].message);
    }

    #[test]
    fn comment_over_limit_is_invalid() {
        let reasons = crate::reason::default_reasons();
        let long = DecisionInput::Return {
            comment: "改".repeat(MAX_COMMENT_CHARS + 1),
        };
        let errors = long.validate(&limits(&reasons)).unwrap_err();
        assert!(errors[0].message.contains("501"), "{}", errors[0].message);
        let at_limit = DecisionInput::Return {
            comment: "改".repeat(MAX_COMMENT_CHARS),
        };
        assert_eq!(at_limit.validate(&limits(&reasons)), Ok(()));
    }

    #[test]
    fn topic_is_cleaned_and_bounded() {
        assert_eq!(
            parse_topic("\u{3000}课程思政  专题培训 ").unwrap(),
            "课程思政 专题培训"
        );
        assert!(parse_topic(" ").is_err());
        assert!(parse_topic(&"培".repeat(MAX_TOPIC_CHARS + 1)).is_err());
        assert!(parse_topic(&"培".repeat(MAX_TOPIC_CHARS)).is_ok());
    }

    #[test]
    fn decision_maps_to_action() {
        assert_eq!(
            approve(10).action(Unit),
            ClaimAction::Approve { level: Unit }
        );
    }

    #[test]
    fn decision_json_is_tagged() {
        let json = r#"{"decision":"approve","accredited_hours":"4.5"}"#;
        let decision: DecisionInput = serde_json::from_str(json).unwrap();
        assert_eq!(decision, approve(45));
    }
}
