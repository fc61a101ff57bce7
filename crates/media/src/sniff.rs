//! Recognizing the type of an evidence file from its first bytes, never from its name.
//!
//! Only the formats that evidence may come in are recognized. Everything else (other zips, HTML,
//! SVG, scripts, executables, GIF, plain text, ...) gives `None`, and the upload is rejected.

use std::fmt;

/// How many leading bytes [`sniff`] needs to decide for almost every file that it can recognize.
///
/// Images, PDF and the ftyp box of HEIC need fewer than 64 bytes. The names of the first zip
/// entries distinguish docx, xlsx and pptx. Office writes the small `[Content_Types].xml` and
/// `_rels/.rels` first, so the first `word/`, `xl/` or `ppt/` entry starts well within 8 KiB.
/// The stream names in the directory distinguish doc, xls and ppt or, when the directory lies
/// further on, the first record of sector 0 does. Two layouts need more bytes, and [`sniff`] given the whole
/// file decides them: a zip whose early entries are large, and a compound file with 4,096-byte
/// sectors (Office writes 512-byte sectors), whose directory starts at byte 8,192 or later.
pub const SNIFF_LEN: usize = 8 * 1024;

/// An accepted type of evidence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// JPEG image.
    Jpeg,
    /// PNG image.
    Png,
    /// WebP image.
    Webp,
    /// HEIC or HEIF image, the default photo format of iPhones and some Android phones.
    Heic,
    /// PDF document.
    Pdf,
    /// Word document (Office Open XML).
    Docx,
    /// Excel workbook (Office Open XML).
    Xlsx,
    /// PowerPoint presentation (Office Open XML).
    Pptx,
    /// Word 97-2003 document (OLE compound file).
    Doc,
    /// Excel 97-2003 workbook (OLE compound file).
    Xls,
    /// PowerPoint 97-2003 presentation (OLE compound file).
    Ppt,
}

impl FileType {
    /// Every accepted type, images first.
    pub const ALL: [FileType; 11] = [
        FileType::Jpeg,
        FileType::Png,
        FileType::Webp,
        FileType::Heic,
        FileType::Pdf,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Pptx,
        FileType::Doc,
        FileType::Xls,
        FileType::Ppt,
    ];

    /// Returns the MIME type to send in `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Webp => "image/webp",
            FileType::Heic => "image/heic",
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileType::Doc => "application/msword",
            FileType::Xls => "application/vnd.ms-excel",
            FileType::Ppt => "application/vnd.ms-powerpoint",
        }
    }

    /// Returns the usual file name extension, lowercase and without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Webp => "webp",
            FileType::Heic => "heic",
            FileType::Pdf => "pdf",
            FileType::Docx => "docx",
            FileType::Xlsx => "xlsx",
            FileType::Pptx => "pptx",
            FileType::Doc => "doc",
            FileType::Xls => "xls",
            FileType::Ppt => "ppt",
        }
    }

    /// Returns whether the file is a photo or picture, HEIC included.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileType::Jpeg | FileType::Png | FileType::Webp | FileType::Heic
        )
    }

    /// Returns whether this crate decodes the pixels itself, for thumbnails and perceptual hashes.
    ///
    /// HEIC is not decoded here: convert it with [`crate::heic_to_jpeg`] first.
    pub fn is_decodable(self) -> bool {
        matches!(self, FileType::Jpeg | FileType::Png | FileType::Webp)
    }

    /// Returns the name of the type as shown to teachers and reviewers.
    pub fn display_name(self) -> &'static str {
        match self {
            FileType::Jpeg => "JPEG 图片",
            FileType::Png => "PNG 图片",
            FileType::Webp => "WebP 图片",
            FileType::Heic => "HEIC 照片",
            FileType::Pdf => "PDF 文档",
            FileType::Docx => "Word 文档",
            FileType::Xlsx => "Excel 表格",
            FileType::Pptx => "PowerPoint 演示文稿",
            FileType::Doc => "Word 97-2003 文档",
            FileType::Xls => "Excel 97-2003 表格",
            FileType::Ppt => "PowerPoint 97-2003 演示文稿",
        }
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// Recognizes an evidence file from its first bytes; `None` means the type is not accepted.
///
/// Pass the first [`SNIFF_LEN`] bytes (or the whole file when it is shorter). The file name and
/// the browser's `Content-Type` are never consulted, because both are chosen by the uploader.
pub fn sniff(prefix: &[u8]) -> Option<FileType> {
    if prefix.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileType::Jpeg);
    }
    if prefix.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileType::Png);
    }
    if prefix.len() >= 12 && &prefix[0..4] == b"RIFF" && &prefix[8..12] == b"WEBP" {
        return Some(FileType::Webp);
    }
    // NOTE: the PDF header must be at offset 0. Acrobat also accepts it anywhere in the first
    // 1024 bytes, so a PDF with leading junk is rejected here.
    if prefix.starts_with(b"%PDF-") {
        return Some(FileType::Pdf);
    }
    if prefix.starts_with(ZIP_LOCAL_HEADER) {
        return sniff_ooxml(prefix);
    }
    if prefix.starts_with(OLE_SIGNATURE) {
        return sniff_ole(prefix);
    }
    if is_heif(prefix) {
        return Some(FileType::Heic);
    }
    None
}

