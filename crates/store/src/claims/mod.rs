//! Claims (申报项目): drafts, the one transition function through which every state
//! change goes, the reviewers' queue, the facts the checks need, flags and history.
//!
//! The rules (which transitions exist, what a decision may contain, what the checks find)
//! live in `xueshi_core`. This module loads the facts they need and writes the results.

use jiff::civil::Date;
use sqlx::AnyConnection;
use xueshi_core::{ClaimState, ClaimStatus, Hours, ReviewLevel, TermCode};

use crate::activities::TrainingMode;
use crate::columns;
use crate::evidence::{self, EvidenceRow};
use crate::{Result, StoreError};

mod draft;
mod history;
mod neighbors;
mod queue;
mod transition;

pub use draft::{DUPLICATE_WINDOW_MS, create_draft, delete_draft, update_draft};
pub use history::{DecisionKind, DecisionRow, history, overturned_approvals};
pub use neighbors::{CheckInputs, MIRRORED_FLAG_CODES, check_inputs, neighbors, replace_flags};
pub use queue::{MAX_PAGE_SIZE, QueueFilter, QueuePage, QueueRow, QueueScope, QueueSort, queue};
pub use transition::{TransitionFailure, skipped_levels, transition, withdraw};

/// The fields of a claim that the teacher writes, for creating and updating a draft.
/// The caller parses them at the edge (e.g. the topic with
/// `xueshi_core::claim::parse_topic`), and the store writes them as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDraft {
    pub term: TermCode,
    /// A category of `term`.
    pub category_id: String,
    pub topic: String,
    pub organizer: String,
    pub start_date: Date,
    pub end_date: Date,
    pub mode: TrainingMode,
    pub claimed_hours: Hours,
    /// Training notes (培训记录) typed into the form.
    pub notes: String,
    /// The date printed on the certificate, if the teacher entered one.
    pub certificate_date: Option<Date>,
    /// The ledger activity the claim is for.
    pub activity_id: Option<String>,
}

/// A flag the checks raised on a claim, shown to reviewers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClaimFlag {
    pub id: String,
    /// The check's code, e.g. `identical_evidence`.
    pub code: String,
    pub message: String,
    pub related_claim_id: Option<String>,
    pub created_at: i64,
}

/// A claim with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClaimDetail {
    pub id: String,
    pub term_code: TermCode,
    pub category_id: String,
    pub category_code: u8,
    pub category_name: String,
    pub teacher_id: String,
    pub teacher_staff_id: String,
    pub teacher_name: String,
    /// The teacher's unit when the claim was last submitted (or created); reports count
    /// the claim here.
    pub unit_id: String,
    pub unit_name: String,
    pub office_id: Option<String>,
    pub office_name: Option<String>,
    pub topic: String,
    pub organizer: String,
    pub start_date: Date,
    pub end_date: Date,
    pub mode: TrainingMode,
    pub claimed_hours: Hours,
    /// Set when the claim is accredited.
    pub accredited_hours: Option<Hours>,
    pub notes: String,
    pub certificate_date: Option<Date>,
    pub activity_id: Option<String>,
    pub activity_title: Option<String>,
    pub status: ClaimStatus,
    /// The level whose reviewer has the claim; `Some` exactly while it is pending.
    pub level: Option<ReviewLevel>,
    /// Set when the claim is rejected.
    pub reason_code: Option<String>,
    pub reason_label: Option<String>,
    /// `platform`, or `history` for claims imported from a past term's spreadsheet.
    pub source: String,
    /// Submissions so far.
    pub round: i64,
    /// The version that every change must name, as [`transition`] describes.
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    /// When the claim was accredited or rejected.
    pub decided_at: Option<i64>,
    pub evidence: Vec<EvidenceRow>,
    pub flags: Vec<ClaimFlag>,
}

impl ClaimDetail {
    /// Returns the state the state machine works on.
    pub fn state(&self) -> ClaimState {
        ClaimState {
            status: self.status,
            level: self.level,
        }
    }
}

