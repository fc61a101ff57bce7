//! Builders for the test files: images with EXIF, photo-like pictures, HEIF boxes and oversized
//! headers, all made in code.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

pub const GRAY: Rgb<u8> = Rgb([128, 128, 128]);
pub const RED: Rgb<u8> = Rgb([230, 20, 20]);

/// A corner of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

pub const CORNERS: [Corner; 4] = [
    Corner::TopLeft,
    Corner::TopRight,
    Corner::BottomLeft,
    Corner::BottomRight,
];

/// Draws a gray image with a red block filling a third of each side in one corner.
pub fn marked_image(width: u32, height: u32, corner: Corner) -> RgbImage {
    let (block_width, block_height) = (width / 3, height / 3);
    RgbImage::from_fn(width, height, |x, y| {
        let left = x < block_width;
        let right = x >= width - block_width;
        let top = y < block_height;
        let bottom = y >= height - block_height;
        let marked = match corner {
            Corner::TopLeft => top && left,
            Corner::TopRight => top && right,
            Corner::BottomLeft => bottom && left,
            Corner::BottomRight => bottom && right,
        };
        if marked { RED } else { GRAY }
    })
}

/// Encodes a JPEG of [`marked_image`] with the mark at the top left.
pub fn marked_jpeg(width: u32, height: u32) -> Vec<u8> {
    encode_jpeg(&marked_image(width, height, Corner::TopLeft), 95)
}

/// Returns the pixel in the middle of the block at `corner`, where [`marked_image`] puts its mark.
pub fn corner_pixel(image: &RgbImage, corner: Corner) -> Rgb<u8> {
    let (width, height) = image.dimensions();
    let x = match corner {
        Corner::TopLeft | Corner::BottomLeft => width / 6,
        Corner::TopRight | Corner::BottomRight => width - 1 - width / 6,
    };
    let y = match corner {
        Corner::TopLeft | Corner::TopRight => height / 6,
        Corner::BottomLeft | Corner::BottomRight => height - 1 - height / 6,
    };
    *image.get_pixel(x, y)
}

/// Checks whether a pixel is close to the mark's red, allowing for JPEG's colour error.
pub fn is_red(pixel: Rgb<u8>) -> bool {
    let [red, green, blue] = pixel.0;
    red > 180 && green < 80 && blue < 80
}

pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(image)
        .expect("encoding a test JPEG");
    jpeg
}

pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, format)
        .expect("encoding a test image");
    bytes.into_inner()
}

/// Inserts an APP1 `Exif` segment right after the JPEG's start-of-image marker.
///
/// The segment contains a little-endian TIFF structure: IFD0 with the Orientation tag and, when a
/// time is given, a pointer to an Exif IFD with DateTimeOriginal (`YYYY:MM:DD HH:MM:SS`).
pub fn jpeg_with_exif(jpeg: &[u8], orientation: u16, taken_at: Option<&str>) -> Vec<u8> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;

    fn entry(tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value);
    }

    // TIFF header: byte order "II", the magic number 42, and the offset of IFD0.
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II");
    tiff.extend_from_slice(&42u16.to_le_bytes());
    tiff.extend_from_slice(&8u32.to_le_bytes());

    // IFD0: entry count, 12-byte entries, then the offset of the next IFD (0: none).
    let entry_count: u16 = if taken_at.is_some() { 2 } else { 1 };
    let exif_ifd_offset = 8 + 2 + 12 * u32::from(entry_count) + 4;
    tiff.extend_from_slice(&entry_count.to_le_bytes());
    let [low, high] = orientation.to_le_bytes();
    entry(&mut tiff, 0x0112, SHORT, 1, [low, high, 0, 0]);
    if taken_at.is_some() {
        entry(&mut tiff, 0x8769, LONG, 1, exif_ifd_offset.to_le_bytes());
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());

    // Exif IFD with one entry, DateTimeOriginal, whose 20 bytes (with the NUL) follow the IFD.
    if let Some(text) = taken_at {
        let text_offset = exif_ifd_offset + 2 + 12 + 4;
        let mut ascii = text.as_bytes().to_vec();
        ascii.push(0);
        tiff.extend_from_slice(&1u16.to_le_bytes());
        let count = u32::try_from(ascii.len()).expect("short text");
        entry(&mut tiff, 0x9003, ASCII, count, text_offset.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(&ascii);
    }

    // APP1 segment: marker, length (counting itself but not the marker), "Exif\0\0", TIFF.
    let length = u16::try_from(2 + 6 + tiff.len()).expect("short segment");
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);

    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A deterministic pseudo-random generator (SplitMix64), so test pictures are the same on
/// every run.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`.
    pub fn below(&mut self, bound: u32) -> u32 {
        (self.next_u64() % u64::from(bound)) as u32
    }
}

