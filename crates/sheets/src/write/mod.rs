//! Writing tables (`.xlsx`, CSV) and notices (`.docx`) for download.

mod csv;
mod docx;
mod sheet_name;
mod xlsx;

pub use self::csv::{CsvWriter, write_csv};
pub use self::docx::{Inline, NoticeBuilder};
pub use self::sheet_name::clean_sheet_name;
pub use self::xlsx::XlsxWriter;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A blank cell.
    Empty,
    /// Text, always written as text: a leading "=" never makes it a formula.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number shown with one decimal place, such as hours: 3 shows "3.0".
    Decimal(f64),
    /// A whole percent as the core computes it, e.g. 63 for 63%: shown "63%".
    Percent(i64),
    /// A calendar date, shown `YYYY-MM-DD`.
    Date(jiff::civil::Date),
}

impl Value {
    /// Makes a [`Value::Decimal`] from tenths, the unit hours are stored in: 25 → 2.5.
    pub fn tenths(tenths: i64) -> Self {
        Value::Decimal(tenths as f64 / 10.0)
    }

    /// Renders the value as plain text, the way the `.xlsx` formats show it.
    pub(crate) fn display_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(text) => text.clone(),
            Value::Integer(n) => n.to_string(),
            Value::Decimal(d) => format!("{d:.1}"),
            Value::Percent(p) => format!("{p}%"),
            Value::Date(date) => date.to_string(),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Integer(n)
    }
}

impl From<jiff::civil::Date> for Value {
    fn from(date: jiff::civil::Date) -> Self {
        Value::Date(date)
    }
}

/// Checks whether a spreadsheet program would read `text` as a formula when it opens a CSV
/// file: text starting with "=", "+", "-" or "@", or with a tab or carriage return.
pub(crate) fn starts_like_formula(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}
