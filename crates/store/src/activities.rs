//! The training ledger (培训台账): activities that the center and the units file, and
//! their attendance (签到). Attendance of an activity in a school-accredited category is
//! credited to the teacher without a claim.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{AnyConnection, Connection};
use xueshi_core::date::school_date;
use xueshi_core::{Hours, TermCode};

use crate::columns;
use crate::{Result, StoreError, new_id, now_ms};

/// The mode of a training: on site or online.
// TODO: move to xueshi-core beside the claim types, since the forms parse it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingMode {
    Offline,
    Online,
}

impl TrainingMode {
    /// Returns the name used in the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TrainingMode::Offline => "offline",
            TrainingMode::Online => "online",
        }
    }

    /// Returns the Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            TrainingMode::Offline => "线下",
            TrainingMode::Online => "线上",
        }
    }
}

impl fmt::Display for TrainingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TrainingMode {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "offline" => Ok(TrainingMode::Offline),
            "online" => Ok(TrainingMode::Online),
            _ => Err(format!(
                "unknown training mode {raw:?}; expected offline or online"
            )),
        }
    }
}

/// The fields of an activity that the organizer files and edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub term: TermCode,
    /// A category of `term`.
    pub category_id: String,
    pub title: String,
    /// The organizing unit, or `None` when the center organizes the activity.
    pub unit_id: Option<String>,
    pub start_date: Date,
    pub end_date: Date,
    pub place: String,
    pub mode: TrainingMode,
    pub hours: Hours,
    pub speaker: String,
    pub description: String,
}

/// An activity of the ledger with its names and attendance count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Activity {
    pub id: String,
    pub term_code: TermCode,
    pub category_id: String,
    pub category_code: u8,
    pub category_name: String,
    /// Whether the center credits attendance of this activity itself.
    pub school_accredited: bool,
    pub title: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub start_date: Date,
    pub end_date: Date,
    pub place: String,
    pub mode: TrainingMode,
    pub hours: Hours,
    pub speaker: String,
    pub description: String,
    pub filed_by: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub filed_at: i64,
    /// Days from the end date to the filing date in Asia/Shanghai, negative when the
    /// activity was filed before it ended.
    pub filing_delay_days: i64,
    pub late: bool,
    pub attendance_count: i64,
}

/// The organizer whose activities a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganizerFilter {
    /// Activities the center organized.
    Center,
    /// Activities one unit organized.
    Unit(String),
}

/// The selection of activities that [`list`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFilter {
    pub term: TermCode,
    /// `None` lists every organizer.
    pub organizer: Option<OrganizerFilter>,
    pub category_id: Option<String>,
}

/// Counts the days from `end_date` to the date of `filed_at_ms` in Asia/Shanghai, and
/// returns them with whether that is more than `late_after_days`.
pub fn filing_delay(end_date: Date, filed_at_ms: i64, late_after_days: i64) -> Result<(i64, bool)> {
    let filed_at = Timestamp::from_millisecond(filed_at_ms).map_err(|error| {
        StoreError::Other(anyhow::anyhow!(
            "invalid filing time {filed_at_ms} ms since the Unix epoch: {error}"
        ))
    })?;
    let filed_on = school_date(filed_at);
    let span = end_date.until(filed_on).map_err(|error| {
        StoreError::Other(anyhow::anyhow!(
            "failed to count the days from {end_date} to {filed_on}: {error}"
        ))
    })?;
    let delay = i64::from(span.get_days());
    Ok((delay, delay > late_after_days))
}

/// Files an activity in the ledger and returns its id.
///
/// `filing_delay_days` and `late` are computed from `filed_at_ms`: filing more than
/// `late_after_days` days after the end date is late. A category that is not one of
/// `activity.term` is `StoreError::NotFound`.
pub async fn file(
    conn: &mut AnyConnection,
    activity: &NewActivity,
    filed_by: Option<&str>,
    filed_at_ms: i64,
    late_after_days: i64,
) -> Result<String> {
    let (delay, late) = filing_delay(activity.end_date, filed_at_ms, late_after_days)?;
    let id = new_id();
    // Selecting from categories makes a category of another term insert nothing.
    let result = sqlx::query(
        "INSERT INTO activities (id, term_code, category_id, title, unit_id, start_date, end_date, place, mode, \
         hours, speaker, description, filed_by, filed_at, filing_delay_days, late, updated_at) \
         SELECT $1, $2, c.id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $14 \
         FROM categories c WHERE c.id = $3 AND c.term_code = $2",
    )
    .bind(&id)
    .bind(activity.term.to_string())
    .bind(&activity.category_id)
    .bind(&activity.title)
    .bind(&activity.unit_id)
    .bind(activity.start_date.to_string())
    .bind(activity.end_date.to_string())
    .bind(&activity.place)
    .bind(activity.mode.as_str())
    .bind(activity.hours.tenths())
    .bind(&activity.speaker)
    .bind(&activity.description)
    .bind(filed_by)
    .bind(filed_at_ms)
    .bind(delay)
    .bind(columns::flag_value(late))
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(id)
}

