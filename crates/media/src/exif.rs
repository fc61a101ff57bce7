//! Reading the EXIF fields that matter for evidence photos: orientation and capture time.

use std::io::Cursor;

use exif::{In, Tag, Value};

/// The EXIF fields of one image; both fall back to "unknown" when the image has no EXIF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExifData {
    /// EXIF orientation, 1 to 8; 1 when missing or out of range.
    pub orientation: u16,
    /// DateTimeOriginal as `YYYY-MM-DD HH:MM:SS`, in the camera's local time.
    pub taken_at: Option<String>,
}

/// Reads EXIF from a JPEG, PNG, WebP or HEIF file.
///
/// Missing, truncated or malformed EXIF is not an error: an evidence photo without EXIF (a
/// screenshot, a scan) is normal, so the fields fall back to orientation 1 and no time.
pub(crate) fn read_exif(bytes: &[u8]) -> ExifData {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let parsed = reader
        .read_from_container(&mut Cursor::new(bytes))
        .or_else(|error| error.distill_partial_result(|_ignored| {}));
    let Ok(exif) = parsed else {
        return ExifData {
            orientation: 1,
            taken_at: None,
        };
    };

    let orientation = exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|field| field.value.get_uint(0))
        .and_then(|value| u16::try_from(value).ok())
        .filter(|value| (1..=8).contains(value))
        .unwrap_or(1);

    let taken_at = exif
        .get_field(Tag::DateTimeOriginal, In::PRIMARY)
        .and_then(|field| match &field.value {
            Value::Ascii(strings) => strings.first(),
            _ => None,
        })
        .and_then(|ascii| format_exif_datetime(ascii));

    ExifData {
        orientation,
        taken_at,
    }
}

/// Turns EXIF's `YYYY:MM:DD HH:MM:SS` into `YYYY-MM-DD HH:MM:SS`.
///
/// Returns `None` for blank values (cameras write spaces or zeros when the clock is unset) and
/// for anything out of range, so a caller never has to re-check the text.
fn format_exif_datetime(ascii: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(ascii).ok()?;
    let text = text.trim_end_matches(['\0', ' ']);
    if text.len() != 19 || !text.is_ascii() {
        return None;
    }

    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = &text[range];
        if digits.bytes().all(|byte| byte.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    let separators_ok = text.as_bytes()[4] == b':'
        && text.as_bytes()[7] == b':'
        && text.as_bytes()[10] == b' '
        && text.as_bytes()[13] == b':'
        && text.as_bytes()[16] == b':';
    if !separators_ok {
        return None;
    }

    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let in_range = (1900..=2999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !in_range {
        return None;
    }

    Some(format!(
        "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
    ))
}

/// Overwrites the EXIF Orientation tag of a JPEG in place, if the tag exists.
///
/// A JPEG without the tag is left unchanged, because adding one would mean rebuilding the EXIF
/// segment. Returns whether the tag was found.
pub(crate) fn set_jpeg_orientation(jpeg: &mut [u8], orientation: u16) -> bool {
    const ORIENTATION: u16 = 0x0112;
    const SHORT: u16 = 3;

    let Some(tiff_start) = find_exif_tiff_header(jpeg) else {
        return false;
    };
    let tiff = &mut jpeg[tiff_start..];
    let little_endian = match tiff.get(0..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return false,
    };
    let read_u16 = |bytes: &[u8], at: usize| -> Option<u16> {
        let pair: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        })
    };
    let read_u32 = |bytes: &[u8], at: usize| -> Option<u32> {
        let quad: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if little_endian {
            u32::from_le_bytes(quad)
        } else {
            u32::from_be_bytes(quad)
        })
    };

    // IFD0: a 2-byte entry count, then 12-byte entries of tag, type, count and value.
    let Some(ifd0) = read_u32(tiff, 4).and_then(|offset| usize::try_from(offset).ok()) else {
        return false;
    };
    let Some(entry_count) = read_u16(tiff, ifd0) else {
        return false;
    };
    for index in 0..usize::from(entry_count) {
        let entry = ifd0 + 2 + index * 12;
        if read_u16(tiff, entry) != Some(ORIENTATION) || read_u16(tiff, entry + 2) != Some(SHORT) {
            continue;
        }
        // A single SHORT sits in the first two bytes of the 4-byte value field.
        let value_at = entry + 8;
        let Some(value) = tiff.get_mut(value_at..value_at + 2) else {
            return false;
        };
        let bytes = if little_endian {
            orientation.to_le_bytes()
        } else {
            orientation.to_be_bytes()
        };
        value.copy_from_slice(&bytes);
        return true;
    }
    false
}

/// Returns the offset of the TIFF header inside the first APP1 `Exif` segment of a JPEG.
fn find_exif_tiff_header(jpeg: &[u8]) -> Option<usize> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut offset = 2;
    loop {
        let marker = jpeg.get(offset..offset + 4)?;
        if marker[0] != 0xFF {
            return None;
        }
        // Start of scan or end of image: no metadata segments follow.
        if marker[1] == 0xDA || marker[1] == 0xD9 {
            return None;
        }
        let length = usize::from(u16::from_be_bytes([marker[2], marker[3]]));
        let body = jpeg.get(offset + 4..offset + 2 + length)?;
        if marker[1] == 0xE1 && body.starts_with(b"Exif\0\0") {
            return Some(offset + 4 + 6);
        }
        offset += 2 + length;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{jpeg_with_exif, marked_jpeg};

    #[test]
    fn exif_orientation_and_time_are_read() {
        let jpeg = jpeg_with_exif(&marked_jpeg(40, 20), 6, Some("2023:04:15 09:30:05"));
        let exif = read_exif(&jpeg);
        assert_eq!(exif.orientation, 6);
        assert_eq!(exif.taken_at.as_deref(), Some("2023-04-15 09:30:05"));
    }

    #[test]
    fn missing_exif_defaults_to_upright() {
        let exif = read_exif(&marked_jpeg(40, 20));
        assert_eq!(exif.orientation, 1);
        assert_eq!(exif.taken_at, None);
    }

    #[test]
    fn orientation_out_of_range_is_upright() {
        let jpeg = jpeg_with_exif(&marked_jpeg(40, 20), 9, None);
        assert_eq!(read_exif(&jpeg).orientation, 1);
    }

    #[test]
    fn blank_or_bad_times_are_dropped() {
        for text in [
            "0000:00:00 00:00:00",
            "                   ",
            "2023-04-15 09:30:05",
            "2023:13:15 09:30:05",
            "2023:04:15 25:30:05",
            "2023:04:15",
        ] {
            assert_eq!(format_exif_datetime(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn orientation_tag_is_overwritten() {
        let mut jpeg = jpeg_with_exif(&marked_jpeg(40, 20), 8, Some("2023:04:15 09:30:05"));
        assert!(set_jpeg_orientation(&mut jpeg, 1));
        let exif = read_exif(&jpeg);
        assert_eq!(exif.orientation, 1);
        assert_eq!(exif.taken_at.as_deref(), Some("2023-04-15 09:30:05"));
    }

    #[test]
    fn orientation_without_exif_changes_nothing() {
        let original = marked_jpeg(40, 20);
        let mut jpeg = original.clone();
        assert!(!set_jpeg_orientation(&mut jpeg, 6));
        assert_eq!(jpeg, original);
    }
}