const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const OLE_SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn read_u16_le(bytes: &[u8], offset: usize) -> Option<u16> {
    let field = bytes.get(offset..offset.checked_add(2)?)?;
    Some(u16::from_le_bytes([field[0], field[1]]))
}

fn read_u32_le(bytes: &[u8], offset: usize) -> Option<u32> {
    let field = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_le_bytes([field[0], field[1], field[2], field[3]]))
}

fn read_u32_be(bytes: &[u8], offset: usize) -> Option<u32> {
    let field = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_be_bytes([field[0], field[1], field[2], field[3]]))
}

/// Walks the zip local file headers in the prefix and decides docx, xlsx or pptx by the folder
/// of the first part under `word/`, `xl/` or `ppt/`.
///
/// An Office Open XML package also has `[Content_Types].xml` or `_rels/.rels`, and a zip without
/// either is some other archive. Writers order the entries differently, so any order is accepted.
fn sniff_ooxml(prefix: &[u8]) -> Option<FileType> {
    const FLAG_DATA_DESCRIPTOR: u16 = 0x0008;

    let mut offset = 0usize;
    let mut has_package_part = false;
    let mut kind = None;

    while prefix.get(offset..)?.starts_with(ZIP_LOCAL_HEADER) {
        let flags = read_u16_le(prefix, offset + 6)?;
        let compressed_size = read_u32_le(prefix, offset + 18)?;
        let name_len = usize::from(read_u16_le(prefix, offset + 26)?);
        let extra_len = usize::from(read_u16_le(prefix, offset + 28)?);
        let name_start = offset + 30;
        let name = prefix.get(name_start..name_start + name_len)?;

        if name == b"[Content_Types].xml" || name == b"_rels/.rels" {
            has_package_part = true;
        } else if kind.is_none() {
            kind = ooxml_kind_of_part(name);
        }
        if has_package_part && kind.is_some() {
            return kind;
        }

        let data_start = name_start + name_len + extra_len;
        // Streaming writers (Apache POI, for one) put the sizes in a data descriptor after the
        // data and leave zero here; zip64 puts 0xFFFFFFFF here. In both cases the next header
        // is found by searching for its signature.
        let size_is_known = flags & FLAG_DATA_DESCRIPTOR == 0 && compressed_size != u32::MAX;
        offset = if size_is_known {
            data_start.checked_add(usize::try_from(compressed_size).ok()?)?
        } else {
            let rest = prefix.get(data_start..)?;
            data_start + find(rest, ZIP_LOCAL_HEADER)?
        };
    }
    None
}

