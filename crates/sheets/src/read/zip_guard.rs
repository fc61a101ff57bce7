//! Checks on an `.xlsx` archive's central directory before any entry is inflated.
//!
//! The zip crate (version 9) stops inflating an entry at its declared uncompressed size, so
//! the sizes in the central directory bound what calamine can unpack later.

use std::io::Cursor;

use crate::error::SheetError;
use crate::read::ReadOptions;

/// Rejects archives that are not workbooks, and zip bombs, by their central directory.
pub(crate) fn check_archive(bytes: &[u8], options: &ReadOptions) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;

    let mut total: u64 = 0;
    let mut has_content_types = false;
    let mut has_spreadsheet_part = false;
    let mut has_binary_workbook = false;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(corrupt)?;
        let name = entry.name().map_err(corrupt)?.into_owned();
        has_content_types |= name == "[Content_Types].xml";
        has_spreadsheet_part |= name.ends_with(".xml") && name.starts_with("xl/");
        has_binary_workbook |= name.eq_ignore_ascii_case("xl/workbook.bin");

        let size = entry.size();
        total = total.saturating_add(size);
        if size > options.ratio_check_min_bytes {
            let ratio = size / entry.compressed_size().max(1);
            if ratio > options.max_compression_ratio {
                return Err(SheetError::SuspiciousCompression { entry: name, ratio });
            }
        }
    }

    if total > options.max_uncompressed_bytes {
        return Err(SheetError::TooLarge {
            uncompressed_bytes: total,
            limit_bytes: options.max_uncompressed_bytes,
        });
    }
    if has_binary_workbook {
        return Err(SheetError::Xlsb);
    }
    // Every Office Open XML package has "[Content_Types].xml"; a workbook's parts live
    // under "xl/", while a .docx keeps them under "word/". Calamine finds the workbook part
    // through the package relationships, so its exact name is left to calamine.
    if !has_content_types || !has_spreadsheet_part {
        return Err(SheetError::NotAWorkbookZip);
    }
    Ok(())
}

fn corrupt(error: zip::result::ZipError) -> SheetError {
    SheetError::Corrupt {
        detail: format!("zip: {error}"),
    }
}
