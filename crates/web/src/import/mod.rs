//! Imports from spreadsheets, shared by the pages, the API and the command line.

pub mod roster;

use xueshi_sheets::{SkipReason, SkippedRow};

/// One invalid cell of an imported row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowError {
    /// Row number as the spreadsheet shows it.
    pub row: u32,
    /// Column letter, e.g. "B".
    pub column: String,
    pub value: String,
    /// Chinese reason with what to do.
    pub message: String,
}

/// A row left out on purpose: empty, or a footer such as 合计.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SkippedRowReport {
    pub row: u32,
    pub reason: String,
}

impl From<&SkippedRow> for SkippedRowReport {
    fn from(skipped: &SkippedRow) -> Self {
        let reason = match &skipped.reason {
            SkipReason::Empty => "空行".to_owned(),
            SkipReason::Footer(text) => format!("表尾行（{text}）"),
        };
        Self {
            row: skipped.row,
            reason,
        }
    }
}
