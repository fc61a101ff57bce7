//! The review decisions of a claim.

use std::fmt;
use std::str::FromStr;

use sqlx::AnyConnection;
use xueshi_core::{Hours, ReviewLevel};

use crate::Result;
use crate::columns;

/// The kind of a reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Return,
    Reject,
}

impl DecisionKind {
    /// Returns the name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Approve => "approve",
            DecisionKind::Return => "return",
            DecisionKind::Reject => "reject",
        }
    }

    /// Returns the Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::Approve => "通过",
            DecisionKind::Return => "退回修改",
            DecisionKind::Reject => "未通过",
        }
    }
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DecisionKind {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "approve" => Ok(DecisionKind::Approve),
            "return" => Ok(DecisionKind::Return),
            "reject" => Ok(DecisionKind::Reject),
            _ => Err(format!(
                "unknown decision {raw:?}; expected approve, return or reject"
            )),
        }
    }
}

/// One decision with the reviewer's name and the reason's label.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DecisionRow {
    pub id: String,
    pub round: i64,
    pub level: ReviewLevel,
    pub decision: DecisionKind,
    /// `None` for decisions imported from a past term's spreadsheet.
    pub reviewer_id: Option<String>,
    pub reviewer_name: Option<String>,
    pub accredited_hours: Option<Hours>,
    pub reason_code: Option<String>,
    pub reason_label: Option<String>,
    pub comment: String,
    pub decided_at: i64,
}

/// Lists a claim's decisions, oldest first.
pub async fn history(conn: &mut AnyConnection, claim_id: &str) -> Result<Vec<DecisionRow>> {
    let rows = sqlx::query(
        "SELECT d.id, d.round, d.level, d.decision, d.reviewer_id, p.name AS reviewer_name, d.accredited_hours, \
         d.reason_code, r.label AS reason_label, d.comment, d.decided_at \
         FROM decisions d LEFT JOIN people p ON p.id = d.reviewer_id \
         LEFT JOIN rejection_reasons r ON r.code = d.reason_code \
         WHERE d.claim_id = $1 ORDER BY d.decided_at, d.id",
    )
    .bind(claim_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DecisionRow {
                id: columns::text(row, "id")?,
                round: columns::int(row, "round")?,
                level: columns::parsed(row, "level")?,
                decision: columns::parsed(row, "decision")?,
                reviewer_id: columns::opt_text(row, "reviewer_id")?,
                reviewer_name: columns::opt_text(row, "reviewer_name")?,
                accredited_hours: columns::opt_hours(row, "accredited_hours")?,
                reason_code: columns::opt_text(row, "reason_code")?,
                reason_label: columns::opt_text(row, "reason_label")?,
                comment: columns::text(row, "comment")?,
                decided_at: columns::int(row, "decided_at")?,
            })
        })
        .collect()
}

/// Lists the ids of the lower-level approvals that a school rejection of the claim
/// overturned in the same round, as the transition recorded them.
pub async fn overturned_approvals(conn: &mut AnyConnection, claim_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT o.approval_decision_id FROM overturns o \
         JOIN decisions d ON d.id = o.approval_decision_id \
         WHERE d.claim_id = $1 ORDER BY d.decided_at, d.id",
    )
    .bind(claim_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| columns::text(row, "approval_decision_id"))
        .collect()
}
