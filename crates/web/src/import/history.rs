//! The history import: a past term's accreditation results (学时认定明细), kept in a
//! spreadsheet before the platform, stored as finished claims with their school
//! decision. Like the roster import, a file is first planned against the database and
//! then written in one transaction, so an import writes every valid row or nothing.

use xueshi_core::{HistoryCells, HistoryRow, ParseError, TermCode};
use xueshi_sheets::{HISTORY_FIELDS, ReadOptions, Row, Table};
use xueshi_store::audit::Actor;
use xueshi_store::history_import::{self, HistoryPlan, NewPerson};
use xueshi_store::{Db, StoreError};

use super::{RowError, SkippedRowReport};

/// How to run a history import.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// The term the file's claims belong to.
    pub term: TermCode,
    /// Plan and report without writing anything.
    pub dry_run: bool,
    /// Write the valid rows even when others are invalid.
    pub skip_invalid: bool,
    /// Sheet to read instead of the first visible one.
    pub sheet: Option<String>,
}

/// The outcome of an import; the JSON form is what `import history --json` prints.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct HistoryReport {
    pub file_name: String,
    /// The term code, e.g. `2022-2023-2`.
    pub term: String,
    /// The term's Chinese label, e.g. `2022-2023学年第二学期`.
    pub term_label: String,
    /// Whether the term did not exist before this import (and is, or would be, created).
    pub term_created: bool,
    pub sheet: Option<String>,
    pub visible_sheets: Vec<String>,
    pub header_row: u32,
    /// Rows that parsed without error.
    pub valid_rows: usize,
    /// Claims created (or, in a preview, to be created).
    pub created: usize,
    /// Of those, claims accredited and claims rejected.
    pub accredited: usize,
    pub rejected: usize,
    /// Rows imported before, left out.
    pub duplicates_skipped: usize,
    /// Spreadsheet row numbers of those rows.
    pub duplicate_rows: Vec<u32>,
    pub people_created: usize,
    pub units_created: usize,
    pub new_people: Vec<NewPerson>,
    /// Names of the units created as teaching units.
    pub new_units: Vec<String>,
    /// Names of the units created as other units (offices, centers), judged by name.
    pub new_other_units: Vec<String>,
    /// Empty and footer rows (合计 …) left out on purpose.
    pub skipped: Vec<SkippedRowReport>,
    pub errors: Vec<RowError>,
    /// Facts worth a look that do not stop the import: a name that differs from the one
    /// on record for the staff ID, or dates outside the term.
    pub warnings: Vec<RowError>,
    /// Whether the database was changed.
    pub written: bool,
    pub dry_run: bool,
    /// A Chinese sentence summing up the result.
    pub message: String,
}

/// A failure that stops the import with nothing written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryImportError {
    /// The file cannot be read as a history sheet; the message gives the reason in Chinese.
    #[error("{0}")]
    File(String),
    /// Another import of the same people or units committed while this one ran.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for HistoryImportError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unique(detail) => {
                tracing::warn!(error = %detail, "history import hit a unique constraint, probably a concurrent import");
                HistoryImportError::Conflict(
                "另一个导入同时写入了相同的人员或单位，本次未导入任何数据。请稍后重新导入，已导入的记录会自动跳过。"
                    .into(),
                )
            }
            other => HistoryImportError::Internal(other.into()),
        }
    }
}

/// Reads a history file on the blocking pool.
pub async fn read_history(
    bytes: Vec<u8>,
    file_name: String,
    sheet: Option<String>,
) -> Result<Table, HistoryImportError> {
    tokio::task::spawn_blocking(move || {
        let options = ReadOptions {
            sheet,
            ..ReadOptions::default()
        };
        xueshi_sheets::read_table(&bytes, &file_name, HISTORY_FIELDS, &options)
    })
    .await
    .map_err(|error| HistoryImportError::Internal(error.into()))?
    .map_err(|error| HistoryImportError::File(error.to_string()))
}

