//! Builders for the test files: `.xlsx` through rust_xlsxwriter, raw zip archives, and a
//! minimal BIFF8 `.xls` writer, since no `.xls` writer crate exists.

#![allow(dead_code)]

use std::io::{Cursor, Write};

use rust_xlsxwriter::Workbook;

/// Builds an `.xlsx` file in memory.
pub fn xlsx(build: impl FnOnce(&mut Workbook)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    build(&mut workbook);
    workbook
        .save_to_buffer()
        .expect("rust_xlsxwriter saves to a buffer")
}

/// Writes rows of text cells from A1 down, leaving `""` cells blank.
pub fn write_rows(sheet: &mut rust_xlsxwriter::Worksheet, first_row: u32, rows: &[&[&str]]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet
                    .write_string(first_row + r as u32, c as u16, *text)
                    .unwrap();
            }
        }
    }
}

/// Builds a zip archive whose entries are deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Returns the text of one zip archive entry, or `None` when the archive lacks it.
pub fn zip_entry(bytes: &[u8], name: &str) -> Option<String> {
    use std::io::Read;

    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entry = archive.by_name(name).ok()?;
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    Some(text)
}

/// Rewrites one text entry of a zip archive, copying the others unchanged.
pub fn rewrite_entry(bytes: &[u8], name: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::Read;

    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let entry_name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if entry_name == name {
            data = edit(std::str::from_utf8(&data).unwrap()).into_bytes();
        }
        entries.push((entry_name, data));
    }
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip(&borrowed)
}

/// Returns the parts of an `.xlsx` package around one worksheet XML, for hand-made archives.
pub fn xlsx_parts(sheet_xml: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_vec(),
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>"#.to_vec(),
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml.to_vec()),
    ]
}

/// A minimal BIFF8 workbook inside an OLE2 compound file.
///
/// BIFF8 is a sequence of records, each a little-endian u16 type, a u16 data length and the
/// data. The "Workbook" stream contains a globals substream (BOF … EOF) that lists the sheets
/// with the offsets of their own substreams, followed by one substream per sheet.
pub mod biff {
    use super::*;

    pub const BOF: u16 = 0x0809;
    pub const EOF: u16 = 0x000A;
    pub const CODEPAGE: u16 = 0x0042;
    pub const XF: u16 = 0x00E0;
    pub const BOUNDSHEET: u16 = 0x0085;
    pub const DIMENSIONS: u16 = 0x0200;
    pub const NUMBER: u16 = 0x0203;
    pub const LABEL: u16 = 0x0204;
    pub const MERGECELLS: u16 = 0x00E5;

    /// Index of the XF record that formats a cell as General.
    pub const XF_GENERAL: u16 = 0;
    /// Index of the XF record that formats a cell as a date (built-in number format 14).
    pub const XF_DATE: u16 = 1;

    pub enum Visibility {
        Visible,
        Hidden,
    }

    pub enum CellValue {
        Text(&'static str),
        Number(f64),
        Date(f64),
    }

    pub struct SheetSpec {
        pub name: &'static str,
        pub visibility: Visibility,
        pub cells: Vec<(u16, u16, CellValue)>,
        /// Merged ranges as (first row, last row, first column, last column), 0-based.
        pub merged: Vec<(u16, u16, u16, u16)>,
    }

    pub fn record(record_type: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = record_type.to_le_bytes().to_vec();
        bytes.extend_from_slice(&(data.len() as u16).to_le_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    /// BOF of BIFF8 (version 0x0600) for the globals (0x0005) or a worksheet (0x0010).
    pub fn bof(substream_type: u16) -> Vec<u8> {
        let mut data = 0x0600u16.to_le_bytes().to_vec();
        data.extend_from_slice(&substream_type.to_le_bytes());
        data.extend_from_slice(&[0; 12]);
        record(BOF, &data)
    }

    /// Encodes an XLUnicodeString: u16 length in characters, a flags byte (1 = UTF-16LE), the text.
    fn unicode_string(text: &str) -> Vec<u8> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut bytes = (units.len() as u16).to_le_bytes().to_vec();
        bytes.push(1);
        bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        bytes
    }

    /// Encodes a ShortXLUnicodeString: like [`unicode_string`] with a one-byte length.
    fn short_unicode_string(text: &str) -> Vec<u8> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut bytes = vec![units.len() as u8, 1];
        bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        bytes
    }

