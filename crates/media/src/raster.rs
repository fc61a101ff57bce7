//! Decoding images within memory limits, reading their size, and making upright thumbnails.
//!
//! Every function here is CPU-bound and synchronous: call it from `spawn_blocking`.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage};

use crate::exif::read_exif;
use crate::sniff::{FileType, sniff};
use crate::{MediaError, heif};

/// The largest width or height, in pixels, that is decoded. Phone cameras reach about 8,000.
pub const MAX_IMAGE_SIDE: u32 = 12_000;

/// The maximum memory, in bytes, for the pixels of one decoded image (512 MiB).
///
/// A 12,000 × 12,000 RGB image needs 432 MB. Turning and scaling make further copies, so the
/// peak for one call is an estimated three times the decoded size.
pub const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// The JPEG quality of thumbnails, on the encoder's 1-100 scale.
const THUMBNAIL_QUALITY: u8 = 85;

/// The size and EXIF facts of an image, read without decoding its pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Width in pixels as stored, before the orientation is applied.
    pub width: u32,
    /// Height in pixels as stored, before the orientation is applied.
    pub height: u32,
    /// EXIF orientation, 1 to 8: how to turn the stored pixels upright; 1 when unknown.
    pub orientation: u16,
    /// EXIF DateTimeOriginal as `YYYY-MM-DD HH:MM:SS`, in the camera's local time (EXIF has
    /// no time zone here).
    pub taken_at: Option<String>,
}

impl ImageInfo {
    /// Returns width and height as the picture is seen upright: swapped for orientations 5 to 8,
    /// which turn the picture by a quarter.
    pub fn upright_size(&self) -> (u32, u32) {
        if (5..=8).contains(&self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Reads the size, orientation and capture time of a JPEG, PNG, WebP or HEIC image.
///
/// Only headers are parsed, so this is fast even for large photos, and sizes above
/// [`MAX_IMAGE_SIDE`] are reported, not rejected.
///
/// For HEIC the size comes from the primary image's `ispe` property, and the orientation from
/// its `irot` property, because HEIF readers apply `irot` and ignore the EXIF orientation. The
/// capture time comes from the HEIC's EXIF, and is `None` if the file has none.
pub fn inspect_image(bytes: &[u8]) -> Result<ImageInfo, MediaError> {
    // NOTE: the HEIC capture time relies on kamadak-exif's HEIF support, which no test here
    // exercises, because building a HEIF Exif item by hand needs iinf and iloc boxes too.
    let exif = read_exif(bytes);

    let format = match sniff(bytes) {
        Some(FileType::Heic) => {
            let primary = heif::primary_image(bytes).ok_or(MediaError::Decode(None))?;
            return Ok(ImageInfo {
                width: primary.width,
                height: primary.height,
                orientation: primary.orientation,
                taken_at: exif.taken_at,
            });
        }
        Some(file_type) => image_format(file_type)?,
        None => return Err(MediaError::UnsupportedImage),
    };

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    let (width, height) = reader.into_dimensions().map_err(MediaError::from_decode)?;

    Ok(ImageInfo {
        width,
        height,
        orientation: exif.orientation,
        taken_at: exif.taken_at,
    })
}

/// Decodes a JPEG, PNG or WebP image, turns it upright by its EXIF orientation, scales it down
/// to fit a `max_side` × `max_side` square and encodes it as JPEG.
///
/// Images that already fit are not enlarged. Transparent areas become white, since JPEG has no
/// alpha channel and screenshots often have transparent margins. A `max_side` of 0 is treated
/// as 1. HEIC must first be converted with [`crate::heic_to_jpeg`].
pub fn thumbnail_jpeg(bytes: &[u8], max_side: u32) -> Result<Vec<u8>, MediaError> {
    let image = decode_upright(bytes)?;

    let max_side = max_side.max(1);
    let scaled = if image.width() > max_side || image.height() > max_side {
        image.thumbnail(max_side, max_side)
    } else {
        image
    };

    let rgb = flatten_on_white(&scaled);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, THUMBNAIL_QUALITY)
        .encode_image(&rgb)
        .map_err(MediaError::Encode)?;
    Ok(jpeg)
}

/// Decodes a JPEG, PNG or WebP image within the limits above and turns it upright.
pub(crate) fn decode_upright(bytes: &[u8]) -> Result<DynamicImage, MediaError> {
    let format = match sniff(bytes) {
        Some(file_type) => image_format(file_type)?,
        None => return Err(MediaError::UnsupportedImage),
    };

    // Read the size first, so an oversized image gets a message with its size in it.
    let mut probe = ImageReader::with_format(Cursor::new(bytes), format);
    probe.no_limits();
    let (width, height) = probe.into_dimensions().map_err(MediaError::from_decode)?;
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            max_side: MAX_IMAGE_SIDE,
        });
    }

    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut image = reader.decode().map_err(MediaError::from_decode)?;

    let orientation = u8::try_from(read_exif(bytes).orientation)
        .ok()
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::NoTransforms);
    image.apply_orientation(orientation);
    Ok(image)
}

