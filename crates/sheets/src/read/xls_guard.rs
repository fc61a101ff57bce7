//! Checks on an OLE2 compound file before calamine parses it as an `.xls` workbook.
//!
//! Calamine 0.38 parses every sheet of an `.xls` file when it opens it and stores each one
//! as a dense grid over the bounding box of its cells, reserving room for the box that a
//! DIMENSIONS record declares. A small crafted file can therefore make it reserve far more
//! memory than the machine has, and a failed allocation aborts the process instead of
//! returning an error. This module walks the BIFF records first and rejects such files.

use std::io::{Cursor, Read};

use crate::error::SheetError;
use crate::read::ReadOptions;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const DIMENSIONS: u16 = 0x0200;
const FORMULA: u16 = 0x0006;
const MULRK: u16 = 0x00BD;

/// Records whose data starts with a cell's row (u16) and column (u16).
const SINGLE_CELL_RECORDS: &[u16] = &[
    0x0203, // NUMBER
    0x0204, // LABEL
    0x0205, // BOOLERR
    0x027E, // RK
    0x00FD, // LABELSST
    0x00D6, // RSTRING
    FORMULA,
];

/// Rejects encrypted packages, non-workbook Office files and `.xls` workbooks whose cell
/// grids would exceed [`ReadOptions::max_xls_cells`].
pub(crate) fn check_compound_file(bytes: &[u8], options: &ReadOptions) -> Result<(), SheetError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(corrupt)?;

    // An .xlsx with an opening password is an OLE2 file holding the encrypted package.
    if file.exists("/EncryptionInfo") || file.exists("/EncryptedPackage") {
        return Err(SheetError::Encrypted);
    }
    let stream_name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|name| file.is_stream(name))
        .ok_or(SheetError::NotAWorkbookOle)?;

    let mut stream = Vec::new();
    file.open_stream(stream_name)
        .and_then(|mut s| s.read_to_end(&mut stream))
        .map_err(corrupt)?;

    let cells = count_grid_cells(&stream)?;
    if cells > options.max_xls_cells {
        return Err(SheetError::TooManyCells {
            cells,
            limit: options.max_xls_cells,
        });
    }
    Ok(())
}

/// The bounding box of the cells seen in one substream, 0-based and inclusive.
#[derive(Default)]
struct BoundingBox {
    rows: Option<(u32, u32)>,
    columns: Option<(u32, u32)>,
}

impl BoundingBox {
    fn include(&mut self, row: u32, first_column: u32, last_column: u32) {
        self.rows = Some(match self.rows {
            Some((low, high)) => (low.min(row), high.max(row)),
            None => (row, row),
        });
        self.columns = Some(match self.columns {
            Some((low, high)) => (low.min(first_column), high.max(last_column)),
            None => (first_column, last_column),
        });
    }

    fn area(&self) -> u64 {
        match (self.rows, self.columns) {
            (Some((r0, r1)), Some((c0, c1))) => {
                u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
            }
            _ => 0,
        }
    }
}

/// Adds up, over all substreams, the grid cells calamine would allocate: the bounding
/// boxes of values and of formulas, and the boxes that DIMENSIONS records declare.
fn count_grid_cells(stream: &[u8]) -> Result<u64, SheetError> {
    let mut total: u64 = 0;
    let mut values = BoundingBox::default();
    let mut formulas = BoundingBox::default();
    let mut depth: u32 = 0;
    let mut offset = 0usize;

    while let Some(header) = stream.get(offset..offset + 4) {
        let record_type = u16::from_le_bytes([header[0], header[1]]);
        let length = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let data = stream
            .get(offset + 4..offset + 4 + length)
            .unwrap_or(&stream[offset + 4..]);
        offset += 4 + length;

        match record_type {
            BOF => depth += 1,
            EOF => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    total = total
                        .saturating_add(values.area())
                        .saturating_add(formulas.area());
                    values = BoundingBox::default();
                    formulas = BoundingBox::default();
                }
            }
            FILEPASS => return Err(SheetError::Encrypted),
            DIMENSIONS => total = total.saturating_add(declared_area(data)?),
            MULRK => {
                let (Some(row), Some(first), Some(last)) = (
                    read_u16(data, 0),
                    read_u16(data, 2),
                    read_u16(data, data.len().saturating_sub(2)),
                ) else {
                    continue;
                };
                if last < first {
                    return Err(malformed("MULRK with its last column before its first"));
                }
                values.include(row.into(), first.into(), last.into());
            }
            t if SINGLE_CELL_RECORDS.contains(&t) => {
                let (Some(row), Some(column)) = (read_u16(data, 0), read_u16(data, 2)) else {
                    continue;
                };
                values.include(row.into(), column.into(), column.into());
                if t == FORMULA {
                    formulas.include(row.into(), column.into(), column.into());
                }
            }
            _ => {}
        }
    }
    Ok(total
        .saturating_add(values.area())
        .saturating_add(formulas.area()))
}

