//! Spreadsheet and document input and output.
//!
//! Reading: [`read_table`] turns a staff spreadsheet (`.xlsx`, `.xls` or CSV) into rows of
//! named cells.
//!
//! Writing: [`XlsxWriter`] and [`write_csv`] (or [`CsvWriter`]) stream rows of [`Value`]s
//! into a workbook or a CSV file, and [`NoticeBuilder`] builds an official notice as
//! `.docx`.
//!
//! Every failure is a [`SheetError`] whose text is a Chinese sentence for the user.

mod error;
mod fields;
mod read;
mod write;

pub use error::{MissingHeader, SheetError};
pub use fields::{ATTENDANCE_FIELDS, FieldSpec, HISTORY_FIELDS, ROSTER_FIELDS, normalize_header};
pub use read::{Cell, ColumnMatch, ReadOptions, Row, SkipReason, SkippedRow, Table, read_table};
pub use write::{CsvWriter, Inline, NoticeBuilder, Value, XlsxWriter, clean_sheet_name, write_csv};
