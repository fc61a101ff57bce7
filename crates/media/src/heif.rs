//! Reading the size and rotation of a HEIF image's primary item from its `meta` box, without
//! decoding HEVC.
//!
//! The boxes are those of ISO/IEC 23008-12 (HEIF): `pitm` names the primary item, `ipco` lists
//! item properties and `ipma` associates them with items by 1-based index.

/// The stored size and the orientation of a HEIF primary image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrimaryImage {
    pub width: u32,
    pub height: u32,
    /// The `irot` rotation expressed as an EXIF orientation (1, 3, 6 or 8).
    pub orientation: u16,
}

/// Finds the primary item's `ispe` (size) and `irot` (rotation) properties.
///
/// Returns `None` when the boxes are missing or malformed.
///
/// The unit tests use boxes built by hand. A file from `heif-enc` is checked only where
/// libheif-examples is installed, and no phone photo is part of the tests.
// NOTE: `imir` (mirroring) is not read, so a mirrored image reports only its rotation.
pub(crate) fn primary_image(file: &[u8]) -> Option<PrimaryImage> {
    let meta = child_box(file, b"meta")?;
    // `meta` is a full box: 4 bytes of version and flags precede its children.
    let meta_children = meta.get(4..)?;

    let pitm = child_box(meta_children, b"pitm")?;
    let primary_id = match pitm.first()? {
        0 => u32::from(read_u16(pitm, 4)?),
        _ => read_u32(pitm, 4)?,
    };

    let iprp = child_box(meta_children, b"iprp")?;
    let properties: Vec<([u8; 4], &[u8])> = boxes(child_box(iprp, b"ipco")?).collect();
    let ipma = child_box(iprp, b"ipma")?;

    let mut size = None;
    let mut orientation = 1;
    for index in property_indices(ipma, primary_id)? {
        let Some((kind, body)) = index.checked_sub(1).and_then(|i| properties.get(i)) else {
            continue;
        };
        match kind {
            b"ispe" => size = Some((read_u32(body, 4)?, read_u32(body, 8)?)),
            // `irot` counts quarter turns anticlockwise in its low two bits.
            b"irot" => {
                orientation = match body.first()? & 0b11 {
                    1 => 8,
                    2 => 3,
                    3 => 6,
                    _ => 1,
                }
            }
            _ => {}
        }
    }

    let (width, height) = size?;
    Some(PrimaryImage {
        width,
        height,
        orientation,
    })
}

/// Returns the 1-based `ipco` indices that an `ipma` box associates with one item.
fn property_indices(ipma: &[u8], item_id: u32) -> Option<Vec<usize>> {
    let version = *ipma.first()?;
    let wide_indices = ipma.get(3)? & 1 == 1;
    let entry_count = read_u32(ipma, 4)?;

    let mut offset = 8;
    for _ in 0..entry_count {
        let id = if version < 1 {
            let id = read_u16(ipma, offset)?;
            offset += 2;
            u32::from(id)
        } else {
            let id = read_u32(ipma, offset)?;
            offset += 4;
            id
        };
        let association_count = usize::from(*ipma.get(offset)?);
        offset += 1;

        let mut indices = Vec::with_capacity(association_count);
        for _ in 0..association_count {
            // The top bit marks an essential property; the rest is the index.
            if wide_indices {
                indices.push(usize::from(read_u16(ipma, offset)? & 0x7FFF));
                offset += 2;
            } else {
                indices.push(usize::from(*ipma.get(offset)? & 0x7F));
                offset += 1;
            }
        }
        if id == item_id {
            return Some(indices);
        }
    }
    None
}

/// Returns the body of the first child box of the given type.
fn child_box<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data)
        .find(|(found, _)| found == kind)
        .map(|(_, body)| body)
}

/// Iterates over the boxes in `data` as (type, body) pairs, stopping at the first malformed or
/// truncated box.
fn boxes(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let size = read_u32(rest, 0)?;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        let (header_len, total_len) = match size {
            // Size 0: the box runs to the end of the data.
            0 => (8, rest.len()),
            // Size 1: a 64-bit size follows the type.
            1 => {
                let large = u64::from(read_u32(rest, 8)?) << 32 | u64::from(read_u32(rest, 12)?);
                (16, usize::try_from(large).ok()?)
            }
            _ => (8, usize::try_from(size).ok()?),
        };
        let body = rest.get(header_len..total_len)?;
        rest = &rest[total_len..];
        Some((kind, body))
    })
}

fn read_u16(bytes: &[u8], offset: usize) -> Option<u16> {
    let pair: [u8; 2] = bytes.get(offset..offset.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_be_bytes(pair))
}

fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let quad: [u8; 4] = bytes.get(offset..offset.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(quad))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::heif_file;

    #[test]
    fn heif_primary_size_and_rotation() {
        let file = heif_file(4032, 3024, Some(3));
        let primary = primary_image(&file);
        assert_eq!(
            primary,
            Some(PrimaryImage {
                width: 4032,
                height: 3024,
                orientation: 6
            })
        );
    }

    #[test]
    fn heif_without_irot_is_upright() {
        let file = heif_file(640, 480, None);
        assert_eq!(primary_image(&file).map(|image| image.orientation), Some(1));
    }

    #[test]
    fn heif_truncated_meta_gives_none() {
        let file = heif_file(640, 480, Some(1));
        for len in [0, 10, 40, file.len() / 2, file.len() - 1] {
            assert_eq!(primary_image(&file[..len]), None, "prefix of {len} bytes");
        }
    }
}