/// Replaces the fields of an activity. The filing time stays, and the delay and the
/// late flag are computed again from it, since the end date may have changed.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    activity: &NewActivity,
    late_after_days: i64,
) -> Result<()> {
    let mut tx = conn.begin().await?;
    let filed_at: i64 = {
        let row = sqlx::query("SELECT filed_at FROM activities WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        columns::int(&row, "filed_at")?
    };
    let (delay, late) = filing_delay(activity.end_date, filed_at, late_after_days)?;
    let result = sqlx::query(
        "UPDATE activities SET term_code = $2, category_id = $3, title = $4, unit_id = $5, start_date = $6, \
         end_date = $7, place = $8, mode = $9, hours = $10, speaker = $11, description = $12, \
         filing_delay_days = $13, late = $14, updated_at = $15 \
         WHERE id = $1 AND EXISTS (SELECT 1 FROM categories c WHERE c.id = $3 AND c.term_code = $2)",
    )
    .bind(id)
    .bind(activity.term.to_string())
    .bind(&activity.category_id)
    .bind(&activity.title)
    .bind(&activity.unit_id)
    .bind(activity.start_date.to_string())
    .bind(activity.end_date.to_string())
    .bind(&activity.place)
    .bind(activity.mode.as_str())
    .bind(activity.hours.tenths())
    .bind(&activity.speaker)
    .bind(&activity.description)
    .bind(delay)
    .bind(columns::flag_value(late))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

const ACTIVITY_COLUMNS: &str = "a.id, a.term_code, a.category_id, c.code AS category_code, \
    c.name AS category_name, c.school_accredited, a.title, a.unit_id, u.name AS unit_name, a.start_date, \
    a.end_date, a.place, a.mode, a.hours, a.speaker, a.description, a.filed_by, a.filed_at, \
    a.filing_delay_days, a.late, \
    (SELECT COUNT(*) FROM attendance t WHERE t.activity_id = a.id) AS attendance_count \
    FROM activities a JOIN categories c ON c.id = a.category_id LEFT JOIN units u ON u.id = a.unit_id";

fn activity_from_row(row: &sqlx::any::AnyRow) -> Result<Activity> {
    let code = columns::int(row, "category_code")?;
    Ok(Activity {
        id: columns::text(row, "id")?,
        term_code: columns::term_code(row, "term_code")?,
        category_id: columns::text(row, "category_id")?,
        category_code: u8::try_from(code)
            .map_err(|error| columns::corrupt("category_code", &code.to_string(), error))?,
        category_name: columns::text(row, "category_name")?,
        school_accredited: columns::flag(row, "school_accredited")?,
        title: columns::text(row, "title")?,
        unit_id: columns::opt_text(row, "unit_id")?,
        unit_name: columns::opt_text(row, "unit_name")?,
        start_date: columns::date(row, "start_date")?,
        end_date: columns::date(row, "end_date")?,
        place: columns::text(row, "place")?,
        mode: columns::parsed(row, "mode")?,
        hours: columns::hours(row, "hours")?,
        speaker: columns::text(row, "speaker")?,
        description: columns::text(row, "description")?,
        filed_by: columns::opt_text(row, "filed_by")?,
        filed_at: columns::int(row, "filed_at")?,
        filing_delay_days: columns::int(row, "filing_delay_days")?,
        late: columns::flag(row, "late")?,
        attendance_count: columns::int(row, "attendance_count")?,
    })
}

/// Lists the activities of a term, latest start first.
pub async fn list(conn: &mut AnyConnection, filter: &ActivityFilter) -> Result<Vec<Activity>> {
    let mut conditions = vec!["a.term_code = $1".to_owned()];
    let mut binds = vec![filter.term.to_string()];
    match &filter.organizer {
        None => {}
        Some(OrganizerFilter::Center) => conditions.push("a.unit_id IS NULL".to_owned()),
        Some(OrganizerFilter::Unit(unit_id)) => {
            binds.push(unit_id.clone());
            conditions.push(format!("a.unit_id = ${}", binds.len()));
        }
    }
    if let Some(category_id) = &filter.category_id {
        binds.push(category_id.clone());
        conditions.push(format!("a.category_id = ${}", binds.len()));
    }
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} WHERE {} ORDER BY a.start_date DESC, a.title, a.id",
        conditions.join(" AND ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for bind in &binds {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter().map(activity_from_row).collect()
}

/// Finds an activity by id, with its attendance count.
pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Activity> {
    let sql = format!("SELECT {ACTIVITY_COLUMNS} WHERE a.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(activity_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// The counts returned by [`add_attendance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttendanceAdded {
    pub added: u64,
    /// People who were on the sheet already, including repeats within `person_ids`.
    pub already_present: u64,
}

/// Records that people attended an activity. People already recorded are counted, not
/// added twice. An unknown activity is `StoreError::NotFound`.
pub async fn add_attendance(
    conn: &mut AnyConnection,
    activity_id: &str,
    person_ids: &[String],
    imported_by: Option<&str>,
) -> Result<AttendanceAdded> {
    let mut tx = conn.begin().await?;
    let exists = sqlx::query("SELECT 1 AS one FROM activities WHERE id = $1")
        .bind(activity_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if !exists {
        return Err(StoreError::NotFound);
    }
    let now = now_ms();
    let mut outcome = AttendanceAdded::default();
    for person_id in person_ids {
        let result = sqlx::query(
            "INSERT INTO attendance (activity_id, person_id, imported_at, imported_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (activity_id, person_id) DO NOTHING",
        )
        .bind(activity_id)
        .bind(person_id)
        .bind(now)
        .bind(imported_by)
        .execute(&mut *tx)
        .await?;
        if result.rows_affected() == 0 {
            outcome.already_present += 1;
        } else {
            outcome.added += 1;
        }
    }
    tx.commit().await?;
    Ok(outcome)
}

/// One person on an activity's attendance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attendee {
    pub person_id: String,
    pub staff_id: String,
    pub name: String,
    pub unit_name: Option<String>,
}

/// Lists the attendance of an activity by staff ID.
pub async fn attendance(conn: &mut AnyConnection, activity_id: &str) -> Result<Vec<Attendee>> {
    let rows = sqlx::query(
        "SELECT p.id, p.staff_id, p.name, u.name AS unit_name FROM attendance t \
         JOIN people p ON p.id = t.person_id LEFT JOIN units u ON u.id = p.unit_id \
         WHERE t.activity_id = $1 ORDER BY p.staff_id",
    )
    .bind(activity_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Attendee {
                person_id: columns::text(row, "id")?,
                staff_id: columns::text(row, "staff_id")?,
                name: columns::text(row, "name")?,
                unit_name: columns::opt_text(row, "unit_name")?,
            })
        })
        .collect()
}

/// An activity whose hours the center credits to a teacher from attendance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CreditedActivity {
    pub activity_id: String,
    pub title: String,
    pub category_code: u8,
    pub category_name: String,
    pub start_date: Date,
    pub end_date: Date,
    pub hours: Hours,
}

