//! The figures the center publishes for a term: finished claims per unit, claims still
//! in review, rejection reasons, categories, lax lower-level review, ledger timeliness,
//! teachers' hours, the trend across terms, and the claim details of the exports.
//!
//! Each figure is one grouped query on indexed columns, never a query per row. The
//! arithmetic on the counts (rates, ordering, medians, shortfalls) is
//! `xueshi_core::report`'s. Finished means accredited or rejected, whatever the claim's
//! source, so claims imported from a past term's spreadsheet count like reviewed ones.

mod breakdowns;
mod details;
pub mod exports;
mod outcomes;

pub use breakdowns::{
    CategoryOutcomes, LedgerTimeliness, LowerApprovalGroup, ReasonCount, RosterTeacher,
    TeacherHoursRow, category_outcomes, ledger_timeliness, lower_approvals, rejection_reasons,
    roster_teachers, teacher_hours,
};
pub use details::{
    DetailFilter, DetailRow, RejectedTeacher, count_details, detail_rows, rejected_teachers,
};
pub use outcomes::{TermOutcomes, UnitInReview, in_review_by_unit, trend, unit_outcomes};

use sqlx::any::AnyRow;
use xueshi_core::UnitKind;

use crate::Result;
use crate::columns;

/// Reads a count, which no query returns negative.
fn count(row: &AnyRow, column: &str) -> Result<u64> {
    let value = columns::int(row, column)?;
    u64::try_from(value).map_err(|error| columns::corrupt(column, &value.to_string(), error))
}

fn unit_kind(row: &AnyRow, column: &str) -> Result<UnitKind> {
    let text = columns::text(row, column)?;
    text.parse::<UnitKind>()
        .map_err(|error| columns::corrupt(column, &text, error))
}
