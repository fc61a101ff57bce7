//! Finished and unfinished claims per unit and per term.

use sqlx::AnyConnection;
use xueshi_core::TermCode;
use xueshi_core::report::UnitOutcomeCounts;

use super::{count, unit_kind};
use crate::Result;
use crate::columns;

/// Counts the finished claims of a term per unit, for `xueshi_core::report::unit_table`.
/// Units without a finished claim in the term are left out.
pub async fn unit_outcomes(
    conn: &mut AnyConnection,
    term: TermCode,
) -> Result<Vec<UnitOutcomeCounts>> {
    // Grouping before the join lets the database count from the index on
    // (term_code, unit_id, status) alone.
    let rows = sqlx::query(
        "SELECT u.name AS unit_name, u.kind, u.sort_order, x.accredited, x.rejected \
         FROM (SELECT unit_id, \
                 CAST(SUM(CASE WHEN status = 'accredited' THEN 1 ELSE 0 END) AS BIGINT) AS accredited, \
                 CAST(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS rejected \
               FROM claims WHERE term_code = $1 AND status IN ('accredited', 'rejected') \
               GROUP BY unit_id) x \
         JOIN units u ON u.id = x.unit_id \
         ORDER BY u.sort_order, u.name",
    )
    .bind(term.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(UnitOutcomeCounts {
                unit_name: columns::text(row, "unit_name")?,
                kind: unit_kind(row, "kind")?,
                sort_order: columns::int(row, "sort_order")?,
                accredited: count(row, "accredited")?,
                rejected: count(row, "rejected")?,
            })
        })
        .collect()
}

/// The submitted claims of one unit that have no outcome yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitInReview {
    pub unit_id: String,
    pub unit_name: String,
    pub kind: xueshi_core::UnitKind,
    pub sort_order: i64,
    /// Pending with an office director.
    pub at_office: u64,
    /// Pending with a unit reviewer.
    pub at_unit: u64,
    /// Pending at school level.
    pub at_school: u64,
    /// Returned to the teacher for revision and not submitted again yet.
    pub returned: u64,
}

impl UnitInReview {
    /// Returns every unfinished claim of the unit.
    pub fn total(&self) -> u64 {
        self.at_office + self.at_unit + self.at_school + self.returned
    }
}

/// Counts the claims of a term that are pending or returned, per unit and level, in the
/// units' sort order. Drafts were never submitted and are not counted.
pub async fn in_review_by_unit(
    conn: &mut AnyConnection,
    term: TermCode,
) -> Result<Vec<UnitInReview>> {
    let rows = sqlx::query(
        "SELECT x.unit_id, u.name AS unit_name, u.kind, u.sort_order, \
                x.at_office, x.at_unit, x.at_school, x.returned \
         FROM (SELECT unit_id, \
                 CAST(SUM(CASE WHEN status = 'pending' AND level = 'office' THEN 1 ELSE 0 END) AS BIGINT) AS at_office, \
                 CAST(SUM(CASE WHEN status = 'pending' AND level = 'unit' THEN 1 ELSE 0 END) AS BIGINT) AS at_unit, \
                 CAST(SUM(CASE WHEN status = 'pending' AND level = 'school' THEN 1 ELSE 0 END) AS BIGINT) AS at_school, \
                 CAST(SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) AS BIGINT) AS returned \
               FROM claims WHERE term_code = $1 AND status IN ('pending', 'returned') \
               GROUP BY unit_id) x \
         JOIN units u ON u.id = x.unit_id \
         ORDER BY u.sort_order, u.name",
    )
    .bind(term.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(UnitInReview {
                unit_id: columns::text(row, "unit_id")?,
                unit_name: columns::text(row, "unit_name")?,
                kind: unit_kind(row, "kind")?,
                sort_order: columns::int(row, "sort_order")?,
                at_office: count(row, "at_office")?,
                at_unit: count(row, "at_unit")?,
                at_school: count(row, "at_school")?,
                returned: count(row, "returned")?,
            })
        })
        .collect()
}

/// The claims of one term by outcome, for the trend across terms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TermOutcomes {
    pub term: TermCode,
    pub accredited: u64,
    pub rejected: u64,
    /// Pending or returned.
    pub in_review: u64,
}

impl TermOutcomes {
    /// Returns the finished claims, the 申报认定项目总数 of the term.
    pub fn submitted(&self) -> u64 {
        self.accredited + self.rejected
    }

    /// Returns the pass rate in whole percent, rounded half up.
    pub fn pass_rate_percent(&self) -> u32 {
        xueshi_core::report::pass_rate_percent(self.accredited, self.submitted())
    }
}

/// Counts the claims of every term by outcome, oldest term first. Terms without claims
/// are listed with zeros.
pub async fn trend(conn: &mut AnyConnection) -> Result<Vec<TermOutcomes>> {
    let rows = sqlx::query(
        "SELECT t.code AS term_code, COALESCE(x.accredited, 0) AS accredited, \
                COALESCE(x.rejected, 0) AS rejected, COALESCE(x.in_review, 0) AS in_review \
         FROM terms t LEFT JOIN \
              (SELECT term_code, \
                 CAST(SUM(CASE WHEN status = 'accredited' THEN 1 ELSE 0 END) AS BIGINT) AS accredited, \
                 CAST(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS rejected, \
                 CAST(SUM(CASE WHEN status IN ('pending', 'returned') THEN 1 ELSE 0 END) AS BIGINT) AS in_review \
               FROM claims WHERE status <> 'draft' GROUP BY term_code) x ON x.term_code = t.code \
         ORDER BY t.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TermOutcomes {
                term: columns::term_code(row, "term_code")?,
                accredited: count(row, "accredited")?,
                rejected: count(row, "rejected")?,
                in_review: count(row, "in_review")?,
            })
        })
        .collect()
}
