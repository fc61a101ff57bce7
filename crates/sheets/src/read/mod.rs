//! Reading staff spreadsheets (`.xlsx`, `.xls`, CSV) into rows of named cells.
//!
//! [`read_table`] judges the format from the bytes, guards against oversized and malicious
//! files, picks a sheet, finds the header row below any title rows, and returns each data
//! row with its cells keyed by [`FieldSpec::key`]. Cell text is what the user sees in the
//! cell, trimmed; parsing it into staff IDs, dates or hours is left to the caller.

mod delimited;
mod detect;
mod grid;
mod table;
mod value;
mod workbook;
mod xls_guard;
mod zip_guard;

use std::collections::BTreeMap;

use crate::error::SheetError;
use crate::fields::FieldSpec;
use detect::FileKind;

/// Limits and choices for [`read_table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Name of the worksheet to read; hidden sheets may be named too. `None` reads the
    /// first visible worksheet. Ignored for CSV.
    pub sheet: Option<String>,
    /// Maximum rows a sheet may use, counted as Excel numbers them (title and header rows
    /// included). Default 200,000.
    pub max_rows: u32,
    /// Maximum bytes an `.xlsx` may unpack to, summed over its archive entries.
    /// Default 200,000,000 (200 MB).
    pub max_uncompressed_bytes: u64,
    /// Maximum uncompressed-to-compressed ratio allowed for one `.xlsx` archive entry larger
    /// than [`Self::ratio_check_min_bytes`]. Default 100.
    pub max_compression_ratio: u64,
    /// Entries up to this many uncompressed bytes skip the ratio check, because small XML
    /// parts compress very well. Default 1,000,000 (1 MB).
    pub ratio_check_min_bytes: u64,
    /// Maximum cells the sheet grids of an `.xls` workbook may span, added up over all sheets,
    /// because calamine keeps every sheet of an `.xls` in memory as a dense grid. Default 10,000,000.
    pub max_xls_cells: u64,
    /// How many rows from the top are searched for the header row. Default 30.
    pub header_scan_rows: u32,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            sheet: None,
            max_rows: 200_000,
            max_uncompressed_bytes: 200_000_000,
            max_compression_ratio: 100,
            ratio_check_min_bytes: 1_000_000,
            // TODO: a chosen bound, not tuned on real uploads. calamine's `Data` takes 32
            // bytes (calamine 0.38 on x86-64), so the grids stay near 320 MB at most.
            max_xls_cells: 10_000_000,
            header_scan_rows: 30,
        }
    }
}

/// The rows of one sheet, matched to a field set.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Name of the sheet read; `None` for CSV.
    pub sheet_name: Option<String>,
    /// Names of the workbook's visible worksheets, in workbook order; empty for CSV.
    pub visible_sheets: Vec<String>,
    /// The header row, 1-based as Excel shows it.
    pub header_row: u32,
    /// Header cells matched to fields, left to right.
    pub columns: Vec<ColumnMatch>,
    /// Data rows below the header, top to bottom, without skipped rows.
    pub rows: Vec<Row>,
    /// Blank rows between data rows, and footer rows (totals, signatures, notes).
    pub skipped: Vec<SkippedRow>,
    /// Texts of non-blank header cells that matched no field, or a field matched already.
    pub ignored_columns: Vec<String>,
}

impl Table {
    /// Finds the column matched to a field key.
    pub fn column(&self, key: &str) -> Option<&ColumnMatch> {
        self.columns.iter().find(|column| column.key == key)
    }
}

/// A header cell matched to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMatch {
    /// The field's [`FieldSpec::key`].
    pub key: &'static str,
    /// The header text as written in the file, trimmed.
    pub header_text: String,
    /// The column's letters, e.g. "B".
    pub column_letter: String,
}

/// One data row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Row number as Excel shows it (1-based); for CSV, the record's position.
    pub number: u32,
    /// Non-blank cells of matched fields, by field key. A blank cell inside a range merged
    /// over several rows takes the text of the range's top cell.
    pub cells: BTreeMap<&'static str, Cell>,
}

