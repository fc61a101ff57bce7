//! Spreadsheet and document input and output.
