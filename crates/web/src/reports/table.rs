//! The per-unit table of the center's feedback notice (一览表): loading it, its JSON form
//! shared by the API and `xueshi report units`, and its `.xlsx` and CSV files.

use xueshi_core::report::{UnitRow, UnitTable, unit_table};
use xueshi_core::{TermCode, UnitKind};
use xueshi_sheets::{SheetError, Value, XlsxWriter};
use xueshi_store::Conn as AnyConnection;
use xueshi_store::reports::{self, UnitInReview};

use super::term::ReportError;

/// Column headers of the table, as the notice prints them.
pub const HEADERS: [&str; 5] = [
    "单位",
    "申报认定项目总数",
    "通过认定数量",
    "未通过认定数量",
    "通过率",
];

/// Builds the per-unit table of a term from its finished claims.
pub async fn load(conn: &mut AnyConnection, term: TermCode) -> Result<UnitTable, ReportError> {
    let counts = reports::unit_outcomes(conn, term).await?;
    Ok(unit_table(&counts))
}

/// One row of the table in the API and command-line JSON: exactly these five keys.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UnitRowJson {
    /// The unit's name, 其他单位 for the units of kind `other`, or 合计.
    pub unit: String,
    /// Finished claims: passed plus not passed (申报认定项目总数).
    pub submitted: u64,
    /// Accredited claims; hours the center credits itself are not claims (通过认定数量).
    pub passed: u64,
    /// Rejected claims (未通过认定数量).
    pub rejected: u64,
    /// `passed` over `submitted` in whole percent, rounded half up.
    pub pass_rate_percent: u32,
}

impl From<&UnitRow> for UnitRowJson {
    fn from(row: &UnitRow) -> Self {
        Self {
            unit: row.unit.clone(),
            submitted: row.submitted,
            passed: row.passed,
            rejected: row.rejected,
            pass_rate_percent: row.pass_rate_percent,
        }
    }
}

/// The per-unit table of a term in JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UnitTableJson {
    /// The term code, e.g. `2022-2023-2`.
    pub term: String,
    /// Teaching units by pass rate, highest first, then 其他单位 when it counts a claim.
    pub rows: Vec<UnitRowJson>,
    /// The sum of `rows`, named 合计.
    pub total: UnitRowJson,
}

impl UnitTableJson {
    pub fn new(term: TermCode, table: &UnitTable) -> Self {
        Self {
            term: term.to_string(),
            rows: table.rows.iter().map(UnitRowJson::from).collect(),
            total: UnitRowJson::from(&table.total),
        }
    }
}

/// Returns the download name of the table, e.g.
/// `2022-2023学年第二学期各单位教师培训学时认定情况一览表.xlsx`.
pub fn file_name(term: TermCode, extension: &str) -> String {
    format!("{}{}.{extension}", term.label(), TITLE_SUFFIX)
}

const TITLE_SUFFIX: &str = "各单位教师培训学时认定情况一览表";

fn cells(row: &UnitRow) -> Vec<Value> {
    vec![
        Value::from(row.unit.as_str()),
        Value::Integer(to_i64(row.submitted)),
        Value::Integer(to_i64(row.passed)),
        Value::Integer(to_i64(row.rejected)),
        Value::Percent(i64::from(row.pass_rate_percent)),
    ]
}

fn to_i64(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Returns the note under the table naming the units in the 其他单位 row, if any.
pub fn other_units_note(table: &UnitTable) -> Option<String> {
    (!table.other_units.is_empty())
        .then(|| format!("注：其他单位包括{}。", table.other_units.join("、")))
}

/// Writes the table as an `.xlsx` workbook with one sheet, 一览表: a title row with the
/// term, the header, the rows, the 合计 row, and a note naming the other units.
pub fn xlsx(term: TermCode, table: &UnitTable) -> Result<Vec<u8>, SheetError> {
    let mut rows: Vec<Vec<Value>> = table.rows.iter().map(cells).collect();
    rows.push(cells(&table.total));
    if let Some(note) = other_units_note(table) {
        rows.push(vec![Value::from(note)]);
    }
    let mut writer = XlsxWriter::new();
    let title = format!("{}{}", term.label(), TITLE_SUFFIX);
    writer.add_titled_sheet("一览表", &title, &HEADERS, rows)?;
    writer.finish()
}

/// Writes the table as CSV in UTF-8 with BOM: the header, the rows and the 合计 row.
pub fn csv(table: &UnitTable) -> Result<Vec<u8>, SheetError> {
    let rows = table
        .rows
        .iter()
        .chain(std::iter::once(&table.total))
        .map(cells);
    xueshi_sheets::write_csv(Vec::new(), &HEADERS, rows)
}

/// Claims still in review summed like the table: teaching units in their sort order, the units
/// of kind `other` in one 其他单位 row.
pub fn in_review_rows(units: &[UnitInReview]) -> Vec<UnitInReview> {
    let mut rows: Vec<UnitInReview> = units
        .iter()
        .filter(|unit| unit.kind == UnitKind::Teaching)
        .cloned()
        .collect();
    let others: Vec<&UnitInReview> = units
        .iter()
        .filter(|unit| unit.kind == UnitKind::Other)
        .collect();
    if let Some(first) = others.first() {
        let mut sum = UnitInReview {
            unit_id: String::new(),
            unit_name: xueshi_core::report::OTHER_UNITS_ROW.to_owned(),
            kind: UnitKind::Other,
            sort_order: first.sort_order,
            at_office: 0,
            at_unit: 0,
            at_school: 0,
            returned: 0,
        };
        for unit in others {
            sum.at_office += unit.at_office;
            sum.at_unit += unit.at_unit;
            sum.at_school += unit.at_school;
            sum.returned += unit.returned;
        }
        rows.push(sum);
    }
    rows
}
