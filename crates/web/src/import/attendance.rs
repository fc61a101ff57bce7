//! The attendance import: a sign-in sheet (签到表) matched to people and added to an
//! activity of the ledger.
//!
//! Each row is matched by staff ID, else by name. A name must be unique among the active
//! people of the row's unit when the sheet has a unit column and the row fills it, else
//! unique among all active people. Rows that match nobody, or several people, are
//! reported with their reason; people already on the attendance are counted, not added
//! twice. The whole file is planned first and then written in one transaction.

use std::collections::{HashMap, HashSet};

use xueshi_core::StaffId;
use xueshi_core::text::name_key;
use xueshi_sheets::{ATTENDANCE_FIELDS, ReadOptions, Row, Table};
use xueshi_store::activities::{self, Activity};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::people::{self, PeopleFilter, Person};
use xueshi_store::{Db, StoreError, units};

use super::{RowError, SkippedRowReport};

/// How to run an attendance import.
#[derive(Debug, Clone, Default)]
pub struct AttendanceOptions {
    /// Match and report without writing anything.
    pub dry_run: bool,
    /// Sheet to read instead of the first visible one.
    pub sheet: Option<String>,
}

/// The cell a row was matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    StaffId,
    Name,
}

/// The effect of a matched row on the attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// The person is added (or would be, in a dry run).
    Added,
    /// The person was on the attendance before this import.
    AlreadyPresent,
    /// An earlier row of the same sheet named the same person.
    Repeated,
}

/// One row matched to a person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttendanceMatch {
    pub row: u32,
    pub staff_id: String,
    pub name: String,
    pub unit: Option<String>,
    pub matched_by: MatchedBy,
    pub outcome: RowOutcome,
    /// A Chinese remark, e.g. that an unknown staff ID was passed over for the name.
    pub note: Option<String>,
}

/// The outcome of an import. Its JSON form is what `import attendance --json` prints
/// and the API returns.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AttendanceReport {
    pub activity_id: String,
    pub activity_title: String,
    pub file_name: String,
    pub sheet: Option<String>,
    pub visible_sheets: Vec<String>,
    pub header_row: u32,
    /// Whether the sheet has a unit column, which narrows name matches to a unit.
    pub has_unit_column: bool,
    /// Rows matched to exactly one person, repeats included.
    pub matched: usize,
    /// People added to the attendance, or who would be in a dry run.
    pub added: usize,
    /// People on the attendance before this import.
    pub already_present: usize,
    /// Rows naming a person an earlier row of the sheet named.
    pub repeated: usize,
    /// Rows that match nobody, with the reason.
    pub unmatched: Vec<RowError>,
    /// Rows whose name fits several people, with the candidates.
    pub ambiguous: Vec<RowError>,
    pub skipped: Vec<SkippedRowReport>,
    pub matches: Vec<AttendanceMatch>,
    /// Whether the database was changed.
    pub written: bool,
    pub dry_run: bool,
    /// A Chinese sentence summing up the result.
    pub message: String,
}

/// A failure that stops the import before any row is matched.
#[derive(Debug, thiserror::Error)]
pub enum AttendanceError {
    /// The activity does not exist.
    #[error("activity not found")]
    ActivityNotFound,
    /// The file cannot be read as a sign-in sheet, and the Chinese message explains why.
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AttendanceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AttendanceError::ActivityNotFound,
            other => AttendanceError::Internal(other.into()),
        }
    }
}

/// Reads a sign-in sheet on the blocking pool.
async fn read_sheet(
    bytes: Vec<u8>,
    file_name: String,
    sheet: Option<String>,
) -> Result<Table, AttendanceError> {
    tokio::task::spawn_blocking(move || {
        let options = ReadOptions {
            sheet,
            ..ReadOptions::default()
        };
        xueshi_sheets::read_table(&bytes, &file_name, ATTENDANCE_FIELDS, &options)
    })
    .await
    .map_err(|error| AttendanceError::Internal(error.into()))?
    .map_err(|error| AttendanceError::File(error.to_string()))
}

/// Imports a sign-in sheet into the attendance of `activity_id`: matches every row, then
/// writes the people not yet on it unless `options.dry_run` is set.
///
/// The caller checks that the actor may change the activity.
pub async fn import_attendance(
    db: &Db,
    activity_id: &str,
    bytes: Vec<u8>,
    file_name: &str,
    options: &AttendanceOptions,
    actor: &Actor,
) -> Result<AttendanceReport, AttendanceError> {
    let activity = activities::get(&mut *db.conn().await?, activity_id).await?;
    let table = read_sheet(bytes, file_name.to_owned(), options.sheet.clone()).await?;
    let mut report = AttendanceReport {
        activity_id: activity.id.clone(),
        activity_title: activity.title.clone(),
        file_name: file_name.to_owned(),
        sheet: table.sheet_name.clone(),
        visible_sheets: table.visible_sheets.clone(),
        header_row: table.header_row,
        has_unit_column: table.column("unit").is_some(),
        skipped: table.skipped.iter().map(SkippedRowReport::from).collect(),
        dry_run: options.dry_run,
        ..AttendanceReport::default()
    };
    let directory = Directory::load(db, &activity).await?;
    let person_ids = directory.match_rows(&table, &mut report);

    if options.dry_run || report.added == 0 {
        report.message = summary(&report);
        return Ok(report);
    }
    write(db, &activity, &person_ids, &mut report, actor).await?;
    report.written = true;
    report.message = summary(&report);
    Ok(report)
}