/// Lists the activities of a term in school-accredited categories that the teacher
/// attended: the hours credited without a claim, by start date.
pub async fn school_credits_for(
    conn: &mut AnyConnection,
    teacher_id: &str,
    term: TermCode,
) -> Result<Vec<CreditedActivity>> {
    let rows = sqlx::query(
        "SELECT a.id, a.title, c.code AS category_code, c.name AS category_name, a.start_date, a.end_date, a.hours \
         FROM attendance t JOIN activities a ON a.id = t.activity_id JOIN categories c ON c.id = a.category_id \
         WHERE t.person_id = $1 AND a.term_code = $2 AND c.school_accredited = 1 \
         ORDER BY a.start_date, a.id",
    )
    .bind(teacher_id)
    .bind(term.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let code = columns::int(row, "category_code")?;
            Ok(CreditedActivity {
                activity_id: columns::text(row, "id")?,
                title: columns::text(row, "title")?,
                category_code: u8::try_from(code)
                    .map_err(|error| columns::corrupt("category_code", &code.to_string(), error))?,
                category_name: columns::text(row, "category_name")?,
                start_date: columns::date(row, "start_date")?,
                end_date: columns::date(row, "end_date")?,
                hours: columns::hours(row, "hours")?,
            })
        })
        .collect()
}

/// Returns whether the center credits this activity to the teacher: the teacher is on
/// its attendance and its category is school-accredited.
pub async fn is_credited(
    conn: &mut AnyConnection,
    activity_id: &str,
    teacher_id: &str,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM attendance t JOIN activities a ON a.id = t.activity_id \
         JOIN categories c ON c.id = a.category_id \
         WHERE t.activity_id = $1 AND t.person_id = $2 AND c.school_accredited = 1",
    )
    .bind(activity_id)
    .bind(teacher_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}
