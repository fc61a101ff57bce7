//! Writing CSV that Excel and WPS open correctly: UTF-8 with BOM and CRLF line ends.

use std::io::Write;

use crate::error::SheetError;
use crate::write::{Value, starts_like_formula};

/// The UTF-8 byte-order mark, which makes Excel read the file as UTF-8 instead of the
/// system code page (GBK on Chinese Windows).
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file being written row by row to any [`Write`], e.g. an HTTP response body.
///
/// Text that starts like a formula ("=", "+", "-", "@", a tab or a carriage return) gets a
/// leading apostrophe, so a spreadsheet program shows it as text and never evaluates it.
/// Numbers and dates are written as they are.
pub struct CsvWriter<W: Write> {
    writer: ::csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the byte-order mark and the header row.
    pub fn new(mut output: W, headers: &[&str]) -> Result<Self, SheetError> {
        output.write_all(UTF8_BOM)?;
        let writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(output);
        let mut csv = Self { writer };
        csv.write_fields(headers.iter().map(|header| guard_text(header)))?;
        Ok(csv)
    }

    /// Writes one row.
    pub fn write_row<R: IntoIterator<Item = Value>>(&mut self, row: R) -> Result<(), SheetError> {
        let fields: Vec<String> = row.into_iter().map(|value| field_text(&value)).collect();
        self.write_fields(fields)
    }

    /// Flushes the buffered rows and returns the output.
    pub fn finish(self) -> Result<W, SheetError> {
        self.writer
            .into_inner()
            .map_err(|error| SheetError::Io(error.into_error()))
    }

    fn write_fields<I, T>(&mut self, fields: I) -> Result<(), SheetError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(fields).map_err(csv_error)
    }
}

/// Writes a whole CSV file: the byte-order mark, the header row, then each row that `rows`
/// yields, pulled one at a time. Returns the output.
pub fn write_csv<W, I, R>(output: W, headers: &[&str], rows: I) -> Result<W, SheetError>
where
    W: Write,
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = Value>,
{
    let mut csv = CsvWriter::new(output, headers)?;
    for row in rows {
        csv.write_row(row)?;
    }
    csv.finish()
}

fn field_text(value: &Value) -> String {
    match value {
        Value::Text(text) => guard_text(text),
        other => other.display_text(),
    }
}

/// Prefixes text that a spreadsheet program would evaluate with an apostrophe.
fn guard_text(text: &str) -> String {
    if starts_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn csv_error(error: ::csv::Error) -> SheetError {
    match error.into_kind() {
        ::csv::ErrorKind::Io(io) => SheetError::Io(io),
        other => SheetError::Io(std::io::Error::other(format!("{other:?}"))),
    }
}
