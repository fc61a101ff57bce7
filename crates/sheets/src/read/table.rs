//! Finding the header row and turning the rows below it into records.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

use crate::error::{MissingHeader, SheetError};
use crate::fields::{FieldSpec, is_blank_char, normalize_header};
use crate::read::grid::{Grid, GridRow, MergedRange};
use crate::read::{Cell, ColumnMatch, ReadOptions, Row, SkipReason, SkippedRow};

/// Texts that start a footer row (totals, signatures, notes), compared after NFKC with
/// whitespace removed, so "合　计" and "注：" match too.
const FOOTER_PREFIXES: &[&str] = &[
    "合计",
    "总计",
    "小计",
    "制表人",
    "制表",
    "填表人",
    "审核人",
    "负责人",
    "备注",
    "注:",
    "说明",
];

/// The parts of a [`crate::Table`] that come from the grid.
pub(crate) struct TableBody {
    pub header_row: u32,
    pub columns: Vec<ColumnMatch>,
    pub rows: Vec<Row>,
    pub skipped: Vec<SkippedRow>,
    pub ignored_columns: Vec<String>,
}

/// Finds the header row among the first rows, matches its cells to `fields`, and reads
/// every row below it.
pub(crate) fn build_table(
    grid: &Grid,
    fields: &[FieldSpec],
    options: &ReadOptions,
) -> Result<TableBody, SheetError> {
    let matcher = HeaderMatcher::new(fields);
    let header = find_header(grid, &matcher, options.header_scan_rows)?;

    let mut columns = Vec::new();
    let mut field_columns: Vec<(usize, u32)> = Vec::new();
    let mut ignored_columns = Vec::new();
    for cell in &header.cells {
        let field = matcher
            .field_of(&cell.value.text)
            .filter(|field| !field_columns.iter().any(|(taken, _)| taken == field));
        match field {
            Some(field) => {
                field_columns.push((field, cell.column));
                columns.push(ColumnMatch {
                    key: fields[field].key,
                    header_text: cell.value.text.clone(),
                    column_letter: column_letter(cell.column),
                });
            }
            None => ignored_columns.push(cell.value.text.clone()),
        }
    }

    let fill = MergeFill::new(&grid.merged, header.index, &field_columns);
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut next_index = header.index + 1;
    for row in grid.rows.iter().filter(|row| row.index > header.index) {
        skipped.extend((next_index..row.index).map(|index| SkippedRow {
            row: index + 1,
            reason: SkipReason::Empty,
        }));
        next_index = row.index + 1;

        if let Some(footer) = footer_text(row) {
            skipped.push(SkippedRow {
                row: row.index + 1,
                reason: SkipReason::Footer(footer),
            });
            continue;
        }

        let mut cells = BTreeMap::new();
        for &(field, column) in &field_columns {
            let value = row
                .get(column)
                .or_else(|| fill.source(row.index, column, grid));
            if let Some(value) = value {
                cells.insert(
                    fields[field].key,
                    Cell {
                        text: value.text.clone(),
                        column: column_letter(column),
                        date: value.date,
                    },
                );
            }
        }
        rows.push(Row {
            number: row.index + 1,
            cells,
        });
    }

    Ok(TableBody {
        header_row: header.index + 1,
        columns,
        rows,
        skipped,
        ignored_columns,
    })
}

/// Compares header texts with the aliases of a field set, both normalized.
struct HeaderMatcher<'a> {
    fields: &'a [FieldSpec],
    aliases: Vec<Vec<String>>,
}

impl<'a> HeaderMatcher<'a> {
    fn new(fields: &'a [FieldSpec]) -> Self {
        let aliases = fields
            .iter()
            .map(|field| {
                field
                    .aliases
                    .iter()
                    .map(|alias| normalize_header(alias))
                    .collect()
            })
            .collect();
        Self { fields, aliases }
    }

    /// Index of the first field with `text` among its aliases.
    fn field_of(&self, text: &str) -> Option<usize> {
        let key = normalize_header(text);
        self.aliases
            .iter()
            .position(|aliases| aliases.contains(&key))
    }