fn image_format(file_type: FileType) -> Result<ImageFormat, MediaError> {
    match file_type {
        FileType::Jpeg => Ok(ImageFormat::Jpeg),
        FileType::Png => Ok(ImageFormat::Png),
        FileType::Webp => Ok(ImageFormat::WebP),
        _ => Err(MediaError::UnsupportedImage),
    }
}

/// Converts to 8-bit RGB, blending any alpha channel over white.
fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [red, green, blue, alpha] = rgba.get_pixel(x, y).0;
        let blend = |channel: u8| -> u8 {
            let covered = u32::from(channel) * u32::from(alpha);
            let uncovered = 255 * (255 - u32::from(alpha));
            // The sum is at most 255 * 255, so the quotient fits in a u8.
            ((covered + uncovered + 127) / 255) as u8
        };
        image::Rgb([blend(red), blend(green), blend(blue)])
    })
}

#[cfg(test)]
mod tests {
    use image::{ImageFormat, Rgba, RgbaImage};

    use super::*;
    use crate::test_support::*;

    /// The stored corner of the upright top-left corner for each EXIF orientation, and whether
    /// the stored picture is a quarter turn away (width and height swapped). EXIF 2.3 defines
    /// each orientation by which visual side the stored 0th row and 0th column are.
    const STORED_MARK: [(u16, Corner, bool); 8] = [
        (1, Corner::TopLeft, false),
        (2, Corner::TopRight, false),
        (3, Corner::BottomRight, false),
        (4, Corner::BottomLeft, false),
        (5, Corner::TopLeft, true),
        (6, Corner::BottomLeft, true),
        (7, Corner::BottomRight, true),
        (8, Corner::TopRight, true),
    ];

