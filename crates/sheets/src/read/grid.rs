//! A sparse grid of the non-blank cells of one sheet, whatever format it came from.

use std::collections::BTreeMap;

use crate::error::SheetError;
use crate::read::value::CellValue;

/// One non-blank cell; `column` is 0-based.
#[derive(Debug, Clone)]
pub(crate) struct GridCell {
    pub column: u32,
    pub value: CellValue,
}

/// One row with at least one non-blank cell, its cells ordered by column.
#[derive(Debug, Clone)]
pub(crate) struct GridRow {
    pub index: u32,
    pub cells: Vec<GridCell>,
}

impl GridRow {
    pub fn get(&self, column: u32) -> Option<&CellValue> {
        self.cells
            .binary_search_by_key(&column, |cell| cell.column)
            .ok()
            .map(|i| &self.cells[i].value)
    }
}

/// A merged range, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MergedRange {
    pub first_row: u32,
    pub last_row: u32,
    pub first_column: u32,
    pub last_column: u32,
}

/// The non-blank rows of a sheet in ascending order, and its merged ranges.
#[derive(Debug, Default)]
pub(crate) struct Grid {
    pub rows: Vec<GridRow>,
    pub merged: Vec<MergedRange>,
}

impl Grid {
    /// Finds a cell by its 0-based position.
    pub fn get(&self, row: u32, column: u32) -> Option<&CellValue> {
        let i = self.rows.binary_search_by_key(&row, |r| r.index).ok()?;
        self.rows[i].get(column)
    }
}

/// Collects cells in any order and enforces the row limit while they arrive, so an
/// oversized sheet fails before it fills memory.
pub(crate) struct GridBuilder {
    rows: BTreeMap<u32, Vec<GridCell>>,
    max_rows: u32,
}

impl GridBuilder {
    pub fn new(max_rows: u32) -> Self {
        Self {
            rows: BTreeMap::new(),
            max_rows,
        }
    }

    /// Adds a cell, dropping blank ones (`None`). Fails with [`SheetError::TooManyRows`]
    /// when the cell lies below row `max_rows` as Excel numbers rows.
    pub fn push(
        &mut self,
        row: u32,
        column: u32,
        value: Option<CellValue>,
    ) -> Result<(), SheetError> {
        let Some(value) = value else {
            return Ok(());
        };
        if row >= self.max_rows {
            return Err(SheetError::TooManyRows {
                limit: self.max_rows,
            });
        }
        self.rows
            .entry(row)
            .or_default()
            .push(GridCell { column, value });
        Ok(())
    }

    pub fn finish(self, merged: Vec<MergedRange>) -> Grid {
        let rows = self
            .rows
            .into_iter()
            .map(|(index, mut cells)| {
                // A malformed file may write one cell twice; the value written last wins.
                // Reversing puts it first in its run, which the stable sort keeps and
                // dedup retains.
                cells.reverse();
                cells.sort_by_key(|cell| cell.column);
                cells.dedup_by_key(|cell| cell.column);
                GridRow { index, cells }
            })
            .collect();
        Grid { rows, merged }
    }
}