fn summary(report: &AttendanceReport) -> String {
    let problems = report.unmatched.len() + report.ambiguous.len();
    let counts = format!(
        "匹配 {} 行：新增 {} 人，已在签到名单中 {} 人，表内重复 {} 行；未匹配 {} 行，无法确定 {} 行",
        report.matched,
        report.added,
        report.already_present,
        report.repeated,
        report.unmatched.len(),
        report.ambiguous.len()
    );
    let problem_hint = if problems > 0 {
        "未匹配和无法确定的行不计入签到名单。请核对这些行的工号、姓名或单位后再导入一次，已在签到名单中的人员不会重复计入。"
    } else {
        ""
    };
    if report.matched == 0 {
        return format!("签到表中没有能匹配到人员的行，未导入任何数据。（{counts}）{problem_hint}");
    }
    if report.added == 0 {
        return format!(
            "签到表中的人员都已在签到名单中，没有需要新增的人员。（{counts}）{problem_hint}"
        );
    }
    if report.written {
        format!("导入完成：{counts}。{problem_hint}")
    } else {
        format!("预览：{counts}。确认无误后再执行导入。{problem_hint}")
    }
}

/// The people and units a sheet is matched against, and the activity's attendance.
struct Directory {
    by_staff_id: HashMap<String, Person>,
    /// Active people by name key.
    by_name: HashMap<String, Vec<Person>>,
    /// Unit ids by name key.
    units: HashMap<String, String>,
    present: HashSet<String>,
}

/// The result of matching one row.
enum RowMatch {
    Person(Person, MatchedBy, Option<String>),
    Unmatched(RowError),
    Ambiguous(RowError),
}

impl Directory {
    async fn load(db: &Db, activity: &Activity) -> Result<Self, AttendanceError> {
        let mut conn = db.conn().await?;
        let (everyone, _) = people::list(
            &mut conn,
            &PeopleFilter {
                include_inactive: true,
                ..Default::default()
            },
        )
        .await?;
        let units = units::list(&mut conn)
            .await?
            .into_iter()
            .map(|unit| (name_key(&unit.name), unit.id))
            .collect();
        let present = activities::attendance(&mut conn, &activity.id)
            .await?
            .into_iter()
            .map(|attendee| attendee.person_id)
            .collect();
        let mut by_name: HashMap<String, Vec<Person>> = HashMap::new();
        for person in everyone.iter().filter(|person| person.active) {
            by_name
                .entry(name_key(&person.name))
                .or_default()
                .push(person.clone());
        }
        Ok(Self {
            by_staff_id: everyone
                .into_iter()
                .map(|person| (person.staff_id.clone(), person))
                .collect(),
            by_name,
            units,
            present,
        })
    }

    /// Matches every row, filling the report's counts and lists, and returns the ids of
    /// the people matched, each once.
    fn match_rows(&self, table: &Table, report: &mut AttendanceReport) -> Vec<String> {
        let mut first_row_of: HashMap<String, u32> = HashMap::new();
        let mut person_ids = Vec::new();
        for row in &table.rows {
            let (person, matched_by, note) = match self.match_row(table, row) {
                RowMatch::Person(person, matched_by, note) => (person, matched_by, note),
                RowMatch::Unmatched(error) => {
                    report.unmatched.push(error);
                    continue;
                }
                RowMatch::Ambiguous(error) => {
                    report.ambiguous.push(error);
                    continue;
                }
            };
            report.matched += 1;
            let (outcome, note) = if let Some(first) = first_row_of.get(&person.id) {
                report.repeated += 1;
                let repeat = format!("与第 {first} 行是同一人，只计一次");
                (
                    RowOutcome::Repeated,
                    Some(note.map_or(repeat.clone(), |n| format!("{n}；{repeat}"))),
                )
            } else if self.present.contains(&person.id) {
                first_row_of.insert(person.id.clone(), row.number);
                report.already_present += 1;
                person_ids.push(person.id.clone());
                (RowOutcome::AlreadyPresent, note)
            } else {
                first_row_of.insert(person.id.clone(), row.number);
                report.added += 1;
                person_ids.push(person.id.clone());
                (RowOutcome::Added, note)
            };
            report.matches.push(AttendanceMatch {
                row: row.number,
                staff_id: person.staff_id,
                name: person.name,
                unit: person.unit_name,
                matched_by,
                outcome,
                note,
            });
        }
        person_ids
    }

