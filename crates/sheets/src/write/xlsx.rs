//! Writing `.xlsx` workbooks row by row in rust_xlsxwriter's constant-memory mode.

use std::io::{Seek, Write};

use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use unicode_width::UnicodeWidthStr;

use crate::error::SheetError;
use crate::write::Value;
use crate::write::sheet_name::clean_sheet_name;

/// Rows read ahead of writing to fit the column widths; later rows do not change them.
/// Excel's paper size code for A4.
const A4_PAPER: u8 = 9;
/// Tables with more columns than this print in landscape.
const PORTRAIT_MAX_COLUMNS: usize = 6;
const WIDTH_SAMPLE_ROWS: usize = 200;

/// Column widths in Excel's character units (the width of "0"); a CJK character takes two.
const MIN_COLUMN_WIDTH: usize = 6;
const MAX_COLUMN_WIDTH: usize = 60;

/// Maximum data rows below the header: Excel's 1,048,576 rows per worksheet, less one.
const MAX_DATA_ROWS: usize = 1_048_575;

/// Font size and row height, in points, of a title row above the header.
const TITLE_FONT_SIZE: f64 = 14.0;
const TITLE_ROW_HEIGHT: f64 = 28.0;

/// Maximum characters Excel keeps in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// An `.xlsx` workbook being written, one worksheet at a time.
///
/// Each worksheet uses rust_xlsxwriter's constant-memory mode, which flushes a row to a
/// temporary file when the next row starts (rust_xlsxwriter 0.102 performance docs), so a
/// sheet of a million rows is never held in memory. Only the first 200 rows are buffered,
/// to fit the column widths. The assembled file is held in memory by [`Self::finish`] and
/// not by [`Self::finish_to`].
pub struct XlsxWriter {
    workbook: Workbook,
    sheet_names: Vec<String>,
    formats: Formats,
}

struct Formats {
    title: Format,
    header: Format,
    decimal: Format,
    percent: Format,
    date: Format,
}

impl Default for XlsxWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XlsxWriter {
    /// Starts an empty workbook.
    pub fn new() -> Self {
        let header = Format::new()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color("#D9D9D9")
            .set_border(FormatBorder::Thin);
        Self {
            workbook: Workbook::new(),
            sheet_names: Vec::new(),
            formats: Formats {
                title: Format::new()
                    .set_bold()
                    .set_font_size(TITLE_FONT_SIZE)
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter),
                header,
                decimal: Format::new().set_num_format("0.0"),
                percent: Format::new().set_num_format("0%"),
                date: Format::new().set_num_format("yyyy-mm-dd"),
            },
        }
    }

    /// Sets the folder for the temporary files of the worksheets added after this call,
    /// e.g. a folder on disk where the system temporary folder lives in memory.
    pub fn set_tempdir(&mut self, dir: &std::path::Path) -> Result<(), SheetError> {
        self.workbook
            .set_tempdir(dir)
            .map(|_| ())
            .map_err(write_error)
    }

    /// Adds a worksheet with a bold header row and the rows that `rows` yields, pulling
    /// them one at a time. Returns the sheet's name after [`clean_sheet_name`].
    ///
    /// # Errors
    ///
    /// [`SheetError::SheetRowLimit`] when `rows` yields more than 1,048,575 rows, and
    /// [`SheetError::XlsxWrite`] when the temporary file cannot be written.
    pub fn add_sheet<I, R>(
        &mut self,
        name: &str,
        headers: &[&str],
        rows: I,
    ) -> Result<String, SheetError>
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = Value>,
    {
        self.write_sheet(name, None, headers, rows)
    }

    /// Adds a worksheet like [`Self::add_sheet`], with a bold title row above the header
    /// (e.g. "2022-2023学年第二学期教师培训学时认定情况一览表") merged across the header's
    /// columns. The data rows may number one fewer than in [`Self::add_sheet`].
    pub fn add_titled_sheet<I, R>(
        &mut self,
        name: &str,
        title: &str,
        headers: &[&str],
        rows: I,
    ) -> Result<String, SheetError>
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = Value>,
    {
        self.write_sheet(name, Some(title), headers, rows)
    }

    fn write_sheet<I, R>(
        &mut self,
        name: &str,
        title: Option<&str>,
        headers: &[&str],
        rows: I,
    ) -> Result<String, SheetError>
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = Value>,
    {
        let sheet_name = clean_sheet_name(name, &self.sheet_names);
        self.sheet_names.push(sheet_name.clone());
        let sheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(write_error)?;
        sheet.set_name(&sheet_name).map_err(write_error)?;

        let mut rows = rows
            .into_iter()
            .map(|row| row.into_iter().collect::<Vec<Value>>());
        let sample: Vec<Vec<Value>> = rows.by_ref().take(WIDTH_SAMPLE_ROWS).collect();
        for (column, width) in fit_widths(headers, &sample).into_iter().enumerate() {
            sheet
                .set_column_width(column_number(column)?, width as f64)
                .map_err(write_error)?;
        }

        let header_row: u32 = match title {
            Some(title) => {
                let last_column = column_number(headers.len().max(1) - 1)?;
                let text = cut_text(title);
                if last_column == 0 {
                    sheet.write_string_with_format(0, 0, text, &self.formats.title)
                } else {
                    sheet.merge_range(0, 0, 0, last_column, text, &self.formats.title)
                }
                .map_err(write_error)?;
                sheet
                    .set_row_height(0, TITLE_ROW_HEIGHT)
                    .map_err(write_error)?;
                1
            }
            None => 0,
        };
        for (column, header) in headers.iter().enumerate() {
            sheet
                .write_string_with_format(
                    header_row,
                    column_number(column)?,
                    cut_text(header),
                    &self.formats.header,
                )
                .map_err(write_error)?;
        }
        sheet
            .set_freeze_panes(header_row + 1, 0)
            .map_err(write_error)?;
        // Printed on A4, as wide as one page, with the header repeated on every page;
        // wide tables turn to landscape.
        sheet.set_paper_size(A4_PAPER);
        sheet.set_print_fit_to_pages(1, 0);
        if headers.len() > PORTRAIT_MAX_COLUMNS {
            sheet.set_landscape();
        }
        sheet.set_repeat_rows(0, header_row).map_err(write_error)?;

        let max_rows = MAX_DATA_ROWS - header_row as usize;
        for (index, row) in sample.into_iter().chain(rows).enumerate() {
            if index >= max_rows {
                return Err(SheetError::SheetRowLimit {
                    limit: max_rows as u32,
                });
            }
            // The check above keeps the index below Excel's row limit, which fits in u32.
            let row_number = index as u32 + header_row + 1;
            for (column, value) in row.iter().enumerate() {
                write_value(
                    sheet,
                    &self.formats,
                    row_number,
                    column_number(column)?,
                    value,
                )?;
            }
        }
        Ok(sheet_name)
    }

    /// Assembles the workbook and returns its bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, SheetError> {
        self.workbook.save_to_buffer().map_err(write_error)
    }

    /// Assembles the workbook into `writer`, e.g. a temporary file for a large download.
    pub fn finish_to<W: Write + Seek + Send>(mut self, writer: W) -> Result<(), SheetError> {
        self.workbook.save_to_writer(writer).map_err(write_error)
    }
}

