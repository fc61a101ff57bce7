//! Claim by claim: the rows of the detail export, read as a stream, and the teachers
//! behind the rejections that the feedback notice names.

use futures::{Stream, StreamExt};
use jiff::civil::Date;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use xueshi_core::{ClaimStatus, Hours, ReviewLevel, TermCode, UnitKind};

use super::{count, unit_kind};
use crate::columns;
use crate::{Result, StoreError};

/// The claims a detail export contains: the submitted claims of a term, finished or still
/// in review, of every unit or of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailFilter {
    pub term: TermCode,
    pub unit_id: Option<String>,
}

/// One claim of a detail export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DetailRow {
    pub staff_id: String,
    pub teacher_name: String,
    pub unit_name: String,
    pub office_name: Option<String>,
    pub category_code: u8,
    pub category_name: String,
    pub topic: String,
    pub start_date: Date,
    pub end_date: Date,
    pub claimed_hours: Hours,
    /// Set when the claim is accredited.
    pub accredited_hours: Option<Hours>,
    /// Never `Draft`.
    pub status: ClaimStatus,
    /// The level a pending claim waits at.
    pub level: Option<ReviewLevel>,
    pub reason_label: Option<String>,
    /// `platform`, or `history` for claims imported from a past term's spreadsheet.
    pub source: String,
}

/// Builds the query of [`count_details`] or [`detail_rows`] with its WHERE clause.
fn detail_sql(select: &str, tail: &str, filter: &DetailFilter) -> String {
    let unit_filter = if filter.unit_id.is_some() {
        " AND c.unit_id = $2"
    } else {
        ""
    };
    format!(
        "SELECT {select} FROM claims c \
         JOIN people p ON p.id = c.teacher_id JOIN units u ON u.id = c.unit_id \
         LEFT JOIN offices o ON o.id = c.office_id JOIN categories g ON g.id = c.category_id \
         LEFT JOIN rejection_reasons r ON r.code = c.reason_code \
         WHERE c.term_code = $1 AND c.status <> 'draft'{unit_filter}{tail}"
    )
}

/// Counts the claims of a detail export.
pub async fn count_details(conn: &mut AnyConnection, filter: &DetailFilter) -> Result<u64> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(detail_sql("COUNT(*) AS n", "", filter)))
        .bind(filter.term.to_string());
    if let Some(unit) = &filter.unit_id {
        query = query.bind(unit.clone());
    }
    let row = query.fetch_one(&mut *conn).await?;
    count(&row, "n")
}

/// Streams the claims of a detail export, by unit order, staff ID and start date.
///
/// Rows are decoded as the stream is polled, so a caller that writes each row out before
/// taking the next keeps one row in memory at a time, whatever the export's size. On
/// SQLite the read keeps a snapshot until the stream ends, which does not block writers in
/// WAL mode.
pub fn detail_rows<'c>(
    conn: &'c mut AnyConnection,
    filter: &DetailFilter,
) -> impl Stream<Item = Result<DetailRow>> + Send + 'c {
    let sql = detail_sql(
        "p.staff_id, p.name AS teacher_name, u.name AS unit_name, o.name AS office_name, \
         g.code AS category_code, g.name AS category_name, c.topic, c.start_date, c.end_date, \
         c.claimed_hours, c.accredited_hours, c.status, c.level, r.label AS reason_label, c.source",
        " ORDER BY u.sort_order, u.name, p.staff_id, c.start_date, c.id",
        filter,
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(filter.term.to_string());
    if let Some(unit) = &filter.unit_id {
        query = query.bind(unit.clone());
    }
    query.fetch(conn).map(|row| {
        let row = row.map_err(StoreError::from)?;
        detail_from_row(&row)
    })
}

fn detail_from_row(row: &AnyRow) -> Result<DetailRow> {
    Ok(DetailRow {
        staff_id: columns::text(row, "staff_id")?,
        teacher_name: columns::text(row, "teacher_name")?,
        unit_name: columns::text(row, "unit_name")?,
        office_name: columns::opt_text(row, "office_name")?,
        category_code: crate::claims::category_code(row)?,
        category_name: columns::text(row, "category_name")?,
        topic: columns::text(row, "topic")?,
        start_date: columns::date(row, "start_date")?,
        end_date: columns::date(row, "end_date")?,
        claimed_hours: columns::hours(row, "claimed_hours")?,
        accredited_hours: columns::opt_hours(row, "accredited_hours")?,
        status: columns::parsed(row, "status")?,
        level: columns::opt_parsed(row, "level")?,
        reason_label: columns::opt_text(row, "reason_label")?,
        source: columns::text(row, "source")?,
    })
}

/// A teacher with rejected claims of one reason in a term.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RejectedTeacher {
    /// `None` for rejections without a recorded reason.
    pub reason_code: Option<String>,
    pub reason_label: Option<String>,
    pub staff_id: String,
    pub teacher_name: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    /// The teacher's rejected claims with this reason.
    pub claims: u64,
}

/// Lists the teachers with rejected claims in a term, per reason: reasons in their pick
/// list order (rejections without a reason last), then units in their order, then staff
/// IDs. The claims count in the unit they were submitted from.
pub async fn rejected_teachers(
    conn: &mut AnyConnection,
    term: TermCode,
) -> Result<Vec<RejectedTeacher>> {
    let sql = format!(
        "SELECT x.reason_code, r.label AS reason_label, p.staff_id, p.name AS teacher_name, \
                u.name AS unit_name, u.kind AS unit_kind, x.claims \
         FROM (SELECT reason_code, teacher_id, unit_id, COUNT(*) AS claims FROM claims \
               WHERE term_code = $1 AND status = 'rejected' \
               GROUP BY reason_code, teacher_id, unit_id) x \
         JOIN people p ON p.id = x.teacher_id JOIN units u ON u.id = x.unit_id \
         LEFT JOIN rejection_reasons r ON r.code = x.reason_code \
         ORDER BY COALESCE(r.sort_order, {LAST}), x.reason_code, u.sort_order, u.name, p.staff_id",
        LAST = i64::MAX,
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(term.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(RejectedTeacher {
                reason_code: columns::opt_text(row, "reason_code")?,
                reason_label: columns::opt_text(row, "reason_label")?,
                staff_id: columns::text(row, "staff_id")?,
                teacher_name: columns::text(row, "teacher_name")?,
                unit_name: columns::text(row, "unit_name")?,
                unit_kind: unit_kind(row, "unit_kind")?,
                claims: count(row, "claims")?,
            })
        })
        .collect()
}
