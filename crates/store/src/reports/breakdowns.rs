//! The breakdowns of a term: rejection reasons per unit, outcomes per category, lax
//! lower-level review, ledger timeliness and teachers' hours.
//!
//! Functions that take `unit: Option<&str>` count only that unit's claims, activities or
//! teachers when it is `Some`, so a page can be scoped to one unit.

use std::collections::BTreeMap;

use sqlx::AnyConnection;
use xueshi_core::{Hours, ReviewLevel, StaffId, TermCode, UnitKind};

use super::{count, unit_kind};
use crate::Result;
use crate::columns;

/// Appends `AND <column> = $<n>` when a unit is given, `n` being the next placeholder.
fn unit_condition(column: &str, unit: Option<&str>, placeholder: usize) -> String {
    match unit {
        Some(_) => format!(" AND {column} = ${placeholder}"),
        None => String::new(),
    }
}

/// The rejected claims of one unit with one reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReasonCount {
    pub unit_id: String,
    pub unit_name: String,
    pub kind: UnitKind,
    pub sort_order: i64,
    /// `None` for a rejection without a recorded reason, e.g. from an old spreadsheet.
    pub reason_code: Option<String>,
    pub reason_label: Option<String>,
    /// The reason's place in pick lists. Rejections without a reason sort last.
    pub reason_order: i64,
    pub claims: u64,
}

/// Counts the rejected claims of a term per unit and reason.
pub async fn rejection_reasons(
    conn: &mut AnyConnection,
    term: TermCode,
    unit: Option<&str>,
) -> Result<Vec<ReasonCount>> {
    let sql = format!(
        "SELECT x.unit_id, u.name AS unit_name, u.kind, u.sort_order, x.reason_code, \
                r.label AS reason_label, COALESCE(r.sort_order, {LAST}) AS reason_order, x.claims \
         FROM (SELECT unit_id, reason_code, COUNT(*) AS claims FROM claims \
               WHERE term_code = $1 AND status = 'rejected'{unit_filter} \
               GROUP BY unit_id, reason_code) x \
         JOIN units u ON u.id = x.unit_id \
         LEFT JOIN rejection_reasons r ON r.code = x.reason_code \
         ORDER BY u.sort_order, u.name, reason_order, x.reason_code",
        LAST = i64::MAX,
        unit_filter = unit_condition("unit_id", unit, 2),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(term.to_string());
    if let Some(unit) = unit {
        query = query.bind(unit.to_owned());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(ReasonCount {
                unit_id: columns::text(row, "unit_id")?,
                unit_name: columns::text(row, "unit_name")?,
                kind: unit_kind(row, "kind")?,
                sort_order: columns::int(row, "sort_order")?,
                reason_code: columns::opt_text(row, "reason_code")?,
                reason_label: columns::opt_text(row, "reason_label")?,
                reason_order: columns::int(row, "reason_order")?,
                claims: count(row, "claims")?,
            })
        })
        .collect()
}

/// The claims of one category of a term by outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CategoryOutcomes {
    /// 1 to 8.
    pub code: u8,
    pub name: String,
    pub accredited: u64,
    pub rejected: u64,
    /// Pending or returned.
    pub in_review: u64,
}

impl CategoryOutcomes {
    /// Returns the finished claims, counted like the per-unit table's 申报认定项目总数.
    pub fn submitted(&self) -> u64 {
        self.accredited + self.rejected
    }

    /// Returns the pass rate in whole percent, rounded half up.
    pub fn pass_rate_percent(&self) -> u32 {
        xueshi_core::report::pass_rate_percent(self.accredited, self.submitted())
    }
}

