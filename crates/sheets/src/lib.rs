//! Spreadsheet and document input and output.
//!
//! Reading: [`read_table`] turns a staff spreadsheet (`.xlsx`, `.xls` or CSV) into rows of
//! named cells, with every failure a [`SheetError`] whose text is a Chinese sentence for
//! the user.

mod error;
mod fields;
mod read;

pub use error::{MissingHeader, SheetError};
pub use fields::{ATTENDANCE_FIELDS, FieldSpec, HISTORY_FIELDS, ROSTER_FIELDS, normalize_header};
pub use read::{Cell, ColumnMatch, ReadOptions, Row, SkipReason, SkippedRow, Table, read_table};