    fn match_row(&self, table: &Table, row: &Row) -> RowMatch {
        let staff_text = row.text("staff_id").unwrap_or("");
        let name_text = row.text("name").unwrap_or("");
        let unit_text = row.text("unit").unwrap_or("");

        let mut note = None;
        if !staff_text.is_empty() {
            let known = StaffId::parse(staff_text)
                .ok()
                .and_then(|staff_id| self.by_staff_id.get(staff_id.as_str()));
            match known {
                Some(person)
                    if name_text.is_empty() || name_key(name_text) == name_key(&person.name) =>
                {
                    // People marked as left are still matched, because the sheet shows they attended.
                    let note = (!person.active).then(|| "此人已标记为离职".to_owned());
                    return RowMatch::Person(person.clone(), MatchedBy::StaffId, note);
                }
                Some(person) => {
                    return RowMatch::Unmatched(cell_error(
                        table,
                        row,
                        "staff_id",
                        format!(
                            "工号 {} 在系统中是“{}”，与表中姓名“{name_text}”不符，请核对工号和姓名。",
                            person.staff_id, person.name
                        ),
                    ));
                }
                None if name_text.is_empty() => {
                    return RowMatch::Unmatched(cell_error(
                        table,
                        row,
                        "staff_id",
                        format!("工号“{staff_text}”不在人员名单中，且该行没有姓名，无法匹配。"),
                    ));
                }
                None => {
                    note = Some(format!("工号“{staff_text}”不在人员名单中，已按姓名匹配"));
                }
            }
        }
        if name_text.is_empty() {
            return RowMatch::Unmatched(RowError {
                row: row.number,
                column: String::new(),
                value: String::new(),
                message: "该行没有工号和姓名，无法匹配。".to_owned(),
            });
        }

        let everyone_named = self
            .by_name
            .get(&name_key(name_text))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let (candidates, place): (Vec<&Person>, String) = if unit_text.is_empty() {
            (everyone_named.iter().collect(), "全校在职人员中".to_owned())
        } else {
            let Some(unit_id) = self.units.get(&name_key(unit_text)) else {
                return RowMatch::Unmatched(cell_error(
                    table,
                    row,
                    "unit",
                    format!("单位“{unit_text}”不存在，请改为系统中的单位名称，或填写工号。"),
                ));
            };
            (
                everyone_named
                    .iter()
                    .filter(|person| person.unit_id.as_deref() == Some(unit_id.as_str()))
                    .collect(),
                format!("{unit_text}的在职人员中"),
            )
        };
        let not_found_prefix = if staff_text.is_empty() {
            String::new()
        } else {
            format!("工号“{staff_text}”不在人员名单中，")
        };
        match candidates.as_slice() {
            [person] => RowMatch::Person((*person).clone(), MatchedBy::Name, note),
            [] => RowMatch::Unmatched(cell_error(
                table,
                row,
                "name",
                format!(
                    "{not_found_prefix}{place}没有名为“{name_text}”的人，请核对姓名或填写工号。"
                ),
            )),
            several => {
                let staff_ids: Vec<&str> = several
                    .iter()
                    .map(|person| person.staff_id.as_str())
                    .collect();
                RowMatch::Ambiguous(cell_error(
                    table,
                    row,
                    "name",
                    format!(
                        "{not_found_prefix}{place}有 {} 人名为“{name_text}”（工号 {}），无法确定是谁，请在表中填写工号。",
                        several.len(),
                        staff_ids.join("、")
                    ),
                ))
            }
        }
    }
}

/// Builds a row problem naming the cell of `key` and its text.
fn cell_error(table: &Table, row: &Row, key: &str, message: String) -> RowError {
    let cell = row.get(key);
    RowError {
        row: row.number,
        column: cell
            .map(|cell| cell.column.clone())
            .or_else(|| table.column(key).map(|column| column.column_letter.clone()))
            .unwrap_or_default(),
        value: cell.map(|cell| cell.text.clone()).unwrap_or_default(),
        message,
    }
}

/// Adds the matched people and the audit row in one transaction, and takes the counts
/// the database reports, which a concurrent import may have changed since planning.
async fn write(
    db: &Db,
    activity: &Activity,
    person_ids: &[String],
    report: &mut AttendanceReport,
    actor: &Actor,
) -> Result<(), AttendanceError> {
    let mut tx = db.begin_write().await?;
    let outcome = activities::add_attendance(
        &mut tx,
        &activity.id,
        person_ids,
        actor.person_id.as_deref(),
    )
    .await?;
    report.added = usize::try_from(outcome.added).unwrap_or(usize::MAX);
    report.already_present = usize::try_from(outcome.already_present).unwrap_or(usize::MAX);
    let summary = serde_json::json!({
        "file_name": report.file_name, "sheet": report.sheet, "matched": report.matched,
        "added": report.added, "already_present": report.already_present, "repeated": report.repeated,
        "unmatched": report.unmatched.len(), "ambiguous": report.ambiguous.len(),
    });
    let entry = AuditEntry {
        entity: "activity",
        entity_id: &activity.id,
        action: "import_attendance",
        after: Some(summary),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    tracing::info!(
        activity.id = %activity.id,
        added = report.added,
        already_present = report.already_present,
        "attendance imported"
    );
    Ok(())
}