/// Counts the submitted claims of a term per category, every category of the term listed
/// in its published order.
pub async fn category_outcomes(
    conn: &mut AnyConnection,
    term: TermCode,
    unit: Option<&str>,
) -> Result<Vec<CategoryOutcomes>> {
    let sql = format!(
        "SELECT g.code AS category_code, g.name, COALESCE(x.accredited, 0) AS accredited, \
                COALESCE(x.rejected, 0) AS rejected, COALESCE(x.in_review, 0) AS in_review \
         FROM categories g LEFT JOIN \
              (SELECT category_id, \
                 CAST(SUM(CASE WHEN status = 'accredited' THEN 1 ELSE 0 END) AS BIGINT) AS accredited, \
                 CAST(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS rejected, \
                 CAST(SUM(CASE WHEN status IN ('pending', 'returned') THEN 1 ELSE 0 END) AS BIGINT) AS in_review \
               FROM claims WHERE term_code = $1 AND status <> 'draft'{unit_filter} \
               GROUP BY category_id) x ON x.category_id = g.id \
         WHERE g.term_code = $1 ORDER BY g.code",
        unit_filter = unit_condition("unit_id", unit, 2),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(term.to_string());
    if let Some(unit) = unit {
        query = query.bind(unit.to_owned());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(CategoryOutcomes {
                code: crate::claims::category_code(row)?,
                name: columns::text(row, "name")?,
                accredited: count(row, "accredited")?,
                rejected: count(row, "rejected")?,
                in_review: count(row, "in_review")?,
            })
        })
        .collect()
}

/// Lower-level approvals of one reviewing group that reached a school decision: a unit's
/// unit-level approvals, or an office's office-level approvals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LowerApprovalGroup {
    /// `Office` or `Unit`.
    pub level: ReviewLevel,
    pub unit_id: String,
    pub unit_name: String,
    /// The office of office-level approvals; `None` for unit-level approvals, and for
    /// office-level approvals of claims that have no office now.
    pub office_id: Option<String>,
    pub office_name: Option<String>,
    /// Approvals whose claim school then approved or rejected in the same round.
    pub decided_at_school: u64,
    /// Of those, the ones school rejected (an overturn).
    pub rejected_at_school: u64,
}

/// Counts the approvals that office directors and unit reviewers gave to claims of a term,
/// and how many of them school rejected in the same round.
///
/// Approvals whose claim school has not decided yet, or returned, are left out, because
/// a return is not a verdict on the approval. A claim approved at both lower levels
/// counts once for its office and once for its unit. Claims count in the unit and office
/// they were last submitted from.
pub async fn lower_approvals(
    conn: &mut AnyConnection,
    term: TermCode,
    unit: Option<&str>,
) -> Result<Vec<LowerApprovalGroup>> {
    let sql = format!(
        "SELECT x.level, x.unit_id, u.name AS unit_name, x.office_id, o.name AS office_name, \
                x.decided, x.rejected \
         FROM (SELECT d.level, c.unit_id, CASE WHEN d.level = 'office' THEN c.office_id END AS office_id, \
                 COUNT(*) AS decided, \
                 CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM overturns v WHERE v.approval_decision_id = d.id) \
                          THEN 1 ELSE 0 END) AS BIGINT) AS rejected \
               FROM claims c JOIN decisions d ON d.claim_id = c.id \
               WHERE c.term_code = $1{unit_filter} AND d.decision = 'approve' AND d.level IN ('office', 'unit') \
                 AND EXISTS (SELECT 1 FROM decisions s WHERE s.claim_id = d.claim_id AND s.round = d.round \
                             AND s.level = 'school' AND s.decision IN ('approve', 'reject')) \
               GROUP BY d.level, c.unit_id, CASE WHEN d.level = 'office' THEN c.office_id END) x \
         JOIN units u ON u.id = x.unit_id LEFT JOIN offices o ON o.id = x.office_id \
         ORDER BY u.sort_order, u.name, x.level, o.name",
        unit_filter = unit_condition("c.unit_id", unit, 2),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(term.to_string());
    if let Some(unit) = unit {
        query = query.bind(unit.to_owned());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(LowerApprovalGroup {
                level: columns::parsed(row, "level")?,
                unit_id: columns::text(row, "unit_id")?,
                unit_name: columns::text(row, "unit_name")?,
                office_id: columns::opt_text(row, "office_id")?,
                office_name: columns::opt_text(row, "office_name")?,
                decided_at_school: count(row, "decided")?,
                rejected_at_school: count(row, "rejected")?,
            })
        })
        .collect()
}