    fn cell_record(row: u16, column: u16, value: &CellValue) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend_from_slice(&column.to_le_bytes());
        match value {
            CellValue::Text(text) => {
                data.extend_from_slice(&XF_GENERAL.to_le_bytes());
                data.extend(unicode_string(text));
                record(LABEL, &data)
            }
            CellValue::Number(number) => {
                data.extend_from_slice(&XF_GENERAL.to_le_bytes());
                data.extend_from_slice(&number.to_le_bytes());
                record(NUMBER, &data)
            }
            CellValue::Date(serial) => {
                data.extend_from_slice(&XF_DATE.to_le_bytes());
                data.extend_from_slice(&serial.to_le_bytes());
                record(NUMBER, &data)
            }
        }
    }

    fn sheet_substream(sheet: &SheetSpec) -> Vec<u8> {
        let mut bytes = bof(0x0010);
        for (row, column, value) in &sheet.cells {
            bytes.extend(cell_record(*row, *column, value));
        }
        if !sheet.merged.is_empty() {
            let mut data = (sheet.merged.len() as u16).to_le_bytes().to_vec();
            for (r0, r1, c0, c1) in &sheet.merged {
                for v in [r0, r1, c0, c1] {
                    data.extend_from_slice(&v.to_le_bytes());
                }
            }
            bytes.extend(record(MERGECELLS, &data));
        }
        bytes.extend(record(EOF, &[]));
        bytes
    }

    /// Builds the "Workbook" stream: globals, then each sheet's substream.
    pub fn workbook_stream(sheets: &[SheetSpec]) -> Vec<u8> {
        let mut globals_head = bof(0x0005);
        globals_head.extend(record(CODEPAGE, &1200u16.to_le_bytes()));
        // An XF record's second u16 is its number format: 0 is General, 14 a short date.
        globals_head.extend(record(XF, &[0, 0, 0, 0, 0, 0, 0, 0]));
        globals_head.extend(record(XF, &[0, 0, 14, 0, 0, 0, 0, 0]));

        // BOUNDSHEET records carry the stream offset of their sheet's BOF, which depends
        // on the length of the globals, so lengths are computed before offsets.
        let bound_sheet = |offset: u32, sheet: &SheetSpec| {
            let mut data = offset.to_le_bytes().to_vec();
            data.push(match sheet.visibility {
                Visibility::Visible => 0,
                Visibility::Hidden => 1,
            });
            data.push(0); // worksheet
            data.extend(short_unicode_string(sheet.name));
            record(BOUNDSHEET, &data)
        };
        let eof = record(EOF, &[]);
        let globals_length = globals_head.len()
            + sheets
                .iter()
                .map(|s| bound_sheet(0, s).len())
                .sum::<usize>()
            + eof.len();

        let substreams: Vec<Vec<u8>> = sheets.iter().map(sheet_substream).collect();
        let mut stream = globals_head;
        let mut offset = globals_length;
        for (sheet, substream) in sheets.iter().zip(&substreams) {
            stream.extend(bound_sheet(offset as u32, sheet));
            offset += substream.len();
        }
        stream.extend(eof);
        for substream in substreams {
            stream.extend(substream);
        }
        stream
    }

    /// Wraps streams into an OLE2 compound file.
    pub fn compound_file(streams: &[(&str, &[u8])]) -> Vec<u8> {
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        for (name, data) in streams {
            let mut stream = file.create_stream(name).unwrap();
            stream.write_all(data).unwrap();
        }
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    /// Builds an `.xls` file with the given sheets.
    pub fn xls(sheets: &[SheetSpec]) -> Vec<u8> {
        compound_file(&[("/Workbook", &workbook_stream(sheets))])
    }
}
