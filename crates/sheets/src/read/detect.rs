//! Judging a file's type from its bytes; the file name is never trusted.

use crate::error::SheetError;

/// The reader a file's bytes call for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A zip archive: `.xlsx` (checked further before it is opened).
    Zip,
    /// An OLE2 compound file: `.xls` (or an encrypted `.xlsx`, distinguished later).
    Ole2,
    /// Anything that decodes as text: CSV.
    Text,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Signatures of common binary files that people upload by mistake.
const BINARY_MAGICS: &[&[u8]] = &[
    b"%PDF",
    b"\x89PNG",
    &[0xFF, 0xD8, 0xFF],
    b"GIF8",
    b"Rar!",
    &[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C],
    &[0x1F, 0x8B],
];

/// How many leading bytes are inspected to tell text from binary.
const SNIFF_BYTES: usize = 8192;

/// Classifies `bytes`, or returns the error that explains why it cannot be imported.
pub(crate) fn detect(bytes: &[u8]) -> Result<FileKind, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::EmptyFile);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(FileKind::Zip);
    }
    if bytes.starts_with(EMPTY_ZIP_MAGIC) {
        return Err(SheetError::NotAWorkbookZip);
    }
    if bytes.starts_with(OLE2_MAGIC) {
        return Ok(FileKind::Ole2);
    }
    if BINARY_MAGICS.iter().any(|magic| bytes.starts_with(magic)) {
        return Err(SheetError::UnknownFormat);
    }

    let head = text_head(bytes);
    let content = head.trim_start_matches(crate::fields::is_blank_char);
    if content.is_empty() && is_blank_text(bytes) {
        return Err(SheetError::EmptyFile);
    }
    if content.starts_with('<') {
        return Err(classify_markup(content));
    }
    if looks_binary(bytes) {
        return Err(SheetError::UnknownFormat);
    }
    Ok(FileKind::Text)
}

/// Decodes the first bytes leniently, honouring a UTF-8 or UTF-16 byte-order mark, so the
/// markup check finds `<` in UTF-16 pages too.
fn text_head(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let (encoding, bom_length) =
        encoding_rs::Encoding::for_bom(head).unwrap_or((encoding_rs::UTF_8, 0));
    let (text, _) = encoding.decode_without_bom_handling(&head[bom_length..]);
    text.into_owned()
}

fn is_blank_text(bytes: &[u8]) -> bool {
    let (encoding, bom_length) =
        encoding_rs::Encoding::for_bom(bytes).unwrap_or((encoding_rs::UTF_8, 0));
    let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
    text.chars().all(crate::fields::is_blank_char)
}

/// Tells an HTML page from other XML. "XML Spreadsheet 2003" files start with `<?xml` and
/// land in the XML case; XHTML pages start with `<?xml` too but contain `<html`.
fn classify_markup(content: &str) -> SheetError {
    let lower = content.to_ascii_lowercase();
    if lower.starts_with("<?") && !lower.contains("<html") {
        SheetError::XmlDocument
    } else {
        SheetError::HtmlPage
    }
}

/// Checks whether the bytes look like binary data rather than text: a NUL byte, or more than
/// one control character in 20, in the first bytes. UTF-16 text with a byte-order mark
/// is text although it is full of NUL bytes.
fn looks_binary(bytes: &[u8]) -> bool {
    if encoding_rs::Encoding::for_bom(bytes)
        .is_some_and(|(encoding, _)| encoding != encoding_rs::UTF_8)
    {
        return false;
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    controls * 20 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_csv_is_text() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "工号,姓名\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(detect(&bytes).unwrap(), FileKind::Text);
    }

    #[test]
    fn utf16_html_is_html() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "<html><table></table></html>".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert!(matches!(detect(&bytes), Err(SheetError::HtmlPage)));
    }

    #[test]
    fn pdf_is_unknown_format() {
        assert!(matches!(
            detect(b"%PDF-1.7\n%\xE2\xE3"),
            Err(SheetError::UnknownFormat)
        ));
    }
}