/// The filing timeliness of one organizer's activities of a term in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerTimeliness {
    /// `None` for the center's own activities.
    pub unit_id: Option<String>,
    /// `None` for the center.
    pub unit_name: Option<String>,
    /// `None` for the center.
    pub kind: Option<UnitKind>,
    pub filed: u64,
    /// Filed later than the rule allowed when they were filed.
    pub late: u64,
    /// Median days from an activity's end to its filing (negative: filed before it
    /// ended), rounded as `xueshi_core::report::median_days` does; `None` with nothing
    /// filed.
    pub median_delay_days: Option<i64>,
}

/// Counts each organizer's activities of a term, late filings and the median delay.
///
/// Every teaching unit is listed, those that filed nothing with zero, because a unit
/// without a ledger is what the report must show. The center comes first, then the units
/// in their sort order; units of kind `other` appear only when they filed something.
/// With `unit` given, only that unit is listed.
pub async fn ledger_timeliness(
    conn: &mut AnyConnection,
    term: TermCode,
    unit: Option<&str>,
) -> Result<Vec<LedgerTimeliness>> {
    let counts = filing_counts(conn, term).await?;
    let middles = middle_delays(conn, term).await?;
    let units = sqlx::query("SELECT id, name, kind FROM units ORDER BY sort_order, name")
        .fetch_all(&mut *conn)
        .await?;

    let row_for = |unit_id: Option<String>, unit_name: Option<String>, kind: Option<UnitKind>| {
        let key = unit_id.clone().unwrap_or_default();
        let (filed, late) = counts.get(&key).copied().unwrap_or((0, 0));
        let median = middles
            .get(&key)
            .and_then(|values| xueshi_core::report::median_days(values));
        LedgerTimeliness {
            unit_id,
            unit_name,
            kind,
            filed,
            late,
            median_delay_days: median,
        }
    };

    let mut list = Vec::new();
    if unit.is_none() {
        list.push(row_for(None, None, None));
    }
    for row in &units {
        let id = columns::text(row, "id")?;
        let kind = unit_kind(row, "kind")?;
        if unit.is_some_and(|wanted| wanted != id) {
            continue;
        }
        let filed_any = counts.contains_key(&id);
        if unit.is_none() && kind == UnitKind::Other && !filed_any {
            continue;
        }
        list.push(row_for(
            Some(id),
            Some(columns::text(row, "name")?),
            Some(kind),
        ));
    }
    Ok(list)
}

/// Activities filed and filed late per organizer, keyed by unit id ('' for the center).
async fn filing_counts(
    conn: &mut AnyConnection,
    term: TermCode,
) -> Result<BTreeMap<String, (u64, u64)>> {
    let rows = sqlx::query(
        "SELECT COALESCE(unit_id, '') AS unit_key, COUNT(*) AS filed, \
                CAST(SUM(late) AS BIGINT) AS late \
         FROM activities WHERE term_code = $1 GROUP BY unit_id",
    )
    .bind(term.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                columns::text(row, "unit_key")?,
                (count(row, "filed")?, count(row, "late")?),
            ))
        })
        .collect()
}

/// Selects the one or two middle filing delays of each organizer, keyed like [`filing_counts`].
///
/// The median of all delays equals the median of these middle values, so the database
/// sends two numbers per organizer instead of every activity.
async fn middle_delays(
    conn: &mut AnyConnection,
    term: TermCode,
) -> Result<BTreeMap<String, Vec<i64>>> {
    let rows = sqlx::query(
        "SELECT unit_key, filing_delay_days FROM \
           (SELECT COALESCE(unit_id, '') AS unit_key, filing_delay_days, \
                   ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY filing_delay_days) AS position, \
                   COUNT(*) OVER (PARTITION BY unit_id) AS filed \
            FROM activities WHERE term_code = $1) ranked \
         WHERE position = (filed + 1) / 2 OR position = filed / 2 + 1",
    )
    .bind(term.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut middles: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in &rows {
        middles
            .entry(columns::text(row, "unit_key")?)
            .or_default()
            .push(columns::int(row, "filing_delay_days")?);
    }
    Ok(middles)
}

/// An active teacher: a person with the teacher role who has not left.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RosterTeacher {
    pub person_id: String,
    pub staff_id: StaffId,
    pub name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
}

