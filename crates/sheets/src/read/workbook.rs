//! Loading one sheet of an `.xlsx` or `.xls` workbook through calamine.

use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

use calamine::{Dimensions, Reader, Sheet, SheetType, SheetVisible, Xls, Xlsx};

use crate::error::SheetError;
use crate::read::ReadOptions;
use crate::read::grid::{Grid, GridBuilder, MergedRange};
use crate::read::value;

/// The chosen sheet's name and cells, and the workbook's visible worksheets.
pub(crate) struct LoadedSheet {
    pub name: String,
    pub visible_sheets: Vec<String>,
    pub grid: Grid,
}

/// Runs a parser on untrusted bytes and turns a panic inside it into [`SheetError::Corrupt`].
///
/// Calamine 0.38 indexes into record data without checking lengths in a few places, so a
/// crafted file can make it panic. The zip and cfb readers run under the same guard. The
/// default panic hook still prints the message to standard error, and the process goes on.
pub(crate) fn catch_parser_panic<T>(
    parse: impl FnOnce() -> Result<T, SheetError>,
) -> Result<T, SheetError> {
    panic::catch_unwind(AssertUnwindSafe(parse)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(SheetError::Corrupt {
            detail: format!("parser panicked: {message}"),
        })
    })
}

/// Streams the chosen sheet of an `.xlsx` workbook cell by cell.
pub(crate) fn load_xlsx(bytes: &[u8], options: &ReadOptions) -> Result<LoadedSheet, SheetError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let (name, visible_sheets) =
        choose_sheet(workbook.sheets_metadata(), options.sheet.as_deref())?;

    let mut builder = GridBuilder::new(options.max_rows);
    {
        let mut cells = workbook.worksheet_cells_reader(&name).map_err(corrupt)?;
        while let Some(cell) = cells.next_cell().map_err(corrupt)? {
            let (row, column) = cell.get_position();
            builder.push(row, column, value::from_data_ref(cell.get_value()))?;
        }
    }

    let merged = workbook.merge_cells_by_sheet_name(&name).map_err(corrupt)?;
    Ok(LoadedSheet {
        name,
        visible_sheets,
        grid: builder.finish(merged_ranges(&merged)),
    })
}

/// Reads the chosen sheet of an `.xls` workbook, which calamine parses whole on opening.
pub(crate) fn load_xls(bytes: &[u8], options: &ReadOptions) -> Result<LoadedSheet, SheetError> {
    let mut workbook = Xls::new(Cursor::new(bytes)).map_err(|error| match error {
        calamine::XlsError::Password => SheetError::Encrypted,
        other => corrupt(other),
    })?;
    let (name, visible_sheets) =
        choose_sheet(workbook.sheets_metadata(), options.sheet.as_deref())?;

    let range = workbook.worksheet_range(&name).map_err(corrupt)?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut builder = GridBuilder::new(options.max_rows);
    for (row, column, data) in range.used_cells() {
        // Positions inside a range are relative to its start; the range fits in u32.
        let row = first_row + row as u32;
        let column = first_column + column as u32;
        builder.push(row, column, value::from_data(data))?;
    }

    let merged = workbook.merge_cells_by_sheet_name(&name).map_err(corrupt)?;
    Ok(LoadedSheet {
        name,
        visible_sheets,
        grid: builder.finish(merged_ranges(&merged)),
    })
}

/// Picks the requested worksheet, hidden ones included, or else the first visible one.
/// Chart and macro sheets are never chosen. Returns the name and the visible worksheets.
fn choose_sheet(
    sheets: &[Sheet],
    requested: Option<&str>,
) -> Result<(String, Vec<String>), SheetError> {
    let worksheets: Vec<&Sheet> = sheets
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .collect();
    let visible: Vec<String> = worksheets
        .iter()
        .filter(|sheet| sheet.visible == SheetVisible::Visible)
        .map(|sheet| sheet.name.clone())
        .collect();

    let chosen = match requested {
        Some(requested) => {
            let wanted = value::trim_blank(requested);
            worksheets
                .iter()
                .find(|sheet| sheet.name == requested)
                .or_else(|| {
                    worksheets
                        .iter()
                        .find(|sheet| value::trim_blank(&sheet.name) == wanted)
                })
                .map(|sheet| sheet.name.clone())
                .ok_or_else(|| SheetError::SheetNotFound {
                    requested: requested.to_owned(),
                    visible: visible.clone(),
                })?
        }
        None => visible.first().cloned().ok_or(SheetError::NoVisibleSheet)?,
    };
    Ok((chosen, visible))
}

fn merged_ranges(dimensions: &[Dimensions]) -> Vec<MergedRange> {
    dimensions
        .iter()
        .map(|d| MergedRange {
            first_row: d.start.0,
            last_row: d.end.0,
            first_column: d.start.1,
            last_column: d.end.1,
        })
        .collect()
}

fn corrupt(error: impl std::fmt::Display) -> SheetError {
    SheetError::Corrupt {
        detail: error.to_string(),
    }
}