    fn decode_rgb(jpeg: &[u8]) -> RgbImage {
        image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg)
            .expect("thumbnail decodes")
            .to_rgb8()
    }

    #[test]
    fn thumbnail_turns_every_orientation_upright() {
        // The upright picture is 120 × 80 with its mark at the top left.
        for (orientation, stored_corner, quarter_turn) in STORED_MARK {
            let (width, height) = if quarter_turn { (80, 120) } else { (120, 80) };
            let stored = encode_jpeg(&marked_image(width, height, stored_corner), 95);
            let jpeg = jpeg_with_exif(&stored, orientation, None);

            let thumbnail = decode_rgb(&thumbnail_jpeg(&jpeg, 600).expect("thumbnail"));

            assert_eq!(
                thumbnail.dimensions(),
                (120, 80),
                "size after orientation {orientation}"
            );
            for corner in CORNERS {
                let pixel = corner_pixel(&thumbnail, corner);
                assert_eq!(
                    is_red(pixel),
                    corner == Corner::TopLeft,
                    "orientation {orientation}: {corner:?} is {pixel:?}"
                );
            }
        }
    }

    #[test]
    fn thumbnail_fits_longer_side() {
        let jpeg = encode_jpeg(&photo_like(1, 1200, 800), 90);
        let thumbnail = decode_rgb(&thumbnail_jpeg(&jpeg, 300).expect("thumbnail"));
        assert_eq!(thumbnail.dimensions(), (300, 200));
    }

    #[test]
    fn thumbnail_never_enlarges() {
        let jpeg = encode_jpeg(&photo_like(1, 100, 50), 90);
        let thumbnail = decode_rgb(&thumbnail_jpeg(&jpeg, 300).expect("thumbnail"));
        assert_eq!(thumbnail.dimensions(), (100, 50));
    }

    #[test]
    fn thumbnail_of_png_and_webp() {
        let picture = DynamicImage::ImageRgb8(photo_like(2, 400, 300));
        for format in [ImageFormat::Png, ImageFormat::WebP] {
            let bytes = encode(&picture, format);
            let thumbnail = decode_rgb(&thumbnail_jpeg(&bytes, 200).expect("thumbnail"));
            assert_eq!(thumbnail.dimensions(), (200, 150), "{format:?}");
        }
    }

    #[test]
    fn thumbnail_puts_transparency_on_white() {
        let transparent = RgbaImage::from_pixel(40, 40, Rgba([0, 0, 0, 0]));
        let png = encode(&DynamicImage::ImageRgba8(transparent), ImageFormat::Png);
        let thumbnail = decode_rgb(&thumbnail_jpeg(&png, 100).expect("thumbnail"));
        let [red, green, blue] = thumbnail.get_pixel(20, 20).0;
        assert!(
            red > 245 && green > 245 && blue > 245,
            "{:?}",
            [red, green, blue]
        );
    }

    #[test]
    fn thumbnail_rejects_other_formats() {
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".as_slice();
        for bytes in [gif, b"%PDF-1.7\n".as_slice(), b"".as_slice()] {
            assert!(
                matches!(
                    thumbnail_jpeg(bytes, 100),
                    Err(MediaError::UnsupportedImage)
                ),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn thumbnail_of_jpeg_without_scan_fails() {
        // The decoder fills a scan cut short with gray, as browsers do, so a file has to lose
        // its whole scan to fail: keep only the headers before the start-of-scan marker.
        let jpeg = encode_jpeg(&photo_like(3, 400, 300), 90);
        let scan = jpeg
            .windows(2)
            .position(|pair| pair == [0xFF, 0xDA])
            .expect("JPEG has a scan");
        let result = thumbnail_jpeg(&jpeg[..scan], 100).map(|thumbnail| thumbnail.len());
        assert!(matches!(result, Err(MediaError::Decode(_))), "{result:?}");
    }

    #[test]
    fn oversized_side_is_rejected_before_decoding() {
        let cases = [
            (png_claiming_size(20_000, 100), (20_000, 100)),
            (jpeg_claiming_size(100, 60_000), (100, 60_000)),
        ];
        for (bytes, (width, height)) in cases {
            let result = thumbnail_jpeg(&bytes, 100);
            assert!(
                matches!(
                    result,
                    Err(MediaError::TooManyPixels { width: w, height: h, max_side: MAX_IMAGE_SIDE })
                        if (w, h) == (width, height)
                ),
                "{result:?}"
            );
        }
    }

    #[test]
    fn oversized_allocation_is_rejected() {
        // 12,000 × 12,000 RGBA needs 576,000,000 bytes, above the 512 MiB limit.
        let png = png_claiming_size(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE);
        let result = thumbnail_jpeg(&png, 100);
        assert!(
            matches!(result, Err(MediaError::TooMuchMemory(_))),
            "{result:?}"
        );
    }

    #[test]
    fn inspect_reads_size_and_exif() {
        let jpeg = jpeg_with_exif(&marked_jpeg(120, 80), 6, Some("2023:04:15 09:30:05"));
        let info = inspect_image(&jpeg).expect("inspect");
        assert_eq!(
            info,
            ImageInfo {
                width: 120,
                height: 80,
                orientation: 6,
                taken_at: Some("2023-04-15 09:30:05".to_owned()),
            }
        );
        assert_eq!(info.upright_size(), (80, 120));
    }

    #[test]
    fn inspect_reads_png_and_webp_size() {
        let picture = DynamicImage::ImageRgb8(photo_like(4, 64, 48));
        for format in [ImageFormat::Png, ImageFormat::WebP] {
            let info = inspect_image(&encode(&picture, format)).expect("inspect");
            assert_eq!((info.width, info.height), (64, 48), "{format:?}");
        }
    }

    #[test]
    fn inspect_reports_oversized_image() {
        let info = inspect_image(&png_claiming_size(20_000, 100)).expect("inspect");
        assert_eq!((info.width, info.height), (20_000, 100));
    }

    #[test]
    fn inspect_reads_heic_boxes() {
        let info = inspect_image(&heif_file(4032, 3024, Some(3))).expect("inspect");
        assert_eq!(
            info,
            ImageInfo {
                width: 4032,
                height: 3024,
                orientation: 6,
                taken_at: None,
            }
        );
    }

    #[test]
    fn inspect_rejects_heic_without_boxes() {
        let result = inspect_image(&heic_ftyp());
        assert!(
            matches!(result, Err(MediaError::Decode(None))),
            "{result:?}"
        );
    }

    #[test]
    fn inspect_rejects_text() {
        let result = inspect_image(b"<html><body>hello</body></html>");
        assert!(
            matches!(result, Err(MediaError::UnsupportedImage)),
            "{result:?}"
        );
    }

    #[test]
    fn truncated_images_never_panic() {
        let picture = DynamicImage::ImageRgb8(photo_like(5, 64, 48));
        let jpeg = jpeg_with_exif(
            &encode_jpeg(&picture.to_rgb8(), 90),
            6,
            Some("2023:04:15 09:30:05"),
        );
        let files = [
            jpeg,
            encode(&picture, ImageFormat::Png),
            encode(&picture, ImageFormat::WebP),
            heif_file(640, 480, Some(1)),
        ];
        for file in &files {
            for len in 0..file.len().min(400) {
                let prefix = &file[..len];
                let _ = inspect_image(prefix);
                let _ = thumbnail_jpeg(prefix, 32);
            }
        }
    }
}
