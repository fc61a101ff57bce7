//! Transcripts (个人培训学时证明): the hours a teacher was credited in a term or a school
//! year, and the transcripts issued from them with their verification codes.
//!
//! An issued transcript keeps a copy of its lines and totals, so a reprint shows what
//! was certified on the issue date even if a claim changes later.

use jiff::civil::Date;
use sqlx::{AnyConnection, Connection};
use xueshi_core::transcript::Period;
use xueshi_core::{Hours, TermCode};

use crate::audit::{self, Actor, AuditEntry};
use crate::columns;
use crate::{Result, StoreError, activities, new_id, now_ms};

/// The source of a line's hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditSource {
    /// An accredited claim, reviewed on the platform or imported from a past term.
    Claim,
    /// An activity of a school-accredited category the teacher attended, credited by
    /// the center without a claim.
    SchoolCredit,
}

impl CreditSource {
    /// Returns the Chinese label printed on the transcript.
    pub fn label(self) -> &'static str {
        match self {
            CreditSource::Claim => "认定项目",
            CreditSource::SchoolCredit => "学校认定",
        }
    }
}

/// One credited training on a transcript.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CreditLine {
    pub term_code: TermCode,
    pub source: CreditSource,
    pub category_name: String,
    /// The claim's topic or the activity's title.
    pub topic: String,
    pub start_date: Date,
    pub end_date: Date,
    /// Accredited hours of a claim, or the activity's hours.
    pub hours: Hours,
}

/// Lists the credited trainings of a teacher in the given terms: accredited claims and
/// school-credited activities, by term, then start date.
pub async fn credit_lines(
    conn: &mut AnyConnection,
    person_id: &str,
    terms: &[TermCode],
) -> Result<Vec<CreditLine>> {
    let mut lines = Vec::new();
    for &term in terms {
        let rows = sqlx::query(
            "SELECT g.name AS category_name, c.topic, c.start_date, c.end_date, c.accredited_hours \
             FROM claims c JOIN categories g ON g.id = c.category_id \
             WHERE c.teacher_id = $1 AND c.term_code = $2 AND c.status = 'accredited' \
             ORDER BY c.start_date, c.id",
        )
        .bind(person_id)
        .bind(term.to_string())
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            lines.push(CreditLine {
                term_code: term,
                source: CreditSource::Claim,
                category_name: columns::text(row, "category_name")?,
                topic: columns::text(row, "topic")?,
                start_date: columns::date(row, "start_date")?,
                end_date: columns::date(row, "end_date")?,
                hours: columns::opt_hours(row, "accredited_hours")?.unwrap_or_default(),
            });
        }
        for activity in activities::school_credits_for(conn, person_id, term).await? {
            lines.push(CreditLine {
                term_code: term,
                source: CreditSource::SchoolCredit,
                category_name: activity.category_name,
                topic: activity.title,
                start_date: activity.start_date,
                end_date: activity.end_date,
                hours: activity.hours,
            });
        }
    }
    lines.sort_by(|a, b| {
        a.term_code
            .cmp(&b.term_code)
            .then_with(|| a.start_date.cmp(&b.start_date))
    });
    Ok(lines)
}

/// Sums the hours of lines by source: (accredited claims, school credits).
pub fn sum_by_source(lines: &[CreditLine]) -> (Hours, Hours) {
    let sum = |source: CreditSource| {
        lines
            .iter()
            .filter(|line| line.source == source)
            .map(|line| line.hours)
            .sum::<Hours>()
    };
    (sum(CreditSource::Claim), sum(CreditSource::SchoolCredit))
}

/// A transcript to issue: the caller builds the lines with [`credit_lines`] and draws the
/// code (see `xueshi_core::transcript`).
#[derive(Debug, Clone)]
pub struct NewTranscript {
    pub code: String,
    pub person_id: String,
    pub staff_id: String,
    pub person_name: String,
    /// The person's unit on the issue date; empty when they have none.
    pub unit_name: String,
    pub period: Period,
    /// Hours the period requires; zero when no requirement is set.
    pub required_hours: Hours,
    pub lines: Vec<CreditLine>,
}

/// The public facts of an issued transcript: what the verification page shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TranscriptTotals {
    pub id: String,
    pub code: String,
    pub person_id: String,
    pub person_name: String,
    pub unit_name: String,
    pub period: Period,
    pub total_hours: Hours,
    pub issued_at: i64,
}

/// An issued transcript with everything its printable page shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Transcript {
    pub totals: TranscriptTotals,
    pub staff_id: String,
    pub accredited_hours: Hours,
    pub school_credited_hours: Hours,
    pub required_hours: Hours,
    pub lines: Vec<CreditLine>,
    /// The person who issued it: the teacher or a center administrator.
    pub issued_by: Option<String>,
}

impl Transcript {
    /// Returns the hours still missing to reach the requirement (zero when met or when
    /// none is set).
    pub fn shortfall(&self) -> Hours {
        self.required_hours.saturating_sub(self.totals.total_hours)
    }
}