    /// Indexes of the required fields that `row` names.
    fn required_found(&self, row: &GridRow) -> Vec<usize> {
        let mut found: Vec<usize> = row
            .cells
            .iter()
            .filter_map(|cell| self.field_of(&cell.value.text))
            .filter(|&field| self.fields[field].required)
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

// TODO: a two-row header (a merged group cell over sub-headers such as 开始/结束) is not
// recognized; only one row's cells are matched to fields.
/// Finds the first row within the scanned rows that names every required field. When a
/// field set has no required field, the first row that names any field is the header.
fn find_header<'g>(
    grid: &'g Grid,
    matcher: &HeaderMatcher<'_>,
    scan_rows: u32,
) -> Result<&'g GridRow, SheetError> {
    let required_count = matcher.fields.iter().filter(|field| field.required).count();
    let mut best: Option<(&GridRow, Vec<usize>)> = None;

    for row in grid.rows.iter().take_while(|row| row.index < scan_rows) {
        let found = matcher.required_found(row);
        if required_count == 0 {
            if row
                .cells
                .iter()
                .any(|cell| matcher.field_of(&cell.value.text).is_some())
            {
                return Ok(row);
            }
            continue;
        }
        if found.len() == required_count {
            return Ok(row);
        }
        if best
            .as_ref()
            .is_none_or(|(_, best_found)| found.len() > best_found.len())
        {
            best = Some((row, found));
        }
    }

    let found = best.map(|(_, found)| found).unwrap_or_default();
    let required = matcher.fields.iter().filter(|field| field.required);
    let missing = matcher
        .fields
        .iter()
        .enumerate()
        .filter(|(index, field)| field.required && !found.contains(index))
        .map(|(_, field)| MissingHeader {
            label: field.label.to_owned(),
            aliases: field
                .aliases
                .iter()
                .map(|alias| (*alias).to_owned())
                .collect(),
        })
        .collect();
    Err(SheetError::HeaderNotFound {
        scanned_rows: scan_rows,
        required: required.map(|field| field.label.to_owned()).collect(),
        missing,
    })
}

/// Returns the text of a row's first non-blank cell when it starts like a total,
/// signature or note.
fn footer_text(row: &GridRow) -> Option<String> {
    let first = &row.cells.first()?.value.text;
    let key: String = first.nfkc().filter(|c| !is_blank_char(*c)).collect();
    FOOTER_PREFIXES
        .iter()
        .any(|prefix| key.starts_with(prefix))
        .then(|| first.clone())
}

/// Finds, for a blank cell, the value of the vertically merged range it lies in, so a unit
/// name merged over several rows reaches every row. Only ranges that start below the header
/// count. Only the range's first column is filled, because a horizontal merge does not
/// mean the next column's field has the same value.
struct MergeFill {
    /// Per matched column: the merged ranges starting in it, sorted by first row.
    by_column: BTreeMap<u32, Vec<MergedRange>>,
}

impl MergeFill {
    fn new(merged: &[MergedRange], header_index: u32, field_columns: &[(usize, u32)]) -> Self {
        let mut by_column: BTreeMap<u32, Vec<MergedRange>> = BTreeMap::new();
        for range in merged {
            let matched = field_columns
                .iter()
                .any(|&(_, column)| column == range.first_column);
            if matched && range.first_row > header_index && range.last_row > range.first_row {
                by_column
                    .entry(range.first_column)
                    .or_default()
                    .push(*range);
            }
        }
        for ranges in by_column.values_mut() {
            ranges.sort_by_key(|range| range.first_row);
        }
        Self { by_column }
    }

    fn source<'g>(
        &self,
        row: u32,
        column: u32,
        grid: &'g Grid,
    ) -> Option<&'g crate::read::value::CellValue> {
        let ranges = self.by_column.get(&column)?;
        // Ranges in one column do not overlap, so the last one starting at or above `row`
        // is the only candidate.
        let candidates = ranges.partition_point(|range| range.first_row <= row);
        let range = ranges.get(candidates.checked_sub(1)?)?;
        if row > range.last_row {
            return None;
        }
        grid.get(range.first_row, range.first_column)
    }
}

/// Converts a 0-based column index to its Excel letters: 0 → "A", 26 → "AA".
pub(crate) fn column_letter(column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_match_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(16_383), "XFD");
    }
}