/// Imports a history file: parses every row and plans against the database. It then
/// writes, except in a dry run and when a row is invalid and `skip_invalid` is off.
pub async fn import_history(
    db: &Db,
    bytes: Vec<u8>,
    file_name: &str,
    options: &HistoryOptions,
    actor: &Actor,
) -> Result<HistoryReport, HistoryImportError> {
    let table = read_history(bytes, file_name.to_owned(), options.sheet.clone()).await?;
    let mut report = HistoryReport {
        file_name: file_name.to_owned(),
        term: options.term.to_string(),
        term_label: options.term.label(),
        sheet: table.sheet_name.clone(),
        visible_sheets: table.visible_sheets.clone(),
        header_row: table.header_row,
        skipped: table.skipped.iter().map(SkippedRowReport::from).collect(),
        dry_run: options.dry_run,
        ..HistoryReport::default()
    };
    let parsed = parse_rows(&table, options.term, &mut report);
    report.valid_rows = parsed.rows.len();

    let plan = {
        let mut conn = db.conn().await?;
        history_import::plan(&mut conn, options.term, &parsed.rows).await?
    };
    fill_from_plan(&mut report, &plan, &parsed);

    let blocked = !report.errors.is_empty() && !options.skip_invalid;
    if options.dry_run || blocked || report.created == 0 {
        report.message = summary(&report, blocked);
        return Ok(report);
    }

    let mut tx = db.begin_write().await?;
    let term = history_import::past_term(options.term);
    let done = history_import::insert(&mut tx, &term, &parsed.rows, actor).await?;
    xueshi_store::commit(tx).await?;
    fill_from_plan(&mut report, &done, &parsed);
    report.written = !done.new_rows.is_empty();
    report.message = summary(&report, false);
    Ok(report)
}

/// The valid rows and the spreadsheet row number of each.
struct ParsedRows {
    rows: Vec<HistoryRow>,
    numbers: Vec<u32>,
    /// Column letter of the name column, for warnings about names.
    name_column: String,
}

fn fill_from_plan(report: &mut HistoryReport, plan: &HistoryPlan, parsed: &ParsedRows) {
    let (accredited, rejected) = plan.outcome_counts(&parsed.rows);

    report.term_created = !plan.term_exists;
    report.created = plan.new_rows.len();
    report.accredited = accredited;
    report.rejected = rejected;
    report.duplicates_skipped = plan.duplicate_rows.len();
    report.duplicate_rows = plan
        .duplicate_rows
        .iter()
        .map(|index| parsed.numbers[*index])
        .collect();
    report.people_created = plan.new_people.len();
    report.units_created = plan.new_units.len() + plan.new_other_units.len();
    report.new_people = plan.new_people.clone();
    report.new_units = plan.new_units.clone();
    report.new_other_units = plan.new_other_units.clone();

    report
        .warnings
        .retain(|warning| !warning.message.starts_with(NAME_WARNING_PREFIX));
    for mismatch in &plan.name_mismatches {
        report.warnings.push(RowError {
            row: parsed.numbers[mismatch.index],
            column: parsed.name_column.clone(),
            value: mismatch.row_name.clone(),
            message: format!(
                "{NAME_WARNING_PREFIX}工号 {} 已登记的姓名是“{}”，与本行的“{}”不同。本行仍按工号导入，请确认工号是否填错。",
                mismatch.staff_id, mismatch.known_name, mismatch.row_name
            ),
        });
    }
    report.warnings.sort_by_key(|warning| warning.row);
}

/// Starts every warning about a name, so a second plan can replace those of the first.
const NAME_WARNING_PREFIX: &str = "姓名不一致：";

/// Maps the Chinese field name of a core parse error to the sheet's field key.
fn field_key(field: &str) -> &'static str {
    match field {
        "工号" => "staff_id",
        "姓名" => "name",
        "所在单位" => "unit",
        "培训类别" => "category",
        "培训主题" => "topic",
        "开始日期" => "start_date",
        "结束日期" => "end_date",
        "申报学时" => "claimed_hours",
        "认定学时" => "accredited_hours",
        "审核结果" => "outcome",
        _ => "",
    }
}

fn column_of(row: &Row, table: &Table, key: &str) -> String {
    row.get(key)
        .map(|cell| cell.column.clone())
        .or_else(|| table.column(key).map(|c| c.column_letter.clone()))
        .unwrap_or_default()
}