/// A line as `lines_json` stores it: hours as integer tenths, so no float and no parse
/// limit touches them.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredLine {
    term: String,
    source: CreditSource,
    category: String,
    topic: String,
    start: String,
    end: String,
    tenths: i64,
}

fn encode_lines(lines: &[CreditLine]) -> Result<String> {
    let stored: Vec<StoredLine> = lines
        .iter()
        .map(|line| StoredLine {
            term: line.term_code.to_string(),
            source: line.source,
            category: line.category_name.clone(),
            topic: line.topic.clone(),
            start: line.start_date.to_string(),
            end: line.end_date.to_string(),
            tenths: line.hours.tenths(),
        })
        .collect();
    serde_json::to_string(&stored).map_err(|error| StoreError::Other(error.into()))
}

fn decode_lines(json: &str) -> Result<Vec<CreditLine>> {
    let stored: Vec<StoredLine> = serde_json::from_str(json)
        .map_err(|error| columns::corrupt("lines_json", "(JSON)", error))?;
    stored
        .into_iter()
        .map(|line| {
            Ok(CreditLine {
                term_code: TermCode::parse(&line.term)
                    .map_err(|error| columns::corrupt("lines_json", &line.term, error))?,
                source: line.source,
                category_name: line.category,
                topic: line.topic,
                start_date: columns::parse_date("lines_json", &line.start)?,
                end_date: columns::parse_date("lines_json", &line.end)?,
                hours: Hours::from_tenths(line.tenths),
            })
        })
        .collect()
}

/// Issues a transcript and writes its audit row, in one transaction. A code that is
/// taken already is `StoreError::Unique`, and the caller draws another.
pub async fn issue(
    conn: &mut AnyConnection,
    transcript: &NewTranscript,
    actor: &Actor,
) -> Result<String> {
    let (accredited, school_credited) = sum_by_source(&transcript.lines);
    let total = accredited + school_credited;
    let id = new_id();
    let mut tx = conn.begin().await?;
    sqlx::query(
        "INSERT INTO transcripts (id, code, person_id, staff_id, person_name, unit_name, period, accredited_hours, \
         school_credited_hours, total_hours, required_hours, lines_json, issued_by, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(&transcript.code)
    .bind(&transcript.person_id)
    .bind(&transcript.staff_id)
    .bind(&transcript.person_name)
    .bind(&transcript.unit_name)
    .bind(transcript.period.to_string())
    .bind(accredited.tenths())
    .bind(school_credited.tenths())
    .bind(total.tenths())
    .bind(transcript.required_hours.tenths())
    .bind(encode_lines(&transcript.lines)?)
    .bind(&actor.person_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;

    // The code is left out of the audit row: it is a bearer secret for the totals.
    let after = serde_json::json!({
        "person_id": transcript.person_id, "period": transcript.period.to_string(),
        "total_hours": total.tenths(), "required_hours": transcript.required_hours.tenths(),
        "lines": transcript.lines.len(),
    });
    let entry = AuditEntry {
        entity: "transcript",
        entity_id: &id,
        action: "issue",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    tx.commit().await?;
    Ok(id)
}

const TOTALS_COLUMNS: &str =
    "id, code, person_id, person_name, unit_name, period, total_hours, issued_at";

fn totals_from_row(row: &sqlx::any::AnyRow) -> Result<TranscriptTotals> {
    Ok(TranscriptTotals {
        id: columns::text(row, "id")?,
        code: columns::text(row, "code")?,
        person_id: columns::text(row, "person_id")?,
        person_name: columns::text(row, "person_name")?,
        unit_name: columns::text(row, "unit_name")?,
        period: columns::parsed(row, "period")?,
        total_hours: columns::hours(row, "total_hours")?,
        issued_at: columns::int(row, "issued_at")?,
    })
}

/// Finds an issued transcript by id.
pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Transcript> {
    let sql = format!(
        "SELECT {TOTALS_COLUMNS}, staff_id, accredited_hours, school_credited_hours, required_hours, \
         lines_json, issued_by FROM transcripts WHERE id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Transcript {
        totals: totals_from_row(&row)?,
        staff_id: columns::text(&row, "staff_id")?,
        accredited_hours: columns::hours(&row, "accredited_hours")?,
        school_credited_hours: columns::hours(&row, "school_credited_hours")?,
        required_hours: columns::hours(&row, "required_hours")?,
        lines: decode_lines(&columns::text(&row, "lines_json")?)?,
        issued_by: columns::opt_text(&row, "issued_by")?,
    })
}

/// Finds the totals of a transcript by its normalized verification code (see
/// `xueshi_core::transcript::normalize_code`).
pub async fn find_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<TranscriptTotals>> {
    let sql = format!("SELECT {TOTALS_COLUMNS} FROM transcripts WHERE code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(totals_from_row).transpose()
}

/// Lists the transcripts issued to a person, newest first.
pub async fn list_for_person(
    conn: &mut AnyConnection,
    person_id: &str,
) -> Result<Vec<TranscriptTotals>> {
    let sql = format!(
        "SELECT {TOTALS_COLUMNS} FROM transcripts WHERE person_id = $1 ORDER BY issued_at DESC, id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(totals_from_row).collect()
}