impl Row {
    /// Returns the cell of a field, or `None` when the column is absent or the cell blank.
    pub fn get(&self, key: &str) -> Option<&Cell> {
        self.cells.get(key)
    }

    /// Returns the text of a field's cell, or `None` when it is absent or blank.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(|cell| cell.text.as_str())
    }
}

/// One cell's content as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The displayed text with whitespace and zero-width characters trimmed from both ends,
    /// never empty. Numbers read as Excel's General format shows them ("2019001", "1.5"),
    /// date cells as `YYYY-MM-DD` (with ` HH:MM` when the time is not midnight), booleans
    /// as `TRUE`/`FALSE`, error cells as their code (`#N/A`), formulas as their cached value.
    pub text: String,
    /// The column's letters, e.g. "B".
    pub column: String,
    /// The calendar date of a date-formatted cell; `None` for text cells, even text that
    /// looks like a date, which the caller parses.
    pub date: Option<jiff::civil::Date>,
}

/// A row left out of [`Table::rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    /// Row number as Excel shows it (1-based).
    pub row: u32,
    /// The reason it was left out.
    pub reason: SkipReason,
}

/// The reason a row was left out of [`Table::rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Every cell is blank.
    Empty,
    /// The first non-blank cell starts with 合计, 总计, 小计, 制表人, 制表, 填表人, 审核人,
    /// 负责人, 备注, 注： or 说明. Contains that cell's text.
    Footer(String),
}

/// Reads the rows of one sheet of a staff spreadsheet, matched to `fields`.
///
/// The format is judged from `bytes` alone: a zip archive is read as `.xlsx`, an OLE2 file
/// as `.xls`, and text as CSV (UTF-8 with or without BOM, GBK/GB18030, or UTF-16 with BOM;
/// comma, tab or semicolon delimited). `file_name` only feeds a debug log of its extension.
///
/// # Errors
///
/// Returns a [`SheetError`] whose text explains to the user what to fix. The causes are an
/// empty, HTML, XML, corrupt, encrypted or unrecognized file, an archive over the size or
/// compression limits, more rows than [`ReadOptions::max_rows`], an unknown sheet name, or
/// no header row naming every required field within [`ReadOptions::header_scan_rows`] rows.
pub fn read_table(
    bytes: &[u8],
    file_name: &str,
    fields: &[FieldSpec],
    options: &ReadOptions,
) -> Result<Table, SheetError> {
    let kind = detect::detect(bytes);
    tracing::debug!(
        file.extension = extension(file_name),
        file.bytes = bytes.len(),
        file.kind = ?kind.as_ref().ok(),
        "reading spreadsheet"
    );

    let (sheet_name, visible_sheets, grid) = match kind? {
        FileKind::Zip => {
            let sheet = workbook::catch_parser_panic(|| {
                zip_guard::check_archive(bytes, options)?;
                workbook::load_xlsx(bytes, options)
            })?;
            (Some(sheet.name), sheet.visible_sheets, sheet.grid)
        }
        FileKind::Ole2 => {
            let sheet = workbook::catch_parser_panic(|| {
                xls_guard::check_compound_file(bytes, options)?;
                workbook::load_xls(bytes, options)
            })?;
            (Some(sheet.name), sheet.visible_sheets, sheet.grid)
        }
        FileKind::Text => (None, Vec::new(), delimited::load_csv(bytes, options)?),
    };

    let body = table::build_table(&grid, fields, options)?;
    Ok(Table {
        sheet_name,
        visible_sheets,
        header_row: body.header_row,
        columns: body.columns,
        rows: body.rows,
        skipped: body.skipped,
        ignored_columns: body.ignored_columns,
    })
}

/// Returns the lower-cased extension of a file name, which, unlike the stem, carries no
/// personal data.
fn extension(file_name: &str) -> String {
    file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default()
}