fn cell_error(row: &Row, table: &Table, error: ParseError) -> RowError {
    RowError {
        row: row.number,
        column: column_of(row, table, field_key(error.field)),
        value: error.value,
        message: error.message,
    }
}

/// Returns a cell's text for the core parser: a date cell as `YYYY-MM-DD`, anything else
/// as displayed.
fn cell_text(row: &Row, key: &str) -> String {
    match row.get(key) {
        Some(cell) => match cell.date {
            Some(date) => date.to_string(),
            None => cell.text.clone(),
        },
        None => String::new(),
    }
}

/// Parses each row, collecting every invalid cell as an error and dates outside the
/// term as warnings.
fn parse_rows(table: &Table, term: TermCode, report: &mut HistoryReport) -> ParsedRows {
    let (term_start, term_end) = term.span();
    let mut parsed = ParsedRows {
        rows: Vec::with_capacity(table.rows.len()),
        numbers: Vec::with_capacity(table.rows.len()),
        name_column: table
            .column("name")
            .map(|c| c.column_letter.clone())
            .unwrap_or_default(),
    };
    for row in &table.rows {
        let texts: Vec<String> = HISTORY_FIELDS
            .iter()
            .map(|field| cell_text(row, field.key))
            .collect();
        let text = |key: &str| {
            HISTORY_FIELDS
                .iter()
                .position(|field| field.key == key)
                .map(|index| texts[index].as_str())
                .unwrap_or("")
        };
        let cells = HistoryCells {
            staff_id: text("staff_id"),
            name: text("name"),
            unit: text("unit"),
            category: text("category"),
            topic: text("topic"),
            start_date: text("start_date"),
            end_date: text("end_date"),
            claimed_hours: text("claimed_hours"),
            accredited_hours: text("accredited_hours"),
            outcome: text("outcome"),
            reason: text("reason"),
        };
        match HistoryRow::parse(&cells) {
            Ok(parsed_row) => {
                if parsed_row.start_date < term_start || parsed_row.start_date > term_end {
                    report.warnings.push(RowError {
                        row: row.number,
                        column: column_of(row, table, "start_date"),
                        value: cells.start_date.to_owned(),
                        message: format!(
                            "开始日期 {} 不在{}（{term_start} 至 {term_end}）之内，请确认该记录属于这个学期。",
                            parsed_row.start_date,
                            term.label()
                        ),
                    });
                }
                parsed.rows.push(parsed_row);
                parsed.numbers.push(row.number);
            }
            Err(errors) => report.errors.extend(
                errors
                    .into_iter()
                    .map(|error| cell_error(row, table, error)),
            ),
        }
    }
    parsed
}

fn summary(report: &HistoryReport, blocked: bool) -> String {
    let counts = format!(
        "认定记录 {} 条（通过 {} 条，未通过 {} 条），已导入过而跳过 {} 条，新建人员 {} 人、单位 {} 个，跳过空行和表尾 {} 行",
        report.created,
        report.accredited,
        report.rejected,
        report.duplicates_skipped,
        report.people_created,
        report.units_created,
        report.skipped.len()
    );
    if blocked {
        return format!(
            "有 {} 处错误，未导入任何数据。请按错误列表修改文件后重新导入，或选择“跳过有错误的行”（命令行加 --skip-invalid）只导入正确的行。",
            report.errors.len()
        );
    }
    if report.created == 0 {
        return if report.duplicates_skipped > 0 {
            format!(
                "文件中的 {} 条记录此前均已导入{}，没有新增内容。",
                report.duplicates_skipped, report.term_label
            )
        } else {
            "文件中没有可导入的记录。".to_owned()
        };
    }
    let errors = if report.errors.is_empty() {
        String::new()
    } else {
        format!("；另有 {} 处错误的行未导入", report.errors.len())
    };
    if report.written {
        let term = if report.term_created {
            "（已新建该学期及其培训类别）"
        } else {
            ""
        };
        format!(
            "导入完成：{}{term}新增{counts}{errors}。",
            report.term_label
        )
    } else {
        let term = if report.term_created {
            "（该学期尚未建立，导入时将新建）"
        } else {
            ""
        };
        format!(
            "预览：{}{term}将新增{counts}{errors}。确认无误后再执行导入。",
            report.term_label
        )
    }
}