/// A claim as the teacher's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClaimRow {
    pub id: String,
    pub term_code: TermCode,
    pub category_id: String,
    pub category_code: u8,
    pub category_name: String,
    pub topic: String,
    pub organizer: String,
    pub start_date: Date,
    pub end_date: Date,
    pub mode: TrainingMode,
    pub claimed_hours: Hours,
    pub accredited_hours: Option<Hours>,
    pub status: ClaimStatus,
    pub level: Option<ReviewLevel>,
    pub reason_code: Option<String>,
    pub reason_label: Option<String>,
    pub round: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
}

/// A teacher's hours in one term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct HoursSummary {
    /// Claimed hours of every claim that is not a draft.
    pub claimed: Hours,
    /// Accredited hours of accredited claims.
    pub accredited: Hours,
    /// Hours of school-accredited activities the teacher attended.
    pub school_credited: Hours,
}

impl HoursSummary {
    /// Returns the hours that count towards the term's requirement.
    pub fn credited_total(&self) -> Hours {
        self.accredited + self.school_credited
    }
}

/// Lists the statuses in which the teacher may edit a claim, quoted for an SQL `IN`
/// list. The names are the core's constants, never user input.
pub(crate) fn editable_statuses() -> String {
    ClaimStatus::ALL
        .into_iter()
        .filter(|status| status.is_editable())
        .map(|status| format!("'{}'", status.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn category_code(row: &sqlx::any::AnyRow) -> Result<u8> {
    let code = columns::int(row, "category_code")?;
    u8::try_from(code).map_err(|error| columns::corrupt("category_code", &code.to_string(), error))
}

const CLAIM_ROW_COLUMNS: &str = "c.id, c.term_code, c.category_id, g.code AS category_code, \
    g.name AS category_name, c.topic, c.organizer, c.start_date, c.end_date, c.mode, c.claimed_hours, \
    c.accredited_hours, c.status, c.level, c.reason_code, r.label AS reason_label, c.round, c.version, \
    c.created_at, c.updated_at, c.submitted_at, c.decided_at";

const CLAIM_ROW_JOINS: &str = "FROM claims c JOIN categories g ON g.id = c.category_id \
    LEFT JOIN rejection_reasons r ON r.code = c.reason_code";

fn claim_row_from_row(row: &sqlx::any::AnyRow) -> Result<ClaimRow> {
    Ok(ClaimRow {
        id: columns::text(row, "id")?,
        term_code: columns::term_code(row, "term_code")?,
        category_id: columns::text(row, "category_id")?,
        category_code: category_code(row)?,
        category_name: columns::text(row, "category_name")?,
        topic: columns::text(row, "topic")?,
        organizer: columns::text(row, "organizer")?,
        start_date: columns::date(row, "start_date")?,
        end_date: columns::date(row, "end_date")?,
        mode: columns::parsed(row, "mode")?,
        claimed_hours: columns::hours(row, "claimed_hours")?,
        accredited_hours: columns::opt_hours(row, "accredited_hours")?,
        status: columns::parsed(row, "status")?,
        level: columns::opt_parsed(row, "level")?,
        reason_code: columns::opt_text(row, "reason_code")?,
        reason_label: columns::opt_text(row, "reason_label")?,
        round: columns::int(row, "round")?,
        version: columns::int(row, "version")?,
        created_at: columns::int(row, "created_at")?,
        updated_at: columns::int(row, "updated_at")?,
        submitted_at: columns::opt_int(row, "submitted_at")?,
        decided_at: columns::opt_int(row, "decided_at")?,
    })
}

/// Finds a claim with its names, evidence and flags.
pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<ClaimDetail> {
    let sql = format!(
        "SELECT {CLAIM_ROW_COLUMNS}, c.teacher_id, p.staff_id AS teacher_staff_id, p.name AS teacher_name, \
         c.unit_id, u.name AS unit_name, c.office_id, o.name AS office_name, c.notes, c.certificate_date, \
         c.activity_id, a.title AS activity_title, c.source \
         {CLAIM_ROW_JOINS} JOIN people p ON p.id = c.teacher_id JOIN units u ON u.id = c.unit_id \
         LEFT JOIN offices o ON o.id = c.office_id LEFT JOIN activities a ON a.id = c.activity_id \
         WHERE c.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let base = claim_row_from_row(&row)?;
    let evidence = evidence::list(conn, id).await?;
    let flags = flags(conn, id).await?;
    Ok(ClaimDetail {
        id: base.id,
        term_code: base.term_code,
        category_id: base.category_id,
        category_code: base.category_code,
        category_name: base.category_name,
        teacher_id: columns::text(&row, "teacher_id")?,
        teacher_staff_id: columns::text(&row, "teacher_staff_id")?,
        teacher_name: columns::text(&row, "teacher_name")?,
        unit_id: columns::text(&row, "unit_id")?,
        unit_name: columns::text(&row, "unit_name")?,
        office_id: columns::opt_text(&row, "office_id")?,
        office_name: columns::opt_text(&row, "office_name")?,
        topic: base.topic,
        organizer: base.organizer,
        start_date: base.start_date,
        end_date: base.end_date,
        mode: base.mode,
        claimed_hours: base.claimed_hours,
        accredited_hours: base.accredited_hours,
        notes: columns::text(&row, "notes")?,
        certificate_date: columns::opt_date(&row, "certificate_date")?,
        activity_id: columns::opt_text(&row, "activity_id")?,
        activity_title: columns::opt_text(&row, "activity_title")?,
        status: base.status,
        level: base.level,
        reason_code: base.reason_code,
        reason_label: base.reason_label,
        source: columns::text(&row, "source")?,
        round: base.round,
        version: base.version,
        created_at: base.created_at,
        updated_at: base.updated_at,
        submitted_at: base.submitted_at,
        decided_at: base.decided_at,
        evidence,
        flags,
    })
}

/// Lists the flags of a claim, oldest first.
pub async fn flags(conn: &mut AnyConnection, claim_id: &str) -> Result<Vec<ClaimFlag>> {
    let rows = sqlx::query(
        "SELECT id, code, message, related_claim_id, created_at FROM claim_flags WHERE claim_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(claim_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ClaimFlag {
                id: columns::text(row, "id")?,
                code: columns::text(row, "code")?,
                message: columns::text(row, "message")?,
                related_claim_id: columns::opt_text(row, "related_claim_id")?,
                created_at: columns::int(row, "created_at")?,
            })
        })
        .collect()
}

/// Lists a teacher's claims of a term, drafts included, newest first.
pub async fn list_for_teacher(
    conn: &mut AnyConnection,
    teacher_id: &str,
    term: TermCode,
) -> Result<Vec<ClaimRow>> {
    let sql = format!(
        "SELECT {CLAIM_ROW_COLUMNS} {CLAIM_ROW_JOINS} WHERE c.teacher_id = $1 AND c.term_code = $2 \
         ORDER BY c.created_at DESC, c.id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(teacher_id)
        .bind(term.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(claim_row_from_row).collect()
}

/// Sums a teacher's hours of a term: claimed, accredited and credited from attendance.
pub async fn hours_summary(
    conn: &mut AnyConnection,
    teacher_id: &str,
    term: TermCode,
) -> Result<HoursSummary> {
    let row = sqlx::query(
        "SELECT \
         COALESCE(CAST(SUM(CASE WHEN status <> 'draft' THEN claimed_hours ELSE 0 END) AS BIGINT), 0) AS claimed, \
         COALESCE(CAST(SUM(CASE WHEN status = 'accredited' THEN COALESCE(accredited_hours, 0) ELSE 0 END) AS BIGINT), 0) AS accredited \
         FROM claims WHERE teacher_id = $1 AND term_code = $2",
    )
    .bind(teacher_id)
    .bind(term.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let credited = sqlx::query(
        "SELECT COALESCE(CAST(SUM(a.hours) AS BIGINT), 0) AS credited \
         FROM attendance t JOIN activities a ON a.id = t.activity_id JOIN categories g ON g.id = a.category_id \
         WHERE t.person_id = $1 AND a.term_code = $2 AND g.school_accredited = 1",
    )
    .bind(teacher_id)
    .bind(term.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(HoursSummary {
        claimed: columns::hours(&row, "claimed")?,
        accredited: columns::hours(&row, "accredited")?,
        school_credited: columns::hours(&credited, "credited")?,
    })
}