/// Lists the active teachers, of one unit when `unit` is given, by unit order and staff ID.
pub async fn roster_teachers(
    conn: &mut AnyConnection,
    unit: Option<&str>,
) -> Result<Vec<RosterTeacher>> {
    let sql = format!(
        "SELECT p.id, p.staff_id, p.name, p.unit_id, u.name AS unit_name \
         FROM people p LEFT JOIN units u ON u.id = p.unit_id \
         WHERE p.active = 1{unit_filter} \
           AND EXISTS (SELECT 1 FROM role_grants g WHERE g.person_id = p.id AND g.role = 'teacher') \
         ORDER BY u.sort_order, u.name, p.staff_id",
        unit_filter = unit_condition("p.unit_id", unit, 1),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(unit) = unit {
        query = query.bind(unit.to_owned());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(RosterTeacher {
                person_id: columns::text(row, "id")?,
                staff_id: staff_id(row)?,
                name: columns::text(row, "name")?,
                unit_id: columns::opt_text(row, "unit_id")?,
                unit_name: columns::opt_text(row, "unit_name")?,
            })
        })
        .collect()
}

fn staff_id(row: &sqlx::any::AnyRow) -> Result<StaffId> {
    let text = columns::text(row, "staff_id")?;
    StaffId::parse(&text).map_err(|error| columns::corrupt("staff_id", &text, error))
}

/// One teacher's hours over some terms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeacherHoursRow {
    pub staff_id: StaffId,
    /// Accredited hours of the teacher's accredited claims.
    pub accredited: Hours,
    /// Hours the center credits from attendance of school-accredited activities.
    pub school_credited: Hours,
}

/// Sums each teacher's hours over `terms`: accredited claims, and attendance of
/// school-accredited activities. Teachers with neither are left out. With `unit`, only
/// the teachers whose unit it is now are counted, whichever unit their claims were in.
pub async fn teacher_hours(
    conn: &mut AnyConnection,
    terms: &[TermCode],
    unit: Option<&str>,
) -> Result<Vec<TeacherHoursRow>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let term_list = (1..=terms.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let unit_filter = unit_condition("p.unit_id", unit, terms.len() + 1);
    let claims_sql = format!(
        "SELECT p.staff_id, x.tenths FROM \
           (SELECT teacher_id, CAST(SUM(COALESCE(accredited_hours, 0)) AS BIGINT) AS tenths \
            FROM claims WHERE term_code IN ({term_list}) AND status = 'accredited' \
            GROUP BY teacher_id) x \
         JOIN people p ON p.id = x.teacher_id WHERE 1 = 1{unit_filter}"
    );
    let credits_sql = format!(
        "SELECT p.staff_id, x.tenths FROM \
           (SELECT t.person_id, CAST(SUM(a.hours) AS BIGINT) AS tenths \
            FROM attendance t JOIN activities a ON a.id = t.activity_id \
            JOIN categories g ON g.id = a.category_id \
            WHERE a.term_code IN ({term_list}) AND g.school_accredited = 1 \
            GROUP BY t.person_id) x \
         JOIN people p ON p.id = x.person_id WHERE 1 = 1{unit_filter}"
    );

    let mut sums: BTreeMap<StaffId, (Hours, Hours)> = BTreeMap::new();
    for (sql, is_credit) in [(claims_sql, false), (credits_sql, true)] {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for term in terms {
            query = query.bind(term.to_string());
        }
        if let Some(unit) = unit {
            query = query.bind(unit.to_owned());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let hours = columns::hours(&row, "tenths")?;
            let entry = sums.entry(staff_id(&row)?).or_default();
            if is_credit {
                entry.1 = entry.1 + hours;
            } else {
                entry.0 = entry.0 + hours;
            }
        }
    }
    Ok(sums
        .into_iter()
        .map(
            |(staff_id, (accredited, school_credited))| TeacherHoursRow {
                staff_id,
                accredited,
                school_credited,
            },
        )
        .collect())
}