fn ooxml_kind_of_part(name: &[u8]) -> Option<FileType> {
    if name.starts_with(b"word/") {
        Some(FileType::Docx)
    } else if name.starts_with(b"xl/") {
        Some(FileType::Xlsx)
    } else if name.starts_with(b"ppt/") {
        Some(FileType::Pptx)
    } else {
        None
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Decides doc, xls or ppt for an OLE compound file by the name of its main stream, or by the
/// first bytes of that stream when the directory lies beyond the prefix.
///
/// Other compound files (MSI installers, Outlook messages, ...) return `None`.
fn sniff_ole(prefix: &[u8]) -> Option<FileType> {
    let sector_shift = read_u16_le(prefix, 0x1E)?;
    let sector_size = match sector_shift {
        9 => 512usize,
        12 => 4096,
        _ => return None,
    };

    // The header takes the first sector, so sector n starts at (n + 1) * sector_size.
    let directory_sector = usize::try_from(read_u32_le(prefix, 0x30)?).ok()?;
    let directory_start = directory_sector.checked_add(1)?.checked_mul(sector_size)?;
    if let Some(directory) = prefix.get(directory_start..directory_start + sector_size) {
        return directory.chunks_exact(128).find_map(ole_kind_of_entry);
    }

    // The directory is often written after the streams, beyond the prefix. Word and Excel
    // usually put their main stream in sector 0, so its first record is recognizable there.
    let first_sector = prefix.get(sector_size..sector_size + 4)?;
    if first_sector.starts_with(&[0xEC, 0xA5]) {
        // Word's file information block starts with wIdent = 0xA5EC.
        Some(FileType::Doc)
    } else if first_sector == [0x09, 0x08, 0x10, 0x00] {
        // Excel's BIFF8 workbook starts with a 16-byte BOF record of type 0x0809.
        Some(FileType::Xls)
    } else if first_sector == [0x0F, 0x00, 0xE8, 0x03] {
        // PowerPoint's document stream starts with a DocumentContainer record (type 0x03E8).
        Some(FileType::Ppt)
    } else {
        None
    }
}

/// Reads one 128-byte directory entry and maps the stream names of Word, Excel and PowerPoint.
fn ole_kind_of_entry(entry: &[u8]) -> Option<FileType> {
    const OBJECT_TYPE_STREAM: u8 = 2;

    if entry.get(0x42) != Some(&OBJECT_TYPE_STREAM) {
        return None;
    }
    // The name is UTF-16LE, and its length in bytes includes the terminating zero.
    let name_bytes = usize::from(read_u16_le(entry, 0x40)?).min(64);
    let units: Vec<u16> = entry
        .get(..name_bytes)?
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .take_while(|&unit| unit != 0)
        .collect();
    match String::from_utf16(&units).ok()?.as_str() {
        "WordDocument" => Some(FileType::Doc),
        "Workbook" | "Book" => Some(FileType::Xls),
        "PowerPoint Document" => Some(FileType::Ppt),
        _ => None,
    }
}

/// Checks whether the prefix starts with an ISO BMFF `ftyp` box with a HEIC or HEIF brand.
///
/// AVIF shares the container and the `mif1` brand; it is not accepted because `heif-convert`
/// in Debian 12 may lack an AV1 decoder.
fn is_heif(prefix: &[u8]) -> bool {
    const HEVC_BRANDS: [&[u8]; 6] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"];
    const GENERIC_BRANDS: [&[u8]; 2] = [b"mif1", b"msf1"];
    const AV1_BRANDS: [&[u8]; 2] = [b"avif", b"avis"];

    if prefix.get(4..8) != Some(b"ftyp".as_slice()) {
        return false;
    }
    let Some(box_size) = read_u32_be(prefix, 0) else {
        return false;
    };
    let box_end = usize::try_from(box_size)
        .unwrap_or(usize::MAX)
        .min(prefix.len());
    if box_end < 16 {
        return false;
    }

    // The major brand at offset 8, then a 4-byte minor version, then the compatible brands.
    let major = &prefix[8..12];
    let compatible = prefix[16..box_end].chunks_exact(4);
    let brands: Vec<&[u8]> = std::iter::once(major).chain(compatible).collect();

    if brands.iter().any(|brand| HEVC_BRANDS.contains(brand)) {
        return true;
    }
    GENERIC_BRANDS.contains(&major) && !brands.iter().any(|brand| AV1_BRANDS.contains(brand))
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use image::{DynamicImage, ImageFormat};
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::test_support::{SplitMix, encode, heic_ftyp, marked_jpeg, photo_like};

    /// Text of roughly the size and repetitiveness of an Office XML part.
    fn xml_part(kind: &str, bytes: usize) -> Vec<u8> {
        let mut text = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><{kind}>");
        let mut index = 0;
        while text.len() < bytes {
            text.push_str(&format!("<item id=\"{index}\" value=\"第{index}项\"/>"));
            index += 1;
        }
        text.push_str(&format!("</{kind}>"));
        text.into_bytes()
    }

    /// Builds a zip with the named entries in order; a streaming writer puts the sizes in data
    /// descriptors after each entry, as Apache POI does.
    fn zip_of(entries: &[(&str, usize)], streaming: bool) -> Vec<u8> {
        let options = SimpleFileOptions::default();
        if streaming {
            let mut writer = zip::ZipWriter::new_stream(Vec::new());
            for (name, size) in entries {
                writer.start_file(*name, options).expect("start entry");
                writer
                    .write_all(&xml_part("part", *size))
                    .expect("write entry");
            }
            writer.finish().expect("finish zip").into_inner()
        } else {
            let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (name, size) in entries {
                writer.start_file(*name, options).expect("start entry");
                writer
                    .write_all(&xml_part("part", *size))
                    .expect("write entry");
            }
            writer.finish().expect("finish zip").into_inner()
        }
    }

    /// Entry orders of the three Office formats as Microsoft Office writes them.
    fn office_layouts() -> [(FileType, Vec<(&'static str, usize)>); 3] {
        [
            (
                FileType::Docx,
                vec![
                    ("[Content_Types].xml", 1_500),
                    ("_rels/.rels", 600),
                    ("word/document.xml", 60_000),
                    ("word/_rels/document.xml.rels", 1_000),
                    ("word/styles.xml", 30_000),
                    ("docProps/core.xml", 700),
                ],
            ),
            (
                FileType::Xlsx,
                vec![
                    ("[Content_Types].xml", 1_800),
                    ("_rels/.rels", 600),
                    ("xl/workbook.xml", 1_500),
                    ("xl/worksheets/sheet1.xml", 80_000),
                    ("xl/sharedStrings.xml", 20_000),
                ],
            ),
            (
                FileType::Pptx,
                vec![
                    ("[Content_Types].xml", 4_000),
                    ("_rels/.rels", 600),
                    ("ppt/presentation.xml", 3_000),
                    ("ppt/slides/slide1.xml", 10_000),
                ],
            ),
        ]
    }

    fn prefix(bytes: &[u8]) -> &[u8] {
        &bytes[..bytes.len().min(SNIFF_LEN)]
    }

    #[test]
    fn images_are_recognized() {
        let picture = DynamicImage::ImageRgb8(photo_like(1, 32, 24));
        let cases = [
            (marked_jpeg(32, 24), FileType::Jpeg),
            (encode(&picture, ImageFormat::Png), FileType::Png),
            (encode(&picture, ImageFormat::WebP), FileType::Webp),
            (heic_ftyp(), FileType::Heic),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(prefix(&bytes)), Some(expected));
        }
    }

    #[test]
    fn heif_brands_decide() {
        let ftyp = |brands: &[u8]| {
            let mut bytes = u32::try_from(8 + brands.len())
                .unwrap()
                .to_be_bytes()
                .to_vec();
            bytes.extend_from_slice(b"ftyp");
            bytes.extend_from_slice(brands);
            bytes
        };
        let cases: [(&[u8], Option<FileType>); 6] = [
            (b"mif1\0\0\0\0mif1heic", Some(FileType::Heic)),
            (b"heix\0\0\0\0mif1heix", Some(FileType::Heic)),
            (b"mif1\0\0\0\0mif1miaf", Some(FileType::Heic)),
            (b"avif\0\0\0\0mif1miafavif", None),
            (b"mif1\0\0\0\0mif1avif", None),
            (b"isom\0\0\x02\0isomiso2mp41", None),
        ];
        for (brands, expected) in cases {
            assert_eq!(
                sniff(&ftyp(brands)),
                expected,
                "{:?}",
                String::from_utf8_lossy(brands)
            );
        }
    }

    #[test]
    fn pdf_is_recognized() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"),
            Some(FileType::Pdf)
        );
    }

    #[test]
    fn office_zips_are_told_apart() {
        for (expected, entries) in office_layouts() {
            for streaming in [false, true] {
                let zip = zip_of(&entries, streaming);
                assert_eq!(
                    sniff(prefix(&zip)),
                    Some(expected),
                    "{expected:?}, streaming: {streaming}"
                );
            }
        }
    }

    #[test]
    fn libreoffice_entry_order_is_recognized() {
        // LibreOffice writes _rels/.rels and docProps first and [Content_Types].xml last.
        let zip = zip_of(
            &[
                ("_rels/.rels", 600),
                ("docProps/app.xml", 800),
                ("docProps/core.xml", 700),
                ("xl/_rels/workbook.xml.rels", 900),
                ("xl/workbook.xml", 1_500),
                ("xl/worksheets/sheet1.xml", 50_000),
                ("[Content_Types].xml", 1_500),
            ],
            false,
        );
        assert_eq!(sniff(prefix(&zip)), Some(FileType::Xlsx));
    }

    #[test]
    fn large_first_entry_needs_whole_file() {
        // A 100 KB incompressible first entry pushes the Office parts past the prefix.
        let mut random = SplitMix::new(7);
        let noise: Vec<u8> = (0..100_000).map(|_| random.next_u64() as u8).collect();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        writer
            .start_file("docProps/thumbnail.jpeg", stored)
            .unwrap();
        writer.write_all(&noise).unwrap();
        writer.start_file("[Content_Types].xml", stored).unwrap();
        writer.write_all(&xml_part("Types", 1_000)).unwrap();
        writer.start_file("word/document.xml", stored).unwrap();
        writer.write_all(&xml_part("document", 1_000)).unwrap();
        let zip = writer.finish().unwrap().into_inner();

        assert_eq!(sniff(prefix(&zip)), None);
        assert_eq!(sniff(&zip), Some(FileType::Docx));
    }

    #[test]
    fn other_zips_are_rejected() {
        let photos = zip_of(&[("photos/1.jpg", 5_000), ("photos/2.jpg", 5_000)], false);
        assert_eq!(sniff(prefix(&photos)), None, "archive of photos");

        let no_package = zip_of(&[("word/document.xml", 5_000)], false);
        assert_eq!(
            sniff(prefix(&no_package)),
            None,
            "word/ without package parts"
        );

        let odt = zip_of(&[("mimetype", 40), ("content.xml", 5_000)], false);
        assert_eq!(sniff(prefix(&odt)), None, "OpenDocument");
    }

    /// Builds an OLE compound file with one stream of the given name, 10 KB long so that it
    /// lives in regular sectors. Office 97-2003 writes version 3 (512-byte sectors).
    fn compound_file(version: cfb::Version, stream_name: &str) -> Vec<u8> {
        let mut file = cfb::CompoundFile::create_with_version(version, Cursor::new(Vec::new()))
            .expect("create cfb");
        let mut stream = file.create_stream(stream_name).expect("create stream");
        stream.write_all(&[0x42; 10_000]).expect("write stream");
        drop(stream);
        file.flush().expect("flush cfb");
        file.into_inner().into_inner()
    }

    #[test]
    fn legacy_office_by_stream_name() {
        let cases = [
            ("WordDocument", Some(FileType::Doc)),
            ("Workbook", Some(FileType::Xls)),
            ("Book", Some(FileType::Xls)),
            ("PowerPoint Document", Some(FileType::Ppt)),
            ("__properties_version1.0", None),
        ];
        for (name, expected) in cases {
            let file = compound_file(cfb::Version::V3, name);
            assert_eq!(sniff(prefix(&file)), expected, "{name}");
        }
    }

    #[test]
    fn legacy_office_with_large_sectors_needs_more() {
        // With 4,096-byte sectors the header sector and the first FAT sector fill the prefix,
        // so the directory in sector 1 starts at byte 8,192.
        let file = compound_file(cfb::Version::V4, "WordDocument");
        assert_eq!(sniff(prefix(&file)), None);
        assert_eq!(sniff(&file[..12_288]), Some(FileType::Doc));
    }

    #[test]
    fn legacy_office_by_first_record() {
        // A compound file header whose directory is in sector 1000, beyond the prefix, and
        // whose sector 0 starts with the given record.
        let header_with_first_record = |record: &[u8]| {
            let mut bytes = vec![0u8; 1024];
            bytes[..8].copy_from_slice(OLE_SIGNATURE);
            bytes[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
            bytes[0x30..0x34].copy_from_slice(&1000u32.to_le_bytes());
            bytes[512..512 + record.len()].copy_from_slice(record);
            bytes
        };
        let cases: [(&[u8], Option<FileType>); 4] = [
            (&[0xEC, 0xA5, 0xC1, 0x00], Some(FileType::Doc)),
            (&[0x09, 0x08, 0x10, 0x00], Some(FileType::Xls)),
            (&[0x0F, 0x00, 0xE8, 0x03], Some(FileType::Ppt)),
            (&[0x00, 0x00, 0x00, 0x00], None),
        ];
        for (record, expected) in cases {
            assert_eq!(
                sniff(&header_with_first_record(record)),
                expected,
                "{record:02x?}"
            );
        }
    }

    #[test]
    fn unaccepted_types_are_rejected() {
        let cases: [(&str, &[u8]); 12] = [
            ("GIF", b"GIF89a\x01\x00\x01\x00\x80\x00\x00"),
            ("HTML", b"<!DOCTYPE html><html><head><title>x</title>"),
            ("SVG", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>"),
            ("XML", b"<?xml version=\"1.0\"?><svg/>"),
            ("shell script", b"#!/bin/sh\nrm -rf /tmp/x\n"),
            ("Windows executable", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
            ("ELF executable", b"\x7FELF\x02\x01\x01\x00"),
            ("text", "培训记录：第一次课".as_bytes()),
            ("empty", b""),
            ("TIFF", b"II*\x00\x08\x00\x00\x00"),
            ("RIFF audio", b"RIFF\x24\x00\x00\x00WAVEfmt "),
            ("PDF marker later", b"junk%PDF-1.7"),
        ];
        for (what, bytes) in cases {
            assert_eq!(sniff(bytes), None, "{what}");
        }
    }

    #[test]
    fn truncated_and_random_input_never_panics() {
        let mut samples = vec![
            marked_jpeg(16, 16),
            heic_ftyp(),
            compound_file(cfb::Version::V3, "WordDocument"),
        ];
        for (_, entries) in office_layouts() {
            samples.push(zip_of(&entries, true));
        }
        for sample in &samples {
            for len in 0..sample.len().min(2_000) {
                let _ = sniff(&sample[..len]);
            }
        }

        let mut random = SplitMix::new(11);
        for signature in [
            ZIP_LOCAL_HEADER,
            OLE_SIGNATURE,
            b"\0\0\0\x18ftyp".as_slice(),
        ] {
            for _ in 0..2_000 {
                let mut bytes = signature.to_vec();
                let len = random.below(600) as usize;
                bytes.extend((0..len).map(|_| random.next_u64() as u8));
                let _ = sniff(&bytes);
            }
        }
    }

    #[test]
    fn file_type_names_are_distinct() {
        for (index, a) in FileType::ALL.iter().enumerate() {
            for b in &FileType::ALL[index + 1..] {
                assert_ne!(a.extension(), b.extension(), "{a:?} and {b:?}");
                assert_ne!(a.mime(), b.mime(), "{a:?} and {b:?}");
                assert_ne!(a.display_name(), b.display_name(), "{a:?} and {b:?}");
            }
        }
    }
}