/// Computes the cell count a DIMENSIONS record makes calamine reserve, reading the record
/// the way calamine does. A record whose first row or column lies past its last is
/// rejected, because calamine would compute a negative size from it.
fn declared_area(data: &[u8]) -> Result<u64, SheetError> {
    let (first_row, row_end, first_column, column_end) = match data.len() {
        10 => (
            u32::from(read_u16(data, 0).unwrap_or(0)),
            u32::from(read_u16(data, 2).unwrap_or(0)),
            u32::from(read_u16(data, 4).unwrap_or(0)),
            u32::from(read_u16(data, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            read_u32(data, 0).unwrap_or(0),
            read_u32(data, 4).unwrap_or(0),
            u32::from(read_u16(data, 8).unwrap_or(0)),
            u32::from(read_u16(data, 10).unwrap_or(0)),
        ),
        // Calamine returns an error for any other length.
        _ => return Ok(0),
    };
    // The row and column ends are one past the last used row and column.
    if row_end == 0 || column_end == 0 {
        return Ok(0);
    }
    // Calamine treats a first column past 255 or past the end as column 0.
    let first_column = if first_column > 0xFF || column_end < first_column {
        0
    } else {
        first_column
    };
    if first_row >= row_end || first_column >= column_end {
        return Err(malformed("DIMENSIONS with an empty or inverted range"));
    }
    Ok(u64::from(row_end - first_row).saturating_mul(u64::from(column_end - first_column)))
}

fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at + 2)?;
    Some(u16::from_le_bytes([bytes[0], bytes[1]]))
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at + 4)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn corrupt(error: std::io::Error) -> SheetError {
    SheetError::Corrupt {
        detail: format!("compound file: {error}"),
    }
}

fn malformed(what: &str) -> SheetError {
    SheetError::Corrupt {
        detail: format!("xls: {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(record_type: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = record_type.to_le_bytes().to_vec();
        bytes.extend_from_slice(&(data.len() as u16).to_le_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    fn dimensions(first_row: u32, row_end: u32, first_column: u16, column_end: u16) -> Vec<u8> {
        let mut data = first_row.to_le_bytes().to_vec();
        data.extend_from_slice(&row_end.to_le_bytes());
        data.extend_from_slice(&first_column.to_le_bytes());
        data.extend_from_slice(&column_end.to_le_bytes());
        data.extend_from_slice(&[0, 0]);
        record(DIMENSIONS, &data)
    }

    #[test]
    fn huge_declared_dimensions_are_counted() {
        let stream = dimensions(0, 1_000_000, 0, 200);
        assert_eq!(count_grid_cells(&stream).unwrap(), 200_000_000);
    }

    #[test]
    fn inverted_dimensions_are_rejected() {
        let stream = dimensions(10, 5, 0, 3);
        assert!(matches!(
            count_grid_cells(&stream),
            Err(SheetError::Corrupt { .. })
        ));
    }

    #[test]
    fn far_apart_cells_span_their_box() {
        let mut stream = record(BOF, &[0; 16]);
        stream.extend(record(0x0203, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        let mut far = 60_000u16.to_le_bytes().to_vec();
        far.extend_from_slice(&200u16.to_le_bytes());
        far.extend_from_slice(&[0; 10]);
        stream.extend(record(0x0203, &far));
        stream.extend(record(EOF, &[]));
        assert_eq!(count_grid_cells(&stream).unwrap(), 60_001 * 201);
    }
}