/// Draws a photo-like picture: a tilted colour gradient, a dozen overlapping rectangles and discs
/// of random colours, and light noise. Different seeds give different layouts.
pub fn photo_like(seed: u64, width: u32, height: u32) -> RgbImage {
    let mut random = SplitMix::new(seed);
    let start = [random.below(256), random.below(256), random.below(256)];
    let end = [random.below(256), random.below(256), random.below(256)];
    let tilt = random.below(100);
    let mut image = RgbImage::from_fn(width, height, |x, y| {
        let t =
            (x * tilt + y * (100 - tilt)) as f32 / ((width * tilt + height * (100 - tilt)) as f32);
        let channel = |i: usize| (start[i] as f32 * (1.0 - t) + end[i] as f32 * t) as u8;
        Rgb([channel(0), channel(1), channel(2)])
    });

    for _ in 0..12 {
        let colour = Rgb([
            random.below(256) as u8,
            random.below(256) as u8,
            random.below(256) as u8,
        ]);
        let (cx, cy) = (random.below(width), random.below(height));
        let size = width / 10 + random.below(width / 4);
        let disc = random.below(2) == 0;
        for y in cy.saturating_sub(size)..(cy + size).min(height) {
            for x in cx.saturating_sub(size)..(cx + size).min(width) {
                let (dx, dy) = (x.abs_diff(cx), y.abs_diff(cy));
                if !disc || dx * dx + dy * dy <= size * size {
                    image.put_pixel(x, y, colour);
                }
            }
        }
    }

    for pixel in image.pixels_mut() {
        for channel in pixel.0.iter_mut() {
            let noise = random.below(17) as i16 - 8;
            *channel = (i16::from(*channel) + noise).clamp(0, 255) as u8;
        }
    }
    image
}

fn iso_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let size = u32::try_from(8 + body.len()).expect("small box");
    let mut out = size.to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn full_box(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut content = vec![version];
    content.extend_from_slice(&flags.to_be_bytes()[1..]);
    content.extend_from_slice(body);
    iso_box(kind, &content)
}

/// Builds the `ftyp` box of an iPhone HEIC: major brand `heic`, compatible `mif1` and `heic`.
pub fn heic_ftyp() -> Vec<u8> {
    iso_box(b"ftyp", b"heic\0\0\0\0mif1heic")
}

/// Builds a HEIF file of `ftyp` and `meta` boxes without image data. Item 1 is primary, with
/// the given size and `irot` (quarter turns anticlockwise). Item 2 is a 320 × 240 thumbnail
/// listed first in `ipco` and `ipma`, so a parser that ignores `pitm` reports the wrong size.
pub fn heif_file(width: u32, height: u32, irot: Option<u8>) -> Vec<u8> {
    let hdlr = full_box(b"hdlr", 0, 0, b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
    let pitm = full_box(b"pitm", 0, 0, &1u16.to_be_bytes());

    let mut thumbnail_size = 320u32.to_be_bytes().to_vec();
    thumbnail_size.extend_from_slice(&240u32.to_be_bytes());
    let mut primary_size = width.to_be_bytes().to_vec();
    primary_size.extend_from_slice(&height.to_be_bytes());
    let mut ipco_body = full_box(b"ispe", 0, 0, &thumbnail_size);
    ipco_body.extend(full_box(b"ispe", 0, 0, &primary_size));
    if let Some(turns) = irot {
        ipco_body.extend(iso_box(b"irot", &[turns]));
    }
    let ipco = iso_box(b"ipco", &ipco_body);

    // ipma version 0 with narrow indices has an entry count, then per item its 16-bit id, the
    // number of associations and one byte per association. That byte's top bit marks an
    // essential property, and its other bits are the 1-based index into ipco.
    let mut ipma_body = 2u32.to_be_bytes().to_vec();
    ipma_body.extend_from_slice(&2u16.to_be_bytes());
    ipma_body.extend_from_slice(&[1, 1]);
    ipma_body.extend_from_slice(&1u16.to_be_bytes());
    if irot.is_some() {
        ipma_body.extend_from_slice(&[2, 2, 0x80 | 3]);
    } else {
        ipma_body.extend_from_slice(&[1, 2]);
    }
    let ipma = full_box(b"ipma", 0, 0, &ipma_body);

    let mut iprp_body = ipco;
    iprp_body.extend(ipma);
    let iprp = iso_box(b"iprp", &iprp_body);

    let mut meta_body = hdlr;
    meta_body.extend(pitm);
    meta_body.extend(iprp);
    let meta = full_box(b"meta", 0, 0, &meta_body);

    let mut file = heic_ftyp();
    file.extend(meta);
    file
}

/// Encodes a 1 × 1 RGBA PNG whose header claims `width` × `height`, with the header checksum fixed.
pub fn png_claiming_size(width: u32, height: u32) -> Vec<u8> {
    let mut png = encode(
        &DynamicImage::ImageRgba8(image::RgbaImage::new(1, 1)),
        ImageFormat::Png,
    );
    // The 8-byte signature, then IHDR: length (4), "IHDR" (4), width (4), height (4), 5 more
    // bytes, and a CRC-32 over the type and the 13 data bytes.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// Encodes a small JPEG whose start-of-frame header claims `width` × `height`.
pub fn jpeg_claiming_size(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = marked_jpeg(16, 16);
    // SOF0: FF C0, a 2-byte length, the sample precision, then height and width.
    let sof = jpeg
        .windows(2)
        .position(|pair| pair == [0xFF, 0xC0])
        .expect("baseline JPEG has SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// CRC-32 (IEEE, reflected, polynomial 0xEDB88320) as used by PNG.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}