fn write_value(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    column: u16,
    value: &Value,
) -> Result<(), SheetError> {
    let written = match value {
        Value::Empty => return Ok(()),
        // write_string stores a string cell, so text starting with "=" is never a formula.
        Value::Text(text) => sheet.write_string(row, column, cut_text(text)),
        Value::Integer(n) => sheet.write_number(row, column, *n as f64),
        Value::Decimal(d) => sheet.write_number_with_format(row, column, *d, &formats.decimal),
        Value::Percent(p) => {
            sheet.write_number_with_format(row, column, *p as f64 / 100.0, &formats.percent)
        }
        Value::Date(date) => match excel_date(*date) {
            Some(excel) => sheet.write_datetime_with_format(row, column, excel, &formats.date),
            // Excel has no dates before 1900, so those are written as text.
            None => sheet.write_string(row, column, date.to_string()),
        },
    };
    written.map(|_| ()).map_err(write_error)
}

fn excel_date(date: jiff::civil::Date) -> Option<ExcelDateTime> {
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

/// Cuts text to the maximum characters Excel keeps in a cell, so a long note does not fail
/// the whole export.
fn cut_text(text: &str) -> &str {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Computes each column's width from its header and the sampled rows: the widest text in
/// display columns (CJK characters count two) plus a margin, within fixed bounds.
fn fit_widths(headers: &[&str], sample: &[Vec<Value>]) -> Vec<usize> {
    let columns = sample
        .iter()
        .map(Vec::len)
        .chain([headers.len()])
        .max()
        .unwrap_or(0);
    (0..columns)
        .map(|column| {
            let header = headers.get(column).map_or(0, |h| h.width());
            let widest = sample
                .iter()
                .filter_map(|row| row.get(column))
                .map(|value| {
                    value
                        .display_text()
                        .lines()
                        .map(UnicodeWidthStr::width)
                        .max()
                        .unwrap_or(0)
                })
                .max()
                .unwrap_or(0);
            (header.max(widest) + 2).clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH)
        })
        .collect()
}

fn column_number(column: usize) -> Result<u16, SheetError> {
    u16::try_from(column).map_err(|_| SheetError::XlsxWrite {
        detail: format!("column {column} is past Excel's last column"),
    })
}

fn write_error(error: XlsxError) -> SheetError {
    SheetError::XlsxWrite {
        detail: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_wider_than_ascii() {
        let sample = vec![vec![Value::from("信息工程学院"), Value::from("2019001")]];
        let widths = fit_widths(&["单位", "工号"], &sample);

        assert_eq!(widths, vec![14, 9]);
    }

    #[test]
    fn long_text_is_cut_to_cell_limit() {
        let text = "字".repeat(MAX_CELL_CHARS + 5);
        assert_eq!(cut_text(&text).chars().count(), MAX_CELL_CHARS);
    }
}
